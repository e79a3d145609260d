"""On-disk embedding cache: one SQLite file, one row per (model namespace, text hash).

The namespace is a hash of model id + model checksum + prompt, so a rebuilt model or a
changed prompt never reuses old vectors. Every row stores a digest of its vector bytes;
a truncated or corrupt row is detected on read, treated as a miss and overwritten. A
cache file that is not a database at all is moved aside and started afresh.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
from pathlib import Path
from typing import Sequence

import numpy as np

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


def default_cache_dir() -> Path:
    """Return $AVOVASTAUS_CACHE_DIR, else ``$XDG_CACHE_HOME/avovastaus`` (``~/.cache/avovastaus``)."""
    env = os.environ.get("AVOVASTAUS_CACHE_DIR")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "avovastaus"


def namespace(model_id: str, checksum: str, prompt: str) -> str:
    """Return the cache namespace of a (model, checksum, prompt) triple."""
    return hashlib.sha256(f"{model_id}\0{checksum}\0{prompt}".encode()).hexdigest()[:32]


def text_hash(text: str) -> str:
    """Return the key of one text within a namespace."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _digest(blob: bytes) -> bytes:
    return hashlib.blake2b(blob, digest_size=16).digest()


class EmbeddingCache:
    """Vectors keyed by text within one namespace; ``stats`` counts hits, misses and corrupt rows."""

    def __init__(self, folder: Path, namespace: str) -> None:
        self.path = Path(folder) / "embeddings.sqlite"
        self.namespace = namespace
        self.stats = {"hits": 0, "misses": 0, "corrupt": 0}

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            con = sqlite3.connect(self.path)
            con.execute(_SCHEMA)
            con.execute("SELECT count(*) FROM vectors WHERE 0").fetchall()
            return con
        except sqlite3.DatabaseError as exc:
            aside = self.path.with_name(f"{self.path.name}.corrupt")
            log.warning("embedding cache %s is unreadable (%s); moved to %s and starting a new one", self.path, exc, aside)
            os.replace(self.path, aside)
            con = sqlite3.connect(self.path)
            con.execute(_SCHEMA)
            return con

    def get(self, texts: Sequence[str]) -> tuple[dict[int, np.ndarray], list[int]]:
        """Return (vectors found by position, positions missing) for ``texts``."""
        keys = [text_hash(t) for t in texts]
        found: dict[str, np.ndarray] = {}
        bad: list[str] = []
        con = self._connect()
        try:
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
        finally:
            con.close()
        if bad:
            log.warning("embedding cache: %d corrupt entries will be recomputed", len(bad))
        self.stats["corrupt"] += len(bad)
        hits = {i: found[k] for i, k in enumerate(keys) if k in found}
        missing = [i for i, k in enumerate(keys) if k not in found]
        self.stats["hits"] += len(hits)
        self.stats["misses"] += len(missing)
        return hits, missing

    def put(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Store one vector per text (replacing any old or corrupt row), in one transaction."""
        rows = []
        for text, vec in zip(texts, np.asarray(vectors, dtype="<f4")):
            blob = vec.tobytes()
            rows.append((self.namespace, text_hash(text), int(vec.shape[0]), _digest(blob), blob))
        con = self._connect()
        try:
            with con:
                con.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?, ?)", rows)
        finally:
            con.close()
