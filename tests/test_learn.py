"""Learning from evaluators: decisions become labels, `run --review-from` trains on them, re-scoring spares decided answers."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from avovastaus.config import load_config
from avovastaus.pipeline import run_pipeline
from avovastaus.review.journal import Journal
from avovastaus.review.learn import rescore, taught_from

from .conftest import CORPORA

TINY = CORPORA / "tiny" / "answers.csv"
INGEST = {"id": "vastaaja_id", "text": ["yhteistyo_nyt", "kehittaminen"], "group": ["vastaajaryhma"]}


def config(**extra):
    return load_config(overrides={"ingest": INGEST, "embed": {"model": "static-fi"}, **extra})


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory):
    """A tiny run with three decisions: a move to another codebook theme, a confirmation and a 'wrong' verdict."""
    run = tmp_path_factory.mktemp("learn") / "run"
    run_pipeline(TINY, config(), run)
    answers = pd.read_csv(run / "answers.csv", dtype=str, keep_default_na=False)
    themed = answers[answers["theme"] != ""]
    keys = [f"{r.id}/{r.question}" for r in themed.itertuples()]
    themes = list(themed["theme"])
    other = next(t for t in ["verkostot", "resurssit"] if t != themes[0])
    journal = Journal(run)
    journal.append("move", {"answer": keys[0], "to": other}, "liisa", [f"answer:{keys[0]}"])
    journal.append("verdict", {"answer": keys[1], "theme": themes[1], "verdict": "confirmed"}, "liisa", [f"answer:{keys[1]}"])
    journal.append("verdict", {"answer": keys[2], "theme": themes[2], "verdict": "wrong"}, "liisa", [f"answer:{keys[2]}"])
    return run, keys, themes, other


def test_decisions_become_labels(reviewed):
    run, keys, themes, other = reviewed
    taught = taught_from(run)
    answers = pd.read_csv(run / "answers.csv", dtype=str, keep_default_na=False).set_index(["id", "question"])
    text = {k: answers.loc[tuple(k.split("/")), "text"] for k in keys[:3]}
    assert dict(zip(taught.texts, taught.themes)) == {text[keys[0]]: other, text[keys[1]]: themes[1], text[keys[2]]: None}


def test_review_from_trains_the_classifier_on_the_decisions(reviewed, tmp_path):
    run, keys, themes, other = reviewed
    out = tmp_path / "wave2"
    run_pipeline(TINY, config(review_from=str(run)), out)
    review = json.loads((out / "manifest.json").read_text())["review"]
    assert review["taught"] == 3 and review["applied"] == 3
    answers = pd.read_csv(out / "answers.csv", dtype=str, keep_default_na=False)
    moved = answers[(answers["id"] + "/" + answers["question"]) == keys[0]]
    assert moved["theme"].item() == other  # the decision itself is carried over by answer, too


def test_rescore_never_touches_decided_answers(reviewed):
    run, keys, themes, other = reviewed
    answers = pd.read_csv(run / "answers.csv", dtype=str, keep_default_na=False)
    analysed = answers[answers["excluded"] == ""]
    current = {f"{r.id}/{r.question}": [t for t in r.themes.split(";") if t] for r in analysed.itertuples()}
    decided = {keys[0]: [other], keys[1]: [themes[1]], keys[2]: []}
    result = rescore(run, decided, current)
    assert set(result.themes) == set(current) - set(decided)
    assert result.changed == sum(result.themes[k] != current[k] for k in result.themes)
    assert all(0.0 <= result.confidence[k] <= 1.0 for k in result.themes)


def test_reviewed_report_withholds_kappa_on_too_few_answers(reviewed, tmp_path):
    from avovastaus.review.export import write_reviewed

    run, *_ = reviewed
    copy = tmp_path / "run"
    import shutil

    shutil.copytree(run, copy)
    write_reviewed(copy)
    manifest = json.loads((copy / "reviewed" / "manifest.json").read_text())
    overall = [r for r in manifest["review"]["agreement"] if r["theme"] is None and r["pair"] == "model vs liisa"]
    assert overall and overall[0]["n"] == 3
    report = (copy / "reviewed" / "report.md").read_text()
    assert "liian vähän arvioituja vastauksia (n = 3) luotettavaan lukuun" in report and "κ =" not in report  # no κ on 3 answers (#27)
