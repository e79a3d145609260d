"""List answers: the items of an enumeration ("nälänhätä, sodat ja ilmastonmuutos"), and whether a question is answered in lists.

An answer to "Maailman kolme suurinta ongelmaa ovat…" names several things; each is coded on its own.
:func:`list_items` finds the items of one answer (bullet and numbered lines, inline numbering,
semicolons, slashes, commas, *ja* / *sekä* / *tai* / *&* / *+* between short phrases) and returns the
answer whole when it is not a list: a clause that starts with *koska*, *jotta*, *mutta*… explains the
item before it and stays with it, and a part that reads like a sentence of its own (too many words)
means the answer is prose. :func:`question_kind` calls a question a list question when most of its
answers are lists. Pure functions of the text.
"""

from __future__ import annotations

import re
from typing import Iterable, Literal

#: an item longer than this many words is a sentence, not a list item
MAX_ITEM_WORDS = 6
#: an item with its explanation ("sodat, koska ne tappavat") may run this long
MAX_EXPLAINED_WORDS = 16
#: a question is a list question when at least this share of its (non-empty) answers are lists
LIST_SHARE = 0.45
#: words that make a part a clause (it says something of something) rather than a named item
_FINITE = frozenset("on ovat oli olivat ole olla olisi olisivat ei eivät emme en et eikä eivätkä emmekä voi voisi voidaan pitää pitäisi "
                    "pitäis täytyy tulee tulevat tarvitaan saa saadaan saisi toimii toimivat riittää riitä".split())
_FINITE_ENDINGS = ("mme", "vat", "vät", "taan", "tään", "ttiin", "tiin", "isi", "uu", "yy", "ee")

_BULLET = re.compile(r"^\s*(?:[-*•·–—>]+|\(?\d{1,2}[.):]|\(?[a-zA-Z][.)])\s*")
_INLINE_NUMBER = re.compile(r"(?:^|\s)\(?\d{1,2}[.)]\s*(?=[^\W\d_])")
_INLINE_DASH = re.compile(r"(?:^|\s)[-•*]\s*(?=[^\W\d_])")
_HARD_SEPARATOR = re.compile(r"\s*[;/|]\s*|\s*\n\s*")
#: a part that starts with one of these explains the item before it
_EXPLAINS = re.compile(
    r"^(?:koska|kun|jotta|mutta|joten|sillä|eli|esim(?:erkiksi)?\.?|kuten|ja\s+se|mikä|joka|jotka|varsinkin|etenkin|erityisesti|siis|vaikka)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+", re.UNICODE)
_TRAILING = re.compile(r"^[\s.,:;!?…-]+|[\s.,:;!?…-]+$")
_LEADING_CONJUNCTION = re.compile(r"^(?:ja|sekä|tai|and)\s+", re.IGNORECASE)
#: what explains an item inside it: a spaced dash or a parenthesis ("korruptio - rahat ei mene perille", "valtiot (rahat katoaa)")
_EXPLANATION = re.compile(r"\s[-–—]\s.*$|\s*\(.*$")
_CONJUNCTION = re.compile(r"\s+(?:ja|sekä|tai|&|and)\s+", re.IGNORECASE)


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _is_clause(item: str) -> bool:
    """Return whether a part reads as a clause (a finite verb: *on*, *ei*, *tapaamme*, *rikastuu*), not as a named thing."""
    words = [w.lower() for w in _WORD.findall(_head(item))]
    return len(words) > 1 and any(w in _FINITE or (len(w) >= 6 and w.endswith(_FINITE_ENDINGS)) for w in words)


def _clean(item: str) -> str:
    return _LEADING_CONJUNCTION.sub("", _TRAILING.sub("", _BULLET.sub("", item)).strip())


def _head(item: str) -> str:
    """Return the item without its explanation (an explaining clause after a comma, a spaced dash, a parenthesis)."""
    return _EXPLANATION.sub("", item.split(",")[0])


def _soft_split(part: str) -> list[str]:
    """Split one part at commas and conjunctions; an explaining clause stays with the item before it, and a
    genitive joined by *ja* stays with the head it modifies ("rikkaiden ja köyhien välinen kuilu")."""
    pieces: list[str] = []
    for comma_piece in re.split(r"\s*,\s*|\s*\+\s*", part):
        words = _CONJUNCTION.split(comma_piece)
        joined: list[str] = []
        for w in words:
            if joined and _words(joined[-1]) == 1 and joined[-1].lower().endswith("n") and _words(w) >= 2:
                joined[-1] = f"{joined[-1]} ja {w}"
            else:
                joined.append(w)
        pieces.extend(joined)
    merged: list[str] = []
    for piece in (p for p in (_clean(x) for x in pieces) if p):
        if merged and _EXPLAINS.match(piece):
            merged[-1] = f"{merged[-1]}, {piece}"
        else:
            merged.append(piece)
    return merged


def list_items(text: str) -> list[str]:
    """Return the items of a list answer, or ``[text]`` (stripped) when the answer is not a list.

    >>> list_items("nälänhätä, sodat ja ilmastonmuutos")
    ['nälänhätä', 'sodat', 'ilmastonmuutos']
    >>> list_items("Kunta ei vastaa viesteihin, ja avustukset ovat pienentyneet vuosi vuodelta.")
    ['Kunta ei vastaa viesteihin, ja avustukset ovat pienentyneet vuosi vuodelta.']
    """
    whole = str(text).strip()
    if not whole:
        return [whole]
    lines = [line for line in whole.split("\n") if _clean(line)]
    if len(lines) == 1 and len(_INLINE_NUMBER.findall(whole)) >= 2:  # "1. sota 2. nälkä 3. ilmasto"
        parts = [p for p in _INLINE_NUMBER.split(whole) if _clean(p)]
    elif len(lines) == 1 and whole[:1] in "-•*" and len(_INLINE_DASH.findall(whole)) >= 2:  # "-ahneus -korruptio -liikaa ihmisiä"
        parts = [p for p in _INLINE_DASH.split(whole) if _clean(p)]
    else:
        parts = [p for line in lines for p in _HARD_SEPARATOR.split(_BULLET.sub("", line)) if _clean(p)]
    items = [item for part in parts for item in _soft_split(part)]
    if len(items) < 2:
        return [whole]
    plain = [_head(i) for i in items if "," not in i]  # items without an explaining clause
    listed = len(parts) >= 2  # lines, numbers, bullets or semicolons: the writer made a list
    prose = (any(_words(i) > MAX_EXPLAINED_WORDS for i in items) or any(_words(i) > MAX_ITEM_WORDS for i in plain)
             or (not listed and 2 * sum(_is_clause(i) for i in items) >= len(items)))  # clauses joined by commas and "ja": prose
    if prose:
        return [_clean(p) for p in parts] if listed else [whole]
    return items


def is_list(text: str) -> bool:
    """Return whether the answer lists two or more items."""
    return len(list_items(text)) > 1


def question_kind(answers: Iterable[str]) -> Literal["list", "text"]:
    """Return ``list`` when at least :data:`LIST_SHARE` of the non-empty answers are lists of short items, else ``text``."""
    texts = [t for t in answers if str(t).strip()]
    if not texts:
        return "text"
    lists = sum(1 for t in texts if is_list(t))
    return "list" if lists / len(texts) >= LIST_SHARE else "text"
