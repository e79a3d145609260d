"""Evaluator decisions carried to a new run (``run --review-from``): same answers, or a new survey wave.

Ids are translated first: codebook themes keep their ids, discovered themes map to the new theme
sharing the most member texts (Jaccard >= 0.3), answers map by id and question when the text is
unchanged, else by identical text. What cannot be translated or applied is reported with the
reason, never dropped silently.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Sequence

import pandas as pd

from avovastaus.finnish.text import flat, normalize
from avovastaus.io.rundir import answer_key, load_run
from avovastaus.review.journal import Decision, Journal
from avovastaus.review.kinds import IGNORED, SPECS, Kind, handles
from avovastaus.review.state import NotApplicable, Reviewed

MIN_THEME_OVERLAP = 0.3


def text_key(text: str) -> str:
    """Return a hash of an answer's normalized text (answers are matched across runs by it)."""
    return hashlib.sha256(flat(normalize(str(text))).lower().encode()).hexdigest()[:20]


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

    how = CARRY.get(d.kind)  # type: ignore[call-overload]
    if how is None or how == IGNORED:
        raise NotApplicable(f"unknown decision kind {d.kind}")
    if isinstance(how, str):
        raise NotApplicable(how)
    if how is _suggestions:
        return _suggestions(d, themes, answers)
    spec = SPECS[d.kind]  # type: ignore[index]
    p = dict(d.payload)
    for name in spec.targets:  # "answer:<key>" or "theme:<id>"
        kind, _, ref = p[name].partition(":")
        p[name] = f"answer:{answer(ref)}" if kind == "answer" else f"theme:{theme(ref)}" if kind == "theme" else p[name]
    for name in spec.answers:
        p[name] = answer(p[name])
    for name in spec.themes:
        p[name] = theme(p[name])
    for name in spec.optional_themes:
        p[name] = themes.get(p[name]) if p.get(name) else None
    for name in spec.answer_lists:  # a list keeps the answers found here; the decision fails later if none is
        p[name] = [answers[a] for a in p[name] if a in answers]
    return Decision(d.seq, d.at, d.reviewer, d.kind, p)


def _suggestions(d: Decision, themes: dict[str, str], answers: dict[str, str]) -> Decision:
    """Re-scored suggestions keyed by answer: keep those whose answer (and themes) exist here."""
    moved = {answers[a]: [themes[t] for t in ts if t in themes] for a, ts in d.payload["themes"].items() if a in answers}
    sure = {answers[a]: c for a, c in d.payload["confidence"].items() if a in answers}
    return Decision(d.seq, d.at, d.reviewer, d.kind, {"themes": moved, "confidence": sure})


#: how each kind reaches a new run: translated field by field (its spec names the theme and answer fields), by a function
#: of its own, or not at all (the reason, counted as not applied); undo is resolved before, by ``Journal.active``
CARRY = handles("carry-over", {
    Kind.RENAME: _translate, Kind.MERGE: _translate, Kind.SPLIT: _translate, Kind.MOVE: _translate, Kind.MOVE_MANY: _translate,
    Kind.VERDICT: _translate, Kind.NOTE: _translate, Kind.RESCORE: _suggestions, Kind.UNDO: IGNORED,
    Kind.INCLUDE: "an excluded answer taken into the analysis is not carried to a new run; include it again there",
})


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
    for d in Journal(old_run, old.fingerprint).active():
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
