"""Unit tests for avovastaus.io.ingest: survey exports of every supported kind -> one answers table."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from avovastaus.errors import AvovastausError
from avovastaus.io.ingest import MISSING_GROUP, decode, file_sha256, ingest, sniff_delimiter

TEXT = "Yhteistyö toimii hyvin, äö"


def _csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _error(path: Path, **kwargs) -> AvovastausError:
    with pytest.raises(AvovastausError) as info:
        ingest(path, **kwargs)
    return info.value


# ---------------------------------------------------------------- CSV dialects and encodings


@pytest.mark.parametrize(
    ("name", "delimiter", "reported"),
    [("pilkku.csv", ",", ","), ("puolipiste.csv", ";", ";"), ("sarkain.tsv", "\t", "tab"), ("sarkain.txt", "\t", "tab")],
)
def test_csv_delimiters(tmp_path: Path, name: str, delimiter: str, reported: str) -> None:
    d = delimiter
    path = _csv(tmp_path / name, f'id{d}vastaus{d}ryhma\n1{d}"{TEXT}"{d}Kunta\n2{d}Tilat ovat kalliit{d}Järjestö\n')
    survey = ingest(path, text=["vastaus"], group=["ryhma"], id="id")
    assert survey.format == "csv"
    assert survey.details["delimiter"] == reported
    assert survey.answers["text"].tolist() == [TEXT, "Tilat ovat kalliit"]
    assert survey.answers["ryhma"].tolist() == ["Kunta", "Järjestö"]
    assert survey.answers["id"].tolist() == ["1", "2"]


def test_semicolon_file_with_commas_in_answers(tmp_path: Path) -> None:
    """Finnish Excel writes ';' files whose unquoted answers are full of commas."""
    path = _csv(
        tmp_path / "k.csv",
        "id;vastaus;ryhma\n1;Yhteistyö toimii, mutta rahaa, tiloja ja aikaa puuttuu;Kunta\n2;Hyvä, kiitos;Järjestö\n3;Ei, ei ja ei;Kunta\n",
    )
    survey = ingest(path, text=["vastaus"])
    assert survey.details["delimiter"] == ";"
    assert survey.answers["text"].tolist() == ["Yhteistyö toimii, mutta rahaa, tiloja ja aikaa puuttuu", "Hyvä, kiitos", "Ei, ei ja ei"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_encodings_read_back_identical_text(tmp_path: Path, encoding: str) -> None:
    path = _csv(tmp_path / f"{encoding}.csv", f'id;vastaus\n1;"{TEXT}"\n2;Ääkköset öljyssä\n', encoding)
    survey = ingest(path, text=["vastaus"], id="id")
    assert survey.details["encoding"] == encoding
    assert survey.answers["text"].tolist() == [TEXT, "Ääkköset öljyssä"]
    assert list(survey.answers.columns) == ["id", "question", "text", "row"]  # no BOM left in the first name


@pytest.mark.parametrize(
    ("raw", "text", "encoding"),
    [
        (b"abc", "abc", "utf-8"),
        (b"\xef\xbb\xbfabc", "abc", "utf-8-sig"),
        ("Yhteistyö".encode("utf-8"), "Yhteistyö", "utf-8"),
        ("Yhteistyö".encode("cp1252"), "Yhteistyö", "cp1252"),
        ("“lainaus” – €".encode("cp1252"), "“lainaus” – €", "cp1252"),
    ],
)
def test_decode(tmp_path: Path, raw: bytes, text: str, encoding: str) -> None:
    assert decode(raw, tmp_path / "x.csv") == (text, encoding)


def test_undecodable_bytes_are_E103(tmp_path: Path) -> None:
    path = tmp_path / "rikki.csv"
    path.write_bytes(b"id,vastaus\n1,abc\x81\x8d\n")  # 0x81 and 0x8d: invalid UTF-8 and undefined in cp1252
    err = _error(path, text=["vastaus"])
    assert err.code == "E103"
    assert str(path) in err.message
    assert "offset 16" in err.message  # the position of the first bad byte


def test_quoted_newlines_inside_a_cell_are_kept(tmp_path: Path) -> None:
    path = _csv(tmp_path / "k.csv", 'id,vastaus\n1,"- tilat ovat kalliit\n- rahaa ei ole"\n2,"toinen, vastaus"\n')
    survey = ingest(path, text=["vastaus"], id="id")
    assert survey.answers["text"].tolist() == ["- tilat ovat kalliit\n- rahaa ei ole", "toinen, vastaus"]
    assert survey.answers["row"].tolist() == [2, 3]


def test_single_column_csv(tmp_path: Path) -> None:
    path = _csv(tmp_path / "k.csv", 'vastaus\n"Tilat, rahat ja ajat"\nHyvä yhteistyö\n')
    assert ingest(path, text=["vastaus"]).answers["text"].tolist() == ["Tilat, rahat ja ajat", "Hyvä yhteistyö"]


def test_csv_row_with_more_fields_than_the_header_is_a_coded_error(tmp_path: Path) -> None:
    """An unquoted comma in the last column gives rows one field too many: a coded error naming every such line."""
    path = _csv(tmp_path / "k.csv", "id,vastaus\n1,Tilat, rahat ja ajat\n2,Hyvä, kiitos\n")
    err = _error(path, text=["vastaus"])
    assert err.code == "E112"
    assert str(path) in err.message
    assert "lines 2, 3" in err.message
    assert "--skip-bad-rows" in err.hint


def test_csv_ragged_rows_are_all_listed(tmp_path: Path) -> None:
    path = _csv(tmp_path / "k.csv", "id,vastaus\n1,a\n2,b,c,d\n3,e\n4,f,g\n")
    err = _error(path, text=["vastaus"])
    assert err.code == "E112"
    assert "lines 3, 5" in err.message and "2 malformed" in err.message


def test_skip_bad_rows_keeps_the_rest_with_their_true_row_numbers(tmp_path: Path) -> None:
    path = _csv(tmp_path / "k.csv", "vastaus,x\na,\nb,c,d\ne,\n")
    survey = ingest(path, text=["vastaus"], skip_bad_rows=True)
    assert list(survey.answers["text"]) == ["a", "e"]
    assert list(survey.answers["id"]) == ["1", "3"]  # row-number ids do not shift past a skipped row
    assert list(survey.answers["row"]) == [2, 4]
    assert [(r.line, r.reason.split(" ")[0]) for r in survey.skipped_rows] == [(3, "more")]


def test_unclosed_quote_is_malformed_not_swallowed(tmp_path: Path) -> None:
    path = _csv(tmp_path / "k.csv", 'id,vastaus\n1,"auki\n2,toinen\n3,kolmas\n')
    err = _error(path, text=["vastaus"])
    assert err.code == "E112" and "line 2" in err.message and "unclosed quote" in err.message


def test_trailing_empty_fields_are_not_malformed(tmp_path: Path) -> None:
    path = _csv(tmp_path / "k.csv", "id,vastaus\n1,hyvä,,\n2,huono\n")
    assert list(ingest(path, text=["vastaus"]).answers["text"]) == ["hyvä", "huono"]


def test_duplicate_and_empty_headers_get_unique_names(tmp_path: Path) -> None:
    path = _csv(tmp_path / "k.csv", "vastaus,vastaus,\na,b,c\n")
    survey = ingest(path, text=["vastaus", "vastaus.1", "Unnamed: 2"])
    assert list(survey.answers["text"]) == ["a", "b", "c"]


def test_control_characters_are_replaced_and_counted(tmp_path: Path) -> None:
    path = _csv(tmp_path / "k.csv", "id,vastaus\n1,a\x00b\n2,c\x07\n3,ok\n")
    survey = ingest(path, text=["vastaus"])
    assert list(survey.answers["text"]) == ["a\ufffdb", "c\ufffd", "ok"]
    assert survey.control_characters_replaced == 2


def test_jsonl_bad_lines_are_listed_and_skippable(tmp_path: Path) -> None:
    path = _csv(tmp_path / "k.jsonl", '{"vastaus": "a"}\n{broken\n[1, 2]\n{"vastaus": "b"}\n')
    err = _error(path, text=["vastaus"])
    assert err.code == "E112" and "line 2" in err.message and "line 3" in err.message
    survey = ingest(path, text=["vastaus"], skip_bad_rows=True)
    assert list(survey.answers["text"]) == ["a", "b"] and len(survey.skipped_rows) == 2


@pytest.mark.parametrize(
    ("sample", "delimiter"),
    [("a,b,c\n1,2,3\n", ","), ("a;b;c\n1;2;3\n", ";"), ("a\tb\tc\n1\t2\t3\n", "\t"), ("a;b\n1,5;2,5\n", ";")],
)
def test_sniff_delimiter(sample: str, delimiter: str) -> None:
    assert sniff_delimiter(sample) == delimiter


# ---------------------------------------------------------------- other formats


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "q1": ["Yhteistyö toimii hyvin", "Tilat kalliit", ""],
            "q2": ["Rahaa lisää", "", "Tiedonkulku huonoa"],
            "ryhma": ["Kunta", None, "Järjestö"],
        }
    )


def test_xlsx_first_sheet_by_default(tmp_path: Path) -> None:
    path = tmp_path / "kysely.xlsx"
    with pd.ExcelWriter(path) as writer:
        _frame().to_excel(writer, sheet_name="Vastaukset", index=False)
        pd.DataFrame({"id": ["z"], "q1": ["toinen taulukko"]}).to_excel(writer, sheet_name="Muu", index=False)
    survey = ingest(path, text=["q1"], group=["ryhma"], id="id")
    assert survey.format == "xlsx"
    assert survey.details == {"sheet": "Vastaukset"}
    assert survey.answers["text"].tolist() == ["Yhteistyö toimii hyvin", "Tilat kalliit", ""]
    assert survey.answers["ryhma"].tolist() == ["Kunta", MISSING_GROUP, "Järjestö"]

    other = ingest(path, text=["q1"], sheet="Muu")
    assert other.details == {"sheet": "Muu"}
    assert other.answers["text"].tolist() == ["toinen taulukko"]

    err = _error(path, text=["q1"], sheet="Taulukko3")
    assert err.code == "E108"
    assert "Taulukko3" in err.message and str(path) in err.message
    assert "Vastaukset, Muu" in err.message


def test_xlsx_numbers_become_plain_strings(tmp_path: Path) -> None:
    path = tmp_path / "k.xlsx"
    pd.DataFrame({"id": [1, 2], "vastaus": ["a", "b"], "vuosi": [2021, None]}).to_excel(path, index=False)
    survey = ingest(path, text=["vastaus"], id="id", group=["vuosi"])
    assert survey.answers["id"].tolist() == ["1", "2"]
    assert survey.answers["vuosi"].tolist() == ["2021", MISSING_GROUP]


def test_bad_xlsx_is_E110(tmp_path: Path) -> None:
    path = tmp_path / "rikki.xlsx"
    path.write_bytes(b"not a zip file at all")
    err = _error(path, text=["vastaus"])
    assert err.code == "E110"
    assert str(path) in err.message


def test_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "k.jsonl"
    rows = [{"id": 10, "vastaus": "Yhteistyö toimii", "ika": 30}, {"id": 11, "vastaus": "Tilat kalliit", "ika": None}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    survey = ingest(path, text=["vastaus"], id="id", group=["ika"])
    assert survey.format == "jsonl"
    assert survey.answers["id"].tolist() == ["10", "11"]
    assert survey.answers["text"].tolist() == ["Yhteistyö toimii", "Tilat kalliit"]
    assert survey.answers["ika"].tolist() == ["30", MISSING_GROUP]


def test_parquet(tmp_path: Path) -> None:
    path = tmp_path / "k.parquet"
    pd.DataFrame({"id": [1, 2], "vastaus": ["Yhteistyö toimii", None], "ryhma": ["Kunta", None]}).to_parquet(path)
    survey = ingest(path, text=["vastaus"], id="id", group=["ryhma"])
    assert survey.format == "parquet"
    assert survey.answers["id"].tolist() == ["1", "2"]
    assert survey.answers["text"].tolist() == ["Yhteistyö toimii", ""]
    assert survey.answers["ryhma"].tolist() == ["Kunta", MISSING_GROUP]


# ---------------------------------------------------------------- table shape


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".jsonl", ".parquet"])
def test_wide_format_one_answer_per_respondent_and_question(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"leveä{suffix}"
    frame = _frame()
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix == ".xlsx":
        frame.to_excel(path, index=False)
    elif suffix == ".jsonl":
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
    else:
        frame.to_parquet(path)
    survey = ingest(path, text=["q1", "q2"], group=["ryhma"], id="id")
    answers = survey.answers
    assert list(answers.columns) == ["id", "question", "ryhma", "text", "row"]
    assert len(answers) == 6
    assert survey.n_respondents == 3
    assert answers["id"].tolist() == ["a", "b", "c", "a", "b", "c"]
    assert answers["question"].tolist() == ["q1"] * 3 + ["q2"] * 3
    assert answers["text"].tolist() == ["Yhteistyö toimii hyvin", "Tilat kalliit", "", "Rahaa lisää", "", "Tiedonkulku huonoa"]
    assert answers["ryhma"].tolist() == ["Kunta", MISSING_GROUP, "Järjestö"] * 2
    assert answers["row"].tolist() == [2, 3, 4] * 2
    assert survey.text_columns == ["q1", "q2"]
    assert survey.group_columns == ["ryhma"]
    assert survey.id_column == "id"
    assert survey.sha256 == file_sha256(path)


def test_repeated_text_column_counts_once(tmp_path: Path) -> None:
    path = _csv(tmp_path / "k.csv", "q1,q2\na,b\n")
    assert len(ingest(path, text=["q1", "q1"]).answers) == 1


@pytest.mark.parametrize("blank", ["", "   "])
def test_empty_group_becomes_missing(tmp_path: Path, blank: str) -> None:
    path = _csv(tmp_path / "k.csv", f'vastaus,ryhma,ika\nYhteistyö,"{blank}",30-39\nTilat, Kunta ,\n')
    survey = ingest(path, text=["vastaus"], group=["ryhma", "ika"])
    assert survey.answers["ryhma"].tolist() == [MISSING_GROUP, "Kunta"]
    assert survey.answers["ika"].tolist() == ["30-39", MISSING_GROUP]


def test_without_id_the_row_number_is_the_id(tmp_path: Path) -> None:
    path = _csv(tmp_path / "k.csv", "vastaus\na\nb\nc\n")
    survey = ingest(path, text=["vastaus"])
    assert survey.answers["id"].tolist() == ["1", "2", "3"]
    assert survey.answers["row"].tolist() == [2, 3, 4]
    assert survey.id_column is None


def test_empty_answers_are_kept(tmp_path: Path) -> None:
    path = _csv(tmp_path / "k.csv", "vastaus\nYhteistyö\n\"\"\n-\n")
    assert ingest(path, text=["vastaus"]).answers["text"].tolist() == ["Yhteistyö", "", "-"]


def test_header_whitespace_is_stripped(tmp_path: Path) -> None:
    path = _csv(tmp_path / "k.csv", " id , vastaus \n1,a\n")
    assert ingest(path, text=["vastaus"], id="id").answers["id"].tolist() == ["1"]


@pytest.mark.parametrize("header", ["text", "Vastaus", "answer", "kommentti"])
def test_text_column_is_guessed(tmp_path: Path, header: str) -> None:
    path = _csv(tmp_path / "k.csv", f"id,{header}\n1,Yhteistyö\n")
    survey = ingest(path)
    assert survey.text_columns == [header]
    assert survey.answers["text"].tolist() == ["Yhteistyö"]


def test_no_guessable_text_column_is_E111(tmp_path: Path) -> None:
    path = _csv(tmp_path / "k.csv", "id,q7\n1,Yhteistyö\n")
    err = _error(path)
    assert err.code == "E111"
    assert "'id', 'q7'" in err.message


# ---------------------------------------------------------------- errors


def test_missing_text_column_is_E105_with_suggestion(tmp_path: Path) -> None:
    path = _csv(tmp_path / "k.csv", "id,vastaukset,ryhma\n1,a,b\n")
    err = _error(path, text=["vastaus"])
    assert err.code == "E105"
    assert str(path) in err.message
    assert "'vastaus'" in err.message
    assert "Available columns: 'id', 'vastaukset', 'ryhma'" in err.message
    assert "Did you mean 'vastaukset'?" in err.message
    assert "--text" in err.hint


@pytest.mark.parametrize(
    ("kwargs", "column", "flag"),
    [
        ({"text": ["vastaus"], "group": ["ryhmä"]}, "ryhmä", "--group"),
        ({"text": ["vastaus"], "id": "tunniste"}, "tunniste", "--id"),
    ],
)
def test_missing_group_or_id_column_is_E105(tmp_path: Path, kwargs: dict, column: str, flag: str) -> None:
    path = _csv(tmp_path / "k.csv", "id,vastaus,ryhma\n1,a,b\n")
    err = _error(path, **kwargs)
    assert err.code == "E105"
    assert f"'{column}'" in err.message
    assert flag in err.hint


def test_no_close_column_no_suggestion(tmp_path: Path) -> None:
    path = _csv(tmp_path / "k.csv", "id,q1\n1,a\n")
    err = _error(path, text=["zzzzzz"])
    assert err.code == "E105"
    assert "Did you mean" not in err.message


def test_duplicate_ids_are_E106_naming_the_id(tmp_path: Path) -> None:
    path = _csv(tmp_path / "k.csv", "id,vastaus\n7,a\n8,b\n7,c\n")
    err = _error(path, text=["vastaus"], id="id")
    assert err.code == "E106"
    assert str(path) in err.message
    assert "'7' (rows 2, 4)" in err.message
    assert "(1 ids repeat)" in err.message


def test_blank_id_is_E106(tmp_path: Path) -> None:
    path = _csv(tmp_path / "k.csv", "id,vastaus\n1,a\n,b\n")
    err = _error(path, text=["vastaus"], id="id")
    assert err.code == "E106"
    assert "empty id on rows 3" in err.message


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("tyhja.csv", b""),
        ("valit.csv", b"  \n\n"),
        ("otsikko.csv", b"id,vastaus\n"),
        ("otsikko_bom.csv", b"\xef\xbb\xbfid;vastaus\r\n"),
        ("tyhja.jsonl", b""),
    ],
)
def test_empty_file_is_E104(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    err = _error(path, text=["vastaus"])
    assert err.code == "E104"
    assert str(path) in err.message


def test_header_only_xlsx_is_E104(tmp_path: Path) -> None:
    path = tmp_path / "k.xlsx"
    pd.DataFrame({"id": [], "vastaus": []}).to_excel(path, index=False)
    err = _error(path, text=["vastaus"])
    assert err.code == "E104"


def test_all_text_empty_is_E107(tmp_path: Path) -> None:
    path = _csv(tmp_path / "k.csv", "id,q1,q2\n1,,  \n2, ,\n")
    err = _error(path, text=["q1", "q2"])
    assert err.code == "E107"
    assert str(path) in err.message
    assert "all 4 cells of q1, q2 are empty" in err.message


@pytest.mark.parametrize("name", ["kysely.docx", "kysely.xls", "kysely.json", "kysely"])
def test_unknown_suffix_is_E102(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("id,vastaus\n1,a\n", encoding="utf-8")
    err = _error(path, text=["vastaus"])
    assert err.code == "E102"
    assert str(path) in err.message


def test_missing_file_is_E101(tmp_path: Path) -> None:
    path = tmp_path / "ei_ole.csv"
    err = _error(path, text=["vastaus"])
    assert err.code == "E101"
    assert str(path) in err.message


def test_directory_is_E101(tmp_path: Path) -> None:
    folder = tmp_path / "kansio.csv"
    folder.mkdir()
    assert _error(folder, text=["vastaus"]).code == "E101"


def test_line_breaks_become_one_kind(tmp_path: Path) -> None:
    """Regression (fuzz): a lone CR inside an answer split its row in answers.csv."""
    path = tmp_path / "k.jsonl"
    path.write_text('{"vastaus": "eka\\rtoka\\r\\nkolmas"}\n', encoding="utf-8")
    assert ingest(path, text=["vastaus"]).answers["text"].tolist() == ["eka\ntoka\nkolmas"]


# ---------------------------------------------------------------- title rows above the header (--header-row)

TITLED = "Kuntajärjestökysely 2026 – avovastaukset,,\n\"Poimittu 3.2.2026\",,\nid,ryhma,vastaus\n1,a,Hyvä yhteistyö\n2,b,Tilat puuttuvat\n"


def test_title_rows_are_named_in_the_error_with_the_header_row_to_pass(tmp_path: Path) -> None:
    error = _error(_csv(tmp_path / "k.csv", TITLED), text=["vastaus"])
    assert error.code == "E105" and "'vastaus' is on row 3" in error.message and "--header-row 3" in error.message


def test_header_row_reads_below_title_rows_with_true_row_numbers(tmp_path: Path) -> None:
    survey = ingest(_csv(tmp_path / "k.csv", TITLED), text=["vastaus"], id="id", group=["ryhma"], header_row=3)
    assert survey.answers["text"].tolist() == ["Hyvä yhteistyö", "Tilat puuttuvat"]
    assert survey.answers["row"].tolist() == [4, 5] and survey.details["header_row"] == "3"


def test_header_row_of_an_xlsx_export(tmp_path: Path) -> None:
    rows = [["Kysely 2026", None], [None, None], ["id", "vastaus"], ["1", "Tilat puuttuvat"]]
    path = tmp_path / "k.xlsx"
    pd.DataFrame(rows).to_excel(path, index=False, header=False)
    assert ingest(path, text=["vastaus"], id="id", header_row=3).answers["text"].tolist() == ["Tilat puuttuvat"]


def test_header_row_does_not_apply_to_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "k.jsonl"
    path.write_text(json.dumps({"vastaus": "x"}) + "\n", encoding="utf-8")
    assert _error(path, text=["vastaus"], header_row=2).code == "E113"


# ---------------------------------------------------------------- design weights


def test_weights_are_read_with_a_decimal_point_or_comma(tmp_path: Path) -> None:
    path = _csv(tmp_path / "w.csv", "id;vastaus;paino\n1;Hyvä;1,25\n2;Huono;0.5\n3;Ok;2\n")
    survey = ingest(path, text=["vastaus"], id="id", weight="paino")
    assert survey.weight_column == "paino"
    assert survey.answers["weight"].tolist() == [1.25, 0.5, 2.0]


@pytest.mark.parametrize(("value", "why"), [("", "empty"), ("abc", "'abc' is not a number"), ("0", "0 is not above 0"), ("-1.5", "-1.5 is not above 0"), ("inf", "'inf' is not finite")])
def test_a_bad_weight_is_E117_naming_the_row(tmp_path: Path, value: str, why: str) -> None:
    path = _csv(tmp_path / "w.csv", f"id,vastaus,paino\n1,Hyvä,1\n2,Huono,{value}\n3,Ok,2\n")
    error = _error(path, text=["vastaus"], id="id", weight="paino")
    assert error.code == "E117"
    assert f"row 3 (weight {why})" in str(error) and "--skip-bad-rows" in str(error)


def test_bad_weights_are_skipped_and_listed_with_skip_bad_rows(tmp_path: Path) -> None:
    path = _csv(tmp_path / "w.csv", "id,vastaus,paino\n1,Hyvä,1\n2,Huono,\n3,Ok,2\n4,Joo,-1\n")
    survey = ingest(path, text=["vastaus"], id="id", weight="paino", skip_bad_rows=True)
    assert survey.answers["id"].tolist() == ["1", "3"] and survey.n_respondents == 2
    assert [(r.line, r.reason) for r in survey.skipped_rows] == [(3, "weight empty"), (5, "weight -1 is not above 0")]


def test_the_weight_cannot_also_be_a_group_or_missing(tmp_path: Path) -> None:
    path = _csv(tmp_path / "w.csv", "id,vastaus,paino\n1,Hyvä,1\n")
    assert _error(path, text=["vastaus"], group=["paino"], weight="paino").code == "E118"
    error = _error(path, text=["vastaus"], weight="pain")
    assert error.code == "E105" and "--weight" in str(error)
