"""``summary.xlsx``: an overview sheet with a theme-share chart, the run's tables, and the group summaries as a sheet.

The table sheets, their number formats and their print setup come from :mod:`avovastaus.report.sheets`: shares
``13,2 %``, p-values three decimals and ``< 0,001`` below the floor (groups.csv keeps the unrounded values).
Themes appear by their labels, not ids, except in the themes sheet's own id column.
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
from avovastaus.report.sheets import XLSX_MAX_ROWS, cell_value, fill_sheet, print_setup, row_height, table_sheet, wrapped_lines
from avovastaus.report.view import SHEETS, UI, significance, xlsx_note
from avovastaus.report.view import headers as column_headers
from avovastaus.stats.summarize import ALL_QUESTIONS

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
#: headers of columns view.HEADERS lacks (reviewed runs add some); the shared table wins where it has one
EXTRA_HEADERS = {
    "fi": {"confidence": "Varmuus", "model_theme": "Mallin pääteema", "model_themes": "Mallin teemat", "model_label": "Mallin nimi",
           "description": "Kuvaus", "verdict": "Arvio", "reviewer": "Arvioija", "notes": "Huomautukset"},
    "en": {},
}
#: the themes sheet's id column: there the theme itself, not an answer's main theme
THEME_ID = {"fi": "Tunnus", "en": "theme"}
#: the group summaries' text column: a sentence, a quote or a word list, not an answer
SUMMARY_TEXT = {"fi": "Teksti", "en": "text"}
VERDICTS = {"fi": {"confirmed": "vahvistettu", "wrong": "väärä teema"}, "en": {}}


def write_summary_xlsx(path: Path, run: Run, lang: str = "fi", mask: Callable[[str], str] = redact) -> None:
    """Write an overview sheet with a theme-share chart, then one sheet per table: readable headers, frozen header row, fitted widths, formats.

    Every text cell is a string cell, never a formula, whatever the answer starts with. Answers beyond
    Excel's row limit continue on further answer sheets; a run of more than ``[report] xlsx_answers``
    answers gets a note on the answers sheet instead (answers.csv has them all).
    """
    from openpyxl import Workbook

    t = UI[lang]
    answers = run.answers.assign(text=run.answers["text"].map(mask))
    themes = run.themes.assign(label=run.themes["label"].map(mask))
    confidence, alpha = significance(run)
    kinds, min_cell = KINDS[lang], run.manifest.statistics.suppressed_below
    name_overview, name_themes, name_groups, name_summaries, name_answers = SHEETS[lang]
    book = Workbook()
    sheet = book.active
    sheet.title = name_overview
    _overview_sheet(sheet, run, lang, alpha)
    headers = {**EXTRA_HEADERS[lang], **column_headers(run, lang, _level(confidence, lang))}
    labels = dict(zip(themes["theme"], themes["label"]))
    names = _unique_names(labels, taken=set())  # a label twice: the id tells the two apart
    sources = {"codebook": t["codebook_src"], "discovered": t["discovered_src"]}
    table_sheet(book, name_themes, themes.assign(source=themes["source"].map(lambda s: sources.get(s, s))), {**headers, "theme": THEME_ID[lang]}, lang)
    matrix, significant = group_theme_matrix(run.groups, labels, alpha, min_cell)
    fixed = {k: v for k, v in headers.items() if k in ("group_column", "group", "n_group")}  # theme labels are never translated
    _style_matrix(table_sheet(book, kinds["matrix"], matrix, fixed, lang), significant, lang)
    groups = run.groups.copy()
    if "question" in groups:
        groups["question"] = groups["question"].replace(ALL_QUESTIONS, KINDS[lang]["all"])
    if "theme" in groups:
        groups["theme"] = groups["theme"].map(lambda x: names.get(x, x))
    table_sheet(book, name_groups, groups, headers, lang)
    table_sheet(book, name_summaries, summary_frame(run, labels, alpha, confidence, lang, mask), {**headers, "text": SUMMARY_TEXT[lang]}, lang)
    note = xlsx_note(run, lang)
    if note:  # summaries only: a workbook of every answer would take gigabytes of memory to write
        _note_sheet(book.create_sheet(name_answers), t["summary"], note)
    else:
        answers = readable_answers(answers, names, lang)
        for k, start in enumerate(range(0, max(len(answers), 1), XLSX_MAX_ROWS)):
            table_sheet(book, name_answers if k == 0 else f"{name_answers} {k + 1}", answers.iloc[start : start + XLSX_MAX_ROWS], headers, lang)
    _share_chart(sheet, themes, t["shares_chart"], kinds, lang)
    book.save(path)


def readable_answers(answers: pd.DataFrame, names: dict[str, str], lang: str) -> pd.DataFrame:
    """Return the answers as the workbook shows them: themes by label (``names``: id -> label), reasons and verdicts in ``lang``."""
    out = answers.copy()
    for column in ("theme", "model_theme"):
        if column in out:
            out[column] = out[column].map(lambda x: names.get(x, x))
    for column in ("themes", "model_themes"):
        if column in out:
            out[column] = out[column].map(lambda s: "; ".join(names.get(x, x) for x in str(s).split(";") if x))
    if "excluded" in out:
        out["excluded"] = out["excluded"].map(lambda r: UI[lang].get(r, r) if r else r)
    if "verdict" in out:
        out["verdict"] = out["verdict"].map(lambda v: VERDICTS[lang].get(v, v))
    return out


def _overview_sheet(sheet: Any, run: Run, lang: str, alpha: float) -> None:
    """Fill the overview: the run's counts and settings, then the notes and the methods paragraph, each wrapped across the sheet's width."""
    from openpyxl.styles import Alignment

    t, m, c = UI[lang], run.manifest, run.manifest.counts
    kinds = KINDS[lang]
    overview = pd.DataFrame({
        t["summary"]: [t["read"], t["excluded"], t["analysed"], t["unassigned"], t["themes"], t["embedder"], t["codebook"], t["seed"], "", t["methods"], ""],
        "": [c.read, c.excluded, c.analysed, c.unassigned, m.themes.total, m.embedder.id, m.codebook.name if m.codebook else t["none"], m.seed,
             several_themes_note(lang), " ".join(methods_text(run, lang)), kinds["matrix_note"].format(alpha=fmt.number(alpha, lang), min_cell=m.statistics.suppressed_below)],
    })
    fill_sheet(sheet, overview, {})
    for letter, width in zip("ABC", OVERVIEW_WIDTHS):
        sheet.column_dimensions[letter].width = width
    top, wide = Alignment(vertical="top", horizontal="left"), sum(OVERVIEW_WIDTHS[1:])
    for r in range(2, sheet.max_row + 1):
        name, value = sheet.cell(row=r, column=1), sheet.cell(row=r, column=2)
        name.alignment = value.alignment = top
        if isinstance(value.value, str) and len(value.value) > OVERVIEW_WIDTHS[1]:  # a paragraph: across B and C, as tall as its lines
            sheet.merge_cells(start_row=r, start_column=2, end_row=r, end_column=3)
            value.alignment = Alignment(vertical="top", horizontal="left", wrap_text=True)
            sheet.row_dimensions[r].height = row_height(wrapped_lines(value.value, wide))
    print_setup(sheet, title_row=False)


#: the overview's columns: names and theme labels; values and shares; the chart (paragraphs span the last two)
OVERVIEW_WIDTHS = (30, 20, 80)


def _note_sheet(sheet: Any, title: str, note: str) -> None:
    """Fill a sheet with one note under a title, wrapped in a column a page wide."""
    from openpyxl.styles import Alignment

    fill_sheet(sheet, pd.DataFrame({title: [note]}), {})
    width = sum(OVERVIEW_WIDTHS)
    sheet.column_dimensions["A"].width = width
    sheet["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[2].height = row_height(wrapped_lines(note, width))
    print_setup(sheet, title_row=False)


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


def _style_matrix(sheet: Any, cells: list[tuple[int, int]], lang: str = "fi") -> None:
    """Colour and embolden the significant cells of a table sheet (positions below its header row, from 0); shares get a percentage format.

    The theme columns are narrow, their labels turned upright, so that many themes still fit a page's width.
    """
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    fill, bold = PatternFill("solid", start_color=SIGNIFICANT_FILL, end_color=SIGNIFICANT_FILL), Font(bold=True)
    right = Alignment(horizontal="right", vertical="top")
    for row in sheet.iter_rows(min_row=2, min_col=4):
        for cell in row:
            if isinstance(cell.value, float):
                cell.number_format = fmt.xlsx_percent(lang, 0)
            elif isinstance(cell.value, str):  # "<5" lines up with the shares
                cell.alignment = right
    for r, c in cells:
        cell = sheet.cell(row=r + 2, column=c + 1)
        cell.fill, cell.font = fill, bold
    longest = 0
    for cell in sheet[1][3:]:
        cell.alignment = Alignment(text_rotation=90, wrap_text=True, vertical="bottom", horizontal="center")
        sheet.column_dimensions[get_column_letter(cell.column)].width = MATRIX_WIDTH
        longest = max(longest, len(str(cell.value or "")))
    if longest:  # upright labels: the row is as tall as the longest, up to two lines of one
        sheet.row_dimensions[1].height = min(longest, MATRIX_LABEL_CHARS) * 6 + 12


#: a theme column of the groups x themes sheet (``100 %`` fits), and the characters of a label on one upright line
MATRIX_WIDTH, MATRIX_LABEL_CHARS = 8, 30


def _share_chart(sheet: Any, themes: pd.DataFrame, title: str, kinds: dict[str, str], lang: str = "fi") -> None:
    """Add the themes' shares under the overview, largest first, on a page of their own, with a bar chart of them beside, each bar labelled with its share alone."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.label import DataLabelList
    from openpyxl.styles import Font
    from openpyxl.worksheet.pagebreak import Break

    if themes.empty:
        return
    ranked = themes.sort_values("share", ascending=False, kind="stable")
    first = sheet.max_row + 2
    sheet.cell(row=first, column=1, value=kinds["theme"]).font = Font(bold=True)
    sheet.cell(row=first, column=2, value=kinds["share"]).font = Font(bold=True)
    for i, (label, share) in enumerate(zip(ranked["label"], ranked["share"]), start=first + 1):
        sheet.cell(row=i, column=1, value=cell_value(label)).data_type = "s"  # a label is text, never a formula
        sheet.cell(row=i, column=2, value=cell_value(share)).number_format = fmt.xlsx_percent(lang)
    last = first + len(ranked)
    chart = BarChart()
    chart.type, chart.title, chart.legend = "bar", title, None
    chart.x_axis.title, chart.y_axis.title = kinds["theme"], kinds["share"]
    chart.x_axis.scaling.orientation = "maxMin"  # the largest share at the top, as in the table
    chart.x_axis.delete = chart.y_axis.delete = False  # openpyxl 3.1 hides axes unless told
    chart.y_axis.numFmt = fmt.xlsx_percent(lang, 0)
    chart.add_data(Reference(sheet, min_col=2, min_row=first, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=first + 1, max_row=last))
    # every flag written: Calc takes a flag left out as on, and series name, category and value overlap into a block
    labels = {"showVal": True, "showSerName": False, "showCatName": False, "showLegendKey": False, "showPercent": False, "showBubbleSize": False}
    chart.dataLabels = DataLabelList(numFmt=fmt.xlsx_percent(lang, 0), dLblPos="outEnd", **labels)
    chart.series[0].dLbls = DataLabelList(numFmt=fmt.xlsx_percent(lang, 0), dLblPos="outEnd", **labels)
    chart.height, chart.width = min(max(7, 0.9 * len(ranked) + 3), CHART_MAX_CM), 16
    sheet.add_chart(chart, f"C{first}")  # beside the table, within the sheet's width
    sheet.row_breaks.append(Break(id=first - 1))  # table and chart start a page: a printed chart is never cut in two


#: the tallest chart that fits a landscape A4 page under its margins
CHART_MAX_CM = 16
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


