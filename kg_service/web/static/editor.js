// The query editor: YASGUI pointed at our endpoint, with the examples browser, the result
// views, the live syntax check, sharing and completion. Everything it loads comes from our
// own origin; without JavaScript the page stays a plain form (see query.html).
import { ExamplesBrowser } from "./editor-examples.js";
import { registerViews, relabelViews, showFittingViews } from "./editor-views.js";
import { SyntaxCheck } from "./editor-syntax.js";
import { SharePanel } from "./editor-share.js";
import { installCompletion } from "./editor-complete.js";
import { addTabButton, fixMarkup } from "./editor-a11y.js";
import { configureWords, translateMarkup } from "./editor-words.js";

const host = document.getElementById("yasgui");
if (host && window.Yasgui) {
  start(JSON.parse(document.getElementById("kg-config").textContent));
}

function start(cfg) {
  const Yasgui = window.Yasgui;
  const endpoint = new URL(cfg.endpoint, window.location.href).href;
  const startHash = window.location.hash; // YASGUI empties the hash when it reads a permalink
  configureYasqe(Yasgui, cfg);
  configureWords(Yasgui, cfg);
  registerViews(Yasgui.Yasr, cfg);
  installCompletion(Yasgui.Yasqe, cfg);
  const yasgui = new Yasgui(host, yasguiConfig(cfg, endpoint));
  const context = { yasgui, cfg, endpoint };
  const examples = new ExamplesBrowser(context);
  const share = new SharePanel(context);
  follow(yasgui, new SyntaxCheck(context), share);
  watchMarkup(host, cfg);
  addTabButton(yasgui, cfg.words);
  examples.openFromHash(startHash);

  document.getElementById("plain-query").hidden = true;
  document.getElementById("editor-tools").hidden = false;
  document.documentElement.classList.add("has-yasgui");
  window.beneluxKg = { yasgui, endpoint, examples, share };
}

function yasguiConfig(cfg, endpoint) {
  return {
    requestConfig: { endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: () => [{ endpoint }] },
    persistenceId: cfg.persistenceId,
    // contenteditable: the query is text of the page (screen readers; the keyboard reaches
    // its scrolled region); the editor grows with its query, every line in view
    yasqe: {
      value: cfg.defaultQuery,
      collapsePrefixesOnLoad: true,
      inputStyle: "contenteditable",
      screenReaderLabel: cfg.words.query_text,
      editorHeight: "auto",
      viewportMargin: Infinity,
    },
    yasr: {
      prefixes: cfg.prefixes,
      pluginOrder: ["table", "chart", "timeline", "graph", "response"],
      defaultPlugin: "table",
    },
  };
}

// What follows the current tab (its views' buttons, the syntax check, the share panel) is
// refreshed a moment after anything changed; each tab's editor and results are watched from
// the first time they are current (YASGUI makes them when a tab shows).
function follow(yasgui, syntax, share) {
  const watched = new WeakSet();
  let timer;
  const later = (ms = 300) => {
    clearTimeout(timer);
    timer = setTimeout(refresh, ms);
  };
  const refresh = () => {
    const tab = yasgui.getTab();
    if (!watched.has(tab)) {
      watched.add(tab);
      tab.getYasqe().on("change", () => later());
      tab.getYasr().on("change", () => later(0));
      tab.getYasr().on("drawn", () => later(0));
    }
    showFittingViews(tab.getYasr());
    syntax.check();
    share.update();
  };
  yasgui.on("tabSelect", () => later(0));
  yasgui.on("tabAdd", () => later(0));
  yasgui.on("tabChange", () => later());
  refresh();
}

function configureYasqe(Yasgui, cfg) {
  // Only local autocompleters: YASQE's "class" and "property" ask a remote vocabulary
  // service (LOV); ours (editor-complete.js) read our own data. The prefix list comes from
  // our origin instead of prefix.cc.
  const completers = ["prefixes", "variables"];
  Yasgui.Yasqe.defaults.autocompleters = completers.slice();
  Yasgui.defaults.yasqe.autocompleters = completers.slice();
  Yasgui.Yasqe.defaults.prefixCcApi = new URL(cfg.prefixesUrl, window.location.href).href;
  Yasgui.defaults.yasqe.prefixCcApi = Yasgui.Yasqe.defaults.prefixCcApi;
  // YASQE's own check shows its grammar's token lists; ours (editor-syntax.js) says the
  // mistake in words, from the same function as the endpoint's error messages
  Yasgui.Yasqe.defaults.syntaxErrorCheck = false;
  Yasgui.defaults.yasqe.syntaxErrorCheck = false;
}

// IRIs of this graph in results link to this server's pages, not to the public IRI's host;
// what YASGUI draws later (a new tab's parts) gets our accessibility fixes too
function watchMarkup(root, cfg) {
  const { base, words, lang } = cfg;
  const localise = () => {
    root.querySelectorAll('.yasr a[href^="' + base + '"]').forEach((a) => {
      const path = a.getAttribute("href").slice(base.length);
      if (/^(id|def)\//.test(path)) {
        a.title = a.getAttribute("href");
        a.setAttribute("href", "/" + path);
      }
    });
  };
  const fix = () => {
    localise();
    fixMarkup(root, words);
    translateMarkup(root, words, lang);
    labelTabs(root, words);
  };
  // class changes too: YASR greys a view's button by its class alone, after drawing
  const watched = { childList: true, subtree: true, attributes: true, attributeFilter: ["class"] };
  new MutationObserver(fix).observe(root, watched);
  fix();
}

// Tab names are cut by the stylesheet; the whole name shows on hover. YASR's own view names
// are English: they are given in the page's language here.
function labelTabs(root, words) {
  root.querySelectorAll(".tabsList .tab a > span").forEach((span) => {
    span.parentNode.title = span.textContent;
  });
  relabelViews(root, words);
}
