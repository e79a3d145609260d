"""Per-group theme prevalence among respondents: shares, Wilson intervals, differences, tests, multiple-testing correction.

Pure functions over arrays and tables. The unit is the respondent, never the answer: a cell is
(group column, group, question, theme) and asks whether the share of the group's respondents
whose answer to that question carries the theme differs from that share among all other
respondents (a 2 x 2 table). With several questions a further scope, ``question = ""`` (all
questions), counts a respondent once per theme: they raised it in any of their answers. So two
answers of one person are never two observations. The test is Pearson's chi-square when every
expected count is at least 5 and Fisher's exact test otherwise; the effect size is the difference
in shares (group minus the rest) with Newcombe's hybrid score interval. Cells with fewer than
``min_cell`` respondents carrying the theme are suppressed: their counts, shares, differences and
tests are blanked and left out of the correction, which runs within each scope. An answer may carry several themes, so a
group's shares need not add up to 100 %.
"""

from __future__ import annotations

from typing import Any, Literal, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

GROUP_COLUMNS = [
    "group_column", "group", "question", "theme", "n_group", "n_theme", "share", "ci_low", "ci_high",
    "share_rest", "diff", "diff_low", "diff_high", "p_value", "p_adjusted", "suppressed",
]
#: the ``question`` of the across-questions scope (a respondent counted once per theme)
ALL_QUESTIONS = ""


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


def newcombe_interval(
    k1: np.ndarray | int, n1: np.ndarray | int, k2: np.ndarray | int, n2: np.ndarray | int, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Return the interval (low, high) of the difference k1/n1 - k2/n2: Newcombe's hybrid score method (1998, method 10).

    Built from the two Wilson intervals, so it stays inside [-1, 1] and behaves at shares near 0 or 1.
    """
    k1, n1, k2, n2 = (np.asarray(v, dtype=float) for v in (k1, n1, k2, n2))
    l1, u1 = wilson_interval(k1, n1, confidence)
    l2, u2 = wilson_interval(k2, n2, confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        p1, p2 = k1 / n1, k2 / n2
    d = p1 - p2
    return d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


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


def respondent_themes(answers: pd.DataFrame, memberships: Sequence[Sequence[str]], question: str = ALL_QUESTIONS) -> pd.DataFrame:
    """Return one row per respondent with an analysed answer (to ``question``, or to any question): ``id``, the other columns, ``themes`` (a set).

    ``answers`` holds one row per analysed answer with ``id`` and ``question``; a respondent's themes
    are the union over their answers in scope, so a theme raised twice by one person counts once.
    """
    frame = answers.reset_index(drop=True).assign(themes=[set(m) for m in memberships])
    if question != ALL_QUESTIONS:
        frame = frame[frame["question"] == question]
    if frame.empty:
        return frame.drop(columns=["question"], errors="ignore")
    first = frame.groupby("id", sort=False).first().drop(columns=["question", "themes"], errors="ignore")
    union = frame.groupby("id", sort=False)["themes"].agg(lambda sets: set().union(*sets))
    return first.assign(themes=union).reset_index()


def _scopes(answers: pd.DataFrame) -> list[str]:
    """Return the scopes of the group table: each question in order of appearance, then all questions when there are several."""
    questions = list(dict.fromkeys(answers["question"]))
    return questions + ([ALL_QUESTIONS] if len(questions) > 1 else [])


def group_table(
    answers: pd.DataFrame,
    memberships: Sequence[Sequence[str]],
    theme_ids: Sequence[str],
    group_columns: Sequence[str],
    correction: Literal["holm", "bh"] = "bh",
    min_cell: int = 5,
    confidence: float = 0.95,
    theme_questions: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Return (the per-group prevalence table among respondents, counts of tests by kind).

    ``theme_questions``: each theme's question (``""`` for a theme shared by several questions through
    one codebook); a question's block then holds its own and the shared themes, and the all-questions
    block the shared themes only. Without it every block holds every theme.

    ``answers`` holds one row per analysed answer: ``id``, ``question`` and the ``group_columns``;
    ``memberships[i]`` lists every theme answer ``i`` carries. Rows come per question, then for all
    questions together (when there are several); the correction runs over the tested cells of each
    scope (one question, or all questions): each is one analysis.
    """
    rows = []
    tests: dict[str, int] = {"chi2": 0, "fisher": 0, "none": 0}
    for scope in _scopes(answers):
        people = respondent_themes(answers[["id", "question", *group_columns]], memberships, scope)
        n_total = len(people)
        in_scope = [t for t in theme_ids if theme_questions is None or theme_questions.get(t, "") in ("", scope)]
        has = {t: np.array([t in s for s in people["themes"]], dtype=bool) for t in in_scope}
        for column in group_columns:
            values = people[column].to_numpy()
            for group in sorted(pd.unique(values)):
                in_group = values == group
                n_group = int(in_group.sum())
                for theme in in_scope:
                    k = int((has[theme] & in_group).sum())
                    k_total = int(has[theme].sum())
                    suppressed = suppress(k, min_cell)
                    p, kind = (np.nan, "suppressed") if suppressed else association_test(k, n_group, k_total, n_total)
                    if not suppressed:
                        tests[kind] += 1
                    rows.append((column, group, scope, theme, n_group, k, k_total - k, n_total - n_group, p, suppressed))
    columns = ["group_column", "group", "question", "theme", "n_group", "n_theme", "k_rest", "n_rest", "p_value", "suppressed"]
    table = pd.DataFrame(rows, columns=columns)
    k, n, k_rest, n_rest = (table[c].to_numpy(dtype=float) for c in ("n_theme", "n_group", "k_rest", "n_rest"))
    table["ci_low"], table["ci_high"] = wilson_interval(k, n, confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        table["share"] = np.where(n > 0, k / np.where(n > 0, n, 1), np.nan)
        table["share_rest"] = np.where(n_rest > 0, k_rest / np.where(n_rest > 0, n_rest, 1), np.nan)
    table["diff"] = table["share"] - table["share_rest"]
    table["diff_low"], table["diff_high"] = newcombe_interval(k, n, k_rest, n_rest, confidence)
    adjust = holm if correction == "holm" else benjamini_hochberg
    table["p_adjusted"] = np.nan
    for scope in table["question"].unique():  # each scope is one analysis, and one family of tests
        tested = ~table["suppressed"] & (table["question"] == scope)
        table.loc[tested, "p_adjusted"] = adjust(table.loc[tested, "p_value"].to_numpy())
    table["n_theme"] = table["n_theme"].astype("Int64")
    # the rest's share would give a small cell away (the theme's total is public), so it is blanked too
    table.loc[table["suppressed"], ["n_theme", "share", "ci_low", "ci_high", "share_rest", "diff", "diff_low", "diff_high"]] = pd.NA
    return table[GROUP_COLUMNS], tests


def shares_by_group(
    with_theme: set, group_of: Sequence[dict[Any, Any]], columns: Sequence[str], min_cell: int = 5,
) -> list[dict[str, Any]]:
    """Return, for one theme, each group's share of respondents raising it, with the test against the other respondents.

    ``with_theme`` holds the respondents raising the theme; ``group_of[c]`` maps every respondent to
    their group in column ``columns[c]``. Cells under ``min_cell`` are suppressed (no share, no test).
    The review app shows these; :func:`mark_significant` corrects them over the whole page.
    """
    cells = []
    for column, groups in zip(columns, group_of):
        n_total = len(groups)
        k_total = sum(1 for person in with_theme if person in groups)
        sizes: dict[Any, int] = {}
        for group in groups.values():
            sizes[group] = sizes.get(group, 0) + 1
        raised: dict[Any, int] = {}
        for person in with_theme:
            if person in groups:
                raised[groups[person]] = raised.get(groups[person], 0) + 1
        for group in sorted(sizes, key=str):
            n, k = sizes[group], raised.get(group, 0)
            suppressed = suppress(k, min_cell)
            p = np.nan if suppressed else association_test(k, n, k_total, n_total)[0]
            rest = (k_total - k) / (n_total - n) if n_total > n else np.nan
            cells.append({"column": column, "group": str(group), "n": n, "k": None if suppressed else k, "share": None if suppressed else k / n,
                          "rest": None if suppressed else rest, "p": p, "suppressed": suppressed, "limit": min_cell})
    return cells


def mark_significant(cells: Sequence[dict[str, Any]], correction: Literal["holm", "bh"] = "bh", alpha: float = 0.05) -> None:
    """Set ``significant`` (adjusted p < alpha) and ``direction`` (+1 more, -1 less than the rest) on every cell, correcting over all of them."""
    tested = [c for c in cells if not c["suppressed"]]
    adjusted = (holm if correction == "holm" else benjamini_hochberg)([c["p"] for c in tested])
    for c in cells:
        c["significant"], c["direction"] = False, 0
    for c, p in zip(tested, adjusted):
        c["p_adjusted"] = float(p)
        c["significant"] = bool(p < alpha)
        c["direction"] = (1 if c["share"] > c["rest"] else -1) if c["significant"] else 0
