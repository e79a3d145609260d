"""The run directory's one reader and writer: formula escaping that reverses, one dtype rule, coded errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from avovastaus.errors import AvovastausError
from avovastaus.io.rundir import FORMAT_VERSION, escape_formula, load_manifest, read_csv, unescape_formula, write_csv

CELLS = ["=HYPERLINK(\"http://evil.example\",\"klik\")", "+358 40 123", "-lista", "@käyttäjä", "\tsarkain", "\rrivi", "'lainaus", "''", "tavallinen", "", "1-2"]


@pytest.mark.parametrize("cell", CELLS)
def test_escape_reverses_and_never_leaves_a_formula_start(cell: str) -> None:
    escaped = escape_formula(cell)
    assert unescape_formula(escaped) == cell
    assert not escaped.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_plain_text_is_not_escaped() -> None:
    assert escape_formula("Yhteistyö toimii.") == "Yhteistyö toimii."


def test_tables_round_trip_with_the_one_dtype_rule(tmp_path: Path) -> None:
    frame = pd.DataFrame({
        "id": ["-1", "2"], "text": ["=1+1", ""], "score": [0.5, float("nan")], "size": [3, 4],
        "n_theme": pd.array([1, None], dtype="Int64"), "suppressed": [False, True],
    })
    write_csv(frame, tmp_path / "t.csv")
    raw = (tmp_path / "t.csv").read_text(encoding="utf-8")
    assert "'=1+1" in raw and "'-1" in raw
    back = read_csv(tmp_path / "t.csv", escaped=True)
    assert back["text"].tolist() == ["=1+1", ""] and back["id"].tolist() == ["-1", "2"]
    assert back["score"].isna().tolist() == [False, True]
    assert str(back["n_theme"].dtype) == "Int64" and back["n_theme"].isna().tolist() == [False, True]
    assert back["suppressed"].tolist() == [False, True]


def test_raw_values_when_escaping_is_off(tmp_path: Path) -> None:
    write_csv(pd.DataFrame({"text": ["=1+1"]}), tmp_path / "t.csv", escape=False)
    assert (tmp_path / "t.csv").read_text(encoding="utf-8").splitlines()[1] == "=1+1"


def test_a_newer_run_directory_is_a_coded_error(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps({"format_version": FORMAT_VERSION + 1}), encoding="utf-8")
    with pytest.raises(AvovastausError) as info:
        load_manifest(tmp_path)
    assert info.value.code == "E306"


def test_a_broken_manifest_is_a_coded_error(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text("{", encoding="utf-8")
    with pytest.raises(AvovastausError) as info:
        load_manifest(tmp_path)
    assert info.value.code == "E302"


def test_the_manifest_is_typed_and_keeps_keys_of_later_versions(tmp_path: Path) -> None:
    from avovastaus.io.rundir import Manifest

    data = {
        "format_version": FORMAT_VERSION, "avovastaus": "0.1.0", "seed": 0, "config": {"report": {"lang": "en"}},
        "input": {"path": "k.csv", "sha256": "x", "format": "csv"},
        "counts": {"respondents": 1, "read": 1, "excluded": 0, "excluded_by_reason": {}, "analysed": 1, "unassigned": 0, "unassigned_share": 0.0},
        "embedder": {"id": "static-fi"}, "themes": {"total": 1, "codebook": 0, "discovered": 1},
        "statistics": {"interval": "Wilson", "test": "chi2", "multiple_testing": "bh", "family": "all"},
        "review": {"from": "runs/old", "applied": 2}, "something_new": {"a": 1},
    }
    (tmp_path / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    manifest = load_manifest(tmp_path)
    assert isinstance(manifest, Manifest) and manifest.counts.read == 1 and manifest.review.source == "runs/old"
    assert manifest.setting("report", "lang") == "en" and manifest.setting("report", "redact", True) is True
    assert manifest.dump()["review"]["from"] == "runs/old" and manifest.dump()["something_new"] == {"a": 1}
    del data["counts"]
    (tmp_path / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(AvovastausError) as info:
        load_manifest(tmp_path)
    assert info.value.code == "E302" and "counts" in info.value.message


def test_header_names_from_the_survey_are_escaped_too(tmp_path: Path) -> None:
    write_csv(pd.DataFrame({"=ryhmä()": ["a"]}), tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_text(encoding="utf-8").startswith("'=ryhmä()")
    assert list(read_csv(tmp_path / "t.csv", escaped=True).columns) == ["=ryhmä()"]


def test_an_unwritable_or_full_output_location_is_refused_before_any_work(tmp_path: Path, monkeypatch) -> None:
    import shutil
    import tempfile
    from collections import namedtuple

    from avovastaus.io.staging import check_writable

    (tmp_path / "file").write_text("x")
    with pytest.raises(AvovastausError) as info:
        check_writable(tmp_path / "file" / "run")
    assert info.value.code == "E502" and "not a folder" in info.value.message

    def read_only(*args, **kwargs):
        raise OSError(30, "Read-only file system")

    with monkeypatch.context() as m:
        m.setattr(tempfile, "mkstemp", read_only)
        with pytest.raises(AvovastausError) as info:
            check_writable(tmp_path / "new" / "run")
    assert info.value.code == "E502" and str(tmp_path) in info.value.message and "Read-only" in info.value.message

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(100, 99, 1 << 20))
    with pytest.raises(AvovastausError) as info:
        check_writable(tmp_path / "run", needed_bytes=50 << 20)
    assert info.value.code == "E502" and "MB free" in info.value.message
