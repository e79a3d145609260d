"""Finnish text processing: normalization, non-answer detection, segmentation, lemmas and compound parts.

Normalization, non-answers and segmentation are pure ``str -> ...`` functions.
Tokens come from the spaCy pipeline ``spacy_fi_experimental_web_md`` (tokenizer only); lemmas,
word classes and compound parts from libvoikko, cached per word form, with ambiguous forms
resolved by how often each candidate lemma occurs unambiguously in the same answers.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from typing import Sequence

# ---------------------------------------------------------------- normalization

_SPACE_RE = re.compile(r"[^\S\n]+")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "´": "'", "`": "'"})
_CONTROL_RE = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\ufeff]")


def normalize(text: str) -> str:
    """Return ``text`` NFC-normalized, with uniform quotes, no control characters, one space between words.

    Line breaks are kept (they separate list items); blank lines are dropped.
    """
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL_RE.sub("", text.translate(_QUOTES).replace("\u00a0", " "))
    lines = (_SPACE_RE.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def truncate(text: str, max_chars: int) -> str:
    """Return ``text`` cut to at most ``max_chars`` characters, at the last word boundary before the limit when there is one."""
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    space = cut.rfind(" ", max_chars // 2)
    return cut[:space] if space > 0 else cut


def flat(text: str) -> str:
    """Return ``text`` on one line (line breaks become spaces), as embedders see it."""
    return " ".join(text.split())


# ---------------------------------------------------------------- non-answers

#: reason code -> canonical phrases (lower case, no punctuation); typo-tolerant matching is applied
NONANSWER_PHRASES: dict[str, tuple[str, ...]] = {
    "dont_know": (
        "en osaa sanoa", "eos", "en tiedä", "en tieda", "emt", "en mä tiiä", "en tiiä", "ei osaa sanoa",
        "vaikea sanoa", "vaikee sanoa", "en osaa", "en osaa kommentoida", "en pysty sanomaan",
        "en osaa vastata", "ei tietoa", "en ole varma", "en tunne asiaa", "ei aavistustakaan",
        "en muista", "en tiedä mitään", "kyssäri", "dont know", "don't know", "vet ej", "idk",
        "en ole perehtynyt asiaan", "en ole perehtynyt", "en ole tarpeeksi perehtynyt", "en ole riittävästi perehtynyt", "en keksi mitään", "en keksi", "ei tule mieleen",
        "ei tule mitään mieleen", "en osaa arvioida", "vaikea arvioida",
    ),
    "no_comment": (
        "ei kommentteja", "ei kommenttia", "ei mitään lisättävää", "ei lisättävää", "ei mitään",
        "ei ole", "ei", "ei muuta", "ei ole lisättävää", "ei muuta lisättävää", "ei ole kommentoitavaa",
        "ei kommentoitavaa", "no comment", "no comments", "ei vastausta", "ohi", "pass", "ei mielipidettä",
    ),
    "see_above": (
        "sama kuin edellä", "kts edellinen vastaus", "ks edellinen vastaus", "katso edellinen vastaus",
        "kts edellinen", "ks edellinen", "ks yllä", "kts yllä", "katso yllä", "sama kuin yllä",
        "kuten edellä", "edellä mainittu", "sama kuin edellisessä", "ks edellä", "kts edellä", "sama",
        "samat kuin edellä", "vastasin jo", "kuten yllä", "sama vastaus kuin edellä",
    ),
    "placeholder": ("x", "xx", "xxx", "xxxx", "n a", "na", "nan", "null", "none", "tyhjä", "asdf", "test", "testi", "aa", "k", "o"),
}
#: words that may trail a non-answer phrase without making it an answer ("en osaa sanoa tähän")
_TRAILING_FILLER = frozenset(
    "tähän nyt mitään enempää oikein tällä hetkellä hetkellä tätä asiaa asiaan aiheeseen tästä kyllä valitettavasti sen kummemmin "
    "kummemmin sitten juuri vielä muuta".split()
)
_PUNCT_ONLY_RE = re.compile(r"^[\W_]*$")
_WORD_RE = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")


def _canonical(text: str) -> str:
    return " ".join(_WORD_RE.findall(text.lower()))


@functools.lru_cache(maxsize=1)
def _phrase_table() -> dict[str, str]:
    return {phrase: reason for reason, phrases in NONANSWER_PHRASES.items() for phrase in phrases}


def detect_nonanswer(text: str | None, fuzzy: float = 0.86) -> str | None:
    """Return the reason code why ``text`` is not a real answer, or None when it is one.

    Codes: ``empty``, ``punctuation`` (only punctuation or symbols), ``placeholder`` ("xx", "-"),
    ``dont_know`` ("en osaa sanoa", "eos"), ``no_comment`` ("ei kommentteja"), ``see_above``
    ("sama kuin edellä"). Matching ignores case and punctuation, allows filler words after the
    phrase ("en osaa sanoa tähän") and tolerates typos (``fuzzy`` = difflib similarity).
    """
    if text is None or not str(text).strip():
        return "empty"
    text = str(text)
    if _PUNCT_ONLY_RE.match(text):
        return "punctuation"
    canon = _canonical(text)
    if len(canon.split()) > 12:
        return None
    reason = _match_phrase(canon, fuzzy)
    if reason:
        return reason
    # several clauses, each of them a non-answer ("En ole perehtynyt asiaan, joten en osaa sanoa.")
    clauses = [c for c in re.split(r"[,.;:!?]+|\s(?=joten\s|eli\s)", text.lower()) if _canonical(c)]
    if len(clauses) > 1:
        reasons = [_match_phrase(_canonical(re.sub(r"^\s*(joten|eli)\s", "", c)), fuzzy) for c in clauses]
        if all(reasons):
            return reasons[-1]
    return None


def _match_phrase(canon: str, fuzzy: float) -> str | None:
    """Return the reason of a known phrase matching ``canon`` (typos tolerated), or None."""
    table = _phrase_table()
    if canon in table:
        return table[canon]
    words = canon.split()
    for cut in range(len(words) - 1, 0, -1):  # a known phrase followed only by filler words
        head, tail = " ".join(words[:cut]), words[cut:]
        if head in table and all(w in _TRAILING_FILLER for w in tail):
            return table[head]
    if len(canon) >= 5:
        close = difflib.get_close_matches(canon, _fuzzy_phrases(), n=1, cutoff=fuzzy)
        if close:
            return table[close[0]]
    return None


@functools.lru_cache(maxsize=1)
def _fuzzy_phrases() -> list[str]:
    """Phrases long enough for typo-tolerant matching ("eos" must match exactly)."""
    return sorted(p for p in _phrase_table() if len(p) >= 5)


# ---------------------------------------------------------------- segmentation

_BULLET_RE = re.compile(r"^\s*(?:[-–—•*·]|\d{1,2}[.)]|[a-z][)])\s+")
_SENTENCE_RE = re.compile(r"(?<=[.!?…])\s+(?=[\"'(]?[A-ZÅÄÖ0-9])|;\s+")
_CLAUSE_RE = re.compile(r",?\s+(?=mutta\s|toisaalta\s|kun taas\s)", re.IGNORECASE)


def segment(text: str, min_words: int = 3) -> list[str]:
    """Return the sentences and clauses of an answer, in order (list items and 'mutta' clauses split).

    Pieces shorter than ``min_words`` words are merged into their neighbour so that every
    segment can be scored on its own.
    """
    pieces: list[str] = []
    for line in normalize(text).split("\n"):
        line = _BULLET_RE.sub("", line)
        for sentence in _SENTENCE_RE.split(line):
            pieces.extend(p.strip(" ,") for p in _CLAUSE_RE.split(sentence))
    pieces = [p for p in pieces if p]
    merged: list[str] = []
    for piece in pieces:
        if merged and (len(piece.split()) < min_words or len(merged[-1].split()) < min_words):
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece)
    return merged


# ---------------------------------------------------------------- lemmas, compounds, word lists (own modules)

from .compounds import compound_parts, counted_parts  # noqa: E402
from .lemmas import CONTENT_CLASSES, SPACY_EXCLUDE, SPACY_MODEL, FinnishAnalyzer, Lemma, Token  # noqa: E402
from .lexicon import stop_lemmas  # noqa: E402

__all__ = [
    "CONTENT_CLASSES", "SPACY_EXCLUDE", "SPACY_MODEL", "FinnishAnalyzer", "Lemma", "Token", "compound_parts", "counted_parts",
    "detect_nonanswer", "flat", "normalize", "segment", "stop_lemmas", "truncate",
]
