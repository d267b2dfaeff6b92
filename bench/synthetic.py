"""A seeded, synthetic organisation graph in N-Triples, for the SPARQL benchmark.

The graph looks like a small public-sector registry: a SKOS theme scheme, sites, a forest of
``org:Organization`` (``org:subOrganizationOf``, several levels deep), ``foaf:Person`` members
linked through ``org:Membership``. Labels come in fr/nl/en; dates are ``xsd:date``. Everything
is in the default graph.

The output has exactly ``n`` triples (the last organisation's block may be cut short), and the
same ``(n, seed)`` always gives the same bytes. The IRIs the query mix names (``org/1``,
``org/2``, ``org/3``, ``org/42``, ``theme/5``) exist from 10k triples up::

    python bench/synthetic.py 100k /tmp/org-100k.nt --seed 7

>>> len(list(triples(50, seed=1)))
50
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
from collections.abc import Iterator
from pathlib import Path

__all__ = ["BASE", "SIZES", "generate", "parse_size", "triples"]

BASE = "http://example.org/bench/"
ORG = "http://www.w3.org/ns/org#"
FOAF = "http://xmlns.com/foaf/0.1/"
DCT = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}

ROOTS = 8  # top-level organisations: the forest has this many trees
BRANCHING = 5  # children per organisation, breadth first: depth ~ log5(orgs / 8)
THEMES = 40

#: (fr, nl, en) words for organisation names; "maritime" is the label search's needle.
WORDS = [
    ("maritime", "maritiem", "maritime"),
    ("fluviale", "rivier", "river"),
    ("numérique", "digitaal", "digital"),
    ("énergie", "energie", "energy"),
    ("transport", "vervoer", "transport"),
    ("santé", "gezondheid", "health"),
    ("emploi", "werk", "employment"),
    ("climat", "klimaat", "climate"),
    ("culture", "cultuur", "culture"),
    ("sécurité", "veiligheid", "security"),
    ("agriculture", "landbouw", "agriculture"),
    ("recherche", "onderzoek", "research"),
]
KINDS = [
    ("Agence", "Agentschap", "Agency"),
    ("Office", "Bureau", "Office"),
    ("Direction", "Directie", "Directorate"),
    ("Service", "Dienst", "Service"),
    ("Conseil", "Raad", "Council"),
]
CITIES = ["Bruxelles", "Luxembourg", "Den Haag", "Antwerpen", "Liège", "Namur", "Utrecht"]
GIVEN = ["Anne", "Bart", "Chloé", "Daan", "Emma", "Femke", "Gilles", "Hugo", "Inès", "Jan"]
FAMILY = ["Peeters", "Janssens", "Dubois", "Schmit", "de Vries", "Maes", "Lambert", "Weber"]
ROLES = ["chair", "member", "secretary", "treasurer", "observer", "expert"]


def iri(path: str) -> str:
    return f"<{BASE}{path}>"


def _lit(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    if lang:
        return f'"{escaped}"@{lang}'
    return f'"{escaped}"^^<{datatype}>' if datatype else f'"{escaped}"'


def _t(s: str, p: str, o: str) -> str:
    return f"{s} <{p}> {o} ."


def _date(rng: random.Random) -> str:
    return _lit(
        f"{rng.randint(1950, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        datatype=XSD_DATE,
    )


def _themes() -> Iterator[str]:
    scheme = iri("themes")
    yield _t(scheme, RDF_TYPE, f"<{SKOS}ConceptScheme>")
    for i in range(THEMES):
        theme = iri(f"theme/{i}")
        yield _t(theme, RDF_TYPE, f"<{SKOS}Concept>")
        yield _t(theme, SKOS + "inScheme", scheme)
        fr, nl, en = WORDS[i % len(WORDS)]
        for word, lang in ((fr, "fr"), (nl, "nl"), (en, "en")):
            yield _t(theme, SKOS + "prefLabel", _lit(f"{word} {i}", lang))
        if i >= len(WORDS):
            yield _t(theme, SKOS + "broader", iri(f"theme/{i % len(WORDS)}"))


def _site(i: int, rng: random.Random) -> Iterator[str]:
    site = iri(f"site/{i}")
    yield _t(site, RDF_TYPE, f"<{ORG}Site>")
    yield _t(site, RDFS_LABEL, _lit(f"Site {i}", "en"))
    yield _t(site, DCT + "spatial", _lit(rng.choice(CITIES)))


def _organisation(i: int, rng: random.Random) -> Iterator[str]:
    org = iri(f"org/{i}")
    yield _t(org, RDF_TYPE, f"<{ORG}Organization>")
    (wfr, wnl, wen), (kfr, knl, ken) = rng.choice(WORDS), rng.choice(KINDS)
    yield _t(org, RDFS_LABEL, _lit(f"{kfr} {wfr} {i}", "fr"))
    yield _t(org, RDFS_LABEL, _lit(f"{knl} {wnl} {i}", "nl"))
    yield _t(org, RDFS_LABEL, _lit(f"{ken} {wen} {i}", "en"))
    yield _t(org, DCT + "created", _date(rng))
    yield _t(org, DCT + "identifier", _lit(f"ORG-{i:07d}"))
    if i >= ROOTS:
        yield _t(org, ORG + "subOrganizationOf", iri(f"org/{(i - ROOTS) // BRANCHING}"))
    for theme in sorted(rng.sample(range(THEMES), rng.randint(1, 2))):
        yield _t(org, DCT + "subject", iri(f"theme/{theme}"))
    if rng.random() < 0.5:
        yield _t(org, FOAF + "homepage", f"<https://org{i}.example.org/>")
    if rng.random() < 0.8:
        yield _t(org, ORG + "hasSite", iri(f"site/{i // 4}"))
    if i % 4 == 0:
        yield from _site(i // 4, rng)


def _person(i: int, org: int, orgs_so_far: int, rng: random.Random) -> Iterator[str]:
    person = iri(f"person/{i}")
    yield _t(person, RDF_TYPE, f"<{FOAF}Person>")
    yield _t(person, FOAF + "name", _lit(f"{rng.choice(GIVEN)} {rng.choice(FAMILY)} {i}"))
    if rng.random() < 0.1:
        return  # a person with no membership
    targets = [org] + ([rng.randrange(orgs_so_far)] if rng.random() < 0.2 else [])
    for n, target in enumerate(targets):
        yield from _membership(f"membership/{i}-{n}", person, target, rng)


def _membership(path: str, person: str, org: int, rng: random.Random) -> Iterator[str]:
    m = iri(path)
    yield _t(m, RDF_TYPE, f"<{ORG}Membership>")
    yield _t(m, ORG + "member", person)
    yield _t(m, ORG + "organization", iri(f"org/{org}"))
    yield _t(m, ORG + "role", iri(f"role/{rng.choice(ROLES)}"))
    yield _t(m, DCT + "created", _date(rng))


def _unbounded(seed: int) -> Iterator[str]:
    rng = random.Random(seed)
    yield from _themes()
    people = itertools.count()
    for i in itertools.count():
        yield from _organisation(i, rng)
        for _ in range(rng.randint(0, 6)):
            yield from _person(next(people), i, i + 1, rng)


def triples(n: int, seed: int = 0) -> Iterator[str]:
    """The first ``n`` N-Triples lines (without newlines) of the graph for ``seed``."""
    return itertools.islice(_unbounded(seed), n)


def generate(n: int, path: Path, seed: int = 0) -> int:
    """Write ``n`` triples to ``path`` as N-Triples; return the count written."""
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for line in triples(n, seed):
            out.write(line + "\n")
            count += 1
    return count


def parse_size(text: str) -> int:
    """``10k`` → 10000, ``1M`` → 1000000, ``2500`` → 2500."""
    text = text.strip().lower()
    if text in SIZES:
        return SIZES[text]
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("size", help="number of triples: 10k, 100k, 1M or a number")
    parser.add_argument("out", type=Path, help="the N-Triples file to write")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    written = generate(parse_size(args.size), args.out, args.seed)
    print(f"{written} triples → {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
