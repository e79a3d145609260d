"""Cost as the data grows: the CLI end to end on 5k–55k texts, and ours vs BERTopic on all 35k Yle comments.

Part A — Eduskunta VKK (``../shared/data/eduskunta_vkk.csv``, 55,106 sentences of written answers to
parliamentary questions; ``label`` = the answering minister). Subsets of 5,000 and 20,000
(``df.sample(n, random_state=0)``; note the 5,000 are the first 5,000 of the 20,000, as pandas draws
them) and all rows; embedders static-fi and e5-small. Each (embedder, size) runs
``avovastaus run <csv> --id id --text text --group label --codebook none --embedder <name> --force --quiet``
in a subprocess:
* cold: with an empty embedding cache (a fresh temporary ``AVOVASTAUS_CACHE_DIR``), so every text is
  embedded; the vectors are then copied into ``benchmarks/.cache``;
* warm: with ``AVOVASTAUS_CACHE_DIR=benchmarks/.cache``, every text a cache hit.
Stage timings come from the run's ``manifest.json`` (``timings_s``), peak RSS of the child from
``/usr/bin/time -v`` (else VmHWM sampled every 50 ms), ARI/NMI from ``answers.csv`` against ``label``.

Part B — Yle 2015 election-compass comments, all 35,092: the CLI end to end with e5-small
(``--codebook none --group group``, ``benchmarks/.cache``), and BERTopic 0.17.4 with default settings
in a fresh process on the same embeddings: the pipeline's own steps give them — ``ingest`` with the
CLI's config, ``pipeline.prepare_answers`` (non-answers out, long answers cut) and the model's
``ThemeModel.featurize`` on the analysed answers (vectors read back from the cache; its lemmas also
serve the duplicate-lemma figures). Scored against the statement each comment answered.

A run that takes under 60 s is repeated (3 runs, median reported); a longer one runs once.

Usage: .venv/bin/python benchmarks/scale.py [--no-cold] [--part a|b] [--sizes 5000,20000,all] [--embedders static-fi,e5-small] [--yle-embedder NAME]
       [--section NAME] [--yle-rows N] [--out FILE]
(writes benchmarks/results/<section>.md, default scale.md; a partial run writes the section with what it ran; a quick check
on less data than the benchmark's — --yle-rows, or --sizes other than 5000, 20000, all — prints it unless --out is given)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    CACHE,
    PROJECT,
    emit_section,
    library_cache,
    load_line,
    machine_line,
    ours_config,
    ours_model,
    peak_rss_mib,
    require_shared,
    run_measured,
    source_line,
    table,
)

VKK = "eduskunta_vkk.csv"
YLE = "yle_vaalikone2015_comments.csv"
SIZES: list[int | None] = [5_000, 20_000, None]  # None = all rows
EMBEDDERS = ["static-fi", "e5-small"]
CHEAP_S = 60.0
REPEATS = 3
N_WORDS = 10
WARMUP_ROWS = 2_000
TIME_BIN = Path("/usr/bin/time")
STAGES = ("ingest", "prepare", "embed", "lemmas", "themes", "label", "summarize", "write")


# ---------------------------------------------------------------- helpers


def scores(labels, clusters) -> tuple[float, float]:
    """Return (ARI, NMI); an unassigned/excluded/outlier answer is one more cluster ``-1``."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    clusters = [str(c) for c in clusters]
    return adjusted_rand_score(labels, clusters), normalized_mutual_info_score(labels, clusters)


def measured(cmd: list[str], env: dict, tmp: Path) -> tuple[object, float | None]:
    """Run ``cmd`` (captured); return (the run, the child's peak RSS in MiB: /usr/bin/time -v, else sampled VmHWM)."""
    if TIME_BIN.exists():
        report = tmp / f"time-{time.monotonic_ns()}.txt"
        run = run_measured([str(TIME_BIN), "-v", "-o", str(report), *cmd], capture=True, cwd=PROJECT, env=env)
        text = report.read_text(encoding="utf-8", errors="replace") if report.exists() else ""
        match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
        return run, (int(match.group(1)) / 1024 if match else None)
    run = run_measured(cmd, capture=True, cwd=PROJECT, env=env)
    return run, run.peak_rss_mib


def copy_cache(src: Path, dst: Path) -> int:
    """Copy the vectors of the cache in folder ``src`` into the cache in ``dst`` (rows already there are kept); return rows copied."""
    src_db, dst_db = src / "embeddings.sqlite", dst / "embeddings.sqlite"
    if not src_db.exists():
        return 0
    dst.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(dst_db)
    try:
        schema = sqlite3.connect(src_db).execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'vectors'").fetchone()[0]
        con.execute(schema.replace("CREATE TABLE vectors", "CREATE TABLE IF NOT EXISTS vectors", 1))
        con.execute("ATTACH DATABASE ? AS src", (str(src_db),))
        with con:
            before = con.execute("SELECT count(*) FROM main.vectors").fetchone()[0]
            con.execute("INSERT OR IGNORE INTO main.vectors SELECT * FROM src.vectors")
            after = con.execute("SELECT count(*) FROM main.vectors").fetchone()[0]
        con.execute("DETACH DATABASE src")
    finally:
        con.close()
    return after - before


def cli(csv: Path, group: str, embedder: str, cache_dir: Path, tmp: Path, labels_by_id: dict) -> dict:
    """Run the CLI once end to end; return its timings, counts, scores, wall clock and peak RSS (raises on failure)."""
    import pandas as pd

    out = tmp / "run"
    cmd = [str(Path(sys.executable).parent / "avovastaus"), "run", str(csv), "--id", "id", "--text", "text", "--group", group,
           "--codebook", "none", "--out", str(out), "--force", "--quiet", "--embedder", embedder]
    env = {**os.environ, "AVOVASTAUS_CACHE_DIR": str(cache_dir)}
    run, peak = measured(cmd, env, tmp)
    if run.returncode != 0:
        raise RuntimeError(f"CLI failed (exit {run.returncode}) on {csv.name} with {embedder}:\n{run.stdout}\n{run.stderr[-6000:]}")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    answers = pd.read_csv(out / "answers.csv", dtype=str, keep_default_na=False)
    themes = pd.read_csv(out / "themes.csv", dtype=str, keep_default_na=False)
    theme = [t if t else "-1" for t in answers["theme"]]
    ari, nmi = scores([labels_by_id[i] for i in answers["id"]], theme)
    timings = manifest.get("timings_s", {})
    topics = {row["theme"]: [re.sub(r"\s*\(.*\)$", "", k).strip() for k in row["keywords"].split(", ") if k.strip()]
              for _, row in themes.iterrows()}
    return {
        "wall_s": run.wall_s, "peak_mib": peak, "timings": timings, "total_s": sum(timings.values()),
        "cache": manifest.get("embedder", {}).get("cache", {}), "counts": manifest["counts"],
        "themes": len(themes), "coverage": sum(t != "-1" for t in theme) / len(theme), "ari": ari, "nmi": nmi,
        "topics": topics, "theme_column": theme, "ids": answers["id"].tolist(),
        "candidates": manifest.get("themes", {}).get("k_candidates_silhouette"),
    }


def repeated(fn) -> list[dict]:
    """Return ``[fn()]`` plus two more runs of ``fn`` when the first took under CHEAP_S seconds."""
    runs = [fn()]
    if runs[0]["wall_s"] < CHEAP_S:
        runs += [fn() for _ in range(REPEATS - 1)]
    return runs


def med(runs: list[dict], key) -> float:
    return statistics.median(key(r) for r in runs)


def fmt_med(runs: list[dict], key, digits: int = 1) -> str:
    values = [key(r) for r in runs]
    text = f"{statistics.median(values):.{digits}f}"
    return text + (f" ({min(values):.{digits}f}–{max(values):.{digits}f})" if len(values) > 1 and max(values) - min(values) >= 10 ** -digits else "")


def stage(name: str):
    return lambda r: r["timings"].get(name, 0.0)


def other_stages(r: dict) -> float:
    return sum(v for k, v in r["timings"].items() if k not in ("embed", "lemmas", "themes", "label"))


def same_result(runs: list[dict]) -> bool:
    return all(r["theme_column"] == runs[0]["theme_column"] for r in runs[1:])


# ---------------------------------------------------------------- part A: Eduskunta VKK


def part_a(sizes: list[int | None], embedders: list[str], cold: bool) -> dict:
    import pandas as pd

    path = require_shared(VKK)
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    labels_by_id = dict(zip(df["id"], df["label"]))
    results: dict[tuple[str, str], dict] = {}
    with tempfile.TemporaryDirectory(prefix="avovastaus-scale-") as tmp_root:
        tmp_root = Path(tmp_root)
        csvs: dict[str, Path] = {}
        for n in sizes:
            name = "all" if n is None or n >= len(df) else f"{n:,}"
            if name == "all":
                csvs[name] = path  # read in place (never copied into the project)
            else:
                csvs[name] = tmp_root / f"vkk_{n}.csv"
                df.sample(n, random_state=0).to_csv(csvs[name], index=False)
        for embedder in embedders:
            for name, csv in csvs.items():
                work = tmp_root / f"{embedder}-{name}"
                work.mkdir()
                entry: dict = {"n": len(df) if name == "all" else int(name.replace(",", ""))}
                if cold:
                    def cold_run(csv=csv, embedder=embedder, work=work) -> dict:
                        cache = Path(tempfile.mkdtemp(prefix="cold-cache-", dir=work))
                        try:
                            r = cli(csv, "label", embedder, cache, work, labels_by_id)
                            r["copied_to_cache"] = copy_cache(cache, CACHE)
                        finally:
                            shutil.rmtree(cache, ignore_errors=True)
                        return r

                    entry["cold"] = repeated(cold_run)
                    c = entry["cold"][0]
                    print(f"A cold {embedder} {name}: {len(entry['cold'])} run(s), wall {fmt_med(entry['cold'], lambda r: r['wall_s'])} s, "
                          f"timings {c['timings']}, cache {c['cache']}, peak {c['peak_mib']} MiB, themes {c['themes']}, "
                          f"ARI {c['ari']:.3f}, NMI {c['nmi']:.3f}", flush=True)
                entry["warm"] = repeated(lambda csv=csv, embedder=embedder, work=work: cli(csv, "label", embedder, CACHE, work, labels_by_id))
                w = entry["warm"][0]
                print(f"A warm {embedder} {name}: {len(entry['warm'])} run(s), wall {fmt_med(entry['warm'], lambda r: r['wall_s'])} s, "
                      f"timings {w['timings']}, cache {w['cache']}, peak {w['peak_mib']} MiB, themes {w['themes']}, "
                      f"ARI {w['ari']:.3f}, NMI {w['nmi']:.3f}", flush=True)
                entry["identical"] = same_result(entry.get("cold", []) + entry["warm"])
                for r in entry.get("cold", []) + entry["warm"]:
                    r.pop("theme_column"), r.pop("ids"), r.pop("topics")
                results[(embedder, name)] = entry
    return {"rows": results, "n_total": len(df), "n_labels": df["label"].nunique()}


def render_a(a: dict, cold: bool) -> list[str]:
    lines = [
        "### A. Eduskunta VKK: the CLI end to end, 5k → 55k texts",
        "",
        f"`../shared/data/{VKK}`: {a['n_total']:,} sentences from written answers to parliamentary questions; `label` = the answering "
        f"minister ({a['n_labels']} labels), the reference for ARI/NMI. Subsets `df.sample(n, random_state=0)` "
        "(the 5,000 are the first 5,000 of the 20,000: pandas draws them from one permutation); *all* reads the file in place. "
        "Each row runs `avovastaus run <csv> --id id --text text --group label --codebook none --embedder <name> --force --quiet` in its own process. "
        "Stage seconds come from `manifest.json` (`timings_s`): *lemmas* = spaCy tokenizer + Voikko lemmas (including loading them), "
        "*themes* = the model's discovery (`ThemeModel` `timings_[\"themes\"]`), *label* = c-TF-IDF keywords, labels and representative answers (`timings_[\"label\"]`); *other* = ingest + prepare + summarize + write; "
        "*total* = the sum of the stages; *wall* = the whole process (imports, model loading included). "
        "Peak RSS of the child from `/usr/bin/time -v` (maximum over the runs). "
        "ARI/NMI over every row, excluded and unassigned answers counting as one more cluster; coverage = share of rows with a theme. "
        f"A configuration whose run took under {CHEAP_S:.0f} s ran {REPEATS} times (median, range in brackets); a longer one ran once (*runs* = 1).",
        "",
    ]
    if cold:
        lines += [
            "**Cold**: a fresh, empty embedding cache, so every text is embedded (what a first run costs; the vectors were then copied into "
            "`benchmarks/.cache` for the warm runs).",
            "",
        ]
        rows = []
        for (embedder, name), e in a["rows"].items():
            runs = e["cold"]
            c = runs[0]
            rows.append([embedder, name, len(runs), fmt_med(runs, stage("embed")), f"{c['cache'].get('misses', 0):,}",
                         fmt_med(runs, stage("lemmas")), fmt_med(runs, stage("themes")), fmt_med(runs, stage("label"), 2),
                         fmt_med(runs, other_stages), fmt_med(runs, lambda r: r["total_s"]), fmt_med(runs, lambda r: r["wall_s"]),
                         f"{max(r['peak_mib'] or 0 for r in runs):,.0f}", c["themes"], f"{c['coverage']:.1%}", f"{c['ari']:.3f}", f"{c['nmi']:.3f}"])
        lines += [table(["embedder", "size", "runs", "embed s", "texts embedded", "lemmas s", "themes s", "label s", "other s", "total s",
                         "wall s", "peak RSS MiB", "themes", "coverage", "ARI", "NMI"], rows), ""]
        rate = []
        for (embedder, name), e in a["rows"].items():
            c = e["cold"]
            emb = med(c, stage("embed"))
            misses = c[0]["cache"].get("misses", 0)
            if emb > 0 and misses:
                rate.append(f"{embedder} {name}: {misses / emb:,.0f}")
        if rate:
            lines += ["Embedding throughput in the cold runs, unique texts per second of the embed stage (which includes importing sentence-transformers and loading the model): " + "; ".join(rate) + ".", ""]
    lines += ["**Warm**: `benchmarks/.cache` holds every vector (cache hits only), so this is the time without embedding.", ""]
    rows = []
    for (embedder, name), e in a["rows"].items():
        runs = e["warm"]
        w = runs[0]
        rows.append([embedder, name, len(runs), fmt_med(runs, stage("embed"), 2), f"{w['cache'].get('hits', 0):,}",
                     fmt_med(runs, stage("lemmas")), fmt_med(runs, stage("themes")), fmt_med(runs, stage("label"), 2),
                     fmt_med(runs, other_stages), fmt_med(runs, lambda r: r["total_s"]), fmt_med(runs, lambda r: r["wall_s"]),
                     f"{max(r['peak_mib'] or 0 for r in runs):,.0f}", w["themes"], f"{w['coverage']:.1%}", f"{w['ari']:.3f}", f"{w['nmi']:.3f}"])
    lines += [table(["embedder", "size", "runs", "embed s", "cache hits", "lemmas s", "themes s", "label s", "other s", "total s",
                     "wall s", "peak RSS MiB", "themes", "coverage", "ARI", "NMI"], rows), ""]
    differ = [f"{emb} {name}" for (emb, name), e in a["rows"].items() if not e["identical"]]
    lines += [("Every repeated run gave the same themes for every answer (seed 0)." if not differ else
               f"Runs of one configuration gave different themes: {', '.join(differ)}."), ""]
    counts = []
    for (embedder, name), e in a["rows"].items():
        c = e["warm"][0]["counts"]
        counts.append(f"{embedder} {name}: analysed {c['analysed']:,}, excluded {c['excluded']:,}, unassigned {c['unassigned']:,}")
    lines += ["Counts (warm run): " + "; ".join(counts) + ".", ""]
    cands = []
    for (embedder, name), e in a["rows"].items():
        k = e["warm"][0].get("candidates")
        if k:
            cands.append(f"{embedder} {name}: " + ", ".join(f"k={n} {v:.3f}" for n, v in k.items()))
    if cands:
        lines += ["Discovery's eigengap proposals and their cosine silhouettes (`manifest.json`, `themes.k_candidates_silhouette`; "
                  "the highest silhouette wins): " + "; ".join(cands) + ".", ""]
    return lines


# ---------------------------------------------------------------- part B: Yle, all comments


def bertopic_worker(npz: str, out_json: str) -> None:
    """Fit BERTopic defaults on saved texts + embeddings (after a small warm-up fit); write times per stage, topics, words."""
    started = time.perf_counter()
    import numpy as np

    data = np.load(npz, allow_pickle=False)
    texts, X = data["texts"].tolist(), data["X"]
    t0 = time.perf_counter()
    import bertopic
    from bertopic import BERTopic

    import_s = time.perf_counter() - t0
    # a small fit first: numba compiles UMAP/HDBSCAN kernels on first use (or loads them from its cache)
    rows = np.random.default_rng(0).choice(len(texts), size=min(WARMUP_ROWS, len(texts)), replace=False)
    t0 = time.perf_counter()
    BERTopic().fit_transform([texts[i] for i in rows], embeddings=X[rows])
    warmup_s = time.perf_counter() - t0

    model = BERTopic()
    spent: dict[str, float] = {}

    def timed(name, fn):
        def wrapper(*args, **kwargs):
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - t
        return wrapper

    # instance attributes shadow the methods: fit_transform calls self._reduce_dimensionality(...) etc.
    model._reduce_dimensionality = timed("umap", model._reduce_dimensionality)
    model._cluster_embeddings = timed("hdbscan", model._cluster_embeddings)
    t0 = time.perf_counter()
    topics, _ = model.fit_transform(texts, embeddings=X)
    fit_s = time.perf_counter() - t0
    words = {int(t): [w for w, _ in (model.get_topic(t) or [])][:N_WORDS] for t in sorted(set(topics)) if t != -1}
    result = {"version": bertopic.__version__, "import_s": import_s, "warmup_s": warmup_s, "fit_s": fit_s,
              "umap_s": spent.get("umap"), "hdbscan_s": spent.get("hdbscan"),
              "topics": [int(t) for t in topics], "words": words,
              "total_s": time.perf_counter() - started, "peak_rss_mib": peak_rss_mib()}
    Path(out_json).write_text(json.dumps(result), encoding="utf-8")


def part_b(rows: int | None = None, embedder: str = "e5-small") -> dict:
    """Run part B on all Yle comments, or on ``rows`` of them (``df.sample(rows, random_state=0)``, a quick check), with ``embedder``'s vectors."""
    import importlib.util

    import numpy as np
    import pandas as pd
    from yle import Lemmatizer, dup_share

    from avovastaus import pipeline
    from avovastaus.io.ingest import ingest

    path = require_shared(YLE)
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    with tempfile.TemporaryDirectory(prefix="avovastaus-scale-yle-") as tmp:
        tmp = Path(tmp)
        if rows is not None and rows < len(df):
            df = df.sample(rows, random_state=0)
            path = tmp / "yle_sample.csv"
            df.to_csv(path, index=False)
        labels_by_id = dict(zip(df["id"], df["label"]))
        out: dict = {"n": len(df), "all": path.name == YLE, "n_labels": df["label"].nunique(), "n_groups": df["group"].nunique(), "embedder": embedder}
        first = cli(path, "group", embedder, CACHE, tmp, labels_by_id)
        print(f"B ours first run: wall {first['wall_s']:.1f} s, timings {first['timings']}, cache {first['cache']}, "
              f"peak {first['peak_mib']} MiB, themes {first['themes']}, ARI {first['ari']:.3f}", flush=True)
        warm = [cli(path, "group", embedder, CACHE, tmp, labels_by_id)]
        if warm[0]["wall_s"] < CHEAP_S:
            warm += [cli(path, "group", embedder, CACHE, tmp, labels_by_id) for _ in range(REPEATS - 1)]
        w = warm[0]
        print(f"B ours warm: {len(warm)} run(s), wall {fmt_med(warm, lambda r: r['wall_s'])} s, timings {w['timings']}, "
              f"peak {w['peak_mib']} MiB", flush=True)
        out["ours_first"], out["ours_warm"] = first, warm
        out["ours_identical"] = same_result([first, *warm])

        # what the pipeline gives its model: the CLI's config, its ingest and prepare steps (non-answers out,
        # long answers cut), then the model's own features (the texts it embeds, their vectors and lemmas)
        config = ours_config(ingest={"id": "id", "text": ["text"], "group": ["group"]}, embed={"model": embedder})
        survey = ingest(path, config.ingest.text, config.ingest.group, config.ingest.id, config.ingest.sheet, config.ingest.skip_bad_rows)
        answers = survey.answers
        analysed, _ = pipeline.prepare_answers(answers, config, path)
        model = ours_model(config)
        with library_cache(CACHE):
            features = model.featurize(answers.loc[analysed, "clean"].tolist())
        texts, X, stats = features.texts, features.embeddings, features.cache_stats
        out["bt_load_s"], out["bt_cache"] = model.timings_["embed"], stats
        out["bt_rows"] = len(texts)
        print(f"B embeddings for BERTopic: {X.shape}, cache {stats}; lemmas {model.timings_['lemmas']:.1f} s", flush=True)

        # duplicate-lemma shares need the corpus' own lemma choices (as in yle.py): the model's analyzer and lemmas
        lemma_of = Lemmatizer(model.analyzer, features.words)
        out["ours_dup"] = dup_share(w["topics"], lemma_of)

        if importlib.util.find_spec("bertopic") is None:
            print("SKIP: BERTopic row: bertopic is not importable (pip install bertopic==0.17.4)")
            out["bt"] = None
        else:
            npz, res = tmp / "data.npz", tmp / "bertopic.json"
            np.savez(npz, texts=np.array(texts, dtype=str), X=X)
            env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
            run, peak = measured([sys.executable, __file__, "--bertopic-worker", str(npz), str(res)], env, tmp)
            if run.returncode != 0:
                print(f"BERTopic worker FAILED (exit {run.returncode}):\n{run.stderr[-6000:]}")
                out["bt"] = {"failed": f"exit {run.returncode}: {run.stderr.strip().splitlines()[-1:]}"}
            else:
                bt = json.loads(res.read_text(encoding="utf-8"))
                full = ["-1"] * len(answers)
                for i, t in zip(answers.index.get_indexer(analysed), bt["topics"]):
                    full[i] = str(t)
                bt["ari"], bt["nmi"] = scores([labels_by_id[i] for i in answers["id"]], full)
                bt["coverage"] = sum(t != "-1" for t in full) / len(full)
                bt["themes"] = len(bt["words"])
                bt["wall_s"], bt["peak_mib"] = run.wall_s, peak
                bt.update(dup_share({str(k): v for k, v in bt["words"].items()}, lemma_of))
                bt.pop("topics")
                out["bt"] = bt
                print(f"B BERTopic: {bt['themes']} topics, coverage {bt['coverage']:.1%}, ARI {bt['ari']:.3f}, NMI {bt['nmi']:.3f}, "
                      f"import {bt['import_s']:.1f} s, warm-up {bt['warmup_s']:.1f} s, fit {bt['fit_s']:.1f} s "
                      f"(UMAP {bt['umap_s']:.1f}, HDBSCAN {bt['hdbscan_s']:.1f}), peak {peak} MiB", flush=True)
    for r in [first, *warm]:
        r.pop("theme_column"), r.pop("ids")
    return out


def render_b(b: dict) -> list[str]:
    first, warm, bt = b["ours_first"], b["ours_warm"], b["bt"]
    w = warm[0]
    lines = [
        "### B. Yle 2015 comments, all of them: ours vs BERTopic",
        "",
        f"`../shared/data/{YLE}`: {'all ' if b['all'] else 'a random sample (`df.sample(n, random_state=0)`) of '}{b['n']:,} comments "
        f"({b['n_labels']} statements, {b['n_groups']} parties). "
        f"Ours: `avovastaus run <csv> --id id --text text --group group --codebook none` ({b['embedder']}), with `benchmarks/.cache`. "
        f"BERTopic {bt['version'] if bt and 'failed' not in bt else '0.17.4'}: `BERTopic().fit_transform(texts, embeddings=X)` with default settings in a fresh process, "
        f"on the same {b['embedder']} vectors read back from the cache: the {b['bt_rows']:,} texts the pipeline embeds "
        "(the answers the pipeline analyses — its own `ingest` and prepare step: non-answers out, long answers cut — as `ThemeModel.featurize` gives them; "
        f"cache hits {b['bt_cache']['hits']:,}, misses {b['bt_cache']['misses']:,}). "
        f"Before the timed fit the worker fits once on {WARMUP_ROWS:,} random rows, so numba's compilation (or cache load) is out of the fit time. "
        "ARI/NMI against the statement over all comments; excluded non-answers, unassigned answers and BERTopic's outliers count as one more cluster; "
        "coverage = share of all comments with a theme. *dup lemma* / *dup content lemma* as in the Yle section above "
        "(share of themes whose top-10 keywords hold two words with one lemma; content lemmas only). "
        "Peak RSS of each child process from `/usr/bin/time -v`.",
        "",
    ]
    ours_dup = b["ours_dup"]
    n_warm = len(warm)
    rows = [[f"ours, CLI, warm cache ({n_warm} run{'s' if n_warm > 1 else ''})", w["themes"], f"{w['coverage']:.1%}", f"{w['ari']:.3f}", f"{w['nmi']:.3f}",
             f"{ours_dup['dup']:.0%}", f"{ours_dup['dup_content']:.0%}",
             fmt_med(warm, lambda r: r["timings"].get("lemmas", 0) + r["timings"].get("themes", 0) + r["timings"].get("label", 0)),
             fmt_med(warm, lambda r: r["wall_s"]), f"{max(r['peak_mib'] or 0 for r in warm):,.0f}"]]
    if bt and "failed" not in bt:
        rows.append([f"BERTopic {bt['version']} defaults (1 fit)", bt["themes"], f"{bt['coverage']:.1%}", f"{bt['ari']:.3f}", f"{bt['nmi']:.3f}",
                     f"{bt['dup']:.0%}", f"{bt['dup_content']:.0%}", f"{bt['fit_s']:.1f}", f"{bt['wall_s']:.1f}",
                     f"{bt['peak_mib']:,.0f}" if bt["peak_mib"] else "?"])
    lines += [table(["method", "themes", "coverage", "ARI", "NMI", "dup lemma", "dup content lemma",
                     "topic model s (ours: lemmas + themes + label; BERTopic: fit)", "process wall s", "peak RSS MiB"], rows), ""]
    trows = [
        ["ours, first run (embeds what the cache lacks)",
         ", ".join(f"{k} {v:.1f}" for k, v in first["timings"].items())
         + f"; total {first['total_s']:.1f}; wall {first['wall_s']:.1f} "
         f"(texts embedded {first['cache'].get('misses', 0):,}, cache hits {first['cache'].get('hits', 0):,})"],
        [f"ours, warm ({n_warm} run{'s' if n_warm > 1 else ''}; median)",
         ", ".join(f"{k} {med(warm, stage(k)):.2f}" for k in w["timings"])
         + f"; total {med(warm, lambda r: r['total_s']):.1f}; wall {med(warm, lambda r: r['wall_s']):.1f}"],
    ]
    if bt and "failed" not in bt:
        rest = bt["fit_s"] - (bt["umap_s"] or 0) - (bt["hdbscan_s"] or 0)
        trows += [
            ["BERTopic: `import bertopic`", f"{bt['import_s']:.1f}"],
            [f"BERTopic: warm-up fit on {WARMUP_ROWS:,} rows (numba)", f"{bt['warmup_s']:.1f}"],
            ["BERTopic: the fit on all rows", f"{bt['fit_s']:.1f} = UMAP {bt['umap_s']:.1f} + HDBSCAN {bt['hdbscan_s']:.1f} + c-TF-IDF/representation/rest {rest:.1f}"],
            ["BERTopic: worker process wall clock (load, import, warm-up, fit)", f"{bt['wall_s']:.1f}"],
        ]
    lines += [table(["stage", "seconds"], trows), ""]
    if bt and "failed" in bt:
        lines += [f"BERTopic row failed: {bt['failed']}.", ""]
    elif bt is None:
        lines += ["BERTopic row skipped: `bertopic` is not importable (`pip install bertopic==0.17.4`).", ""]
    c = w["counts"]
    lines += [
        f"Ours: {c['read']:,} read, {c['excluded']:,} excluded as non-answers, {c['analysed']:,} analysed, {c['unassigned']:,} unassigned. "
        f"Repeated runs {'gave identical themes' if b['ours_identical'] else 'gave DIFFERENT themes'}. "
        "Only one BERTopic fit was timed (its UMAP is unseeded, so scores vary from fit to fit; see the Yle section for the spread on 5,200).",
        "",
    ]
    if ours_dup["dup_examples"] or (bt and "failed" not in bt):
        lines.append("Duplicate-lemma examples: ours: " + ("; ".join(ours_dup["dup_examples"]) or "none")
                     + (("; BERTopic: " + ("; ".join(bt["dup_content_examples"]) or "none")) if bt and "failed" not in bt else "") + ".")
        lines.append("")
    return lines


# ---------------------------------------------------------------- main


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=["a", "b", "both"], default="both")
    parser.add_argument("--sizes", default="5000,20000,all", help="comma-separated subset sizes of part A; 'all' = every row")
    parser.add_argument("--embedders", default=",".join(EMBEDDERS), help="comma-separated embedders of part A")
    parser.add_argument("--no-cold", action="store_true", help="skip part A's cold runs (no embedding from scratch)")
    parser.add_argument("--section", default="scale", help="name of the results section to write (benchmarks/results/<name>.md)")
    parser.add_argument("--yle-embedder", default="e5-small", help="embedder of part B (both methods get its vectors)")
    parser.add_argument("--yle-rows", type=int, help="part B on a random sample of this many Yle comments (a quick check; default: all)")
    parser.add_argument("--out", type=Path, help="write the section to this file instead of benchmarks/results/<section>.md")
    args = parser.parse_args(argv)
    sizes = [None if s.strip() == "all" else int(s) for s in args.sizes.split(",") if s.strip()]
    # a quick check on smaller data than the benchmark's prints its section unless --out says where
    full = args.yle_rows is None and all(n is None or n in SIZES for n in sizes)
    embedders = [e.strip() for e in args.embedders.split(",") if e.strip()]
    require_shared(VKK if args.part in ("a", "both") else YLE)

    load0, started = load_line(), time.perf_counter()
    a = part_a(sizes, embedders, cold=not args.no_cold) if args.part in ("a", "both") else None
    b = part_b(args.yle_rows, args.yle_embedder) if args.part in ("b", "both") and (PROJECT.parent / "shared" / "data" / YLE).is_file() else None

    title = "Scale: cost as the data grows" if a else f"Scale: all Yle 2015 comments, ours vs BERTopic ({args.yle_embedder} vectors)"
    lines = [
        f"## {title}",
        "",
        f"Script: `benchmarks/scale.py`. Machine: {machine_line()}. Library: {source_line()}.",
        "",
        f"Machine load when the script started: {load0}; at the end: {load_line()}; the script ran {time.perf_counter() - started:,.0f} s. "
        "Other processes on the machine make timings noisy; every timing below is one machine, CPU only.",
        "",
    ]
    if a:
        lines += render_a(a, cold=not args.no_cold)
    if b:
        lines += render_b(b)
    emit_section(args.section, chr(10).join(lines), args.out, full)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--bertopic-worker":
        bertopic_worker(sys.argv[2], sys.argv[3])
    else:
        main(sys.argv[1:])
