"""Per-group theme prevalence: shares, Wilson intervals, association tests, multiple-testing correction.

Pure functions over arrays and tables. A cell is (group column, group, theme); its test asks
whether the theme's share in the group differs from its share among all other respondents'
answers (2 x 2 table), with Pearson's chi-square when every expected count is at least 5 and
Fisher's exact test otherwise. Cells with fewer than ``min_cell`` answers are suppressed: their
counts, shares and tests are blanked and left out of the correction.
"""

from __future__ import annotations

from typing import Literal, Sequence

import numpy as np
import pandas as pd
from scipy import stats

GROUP_COLUMNS = ["group_column", "group", "theme", "n_group", "n_theme", "share", "ci_low", "ci_high", "p_value", "p_adjusted", "suppressed"]


def suppress(n_theme: int, min_cell: int) -> bool:
    """Return True when a cell of ``n_theme`` answers must be hidden: the one disclosure rule of groups.csv, the reports and the review app."""
    return n_theme < min_cell


def wilson_interval(k: np.ndarray | int, n: np.ndarray | int, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Return the Wilson score interval (low, high) for k successes in n trials; NaN where n == 0."""
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    z = stats.norm.ppf(0.5 + confidence / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def association_test(k: int, n_group: int, k_total: int, n_total: int) -> tuple[float, str]:
    """Return (p-value, test name) for a theme's share in a group vs. in all other answers.

    Chi-square (no continuity correction) when all expected counts are >= 5, else Fisher's exact.
    """
    table = np.array([[k, n_group - k], [k_total - k, (n_total - n_group) - (k_total - k)]], dtype=float)
    if (table.sum(axis=1) == 0).any() or (table.sum(axis=0) == 0).any():
        return 1.0, "none"
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    if (expected >= 5).all():
        return float(stats.chi2_contingency(table, correction=False)[1]), "chi2"
    return float(stats.fisher_exact(table)[1]), "fisher"


def holm(p: Sequence[float]) -> np.ndarray:
    """Return Holm–Bonferroni adjusted p-values (family-wise error), in input order."""
    p = np.asarray(p, dtype=float)
    m = len(p)
    if m == 0:
        return p
    order = np.argsort(p, kind="stable")
    adjusted = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out


def benjamini_hochberg(p: Sequence[float]) -> np.ndarray:
    """Return Benjamini–Hochberg adjusted p-values (false discovery rate), in input order."""
    p = np.asarray(p, dtype=float)
    if len(p) == 0:
        return p
    return stats.false_discovery_control(p, method="bh")


def group_table(
    groups: pd.DataFrame,
    memberships: Sequence[Sequence[str]],
    theme_ids: Sequence[str],
    correction: Literal["holm", "bh"] = "bh",
    min_cell: int = 5,
    confidence: float = 0.95,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Return (the per-group prevalence table, counts of tests by kind) for analysed answers.

    ``groups`` holds one row per analysed answer and one column per respondent-group column;
    ``memberships[i]`` lists every theme answer ``i`` carries. An answer counts toward each
    of its themes, so shares of one group may sum to more than 1.
    """
    n_total = len(groups)
    has = {t: np.array([t in set(m) for m in memberships], dtype=bool) for t in theme_ids}
    rows = []
    tests: dict[str, int] = {"chi2": 0, "fisher": 0, "none": 0}
    for column in groups.columns:
        values = groups[column].to_numpy()
        for group in sorted(pd.unique(values)):
            in_group = values == group
            n_group = int(in_group.sum())
            for theme in theme_ids:
                k = int((has[theme] & in_group).sum())
                k_total = int(has[theme].sum())
                suppressed = suppress(k, min_cell)
                p, kind = (np.nan, "suppressed") if suppressed else association_test(k, n_group, k_total, n_total)
                if not suppressed:
                    tests[kind] += 1
                rows.append((column, group, theme, n_group, k, p, suppressed))
    table = pd.DataFrame(rows, columns=["group_column", "group", "theme", "n_group", "n_theme", "p_value", "suppressed"])
    low, high = wilson_interval(table["n_theme"].to_numpy(), table["n_group"].to_numpy(), confidence)
    table["share"] = table["n_theme"] / table["n_group"].where(table["n_group"] > 0)
    table["ci_low"], table["ci_high"] = low, high
    tested = ~table["suppressed"]
    adjust = holm if correction == "holm" else benjamini_hochberg
    table["p_adjusted"] = np.nan
    table.loc[tested, "p_adjusted"] = adjust(table.loc[tested, "p_value"].to_numpy())
    table["n_theme"] = table["n_theme"].astype("Int64")
    table.loc[table["suppressed"], ["n_theme", "share", "ci_low", "ci_high"]] = pd.NA
    return table[GROUP_COLUMNS], tests
