"""`avovastaus effects` (#25): theme presence modelled on several covariates at once, end to end on the youth survey (weighted)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from typer.testing import CliRunner

from avovastaus.cli import app

from .conftest import CORPORA

NUORISO = CORPORA / "nuorisokysely" / "answers.csv"


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("effects") / "run"
    result = CliRunner().invoke(app, ["run", str(NUORISO), "--id", "vastaaja_id", "--text", "ongelmat", "--text", "kehy", "--group", "sukupuoli",
                                      "--weight", "paino", "--codebook", "none", "--fast", "--quiet", "--out", str(out)])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(app, ["effects", str(out), "--covariate", "ika", "--covariate", "sukupuoli"])
    assert result.exit_code == 0, result.output
    return out


def test_effects_are_written_per_question_theme_and_term(run: Path) -> None:
    table = pd.read_csv(run / "effects.csv", keep_default_na=False)
    themes = pd.read_csv(run / "themes.csv", keep_default_na=False)
    assert set(table["question"]) == {"ongelmat", "kehy"}
    assert set(table["theme"]) == set(themes["theme"])  # every theme has its rows, estimated or with a reason
    assert set(table["term"]) == {"ika", "sukupuoli"}
    ok = table[table["status"] == "ok"]
    assert len(ok) > 10 and (table.loc[table["status"] != "ok", "reason"] != "").all()
    numeric = ok[ok["term"] == "ika"]
    assert (numeric["kind"] == "numeric").all() and (numeric["reference"] == "").all()
    assert set(ok.loc[ok["term"] == "sukupuoli", "reference"]) == {"nainen"}  # the most common level
    p = ok["p_adjusted"].astype(float)
    assert ((p >= ok["p_value"].astype(float) - 1e-12) & (p <= 1)).all()


def test_the_age_effect_equals_a_direct_weighted_statsmodels_fit(run: Path) -> None:
    """The plumbing: theme presence per respondent from answers.csv, age from the survey file, weights from the run."""
    table = pd.read_csv(run / "effects.csv", keep_default_na=False)
    row = table[(table["term"] == "ika") & (table["status"] == "ok") & (table["question"] == "ongelmat")].iloc[0]
    answers = pd.read_csv(run / "answers.csv", dtype=str, keep_default_na=False)
    mine = answers[(answers["question"] == "ongelmat") & (answers["excluded"] == "")]
    source = pd.read_csv(NUORISO, dtype=str, keep_default_na=False).set_index("vastaaja_id")
    y = mine["themes"].map(lambda ts: float(row["theme"] in ts.split(";"))).to_numpy()
    age = source.loc[mine["id"], "ika"].astype(float).to_numpy()
    woman_other = pd.get_dummies(source.loc[mine["id"], "sukupuoli"]).drop(columns="nainen").astype(float).to_numpy()
    w = mine["weight"].astype(float).to_numpy()
    X = np.column_stack([np.ones(len(y)), age, woman_other])
    fit = sm.GLM(y, X, family=sm.families.Binomial(), var_weights=w).fit()
    p = fit.predict(X)
    ame = float(np.sum(w * p * (1 - p) * fit.params[1]) / w.sum())
    assert float(row["ame"]) == pytest.approx(100 * ame, abs=1e-3)
    assert int(row["n"]) == len(y)


def test_the_reports_gain_an_effects_section_and_a_chart(run: Path) -> None:
    assert "## Taustamuuttujien yhteys teemoihin" in (run / "report.md").read_text(encoding="utf-8")
    html = (run / "report.html").read_text(encoding="utf-8")
    assert 'id="effects"' in html and "effects.html" in html
    page = (run / "effects.html").read_text(encoding="utf-8")
    assert page.count("<svg") >= 4 and "<script" not in page  # a chart per question and covariate level
    assert "painomuuttujalla paino" in (run / "effects.md").read_text(encoding="utf-8")


def test_a_rerun_replaces_the_effects(run: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["run", str(NUORISO), "--id", "vastaaja_id", "--text", "kehy", "--codebook", "none", "--fast", "--quiet",
                                      "--out", str(run), "--force"])
    assert result.exit_code == 0, result.output
    assert not (run / "effects.csv").exists()  # effects of the earlier themes would mislead beside the new ones
    assert "Taustamuuttujien" not in (run / "report.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(("args", "code"), [(["--covariate", "ei_ole"], "E330"), (["--covariate", "sukupuoli", "--reference", "sukupuoli=x"], "E331")])
def test_bad_covariates_are_coded_errors(tmp_path: Path, args: list[str], code: str) -> None:
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", str(NUORISO), "--id", "vastaaja_id", "--text", "kehy", "--group", "sukupuoli", "--codebook", "none",
                                      "--fast", "--quiet", "--out", str(out)])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(app, ["effects", str(out), *args])
    assert result.exit_code == 2 and code in result.output and "Traceback" not in result.output
    assert not (out / "effects.csv").exists()
