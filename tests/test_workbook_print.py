"""summary.xlsx on paper and in Calc (issue #27): print setup, chart labels, rounded p-values, labels not ids, Finnish headers.

The openpyxl-level checks always run. The LibreOffice checks convert the workbook of a run over the
kuntajarjesto corpus (440 answers, two group columns) with ``soffice --headless`` and skip when it is
not installed: the PDF had 129 portrait pages before the print setup, five column blocks per answers page.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd
import pytest
from openpyxl import load_workbook

from avovastaus.config import load_config
from avovastaus.pipeline import run_pipeline
from avovastaus.report import formatting as fmt
from avovastaus.report.view import HEADERS

from .conftest import CORPORA

TABLE_SHEETS = ["Teemat", "Ryhmät × teemat", "Ryhmät", "Ryhmäyhteenvedot", "Vastaukset"]
#: pages of the workbook's PDF before the print setup (LibreOffice 7.4, this run) and the most allowed now
PAGES_BEFORE, MOST_PAGES = 129, 45


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("print") / "run"
    ingest = {"id": "vastaaja_id", "text": ["yhteistyo_nyt", "kehittaminen"], "group": ["vastaajaryhma", "alue"]}
    run_pipeline(CORPORA / "kuntajarjesto" / "answers.csv", load_config(overrides={"ingest": ingest, "embed": {"model": "static-fi"}}), out)
    return out


@pytest.fixture(scope="module")
def book(run_dir):
    return load_workbook(run_dir / "summary.xlsx")


@pytest.fixture(scope="module")
def themes(run_dir) -> pd.DataFrame:
    return pd.read_csv(run_dir / "themes.csv", dtype=str, keep_default_na=False)


def test_every_sheet_prints_landscape_one_page_wide_with_its_header_row_on_every_page(book):
    assert book.sheetnames == ["Yleiskuva", *TABLE_SHEETS]
    for sheet in book:
        setup = sheet.page_setup
        assert (setup.orientation, setup.fitToWidth, setup.fitToHeight, int(setup.paperSize)) == ("landscape", 1, 0, 9), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert "&P" in sheet.oddFooter.center.text, sheet.title
    for name in TABLE_SHEETS:
        assert book[name].print_title_rows == "$1:$1" and book[name].print_options.gridLines, name


def test_long_text_wraps_in_capped_columns_and_rows_are_tall_enough(book):
    answers = book["Vastaukset"]
    headers = [c.value for c in answers[1]]
    text = headers.index("Vastaus") + 1
    letter = answers.cell(row=1, column=text).column_letter
    assert answers.column_dimensions[letter].width <= 60 and answers.cell(row=2, column=text).alignment.wrap_text
    widths = sum(d.width for d in answers.column_dimensions.values())
    assert widths < 220, widths  # all columns on one landscape page at about two-thirds size or more
    longest = max(range(2, answers.max_row + 1), key=lambda r: len(answers.cell(row=r, column=text).value or ""))
    assert answers.row_dimensions[longest].height >= 3 * 15  # a long answer gets its lines, not one row's height
    overview = book["Yleiskuva"]
    methods = next(r for r in range(1, 20) if overview.cell(row=r, column=1).value == "Menetelmät")
    assert overview.cell(row=methods, column=2).alignment.wrap_text and f"B{methods}:C{methods}" in {str(m) for m in overview.merged_cells.ranges}
    assert overview.row_dimensions[methods].height > 45


def test_the_chart_labels_show_the_value_alone(run_dir):
    """Calc reads a data-label flag left out as on: series name, category and value overlapped into a block."""
    with zipfile.ZipFile(run_dir / "summary.xlsx") as archive:
        chart = ElementTree.fromstring(archive.read("xl/charts/chart1.xml"))
    c = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
    labels = chart.findall(f".//{c}dLbls")
    assert labels
    for element in labels:
        flags = {flag: element.find(f"{c}{flag}").get("val") for flag in ("showVal", "showCatName", "showSerName", "showLegendKey", "showPercent")}
        assert flags == {"showVal": "1", "showCatName": "0", "showSerName": "0", "showLegendKey": "0", "showPercent": "0"}


def test_p_values_are_rounded_where_people_read_them_and_kept_raw(book, run_dir):
    for name, columns in (("Ryhmät", ("p-arvo", "Korjattu p-arvo")), ("Ryhmäyhteenvedot", ("Korjattu p-arvo",))):
        sheet = book[name]
        headers = [c.value for c in sheet[1]]
        for header in columns:
            cells = [row[headers.index(header)] for row in sheet.iter_rows(min_row=2)]
            numbers = [c for c in cells if isinstance(c.value, float)]
            assert numbers and all(c.number_format == fmt.xlsx_p_value("fi") for c in numbers), (name, header)
    groups = pd.read_csv(run_dir / "groups.csv")
    assert groups["p_value"].dropna().min() < 0.001  # the run has p-values under the floor, and groups.csv keeps them unrounded
    assert any(len(str(p)) > 6 for p in groups["p_value"].dropna())


def test_sheets_show_theme_labels_not_ids(book, themes):
    labels, ids = set(themes["label"]), set(themes["theme"])
    groups = book["Ryhmät"]
    column = [c.value for c in groups[1]].index("Pääteema")
    shown = {row[column].value for row in groups.iter_rows(min_row=2)}
    assert shown <= labels and not shown & ids
    answers = book["Vastaukset"]
    headers = [c.value for c in answers[1]]
    main, every = headers.index("Pääteema"), headers.index("Kaikki teemat")
    for row in answers.iter_rows(min_row=2, values_only=True):
        assert (row[main] or "") in labels | {""}
        assert all(part in labels for part in (row[every] or "").split("; ") if part)
    assert [c.value for c in book["Teemat"][1]][:2] == ["Tunnus", "Nimi"]  # the themes sheet keeps the id, named as one


def test_the_finnish_workbook_has_finnish_headers(book, run_dir):
    """No column name of the run's tables shows as a header ("confidence" did); the survey's own column names may."""
    raw = set()
    for name in ("answers.csv", "themes.csv", "groups.csv"):
        raw |= set(pd.read_csv(run_dir / name, nrows=1).columns)
    survey = {"vastaajaryhma", "alue", "yhteistyo_nyt", "kehittaminen"}
    for name in TABLE_SHEETS:
        headers = [c.value for c in book[name][1]][: 3 if name == "Ryhmät × teemat" else None]  # then theme labels
        assert not (set(headers) & (raw - survey)), (name, set(headers) & raw)
    assert raw - survey <= set(HEADERS["fi"]) | {"confidence"}
    assert "Varmuus" in [c.value for c in book["Vastaukset"][1]]


def test_the_html_report_keeps_cards_whole_on_paper_and_says_the_heatmap_scrolls(run_dir):
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    printing = html.split("@media print")[1]
    rule = re.search(r"([^{}]*)\{\s*break-inside:\s*avoid", printing)
    assert rule and {".theme", ".group", ".fact"} <= {s.strip() for s in rule.group(1).split(",")}
    assert "#heatmap::before" in html and "Vieritä sivusuunnassa" in html and "<script" not in html.lower()


# ---------------------------------------------------------------- LibreOffice


@pytest.fixture(scope="module")
def soffice(tmp_path_factory):
    """Return a function that runs LibreOffice headless on summary.xlsx into a folder (skip when LibreOffice is absent)."""
    program = shutil.which("soffice") or shutil.which("libreoffice")
    if not program:
        pytest.skip("LibreOffice (soffice) is not installed")
    home = tmp_path_factory.mktemp("lo-home")
    env = {**os.environ, "HOME": str(home)}

    def convert(source: Path, to: str, out: Path) -> None:
        command = [program, f"-env:UserInstallation={(home / 'profile').as_uri()}", "--headless", "--convert-to", to, "--outdir", str(out), str(source)]
        subprocess.run(command, check=True, capture_output=True, timeout=180, env=env)

    return convert


def test_libreoffice_prints_the_workbook_on_few_landscape_pages(run_dir, soffice, tmp_path):
    soffice(run_dir / "summary.xlsx", "pdf", tmp_path)
    pdf = (tmp_path / "summary.pdf").read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf))
    assert 6 <= pages <= MOST_PAGES < PAGES_BEFORE, pages
    boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert boxes and all(float(x1) - float(x0) > float(y1) - float(y0) for x0, y0, x1, y1 in boxes)  # landscape


def test_libreoffice_shows_rounded_p_values_and_shares(run_dir, soffice, tmp_path):
    """Every sheet as Calc shows it (CSV of the displayed text): p-values ``< 0,001`` or three decimals, shares ``12.3 %``."""
    soffice(run_dir / "summary.xlsx", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1", tmp_path)
    path = tmp_path / "summary-Ryhmät.csv"
    if not path.exists():
        pytest.skip("this LibreOffice exports only the first sheet to CSV (7.2 or later exports each)")
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    shown = [r[h] for r in rows for h in ("p-arvo", "Korjattu p-arvo") if r[h]]
    assert shown and all(re.fullmatch(r"< 0,001|[01][.,]\d{3}", p) for p in shown), sorted(set(shown))[:5]
    assert "< 0,001" in shown
    assert all(re.fullmatch(r"\d+[.,]\d %", r["Osuus"]) for r in rows if r["Osuus"])
