// YASGUI's own texts in the page's language. YASGUI writes them in English in its code: the
// table's texts (DataTables) and the first tab's name are settings, given before it starts;
// the others (the result count, the table's switches, button titles) are rewritten in the
// page each time YASGUI draws them. A text already in the page's language is left alone, so
// the rewrite does not feed the page's own watcher forever.

// DataTables' texts for YASR's table; YASR's arrows stay as they are
function tableLanguage(words) {
  return {
    info: words.table_info,
    infoEmpty: words.table_info_empty,
    infoFiltered: words.table_info_filtered,
    emptyTable: words.table_empty,
    zeroRecords: words.table_no_match,
    search: words.table_search,
    lengthMenu: "_MENU_",
    paginate: { first: "&lt;&lt;", last: "&gt;&gt;", next: "&gt;", previous: "&lt;" },
    aria: {
      paginate: {
        first: words.page_first,
        previous: words.page_previous,
        next: words.page_next,
        last: words.page_last,
      },
    },
  };
}

export function configureWords(Yasgui, cfg) {
  const table = Yasgui.Yasr.plugins.table;
  if (table) table.defaults.tableConfig.language = tableLanguage(cfg.words);
  Yasgui.defaults.tabName = cfg.words.tab_query;
}

// YASGUI's English, by the key of our words that says it in the page's language
const ENGLISH = {
  "Simple view": "simple_view",
  Ellipse: "ellipse",
  "Page size:": "page_size",
  "Show all": "show_all",
  "Download result": "download_result",
  "Download Results": "download_result",
  "Download not supported": "download_unsupported",
  "Try query in a new browser window": "try_new_window",
  "Share query": "share_query",
  "Run query": "run_query",
  "Close tab": "close_tab",
  "Clear endpoint": "clear_endpoint",
  "Filter query results": "filter_results",
};
// Where YASGUI writes those texts (elements without children: a button's icon stays)
const TEXTS = ".yasr .tableControls .label, .yasr .pageSizerLabel, .yasr .overlay_btn, " +
  ".yasr .overlay_btn span, .yasr_tryQuery";
const TITLED = "[title], [aria-label], [placeholder]";

export function translateMarkup(root, words, lang) {
  const say = (english) => words[ENGLISH[english.trim()]];
  root.querySelectorAll(TEXTS).forEach((el) => {
    if (el.children.length === 0) setText(el, "textContent", say(el.textContent));
  });
  root.querySelectorAll(TITLED).forEach((el) => {
    for (const name of ["title", "aria-label", "placeholder"]) {
      const value = el.getAttribute(name);
      const text = value && say(value);
      if (text && value !== text) el.setAttribute(name, text);
    }
  });
  root.querySelectorAll(".yasr .yasr_response_chip").forEach((chip) => {
    setText(chip, "textContent", responseInfo(chip.textContent, words, lang));
  });
}

function setText(el, property, text) {
  // only when it differs: a change of text is itself a change the page watches
  if (text && el[property] !== text) el[property] = text;
}

// "5 results in 0.021 seconds" (YASR's words) → "5 résultats en 0,021 s"; anything else, as is
export function responseInfo(text, words, lang) {
  const found = /^(?:(\d+) results?)?(?:\s*(Response)?\s*in ([\d.]+) seconds?)?$/.exec(text.trim());
  if (!found || (!found[1] && !found[3]) || !words.results) return null;
  const parts = [];
  if (found[1]) {
    const n = Number(found[1]);
    parts.push(n === 1 ? words.result_one : words.results.replace("{n}", n.toLocaleString(lang)));
  } else if (found[2]) {
    parts.push(words.response);
  }
  if (found[3]) {
    const seconds = Number(found[3]).toLocaleString(lang, { maximumFractionDigits: 3 });
    parts.push(words.in_seconds.replace("{s}", seconds));
  }
  return parts.join(" ");
}
