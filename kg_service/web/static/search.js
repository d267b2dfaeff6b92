/* benelux-kg: type-ahead for the header search box (progressive enhancement).
 *
 * Without JavaScript the box is a plain form that submits to /search. With it, the box becomes
 * an ARIA 1.2 combobox: suggestions come from /search (JSON) as one types, labelled in the page
 * language; arrow keys move through them, Enter or a click opens the resource's page, Escape
 * closes the list. */
(function () {
  "use strict";
  var form = document.querySelector("form.site-search");
  if (!form || !window.fetch || !window.URLSearchParams) return;
  var input = form.querySelector("input[name=q]");
  var list = form.querySelector("[role=listbox]");
  var base = form.getAttribute("data-base") || "";
  var lang = document.documentElement.lang || "en";
  var active = -1, timer = null, controller = null, asked = 0;

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);

  function href(iri) {
    return base && iri.indexOf(base) === 0 ? "/" + iri.slice(base.length) : iri;
  }

  function close() {
    list.hidden = true;
    list.textContent = "";
    list.removeAttribute("data-query");
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function option(result, i) {
    var li = document.createElement("li");
    li.id = "site-search-option-" + i;
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", "false");
    li.setAttribute("data-href", href(result.id));
    var label = document.createElement("span");
    label.textContent = result.label;
    li.appendChild(label);
    if (result.matched && result.matched !== result.label) {
      var matched = document.createElement("small");
      matched.textContent = result.matched;
      if (result.lang) matched.lang = result.lang;
      li.appendChild(matched);
    }
    // mousedown, not click: the input keeps its focus until we navigate
    li.addEventListener("mousedown", function (event) {
      event.preventDefault();
      open(i);
    });
    return li;
  }

  function show(results, q) {
    list.textContent = "";
    // which text these suggestions answer: a reader (or a test) can tell a settled list from
    // one still catching up with the keystrokes
    list.setAttribute("data-query", q);
    results.forEach(function (result, i) { list.appendChild(option(result, i)); });
    active = -1;
    list.hidden = results.length === 0;
    input.setAttribute("aria-expanded", results.length ? "true" : "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(i) {
    var options = list.children;
    if (active >= 0 && options[active]) options[active].setAttribute("aria-selected", "false");
    active = i;
    options[i].setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", options[i].id);
    options[i].scrollIntoView({ block: "nearest" });
  }

  function open(i) {
    window.location.assign(list.children[i].getAttribute("data-href"));
  }

  function suggest() {
    var q = input.value.trim();
    if (q.length < 2) { close(); return; }
    if (controller) controller.abort();
    controller = window.AbortController ? new AbortController() : null;
    var mine = ++asked;  // an answer to an older keystroke never replaces a newer one
    var url = "/search?" + new URLSearchParams({ q: q, limit: "8" }).toString();
    fetch(url, {
      headers: { "Accept": "application/json", "Accept-Language": lang },
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (body) { if (mine === asked) show(body.results || [], q); })
      .catch(function (error) { if (error.name !== "AbortError") close(); });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(suggest, 120);
  });
  input.addEventListener("keydown", function (event) {
    var count = list.hidden ? 0 : list.children.length;
    if (event.key === "ArrowDown" && count) {
      event.preventDefault();
      highlight((active + 1) % count);
    } else if (event.key === "ArrowUp" && count) {
      event.preventDefault();
      highlight((active - 1 + count) % count);
    } else if (event.key === "Enter" && active >= 0 && count) {
      event.preventDefault();
      open(active);
    } else if (event.key === "Escape" && count) {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 150); });
})();
