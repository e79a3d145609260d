"""Agreement between the model's primary themes and evaluators, and between evaluators; a random check sample for an unbiased figure.

An evaluator's label for an answer is the theme they confirmed, or the theme they moved it to (alone,
with other selected answers, or split off into a new theme); an answer marked wrong and not moved gets
the label ``not:<theme>``. Figures: percent agreement, Cohen's kappa with a 95 % bootstrap interval and
Krippendorff's alpha (nominal), each with the number of answers it rests on; overall per pair of raters,
and per theme (model vs the evaluators: "this theme or not").

What the figures may claim:

* no kappa or alpha under :data:`MIN_ANSWERS` answers, or where a rater used fewer than
  :data:`MIN_CATEGORIES` labels (``withheld`` says which); percent agreement stays;
* model rows count only themes both sides could choose: an answer an evaluator put in a theme made
  in the review is left out (``left_out`` counts them);
* the sample is named: answers evaluators chose (``sample == "chosen"``; the least-sure-first queue
  brings the model's hardest answers first, and ``least_sure`` says what share came from its least sure
  quarter) or a random check sample drawn by :func:`check_sample` (``sample == "check"``), which is
  what an unbiased agreement figure rests on.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any, Hashable, Sequence

import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score

from avovastaus.io.rundir import answer_key, load_run, unescape_formula, write_csv
from avovastaus.io.staging import atomic_write
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


#: the fewest answers a kappa or alpha is given for: below it one or two answers swing the figure across its whole range
MIN_ANSWERS = 10
#: the fewest categories each rater must use: a rater who gives every answer one label makes kappa 0 (or undefined) whatever the other does
MIN_CATEGORIES = 2
#: the share of the model's least sure answers (by answers.csv ``confidence``, else ``score``) a row reports its answers against
LEAST_SURE = 0.25
#: where a random check sample is kept, under the run directory (the reviewed export leaves files it does not write alone)
REVIEWED_DIR = "reviewed"
CHECK_SAMPLE_FILE = "check_sample.csv"


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
    #: why kappa and alpha are not given: "too_few" (n < MIN_ANSWERS) or "one_category" (a rater used fewer than MIN_CATEGORIES labels); None when given
    withheld: str | None = None
    #: how the answers were chosen: "chosen" (by the evaluators, e.g. from the least-sure-first queue: not a random sample) or "check" (a random check sample)
    sample: str = "chosen"
    #: model rows: labelled answers left out because the evaluator put them in a theme the model never had (made in the review)
    left_out: int = 0
    #: model rows: the share of the row's answers among the model's least sure quarter of all analysed answers (None: unknown)
    least_sure: float | None = None
    #: check-sample rows: how many answers were drawn (``n`` of them are labelled)
    drawn: int | None = None


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


def _pair(name: str, a: Sequence[Hashable], b: Sequence[Hashable], theme: str | None = None, min_answers: int = MIN_ANSWERS, **context: Any) -> Agreement:
    """Return the agreement of two raters' labels; kappa and alpha only where they can mean something (see :data:`MIN_ANSWERS`)."""
    n = len(a)
    if n == 0:
        return Agreement(name, 0, None, None, None, theme=theme, **context)
    same = float(np.mean([x == y for x, y in zip(a, b)]))
    withheld = "too_few" if n < min_answers else "one_category" if min(len(set(a)), len(set(b))) < MIN_CATEGORIES else None
    if withheld:
        return Agreement(name, n, same, None, None, theme=theme, withheld=withheld, **context)
    low, high = kappa_interval(a, b)
    return Agreement(name, n, same, kappa(a, b), krippendorff_alpha_nominal([[x, y] for x, y in zip(a, b)]), low, high, theme, **context)


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


def _split(held: dict[str, str], p: dict[str, Any]) -> None:
    """Answers split off into a new theme: the evaluator holds that theme right for each (the model could not have chosen it)."""
    for answer in p["answers"]:
        held[answer] = p["new_theme"]


def _no_label(held: dict[str, str], p: dict[str, Any]) -> None:
    """A decision that says nothing about which theme one answer belongs to (theme edits, notes, suggestions)."""


#: the label each kind gives (reviewer's answer key -> theme held right); agreement and learning (``learn.taught_from``) read these
LABELS = handles("agreement and learning", {
    Kind.MOVE: _moved, Kind.MOVE_MANY: _moved_many, Kind.VERDICT: _verdict,
    Kind.SPLIT: _split, Kind.RENAME: _no_label, Kind.MERGE: _no_label, Kind.NOTE: _no_label, Kind.UNDO: _no_label,
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
    """Return model-vs-evaluator rows for every evaluator, the random check sample's row, evaluator pairs, then model-vs-evaluators per theme.

    Both sides are read in the frame the review left: a theme merged into another counts as that one
    (an evaluator who merged two themes does not disagree with the model on their answers). Model rows
    count only answers the evaluator put in a theme the model had (``left_out`` counts the rest: themes
    made in the review) and say how the answers were chosen (``sample``, ``least_sure``).
    ``decisions``: the decisions in force, when the caller has read the journal already (one read per export); else read here.
    """
    run = load_run(Path(run_dir))
    decisions = Journal(run.path, run.fingerprint).active() if decisions is None else decisions
    merges = merged_into(decisions)
    analysed = run.answers[run.answers["excluded"] == ""]
    model = {answer_key(i, q): resolve(t, merges) for i, q, t in zip(analysed["id"], analysed["question"], analysed["theme"])}
    known = {resolve(t, merges) for t in run.themes["theme"]}
    labels = {r: {k: resolve(v, merges) for k, v in held.items()} for r, held in evaluator_labels(decisions).items()}
    least_sure = _least_sure(analysed)
    rows = []
    for reviewer in sorted(labels):
        keys = sorted(k for k in labels[reviewer] if k in model)
        comparable = [k for k in keys if _model_could(labels[reviewer][k], known)]
        rows.append(_pair(f"model vs {reviewer}", [model[k] for k in comparable], [labels[reviewer][k] for k in comparable],
                          left_out=len(keys) - len(comparable), least_sure=least_sure(comparable)))
    combined = _combined(model, labels)
    drawn = read_check_sample(run.path)
    if drawn is not None:
        keys = [k for k in drawn if k in combined and _model_could(combined[k], known)]
        rows.append(_pair("model vs evaluators (check sample)", [model[k] for k in keys], [combined[k] for k in keys], sample="check",
                          left_out=sum(1 for k in drawn if k in combined) - len(keys), least_sure=least_sure(keys), drawn=len(drawn)))
    shared = [(len(set(labels[r1]) & set(labels[r2])), r1, r2) for r1, r2 in combinations(sorted(labels), 2)]
    shared = [pair for pair in shared if pair[0]]
    kept = sorted(sorted(shared, key=lambda x: (-x[0], x[1], x[2]))[:MAX_PAIRS], key=lambda x: (x[1], x[2]))
    for _, r1, r2 in kept:  # pairs of evaluators: the MAX_PAIRS sharing most answers (a bootstrap each); the rest are counted
        keys = sorted(set(labels[r1]) & set(labels[r2]))
        rows.append(_pair(f"{r1} vs {r2}", [labels[r1][k] for k in keys], [labels[r2][k] for k in keys]))
    if len(shared) > MAX_PAIRS:
        log.warning("%d of %d evaluator pairs that share answers are left out of the pairwise rows (the %d sharing most are kept)",
                    len(shared) - MAX_PAIRS, len(shared), MAX_PAIRS)
    rows.extend(_per_theme(model, labels, known))
    return rows


def merged_into(decisions: Sequence[Decision]) -> dict[str, str]:
    """Return theme -> the theme it was merged into, from the merges among ``decisions`` (the decisions in force, in order)."""
    return {d.payload["source"]: d.payload["target"] for d in decisions if d.kind == Kind.MERGE and not d.problem}


def resolve(label: str, merges: dict[str, str]) -> str:
    """Return a label in the frame the merges left: a merged theme becomes the one it went into (``not:<theme>`` likewise)."""
    negated = label.startswith("not:")
    theme, seen = label.removeprefix("not:"), set()
    while theme in merges and theme not in seen:
        seen.add(theme)
        theme = merges[theme]
    return f"not:{theme}" if negated else theme


def _model_could(label: str, known: set[str]) -> bool:
    """Return whether the model could have given this label: a theme of the run (or "not" one), not one made in the review."""
    return label.removeprefix("not:") in known


def _combined(model: dict[str, str], labels: dict[str, dict[str, str]]) -> dict[str, str]:
    """Return answer -> the evaluators' label, for analysed answers (where evaluators differ, the last reviewer by name wins)."""
    combined: dict[str, str] = {}
    for reviewer in sorted(labels):
        combined.update({k: v for k, v in labels[reviewer].items() if k in model})
    return combined


def _least_sure(analysed: Any) -> Any:
    """Return a function: answer keys -> the share of them among the model's least sure :data:`LEAST_SURE` of analysed answers (None: unknown)."""
    column = "confidence" if "confidence" in analysed.columns else "score" if "score" in analysed.columns else None
    if column is None:
        return lambda keys: None
    sure = pd.to_numeric(analysed[column], errors="coerce").to_numpy(dtype=float)
    known = sure[~np.isnan(sure)]
    if not len(known):
        return lambda keys: None
    cut = float(np.quantile(known, LEAST_SURE))
    by_key = {answer_key(i, q): c for i, q, c in zip(analysed["id"], analysed["question"], sure)}

    def share(keys: Sequence[str]) -> float | None:
        values = [by_key[k] for k in keys if k in by_key and not np.isnan(by_key[k])]
        return sum(v <= cut for v in values) / len(values) if values else None

    return share


def _per_theme(model: dict[str, str], labels: dict[str, dict[str, str]], known: set[str] | None = None) -> list[Agreement]:
    """Return model-vs-evaluators rows per theme: "this theme or not" for every answer some evaluator labelled (the last reviewer by name wins).

    ``known``: the run's themes; answers an evaluator put in another theme (made in the review) are left out, and such themes get no row.
    """
    combined = _combined(model, labels)
    could = (lambda v: True) if known is None else (lambda v: _model_could(v, known))
    keys = sorted(k for k, v in combined.items() if could(v))
    themes = sorted({model[k] for k in keys if model[k]} | {v for k in keys if not (v := combined[k]).startswith("not:")})
    left_out = len(combined) - len(keys)
    return [_pair("model vs evaluators", [model[k] == t for k in keys], [combined[k] == t for k in keys], theme=t, left_out=left_out) for t in themes]


# ---------------------------------------------------------------- a random check sample


@dataclass(frozen=True)
class CheckSample:
    """A random sample of analysed answers for an unbiased agreement figure: evaluators code these, whatever the queue shows."""

    path: Path
    keys: list[str]
    seed: int


def check_sample(run_dir: Path, n: int, seed: int = 0, replace: bool = False) -> CheckSample:
    """Return a random check sample of ``n`` analysed answers, written to ``<run>/reviewed/check_sample.csv``.

    The answers the least-sure-first queue brings are the ones the model finds hardest, so agreement
    on them understates (and says little about) the model's agreement overall. Answers drawn here
    uniformly at random, once coded by evaluators (in any way: confirm, move, split), give
    :func:`agreement` an unbiased row (``sample == "check"``). The draw depends on the run's answers
    and ``seed`` only, not on their order. A file there already is kept when it holds the same draw;
    another draw replaces it only with ``replace`` (raises ``FileExistsError`` otherwise): which answers
    were drawn decides which decisions count.
    """
    if type(n) is not int or n < 1:
        raise ValueError(f"n must be a positive whole number of answers to draw, got {n!r}")
    run = load_run(Path(run_dir))
    analysed = run.answers[run.answers["excluded"] == ""]
    answers = sorted((answer_key(i, q), i, q, t) for i, q, t in zip(analysed["id"], analysed["question"], analysed["theme"]))
    rng = np.random.default_rng(seed)
    drawn = [answers[i] for i in rng.permutation(len(answers))[: min(n, len(answers))]]
    keys = [k for k, *_ in drawn]
    path = run.path / REVIEWED_DIR / CHECK_SAMPLE_FILE
    if path.is_file() and not replace and read_check_sample(run.path) != keys:
        raise FileExistsError(f"{path} holds another check sample, which evaluators may have coded already; pass replace=True to draw a new one")
    table = pd.DataFrame({"order": range(1, len(drawn) + 1), "id": [i for _, i, _, _ in drawn], "question": [q for _, _, q, _ in drawn],
                          "model_theme": [t for *_, t in drawn], "seed": seed})
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda tmp: write_csv(table, tmp, escape=True))  # ids come from the survey: never a live formula
    return CheckSample(path, keys, seed)


def read_check_sample(run_dir: Path) -> list[str] | None:
    """Return the answer keys of the run's check sample, in drawing order; None when none was drawn."""
    path = Path(run_dir) / REVIEWED_DIR / CHECK_SAMPLE_FILE
    if not path.is_file():
        return None
    table = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8")
    return [answer_key(unescape_formula(i), unescape_formula(q)) for i, q in zip(table["id"], table["question"])]
