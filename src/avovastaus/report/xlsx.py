"""``summary.xlsx``: an overview sheet with a theme-share chart, the run's tables, and the group summaries as a sheet.

Every text cell is a string cell, never a formula, whatever the answer starts with.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pandas as pd

from avovastaus.io.rundir import Run
from avovastaus.report import formatting as fmt
from avovastaus.report.formatting import level as _level
from avovastaus.report.groups import difference_sentence, group_pairs, methods_text, scope_rows, several_themes_note, summaries
from avovastaus.report.redact import redact
from avovastaus.report.view import SHEETS, UI, significance, xlsx_note
from avovastaus.report.view import headers as column_headers
from avovastaus.stats.summarize import ALL_QUESTIONS

PERCENT_COLUMNS = {"share", "ci_low", "ci_high", "share_rest", "diff", "diff_low", "diff_high",
                   "share_old", "ci_low_old", "ci_high_old", "share_new", "ci_low_new", "ci_high_new"}  # the last ones: compare.xlsx
SUMMARY_COLUMNS = ["group_column", "group", "n_group", "kind", "label", "share", "ci_low", "ci_high", "share_rest", "diff", "diff_low", "diff_high", "p_adjusted", "text"]
KINDS = {
    "fi": {"top": "yleinen teema", "over": "useammin kuin muut", "under": "harvemmin kuin muut", "words": "tunnusomaiset sanat",
           "quote": "esimerkkivastaus", "suppressed": "piilotettu: alle {min_cell} vastaajaa", "all": "(kaikki kysymykset)",
           "matrix": "Ryhmät × teemat", "matrix_note": "Ryhmät × teemat: osuus ryhmän vastaajista; väritetty = ero muihin merkitsevä (korjattu p < {alpha}); <{min_cell} = piilotettu",
           "theme": "Teema", "share": "Osuus vastauksista"},
    "en": {"top": "common theme", "over": "more than others", "under": "less than others", "words": "distinctive words",
           "quote": "quote", "suppressed": "suppressed: under {min_cell} respondents", "all": "(all questions)",
           "matrix": "Groups × themes", "matrix_note": "Groups × themes: share of the group's respondents; coloured = differs significantly from the others (adjusted p < {alpha}); <{min_cell} = suppressed",
           "theme": "Theme", "share": "Share of answers"},
}


def write_summary_xlsx(path: Path, run: Run, lang: str = "fi", mask: Callable[[str], str] = redact) -> None:
    """Write an overview sheet with a theme-share chart, then one sheet per table: readable headers, frozen header row, fitted widths, percentages.

    Every text cell is a string cell, never a formula, whatever the answer starts with. Answers beyond
    Excel's row limit continue on further answer sheets; a run of more than ``[report] xlsx_answers``
    answers gets a note on the answers sheet instead (answers.csv has them all).
    """
    from openpyxl import Workbook


    t = UI[lang]
    answers = run.answers.assign(text=run.answers["text"].map(mask))
    themes = run.themes.assign(label=run.themes["label"].map(mask))
    m, c = run.manifest, run.manifest.counts
    confidence, alpha = significance(run)
    kinds, min_cell = KINDS[lang], m.statistics.suppressed_below
    overview = pd.DataFrame({
        t["summary"]: [t["read"], t["excluded"], t["analysed"], t["unassigned"], t["themes"], t["embedder"], t["codebook"], t["seed"], "", t["methods"], ""],
        "": [c.read, c.excluded, c.analysed, c.unassigned, m.themes.total, m.embedder.id, m.codebook.name if m.codebook else t["none"], m.seed,
             several_themes_note(lang), " ".join(methods_text(run, lang)), kinds["matrix_note"].format(alpha=fmt.number(alpha, lang), min_cell=min_cell)],
    })
    name_overview, name_themes, name_groups, name_summaries, name_answers = SHEETS[lang]
    book = Workbook()
    sheet = book.active
    sheet.title = name_overview
    _fill_sheet(sheet, overview, {})
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 40
    headers = column_headers(run, lang, _level(confidence, lang))
    _table_sheet(book, name_themes, themes, headers)
    labels = dict(zip(themes["theme"], themes["label"]))
    matrix, significant = group_theme_matrix(run.groups, labels, alpha, min_cell)
    fixed = {k: v for k, v in headers.items() if k in ("group_column", "group", "n_group")}  # theme labels are never translated
    _style_matrix(_table_sheet(book, kinds["matrix"], matrix, fixed), significant)
    groups = run.groups.copy()
    if "question" in groups:
        groups["question"] = groups["question"].replace(ALL_QUESTIONS, KINDS[lang]["all"])
    _table_sheet(book, name_groups, groups, headers)
    _table_sheet(book, name_summaries, summary_frame(run, labels, alpha, confidence, lang, mask), headers)
    note = xlsx_note(run, lang)
    if note:  # summaries only: a workbook of every answer would take gigabytes of memory to write
        _fill_sheet(book.create_sheet(name_answers), pd.DataFrame({t["summary"]: [note]}), {})
    else:
        for k, start in enumerate(range(0, max(len(answers), 1), XLSX_MAX_ROWS)):
            _table_sheet(book, name_answers if k == 0 else f"{name_answers} {k + 1}", answers.iloc[start : start + XLSX_MAX_ROWS], headers)
    _share_chart(sheet, themes, t["shares_chart"], kinds)
    book.save(path)


XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header row
XLSX_MAX_CHARS = 32_767  # Excel's cell limit: a longer text makes Excel "repair" (cut) the workbook
CUT_MARK = " […]"


def group_theme_matrix(groups: pd.DataFrame, labels: dict[str, str], alpha: float, min_cell: int) -> tuple[pd.DataFrame, list[tuple[int, int]]]:
    """Return the groups x themes table of respondent shares (the summaries' scope) and the (row, column) positions of significant cells.

    A row per group with its column and size, a column per theme label in ``labels`` order; a suppressed cell
    holds ``"<min_cell"``, a cell without a row in groups.csv stays empty. Positions count from 0 over the table's
    own rows and columns.
    """
    scope = scope_rows(groups)
    names = _unique_names(labels, taken={"group_column", "group", "n_group"})
    columns = ["group_column", "group", "n_group"] + list(names.values())
    rows, significant = [], []
    by_pair = dict(iter(scope.groupby(["group_column", "group"], sort=False, dropna=False)))  # one pass, not one per group
    for r, (column, group) in enumerate(group_pairs(scope, min_cell)):
        sub = by_pair[(column, group)]
        row: dict[str, Any] = {"group_column": column, "group": group, "n_group": sub["n_group"].iloc[0]}
        cells = sub.set_index("theme")
        for c, (theme, label) in enumerate(names.items(), start=3):
            if theme not in cells.index:
                continue
            cell = cells.loc[theme]
            if bool(cell["suppressed"]):
                row[label] = f"<{min_cell}"
                continue
            row[label] = cell["share"]
            if not pd.isna(cell["p_adjusted"]) and float(cell["p_adjusted"]) < alpha:
                significant.append((r, c))
        rows.append(row)
    return pd.DataFrame(rows, columns=columns), significant


def _unique_names(labels: dict[str, str], taken: set[str]) -> dict[str, str]:
    """Return each theme's column name: its label, with the theme id added where two themes share a label."""
    counts = pd.Series(list(labels.values())).value_counts()
    return {theme: f"{label} ({theme})" if counts[label] > 1 or label in taken else label for theme, label in labels.items()}


def _style_matrix(sheet: Any, cells: list[tuple[int, int]]) -> None:
    """Colour and embolden the significant cells of a table sheet (positions below its header row, from 0); shares get a percentage format."""
    from openpyxl.styles import Font, PatternFill

    fill, bold = PatternFill("solid", start_color=SIGNIFICANT_FILL, end_color=SIGNIFICANT_FILL), Font(bold=True)
    for row in sheet.iter_rows(min_row=2, min_col=4):
        for cell in row:
            if isinstance(cell.value, float):
                cell.number_format = "0%"
    for r, c in cells:
        cell = sheet.cell(row=r + 2, column=c + 1)
        cell.fill, cell.font = fill, bold


def _share_chart(sheet: Any, themes: pd.DataFrame, title: str, kinds: dict[str, str]) -> None:
    """Add the themes' shares under the overview, largest first, and a labelled bar chart of them beside it."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.label import DataLabelList
    from openpyxl.styles import Font

    if themes.empty:
        return
    ranked = themes.sort_values("share", ascending=False, kind="stable")
    first = sheet.max_row + 2
    sheet.cell(row=first, column=1, value=kinds["theme"]).font = Font(bold=True)
    sheet.cell(row=first, column=2, value=kinds["share"]).font = Font(bold=True)
    for i, (label, share) in enumerate(zip(ranked["label"], ranked["share"]), start=first + 1):
        sheet.cell(row=i, column=1, value=_cell_value(label)).data_type = "s"  # a label is text, never a formula
        sheet.cell(row=i, column=2, value=_cell_value(share)).number_format = "0.0%"
    last = first + len(ranked)
    chart = BarChart()
    chart.type, chart.title, chart.legend = "bar", title, None
    chart.x_axis.title, chart.y_axis.title = kinds["theme"], kinds["share"]
    chart.x_axis.scaling.orientation = "maxMin"  # the largest share at the top, as in the table
    chart.x_axis.delete = chart.y_axis.delete = False  # openpyxl 3.1 hides axes unless told
    chart.y_axis.numFmt = "0%"
    chart.add_data(Reference(sheet, min_col=2, min_row=first, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=first + 1, max_row=last))
    chart.dataLabels = DataLabelList(showVal=True, numFmt="0%")
    chart.height, chart.width = max(7, 0.6 * len(ranked)), 18
    sheet.add_chart(chart, "D2")


SIGNIFICANT_FILL = "FFD8A8"  # light orange: stands out from the blank and grey cells, readable when printed


def summary_frame(run: Run, labels: dict[str, str], alpha: float, confidence: float, lang: str, mask: Callable[[str], str]) -> pd.DataFrame:
    """Return the group summaries as one long table: a row per common theme, difference, word list and quote."""
    kinds = KINDS[lang]
    rows: list[dict[str, Any]] = []
    for s in summaries(run, labels, alpha, mask):
        base = {"group_column": s.column, "group": s.group, "n_group": s.n}
        if s.suppressed:
            rows.append({**base, "kind": kinds["suppressed"].format(min_cell=run.manifest.statistics.suppressed_below)})
            continue
        for line in s.top:
            rows.append({**base, "kind": kinds["top"], "label": line.label, "share": line.share, "ci_low": line.ci_low, "ci_high": line.ci_high})
        for kind, lines in (("over", s.over), ("under", s.under)):
            for line in lines:
                rows.append({**base, "kind": kinds[kind], "label": line.label, "share": line.share, "ci_low": line.ci_low, "ci_high": line.ci_high,
                             "share_rest": line.share_rest, "diff": line.diff, "diff_low": line.diff_low, "diff_high": line.diff_high,
                             "p_adjusted": line.p_adjusted, "text": difference_sentence(s, line, lang, confidence)})
                for ref, text in line.quotes:
                    rows.append({**base, "kind": kinds["quote"], "label": line.label, "text": f"{text} ({ref})"})
        if s.words:
            rows.append({**base, "kind": kinds["words"], "text": s.words})
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def _cell_value(value: Any) -> Any:
    """Return a value openpyxl can store: None for missing, plain Python numbers, text cut to Excel's cell limit (marked […])."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, str) and len(value) > XLSX_MAX_CHARS:
        return value[: XLSX_MAX_CHARS - len(CUT_MARK)] + CUT_MARK  # answers.csv keeps the whole text
    return value


def _fill_sheet(sheet: Any, frame: pd.DataFrame, headers: dict[str, str]) -> None:
    """Write ``frame`` with a header row into ``sheet``; text never becomes a formula."""
    from openpyxl.styles import Font

    sheet.append([headers.get(col, str(col)) for col in frame.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in frame.itertuples(index=False, name=None):
        sheet.append([_cell_value(v) for v in row])
    for cells in sheet.iter_rows():
        for cell in cells:
            if cell.data_type == "f":  # openpyxl reads a leading '=' as a formula; answers are text
                cell.data_type = "s"


def _table_sheet(book: Any, name: str, frame: pd.DataFrame, headers: dict[str, str]) -> Any:
    """Return a new sheet holding ``frame`` under readable ``headers``: frozen header, fitted widths, percentage formats."""
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(name)
    _fill_sheet(sheet, frame, headers)
    sheet.freeze_panes = "A2"
    if len(frame.columns):
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{len(frame) + 1}"
    for j, column in enumerate(frame.columns, start=1):
        letter = get_column_letter(j)
        lengths = sorted(len(str(v)) for v in frame[column] if _cell_value(v) is not None)
        typical = lengths[int(0.9 * (len(lengths) - 1))] if lengths else 0
        sheet.column_dimensions[letter].width = min(max(len(headers.get(column, column)), typical, 6) + 2, 80)
        if column in PERCENT_COLUMNS:
            for cell in sheet[letter][1:]:
                cell.number_format = "0.0%"
    return sheet
