// Which result fits which view: the shape of a SELECT's columns (labels, numbers, dates,
// IRIs) and of a CONSTRUCT/DESCRIBE graph. Each view offers itself only when its fit is found.

const XSD = "http://www.w3.org/2001/XMLSchema#";
const NUMBERS = new Set(
  ["integer", "decimal", "double", "float", "int", "long", "short", "byte", "nonNegativeInteger",
    "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong",
    "unsignedShort", "unsignedByte"].map((name) => XSD + name),
);
const DATES = new Set(["date", "dateTime", "gYear", "gYearMonth"].map((name) => XSD + name));
// a number column with one of these names orders rows, it measures nothing
const ORDINAL = /(position|rank|order|index|level|slide|year)$/i;
const YEAR = /year$|jaar$|ann[ée]e$/i;
const LABEL_NAMES = /(^|_)(label|title|name|titre|naam)(_|$)/i;
export const MAX_ROWS = 1000;

// The kind of each column: "iri", "number", "date", "text" (a literal), or "mixed"
export function columns(results) {
  const names = results.getVariables();
  const rows = results.getBindings();
  return names.map((name) => ({ name, kind: kindOf(name, rows), lang: langOf(name, rows) }));
}

function kindOf(name, rows) {
  const kinds = new Set();
  for (const row of rows) {
    const term = row[name];
    if (term) kinds.add(termKind(name, term));
    if (kinds.size > 1) return "mixed";
  }
  return kinds.values().next().value || "empty";
}

function termKind(name, term) {
  if (term.type === "uri") return "iri";
  if (term.type === "bnode") return "bnode";
  if (DATES.has(term.datatype)) return "date";
  if (NUMBERS.has(term.datatype)) {
    return YEAR.test(name) && /^\d{4}$/.test(term.value) ? "date" : "number";
  }
  return "text";
}

function langOf(name, rows) {
  const row = rows.find((r) => r[name]);
  return row ? row[name]["xml:lang"] || "" : "";
}

// An ASK answer has a head without "vars" and no bindings: YASR gives undefined and null
function isSelect(results) {
  if (!results || results.getError() || results.getType() !== "json") return false;
  const rows = results.getBindings() || [];
  return (results.getVariables() || []).length > 0 && rows.length > 0 && rows.length <= MAX_ROWS;
}

// The text column to name things by: one in the page's language, a label-like name, any.
// With ``near``, only the columns named after that one ("?parent" → "?parent_en").
export function labelColumn(cols, lang, near = "") {
  const texts = cols.filter((c) => c.kind === "text");
  if (near) {
    const named = texts.filter((c) => c.name.startsWith(near + "_") || c.name === near + "Label");
    return named.find((c) => c.lang === lang) || named[0] || null;
  }
  return texts.find((c) => c.lang === lang && LABEL_NAMES.test(c.name))
    || texts.find((c) => c.lang === lang) || texts.find((c) => LABEL_NAMES.test(c.name))
    || texts[0] || null;
}

// A chart: a label (text or IRI) column and at least one measuring number column
export function chartFit(results, lang) {
  if (!isSelect(results)) return null;
  const cols = columns(results);
  const values = cols.filter((c) => c.kind === "number" && !ORDINAL.test(c.name));
  const label = labelColumn(cols, lang) || cols.find((c) => c.kind === "iri");
  if (!values.length || !label) return null;
  const labels = cols.filter((c) => c.kind === "text" || c.kind === "iri");
  return { label, values, labels };
}

// A timeline: a date or year column; a second one named like an end makes ranges
export function timelineFit(results, lang) {
  if (!isSelect(results)) return null;
  const cols = columns(results);
  const dates = cols.filter((c) => c.kind === "date");
  if (!dates.length) return null;
  const start = dates.find((c) => !/end/i.test(c.name)) || dates[0];
  const end = dates.find((c) => c !== start && /end/i.test(c.name)) || null;
  const link = cols.find((c) => c.kind === "iri") || null;
  const label = (link && labelColumn(cols, lang, link.name)) || labelColumn(cols, lang);
  return { start, end, label, link, dates };
}

// A graph: a CONSTRUCT/DESCRIBE answer, or a SELECT with two IRI columns
export function graphFit(results, lang) {
  if (!results || results.getError()) return null;
  if (results.getType() === "ttl") {
    const statements = safeStatements(results);
    return statements.length ? { statements } : null;
  }
  if (!isSelect(results)) return null;
  const cols = columns(results);
  const iris = cols.filter((c) => c.kind === "iri");
  if (iris.length < 2) return null;
  const [source, target] = iris;
  const labels = {
    [source.name]: labelColumn(cols, lang, source.name) || labelByPosition(cols, lang, source),
    [target.name]: labelColumn(cols, lang, target.name),
  };
  return { source, target, labels };
}

// the first IRI column is usually named by the bare "label_xx" columns
function labelByPosition(cols, lang, first) {
  return first === cols.find((c) => c.kind === "iri") ? labelColumn(cols, lang) : null;
}

function safeStatements(results) {
  try {
    return results.getStatements() || [];
  } catch {
    return [];
  }
}

// A term's text for people: the literal, or the IRI's prefixed or local name
export function shortName(iri, prefixes) {
  let best = "";
  for (const [prefix, namespace] of Object.entries(prefixes)) {
    if (iri.startsWith(namespace) && namespace.length > (prefixes[best] || "").length) best = prefix;
  }
  if (best && iri.length > prefixes[best].length) return best + ":" + iri.slice(prefixes[best].length);
  return iri.replace(/^.*[/#](?=[^/#]+$)/, "");
}

// Where a person reads about an IRI: this server's page for ours, the IRI itself otherwise
export function pageOf(iri, base) {
  const path = iri.startsWith(base) ? iri.slice(base.length) : "";
  return /^(id|def)\//.test(path) ? "/" + path : iri;
}
