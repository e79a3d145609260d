"""A damaged review journal as every reader meets it: the CLI, the review app, carry-over to a new run (issue #17).

A damaged or foreign ``review.sqlite`` stops ``agreement``, ``review`` and ``run --review-from`` with
a coded error (exit 2) and is left as it is; ``report`` does not read the journal and is not stopped.
A row that cannot be applied is skipped with its reason.
"""

from __future__ import annotations

import html
import json
import shutil
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from avovastaus.cli import app as cli
from avovastaus.config import load_config
from avovastaus.errors import AvovastausError
from avovastaus.pipeline import run_pipeline
from avovastaus.review.journal import Journal
from avovastaus.review.web.app import create_app

from .conftest import CORPORA
from .damage import garbage, interior, truncated

TINY = CORPORA / "tiny" / "answers.csv"
INGEST = {"id": "vastaaja_id", "text": ["yhteistyo_nyt", "kehittaminen"], "group": ["vastaajaryhma"]}
runner = CliRunner()


@pytest.fixture(scope="module")
def base_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny corpus, static-fi, no codebook; two evaluators' verdicts and moves plus 200 notes (a journal of several pages)."""
    out = tmp_path_factory.mktemp("damaged") / "run"
    run_pipeline(TINY, load_config(overrides={"ingest": INGEST, "embed": {"model": "static-fi"}, "codebook": "none"}), out)
    answers = pd.read_csv(out / "answers.csv", dtype=str, keep_default_na=False)
    analysed = answers[(answers["excluded"] == "") & (answers["theme"] != "")]
    keys = [f"{r.id}/{r.question}" for r in analysed.itertuples()]
    journal = Journal(out)
    for reviewer in ("liisa", "pekka"):
        for key, theme in zip(keys[:6], analysed["theme"][:6]):
            journal.append("verdict", {"answer": key, "theme": theme, "verdict": "confirmed"}, reviewer, [f"answer:{key}"])
    con = sqlite3.connect(out / "review.sqlite")
    with con:
        con.executemany(
            "INSERT INTO decisions (at, reviewer, kind, payload) VALUES ('2025-01-01', 'liisa', 'note', ?)",
            [(json.dumps({"target": f"answer:{keys[i % len(keys)]}", "text": f"huomio {i} " + "x" * 150}),) for i in range(200)],
        )
    con.close()
    return out


@pytest.fixture
def run(base_run: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "run"
    shutil.copytree(base_run, copy)
    return copy


def _another_schema(path: Path) -> None:
    path.unlink()
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE vectors (namespace TEXT, vector BLOB)")  # e.g. the embedding cache copied by mistake
    con.commit()
    con.close()


DAMAGE = {"interior": (interior, "E401"), "truncated": (truncated, "E401"), "garbage": (garbage, "E401"), "another schema": (_another_schema, "E402")}


@pytest.fixture(params=sorted(DAMAGE))
def damaged(request: pytest.FixtureRequest, run: Path) -> tuple[Path, str, bytes]:
    """A run whose journal is damaged; returns (run, expected code, the journal's bytes)."""
    damage, code = DAMAGE[request.param]
    damage(run / "review.sqlite")
    return run, code, (run / "review.sqlite").read_bytes()


def _assert_coded(result, code: str, run: Path) -> None:
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"{code}: "), result.output
    assert str(run / "review.sqlite") in result.output and "Fix:" in result.output
    assert "Traceback" not in result.output


def test_agreement_cli_stops_with_the_code_and_names_the_export(damaged) -> None:
    run, code, before = damaged
    result = runner.invoke(cli, ["agreement", str(run)])
    _assert_coded(result, code, run)
    exports = sorted(run.glob("review.sqlite.readable-*.jsonl"))
    if exports:
        (export,) = exports
        assert str(export) in result.output
        assert all(json.loads(line)["seq"] for line in export.read_text(encoding="utf-8").splitlines())
    else:
        assert "No decision could be read" in result.output
    assert (run / "review.sqlite").read_bytes() == before


def test_review_cli_stops_before_serving(damaged, monkeypatch) -> None:
    run, code, before = damaged

    def no_server(*args, **kwargs):  # if the check ever fails, fail here instead of serving forever
        raise AssertionError("the review server was started on a damaged journal")

    monkeypatch.setattr("werkzeug.serving.make_server", no_server)
    _assert_coded(runner.invoke(cli, ["review", str(run), "--port", "0"]), code, run)
    with pytest.raises(AvovastausError) as info:
        create_app(run)
    assert info.value.code == code
    assert (run / "review.sqlite").read_bytes() == before


def test_review_from_cli_stops_and_writes_no_run(damaged, tmp_path) -> None:
    run, code, before = damaged
    out = tmp_path / "again"
    result = runner.invoke(cli, ["run", str(TINY), "--id", "vastaaja_id", "--text", "yhteistyo_nyt", "--text", "kehittaminen",
                                 "--embedder", "static-fi", "--codebook", "none", "--review-from", str(run), "--out", str(out), "--quiet"])
    _assert_coded(result, code, run)
    assert not out.exists()
    assert (run / "review.sqlite").read_bytes() == before


def test_report_cli_stops_on_a_damaged_journal_and_reports_without_it_on_request(damaged) -> None:
    """`report` applies the journal, so a damaged one stops it before anything is written; --no-review does not read it."""
    run, code, before = damaged
    (run / "report.md").unlink()
    _assert_coded(runner.invoke(cli, ["report", str(run)]), code, run)
    assert not (run / "report.md").exists() and not (run / "reviewed").exists()
    assert (run / "review.sqlite").read_bytes() == before
    for export in run.glob("review.sqlite.readable-*"):
        export.unlink()
    result = runner.invoke(cli, ["report", str(run), "--no-review"])
    assert result.exit_code == 0, result.output
    assert (run / "report.md").is_file()
    assert (run / "review.sqlite").read_bytes() == before
    assert not list(run.glob("review.sqlite.readable-*"))


# ---------------------------------------------------------------- rows that cannot be applied: skipped with a reason


def _corrupt_rows(run: Path) -> dict[int, str]:
    """Break one move's JSON and drop the 'to' of another; return {seq: reason}."""
    con = sqlite3.connect(run / "review.sqlite")
    with con:
        first, second = [seq for (seq,) in con.execute("SELECT seq FROM decisions WHERE kind = 'verdict' AND reviewer = 'pekka' ORDER BY seq LIMIT 2")]
        con.execute("UPDATE decisions SET payload = '{\"answer\": ' WHERE seq = ?", (first,))
        con.execute("UPDATE decisions SET kind = 'move', payload = '{\"answer\": \"R001/kehittaminen\"}' WHERE seq = ?", (second,))
    con.close()
    return {first: "its payload is not valid JSON", second: "the field 'to' is missing"}


def test_agreement_skips_unusable_rows_with_their_reasons(run, caplog) -> None:
    reasons = _corrupt_rows(run)
    result = runner.invoke(cli, ["agreement", str(run), "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["pair"]: r for r in json.loads(result.output)}
    assert rows["model vs liisa"]["n"] == 6 and rows["model vs pekka"]["n"] == 4
    for seq, reason in reasons.items():
        assert f"decision #{seq}" in caplog.text and reason in caplog.text


def test_review_app_and_review_from_show_the_reasons(run, tmp_path) -> None:
    reasons = _corrupt_rows(run)
    page = create_app(run).test_client().get("/")
    body = html.unescape(page.get_data(as_text=True))
    assert page.status_code == 200
    for seq, reason in reasons.items():
        assert f"#{seq}" in body and reason in body
    out = tmp_path / "again"
    result = runner.invoke(cli, ["run", str(TINY), "--id", "vastaaja_id", "--text", "yhteistyo_nyt", "--text", "kehittaminen", "--group", "vastaajaryhma",
                                 "--embedder", "static-fi", "--codebook", "none", "--review-from", str(run), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    not_applied = {x["seq"]: x["reason"] for x in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["review"]["not_applied"]}
    for seq, reason in reasons.items():
        assert reason in not_applied[seq]
    report = runner.invoke(cli, ["report", str(out), "--lang", "en"])
    assert report.exit_code == 0, report.output
    markdown = (out / "report.md").read_text(encoding="utf-8")
    for seq, reason in reasons.items():
        assert f"#{seq}" in markdown and reason in markdown
