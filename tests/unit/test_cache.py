"""Unit tests for avovastaus.cache: the SQLite embedding cache, its namespaces and corruption handling."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from avovastaus.cache import EmbeddingCache, default_cache_dir, namespace, text_hash

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
    assert cache.stats == {"hits": 0, "misses": 3, "corrupt": 0}

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
    assert cache.stats == {"hits": 3, "misses": 3, "corrupt": 0}


def test_partial_hit_and_repeated_texts(tmp_path: Path, ns: str) -> None:
    cache = EmbeddingCache(tmp_path, ns)
    vectors = _vectors()
    cache.put(TEXTS[:2], vectors[:2])
    found, missing = cache.get([TEXTS[1], "uusi", TEXTS[1], TEXTS[0]])
    assert missing == [1]
    np.testing.assert_array_equal(found[0], vectors[1])
    np.testing.assert_array_equal(found[2], vectors[1])
    np.testing.assert_array_equal(found[3], vectors[0])
    assert cache.stats == {"hits": 3, "misses": 1, "corrupt": 0}


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

    with caplog.at_level(logging.WARNING, logger="avovastaus.cache"):
        found, missing = cache.get(TEXTS)
    assert missing == [1]
    assert sorted(found) == [0, 2]
    np.testing.assert_array_equal(found[0], vectors[0])
    assert cache.stats == {"hits": 2, "misses": 1, "corrupt": 1}
    assert "corrupt" in caplog.text

    cache.put([TEXTS[1]], vectors[1:2])
    found, missing = cache.get(TEXTS)
    assert missing == []
    np.testing.assert_array_equal(found[1], vectors[1])
    assert cache.stats["corrupt"] == 1  # no new corrupt rows after the overwrite


@pytest.mark.parametrize("garbage", [b"this is not a database " * 100, b"\x00" * 10, b"SQLite format 3\x00" + b"\xff" * 200])
def test_garbage_file_is_moved_aside(tmp_path: Path, ns: str, garbage: bytes, caplog) -> None:
    path = tmp_path / "embeddings.sqlite"
    path.write_bytes(garbage)
    cache = EmbeddingCache(tmp_path, ns)
    with caplog.at_level(logging.WARNING, logger="avovastaus.cache"):
        found, missing = cache.get(TEXTS)
    assert found == {} and missing == [0, 1, 2]
    aside = tmp_path / "embeddings.sqlite.corrupt"
    assert aside.read_bytes() == garbage
    assert "unreadable" in caplog.text

    vectors = _vectors()
    cache.put(TEXTS, vectors)
    found, missing = cache.get(TEXTS)
    assert missing == []
    np.testing.assert_array_equal(found[2], vectors[2])


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
