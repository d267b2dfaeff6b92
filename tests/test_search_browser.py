"""Search and browse in a real browser (Debian's Chromium, headless, through Playwright): type in
the header box, pick a suggestion, land on the page; a class list with pagination; axe-core
finds no accessibility violation on the pages this adds. Screenshots go to
``tests/screenshots/`` (git-ignored) for a reviewer to look at.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, expect
from test_ui_browser import Visit, _visit, browser  # noqa: F401 (the browser fixture)

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


@pytest.fixture
def visit_fr(browser: Browser, server) -> Iterator[Visit]:  # noqa: F811
    yield from _visit(browser, server.url, locale="fr-BE")


@pytest.fixture
def visit_en(browser: Browser, server) -> Iterator[Visit]:  # noqa: F811
    yield from _visit(browser, server.url, locale="en-GB")


def shot(visit: Visit, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    visit.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def assert_accessible(visit: Visit) -> None:
    """axe-core (WCAG 2 A/AA rules and best practices) finds no violation on the page."""
    results = Axe().run(visit.page)
    problems = [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})"
        for v in results.response["violations"]
    ]
    assert problems == [], "\n".join(problems)


def test_type_pick_a_suggestion_and_land_on_the_page(visit_fr: Visit):
    visit = visit_fr
    visit.goto("/")
    page = visit.page
    box = page.get_by_role("combobox", name="Rechercher dans le graphe")
    box.click()
    box.press_sequentially("parlement ben", delay=40)
    # on a loaded machine a pause between keystrokes can outlast the debounce: wait for the list
    # that answers the whole text, not one for a prefix of it
    expect(page.locator("#site-search-list")).to_have_attribute("data-query", "parlement ben")
    options = page.get_by_role("option")
    expect(options.first).to_be_visible()
    expect(options.first).to_contain_text("Parlement Benelux")  # labelled in the page language
    expect(box).to_have_attribute("aria-expanded", "true")
    shot(visit, "search-suggestions")
    assert_accessible(visit)  # the open list too
    box.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", "site-search-option-0")
    with page.expect_navigation():
        box.press("Enter")
    assert page.url == visit.base + "/id/institution/benelux-parliament"
    expect(page.locator("h1")).to_have_text("Parlement Benelux")
    visit.assert_stayed_home()


def test_a_click_on_a_suggestion_opens_it_and_escape_closes_the_list(visit_en: Visit):
    visit = visit_en
    visit.goto("/def/")
    page = visit.page
    box = page.get_by_role("combobox", name="Search the graph")
    box.press_sequentially("samenwerkingen", delay=30)
    expect(page.get_by_role("option").first).to_be_visible()
    box.press("Escape")
    expect(page.get_by_role("listbox")).to_be_hidden()
    box.press_sequentially(" benelux", delay=30)
    expect(page.get_by_role("listbox")).to_have_attribute("data-query", "samenwerkingen benelux")
    first = page.get_by_role("option").first
    expect(first).to_be_visible()
    target = first.get_attribute("data-href")
    with page.expect_navigation():
        first.click()
    assert page.url == visit.base + target
    visit.assert_stayed_home()


def test_the_box_submits_to_the_results_page(visit_en: Visit):
    visit = visit_en
    visit.goto("/")
    page = visit.page
    box = page.get_by_role("combobox", name="Search the graph")
    box.fill("coopérations")
    with page.expect_navigation():
        page.locator("form.site-search button[type=submit]").click()
    expect(page.locator("h2#results-title")).to_contain_text("results for")
    expect(page.locator("ol.hits li").first).to_be_visible()
    shot(visit, "search-results")
    assert_accessible(visit)
    visit.assert_stayed_home()


def test_suggestions_come_quickly(visit_en: Visit):
    """The editor wants suggestions within 100 ms: measured here from the browser, warm."""
    visit = visit_en
    visit.goto("/")
    timings = visit.page.evaluate(
        """async () => {
          const out = [];
          for (const q of ["benelux", "parl", "coopé", "samenwerking", "benelux parl", "thè"]) {
            for (let i = 0; i < 5; i++) {
              const t0 = performance.now();
              const r = await fetch("/search?limit=8&q=" + encodeURIComponent(q),
                                    {headers: {Accept: "application/json"}});
              await r.json();
              out.push(performance.now() - t0);
            }
          }
          return out;
        }"""
    )
    timings.sort()
    median, worst = timings[len(timings) // 2], timings[-1]
    print(f"suggestion latency: median {median:.1f} ms, max {worst:.1f} ms over {len(timings)}")
    assert median < 100


def test_a_class_list_with_pagination(visit_en: Visit):
    visit = visit_en
    visit.goto("/")
    page = visit.page
    page.locator("table.counts").get_by_role("link", name="Action", exact=True).click()
    expect(page.locator("h1")).to_have_text("Action")
    expect(page.locator("[data-count=instances]")).to_contain_text("21 instances")
    visit.goto("/browse/Action?size=10")
    expect(page.locator("ol.instances li")).to_have_count(10)
    first_page = page.locator("ol.instances li").all_inner_texts()
    shot(visit, "browse-actions")
    assert_accessible(visit)
    page.get_by_role("link", name="Next").click()
    expect(page.locator("nav.pager")).to_contain_text("Page 2 of 3")
    second_page = page.locator("ol.instances li").all_inner_texts()
    assert not set(first_page) & set(second_page)
    page.get_by_role("link", name="Next").click()
    expect(page.locator("ol.instances li")).to_have_count(1)
    expect(page.get_by_role("link", name="Next")).to_have_count(0)
    page.get_by_role("link", name="Previous").click()
    expect(page.locator("nav.pager")).to_contain_text("Page 2 of 3")
    page.locator("ol.instances a").first.click()
    expect(page).to_have_url(f"{visit.base}/id/" + page.url.split("/id/", 1)[-1])
    visit.assert_stayed_home()


@pytest.mark.parametrize("path", ["/", "/search", "/search?q=zzzzqqq", "/browse/Theme"])
def test_the_pages_this_adds_or_changes_have_no_axe_violation(visit_fr: Visit, path: str):
    visit_fr.goto(path)
    visit_fr.page.wait_for_load_state()
    time.sleep(0.1)  # the type-ahead script has run (it adds the combobox roles)
    assert_accessible(visit_fr)
    visit_fr.assert_stayed_home()
