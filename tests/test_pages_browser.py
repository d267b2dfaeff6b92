"""The pages issue 15 changes, in a real browser (Debian's Chromium, headless, through
Playwright): the downloads page at desktop and phone widths, error pages and the validation
form after an error; axe-core finds no accessibility violation on any of them. Screenshots go
to ``tests/screenshots/`` (git-ignored) for a reviewer to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect
from test_search_browser import assert_accessible, shot
from test_ui_browser import Visit, _visit, browser  # noqa: F401 (the browser fixture)

pytestmark = pytest.mark.e2e

#: The tallest the downloads page may be, at any width (it was 14,141 px on a phone).
MAX_HEIGHT = 2000


@pytest.fixture
def open_page(browser: Browser, server) -> Iterator:  # noqa: F811
    """A function that opens a tab in a language at a width; the tabs are closed after."""
    opened: list[Iterator[Visit]] = []

    def open_(locale: str, width: int = 1280, height: int = 800) -> Visit:
        visits = _visit(
            browser, server.url, locale=locale, viewport={"width": width, "height": height}
        )
        opened.append(visits)
        return next(visits)

    yield open_
    for visits in opened:
        next(visits, None)  # runs the rest of _visit: the context is closed


def page_size(visit: Visit) -> tuple[int, int, int]:
    """The document's height, its scroll width and the viewport's width, in CSS pixels."""
    return visit.page.evaluate(
        "() => [document.documentElement.scrollHeight,"
        " document.documentElement.scrollWidth, window.innerWidth]"
    )


@pytest.mark.parametrize("width, locale", [(1280, "en-GB"), (390, "fr-BE")])
def test_the_downloads_page_fits_without_scrolling_sideways(open_page, width, locale):
    visit = open_page(locale, width, 844 if width < 500 else 800)
    visit.goto("/download")
    expect(visit.page.locator("h1")).to_be_visible()
    height, scroll_width, viewport = page_size(visit)
    shot(visit, f"downloads-{width}")
    assert height <= MAX_HEIGHT, f"{height} px tall at {width} px wide"
    assert scroll_width <= viewport, f"scrolls sideways: {scroll_width} > {viewport}"
    assert_accessible(visit)
    visit.assert_stayed_home()


def test_on_a_phone_each_cell_keeps_its_header(open_page):
    visit = open_page("nl-BE", 390, 844)
    visit.goto("/download")
    cell = visit.page.locator("table.files tbody tr").first.locator("td").nth(3)
    before = cell.evaluate("td => getComputedStyle(td, '::before').content")
    assert "Grootte" in before or "data-label" in before, before
    expect(cell).to_have_attribute("data-label", "Grootte")
    expect(cell).to_contain_text("B")  # a readable size, with its unit


def test_our_own_tables_still_stack_on_a_phone_the_catalogue(open_page):
    # the phone rules are scoped away from YASGUI's result table (issue 15), not from ours
    visit = open_page("fr-BE", 390, 844)
    visit.goto("/catalog")
    row = visit.page.locator("main table").first.locator("tr").first
    top = "c => c.getBoundingClientRect().top"
    tops = [row.locator(cell).evaluate(top) for cell in ("th", "td")]
    assert tops[0] < tops[1], f"the header and its value side by side: {tops}"
    _, scroll_width, viewport = page_size(visit)
    assert scroll_width <= viewport, f"scrolls sideways: {scroll_width} > {viewport}"
    shot(visit, "catalog-390")


def test_a_digest_is_short_with_the_full_value_on_hover_and_a_copy_button(open_page):
    visit = open_page("en-GB")
    visit.page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    visit.goto("/download")
    code = visit.page.locator("td.hash code").first
    full = code.get_attribute("title")
    assert full and len(full) == 64
    expect(code).to_have_text(full[:12] + "…")
    button = visit.page.locator("td.hash button.copy").first
    expect(button).to_be_visible()
    button.click()
    expect(button).to_have_text("Copied")
    assert visit.page.evaluate("() => navigator.clipboard.readText()") == full
    visit.assert_stayed_home()


@pytest.mark.parametrize(
    "locale, heading",
    [
        ("fr-BE", "404 — Page introuvable"),
        ("nl-BE", "404 — Pagina niet gevonden"),
        ("en-GB", "404 — Not found"),
    ],
)
def test_an_error_page_is_translated_with_its_status_and_reason(open_page, locale, heading):
    visit = open_page(locale)
    visit.goto("/id/institution/no-such-thing")
    expect(visit.page.locator("h1")).to_have_text(heading)
    expect(visit.page.locator("main a[href='/search']")).to_be_visible()
    shot(visit, f"error-404-{locale[:2]}")
    assert_accessible(visit)
    visit.assert_stayed_home()


def test_the_validation_form_keeps_the_data_after_an_error(open_page):
    visit = open_page("fr-BE")
    visit.goto("/validate")
    page = visit.page
    pasted = "@prefix ex: <http://example.org/> .\nex:a ex:b ;;; oops"
    page.locator("#text").fill(pasted)
    page.get_by_label("Inférence").select_option("rdfs")
    with page.expect_navigation():
        page.get_by_role("button", name="Valider", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("400 — Requête incorrecte")
    expect(page.locator("#text")).to_have_value(pasted)
    expect(page.get_by_label("Inférence")).to_have_value("rdfs")
    shot(visit, "validate-error")
    assert_accessible(visit)
    visit.assert_stayed_home()


def test_an_entity_page_in_dutch_reads_well_and_is_accessible(open_page):
    visit = open_page("nl-BE")
    visit.goto("/id/organisation/benelux-union")
    page = visit.page
    expect(page.locator("h1")).to_have_text("Benelux Unie")
    same_as = page.locator("p.same-as")
    expect(same_as).to_have_count(1)
    expect(same_as).to_contain_text("Zelfde als")
    expect(same_as.get_by_role("link", name="Wikidata Q13116")).to_be_visible()
    expect(page.get_by_role("rowheader", name="heeft als suborganisatie")).to_be_visible()
    shot(visit, "entity-nl")
    assert_accessible(visit)
    visit.assert_stayed_home()


def test_a_propertys_first_value_is_on_the_line_of_its_name(open_page):
    """A list's margins put every value a paragraph below its property's name (the table
    looked misaligned); the name and the first value now share a line, and a row is no taller
    than its values."""
    visit = open_page("fr-BE")
    visit.goto("/id/institution/general-secretariat")
    rows = visit.page.locator("section[aria-labelledby=props] tr")
    expect(rows.first).to_be_visible()
    offsets = rows.evaluate_all(
        """trs => trs.map(tr => {
            const name = tr.querySelector('th a').getBoundingClientRect();
            const value = tr.querySelector('td li').getBoundingClientRect();
            const list = tr.querySelector('td ul').getBoundingClientRect();
            return [tr.querySelector('th').textContent.trim(), value.top - name.top,
                    tr.getBoundingClientRect().height - list.height];
        })"""
    )
    assert len(offsets) >= 8
    for name, gap, padding in offsets:
        assert abs(gap) <= 4, f"{name}: its first value starts {gap:.0f} px below it"
        assert padding <= 16, f"{name}: {padding:.0f} px of margin around its values"
    shot(visit, "entity-fr-rows")
    visit.assert_stayed_home()


@pytest.mark.parametrize("path", ["/query?query=ASK%20%7B%7D", "/sparql", "/download"])
def test_the_footer_lines_up_with_the_page_it_closes(open_page, path):
    """The query pages are wider than the others: their footer used to stay narrow, centred,
    its text starting 150 px to the right of the page's."""
    visit = open_page("en-GB")
    visit.goto(path)
    left = "e => e.getBoundingClientRect().left + parseFloat(getComputedStyle(e).paddingLeft)"
    expect(visit.page.locator("footer")).to_be_visible()
    main, footer = (visit.page.locator(tag).evaluate(left) for tag in ("main", "footer"))
    assert abs(main - footer) <= 1, f"main starts at {main:.0f} px, its footer at {footer:.0f}"


def test_the_shapes_page_reads_on_a_phone(open_page):
    """Each shape's cells keep their header ("Cible : bkg:Action") instead of three unlabelled
    header cells stacked above them all; no format name breaks across lines ("JSON-" / "LD")."""
    visit = open_page("fr-BE", 390, 844)
    visit.goto("/shapes")
    page = visit.page
    cells = page.locator("table.files tbody tr").first.locator("td")
    expect(cells.nth(2)).to_have_attribute("data-label", "Cible")
    before = cells.nth(2).evaluate("td => getComputedStyle(td, '::before').content")
    assert "Cible" in before or "data-label" in before, before
    broken = page.locator(".formats a").evaluate_all(
        "links => links.filter(a => a.getClientRects().length > 1).map(a => a.textContent)"
    )
    assert page.locator(".formats a").count() >= 4 and not broken, broken
    _, scroll_width, viewport = page_size(visit)
    assert scroll_width <= viewport, f"scrolls sideways: {scroll_width} > {viewport}"
    shot(visit, "shapes-390")
    assert_accessible(visit)


def test_the_catalogues_files_read_on_a_phone_each_with_its_label(open_page):
    visit = open_page("fr-BE", 390, 844)
    visit.goto("/catalog")
    cells = visit.page.locator("table.files tbody tr").first.locator("td")
    expect(cells.nth(2)).to_have_attribute("data-label", "Taille")
    expect(cells.nth(2)).to_contain_text("ko")
    expect(cells.nth(3).locator("code")).to_have_text(re.compile(r"^[0-9a-f]{12}…$"))
    before = cells.nth(1).evaluate("td => getComputedStyle(td, '::before').content")
    assert "Format" in before or "data-label" in before, before
    _, scroll_width, viewport = page_size(visit)
    assert scroll_width <= viewport, f"scrolls sideways: {scroll_width} > {viewport}"
    shot(visit, "catalog-files-390")


@pytest.mark.parametrize("width, locale", [(1280, "nl-BE"), (390, "en-GB")])
def test_the_timeline_reads_on_a_phone_links_and_is_accessible(open_page, width, locale):
    visit = open_page(locale, width, 844 if width < 500 else 800)
    visit.goto("/timeline")
    page = visit.page
    expect(page.locator("ol.timeline > li").first).to_contain_text("1944")
    _, scroll_width, viewport = page_size(visit)
    assert scroll_width <= viewport, f"scrolls sideways: {scroll_width} > {viewport}"
    shot(visit, f"timeline-{width}")
    assert_accessible(visit)
    with page.expect_navigation():
        page.locator("ol.timeline a").first.click()
    assert "/id/" in page.url
    visit.assert_stayed_home()


#: The link of the box a box is drawn under (the box of the list item holding its list).
PARENT_BOX = (
    "a => a.closest('ul').closest('li')?.querySelector(':scope > .org-box')?.getAttribute('href')"
)


@pytest.mark.parametrize("width, locale", [(1280, "nl-BE"), (390, "en-GB")])
def test_the_organisation_diagram_draws_links_fits_a_phone_and_is_accessible(
    open_page, width, locale
):
    visit = open_page(locale, width, 844 if width < 500 else 800)
    visit.goto("/organisation")
    page = visit.page
    expect(page.locator("ul.org-tree")).to_have_count(3)
    expect(page.locator("ul.org-tree a.org-box")).to_have_count(25)
    for child, parent in (
        ("/id/institution/benelux-parliament", "/id/organisation/benelux-union"),
        ("/id/axis/senningen-3-justice-cooperation", "/id/action-plan/senningen-3"),
        ("/id/group/benelux-liaison-officers", "/id/group/benelux-countries-consultation"),
    ):
        assert page.locator(f'a.org-box[href="{child}"]').evaluate(PARENT_BOX) == parent
    _, scroll_width, viewport = page_size(visit)
    assert scroll_width <= viewport, f"scrolls sideways: {scroll_width} > {viewport}"
    rights = page.locator("a.org-box").evaluate_all(
        "boxes => boxes.map(b => b.getBoundingClientRect().right)"
    )
    assert max(rights) <= viewport, f"a box runs off the screen: {max(rights)} > {viewport}"
    shot(visit, f"organisation-{width}")
    assert_accessible(visit)
    box = page.locator('a.org-box[href="/id/group/neighbours-consultation"]')
    label = box.inner_text()
    with page.expect_navigation():
        box.click()
    assert page.url.endswith("/id/group/neighbours-consultation")
    expect(page.locator("h1")).to_have_text(label)
    visit.assert_stayed_home()
