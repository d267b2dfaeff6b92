"""The query editor researchers expect, in a real browser (Debian's Chromium through
Playwright, against the served process): the examples browser, the result views, the live
syntax check, the permalink, snippets and downloads; axe-core finds no accessibility
violation with the browser open and with each view shown. Screenshots go to
``tests/screenshots/`` (git-ignored) for a reviewer to look at.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from test_ui_browser import (  # noqa: F401 (the browser fixtures)
    Visit,
    _visit,
    browser,
    start_query,
    visit_without_js,
)

from kg_service.build.examples import load_examples

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
EXAMPLES = {e.id: e for e in load_examples(ROOT / "queries")}
CHART, TIMELINE, GRAPH = (
    "06-actions-per-theme-count",
    "12-history-milestones",
    "16-construct-senningen-skos",
)
HIERARCHY = "04-senningen-groups-hierarchy"
ASK = "18-ask-benelux-treaty-the-hague"


@pytest.fixture
def visit(browser: Browser, server) -> Iterator[Visit]:  # noqa: F811
    yield from _visit(browser, server.url, locale="en-GB", viewport={"width": 1280, "height": 900})


@pytest.fixture
def visit_fr(browser: Browser, server) -> Iterator[Visit]:  # noqa: F811
    yield from _visit(browser, server.url, locale="fr-BE", viewport={"width": 1280, "height": 900})


def shot(visit: Visit, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    visit.page.screenshot(path=str(SCREENSHOTS / f"editor-{name}.png"), full_page=True)


def assert_accessible(visit: Visit, what: str) -> None:
    """axe-core (WCAG 2 A/AA rules and best practices) finds no violation on the page."""
    results = Axe().run(visit.page)
    problems = [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})"
        for v in results.response["violations"]
    ]
    assert problems == [], f"{what}:\n" + "\n".join(problems)


def open_editor(visit: Visit) -> Page:
    visit.goto("/sparql")
    page = visit.page
    expect(page.locator(".yasgui .tabsList")).to_be_visible()
    expect(page.locator("#editor-tools")).to_be_visible()
    return page


def pick(page: Page, example_id: str) -> None:
    """Open the examples browser and pick one example (it opens in the current tab, runs)."""
    if page.locator("#examples-list").is_hidden():
        page.locator("#examples-toggle").click()
    page.locator(f'#examples-list a[data-example="{example_id}"]').click()
    expect(page.locator("#examples-list")).to_be_hidden()


def active(page: Page, selector: str):
    return page.locator(f".tabPanel.active {selector}")


def selected_view(page: Page) -> str:
    button = active(page, ".yasr_btn.selected")
    expect(button).to_have_count(1)
    return re.search(r"select_(\w+)", button.get_attribute("class") or "").group(1)


# --- the examples browser ------------------------------------------------------------------


def test_pick_an_example_from_the_searchable_list_by_topic(visit: Visit):
    page = open_editor(visit)
    expect(page.locator(".yasgui .tabsList [role=tab]")).to_have_count(1)  # no wall of tabs
    toggle = page.locator("#examples-toggle")
    expect(toggle).to_have_text(f"Examples ({len(EXAMPLES)})")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator(".example-topic h3").first).to_have_text("Institutions and organisation")
    box = page.get_by_label("Search the examples")
    expect(box).to_be_focused()
    box.fill("milestones history")
    expect(page.locator("#examples-count")).to_have_text("1 example")
    expect(page.locator("#examples-list li:visible")).to_have_count(1)
    shot(visit, "examples-search")
    box.fill("")
    example = EXAMPLES["01-institutions-labels"]
    page.get_by_role("link", name=example.title("en")).click()
    expect(page.locator("#examples-list")).to_be_hidden()
    expect(page.locator(".yasgui .tabsList [role=tab]")).to_have_count(1)  # the current tab
    expect(page.get_by_role("tab", name=example.title("en"))).to_have_attribute(
        "aria-selected", "true"
    )
    expect(active(page, ".CodeMirror")).to_contain_text("bkg:institutionOf")
    expect(page.locator("#current-example")).to_contain_text(example.comment("en")[:60])
    rows = active(page, ".yasr table.dataTable tbody tr")
    expect(rows).to_have_count(5)  # it ran
    assert page.url == visit.base + "/sparql"  # in place, no navigation
    visit.assert_stayed_home()


def test_the_list_speaks_the_pages_language(visit_fr: Visit):
    page = open_editor(visit_fr)
    toggle = page.locator("#examples-toggle")
    expect(toggle).to_have_text(f"Exemples ({len(EXAMPLES)})")
    toggle.click()
    expect(page.locator(".example-topic h3").first).to_have_text("Institutions et organisation")
    page.get_by_label("Rechercher dans les exemples").fill("jalons")  # accents and case aside
    expect(page.locator("#examples-list li:visible")).to_have_count(1)
    expect(page.locator("#examples-list li:visible a")).to_have_text(EXAMPLES[TIMELINE].title("fr"))
    visit_fr.assert_stayed_home()


# --- the result views ------------------------------------------------------------------------


#: YASGUI's English that a French page must not show (editor-words.js says it in French)
YASGUI_ENGLISH = re.compile(
    r"\bresults? in\b|\bseconds?\b|Simple view|Ellipse|Page size|Showing \d|Show all|"
    r"Download result|Run query|Share query|Close tab|Clear endpoint|No data available|"
    r"Filter query"
)


def test_yasguis_own_texts_speak_the_pages_language(visit_fr: Visit):
    page = open_editor(visit_fr)
    pick(page, "01-institutions-labels")
    rows = active(page, ".yasr table.dataTable tbody tr")
    expect(rows).to_have_count(5)
    expect(active(page, ".yasr_response_chip")).to_have_text(
        re.compile(r"^5 résultats en [\d,]+ s$")
    )
    controls = active(page, ".yasr .tableControls")
    expect(controls).to_contain_text("Vue simple")
    expect(controls).to_contain_text("Abréger")
    expect(controls).to_contain_text("Lignes par page")
    expect(active(page, ".yasr .dt-info")).to_have_text("Lignes 1 à 5 sur 5")
    expect(active(page, ".yasqe_queryButton")).to_have_attribute("title", "Exécuter la requête")
    expect(active(page, ".yasqe_share")).to_have_attribute("aria-label", "Partager la requête")
    shown = page.locator(".yasgui").inner_text()
    titles = page.locator(".yasgui :is([title], [aria-label], [placeholder])").evaluate_all(
        "els => els.map(e => ['title', 'aria-label', 'placeholder']"
        "  .map(name => e.getAttribute(name) || '').join(' '))"
    )
    assert not YASGUI_ENGLISH.search(shown), YASGUI_ENGLISH.search(shown)
    assert not [t for t in titles if YASGUI_ENGLISH.search(t)], titles
    shot(visit_fr, "yasgui-french")
    # a new tab is a "Requête", not a "Query"
    page.locator("#new-tab").click()
    expect(page.locator(".yasgui .tabsList [role=tab]").last).to_have_attribute("title", "Requête")
    visit_fr.assert_stayed_home()


def test_actions_per_theme_open_on_a_chart(visit: Visit):
    page = open_editor(visit)
    pick(page, CHART)
    figure = active(page, ".kg-chart-figure")
    expect(figure.locator("svg")).to_be_visible()
    assert selected_view(page) == "chart"
    expect(figure).to_have_attribute("aria-label", re.compile(r"^Chart: \?actions by \?theme_en"))
    expect(figure).to_contain_text("The ambition of a common security area")
    page.locator("#kg-chart-type").select_option("pie")
    expect(figure.locator("svg path").first).to_be_visible()
    shot(visit, "chart")
    visit.assert_stayed_home()


def test_the_milestones_open_on_the_timeline(visit: Visit):
    page = open_editor(visit)
    pick(page, TIMELINE)
    items = active(page, ".kg-timeline .vis-item.vis-box")
    expect(items).to_have_count(4)
    assert selected_view(page) == "timeline"
    link = active(page, '.kg-timeline a[href="/id/milestone/1944-customs-union"]')
    expect(link).to_have_text("1944: customs union")
    shot(visit, "timeline")
    visit.assert_stayed_home()


def dutch_label(example: str, iri: str) -> str:
    """The ``label_nl`` the example's expected results give the row of ``iri``."""
    found = json.loads((ROOT / "queries" / f"{example}.srj").read_text(encoding="utf-8"))
    rows = found["results"]["bindings"]
    return next(
        row["label_nl"]["value"] for row in rows if iri in (v["value"] for v in row.values())
    )


@pytest.mark.parametrize(
    ("example", "path"),
    [
        (TIMELINE, "/id/milestone/1944-customs-union"),
        ("02-agreements-chronology", "/id/agreement/schengen-agreement-1985"),
    ],
)
def test_a_timeline_speaks_the_pages_language(browser: Browser, server, example, path):  # noqa: F811
    """Both history examples carry a label column per language: a Dutch page's timeline is in
    Dutch (the label_nl column), not in the first language the query names."""
    size = {"width": 1280, "height": 900}
    for visit_nl in _visit(browser, server.url, locale="nl-NL", viewport=size):
        page = open_editor(visit_nl)
        pick(page, example)
        link = active(page, f'.kg-timeline a[href="{path}"]')
        expect(link).to_have_text(dutch_label(example, "https://w3id.org/benelux-kg" + path))
        visit_nl.assert_stayed_home()


def test_a_construct_opens_on_the_graph(visit: Visit):
    page = open_editor(visit)
    pick(page, GRAPH)
    figure = active(page, ".kg-graph-figure")
    expect(figure.locator("canvas").first).to_be_attached()
    assert selected_view(page) == "graph"
    expect(figure).to_have_attribute("aria-label", re.compile(r"^Graph of \d+ nodes and \d+ links"))
    listing = active(page, ".kg-graph-list")
    listing.locator("summary").click()
    expect(listing.get_by_role("link", name="Police treaty")).to_have_attribute(
        "href", "/id/group/police-treaty"
    )
    shot(visit, "graph")
    visit.assert_stayed_home()


def test_the_senningen_hierarchy_opens_on_the_graph_of_its_iri_pairs(visit: Visit):
    page = open_editor(visit)
    pick(page, HIERARCHY)
    expect(active(page, ".kg-graph-figure canvas").first).to_be_attached()
    active(page, ".kg-graph-list summary").click()
    expect(active(page, ".kg-graph-list li").first).to_contain_text("parent")
    shot(visit, "hierarchy")


def test_a_view_offers_itself_only_when_the_result_fits(visit: Visit):
    page = open_editor(visit)
    pick(page, "01-institutions-labels")
    expect(active(page, ".yasr table.dataTable tbody tr")).to_have_count(5)
    for view in ("chart", "timeline", "graph"):
        expect(active(page, f".yasr_btn.select_{view}")).to_be_hidden()
    expect(active(page, ".yasr_btn.select_table")).to_be_visible()
    pick(page, CHART)
    expect(active(page, ".yasr_btn.select_chart")).to_be_visible()
    expect(active(page, ".yasr_btn.select_timeline")).to_be_hidden()


def test_a_yes_or_no_question_shows_its_answer(visit: Visit):
    page = open_editor(visit)
    pick(page, ASK)
    expect(active(page, ".yasr .booleanResult")).to_have_text("True")
    expect(active(page, ".yasr .errorResult")).to_have_count(0)
    for view in ("chart", "timeline", "graph"):  # nothing to draw for a yes or a no
        expect(active(page, f".yasr_btn.select_{view}")).to_be_hidden()
    # the table cannot show it: its button is greyed, and says so
    expect(active(page, ".yasr_btn.select_table")).to_have_attribute("aria-disabled", "true")
    shot(visit, "ask")
    visit.assert_stayed_home()


#: True once the current tab's answer is in and drawn (picking an example clears the last one).
ANSWER_DRAWN = """() => {
  const yasr = window.beneluxKg.yasgui.getTab().getYasr();
  return Boolean(yasr.results) && yasr.resultsEl.children.length > 0;
}"""


def test_every_example_shows_its_answer_in_the_editor(visit: Visit):
    page = open_editor(visit)
    for example in EXAMPLES.values():
        pick(page, example.id)
        page.wait_for_function(ANSWER_DRAWN)
        assert active(page, ".yasr .errorResult").count() == 0, example.id
        expect(active(page, ".yasr_btn.selected")).to_have_class(
            re.compile(rf"\bselect_{example.view}\b")
        )
    visit.assert_stayed_home()  # no script error either


# --- share and reuse -------------------------------------------------------------------------


def test_the_permalink_reopens_the_same_query_and_view(browser: Browser, visit: Visit):  # noqa: F811
    page = open_editor(visit)
    pick(page, CHART)
    expect(active(page, ".kg-chart-figure svg")).to_be_visible()
    link = page.locator("#permalink").input_value()
    assert link.startswith(visit.base + "/sparql?lang=en#query=") and "outputFormat=chart" in link
    # a new browser (nothing remembered) opens it: the same query, run, on the same view
    for other in _visit(browser, visit.base, locale="nl-NL"):
        again = other.page
        again.goto(link)
        expect(again.locator(".tabPanel.active .kg-chart-figure svg")).to_be_visible()
        text = again.evaluate("window.beneluxKg.yasgui.getTab().getQuery()")
        assert text == EXAMPLES[CHART].query
        assert selected_view(again) == "chart"
        expect(again.locator("html")).to_have_attribute("lang", "en")  # the link's language
        # named and described as the example it is, not "Query"
        title = EXAMPLES[CHART].title("en")
        expect(again.get_by_role("tab", name=title)).to_have_attribute("aria-selected", "true")
        expect(again.locator("#current-example")).to_contain_text(title)
        shot(other, "permalink-reopened")
        other.assert_stayed_home()


def test_use_this_query_and_the_downloads(visit: Visit):
    page = open_editor(visit)
    pick(page, "01-institutions-labels")
    page.locator("#snippets summary").click()
    snippets = page.locator("#snippet-list pre")
    expect(snippets).to_have_count(4)
    endpoint = visit.base + "/sparql"
    expect(snippets.nth(0)).to_contain_text(f"--data-urlencode 'query@-' '{endpoint}'")
    expect(snippets.nth(0)).to_contain_text("bkg:institutionOf")
    expect(snippets.nth(1)).to_contain_text("import httpx")
    expect(snippets.nth(2)).to_contain_text("from SPARQLWrapper import JSON, POST, SPARQLWrapper")
    expect(snippets.nth(3)).to_contain_text("library(httr2)")
    shot(visit, "snippets")
    names = page.locator("#downloads a")
    expect(names).to_have_text(["CSV", "TSV", "JSON"])
    csv = page.request.get(names.nth(0).get_attribute("href"))
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text().splitlines()[0] == "position,institution,label_fr,label_nl,label_en"
    json_answer = page.request.get(names.nth(2).get_attribute("href"))
    assert len(json_answer.json()["results"]["bindings"]) == 5
    visit.assert_stayed_home()


def test_the_plain_query_page_links_to_the_same_permalink(visit: Visit):
    example = EXAMPLES[CHART]
    page = open_editor(visit)
    pick(page, CHART)
    expect(active(page, ".kg-chart-figure svg")).to_be_visible()
    permalink = page.locator("#permalink").input_value()
    visit.goto(f"/query?example={example.id}")
    link = page.get_by_role("link", name="Open in the YASGUI editor")
    assert visit.base + link.get_attribute("href") == permalink
    link.click()
    expect(page.locator(".tabPanel.active .kg-chart-figure svg")).to_be_visible()


# --- syntax errors in words ------------------------------------------------------------------


def test_a_syntax_error_shows_the_sentence(visit: Visit):
    page = open_editor(visit)
    page.locator("#new-tab").click()
    start_query(page, "")
    page.keyboard.type("SELECT * WHER { ?s ?p ?o }")
    sentence = "`WHER` at line 1, column 10 is not a SPARQL keyword: did you mean WHERE?"
    status = page.locator("#syntax-status")
    expect(status).to_have_text(f"Syntax error: {sentence}")  # as you type
    expect(active(page, ".kg-syntax-line")).to_have_count(1)
    active(page, ".yasqe_queryButton").click()
    expect(active(page, ".yasr .errorResult")).to_contain_text(sentence)  # the endpoint's 400
    expect(active(page, ".yasr .errorResult")).not_to_contain_text("expected")
    shot(visit, "syntax-error")
    start_query(page, "SELECT * WHERE { ?s ?p ?o } LIMIT ")
    page.keyboard.type("1")
    expect(status).to_have_text("")
    visit.assert_stayed_home()


# --- accessibility ---------------------------------------------------------------------------

#: What each view shows once its library has drawn (the view's element exists before that).
DRAWN = {
    ASK: ".yasr .booleanResult",
    CHART: ".kg-chart-figure svg",
    TIMELINE: ".kg-timeline .vis-item.vis-box",
    GRAPH: ".kg-graph-figure[aria-label] canvas",
}


@pytest.fixture(params=[1280, 390], ids=["desktop", "phone"])
def visit_sized(request, browser: Browser, server) -> Iterator[Visit]:  # noqa: F811
    size = {"width": request.param, "height": 900}
    yield from _visit(browser, server.url, locale="en-GB", viewport=size)


def test_no_accessibility_violation_with_the_browser_open_and_each_view(visit_sized: Visit):
    visit = visit_sized
    page = open_editor(visit)
    assert_accessible(visit, "the editor")
    page.locator("#examples-toggle").click()
    assert_accessible(visit, "the examples browser open")
    for example, drawn in DRAWN.items():
        pick(page, example)
        expect(active(page, drawn).first).to_be_visible()
        if example == ASK:  # the greyed table button says so (set when YASR greys it)
            table = active(page, ".yasr_btn.select_table")
            expect(table).to_have_attribute("aria-disabled", "true")
        assert_accessible(visit, f"{example} on its view")
    active(page, ".yasr_btn.select_table").click()
    expect(active(page, ".yasr table.dataTable")).to_be_visible()
    assert_accessible(visit, "the table view")
    page.locator("#snippets summary").click()
    page.locator("#new-tab").click()
    assert_accessible(visit, "two tabs, the snippets open")


# --- on a phone --------------------------------------------------------------------------------


@pytest.fixture
def visit_phone(browser: Browser, server) -> Iterator[Visit]:  # noqa: F811
    yield from _visit(browser, server.url, locale="en-GB", viewport={"width": 390, "height": 844})


#: The top of each cell of a row, in CSS pixels (cells side by side share it).
CELL_TOPS = "cells => cells.map(c => Math.round(c.getBoundingClientRect().top))"


def test_a_yasgui_result_table_at_390_px_keeps_its_columns(visit_phone: Visit):
    # the site's phone rules stack our own tables' cells; YASR's table is not ours
    page = open_editor(visit_phone)
    pick(page, "01-institutions-labels")
    table = active(page, ".yasr table.dataTable")
    expect(table.locator("tbody tr")).to_have_count(5)
    headers = table.locator("thead tr").first.locator("th").evaluate_all(CELL_TOPS)
    cells = table.locator("tbody tr").first.locator("td").evaluate_all(CELL_TOPS)
    assert len(headers) >= 3 and len(set(headers)) == 1, f"header cells stacked: {headers}"
    assert len(cells) >= 3 and len(set(cells)) == 1, f"row cells stacked: {cells}"
    # the table is wider than a phone: it scrolls in its own box, the page does not
    page_width, viewport = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert page_width <= viewport, f"the page scrolls sideways: {page_width} > {viewport}"
    shot(visit_phone, "table-390")
    assert_accessible(visit_phone, "the result table at 390 px")
    visit_phone.assert_stayed_home()


# --- completion from our own data --------------------------------------------------------------

LATENCY_MS = 100
#: Starts a promise of the milliseconds from the next key press to a suggestion list drawn for
#: it (the list is drawn anew for every key) whose first suggestion holds ``expected``.
TIME_HINTS = """expected => { window.kgHintTiming = new Promise((resolve) => {
  let pressed = 0;
  document.addEventListener("keydown", () => { pressed = performance.now(); },
    { once: true, capture: true });
  new MutationObserver((changes, observer) => {
    const first = document.querySelector(".CodeMirror-hints li");
    if (pressed && first && first.textContent.includes(expected)) {
      observer.disconnect();
      resolve(performance.now() - pressed);
    }
  }).observe(document.body, { childList: true, subtree: true });
}); }"""


def hints_after_last_key(page: Page, text: str, expected: str) -> float:
    """Type ``text``; the milliseconds from its last key to the suggestions for it."""
    page.keyboard.type(text[:-1])
    page.evaluate(TIME_HINTS, expected)
    page.keyboard.type(text[-1])
    elapsed = page.evaluate("() => window.kgHintTiming")
    expect(page.locator(".CodeMirror-hints")).to_be_visible()
    return elapsed


def test_bkg_inst_offers_bkg_institution_within_100_ms(visit: Visit):
    page = open_editor(visit)
    page.locator("#new-tab").click()
    start_query(page, "PREFIX bkg: <https://w3id.org/benelux-kg/def/>\nSELECT * WHERE {\n  ?x a ")
    elapsed = hints_after_last_key(page, "bkg:Inst", "bkg:Institution")
    hints = page.locator(".CodeMirror-hints li")
    expect(hints.first).to_have_text("bkg:Institution — institution (class, used 5×)")
    shot(visit, "complete-class")
    page.keyboard.press("Enter")
    value = page.evaluate("window.beneluxKg.yasgui.getTab().getYasqe().getValue()")
    assert value.endswith("?x a bkg:Institution")
    assert elapsed < LATENCY_MS, f"suggestions after {elapsed:.0f} ms"
    print(f"class suggestions after {elapsed:.1f} ms")
    visit.assert_stayed_home()


def test_a_resources_label_inserts_its_iri_within_100_ms(visit_fr: Visit):
    page = open_editor(visit_fr)
    page.locator("#new-tab").click()
    start_query(
        page,
        "PREFIX bkg: <https://w3id.org/benelux-kg/def/>\nSELECT * WHERE {\n  ?x bkg:institutionOf ",
    )
    elapsed = hints_after_last_key(page, "Parlement Ben", "Parlement Benelux")
    first = page.locator(".CodeMirror-hints li").first
    expect(first).to_contain_text("Parlement Benelux · institution")  # in the page's language
    shot(visit_fr, "complete-resource")
    page.keyboard.press("Enter")
    value = page.evaluate("window.beneluxKg.yasgui.getTab().getYasqe().getValue()")
    assert value.endswith(
        "?x bkg:institutionOf <https://w3id.org/benelux-kg/id/institution/benelux-parliament>"
    )
    assert elapsed < LATENCY_MS, f"suggestions after {elapsed:.0f} ms"
    print(f"resource suggestions after {elapsed:.1f} ms")
    assert any("/search?q=Parlement" in u for u in visit_fr.requests)
    visit_fr.assert_stayed_home()


def test_prefixes_complete_from_our_own_list(visit: Visit):
    page = open_editor(visit)
    page.locator("#new-tab").click()
    start_query(page, "PREFIX fo")
    page.keyboard.type("a")
    hints = page.locator(".CodeMirror-hints li")
    expect(hints.first).to_have_text("foaf: <http://xmlns.com/foaf/0.1/>")
    page.keyboard.press("Enter")
    value = page.evaluate("window.beneluxKg.yasgui.getTab().getYasqe().getValue()")
    assert value == "PREFIX foaf: <http://xmlns.com/foaf/0.1/>"
    start_query(page, "PREFIX bk")
    page.keyboard.type("g")
    expect(hints.first).to_have_text("bkg: <https://w3id.org/benelux-kg/def/>")  # ours
    assert any(u.endswith("/static/yasgui/prefixes.json") for u in visit.requests)
    visit.assert_stayed_home()  # never prefix.cc


def test_completion_lists_pass_axe(visit: Visit):
    page = open_editor(visit)
    page.locator("#new-tab").click()
    start_query(page, "PREFIX bkg: <https://w3id.org/benelux-kg/def/>\nSELECT * WHERE { ?x a ")
    page.keyboard.type("bkg:Inst")
    expect(page.locator(".CodeMirror-hints")).to_be_visible()
    assert_accessible(visit, "the completion list open")


def test_without_javascript_a_plain_form_and_the_examples_as_links(visit_without_js: Visit):  # noqa: F811
    visit_without_js.goto("/sparql")
    page = visit_without_js.page
    expect(page.get_by_role("button", name="Run")).to_be_visible()
    # the examples button and search box need JavaScript: they do not show without it
    expect(page.locator("#examples-toggle")).to_be_hidden()
    expect(page.locator("#examples-filter")).to_be_hidden()
    example = EXAMPLES[CHART]
    page.get_by_role("link", name=example.title("en")).click()
    expect(page).to_have_url(re.compile(rf"/query\?example={example.id}$"))
    expect(page.locator("table tbody tr")).to_have_count(5)


def test_the_landing_pages_link_opens_the_examples(visit: Visit):
    visit.goto("/sparql#examples-list")
    page = visit.page
    expect(page.locator("#examples-list")).to_be_visible()
    expect(page.locator("#examples-toggle")).to_have_attribute("aria-expanded", "true")
    visit.goto("/sparql#example=" + TIMELINE)  # an example by its name
    expect(page.locator(".tabPanel.active .kg-timeline .vis-item.vis-box")).to_have_count(4)
