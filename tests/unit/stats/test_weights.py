"""Weighted group shares, intervals and tests (``group_table(weighted=True)``), checked by hand and against statsmodels; pooling of tiny groups."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from avovastaus.stats.summarize import POOLED_GROUP, group_table, pool_small_groups, proportion_estimates


def _survey(seed: int = 0, n: int = 400) -> tuple[pd.DataFrame, list[list[str]]]:
    rng = np.random.default_rng(seed)
    group = rng.choice(["a", "b", "c"], size=n, p=[0.5, 0.3, 0.2])
    weight = rng.uniform(0.25, 3.0, size=n)
    p = np.where(group == "a", 0.5, 0.2)
    has = rng.random(n) < p
    other = rng.random(n) < 0.3
    answers = pd.DataFrame({"id": [f"r{i}" for i in range(n)], "question": "q", "ryhma": group, "weight": weight})
    memberships = [[t for t, on in (("t1", h), ("t2", o)) if on] for h, o in zip(has, other)]
    return answers, memberships


def test_weighted_share_is_the_sum_of_weights_over_the_sum_of_weights() -> None:
    answers, memberships = _survey()
    table, tests = group_table(answers, memberships, ["t1", "t2"], ["ryhma"], weighted=True)
    has = np.array(["t1" in m for m in memberships])
    for group in ("a", "b", "c"):
        row = table[(table["group"] == group) & (table["theme"] == "t1")].iloc[0]
        inside = (answers["ryhma"] == group).to_numpy()
        w = answers["weight"].to_numpy()
        assert row["share"] == pytest.approx(w[inside & has].sum() / w[inside].sum())
        assert row["share_rest"] == pytest.approx(w[~inside & has].sum() / w[~inside].sum())
        assert row["share_unweighted"] == pytest.approx(has[inside].mean())
        assert row["n_group"] == inside.sum() and row["n_theme"] == (inside & has).sum()
        assert row["n_effective"] == pytest.approx(w[inside].sum() ** 2 / (w[inside] ** 2).sum())
    assert tests["wald"] == len(table) and tests["chi2"] == tests["fisher"] == 0


def test_weighted_test_equals_a_weighted_linear_probability_model_with_robust_errors() -> None:
    """The Wald test of group vs. rest is statsmodels' WLS of presence on the group indicator with HC0 errors."""
    answers, memberships = _survey(seed=3)
    table, _ = group_table(answers, memberships, ["t1"], ["ryhma"], weighted=True)
    y = np.array(["t1" in m for m in memberships], dtype=float)
    for group in ("a", "b", "c"):
        x = sm.add_constant((answers["ryhma"] == group).to_numpy(dtype=float))
        fit = sm.WLS(y, x, weights=answers["weight"].to_numpy()).fit(cov_type="HC0")
        row = table[table["group"] == group].iloc[0]
        assert row["diff"] == pytest.approx(fit.params[1])
        assert row["p_value"] == pytest.approx(fit.pvalues[1], rel=1e-6)


def test_weights_of_one_give_the_unweighted_shares_and_intervals() -> None:
    answers, memberships = _survey(seed=5)
    plain, _ = group_table(answers.drop(columns="weight"), memberships, ["t1", "t2"], ["ryhma"])
    ones, _ = group_table(answers.assign(weight=1.0), memberships, ["t1", "t2"], ["ryhma"], weighted=True)
    for column in ("share", "ci_low", "ci_high", "share_rest", "diff", "diff_low", "diff_high"):
        np.testing.assert_allclose(ones[column].to_numpy(float), plain[column].to_numpy(float), atol=1e-12)
    np.testing.assert_allclose(ones["n_effective"], ones["n_group"])


def test_scaling_the_weights_changes_nothing() -> None:
    answers, memberships = _survey(seed=7)
    once, _ = group_table(answers, memberships, ["t1"], ["ryhma"], weighted=True)
    scaled, _ = group_table(answers.assign(weight=answers["weight"] * 37.5), memberships, ["t1"], ["ryhma"], weighted=True)
    pd.testing.assert_frame_equal(once, scaled)


def test_proportion_estimates_reduce_to_binomial_without_weights() -> None:
    p, var, n_eff = proportion_estimates(np.array([30.0]), np.array([100.0]), np.array([100.0]), np.array([30.0]))
    assert p[0] == pytest.approx(0.3) and var[0] == pytest.approx(0.3 * 0.7 / 100) and n_eff[0] == pytest.approx(100)


def test_a_respondent_with_two_answers_is_weighted_once() -> None:
    answers = pd.DataFrame({"id": ["1", "1", "2", "3"], "question": ["q1", "q2", "q1", "q1"], "g": ["x", "x", "x", "y"], "weight": [2.0, 2.0, 1.0, 1.0]})
    table, _ = group_table(answers, [["t"], ["t"], [], ["t"]], ["t"], ["g"], min_cell=1, weighted=True)
    across = table[(table["question"] == "") & (table["group"] == "x")].iloc[0]
    assert across["share"] == pytest.approx(2.0 / 3.0)  # respondent 1 (weight 2) once, respondent 2 (weight 1) without


def test_many_tiny_groups_are_pooled_and_counted() -> None:
    n = 300
    answers = pd.DataFrame({"id": [str(i) for i in range(n)], "question": "q", "org": [f"o{i}" for i in range(n - 40)] + ["iso"] * 40})
    pooled, counts = pool_small_groups(answers, ["org"], min_cell=5)
    assert counts == {"org": n - 40}
    assert set(pooled["org"]) == {POOLED_GROUP, "iso"}
    table, _ = group_table(answers, [["t"] if i % 2 else [] for i in range(n)], ["t"], ["org"])
    assert sorted(table["group"]) == sorted([POOLED_GROUP, "iso"])
    assert table["n_group"].sum() == n  # nobody dropped


def test_a_few_small_groups_stay_as_they_are() -> None:
    answers = pd.DataFrame({"id": [str(i) for i in range(50)], "question": "q", "g": ["a"] * 45 + ["b", "c", "d", "e", "f"]})
    same, counts = pool_small_groups(answers, ["g"], min_cell=5)
    assert counts == {} and same is answers


def test_theme_weights_count_an_answer_once_per_theme() -> None:
    from avovastaus.stats.summarize import theme_weights

    assert theme_weights([["a", "b"], ["a", "a"], []], [2.0, 0.5, 9.0]) == {"a": 2.5, "b": 2.0}
