"""``summary.xlsx``: an overview sheet with a theme-share chart, the run's tables, and the group summaries as a sheet.

Every text cell is a string cell, never a formula, whatever the answer starts with.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pandas as pd

from .formatting import level as _level
from .redact import redact
from .report_groups import difference_sentence, methods_text, several_themes_note, summaries
from .rundir import Run
from .summarize import ALL_QUESTIONS

PERCENT_COLUMNS = {"share", "ci_low", "ci_high", "share_rest", "diff", "diff_low", "diff_high",
                   "share_old", "ci_low_old", "ci_high_old", "share_new", "ci_low_new", "ci_high_new"}  # the last ones: compare.xlsx
SUMMARY_COLUMNS = ["group_column", "group", "n_group", "kind", "label", "share", "ci_low", "ci_high", "share_rest", "diff", "diff_low", "diff_high", "p_adjusted", "text"]
KINDS = {
    "fi": {"top": "yleinen teema", "over": "useammin kuin muut", "under": "harvemmin kuin muut", "words": "tunnusomaiset sanat",
           "quote": "esimerkkivastaus", "suppressed": "piilotettu: alle {min_cell} vastaajaa", "all": "(kaikki kysymykset)"},
    "en": {"top": "common theme", "over": "more than others", "under": "less than others", "words": "distinctive words",
           "quote": "quote", "suppressed": "suppressed: under {min_cell} respondents", "all": "(all questions)"},
}


def write_summary_xlsx(path: Path, run: Run, lang: str = "fi", mask: Callable[[str], str] = redact) -> None:
    """Write an overview sheet with a theme-share chart, then one sheet per table: readable headers, frozen header row, fitted widths, percentages.

    Every text cell is a string cell, never a formula, whatever the answer starts with. Answers beyond
    Excel's row limit continue on further answer sheets.
    """
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference

    from .report import HEADERS, SHEETS, UI, significance

    t = UI[lang]
    answers = run.answers.assign(text=run.answers["text"].map(mask))
    themes = run.themes.assign(label=run.themes["label"].map(mask))
    m, c = run.manifest, run.manifest.counts
    overview = pd.DataFrame({
        t["summary"]: [t["read"], t["excluded"], t["analysed"], t["unassigned"], t["themes"], t["embedder"], t["codebook"], t["seed"], "", t["methods"]],
        "": [c.read, c.excluded, c.analysed, c.unassigned, m.themes.total, m.embedder.id, m.codebook.name if m.codebook else t["none"], m.seed,
             several_themes_note(lang), " ".join(methods_text(run, lang))],
    })
    name_overview, name_themes, name_groups, name_summaries, name_answers = SHEETS[lang]
    book = Workbook()
    sheet = book.active
    sheet.title = name_overview
    _fill_sheet(sheet, overview, {})
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 40
    confidence, alpha = significance(run)
    headers = {k: v.format(level=_level(confidence, lang)) for k, v in HEADERS.get(lang, {}).items()}
    theme_sheet = _table_sheet(book, name_themes, themes, headers)
    groups = run.groups.copy()
    if "question" in groups:
        groups["question"] = groups["question"].replace(ALL_QUESTIONS, KINDS[lang]["all"])
    _table_sheet(book, name_groups, groups, headers)
    labels = dict(zip(themes["theme"], themes["label"]))
    _table_sheet(book, name_summaries, summary_frame(run, labels, alpha, confidence, lang, mask), headers)
    for k, start in enumerate(range(0, max(len(answers), 1), XLSX_MAX_ROWS)):
        _table_sheet(book, name_answers if k == 0 else f"{name_answers} {k + 1}", answers.iloc[start : start + XLSX_MAX_ROWS], headers)
    n = len(themes)
    if n:
        chart = BarChart()
        chart.type = "bar"
        chart.title = t["shares_chart"]
        chart.y_axis.numFmt = "0%"
        chart.legend = None
        share_col = list(themes.columns).index("share") + 1
        label_col = list(themes.columns).index("label") + 1
        chart.add_data(Reference(theme_sheet, min_col=share_col, min_row=1, max_row=n + 1), titles_from_data=True)
        chart.set_categories(Reference(theme_sheet, min_col=label_col, min_row=2, max_row=n + 1))
        chart.height, chart.width = max(7, 0.6 * n), 18
        sheet.add_chart(chart, "D2")
    book.save(path)


XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header row
XLSX_MAX_CHARS = 32_767  # Excel's cell limit: a longer text makes Excel "repair" (cut) the workbook
CUT_MARK = " […]"


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
    sheet.append([headers.get(col, str(col)) for col in frame.columns])
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
    for j, column in enumerate(frame.columns, start=1):
        letter = get_column_letter(j)
        lengths = sorted(len(str(v)) for v in frame[column] if _cell_value(v) is not None)
        typical = lengths[int(0.9 * (len(lengths) - 1))] if lengths else 0
        sheet.column_dimensions[letter].width = min(max(len(headers.get(column, column)), typical, 6) + 2, 80)
        if column in PERCENT_COLUMNS:
            for cell in sheet[letter][1:]:
                cell.number_format = "0.0%"
    return sheet
