"""SPSS and Stata files: value labels applied (codes recorded), variable labels returned, user-missing values read as missing."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

pyreadstat = pytest.importorskip("pyreadstat")

from avovastaus.errors import AvovastausError  # noqa: E402
from avovastaus.io.ingest import FORMATS, MISSING_GROUP, ingest, read_table  # noqa: E402
from avovastaus.io.statfiles import question_labels  # noqa: E402

WORDING = "Miten yhteistyö sujuu nyt?"


def _survey() -> pd.DataFrame:
    return pd.DataFrame({
        "tunnus": [101.0, 102.0, 103.0, 104.0],
        "ryhma": [1.0, 2.0, 9.0, 3.0],          # 9 = "ei halua sanoa": user missing; 3 has no label
        "ika": [34.0, 51.5, np.nan, 28.0],
        "vastaus": ["Hyvin sujuu.", "Tieto ei kulje.", "", "Rahaa tarvitaan."],
    })


LABELS = {"ryhma": {1.0: "kunta", 2.0: "yhdistys", 9.0: "ei halua sanoa"}}
VARIABLE_LABELS = {"tunnus": "Vastaajan tunnus", "ryhma": "Vastaajaryhmä", "ika": "Ikä", "vastaus": WORDING}


@pytest.fixture
def sav(tmp_path):
    path = tmp_path / "kysely.sav"
    pyreadstat.write_sav(_survey(), str(path), column_labels=VARIABLE_LABELS, variable_value_labels=LABELS,
                         missing_ranges={"ryhma": [9.0]})
    return path


@pytest.fixture
def dta(tmp_path):
    frame = _survey()
    frame.loc[2, "ryhma"] = np.nan  # Stata has no user-missing of SPSS's kind: a missing code
    path = tmp_path / "kysely.dta"
    pyreadstat.write_dta(frame, str(path), column_labels=VARIABLE_LABELS,
                         variable_value_labels={"ryhma": {1: "kunta", 2: "yhdistys", 9: "ei halua sanoa"}})
    return path


@pytest.mark.parametrize("suffix, name", [(".sav", "spss"), (".zsav", "spss"), (".por", "spss"), (".dta", "stata")])
def test_suffixes_are_dispatched(suffix, name):
    assert FORMATS[suffix] == name


@pytest.mark.parametrize("fixture, kind", [("sav", "spss"), ("dta", "stata")])
def test_labels_applied_codes_recorded_missing_empty(fixture, kind, request):
    path = request.getfixturevalue(fixture)
    cells, fmt, details, bad, replaced = read_table(path)
    assert fmt == kind and bad == [] and replaced == 0
    assert list(cells["ryhma"]) == ["kunta", "yhdistys", "", "3"]   # labels applied; user missing -> ""; an unlabelled code stays its code
    assert list(cells["tunnus"]) == ["101", "102", "103", "104"]   # integral floats without ".0"
    assert list(cells["ika"]) == ["34", "51.5", "", "28"]
    assert all(isinstance(v, str) for v in cells.to_numpy().ravel())
    assert details["value_labels"]["ryhma"] == {"1": "kunta", "2": "yhdistys", "9": "ei halua sanoa"}
    assert details["variable_labels"]["vastaus"] == WORDING
    json.dumps(details)  # the manifest records it


def test_ingest_keeps_the_labels_of_the_columns_it_uses(sav):
    survey = ingest(sav, text=["vastaus"], group=["ryhma"], id="tunnus")
    assert survey.format == "spss"
    assert list(survey.answers["ryhma"]) == ["kunta", "yhdistys", MISSING_GROUP, "3"]
    assert list(survey.answers["id"]) == ["101", "102", "103", "104"]
    assert survey.details["value_labels"] == {"ryhma": {"1": "kunta", "2": "yhdistys", "9": "ei halua sanoa"}}
    assert set(survey.details["variable_labels"]) == {"tunnus", "ryhma", "vastaus"}  # "ika" is not used by the run
    assert question_labels(survey.details) == {"tunnus": "Vastaajan tunnus", "ryhma": "Vastaajaryhmä", "vastaus": WORDING}


def test_question_labels_of_other_formats_is_empty():
    assert question_labels({"encoding": "utf-8"}) == {}
    assert question_labels({"variable_labels": {"a": "  ", "b": "Kysymys?"}}) == {"b": "Kysymys?"}


@pytest.mark.parametrize("suffix, kind", [(".sav", "SPSS"), (".dta", "Stata"), (".por", "SPSS")])
@pytest.mark.parametrize("content", [b"", b"not a statistics file at all" * 20])
def test_damaged_file_is_a_coded_error(tmp_path, suffix, kind, content):
    path = tmp_path / f"rikki{suffix}"
    path.write_bytes(content)
    with pytest.raises(AvovastausError) as info:
        read_table(path)
    assert info.value.code == "E110"
    assert kind in info.value.hint


def test_truncated_sav_is_a_coded_error(sav, tmp_path):
    cut = tmp_path / "katkennut.sav"
    cut.write_bytes(sav.read_bytes()[: len(sav.read_bytes()) // 2])
    with pytest.raises(AvovastausError) as info:
        read_table(cut)
    assert info.value.code in ("E110", "E104")


def test_header_row_does_not_apply(sav):
    with pytest.raises(AvovastausError) as info:
        read_table(sav, header_row=2)
    assert info.value.code == "E113"


def test_unsupported_suffix_lists_the_new_formats(tmp_path):
    path = tmp_path / "kysely.sas7bdat"
    path.write_bytes(b"x")
    with pytest.raises(AvovastausError) as info:
        read_table(path)
    assert info.value.code == "E102" and ".sav" in info.value.hint and ".dta" in info.value.hint
