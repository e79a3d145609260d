"""Evaluator decisions applied to a run: replay over its tables, and carry-over to a new run.

A decision names themes by id and answers by ``id/question``. Replaying the journal over the
run's own tables gives the reviewed state the web app shows. Carrying decisions to a new run
(same or new answers) first translates ids: codebook themes keep their ids, discovered themes
map to the new theme sharing the most member texts (Jaccard ≥ 0.3), answers map by id and
question when the text is unchanged, else by identical text. What cannot be translated or
applied is reported with the reason, never dropped silently.
"""

from __future__ import annotations

import bisect
import copy
import hashlib
import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from .finnish import flat, normalize
from .journal import SPECS, Decision, Journal, Kind, in_force
from .rundir import answer_key, load_run

MIN_THEME_OVERLAP = 0.3
#: membership versions, unique across all states of a process (a cache keyed by one never confuses two states)
_STAMPS = itertools.count(1)


class NotApplicable(Exception):
    """A decision that cannot be applied to this run, with the reason."""


def text_key(text: str) -> str:
    """Return a hash of an answer's normalized text (answers are matched across runs by it)."""
    return hashlib.sha256(flat(normalize(str(text))).lower().encode()).hexdigest()[:20]


@dataclass
class Reviewed:
    """The themes of every analysed answer and the theme catalogue, after decisions.

    Change ``themes`` only through :meth:`apply`: it keeps an index of each theme's members, so that
    a decision costs in proportion to the answers it changes, not to the survey.
    """

    themes: dict[str, list[str]]
    labels: dict[str, str]
    descriptions: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    merged: dict[str, str] = field(default_factory=dict)
    verdicts: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    notes: list[dict[str, Any]] = field(default_factory=list)
    applied: list[int] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    #: theme -> a number that changes whenever the theme's members change (for caches of per-theme figures)
    stamps: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)
    _index: dict[str, set[str]] = field(default_factory=dict, init=False, repr=False, compare=False)
    _order: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)
    _sorted: dict[str, list[str]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._order = {key: i for i, key in enumerate(self.themes)}
        for key, ts in self.themes.items():
            for theme in ts:
                self._index.setdefault(theme, set()).add(key)
        self.stamps = {theme: next(_STAMPS) for theme in self._index}

    @classmethod
    def from_tables(cls, answers: pd.DataFrame, themes: pd.DataFrame) -> "Reviewed":
        analysed = answers[answers["excluded"] == ""]
        return cls(
            themes={answer_key(r.id, r.question): [t for t in str(r.themes).split(";") if t] for r in analysed.itertuples()},
            labels=dict(zip(themes["theme"], themes["label"])),
            sources=dict(zip(themes["theme"], themes["source"])),
        )

    def copy(self) -> "Reviewed":
        """Return an independent copy (applying decisions to it leaves this state as it is)."""
        other = copy.copy(self)
        other.themes = {key: list(ts) for key, ts in self.themes.items()}
        other._index = {theme: set(keys) for theme, keys in self._index.items()}
        for name in ("labels", "descriptions", "sources", "merged", "verdicts", "stamps", "_sorted"):
            setattr(other, name, dict(getattr(self, name)))
        other.notes, other.applied, other.skipped = list(self.notes), list(self.applied), list(self.skipped)
        return other  # _order is shared: the answers of a state never change

    def primary(self, key: str) -> str | None:
        themes = self.themes.get(key) or []
        return themes[0] if themes else None

    def members(self, theme: str) -> list[str]:
        """Return the keys of the theme's answers in the run's answer order (a shared list: do not modify it)."""
        if theme not in self._sorted:
            self._sorted[theme] = sorted(self._index.get(theme, ()), key=self._order.__getitem__)
        return self._sorted[theme]

    def size(self, theme: str) -> int:
        """Return how many answers carry the theme."""
        return len(self._index.get(theme, ()))

    def _set_themes(self, key: str, updated: list[str], bulk: bool = False) -> None:
        """Give one answer new themes; ``bulk``: one of many changes to the same themes (sorted lists are rebuilt once, later)."""
        before, after = set(self.themes[key]), set(updated)
        for theme in before - after:
            self._index[theme].discard(key)
            self._changed(theme, key, added=False, bulk=bulk)
        for theme in after - before:
            self._index.setdefault(theme, set()).add(key)
            self._changed(theme, key, added=True, bulk=bulk)
        self.themes[key] = updated

    def _changed(self, theme: str, key: str, added: bool, bulk: bool) -> None:
        self.stamps[theme] = next(_STAMPS)
        cached = self._sorted.pop(theme, None)
        if cached is None or bulk:
            return
        position = self._order.__getitem__
        at = bisect.bisect_left(cached, position(key), key=position)
        # a new list, not an edit in place: a caller may still hold the old one
        self._sorted[theme] = [*cached[:at], key, *cached[at:]] if added else [*cached[:at], *cached[at + 1 :]]

    def _require_theme(self, theme: str) -> None:
        if theme not in self.labels:
            where = f" (merged into {self.merged[theme]})" if theme in self.merged else ""
            raise NotApplicable(f"theme {theme} does not exist{where}")

    def _require_answer(self, key: str) -> None:
        if key not in self.themes:
            raise NotApplicable(f"answer {key} is not among the analysed answers")

    def apply(self, d: Decision) -> None:
        """Apply one decision; raises :class:`NotApplicable` with the reason when it cannot be."""
        if d.problem:
            raise NotApplicable(d.problem)
        step = {
            Kind.RENAME: self._rename, Kind.MERGE: self._merge, Kind.SPLIT: self._split,
            Kind.MOVE: self._move, Kind.VERDICT: self._verdict, Kind.NOTE: self._note,
        }.get(d.kind)  # type: ignore[call-overload]
        if step is None:
            raise NotApplicable(f"unknown decision kind {d.kind}")
        step(d, d.payload)
        self.applied.append(d.seq)

    def _rename(self, d: Decision, p: dict[str, Any]) -> None:
        self._require_theme(p["theme"])
        self.labels[p["theme"]] = p["label"]
        if p.get("description"):
            self.descriptions[p["theme"]] = p["description"]

    def _merge(self, d: Decision, p: dict[str, Any]) -> None:
        source, target = p["source"], p["target"]
        self._require_theme(source)
        self._require_theme(target)
        if source == target:
            raise NotApplicable("a theme cannot be merged into itself")
        for key in list(self._index.get(source, ())):
            self._set_themes(key, list(dict.fromkeys(target if t == source else t for t in self.themes[key])), bulk=True)
        del self.labels[source]
        self.merged[source] = target

    def _split(self, d: Decision, p: dict[str, Any]) -> None:
        self._require_theme(p["theme"])
        if p["new_theme"] in self.labels:
            raise NotApplicable(f"theme id {p['new_theme']} is already in use")
        moved = [k for k in p["answers"] if p["theme"] in self.themes.get(k, [])]
        if not moved:
            raise NotApplicable(f"none of the {len(p['answers'])} selected answers is in theme {p['theme']} here")
        for key in moved:
            self._set_themes(key, list(dict.fromkeys(p["new_theme"] if t == p["theme"] else t for t in self.themes[key])), bulk=True)
        self.labels[p["new_theme"]] = p["label"]
        self.sources[p["new_theme"]] = "review"

    def _move(self, d: Decision, p: dict[str, Any]) -> None:
        self._require_answer(p["answer"])
        self._require_theme(p["to"])
        current = self.themes[p["answer"]]
        source = p.get("from") or (current[0] if current else None)
        updated = [p["to"] if t == source else t for t in current] if source in current else [p["to"], *current]
        self._set_themes(p["answer"], list(dict.fromkeys(updated)))

    def _verdict(self, d: Decision, p: dict[str, Any]) -> None:
        self._require_answer(p["answer"])
        self.verdicts[(p["answer"], d.reviewer)] = (p["theme"], p["verdict"])

    def _note(self, d: Decision, p: dict[str, Any]) -> None:
        self.notes.append({"seq": d.seq, "reviewer": d.reviewer, "at": d.at, **p})

    def apply_or_skip(self, d: Decision) -> None:
        """Apply one decision, or record in ``skipped`` why it could not be applied."""
        try:
            self.apply(d)
        except NotApplicable as exc:
            self.skipped.append({"seq": d.seq, "kind": d.kind, "reason": str(exc)})


def replay(run_dir: Path, answers: pd.DataFrame, themes: pd.DataFrame) -> Reviewed:
    """Return the run's reviewed state: its own tables with every active journal decision applied."""
    state = Reviewed.from_tables(answers, themes)
    for d in Journal(run_dir).active():
        state.apply_or_skip(d)
    return state


class LiveReview:
    """The reviewed state of a run held in memory, brought up to date with the journal on each use.

    Only decisions newer than the state (the journal numbers them) are applied, so a request costs in
    proportion to what changed since the last one. An undo changes which earlier decisions are in force,
    so it replays the whole journal over a copy of the run's own state instead. Other processes and
    threads may append to the journal at any time (SQLite WAL): each use reads what they committed.
    """

    def __init__(self, run_dir: Path, answers: pd.DataFrame, themes: pd.DataFrame) -> None:
        self.journal = Journal(run_dir)
        self._pristine = Reviewed.from_tables(answers, themes)
        self._state: Reviewed | None = None
        #: the number of the newest journal decision (undos included) the state reflects; 0 before any
        self.version = 0
        #: how many times the whole journal was replayed (the first use, then once per undo seen)
        self.full_replays = 0
        self._lock = threading.RLock()

    def current(self) -> Reviewed:
        """Return the state with every decision the journal holds now; hold :meth:`view` while reading it from threads."""
        with self._lock:
            new = self.journal.since(self.version)
            if self._state is None or any(d.kind == Kind.UNDO for d in new):
                self._replay_all()
            else:
                for d in new:
                    self._state.apply_or_skip(d)
                    self.version = d.seq
            assert self._state is not None
            return self._state

    @contextmanager
    def view(self) -> Iterator[Reviewed]:
        """Yield the current state; no other thread changes it until the block ends."""
        with self._lock:
            yield self.current()

    def _replay_all(self) -> None:
        decisions = self.journal.all()
        state = self._pristine.copy()
        for d in in_force(decisions):
            state.apply_or_skip(d)
        self._state, self.version = state, (decisions[-1].seq if decisions else 0)
        self.full_replays += 1


# ---------------------------------------------------------------- carry-over to a new run


def _theme_map(old_answers: pd.DataFrame, old_sources: dict[str, str], new_texts: Sequence[str], new_themes: Sequence[Sequence[str]]) -> dict[str, str]:
    """Map each old theme to itself when it is a codebook theme here too, else to the new theme with the most shared member texts (Jaccard), or leave it out."""
    def members(texts: Sequence[str], theme_lists: Sequence[Sequence[str]]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for text, ts in zip(texts, theme_lists):
            if ts:
                out.setdefault(ts[0], set()).add(text_key(text))
        return out

    analysed = old_answers[old_answers["excluded"] == ""]
    old = members(analysed["text"].tolist(), [[t for t in str(x).split(";") if t] for x in analysed["themes"]])
    new = members(new_texts, new_themes)
    mapping = {}
    for theme, texts in old.items():
        if theme in new and old_sources.get(theme) == "codebook":
            mapping[theme] = theme  # codebook ids are stable (provenance from the old run's themes.csv, never from the id)
            continue
        scored = sorted(((-len(texts & other) / len(texts | other), t) for t, other in new.items()))
        if scored and -scored[0][0] >= MIN_THEME_OVERLAP:
            mapping[theme] = scored[0][1]
    return mapping


def _answer_map(old_answers: pd.DataFrame, new_keys: Sequence[str], new_texts: Sequence[str]) -> dict[str, str]:
    """Map old answer keys to new ones: same id and question with the same text, else the unique answer with that text."""
    new_by_key = {k: text_key(t) for k, t in zip(new_keys, new_texts)}
    by_text: dict[str, list[str]] = {}
    for k, h in new_by_key.items():
        by_text.setdefault(h, []).append(k)
    mapping = {}
    for r in old_answers.itertuples():
        old_key, h = answer_key(r.id, r.question), text_key(r.text)
        if new_by_key.get(old_key) == h:
            mapping[old_key] = old_key
        elif len(by_text.get(h, [])) == 1:
            mapping[old_key] = by_text[h][0]
    return mapping


def _translate(d: Decision, themes: dict[str, str], answers: dict[str, str]) -> Decision:
    if d.problem:
        raise NotApplicable(d.problem)

    def theme(t: str) -> str:
        if t not in themes:
            raise NotApplicable(f"theme {t} of the earlier run has no counterpart here")
        return themes[t]

    def answer(a: str) -> str:
        if a not in answers:
            raise NotApplicable(f"answer {a} of the earlier run is not in this run (or its text changed)")
        return answers[a]

    spec = SPECS.get(d.kind)  # type: ignore[call-overload]
    if spec is None:
        raise NotApplicable(f"unknown decision kind {d.kind}")
    p = dict(d.payload)
    for name in spec.answers:
        p[name] = answer(p[name])
    for name in spec.themes:
        p[name] = theme(p[name])
    for name in spec.optional_themes:
        p[name] = themes.get(p[name]) if p.get(name) else None
    for name in spec.answer_lists:  # a list keeps the answers found here; the decision fails later if none is
        p[name] = [answers[a] for a in p[name] if a in answers]
    return Decision(d.seq, d.at, d.reviewer, d.kind, p)


def carry_over(old_run: Path, keys: Sequence[str], texts: Sequence[str], themes: Sequence[Sequence[str]], labels: dict[str, str], sources: dict[str, str]) -> tuple[Reviewed, list[Decision]]:
    """Return (this run's state after the earlier run's decisions, the translated decisions that applied).

    ``keys``/``texts``/``themes`` describe this run's analysed answers; ``labels``/``sources`` its themes.
    """
    old_run = Path(old_run)
    old = load_run(old_run)
    old_answers = old.answers
    theme_map = _theme_map(old_answers, dict(zip(old.themes["theme"], old.themes["source"])), texts, themes)
    answer_map = _answer_map(old_answers, keys, texts)
    state = Reviewed(themes={k: list(ts) for k, ts in zip(keys, themes)}, labels=dict(labels), sources=dict(sources))
    carried = []
    for d in Journal(old_run).active():
        try:
            translated = _translate(d, theme_map, answer_map)
            state.apply(translated)
            carried.append(translated)
            if d.kind == Kind.SPLIT:
                theme_map[d.payload["new_theme"]] = translated.payload["new_theme"]
            if d.kind == Kind.MERGE:
                theme_map[d.payload["source"]] = translated.payload["target"]
        except NotApplicable as exc:
            state.skipped.append({"seq": d.seq, "kind": d.kind, "reviewer": d.reviewer, "reason": str(exc)})
    return state, carried
