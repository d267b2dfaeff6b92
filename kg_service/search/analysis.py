"""Text analysis for search: the same steps for the index and for a query, per language.

A text is cut into words at anything that is not a letter or a digit (so ``l'ambition`` gives
``l`` and ``ambition``), case and accents are folded (``Coopération`` → ``cooperation``,
``œuvre`` → ``oeuvre``), and each word is stemmed with the Snowball stemmer of the text's
language (PyStemmer: French, Dutch, English). Words are folded *before* they are stemmed, so a
reader who types without accents gets the stem the index holds (``securite`` and ``sécurité``
both give ``securit``); a text without a language tag is not stemmed.

>>> analyse("Les coopérations", "fr")
Analysed(words=('les', 'cooperations'), stems=('le', 'cooper'))
>>> analyse("samenwerkingen", "nl").stems
('samenwerk',)
"""

from __future__ import annotations

import re
import threading
import unicodedata
from typing import NamedTuple

import Stemmer

__all__ = ["LANGUAGES", "Analysed", "analyse", "fold", "stem", "words"]

#: The languages the graph speaks, with their Snowball stemmers.
LANGUAGES = {"fr": "french", "nl": "dutch", "en": "english"}

#: Letters NFKD does not take apart.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ı": "i"})
_WORD = re.compile(r"[^\W_]+")


class Analysed(NamedTuple):
    """A text as the index sees it: its folded words, and their stems (same order)."""

    words: tuple[str, ...]
    stems: tuple[str, ...]


def fold(text: str) -> str:
    """Lower case without accents or ligatures (``Œuvre Économique`` → ``oeuvre economique``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> tuple[str, ...]:
    """The folded words of ``text``, in order."""
    return tuple(_WORD.findall(fold(text)))


_local = threading.local()


def _stemmer(lang: str) -> Stemmer.Stemmer | None:
    """This thread's stemmer for ``lang`` (PyStemmer's stemmers are not thread-safe)."""
    name = LANGUAGES.get(lang)
    if name is None:
        return None
    mine = _local.__dict__.setdefault("stemmers", {})
    if name not in mine:
        mine[name] = Stemmer.Stemmer(name)
    return mine[name]


def stem(folded: tuple[str, ...], lang: str | None) -> tuple[str, ...]:
    """The stems of already folded words in ``lang`` (unchanged for another language)."""
    stemmer = _stemmer(lang or "")
    if stemmer is None:
        return folded
    return tuple(stemmer.stemWords(folded))


def analyse(text: str, lang: str | None) -> Analysed:
    """Words and stems of ``text`` written in ``lang`` (``None``: no language tag)."""
    found = words(text)
    return Analysed(found, stem(found, lang))
