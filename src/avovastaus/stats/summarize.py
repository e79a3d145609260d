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
#: with weights (``group_table(weighted=True)``): Kish's effective n of the group, and its share unweighted, beside the weighted share
WEIGHTED_COLUMNS = ["n_effective", "share_unweighted"]
#: the ``question`` of the across-questions scope (a respondent counted once per theme)
ALL_QUESTIONS = ""
#: a group column with more groups under the suppression limit than this pools them into :data:`POOLED_GROUP`
MAX_SMALL_GROUPS = 20
#: the group that holds a column's small groups when there are many (see :func:`pool_small_groups`)
POOLED_GROUP = "(muut pienet ryhmät)"


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


def pool_small_groups(
    answers: pd.DataFrame, group_columns: Sequence[str], min_cell: int, max_small: int = MAX_SMALL_GROUPS,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Return (``answers`` with small groups pooled, how many groups each column pooled).

    A group column with more than ``max_small`` groups of fewer than ``min_cell`` respondents (a postcode,
    a name or free text used as a grouping) would give one suppressed row per group and theme, and take
    time and memory per group for nothing: its small groups become one group, :data:`POOLED_GROUP`, so no
    respondent is dropped and the work per column stays bounded. Columns with few small groups keep them
    as they are (each shown suppressed).
    """
    pooled: dict[str, int] = {}
    out = answers
    for column in group_columns:
        sizes = answers.drop_duplicates("id")[column].value_counts()
        small = sizes.index[sizes < min_cell]
        if len(small) > max_small:
            if out is answers:
                out = answers.copy()
            out[column] = out[column].where(~out[column].isin(set(small)), POOLED_GROUP)
            pooled[str(column)] = len(small)
    return out, pooled


def theme_weights(memberships: Sequence[Sequence[str]], weights: Sequence[float]) -> dict[str, float]:
    """Return the sum of the weights of the answers carrying each theme (one pass; an answer counts once per theme it carries)."""
    out: dict[str, float] = {}
    for themes, w in zip(memberships, weights):
        for t in set(themes):
            out[t] = out.get(t, 0.0) + float(w)
    return out


def proportion_estimates(kw: np.ndarray, nw: np.ndarray, s2: np.ndarray, s2y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (share, variance, effective n) of weighted proportions from their sums over a domain.

    ``kw`` = sum of weights of those carrying the theme, ``nw`` = sum of weights, ``s2`` = sum of squared
    weights, ``s2y`` = sum of squared weights of those carrying the theme. The share is the ratio
    estimator sum(w y) / sum(w); its variance the Taylor-linearised one, sum(w^2 (y - p)^2) / sum(w)^2
    (with-replacement, no finite-population correction: what statsmodels' WLS with HC0 errors gives);
    the effective n is Kish's, sum(w)^2 / sum(w^2). With all weights 1 these are k/n, p(1-p)/n and n.
    """
    kw, nw, s2, s2y = (np.asarray(v, dtype=float) for v in (kw, nw, s2, s2y))
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(nw > 0, kw / np.where(nw > 0, nw, 1), np.nan)
        variance = (s2y * (1 - 2 * p) + p**2 * s2) / nw**2
        n_eff = nw**2 / s2
    return p, np.maximum(variance, 0.0), n_eff


def difference_p_values(d: np.ndarray, variance: np.ndarray) -> np.ndarray:
    """Return two-sided p-values of the Wald test that a difference of weighted shares is 0, given its linearised variance."""
    d, variance = np.asarray(d, dtype=float), np.asarray(variance, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.abs(d) / np.sqrt(variance)
    p = 2 * stats.norm.sf(z)
    return np.where(variance > 0, p, np.where(d == 0, 1.0, 0.0))


def _chi2_or_fisher(k: np.ndarray, n: np.ndarray, k_rest: np.ndarray, n_rest: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (p-values, test names) of :func:`association_test` for many 2 x 2 tables: chi-square vectorised, Fisher per table."""
    table = np.stack([k, n - k, k_rest, n_rest - k_rest], axis=1).astype(float)
    rows = np.stack([table[:, 0] + table[:, 1], table[:, 2] + table[:, 3]], axis=1)
    cols = np.stack([table[:, 0] + table[:, 2], table[:, 1] + table[:, 3]], axis=1)
    total = rows.sum(axis=1)
    degenerate = (rows == 0).any(axis=1) | (cols == 0).any(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        expected_min = np.minimum.reduce([rows[:, i] * cols[:, j] / total for i in (0, 1) for j in (0, 1)])
        chi2 = total * (table[:, 0] * table[:, 3] - table[:, 1] * table[:, 2]) ** 2 / (rows.prod(axis=1) * cols.prod(axis=1))
    p = stats.chi2.sf(chi2, 1)
    kinds = np.where(degenerate, "none", np.where(expected_min >= 5, "chi2", "fisher")).astype(object)
    p = np.where(degenerate, 1.0, p)
    for i in np.flatnonzero(kinds == "fisher"):
        p[i] = stats.fisher_exact(table[i].reshape(2, 2))[1]
    return p, kinds


def group_table(
    answers: pd.DataFrame,
    memberships: Sequence[Sequence[str]],
    theme_ids: Sequence[str],
    group_columns: Sequence[str],
    correction: Literal["holm", "bh"] = "bh",
    min_cell: int = 5,
    confidence: float = 0.95,
    theme_questions: Mapping[str, str] | None = None,
    weighted: bool = False,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Return (the per-group prevalence table among respondents, counts of tests by kind).

    ``theme_questions``: each theme's question (``""`` for a theme shared by several questions through
    one codebook); a question's block then holds its own and the shared themes, and the all-questions
    block the shared themes only. Without it every block holds every theme.

    ``answers`` holds one row per analysed answer: ``id``, ``question`` and the ``group_columns`` (and
    ``weight``, the respondent's design weight, when ``weighted``); ``memberships[i]`` lists every theme
    answer ``i`` carries. Rows come per question, then for all questions together (when there are
    several); the correction runs over the tested cells of each scope (one question, or all questions):
    each is one analysis. Columns with many tiny groups are pooled first (:func:`pool_small_groups`).

    Weighted, a share is the weighted share of the group's respondents (:func:`proportion_estimates`),
    its interval Wilson's at Kish's effective n, the difference's interval Newcombe's at the two effective
    n, and the test a Wald test with Taylor-linearised variances (a weighted linear probability model with
    robust errors); ``n_group``/``n_theme`` stay unweighted counts (suppression counts people), beside
    ``n_effective`` and ``share_unweighted``.
    """
    answers, _ = pool_small_groups(answers, group_columns, min_cell)
    frames = []
    tests: dict[str, int] = {"chi2": 0, "fisher": 0, "none": 0, "wald": 0}
    keep = ["id", "question", *group_columns, *(["weight"] if weighted else [])]
    for scope in _scopes(answers):
        people = respondent_themes(answers[keep], memberships, scope)
        in_scope = [t for t in theme_ids if theme_questions is None or theme_questions.get(t, "") in ("", scope)]
        if people.empty or not in_scope:
            continue
        has = np.array([[t in s for t in in_scope] for s in people["themes"]], dtype=float).reshape(len(people), len(in_scope))
        w = people["weight"].to_numpy(dtype=float) if weighted else np.ones(len(people))
        sums = {"k": has, "kw": has * w[:, None], "s2y": has * (w**2)[:, None]}
        totals = {name: m.sum(axis=0) for name, m in sums.items()}
        for column in group_columns:
            codes, groups = pd.factorize(people[column], sort=True)
            per = {name: _sum_by(codes, len(groups), m) for name, m in sums.items()}
            n, nw, s2 = (_sum_by(codes, len(groups), v[:, None])[:, 0] for v in (np.ones(len(w)), w, w**2))
            n_all, nw_all, s2_all = len(w), w.sum(), (w**2).sum()
            frame = pd.DataFrame({
                "group_column": column, "group": np.repeat(np.asarray(groups, dtype=object), len(in_scope)),
                "question": scope, "theme": np.tile(np.asarray(in_scope, dtype=object), len(groups)),
                "n_group": np.repeat(n, len(in_scope)).astype(int), "n_theme": per["k"].ravel().astype(int),
                "k_rest": (totals["k"] - per["k"]).ravel(), "n_rest": np.repeat(n_all - n, len(in_scope)),
                "kw": per["kw"].ravel(), "nw": np.repeat(nw, len(in_scope)), "s2": np.repeat(s2, len(in_scope)), "s2y": per["s2y"].ravel(),
                "kw_rest": (totals["kw"] - per["kw"]).ravel(), "nw_rest": np.repeat(nw_all - nw, len(in_scope)),
                "s2_rest": np.repeat(s2_all - s2, len(in_scope)), "s2y_rest": (totals["s2y"] - per["s2y"]).ravel(),
            })
            frames.append(frame)
    columns = GROUP_COLUMNS + (WEIGHTED_COLUMNS if weighted else [])
    if not frames:
        return pd.DataFrame(columns=columns), tests
    table = pd.concat(frames, ignore_index=True)
    table["suppressed"] = table["n_theme"] < min_cell
    share, var, n_eff = proportion_estimates(table["kw"], table["nw"], table["s2"], table["s2y"])
    share_rest, var_rest, n_eff_rest = proportion_estimates(table["kw_rest"], table["nw_rest"], table["s2_rest"], table["s2y_rest"])
    table["share"], table["share_rest"], table["n_effective"] = share, share_rest, n_eff
    table["share_unweighted"] = table["n_theme"] / table["n_group"].where(table["n_group"] > 0)
    table["ci_low"], table["ci_high"] = wilson_interval(share * n_eff, n_eff, confidence)
    table["diff"] = table["share"] - table["share_rest"]
    table["diff_low"], table["diff_high"] = newcombe_interval(share * n_eff, n_eff, share_rest * n_eff_rest, n_eff_rest, confidence)
    tested = ~table["suppressed"].to_numpy()
    table["p_value"] = np.nan
    if weighted:
        table.loc[tested, "p_value"] = difference_p_values(table.loc[tested, "diff"].to_numpy(), (var + var_rest)[tested])
        tests["wald"] = int(tested.sum())
    elif tested.any():
        sub = table.loc[tested]
        p, kinds = _chi2_or_fisher(*(sub[c].to_numpy(dtype=float) for c in ("n_theme", "n_group", "k_rest", "n_rest")))
        table.loc[tested, "p_value"] = p
        for kind, count in zip(*np.unique(kinds, return_counts=True)):
            tests[str(kind)] += int(count)
    adjust = holm if correction == "holm" else benjamini_hochberg
    table["p_adjusted"] = np.nan
    for scope in table["question"].unique():  # each scope is one analysis, and one family of tests
        in_family = tested & (table["question"] == scope).to_numpy()
        table.loc[in_family, "p_adjusted"] = adjust(table.loc[in_family, "p_value"].to_numpy())
    table["n_theme"] = table["n_theme"].astype("Int64")
    # the rest's share would give a small cell away (the theme's total is public), so it is blanked too
    hidden = ["share", "ci_low", "ci_high", "share_rest", "diff", "diff_low", "diff_high", "share_unweighted"]
    table.loc[table["suppressed"], hidden] = np.nan
    table.loc[table["suppressed"], "n_theme"] = pd.NA
    return table[columns].reset_index(drop=True), {k: v for k, v in tests.items() if v or k != "wald"}


def _sum_by(codes: np.ndarray, n_groups: int, values: np.ndarray) -> np.ndarray:
    """Return the column sums of ``values`` (rows x columns) within each group code (groups x columns)."""
    out = np.zeros((n_groups, values.shape[1]))
    np.add.at(out, codes, values)
    return out


def shares_by_group(
    with_theme: set, group_of: Sequence[dict[Any, Any]], columns: Sequence[str], min_cell: int = 5, weight_of: Mapping[Any, float] | None = None,
) -> list[dict[str, Any]]:
    """Return, for one theme, each group's share of respondents raising it, with the test against the other respondents.

    ``with_theme`` holds the respondents raising the theme; ``group_of[c]`` maps every respondent to
    their group in column ``columns[c]``; ``weight_of`` (weighted runs) maps them to their design weight.
    Cells under ``min_cell`` are suppressed (no share, no test); a column's many tiny groups are pooled
    as in :func:`pool_small_groups`. The shares and tests are those of :func:`group_table`. The review
    app shows these; :func:`mark_significant` corrects them over the whole page.
    """
    cells = []
    for column, groups in zip(columns, group_of):
        people = list(groups)
        sizes = pd.Series([groups[p] for p in people], dtype=object).value_counts()
        small = set(sizes.index[sizes < min_cell]) if (sizes < min_cell).sum() > MAX_SMALL_GROUPS else set()
        labels = np.array([POOLED_GROUP if groups[p] in small else groups[p] for p in people], dtype=object)
        raised = np.array([p in with_theme for p in people], dtype=bool)
        w = np.array([weight_of[p] for p in people], dtype=float) if weight_of is not None else np.ones(len(people))
        for group in sorted(set(labels), key=str):
            inside = labels == group
            n, k = int(inside.sum()), int((inside & raised).sum())
            suppressed = suppress(k, min_cell)
            (share, share_rest), (var, var_rest), _ = proportion_estimates(
                *(np.array([x[inside].sum(), x[~inside].sum()]) for x in (w * raised, w, w**2, w**2 * raised)))
            if suppressed:
                p = np.nan
            elif weight_of is not None:
                p = float(difference_p_values(np.array([share - share_rest]), np.array([var + var_rest]))[0])
            else:
                p = association_test(k, n, int(raised.sum()), len(people))[0]
            cells.append({"column": column, "group": str(group), "n": n, "k": None if suppressed else k, "share": None if suppressed else float(share),
                          "rest": None if suppressed or np.isnan(share_rest) else float(share_rest), "p": p, "suppressed": suppressed, "limit": min_cell})
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
