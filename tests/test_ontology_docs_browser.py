"""The ontology's documentation (``/def/``, issue 15) on a phone, in a real browser (Debian's
Chromium, headless, through Playwright): 390 px wide without sideways scrolling, no axe-core
violation, and a tap on an index entry brings its section to the top. Screenshots go to
``tests/screenshots/`` (git-ignored) for a reviewer to look at.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect
from test_pages_browser import page_size
from test_search_browser import assert_accessible, shot
from test_ui_browser import Visit, _visit, browser  # noqa: F401 (the browser fixture)

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


@pytest.fixture(params=["fr-BE", "nl-BE", "en-GB"])
def phone(request, browser: Browser, server) -> Iterator[Visit]:  # noqa: F811
    yield from _visit(browser, server.url, locale=request.param, viewport=PHONE)


def test_on_a_phone_the_page_fits_is_accessible_and_the_index_leads_to_each_section(phone):
    visit = phone
    visit.goto("/def/")
    page = visit.page
    expect(page.locator("nav.term-index")).to_be_visible()
    _, scroll_width, viewport = page_size(visit)
    assert scroll_width <= viewport, f"scrolls sideways: {scroll_width} > {viewport}"
    shot(visit, f"ontology-390-{page.evaluate('document.documentElement.lang')}")
    assert_accessible(visit)

    page.locator('nav.term-index a[href="#hasInstitution"]').click()
    expect(page).to_have_url(visit.base + "/def/#hasInstitution")
    top = page.evaluate("document.getElementById('hasInstitution').getBoundingClientRect().top")
    assert page.evaluate("window.scrollY") > 0 and -2 <= top <= 40, f"section at {top} px"
    expect(page.locator("#hasInstitution h3")).to_be_in_viewport()
    visit.assert_stayed_home()
