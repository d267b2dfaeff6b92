"""Error pages, the validation form after an error and the downloads page, against the real
served process: status and reason in the page language, helpful links, the pasted data kept,
short digests and readable sizes, "Downloads" in the menu.
"""

from __future__ import annotations

import html
import re

import pytest

from kg_service.web.i18n import readable_size

pytestmark = pytest.mark.e2e

HTML = {"Accept": "text/html"}


def h1(page: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
    assert match, "no <h1>"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


@pytest.mark.parametrize(
    "lang, heading, help_text",
    [
        ("fr", "404 — Page introuvable", "ne correspond à aucune page"),
        ("nl", "404 — Pagina niet gevonden", "hoort bij geen enkele pagina"),
        ("en", "404 — Not found", "matches no page"),
    ],
)
def test_an_unknown_resource_says_404_and_why_in_the_page_language(
    server, lang, heading, help_text
):
    with server.client() as client:
        r = client.get("/id/institution/no-such-thing", headers={**HTML, "Accept-Language": lang})
    assert r.status_code == 404
    assert r.headers["content-language"] == lang
    assert h1(r.text) == heading
    assert help_text in r.text
    for href in ('href="/"', 'href="/search"', 'href="/def/"', 'href="/download"'):
        assert href in r.text
    assert 'value="no such thing"' in r.text  # the search box offers the address's last word


def test_an_unknown_route_is_a_page_for_browsers_and_json_for_machines(server):
    with server.client() as client:
        page = client.get("/no/such/page", headers={**HTML, "Accept-Language": "nl"})
        machine = client.get("/no/such/page", headers={"Accept": "application/json"})
        plain = client.get("/no/such/page", headers={"Accept": "*/*"})
    assert page.status_code == 404 and h1(page.text) == "404 — Pagina niet gevonden"
    # told as every other error of the service: {"error", "status", "message"}, a sentence
    assert machine.status_code == 404 and machine.json() == {
        "error": "Not Found",
        "status": 404,
        "message": "Nothing is served at /no/such/page; /openapi.json lists the paths.",
    }
    assert plain.status_code == 404 and plain.headers["content-type"].startswith("text/plain")
    assert plain.text.startswith("Not Found: Nothing is served at /no/such/page")


def test_a_bad_request_shows_its_status_reason_and_details(server):
    with server.client() as client:
        r = client.get(
            "/browse/Institution", params={"page": "x"}, headers={**HTML, "Accept-Language": "fr"}
        )
    assert r.status_code == 400
    assert h1(r.text) == "400 — Requête incorrecte"
    text = html.unescape(r.text)
    assert "Détails (en anglais)" in text and "Vérifiez l'adresse" in text


def test_the_validation_form_keeps_the_pasted_data_after_an_error(server):
    pasted = "@prefix ex: <http://example.org/> .\nex:a ex:b ex:c ;;; oops <"
    fields = {"text": pasted, "data_format": "turtle", "inference": "rdfs", "ontology": "true"}
    nothing = ("", b"", "application/octet-stream")
    with server.client() as client:
        r = client.post(
            "/validate",
            data=fields,
            files={"data": nothing, "shapes": nothing},
            headers={**HTML, "Accept-Language": "nl"},
        )
    assert r.status_code == 400
    page = r.text
    assert "400 — Ongeldig verzoek" in page and "ze staan hieronder nog" in page
    textarea = re.search(r"<textarea[^>]*>\n(.*?)</textarea>", page, re.S)
    assert textarea and html.unescape(textarea.group(1)) == pasted
    assert '<option value="turtle" selected>' in page
    assert '<option value="rdfs" selected>' in page
    assert 'name="ontology" value="true" checked' in page
    assert 'name="allow_warnings" value="true">' in page  # not ticked: it was not sent


def test_validation_errors_for_machines_are_unchanged(server):
    with server.client() as client:
        r = client.post("/validate", content=b"oops <", headers={"Content-Type": "text/turtle"})
    assert r.status_code == 400 and not r.text.startswith("<!doctype")


@pytest.mark.parametrize(
    "size, lang, text",
    [
        (0, "en", "0\u00a0B"),
        (999, "fr", "999\u00a0o"),
        (1_500, "fr", "1,5\u00a0ko"),
        (1_500, "en", "1.5\u00a0kB"),
        (2_345_678, "nl", "2,3\u00a0MB"),
        (234_567_890, "en", "235\u00a0MB"),
    ],
)
def test_sizes_are_written_as_people_read_them(size, lang, text):
    assert readable_size(size, lang) == text


def test_the_downloads_page_shortens_digests_and_reads_sizes(server):
    with server.client() as client:
        listing = client.get("/download", headers={"Accept": "application/json"}).json()
        page = client.get("/download", headers={**HTML, "Accept-Language": "fr"}).text
    dumps = listing["dumps"] if isinstance(listing, dict) else listing
    assert dumps
    for dump in dumps:
        digest = dump["sha256"]
        assert f'<code title="{digest}">{digest[:12]}…</code>' in page
        assert f'data-copy="{digest}"' in page
        assert f"{readable_size(dump['bytes'], 'fr')}</data>" in page
    assert "Copier l'empreinte SHA-256 de" in html.unescape(page)
    assert '<a href="/download">Téléchargements</a>' in page  # in the site menu
    assert 'data-label="Taille"' in page  # phone cells keep their headers


def test_downloads_is_in_the_menu_of_every_page(server):
    with server.client() as client:
        page = client.get("/", headers={**HTML, "Accept-Language": "nl"}).text
    nav = re.search(r'<nav aria-label="main">(.*?)</nav>', page, re.S)
    assert nav and '<a href="/download">Downloads</a>' in nav.group(1)


def test_an_entity_page_in_dutch_names_its_properties_and_has_one_same_as_line(server):
    with server.client() as client:
        r = client.get("/id/organisation/benelux-union", headers={**HTML, "Accept-Language": "nl"})
    page = html.unescape(r.text)
    assert r.status_code == 200
    assert page.count('class="same-as"') == 1
    same_as = re.search(r'<p class="same-as">(.*?)</p>', page, re.S)
    assert same_as and "Zelfde als" in same_as.group(1)
    assert 'href="http://www.wikidata.org/entity/Q13116" rel="external">Wikidata Q13116' in page
    rows = re.findall(r'<th scope="row"><a [^>]*>([^<]+)</a></th>', page)
    for name in ("beschrijving", "heeft als lid", "heeft als suborganisatie", "onderwerp"):
        assert name in rows, rows
    for raw in ("sameAs", "hasMember", "hasSubOrganization", "subject", "description"):
        assert raw not in rows
    assert ">Q31<" not in page and ">Q13116<" not in page  # no bare ids of inferred copies
    assert "(afgeleid)" in page and "(inferred)" not in page
    assert "SpocWiki" in page  # the same-as line keeps its per-statement sources


def _page(server, path: str, lang: str) -> str:
    with server.client() as client:
        r = client.get(path, headers={**HTML, "Accept-Language": lang})
    assert r.status_code == 200
    return html.unescape(r.text)


def test_a_slide_title_is_not_shown_as_the_description_but_a_definition_is(server):
    union = _page(server, "/id/organisation/benelux-union", "en")
    assert '<p class="lead">' not in union  # its only "description" is slide 2's title
    agreement = _page(server, "/def/Agreement", "fr")
    lead = re.search(r'<p class="lead">(.*?)</p>', agreement, re.S)
    assert lead and lead.group(1).startswith("Instrument écrit conclu entre des parties")


def test_slides_are_sorted_by_number(server):
    page = _page(server, "/id/document/benelux-cooperation-deck", "en")
    numbers = [int(n) for n in re.findall(r">Slide (\d+):", page)]
    assert numbers and numbers == sorted(numbers) and 10 in numbers


def test_a_class_page_shows_no_blank_node_and_names_its_instances(server):
    page = _page(server, "/def/Agreement", "nl")
    assert not re.search(r">_:|>[0-9a-f]{16,}<|>f[0-9a-f]{30,}", page)
    assert "(anoniem knooppunt)" not in page  # list cells of class expressions are left out
    rows = re.findall(r'<th scope="row">([^<]+)</th>', page)
    assert "instanties" in rows and "type" not in rows


def test_the_timeline_lists_milestones_and_agreements_by_year_with_links(server):
    page = _page(server, "/timeline", "fr")
    assert h1(page) == "Chronologie"
    years = [int(y) for y in re.findall(r'<h2 class="year" id="y\d+">(\d{4})</h2>', page)]
    assert years == sorted(years) and years[0] == 1944 and 2008 in years
    assert '<a href="/id/milestone/1944-customs-union">' in page
    assert "Signature" in page and "Étape" in page
    assert '<a href="/timeline">Chronologie</a>' in page  # in the site menu
    assert '<a href="/timeline">Chronologie</a>' in _page(server, "/", "fr")  # and the landing


#: What the organisation page must draw, asked of the graph itself: every institution, every
#: Senningen axis and working group (our own IRIs) with its label in ``lang``.
ORGANISATION = """PREFIX bkg: <https://w3id.org/benelux-kg/def/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?x ?label WHERE {
  { ?x a bkg:Institution } UNION { ?x a bkg:ActionPlanAxis } UNION { ?x a bkg:WorkingGroup }
  ?x rdfs:label ?label FILTER(lang(?label) = "%s")
  FILTER(STRSTARTS(STR(?x), "https://w3id.org/benelux-kg/id/"))
}"""


@pytest.mark.parametrize(
    "lang, heading, role",
    [
        ("fr", "Organisation", "axe principal"),
        ("nl", "Organisatie", "hoofdas"),
        ("en", "Organisation", "main axis"),
    ],
)
def test_the_organisation_draws_every_institution_axis_and_group_with_its_link(
    server, lang, heading, role
):
    page = _page(server, "/organisation", lang)
    assert h1(page) == heading
    with server.client() as client:
        r = client.get(
            "/sparql",
            params={"query": ORGANISATION % lang},
            headers={"Accept": "application/sparql-results+json"},
        )
    found = {b["x"]["value"]: b["label"]["value"] for b in r.json()["results"]["bindings"]}
    kinds = [iri.split("/")[-2] for iri in found]
    assert (kinds.count("institution"), kinds.count("axis"), kinds.count("group")) == (5, 3, 15)
    for iri, label in found.items():
        path = "/" + iri.removeprefix("https://w3id.org/benelux-kg/")
        assert f'<a class="org-box" href="{path}">{label}</a>' in page, label
    assert page.count('class="org-box"') == len(found) + 2  # and the Union, the action plan
    assert f'<span class="org-note">{role}</span>' in page
    assert f'<a href="/organisation">{heading}</a>' in page  # in the site menu
    assert f'<a href="/organisation">{heading}</a>' in _page(server, "/", lang)  # and the landing


@pytest.mark.parametrize("lang, colon", [("fr", "\u00a0:"), ("nl", ":"), ("en", ":")])
def test_a_label_and_its_colon_follow_the_pages_typography(server, lang, colon):
    """French sets a colon off with a no-break space ("trouvé dans : …"); Dutch and English
    do not."""
    union = _page(server, "/id/organisation/benelux-union", lang)
    search = _page(server, "/search?q=raad", lang)
    results = _page(server, "/query?query=ASK%20%7B%7D", lang)
    same_as = re.search(r'<p class="same-as"><strong>[^<]+</strong>([^ ]+) ', union)
    assert same_as and same_as.group(1) == colon
    matched = re.search(r'<p class="matched">[^<]*?(\u00a0:|:) <q', search)
    assert matched and matched.group(1) == colon
    assert re.search(rf'<p class="answer">[^<]*?{colon} <strong', results)
    if lang == "fr":
        assert not re.search(r"\w: <(q|strong|code)", union + search + results)


# --- every link a reader can follow -----------------------------------------------------------

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
#: The links and resources of a page on this site: href of <a>/<link>, src of <script>/<img>
#: (a path, not a scheme-relative "//host/…"). Forms are not links: the language switch's
#: action (/lang) would change the language mid-crawl.
_LOCAL_LINK = re.compile(
    r'<(?:a|link)\b[^>]*?\bhref="(/(?!/)[^"]*)"|<(?:script|img)\b[^>]*?\bsrc="(/(?!/)[^"]*)"'
)
#: A property shown by its bare local name ("contactPoint"): an outside vocabulary's property
#: that i18n._PROPERTIES does not name, so an English word on a French or Dutch page.
_BARE_PROPERTY = re.compile(r'<th scope="row"><a [^>]*>([a-z]+[A-Z][A-Za-z]*)</a></th>')
HOPS = 2


def _local_links(page: str) -> set[str]:
    found = {html.unescape(a or b).split("#")[0] for a, b in _LOCAL_LINK.findall(page)}
    return {link for link in found if link}


def _crawl(server, lang: str, hops: int) -> tuple[dict[str, int], dict[str, str], dict[str, str]]:
    """Breadth-first from the landing page and from what its search box answers, ``hops``
    links deep, as a reader of ``lang``: the status of every URL reached, the page that first
    linked to it, and each HTML page's text."""
    status: dict[str, int] = {}
    frontier = ["/", "/search?q=benelux"]
    linked_from: dict[str, str] = dict.fromkeys(frontier, "(start)")
    pages: dict[str, str] = {}
    headers = {**BROWSER, "Accept-Language": lang}
    with server.client(cookies={"lang": lang}, follow_redirects=True) as client:
        for hop in range(hops + 1):
            following: list[str] = []
            for path in frontier:
                r = client.get(path, headers=headers)
                status[path] = r.status_code
                if not r.headers.get("content-type", "").startswith("text/html"):
                    continue
                pages[path] = r.text
                if hop == hops:
                    continue
                for link in sorted(_local_links(r.text) - linked_from.keys()):
                    linked_from[link] = path
                    following.append(link)
            frontier = following
    return status, linked_from, pages


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_every_link_within_two_hops_of_the_landing_page_resolves(server, lang):
    """A reader who starts at ``/`` and follows links (entity pages, class lists, the ontology,
    named graphs, example queries, downloads, the catalogue …) never meets a dead end, and every
    page answers in the reader's language, naming the properties in it."""
    status, linked_from, pages = _crawl(server, lang, HOPS)
    broken = {path: (code, linked_from[path]) for path, code in status.items() if code != 200}
    assert not broken, f"links that do not resolve (status, linked from): {broken}"
    sections = {path.split("?")[0].split("/")[1] for path in status}
    assert {"id", "def", "browse", "graph", "query", "download", "catalog", "validate"} <= sections
    assert {"/timeline", "/organisation", "/sparql"} <= status.keys()
    assert any(path.startswith("/search?q=benelux&") for path in status)  # its next page
    assert len(pages) > 150, len(pages)  # a real crawl: every class list and entity page
    for path, page in pages.items():
        assert f'<html lang="{lang}">' in page, f"{path} is not in {lang}"
        if lang != "en":
            assert not _BARE_PROPERTY.findall(page), (path, _BARE_PROPERTY.findall(page))
