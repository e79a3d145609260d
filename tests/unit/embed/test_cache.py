"""Unit tests for avovastaus.embed.cache: the SQLite embedding cache, its namespaces and corruption handling."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from avovastaus.embed.cache import EmbeddingCache, default_cache_dir, namespace, text_hash

TEXTS = ["Yhteistyö toimii hyvin.", "Tilat ovat kalliit.", "Tiedonkulku on huonoa."]


def _vectors(n: int = 3, dim: int = 8, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)


@pytest.fixture()
def ns() -> str:
    return namespace("e5-small", "abc123", "query: ")


def test_namespace_depends_on_model_checksum_and_prompt() -> None:
    base = namespace("e5-small", "abc", "query: ")
    assert base == namespace("e5-small", "abc", "query: ")
    assert len(base) == 32
    assert len({base, namespace("static-fi", "abc", "query: "), namespace("e5-small", "abd", "query: "), namespace("e5-small", "abc", "")}) == 4


def test_text_hash_is_exact() -> None:
    assert text_hash("Yhteistyö") == text_hash("Yhteistyö")
    assert text_hash("Yhteistyö") != text_hash("yhteistyö")
    assert text_hash("a") != text_hash("a ")


def test_default_cache_dir_follows_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AVOVASTAUS_CACHE_DIR", str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c"
    monkeypatch.delenv("AVOVASTAUS_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "avovastaus"


def test_miss_then_hit(tmp_path: Path, ns: str) -> None:
    cache = EmbeddingCache(tmp_path / "cache", ns)
    found, missing = cache.get(TEXTS)
    assert found == {} and missing == [0, 1, 2]
    assert cache.stats == {"hits": 0, "misses": 3, "corrupt": 0, "unsaved": 0}

    vectors = _vectors()
    cache.put(TEXTS, vectors)
    assert cache.path == tmp_path / "cache" / "embeddings.sqlite"
    assert cache.path.is_file()

    found, missing = cache.get(TEXTS)
    assert missing == []
    assert sorted(found) == [0, 1, 2]
    for i in range(3):
        assert found[i].dtype == np.float32
        np.testing.assert_array_equal(found[i], vectors[i])
    assert cache.stats == {"hits": 3, "misses": 3, "corrupt": 0, "unsaved": 0}


def test_partial_hit_and_repeated_texts(tmp_path: Path, ns: str) -> None:
    cache = EmbeddingCache(tmp_path, ns)
    vectors = _vectors()
    cache.put(TEXTS[:2], vectors[:2])
    found, missing = cache.get([TEXTS[1], "uusi", TEXTS[1], TEXTS[0]])
    assert missing == [1]
    np.testing.assert_array_equal(found[0], vectors[1])
    np.testing.assert_array_equal(found[2], vectors[1])
    np.testing.assert_array_equal(found[3], vectors[0])
    assert cache.stats == {"hits": 3, "misses": 1, "corrupt": 0, "unsaved": 0}


def test_persists_across_instances(tmp_path: Path, ns: str) -> None:
    vectors = _vectors()
    EmbeddingCache(tmp_path, ns).put(TEXTS, vectors)
    found, missing = EmbeddingCache(tmp_path, ns).get(TEXTS)
    assert missing == []
    np.testing.assert_array_equal(np.stack([found[i] for i in range(3)]), vectors)


def test_other_namespace_misses(tmp_path: Path, ns: str) -> None:
    EmbeddingCache(tmp_path, ns).put(TEXTS, _vectors())
    other = EmbeddingCache(tmp_path, namespace("e5-small", "abc123", "passage: "))
    found, missing = other.get(TEXTS)
    assert found == {} and missing == [0, 1, 2]
    assert other.stats["misses"] == 3


def test_put_replaces_old_vector(tmp_path: Path, ns: str) -> None:
    cache = EmbeddingCache(tmp_path, ns)
    cache.put(TEXTS[:1], _vectors(1, seed=1))
    new = _vectors(1, seed=2)
    cache.put(TEXTS[:1], new)
    found, _ = cache.get(TEXTS[:1])
    np.testing.assert_array_equal(found[0], new[0])
    with sqlite3.connect(cache.path) as con:
        assert con.execute("SELECT count(*) FROM vectors").fetchone()[0] == 1


def test_float64_input_is_stored_as_float32(tmp_path: Path, ns: str) -> None:
    cache = EmbeddingCache(tmp_path, ns)
    vectors = np.array([[0.1, 0.2, 0.3]], dtype=np.float64)
    cache.put(["a"], vectors)
    found, _ = cache.get(["a"])
    np.testing.assert_allclose(found[0], vectors[0], rtol=1e-7)


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        ("UPDATE vectors SET vector = ? WHERE text_hash = ?", lambda blob: (blob[:5],)),  # truncated vector
        ("UPDATE vectors SET digest = ? WHERE text_hash = ?", lambda blob: (b"\0" * 16,)),  # digest does not match
        ("UPDATE vectors SET vector = ? WHERE text_hash = ?", lambda blob: (bytes([blob[0] ^ 1]) + blob[1:],)),  # one bit flipped
        ("UPDATE vectors SET dim = 7 WHERE text_hash = ?", lambda blob: ()),  # wrong dimension
        ("UPDATE vectors SET vector = ? WHERE text_hash = ?", lambda blob: ("not bytes",)),  # wrong type
    ],
)
def test_corrupt_row_is_a_counted_miss_and_overwritten(tmp_path: Path, ns: str, sql: str, params, caplog) -> None:
    cache = EmbeddingCache(tmp_path, ns)
    vectors = _vectors()
    cache.put(TEXTS, vectors)
    key = text_hash(TEXTS[1])
    with sqlite3.connect(cache.path) as con:
        (blob,) = con.execute("SELECT vector FROM vectors WHERE text_hash = ?", (key,)).fetchone()
        con.execute(sql, (*params(blob), key))
    con.close()

    with caplog.at_level(logging.WARNING, logger="avovastaus.embed.cache"):
        found, missing = cache.get(TEXTS)
    assert missing == [1]
    assert sorted(found) == [0, 2]
    np.testing.assert_array_equal(found[0], vectors[0])
    assert cache.stats == {"hits": 2, "misses": 1, "corrupt": 1, "unsaved": 0}
    assert "corrupt" in caplog.text

    cache.put([TEXTS[1]], vectors[1:2])
    found, missing = cache.get(TEXTS)
    assert missing == []
    np.testing.assert_array_equal(found[1], vectors[1])
    assert cache.stats["corrupt"] == 1  # no new corrupt rows after the overwrite


def test_creates_missing_folder(tmp_path: Path, ns: str) -> None:
    cache = EmbeddingCache(tmp_path / "a" / "b", ns)
    cache.put(["x"], _vectors(1))
    assert (tmp_path / "a" / "b" / "embeddings.sqlite").is_file()


def test_many_texts_beyond_one_query_chunk(tmp_path: Path, ns: str) -> None:
    texts = [f"vastaus {i}" for i in range(1203)]
    vectors = _vectors(len(texts), dim=4)
    cache = EmbeddingCache(tmp_path, ns)
    cache.put(texts, vectors)
    found, missing = cache.get(texts)
    assert missing == []
    np.testing.assert_array_equal(np.stack([found[i] for i in range(len(texts))]), vectors)


# ---------------------------------------------------------------- damaged files and a failing disk (issue #17)

MANY = [f"vastaus {i}" for i in range(2000)]


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "avovastaus.embed.cache" and r.levelno == logging.WARNING]


def _damaged(folder: Path) -> list[Path]:
    return sorted(folder.glob("embeddings.sqlite.damaged-*"))


def _written(folder: Path, ns: str) -> tuple[Path, np.ndarray]:
    """Write a valid cache of 2,000 rows; return its path and vectors."""
    vectors = _vectors(len(MANY), dim=64)
    cache = EmbeddingCache(folder, ns)
    cache.put(MANY, vectors)
    return cache.path, vectors


def _damage_middle(path: Path) -> bytes:
    """Overwrite 4 KiB in the middle of the file (interior b-tree pages); return the damaged bytes."""
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 4096] = b"\xff" * 4096
    path.write_bytes(bytes(data))
    return bytes(data)


def _assert_recovers(folder: Path, ns: str, damaged: bytes, caplog: pytest.LogCaptureFixture) -> None:
    """A damaged cache: all misses, one warning, the file kept aside unchanged, and the next put/get works."""
    cache = EmbeddingCache(folder, ns)
    with caplog.at_level(logging.WARNING, logger="avovastaus.embed.cache"):
        found, missing = cache.get(TEXTS)
        assert found == {} and missing == [0, 1, 2]
        vectors = _vectors()
        assert cache.put(TEXTS, vectors) is True
        found, missing = cache.get(TEXTS)
    assert missing == []
    np.testing.assert_array_equal(found[2], vectors[2])
    warnings = _warnings(caplog)
    assert len(warnings) == 1 and "damaged" in warnings[0] and "moved it to" in warnings[0]
    (aside,) = _damaged(folder)
    assert aside.read_bytes() == damaged
    assert cache.moved_aside == aside and str(aside) in warnings[0]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="avovastaus.embed.cache"):
        assert EmbeddingCache(folder, ns).get(TEXTS)[1] == []  # the fresh file passes the check
    assert _warnings(caplog) == []


def test_damaged_interior_pages_are_moved_aside(tmp_path: Path, ns: str, caplog) -> None:
    path, _ = _written(tmp_path, ns)
    damaged = _damage_middle(path)
    with sqlite3.connect(path) as con:  # the damage is not in the header: SQLite opens it, and a lookup may even work
        assert con.execute("PRAGMA quick_check").fetchone()[0] != "ok"
    con.close()
    _assert_recovers(tmp_path, ns, damaged, caplog)


def test_truncated_file_is_moved_aside(tmp_path: Path, ns: str, caplog) -> None:
    path, _ = _written(tmp_path, ns)
    truncated = path.read_bytes()[: path.stat().st_size // 2]
    path.write_bytes(truncated)
    _assert_recovers(tmp_path, ns, truncated, caplog)


@pytest.mark.parametrize("garbage", [b"this is not a database " * 100, b"\x00" * 10, b"SQLite format 3\x00" + b"\xff" * 200])
def test_garbage_file_is_moved_aside(tmp_path: Path, ns: str, garbage: bytes, caplog) -> None:
    (tmp_path / "embeddings.sqlite").write_bytes(garbage)
    _assert_recovers(tmp_path, ns, garbage, caplog)


def test_another_schema_is_moved_aside(tmp_path: Path, ns: str, caplog) -> None:
    path = tmp_path / "embeddings.sqlite"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE vectors (text TEXT, vector BLOB)")
        con.execute("INSERT INTO vectors VALUES ('a', x'00')")
    con.close()
    _assert_recovers(tmp_path, ns, path.read_bytes(), caplog)


def test_another_schema_reason_is_stated(tmp_path: Path, ns: str, caplog) -> None:
    with sqlite3.connect(tmp_path / "embeddings.sqlite") as con:
        con.execute("CREATE TABLE vectors (text TEXT, vector BLOB)")
    con.close()
    with caplog.at_level(logging.WARNING, logger="avovastaus.embed.cache"):
        EmbeddingCache(tmp_path, ns).get(TEXTS)
    assert "columns text, vector" in caplog.text


def test_damage_first_met_by_a_write_is_moved_aside_and_the_write_lands(tmp_path: Path, ns: str, caplog) -> None:
    path, _ = _written(tmp_path, ns)
    _damage_middle(path)
    cache = EmbeddingCache(tmp_path, ns)
    vectors = _vectors()
    with caplog.at_level(logging.WARNING, logger="avovastaus.embed.cache"):
        assert cache.put(TEXTS, vectors) is True
    assert len(_warnings(caplog)) == 1 and len(_damaged(tmp_path)) == 1
    found, missing = EmbeddingCache(tmp_path, ns).get(TEXTS)
    assert missing == [] and cache.stats["unsaved"] == 0
    np.testing.assert_array_equal(found[0], vectors[0])


def test_damage_after_the_open_check_is_caught_on_read(tmp_path: Path, ns: str, caplog) -> None:
    path, _ = _written(tmp_path, ns)
    cache = EmbeddingCache(tmp_path, ns)
    assert cache.get(MANY[:3])[1] == []  # checked and fine
    _damage_middle(path)  # damaged while the run goes on
    with caplog.at_level(logging.WARNING, logger="avovastaus.embed.cache"):
        found, missing = cache.get(MANY)
    assert len(_warnings(caplog)) == 1 and len(_damaged(tmp_path)) == 1
    assert len(found) + len(missing) == len(MANY) and missing  # whatever could not be read is recomputed


def test_a_stale_rollback_journal_is_not_replayed_into_the_new_file(tmp_path: Path, ns: str) -> None:
    (tmp_path / "embeddings.sqlite").write_bytes(b"garbage" * 100)
    (tmp_path / "embeddings.sqlite-journal").write_bytes(b"old journal" * 100)
    cache = EmbeddingCache(tmp_path, ns)
    cache.get(TEXTS)
    vectors = _vectors()
    cache.put(TEXTS, vectors)
    assert not (tmp_path / "embeddings.sqlite-journal").exists()
    found, missing = EmbeddingCache(tmp_path, ns).get(TEXTS)
    assert missing == []
    np.testing.assert_array_equal(found[1], vectors[1])


class _FailingWrites:
    """A connection whose writes fail with ``error``; everything else goes to the real connection."""

    def __init__(self, con: sqlite3.Connection, error: Exception) -> None:
        self._con, self._error = con, error

    def executemany(self, *args, **kwargs):
        raise self._error

    def __enter__(self):
        return self._con.__enter__()

    def __exit__(self, *exc):
        return self._con.__exit__(*exc)

    def __getattr__(self, name: str):
        return getattr(self._con, name)


@pytest.mark.parametrize("message", ["database or disk is full", "disk I/O error"])
def test_full_disk_on_write_skips_the_write_with_one_warning(tmp_path: Path, ns: str, message: str, monkeypatch, caplog) -> None:
    cache = EmbeddingCache(tmp_path, ns)
    cache.put(TEXTS[:1], _vectors(1))
    before = cache.path.read_bytes()
    real = EmbeddingCache._connect
    monkeypatch.setattr(EmbeddingCache, "_connect", lambda self: _FailingWrites(real(self), sqlite3.OperationalError(message)))
    with caplog.at_level(logging.WARNING, logger="avovastaus.embed.cache"):
        assert cache.put(TEXTS, _vectors()) is False
        assert cache.put(TEXTS, _vectors()) is False  # no second try, no second warning
    (warning,) = _warnings(caplog)
    assert message in warning and str(cache.path) in warning and "going on without it" in warning
    assert cache.stats["unsaved"] == 6
    assert _damaged(tmp_path) == [] and cache.path.read_bytes() == before  # a full disk is not damage


def test_a_real_sqlite_full_error_is_recognised(tmp_path: Path, ns: str, monkeypatch, caplog) -> None:
    """SQLITE_FULL raised by SQLite itself (max_page_count reached), not an injected exception."""
    EmbeddingCache(tmp_path, ns).put(TEXTS[:1], _vectors(1))
    real_connect = sqlite3.connect

    def capped(*args, **kwargs):
        con = real_connect(*args, **kwargs)
        con.execute("PRAGMA max_page_count = 3")
        return con

    monkeypatch.setattr("avovastaus.embed.cache.sqlite3.connect", capped)
    cache = EmbeddingCache(tmp_path, ns)
    with caplog.at_level(logging.WARNING, logger="avovastaus.embed.cache"):
        assert cache.put(MANY, _vectors(len(MANY), dim=64)) is False
    assert len(_warnings(caplog)) == 1 and "full" in caplog.text
    assert _damaged(tmp_path) == []


def test_embed_returns_vectors_when_the_cache_cannot_be_written(tmp_path: Path, monkeypatch) -> None:
    from avovastaus.embed.backends import embed

    class Lengths:
        model_id, checksum, prompt = "lengths", "c0", ""

        def encode(self, texts):
            return np.stack([np.full(4, len(t), dtype=np.float32) for t in texts])

    real = EmbeddingCache._connect
    monkeypatch.setattr(EmbeddingCache, "_connect", lambda self: _FailingWrites(real(self), sqlite3.OperationalError("database or disk is full")))
    vectors, stats = embed(Lengths(), ["a", "bb", "a"], cache_dir=tmp_path)
    np.testing.assert_array_equal(vectors[:, 0], [1, 2, 1])
    assert stats["misses"] == 2


def test_io_error_on_read_is_a_miss_and_keeps_the_file(tmp_path: Path, ns: str, monkeypatch, caplog) -> None:
    cache = EmbeddingCache(tmp_path, ns)
    cache.put(TEXTS, _vectors())

    def failing(self):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(EmbeddingCache, "_connect", failing)
    with caplog.at_level(logging.WARNING, logger="avovastaus.embed.cache"):
        found, missing = cache.get(TEXTS)
        assert cache.put(TEXTS, _vectors()) is False
    assert found == {} and missing == [0, 1, 2]
    assert len(_warnings(caplog)) == 1 and _damaged(tmp_path) == []


def test_damaged_file_that_cannot_be_moved_aside_is_not_used(tmp_path: Path, ns: str, monkeypatch, caplog) -> None:
    garbage = b"not a database" * 100
    (tmp_path / "embeddings.sqlite").write_bytes(garbage)

    def refuse(*args):
        raise PermissionError("read-only folder")

    monkeypatch.setattr("avovastaus.embed.cache.os.replace", refuse)
    cache = EmbeddingCache(tmp_path, ns)
    with caplog.at_level(logging.WARNING, logger="avovastaus.embed.cache"):
        assert cache.get(TEXTS)[1] == [0, 1, 2]
        assert cache.put(TEXTS, _vectors()) is False
    (warning,) = _warnings(caplog)
    assert "could not be moved aside" in warning
    assert (tmp_path / "embeddings.sqlite").read_bytes() == garbage
