"""SIB-200 Finnish clustering (MTEB protocol) for the bundled embedders, plus their throughput.

Data: ../shared/data/sib200_fi.csv (1,004 sentences, 7 topic labels). Each embedder encodes every
sentence; KMeans(k=7, n_init=10, random_state=seed) for seeds 0..9; V-measure against the topic
label, mean ± std over the seeds. Throughput is measured with the embedding cache out of the way:
``embedder.encode(texts)`` directly, after one warm-up batch, median of 3 runs over all texts.

Usage: .venv/bin/python benchmarks/sib200.py   (writes benchmarks/results/sib200.md)
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import load_line, machine_line, peak_rss_mib, require_shared, source_line, table, write_section  # noqa: E402

SEEDS = range(10)
RUNS = 3
#: (row name, bundled model, prompt; None = the model's clustering prompt)
EMBEDDERS = [
    ("e5-small, `query: ` (default)", "e5-small", None),
    ("e5-small, `passage: `", "e5-small", "passage: "),
    ("static-fi", "static-fi", None),
]


def main() -> None:
    path = require_shared("sib200_fi.csv")
    import numpy as np
    import pandas as pd
    from sklearn.cluster import KMeans
    from sklearn.metrics import v_measure_score

    from avovastaus.embed.backends import resolve_embedder

    load0 = load_line()
    df = pd.read_csv(path)
    texts = df["text"].astype(str).tolist()
    labels = df["label"].to_numpy()
    n_clusters = len(set(labels))
    rows = []
    for name, model, prompt in EMBEDDERS:
        embedder = resolve_embedder(model, prompt=prompt)
        t0 = time.perf_counter()
        embedder.initialize()
        load_s = time.perf_counter() - t0
        embedder.encode(texts[: embedder.batch_size])  # warm-up batch
        times, X = [], None
        for _ in range(RUNS):
            t0 = time.perf_counter()
            X = embedder.encode(texts)
            times.append(time.perf_counter() - t0)
        median_s = statistics.median(times)
        scores = [
            v_measure_score(labels, KMeans(n_clusters=n_clusters, n_init=10, random_state=seed).fit_predict(X))
            for seed in SEEDS
        ]
        mean, std = float(np.mean(scores)), float(np.std(scores))
        rate = len(texts) / median_s
        print(f"{name}: V-measure {mean:.3f} ± {std:.3f}; {rate:,.0f} texts/s (median {median_s:.2f} s of {RUNS}); load {load_s:.1f} s", flush=True)
        rows.append([name, f"`{embedder.prompt}`" if embedder.prompt else "none", X.shape[1], f"{mean:.3f} ± {std:.3f}",
                     f"{min(scores):.3f}–{max(scores):.3f}", f"{rate:,.0f}", f"{median_s:.2f}", f"{load_s:.1f}"])

    md = "\n".join([
        "## SIB-200 Finnish clustering (MTEB protocol)",
        "",
        f"Script: `benchmarks/sib200.py`. Machine: {machine_line()}. Library: {source_line()}.",
        "",
        f"{len(texts):,} sentences of `../shared/data/sib200_fi.csv`, {n_clusters} topic labels. "
        f"KMeans(n_clusters={n_clusters}, n_init=10, random_state=seed), seeds 0–9; V-measure against `label`, mean ± std (population) over the seeds. "
        f"Throughput: `embedder.encode(texts)` on all {len(texts):,} texts (no cache), after one warm-up batch, median of {RUNS} runs; batch size 32, CPU.",
        "",
        table(["embedder", "prompt", "dim", "V-measure", "min–max", "texts/s", "encode s (median)", "load s"], rows),
        "",
        "Anchors (MTEB, SIB200ClusteringS2S fin_Latn): original fp32 multilingual-e5-small 0.382; "
        "paraphrase-multilingual-mpnet-base-v2 0.434; multilingual-e5-large 0.416. "
        "(MTEB's evaluator uses MiniBatchKMeans; this script uses full KMeans as specified above.)",
        "",
        f"Machine load at the start: {load0}; at the end: {load_line()} (other processes on the machine make timings noisy).",
        "",
        f"Peak RSS (VmHWM) of the benchmark process: {peak_rss_mib():,.0f} MiB.",
    ])
    print(f"wrote {write_section('sib200', md)}")


if __name__ == "__main__":
    main()
