"""Embedding backends of e5-small side by side: texts per second, fidelity to the fp32 vectors, and the gates.

Data: the Yle 2015 sample of ``yle.py`` (5,200 comments, 200 per statement) and SIB-200 Finnish (1,004 sentences).

* Throughput: the same ``--rows`` comments of the sample (a fixed random subset) through each backend's
  ``encode`` in chunks of 256 as :func:`avovastaus.embed.embed` hands them out, in alternating rounds
  (A B C D, A B C D, ...) so that the load of other processes falls on every backend alike; wall and
  process CPU seconds, median over the rounds. *torch, as before* is the embedding of the previous release:
  chunks in input order, batch 32; every other row uses the length-sorted plan of ``embed``.
* Fidelity: cosine of each text's vector to the torch fp32 vector, over all 5,200 comments (int8) or
  the throughput rows (ONNX fp32); SIB-200 V-measure (KMeans k=7, n_init=10, seeds 0–9, as ``sib200.py``);
  Yle discovery ARI (the pipeline's ``ThemeModel``, ``--codebook none``, seed 0) against the statements.
* Gates for the default: mean cosine ≥ 0.995, 1st percentile ≥ 0.99, SIB-200 V-measure within 0.015 of
  fp32, Yle ARI within 0.01 of fp32, and ≥ 2× the texts/s of *torch, as before*.

Vectors of the 5,200 comments go through ``benchmarks/.cache`` (each backend its own namespace).

Usage: .venv/bin/python benchmarks/backends.py [--rows 500] [--rounds 2] [--out FILE]   (writes benchmarks/results/backends.md)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CACHE, emit_section, load_line, machine_line, ours_config, ours_model, peak_rss_mib, precomputed, require_shared, source_line, table  # noqa: E402

ROWS = 500
ROUNDS = 2
SEEDS = range(10)
#: (row name, backend, batch size, length-sorted plan)
BACKENDS = [
    ("torch fp32, as before (input order, batch 32)", "torch", 32, False),
    ("torch fp32, length-sorted, batch 16", "torch", 16, True),
    ("ONNX Runtime fp32, fused graph, length-sorted, batch 16", "onnx", 16, True),
    ("ONNX Runtime int8 per channel, fused graph, length-sorted, batch 16 (default)", "onnx-int8", 16, True),
]
GATES = {"mean_cos": 0.995, "p1_cos": 0.99, "sib200": 0.015, "ari": 0.01, "speedup": 2.0}


def encode_timed(embedder, texts: list[str], sorted_plan: bool) -> tuple[float, float, "object"]:
    """Return (wall s, CPU s, vectors) of encoding ``texts`` in chunks of 256 as ``embed`` does (or in input order)."""
    import numpy as np

    from avovastaus.embed.backends import embedding_plan

    plan = embedding_plan(texts, 256) if sorted_plan else [list(range(s, min(s + 256, len(texts)))) for s in range(0, len(texts), 256)]
    out = np.zeros((len(texts), 384), dtype=np.float32)
    wall, cpu = time.perf_counter(), time.process_time()
    for ids in plan:
        out[ids] = embedder.encode([texts[i] for i in ids])
    return time.perf_counter() - wall, time.process_time() - cpu, out


def sib200_v(embedder) -> list[float]:
    """Return the V-measure of KMeans(k=7) on SIB-200 Finnish for seeds 0–9."""
    import pandas as pd
    from sklearn.cluster import KMeans
    from sklearn.metrics import v_measure_score

    from avovastaus.embed.backends import embed

    df = pd.read_csv(require_shared("sib200_fi.csv"))
    X, _ = embed(embedder, df["text"].astype(str).tolist(), cache_dir=CACHE)
    labels = df["label"].to_numpy()
    return [v_measure_score(labels, KMeans(n_clusters=7, n_init=10, random_state=s).fit_predict(X)) for s in SEEDS]


def yle_ari(texts: list[str], X, labels: list[str]) -> tuple[float, list]:
    """Return (ARI against the statements, the primary themes) of the pipeline's discovery on vectors ``X``."""
    from yle import scores

    model = ours_model(ours_config(), embedder=object())  # vectors are given: the embedder is never called
    model.fit(features=precomputed(texts, X, [[] for _ in texts]))  # lemmas only name themes; they do not form them
    primary = [t or "-1" for t in model.assignment_.primary]
    return scores(labels, primary)[0], primary


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=ROWS, help=f"comments per throughput round (default {ROWS})")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"alternating throughput rounds (default {ROUNDS})")
    parser.add_argument("--out", type=Path, help="write the section to this file")
    args = parser.parse_args(argv)
    path = require_shared("yle_vaalikone2015_comments.csv")
    import numpy as np
    from sklearn.metrics import adjusted_rand_score
    from yle import load_sample

    from avovastaus.embed.backends import embed, resolve_embedder
    from avovastaus.finnish.text import flat, normalize

    load0 = load_line()
    sample = load_sample(path)
    texts = [flat(normalize(t)) for t in sample["text"]]
    labels = sample["label"].tolist()
    rng = np.random.default_rng(0)
    subset = [texts[i] for i in rng.choice(len(texts), size=min(args.rows, len(texts)), replace=False)]
    embedders = {}
    for name, backend, batch, _ in BACKENDS:
        t0 = time.perf_counter()
        embedders[name] = resolve_embedder("e5-small", backend=backend, batch_size=batch).initialize()
        embedders[name].encode(subset[:16])  # warm-up
        print(f"{name}: loaded in {time.perf_counter() - t0:.1f} s", flush=True)

    timings: dict[str, list[tuple[float, float]]] = {name: [] for name, *_ in BACKENDS}
    vectors = {}
    for r in range(args.rounds):
        for name, _, _, sorted_plan in BACKENDS:
            wall, cpu, vectors[name] = encode_timed(embedders[name], subset, sorted_plan)
            timings[name].append((wall, cpu))
            print(f"round {r}: {name}: {len(subset) / wall:.1f} texts/s wall, {len(subset) / cpu:.1f} texts per CPU-s", flush=True)
    reference = vectors[BACKENDS[0][0]]

    base = BACKENDS[0][0]
    full = {}
    for name, backend, _, _ in [BACKENDS[0], BACKENDS[-1]]:
        t0 = time.perf_counter()
        full[backend], stats = embed(embedders[name], texts, cache_dir=CACHE)
        print(f"{name}: 5,200 comments in {time.perf_counter() - t0:.1f} s ({stats})", flush=True)
    cos_full = (full["torch"] * full["onnx-int8"]).sum(axis=1)
    sib = {backend: sib200_v(embedders[name]) for name, backend, _, _ in BACKENDS[::2] + BACKENDS[-1:]}
    print({k: round(float(np.mean(v)), 3) for k, v in sib.items()}, flush=True)
    ari = {}
    primaries = {}
    for backend in ("torch", "onnx-int8"):
        ari[backend], primaries[backend] = yle_ari(texts, full[backend], labels)
    between = adjusted_rand_score(primaries["torch"], primaries["onnx-int8"])
    print(f"Yle ARI: {ari}; between partitions {between:.3f}", flush=True)

    def rate(name: str, which: int) -> float:
        return len(subset) / statistics.median(t[which] for t in timings[name])

    rows = []
    for name, backend, batch, _ in BACKENDS:
        cos = (vectors[name] * reference).sum(axis=1) if name != base else np.ones(len(subset))
        if backend == "onnx-int8":
            cos = cos_full
        v = sib.get(backend) if name != BACKENDS[1][0] else None
        rows.append([
            name, f"{rate(name, 0):.1f}", f"{rate(name, 1):.1f}", f"{rate(name, 0) / rate(base, 0):.2f}×",
            f"{cos.mean():.4f}", f"{np.percentile(cos, 1):.4f}", f"{cos.min():.4f}", f"{(cos >= 0.99).mean():.1%}",
            f"{np.mean(v):.3f} ± {np.std(v):.3f}" if v else "–",
            f"{ari[backend]:.3f}" if backend in ari and name != BACKENDS[1][0] else "–",
        ])
    int8 = BACKENDS[-1][0]
    checks = [
        ("mean cosine to fp32 ≥ 0.995 (5,200 comments)", f"{cos_full.mean():.4f}", cos_full.mean() >= GATES["mean_cos"]),
        ("1st-percentile cosine ≥ 0.99", f"{np.percentile(cos_full, 1):.4f}", np.percentile(cos_full, 1) >= GATES["p1_cos"]),
        ("SIB-200 V-measure within 0.015 of fp32", f"{np.mean(sib['onnx-int8']):.3f} vs {np.mean(sib['torch']):.3f}",
         abs(np.mean(sib["onnx-int8"]) - np.mean(sib["torch"])) <= GATES["sib200"]),
        ("Yle discovery ARI within 0.01 of fp32", f"{ari['onnx-int8']:.3f} vs {ari['torch']:.3f}", abs(ari["onnx-int8"] - ari["torch"]) <= GATES["ari"]),
        ("≥ 2× the texts/s of torch as before (wall)", f"{rate(int8, 0) / rate(base, 0):.2f}×", rate(int8, 0) / rate(base, 0) >= GATES["speedup"]),
    ]
    verdict = "all gates met" if all(ok for *_, ok in checks) else "NOT all gates met"
    md = "\n".join([
        "## Embedding backends of e5-small",
        "",
        f"Script: `benchmarks/backends.py`. Machine: {machine_line()}. Library: {source_line()}.",
        "",
        f"Throughput: the same {len(subset):,} Yle comments (a fixed random subset of the 5,200-comment sample of `yle.py`) "
        f"through each backend's `encode` in chunks of 256, {args.rounds} alternating rounds (median), default threads (all cores), "
        "ONNX graphs exported locally from the built e5-small folder (`avovastaus models build`; nothing downloaded). "
        "*texts/s* = wall clock; *per CPU-s* = texts per second of process CPU time (less sensitive to other load). "
        "Cosine: to the torch fp32 vector of the same text — over all 5,200 comments for the int8 row, the throughput rows otherwise. "
        "SIB-200: V-measure of KMeans(k=7, n_init=10) over seeds 0–9 on 1,004 sentences. "
        "Yle ARI: the pipeline's discovery (`--codebook none`, seed 0) on the 5,200 comments against the statements, "
        "unassigned answers one more cluster.",
        "",
        table(["backend", "texts/s", "texts per CPU-s", "speed vs before", "cosine mean", "cosine 1st pct", "cosine min", "≥ 0.99",
               "SIB-200 V", "Yle ARI"], rows),
        "",
        f"Between the fp32 and int8 partitions of the 5,200 comments: ARI {between:.3f}.",
        "",
        "Gates for making the int8 backend the default:",
        "",
        table(["gate", "measured", "met"], [[g, m, "yes" if ok else "**no**"] for g, m, ok in checks]),
        "",
        f"**{verdict}.** Its vectors have their own cache namespace (`[embed] backend` is part of the key).",
        "",
        f"Machine load at the start: {load0}; at the end: {load_line()}. Peak RSS (VmHWM) of the script: {peak_rss_mib():,.0f} MiB.",
    ])
    emit_section("backends", md, args.out, full=args.rows == ROWS and args.rounds == ROUNDS)


if __name__ == "__main__":
    main(sys.argv[1:])
