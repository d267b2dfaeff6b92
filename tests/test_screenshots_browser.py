"""The main pages, in a real browser (Debian's Chromium, headless, through Playwright), on a
desktop and on a phone: each renders its heading, scrolls only downwards and loads nothing
from another origin; on the phone axe-core finds no accessibility violation. A screenshot of
each goes to ``tests/screenshots/`` (git-ignored), so a reviewer can look at the site without
starting it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect
from test_search_browser import assert_accessible, shot
from test_ui_browser import Visit, _visit, browser  # noqa: F401 (the browser fixture)

pytestmark = pytest.mark.e2e

#: (screenshot name, path): what a visitor opens first
PAGES = [
    ("landing", "/"),
    ("entity", "/id/institution/benelux-parliament"),
    ("class-list", "/browse/Institution"),
    ("search", "/search?q=benelux"),
    ("timeline", "/timeline"),
    ("organisation", "/organisation"),
    ("ontology", "/def/"),
    ("editor", "/sparql"),
    ("validate", "/validate"),
    ("downloads", "/download"),
    ("catalogue", "/catalog"),
]
WIDTHS = [(1280, 800, "en-GB"), (390, 844, "nl-BE")]


@pytest.fixture
def tab(browser: Browser, server, request) -> Iterator[Visit]:  # noqa: F811
    width, height, locale = request.param
    viewport = {"width": width, "height": height}
    yield from _visit(browser, server.url, locale=locale, viewport=viewport)


@pytest.mark.parametrize("tab", WIDTHS, indirect=True, ids=["desktop", "phone"])
@pytest.mark.parametrize("name, path", PAGES, ids=[name for name, _ in PAGES])
def test_a_main_page_renders_fits_and_is_saved_as_a_screenshot(tab: Visit, name, path):
    tab.goto(path)
    page = tab.page
    expect(page.locator("h1").first).to_be_visible()
    width = page.viewport_size["width"]
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    shot(tab, f"page-{name}-{width}")
    assert scroll_width <= width, f"{path} scrolls sideways at {width} px: {scroll_width} px"
    if width < 500:
        assert_accessible(tab)
    tab.assert_stayed_home()
