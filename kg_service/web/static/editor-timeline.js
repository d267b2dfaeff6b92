// The timeline view (vis-timeline): one item per row at its date or year, a range when the
// row also has an end; each item names its resource and links to its page. Offered for
// SELECT results with a date or year column.
import { pageOf, shortName, timelineFit } from "./editor-fit.js";
import { loadScript, loadStyle } from "./editor-vendor.js";

const ICON = '<svg viewBox="0 0 16 16" aria-hidden="true" focusable="false" width="16" height="16">'
  + '<path d="M1 8h14v1H1zM3 4h4v3H3zm6 5h5v3H9zM4 9h1v2H4zm6-2h1v2h-1z"/></svg>';

export class TimelineView {
  constructor(yasr, cfg) {
    this.yasr = yasr;
    this.cfg = cfg;
    this.label = cfg.words.view_timeline;
    this.priority = 2;
  }

  canHandleResults() {
    return timelineFit(this.yasr.results, this.cfg.lang) !== null;
  }

  getIcon() {
    const icon = document.createElement("span");
    icon.innerHTML = ICON;
    return icon.firstChild;
  }

  async draw() {
    const fit = timelineFit(this.yasr.results, this.cfg.lang);
    if (!fit) return;
    const items = this.items(fit);
    const figure = document.createElement("div");
    figure.className = "kg-view kg-timeline";
    figure.setAttribute("role", "group");
    figure.setAttribute("aria-label",
      this.cfg.words.timeline_described.replace("{n}", items.length));
    this.yasr.resultsEl.append(figure);
    await Promise.all([
      loadStyle(this.cfg.vendor["vis-timeline.min.css"]),
      loadScript(this.cfg.vendor["vis-timeline.min.js"]),
    ]);
    const vis = window.vis;
    this.timeline = new vis.Timeline(figure, new vis.DataSet(items), {
      stack: true,
      zoomKey: "ctrlKey",
      margin: { item: 8 },
      orientation: { axis: "both" },
      locale: this.cfg.lang,
    });
  }

  items(fit) {
    const rows = this.yasr.results.getBindings();
    const items = [];
    rows.forEach((row, index) => {
      const start = when(row[fit.start.name]);
      if (!start) return;
      const end = fit.end ? when(row[fit.end.name], true) : null;
      items.push({
        id: index,
        start,
        ...(end && end > start ? { end, type: "range" } : { type: "box" }),
        content: this.content(row, fit),
        title: row[fit.start.name].value,
      });
    });
    return items;
  }

  // The item's text: its label (else the IRI's short name), linking to its page
  content(row, fit) {
    const iri = fit.link && row[fit.link.name] ? row[fit.link.name].value : "";
    const label = fit.label && row[fit.label.name] ? row[fit.label.name].value
      : iri ? shortName(iri, this.cfg.prefixes) : row[fit.start.name].value;
    const text = escape(label);
    return iri ? `<a href="${escape(pageOf(iri, this.cfg.base))}" title="${escape(iri)}">${text}</a>`
      : text;
  }

  destroy() {
    this.timeline?.destroy();
    this.timeline = null;
  }
}

// A date, dateTime, gYear or year number as a Date (a year's end when it ends a range)
function when(term, isEnd = false) {
  if (!term) return null;
  const year = /^-?\d{4}$/.exec(term.value);
  if (year) return isEnd ? new Date(Number(year[0]), 11, 31) : new Date(Number(year[0]), 0, 1);
  const date = new Date(term.value);
  return Number.isNaN(date.getTime()) ? null : date;
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
