"""On-disk embedding cache: one SQLite file, one row per (model namespace, text hash).

The namespace is a hash of model id + model checksum + prompt (+ backend), so a rebuilt model,
a changed prompt or another backend (ONNX int8 vectors are close to, not equal to, fp32 ones)
never reuses old vectors. Every row stores a digest of its vector bytes;
a truncated or corrupt row is detected on read, treated as a miss and overwritten.

The cache only saves time, so no fault in it may stop a run:

- a damaged file (not a database, truncated, damaged interior pages found by ``PRAGMA
  quick_check`` on first open, another schema, or corruption met later while reading or
  writing) is moved aside to ``embeddings.sqlite.damaged-<UTC time>`` with one warning, and
  a fresh cache is started; the vectors are recomputed;
- a full disk, an I/O error, a read-only or locked file: the cache is left as it is and not
  used for the rest of this instance's life, with one warning; the vectors are still returned.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence, TypeVar

import numpy as np

from avovastaus.io.sqlite_faults import is_environment_fault

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    namespace TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    dim INTEGER NOT NULL,
    digest BLOB NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (namespace, text_hash)
)
"""
_COLUMNS = {"namespace", "text_hash", "dim", "digest", "vector"}

T = TypeVar("T")


def default_cache_dir() -> Path:
    """Return $AVOVASTAUS_CACHE_DIR, else ``$XDG_CACHE_HOME/avovastaus`` (``~/.cache/avovastaus``)."""
    env = os.environ.get("AVOVASTAUS_CACHE_DIR")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "avovastaus"


def namespace(model_id: str, checksum: str, prompt: str, backend: str = "torch") -> str:
    """Return the cache namespace of a (model, checksum, prompt, backend); ``torch`` keeps the key it had before backends existed."""
    key = f"{model_id}\0{checksum}\0{prompt}" + ("" if backend == "torch" else f"\0{backend}")
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def text_hash(text: str) -> str:
    """Return the key of one text within a namespace."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _digest(blob: bytes) -> bytes:
    return hashlib.blake2b(blob, digest_size=16).digest()


class _Damaged(Exception):
    """The cache file is damaged; ``reason`` says how."""


class EmbeddingCache:
    """Vectors keyed by text within one namespace; ``stats`` counts hits, misses and corrupt rows.

    ``stats["unsaved"]`` counts vectors that could not be written (full disk, I/O error); the
    path of a damaged file moved aside, if any, is in ``moved_aside``.
    """

    def __init__(self, folder: Path, namespace: str) -> None:
        self.path = Path(folder) / "embeddings.sqlite"
        self.namespace = namespace
        self.stats = {"hits": 0, "misses": 0, "corrupt": 0, "unsaved": 0}
        self.moved_aside: Path | None = None
        self._checked = False
        self._disabled = False  # set after an environment fault: one warning, then no more tries

    def _connect(self) -> sqlite3.Connection:
        """Return a connection to a usable cache; raises :class:`_Damaged` or an environment fault."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path)
        try:
            if not self._checked:
                # interior pages are read only when a query reaches them, so check them all once
                problems = [row[0] for row in con.execute("PRAGMA quick_check")]
                if problems != ["ok"]:
                    raise _Damaged("; ".join(problems)[:300])
                columns = {row[1] for row in con.execute("PRAGMA table_info(vectors)")}
                if columns and columns != _COLUMNS:
                    raise _Damaged(f"its table has the columns {', '.join(sorted(columns))}")
            con.execute(_SCHEMA)
            self._checked = True
            return con
        except BaseException:
            con.close()
            raise

    def _guarded(self, action: str, work: Callable[[sqlite3.Connection], T], retry: bool) -> T | None:
        """Return ``work(connection)``, or None after moving a damaged file aside or meeting an environment fault.

        With ``retry``, work is tried once more on the fresh file that replaces a damaged one.
        """
        if self._disabled:
            return None
        for attempt in range(2 if retry else 1):
            try:
                con = self._connect()
                try:
                    return work(con)
                finally:
                    con.close()
            except (sqlite3.DatabaseError, OSError, _Damaged) as exc:
                if is_environment_fault(exc):
                    self._disabled = True
                    log.warning("embedding cache %s could not be %s (%s); going on without it for this run", self.path, action, exc)
                    return None
                if not self._move_aside(exc) or attempt:
                    return None
        return None

    def _move_aside(self, exc: BaseException) -> bool:
        """Move the damaged cache file (and its journal files) aside; return whether a fresh one can be started."""
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        try:
            os.replace(self.path, aside)
            for suffix in ("-journal", "-wal", "-shm"):  # a stale journal must not be replayed into the new file
                side = self.path.with_name(self.path.name + suffix)
                if side.exists():
                    os.replace(side, aside.with_name(aside.name + suffix))
        except FileNotFoundError:  # another process moved it aside first (and said so)
            self._checked = False
            return True
        except OSError as move_error:
            self._disabled = True
            log.warning("embedding cache %s is damaged (%s) and could not be moved aside (%s); going on without it for this run", self.path, exc, move_error)
            return False
        self.moved_aside = aside
        self._checked = False
        log.warning("embedding cache %s is damaged (%s); moved it to %s and started a new one (the vectors are recomputed)", self.path, exc, aside)
        return True

    def get(self, texts: Sequence[str]) -> tuple[dict[int, np.ndarray], list[int]]:
        """Return (vectors found by position, positions missing) for ``texts``."""
        keys = [text_hash(t) for t in texts]

        def read(con: sqlite3.Connection) -> tuple[dict[str, np.ndarray], list[str]]:
            found: dict[str, np.ndarray] = {}
            bad: list[str] = []
            unique = sorted(set(keys))
            for start in range(0, len(unique), 500):
                chunk = unique[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = con.execute(
                    f"SELECT text_hash, dim, digest, vector FROM vectors WHERE namespace = ? AND text_hash IN ({marks})",
                    [self.namespace, *chunk],
                )
                for key, dim, digest, blob in rows:
                    if not isinstance(blob, bytes) or len(blob) != 4 * dim or _digest(blob) != digest:
                        bad.append(key)
                        continue
                    found[key] = np.frombuffer(blob, dtype="<f4").copy()
            return found, bad

        found, bad = self._guarded("read", read, retry=False) or ({}, [])
        if bad:
            log.warning("embedding cache: %d corrupt entries will be recomputed", len(bad))
        self.stats["corrupt"] += len(bad)
        hits = {i: found[k] for i, k in enumerate(keys) if k in found}
        missing = [i for i, k in enumerate(keys) if k not in found]
        self.stats["hits"] += len(hits)
        self.stats["misses"] += len(missing)
        return hits, missing

    def put(self, texts: Sequence[str], vectors: np.ndarray) -> bool:
        """Store one vector per text (replacing any old or corrupt row), in one transaction; return whether it was stored."""
        rows = []
        for text, vec in zip(texts, np.asarray(vectors, dtype="<f4")):
            blob = vec.tobytes()
            rows.append((self.namespace, text_hash(text), int(vec.shape[0]), _digest(blob), blob))

        def write(con: sqlite3.Connection) -> bool:
            with con:
                con.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?, ?)", rows)
            return True

        stored = bool(self._guarded("written", write, retry=True))
        if not stored:
            self.stats["unsaved"] += len(rows)
        return stored
