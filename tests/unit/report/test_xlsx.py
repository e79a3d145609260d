"""The group x theme table of summary.xlsx: scope, suppression, significance (no pipeline run)."""

from __future__ import annotations

import pandas as pd

from avovastaus.report.xlsx import SIGNIFICANT_FILL, _style_matrix, _table_sheet, group_theme_matrix


def _groups() -> pd.DataFrame:
    rows = []
    for question in ("q1", ""):  # "" = all questions: the scope the table shows
        for group, n, shares in (("nuoret", 32, (0.5, None)), ("=HYPERLINK(\"x\")", 40, (0.1, 0.3))):
            for theme, share in zip(("a", "b"), shares):
                rows.append({"group_column": "ryhma", "group": group, "question": question, "theme": theme, "n_group": n,
                             "share": share if question == "" else 0.99, "suppressed": share is None,
                             "p_adjusted": 0.001 if share == 0.5 else 0.6})
    return pd.DataFrame(rows)


def test_matrix_has_labels_as_columns_groups_as_rows_and_marks_suppressed_and_significant_cells():
    matrix, significant = group_theme_matrix(_groups(), {"a": "Resurssit", "b": "Resurssit"}, alpha=0.05, min_cell=5)
    assert list(matrix.columns) == ["group_column", "group", "n_group", "Resurssit (a)", "Resurssit (b)"]  # same label: ids tell apart
    assert matrix["Resurssit (a)"].tolist() == [0.5, 0.1] and matrix["Resurssit (b)"].tolist() == ["<5", 0.3]
    assert matrix["n_group"].tolist() == [32, 40] and significant == [(0, 3)]


def test_significant_cells_are_coloured_and_text_stays_text():
    from openpyxl import Workbook

    matrix, significant = group_theme_matrix(_groups(), {"a": "A", "b": "B"}, alpha=0.05, min_cell=5)
    book = Workbook()
    sheet = _table_sheet(book, "m", matrix, {})
    _style_matrix(sheet, significant)
    assert sheet["D2"].fill.start_color.rgb.endswith(SIGNIFICANT_FILL) and sheet["D2"].font.bold
    assert sheet["D3"].fill.fill_type is None and sheet["D2"].number_format == "0%"
    assert sheet["B3"].data_type == "s" and sheet.auto_filter.ref == "A1:E3" and sheet["A1"].font.bold
