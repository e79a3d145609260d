"""Nothing an evaluator or researcher made is deleted or misapplied (#29): one test per scenario of the issue.

Outputs never replace what their command did not write; a journal belongs to its run; one read of
the journal per export; readers never write; concurrent first decisions all land; interrupted
writers are cleaned up; ``compare`` refuses comparisons that are not like for like.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from avovastaus.cli import app
from avovastaus.config import load_config
from avovastaus.errors import AvovastausError
from avovastaus.io.rundir import load_run
from avovastaus.pipeline import run_pipeline
from avovastaus.review import export
from avovastaus.review.journal import Journal

from .conftest import CORPORA, REVIEW_INGEST

runner = CliRunner()
TINY = CORPORA / "tiny" / "answers.csv"


def _tree(folder: Path) -> dict[str, bytes]:
    """Return every file below ``folder`` with its bytes (the whole state a command may not touch).

    SQLite's shared-memory side files (``-shm``, ``-wal``), which any reader of a WAL database may create, are not content.
    """
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.endswith(("-shm", "-wal"))}


def _decide(run: Path, n: int = 3) -> Journal:
    """Make ``n`` real decisions on the run: a rename, a verdict and a note on its first answers."""
    r = load_run(run)
    journal = Journal(run, r.fingerprint)
    theme = r.themes["theme"].iloc[0]
    analysed = r.answers[r.answers["excluded"] == ""]
    key = f"{analysed['id'].iloc[0]}/{analysed['question'].iloc[0]}"
    journal.append("rename", {"theme": theme, "label": "Arvioijan nimi"}, "liisa", [f"theme:{theme}"])
    journal.append("verdict", {"answer": key, "theme": theme, "verdict": "confirmed"}, "liisa", [f"answer:{key}"])
    journal.append("note", {"target": f"answer:{key}", "text": "Älä lainaa"}, "liisa", [f"answer:{key}"])
    return journal


@pytest.fixture
def reviewed(review_run: Path) -> Path:
    """A run with three decisions and its reviewed export."""
    _decide(review_run)
    assert runner.invoke(app, ["report", str(review_run)]).exit_code == 0
    assert (review_run / "reviewed" / "answers.csv").is_file()
    return review_run


# ---------------------------------------------------------------- compare --out never replaces what compare did not write


@pytest.mark.parametrize("where", ["old run", "new run", "parent", "documents", "cwd"])
def test_compare_out_refuses_folders_it_did_not_write(reviewed, review_base_run, tmp_path, where, monkeypatch):
    new = tmp_path / "new"
    shutil.copytree(review_base_run, new)
    (tmp_path / "notes.txt").write_text("muistiinpanoja")
    documents = tmp_path / "docs"
    documents.mkdir()
    (documents / "thesis.docx").write_bytes(b"gradu")
    out = {"old run": reviewed, "new run": new, "parent": tmp_path, "documents": documents, "cwd": Path(".")}[where]
    monkeypatch.chdir(tmp_path)
    before = _tree(tmp_path)
    result = runner.invoke(app, ["compare", str(reviewed), str(new), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "E308" in result.output and "Traceback" not in result.output
    assert _tree(tmp_path) == before  # the journal, reviewed/, the sibling run, notes and the thesis: all as they were


def test_compare_replaces_its_own_earlier_output_and_keeps_what_it_did_not_write(review_run, review_base_run, tmp_path):
    new = tmp_path / "new"
    shutil.copytree(review_base_run, new)
    out = tmp_path / "cmp"
    assert runner.invoke(app, ["compare", str(review_run), str(new), "--out", str(out)]).exit_code == 0
    (out / "muistio.txt").write_text("omat huomiot")
    assert runner.invoke(app, ["compare", str(review_run), str(new), "--out", str(out)]).exit_code == 0
    assert (out / "muistio.txt").read_text() == "omat huomiot" and (out / "compare.csv").is_file()
    assert json.loads((out / "compare.json").read_text())["command"] == "compare"


# ---------------------------------------------------------------- run --force keeps review work


def _run(out: Path, *extra: str) -> object:
    return runner.invoke(app, ["run", str(TINY), "--id", "vastaaja_id", "--text", "yhteistyo_nyt", "--text", "kehittaminen",
                               "--group", "vastaajaryhma", "--fast", "--out", str(out), *extra])


def test_run_force_over_a_reviewed_run_keeps_its_journal_and_reviewed_outputs(reviewed):
    journal_before = (reviewed / "review.sqlite").read_bytes()
    reviewed_before = _tree(reviewed / "reviewed")
    (reviewed / "thesis.docx").write_bytes(b"gradu")
    result = _run(reviewed, "--force")
    assert result.exit_code == 0, result.output
    kept = sorted((reviewed / "earlier").iterdir())
    assert len(kept) == 1 and str(kept[0]) in result.output and "--review-from" in result.output
    assert (kept[0] / "review.sqlite").read_bytes() == journal_before and _tree(kept[0] / "reviewed") == reviewed_before
    assert not (reviewed / "review.sqlite").exists() and not (reviewed / "reviewed").exists()  # the new run starts unreviewed
    assert (reviewed / "thesis.docx").read_bytes() == b"gradu"  # what run did not write stays in place
    assert len(Journal(kept[0], load_run(kept[0]).fingerprint).active()) == 3  # the kept run is whole: --review-from can use it
    carried = _run(reviewed, "--force", "--review-from", str(kept[0]))
    assert carried.exit_code == 0, carried.output
    assert len(Journal(reviewed, load_run(reviewed).fingerprint).active()) == 3


def test_run_force_refuses_a_folder_that_is_not_a_run(tmp_path):
    documents = tmp_path / "docs"
    documents.mkdir()
    (documents / "thesis.docx").write_bytes(b"gradu")
    result = _run(documents, "--force")
    assert result.exit_code == 2 and "E308" in result.output
    assert _tree(documents) == {"thesis.docx": b"gradu"}


def test_run_force_into_a_parent_of_runs_deletes_nothing(review_base_run, tmp_path):
    parent = tmp_path / "runs"
    shutil.copytree(review_base_run, parent / "sibling")
    (parent / "notes.txt").write_text("muistiinpanoja")
    before = _tree(parent)
    assert _run(parent, "--force").exit_code == 2
    assert _tree(parent) == before


def test_a_killed_force_run_puts_back_what_it_had_moved(reviewed, tmp_path):
    """The moves out of the old run are planned in a file first: a writer killed after moving leaves nothing lost."""
    from avovastaus.io import staging
    from avovastaus.io.rundir import RUN_OUTPUT

    before = _tree(reviewed)
    tmp = staging._staging_name(reviewed, "tmp", pid=_dead_pid())
    tmp.mkdir()
    staging._carry(tmp, reviewed, RUN_OUTPUT)  # as a killed run had left it: moved, not yet swapped
    assert not (reviewed / "review.sqlite").exists()
    lines = staging.remove_stale(reviewed)
    assert any("back" in line for line in lines) and not tmp.exists()
    assert _tree(reviewed) == before


# ---------------------------------------------------------------- a journal belongs to its run


def test_a_journal_copied_into_another_run_is_refused(reviewed, tmp_path):
    other = tmp_path / "other"
    run_pipeline(CORPORA / "kuntajarjesto" / "answers.csv",
                 load_config(overrides={"ingest": REVIEW_INGEST | {"group": []}, "embed": {"model": "static-fi"}}), other)
    shutil.copy(reviewed / "review.sqlite", other / "review.sqlite")
    before = _tree(other)
    result = runner.invoke(app, ["report", str(other)])
    assert result.exit_code == 2 and "E404" in result.output and "--review-from" in result.output
    assert _tree(other) == before  # nothing applied, nothing written
    result = runner.invoke(app, ["agreement", str(other)])
    assert result.exit_code == 2 and "E404" in result.output
    with pytest.raises(AvovastausError) as info:
        Journal(other, load_run(other).fingerprint).append("note", {"target": "theme:x", "text": "t"}, "pekka", [])
    assert info.value.code == "E404"


def test_review_from_carries_notes_by_answer_text_and_counts_only_what_applied(review_run, tmp_path):
    r = load_run(review_run)
    journal = Journal(review_run, r.fingerprint)
    analysed = r.answers[r.answers["excluded"] == ""].reset_index(drop=True)
    first, second = (f"{analysed['id'][i]}/{analysed['question'][i]}" for i in (0, 1))
    journal.append("note", {"target": f"answer:{first}", "text": "Älä lainaa"}, "liisa", [f"answer:{first}"])
    journal.append("note", {"target": f"answer:{second}", "text": "Toinen"}, "liisa", [f"answer:{second}"])
    # the new wave: same ids, but the first respondent now says something else (another person); the second is gone
    frame = pd.read_csv(TINY, dtype=str, keep_default_na=False)
    first_id, first_q = analysed["id"][0], analysed["question"][0]
    frame.loc[frame["vastaaja_id"] == first_id, first_q] = "Aivan eri vastaus toiselta ihmiseltä kunnan palveluista."
    frame = frame[frame["vastaaja_id"] != analysed["id"][1]]
    wave = tmp_path / "wave2.csv"
    frame.to_csv(wave, index=False)
    out = tmp_path / "wave2"
    config = load_config(overrides={"ingest": REVIEW_INGEST, "embed": {"model": "static-fi"}})
    config.review_from = str(review_run)
    run_pipeline(wave, config, out)
    manifest = json.loads((out / "manifest.json").read_text())
    notes = [d for d in Journal(out).all() if d.kind == "note"]
    assert notes == []  # neither note landed on another person's answer, nor was one counted for an answer not there
    reasons = " ".join(x["reason"] for x in manifest["review"]["not_applied"])
    assert manifest["review"]["applied"] == 0 and reasons.count("not in this run") + reasons.count("earlier run") >= 2


def test_a_verdict_on_a_theme_that_does_not_exist_is_not_counted(review_run):
    r = load_run(review_run)
    key = f"{r.answers['id'].iloc[0]}/{r.answers['question'].iloc[0]}"
    Journal(review_run, r.fingerprint).append("verdict", {"answer": key, "theme": "ei_ole", "verdict": "wrong"}, "liisa", [f"answer:{key}"])
    state, applied = export.reviewed_state(r)
    assert applied == [] and "ei_ole" in state.skipped[0]["reason"]


# ---------------------------------------------------------------- one snapshot per read; readers never write


def test_the_reviewed_export_reads_the_journal_once(reviewed, monkeypatch):
    reads = []
    original = Journal.all
    monkeypatch.setattr(Journal, "all", lambda self: reads.append(1) or original(self))
    assert runner.invoke(app, ["report", str(reviewed)]).exit_code == 0
    assert len(reads) == 1
    manifest = json.loads((reviewed / "reviewed" / "manifest.json").read_text())
    assert manifest["review"]["applied"] == 3


def test_readers_leave_the_journal_and_an_empty_file_as_they_are(reviewed, tmp_path):
    journal = reviewed / "review.sqlite"
    before = journal.read_bytes()
    for command in (["agreement", str(reviewed)], ["report", str(reviewed)]):
        assert runner.invoke(app, command).exit_code == 0
    assert journal.read_bytes() == before
    empty = tmp_path / "empty"
    shutil.copytree(reviewed, empty)
    (empty / "review.sqlite").write_bytes(b"")
    shutil.rmtree(empty / "reviewed")
    assert runner.invoke(app, ["report", str(empty)]).exit_code == 0
    assert (empty / "review.sqlite").read_bytes() == b""  # not turned into a database


def _read_only(paths: list[Path]) -> None:
    """Make ``paths`` read-only for everyone, root included (``chattr +i``); else chmod, which binds all but root."""
    if os.geteuid() == 0:
        if subprocess.run(["chattr", "+i", *map(str, paths)], capture_output=True).returncode != 0:
            pytest.skip("chattr +i is not available here, and root ignores file modes")
    else:
        for path in paths:
            path.chmod(0o555 if path.is_dir() else 0o444)


def _writable(paths: list[Path]) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", *map(str, paths)], capture_output=True)
    for path in paths:
        path.chmod(0o755 if path.is_dir() else 0o644)


def test_an_archived_read_only_run_can_be_read_and_carried(reviewed, tmp_path):
    """agreement and run --review-from read a run on read-only media: the journal is opened read-only, nothing is written there."""
    frozen = [reviewed / "review.sqlite", reviewed]
    before = _tree(reviewed)
    _read_only(frozen)
    try:
        assert len(Journal(reviewed, load_run(reviewed).fingerprint).active()) == 3
        result = runner.invoke(app, ["agreement", str(reviewed)])
        assert result.exit_code == 0, result.output
        result = _run(tmp_path / "wave2", "--review-from", str(reviewed))
        assert result.exit_code == 0, result.output
    finally:
        _writable(frozen)
    assert _tree(reviewed) == before
    assert len(Journal(tmp_path / "wave2").active()) == 3


def _first_decision(run: str, who: str, start: object) -> int:
    start.wait()
    return Journal(Path(run)).append("note", {"target": "theme:t", "text": who}, who, ["theme:t"])


def test_concurrent_first_decisions_on_a_new_journal_all_land(tmp_path):
    for trial in range(4):
        folder = tmp_path / f"t{trial}"
        folder.mkdir()
        with multiprocessing.Manager() as manager:
            start = manager.Event()
            with multiprocessing.get_context("spawn").Pool(4) as pool:
                pending = [pool.apply_async(_first_decision, (str(folder), f"r{i}", start)) for i in range(4)]
                start.set()
                seqs = sorted(p.get(timeout=60) for p in pending)
        assert seqs == [1, 2, 3, 4]
        assert sorted(d.reviewer for d in Journal(folder).all()) == ["r0", "r1", "r2", "r3"]


# ---------------------------------------------------------------- interrupted writers


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_the_next_compare_and_report_remove_what_killed_ones_left(review_run, review_base_run, tmp_path):
    new = tmp_path / "new"
    shutil.copytree(review_base_run, new)
    out = tmp_path / "cmp"
    host, pid = socket.gethostname(), _dead_pid()
    stale_folder = tmp_path / f".cmp.tmp-{host}-{pid}"
    stale_folder.mkdir()
    (stale_folder / "compare.csv").write_text("puolikas")
    stale_file = review_run / f".summary.xlsx.tmp-{host}-{pid}.xlsx"
    stale_file.write_bytes(b"PK puolikas")
    result = runner.invoke(app, ["compare", str(review_run), str(new), "--out", str(out)])
    assert result.exit_code == 0 and not stale_folder.exists()
    assert runner.invoke(app, ["report", str(review_run)]).exit_code == 0
    assert not stale_file.exists()
    assert not [p for p in review_run.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("command", ["compare", "report"])
def test_sigterm_leaves_no_partial_files(review_run, review_base_run, tmp_path, command):
    new = tmp_path / "new"
    shutil.copytree(review_base_run, new)
    args = {"compare": ["compare", str(review_run), str(new), "--out", str(tmp_path / "cmp")], "report": ["report", str(review_run)]}[command]
    target = {"compare": "avovastaus.compare.outputs.write_xlsx", "report": "avovastaus.report.xlsx.write_summary_xlsx"}[command]
    code = (
        "import os, signal, sys, importlib\n"
        f"module, name = {target!r}.rsplit('.', 1)\n"
        "m = importlib.import_module(module)\n"
        "def stop(*a, **k):\n    os.kill(os.getpid(), signal.SIGTERM)\n"
        "setattr(m, name, stop)\n"
        "from avovastaus.cli import app\n"
        f"sys.argv = ['avovastaus', *{args!r}]\n"
        "app()\n"
    )
    before = {p.name for p in review_run.iterdir()}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 130, proc.stderr
    assert "Traceback" not in proc.stderr
    assert {p.name for p in review_run.iterdir()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


# ---------------------------------------------------------------- compare only what compares


def _with_codebook_sha(run: Path, folder: Path, sha: str) -> Path:
    copy = folder / run.name
    shutil.copytree(run, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["codebook"]["sha256"] = sha
    (copy / "manifest.json").write_text(json.dumps(manifest))
    return copy


def test_compare_refuses_different_codebooks_unless_allowed(review_run, tmp_path):
    other = _with_codebook_sha(review_run, tmp_path / "b", "0" * 64)
    result = runner.invoke(app, ["compare", str(review_run), str(other), "--out", str(tmp_path / "cmp")])
    assert result.exit_code == 2 and "E311" in result.output and "--allow-different-codebooks" in result.output
    assert not (tmp_path / "cmp").exists()
    result = runner.invoke(app, ["compare", str(review_run), str(other), "--out", str(tmp_path / "cmp"), "--allow-different-codebooks"])
    assert result.exit_code == 0 and "different codebooks" in result.output
    md = (tmp_path / "cmp" / "compare.md").read_text()
    assert "different codebooks" in md.split("\n")[2] or "koodikirj" in md.split("\n")[2]


def test_compare_refuses_a_table_cut_short(review_run, review_base_run, tmp_path):
    cut = tmp_path / "cut"
    shutil.copytree(review_base_run, cut)
    lines = (cut / "answers.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (cut / "answers.csv").write_text("".join(lines[:6]), encoding="utf-8")
    result = runner.invoke(app, ["compare", str(review_run), str(cut), "--out", str(tmp_path / "cmp")])
    assert result.exit_code == 2 and "E302" in result.output and "manifest says" in result.output


def test_compare_labels_come_from_the_run_each_theme_belongs_to():
    from avovastaus.compare.analysis import Match, theme_label

    old, new = {"teema_01": "Vanha teema"}, {"teema_01": "Aivan toinen teema"}
    assert theme_label(Match("teema_01", None, "vanished", 0.0), old, new) == "Vanha teema"
    assert theme_label(Match(None, "teema_01", "appeared", 0.0), old, new) == "Aivan toinen teema"
