"""Embedding on a Dask cluster against embedding here: time, and whether the vectors are the same bytes.

A ``distributed.LocalCluster`` with two worker processes (one thread each) on this machine stands in for a
cluster. The same ``--rows`` Yle 2015 comments (a fixed random subset) are embedded with the default
e5-small backend three ways, each from an empty cache: here (``embed``), on the cluster
(``DaskEmbedder``, partitions of 256 texts), and on the cluster with one worker killed after the first
partition returns. Then the CLI end to end on the kuntajarjesto sample corpus with static-fi, here and
with ``--dask``: are ``answers.csv``, ``themes.csv`` and ``groups.csv`` byte-identical?

On one 2-core machine the cluster cannot be faster than a local run that already uses both cores; the
figures show the cost of shipping partitions and loading the model in each worker.

Usage: .venv/bin/python benchmarks/dask_bench.py [--rows 600] [--out FILE]   (writes benchmarks/results/dask_bench.md)
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PROJECT, emit_section, load_line, machine_line, peak_rss_mib, require_shared, source_line, table  # noqa: E402

ROWS = 600
OUTPUTS = ("answers.csv", "themes.csv", "groups.csv")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    path = require_shared("yle_vaalikone2015_comments.csv")
    import numpy as np
    import pandas as pd
    from distributed import Client, LocalCluster

    from avovastaus.config import load_config
    from avovastaus.embed.backends import embed, resolve_embedder
    from avovastaus.embed.distributed import DaskEmbedder
    from avovastaus.finnish.text import flat, normalize
    from avovastaus.pipeline import run_pipeline

    load0 = load_line()
    df = pd.read_csv(path, dtype=str, keep_default_na=False).sample(args.rows, random_state=0)
    texts = [flat(normalize(t)) for t in df["text"]]
    embedder = resolve_embedder("e5-small")
    rows = []
    with tempfile.TemporaryDirectory(prefix="avovastaus-dask-") as tmp, \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1") as cluster:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        here, _ = embed(embedder, texts, cache_dir=tmp / "here")
        rows.append(["here (ONNX Runtime on both cores)", f"{time.perf_counter() - t0:.1f}", "–", "reference"])
        print(rows[-1], flush=True)
        for label, kill in (("Dask, 2 workers × 1 thread", False), ("Dask, one worker killed after the first partition", True)):
            dask = DaskEmbedder(embedder, cluster.scheduler_address, partition=256)
            client = Client(cluster.scheduler_address, set_as_default=False)
            pids = client.run(os.getpid)  # worker address -> process id (the workers run on this machine)
            killed = []

            def progress(n: int) -> None:
                if kill and n and not killed:
                    busy = [w for w, keys in client.processing().items() if keys] or list(pids)
                    os.kill(pids[busy[0]], signal.SIGKILL)
                    killed.append(busy[0])

            t0 = time.perf_counter()
            there, _ = embed(dask, texts, cache_dir=tmp / label, progress=progress)
            seconds = time.perf_counter() - t0
            client.close()
            rows.append([label, f"{seconds:.1f}", f"{dask.report()['partitions']}", "identical" if np.array_equal(here, there) else
                         f"DIFFERENT (max |Δ| {np.abs(here - there).max():.2e})"])
            print(rows[-1], flush=True)
            if kill:
                cluster.wait_for_workers(2, timeout=120)
        ingest = {"id": "vastaaja_id", "text": ["yhteistyo_nyt", "kehittaminen"], "group": ["vastaajaryhma", "alue"]}
        config = load_config(overrides={"ingest": ingest, "embed": {"model": "static-fi"}})
        sample = PROJECT / "corpora" / "kuntajarjesto" / "answers.csv"
        runs = {}
        for label, address in (("here", None), ("dask", cluster.scheduler_address)):
            os.environ["AVOVASTAUS_CACHE_DIR"] = str(tmp / f"cache-{label}")
            cfg = config.model_copy(update={"compute": config.compute.model_copy(update={"dask": address, "partition": 256})})
            t0 = time.perf_counter()
            run_pipeline(sample, cfg, tmp / f"run-{label}")
            runs[label] = time.perf_counter() - t0
        same = [name for name in OUTPUTS if (tmp / "run-here" / name).read_bytes() == (tmp / "run-dask" / name).read_bytes()]
    md = "\n".join([
        "## Dask: embedding on a cluster against a local run",
        "",
        f"Script: `benchmarks/dask_bench.py`. Machine: {machine_line()}. Library: {source_line()}.",
        "",
        f"{len(texts):,} Yle 2015 comments (a fixed random subset), default e5-small backend ({embedder.backend}), each way from an empty cache; "
        "the cluster is a `distributed.LocalCluster` with two worker processes of one thread on this same machine, partitions of 256 texts "
        "(whole chunks of the local plan, so every worker encodes exactly the batches a local run does).",
        "",
        table(["where", "seconds", "partitions", "vectors vs here"], rows),
        "",
        f"The CLI on `corpora/kuntajarjesto` (static-fi, default codebook), here {runs['here']:.1f} s and with `--dask` {runs['dask']:.1f} s: "
        f"byte-identical {', '.join(same) or 'none'} of {', '.join(OUTPUTS)}.",
        "",
        "On one 2-core machine a cluster cannot beat a local run that already uses both cores; the rows show the overhead of "
        "sending partitions and loading the model in each worker. On a real cluster the embedding time divides by the workers' cores.",
        "",
        f"Machine load at the start: {load0}; at the end: {load_line()}. Peak RSS (VmHWM) of the script: {peak_rss_mib():,.0f} MiB (workers not included).",
    ])
    emit_section("dask_bench", md, args.out, full=args.rows == ROWS)


if __name__ == "__main__":
    main(sys.argv[1:])
