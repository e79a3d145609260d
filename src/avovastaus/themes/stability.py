"""Theme stability: how well each theme survives re-clustering on resampled answers with other seeds.

For each of ``runs`` reruns, a random ``sample`` share of the answers is re-assigned from scratch
(codebook calibration is unchanged; discovery uses the rerun's seed). A theme's stability in a
rerun is the best Jaccard overlap between its members (restricted to the sample) and any theme of
the rerun; the reported figure is the mean over reruns. 1.0 means the theme came back identical
every time.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

#: reruns the assignment on a subset (answer positions) with a seed; returns each answer's themes
Reassign = Callable[[np.ndarray, int], list[list[str]]]


def best_match_jaccard(members: set[int], clusters: Sequence[set[int]]) -> float:
    """Return the highest Jaccard overlap of ``members`` with any of ``clusters`` (0.0 when none overlap)."""
    best = 0.0
    for other in clusters:
        union = len(members | other)
        if union:
            best = max(best, len(members & other) / union)
    return best


def theme_stability(
    themes: Sequence[Sequence[str]], reassign: Reassign, theme_ids: Sequence[str],
    runs: int = 5, sample: float = 0.8, seed: int = 0,
) -> dict[str, float]:
    """Return each theme's mean best-match Jaccard over ``runs`` resampled reruns (NaN for empty themes)."""
    n = len(themes)
    rng = np.random.default_rng(seed)
    scores: dict[str, list[float]] = {t: [] for t in theme_ids}
    for r in range(runs):
        subset = np.sort(rng.choice(n, size=max(2, int(round(sample * n))), replace=False))
        rerun = reassign(subset, seed + r + 1)
        clusters: dict[str, set[int]] = {}
        for position, labels in zip(subset, rerun):
            for label in labels[:1]:
                clusters.setdefault(label, set()).add(int(position))
        groups = list(clusters.values())
        for theme in theme_ids:
            members = {int(i) for i in subset if themes[i] and themes[i][0] == theme}
            if members:
                scores[theme].append(best_match_jaccard(members, groups))
    return {t: float(np.mean(v)) if v else float("nan") for t, v in scores.items()}
