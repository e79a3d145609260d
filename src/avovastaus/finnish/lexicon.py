"""The curated Finnish word lists shipped in ``avovastaus/finnish/data/``, read once per process.

Each list is plain UTF-8 text that a linguist can edit without touching code: one entry per line, ``#``
starts a comment, tab-separated columns where a list has several. What each list is for is said at the
top of the file itself and in ``data/README.md``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources


def data_rows(name: str) -> list[list[str]]:
    """Return the non-comment lines of ``data/<name>`` split on tabs (single-column lists: one-item rows)."""
    text = resources.files("avovastaus.finnish").joinpath(f"data/{name}").read_text(encoding="utf-8")
    rows = []
    for line in text.splitlines():
        line = line.split("#")[0].rstrip()
        if line.strip():
            rows.append([cell.strip() for cell in line.split("\t")])
    return rows


def _words(name: str) -> frozenset[str]:
    return frozenset(row[0].lower() for row in data_rows(name))


@functools.lru_cache(maxsize=1)
def stop_lemmas() -> frozenset[str]:
    """Return the curated lemma-level stop list (``data/stop_lemmas_fi.txt``)."""
    return frozenset(w for line in data_rows("stop_lemmas_fi.txt") for w in line[0].split() if w)


@dataclass(frozen=True)
class LemmaException:
    """One row of ``lemma_exceptions_fi.tsv``: the lemma of ``form`` where every context holds."""

    form: str
    lemma: str
    function: bool
    contexts: tuple[str, ...]


@functools.lru_cache(maxsize=1)
def lemma_exceptions() -> dict[str, tuple[LemmaException, ...]]:
    """Return the exceptions table by lower-cased form, rows in file order."""
    table: dict[str, list[LemmaException]] = {}
    for row in data_rows("lemma_exceptions_fi.tsv"):
        form, lemma, kind = row[0].lower(), row[1].lower(), row[2]
        if kind not in ("function", "content"):
            raise ValueError(f"lemma_exceptions_fi.tsv: kind of {form!r} must be 'function' or 'content', not {kind!r}")
        contexts = tuple(row[3].split()) if len(row) > 3 else ()
        table.setdefault(form, []).append(LemmaException(form, lemma, kind == "function", contexts))
    return {form: tuple(rows) for form, rows in table.items()}


@functools.lru_cache(maxsize=1)
def spoken_forms() -> dict[str, str]:
    """Return spoken form -> standard form (``spoken_fi.tsv``), lower case."""
    return {row[0].lower(): row[1].lower() for row in data_rows("spoken_fi.tsv")}


@functools.lru_cache(maxsize=1)
def whole_compounds() -> frozenset[str]:
    """Return the lexicalised compounds that stay whole (``compounds_whole_fi.txt``)."""
    return _words("compounds_whole_fi.txt")


@functools.lru_cache(maxsize=1)
def generic_heads() -> frozenset[str]:
    """Return the last parts too generic to stand for a compound (``generic_heads_fi.txt``)."""
    return _words("generic_heads_fi.txt")


@functools.lru_cache(maxsize=1)
def participle_adjectives() -> frozenset[str]:
    """Return the participles that keep their own lemma (``participle_adjectives_fi.txt``)."""
    return _words("participle_adjectives_fi.txt")


@functools.lru_cache(maxsize=1)
def lemma_map() -> dict[str, str]:
    """Return Voikko base form -> the lemma used here (``lemma_map_fi.tsv``: talkoo -> talkoot, ken -> kuka)."""
    return {row[0].lower(): row[1].lower() for row in data_rows("lemma_map_fi.tsv")}


@functools.lru_cache(maxsize=1)
def nonanswer_forms() -> dict[str, str]:
    """Return the non-answer filter's form -> standard form table (``nonanswer_fi.tsv``), lower case.

    ``spoken_fi.tsv`` is read first and ``nonanswer_fi.tsv`` overrides it; a one-column row of
    ``nonanswer_fi.tsv`` (a standard word the rules use, a target for typo matching) maps to itself.
    """
    table = dict(spoken_forms())
    for row in data_rows("nonanswer_fi.tsv"):
        form = row[0].lower()
        table[form] = row[1].lower() if len(row) > 1 and row[1] else form
    return table


@functools.lru_cache(maxsize=1)
def nonanswer_vocabulary() -> frozenset[str]:
    """Return the standard words of ``nonanswer_fi.tsv`` (its one-column rows): the targets of typo matching."""
    return frozenset(row[0].lower() for row in data_rows("nonanswer_fi.tsv") if len(row) == 1 or not row[1])
