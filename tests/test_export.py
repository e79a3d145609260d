"""`avovastaus export`: the run's themes as SPSS, Stata, CSV and Parquet variables, alone or merged into the survey file."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from avovastaus.cli import app
from avovastaus.io.export import MAX_NAME, export_run, unique_names, valid_name
from avovastaus.io.rundir import load_run
from tests.conftest import CORPORA, REVIEW_INGEST

pyreadstat = pytest.importorskip("pyreadstat")

TINY = CORPORA / "tiny" / "answers.csv"
NAME = re.compile(rf"^[A-Za-z][A-Za-z0-9_]{{0,{MAX_NAME - 1}}}$")
runner = CliRunner()


def _read(path):
    if path.suffix == ".sav":
        return pyreadstat.read_sav(str(path))
    if path.suffix == ".dta":
        return pyreadstat.read_dta(str(path))
    if path.suffix == ".csv":
        return pd.read_csv(path, dtype={"vastaaja_id": str}, keep_default_na=True), None
    return pd.read_parquet(path), None


def _expected(run_dir):
    """Return {(id, question, theme): 0/1} from answers.csv for the analysed answers, and the codebook rows by (question, theme)."""
    run = load_run(run_dir)
    analysed = run.answers[run.answers["excluded"].astype(str).eq("")]
    flags = {}
    for _, row in analysed.iterrows():
        held = set(filter(None, str(row["themes"]).split(";")))
        own = run.themes["question"].astype(str)
        for theme in run.themes.loc[(own == "") | (own == row["question"]), "theme"]:
            flags[(row["id"], row["question"], theme)] = int(theme in held)
    return run, flags


@pytest.mark.parametrize("target, suffix", [("spss", ".sav"), ("stata", ".dta"), ("csv", ".csv"), ("parquet", ".parquet")])
def test_one_row_per_respondent_with_labelled_theme_variables(review_run, target, suffix):
    result = export_run(review_run, target)
    assert result.path == review_run / f"export{suffix}" and result.path.is_file()
    data, meta = _read(result.path)
    codebook = pd.read_csv(result.codebook, dtype=str, keep_default_na=False)
    run, flags = _expected(review_run)
    ids = list(pd.unique(run.answers["id"]))
    assert len(data) == len(ids) == 24
    assert [str(v) for v in data["vastaaja_id"]] == ids
    assert "vastaajaryhma" in data.columns
    names = list(data.columns)
    assert all(NAME.match(n) for n in names) and len({n.lower() for n in names}) == len(names)
    assert list(codebook["variable"]) == names  # the codebook states every variable
    themed = codebook[codebook["theme"] != ""]
    assert len(themed) == len({(q, t) for _, q, t in flags})  # a variable per (question, theme)
    checked = 0
    for _, row in themed.iterrows():
        column = data[row["variable"]]
        for i, value in zip(data["vastaaja_id"].astype(str), column):
            want = flags.get((i, row["question"], row["theme"]))
            if want is None:
                assert pd.isna(value)  # no analysed answer: missing, not 0
            else:
                assert int(value) == want
                checked += 1
    assert checked > 0 and sum(flags.values()) > 0
    if meta is not None:  # SPSS and Stata carry the labels inside the file
        labels = dict(zip(meta.column_names, meta.column_labels))
        for _, row in themed.iterrows():
            label = run.themes.set_index("theme").at[row["theme"], "label"]
            assert labels[row["variable"]] == label
            assert meta.variable_value_labels[row["variable"]] == {0: "ei", 1: "kyllä"}
        primary = [n for n in names if n.endswith("_paateema")]
        assert len(primary) == 2
        for name in primary:
            assert set(run.themes["label"]) <= set(meta.variable_value_labels[name].values())


def test_primary_theme_matches_answers_csv(review_run):
    result = export_run(review_run, "spss")
    data, meta = pyreadstat.read_sav(str(result.path), apply_value_formats=True)
    run = load_run(review_run)
    label_of = dict(zip(run.themes["theme"], run.themes["label"]))
    for _, row in run.answers[run.answers["question"] == "kehittaminen"].iterrows():
        got = data.loc[data["vastaaja_id"] == row["id"], "kehittaminen_paateema"].iloc[0]
        if row["excluded"]:
            assert pd.isna(got)
        elif row["theme"]:
            assert got == label_of[row["theme"]]
        else:
            assert got == "(ei teemaa)"


def test_merge_into_the_original_keeps_every_row(review_run, tmp_path):
    original = tmp_path / "kysely.csv"
    frame = pd.read_csv(TINY, dtype=str, keep_default_na=False)
    extra = frame.iloc[[0]].copy()
    extra["vastaaja_id"] = "R999"  # a respondent the run never saw
    pd.concat([frame, extra]).to_csv(original, index=False)
    for target, suffix in (("stata", ".dta"), ("csv", ".csv"), ("spss", ".sav")):
        out = tmp_path / f"yhdistetty{suffix}"
        result = export_run(review_run, target, out, merge_into=original)
        data, _ = _read(out)
        assert len(data) == len(frame) + 1 == result.rows
        assert [str(v) for v in data["vastaaja_id"]] == [*frame["vastaaja_id"], "R999"]
        assert {"alue", "yhteistyo_nyt", "kehittaminen", "kehittaminen_paateema", "kehittaminen_verkostot"} <= set(data.columns)
        assert result.unmatched_original == ["R999"] and result.unmatched_run == []
        assert data.loc[data["vastaaja_id"].astype(str) == "R999", "kehittaminen_verkostot"].isna().all()
        assert data.loc[data["vastaaja_id"].astype(str) != "R999", "kehittaminen_paateema"].notna().any()


def test_merge_into_a_spss_original_keeps_its_types_and_labels(review_run, tmp_path):
    frame = pd.read_csv(TINY, dtype=str, keep_default_na=False)
    frame["ryhma_koodi"] = frame["vastaajaryhma"].map({"kunnan viranhaltija": 1.0}).fillna(2.0)
    original = tmp_path / "kysely.sav"
    pyreadstat.write_sav(frame, str(original), column_labels={"kehittaminen": "Mitä pitäisi kehittää?"},
                         variable_value_labels={"ryhma_koodi": {1.0: "kunta", 2.0: "muu"}})
    out = tmp_path / "yhdistetty.sav"
    export_run(review_run, "spss", out, merge_into=original)
    data, meta = pyreadstat.read_sav(str(out))
    assert len(data) == len(frame)
    assert meta.variable_value_labels["ryhma_koodi"] == {1.0: "kunta", 2.0: "muu"}
    assert dict(zip(meta.column_names, meta.column_labels))["kehittaminen"] == "Mitä pitäisi kehittää?"
    assert data["ryhma_koodi"].dtype.kind == "f"


def test_a_run_without_id_column_matches_by_data_row(tmp_path):
    from avovastaus.config import load_config
    from avovastaus.pipeline import run_pipeline

    ingest = {k: v for k, v in REVIEW_INGEST.items() if k != "id"}
    run_pipeline(TINY, load_config(overrides={"ingest": ingest, "embed": {"model": "static-fi"}}), tmp_path / "run")
    result = export_run(tmp_path / "run", "csv", tmp_path / "x.csv", merge_into=TINY)
    data = pd.read_csv(result.path, dtype=str, keep_default_na=False)
    assert len(data) == 24 and result.unmatched_original == [] and result.unmatched_run == []
    alone = pd.read_csv(export_run(tmp_path / "run", "csv", tmp_path / "y.csv").path, dtype=str, keep_default_na=False)
    assert list(alone["id"]) == [str(i) for i in range(1, 25)]  # the 1-based data row
    assert data["kehittaminen_paateema"].tolist() == alone["kehittaminen_paateema"].tolist()


@pytest.mark.parametrize("name, valid", [
    ("kehittäminen:teema_01", "kehittaminen_teema_01"), ("Åland öljy", "Aland_oljy"), ("1. kysymys", "v_1_kysymys"),
    ("", "v"), ("to", "to_"), ("x" * 80, "x" * MAX_NAME), ("Unnamed: 3", "Unnamed_3"),
])
def test_valid_names(name, valid):
    assert valid_name(name) == valid


def test_unique_names_suffix_repeats_ignoring_case():
    names = unique_names(["ala", "ALA", "älä", "x" * 40, "x" * 41])
    assert names == ["ala", "ALA_2", "ala_3", "x" * MAX_NAME, "x" * (MAX_NAME - 2) + "_2"]


def test_cli_export_and_coded_errors(review_run, tmp_path):
    ok = runner.invoke(app, ["export", str(review_run), "--to", "stata"])
    assert ok.exit_code == 0, ok.output
    assert "export.dta" in ok.output and (review_run / "export.dta.codebook.csv").is_file()
    merged = runner.invoke(app, ["export", str(review_run), "--to", "csv", "--out", str(tmp_path / "m.csv"), "--merge-into", str(TINY)])
    assert merged.exit_code == 0 and "Merged into the 24 rows" in merged.output
    bad_run = runner.invoke(app, ["export", str(tmp_path / "ei_ajoa"), "--to", "spss", "--out", str(tmp_path / "z.sav")])
    assert bad_run.exit_code == 2 and "E302" in bad_run.output
    bad_format = runner.invoke(app, ["export", str(review_run), "--to", "sas"])
    assert bad_format.exit_code == 2 and "E320" in bad_format.output
    mismatch = runner.invoke(app, ["export", str(review_run), "--to", "spss", "--out", str(tmp_path / "x.csv")])
    assert mismatch.exit_code == 2 and "E320" in mismatch.output
    own = runner.invoke(app, ["export", str(review_run), "--to", "csv", "--out", str(review_run / "answers.csv")])
    assert own.exit_code == 2 and "E308" in own.output
    no_id = tmp_path / "no_id.csv"
    no_id.write_text("a,b\n1,2\n", encoding="utf-8")
    unmergeable = runner.invoke(app, ["export", str(review_run), "--to", "csv", "--out", str(tmp_path / "u.csv"), "--merge-into", str(no_id)])
    assert unmergeable.exit_code == 2 and "E321" in unmergeable.output
    assert not list(tmp_path.glob(".*tmp*"))  # nothing half-written left beside the outputs


def test_a_spss_file_gives_the_questions_their_wording(tmp_path):
    """SPSS variable labels become the questions' wording in the manifest and the reports; value labels name the groups (#26)."""
    import json

    import pyreadstat

    from avovastaus.config import load_config
    from avovastaus.pipeline import run_pipeline

    frame = pd.read_csv(CORPORA / "tiny" / "answers.csv", dtype=str, keep_default_na=False)
    codes = {g: float(i + 1) for i, g in enumerate(sorted(set(frame["vastaajaryhma"])))}
    data = pd.DataFrame({"tunnus": frame["vastaaja_id"], "ryhma": frame["vastaajaryhma"].map(codes), "vastaus": frame["yhteistyo_nyt"]})
    path = tmp_path / "kysely.sav"
    pyreadstat.write_sav(data, str(path), column_labels={"vastaus": "Miten yhteistyö sujuu nyt?"},
                         variable_value_labels={"ryhma": {v: k for k, v in codes.items()}})
    config = load_config(overrides={"ingest": {"id": "tunnus", "text": ["vastaus"], "group": ["ryhma"]}, "codebook": "none", "embed": {"model": "static-fi"}})
    run_pipeline(path, config, tmp_path / "run")
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["questions"]["vastaus"]["label"] == "Miten yhteistyö sujuu nyt?"
    groups = pd.read_csv(tmp_path / "run" / "groups.csv", dtype=str, keep_default_na=False)
    assert set(groups["group"]) == set(codes)  # labels, not codes


def test_refi_qda_project_and_codebook(review_run, tmp_path):
    """#26: the run as a REFI-QDA project (.qdpx: project.qde + sources) and codebook (.qdc) that NVivo, ATLAS.ti and MAXQDA import."""
    import xml.etree.ElementTree as ET
    import zipfile

    from typer.testing import CliRunner

    from avovastaus.cli import app

    result = CliRunner().invoke(app, ["export", str(review_run), "--to", "qdpx", "--out", str(tmp_path / "kysely.qdpx")])
    assert result.exit_code == 0, result.output
    ns = {"q": "urn:QDA-XML:project:1.0"}
    with zipfile.ZipFile(tmp_path / "kysely.qdpx") as archive:
        project = ET.fromstring(archive.read("project.qde"))
        sources = {name: archive.read(name).decode("utf-8") for name in archive.namelist() if name.startswith("sources/")}
    codes = {c.get("guid"): c.get("name") for c in project.iterfind(".//q:CodeBook//q:Code[@isCodable='true']", ns)}
    themes = pd.read_csv(review_run / "themes.csv", dtype=str, keep_default_na=False)
    assert len(codes) == len(themes)
    answers = pd.read_csv(review_run / "answers.csv", dtype=str, keep_default_na=False)
    analysed = answers[answers["excluded"] == ""]
    selections = list(project.iterfind(".//q:TextSource/q:PlainTextSelection", ns))
    assert len(selections) == len(analysed)  # every analysed answer: its case refers to it
    assert sum(1 for s in selections if s.find("q:Coding", ns) is not None) == int((analysed["themes"] != "").sum())
    for source in project.iterfind(".//q:TextSource", ns):
        text = sources[source.get("plainTextPath").replace("internal://", "sources/")]
        for selection in source.iterfind("q:PlainTextSelection", ns):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            row = analysed[(analysed["id"] == selection.get("name")) & (analysed["question"] == source.get("name"))].iloc[0]
            assert text[start:end] == " ".join(row["text"].split())  # the selection is the answer's own text
            refs = {codes[c.get("targetGUID")] for c in selection.iterfind("q:Coding/q:CodeRef", ns)}
            assert len(refs) == len([t for t in row["themes"].split(";") if t])
    again = CliRunner().invoke(app, ["export", str(review_run), "--to", "qdpx", "--out", str(tmp_path / "again.qdpx")])
    assert again.exit_code == 0
    assert (tmp_path / "again.qdpx").read_bytes() == (tmp_path / "kysely.qdpx").read_bytes()  # the same run exports the same project
    result = CliRunner().invoke(app, ["export", str(review_run), "--to", "qdc", "--out", str(tmp_path / "teemat.qdc")])
    assert result.exit_code == 0
    book = ET.parse(tmp_path / "teemat.qdc").getroot()
    codable = [c for c in book.iter("{urn:QDA-XML:codebook:1.0}Code") if c.get("isCodable") == "true"]
    assert book.tag == "{urn:QDA-XML:codebook:1.0}CodeBook" and len(codable) == len(themes)


# ---------------------------------------------------------------- the bundled labelled survey (corpora/kyselysav)

KYSELY = CORPORA / "kyselysav"
KYSELY_QUESTIONS = ("yhteistyo", "kehitys")


@pytest.fixture(scope="module")
def sav_run(tmp_path_factory) -> Path:
    """The bundled kysely.sav run once through the CLI (static-fi, the default codebook): labels and wordings come from the file."""
    out = tmp_path_factory.mktemp("kyselysav") / "run"
    args = ["run", str(KYSELY / "kysely.sav"), "--fast", "--quiet", "--id", "vastaaja", "--group", "ryhma", "--out", str(out)]
    result = runner.invoke(app, [*args, *[a for q in KYSELY_QUESTIONS for a in ("--text", q)]])
    assert result.exit_code == 0, result.output
    return out


def test_the_bundled_sav_is_what_its_build_script_makes_of_the_csv():
    import importlib.util

    spec = importlib.util.spec_from_file_location("kyselysav_build", KYSELY / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    assert build.main(["--check"]) == 0  # the committed .sav, byte for byte
    data, meta = pyreadstat.read_sav(str(KYSELY / "kysely.sav"), user_missing=True)
    csv = pd.read_csv(KYSELY / "kysely.csv", dtype=str, keep_default_na=False)
    assert list(data["vastaaja"]) == list(csv["vastaaja"]) and list(data["kehitys"]) == list(csv["kehitys"])
    assert 60 <= len(data) <= 120 and set(data["ryhma"]) == {1.0, 2.0, 3.0, 9.0}
    assert meta.variable_value_labels["ryhma"][1.0] == "Kunnan työntekijä" and meta.missing_ranges["ryhma"] == [{"lo": 9.0, "hi": 9.0}]
    assert abs(data["paino"].mean() - 1) < 0.01 and (data["paino"] > 0).all()
    labels = dict(zip(meta.column_names, meta.column_labels))
    assert labels["kehitys"].startswith("Mitä kunnan pitäisi tehdä")


def test_sav_run_exported_to_spss_keeps_labels_and_matches_answers_csv(sav_run, tmp_path):
    run, flags = _expected(sav_run)
    assert run.manifest.model_extra["questions"]["yhteistyo"]["label"].startswith("Miten kunnan ja järjestöjen yhteistyö")
    result = export_run(sav_run, "spss", tmp_path / "teemat.sav")
    data, meta = pyreadstat.read_sav(str(result.path))
    codebook = pd.read_csv(result.codebook, dtype=str, keep_default_na=False)
    assert list(data["vastaaja"]) == list(pd.unique(run.answers["id"])) and len(data) == 90
    assert set(data["ryhma"]) == {"Kunnan työntekijä", "Järjestön työntekijä", "Järjestön vapaaehtoinen tai luottamushenkilö", ""}  # 9 is user missing
    labels = dict(zip(meta.column_names, meta.column_labels))
    label_of = dict(zip(run.themes["theme"], run.themes["label"]))
    themed = codebook[codebook["theme"] != ""]
    assert len(themed) == len({(q, t) for _, q, t in flags}) and sum(flags.values()) > 0
    for row in themed.itertuples():
        assert labels[row.variable] == label_of[row.theme] and meta.variable_value_labels[row.variable] == {0: "ei", 1: "kyllä"}
        for respondent, value in zip(data["vastaaja"], data[row.variable]):
            want = flags.get((respondent, row.question, row.theme))
            assert pd.isna(value) if want is None else int(value) == want
    assert labels["yhteistyo_paateema"] == "Pääteema: " + run.manifest.model_extra["questions"]["yhteistyo"]["label"]


def test_sav_run_exported_to_qdpx_validates_and_its_codings_match_answers_csv(sav_run, tmp_path):
    import re
    import xml.etree.ElementTree as ET
    import zipfile

    from tests.unit.io.test_refi import SCHEMA, Schema

    result = export_run(sav_run, "qdpx", tmp_path / "kysely.qdpx")
    with zipfile.ZipFile(result.path) as archive:
        assert "project.qde" in archive.namelist()  # at the archive root, as REFI-QDA asks
        project = ET.fromstring(archive.read("project.qde"))
    assert Schema(SCHEMA).problems(project) == []
    ns = {"q": "urn:QDA-XML:project:1.0"}
    theme_of = {c.get("guid"): re.search(r"^Tunniste: (.+)$", c.findtext("q:Description", namespaces=ns), re.MULTILINE).group(1)
                for c in project.iter("{urn:QDA-XML:project:1.0}Code") if c.get("isCodable") == "true"}
    coded = {(s.get("name"), source.get("name")): sorted(theme_of[r.get("targetGUID")] for r in s.iterfind("q:Coding/q:CodeRef", ns))
             for source in project.iterfind("q:Sources/q:TextSource", ns) for s in source.iterfind("q:PlainTextSelection", ns)}
    answers = pd.read_csv(sav_run / "answers.csv", dtype=str, keep_default_na=False)
    analysed = answers[answers["excluded"] == ""]
    assert coded == {(r.id, r.question): sorted(filter(None, r.themes.split(";"))) for r in analysed.itertuples()}
    groups = {c.get("name"): c.findtext("q:VariableValue/q:TextValue", namespaces=ns) for c in project.iterfind("q:Cases/q:Case", ns)}
    assert len(groups) == 90 and groups["V001"] == "Kunnan työntekijä" and groups["V037"] is None  # V037 answered "ei halua sanoa" (9)
    wording = project.findtext("q:Variables/q:Variable/q:Description", namespaces=ns)
    assert wording == "Vastaajaryhmä"
