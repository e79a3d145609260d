"""Unit tests for avovastaus.summarize: Wilson intervals, tests, multiple-testing correction, group table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from avovastaus.summarize import (
    GROUP_COLUMNS,
    association_test,
    benjamini_hochberg,
    group_table,
    holm,
    wilson_interval,
)

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


# ---------------------------------------------------------------- group table


@pytest.fixture()
def survey() -> tuple[pd.DataFrame, list[list[str]]]:
    """60 answers in groups A and B (30 each); some carry two themes."""
    groups = pd.DataFrame({"ryhma": ["A"] * 30 + ["B"] * 30, "kieli": ["fi", "sv"] * 30})
    memberships = [["t1", "t2"]] * 20 + [["t1"]] * 6 + [[]] * 4 + [["t2"]] * 3 + [["t1"]] * 12 + [[]] * 15
    return groups, memberships


def test_group_table_shape_and_columns(survey) -> None:
    groups, memberships = survey
    table, tests = group_table(groups, memberships, ["t1", "t2"])
    assert list(table.columns) == GROUP_COLUMNS
    assert len(table) == (2 + 2) * 2  # (groups of ryhma + groups of kieli) x themes
    assert table[["group_column", "group", "theme"]].drop_duplicates().shape[0] == len(table)
    assert set(table["group_column"]) == {"ryhma", "kieli"}
    assert sum(tests.values()) == int((~table["suppressed"]).sum())


def test_group_table_counts_shares_and_intervals(survey) -> None:
    groups, memberships = survey
    table, _ = group_table(groups, memberships, ["t1", "t2"], min_cell=5)
    row = table[(table.group_column == "ryhma") & (table.group == "A") & (table.theme == "t1")].iloc[0]
    assert row.n_group == 30 and row.n_theme == 26
    assert row.share == pytest.approx(26 / 30)
    lo, hi = wilson_interval(26, 30)
    assert row.ci_low == pytest.approx(float(lo)) and row.ci_high == pytest.approx(float(hi))
    assert row.p_value == pytest.approx(association_test(26, 30, 38, 60)[0])
    # an answer counts toward each of its themes: group A's shares sum to more than 1
    a = table[(table.group_column == "ryhma") & (table.group == "A")]
    assert a["share"].sum() == pytest.approx((26 + 20) / 30)
    assert a["share"].sum() > 1


def test_group_table_suppresses_small_cells(survey) -> None:
    groups, memberships = survey
    table, tests = group_table(groups, memberships, ["t1", "t2"], min_cell=5)
    small = table[(table.group_column == "ryhma") & (table.group == "B") & (table.theme == "t2")].iloc[0]
    assert bool(small.suppressed)
    assert pd.isna(small.n_theme) and pd.isna(small.share) and pd.isna(small.ci_low) and pd.isna(small.ci_high)
    assert pd.isna(small.p_value) and pd.isna(small.p_adjusted)
    assert small.n_group == 30  # the group size is not sensitive and stays
    assert table.loc[~table.suppressed, "n_theme"].min() >= 5
    assert table.loc[~table.suppressed, "p_adjusted"].notna().all()
    assert sum(tests.values()) == int((~table.suppressed).sum())


@pytest.mark.parametrize("correction", ["holm", "bh"])
def test_suppressed_cells_are_left_out_of_the_correction(survey, correction: str) -> None:
    groups, memberships = survey
    table, _ = group_table(groups, memberships, ["t1", "t2"], correction=correction, min_cell=5)
    tested = table[~table.suppressed]
    adjust = holm if correction == "holm" else benjamini_hochberg
    np.testing.assert_allclose(tested["p_adjusted"].to_numpy(dtype=float), adjust(tested["p_value"].to_numpy(dtype=float)))
    assert len(tested) < len(table)


def test_min_cell_one_tests_every_non_empty_cell(survey) -> None:
    groups, memberships = survey
    table, _ = group_table(groups, memberships, ["t1", "t2"], min_cell=1)
    row = table[(table.group_column == "ryhma") & (table.group == "B") & (table.theme == "t2")].iloc[0]
    assert not row.suppressed and row.n_theme == 3 and row.share == pytest.approx(0.1)


def test_theme_no_one_carries_is_suppressed() -> None:
    groups = pd.DataFrame({"g": ["A"] * 10 + ["B"] * 10})
    table, tests = group_table(groups, [["t1"]] * 20, ["t1", "t9"], min_cell=5)
    assert table.loc[table.theme == "t9", "suppressed"].all()
    # t1 is carried by every answer: no contrast to test in either group
    assert tests == {"chi2": 0, "fisher": 0, "none": 2}
    assert table.loc[table.theme == "t1", "p_value"].tolist() == [1.0, 1.0]


def test_groups_are_sorted() -> None:
    groups = pd.DataFrame({"g": ["Kunta", "Järjestö", "(puuttuu)", "Kunta"] * 5})
    table, _ = group_table(groups, [["t1"]] * 20, ["t1"], min_cell=1)
    assert table["group"].tolist() == sorted(["Kunta", "Järjestö", "(puuttuu)"])
