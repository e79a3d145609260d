"""Design weights end to end (#25): `avovastaus run --weight` on the youth survey; every weighted figure recomputed from answers.csv."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from avovastaus.cli import app

from .conftest import CORPORA

NUORISO = CORPORA / "nuorisokysely" / "answers.csv"
ARGS = ["--id", "vastaaja_id", "--text", "ongelmat", "--text", "kehy", "--group", "sukupuoli", "--group", "alue", "--codebook", "none", "--fast", "--quiet"]


@pytest.fixture(scope="module")
def weighted(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("weighted") / "run"
    result = CliRunner().invoke(app, ["run", str(NUORISO), *ARGS, "--weight", "paino", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _people(answers: pd.DataFrame, question: str) -> pd.DataFrame:
    scope = answers if question == "" else answers[answers["question"] == question]
    return scope.groupby("id").agg(weight=("weight", "first"), sukupuoli=("sukupuoli", "first"), alue=("alue", "first"),
                                   themes=("themes", lambda s: set(";".join(s).split(";")) - {""}))


def test_every_weighted_group_share_is_the_hand_computation(weighted: Path) -> None:
    answers = pd.read_csv(weighted / "answers.csv", dtype=str, keep_default_na=False)
    answers = answers[answers["excluded"] == ""].assign(weight=lambda f: f["weight"].astype(float))
    source = pd.read_csv(NUORISO, dtype=str, keep_default_na=False).set_index("vastaaja_id")["paino"].astype(float)
    assert np.allclose(answers["weight"], source.loc[answers["id"]].to_numpy())  # the weights carried exactly
    groups = pd.read_csv(weighted / "groups.csv", keep_default_na=False, dtype={"group": str, "question": str})
    shown = groups[groups["suppressed"].astype(str) == "False"]
    assert len(shown) > 50
    people = {q: _people(answers, q) for q in shown["question"].unique()}
    for row in shown.itertuples():
        p = people[row.question]
        inside = p[p[row.group_column] == row.group]
        has = inside["themes"].map(lambda s: row.theme in s)
        assert float(row.share) == pytest.approx((inside["weight"] * has).sum() / inside["weight"].sum(), abs=1e-4)
        assert float(row.share_unweighted) == pytest.approx(has.mean(), abs=1e-4)
        assert int(row.n_group) == len(inside)
        assert float(row.n_effective) == pytest.approx(inside["weight"].sum() ** 2 / (inside["weight"] ** 2).sum(), abs=1e-3)


def test_the_manifest_reports_and_workbook_say_weighted(weighted: Path) -> None:
    manifest = json.loads((weighted / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["input"]["weight_column"] == "paino" and manifest["statistics"]["weight"] == "paino"
    assert manifest["statistics"]["tests"]["wald"] > 0 and "Kish" in manifest["statistics"]["interval"]
    md = (weighted / "report.md").read_text(encoding="utf-8")
    assert "Osuus (painotettu)" in md and "efektiivinen n" in md and "painomuuttujalla paino" in md
    html = (weighted / "report.html").read_text(encoding="utf-8")
    assert "painotettu, efektiivinen n" in html
    book = load_workbook(weighted / "summary.xlsx", read_only=True)
    headers = [c.value for c in next(book["Ryhmät"].iter_rows(max_row=1))]
    assert "Efektiivinen n" in headers and "Osuus painottamatta" in headers and "Osuus (painotettu)" in headers
    themes = pd.read_csv(weighted / "themes.csv")
    assert {"share", "share_unweighted"} <= set(themes.columns) and not np.allclose(themes["share"], themes["share_unweighted"])


def test_compare_of_two_weighted_waves_is_weighted(tmp_path: Path) -> None:
    frame = pd.read_csv(NUORISO, dtype=str, keep_default_na=False)
    runs = []
    for wave, part in enumerate((frame.iloc[::2], frame.iloc[1::2])):
        part.to_csv(tmp_path / f"w{wave}.csv", index=False)
        result = CliRunner().invoke(app, ["run", str(tmp_path / f"w{wave}.csv"), *ARGS, "--weight", "paino", "--codebook", "ongelmat=none",
                                          "--out", str(tmp_path / f"run{wave}")])
        assert result.exit_code == 0, result.output
        runs.append(tmp_path / f"run{wave}")
    result = CliRunner().invoke(app, ["compare", *map(str, runs), "--out", str(tmp_path / "cmp")])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "cmp" / "compare.csv", keep_default_na=False)
    assert {"n_effective_old", "n_effective_new"} <= set(table.columns)
    shown = table[(table["group_column"] == "") & (table["share_new"] != "")]
    assert len(shown)
    answers = pd.read_csv(runs[1] / "answers.csv", dtype=str, keep_default_na=False)
    people = _people(answers[answers["excluded"] == ""].assign(weight=lambda f: f["weight"].astype(float)), "")
    for row in shown.itertuples():
        has = people["themes"].map(lambda s: row.theme_new in s)
        assert float(row.share_new) == pytest.approx((people["weight"] * has).sum() / people["weight"].sum(), abs=1e-4)
    assert "painomuuttujalla" in (tmp_path / "cmp" / "compare.md").read_text(encoding="utf-8")


def test_bad_weights_exit_2_naming_rows_or_are_skipped_and_listed(tmp_path: Path) -> None:
    frame = pd.read_csv(NUORISO, dtype=str, keep_default_na=False)
    frame.loc[[3, 10], "paino"] = ["", "-0,5"]
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    result = CliRunner().invoke(app, ["run", str(path), *ARGS, "--weight", "paino", "--out", str(tmp_path / "r1")])
    assert result.exit_code == 2
    assert "E117" in result.output and "row 5 (weight empty)" in result.output and "row 12 (weight -0,5 is not above 0)" in result.output
    assert not (tmp_path / "r1").exists()
    result = CliRunner().invoke(app, ["run", str(path), *ARGS, "--weight", "paino", "--skip-bad-rows", "--out", str(tmp_path / "r2")])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "r2" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["respondents"] == len(frame) - 2
    assert [r["line"] for r in manifest["input"]["skipped_rows"]] == [5, 12]
