"""End to end: `run_pipeline` on the committed corpora — outputs, counts, determinism, atomic writes."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from avovastaus import pipeline
from avovastaus.config import load_config
from avovastaus.errors import AvovastausError
from avovastaus.io import rundir
from avovastaus.pipeline import run_pipeline

from .conftest import CORPORA, REVIEW_INGEST

TINY = CORPORA / "tiny" / "answers.csv"
SAMPLE = CORPORA / "kuntajarjesto" / "answers.csv"
INGEST = {"id": "vastaaja_id", "text": ["yhteistyo_nyt", "kehittaminen"], "group": ["vastaajaryhma", "alue"]}


def fast_config(**overrides):
    return load_config(overrides={"ingest": INGEST, "embed": {"model": "static-fi"}, **overrides})


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "tiny"
    result = run_pipeline(TINY, fast_config(), out)
    return result, out


def test_run_writes_every_output_with_the_documented_columns(tiny_run):
    _, out = tiny_run
    assert sorted(p.name for p in out.iterdir()) == ["answers.csv", "group_words.csv", "groups.csv", "manifest.json", "report.html", "report.md", "summary.xlsx", "themes.csv"]
    answers = pd.read_csv(out / "answers.csv", dtype=str, keep_default_na=False)
    assert list(answers.columns) == ["id", "question", "vastaajaryhma", "alue", "text", "excluded", "theme", "themes", "score", "confidence"]
    themes = pd.read_csv(out / "themes.csv", keep_default_na=False)
    assert list(themes.columns) == ["theme", "label", "source", "question", "keywords", "size", "share", "examples"]
    groups = pd.read_csv(out / "groups.csv")
    assert list(groups.columns) == ["group_column", "group", "question", "theme", "n_group", "n_theme", "share", "ci_low", "ci_high",
                                    "share_rest", "diff", "diff_low", "diff_high", "p_value", "p_adjusted", "suppressed"]
    # respondents per question, then all questions together (empty question): a respondent once per theme
    assert list(dict.fromkeys(groups["question"].fillna(""))) == ["yhteistyo_nyt", "kehittaminen", ""]
    assert list(pd.read_csv(out / "group_words.csv").columns) == ["group_column", "group", "n_group", "keywords"]
    sheets = pd.read_excel(out / "summary.xlsx", sheet_name=None)
    assert list(sheets) == ["Yleiskuva", "Teemat", "Ryhmät × teemat", "Ryhmät", "Ryhmäyhteenvedot", "Vastaukset"]


def test_every_answer_is_accounted_for(tiny_run):
    result, out = tiny_run
    source = pd.read_csv(TINY, dtype=str, keep_default_na=False)
    answers = pd.read_csv(out / "answers.csv", dtype=str, keep_default_na=False)
    manifest = json.loads((out / "manifest.json").read_text())
    counts = manifest["counts"]
    assert len(answers) == 2 * len(source) == counts["read"]
    assert counts["read"] == counts["excluded"] + counts["analysed"]
    assert sum(counts["excluded_by_reason"].values()) == counts["excluded"] == (answers["excluded"] != "").sum()
    # excluded answers carry no theme; analysed answers without one are counted, and most in-domain answers fit
    assert (answers.loc[answers["excluded"] != "", "theme"] == "").all()
    analysed = answers[answers["excluded"] == ""]
    assert (analysed["theme"] == "").sum() == counts["unassigned"]
    assert (analysed["theme"] == "").mean() <= 0.15
    assert "Read" in result.summary() and str(out) in result.summary()


def test_themes_have_unique_lemma_keywords_and_examples(tiny_run):
    _, out = tiny_run
    themes = pd.read_csv(out / "themes.csv", keep_default_na=False)
    answers = pd.read_csv(out / "answers.csv", dtype=str, keep_default_na=False)
    keys = set(answers["id"] + "/" + answers["question"])
    for row in themes.itertuples():
        lemmas = [k.split(" (")[0] for k in row.keywords.split(", ") if k]
        assert len(lemmas) == len(set(lemmas))
        if row.size:
            assert row.examples and set(row.examples.split("; ")) <= keys


def test_same_input_config_seed_give_identical_tables(tiny_run, tmp_path):
    _, first = tiny_run
    second = tmp_path / "again"
    run_pipeline(TINY, fast_config(), second)
    for name in (*rundir.TABLES, rundir.GROUP_WORDS):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_existing_run_directory_needs_force(tiny_run, tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(AvovastausError) as info:
        run_pipeline(TINY, fast_config(), out)
    assert info.value.code == "E301"
    assert (out / "keep.txt").read_text() == "mine"
    with pytest.raises(AvovastausError) as info:  # --force replaces only an earlier run (#29): this folder is not one
        run_pipeline(TINY, fast_config(), out, force=True)
    assert info.value.code == "E308" and sorted(p.name for p in out.iterdir()) == ["keep.txt"]
    (out / "keep.txt").unlink()
    run_pipeline(TINY, fast_config(), out)
    (out / "keep.txt").write_text("mine")
    run_pipeline(TINY, fast_config(), out, force=True)  # an earlier run: its own files replaced, what it did not write kept
    assert (out / "keep.txt").read_text() == "mine" and (out / "answers.csv").exists()


def test_interrupted_run_leaves_nothing_half_written(tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "write_reports", boom)
    with pytest.raises(KeyboardInterrupt):
        run_pipeline(TINY, fast_config(), tmp_path / "run")
    assert list(tmp_path.iterdir()) == []


def test_pure_discovery_without_codebook(tmp_path):
    run_pipeline(TINY, fast_config(codebook="none"), tmp_path / "run")
    themes = pd.read_csv(tmp_path / "run" / "themes.csv")
    assert set(themes["source"]) == {"discovered"}
    assert themes["theme"].str.fullmatch(r"(yhteistyo_nyt|kehittaminen):teema_\d\d").all()  # each question its own themes (#23)


@pytest.mark.slow
def test_sample_corpus_with_default_embedder(tmp_path):
    """The demo job: e5-small, default codebook, two questions, five groups."""
    config = load_config(overrides={"ingest": INGEST})
    result = run_pipeline(SAMPLE, config, tmp_path / "run")
    answers = pd.read_csv(tmp_path / "run" / "answers.csv", dtype=str, keep_default_na=False)
    analysed = answers[answers["excluded"] == ""]
    assert result.counts["unassigned_share"] <= 0.05  # every sample answer is in the codebook's domain
    assert (analysed["themes"].str.contains(";")).mean() > 0.05  # some answers carry several themes
    groups = pd.read_csv(tmp_path / "run" / "groups.csv")
    assert set(groups["group_column"]) == {"vastaajaryhma", "alue"}
    assert groups.loc[groups["suppressed"], "n_theme"].isna().all()


def test_yes_no_questions_keep_short_negations_as_answers():
    """#14: "Ei ole." is a stance to a yes/no statement, nothing to tell to a describe question."""
    answers = pd.DataFrame({"id": ["1", "2", "1", "2"], "question": ["q1", "q1", "q2", "q2"], "text": ["Ei ole.", "Kyllä", "Ei ole.", "Tilat"]})
    pipeline.prepare_answers(answers, fast_config(finnish={"yes_no_questions": ["q1"]}), TINY)
    assert list(answers["excluded"]) == ["", "", "no_comment", ""]
    with pytest.raises(AvovastausError) as caught:
        pipeline.prepare_answers(answers.copy(), fast_config(finnish={"yes_no_questions": ["q9"]}), TINY)
    assert caught.value.code == "E006" and "q9" in str(caught.value)


def test_manifest_records_the_question_types(tiny_run):
    _, out = tiny_run
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["input"]["question_types"] == {"yhteistyo_nyt": "describe", "kehittaminen": "describe"}


# ---------------------------------------------------------------- real surveys: the question is the unit (#23)

NUORISO = CORPORA / "nuorisokysely" / "answers.csv"
NUORISO_INGEST = {"id": "vastaaja_id", "text": ["ongelmat", "kehy"], "group": ["ikaryhma"]}


@pytest.fixture(scope="module")
def survey_run(tmp_path_factory):
    """The youth survey's list question and a text question, pure discovery, static-fi (the defaults: themes per question)."""
    out = tmp_path_factory.mktemp("survey") / "run"
    config = load_config(overrides={"ingest": NUORISO_INGEST, "codebook": "none", "embed": {"model": "static-fi"},
                                    "questions": {"ongelmat": {"label": "Maailman kolme suurinta ongelmaa ovat…"}}})
    run_pipeline(NUORISO, config, out)
    return out


def test_each_question_has_its_own_themes(survey_run):
    answers = pd.read_csv(survey_run / "answers.csv", dtype=str, keep_default_na=False)
    themes = pd.read_csv(survey_run / "themes.csv", dtype=str, keep_default_na=False)
    analysed = answers[answers["themes"] != ""]
    for theme, question in zip(themes["theme"], themes["question"]):
        carriers = analysed[analysed["themes"].str.split(";").map(lambda ts: theme in ts)]
        assert set(carriers["question"]) <= {question}, theme  # no theme draws answers from another question
        assert theme.startswith(f"{question}:")
    assert set(themes["question"]) == {"ongelmat", "kehy"}
    manifest = json.loads((survey_run / "manifest.json").read_text())
    assert manifest["questions"]["ongelmat"] == {"label": "Maailman kolme suurinta ongelmaa ovat…", "kind": "list", "codebook": None}
    assert manifest["questions"]["kehy"]["kind"] == "text"
    assert "Maailman kolme suurinta ongelmaa ovat…" in (survey_run / "report.html").read_text(encoding="utf-8")


def test_list_answers_carry_a_theme_per_item(survey_run):
    answers = pd.read_csv(survey_run / "answers.csv", dtype=str, keep_default_na=False)
    lists = answers[(answers["question"] == "ongelmat") & (answers["themes"] != "")]
    several = lists["themes"].str.count(";") + 1
    assert several.mean() > 1.8  # two to four problems an answer: as many themes, each once
    assert all(len(set(ts.split(";"))) == len(ts.split(";")) for ts in lists["themes"])
    text = answers[answers["question"] == "kehy"]
    assert (text["themes"].str.count(";") == 0).mean() > 0.9  # a text question stays one theme an answer


def test_one_theme_space_and_a_codebook_per_question(tmp_path):
    shared = load_config(overrides={"ingest": NUORISO_INGEST, "codebook": "none", "embed": {"model": "static-fi"},
                                    "cluster": {"per_question": False}, "questions": {q: {"kind": "text"} for q in NUORISO_INGEST["text"]}})
    run_pipeline(NUORISO, shared, tmp_path / "shared")
    themes = pd.read_csv(tmp_path / "shared" / "themes.csv", dtype=str, keep_default_na=False)
    assert themes["theme"].str.fullmatch(r"teema_\d\d").all() and set(themes["question"]) == {""}
    mixed = load_config(overrides={"ingest": REVIEW_INGEST, "embed": {"model": "static-fi"}, "questions": {"kehittaminen": {"codebook": "none"}}})
    run_pipeline(TINY, mixed, tmp_path / "mixed")
    themes = pd.read_csv(tmp_path / "mixed" / "themes.csv", dtype=str, keep_default_na=False)
    kehittaminen = themes[themes["question"] == "kehittaminen"]
    assert len(kehittaminen) and set(kehittaminen["source"]) == {"discovered"}  # COL=none: discovery alone there
    assert set(themes.loc[themes["source"] == "codebook", "question"]) <= {"", "yhteistyo_nyt"}
