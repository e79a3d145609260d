"""The decision journal: append, replay, undo, conflicts, crash safety."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading

import pytest

from avovastaus.journal import Conflict, Journal


def test_append_and_read_back_in_order(tmp_path):
    journal = Journal(tmp_path)
    first = journal.append("rename", {"theme": "a", "label": "A"}, "liisa", ["theme:a"])
    second = journal.append("move", {"answer": "1/q", "to": "b"}, "pekka", ["answer:1/q"])
    assert (first, second) == (1, 2)
    assert [(d.kind, d.reviewer, d.payload) for d in journal.all()] == [
        ("rename", "liisa", {"theme": "a", "label": "A"}),
        ("move", "pekka", {"answer": "1/q", "to": "b"}),
    ]
    assert journal.latest(["theme:a"]) == 1 and journal.latest() == 2


def test_undo_and_undo_of_undo(tmp_path):
    journal = Journal(tmp_path)
    seq = journal.append("rename", {"theme": "a", "label": "A"}, "liisa", ["theme:a"])
    undo = journal.undo(seq, "pekka")
    assert journal.active() == []
    journal.undo(undo, "liisa")
    assert [d.seq for d in journal.active()] == [seq]
    assert [d.kind for d in journal.all()] == ["rename", "undo", "undo"]
    with pytest.raises(KeyError):
        journal.undo(99, "x")


def test_stale_edit_of_the_same_object_is_a_conflict(tmp_path):
    journal = Journal(tmp_path)
    base = journal.latest(["theme:a"])
    journal.append("rename", {"theme": "a", "label": "A"}, "liisa", ["theme:a"], base)
    with pytest.raises(Conflict) as info:
        journal.append("rename", {"theme": "a", "label": "B"}, "pekka", ["theme:a"], base)
    assert info.value.reviewer == "liisa"
    # an edit of another object with the same stale base is fine
    journal.append("rename", {"theme": "b", "label": "B"}, "pekka", ["theme:b"], base)
    assert [d.payload["label"] for d in journal.active()] == ["A", "B"]


def test_concurrent_writers_never_lose_decisions(tmp_path):
    errors = []

    def writer(name: str) -> None:
        try:
            journal = Journal(tmp_path)
            for i in range(25):
                journal.append("note", {"target": f"theme:{name}", "text": str(i)}, name, [f"theme:{name}{i}"])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("a", "b", "c")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(Journal(tmp_path).all()) == 75


def test_kill_9_right_after_a_save_loses_nothing(tmp_path):
    code = (
        "import os, signal, sys\n"
        "from avovastaus.journal import Journal\n"
        f"j = Journal(r'{tmp_path}')\n"
        "j.append('rename', {'theme': 'a', 'label': 'Saved'}, 'liisa', ['theme:a'])\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code])
    assert proc.returncode == -signal.SIGKILL
    assert [d.payload["label"] for d in Journal(tmp_path).all()] == ["Saved"]


def test_crash_inside_an_unfinished_write_leaves_the_journal_consistent(tmp_path):
    Journal(tmp_path).append("rename", {"theme": "a", "label": "First"}, "liisa", ["theme:a"])
    code = (
        "import os, signal, sqlite3\n"
        f"con = sqlite3.connect(r'{tmp_path / 'review.sqlite'}', isolation_level=None)\n"
        "con.execute('BEGIN IMMEDIATE')\n"
        "con.execute(\"INSERT INTO decisions (at, reviewer, kind, payload) VALUES ('t', 'x', 'rename', '{}')\")\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    subprocess.run([sys.executable, "-c", code])
    journal = Journal(tmp_path)
    assert [d.payload.get("label") for d in journal.all()] == ["First"]
    journal.append("rename", {"theme": "a", "label": "Second"}, "liisa", ["theme:a"])
    assert len(journal.all()) == 2
    assert sqlite3.connect(tmp_path / "review.sqlite").execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_unknown_kind_is_refused(tmp_path):
    with pytest.raises(ValueError):
        Journal(tmp_path).append("delete_everything", {}, "x", [])
