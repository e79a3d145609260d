"""Embedding on a Dask cluster: a LocalCluster with two worker processes gives the same results as a local run,
fills the cache, and finishes when a worker dies mid-run."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import sqlite3
import time

import numpy as np
import pytest

from avovastaus.config import load_config
from avovastaus.embed.backends import embed
from avovastaus.embed.distributed import DaskEmbedder, partitions
from avovastaus.errors import AvovastausError
from avovastaus.pipeline import run_pipeline

from .conftest import CORPORA

distributed = pytest.importorskip("distributed")

SAMPLE = CORPORA / "kuntajarjesto" / "answers.csv"
INGEST = {"id": "vastaaja_id", "text": ["yhteistyo_nyt", "kehittaminen"], "group": ["vastaajaryhma", "alue"]}
OUTPUTS = ("answers.csv", "themes.csv", "groups.csv")


class SlowHash:
    """A stand-in embedder for the workers: vectors from each text's hash, ``delay`` seconds per chunk."""

    model_id, checksum, prompt = "slow-hash", "0", ""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay

    def encode(self, texts):
        time.sleep(self.delay)
        rows = [np.frombuffer(hashlib.sha256(t.encode()).digest(), dtype=np.uint8)[:8].astype(np.float32) + 1 for t in texts]
        return np.stack(rows) / np.linalg.norm(rows, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1") as local:
        yield local


def test_partitions_hold_whole_chunks_up_to_the_size():
    assert partitions([256, 256, 256, 100], 512) == [[0, 1], [2, 3]]
    assert partitions([256, 256], 100) == [[0], [1]]  # a chunk larger than a partition is a partition of its own
    assert partitions([], 10) == []


def test_dask_run_gives_the_same_bytes_as_a_local_run_and_fills_the_cache(cluster, tmp_path, monkeypatch):
    config = load_config(overrides={"ingest": INGEST, "embed": {"model": "static-fi"}, "codebook": "none"})
    monkeypatch.setenv("AVOVASTAUS_CACHE_DIR", str(tmp_path / "cache-local"))
    run_pipeline(SAMPLE, config, tmp_path / "local")
    monkeypatch.setenv("AVOVASTAUS_CACHE_DIR", str(tmp_path / "cache-dask"))
    dask_config = config.model_copy(update={"compute": config.compute.model_copy(update={"dask": cluster.scheduler_address, "partition": 256})})
    run_pipeline(SAMPLE, dask_config, tmp_path / "dask")
    for name in OUTPUTS:
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
    manifest = json.loads((tmp_path / "dask" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["embedder"]["dask"]["partitions"] >= 2 and manifest["embedder"]["cache"]["misses"] > 0
    with sqlite3.connect(tmp_path / "cache-dask" / "embeddings.sqlite") as con:  # every vector from the workers was stored
        assert con.execute("SELECT COUNT(*) FROM vectors").fetchone()[0] == manifest["embedder"]["cache"]["misses"]


def test_a_worker_killed_mid_run_does_not_stop_the_job(cluster, tmp_path):
    texts = [f"vastaus numero {i}" + " sana" * (i % 7) for i in range(96)]
    expected, _ = embed(SlowHash(), texts, use_cache=False, chunk=8)
    dasky = DaskEmbedder(SlowHash(delay=0.4), cluster.scheduler_address, partition=8, retries=1)
    client = distributed.Client(cluster.scheduler_address, set_as_default=False)
    try:
        pids = client.run(os.getpid)  # worker address -> process id
        seen, killed = [], []

        def progress(n):
            if n and not killed:  # the first partition is back: kill a worker that is busy with another
                busy = [w for w, keys in client.processing().items() if keys] or list(pids)
                os.kill(pids[busy[0]], signal.SIGKILL)
                killed.append(busy[0])
            seen.append(n)

        vectors, stats = embed(dasky, texts, cache_dir=tmp_path, progress=progress, chunk=8)
    finally:
        client.close()
    np.testing.assert_array_equal(vectors, expected)
    assert killed and sum(seen) == len(texts) and stats["misses"] == len(texts)
    assert dasky.report()["partitions"] == 12


def test_unreachable_scheduler_is_a_coded_error(monkeypatch):
    monkeypatch.setattr("avovastaus.embed.distributed.CONNECT_TIMEOUT_S", 1)
    with pytest.raises(AvovastausError) as info:
        DaskEmbedder(SlowHash(), "tcp://127.0.0.1:9").encode(["a"])
    assert info.value.code == "E205"


def test_cli_dask_option_reaches_the_embedding_and_fails_cleanly(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from avovastaus.cli import app

    monkeypatch.setattr("avovastaus.embed.distributed.CONNECT_TIMEOUT_S", 1)
    monkeypatch.setenv("AVOVASTAUS_CACHE_DIR", str(tmp_path / "cache"))  # an empty cache: the answers must be embedded, so Dask is asked
    tiny = CORPORA / "tiny" / "answers.csv"
    result = CliRunner().invoke(app, ["run", str(tiny), "--id", "vastaaja_id", "--text", "yhteistyo_nyt", "--fast", "--codebook", "none",
                                      "--dask", "tcp://127.0.0.1:9", "--out", str(tmp_path / "run"), "--quiet"])
    assert result.exit_code == 2 and "E205" in result.output
    assert not (tmp_path / "run").exists()


def test_a_scheduler_lost_mid_run_is_named_as_such():
    """The scheduler shut down after the first partition: E207 (the cluster is gone), not E206 (a partition failed)."""
    local = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1")
    dasky = DaskEmbedder(SlowHash(delay=0.3), local.scheduler_address, partition=8, retries=1)
    stopped = []

    def progress(n):
        if n and not stopped:
            other = distributed.Client(local.scheduler_address, set_as_default=False)
            other.shutdown()
            stopped.append(True)

    try:
        with pytest.raises(AvovastausError) as info:
            embed(dasky, [f"vastaus {i}" for i in range(64)], use_cache=False, progress=progress, chunk=8)
    finally:
        with contextlib.suppress(TimeoutError):  # its scheduler is already gone: closing it can only time out
            local.close(timeout=2)
    assert stopped and info.value.code == "E207" and "scheduler" in str(info.value)


def test_a_service_that_is_not_dask_is_E205_quickly_and_without_a_stray_traceback(tmp_path):
    """A port that accepts and never answers (an HTTP server waiting for a request): one coded line within the timeout, nothing else."""
    import socket
    import subprocess
    import sys

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    port = server.getsockname()[1]
    script = ("import avovastaus.embed.distributed as d; d.CONNECT_TIMEOUT_S = 1\n"
              "from avovastaus.errors import AvovastausError\n"
              "class E:\n    model_id, checksum, prompt = 'x', '0', ''\n"
              f"try:\n    d.DaskEmbedder(E(), 'tcp://127.0.0.1:{port}').encode(['a'])\nexcept AvovastausError as e:\n    print(e.code)\n")
    try:
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
        elapsed = time.perf_counter() - started
    finally:
        server.close()
    assert done.stdout.strip() == "E205", done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
    assert elapsed < 20
