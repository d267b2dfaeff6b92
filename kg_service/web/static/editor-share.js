// Share and reuse the query of the current tab: a permalink (query, view and page language;
// the same links the plain /query page gives), downloads of its result as CSV, TSV and JSON
// (Turtle, N-Triples and JSON-LD for a graph), and ready-to-run snippets for curl, Python
// (httpx, SPARQLWrapper) and R (httr2).

const RESULT_DOWNLOADS = [["CSV", "csv"], ["TSV", "tsv"], ["JSON", "json"]];
const GRAPH_DOWNLOADS = [["Turtle", "turtle"], ["N-Triples", "ntriples"], ["JSON-LD", "jsonld"]];

// What encodeURIComponent leaves as it is; Python's urllib.parse.quote is told the same
export function permalink(origin, query, view, lang) {
  return `${origin}/sparql?lang=${lang}#query=${encodeURIComponent(query)}`
    + `&outputFormat=${encodeURIComponent(view)}`;
}

export class SharePanel {
  constructor({ yasgui, cfg, endpoint }) {
    this.yasgui = yasgui;
    this.cfg = cfg;
    this.endpoint = endpoint;
    this.panel = document.getElementById("share");
    this.field = document.getElementById("permalink");
    this.opener = document.getElementById("permalink-open");
    this.downloads = document.getElementById("downloads");
    this.snippets = document.getElementById("snippet-list");
    document.getElementById("permalink-copy").addEventListener("click", () => this.copy());
    this.field.addEventListener("focus", () => this.field.select());
    this.panel.hidden = false;
  }

  // The links and snippets of the current tab (editor.js calls this when it changes)
  update() {
    const tab = this.yasgui.getTab();
    const query = tab.getQuery();
    const view = tab.getYasr().getSelectedPluginName() || "table";
    const link = permalink(window.location.origin, query, view, this.cfg.lang);
    this.field.value = link;
    this.opener.href = link;
    const graph = /^(CONSTRUCT|DESCRIBE)$/.test(tab.getYasqe().getQueryType());
    this.showDownloads(query, graph ? GRAPH_DOWNLOADS : RESULT_DOWNLOADS);
    this.showSnippets(query, tab.getYasqe().getQueryType());
  }

  async copy() {
    const said = document.getElementById("permalink-copied");
    try {
      await navigator.clipboard.writeText(this.field.value);
      said.textContent = this.cfg.words.copied;
    } catch {
      this.field.focus(); // no clipboard here: the link is selected, ready to copy
    }
  }

  showDownloads(query, formats) {
    this.downloads.replaceChildren(...formats.map(([name, format]) => {
      const a = document.createElement("a");
      a.href = `${this.endpoint}?${new URLSearchParams({ query, format })}`;
      a.download = `results.${format === "turtle" ? "ttl" : format === "ntriples" ? "nt" : format}`;
      a.textContent = name;
      return a;
    }));
  }

  showSnippets(query, form) {
    const parts = [];
    for (const [title, code] of snippets(this.endpoint, query, form)) {
      const heading = document.createElement("h3");
      heading.textContent = title;
      const pre = document.createElement("pre");
      // wider than a phone, it scrolls sideways: the keyboard reaches it, by its name
      pre.tabIndex = 0;
      pre.setAttribute("role", "region");
      pre.setAttribute("aria-label", title);
      const element = document.createElement("code");
      element.textContent = code;
      pre.append(element);
      const button = document.createElement("button");
      button.type = "button";
      button.className = "tool";
      button.textContent = `${this.cfg.words.copy_text} (${title})`;
      button.addEventListener("click", () => navigator.clipboard?.writeText(code));
      parts.push(heading, pre, button);
    }
    this.snippets.replaceChildren(...parts);
  }
}

// --- the snippets: the query as it is, the answer in the form each tool reads best ------

export function snippets(endpoint, query, form) {
  const kind = form === "ASK" ? "ask" : /^(CONSTRUCT|DESCRIBE)$/.test(form) ? "graph" : "rows";
  return [
    ["curl", curl(endpoint, query, kind)],
    ["Python (httpx)", httpx(endpoint, query, kind)],
    ["Python (SPARQLWrapper)", sparqlWrapper(endpoint, query, kind)],
    ["R (httr2)", r(endpoint, query, kind)],
  ];
}

const ACCEPT = {
  rows: "text/csv", ask: "application/sparql-results+json", graph: "text/turtle",
};
const PYTHON_ACCEPT = { ...ACCEPT, rows: "application/sparql-results+json" };

function curl(endpoint, query, kind) {
  let end = "SPARQL";
  while (query.split("\n").includes(end)) end += "_END";
  return `curl -H 'Accept: ${ACCEPT[kind]}' --data-urlencode 'query@-' '${endpoint}' <<'${end}'\n`
    + `${query.replace(/\n$/, "")}\n${end}\n`;
}

function pythonString(query) {
  if (!query.includes('"""') && !query.includes("\\") && !query.endsWith('"')) {
    return `"""\n${query.replace(/\n$/, "")}\n"""`;
  }
  return JSON.stringify(query); // a JSON string is a Python string literal too
}

const PYTHON_READ = {
  rows: 'for row in response.json()["results"]["bindings"]:\n'
    + '    print({name: term["value"] for name, term in row.items()})\n',
  ask: 'print(response.json()["boolean"])\n',
  graph: "print(response.text)  # Turtle\n",
};

function httpx(endpoint, query, kind) {
  return `import httpx\n\nquery = ${pythonString(query)}\n`
    + `response = httpx.post(\n    "${endpoint}",\n    data={"query": query},\n`
    + `    headers={"Accept": "${PYTHON_ACCEPT[kind]}"},\n)\nresponse.raise_for_status()\n`
    + PYTHON_READ[kind];
}

function sparqlWrapper(endpoint, query, kind) {
  const format = kind === "graph" ? "TURTLE" : "JSON";
  const read = {
    rows: 'results = sparql.queryAndConvert()\nfor row in results["results"]["bindings"]:\n'
      + '    print({name: term["value"] for name, term in row.items()})\n',
    ask: 'print(sparql.queryAndConvert()["boolean"])\n',
    graph: 'print(sparql.query().response.read().decode("utf-8"))  # Turtle\n',
  }[kind];
  return `from SPARQLWrapper import ${format}, POST, SPARQLWrapper\n\n`
    + `sparql = SPARQLWrapper("${endpoint}")\nsparql.setMethod(POST)\n`
    + `sparql.setQuery(${pythonString(query)})\nsparql.setReturnFormat(${format})\n` + read;
}

function r(endpoint, query, kind) {
  let dashes = "---";
  while (query.includes(`)${dashes}"`)) dashes += "-";
  const read = {
    rows: "results <- read.csv(text = resp_body_string(response))\nprint(results)\n",
    ask: "print(resp_body_json(response)$boolean)\n",
    graph: "cat(resp_body_string(response))  # Turtle\n",
  }[kind];
  return `library(httr2)\n\nquery <- r"${dashes}(\n${query.replace(/\n$/, "")}\n)${dashes}"\n`
    + `response <- request("${endpoint}") |>\n  req_headers(Accept = "${ACCEPT[kind]}") |>\n`
    + "  req_body_form(query = query) |>\n  req_perform()\n" + read;
}
