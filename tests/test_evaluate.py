"""`avovastaus eval`: metrics of a run against gold labels, and stability figures."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from avovastaus.cli import app
from avovastaus.config import load_config
from avovastaus.evaluate import METRIC_KEYS, evaluate
from avovastaus.pipeline import run_pipeline
from avovastaus.themes.stability import best_match_jaccard, theme_stability

from .conftest import CORPORA

TINY = CORPORA / "tiny"
INGEST = {"id": "vastaaja_id", "text": ["yhteistyo_nyt", "kehittaminen"], "group": ["vastaajaryhma"]}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("eval") / "run"
    run_pipeline(TINY / "answers.csv", load_config(overrides={"ingest": INGEST, "embed": {"model": "static-fi"}, "stability": {"runs": 3}}), out)
    return out


def test_json_has_exactly_the_documented_keys(run):
    result = CliRunner().invoke(app, ["eval", str(run), "--gold", str(TINY / "gold.csv"), "--json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output.splitlines()[0])
    assert tuple(metrics) == METRIC_KEYS
    assert 0 <= metrics["ari"] <= 1 and metrics["coverage"] >= 0.85 and metrics["dup_lemma_topics"] == 0.0
    assert metrics["codebook_accuracy"] is not None and metrics["nonanswer_recall"] == 1.0


def test_perfect_gold_scores_one(run, tmp_path):
    answers = pd.read_csv(run / "answers.csv", dtype=str, keep_default_na=False)
    gold = answers.assign(label=answers["theme"].where(answers["excluded"] == "", "ei_sisaltoa"))[["id", "question", "label"]]
    gold = gold[gold["label"] != ""]
    gold.to_csv(tmp_path / "gold.csv", index=False)
    metrics = evaluate(run, tmp_path / "gold.csv").metrics
    assert metrics["ari"] == pytest.approx(1.0) and metrics["codebook_accuracy"] == pytest.approx(1.0)
    assert metrics["nonanswer_precision"] == 1.0 and metrics["nonanswer_recall"] == 1.0


def test_partial_gold_and_ids_missing_from_the_run_are_reported(run, tmp_path):
    gold = pd.read_csv(TINY / "gold.csv", dtype=str, keep_default_na=False).head(10)
    gold = pd.concat([gold, pd.DataFrame([{"id": "ZZZ", "question": "yhteistyo_nyt", "label": "verkostot", "labels": "verkostot"}])])
    gold.to_csv(tmp_path / "gold.csv", index=False)
    result = evaluate(run, tmp_path / "gold.csv")
    assert result.gold_ids_missing_from_run == ["ZZZ/yhteistyo_nyt"]
    assert result.run_answers_without_gold > 0
    assert "ZZZ/yhteistyo_nyt" in result.table()


def test_non_codebook_labels_give_null_codebook_metrics(run, tmp_path):
    gold = pd.read_csv(TINY / "gold.csv", dtype=str, keep_default_na=False)
    gold["label"] = gold["label"].map(lambda x: x if x == "ei_sisaltoa" else f"x_{x}")
    gold.to_csv(tmp_path / "gold.csv", index=False)
    metrics = evaluate(run, tmp_path / "gold.csv").metrics
    assert metrics["codebook_accuracy"] is None and metrics["codebook_macro_f1"] is None
    gold["label"] = gold["label"].replace("ei_sisaltoa", "x")
    gold.to_csv(tmp_path / "gold.csv", index=False)
    metrics = evaluate(run, tmp_path / "gold.csv").metrics
    assert metrics["nonanswer_precision"] is None and metrics["nonanswer_recall"] is None


def test_bad_gold_file_is_a_coded_error(run, tmp_path):
    (tmp_path / "gold.csv").write_text("tunnus,luokka\n1,a\n")
    result = CliRunner().invoke(app, ["eval", str(run), "--gold", str(tmp_path / "gold.csv")])
    assert result.exit_code == 2 and result.output.startswith("E303")


def test_stability_column_manifest_and_report(run):
    themes = pd.read_csv(run / "themes.csv")
    measured = themes["stability"].dropna()  # themes that are some answers' primary theme
    assert len(measured) >= 3 and measured.between(0, 1).all()
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["stability"]["runs"] == 3 and 0 <= manifest["stability"]["mean"] <= 1
    assert "Teemojen pysyvyys" in (run / "report.md").read_text() or "Pysyvyys" in (run / "report.md").read_text()


def test_best_match_jaccard_and_perfectly_stable_themes():
    assert best_match_jaccard({1, 2, 3}, [{1, 2}, {3, 4, 5}]) == pytest.approx(2 / 3)
    assert best_match_jaccard({1}, []) == 0.0
    themes = [["a"]] * 5 + [["b"]] * 5
    same = theme_stability(themes, lambda rows, seed: [themes[i] for i in rows], ["a", "b"], runs=3)
    assert same == {"a": 1.0, "b": 1.0}
    shuffled = theme_stability(themes, lambda rows, seed: [["a"] if i % 2 else ["b"] for i in rows], ["a", "b"], runs=3)
    assert all(v < 1.0 for v in shuffled.values())


def _frames(run_questions, gold_questions):
    answers = pd.DataFrame({"id": ["1", "2", "3"][: len(run_questions)], "question": run_questions})
    gold = pd.DataFrame({"id": ["1", "2", "3"][: len(gold_questions)], "question": gold_questions, "gold": ["a", "b", "c"][: len(gold_questions)]})
    return answers, gold


def test_join_falls_back_to_unique_ids_and_says_so(tmp_path):
    """Regression (#9): gold questions 'q1' against the run's column name 'text' used to score n = 0 silently."""
    from avovastaus.evaluate import _join

    answers, gold = _frames(["text", "text", "text"], ["q1", "q1", "q2"])
    joined, keys, note = _join(answers, gold, tmp_path / "gold.csv")
    assert keys == ["id"] and len(joined) == 3
    assert "joined on id alone" in note and "'q1'" in note and "'text'" in note


def test_a_join_that_matches_nothing_is_a_coded_error(run, tmp_path):
    gold = pd.read_csv(TINY / "gold.csv", dtype=str, keep_default_na=False).assign(question="q1")
    gold.to_csv(tmp_path / "gold.csv", index=False)
    result = CliRunner().invoke(app, ["eval", str(run), "--gold", str(tmp_path / "gold.csv"), "--json"])
    assert result.exit_code == 2
    assert "E307" in result.output and "'q1'" in result.output and "yhteistyo_nyt" in result.output
