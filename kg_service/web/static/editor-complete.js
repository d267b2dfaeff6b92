// Completion from our own data, never a remote service (YASQE's own class and property
// completers ask LOV over the internet; they stay off):
// - "kgTerms": a prefixed name or an IRI being typed (bkg:Inst, <https://…/def/Inst) is
//   completed from the ontology's terms and the classes and properties the data uses
//   (/editor/terms.json), with their labels in the page's language; classes first after
//   "a", properties first where a predicate goes;
// - "kgResources": words typed where a term goes (Benelux Parl…), or id:…, are looked up by
//   label through the search API (/search, in the page's language) and replaced by the IRI.
// Prefixes (ours and the common ones) are YASQE's own completer, fed from our origin.

const SEARCH_LIMIT = 10;
const TERMS_LIMIT = 40;
const KEYWORD_WORDS = new Set(("select where filter optional union minus graph service bind "
  + "values construct describe ask prefix base from named order group by having limit offset "
  + "distinct reduced as not exists in true false a").split(" "));
// letters (any script), digits, and the joiners of names ("Rhénanie-du-Nord", "l'Union")
const RUN = /(?:^|[\s{}().;,])((?:[\p{L}\p{N}][\p{L}\p{N}'’-]*[ \t]+)*[\p{L}][\p{L}\p{N}'’-]*)$/u;

export function installCompletion(Yasqe, cfg) {
  const terms = new Terms(cfg);
  Yasqe.forkAutocompleter("class", termsCompleter(terms, cfg), false);
  Yasqe.registerAutocompleter(resourcesCompleter(cfg, Object.keys(cfg.prefixes), terms), false);
  for (const name of ["kgTerms", "kgResources"]) {
    Yasqe.defaults.autocompleters.push(name);
    window.Yasgui.defaults.yasqe.autocompleters.push(name);
  }
}

// --- classes and properties ------------------------------------------------------------------

class Terms {
  constructor(cfg) {
    this.prefixes = cfg.prefixes;
    this.list = null;
    this.loading = fetch(`/editor/terms.json?lang=${cfg.lang}`)
      .then((r) => (r.ok ? r.json() : { terms: [] }))
      .then((body) => { this.list = body.terms.map((t) => ({ ...t, words: fold(t.label) })); })
      .catch(() => { this.list = []; });
  }

  // The terms whose IRI starts with what is typed, or whose label has a word starting with
  // its local part ("bkg:parl" → bkg:Parliament… and "Benelux Parliament"'s class)
  async matching(typed, expect) {
    await this.loading;
    const iri = this.expand(typed);
    const namespace = iri.slice(0, Math.max(iri.lastIndexOf("/"), iri.lastIndexOf("#")) + 1);
    const local = fold(iri.slice(namespace.length));
    const hits = this.list.filter((t) => t.iri.startsWith(namespace) && (
      fold(t.iri.slice(namespace.length)).startsWith(local)
      || t.words.split(" ").some((w) => w.startsWith(local))));
    hits.sort((a, b) => (b.kind === expect) - (a.kind === expect) || b.uses - a.uses);
    return hits.slice(0, TERMS_LIMIT);
  }

  // A class's label in the page's language, once the terms are in ("" until then)
  labelOf(iri) {
    return this.list?.find((t) => t.iri === iri)?.label || "";
  }

  // bkg:Inst → https://w3id.org/benelux-kg/def/Inst (YASQE expands declared prefixes itself)
  expand(typed) {
    const text = typed.replace(/^</, "");
    const colon = text.indexOf(":");
    if (/^[a-z][\w+.-]*:\/\//i.test(text) || colon < 0) return text;
    const namespace = this.prefixes[text.slice(0, colon)];
    return namespace ? namespace + text.slice(colon + 1) : text;
  }
}

function termsCompleter(terms, cfg) {
  let shown = [];
  return {
    name: "kgTerms",
    bulk: false,
    autoShow: true,
    isValidCompletionPosition: (yasqe) => termPosition(yasqe) !== null,
    get: async (yasqe, token) => {
      const typed = token.autocompletionString || token.string;
      shown = await terms.matching(typed, termPosition(yasqe));
      return shown.map((t) => t.iri);
    },
    postprocessHints: (yasqe, hints) => hints.map((hint, i) => ({
      ...hint, displayText: describeTerm(hint.text, shown[i], cfg.words),
    })),
  };
}

// null where no term goes; else the kind of term expected there ("class", "property", "")
function termPosition(yasqe) {
  const token = yasqe.getCompleteToken();
  const text = token.string;
  if (!/^(<|[A-Za-z_][\w.-]*:|:)/.test(text) || /^id:/.test(text)) return null;
  const cursor = yasqe.getDoc().getCursor();
  const previous = yasqe.getPreviousNonWsToken(cursor.line, token);
  if (previous && /^prefix$/i.test(previous.string)) return null; // the prefix completer's
  const last = previous && previous.state && previous.state.lastProperty;
  if (last === "a" || last === "rdf:type") return "class";
  const possible = token.state && token.state.possibleCurrent;
  return possible && possible.indexOf("a") >= 0 ? "property" : "";
}

function describeTerm(text, term, words) {
  if (!term) return text;
  const parts = [text];
  if (term.label) parts.push(`— ${term.label}`);
  parts.push(`(${words[term.kind]}${term.uses ? ", " + words.uses.replace("{n}", term.uses) : ""})`);
  return parts.join(" ");
}

// --- resources by label --------------------------------------------------------------------

function resourcesCompleter(cfg, prefixes, terms) {
  let shown = [];
  let pending = null;
  return {
    name: "kgResources",
    bulk: false,
    autoShow: true,
    isValidCompletionPosition: (yasqe) => labelRun(yasqe, prefixes) !== null,
    preProcessToken: (yasqe, token) => {
      const run = labelRun(yasqe, prefixes);
      const line = yasqe.getDoc().getCursor().line;
      if (!run) return { ...token, autocompletionString: "" }; // typed on into something else
      return { ...token, string: run.text, autocompletionString: run.search,
        from: { line, ch: run.start }, to: { line, ch: run.end } };
    },
    get: async (yasqe, token) => {
      if (!token.autocompletionString) return [];
      pending?.abort();
      pending = new AbortController();
      const params = new URLSearchParams({ q: token.autocompletionString, lang: cfg.lang,
        limit: String(SEARCH_LIMIT) });
      try {
        const response = await fetch(`/search?${params}`, { signal: pending.signal });
        const body = response.ok ? await response.json() : { results: [] };
        // resources of the graph, not ontology terms: those are kgTerms'
        shown = body.results.filter((r) => r.id.startsWith(cfg.base + "id/"));
      } catch {
        shown = [];
      }
      return shown.map((r) => r.id);
    },
    postProcessSuggestion: (yasqe, token, iri) => `<${iri}>`,
    postprocessHints: (yasqe, hints) => hints.map((hint, i) => ({
      ...hint, displayText: describeResource(shown[i], cfg, terms),
    })),
  };
}

// What is being typed where a resource may go: a run of words (not a keyword), or id:name;
// null anywhere else (a string, a comment, a variable, outside the query's groups)
function labelRun(yasqe, prefixes) {
  const cursor = yasqe.getDoc().getCursor();
  const token = yasqe.getTokenAt(cursor);
  if (token.type && /string|comment|variable/.test(token.type)) return null;
  const before = yasqe.getLine(cursor.line).slice(0, cursor.ch);
  const named = /(?:^|[\s{}().;,])id:([\w.%-]*)$/.exec(before);
  if (named) {
    return { text: "id:" + named[1], search: named[1].replace(/[-_/]+/g, " "),
      start: cursor.ch - named[1].length - 3, end: cursor.ch };
  }
  const run = RUN.exec(before);
  if (!run || run[1].length < 3 || !insideGroup(yasqe, cursor)) return null;
  const words = run[1].trim().split(/\s+/);
  if (KEYWORD_WORDS.has(words[0].toLowerCase()) || isKeywordStart(words)) return null;
  if (words.length === 1 && prefixes.some((p) => p.startsWith(words[0]))) return null; // bkg…:
  return { text: run[1], search: run[1], start: cursor.ch - run[1].length, end: cursor.ch };
}

// a single word that begins a keyword ("OPT", "Filt") is the keyword being typed
function isKeywordStart(words) {
  if (words.length > 1) return false;
  const word = words[0].toLowerCase();
  return [...KEYWORD_WORDS].some((k) => k.length > 2 && k.startsWith(word));
}

function insideGroup(yasqe, cursor) {
  const text = yasqe.getRange({ line: 0, ch: 0 }, cursor);
  return (text.match(/{/g) || []).length > (text.match(/}/g) || []).length;
}

// "Beneluxparlement · instelling — <…>": the kind in the page's language where it is known
function describeResource(result, cfg, terms) {
  if (!result) return "";
  const type = result.types.find((t) => t.startsWith(cfg.base)) || result.types[0] || "";
  const kind = type ? " · " + (terms.labelOf(type) || type.replace(/^.*[/#]/, "")) : "";
  return `${result.label}${kind} — <${result.id}>`;
}

// case and accents aside
function fold(text) {
  return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}
