"""The decision journal: append, replay, undo, conflicts, crash safety."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading

import pytest

from avovastaus.review.journal import Conflict, Journal

from .damage import garbage, interior, truncated


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
        "from avovastaus.review.journal import Journal\n"
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


def test_a_payload_that_could_not_be_applied_is_refused(tmp_path):
    with pytest.raises(ValueError, match="the field 'to' is missing"):
        Journal(tmp_path).append("move", {"answer": "1/q"}, "x", ["answer:1/q"])
    assert Journal(tmp_path).all() == []


# ---------------------------------------------------------------- damaged journals (issue #17): never rewritten, a coded error with an export

import json  # noqa: E402
from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402

from avovastaus.errors import AvovastausError  # noqa: E402
from avovastaus.review.journal import payload_problem  # noqa: E402
from avovastaus.review.state import NotApplicable, Reviewed, replay  # noqa: E402


def _filled(folder: Path, n: int = 300) -> Path:
    """A journal of ``n`` notes (several pages, written in one transaction to keep the test fast); returns its path."""
    Journal(folder).append("note", {"target": "theme:t0", "text": "muistiinpano 0 " + "x" * 150}, "liisa", ["theme:t0"])
    path = folder / "review.sqlite"
    con = sqlite3.connect(path)
    with con:
        for i in range(1, n):
            payload = json.dumps({"target": f"theme:t{i}", "text": f"muistiinpano {i} " + "x" * 150}, sort_keys=True)
            seq = con.execute("INSERT INTO decisions (at, reviewer, kind, payload) VALUES ('2025-01-01', 'liisa', 'note', ?)", (payload,)).lastrowid
            con.execute("INSERT INTO touches VALUES (?, ?)", (seq, f"theme:t{i}"))
    con.close()
    assert not (folder / "review.sqlite-wal").exists()
    return path


def _exports(folder: Path) -> list[Path]:
    return sorted(folder.glob("review.sqlite.readable-*.jsonl"))


READERS = {
    "all": lambda j: j.all(),
    "active": lambda j: j.active(),
    "latest": lambda j: j.latest(),
    "latest of keys": lambda j: j.latest(["theme:t1"]),
    "check": lambda j: j.check(),
    "append": lambda j: j.append("note", {"target": "theme:t1", "text": "uusi"}, "pekka", ["theme:t1"]),
    "undo": lambda j: j.undo(1, "pekka"),
}


@pytest.mark.parametrize("damage", [interior, truncated, garbage])
def test_damaged_journal_stops_every_use_with_E401_and_is_left_as_it_is(tmp_path, damage):
    path = _filled(tmp_path)
    damage(path)
    before = path.read_bytes()
    messages = []
    for name, use in READERS.items():
        with pytest.raises(AvovastausError) as info:
            use(Journal(tmp_path))
        assert info.value.code == "E401", name
        messages.append(str(info.value))
    assert path.read_bytes() == before  # never repaired or rewritten
    assert str(path) in messages[0] and "damaged" in messages[0] and "Fix:" in messages[0]
    exports = _exports(tmp_path)
    if damage is garbage:
        assert exports == [] and "No decision could be read" in messages[0]
        return
    assert len(exports) == 1  # the same content is exported once, not once per reader
    assert all(str(exports[0]) in m for m in messages)
    rows = [json.loads(line) for line in exports[0].read_text(encoding="utf-8").splitlines()]
    sound = [r for r in rows if "problem" not in r]
    assert 0 < len(sound) < 300
    for r in sound:  # what is exported is what was written
        assert r["kind"] == "note" and r["reviewer"] == "liisa"
        assert r["payload"] == {"target": f"theme:t{r['seq'] - 1}", "text": f"muistiinpano {r['seq'] - 1} " + "x" * 150}
    assert f"The {len(rows)} decisions that could still be read" in messages[0]


def test_quick_check_finds_damage_that_a_lookup_would_miss(tmp_path):
    path = _filled(tmp_path)
    data = bytearray(path.read_bytes())
    page = data.index("muistiinpano 9 ".encode()) // 4096  # a leaf of early decisions, off the path to the newest
    data[page * 4096 : (page + 1) * 4096] = b"\xff" * 4096
    path.write_bytes(bytes(data))
    con = sqlite3.connect(path)
    assert con.execute("SELECT max(seq) FROM decisions").fetchone()[0] == 300  # what latest() asked before
    with pytest.raises(sqlite3.DatabaseError):
        con.execute("SELECT payload FROM decisions WHERE seq = 10").fetchone()
    con.close()
    with pytest.raises(AvovastausError) as info:
        Journal(tmp_path).latest()
    assert "integrity check" in info.value.message


def _sqlite(path: Path, *statements: str) -> bytes:
    con = sqlite3.connect(path)
    for statement in statements:
        con.execute(statement)
    con.commit()
    con.close()
    return path.read_bytes()


@pytest.mark.parametrize(
    ("statements", "detail", "readable"),
    [
        (["CREATE TABLE answers (id TEXT, text TEXT)"], "no table 'decisions' (its tables are answers)", "No decision could be read"),
        (["CREATE TABLE decisions (seq INTEGER PRIMARY KEY, at TEXT, kind TEXT)", "CREATE TABLE touches (seq, key)"],
         "table 'decisions' lacks the columns payload, reviewer", "No decision could be read"),
        (["CREATE TABLE decisions (seq INTEGER PRIMARY KEY, at TEXT, reviewer TEXT, kind TEXT, payload TEXT)",
          """INSERT INTO decisions VALUES (1, 't', 'liisa', 'rename', '{"theme": "a", "label": "A"}')"""],
         "no table 'touches'", "The 1 decisions that could still be read (#1)"),
    ],
)
def test_another_schema_is_E402_and_is_left_as_it_is(tmp_path, statements, detail, readable):
    path = tmp_path / "review.sqlite"
    before = _sqlite(path, *statements)
    for use in READERS.values():
        with pytest.raises(AvovastausError) as info:
            use(Journal(tmp_path))
        assert info.value.code == "E402"
        assert detail in info.value.message and readable in info.value.message
    assert path.read_bytes() == before  # no journal tables were added to someone else's file


def test_an_empty_file_is_a_new_journal(tmp_path):
    (tmp_path / "review.sqlite").write_bytes(b"")
    journal = Journal(tmp_path)
    assert journal.all() == []
    assert journal.append("rename", {"theme": "a", "label": "A"}, "liisa", ["theme:a"]) == 1


def _stored(folder: Path, *rows: tuple[str, str]) -> Journal:
    """A journal holding one sound rename, then ``rows`` of (kind, payload text) written past the API."""
    journal = Journal(folder)
    journal.append("rename", {"theme": "a", "label": "A"}, "liisa", ["theme:a"])
    con = sqlite3.connect(folder / "review.sqlite")
    con.executemany("INSERT INTO decisions (at, reviewer, kind, payload) VALUES ('2025-01-01', 'pekka', ?, ?)", rows)
    con.commit()
    con.close()
    return Journal(folder)


@pytest.mark.parametrize(
    ("kind", "payload", "reason"),
    [
        ("move", '{"answer": "1/q", "to": ', "its payload is not valid JSON"),
        ("move", '{"answer": "1/q"}', "the field 'to' is missing"),
        ("rename", '{"label": "B"}', "the field 'theme' is missing"),
        ("verdict", '{"answer": "1/q", "theme": "a", "verdict": "maybe"}', "the verdict 'maybe' is neither confirmed nor wrong"),
        ("split", '{"theme": "a", "new_theme": "b", "label": "B", "answers": "1/q"}', "the field 'answers' is not a list"),
        ("merge", '["a", "b"]', "its payload is a JSON list, not an object"),
        ("explode", '{}', "unknown decision kind explode"),
    ],
)
def test_a_row_that_cannot_be_applied_is_skipped_with_its_reason(tmp_path, kind, payload, reason):
    journal = _stored(tmp_path, (kind, payload))
    decisions = journal.all()
    assert [d.problem for d in decisions][0] is None
    assert reason in decisions[1].problem
    assert [d.seq for d in journal.active()] == [1, 2]  # kept, so that readers can say why it was skipped
    answers = pd.DataFrame({"id": ["1"], "question": ["q"], "text": ["teksti"], "excluded": [""], "themes": ["a"]})
    themes = pd.DataFrame({"theme": ["a"], "label": ["a"], "source": ["discovered"]})
    state = replay(tmp_path, answers, themes)
    assert state.labels == {"a": "A"} and state.applied == [1]
    assert state.skipped == [{"seq": 2, "kind": kind, "reason": decisions[1].problem}]
    with pytest.raises(NotApplicable, match=reason.split(" (")[0]):
        Reviewed.from_tables(answers, themes).apply(decisions[1])


def test_an_unreadable_undo_undoes_nothing_and_is_reported(tmp_path):
    journal = _stored(tmp_path, ("undo", '{"sequence": 1}'))
    active = journal.active()
    assert [d.seq for d in active] == [1, 2] and active[1].problem == "the field 'seq' is missing"
    journal.undo(1, "liisa")  # a sound undo still works
    assert [d.seq for d in journal.active()] == [2]


@pytest.mark.parametrize(
    ("kind", "payload", "problem"),
    [
        ("rename", {"theme": "a", "label": "A", "description": ""}, None),
        ("rename", {"theme": "a", "label": "A", "description": 3}, "the field 'description' is not a string"),
        ("move", {"answer": "1/q", "to": "b", "from": None}, None),
        ("move", {"answer": "1/q", "to": "b", "from": ["a"]}, "the field 'from' is not a string"),
        ("split", {"theme": "a", "new_theme": "arvio_01", "label": "B", "answers": ["1/q", 2]}, "the field 'answers' holds something other than answer keys"),
        ("note", {"target": "theme:a", "text": "hyvä"}, None),
        ("undo", {"seq": 3}, None),
        ("undo", {"seq": True}, "the field 'seq' is not an integer"),
        ("undo", {"seq": "3"}, "the field 'seq' is not an integer"),
        ("verdict", {"answer": "1/q", "theme": "a", "verdict": "confirmed", "carried_from": "x#1"}, None),
    ],
)
def test_payload_problem(kind, payload, problem):
    assert payload_problem(kind, payload) == problem


def test_full_disk_on_append_is_E403_and_loses_nothing(tmp_path, monkeypatch):
    """SQLITE_FULL raised by SQLite itself (max_page_count reached)."""
    journal = Journal(tmp_path)
    journal.append("rename", {"theme": "a", "label": "A"}, "liisa", ["theme:a"])
    real_connect = sqlite3.connect

    def capped(*args, **kwargs):
        con = real_connect(*args, **kwargs)
        con.execute(f"PRAGMA max_page_count = {con.execute('PRAGMA page_count').fetchone()[0]}")
        return con

    monkeypatch.setattr("avovastaus.review.journal.sqlite3.connect", capped)
    with pytest.raises(AvovastausError) as info:
        journal.append("note", {"target": "theme:a", "text": "x" * 20000}, "liisa", ["theme:a"])
    assert info.value.code == "E403" and "Cannot write to the review journal" in info.value.message and "full" in info.value.message
    monkeypatch.undo()
    assert [d.seq for d in Journal(tmp_path).all()] == [1]
    assert _exports(tmp_path) == []  # a full disk is not damage


def test_unopenable_journal_is_E403(tmp_path, monkeypatch):
    Journal(tmp_path).append("rename", {"theme": "a", "label": "A"}, "liisa", ["theme:a"])

    def refuse(*args, **kwargs):
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr("avovastaus.review.journal.sqlite3.connect", refuse)
    with pytest.raises(AvovastausError) as info:
        Journal(tmp_path).all()
    assert info.value.code == "E403" and "Cannot read the review journal" in info.value.message


def test_every_decision_kind_has_one_spec_shared_by_journal_and_review():
    from avovastaus.review.journal import payload_problem
    from avovastaus.review.kinds import SPECS, Kind, touches_of

    assert set(SPECS) == set(Kind)
    assert touches_of("merge", {"source": "a", "target": "b"}) == ["theme:a", "theme:b"]
    assert touches_of(Kind.SPLIT, {"theme": "a", "new_theme": "x", "label": "X", "answers": ["1/q"]}) == ["theme:a", "answer:1/q"]
    assert touches_of("move", {"answer": "1/q", "to": "b"}) == ["answer:1/q"]
    assert touches_of("no_such_kind", {}) == []
    for kind, spec in SPECS.items():
        for name in spec.fields:
            payload = {n: ([] if t is list else {} if t is dict else 1 if t is int else "x") for n, t in spec.fields.items() if n != name}
            assert f"'{name}'" in payload_problem(kind, payload)


def test_carry_over_translates_the_theme_and_answer_fields_the_spec_names():
    from avovastaus.review.carryover import _translate
    from avovastaus.review.journal import Decision
    from avovastaus.review.state import NotApplicable

    themes, answers = {"a": "A", "b": "B"}, {"1/q": "9/q"}
    moved = _translate(Decision(1, "t", "r", "move", {"answer": "1/q", "to": "b", "from": "a"}), themes, answers)
    assert moved.payload == {"answer": "9/q", "to": "B", "from": "A"}
    split = _translate(Decision(2, "t", "r", "split", {"theme": "a", "new_theme": "x", "label": "X", "answers": ["1/q", "2/q"]}), themes, answers)
    assert split.payload["theme"] == "A" and split.payload["answers"] == ["9/q"]
    with pytest.raises(NotApplicable, match="no counterpart"):
        _translate(Decision(3, "t", "r", "rename", {"theme": "zz", "label": "Z"}), themes, answers)
