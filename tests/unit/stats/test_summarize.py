"""Unit tests for avovastaus.stats.summarize: Wilson and Newcombe intervals, tests, multiple-testing correction, the respondent-level group table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from avovastaus.stats.summarize import (
    ALL_QUESTIONS,
    GROUP_COLUMNS,
    association_test,
    benjamini_hochberg,
    group_table,
    holm,
    mark_significant,
    newcombe_interval,
    respondent_themes,
    shares_by_group,
    wilson_interval,
)
from avovastaus.themes.label import group_words

# ---------------------------------------------------------------- Wilson


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        (0, 10, 0.0, 0.2775),
        (5, 10, 0.2366, 0.7634),
        (10, 10, 0.7225, 1.0),
        (1, 10, 0.0179, 0.4042),
        (50, 100, 0.4038, 0.5962),
    ],
)
def test_wilson_interval_known_values(k: int, n: int, low: float, high: float) -> None:
    lo, hi = wilson_interval(k, n)
    assert float(lo) == pytest.approx(low, abs=5e-4)
    assert float(hi) == pytest.approx(high, abs=5e-4)


def test_wilson_interval_vectorized_and_nan_for_empty() -> None:
    lo, hi = wilson_interval(np.array([0, 5, 0]), np.array([10, 10, 0]))
    np.testing.assert_allclose(lo[:2], [0.0, 0.2366], atol=5e-4)
    np.testing.assert_allclose(hi[:2], [0.2775, 0.7634], atol=5e-4)
    assert np.isnan(lo[2]) and np.isnan(hi[2])


def test_wilson_interval_wider_at_higher_confidence() -> None:
    lo95, hi95 = wilson_interval(5, 20, 0.95)
    lo99, hi99 = wilson_interval(5, 20, 0.99)
    assert lo99 < lo95 < 0.25 < hi95 < hi99


# ---------------------------------------------------------------- corrections


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        ([0.01, 0.04, 0.03, 0.005], [0.03, 0.06, 0.06, 0.02]),
        ([0.5], [0.5]),
        ([0.3, 0.4], [0.6, 0.6]),
        ([0.6, 0.9, 0.01], [1.0, 1.0, 0.03]),  # capped at 1
        ([0.02, 0.02], [0.04, 0.04]),  # ties
    ],
)
def test_holm(p: list[float], expected: list[float]) -> None:
    np.testing.assert_allclose(holm(p), expected)


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        ([0.01, 0.04, 0.03, 0.005], [0.02, 0.04, 0.04, 0.02]),
        ([0.5], [0.5]),
        ([0.01, 0.02, 0.03], [0.03, 0.03, 0.03]),
        ([0.9, 0.8], [0.9, 0.9]),
        ([0.6, 0.9, 0.01], [0.9, 0.9, 0.03]),
    ],
)
def test_benjamini_hochberg(p: list[float], expected: list[float]) -> None:
    np.testing.assert_allclose(benjamini_hochberg(p), expected)


def _hand_written_bh(p: np.ndarray) -> np.ndarray:
    """The step-up Benjamini–Hochberg that summarize carried before it used scipy (issue #12)."""
    m = len(p)
    order = np.argsort(p, kind="stable")
    adjusted = np.minimum.accumulate((p[order] * m / np.arange(1, m + 1))[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out


@pytest.mark.parametrize("seed", range(5))
def test_benjamini_hochberg_numbers_unchanged_by_scipy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = np.concatenate([rng.uniform(size=200), rng.uniform(0, 1e-3, size=50), [0.0, 1.0, 0.05, 0.05, 0.05]])
    p = np.round(p, 3)  # ties
    np.testing.assert_allclose(benjamini_hochberg(p), _hand_written_bh(p), rtol=1e-15, atol=0)  # equal up to the last bit (1 ulp)


@pytest.mark.parametrize("adjust", [holm, benjamini_hochberg])
def test_corrections_of_nothing_and_their_bounds(adjust) -> None:
    assert len(adjust([])) == 0
    p = np.random.default_rng(0).uniform(size=50)
    adjusted = adjust(p)
    assert (adjusted >= p - 1e-15).all() and (adjusted <= 1).all()
    # monotone: a smaller p never gets a larger adjusted p
    order = np.argsort(p)
    assert (np.diff(adjusted[order]) >= -1e-15).all()


def test_holm_is_never_below_bh() -> None:
    p = np.random.default_rng(1).uniform(0, 0.1, size=20)
    assert (holm(p) >= benjamini_hochberg(p) - 1e-15).all()


# ---------------------------------------------------------------- association test


def _table(k: int, n_group: int, k_total: int, n_total: int) -> np.ndarray:
    return np.array([[k, n_group - k], [k_total - k, n_total - n_group - (k_total - k)]])


@pytest.mark.parametrize(
    ("k", "n_group", "k_total", "n_total"),
    [(30, 50, 40, 100), (20, 50, 40, 100), (15, 60, 50, 150)],
)
def test_chi2_when_expected_counts_are_large(k: int, n_group: int, k_total: int, n_total: int) -> None:
    p, name = association_test(k, n_group, k_total, n_total)
    assert name == "chi2"
    expected = stats.chi2_contingency(_table(k, n_group, k_total, n_total), correction=False)[1]
    assert p == pytest.approx(expected)


@pytest.mark.parametrize(
    ("k", "n_group", "k_total", "n_total"),
    [(2, 10, 5, 100), (4, 5, 6, 40), (8, 10, 9, 20)],
)
def test_fisher_when_an_expected_count_is_small(k: int, n_group: int, k_total: int, n_total: int) -> None:
    p, name = association_test(k, n_group, k_total, n_total)
    assert name == "fisher"
    assert p == pytest.approx(stats.fisher_exact(_table(k, n_group, k_total, n_total))[1])


def test_equal_shares_give_p_one() -> None:
    p, name = association_test(20, 50, 40, 100)
    assert name == "chi2"
    assert p == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("k", "n_group", "k_total", "n_total"),
    [(0, 10, 0, 100), (10, 10, 100, 100), (5, 100, 20, 100)],  # no theme anywhere; every answer has it; group is everyone
)
def test_degenerate_table_is_none(k: int, n_group: int, k_total: int, n_total: int) -> None:
    assert association_test(k, n_group, k_total, n_total) == (1.0, "none")


# ---------------------------------------------------------------- Newcombe


def test_newcombe_interval_matches_the_published_example() -> None:
    # Newcombe (1998), Statistics in Medicine 17:873-890, table II, example (a): 56/70 - 48/80, method 10
    lo, hi = newcombe_interval(56, 70, 48, 80)
    assert float(lo) == pytest.approx(0.0524, abs=1e-4) and float(hi) == pytest.approx(0.3339, abs=1e-4)


@pytest.mark.parametrize(("k1", "n1", "k2", "n2"), [(9, 10, 3, 10), (0, 10, 0, 20), (10, 10, 0, 10), (5, 40, 30, 60)])
def test_newcombe_interval_holds_the_difference_and_stays_in_bounds(k1: int, n1: int, k2: int, n2: int) -> None:
    lo, hi = newcombe_interval(k1, n1, k2, n2)
    d = k1 / n1 - k2 / n2
    assert -1 <= float(lo) <= d <= float(hi) <= 1
    # symmetric: swapping the samples mirrors the interval
    lo2, hi2 = newcombe_interval(k2, n2, k1, n1)
    assert float(lo2) == pytest.approx(-float(hi)) and float(hi2) == pytest.approx(-float(lo))


def test_newcombe_interval_narrows_with_more_data() -> None:
    lo1, hi1 = newcombe_interval(6, 20, 2, 20)
    lo2, hi2 = newcombe_interval(60, 200, 20, 200)
    assert hi2 - lo2 < hi1 - lo1


# ---------------------------------------------------------------- group table


def _answers(groups: pd.DataFrame, question: str = "q1", ids: list | None = None) -> pd.DataFrame:
    ids = ids if ids is not None else [f"R{i}" for i in range(len(groups))]
    return groups.assign(id=ids, question=question)


@pytest.fixture()
def survey() -> tuple[pd.DataFrame, list[list[str]]]:
    """60 respondents in groups A and B (30 each), one question; some answers carry two themes."""
    groups = pd.DataFrame({"ryhma": ["A"] * 30 + ["B"] * 30, "kieli": ["fi", "sv"] * 30})
    memberships = [["t1", "t2"]] * 20 + [["t1"]] * 6 + [[]] * 4 + [["t2"]] * 3 + [["t1"]] * 12 + [[]] * 15
    return _answers(groups), memberships


COLUMNS = ["ryhma", "kieli"]


def test_group_table_shape_and_columns(survey) -> None:
    answers, memberships = survey
    table, tests = group_table(answers, memberships, ["t1", "t2"], COLUMNS)
    assert list(table.columns) == GROUP_COLUMNS
    assert len(table) == (2 + 2) * 2  # (groups of ryhma + groups of kieli) x themes; one question: no all-questions scope
    assert set(table["question"]) == {"q1"}
    assert table[["group_column", "group", "theme"]].drop_duplicates().shape[0] == len(table)
    assert set(table["group_column"]) == {"ryhma", "kieli"}
    assert sum(tests.values()) == int((~table["suppressed"]).sum())


def test_group_table_counts_shares_intervals_and_differences(survey) -> None:
    answers, memberships = survey
    table, _ = group_table(answers, memberships, ["t1", "t2"], COLUMNS, min_cell=5)
    row = table[(table.group_column == "ryhma") & (table.group == "A") & (table.theme == "t1")].iloc[0]
    assert row.n_group == 30 and row.n_theme == 26
    assert row.share == pytest.approx(26 / 30)
    lo, hi = wilson_interval(26, 30)
    assert row.ci_low == pytest.approx(float(lo)) and row.ci_high == pytest.approx(float(hi))
    assert row.share_rest == pytest.approx(12 / 30) and row["diff"] == pytest.approx(26 / 30 - 12 / 30)
    dlo, dhi = newcombe_interval(26, 30, 12, 30)
    assert row.diff_low == pytest.approx(float(dlo)) and row.diff_high == pytest.approx(float(dhi))
    assert row.p_value == pytest.approx(association_test(26, 30, 38, 60)[0])
    # an answer counts toward each of its themes: group A's shares sum to more than 1
    a = table[(table.group_column == "ryhma") & (table.group == "A")]
    assert a["share"].sum() == pytest.approx((26 + 20) / 30)
    assert a["share"].sum() > 1


def test_group_table_suppresses_small_cells(survey) -> None:
    answers, memberships = survey
    table, tests = group_table(answers, memberships, ["t1", "t2"], COLUMNS, min_cell=5)
    small = table[(table.group_column == "ryhma") & (table.group == "B") & (table.theme == "t2")].iloc[0]
    assert bool(small.suppressed)
    blank = ["n_theme", "share", "ci_low", "ci_high", "share_rest", "diff", "diff_low", "diff_high", "p_value", "p_adjusted"]
    assert all(pd.isna(small[c]) for c in blank)
    assert small.n_group == 30  # the group size is not sensitive and stays
    assert table.loc[~table.suppressed, "n_theme"].min() >= 5
    assert table.loc[~table.suppressed, "p_adjusted"].notna().all()
    assert sum(tests.values()) == int((~table.suppressed).sum())


@pytest.mark.parametrize("correction", ["holm", "bh"])
def test_suppressed_cells_are_left_out_of_the_correction(survey, correction: str) -> None:
    answers, memberships = survey
    table, _ = group_table(answers, memberships, ["t1", "t2"], COLUMNS, correction=correction, min_cell=5)
    tested = table[~table.suppressed]
    adjust = holm if correction == "holm" else benjamini_hochberg
    np.testing.assert_allclose(tested["p_adjusted"].to_numpy(dtype=float), adjust(tested["p_value"].to_numpy(dtype=float)))
    assert len(tested) < len(table)


def test_min_cell_one_tests_every_non_empty_cell(survey) -> None:
    answers, memberships = survey
    table, _ = group_table(answers, memberships, ["t1", "t2"], COLUMNS, min_cell=1)
    row = table[(table.group_column == "ryhma") & (table.group == "B") & (table.theme == "t2")].iloc[0]
    assert not row.suppressed and row.n_theme == 3 and row.share == pytest.approx(0.1)


def test_theme_no_one_carries_is_suppressed() -> None:
    answers = _answers(pd.DataFrame({"g": ["A"] * 10 + ["B"] * 10}))
    table, tests = group_table(answers, [["t1"]] * 20, ["t1", "t9"], ["g"], min_cell=5)
    assert table.loc[table.theme == "t9", "suppressed"].all()
    # t1 is carried by every answer: no contrast to test in either group
    assert tests == {"chi2": 0, "fisher": 0, "none": 2}
    assert table.loc[table.theme == "t1", "p_value"].tolist() == [1.0, 1.0]


def test_groups_are_sorted() -> None:
    answers = _answers(pd.DataFrame({"g": ["Kunta", "Järjestö", "(puuttuu)", "Kunta"] * 5}))
    table, _ = group_table(answers, [["t1"]] * 20, ["t1"], ["g"], min_cell=1)
    assert table["group"].tolist() == sorted(["Kunta", "Järjestö", "(puuttuu)"])


# ---------------------------------------------------------------- respondents, not answers (#14)


@pytest.fixture()
def two_questions() -> tuple[pd.DataFrame, list[list[str]]]:
    """20 respondents (A: 10, B: 10) answering q1 and q2; in group A eight raise t1 in both answers."""
    ids = [f"R{i}" for i in range(20)]
    groups = pd.DataFrame({"g": ["A"] * 10 + ["B"] * 10})
    answers = pd.concat([_answers(groups, "q1", ids), _answers(groups, "q2", ids)], ignore_index=True)
    q1 = [["t1"]] * 8 + [[]] * 2 + [["t1"]] * 2 + [[]] * 8
    q2 = [["t1"]] * 8 + [[]] * 2 + [[]] * 2 + [["t1"]] * 2 + [[]] * 6
    return answers, q1 + q2


def test_respondent_themes_count_a_person_once(two_questions) -> None:
    answers, memberships = two_questions
    people = respondent_themes(answers, memberships)
    assert len(people) == 20 and people["id"].is_unique
    assert sum("t1" in s for s in people["themes"]) == 8 + 4  # group A's eight once each; B: R10, R11 in q1, R12, R13 in q2
    q2 = respondent_themes(answers, memberships, "q2")
    assert len(q2) == 20 and sum("t1" in s for s in q2["themes"]) == 10


def test_group_table_has_per_question_and_respondent_scopes(two_questions) -> None:
    answers, memberships = two_questions
    table, _ = group_table(answers, memberships, ["t1"], ["g"], min_cell=1)
    assert list(dict.fromkeys(table["question"])) == ["q1", "q2", ALL_QUESTIONS]
    everyone = table[(table.question == ALL_QUESTIONS) & (table.group == "A")].iloc[0]
    # respondents, not answers: 8 of A's 10 people, not 16 of its 20 answers
    assert everyone.n_group == 10 and everyone.n_theme == 8
    assert everyone.p_value == pytest.approx(association_test(8, 10, 12, 20)[0])
    b = table[(table.question == ALL_QUESTIONS) & (table.group == "B")].iloc[0]
    assert b.n_theme == 4 and b.share == pytest.approx(0.4)


def test_group_words_are_hidden_for_small_groups_and_rare_words() -> None:
    from avovastaus.finnish.lemmas import Lemma

    answers = pd.DataFrame({"id": [f"R{i}" for i in range(14)], "question": "q", "g": ["iso"] * 10 + ["pieni"] * 4})
    words = [[Lemma("avustus", "avustus", ()), Lemma("tila", "tila", ())]] * 6 + [[Lemma("kunta", "kunta", ())]] * 3 + [[Lemma("nimi", "nimi", ())]]
    words += [[Lemma("kunta", "kunta", ())]] * 4
    table = group_words(answers, words, ["g"], min_cell=5)
    rows = table.set_index("group")
    assert rows.loc["pieni", "keywords"] == "" and rows.loc["pieni", "n_group"] == 4
    shown = rows.loc["iso", "keywords"].split(", ")
    assert "avustus" in shown and "nimi" not in shown  # a word from one answer never shows


@pytest.mark.parametrize("correction", ["holm", "bh"])
def test_each_scope_is_its_own_family_of_tests(two_questions, correction: str) -> None:
    answers, memberships = two_questions
    table, _ = group_table(answers, memberships, ["t1"], ["g"], correction=correction, min_cell=1)
    adjust = holm if correction == "holm" else benjamini_hochberg
    for scope in ("q1", "q2", ALL_QUESTIONS):
        rows = table[table.question == scope]
        np.testing.assert_allclose(rows["p_adjusted"].to_numpy(dtype=float), adjust(rows["p_value"].to_numpy(dtype=float)))


# ---------------------------------------------------------------- the review app's group shares


def test_shares_by_group_count_respondents_and_mark_significant_differences() -> None:
    people = {f"A{i}": "A" for i in range(20)} | {f"B{i}": "B" for i in range(20)} | {f"C{i}": "C" for i in range(3)}
    with_theme = {f"A{i}" for i in range(15)} | {f"B{i}" for i in range(6)} | {"C0", "C1", "C2"}
    cells = shares_by_group(with_theme, [people], ["g"], min_cell=5)
    by = {c["group"]: c for c in cells}
    assert by["A"]["share"] == pytest.approx(0.75) and by["A"]["n"] == 20 and by["A"]["k"] == 15
    assert by["A"]["p"] == pytest.approx(association_test(15, 20, 24, 43)[0])
    assert by["C"]["suppressed"] and by["C"]["share"] is None and by["C"]["k"] is None and np.isnan(by["C"]["p"])
    mark_significant(cells, "bh", 0.05)
    assert by["A"]["significant"] and by["A"]["direction"] == 1
    assert by["B"]["significant"] and by["B"]["direction"] == -1
    assert not by["C"]["significant"] and by["C"]["direction"] == 0
    np.testing.assert_allclose([by["A"]["p_adjusted"], by["B"]["p_adjusted"]], benjamini_hochberg([by["A"]["p"], by["B"]["p"]]))
