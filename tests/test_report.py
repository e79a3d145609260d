"""Reports from a run directory: escaping of untrusted text, PII masking, languages, regeneration."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

from avovastaus.cli import app
from avovastaus.config import load_config
from avovastaus.pipeline import run_pipeline
from avovastaus.report.redact import redact
from avovastaus.report.write import write_reports

from .conftest import CORPORA

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    """A run over the tiny corpus plus answers that carry markup and contact details."""
    folder = tmp_path_factory.mktemp("hostile")
    frame = pd.read_csv(CORPORA / "tiny" / "answers.csv", dtype=str, keep_default_na=False)
    extra = frame.iloc[:3].copy()
    extra["vastaaja_id"] = ["X1", "X2", "X3"]
    extra["yhteistyo_nyt"] = [
        f"Tiedotus kunnalta ei toimi {SCRIPT} ja viestit hukkuvat.",
        f"Verkostotapaamisia tarvitaan {IMG} lisää, soita 040 164 6696.",
        "Avustukset ovat liian pieniä, kysy lisää matti.meikalainen@example.fi tai (09) 4370 2253.",
    ]
    extra["kehittaminen"] = [SCRIPT, IMG, "-"]
    data = folder / "hostile.csv"
    pd.concat([frame, extra]).to_csv(data, index=False)
    config = load_config(overrides={"ingest": {"id": "vastaaja_id", "text": ["yhteistyo_nyt", "kehittaminen"], "group": ["vastaajaryhma"]},
                                    "embed": {"model": "static-fi"}, "label": {"n_examples": 50}, "report": {"n_quotes": 50}})
    out = folder / "run"
    run_pipeline(data, config, out)
    return out


def test_answer_text_is_escaped_in_html(hostile_run):
    html = (hostile_run / "report.html").read_text()
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "&lt;script&gt;" in html or "&lt;img" in html  # the text is shown, as text


def test_contact_details_masked_in_reports_but_kept_in_answers_csv(hostile_run):
    for name in ("report.html", "report.md"):
        text = (hostile_run / name).read_text()
        assert "164 6696" not in text and "example.fi" not in text and "4370 2253" not in text
    sheets = pd.read_excel(hostile_run / "summary.xlsx", sheet_name=None)
    cells = " ".join(str(v) for frame in sheets.values() for v in frame.to_numpy().ravel())
    assert "164 6696" not in cells and "example.fi" not in cells and "[puhelin]" in cells
    answers = (hostile_run / "answers.csv").read_text()
    assert "040 164 6696" in answers and "matti.meikalainen@example.fi" in answers


def test_report_command_regenerates_in_english_without_recomputing(hostile_run, tmp_path):
    run = tmp_path / "copy"
    shutil.copytree(hostile_run, run)
    before = {n: (run / n).read_bytes() for n in ("answers.csv", "themes.csv", "groups.csv", "manifest.json")}
    result = CliRunner().invoke(app, ["report", str(run), "--lang", "en"])
    assert result.exit_code == 0, result.output
    html = (run / "report.html").read_text()
    assert 'lang="en"' in html and "Theme shares by group" in html and "[phone]" in html
    assert list(pd.read_excel(run / "summary.xlsx", sheet_name=None)) == ["Overview", "Themes", "Groups × themes", "Groups", "Group summaries", "Answers"]
    assert {n: (run / n).read_bytes() for n in before} == before


def test_redaction_can_be_turned_off(hostile_run, tmp_path):
    run = tmp_path / "copy"
    shutil.copytree(hostile_run, run)
    write_reports(run, redact_text=False)
    assert "040 164 6696" in (run / "report.html").read_text()


def test_report_on_a_folder_that_is_not_a_run():
    result = CliRunner().invoke(app, ["report", str(CORPORA)])
    assert result.exit_code == 2 and result.output.startswith("E302")


def test_html_is_self_contained(hostile_run):
    html = (hostile_run / "report.html").read_text()
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "") and "https://" not in html
    assert 'id="theme-chart"' in html and 'id="heatmap"' in html


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("soita 040 164 6696", "soita [puhelin]"),
        ("+358 40 1646696", "[puhelin]"),
        ("(09) 4370 2253", "[puhelin]"),
        ("puh. 0401646696.", "puh. [puhelin]."),
        ("040-1646696", "[puhelin]"),
        ("050 123 45 67", "[puhelin]"),
        ("+358 9 4370 2253", "[puhelin]"),
        ("matti.meikalainen@example.fi", "[sähköposti]"),
        ("Kirjoita: info@yhdistys-ry.fi!", "Kirjoita: [sähköposti]!"),
        ("vuonna 2015 ja 2016", "vuonna 2015 ja 2016"),
        ("30 000 euroa", "30 000 euroa"),
        ("klo 10-12", "klo 10-12"),
        ("postinumero 00100 Helsinki", "postinumero 00100 Helsinki"),
        ("0,5 htv", "0,5 htv"),
    ],
)
def test_redact(text, expected):
    assert redact(text) == expected


def test_interval_and_significance_labels_follow_the_config(hostile_run, tmp_path):
    """Regression (#12): headers said "95 %" and p < 0.05 whatever summarize.confidence and alpha were."""
    import json

    from openpyxl import load_workbook

    run = tmp_path / "run"
    shutil.copytree(hostile_run, run)
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    manifest["config"]["summarize"].update(confidence=0.9, alpha=0.01)
    (run / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    write_reports(run)
    headers = [c.value for c in load_workbook(run / "summary.xlsx")["Ryhmät"][1]]
    assert "90 % LV alaraja" in headers and not any("95" in str(h) for h in headers)
    assert "p < 0,01" in (run / "report.md").read_text(encoding="utf-8") + (run / "report.html").read_text(encoding="utf-8")


def test_heatmap_keeps_long_labels_whole_and_shows_group_n(hostile_run, tmp_path):
    """Issue #13: labels were cut at 28 characters without an ellipsis; cells had no % and rows no group size."""
    import html as html_lib
    import re

    run = tmp_path / "run"
    shutil.copytree(hostile_run, run)
    themes = pd.read_csv(run / "themes.csv", dtype=str, keep_default_na=False)
    long = "Yhteistyön rakenteet ja järjestöjen asema kunnan päätöksenteossa <b>"
    themes.loc[0, "label"] = long
    themes.to_csv(run / "themes.csv", index=False)
    write_reports(run)
    heat = (run / "report.html").read_text(encoding="utf-8").split('id="heatmap"')[1].split("</svg>")[0]
    assert "<b>" not in heat
    title = f"<title>{html_lib.escape(long, quote=False)}</title>"
    assert title in heat.replace("&#34;", '"').replace("&#39;", "'")
    label = heat.split(title)[1].split("</text>")[0]
    assert " ".join(re.findall(r"<tspan[^>]*>([^<]*)</tspan>", label)) == html_lib.escape(long, quote=False)  # wrapped, not cut
    groups = pd.read_csv(run / "groups.csv")
    n = int(groups["n_group"].iloc[0])
    assert f"n\u00a0=\u00a0{n})" in heat and f"(n = {n})</title>" in heat
    assert re.search(r">\d+ %\*?</text>", heat)


def test_summary_xlsx_has_a_group_theme_sheet_bold_filtered_headers_and_a_titled_chart(hostile_run):
    from openpyxl import load_workbook

    book = load_workbook(hostile_run / "summary.xlsx")
    assert book.sheetnames == ["Yleiskuva", "Teemat", "Ryhmät × teemat", "Ryhmät", "Ryhmäyhteenvedot", "Vastaukset"]
    for name in book.sheetnames[1:]:
        sheet = book[name]
        assert all(c.font.bold for c in sheet[1]) and sheet.auto_filter.ref and sheet.freeze_panes == "A2", name
    matrix = pd.read_excel(hostile_run / "summary.xlsx", sheet_name="Ryhmät × teemat")
    themes = pd.read_csv(hostile_run / "themes.csv", dtype=str, keep_default_na=False)
    assert list(matrix.columns) == ["Ryhmittely", "Ryhmä", "Vastaajia ryhmässä", *themes["label"]]
    groups = pd.read_csv(hostile_run / "groups.csv", dtype={"question": str}, keep_default_na=False)
    scope = groups[groups["question"] == ""]
    assert set(matrix["Ryhmä"]) == set(scope["group"])
    cells = matrix[list(themes["label"])].to_numpy().ravel()
    assert (scope["suppressed"].astype(str) == "True").sum() == sum(v == "<5" for v in cells) > 0
    chart = book["Yleiskuva"]._charts[0]
    assert chart.title is not None and chart.x_axis.title is not None and chart.dataLabels.showVal
    overview = pd.read_excel(hostile_run / "summary.xlsx", sheet_name="Yleiskuva", header=None)
    first = overview.index[overview[0] == "Teema"][0] + 1
    shares = overview[1].iloc[first : first + len(themes)].astype(float).tolist()
    assert shares == sorted(shares, reverse=True) and len(shares) == len(themes)


def test_a_run_over_the_xlsx_answer_limit_gets_a_summaries_only_workbook_and_says_so(hostile_run, tmp_path):
    import json

    run = tmp_path / "run"
    shutil.copytree(hostile_run, run)
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    manifest["config"]["report"]["xlsx_answers"] = 5
    (run / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    write_reports(run)
    sheets = pd.read_excel(run / "summary.xlsx", sheet_name=None)
    assert list(sheets) == ["Yleiskuva", "Teemat", "Ryhmät × teemat", "Ryhmät", "Ryhmäyhteenvedot", "Vastaukset"]
    note = " ".join(str(v) for v in sheets["Vastaukset"].to_numpy().ravel())
    n = len(pd.read_csv(run / "answers.csv"))
    assert "vain yhteenvedot" in note and "answers.csv" in note and "xlsx_answers" in note
    assert len(sheets["Vastaukset"]) == 1 and f"vastauksia on {n}," in note  # one row: the note, no answers
    for name in ("report.md", "report.html"):
        assert "summary.xlsx sisältää vain yhteenvedot" in (run / name).read_text(encoding="utf-8"), name
    assert n > 5 and "Tiedotus kunnalta" not in " ".join(str(v) for f in sheets.values() for v in f.to_numpy().ravel())
