"""Issue #27, item 2: what a review makes survives the way out.

Review (merge, split, rename, moves, through the journal) -> reviewed export -> a new run with
``reviewed/codebook.yaml``: every theme there is after the review, with its id, is in the new run;
the reviewed report lists the structural changes; the export says the codebook carries the frame
and ``--review-from`` the decisions.
"""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from avovastaus.cli import app as cli
from avovastaus.config import load_codebook, load_config, resolve_path
from avovastaus.io.rundir import load_run
from avovastaus.pipeline import run_pipeline
from avovastaus.report.redact import redact
from avovastaus.review.export import MAX_KEYWORDS, MAX_MERGED_EXAMPLES, write_reviewed
from avovastaus.review.journal import Journal
from avovastaus.review.kinds import touches_of

from .conftest import CORPORA, REVIEW_INGEST

TINY = CORPORA / "tiny" / "answers.csv"


def config(**extra):
    return load_config(overrides={"ingest": REVIEW_INGEST, "embed": {"model": "static-fi"}, **extra})


def decide(journal: Journal, kind: str, reviewer: str = "liisa", **payload) -> int:
    """Append one decision the way the review app does (its touches from the kind's spec)."""
    return journal.append(kind, payload, reviewer, touches_of(kind, payload))


def table(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def keys_of(answers: pd.DataFrame, theme: str) -> list[str]:
    rows = answers[(answers["excluded"] == "") & (answers["theme"] == theme)]
    return [f"{i}/{q}" for i, q in zip(rows["id"], rows["question"])]


@pytest.fixture(scope="module")
def reviewed(review_base_run, tmp_path_factory):
    """The tiny codebook run reviewed: b merged into a, two answers of c split into a new theme, a renamed, moves and verdicts."""
    run = tmp_path_factory.mktemp("roundtrip") / "run"
    shutil.copytree(review_base_run, run)
    r = load_run(run)
    sized = r.themes[r.themes["size"] > 0].sort_values(["size", "theme"], ascending=[False, True])["theme"].tolist()
    a, b, c = sized[0], sized[1], sized[2]
    answers = r.answers
    journal = Journal(run, r.fingerprint)
    split = keys_of(answers, c)[:2]
    moved = keys_of(answers, a)[0]
    confirmed = keys_of(answers, a)[1]
    decide(journal, "verdict", answer=confirmed, theme=a, verdict="confirmed")
    decide(journal, "move", answer=moved, to=c)
    decide(journal, "merge", source=b, target=a)
    decide(journal, "split", theme=c, new_theme="arvio_01", label="Arvioijan uusi teema", answers=split)
    decide(journal, "rename", theme=a, label="Yhdistetty teema")
    write_reviewed(run)
    return {"run": run, "a": a, "b": b, "c": c, "split": split, "moved": moved, "confirmed": confirmed}


def test_the_reviewed_codebook_keeps_every_theme(reviewed):
    run, a, b = reviewed["run"], reviewed["a"], reviewed["b"]
    path = run / "reviewed" / "codebook.yaml"
    codebook = load_codebook(path)  # a codebook `run --codebook` accepts
    themes = table(run / "reviewed" / "themes.csv")
    by_id = {t.id: t for t in codebook.themes}
    assert set(by_id) == set(themes["theme"])  # every theme after the review, empty codebook themes too
    assert b not in by_id and "arvio_01" in by_id

    original = {t.id: t for t in load_codebook(resolve_path(load_run(run).manifest.codebook.path)).themes}
    merged = by_id[a]
    assert merged.label == "Yhdistetty teema"
    union = {k.lower() for k in [*original[a].keywords, *original[b].keywords]}
    assert len(union) <= MAX_KEYWORDS and union == {k.lower() for k in merged.keywords}  # the union of both parts' keywords,
    assert len(merged.keywords) == len(union)  # each once
    assert set(original[a].examples) & set(merged.examples) and set(original[b].examples) & set(merged.examples)  # both parts kept
    assert len(merged.examples) == len(set(merged.examples)) <= MAX_MERGED_EXAMPLES

    text = {f"{i}/{q}": t for i, q, t in zip(*(table(run / "answers.csv")[c] for c in ("id", "question", "text")))}
    new = by_id["arvio_01"]
    assert new.label == new.description == "Arvioijan uusi teema" and new.keywords == []
    assert new.examples == [redact(text[k]).strip() for k in reviewed["split"]]  # its reviewed answers are its examples
    assert redact(text[reviewed["confirmed"]]).strip() == merged.examples[0]  # what an evaluator confirmed comes first

    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert "--review-from" in raw["description"]  # the file itself says it carries the frame only


def test_a_run_with_the_reviewed_codebook_has_every_reviewed_theme(reviewed, tmp_path):
    run = reviewed["run"]
    again = tmp_path / "again"
    run_pipeline(TINY, config(codebook=str(run / "reviewed" / "codebook.yaml")), again)
    before = table(run / "reviewed" / "themes.csv")
    after = table(again / "themes.csv").set_index("theme")
    assert set(before["theme"]) <= set(after.index)
    for theme, label in zip(before["theme"], before["label"]):
        assert after.at[theme, "label"] == label and after.at[theme, "source"] == "codebook"


def test_the_reviewed_report_lists_the_structural_changes(reviewed):
    run, a, b, c = reviewed["run"], reviewed["a"], reviewed["b"], reviewed["c"]
    label = dict(zip(*(table(run / "themes.csv")[x] for x in ("theme", "label"))))
    review = json.loads((run / "reviewed" / "manifest.json").read_text(encoding="utf-8"))["review"]
    assert [e["kind"] for e in review["events"]] == ["merge", "split", "rename"]
    assert review["codebook"] == {"themes": len(table(run / "reviewed" / "themes.csv")), "ids": {}, "left_out": []}
    moved = review["moved_answers"]
    assert moved["moved"] == 1 and moved["split"] == 2 and 0 < moved["merged"] <= review["events"][0]["answers"]
    assert moved["total"] == sum(moved[k] for k in ("moved", "split", "merged", "other"))
    md = (run / "reviewed" / "report.md").read_text(encoding="utf-8")
    html = (run / "reviewed" / "report.html").read_text(encoding="utf-8")
    for text in (md, html):
        assert f"yhdistetty: ”{label[b]}” teemaan ”{label[a]}” ({review['events'][0]['answers']} vastausta)" in text
        assert f"erotettu: teemasta ”{label[c]}” uusi teema ”Arvioijan uusi teema” (2 vastausta)" in text
        assert f"nimetty uudelleen: ”{label[a]}” → ”Yhdistetty teema”" in text
        assert "uudet teemat (1): ”Arvioijan uusi teema”" in text
        assert f"{moved['total']} vastauksen pääteema muuttui arvioinnissa: 1 siirretty toiseen teemaan, 2 erotettu uuteen teemaan" in text
        assert "--review-from" in text
    assert 'id="review-changes"' in html


def test_the_report_in_english(review_run):
    r = load_run(review_run)
    a, b = r.themes.sort_values("size", ascending=False)["theme"].tolist()[:2]
    decide(Journal(review_run, r.fingerprint), "merge", source=b, target=a)
    write_reviewed(review_run, lang="en")
    md = (review_run / "reviewed" / "report.md").read_text(encoding="utf-8")
    label = dict(zip(r.themes["theme"], r.themes["label"]))
    assert f"merged: “{label[b]}” into “{label[a]}” (" in md and "Structural changes made in the review:" in md
    assert "not the decisions" in md and "--review-from" in md


def test_the_report_command_says_what_carries_the_decisions(review_run):
    r = load_run(review_run)
    row = r.answers[r.answers["theme"] != ""].iloc[0]
    decide(Journal(review_run, r.fingerprint), "verdict", answer=f"{row['id']}/{row['question']}", theme=row["theme"], verdict="confirmed")
    result = CliRunner().invoke(cli, ["report", str(review_run)])
    assert result.exit_code == 0, result.output
    assert "codebook.yaml kantaa arvioinnin kehyksen" in result.output and f"--review-from {review_run}" in result.output
    english = CliRunner().invoke(cli, ["report", str(review_run), "--lang", "en"])
    assert "carries the frame of the review" in english.output and "does not carry the decisions" in english.output


def test_discovered_themes_keep_their_ids_through_the_codebook(tmp_path):
    """A run without a codebook: question-scoped discovered ids (q:teema_01) become codebook ids (q_teema_01), said in the manifest."""
    run = tmp_path / "run"
    run_pipeline(TINY, config(codebook="none"), run)
    r = load_run(run)
    themes = r.themes.sort_values(["question", "size", "theme"], ascending=[True, False, True])
    per_question = {q: rows["theme"].tolist() for q, rows in themes.groupby("question")}
    first, second = per_question["kehittaminen"][:2]
    other = per_question["yhteistyo_nyt"][0]
    journal = Journal(run, r.fingerprint)
    decide(journal, "merge", source=second, target=first)
    split = keys_of(r.answers, other)[:2]
    decide(journal, "split", theme=other, new_theme="arvio_01", label="Oma teema", answers=split)
    write_reviewed(run)
    review = json.loads((run / "reviewed" / "manifest.json").read_text(encoding="utf-8"))["review"]
    ids = review["codebook"]["ids"]
    reviewed_themes = table(run / "reviewed" / "themes.csv")["theme"].tolist()
    assert ids == {t: t.replace(":", "_") for t in reviewed_themes if ":" in t}
    codebook = {t.id: t for t in load_codebook(run / "reviewed" / "codebook.yaml").themes}
    assert set(codebook) == {ids.get(t, t) for t in reviewed_themes}
    keywords = {t: [k.split(" (")[0] for k in str(kw).split(", ") if k] for t, kw in zip(r.themes["theme"], r.themes["keywords"])}
    merged = [k.lower() for k in codebook[ids[first]].keywords]
    assert set(k.lower() for k in keywords[first] + keywords[second]) == set(merged)  # the union of both parts' keywords
    assert "Koodikirjan tunnisteiksi kelpaavat vain" in (run / "reviewed" / "report.md").read_text(encoding="utf-8")
    again = tmp_path / "again"
    run_pipeline(TINY, config(codebook=str(run / "reviewed" / "codebook.yaml")), again)
    assert {ids.get(t, t) for t in reviewed_themes} <= set(table(again / "themes.csv")["theme"])


def test_structural_changes_follow_the_decisions_in_force(tmp_path):
    """An undone merge is no change; a rename to the same label is none either; each change keeps the labels of its moment."""
    from avovastaus.review.state import replay

    answers = pd.DataFrame({"id": [f"R{i}" for i in range(4)], "question": ["q"] * 4, "text": ["a", "b", "c", "d"], "excluded": [""] * 4,
                            "themes": ["a", "a;b", "b", "c"]})
    themes = pd.DataFrame({"theme": ["a", "b", "c"], "label": ["Aa", "Bee", "Cee"], "source": ["codebook", "codebook", "discovered"]})
    journal = Journal(tmp_path)
    merge = decide(journal, "merge", source="b", target="a")
    decide(journal, "rename", theme="a", label="Aa")
    decide(journal, "split", theme="c", new_theme="arvio_01", label="Uusi", answers=["R3/q"])
    decide(journal, "rename", theme="arvio_01", label="Uusi, nimetty")
    state = replay(tmp_path, answers, themes)
    assert [c["kind"] for c in state.changes] == ["merge", "split", "rename"]
    assert state.changes[0] | {"seq": 0} == {"kind": "merge", "seq": 0, "source": "b", "source_label": "Bee", "target": "a", "target_label": "Aa", "answers": 2}
    assert state.changes[2]["old"] == "Uusi" and state.changes[2]["new"] == "Uusi, nimetty"
    journal.undo(merge, "liisa")
    assert [c["kind"] for c in replay(tmp_path, answers, themes).changes] == ["split", "rename"]
