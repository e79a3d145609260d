"""Finnish text processing: normalization and segmentation, pure ``str -> ...`` functions.

The rest of the Finnish layer has modules of its own in this package (see ``avovastaus/finnish/__init__.py``).
"""

from __future__ import annotations

import re
import unicodedata

# ---------------------------------------------------------------- normalization

_SPACE_RE = re.compile(r"[^\S\n]+")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "´": "'", "`": "'"})
_CONTROL_RE = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\ufeff]")
_QUOTE_RE = re.compile("[“”„«»‘’´`]")  # the characters _QUOTES maps: translate only texts that hold one (translate costs ~25 µs a text)


def normalize(text: str) -> str:
    """Return ``text`` NFC-normalized, with uniform quotes, no control characters, one space between words.

    Line breaks are kept (they separate list items); blank lines are dropped.
    """
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL_RE.sub("", (text.translate(_QUOTES) if _QUOTE_RE.search(text) else text).replace("\u00a0", " "))
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
