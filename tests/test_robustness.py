"""Small surveys and hostile answers end in a complete run: every writer copes, spreadsheets never run an answer (issue #9)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from avovastaus.config import load_config
from avovastaus.io.rundir import OUTPUTS, load_run
from avovastaus.pipeline import run_pipeline

from .conftest import CORPORA

TINY = CORPORA / "tiny" / "answers.csv"


def _run(path: Path, out: Path, **ingest):
    config = load_config(overrides={"ingest": {"id": "vastaaja_id", "text": ["yhteistyo_nyt"], **ingest}, "embed": {"model": "static-fi"}})
    run_pipeline(path, config, out)
    return load_run(out)


def _formula_cells(path: Path) -> list[str]:
    book = load_workbook(path)
    return [f"{s.title}!{c.coordinate}" for s in book.worksheets for row in s.iter_rows() for c in row if c.data_type == "f"]


@pytest.mark.parametrize("group", ["alue", "vastaajaryhma"])
@pytest.mark.parametrize("rows", [6, 10, 16, 24])
def test_tiny_corpus_runs_with_each_group_column(tmp_path: Path, group: str, rows: int) -> None:
    """Regression: every cell of a group suppressed left an all-empty column that crashed the XLSX writer."""
    sample = tmp_path / "answers.csv"
    pd.read_csv(TINY, dtype=str, keep_default_na=False).head(rows).to_csv(sample, index=False)
    run = _run(sample, tmp_path / "run", group=[group])
    assert all((tmp_path / "run" / name).is_file() for name in OUTPUTS)
    assert len(run.answers) == rows
    assert run.groups["suppressed"].any()


HOSTILE = [
    '=HYPERLINK("http://evil.example/x","klik")',
    "+358401234567 soittakaa",
    "-yhteistyö toimii hyvin kunnan kanssa",
    "@kunta vastaa viestiin",
    "Yhteistyö\x00 toimii\x07 hyvin",
    "<script>alert(1)</script> yhteistyö",
]


def test_hostile_answers_are_text_everywhere(tmp_path: Path) -> None:
    source = pd.read_csv(TINY, dtype=str, keep_default_na=False).head(12)
    source.loc[: len(HOSTILE) - 1, "yhteistyo_nyt"] = HOSTILE
    path = tmp_path / "answers.csv"
    source.to_csv(path, index=False)
    run = _run(path, tmp_path / "run", group=["alue"])
    assert _formula_cells(tmp_path / "run" / "summary.xlsx") == []
    raw = pd.read_csv(tmp_path / "run" / "answers.csv", dtype=str, keep_default_na=False)
    assert not raw["text"].str.match(r"[=+\-@\t\r]").any()  # each such cell carries the leading apostrophe
    assert run.answers["text"].iloc[0] == HOSTILE[0]  # the tool reads the answer back as given
    assert "\x00" not in (tmp_path / "run" / "answers.csv").read_text(encoding="utf-8")
    assert run.manifest.counts.control_characters_replaced == 1
    assert "<script>alert" not in (tmp_path / "run" / "report.html").read_text(encoding="utf-8")


def test_a_huge_answer_is_cut_counted_and_said(tmp_path: Path) -> None:
    source = pd.read_csv(TINY, dtype=str, keep_default_na=False).head(12)
    source.loc[0, "yhteistyo_nyt"] = "Yhteistyö kunnan kanssa toimii hyvin. " * 30_000  # about 1 MB
    path = tmp_path / "answers.csv"
    source.to_csv(path, index=False)
    run = _run(path, tmp_path / "run")
    assert run.manifest.counts.truncated == 1
    assert run.manifest.input.truncated["answers"] == ["R001/yhteistyo_nyt"]
    assert len(run.answers["text"].iloc[0]) > 1_000_000  # answers.csv keeps the whole answer
    sheet = load_workbook(tmp_path / "run" / "summary.xlsx")["Vastaukset"]
    column = [c.value for c in sheet[1]].index("Vastaus")
    cell = sheet.cell(row=2, column=column + 1).value
    assert len(cell) == 32_767 and cell.endswith("[…]")  # Excel's cell limit, marked
    assert "lyhennettiin" in (tmp_path / "run" / "report.md").read_text(encoding="utf-8")


def test_skipped_rows_are_in_the_manifest_and_report(tmp_path: Path) -> None:
    lines = TINY.read_text(encoding="utf-8").splitlines()
    lines.insert(3, "R999,x,y,z,w,extra,fields")
    path = tmp_path / "answers.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = _run(path, tmp_path / "run", skip_bad_rows=True)
    assert [r["line"] for r in run.manifest.input.skipped_rows] == [4]
    assert run.manifest.counts.skipped_rows == 1
    assert "R999" not in set(run.answers["id"])
    assert "ohitettiin" in (tmp_path / "run" / "report.md").read_text(encoding="utf-8")


def test_raw_csv_values_when_asked(tmp_path: Path) -> None:
    source = pd.read_csv(TINY, dtype=str, keep_default_na=False).head(12)
    source.loc[0, "yhteistyo_nyt"] = "=1+1 ja yhteistyö"
    path = tmp_path / "answers.csv"
    source.to_csv(path, index=False)
    config = load_config(overrides={"ingest": {"id": "vastaaja_id", "text": ["yhteistyo_nyt"]}, "embed": {"model": "static-fi"},
                                    "report": {"escape_formulas": False}})
    run_pipeline(path, config, tmp_path / "run")
    assert "\n=1+1 ja yhteistyö" in (tmp_path / "run" / "answers.csv").read_text(encoding="utf-8").replace("R001,yhteistyo_nyt,", "\n")
    assert json.loads((tmp_path / "run" / "manifest.json").read_text())["csv_formula_escape"] is False
    assert load_run(tmp_path / "run").answers["text"].iloc[0] == "=1+1 ja yhteistyö"


def test_an_unusable_output_place_is_refused_before_the_analysis(tmp_path: Path, monkeypatch) -> None:
    from avovastaus.errors import AvovastausError
    from avovastaus.themes.model import ThemeModel

    def never(*args, **kwargs):
        raise AssertionError("the analysis ran before the output location was checked")

    monkeypatch.setattr(ThemeModel, "fit", never)
    (tmp_path / "file").write_text("x")
    with pytest.raises(AvovastausError) as info:
        _run(TINY, tmp_path / "file" / "run")
    assert info.value.code == "E502"
