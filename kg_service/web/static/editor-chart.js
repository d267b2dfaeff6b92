// The chart view (Apache ECharts): a bar, line or pie chart of a number column by a label
// column. Offered for SELECT results with a label and a measuring number column.
import { chartFit, shortName } from "./editor-fit.js";
import { loadScript } from "./editor-vendor.js";

const TYPES = ["bar", "line", "pie"];
const ICON = '<svg viewBox="0 0 16 16" aria-hidden="true" focusable="false" width="16" height="16">'
  + '<path d="M2 14h12v1H1V1h1zm2-2V7h2v5zm3 0V3h2v9zm3 0V6h2v6z"/></svg>';

export class ChartView {
  constructor(yasr, cfg) {
    this.yasr = yasr;
    this.cfg = cfg;
    this.words = cfg.words;
    this.label = cfg.words.view_chart;
    this.priority = 3; // below the table: a chart is offered, never imposed
    this.settings = { type: "bar" };
  }

  canHandleResults() {
    return chartFit(this.yasr.results, this.cfg.lang) !== null;
  }

  getIcon() {
    const icon = document.createElement("span");
    icon.innerHTML = ICON;
    return icon.firstChild;
  }

  async draw() {
    const fit = chartFit(this.yasr.results, this.cfg.lang);
    if (!fit) return;
    this.choice = {
      type: this.settings.type,
      label: pick(fit.labels, this.settings.label) || fit.label,
      value: pick(fit.values, this.settings.value) || fit.values[fit.values.length - 1],
    };
    const root = document.createElement("div");
    root.className = "kg-view kg-chart";
    root.append(this.controls(fit), this.canvas());
    this.yasr.resultsEl.append(root);
    await loadScript(this.cfg.vendor["echarts.min.js"]);
    this.render();
    this.resize = () => this.chart?.resize();
    window.addEventListener("resize", this.resize);
  }

  controls(fit) {
    const bar = document.createElement("div");
    bar.className = "kg-view-controls";
    bar.append(
      select("kg-chart-type", this.words.chart_type,
        TYPES.map((t) => [t, this.words["chart_" + t]]), this.choice.type,
        (type) => this.change({ type })),
      select("kg-chart-label", this.words.chart_labels,
        fit.labels.map((c) => [c.name, "?" + c.name]), this.choice.label.name,
        (name) => this.change({ label: pick(fit.labels, name) })),
      select("kg-chart-value", this.words.chart_values,
        fit.values.map((c) => [c.name, "?" + c.name]), this.choice.value.name,
        (name) => this.change({ value: pick(fit.values, name) })),
    );
    return bar;
  }

  canvas() {
    this.figure = document.createElement("div");
    this.figure.className = "kg-chart-figure";
    this.figure.setAttribute("role", "img");
    return this.figure;
  }

  change(part) {
    Object.assign(this.choice, part);
    this.settings = { type: this.choice.type, label: this.choice.label.name,
      value: this.choice.value.name };
    this.render();
  }

  render() {
    const { labels, values } = this.series();
    const described = this.words.chart_described
      .replace("{value}", "?" + this.choice.value.name)
      .replace("{label}", "?" + this.choice.label.name);
    this.figure.setAttribute("aria-label", described + ": "
      + labels.map((l, i) => `${l} ${values[i]}`).join("; "));
    this.chart?.dispose();
    this.chart = window.echarts.init(this.figure, null, { renderer: "svg" });
    this.chart.setOption(options(this.choice.type, labels, values, this.choice.value.name));
  }

  series() {
    const rows = this.yasr.results.getBindings();
    const { label, value } = this.choice;
    const prefixes = this.cfg.prefixes;
    const named = rows.filter((r) => r[value.name]);
    return {
      labels: named.map((r) => text(r[label.name], prefixes)),
      values: named.map((r) => Number(r[value.name].value)),
    };
  }

  destroy() {
    window.removeEventListener("resize", this.resize);
    this.chart?.dispose();
    this.chart = null;
  }
}

function text(term, prefixes) {
  if (!term) return "";
  return term.type === "uri" ? shortName(term.value, prefixes) : term.value;
}

function pick(columns, name) {
  return columns.find((c) => c.name === name) || null;
}

function select(id, label, choices, current, onChange) {
  const wrap = document.createElement("label");
  wrap.className = "kg-control";
  wrap.append(label + " ");
  const element = document.createElement("select");
  element.id = id;
  for (const [value, text] of choices) {
    element.append(new Option(text, value, false, value === current));
  }
  element.addEventListener("change", () => onChange(element.value));
  wrap.append(element);
  return wrap;
}

// Long labels (themes are sentences) read best along a vertical axis, cut with an ellipsis
function options(type, labels, values, name) {
  const tooltip = { trigger: type === "pie" ? "item" : "axis", confine: true };
  if (type === "pie") {
    return {
      tooltip,
      series: [{
        type: "pie", radius: ["25%", "60%"], name,
        data: labels.map((l, i) => ({ name: l, value: values[i] })),
        label: { width: 220, overflow: "truncate", color: "#1d2330" },
      }],
    };
  }
  const category = {
    type: "category", data: labels, inverse: type === "bar",
    axisLabel: { width: 380, overflow: "truncate", color: "#1d2330" },
  };
  const value = { type: "value", axisLabel: { color: "#1d2330" } };
  return {
    tooltip,
    grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
    xAxis: type === "bar" ? value : { ...category, axisLabel: { ...category.axisLabel, rotate: 30 } },
    yAxis: type === "bar" ? category : value,
    series: [{ type, name, data: values, itemStyle: { color: "#0b5cad" },
      label: { show: type === "bar", position: "right", color: "#1d2330" } }],
  };
}
