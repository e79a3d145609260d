"""Covariate effects on theme presence: one logistic regression per theme, average marginal effects in percentage points.

Pure functions over tables. The unit is the respondent: ``people`` holds one row per respondent with an
analysed answer, a 0/1 column per theme, the covariates and optionally a design weight. For each theme,
presence is regressed on all covariates at once (a binomial GLM with the logit link, statsmodels), so the
effect of one covariate is adjusted for the others, and each term is reported as an average marginal
effect (AME) in percentage points:

* a level of a categorical covariate (object, string, category or bool dtype): the mean over respondents of
  the predicted probability with everyone set to that level minus with everyone set to the reference level.
  Dummies are treatment-coded; the reference is the most frequent level (unweighted count, ties broken by
  sorted order), ``False`` for a bool, or the level named in ``references``;
* a numeric covariate: the mean derivative of the predicted probability per one unit of the covariate
  (``level`` is ``"+1"``; ``sd`` gives the covariate's standard deviation to judge what a unit is). A 0/1
  column of numeric dtype is numeric too: give it as bool or text for the contrast of its two levels.

Without weights the fit is ordinary maximum likelihood with the model-based covariance, so coefficients,
AMEs and standard errors equal ``statsmodels`` ``Logit(...).fit().get_margeff(at="overall", dummy=True)``
for two-level covariates (statsmodels' dummy effect holds a third level's dummy as observed, so for three or
more levels it is not a level contrast; ours is). With weights it is pseudo maximum likelihood as in R's
``survey::svyglm`` for a design without strata or clusters: ``var_weights`` (which weigh each respondent's
log-likelihood; ``freq_weights`` give the same point estimates but a sandwich that treats weights as counts)
and the robust sandwich covariance HC0 times n / (n - 1), the with-replacement variance svyglm and Stata's
``pweight`` use (statsmodels' GLM gives the same matrix for HC0 and HC1). The averages over respondents are
weighted too, so a weighted AME estimates the population's. Standard errors of AMEs come from the delta
method with the analytic gradient, conditional on the respondents' covariates (as statsmodels and Stata's
``margins`` do by default); p-values are two-sided normal, Benjamini–Hochberg-adjusted over every tested
theme x term of the call.

A theme or term that cannot be estimated gets one row per term with NaN numbers and a stated reason, never a
warning: too few respondents with (or without) the theme, perfect separation (a level where the theme is
always or never raised, or a coefficient that diverges), an empty level of a declared category, a constant
covariate, collinear covariates, no convergence. Respondents missing any covariate are left out of every
model of the call (``n_missing``); weights and theme columns are checked and a bad row is an error.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import special, stats
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM

EFFECT_COLUMNS = [
    "theme", "term", "kind", "level", "reference", "ame", "se", "ame_low", "ame_high", "p_value", "p_adjusted",
    "n", "n_missing", "n_theme", "effective_n", "sd", "status", "reason",
]
#: the ``level`` of a numeric covariate's row: its effect is per one unit
PER_UNIT = "+1"
#: a standardized coefficient (|coef| x the column's sd) or standard error above these means separation
_MAX_STD_COEF, _MAX_STD_SE = 10.0, 50.0


@dataclass(frozen=True)
class Term:
    """One covariate in the design: its design-matrix columns and, for a categorical one, its levels."""

    covariate: str
    kind: Literal["categorical", "numeric"]
    columns: tuple[int, ...]
    levels: tuple[Any, ...] = ()  # the non-reference levels, in the order of ``columns``
    reference: Any = None
    codes: np.ndarray | None = None  # each respondent's level as an index into ``all_levels``
    all_levels: tuple[Any, ...] = ()  # every level present, the reference included
    sd: float = float("nan")


@dataclass
class Design:
    """The design matrix of the respondents who have every covariate, shared by every theme of a call."""

    X: np.ndarray
    names: list[str]
    rows: np.ndarray  # positions in ``people`` of the respondents in the models
    terms: list[Term]
    weights: np.ndarray | None
    n_missing: int
    skipped: list[dict[str, Any]] = field(default_factory=list)  # rows of terms left out: constant, empty levels
    problem: tuple[str, str] | None = None  # (status, reason) when no model can be fitted at all


@dataclass(frozen=True)
class LogitFit:
    """A fitted logistic regression: coefficients, their covariance and whether the fit can be trusted."""

    params: np.ndarray
    cov: np.ndarray
    converged: bool
    separation: bool  # statsmodels reported perfect prediction


def _sorted(values: Sequence[Any]) -> list[Any]:
    try:
        return sorted(values)
    except TypeError:  # mixed types in an object column
        return sorted(values, key=str)


def _row_ids(people: pd.DataFrame, bad: np.ndarray) -> str:
    ids = people["id"].to_numpy()[bad] if "id" in people.columns else people.index.to_numpy()[bad]
    shown = ", ".join(str(i) for i in ids[:10])
    return shown + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")


def check_weights(people: pd.DataFrame, weight: str) -> np.ndarray:
    """Return the weight column as floats; raise ValueError naming the rows whose weight is missing, non-numeric, not finite or not positive."""
    values = pd.to_numeric(people[weight], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (values <= 0)
    if bad.any():
        raise ValueError(f"weight column {weight!r} must hold a positive number on every row; {int(bad.sum())} rows do not: {_row_ids(people, bad)}")
    return values


def _theme_values(people: pd.DataFrame, theme: str) -> np.ndarray:
    raw = people[theme]
    if pd.api.types.is_numeric_dtype(raw):  # bool included
        values = raw.to_numpy(dtype=float, na_value=np.nan)
    else:
        values = pd.to_numeric(raw.astype(object), errors="coerce").to_numpy(dtype=float)
    bad = ~np.isin(values, (0.0, 1.0))
    if bad.any():
        raise ValueError(f"theme column {theme!r} must hold 0 or 1 on every row; {int(bad.sum())} rows do not: {_row_ids(people, bad)}")
    return values


def _is_numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _weighted_sd(x: np.ndarray, w: np.ndarray | None) -> float:
    w = np.ones_like(x) if w is None else w
    mean = np.average(x, weights=w)
    return float(np.sqrt(np.average((x - mean) ** 2, weights=w)))


def _reference(covariate: str, values: pd.Series, present: list[Any], references: Mapping[str, Any]) -> Any:
    if covariate in references:
        chosen = references[covariate]
        if chosen not in present:
            raise ValueError(f"reference level {chosen!r} of covariate {covariate!r} is not among its levels {present}")
        return chosen
    if pd.api.types.is_bool_dtype(values) and False in present:
        return False
    counts = values.value_counts(sort=False)
    top = counts.max()
    return next(level for level in present if counts[level] == top)


def build_design(
    people: pd.DataFrame, covariates: Sequence[str], weights: np.ndarray | None = None, references: Mapping[str, Any] | None = None
) -> Design:
    """Return the design of the respondents with every covariate: a constant, treatment-coded dummies and numeric columns."""
    references = references or {}
    complete = people[list(covariates)].notna().all(axis=1).to_numpy()
    rows = np.flatnonzero(complete)
    if len(rows) == 0:
        problem = ("no_data", "no respondent has every covariate")
        stubs = [{"term": c, "kind": "numeric" if _is_numeric(people[c]) else "categorical", "level": PER_UNIT if _is_numeric(people[c]) else "",
                  "reference": "", "status": problem[0], "reason": problem[1]} for c in covariates]
        return Design(np.ones((0, 1)), ["const"], rows, [], None, len(people), stubs, problem)
    w = None if weights is None else weights[rows]
    columns, names, terms, skipped = [np.ones(len(rows))], ["const"], [], []
    for covariate in covariates:
        values = people[covariate].iloc[rows]
        if _is_numeric(values):
            x = values.to_numpy(dtype=float)
            sd = _weighted_sd(x, w)
            if sd == 0:
                shown = f"={x[0]:g}"
                skipped.append({"term": covariate, "kind": "numeric", "level": PER_UNIT, "reference": "", "status": "constant",
                                "reason": f"constant covariate: every respondent has {covariate}{shown}"})
                continue
            terms.append(Term(covariate, "numeric", (len(columns),), sd=sd))
            columns.append(x)
            names.append(covariate)
            continue
        present = _sorted(pd.unique(values))
        declared = _sorted(set(values.cat.categories) | set(present)) if isinstance(values.dtype, pd.CategoricalDtype) else present
        if len(present) == 1:
            shown = f"={present[0]}"
            skipped.append({"term": covariate, "kind": "categorical", "level": "", "reference": str(present[0]), "status": "constant",
                            "reason": f"constant covariate: every respondent has {covariate}{shown}"})
            continue
        reference = _reference(covariate, values, present, references)
        index = {level: i for i, level in enumerate(present)}
        codes = pd.Categorical(values.astype(object), categories=present).codes.astype(int)
        levels, own = [], []
        for level in declared:
            if level == reference:
                continue
            if level not in index:
                skipped.append({"term": covariate, "kind": "categorical", "level": str(level), "reference": str(reference), "status": "empty_level",
                                "reason": f"empty cell: no respondent in {covariate}={level}"})
                continue
            levels.append(level)
            own.append(len(columns))
            columns.append((codes == index[level]).astype(float))
            names.append(f"{covariate}={level}")
        terms.append(Term(covariate, "categorical", tuple(own), tuple(levels), reference, codes, tuple(present)))
    X = np.column_stack(columns)
    design = Design(X, names, rows, terms, w, int((~complete).sum()), skipped)
    if np.linalg.matrix_rank(X) < X.shape[1]:
        culprits = [t.covariate for t in terms if np.linalg.matrix_rank(np.delete(X, t.columns, axis=1)) == X.shape[1] - len(t.columns)]
        design.problem = ("collinear", f"collinear covariates: {', '.join(culprits) or 'the covariates'} determine one another; leave one out")
    return design


def fit_logit(y: np.ndarray, X: np.ndarray, weights: np.ndarray | None = None, robust: bool = False) -> LogitFit:
    """Return the logistic regression of ``y`` on ``X`` (statsmodels GLM Binomial), its warnings silenced and read.

    ``weights`` are survey weights (``var_weights``); ``robust`` gives the sandwich covariance HC0 x n / (n - 1),
    else the model-based (inverse information) covariance.
    """
    k = X.shape[1]
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always")
        try:
            result = GLM(y, X, family=families.Binomial(), var_weights=weights).fit(cov_type="HC0" if robust else "nonrobust")
        except (np.linalg.LinAlgError, ValueError) as exc:
            return LogitFit(np.full(k, np.nan), np.full((k, k), np.nan), False, "separation" in str(exc).lower())
    params = np.asarray(result.params, dtype=float)
    cov = np.asarray(result.cov_params(), dtype=float)
    if robust:
        cov = cov * len(y) / (len(y) - 1)
    separation = any("separation" in str(w.message).lower() for w in caught)
    return LogitFit(params, cov, bool(result.converged), separation)


def marginal_effects(fit: LogitFit, design: Design) -> list[tuple[Term, Any, float, float]]:
    """Return (term, level, AME, standard error) per estimated term, as probabilities (not percentage points).

    A categorical level: the (weighted) mean of P(level) - P(reference) with everyone set to each; a numeric
    covariate: the mean derivative per unit. Standard errors by the delta method with the analytic gradient.
    """
    X, b = design.X, fit.params
    w = np.full(len(X), 1 / len(X)) if design.weights is None else design.weights / design.weights.sum()
    eta = X @ b
    out = []
    for term in design.terms:
        cols = list(term.columns)
        if term.kind == "numeric":
            p = special.expit(eta)
            d = p * (1 - p)
            j = cols[0]
            grad = b[j] * ((w * d * (1 - 2 * p)) @ X)
            grad[j] += w @ d
            out.append((term, PER_UNIT, float(b[j] * (w @ d)), float(np.sqrt(grad @ fit.cov @ grad))))
            continue
        eta0 = eta - X[:, cols] @ b[cols]  # everyone at the reference level
        X0 = X.copy()
        X0[:, cols] = 0.0
        p0 = special.expit(eta0)
        d0 = p0 * (1 - p0)
        for level, j in zip(term.levels, cols):
            p1 = special.expit(eta0 + b[j])
            d1 = p1 * (1 - p1)
            grad = (w * (d1 - d0)) @ X0
            grad[j] += w @ d1
            out.append((term, level, float(w @ (p1 - p0)), float(np.sqrt(grad @ fit.cov @ grad))))
    return out


def _too_few(n: int, n_theme: int, k: int, min_theme: int) -> str | None:
    if n_theme < min_theme:
        return f"too few respondents with the theme ({n_theme} < {min_theme})"
    if n - n_theme < min_theme:
        return f"too few respondents without the theme ({n - n_theme} < {min_theme})"
    if n <= k:
        return f"too few respondents ({n}) for {k} coefficients"
    return None


def _separated_level(design: Design, y: np.ndarray) -> str | None:
    for term in design.terms:
        if term.kind != "categorical":
            continue
        size = np.bincount(term.codes, minlength=len(term.all_levels))
        raised = np.bincount(term.codes, weights=y, minlength=len(term.all_levels))
        for level, m, k in zip(term.all_levels, size, raised):
            if k == 0 or k == m:
                return f"perfect separation on {term.covariate}={level}: the theme in {int(k)} of its {int(m)} respondents"
    return None


def _diverged(fit: LogitFit, design: Design) -> str | None:
    scale = design.X.std(axis=0)
    scale[0] = 1.0
    with np.errstate(invalid="ignore"):
        std_coef = np.abs(fit.params) * scale
        std_se = np.sqrt(np.abs(np.diag(fit.cov))) * scale
    if not (np.isfinite(std_coef).all() and np.isfinite(std_se).all()):
        return "perfect separation: a coefficient diverges" if fit.separation else "did not converge"
    if fit.separation or (std_coef[1:] > _MAX_STD_COEF).any() or (std_se[1:] > _MAX_STD_SE).any():
        culprit = design.names[1 + int(np.argmax(std_se[1:]))]
        return f"perfect separation on {culprit}: its coefficient diverges"
    return None if fit.converged else "did not converge"


def _term_rows(design: Design, covariates: Sequence[str]) -> list[dict[str, Any]]:
    """Return one row stub per (term, level) of the design, in covariate order, skipped terms included."""
    stubs = []
    for term in design.terms:
        if term.kind == "numeric":
            stubs.append({"term": term.covariate, "kind": "numeric", "level": PER_UNIT, "reference": "", "sd": term.sd})
        else:
            stubs += [{"term": term.covariate, "kind": "categorical", "level": str(level), "reference": str(term.reference)} for level in term.levels]
    stubs += design.skipped
    order = {c: i for i, c in enumerate(covariates)}
    return sorted(stubs, key=lambda s: order[s["term"]])


def theme_effects(
    people: pd.DataFrame,
    theme_columns: Sequence[str],
    covariates: Sequence[str],
    weight: str | None = None,
    confidence: float = 0.95,
    min_theme: int = 10,
    references: Mapping[str, Any] | None = None,
    cov: Literal["auto", "model", "robust"] = "auto",
) -> pd.DataFrame:
    """Return the table of average marginal effects (percentage points) of every covariate on every theme's presence.

    ``people``: one row per respondent with an analysed answer; a 0/1 column per theme, the covariates, and the
    ``weight`` column when given. ``references`` maps a categorical covariate to its reference level.
    ``cov``: ``"auto"`` is model-based without weights and robust with them; ``"model"`` with weights is refused
    (it would treat survey weights as counts). Columns: :data:`EFFECT_COLUMNS`; rows per theme, covariate, level.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
    if cov not in ("auto", "model", "robust"):
        raise ValueError(f"cov must be 'auto', 'model' or 'robust', got {cov!r}")
    if weight is not None and cov == "model":
        raise ValueError("cov='model' treats survey weights as frequencies; use cov='auto' or 'robust' with a weight column")
    missing = [c for c in [*theme_columns, *covariates, *([weight] if weight else [])] if c not in people.columns]
    if missing:
        raise ValueError(f"columns not in the table: {missing}")
    if not covariates:
        raise ValueError("covariates is empty: name at least one column")
    twice = sorted({c for c in covariates if list(covariates).count(c) > 1} | (set(covariates) & {*theme_columns, weight}))
    if twice:
        raise ValueError(f"columns named twice (as covariates, or as a covariate and a theme or the weight): {twice}")
    robust = weight is not None or cov == "robust"
    weights = check_weights(people, weight) if weight is not None else None
    design = build_design(people, covariates, weights, references)
    stubs = _term_rows(design, covariates)
    n = len(design.rows)
    effective_n = float(design.weights.sum() ** 2 / (design.weights**2).sum()) if design.weights is not None and n else np.nan
    z = stats.norm.ppf(0.5 + confidence / 2)
    rows = []
    for theme in theme_columns:
        y = _theme_values(people, theme)[design.rows]
        n_theme = int(y.sum())
        base = {"theme": theme, "n": n, "n_missing": design.n_missing, "n_theme": n_theme, "effective_n": effective_n}
        status, reason = design.problem or (None, None)
        if reason is None and (reason := _too_few(n, n_theme, design.X.shape[1], min_theme)):
            status = "too_few"
        if reason is None and (reason := _separated_level(design, y)):
            status = "separation"
        estimates = {}
        if reason is None:
            fit = fit_logit(y, design.X, design.weights, robust)
            if reason := _diverged(fit, design):
                status = "separation" if reason.startswith("perfect") else "no_convergence"
            else:
                estimates = {(t.covariate, str(level)): (ame, se) for t, level, ame, se in marginal_effects(fit, design)}
        for stub in stubs:
            row = {**base, "sd": np.nan, "status": status or "ok", "reason": reason or "", **stub}
            ame, se = estimates.get((stub["term"], stub["level"]), (np.nan, np.nan))
            row.update(ame=100 * ame, se=100 * se, ame_low=100 * (ame - z * se), ame_high=100 * (ame + z * se))
            rows.append(row)
    table = pd.DataFrame(rows, columns=EFFECT_COLUMNS)
    with np.errstate(invalid="ignore", divide="ignore"):
        table["p_value"] = 2 * special.ndtr(-np.abs(table["ame"] / table["se"]))
    tested = table["p_value"].notna().to_numpy()
    table["p_adjusted"] = np.nan
    if tested.any():
        table.loc[tested, "p_adjusted"] = stats.false_discovery_control(table.loc[tested, "p_value"].to_numpy(dtype=float), method="bh")
    return table.astype({"n": int, "n_missing": int, "n_theme": int})
