"""Hostile files cannot exhaust the machine (#28 item 2): limits checked before parsing, with coded errors; work per group bounded."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from avovastaus.config import MAX_DEPTH, load_codebook, load_config
from avovastaus.errors import AvovastausError
from avovastaus.stats.summarize import POOLED_GROUP
from avovastaus.io.ingest import _unique_names, ingest
from avovastaus.pipeline import run_pipeline


def test_yaml_aliases_are_refused_before_they_expand(tmp_path):
    laughs = ["a: &a [" + ", ".join(["lol"] * 10) + "]"]
    for i in range(1, 9):
        laughs.append(f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 10) + "]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(laughs), encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(AvovastausError) as info:
        load_codebook(path)
    assert info.value.code == "E004" and "aliases" in str(info.value) and time.perf_counter() - started < 5


def test_deep_nesting_and_huge_files_are_coded_errors(tmp_path):
    deep = tmp_path / "deep.yaml"
    deep.write_text("[" * 100_000, encoding="utf-8")
    with pytest.raises(AvovastausError) as info:
        load_codebook(deep)
    assert info.value.code == "E004" and str(MAX_DEPTH) in str(info.value)
    big = tmp_path / "big.yaml"
    big.write_bytes(b"# " + b"x" * (6 << 20))
    with pytest.raises(AvovastausError) as info:
        load_codebook(big)
    assert info.value.code == "E004" and "MB" in str(info.value)
    toml = tmp_path / "big.toml"
    toml.write_bytes(b"# " + b"x" * (6 << 20))
    with pytest.raises(AvovastausError):
        load_config(toml)


def test_an_xlsx_zip_bomb_is_refused_from_its_directory(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            chunk = b"<c><v>0</v></c>" * 65536
            for _ in range(80):  # ~80 MB of XML, a few hundred kB on disk
                part.write(chunk)
    assert path.stat().st_size < 2 << 20
    started = time.perf_counter()
    with pytest.raises(AvovastausError) as info:
        ingest(path, ["vastaus"], [], None)
    assert info.value.code == "E114" and time.perf_counter() - started < 5


def test_repeated_header_names_are_made_unique_in_linear_time():
    started = time.perf_counter()
    names = _unique_names(["x"] * 16_384)
    assert len(set(names)) == 16_384 and names[:3] == ["x", "x.1", "x.2"] and time.perf_counter() - started < 1
    assert _unique_names(["a", "a", "a.1", "", "b", "a"]) == ["a", "a.1", "a.1.1", "Unnamed: 3", "b", "a.2"]


def test_a_group_column_of_distinct_values_is_named_and_its_groups_pooled(tmp_path):
    """A postcode or organisation name used as a grouping: a warning, and its small groups pooled into one (groups.csv, reports), counted."""
    base = pd.read_csv(Path(__file__).parents[1] / "corpora" / "kuntajarjesto" / "answers.csv", dtype=str, keep_default_na=False)
    frame = base[["vastaaja_id", "yhteistyo_nyt", "vastaajaryhma"]].copy()
    frame["organisaatio"] = [f"yhdistys {i}" for i in range(len(frame))]
    path = tmp_path / "kysely.csv"
    frame.to_csv(path, index=False)
    config = load_config(overrides={"ingest": {"id": "vastaaja_id", "text": ["yhteistyo_nyt"], "group": ["organisaatio", "vastaajaryhma"]},
                                    "codebook": "none", "embed": {"model": "static-fi"}})
    run_pipeline(path, config, tmp_path / "run")
    import json

    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert any("organisaatio" in w and "not a grouping" in w for w in manifest["warnings"])
    report = (tmp_path / "run" / "report.md").read_text(encoding="utf-8")
    assert "ryhmää, joissa on alle 5 vastaajaa, yhdistettiin yhdeksi ryhmäksi" in report
    assert report.count("(organisaatio)") == 1  # one summary, of the pooled group: none per one-person group
    assert manifest["statistics"]["pooled_groups"] == {"organisaatio": manifest["counts"]["analysed"]}  # respondents with an analysed answer
    groups = pd.read_csv(tmp_path / "run" / "groups.csv", dtype=str, keep_default_na=False)
    assert set(groups.loc[groups["group_column"] == "organisaatio", "group"]) == {POOLED_GROUP}
    assert "(vastaajaryhma)" in report


def test_a_binary_parquet_column_is_refused_as_an_open_question(tmp_path):
    path = tmp_path / "kysely.parquet"
    pd.DataFrame({"id": ["1", "2"], "vastaus": [b"\x00\x01", b"\x02"], "teksti": ["Hyvä yhteistyö.", "Rahoitus puuttuu."]}).to_parquet(path)
    with pytest.raises(AvovastausError) as info:
        ingest(path, ["vastaus"], [], "id")
    assert info.value.code == "E115" and "vastaus" in str(info.value)
    assert len(ingest(path, ["teksti"], [], "id").answers) == 2


def test_settings_that_leave_nothing_themed_are_said(tmp_path):
    corpus = Path(__file__).parents[1] / "corpora" / "tiny" / "answers.csv"
    config = load_config(overrides={"ingest": {"id": "vastaaja_id", "text": ["yhteistyo_nyt"]}, "codebook": "none", "embed": {"model": "static-fi"},
                                    "cluster": {"min_discovered": 500}})
    result = run_pipeline(corpus, config, tmp_path / "run")
    assert result.counts["unassigned"] == result.counts["analysed"] and "min_discovered" in (result.warning or "")


def test_misleading_messages_say_what_is_wrong(tmp_path, review_base_run):
    import json
    import shutil

    from avovastaus.io.rundir import load_run

    run = tmp_path / "run"
    shutil.copytree(review_base_run, run)
    manifest = json.loads((run / "manifest.json").read_text())
    manifest["format_version"] = "1"
    (run / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(AvovastausError) as info:
        load_run(run)
    assert info.value.code == "E302" and "whole number" in str(info.value)  # not "written by a newer avovastaus"
    config = tmp_path / "nan.toml"
    config.write_text("[summarize]\nalpha = nan\n", encoding="utf-8")
    with pytest.raises(AvovastausError) as info:
        load_config(config)
    assert "finite" in str(info.value)


@pytest.mark.parametrize("address, said", [("", "empty"), ("not-an-address", "tcp://HOST:PORT"), ("http://localhost:8786", "http"),
                                           ("inproc://x", "tcp://HOST:PORT"), ("tls://h:8786", "tls"), ("ucx://h:8786", "ucx"),
                                           ("tcp://h:99999", "port")])
def test_dask_addresses_are_checked_before_connecting(address, said):
    from avovastaus.embed.distributed import check_address

    started = time.perf_counter()
    with pytest.raises(AvovastausError) as info:
        check_address(address)
    assert info.value.code == "E205" and said in str(info.value) and time.perf_counter() - started < 1
    assert check_address("10.0.0.5:8786") == "tcp://10.0.0.5:8786" and check_address("tcp://[::1]:8786") == "tcp://[::1]:8786"


def test_a_header_row_past_the_end_says_so(tmp_path):
    path = tmp_path / "kysely.csv"
    path.write_text("otsikko\nid,vastaus\n1,Hyvä\n", encoding="utf-8")
    with pytest.raises(AvovastausError) as info:
        ingest(path, ["vastaus"], [], "id", header_row=9)
    assert info.value.code == "E113" and "only 3 rows" in str(info.value)
    assert len(ingest(path, ["vastaus"], [], "id", header_row=2).answers) == 1
