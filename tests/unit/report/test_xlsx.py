"""summary.xlsx without a pipeline run: the group x theme table (scope, suppression, significance), number formats, widths, print setup."""

from __future__ import annotations

import pandas as pd
import pytest

from avovastaus.report import formatting as fmt
from avovastaus.report.sheets import NARROW, WIDE, column_width, table_sheet, wrapped_lines
from avovastaus.report.xlsx import SIGNIFICANT_FILL, _style_matrix, group_theme_matrix, readable_answers


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
    sheet = table_sheet(book, "m", matrix, {})
    _style_matrix(sheet, significant)
    assert sheet["D2"].fill.start_color.rgb.endswith(SIGNIFICANT_FILL) and sheet["D2"].font.bold
    assert sheet["D3"].fill.fill_type is None and sheet["D2"].number_format == "0 %"
    assert sheet["B3"].data_type == "s" and sheet.auto_filter.ref == "A1:E3" and sheet["A1"].font.bold


# ---------------------------------------------------------------- issue #27: the workbook on paper and in Calc


@pytest.mark.parametrize(
    ("lang", "digits", "code"),
    [("fi", 1, "0.0 %"), ("fi", 0, "0 %"), ("en", 1, "0.0%"), ("en", 0, "0%")],
)
def test_percent_formats_put_a_space_before_the_sign_in_finnish(lang, digits, code):
    assert fmt.xlsx_percent(lang, digits) == code


def test_p_value_format_rounds_to_three_decimals_and_names_the_floor():
    assert fmt.xlsx_p_value("fi") == '[<0.001]"< 0,001";0.000'
    assert fmt.xlsx_p_value("en") == '[<0.001]"< 0.001";0.000'


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [("", 10, 1), ("lyhyt", 10, 1), ("kolme sanaa tässä", 10, 2), ("a\nb\nc", 40, 3), ("x" * 25, 10, 3),  # a long word breaks within
     ("Käytännössä yhteistyö toimii hankkeiden kautta. Kun hanke loppuu, myös yhteistyö loppuu.", 56, 2)],
)
def test_wrapped_lines_counts_word_wrapped_lines_of_a_column(text, width, lines):
    assert wrapped_lines(text, width) == lines


def test_column_width_is_capped_and_long_text_wraps_while_headers_stay_whole():
    width, wrap = column_width("text", "Vastaus", pd.Series(["sana " * 40] * 9 + ["lyhyt"]), formatted=False)
    assert width == WIDE["text"] and wrap
    width, wrap = column_width("score", "Samankaltaisuus", pd.Series([0.123456789, None]), formatted=True)
    assert width == len("Samankaltaisuus") + 2 and not wrap  # the header's one word fits; the number is formatted short
    width, wrap = column_width("group", "Ryhmä", pd.Series(["valtakunnallinen järjestö ja muut yhdistykset"]), formatted=False)
    assert width <= NARROW + 4 and wrap


def test_a_table_sheet_is_set_up_for_paper_with_rounded_p_values_and_tall_enough_wrapped_rows(tmp_path):
    from openpyxl import Workbook, load_workbook

    frame = pd.DataFrame({"group": ["a", "b"], "text": ["sana " * 60, "lyhyt"], "share": [0.1234, 0.5], "p_adjusted": [0.00001234, 0.04567]})
    book = Workbook()
    table_sheet(book, "t", frame, {"text": "Vastaus"})
    book.save(tmp_path / "t.xlsx")
    sheet = load_workbook(tmp_path / "t.xlsx")["t"]
    setup = sheet.page_setup
    assert (setup.orientation, setup.fitToWidth, setup.fitToHeight, setup.paperSize) == ("landscape", 1, 0, 9)  # 9: A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.print_title_rows == "$1:$1" and sheet.print_options.gridLines
    assert sheet["C2"].number_format == "0.0 %" and sheet["D2"].number_format == fmt.xlsx_p_value("fi")
    assert sheet["D2"].value == pytest.approx(0.00001234)  # the raw value stays; the format rounds it
    assert sheet["B2"].alignment.wrap_text and sheet["A2"].alignment.vertical == "top"
    assert sheet.row_dimensions[2].height >= 15 * wrapped_lines("sana " * 60, WIDE["text"]) and sheet.row_dimensions[3].height in (None, 15)


def test_answers_show_labels_reasons_and_verdicts_not_codes():
    answers = pd.DataFrame({"theme": ["a", "", "b"], "themes": ["a;b", "", "b"], "excluded": ["", "dont_know", ""], "verdict": ["confirmed", "", "wrong"],
                            "model_theme": ["b", "", "zz"]})
    out = readable_answers(answers, {"a": "Resurssit", "b": "Tiedonkulku"}, "fi")
    assert out["theme"].tolist() == ["Resurssit", "", "Tiedonkulku"] and out["themes"].tolist() == ["Resurssit; Tiedonkulku", "", "Tiedonkulku"]
    assert out["excluded"].tolist() == ["", "en osaa sanoa", ""] and out["verdict"].tolist() == ["vahvistettu", "", "väärä teema"]
    assert out["model_theme"].tolist() == ["Tiedonkulku", "", "zz"]  # an id without a label stays as it is
