"""Unit tests for avovastaus.stats.effects: logistic models of theme presence, average marginal effects, stated reasons."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import special, stats
from statsmodels.tools.numdiff import approx_fprime

from avovastaus.stats.effects import EFFECT_COLUMNS, PER_UNIT, build_design, check_weights, fit_logit, marginal_effects, theme_effects


def survey(n: int = 600, seed: int = 0, effect: float = 0.9) -> pd.DataFrame:
    """Respondents with a two-level group, a three-level region, a numeric age, a weight and three themes."""
    rng = np.random.default_rng(seed)
    group = rng.choice(["a", "b"], n, p=[0.6, 0.4])
    region = rng.choice(["etelä", "itä", "pohjoinen"], n, p=[0.5, 0.3, 0.2])
    age = rng.normal(45, 15, n).round()
    eta = -1.2 + effect * (group == "b") + 0.4 * (region == "itä") - 0.3 * (region == "pohjoinen") + 0.02 * (age - 45)
    return pd.DataFrame({
        "id": [f"r{i}" for i in range(n)], "group": group, "region": region, "age": age,
        "paino": rng.uniform(0.3, 3.0, n),
        "t_main": (rng.random(n) < special.expit(eta)).astype(int),
        "t_null": (rng.random(n) < 0.3).astype(int),
        "t_age": (rng.random(n) < special.expit(-1 + 0.04 * (age - 45))).astype(int),
    })


def row(table: pd.DataFrame, theme: str, term: str, level: str | None = None) -> pd.Series:
    hit = table[(table["theme"] == theme) & (table["term"] == term) & ((table["level"] == level) if level is not None else True)]
    assert len(hit) == 1, hit
    return hit.iloc[0]


# ---------------------------------------------------------------- equal to statsmodels


def test_unweighted_equals_statsmodels_logit_and_its_marginal_effects() -> None:
    people = survey()
    table = theme_effects(people, ["t_main"], ["group", "age"])
    # the same model written out by hand: reference of group is its most frequent level, 'a'
    X = np.column_stack([np.ones(len(people)), (people["group"] == "b").astype(float), people["age"]])
    logit = sm.Logit(people["t_main"].to_numpy(float), X).fit(disp=0)
    design = build_design(people, ["group", "age"])
    assert design.names == ["const", "group=b", "age"]
    fit = fit_logit(people["t_main"].to_numpy(float), design.X)
    np.testing.assert_allclose(fit.params, logit.params, rtol=1e-7)
    np.testing.assert_allclose(fit.cov, logit.cov_params(), rtol=1e-6)
    margeff = logit.get_margeff(at="overall", method="dydx", dummy=True)
    ours = [row(table, "t_main", "group", "b"), row(table, "t_main", "age", PER_UNIT)]
    np.testing.assert_allclose([r["ame"] for r in ours], 100 * margeff.margeff, rtol=1e-6)
    np.testing.assert_allclose([r["se"] for r in ours], 100 * margeff.margeff_se, rtol=1e-5)
    np.testing.assert_allclose([r["p_value"] for r in ours], margeff.pvalues, rtol=1e-4)
    low, high = margeff.conf_int().T
    np.testing.assert_allclose([r["ame_low"] for r in ours], 100 * low, rtol=1e-5)
    np.testing.assert_allclose([r["ame_high"] for r in ours], 100 * high, rtol=1e-5)
    assert ours[0]["reference"] == "a" and ours[0]["kind"] == "categorical" and ours[1]["kind"] == "numeric"


def contrast(result, X: np.ndarray, cols: list[int], j: int, w: np.ndarray) -> tuple[float, float]:
    """Return the (weighted) mean of P(level j) - P(reference) from statsmodels' predictions, and its SE with a numerical gradient."""
    X1, X0 = X.copy(), X.copy()
    X1[:, cols], X0[:, cols] = 0.0, 0.0
    X1[:, j] = 1.0
    w = w / w.sum()

    def ame(params: np.ndarray) -> float:
        return float(w @ (special.expit(X1 @ params) - special.expit(X0 @ params)))

    grad = approx_fprime(np.asarray(result.params), ame, centered=True)
    return ame(np.asarray(result.params)), float(np.sqrt(grad @ np.asarray(result.cov_params()) @ grad))


def test_three_level_contrast_equals_counterfactual_predictions() -> None:
    people = survey()
    table = theme_effects(people, ["t_main"], ["group", "region", "age"])
    design = build_design(people, ["group", "region", "age"])
    assert design.names == ["const", "group=b", "region=itä", "region=pohjoinen", "age"]
    result = sm.Logit(people["t_main"].to_numpy(float), design.X).fit(disp=0)
    for level, j in (("itä", 2), ("pohjoinen", 3)):
        ame, se = contrast(result, design.X, [2, 3], j, np.ones(len(people)))
        r = row(table, "t_main", "region", level)
        assert r["reference"] == "etelä"
        assert r["ame"] == pytest.approx(100 * ame, rel=1e-6)
        assert r["se"] == pytest.approx(100 * se, rel=1e-5)


def test_weighted_equals_glm_with_var_weights_and_the_survey_sandwich() -> None:
    people = survey(seed=3)
    covariates = ["group", "region", "age"]
    table = theme_effects(people, ["t_main"], covariates, weight="paino")
    design = build_design(people, covariates, people["paino"].to_numpy())
    y, X, w = people["t_main"].to_numpy(float), design.X, people["paino"].to_numpy()
    n = len(y)
    direct = sm.GLM(y, X, family=sm.families.Binomial(), var_weights=w).fit(cov_type="HC0")
    fit = fit_logit(y, X, w, robust=True)
    np.testing.assert_allclose(fit.params, direct.params, rtol=1e-8)
    np.testing.assert_allclose(fit.cov, direct.cov_params() * n / (n - 1), rtol=1e-8)
    # the sandwich written out (svyglm, one stratum, no clusters): A^-1 (n/(n-1) sum w_i^2 u_i u_i') A^-1
    mu = special.expit(X @ fit.params)
    scores = (w * (y - mu))[:, None] * X
    bread = np.linalg.inv((X * (w * mu * (1 - mu))[:, None]).T @ X)
    np.testing.assert_allclose(fit.cov, bread @ scores.T @ scores @ bread * n / (n - 1), rtol=1e-6)

    class Result:  # statsmodels' fit with our covariance, for the numerical-gradient contrast
        params, cov_params = direct.params, staticmethod(lambda: direct.cov_params() * n / (n - 1))

    for level, j in (("itä", 2), ("pohjoinen", 3)):
        ame, se = contrast(Result, X, [2, 3], j, w)
        r = row(table, "t_main", "region", level)
        assert r["ame"] == pytest.approx(100 * ame, rel=1e-6)
        assert r["se"] == pytest.approx(100 * se, rel=1e-5)
    assert row(table, "t_main", "age")["effective_n"] == pytest.approx(w.sum() ** 2 / (w**2).sum())
    assert row(table, "t_main", "age")["sd"] == pytest.approx(np.sqrt(np.cov(people["age"], aweights=w, ddof=0)))


def test_weights_all_one_give_the_unweighted_result() -> None:
    people = survey().assign(one=1.0)
    themes, covariates = ["t_main", "t_null", "t_age"], ["group", "region", "age"]
    numbers = ["ame", "se", "ame_low", "ame_high", "p_value", "p_adjusted"]
    robust_plain = theme_effects(people, themes, covariates, cov="robust")
    robust_ones = theme_effects(people, themes, covariates, weight="one")
    pd.testing.assert_frame_equal(robust_plain[numbers], robust_ones[numbers], rtol=1e-9)
    model_plain = theme_effects(people, themes, covariates)
    np.testing.assert_allclose(model_plain["ame"], robust_ones["ame"], rtol=1e-9)
    assert (robust_ones["effective_n"] == len(people)).all() and model_plain["effective_n"].isna().all()


def test_weights_are_scale_free() -> None:
    people = survey(seed=5)
    people["paino7"] = 7 * people["paino"]
    a = theme_effects(people, ["t_main", "t_age"], ["group", "age"], weight="paino")
    b = theme_effects(people, ["t_main", "t_age"], ["group", "age"], weight="paino7")
    numbers = ["ame", "se", "p_value", "effective_n"]
    pd.testing.assert_frame_equal(a[numbers], b[numbers], rtol=1e-9)


# ---------------------------------------------------------------- behaviour


def test_planted_effect_recovered_and_null_theme_quiet() -> None:
    people = survey(n=5000, seed=11, effect=0.9)
    table = theme_effects(people, ["t_main", "t_null"], ["group", "region", "age"])
    eta = lambda g: -1.2 + 0.9 * g + 0.4 * (people["region"] == "itä") - 0.3 * (people["region"] == "pohjoinen") + 0.02 * (people["age"] - 45)
    truth = 100 * float(np.mean(special.expit(eta(1)) - special.expit(eta(0))))
    main = row(table, "t_main", "group", "b")
    assert main["ame_low"] < truth < main["ame_high"]
    assert main["p_adjusted"] < 1e-6 and main["ame"] > 15
    assert (table.loc[table["theme"] == "t_null", "p_adjusted"] > 0.05).all()
    assert (table["status"] == "ok").all() and (table["reason"] == "").all()
    assert list(table.columns) == EFFECT_COLUMNS


def test_bh_runs_over_every_theme_and_term() -> None:
    people = survey(seed=2)
    table = theme_effects(people, ["t_main", "t_null", "t_age"], ["group", "region", "age"])
    assert len(table) == 3 * 4
    expected = stats.false_discovery_control(table["p_value"].to_numpy(), method="bh")
    np.testing.assert_allclose(table["p_adjusted"], expected)
    per_theme = stats.false_discovery_control(table.loc[table["theme"] == "t_null", "p_value"].to_numpy(), method="bh")
    assert not np.allclose(table.loc[table["theme"] == "t_null", "p_adjusted"], per_theme)


def test_bh_leaves_out_rows_without_an_estimate() -> None:
    people = survey(seed=2)
    people["t_tiny"] = 0
    people.loc[:4, "t_tiny"] = 1
    table = theme_effects(people, ["t_main", "t_tiny"], ["group", "age"])
    ok = table["status"] == "ok"
    np.testing.assert_allclose(table.loc[ok, "p_adjusted"], stats.false_discovery_control(table.loc[ok, "p_value"].to_numpy(), method="bh"))
    assert table.loc[~ok, "p_adjusted"].isna().all()


def test_deterministic_and_free_of_row_order() -> None:
    people = survey(seed=4)
    args = (["t_main", "t_age"], ["group", "region", "age"])
    first = theme_effects(people, *args, weight="paino")
    pd.testing.assert_frame_equal(first, theme_effects(people, *args, weight="paino"))
    shuffled = theme_effects(people.sample(frac=1, random_state=1), *args, weight="paino")
    pd.testing.assert_frame_equal(first, shuffled, rtol=1e-7)


# ---------------------------------------------------------------- stated reasons, no warnings


def quiet(*args, **kwargs) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return theme_effects(*args, **kwargs)


def test_tiny_theme_gets_a_reason_per_term() -> None:
    people = survey()
    people["t_rare"] = 0
    people.loc[:6, "t_rare"] = 1
    people["t_common"] = 1
    people.loc[:2, "t_common"] = 0
    table = quiet(people, ["t_rare", "t_common"], ["group", "region", "age"])
    rare = table[table["theme"] == "t_rare"]
    assert len(rare) == 4 and (rare["status"] == "too_few").all()
    assert (rare["reason"] == "too few respondents with the theme (7 < 10)").all()
    assert rare[["ame", "se", "p_value", "p_adjusted"]].isna().all().all() and (rare["n_theme"] == 7).all()
    assert (table.loc[table["theme"] == "t_common", "reason"] == "too few respondents without the theme (3 < 10)").all()


def test_level_without_the_theme_is_perfect_separation() -> None:
    people = survey()
    people["t_sep"] = people["t_main"]
    people.loc[people["region"] == "pohjoinen", "t_sep"] = 0
    table = quiet(people, ["t_sep", "t_main"], ["group", "region", "age"])
    sep = table[table["theme"] == "t_sep"]
    m = int((people["region"] == "pohjoinen").sum())
    assert (sep["status"] == "separation").all() and sep["ame"].isna().all()
    assert (sep["reason"] == f"perfect separation on region=pohjoinen: the theme in 0 of its {m} respondents").all()
    assert (table.loc[table["theme"] == "t_main", "status"] == "ok").all()


def test_numeric_separation_is_caught_after_the_fit() -> None:
    people = survey()
    people["t_old"] = (people["age"] > 50).astype(int)
    table = quiet(people, ["t_old"], ["group", "age"])
    assert (table["status"] == "separation").all()
    assert (table["reason"] == "perfect separation on age: its coefficient diverges").all()


def test_empty_level_and_constant_covariate() -> None:
    people = survey()
    people["region"] = pd.Categorical(people["region"], categories=["etelä", "itä", "pohjoinen", "saaristo"])
    people["country"] = "fi"
    people["year"] = 2024
    table = quiet(people, ["t_main"], ["group", "region", "country", "year"])
    assert list(table["term"]) == ["group", "region", "region", "region", "country", "year"]
    empty = row(table, "t_main", "region", "saaristo")
    assert empty["status"] == "empty_level" and empty["reason"] == "empty cell: no respondent in region=saaristo" and np.isnan(empty["ame"])
    assert row(table, "t_main", "country")["reason"] == "constant covariate: every respondent has country=fi"
    assert row(table, "t_main", "year")["reason"] == "constant covariate: every respondent has year=2024"
    assert row(table, "t_main", "region", "itä")["status"] == "ok" and row(table, "t_main", "group")["status"] == "ok"


def test_collinear_covariates_are_named() -> None:
    people = survey()
    people["ryhmä"] = people["group"].map({"a": "x", "b": "y"})
    table = quiet(people, ["t_main"], ["group", "ryhmä", "age"])
    assert (table["status"] == "collinear").all()
    assert table["reason"].iloc[0] == "collinear covariates: group, ryhmä determine one another; leave one out"


def test_missing_covariates_drop_respondents_from_the_model() -> None:
    people = survey()
    people["region"] = people["region"].astype(object)
    people.loc[[0, 5, 9], "age"] = np.nan
    people.loc[[5, 17], "region"] = None
    table = quiet(people, ["t_main"], ["group", "region", "age"])
    assert (table["n"] == len(people) - 4).all() and (table["n_missing"] == 4).all()
    complete = theme_effects(people.dropna(subset=["region", "age"]), ["t_main"], ["group", "region", "age"])
    np.testing.assert_allclose(table["ame"], complete["ame"], rtol=1e-10)
    assert (complete["n_missing"] == 0).all()


def test_references_and_bool_covariates() -> None:
    people = survey()
    people["urban"] = people["region"] == "etelä"
    table = theme_effects(people, ["t_main"], ["group", "urban"], references={"group": "b"})
    assert row(table, "t_main", "group")["level"] == "a" and row(table, "t_main", "group")["reference"] == "b"
    assert row(table, "t_main", "urban")["level"] == "True" and row(table, "t_main", "urban")["reference"] == "False"
    flipped = theme_effects(people, ["t_main"], ["group", "urban"])
    assert row(flipped, "t_main", "group")["ame"] == pytest.approx(-row(table, "t_main", "group")["ame"], rel=1e-3)
    with pytest.raises(ValueError, match="reference level 'c' of covariate 'group'"):
        theme_effects(people, ["t_main"], ["group"], references={"group": "c"})


# ---------------------------------------------------------------- input checks


@pytest.mark.parametrize("bad", [0.0, -1.0, np.nan, "paljon"])
def test_bad_weights_name_their_rows(bad: object) -> None:
    people = survey(n=50)
    people["paino"] = people["paino"].astype(object)
    people.loc[[3, 7], "paino"] = bad
    with pytest.raises(ValueError, match=r"weight column 'paino' .* 2 rows do not: r3, r7"):
        check_weights(people, "paino")
    with pytest.raises(ValueError, match="r3, r7"):
        theme_effects(people, ["t_main"], ["group"], weight="paino")


def test_bad_arguments() -> None:
    people = survey(n=50)
    people.loc[4, "t_main"] = 2
    with pytest.raises(ValueError, match=r"theme column 't_main' must hold 0 or 1 .* r4"):
        theme_effects(people, ["t_main"], ["group"])
    with pytest.raises(ValueError, match="not in the table: \\['nope'\\]"):
        theme_effects(people, ["t_null"], ["nope"])
    with pytest.raises(ValueError, match="cov='model' treats survey weights"):
        theme_effects(people, ["t_null"], ["group"], weight="paino", cov="model")
    with pytest.raises(ValueError, match=r"named twice .*\['group'\]"):
        theme_effects(people, ["t_null"], ["group", "group"])
    with pytest.raises(ValueError, match="confidence"):
        theme_effects(people, ["t_null"], ["group"], confidence=95)


def test_bool_theme_columns_and_confidence() -> None:
    people = survey()
    as_bool = people.assign(t_main=people["t_main"].astype(bool))
    pd.testing.assert_frame_equal(theme_effects(people, ["t_main"], ["group"]), theme_effects(as_bool, ["t_main"], ["group"]))
    wide = theme_effects(people, ["t_main"], ["group"], confidence=0.99).iloc[0]
    narrow = theme_effects(people, ["t_main"], ["group"]).iloc[0]
    assert wide["ame_low"] < narrow["ame_low"] < narrow["ame"] < narrow["ame_high"] < wide["ame_high"]


def test_marginal_effects_direct_use() -> None:
    people = survey()
    design = build_design(people, ["group", "age"])
    fit = fit_logit(people["t_age"].to_numpy(float), design.X)
    effects = {(term.covariate, level): (ame, se) for term, level, ame, se in marginal_effects(fit, design)}
    assert set(effects) == {("group", "b"), ("age", PER_UNIT)}
    ame, se = effects["age", PER_UNIT]
    assert 0.005 < ame < 0.012 and 0 < se < ame / 3  # planted 0.04 per year on the logit scale, about 0.8 pp per year


def test_no_complete_respondent_is_a_stated_reason() -> None:
    people = survey(n=40)
    people["age"] = np.nan
    table = quiet(people, ["t_main"], ["group", "age"])
    assert (table["n"] == 0).all() and (table["n_missing"] == 40).all() and table["ame"].isna().all()
    assert row(table, "t_main", "group")["reason"] == "no respondent has every covariate"
    assert row(table, "t_main", "age")["reason"] == "no respondent has every covariate"
    assert set(table["status"]) == {"no_data"}
