"""The evaluators' decision journal: an append-only SQLite file (WAL, synchronous=FULL) in the run directory.

Every decision is one committed transaction, so ``kill -9`` right after a save loses nothing.
Each decision lists the objects it touches (``theme:<id>``, ``answer:<id>/<question>``); a
writer states the newest decision it had seen for those objects (``base``), and if someone
else has touched them since, the append is refused with :class:`Conflict` instead of silently
overwriting their work. Undo is a decision too, so the log keeps who undid what and when.

The journal is never repaired or rewritten behind the user's back. An existing file is checked
once per :class:`Journal` (``PRAGMA quick_check`` and its tables, on a read-only connection)
before anything else touches it; a damaged file, or one with another schema, stops every reader
with a coded error (E401/E402) after the decisions that can still be read are exported beside it
(``review.sqlite.readable-<UTC time>.jsonl``). A full disk or an unreadable folder is E403. A row
that can be read but not applied (invalid JSON, a missing or mistyped field, an unknown kind)
comes back as a :class:`Decision` whose ``problem`` says why, for the reader to skip and report.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from avovastaus.errors import AvovastausError
from avovastaus.io.sqlite_faults import is_environment_fault
from avovastaus.review.kinds import KINDS, SPECS, VERDICTS, Kind

JOURNAL_FILE = "review.sqlite"


_TYPE_NAMES = {str: "a string", int: "an integer", list: "a list", dict: "an object"}
_MISSING = object()

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
    # what the journal belongs to: the fingerprint of its run's answers (``run``), recorded with its first decision
    "CREATE TABLE IF NOT EXISTS about (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)
_TABLES = {"decisions": {"seq", "at", "reviewer", "kind", "payload"}, "touches": {"seq", "key"}}
#: how far past a damaged page the export looks for later decisions, one number at a time
_MAX_PROBES = 1_000_000


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
    #: why the decision cannot be applied as stored (None when it can)
    problem: str | None = None


def payload_problem(kind: str, payload: Any) -> str | None:
    """Return why a decision of ``kind`` with ``payload`` cannot be applied (unknown kind, missing or mistyped field), or None."""
    spec = SPECS.get(kind)  # type: ignore[call-overload]
    if spec is None:
        return f"unknown decision kind {kind}"
    fields = spec.fields
    if type(payload) is not dict:
        return f"its payload is a JSON {type(payload).__name__}, not an object"
    for name, expected in fields.items():
        value = payload.get(name, _MISSING)
        if type(value) is not expected:  # exact types, as JSON gives them: a bool is not an integer here
            return f"the field '{name}' is missing" if value is _MISSING else f"the field '{name}' is not {_TYPE_NAMES[expected]}"
    for name, expected in spec.optional.items():
        if payload.get(name) is not None and type(payload[name]) is not expected:
            return f"the field '{name}' is not {_TYPE_NAMES[expected]}"
    if kind in (Kind.SPLIT, Kind.MOVE_MANY) and not all(type(a) is str for a in payload["answers"]):
        return "the field 'answers' holds something other than answer keys"
    if kind == Kind.RESCORE:
        if not all(type(ts) is list and all(type(t) is str for t in ts) for ts in payload["themes"].values()):
            return "the field 'themes' holds something other than lists of theme ids"
        if not all(type(c) in (int, float) for c in payload["confidence"].values()):
            return "the field 'confidence' holds something other than numbers"
    if kind == Kind.VERDICT and payload["verdict"] not in VERDICTS:
        return f"the verdict {payload['verdict']!r} is neither {' nor '.join(VERDICTS)}"
    return None


def _text(value: Any) -> str:
    return value if type(value) is str else value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _decision(seq: Any, at: Any, reviewer: Any, kind: Any, payload: Any) -> Decision:
    """Return the Decision of one stored row, with ``problem`` set when its payload cannot be applied."""
    at, reviewer, kind = _text(at), _text(reviewer), _text(kind)
    try:
        parsed = json.loads(payload)
    except (TypeError, ValueError) as exc:
        return Decision(int(seq), at, reviewer, kind, {}, f"its payload is not valid JSON ({exc})")
    return Decision(int(seq), at, reviewer, kind, parsed if type(parsed) is dict else {}, payload_problem(kind, parsed))


#: how long a writer waits for another one (SQLite's busy timeout, and the retries of set-up and BEGIN IMMEDIATE)
BUSY_TIMEOUT_S = 30.0


def _set_up(con: sqlite3.Connection) -> None:
    """Create the tables (in one immediate transaction) and switch to WAL; a no-op on a journal already set up."""
    have = {name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {"decisions", "touches", "about"} <= have:
        con.execute("BEGIN IMMEDIATE")
        try:
            for statement in _SCHEMA:
                con.execute(statement)
            con.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                con.execute("ROLLBACK")
            raise
    if con.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        con.execute("PRAGMA journal_mode=WAL")


def _retry_busy(step: Callable[[], Any], timeout: float = BUSY_TIMEOUT_S) -> Any:
    """Run ``step``, again after a short wait while another connection holds the lock (SQLite answers some set-up steps at once)."""
    deadline = time.monotonic() + timeout
    wait = 0.005
    while True:
        try:
            return step()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(wait)
            wait = min(wait * 2, 0.2)


class _Unusable(Exception):
    """The file is damaged (``code`` E401) or not a journal (E402); ``detail`` says how."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code, self.detail = code, detail


def in_force(decisions: list[Decision]) -> list[Decision]:
    """Return the decisions of a complete, ordered log that are in force: neither undos nor undone (an undone undo restores its target).

    Decisions with a ``problem`` are kept (an undo with one undoes nothing), so that readers can
    skip each with its reason instead of losing it silently.
    """
    undone: set[int] = set()
    for d in reversed(decisions):
        if d.kind == Kind.UNDO and d.problem is None and d.seq not in undone:
            undone.add(int(d.payload["seq"]))
    return [d for d in decisions if d.seq not in undone and (d.kind != Kind.UNDO or d.problem)]


class Journal:
    """Append, read and undo evaluator decisions stored in ``<run_dir>/review.sqlite``.

    ``run`` is the fingerprint of the run's answers (:func:`avovastaus.io.rundir.fingerprint`): the
    first decision records it, and a journal that records another one is refused (E404) by every
    reader and writer, so decisions never land on answers they were not made on. Readers open the
    file read-only (no schema, no WAL switch; an archived run on read-only media reads as it is).
    """

    def __init__(self, run_dir: Path, run: str | None = None) -> None:
        self.path = Path(run_dir) / JOURNAL_FILE
        self.run = run
        self._checked = False

    def check(self) -> None:
        """Raise a coded error (E401, E402, E403, E404) if the journal exists and cannot be used; change nothing."""
        if not self._empty():
            with self._open("read") as con:
                self._owner_check(con)

    @contextlib.contextmanager
    def _open(self, action: str) -> Iterator[sqlite3.Connection]:
        """Yield a connection; every SQLite fault inside becomes a coded error (the one place readers and writers meet them)."""
        try:
            con = self._connect_read() if action == "read" else self._connect()
        except _Unusable as exc:
            raise self._unusable(exc.code, exc.detail) from None
        except (sqlite3.DatabaseError, OSError) as exc:
            raise self._fault(action, exc) from None
        try:
            yield con
        except (sqlite3.DatabaseError, OSError) as exc:
            raise self._fault(action, exc) from None
        finally:
            con.close()

    def _connect(self) -> sqlite3.Connection:
        """Return a connection for writing: the schema set up race-free (several first decisions at once all land)."""
        if not self._checked and self.path.exists() and self.path.stat().st_size > 0:  # SQLite reads an empty file as a new database
            self._check_file()
        con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        try:
            _retry_busy(lambda: _set_up(con))
            con.execute("PRAGMA synchronous=FULL")
        except BaseException:
            con.close()
            raise
        self._checked = True
        return con

    def _connect_read(self) -> sqlite3.Connection:
        """Return a read-only connection (the file must exist and hold data): nothing is created, switched or written."""
        if not self._checked:
            self._check_file()
        self._checked = True
        return self._read_only()

    def _read_only(self) -> sqlite3.Connection:
        uri = self.path.resolve().as_uri()
        con = sqlite3.connect(uri + "?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
        try:
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError as exc:
            if "unable to open" not in str(exc) and "readonly" not in str(exc).replace(" ", ""):
                return con  # damage and other faults: the caller's checks say which
            con.close()  # a WAL journal on read-only media: SQLite cannot make its -shm file there, and nothing can change it
            return sqlite3.connect(uri + "?immutable=1", uri=True)
        except sqlite3.DatabaseError:
            pass
        return con

    def _empty(self) -> bool:
        """Return whether there is nothing to read: no file, or an empty one (SQLite would make an empty file a database)."""
        return not self.path.exists() or self.path.stat().st_size == 0

    def _owner_check(self, con: sqlite3.Connection, record: bool = False) -> None:
        """Raise E404 when the journal records another run than ``self.run``; with ``record``, record ours if none is yet."""
        if self.run is None:
            return
        try:
            row = con.execute("SELECT value FROM about WHERE key = 'run'").fetchone()
        except sqlite3.OperationalError:  # a journal from before runs were recorded: nothing to compare with
            row = None
            if not record:
                return
        if row is None:
            if record:
                con.execute("INSERT OR IGNORE INTO about (key, value) VALUES ('run', ?)", (self.run,))
            return
        if row[0] != self.run:
            raise AvovastausError("E404", path=self.path, found=row[0][:12], expected=self.run[:12])

    def _check_file(self) -> None:
        """Raise :class:`_Unusable` if the existing file is damaged or holds other tables; reads only."""
        con = self._read_only()
        try:
            try:
                problems = [row[0] for row in con.execute("PRAGMA quick_check")]
            except sqlite3.DatabaseError as exc:
                if is_environment_fault(exc):
                    raise
                raise _Unusable("E401", f"an integrity check failed: {exc}") from None
            if problems != ["ok"]:
                lines = [line for p in problems for line in str(p).splitlines() if line and not line.startswith("***")]
                raise _Unusable("E401", f"{len(lines)} problems found by an integrity check, the first: {lines[0] if lines else problems[0]}")
            tables = {name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")} - {"sqlite_sequence"}
            if not tables:
                return  # a database with no tables yet: new, or another writer is creating the journal's tables right now
            for table, columns in _TABLES.items():
                have = {row[1] for row in con.execute(f"PRAGMA table_info({table})")}
                if not have:
                    found = f"its tables are {', '.join(sorted(tables))}" if tables else "it holds no tables"
                    raise _Unusable("E402", f"it has no table '{table}' ({found})")
                if not columns <= have:
                    raise _Unusable("E402", f"its table '{table}' lacks the columns {', '.join(sorted(columns - have))}")
        finally:
            con.close()

    def _fault(self, action: str, exc: BaseException) -> AvovastausError:
        """Return the coded error for a fault met while using the file: E403 for its surroundings, else E401."""
        if is_environment_fault(exc):
            return AvovastausError("E403", action=action, path=self.path, detail=str(exc))
        return self._unusable("E401", str(exc))

    def _unusable(self, code: str, detail: str) -> AvovastausError:
        """Export what can still be read and return the E401/E402 error that says where it went."""
        rows = self.readable()
        if not rows:
            readable = "No decision could be read from it."
        else:
            first, last = rows[0]["seq"], rows[-1]["seq"]
            span = f"#{first}" if first == last else f"#{first}–#{last}" + ("" if last - first + 1 == len(rows) else ", with gaps")
            try:
                export = self._export(rows)
                readable = f"The {len(rows)} decisions that could still be read ({span}) are in {export}."
            except OSError as exc:
                readable = f"{len(rows)} decisions ({span}) could still be read, but writing them beside it failed ({exc})."
        return AvovastausError(code, path=self.path, detail=detail, readable=readable)

    def readable(self) -> list[dict[str, Any]]:
        """Return every decision row that can still be read from the file, as plain dicts in order; never writes."""
        rows: dict[int, dict[str, Any]] = {}
        try:
            con = self._read_only()
        except sqlite3.Error:
            return []
        sql = "SELECT seq, at, reviewer, kind, payload FROM decisions"
        try:
            # lets SQLite load a schema whose other tables point past the end of a truncated file;
            # the connection is read-only, so nothing can be written through it
            with contextlib.suppress(sqlite3.DatabaseError):
                con.execute("PRAGMA writable_schema = ON")
            try:
                for row in con.execute(f"{sql} ORDER BY seq"):
                    if None not in row:  # NOT NULL columns read as NULL: a page past the end, not a decision
                        rows[int(row[0])] = self._plain(*row)
            except (sqlite3.DatabaseError, TypeError, ValueError):
                pass
            # past a damaged page the scan stops; look up the later numbers one by one
            top = None
            for query in ("SELECT max(seq) FROM decisions", "SELECT seq FROM sqlite_sequence WHERE name = 'decisions'"):
                with contextlib.suppress(sqlite3.DatabaseError, TypeError, ValueError):
                    top = max(top or 0, int(con.execute(query).fetchone()[0]))
            last = max(rows, default=0)
            for seq in range(last + 1, min(top or 0, last + _MAX_PROBES) + 1):
                with contextlib.suppress(sqlite3.DatabaseError, TypeError, ValueError):
                    row = con.execute(f"{sql} WHERE seq = ?", (seq,)).fetchone()
                    if row and None not in row:
                        rows[seq] = self._plain(*row)
        finally:
            con.close()
        return [rows[k] for k in sorted(rows)]

    @staticmethod
    def _plain(seq: Any, at: Any, reviewer: Any, kind: Any, payload: Any) -> dict[str, Any]:
        d = _decision(seq, at, reviewer, kind, payload)
        out: dict[str, Any] = {"seq": d.seq, "at": d.at, "reviewer": d.reviewer, "kind": d.kind, "payload": d.payload}
        if d.problem:
            out["problem"] = d.problem
            if isinstance(payload, (str, bytes)) and not d.payload:
                out["payload_text"] = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
        return out

    def _export(self, rows: list[dict[str, Any]]) -> Path:
        """Write ``rows`` as JSON lines beside the journal (reusing an identical earlier export); return its path."""
        data = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows).encode("utf-8")
        for earlier in sorted(self.path.parent.glob(f"{self.path.name}.readable-*.jsonl")):
            if earlier.stat().st_size == len(data) and earlier.read_bytes() == data:
                return earlier
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        target = self.path.with_name(f"{self.path.name}.readable-{stamp}.jsonl")
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target

    def append(self, kind: str, payload: dict[str, Any], reviewer: str, touches: Iterable[str], base: int | None = None) -> int:
        """Store a decision and return its number; raises :class:`Conflict` if a touched object changed after ``base``."""
        if kind not in KINDS:
            raise ValueError(f"unknown decision kind {kind!r}; expected one of {', '.join(KINDS)}")
        problem = payload_problem(kind, payload)
        if problem:  # what the journal stores can always be applied, or was damaged later
            raise ValueError(f"a {kind} decision cannot be stored: {problem}")
        keys = sorted(set(touches))
        with self._open("write to") as con:
            try:
                _retry_busy(lambda: con.execute("BEGIN IMMEDIATE"))
                self._owner_check(con, record=True)
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
                    with contextlib.suppress(sqlite3.Error):  # the first fault is the one to report
                        con.execute("ROLLBACK")
                raise

    def undo(self, seq: int, reviewer: str, base: int | None = None) -> int:
        """Append an undo of decision ``seq`` (touching the same objects) and return its number."""
        if self._empty():
            raise KeyError(seq)
        with self._open("read") as con:
            keys = [k for (k,) in con.execute("SELECT key FROM touches WHERE seq = ?", (seq,))]
            exists = con.execute("SELECT 1 FROM decisions WHERE seq = ?", (seq,)).fetchone()
        if not exists:
            raise KeyError(seq)
        return self.append(Kind.UNDO, {"seq": seq}, reviewer, keys, base)

    def all(self) -> list[Decision]:
        """Return every decision in order, undos included (the audit log): one read, one point in time.

        Rows that cannot be applied carry a ``problem``. Readers that derive several things from the
        journal (the reviewed export: state, decisions in force, agreement) call this once and pass it on.
        """
        if self._empty():
            return []
        with self._open("read") as con:
            self._owner_check(con)
            rows = con.execute("SELECT seq, at, reviewer, kind, payload FROM decisions ORDER BY seq").fetchall()
        return [_decision(*row) for row in rows]

    def since(self, seq: int) -> list[Decision]:
        """Return the decisions numbered above ``seq``, in order, undos included (what a reader holding state up to ``seq`` lacks)."""
        if self._empty():
            return []
        with self._open("read") as con:
            self._owner_check(con)
            rows = con.execute("SELECT seq, at, reviewer, kind, payload FROM decisions WHERE seq > ? ORDER BY seq", (seq,)).fetchall()
        return [_decision(*row) for row in rows]

    def active(self) -> list[Decision]:
        """Return the decisions in force: neither undos nor undone (an undone undo restores its target)."""
        return in_force(self.all())

    def latest(self, keys: Iterable[str] = ()) -> int:
        """Return the newest decision number touching any of ``keys`` (all decisions when none given); 0 if none."""
        if self._empty():
            return 0
        keys = list(keys)
        with self._open("read") as con:
            if keys:
                marks = ",".join("?" * len(keys))
                row = con.execute(f"SELECT max(seq) FROM touches WHERE key IN ({marks})", keys).fetchone()
            else:
                row = con.execute("SELECT max(seq) FROM decisions").fetchone()
        return int(row[0] or 0)
