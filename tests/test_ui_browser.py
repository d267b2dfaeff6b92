"""The people-facing pages in a real browser: Debian's Chromium, headless, driven by Playwright.

Never skipped: a missing browser is a failed check (``make test`` installs Debian's chromium and
Playwright). Every test also asserts that the page asked nothing of any host but our server.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from kg_service.build.examples import Example, load_examples

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), (
        f"{CHROMIUM} is missing: the browser tests need Debian's chromium "
        "(make test installs it: apt-get install chromium)"
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Visit:
    """A browser tab on our server, with every request it made and every script error."""

    page: Page
    base: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def goto(self, path: str) -> None:
        self.page.goto(self.base + path)

    def assert_stayed_home(self) -> None:
        elsewhere = [u for u in self.requests if not u.startswith(self.base + "/")]
        assert elsewhere == [], f"requests to other hosts: {elsewhere}"
        assert self.errors == [], f"script errors: {self.errors}"


def _visit(browser: Browser, base: str, **context_options) -> Iterator[Visit]:
    context = browser.new_context(**context_options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    visit = Visit(page, base)
    context.on("request", lambda request: visit.requests.append(request.url))
    page.on("pageerror", lambda error: visit.errors.append(str(error)))
    yield visit
    context.close()


@pytest.fixture
def visit(browser: Browser, server) -> Iterator[Visit]:
    yield from _visit(browser, server.url, locale="en-GB")


@pytest.fixture
def visit_without_js(browser: Browser, server) -> Iterator[Visit]:
    yield from _visit(browser, server.url, locale="en-GB", java_script_enabled=False)


def start_query(page: Page, text: str) -> None:
    """Put ``text`` in the current tab's editor, the cursor at its end, ready to type on."""
    page.evaluate(
        """text => {
            const yasqe = window.beneluxKg.yasgui.getTab().getYasqe();
            yasqe.setValue(text);
            yasqe.focus();
            yasqe.setCursor(yasqe.lastLine(), yasqe.getLine(yasqe.lastLine()).length);
        }""",
        text,
    )


def _institutions_example() -> Example:
    examples = load_examples(ROOT / "queries")
    return next(e for e in examples if e.id.startswith("01-"))


def test_editor_runs_an_example_and_opens_a_resource_in_dutch(visit: Visit):
    example = _institutions_example()
    visit.goto("/sparql")
    page = visit.page
    expect(page.locator(".yasgui .tabsList")).to_be_visible()
    expect(page.locator("#plain-query")).to_be_hidden()  # the editor replaced the plain form

    page.locator("#examples-toggle").click()  # the examples browser (editor_browser tests)
    page.get_by_role("link", name=example.title("en")).click()
    panel = page.locator(".tabPanel.active")
    expect(panel.locator(".CodeMirror")).to_contain_text("bkg:Institution")
    panel.locator(".yasqe_queryButton").click()

    rows = panel.locator(".yasr table.dataTable tbody tr")
    expect(rows).to_have_count(5)
    expect(panel.locator(".yasr table.dataTable")).to_contain_text("Beneluxparlement")
    expect(panel.locator(".yasr table.dataTable")).to_contain_text("Benelux Parliament")
    assert any(u == visit.base + "/sparql" for u in visit.requests)  # the query went to us

    # an IRI of the graph in the results opens this server's resource page
    link = panel.locator('.yasr a[href="/id/institution/benelux-parliament"]')
    with page.context.expect_page() as opened:
        link.click()
    resource = opened.value
    resource.wait_for_load_state()
    assert resource.url == visit.base + "/id/institution/benelux-parliament"
    expect(resource.locator("h1")).to_have_text("Benelux Parliament")

    # switch the language with the page's own form: the Dutch label becomes the title
    resource.locator("form.lang select[name=lang]").select_option("nl")
    with resource.expect_navigation():
        resource.locator("form.lang button[type=submit]").click()
    expect(resource.locator("h1")).to_have_text("Beneluxparlement")
    expect(resource.locator("html")).to_have_attribute("lang", "nl")
    visit.assert_stayed_home()


def test_a_typed_query_runs_against_our_endpoint(visit: Visit):
    visit.goto("/sparql")
    page = visit.page
    expect(page.locator(".yasgui .tabsList")).to_be_visible()
    page.locator("#new-tab").click()
    yasqe = page.locator(".tabPanel.active .CodeMirror")
    expect(yasqe).to_contain_text("PREFIX")  # a new tab starts with the graph's prefixes
    start_query(
        page,
        "SELECT ?l WHERE {\n  <https://w3id.org/benelux-kg/id/institution/benelux-parliament> ",
    )
    page.keyboard.type("rdfs:label ?l")  # typed: rdfs: is declared from our prefix list
    page.keyboard.press("Enter")
    page.keyboard.type("}")
    expect(yasqe).to_contain_text("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>")
    page.locator(".tabPanel.active .yasqe_queryButton").click()
    table = page.locator(".tabPanel.active .yasr table.dataTable")
    expect(table).to_contain_text("Parlement Benelux")
    expect(table.locator("tbody tr")).to_have_count(3)
    visit.assert_stayed_home()


def test_editor_uses_no_remote_autocompleter(visit: Visit):
    visit.goto("/sparql")
    expect(visit.page.locator(".yasgui .tabsList")).to_be_visible()
    completers = visit.page.evaluate(
        "window.beneluxKg.yasgui.getTab().getYasqe().config.autocompleters"
    )
    assert "property" not in completers and "class" not in completers  # those ask a remote LOV
    assert {"prefixes", "kgTerms", "kgResources"} <= set(completers)  # ours: our own data
    # typing a prefix declaration asks our own prefix list, nothing else
    visit.page.locator(".tabPanel.active .CodeMirror").click()
    visit.page.keyboard.press("Control+End")
    visit.page.keyboard.type("\nPREFIX bk")
    expect(visit.page.locator(".CodeMirror-hints")).to_contain_text("bkg:")
    visit.assert_stayed_home()


def test_landing_page_leads_to_the_editor_and_resources(visit: Visit):
    visit.goto("/")
    page = visit.page
    expect(page.locator("h1")).to_have_text("benelux-kg")
    expect(page.locator("[data-count=triples]")).to_have_text(_nonzero())
    page.get_by_role("link", name="Benelux Parliament").click()
    expect(page.locator("h1")).to_have_text("Benelux Parliament")
    page.go_back()
    page.locator("main").get_by_role("link", name="Query (SPARQL)").first.click()
    expect(page.locator(".yasgui .tabsList")).to_be_visible()
    visit.assert_stayed_home()


def _nonzero() -> re.Pattern:
    return re.compile(r"^[1-9][\d,]*$")


def test_without_javascript_the_plain_form_answers_with_a_table(visit_without_js: Visit):
    visit = visit_without_js
    visit.goto("/sparql")
    page = visit.page
    form = page.locator("#plain-query form")
    expect(form).to_be_visible()
    page.locator("#query-text").fill(
        "SELECT ?l WHERE { <https://w3id.org/benelux-kg/id/institution/benelux-parliament> "
        '<http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(lang(?l) = "nl") }'
    )
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator("table.results-table")).to_contain_text("Beneluxparlement")
    visit.assert_stayed_home()
