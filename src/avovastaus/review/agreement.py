"""Agreement between the model's primary themes and evaluators, and between evaluators.

An evaluator's label for an answer is the theme they confirmed, or the theme they moved it
to (alone or with other selected answers); an answer marked wrong and not moved gets the label ``not:<theme>``. Figures: percent
agreement, Cohen's kappa with a 95 % bootstrap interval and Krippendorff's alpha (nominal), each
with the number of answers it rests on; overall per pair of raters, and per theme (model vs the
evaluators: "this theme or not").
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any, Hashable, Sequence

import numpy as np
from sklearn.metrics import cohen_kappa_score

from avovastaus.io.rundir import answer_key, load_run
from avovastaus.review.journal import Decision, Journal
from avovastaus.review.kinds import Kind, handles

log = logging.getLogger(__name__)


def krippendorff_alpha_nominal(units: Sequence[Sequence[Hashable]]) -> float | None:
    """Return Krippendorff's alpha for nominal data; ``units[u]`` holds the values coders gave unit u (missing left out).

    Units with fewer than two values are not pairable and are ignored. None when undefined.
    """
    coincidence: dict[tuple[Hashable, Hashable], float] = defaultdict(float)
    for values in units:
        m = len(values)
        if m < 2:
            continue
        for i, a in enumerate(values):
            for j, b in enumerate(values):
                if i != j:
                    coincidence[(a, b)] += 1.0 / (m - 1)
    if not coincidence:
        return None
    totals: dict[Hashable, float] = defaultdict(float)
    for (a, _), v in coincidence.items():
        totals[a] += v
    n = sum(totals.values())
    observed = sum(v for (a, b), v in coincidence.items() if a != b)
    expected = sum(totals[a] * totals[b] for a in totals for b in totals if a != b) / (n - 1)
    if expected == 0:
        return 1.0 if observed == 0 else None
    return 1.0 - observed / expected


@dataclass(frozen=True)
class Agreement:
    """Agreement of one pair of raters over the answers both labelled."""

    pair: str
    n: int
    percent: float | None
    kappa: float | None
    alpha: float | None
    kappa_low: float | None = None
    kappa_high: float | None = None
    #: None: over all themes; else this theme against all others (both raters' labels made binary)
    theme: str | None = None


def kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float | None:
    """Return Cohen's kappa of two raters' labels; 1 when both used one and the same label throughout, None when undefined."""
    if not len(a):
        return None
    if len(set(a) | set(b)) > 1:
        value = float(cohen_kappa_score(a, b))
        return None if np.isnan(value) else value
    return 1.0


def kappa_interval(a: Sequence[Hashable], b: Sequence[Hashable], confidence: float = 0.95, resamples: int = 1000, seed: int = 0) -> tuple[float | None, float | None]:
    """Return a percentile bootstrap interval for Cohen's kappa (answers resampled with replacement; fixed seed, so reruns agree)."""
    n = len(a)
    if n < 2:
        return None, None
    rng = np.random.default_rng(seed)
    codes = {label: i for i, label in enumerate(sorted(set(a) | set(b), key=str))}
    x, y = np.array([codes[v] for v in a]), np.array([codes[v] for v in b])
    rows = rng.integers(0, n, (resamples, n))
    m = len(codes)
    # every resample's confusion matrix at once: observed and chance agreement, then kappa (Cohen 1960)
    counts = np.zeros((resamples, m, m))
    np.add.at(counts, (np.repeat(np.arange(resamples), n), x[rows].ravel(), y[rows].ravel()), 1)
    observed = np.trace(counts, axis1=1, axis2=2) / n
    chance = (counts.sum(axis=2) * counts.sum(axis=1)).sum(axis=1) / n**2
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.where(chance < 1, (observed - chance) / (1 - chance), 1.0)
    values = values[np.isfinite(values)]
    if not len(values):
        return None, None
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)


def _pair(name: str, a: Sequence[str], b: Sequence[str], theme: str | None = None) -> Agreement:
    n = len(a)
    if n == 0:
        return Agreement(name, 0, None, None, None, theme=theme)
    same = float(np.mean([x == y for x, y in zip(a, b)]))
    low, high = kappa_interval(a, b)
    return Agreement(name, n, same, kappa(a, b), krippendorff_alpha_nominal([[x, y] for x, y in zip(a, b)]), low, high, theme)


def _moved(held: dict[str, str], p: dict[str, Any]) -> None:
    held[p["answer"]] = p["to"]


def _moved_many(held: dict[str, str], p: dict[str, Any]) -> None:
    for answer in p["answers"]:
        held[answer] = p["to"]


def _verdict(held: dict[str, str], p: dict[str, Any]) -> None:
    current = held.get(p["answer"])
    if p["verdict"] == "confirmed":
        held[p["answer"]] = p["theme"]
    elif current is None or current == p["theme"]:
        held[p["answer"]] = f"not:{p['theme']}"


def _no_label(held: dict[str, str], p: dict[str, Any]) -> None:
    """A decision that says nothing about which theme one answer belongs to (theme edits, notes, suggestions)."""


#: the label each kind gives (reviewer's answer key -> theme held right); agreement and learning (``learn.taught_from``) read these
LABELS = handles("agreement and learning", {
    Kind.MOVE: _moved, Kind.MOVE_MANY: _moved_many, Kind.VERDICT: _verdict,
    Kind.RENAME: _no_label, Kind.MERGE: _no_label, Kind.SPLIT: _no_label, Kind.NOTE: _no_label, Kind.UNDO: _no_label,
    Kind.INCLUDE: _no_label, Kind.RESCORE: _no_label,
})


#: the most evaluator pairs given a row (each a bootstrap): 300 evaluators would make 44,850 pairs
MAX_PAIRS = 100


def evaluator_labels(decisions: Sequence[Decision]) -> dict[str, dict[str, str]]:
    """Return reviewer -> answer key -> the theme that reviewer holds right, from the decisions in force."""
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    for d in decisions:
        if d.problem:
            log.warning("decision #%d (%s) is left out: %s", d.seq, d.kind, d.problem)
            continue
        LABELS[d.kind](labels[d.reviewer], d.payload)  # type: ignore[index]
    return dict(labels)


def agreement(run_dir: Path, decisions: Sequence[Decision] | None = None) -> list[Agreement]:
    """Return model-vs-evaluator rows for every evaluator, then evaluator-vs-evaluator rows for every pair.

    ``decisions``: the decisions in force, when the caller has read the journal already (one read per export); else read here.
    """
    run = load_run(Path(run_dir))
    answers = run.answers
    model = {answer_key(r.id, r.question): r.theme for r in answers.itertuples() if r.excluded == ""}
    labels = evaluator_labels(Journal(run.path, run.fingerprint).active() if decisions is None else decisions)
    rows = []
    for reviewer in sorted(labels):
        keys = sorted(k for k in labels[reviewer] if k in model)
        rows.append(_pair(f"model vs {reviewer}", [model[k] for k in keys], [labels[reviewer][k] for k in keys]))
    shared = [(len(set(labels[r1]) & set(labels[r2])), r1, r2) for r1, r2 in combinations(sorted(labels), 2)]
    shared = [pair for pair in shared if pair[0]]
    kept = sorted(sorted(shared, key=lambda x: (-x[0], x[1], x[2]))[:MAX_PAIRS], key=lambda x: (x[1], x[2]))
    for _, r1, r2 in kept:  # pairs of evaluators: the MAX_PAIRS sharing most answers (a bootstrap each); the rest are counted
        keys = sorted(set(labels[r1]) & set(labels[r2]))
        rows.append(_pair(f"{r1} vs {r2}", [labels[r1][k] for k in keys], [labels[r2][k] for k in keys]))
    if len(shared) > MAX_PAIRS:
        log.warning("%d of %d evaluator pairs that share answers are left out of the pairwise rows (the %d sharing most are kept)",
                    len(shared) - MAX_PAIRS, len(shared), MAX_PAIRS)
    rows.extend(_per_theme(model, labels))
    return rows


def _per_theme(model: dict[str, str], labels: dict[str, dict[str, str]]) -> list[Agreement]:
    """Return model-vs-evaluators rows per theme: "this theme or not" for every answer some evaluator labelled (the last reviewer by name wins)."""
    combined: dict[str, str] = {}
    for reviewer in sorted(labels):
        combined.update({k: v for k, v in labels[reviewer].items() if k in model})
    keys = sorted(combined)
    themes = sorted({model[k] for k in keys if model[k]} | {v for v in combined.values() if not v.startswith("not:")})
    return [_pair("model vs evaluators", [model[k] == t for k in keys], [combined[k] == t for k in keys], theme=t) for t in themes]
