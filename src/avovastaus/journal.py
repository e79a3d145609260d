"""The evaluators' decision journal: an append-only SQLite file (WAL, synchronous=FULL) in the run directory.

Every decision is one committed transaction, so ``kill -9`` right after a save loses nothing.
Each decision lists the objects it touches (``theme:<id>``, ``answer:<id>/<question>``); a
writer states the newest decision it had seen for those objects (``base``), and if someone
else has touched them since, the append is refused with :class:`Conflict` instead of silently
overwriting their work. Undo is a decision too, so the log keeps who undid what and when.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

JOURNAL_FILE = "review.sqlite"
KINDS = ("rename", "merge", "split", "move", "verdict", "note", "undo")

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS decisions (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        reviewer TEXT NOT NULL,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL
    )""",
    "CREATE TABLE IF NOT EXISTS touches (seq INTEGER NOT NULL REFERENCES decisions(seq), key TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS touches_key ON touches(key, seq)",
)


class Conflict(Exception):
    """Someone else changed the same theme or answer after this page was loaded."""

    def __init__(self, key: str, seq: int, reviewer: str, kind: str) -> None:
        self.key, self.seq, self.reviewer, self.kind = key, seq, reviewer, kind
        super().__init__(f"{key} was changed by {reviewer} ({kind}, decision #{seq}) after you loaded the page")


@dataclass(frozen=True)
class Decision:
    """One journal entry."""

    seq: int
    at: str
    reviewer: str
    kind: str
    payload: dict[str, Any]


def in_force(decisions: list[Decision]) -> list[Decision]:
    """Return the decisions of a complete, ordered log that are in force: neither undos nor undone."""
    undone: set[int] = set()
    for d in reversed(decisions):
        if d.kind == "undo" and d.seq not in undone:
            undone.add(int(d.payload["seq"]))
    return [d for d in decisions if d.kind != "undo" and d.seq not in undone]


class Journal:
    """Append, read and undo evaluator decisions stored in ``<run_dir>/review.sqlite``."""

    def __init__(self, run_dir: Path) -> None:
        self.path = Path(run_dir) / JOURNAL_FILE

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=FULL")
        for statement in _SCHEMA:
            con.execute(statement)
        return con

    def append(self, kind: str, payload: dict[str, Any], reviewer: str, touches: Iterable[str], base: int | None = None) -> int:
        """Store a decision and return its number; raises :class:`Conflict` if a touched object changed after ``base``."""
        if kind not in KINDS:
            raise ValueError(f"unknown decision kind {kind!r}; expected one of {', '.join(KINDS)}")
        keys = sorted(set(touches))
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            if base is not None and keys:
                marks = ",".join("?" * len(keys))
                row = con.execute(
                    f"SELECT t.key, d.seq, d.reviewer, d.kind FROM touches t JOIN decisions d ON d.seq = t.seq "
                    f"WHERE t.key IN ({marks}) AND t.seq > ? ORDER BY d.seq DESC LIMIT 1",
                    [*keys, base],
                ).fetchone()
                if row:
                    con.execute("ROLLBACK")
                    raise Conflict(*row)
            at = datetime.now(timezone.utc).isoformat(timespec="seconds")
            cur = con.execute(
                "INSERT INTO decisions (at, reviewer, kind, payload) VALUES (?, ?, ?, ?)",
                (at, reviewer, kind, json.dumps(payload, ensure_ascii=False, sort_keys=True)),
            )
            seq = int(cur.lastrowid)
            con.executemany("INSERT INTO touches (seq, key) VALUES (?, ?)", [(seq, k) for k in keys])
            con.execute("COMMIT")
            return seq
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise
        finally:
            con.close()

    def undo(self, seq: int, reviewer: str, base: int | None = None) -> int:
        """Append an undo of decision ``seq`` (touching the same objects) and return its number."""
        con = self._connect()
        try:
            keys = [k for (k,) in con.execute("SELECT key FROM touches WHERE seq = ?", (seq,))]
            exists = con.execute("SELECT 1 FROM decisions WHERE seq = ?", (seq,)).fetchone()
        finally:
            con.close()
        if not exists:
            raise KeyError(seq)
        return self.append("undo", {"seq": seq}, reviewer, keys, base)

    def all(self) -> list[Decision]:
        """Return every decision in order, undos included (the audit log)."""
        if not self.path.exists():
            return []
        con = self._connect()
        try:
            rows = con.execute("SELECT seq, at, reviewer, kind, payload FROM decisions ORDER BY seq").fetchall()
        finally:
            con.close()
        return [Decision(seq, at, reviewer, kind, json.loads(payload)) for seq, at, reviewer, kind, payload in rows]

    def since(self, seq: int) -> list[Decision]:
        """Return the decisions numbered above ``seq``, in order, undos included (what a reader holding state up to ``seq`` lacks)."""
        if not self.path.exists():
            return []
        con = self._connect()
        try:
            rows = con.execute("SELECT seq, at, reviewer, kind, payload FROM decisions WHERE seq > ? ORDER BY seq", (seq,)).fetchall()
        finally:
            con.close()
        return [Decision(s, at, reviewer, kind, json.loads(payload)) for s, at, reviewer, kind, payload in rows]

    def active(self) -> list[Decision]:
        """Return the decisions in force: neither undos nor undone (an undone undo restores its target)."""
        return in_force(self.all())

    def latest(self, keys: Iterable[str] = ()) -> int:
        """Return the newest decision number touching any of ``keys`` (all decisions when none given); 0 if none."""
        if not self.path.exists():
            return 0
        keys = list(keys)
        con = self._connect()
        try:
            if keys:
                marks = ",".join("?" * len(keys))
                row = con.execute(f"SELECT max(seq) FROM touches WHERE key IN ({marks})", keys).fetchone()
            else:
                row = con.execute("SELECT max(seq) FROM decisions").fetchone()
        finally:
            con.close()
        return int(row[0] or 0)
