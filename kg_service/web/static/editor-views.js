// The result views beyond YASR's table, registered as YASR plugins: a chart, a timeline and a
// graph. Each offers itself only when the result fits it (editor-fit.js).
import { ChartView } from "./editor-chart.js";
import { TimelineView } from "./editor-timeline.js";
import { GraphView } from "./editor-graph.js";

const VIEWS = { chart: ChartView, timeline: TimelineView, graph: GraphView };

export function registerViews(Yasr, cfg) {
  for (const [name, View] of Object.entries(VIEWS)) {
    // YASR makes one view per result area with `new View(yasr)`: give it our settings too
    Yasr.registerPlugin(name, class extends View {
      constructor(yasr) {
        super(yasr, cfg);
      }
    });
  }
}

// YASR names its built-in views in English; a view button reads "view_<name>" of the words
export function relabelViews(root, words) {
  for (const name of ["table", "response", ...Object.keys(VIEWS)]) {
    const label = words["view_" + name];
    root.querySelectorAll(".yasr_btn.select_" + name).forEach((button) => {
      button.title = label;
      button.setAttribute("aria-label", label);
      const span = button.querySelector("span");
      // only when it differs: a change of text is itself a change the page watches
      if (span && span.textContent !== label) span.textContent = label;
    });
  }
}

// A view's button shows only when the result on screen fits it
export function showFittingViews(yasr) {
  for (const name of Object.keys(VIEWS)) {
    const button = yasr.rootEl.querySelector(".yasr_btn.select_" + name);
    const fits = Boolean(yasr.results) && yasr.plugins[name]?.canHandleResults();
    if (button) button.closest("li").hidden = !fits;
  }
}
