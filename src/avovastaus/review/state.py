"""Evaluator decisions applied to a run: the reviewed state, and its replay over the run's tables.

A decision names themes by id and answers by ``id/question``. Replaying the journal over the
run's own tables gives the reviewed state the web app shows and the reviewed outputs count.
Carrying decisions to a new run is :mod:`avovastaus.carryover`.
"""

from __future__ import annotations

import bisect
import copy
import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from avovastaus.io.rundir import answer_key, fingerprint
from avovastaus.review.journal import Decision, Journal, in_force
from avovastaus.review.kinds import IGNORED, Kind, handles

#: membership versions, unique across all states of a process (a cache keyed by one never confuses two states)
_STAMPS = itertools.count(1)


class NotApplicable(Exception):
    """A decision that cannot be applied to this run, with the reason."""


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
    #: excluded answers (non-answers by the rules) not taken into the analysis: key -> reason
    excluded: dict[str, str] = field(default_factory=dict)
    #: answers an evaluator settled (verdict, move, split, inclusion): a re-score never changes them
    decided: set[str] = field(default_factory=set)
    #: answer -> themes an evaluator marked wrong for it (and did not confirm or move it to later)
    wrong: dict[str, set[str]] = field(default_factory=dict)
    #: answer -> how sure the model is of its primary theme (answers.csv ``confidence``, else ``score``; NaN unknown)
    confidence: dict[str, float] = field(default_factory=dict)
    #: the structural changes in the order applied: renames, merges and splits, each with the labels of its moment and the answers it moved
    changes: list[dict[str, Any]] = field(default_factory=list)
    #: theme -> a number that changes whenever the theme's members change (for caches of per-theme figures)
    stamps: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)
    _index: dict[str, set[str]] = field(default_factory=dict, init=False, repr=False, compare=False)
    _order: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)
    _sorted: dict[str, list[str]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._order = {key: i for i, key in enumerate([*self.themes, *self.excluded])}
        for key, ts in self.themes.items():
            for theme in ts:
                self._index.setdefault(theme, set()).add(key)
        self.stamps = {theme: next(_STAMPS) for theme in self._index}

    @classmethod
    def from_tables(cls, answers: pd.DataFrame, themes: pd.DataFrame) -> "Reviewed":
        analysed = answers[answers["excluded"] == ""]
        excluded = answers[answers["excluded"] != ""]
        sure = "confidence" if "confidence" in answers.columns else "score"  # runs before the assigner's probabilities: the similarity
        keys = [answer_key(i, q) for i, q in zip(analysed["id"], analysed["question"])]
        return cls(
            themes={k: [t for t in str(ts).split(";") if t] for k, ts in zip(keys, analysed["themes"])},
            labels=dict(zip(themes["theme"], themes["label"])),
            sources=dict(zip(themes["theme"], themes["source"])),
            excluded={answer_key(i, q): str(r) for i, q, r in zip(excluded["id"], excluded["question"], excluded["excluded"])},
            confidence=dict(zip(keys, pd.to_numeric(analysed[sure], errors="coerce").astype(float).tolist())) if sure in answers.columns else {},
        )

    def copy(self) -> "Reviewed":
        """Return an independent copy (applying decisions to it leaves this state as it is)."""
        other = copy.copy(self)
        other.themes = {key: list(ts) for key, ts in self.themes.items()}
        other._index = {theme: set(keys) for theme, keys in self._index.items()}
        for name in ("labels", "descriptions", "sources", "merged", "verdicts", "stamps", "_sorted", "excluded", "confidence"):
            setattr(other, name, dict(getattr(self, name)))
        other.notes, other.applied, other.skipped, other.changes = list(self.notes), list(self.applied), list(self.skipped), list(self.changes)
        other.decided, other.wrong = set(self.decided), {key: set(ts) for key, ts in self.wrong.items()}
        return other  # _order is shared: the answers of a state never change

    def primary(self, key: str) -> str | None:
        themes = self.themes.get(key) or []
        return themes[0] if themes else None

    def members(self, theme: str) -> list[str]:
        """Return the keys of the theme's answers in the run's answer order (a shared list: do not modify it)."""
        if theme not in self._sorted:
            self._sorted[theme] = sorted(self._index.get(theme, ()), key=self._order.__getitem__)
        return self._sorted[theme]

    def final_themes(self, key: str) -> list[str]:
        """Return the answer's themes without those an evaluator marked wrong (what the reviewed outputs count)."""
        wrong = self.wrong.get(key)
        return [t for t in self.themes.get(key, []) if not wrong or t not in wrong]

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
        step = REPLAY.get(d.kind)  # type: ignore[call-overload]
        if step is None or step == IGNORED:
            raise NotApplicable(f"unknown decision kind {d.kind}")
        getattr(self, step)(d, d.payload)
        self.applied.append(d.seq)

    def _rename(self, d: Decision, p: dict[str, Any]) -> None:
        self._require_theme(p["theme"])
        if self.labels[p["theme"]] != p["label"]:
            self.changes.append({"kind": "rename", "seq": d.seq, "theme": p["theme"], "old": self.labels[p["theme"]], "new": p["label"]})
        self.labels[p["theme"]] = p["label"]
        if p.get("description"):
            self.descriptions[p["theme"]] = p["description"]

    def _merge(self, d: Decision, p: dict[str, Any]) -> None:
        source, target = p["source"], p["target"]
        self._require_theme(source)
        self._require_theme(target)
        if source == target:
            raise NotApplicable("a theme cannot be merged into itself")
        self.changes.append({"kind": "merge", "seq": d.seq, "source": source, "source_label": self.labels[source], "target": target,
                             "target_label": self.labels[target], "answers": self.size(source)})
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
        self.decided.update(moved)
        self.labels[p["new_theme"]] = p["label"]
        self.sources[p["new_theme"]] = "review"
        self.changes.append({"kind": "split", "seq": d.seq, "theme": p["theme"], "theme_label": self.labels[p["theme"]], "new_theme": p["new_theme"],
                             "label": p["label"], "answers": len(moved)})

    def _move(self, d: Decision, p: dict[str, Any]) -> None:
        self._require_answer(p["answer"])
        self._require_theme(p["to"])
        self._move_one(p["answer"], p.get("from"), p["to"])

    def _move_one(self, key: str, source: str | None, to: str, bulk: bool = False) -> None:
        current = self.themes[key]
        source = source or (current[0] if current else None)
        updated = [to if t == source else t for t in current] if source in current else [to, *current]
        self._set_themes(key, list(dict.fromkeys(updated)), bulk=bulk)
        self.decided.add(key)
        self.wrong.get(key, set()).discard(to)

    def _move_many(self, d: Decision, p: dict[str, Any]) -> None:
        self._require_theme(p["to"])
        found = [k for k in dict.fromkeys(p["answers"]) if k in self.themes]
        if not found:
            raise NotApplicable(f"none of the {len(p['answers'])} selected answers is among the analysed answers")
        for key in found:
            self._move_one(key, p.get("from"), p["to"], bulk=True)

    def _verdict(self, d: Decision, p: dict[str, Any]) -> None:
        self._require_answer(p["answer"])
        self._require_theme(p["theme"])
        self.verdicts[(p["answer"], d.reviewer)] = (p["theme"], p["verdict"])
        self.decided.add(p["answer"])
        if p["verdict"] == "wrong":
            self.wrong.setdefault(p["answer"], set()).add(p["theme"])
        else:
            self.wrong.get(p["answer"], set()).discard(p["theme"])

    def _include(self, d: Decision, p: dict[str, Any]) -> None:
        key = p["answer"]
        if key not in self.excluded:
            raise NotApplicable(f"answer {key} is not among the excluded answers" + (" (it is analysed already)" if key in self.themes else ""))
        del self.excluded[key]
        self.themes[key] = []
        self.decided.add(key)

    def _rescore(self, d: Decision, p: dict[str, Any]) -> None:
        """Take the new suggestions, except for answers an evaluator settled before (they are never overwritten)."""
        for key, suggested in p["themes"].items():
            if key in self.themes and key not in self.decided:
                self._set_themes(key, [t for t in dict.fromkeys(suggested) if t in self.labels], bulk=True)
        for key, value in p["confidence"].items():
            if key in self.themes and key not in self.decided:
                self.confidence[key] = float(value)

    def undecided(self) -> list[str]:
        """Return the analysed answers no evaluator has settled, in the run's answer order."""
        return [k for k in self.themes if k not in self.decided]

    def _note(self, d: Decision, p: dict[str, Any]) -> None:
        target = p["target"]
        if target.startswith("theme:"):
            self._require_theme(target[6:])
        elif target.startswith("answer:"):
            if target[7:] not in self.themes and target[7:] not in self.excluded:
                raise NotApplicable(f"answer {target[7:]} is not in this run")
        else:
            raise NotApplicable(f"a note on {target!r}, which is neither a theme nor an answer")
        self.notes.append({"seq": d.seq, "reviewer": d.reviewer, "at": d.at, **p})

    def apply_or_skip(self, d: Decision) -> None:
        """Apply one decision, or record in ``skipped`` why it could not be applied."""
        try:
            self.apply(d)
        except NotApplicable as exc:
            self.skipped.append({"seq": d.seq, "kind": d.kind, "reason": str(exc)})


#: what replay does with each kind: the :class:`Reviewed` method that applies it (undo is resolved before replay, by :func:`in_force`)
REPLAY = handles("replay", {
    Kind.RENAME: "_rename", Kind.MERGE: "_merge", Kind.SPLIT: "_split", Kind.MOVE: "_move", Kind.VERDICT: "_verdict",
    Kind.NOTE: "_note", Kind.MOVE_MANY: "_move_many", Kind.INCLUDE: "_include", Kind.RESCORE: "_rescore", Kind.UNDO: IGNORED,
})

def replay(run_dir: Path, answers: pd.DataFrame, themes: pd.DataFrame, decisions: list[Decision] | None = None) -> Reviewed:
    """Return the run's reviewed state: its own tables with every decision in force applied.

    ``decisions``: the journal's decisions in force, read once by the caller; else read here (refused, E404, when the journal belongs to another run).
    """
    state = Reviewed.from_tables(answers, themes)
    for d in Journal(run_dir, fingerprint(answers)).active() if decisions is None else decisions:
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
        self.journal = Journal(run_dir, fingerprint(answers))
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
