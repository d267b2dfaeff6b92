// The graph view (Cytoscape.js): the nodes and links of a CONSTRUCT or DESCRIBE answer, or of
// a SELECT's two IRI columns (row by row: the first column → the second). Nodes are named by
// their labels in the page's language and open their page; the same nodes and links follow
// as a list of links, for the keyboard and for screen readers.
import { graphFit, pageOf, shortName } from "./editor-fit.js";
import { loadScript } from "./editor-vendor.js";

const RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const LABELS = [
  "http://www.w3.org/2004/02/skos/core#prefLabel",
  "http://www.w3.org/2000/01/rdf-schema#label",
];
const MAX_EDGES = 600;
const ICON = '<svg viewBox="0 0 16 16" aria-hidden="true" focusable="false" width="16" height="16">'
  + '<path d="M3 1a2 2 0 1 1 0 4 2 2 0 0 1 0-4zm10 4a2 2 0 1 1 0 4 2 2 0 0 1 0-4zM5 11a2 2 0 1 1 '
  + '0 4 2 2 0 0 1 0-4zM4.5 4.3l7 2.2-.3 1-7-2.2zM6.3 11.4l5.1-3.2.6.8-5.1 3.2z"/></svg>';
const TEXT_WIDTH = 150;
const STYLE = [
  { selector: "node", style: {
    label: "data(label)", "background-color": "#dbe7f5", "border-color": "#0b5cad",
    "border-width": 1, color: "#1d2330", "font-size": 13, "text-wrap": "wrap",
    "text-max-width": TEXT_WIDTH, "text-valign": "center", shape: "round-rectangle",
    width: (node) => boxOf(node).width, height: (node) => boxOf(node).height } },
  { selector: "edge", style: {
    width: 1.2, "line-color": "#5b6475", "target-arrow-color": "#5b6475",
    "target-arrow-shape": "triangle", "curve-style": "bezier", label: "data(label)",
    "font-size": 9, color: "#5b6475", "text-rotation": "autorotate",
    "text-background-color": "#fff", "text-background-opacity": 1 } },
];

export class GraphView {
  constructor(yasr, cfg) {
    this.yasr = yasr;
    this.cfg = cfg;
    this.label = cfg.words.view_graph;
    this.priority = 4;
  }

  canHandleResults() {
    return graphFit(this.yasr.results, this.cfg.lang) !== null;
  }

  getIcon() {
    const icon = document.createElement("span");
    icon.innerHTML = ICON;
    return icon.firstChild;
  }

  async draw() {
    const fit = graphFit(this.yasr.results, this.cfg.lang);
    if (!fit) return;
    const graph = fit.statements ? this.fromStatements(fit.statements) : this.fromRows(fit);
    const root = document.createElement("div");
    root.className = "kg-view kg-graph";
    const figure = document.createElement("div");
    figure.className = "kg-graph-figure";
    figure.setAttribute("role", "img");
    figure.setAttribute("aria-label", this.cfg.words.graph_described
      .replace("{nodes}", graph.nodes.size).replace("{edges}", graph.edges.length));
    root.append(figure, this.list(graph));
    this.yasr.resultsEl.append(root);
    await loadScript(this.cfg.vendor["cytoscape.min.js"]);
    this.render(figure, graph);
  }

  // CONSTRUCT/DESCRIBE: links between resources; labels name the nodes; types and other
  // literals stay out of the picture (the table and the raw response have them)
  fromStatements(statements) {
    const graph = newGraph();
    const labels = new Map();
    for (const q of statements) {
      const s = q.subject.value;
      const p = q.predicate.value;
      if (q.object.termType === "Literal") {
        if (LABELS.includes(p)) keepLabel(labels, s, q.object, this.cfg.lang);
        continue;
      }
      if (p === RDF_TYPE || graph.edges.length >= MAX_EDGES) continue;
      this.link(graph, s, p, q.object.value);
    }
    for (const [iri, node] of graph.nodes) node.label = labels.get(iri)?.value || node.label;
    graph.edges = withoutInverses(graph.edges);
    return graph;
  }

  // SELECT: the first IRI column → the second, named after its column
  fromRows(fit) {
    const graph = newGraph();
    for (const row of this.yasr.results.getBindings()) {
      const from = row[fit.source.name];
      const to = row[fit.target.name];
      if (!from || !to || graph.edges.length >= MAX_EDGES) continue;
      this.link(graph, from.value, fit.target.name, to.value);
      nameNode(graph, from.value, row[fit.labels[fit.source.name]?.name]);
      nameNode(graph, to.value, row[fit.labels[fit.target.name]?.name]);
    }
    return graph;
  }

  link(graph, from, predicate, to) {
    for (const iri of [from, to]) {
      if (!graph.nodes.has(iri)) {
        graph.nodes.set(iri, { iri, label: shortName(iri, this.cfg.prefixes) });
      }
    }
    const label = predicate.includes(":") ? shortName(predicate, this.cfg.prefixes) : predicate;
    graph.edges.push({ from, to, label });
  }

  render(figure, graph) {
    const hierarchy = graph.edges.every((e) => e.label === graph.edges[0]?.label);
    this.cy = window.cytoscape({
      container: figure,
      elements: [
        ...[...graph.nodes.values()].map((n) => ({ data: { id: n.iri, label: n.label } })),
        ...graph.edges.map((e, i) => ({
          data: { id: "e" + i, source: e.from, target: e.to, label: e.label } })),
      ],
      style: STYLE,
      layout: hierarchy
        ? { name: "breadthfirst", directed: false, spacingFactor: 1.1, roots: roots(graph) }
        : { name: "cose", animate: false, nodeRepulsion: () => 9000, idealEdgeLength: () => 90 },
    });
    // a node opens its page in a new tab, as the table's links do
    this.cy.on("tap", "node", (event) => {
      window.open(pageOf(event.target.id(), this.cfg.base), "_blank", "noopener");
    });
  }

  list(graph) {
    const details = document.createElement("details");
    details.className = "kg-graph-list";
    const summary = document.createElement("summary");
    summary.textContent = this.cfg.words.graph_list;
    const items = document.createElement("ul");
    for (const edge of graph.edges) {
      const li = document.createElement("li");
      li.append(this.anchor(graph.nodes.get(edge.from)), ` — ${edge.label} → `,
        this.anchor(graph.nodes.get(edge.to)));
      items.append(li);
    }
    details.append(summary, items);
    return details;
  }

  anchor(node) {
    const a = document.createElement("a");
    a.href = pageOf(node.iri, this.cfg.base);
    a.title = node.iri;
    a.textContent = node.label;
    return a;
  }

  destroy() {
    this.cy?.destroy();
    this.cy = null;
  }
}

function newGraph() {
  return { nodes: new Map(), edges: [] };
}

function nameNode(graph, iri, term) {
  if (term && graph.nodes.has(iri)) graph.nodes.get(iri).label = term.value;
}

// A label in the page's language wins over English, which wins over any other
function keepLabel(labels, iri, literal, lang) {
  const rank = (l) => (l.language === lang ? 0 : l.language === "en" ? 1 : 2);
  const known = labels.get(iri);
  if (!known || rank(literal) < rank(known)) labels.set(iri, literal);
}

// A node's box around its wrapped label (about 7 px a character at 13 px)
function boxOf(node) {
  const chars = String(node.data("label")).length * 7;
  const lines = Math.ceil(chars / TEXT_WIDTH);
  return { width: Math.min(chars, TEXT_WIDTH) + 16, height: lines * 17 + 12 };
}

// Of two links that say the same thing both ways (skos:broader and skos:narrower), one
function withoutInverses(edges) {
  const seen = new Map();
  for (const e of edges) seen.set(`${e.from} ${e.to}`, e.label);
  const kept = [];
  for (const e of edges) {
    const back = seen.get(`${e.to} ${e.from}`);
    const dropped = back !== undefined && back !== e.label && e.label > back;
    if (!dropped) kept.push(e);
  }
  return kept;
}

// In a hierarchy drawn child → parent, the roots are the nodes nothing points from
function roots(graph) {
  const sources = new Set(graph.edges.map((e) => e.from));
  const top = [...graph.nodes.keys()].filter((iri) => !sources.has(iri));
  return top.length ? top : undefined;
}
