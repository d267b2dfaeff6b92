"""Full-text search over the graph's labels, alternative labels, descriptions and definitions.

* :mod:`.analysis`: words folded (case, accents), Snowball stems in fr/nl/en (PyStemmer);
* :mod:`.query`: a search request, checked (odd input is a ``400`` with a sentence);
* :mod:`.index`: the index, one immutable SQLite FTS5 file: written from quads, then searched;
* :mod:`.generations`: one index per store generation, built in the background; readers keep
  the previous index until the next one is published;
* :mod:`.service`: ``SERVICE <https://w3id.org/benelux-kg/search> { … }`` in SPARQL, answered
  from the index before the engine runs.

Why SQLite FTS5: it is in Python's standard library (no binary of ours to build or fetch), an
index is one file that every HTTP process opens read-only, and since the analysis is ours
(folding, stems per language, prefix of the last word), FTS5 only has to find words; its
prefix indexes make type-ahead cheap.
"""
