"""A million answers on one machine: the approximate k-NN graph against the exact one, and the CLI from 100k to 1M answers.

Part A — approximate vs exact graph. Eduskunta VKK (all 55,106 sentences, static-fi vectors) and, when
``benchmarks/.cache`` holds them (``scale.py --part b`` fills it), all Yle 2015 comments with the default
e5-small vectors. For each: the 15 nearest neighbours of every row, exact (``exact_neighbors``: blocked
BLAS products) and approximate (``approximate_neighbors``: HNSW), their times and the recall of the
approximate lists; then the pipeline's discovery (``ThemeDiscoverer`` with the default config) on
each graph: themes, time, ARI between the two partitions and ARI against the reference labels.

Part B — the curve. Synthetic corpora of 100k, 200k, 500k and 1M answers, each 2–3 sentences drawn
(seed 0) from the pool of every Eduskunta sentence and Yle comment in ``../shared/data``, 5 respondent
groups; ``avovastaus run <csv> --codebook none --embedder static-fi`` with the embedding cache off
(``[embed] cache = false``), one process per size; stage seconds from ``manifest.json``, peak RSS of
the child from ``/usr/bin/time -v``. The growth exponent between sizes is log(t2/t1)/log(n2/n1)
(n log n from 100k to 1M is 1.08).

Usage: .venv/bin/python benchmarks/scaling.py [--part a|b] [--sizes 100000,200000,500000,1000000] [--out FILE]
(a run with other sizes prints its section unless --out is given)
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CACHE, PROJECT, SHARED, emit_section, load_line, machine_line, ours_config, peak_rss_mib, require_shared, run_measured, source_line, table  # noqa: E402

SIZES = [100_000, 200_000, 500_000, 1_000_000]
K = 15
CLI = "import sys; from avovastaus.cli import app; sys.argv[0] = 'avovastaus'; app()"  # this checkout's CLI
STAGES = ("ingest", "prepare", "embed", "lemmas", "themes", "label", "summarize", "write")


def recall(approx, exact) -> float:
    """Return the mean share of each row's exact neighbours that the approximate list holds."""
    import numpy as np

    return float(np.mean([len(set(a) & set(e)) / len(e) for a, e in zip(approx.tolist(), exact.tolist())]))


def compare_graphs(name: str, X, labels) -> list:
    """Return a table row: exact vs approximate neighbours and the discovery on each graph."""
    from sklearn.metrics import adjusted_rand_score

    from avovastaus.themes.cluster import ThemeDiscoverer
    from avovastaus.themes.neighbors import approximate_neighbors, exact_neighbors

    t0 = time.perf_counter()
    exact, _ = exact_neighbors(X, K)
    exact_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    approx, _ = approximate_neighbors(X, K)
    approx_s = time.perf_counter() - t0
    r = recall(approx, exact)
    del exact, approx
    c = ours_config().cluster

    def discover(method: str, **params) -> ThemeDiscoverer:
        return ThemeDiscoverer(n_neighbors=c.n_neighbors, min_size=c.min_discovered, max_themes=c.max_themes, neighbors=method, **params).fit(X)

    fits = {}
    for method in ("exact", "approximate"):
        t0 = time.perf_counter()
        d = discover(method)
        fits[method] = (d.labels_, d.n_themes_, time.perf_counter() - t0)
        print(f"{name}: discovery on the {method} graph: {d.n_themes_} themes, {fits[method][2]:.1f} s", flush=True)
    between = adjusted_rand_score(fits["exact"][0], fits["approximate"][0])
    # how far apart two partitions of the same method already are: the exact graph with another seed, and the
    # approximate graph held to the exact graph's number of themes (so the eigengap choice of k is not part of it)
    reseeded = discover("exact", seed=1)
    same_k = discover("approximate", n_themes=fits["exact"][1])
    floor = adjusted_rand_score(fits["exact"][0], reseeded.labels_)
    fixed = adjusted_rand_score(fits["exact"][0], same_k.labels_)
    print(f"{name}: neighbours exact {exact_s:.1f} s, approximate {approx_s:.1f} s, recall {r:.4f}; ARI between partitions {between:.3f}, "
          f"at the exact graph's k {fixed:.3f}; exact seed 0 vs 1 {floor:.3f}", flush=True)
    return [name, f"{len(X):,}", f"{exact_s:.1f}", f"{approx_s:.1f}", f"{r:.3f}",
            f"{fits['exact'][1]} / {fits['approximate'][1]}", f"{fits['exact'][2]:.1f} / {fits['approximate'][2]:.1f}", f"{between:.3f}",
            f"{fixed:.3f}", f"{floor:.3f}",
            f"{adjusted_rand_score(labels, fits['exact'][0]):.3f} / {adjusted_rand_score(labels, fits['approximate'][0]):.3f}"]


def part_a() -> list[str]:
    import pandas as pd

    from avovastaus.embed.backends import embed, resolve_embedder
    from avovastaus.embed.cache import EmbeddingCache, namespace
    from avovastaus.finnish.text import flat, normalize

    rows = []
    vkk = pd.read_csv(require_shared("eduskunta_vkk.csv"), dtype=str, keep_default_na=False)
    X, _ = embed(resolve_embedder("static-fi"), [flat(normalize(t)) for t in vkk["text"]], cache_dir=CACHE)
    rows.append(compare_graphs("Eduskunta VKK, static-fi", X, vkk["label"].tolist()))
    del X
    yle = pd.read_csv(SHARED / "yle_vaalikone2015_comments.csv", dtype=str, keep_default_na=False)
    texts = [flat(normalize(t)) for t in yle["text"]]
    e5 = resolve_embedder("e5-small")
    cache = EmbeddingCache(CACHE, namespace(e5.model_id, e5.checksum, e5.prompt, e5.backend))
    missing = len(cache.get(list(dict.fromkeys(texts)))[1])
    if missing:  # embedding 35k comments with e5 is scale.py's job (part b); without them the row uses static-fi
        print(f"Yle row with static-fi: {missing:,} comments' e5-small vectors are not in benchmarks/.cache (scale.py --part b fills it)")
        note = (f"The Yle row used static-fi: {missing:,} of the comments' e5-small vectors were not in `benchmarks/.cache` at this run "
                "(`scale.py --part b` fills it).")
        X, _ = embed(resolve_embedder("static-fi"), texts, cache_dir=CACHE)
        rows.append(compare_graphs("Yle 2015 comments, static-fi", X, yle["label"].tolist()))
    else:
        X, _ = embed(e5, texts, cache_dir=CACHE)
        rows.append(compare_graphs(f"Yle 2015 comments, e5-small ({e5.backend})", X, yle["label"].tolist()))
        note = ""
    return [
        "### A. Approximate vs exact k-NN graph",
        "",
        f"15 neighbours per row. *exact*: `cluster.exact_neighbors` (blocked BLAS products, cost ∝ n²); *approximate*: "
        "`cluster.approximate_neighbors` (faiss HNSW, 24 links, two shards of alternate rows, each built on a thread of its own so that it is deterministic, searched on all cores). "
        "*recall*: mean share of each row's exact neighbours found. Discovery: `ThemeDiscoverer` with the default config on the whole set "
        "(`neighbors=\"exact\"` / `\"approximate\"`), its time including the graph; *ARI between* compares the two partitions; "
        "*ARI vs labels* against the minister (VKK) or the statement (Yle); *ARI at exact k*: the approximate graph's discovery held to the exact "
        "graph's number of themes, against the exact partition; *ARI exact, seed 0 vs 1*: the exact graph's discovery with seed 1 against seed 0 "
        "(how far apart two runs of the same method already are). The pipeline switches to the approximate graph above 20,000 answers.",
        "",
        table(["data", "rows", "exact s", "approximate s", "recall", "themes (exact / approx.)", "discovery s (exact / approx.)",
               "ARI between", "ARI at exact k", "ARI exact, seed 0 vs 1", "ARI vs labels (exact / approx.)"], rows),
        "",
        *([note, ""] if note else []),
    ]


def synthetic_corpus(n: int, path: Path) -> None:
    """Write ``n`` synthetic answers (2–3 pooled sentences each, seed 0) with an id and a group column to ``path``."""
    import numpy as np
    import pandas as pd

    pool = pd.concat([
        pd.read_csv(require_shared("eduskunta_vkk.csv"), dtype=str, keep_default_na=False)["text"],
        pd.read_csv(SHARED / "yle_vaalikone2015_comments.csv", dtype=str, keep_default_na=False)["text"],
    ]).to_numpy()
    rng = np.random.default_rng(0)
    parts = rng.integers(0, len(pool), size=(n, 3))
    use_third = rng.random(n) < 0.5
    texts = [f"{pool[a]} {pool[b]}" + (f" {pool[c]}" if third else "") for (a, b, c), third in zip(parts, use_third)]
    groups = rng.choice(["ryhmä A", "ryhmä B", "ryhmä C", "ryhmä D", "ryhmä E"], size=n)
    pd.DataFrame({"id": np.arange(1, n + 1), "text": texts, "ryhma": groups}).to_csv(path, index=False)


def run_size(n: int, tmp: Path) -> dict:
    """Run the CLI on the synthetic corpus of ``n`` answers; return stage seconds, wall, peak RSS and counts."""
    import os

    csv = CACHE / f"synthetic-{n}.csv"
    if not csv.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        synthetic_corpus(n, csv)
    config = tmp / "no-cache.toml"
    config.write_text("codebook = \"none\"\n[embed]\nmodel = \"static-fi\"\ncache = false\n", encoding="utf-8")
    out = tmp / f"run-{n}"
    report = tmp / f"time-{n}.txt"
    cmd = ["/usr/bin/time", "-v", "-o", str(report), sys.executable, "-c", CLI, "run", str(csv), "--id", "id", "--text", "text",
           "--group", "ryhma", "--config", str(config), "--out", str(out), "--force", "--quiet"]
    proc = run_measured(cmd, capture=True, cwd=PROJECT, env=os.environ.copy())
    if proc.returncode != 0:
        return {"n": n, "failed": (proc.stderr or proc.stdout).strip().splitlines()[-3:]}
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report.read_text(encoding="utf-8", errors="replace"))
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    xlsx = out / "summary.xlsx"
    return {"n": n, "wall_s": proc.wall_s, "peak_mib": int(match.group(1)) / 1024 if match else proc.peak_rss_mib,
            "timings": manifest["timings_s"], "themes": manifest["themes"]["total"], "analysed": manifest["counts"]["analysed"],
            "xlsx_mib": xlsx.stat().st_size / 2**20 if xlsx.exists() else None}


def part_b(sizes: list[int]) -> list[str]:
    results = []
    with tempfile.TemporaryDirectory(prefix="avovastaus-scaling-") as tmp:
        for n in sizes:
            r = run_size(n, Path(tmp))
            results.append(r)
            print(f"{n:,}: {r}", flush=True)
            import shutil

            shutil.rmtree(Path(tmp) / f"run-{n}", ignore_errors=True)
    rows = []
    previous = None
    for r in sorted(results, key=lambda r: r["n"]):  # sizes may run in any order (the largest first, say)
        if "failed" in r:
            rows.append([f"{r['n']:,}", "FAILED: " + " ".join(r["failed"])] + [""] * (len(STAGES) + 5))
            continue
        t = r["timings"]
        total = sum(t.get(s, 0.0) for s in STAGES)
        growth = f"{math.log(total / previous[1]) / math.log(r['n'] / previous[0]):.2f}" if previous else "–"
        previous = (r["n"], total)
        rows.append([f"{r['n']:,}", f"{r['analysed']:,}", *[f"{t.get(s, 0.0):.1f}" for s in STAGES], f"{total:.0f}", f"{r['wall_s']:.0f}",
                     f"{r['peak_mib']:,.0f}", r["themes"], growth])
    return [
        "### B. The CLI from 100k to 1M answers (static-fi, synthetic corpus)",
        "",
        "Synthetic answers of 2–3 sentences drawn (seed 0) from every Eduskunta VKK sentence and Yle comment in `../shared/data`, "
        "5 respondent groups; `avovastaus run … --codebook none` with static-fi and `[embed] cache = false`, one process per size. "
        "Stage seconds from `manifest.json`; *peak RSS* of the child from `/usr/bin/time -v`; *growth* = log(total₂/total₁)/log(n₂/n₁) "
        "against the size above (n log n from 100k to 1M: 1.08; n²: 2). `summary.xlsx` lists the answers up to `[report] xlsx_answers` "
        "(100,000: the 100k run's workbook holds them); above it the workbook holds the summaries and a note (answers.csv has every answer).",
        "",
        table(["answers", "analysed", *STAGES, "total s", "wall s", "peak RSS MiB", "themes", "growth"], rows),
        "",
    ]


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=["a", "b"], help="run one part only")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="Part B sizes, comma-separated")
    parser.add_argument("--out", type=Path, help="write the section to this file")
    args = parser.parse_args(argv)
    require_shared("eduskunta_vkk.csv")
    sizes = [int(s) for s in args.sizes.split(",")]
    load0 = load_line()
    t0 = time.perf_counter()
    lines = ["## Scaling: approximate neighbours and a million answers", "",
             f"Script: `benchmarks/scaling.py`. Machine: {machine_line()}. Library: {source_line()}.", ""]
    if args.part in (None, "a"):
        lines += part_a()
    if args.part in (None, "b"):
        lines += part_b(sizes)
    lines += [f"Machine load at the start: {load0}; at the end: {load_line()}; the script ran {time.perf_counter() - t0:,.0f} s "
              f"(peak RSS of the script itself {peak_rss_mib():,.0f} MiB). Other processes on the machine make timings noisy."]
    emit_section("scaling", "\n".join(lines), args.out, full=args.part is None and sorted(sizes) == SIZES)


if __name__ == "__main__":
    main(sys.argv[1:])
