"""Yle 2015 election-compass comments: our discovery pipeline vs BERTopic defaults, on the same embeddings.

Data: ../shared/data/yle_vaalikone2015_comments.csv; 200 comments per statement (26 statements,
5,200 answers, ``groupby("label").sample(n=200, random_state=0)``). Scores are against the statement
each comment answered. Texts are normalized as the pipeline does (``flat(normalize(text))``) and
embedded once with e5-small (``query: ``) through the cache in benchmarks/.cache.

Rows:
* ours, library: the pipeline's own ``ThemeModel`` for ``--codebook none`` (``model_from_config`` with the
  default config), refitted as ``clone(model).set_params(seed=s).fit(features=Features(...))`` for seeds
  0, 1, 2 on the cached vectors and lemmas from ``FinnishAnalyzer.content_lemmas`` (a fresh analyzer per
  seed); clustering and labelling times are the model's ``timings_["themes"]`` and ``content_lemmas`` +
  ``timings_["label"]`` (keywords, labels, representative answers);
* ours, CLI: ``avovastaus run ... --codebook none`` once end to end, stage timings from manifest.json;
* BERTopic 0.17.4 defaults: ``BERTopic().fit_transform(texts, embeddings=X)`` in a fresh subprocess:
  the first fit is cold (``import bertopic`` + numba compilation included), the next ones warm.

Usage: .venv/bin/python benchmarks/yle.py [--per-statement N] [--out FILE]   (writes benchmarks/results/yle.md;
a sample under 200 per statement prints its section unless --out is given)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    CACHE,
    PROJECT,
    emit_section,
    fresh_analyzer,
    load_line,
    machine_line,
    ours_model,
    peak_rss_mib,
    precomputed,
    require_shared,
    run_measured,
    source_line,
    table,
)

PER_STATEMENT = 200
SEEDS = (0, 1, 2)
BERTOPIC_FITS = 3  # one cold, then warm
BERTOPIC_VERSION = "0.17.4"
N_WORDS = 10


# ---------------------------------------------------------------- data and scores


def load_sample(path: Path, per_statement: int = PER_STATEMENT):
    """Return the benchmark sample: ``per_statement`` (200) comments per statement (all of a statement that has fewer)."""
    import pandas as pd

    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    sizes = df["label"].value_counts()
    if (sizes >= per_statement).all():
        sample = df.groupby("label", group_keys=False).sample(n=per_statement, random_state=0)
    else:  # some statement is short: take all of it
        parts = [g.sample(n=min(per_statement, len(g)), random_state=0) for _, g in df.groupby("label")]
        sample = pd.concat(parts)
    return sample.reset_index(drop=True)


def scores(labels, clusters) -> tuple[float, float]:
    """Return (ARI, NMI) of ``clusters`` against ``labels``; an unassigned/outlier answer is one more cluster."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    clusters = [str(c) for c in clusters]
    return adjusted_rand_score(labels, clusters), normalized_mutual_info_score(labels, clusters)


class Lemmatizer:
    """Maps a keyword to its lemma: the corpus-disambiguated lemma of that surface form, else Voikko's first base form."""

    def __init__(self, analyzer, answer_words) -> None:
        self.analyzer = analyzer
        seen: dict[str, Counter] = {}
        for words in answer_words:
            for w in words:
                seen.setdefault(w.surface.lower(), Counter())[w.lemma] += 1
        self.by_surface = {s: c.most_common(1)[0][0] for s, c in seen.items()}

    def __call__(self, word: str) -> str:
        word = word.strip().lower()
        if word in self.by_surface:
            return self.by_surface[word]
        cands = self.analyzer.analyses(word)
        return cands[0][0] if cands else word


def duplicate_lemma(words: list[str], lemma_of: Lemmatizer, skip: frozenset[str] = frozenset()) -> list[str] | None:
    """Return the first two different words of one list that share a lemma (not one in ``skip``), or None."""
    first: dict[str, str] = {}
    for w in words:
        lemma = lemma_of(w)
        if lemma in skip:
            continue
        if lemma in first and first[lemma] != w:
            return [first[lemma], w]
        first.setdefault(lemma, w)
    return None


def dup_share(topics: dict, lemma_of: Lemmatizer) -> dict:
    """Return the share of topics whose words repeat a lemma (any lemma; content lemmas only) and examples."""
    from avovastaus.finnish.lexicon import stop_lemmas

    dups = {t: d for t, ws in topics.items() if (d := duplicate_lemma(ws, lemma_of))}
    content = {t: d for t, ws in topics.items() if (d := duplicate_lemma(ws, lemma_of, stop_lemmas()))}
    share = (lambda found: len(found) / len(topics) if topics else 0.0)
    return {
        "dup": share(dups), "dup_content": share(content),
        "dup_examples": [f"topic {t}: {', '.join(d)}" for t, d in list(dups.items())[:3]],
        "dup_content_examples": [f"topic {t}: {', '.join(d)}" for t, d in list(content.items())[:4]],
    }


def fmt_s(values: list[float]) -> str:
    return f"{statistics.median(values):.2f}" + (f" ({min(values):.2f}–{max(values):.2f})" if len(values) > 1 else "")


# ---------------------------------------------------------------- ours: library


def run_library(model, texts: list[str], X, labels) -> tuple[list[dict], object, list]:
    """Fit our model for each seed on the precomputed vectors; return (one record per seed, analyzer, lemma lists).

    ``model`` is the pipeline's own :class:`~avovastaus.model.ThemeModel` (``--codebook none``); each seed
    refits ``clone(model).set_params(seed=seed)`` on ``Features`` of the cached vectors and lemmas computed
    in that run, so the stage times are the model's own ``timings_`` (``themes``, ``label``).
    """
    from sklearn.base import clone

    records, analyzer, words = [], None, None
    for seed in SEEDS:
        # a fresh analyzer per run so its per-word cache does not flatter the later runs; loading timed apart
        analyzer = fresh_analyzer(model)
        t0 = time.perf_counter()
        analyzer.initialize()
        load_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        words = analyzer.content_lemmas(texts)
        lemmas_s = time.perf_counter() - t0
        fitted = clone(model).set_params(seed=seed).fit(features=precomputed(texts, X, words))
        assignment = fitted.assignment_
        cluster_s, describe_s = fitted.timings_["themes"], fitted.timings_["label"]
        primary = [p if p is not None else "-1" for p in assignment.primary]
        ari, nmi = scores(labels, primary)
        records.append({
            "seed": seed, "ari": ari, "nmi": nmi, "themes": len(fitted.centroids_),
            "coverage": sum(p is not None for p in assignment.primary) / len(primary),
            "moved": assignment.details.get("moved_to_nearest_theme"),
            "cluster_s": cluster_s, "load_s": load_s, "lemmas_s": lemmas_s, "keywords_s": describe_s,
            "label_s": lemmas_s + describe_s,
            "topics": {t: [k.lemma for k in kws] for t, kws in fitted.keywords_.items()},
        })
        r = records[-1]
        print(f"ours seed {seed}: {r['themes']} themes, ARI {ari:.3f}, NMI {nmi:.3f}, coverage {r['coverage']:.1%}, "
              f"cluster {cluster_s:.2f} s, label {r['label_s']:.2f} s (+ load {load_s:.1f} s)", flush=True)
    return records, analyzer, words


# ---------------------------------------------------------------- ours: CLI


def run_cli(sample, labels_by_id: dict) -> dict | None:
    """Run the CLI once end to end on the sample; return its scores and manifest timings (None if it failed)."""
    import pandas as pd

    exe = Path(sys.executable).parent / "avovastaus"
    with tempfile.TemporaryDirectory(prefix="avovastaus-bench-") as tmp:
        csv = Path(tmp) / "yle_sample.csv"
        sample[["id", "text", "label", "group"]].to_csv(csv, index=False)
        out = Path(tmp) / "run"
        cmd = [str(exe), "run", str(csv), "--id", "id", "--text", "text", "--group", "group",
               "--codebook", "none", "--out", str(out), "--force", "--quiet"]
        env = {**os.environ, "AVOVASTAUS_CACHE_DIR": str(CACHE)}
        proc = run_measured(cmd, capture=True, cwd=PROJECT, env=env)
        wall = proc.wall_s
        if proc.returncode != 0:
            print(f"CLI FAILED (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
            return {"failed": f"exit {proc.returncode}: {(proc.stderr or proc.stdout).strip().splitlines()[-1:]}"}
        answers = pd.read_csv(out / "answers.csv", dtype=str, keep_default_na=False)
        themes = pd.read_csv(out / "themes.csv", dtype=str, keep_default_na=False)
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    theme = [t if t else "-1" for t in answers["theme"]]
    ari, nmi = scores([labels_by_id[i] for i in answers["id"]], theme)
    topics = {
        row["theme"]: [k.split(" (")[0].strip() for k in row["keywords"].split(", ") if k.strip()]
        for _, row in themes.iterrows()
    }
    return {
        "wall_s": wall, "ari": ari, "nmi": nmi, "themes": len(themes),
        "coverage": sum(t != "-1" for t in theme) / len(theme),
        "excluded": int(manifest["counts"]["excluded"]), "unassigned": int(manifest["counts"]["unassigned"]),
        "timings": manifest.get("timings_s", {}), "cache": manifest.get("embedder", {}).get("cache", {}),
        "topics": topics, "stdout": proc.stdout.strip(), "peak_rss_mib": proc.peak_rss_mib,
    }


# ---------------------------------------------------------------- BERTopic (worker runs in its own process)


def bertopic_worker(npz: str, out_json: str, n_fits: int) -> None:
    """Fit BERTopic defaults ``n_fits`` times on saved texts + embeddings; write times, labels and topic words."""
    started = time.perf_counter()
    import numpy as np

    data = np.load(npz, allow_pickle=False)
    texts, X = data["texts"].tolist(), data["X"]
    t0 = time.perf_counter()
    import bertopic
    from bertopic import BERTopic

    import_s = time.perf_counter() - t0
    fits = []
    for _ in range(n_fits):
        t0 = time.perf_counter()
        model = BERTopic()
        topics, _ = model.fit_transform(texts, embeddings=X)
        fit_s = time.perf_counter() - t0
        words = {int(t): [w for w, _ in (model.get_topic(t) or [])][:N_WORDS] for t in sorted(set(topics)) if t != -1}
        fits.append({"fit_s": fit_s, "topics": [int(t) for t in topics], "words": words})
    result = {"version": bertopic.__version__, "import_s": import_s, "fits": fits,
              "total_s": time.perf_counter() - started, "peak_rss_mib": peak_rss_mib()}
    Path(out_json).write_text(json.dumps(result), encoding="utf-8")


def run_bertopic(X, texts) -> dict | None:
    """Run BERTopic in fresh interpreters; return the results, or None when bertopic is not importable.

    Worker 1 starts with an empty numba cache (NUMBA_CACHE_DIR in a temporary folder): its first fit is
    what a user waits for on the first run after installing. Worker 2 reuses that cache: a later run.
    """
    import numpy as np

    # find_spec, not an import: importing here would warm the OS and numba caches before the cold measurement
    probe = subprocess.run([sys.executable, "-c", "import importlib.util, sys; sys.exit(importlib.util.find_spec('bertopic') is None)"])
    if probe.returncode != 0:
        print(f"SKIP: BERTopic row: bertopic is not importable (pip install bertopic=={BERTOPIC_VERSION})")
        return None
    with tempfile.TemporaryDirectory(prefix="avovastaus-bertopic-") as tmp:
        npz = Path(tmp) / "data.npz"
        np.savez(npz, texts=np.array(texts, dtype=str), X=X)
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
               "NUMBA_CACHE_DIR": str(Path(tmp) / "numba")}
        results = []
        for worker, n_fits in ((1, BERTOPIC_FITS), (2, 1)):
            out = Path(tmp) / f"out{worker}.json"
            proc = run_measured([sys.executable, __file__, "--bertopic-worker", str(npz), str(out), str(n_fits)], capture=True, env=env)
            if proc.returncode != 0:
                print(f"BERTopic worker {worker} FAILED (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
                return {"failed": f"worker {worker} exit {proc.returncode}: {proc.stderr.strip().splitlines()[-1:]}"}
            result = json.loads(out.read_text(encoding="utf-8"))
            result["wall_s"] = proc.wall_s
            results.append(result)
    first, later = results
    first["later"] = later
    return first


def single_thread_clustering(model, features) -> list[float]:
    """Return the model's ``themes`` stage times (seeds 0..2) with BLAS/OpenMP pools limited to one thread (a diagnostic)."""
    from sklearn.base import clone
    from threadpoolctl import threadpool_limits

    times = []
    with threadpool_limits(1):
        for seed in SEEDS:
            times.append(clone(model).set_params(seed=seed).fit(features=features).timings_["themes"])
    return times


# ---------------------------------------------------------------- main


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-statement", type=int, default=PER_STATEMENT,
                        help=f"comments per statement (default {PER_STATEMENT}); a smaller sample prints its section instead of writing results/yle.md")
    parser.add_argument("--out", type=Path, help="write the section to this file (default: benchmarks/results/yle.md)")
    args = parser.parse_args(argv)
    path = require_shared("yle_vaalikone2015_comments.csv")
    from avovastaus.embed.backends import embed
    from avovastaus.finnish.text import flat, normalize

    load0 = load_line()
    per_statement = args.per_statement
    sample = load_sample(path, per_statement)
    texts = [flat(normalize(t)) for t in sample["text"]]
    labels = sample["label"].tolist()
    labels_by_id = dict(zip(sample["id"], labels))
    print(f"sample: {len(sample):,} comments, {sample['label'].nunique()} statements", flush=True)

    model = ours_model()  # what `avovastaus run --codebook none` fits: default config, e5-small
    t0 = time.perf_counter()
    X, cache_stats = embed(model.embedder, texts, cache_dir=CACHE)
    embed_s = time.perf_counter() - t0
    print(f"embedded in {embed_s:.1f} s; cache {cache_stats}", flush=True)

    ours, analyzer, words = run_library(model, texts, X, labels)
    one_thread = single_thread_clustering(model, precomputed(texts, X, words))
    print(f"ours, clustering with one BLAS/OpenMP thread: {[round(t, 2) for t in one_thread]} s", flush=True)
    lemma_of = Lemmatizer(analyzer, words)
    for r in ours:
        r.update(dup_share(r["topics"], lemma_of))

    cli = run_cli(sample, labels_by_id)
    if cli and "failed" not in cli:
        cli.update(dup_share(cli["topics"], lemma_of))
        print(f"CLI: {cli['themes']} themes, ARI {cli['ari']:.3f}, NMI {cli['nmi']:.3f}, wall {cli['wall_s']:.1f} s, timings {cli['timings']}", flush=True)

    bt = run_bertopic(X, texts)
    bt_rows = []
    if bt and "failed" not in bt:
        for i, fit in enumerate(bt["fits"]):
            ari, nmi = scores(labels, fit["topics"])
            outliers = sum(t == -1 for t in fit["topics"]) / len(fit["topics"])
            bt_rows.append({"fit": i, "ari": ari, "nmi": nmi, "themes": len(fit["words"]), "outliers": outliers,
                            "coverage": 1 - outliers, "fit_s": fit["fit_s"],
                            **dup_share({str(k): v for k, v in fit["words"].items()}, lemma_of)})
            r = bt_rows[-1]
            print(f"BERTopic fit {i} ({'cold' if i == 0 else 'warm'}): {r['themes']} topics, outliers {outliers:.1%}, "
                  f"ARI {ari:.3f}, NMI {nmi:.3f}, dup {r['dup']:.0%} (content {r['dup_content']:.0%}), {fit['fit_s']:.1f} s", flush=True)

    # ---------------------------------------------------------------- report
    ours_time = [r["cluster_s"] + r["label_s"] for r in ours]
    lines = [
        "## Yle 2015 comments: themes found without a codebook",
        "",
        f"Script: `benchmarks/yle.py`. Machine: {machine_line()}. Library: {source_line()}.",
        "",
        f"{len(sample):,} comments of `../shared/data/yle_vaalikone2015_comments.csv`, {per_statement} per statement "
        f"({sample['label'].nunique()} statements; `groupby(\"label\").sample(n={per_statement}, random_state=0)`), scored against the statement "
        "each comment answered. *ours, library* = the pipeline's own `ThemeModel` for `--codebook none` (`model_from_config`, default config), "
        "fitted on precomputed vectors and lemmas (`fit(features=...)`), once per seed. Same e5-small (`query: `) embeddings for every row "
        f"(embedding took {embed_s:.1f} s here; cache hits {cache_stats['hits']:,}, misses {cache_stats['misses']:,}). "
        "ARI/NMI count unassigned answers (BERTopic's outliers, topic −1) as one more cluster. "
        "*dup lemma* = share of themes whose top-10 keywords hold two different words with one lemma "
        "(every word lemmatized with `FinnishAnalyzer`: the corpus-disambiguated lemma of that surface form, else Voikko's first base form); "
        "*dup content lemma* counts only lemmas outside the curated stop list (so `on`/`olla` or `ei`/`en` do not count). "
        "BERTopic's fits are unseeded (UMAP), so each fit is a different sample of its behaviour.",
        "",
        f"Machine load when the script started: {load0}; when it wrote this section: {load_line()}. "
        "Other processes on the machine make timings noisy.",
        "",
        "### Scores",
        "",
    ]
    rows = []
    for r in ours:
        rows.append([f"ours, library, seed {r['seed']}", r["themes"], f"{r['coverage']:.1%}", f"{r['ari']:.3f}", f"{r['nmi']:.3f}",
                     f"{r['dup']:.0%}", f"{r['dup_content']:.0%}", f"{r['cluster_s']:.2f} + {r['label_s']:.2f}"])
    if cli and "failed" not in cli:
        rows.append(["ours, CLI end to end (seed 0)", cli["themes"], f"{cli['coverage']:.1%}", f"{cli['ari']:.3f}", f"{cli['nmi']:.3f}",
                     f"{cli['dup']:.0%}", f"{cli['dup_content']:.0%}", f"{cli['timings'].get('themes', float('nan')):.2f} + {cli['timings'].get('label', float('nan')):.2f}"])
    for r in bt_rows:
        rows.append([f"BERTopic {bt['version']} defaults, fit {r['fit'] + 1} ({'cold' if r['fit'] == 0 else 'warm'})", r["themes"],
                     f"{r['coverage']:.1%}", f"{r['ari']:.3f}", f"{r['nmi']:.3f}", f"{r['dup']:.0%}", f"{r['dup_content']:.0%}", f"{r['fit_s']:.2f}"])
    lines.append(table(["method", "themes", "coverage", "ARI", "NMI", "dup lemma", "dup content lemma", "time s (cluster + label)"], rows))
    lines.append("")
    if bt is None:
        lines += [f"BERTopic row skipped: `bertopic` is not importable (`pip install bertopic=={BERTOPIC_VERSION}`).", ""]
    elif "failed" in bt:
        lines += [f"BERTopic row failed: {bt['failed']}.", ""]
    if cli and "failed" in cli:
        lines += [f"CLI run failed: {cli['failed']}.", ""]

    lines += ["### Time", ""]
    trows = [
        ["ours: clustering (`ThemeModel.fit`, `timings_[\"themes\"]`)", fmt_s([r["cluster_s"] for r in ours])],
        ["ours: labelling (`content_lemmas` + `timings_[\"label\"]`)", fmt_s([r["label_s"] for r in ours])],
        ["  of which `content_lemmas`", fmt_s([r["lemmas_s"] for r in ours])],
        ["  of which `timings_[\"label\"]` (keywords, labels, representative answers)", fmt_s([r["keywords_s"] for r in ours])],
        ["ours: clustering + labelling", fmt_s(ours_time)],
        ["ours: loading spaCy tokenizer + Voikko (once per run, not in the line above)", fmt_s([r["load_s"] for r in ours])],
        ["diagnostic: ours, clustering under `threadpool_limits(1)`", fmt_s(one_thread)],
    ]
    if cli and "failed" not in cli:
        t = cli["timings"]
        trows.append(["ours, CLI: manifest stage timings", ", ".join(f"{k} {v:.2f}" for k, v in t.items())])
        trows.append(["ours, CLI: wall clock of the process (incl. imports, model load)", f"{cli['wall_s']:.2f}"])
    if bt_rows:
        warm = [r["fit_s"] for r in bt_rows[1:]] or [bt_rows[0]["fit_s"]]
        later = bt["later"]
        trows += [
            ["BERTopic, fresh process, empty numba cache: `import bertopic`", f"{bt['import_s']:.2f}"],
            ["BERTopic, same process: first fit (numba compilation)", f"{bt_rows[0]['fit_s']:.2f}"],
            ["BERTopic cold = import + first fit (first run after install)", f"{bt['import_s'] + bt_rows[0]['fit_s']:.2f}"],
            [f"BERTopic warm fit (fits 2–{len(bt_rows)}, same process)", fmt_s(warm)],
            ["BERTopic, second fresh process, numba cache filled: import + first fit",
             f"{later['import_s'] + later['fits'][0]['fit_s']:.2f} ({later['import_s']:.2f} + {later['fits'][0]['fit_s']:.2f})"],
            ["BERTopic worker processes, wall clock", f"{bt['wall_s']:.2f}, {later['wall_s']:.2f}"],
        ]
    lines.append(table(["stage", "seconds: median (min–max)"], trows))
    lines.append("")
    if bt_rows:
        warm_med = statistics.median([r["fit_s"] for r in bt_rows[1:]] or [bt_rows[0]["fit_s"]])
        cold = bt["import_s"] + bt_rows[0]["fit_s"]
        later_cold = bt["later"]["import_s"] + bt["later"]["fits"][0]["fit_s"]
        ours_med = statistics.median(ours_time)
        lines.append(
            f"**Speed ratio = BERTopic time / our clustering + labelling time (median {ours_med:.2f} s): "
            f"{warm_med / ours_med:.2f} against the warm fit (median {warm_med:.2f} s); "
            f"{cold / ours_med:.1f} against cold (import + first fit, {cold:.2f} s); "
            f"{later_cold / ours_med:.1f} against a later fresh process ({later_cold:.2f} s).** "
            f"Target ≥ 3: {'met' if warm_med / ours_med >= 3 else 'NOT met'} against the warm fit, "
            f"{'met' if cold / ours_med >= 3 else 'NOT met'} against cold."
        )
        if cli and "failed" not in cli:
            cli_t = cli["timings"].get("themes", 0) + cli["timings"].get("label", 0)
            lines.append("")
            lines.append(f"With the CLI's own stage timings (themes + label, the label stage including the spaCy/Voikko load: {cli_t:.2f} s): "
                         f"ratio {warm_med / cli_t:.2f} against the warm fit, {cold / cli_t:.1f} against cold.")
        lines.append("")

    lines += ["### Duplicate-lemma examples", ""]
    for r in ours[:1]:
        lines.append(f"- ours, seed {r['seed']}: " + ("; ".join(r["dup_examples"]) or "none"))
    if cli and "failed" not in cli:
        lines.append("- ours, CLI: " + ("; ".join(cli["dup_examples"]) or "none"))
    for r in bt_rows[:1]:
        lines.append("- BERTopic fit 1, any lemma: " + ("; ".join(r["dup_examples"]) or "none"))
        lines.append("- BERTopic fit 1, content lemmas: " + ("; ".join(r["dup_content_examples"]) or "none"))
    if ours:
        lines += ["", "Our keywords, seed 0 (first 5 themes):", ""]
        lines += [f"- {t}: {', '.join(ws)}" for t, ws in list(ours[0]["topics"].items())[:5]]
    lines.append("")
    if cli and "failed" not in cli:
        lines.append(f"CLI run: {cli['excluded']} answers excluded as non-answers, {cli['unassigned']} unassigned; "
                     f"embedding cache {cli['cache']}.")
        lines.append("")
    mem = f"Peak RSS (VmHWM): benchmark process (e5 + spaCy + Voikko loaded) {peak_rss_mib():,.0f} MiB"
    if cli and "failed" not in cli and cli.get("peak_rss_mib"):
        mem += f"; CLI run ≈ {cli['peak_rss_mib']:,.0f} MiB (sampled every 50 ms)"
    if bt_rows:
        mem += f"; BERTopic worker {bt['peak_rss_mib']:,.0f} MiB"
    lines.append(mem + ".")
    emit_section("yle", chr(10).join(lines), args.out, full=per_statement >= PER_STATEMENT)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--bertopic-worker":
        bertopic_worker(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        main(sys.argv[1:])
