"""Theme stability on resampled answers: our discovery vs BERTopic's topics, on the same e5-small embeddings.

Data: the Yle 2015 sample of ``yle.py`` (200 comments per statement, 5,200 answers), texts normalized
as the pipeline does (``flat(normalize(text))``) and embedded with e5-small through benchmarks/.cache.

Protocol (``avovastaus.stability.theme_stability``, the library's own, for both methods):
* the full-data partition: ours = the pipeline's ``ThemeModel`` for ``--codebook none`` (``model_from_config``,
  default config), fitted on the precomputed vectors and lemmas with seed 0; BERTopic =
  ``BERTopic()`` with default settings on the same embeddings (its UMAP unseeded, as a user gets it);
* 5 reruns, each on the same random 80 % of the answers for both methods (rng seed 0), rerun r with
  seed r + 1: ours ``clone(model).set_params(seed=seed).fit(features=features.subset(rows))`` (the refits of
  ``ThemeModel.stability``, which is run too, to check it gives the same figures); BERTopic
  ``BERTopic(umap_model=UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=seed))``;
* a theme's stability = mean over reruns of the best Jaccard overlap between its members (restricted
  to the rerun's rows) and any theme of the rerun. BERTopic's outliers (topic -1) are no topic: they
  belong to no member set and to no rerun cluster.

Run-level figures: size-weighted mean stability (weights = theme sizes in the full data, as the
pipeline's manifest computes it), unweighted mean, share of themes below 0.6 (the pipeline's flag
threshold), themes per rerun, ARI between the full-data partition and each rerun's partition on the
rerun's rows (outliers/unassigned as one more cluster, as elsewhere; and on rows assigned in both).

Usage: .venv/bin/python benchmarks/stability.py [--per-statement N] [--out FILE]   (writes benchmarks/results/stability.md;
a sample under 200 per statement prints its section unless --out is given)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CACHE, emit_section, fresh_analyzer, load_line, machine_line, ours_model, peak_rss_mib, precomputed, require_shared, source_line, table  # noqa: E402
from yle import PER_STATEMENT, load_sample  # noqa: E402

RUNS = 5
SAMPLE = 0.8
SEED = 0
THRESHOLD = 0.6
BERTOPIC_VERSION = "0.17.4"


# ---------------------------------------------------------------- figures


def partition(themes: list[list[str]]) -> list[str]:
    """Return each answer's primary theme, ``-1`` for an unassigned answer or an outlier."""
    return [t[0] if t else "-1" for t in themes]


def summarize(name: str, themes: list[list[str]], theme_ids: list[str], stability: dict[str, float], reruns: list[dict]) -> dict:
    """Return the run-level figures of one method from its full-data themes, per-theme stability and reruns."""
    import numpy as np
    from sklearn.metrics import adjusted_rand_score

    from avovastaus.themes.stability import best_match_jaccard

    full = partition(themes)
    sizes = Counter(p for p in full if p != "-1")
    valid = {t: v for t, v in stability.items() if not np.isnan(v) and sizes.get(t)}
    weighted = float(np.average(list(valid.values()), weights=[sizes[t] for t in valid])) if valid else float("nan")
    low = sorted((t for t, v in valid.items() if v < THRESHOLD), key=lambda t: -sizes[t])
    per_run = []
    for rerun in reruns:
        rows, labels = rerun["rows"], partition(rerun["themes"])
        ref = [full[i] for i in rows]
        ari_all = adjusted_rand_score(ref, labels)
        both = [j for j, (a, b) in enumerate(zip(ref, labels)) if a != "-1" and b != "-1"]
        ari_both = adjusted_rand_score([ref[j] for j in both], [labels[j] for j in both]) if both else float("nan")
        # this rerun's own size-weighted stability (the library reports only the mean over reruns)
        clusters: dict[str, set[int]] = {}
        for i, label in zip(rows, labels):
            if label != "-1":
                clusters.setdefault(label, set()).add(int(i))
        members: dict[str, set[int]] = {}
        for i in rows:
            if full[i] != "-1":
                members.setdefault(full[i], set()).add(int(i))
        jac = {t: best_match_jaccard(m, list(clusters.values())) for t, m in members.items()}
        run_weighted = float(np.average(list(jac.values()), weights=[sizes[t] for t in jac])) if jac else float("nan")
        per_run.append({
            "seed": rerun["seed"], "themes": len(clusters), "outliers": labels.count("-1") / len(labels),
            "ari": ari_all, "ari_both": ari_both, "weighted": run_weighted, "seconds": rerun["seconds"],
        })
    return {
        "name": name, "themes": len(sizes), "outliers": full.count("-1") / len(full),
        "weighted": weighted, "mean": float(np.mean(list(valid.values()))) if valid else float("nan"),
        "low": low, "low_share": len(low) / len(valid) if valid else float("nan"),
        "min": min(valid.values()) if valid else float("nan"), "sizes": sizes, "stability": valid, "per_run": per_run,
    }


def recording(reassign, store: list[dict]):
    """Wrap ``reassign(rows, seed)`` so that every rerun's rows, themes and time are kept in ``store``."""

    def wrapped(rows, seed):
        t0 = time.perf_counter()
        themes = reassign(rows, seed)
        store.append({"rows": [int(i) for i in rows], "seed": int(seed), "themes": themes, "seconds": time.perf_counter() - t0})
        return themes

    return wrapped


# ---------------------------------------------------------------- methods


def ours(model, features) -> dict:
    """Return our full-data themes (seed 0), per-theme stability and the recorded reruns.

    ``model`` is the pipeline's own ThemeModel (``--codebook none``); reruns are the refits that
    ``ThemeModel.stability`` makes, ``clone(model).set_params(seed=s).fit(features=features.subset(rows))``,
    recorded so that each rerun's partition can be scored. ``ThemeModel.stability`` itself then runs
    to check that it gives the same figures.
    """
    import numpy as np
    from sklearn.base import clone

    from avovastaus.themes.stability import theme_stability

    fitted = clone(model).set_params(seed=SEED).fit(features=features)

    def refit(rows, seed):
        return clone(fitted).set_params(seed=seed).fit(features=features.subset(rows)).assignment_.themes

    reruns: list[dict] = []
    t0 = time.perf_counter()
    stability = theme_stability(fitted.assignment_.themes, recording(refit, reruns), fitted.theme_ids_,
                                runs=RUNS, sample=SAMPLE, seed=fitted.seed)
    stability_s = time.perf_counter() - t0
    library = fitted.stability(RUNS, SAMPLE)
    same = list(library) == list(stability) and np.allclose(list(library.values()), list(stability.values()), equal_nan=True, rtol=0, atol=0)
    return {"themes": fitted.assignment_.themes, "theme_ids": fitted.theme_ids_, "stability": stability, "reruns": reruns,
            "full_s": fitted.timings_["themes"], "label_s": fitted.timings_["label"], "stability_s": stability_s, "library_agrees": same}


def bertopic(X, texts) -> dict:
    """Return BERTopic's full-data topics (defaults), per-topic stability and the recorded reruns (seeded UMAP)."""
    import bertopic as bt
    from bertopic import BERTopic
    from umap import UMAP

    from avovastaus.themes.stability import theme_stability

    def as_themes(topics) -> list[list[str]]:
        return [[str(int(t))] if int(t) != -1 else [] for t in topics]

    t0 = time.perf_counter()
    topics, _ = BERTopic().fit_transform(texts, embeddings=X)
    full_s = time.perf_counter() - t0  # includes numba compilation on a fresh install: not a speed figure
    themes = as_themes(topics)
    theme_ids = sorted({t[0] for t in themes if t}, key=int)

    def refit(rows, seed):
        umap_model = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=seed)
        sub, _ = BERTopic(umap_model=umap_model).fit_transform([texts[i] for i in rows], embeddings=X[rows])
        return as_themes(sub)

    reruns: list[dict] = []
    t0 = time.perf_counter()
    stability = theme_stability(themes, recording(refit, reruns), theme_ids, runs=RUNS, sample=SAMPLE, seed=SEED)
    return {"themes": themes, "theme_ids": theme_ids, "stability": stability, "reruns": reruns,
            "full_s": full_s, "stability_s": time.perf_counter() - t0, "version": bt.__version__}


# ---------------------------------------------------------------- main


def spread(values: list[float], fmt: str = "{:.3f}") -> str:
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-statement", type=int, default=PER_STATEMENT,
                        help=f"comments per statement (default {PER_STATEMENT}); a smaller sample prints its section instead of writing results/stability.md")
    parser.add_argument("--out", type=Path, help="write the section to this file (default: benchmarks/results/stability.md)")
    args = parser.parse_args(argv)
    path = require_shared("yle_vaalikone2015_comments.csv")
    import importlib.util

    from avovastaus.embed.backends import embed
    from avovastaus.finnish.text import flat, normalize

    load0 = load_line()
    per_statement = args.per_statement
    sample = load_sample(path, per_statement)
    texts = [flat(normalize(t)) for t in sample["text"]]
    model = ours_model()  # what `avovastaus run --codebook none` fits: default config, e5-small
    X, cache_stats = embed(model.embedder, texts, cache_dir=CACHE)
    words = fresh_analyzer(model).content_lemmas(texts)  # keywords are part of every fit (not of the stability figures)
    print(f"sample: {len(texts):,} answers; embeddings {X.shape}, cache {cache_stats}", flush=True)

    results = []
    mine = ours(model, precomputed(texts, X, words))
    results.append(summarize("ours (`ThemeModel`, discovery)", mine["themes"], mine["theme_ids"], mine["stability"], mine["reruns"]))
    print(f"ours: {results[-1]['themes']} themes, weighted stability {results[-1]['weighted']:.3f}, "
          f"{mine['stability_s']:.1f} s for {RUNS} reruns; ThemeModel.stability agrees: {mine['library_agrees']}", flush=True)
    theirs = None
    if importlib.util.find_spec("bertopic") is None:
        print(f"SKIP: BERTopic rows: bertopic is not importable (pip install bertopic=={BERTOPIC_VERSION})")
    else:
        theirs = bertopic(X, texts)
        results.append(summarize(f"BERTopic {theirs['version']} defaults", theirs["themes"], theirs["theme_ids"], theirs["stability"], theirs["reruns"]))
        print(f"BERTopic: {results[-1]['themes']} topics, weighted stability {results[-1]['weighted']:.3f}, "
              f"{theirs['stability_s']:.1f} s for {RUNS} reruns", flush=True)

    lines = [
        "## Theme stability under resampling: ours vs BERTopic",
        "",
        f"Script: `benchmarks/stability.py`. Machine: {machine_line()}. Library: {source_line()}.",
        "",
        f"The Yle 2015 sample of `yle.py` ({len(texts):,} comments, {per_statement} per statement), e5-small (`query: `) embeddings "
        f"from the cache (hits {cache_stats['hits']:,}, misses {cache_stats['misses']:,}), the same for both methods. "
        f"Protocol of `avovastaus.stability.theme_stability` for both: the full-data partition (ours: the pipeline's `ThemeModel` for "
        f"`--codebook none` (`model_from_config`, default config) fitted on the precomputed vectors and lemmas, seed {SEED}; "
        "BERTopic: `BERTopic()` defaults, its UMAP unseeded), then "
        f"{RUNS} reruns on random {SAMPLE:.0%} subsamples — the same rows for both methods — with seeds 1–{RUNS} "
        "(ours: `clone(model).set_params(seed=seed).fit(features=features.subset(rows))`, the refits of `ThemeModel.stability`; BERTopic: `umap_model=UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric=\"cosine\", random_state=seed)`, "
        "everything else default). A theme's stability is its mean best-match Jaccard over the reruns (its members restricted to the "
        "rerun's rows, against every theme of the rerun). BERTopic's outliers (topic −1) are not a topic: they join no member set and no rerun cluster, "
        "so a topic whose answers become outliers in a rerun loses stability.",
        "",
        f"Run-level figures: *weighted* = mean stability weighted by theme size in the full data (the figure the pipeline writes to "
        f"`manifest.json`); *< {THRESHOLD}* = share of themes the pipeline would flag. ARI compares the full-data partition with each "
        "rerun's partition on the rerun's rows; *ARI* counts unassigned answers/outliers as one more cluster, *ARI assigned* uses only "
        "rows with a theme in both.",
        "",
        table(
            ["method", "themes (full data)", "outliers (full data)", "stability weighted", "stability mean", f"themes < {THRESHOLD}", "lowest",
             "themes per rerun", "ARI full vs rerun", "ARI assigned", "rerun weighted stability"],
            [[r["name"], r["themes"], f"{r['outliers']:.1%}", f"{r['weighted']:.3f}", f"{r['mean']:.3f}",
              f"{r['low_share']:.0%} ({len(r['low'])})", f"{r['min']:.3f}",
              f"{min(p['themes'] for p in r['per_run'])}–{max(p['themes'] for p in r['per_run'])} ("
              + ", ".join(str(p["themes"]) for p in r["per_run"]) + ")",
              spread([p["ari"] for p in r["per_run"]]), spread([p["ari_both"] for p in r["per_run"]]),
              spread([p["weighted"] for p in r["per_run"]])] for r in results],
        ),
        "",
        "Per rerun (medians above are over these five; the rows are the same for both methods):",
        "",
    ]
    rows = []
    for r in results:
        for p in r["per_run"]:
            rows.append([r["name"], p["seed"], p["themes"], f"{p['outliers']:.1%}", f"{p['weighted']:.3f}", f"{p['ari']:.3f}",
                         f"{p['ari_both']:.3f}", f"{p['seconds']:.2f}"])
    lines += [table(["method", "seed", "themes", "outliers", "weighted stability", "ARI", "ARI assigned", "rerun s"], rows), ""]
    for r in results:
        if r["low"]:
            shown = ", ".join(f"{t} ({r['sizes'][t]} answers, {r['stability'][t]:.2f})" for t in r["low"][:8])
            lines.append(f"- {r['name']}: themes below {THRESHOLD}, largest first: {shown}" + (" …" if len(r["low"]) > 8 else ""))
        else:
            lines.append(f"- {r['name']}: no theme below {THRESHOLD}.")
    lines.append("")
    lines += [f"Check: `ThemeModel.stability({RUNS}, {SAMPLE})` on our full-data model gives "
              + ("the same per-theme figures as the recorded reruns above." if mine["library_agrees"] else "DIFFERENT per-theme figures from the recorded reruns above."), ""]
    timing = (f"Time: ours, full-data fit `timings_[\"themes\"]` {mine['full_s']:.2f} s (+ `timings_[\"label\"]` {mine['label_s']:.2f} s), "
              f"{RUNS} reruns {mine['stability_s']:.1f} s (whole refits: themes, keywords, representative answers)")
    if theirs:
        timing += (f"; BERTopic, full-data fit {theirs['full_s']:.1f} s (includes numba compilation when the cache is cold), "
                   f"{RUNS} reruns {theirs['stability_s']:.1f} s (a seeded UMAP runs single-threaded)")
    else:
        timing += f". BERTopic rows skipped: `bertopic` is not importable (`pip install bertopic=={BERTOPIC_VERSION}`)"
    lines += [timing + ".", "",
              f"Machine load when the script started: {load0}; at the end: {load_line()}. Peak RSS (VmHWM) of the script: {peak_rss_mib():,.0f} MiB."]
    emit_section("stability", chr(10).join(lines), args.out, full=per_statement >= PER_STATEMENT)


if __name__ == "__main__":
    main(sys.argv[1:])
