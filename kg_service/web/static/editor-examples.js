// The examples browser: the server's list of example queries (grouped by topic, in the page's
// language) becomes a panel behind the "Examples" button, with a search box. Picking an
// example opens it in the current tab and runs it, on the view it is best seen in.

export class ExamplesBrowser {
  constructor({ yasgui, cfg }) {
    this.yasgui = yasgui;
    this.words = cfg.words;
    this.byId = new Map(cfg.examples.map((e) => [e.id, e]));
    this.panel = document.getElementById("examples-list");
    this.toggle = document.getElementById("examples-toggle");
    this.filter = document.getElementById("examples-filter");
    this.count = document.getElementById("examples-count");
    this.current = document.getElementById("current-example");
    if (!this.panel || !this.toggle) return;
    this.items = [...this.panel.querySelectorAll("li[data-example]")];
    this.index = new Map(this.items.map((li) => [li, searchable(this.byId.get(li.dataset.example))]));
    this.mount();
  }

  mount() {
    // the panel opens under the button, above the editor
    document.getElementById("editor-tools").after(this.panel);
    this.panel.classList.add("examples-panel");
    this.panel.hidden = true;
    this.panel.querySelector(".examples-search").hidden = false;
    this.toggle.addEventListener("click", () => this.show(this.panel.hidden));
    this.filter.addEventListener("input", () => this.search(this.filter.value));
    this.panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        this.show(false);
        this.toggle.focus();
      }
    });
    this.panel.querySelectorAll("a[data-example]").forEach((link) => {
      link.addEventListener("click", (event) => {
        event.preventDefault();
        this.open(link.dataset.example);
      });
    });
    this.search("");
    window.addEventListener("hashchange", () => this.openFromHash(window.location.hash));
  }

  show(open) {
    this.panel.hidden = !open;
    this.toggle.setAttribute("aria-expanded", String(open));
    if (open) this.filter.focus();
  }

  search(text) {
    const words = fold(text).split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const li of this.items) {
      const hit = words.every((w) => this.index.get(li).includes(w));
      li.hidden = !hit;
      shown += hit ? 1 : 0;
    }
    this.panel.querySelectorAll(".example-topic").forEach((topic) => {
      topic.hidden = !topic.querySelector("li:not([hidden])");
    });
    this.count.textContent = shown === 0 ? this.words.examples_none
      : shown === 1 ? this.words.examples_one
        : this.words.examples_count.replace("{n}", shown);
  }

  // The example in the current tab: its query, its name, the view it is best seen in; it
  // runs at once (every example is quick), so the answer on the screen is its own.
  open(id) {
    const example = this.byId.get(id);
    if (!example) return;
    const tab = this.yasgui.getTab();
    const yasr = tab.getYasr();
    clearResults(yasr);
    tab.setQuery(example.query);
    tab.setName(example.title);
    yasr.selectPlugin(example.view || "table");
    this.describe(example);
    this.show(false);
    tab.getYasqe().focus();
    tab.query().catch(() => {}); // a failure is shown by YASR's error view
  }

  describe(example) {
    if (!this.current) return;
    this.current.querySelector(".current-title").textContent = example.title;
    this.current.querySelector(".current-comment").textContent = example.comment;
    this.current.hidden = false;
  }

  // "#examples-list" (the landing page's link) opens the browser; "#example=ID" an example;
  // a permalink ("#query=…") of an example's query is named and described as that example
  openFromHash(hash) {
    if (hash === "#examples-list") this.show(true);
    const params = new URLSearchParams(hash.slice(1));
    const wanted = params.get("example");
    if (wanted) this.open(wanted);
    else if (params.get("query")) this.recognise(params.get("query"));
  }

  recognise(query) {
    const example = [...this.byId.values()].find((e) => e.query.trim() === query.trim());
    if (!example) return;
    this.yasgui.getTab().setName(example.title);
    this.describe(example);
  }
}

// The previous query's answer goes: the example's own replaces it
function clearResults(yasr) {
  yasr.results = undefined;
  yasr.resultsEl.replaceChildren();
}

// Case and accents do not matter when searching ("societe" finds "Société")
function fold(text) {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

function searchable(example) {
  return fold([example.title, example.comment, ...example.keywords].join(" "));
}
