"""Table sheets for the workbooks (``summary.xlsx``, ``compare.xlsx``): cells, number formats, widths, row heights and print setup.

Every text cell is a string cell, never a formula, whatever the answer starts with. Every sheet is set up for
paper: A4 landscape, all columns on one page width, the header row repeated, long text wrapped in capped
columns, row heights set (LibreOffice does not grow rows for wrapped text on import). Cells keep raw numbers so
they sort and filter; number formats round what a reader sees.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from avovastaus.report import formatting as fmt

PERCENT_COLUMNS = {"share", "ci_low", "ci_high", "share_rest", "diff", "diff_low", "diff_high", "share_unweighted",
                   "share_old", "ci_low_old", "ci_high_old", "share_new", "ci_low_new", "ci_high_new"}  # the last ones: compare.xlsx
P_COLUMNS = {"p_value", "p_adjusted"}
DECIMAL_COLUMNS = {"score": "0.00", "confidence": "0.00", "stability": "0.00", "weight": "0.00", "n_effective": "0.0"}
#: the widest a column may be (in characters); its text wraps beyond. Long text gets room, anything else at most NARROW,
#: so that each sheet fits a landscape page at a readable scale
WIDE = {"text": 56, "keywords": 36, "keywords_group": 36, "description": 36, "notes": 36, "examples": 30, "themes": 26, "model_themes": 26,
        "label": 24, "model_label": 24, "theme": 24, "model_theme": 24, "group": 20}
NARROW = 16
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header row
XLSX_MAX_CHARS = 32_767  # Excel's cell limit: a longer text makes Excel "repair" (cut) the workbook
CUT_MARK = " […]"


def cell_value(value: Any) -> Any:
    """Return a value openpyxl can store: None for missing, plain Python numbers, text cut to Excel's cell limit (marked […])."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, str) and len(value) > XLSX_MAX_CHARS:
        return value[: XLSX_MAX_CHARS - len(CUT_MARK)] + CUT_MARK  # answers.csv keeps the whole text
    return value


def fill_sheet(sheet: Any, frame: pd.DataFrame, headers: dict[str, str]) -> None:
    """Write ``frame`` with a bold header row into ``sheet``; text never becomes a formula."""
    from openpyxl.styles import Alignment, Font

    sheet.append([headers.get(col, str(col)) for col in frame.columns])
    for cell in sheet[1]:
        cell.font, cell.alignment = Font(bold=True), Alignment(wrap_text=True, vertical="bottom")
    for row in frame.itertuples(index=False, name=None):
        sheet.append([cell_value(v) for v in row])
    for cells in sheet.iter_rows():
        for cell in cells:
            if cell.data_type == "f":  # openpyxl reads a leading '=' as a formula; answers are text
                cell.data_type = "s"


def table_sheet(book: Any, name: str, frame: pd.DataFrame, headers: dict[str, str], lang: str = "fi") -> Any:
    """Return a new sheet holding ``frame`` under readable ``headers``: frozen header, capped widths, wrapped long text, number formats, print setup."""
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(name)
    fill_sheet(sheet, frame, headers)
    sheet.freeze_panes = "A2"
    if len(frame.columns):
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{len(frame) + 1}"
    header_lines, wrapped = 1, {}
    for j, column in enumerate(frame.columns, start=1):
        number_format = number_format_of(column, lang)
        header = headers.get(column, str(column))
        width, wrap = column_width(column, header, frame[column], number_format is not None)
        sheet.column_dimensions[get_column_letter(j)].width = width
        style_column(sheet, j, number_format, wrap)
        header_lines = max(header_lines, wrapped_lines(header, width - 1))  # bold
        if wrap:
            wrapped[j - 1] = width
    if header_lines > 1:
        sheet.row_dimensions[1].height = row_height(header_lines)
    row_heights(sheet, frame, wrapped)
    print_setup(sheet, title_row=True)
    return sheet


def row_heights(sheet: Any, frame: pd.DataFrame, wrapped: dict[int, float]) -> None:
    """Make each row holding wrapped text as tall as its longest cell's lines (``wrapped``: column position -> width).

    Calc shows a written file's row heights as they are and does not grow a row to its wrapped text; without a
    height, wrapped lines overlap the next row on screen and on paper.
    """
    if not wrapped or frame.empty:
        return
    lines = [1] * len(frame)
    for j, width in wrapped.items():
        for i, value in enumerate(frame.iloc[:, j]):
            if isinstance(value, str) and len(value) > width - 2:
                lines[i] = max(lines[i], wrapped_lines(value, width))
    for r, n in enumerate(lines, start=2):
        if n > 1:
            sheet.row_dimensions[r].height = row_height(n)


def wrapped_lines(text: str, width: float) -> int:
    """Return how many lines ``text`` takes wrapped at spaces in a column ``width`` wide.

    A width counts digits; a line holds about 1.2 characters of text for each (letters and spaces are narrower),
    a little fewer than Calc and Excel fit, so that a row is rather a line too tall than cut.
    """
    width = max(int(width * 1.2), 1)
    lines = 0
    for paragraph in str(text).split("\n"):
        lines, used = lines + 1, 0
        for word in paragraph.split():
            if used and used + 1 + len(word) > width:
                lines, used = lines + 1, 0
            used += (1 if used else 0) + len(word)
            while used > width:  # a word longer than the column breaks within itself
                lines, used = lines + 1, used - width
    return lines


def row_height(lines: int) -> float:
    """Return the height in points of a row of ``lines`` lines of 11-point text, at most Excel's limit."""
    return min(LINE_POINTS * lines + 2, MAX_ROW_POINTS)


LINE_POINTS, MAX_ROW_POINTS = 15, 409


def number_format_of(column: str, lang: str) -> str | None:
    """Return the number format of a column of numbers (None: a column of text, counts or flags, left as written)."""
    if column in PERCENT_COLUMNS:
        return fmt.xlsx_percent(lang)
    if column in P_COLUMNS:
        return fmt.xlsx_p_value(lang)
    return DECIMAL_COLUMNS.get(column)


def column_width(column: str, header: str, values: pd.Series, formatted: bool) -> tuple[float, bool]:
    """Return (width in characters, whether to wrap): the typical value's, at most the column's cap, or the header's longest word's if wider.

    A formatted number shows at most 7 characters (``−12,3 %``), whatever its raw digits; text longer than the width wraps.
    """
    lengths = sorted(7 if formatted else len(str(v)) for v in values if cell_value(v) is not None)
    typical = lengths[int(0.9 * (len(lengths) - 1))] if lengths else 0
    word = max((len(w) for w in str(header).split()), default=0)  # headers wrap at spaces, never within a word
    width = max(min(max(typical + 2, 8), WIDE.get(column, NARROW)), word + 2)  # the cap is for values; bold is wider
    return width, bool(lengths) and lengths[-1] > width - 2


def style_column(sheet: Any, column: int, number_format: str | None, wrap: bool) -> None:
    """Give a column's data cells their number format and alignment (wrapped, or top-aligned beside wrapped neighbours)."""
    from copy import copy

    from openpyxl.styles import Alignment

    cells = next(sheet.iter_cols(min_col=column, max_col=column, min_row=2), ())
    if not cells:
        return
    first = cells[0]
    first.alignment = Alignment(wrap_text=wrap, vertical="top")
    if number_format:
        first.number_format = number_format
    style = first._style  # one style for the column: copied, not rebuilt per cell (a sheet can hold 100,000 answers)
    for cell in cells[1:]:
        cell._style = copy(style)


def print_setup(sheet: Any, title_row: bool) -> None:
    """Set ``sheet`` up for paper: A4 landscape, every column on one page's width (as many pages down as it takes), sheet and page in the footer.

    A table sheet (``title_row``) repeats its header row on every page and prints grid lines, so a row reads across.
    """
    from openpyxl.worksheet.page import PageMargins
    from openpyxl.worksheet.properties import PageSetupProperties

    setup = sheet.page_setup
    setup.orientation, setup.paperSize = "landscape", sheet.PAPERSIZE_A4
    setup.fitToWidth, setup.fitToHeight = 1, 0  # 0: no limit on the pages down
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6, header=0.25, footer=0.3)
    sheet.oddFooter.center.text = "&A – &P / &N"
    if title_row:
        sheet.print_title_rows = "1:1"
        sheet.print_options.gridLines = True
