"""Distinctive theme keywords: how many keyword slots hold a lemma that several themes share, per keyword scorer.

Two corpora, each fitted once with the pipeline's own model and the default config (e5-small):
* ``corpora/kuntajarjesto`` (both questions, the default codebook; the ``make demo`` run);
* the Yle 2015 sample of ``yle.py`` (200 comments per statement, 5,200 answers, ``--codebook none``),
  read from ``../shared/data`` (skipped with a message when absent).

Every scorer then labels the same themes (the same primary answers, the same lemmas), so the rows
differ only in the keyword method. Figures per row: *shared ≥ 3* = the share of keyword slots
(top 10 per theme) holding a lemma that is a keyword of three or more themes (target ≤ 5 %);
*dup lemma* = share of themes whose keywords repeat one base form (``evaluate.dup_lemma_share``,
target 0 %); the mean number of keywords per theme; the lemmas shared most.

Usage: .venv/bin/python benchmarks/keywords.py [--per-statement N] [--out FILE]   (writes benchmarks/results/keywords.md)
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CACHE, PROJECT, SHARED, emit_section, library_cache, load_line, machine_line, source_line, table  # noqa: E402

PER_STATEMENT = 200
N_KEYWORDS = 10
#: (row name, keyword method, options); the first is what main had before, the marked one is the default now
SCORERS = [
    ("c-TF-IDF (before)", "ctfidf", {}),
    ("c-TF-IDF, df ceiling 50 % of themes", "ctfidf", {"max_df": 0.5}),
    ("c-TF-IDF, df ceiling 25 % of themes", "ctfidf", {"max_df": 0.25}),
    ("weighted log-odds, prior 100", "log_odds", {"prior_strength": 100.0}),
    ("weighted log-odds, prior 500", "log_odds", {"prior_strength": 500.0}),
    ("weighted log-odds, prior 2000", "log_odds", {"prior_strength": 2000.0}),
    ("weighted log-odds, prior 500, a lemma names ≤ 2 themes, one keyword per base form (default: `theme_keywords`)", "log_odds", {"max_classes": 2, "bases": "voikko"}),
    ("weighted log-odds, prior 500, df ceiling 50 % of themes", "log_odds", {"max_df": 0.5}),
    ("weighted log-odds, prior 500, df ceiling 33 % of themes", "log_odds", {"max_df": 1 / 3}),
]


def shared_share(keywords: dict[str, list], at_least: int = 3) -> tuple[float, list[tuple[str, int]]]:
    """Return (share of keyword slots whose lemma is a keyword of >= ``at_least`` themes, the most shared lemmas)."""
    themes_of = Counter(k.lemma for kws in keywords.values() for k in dict((k.lemma, k) for k in kws).values())
    slots = [k.lemma for kws in keywords.values() for k in kws]
    shared = [w for w in slots if themes_of[w] >= at_least]
    top = [(w, c) for w, c in themes_of.most_common() if c >= at_least][:5]
    return (len(shared) / len(slots) if slots else 0.0), top


def coverage_exclusivity(keywords: dict[str, list], words, primary) -> tuple[float, float]:
    """Return (share of primary answers holding one of their theme's keywords, mean share of a keyword's answers that are its theme's).

    Coverage rewards keywords a theme's answers actually use; exclusivity rewards keywords other themes do not.
    """
    from avovastaus.themes.label import terms

    bags = [set(terms(w)) for w in words]
    covered = [bool(bags[j] & {k.lemma for k in keywords.get(t, [])}) for j, t in enumerate(primary) if t is not None]
    shares = []
    for theme, kws in keywords.items():
        for k in kws:
            holders = [primary[j] for j, b in enumerate(bags) if k.lemma in b and primary[j] is not None]
            if holders:
                shares.append(sum(h == theme for h in holders) / len(holders))
    return (sum(covered) / len(covered) if covered else 0.0), (sum(shares) / len(shares) if shares else 0.0)


def kuntajarjesto_fit():
    """Return (words, primary, theme ids) of the default pipeline's model on corpora/kuntajarjesto."""
    from avovastaus.config import load_codebook, load_config
    from avovastaus.embed.backends import resolve_embedder
    from avovastaus.io.ingest import ingest
    from avovastaus.pipeline import prepare_answers
    from avovastaus.themes.model import model_from_config

    path = PROJECT / "corpora" / "kuntajarjesto" / "answers.csv"
    config = load_config(overrides={"ingest": {"id": "vastaaja_id", "text": ["yhteistyo_nyt", "kehittaminen"], "group": ["vastaajaryhma", "alue"]}})
    survey = ingest(path, config.ingest.text, config.ingest.group, config.ingest.id)
    analysed, _ = prepare_answers(survey.answers, config, path)
    embedder = resolve_embedder(config.embed.model, config.embed.prompt, config.embed.batch_size)
    with library_cache(CACHE):
        model = model_from_config(config, load_codebook(config.codebook), embedder).fit(survey.answers.loc[analysed, "clean"].tolist())
    return model.features_.words, model.assignment_.primary, model.theme_ids_


def yle_fit(per_statement: int):
    """Return (words, primary, theme ids) of ``--codebook none`` on the Yle sample, or None without the shared data."""
    path = SHARED / "yle_vaalikone2015_comments.csv"
    if not path.is_file():
        print(f"SKIP: Yle rows: ../shared/data/{path.name} not found")
        return None
    from common import ours_model
    from yle import load_sample

    from avovastaus.finnish.text import flat, normalize

    texts = [flat(normalize(t)) for t in load_sample(path, per_statement)["text"]]
    with library_cache(CACHE):
        model = ours_model().fit(texts)
    return model.features_.words, model.assignment_.primary, model.theme_ids_


def measure(name: str, fit, analyzer) -> list[list[object]]:
    from avovastaus.evaluate import dup_lemma_share
    from avovastaus.themes.label import class_keywords

    words, primary, theme_ids = fit
    rows = []
    from avovastaus.themes.label import voikko_bases

    for label, method, options in SCORERS:
        options = {**options, "bases": voikko_bases} if options.get("bases") == "voikko" else options
        keywords = class_keywords(words, primary, theme_ids, N_KEYWORDS, method=method, **options)
        share, top = shared_share(keywords)
        dup = dup_lemma_share([[k.lemma for k in kws] for kws in keywords.values()], analyzer)
        mean_n = sum(len(v) for v in keywords.values()) / max(len(keywords), 1)
        coverage, exclusivity = coverage_exclusivity(keywords, words, primary)
        rows.append([name, label, len(theme_ids), f"{share:.1%}", f"{dup:.0%}", f"{mean_n:.1f}", f"{coverage:.1%}", f"{exclusivity:.2f}",
                     ", ".join(f"{w} ({c})" for w, c in top) or "–"])
        print(" | ".join(str(c) for c in rows[-1]), flush=True)
    return rows


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-statement", type=int, default=PER_STATEMENT)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    from avovastaus.finnish.lemmas import FinnishAnalyzer

    load0 = load_line()
    analyzer = FinnishAnalyzer()
    rows = measure("kuntajarjesto (codebook)", kuntajarjesto_fit(), analyzer)
    yle = yle_fit(args.per_statement)
    if yle is not None:
        rows += measure(f"Yle sample, {args.per_statement}/statement (discovery)", yle, analyzer)
    lines = [
        "## Distinctive theme keywords",
        "",
        f"Script: `benchmarks/keywords.py`. Machine: {machine_line()}. Library: {source_line()}.",
        "",
        "Each corpus is fitted once with the default pipeline model (e5-small); every keyword scorer then labels the same themes "
        "from the same primary answers and lemmas. *shared ≥ 3* = share of the keyword slots (top 10 per theme) that hold a lemma "
        "that is a keyword of three or more themes (target ≤ 5 %); *dup lemma* = share of themes whose keywords repeat one base form "
        "(target 0 %); *kw/theme* = mean keywords per theme; *coverage* = share of answers holding at least one keyword of their primary theme; "
        "*exclusivity* = mean over keyword slots of the share of the answers holding that lemma whose primary theme is the keyword's theme; last column: lemmas that are keywords of ≥ 3 themes (number of themes).",
        "",
        table(["corpus", "scorer", "themes", "shared ≥ 3", "dup lemma", "kw/theme", "coverage", "exclusivity", "most shared lemmas"], rows),
        "",
        f"Machine load at the start: {load0}; at the end: {load_line()}.",
    ]
    emit_section("keywords", "\n".join(lines), args.out, full=args.per_statement >= PER_STATEMENT or yle is None)


if __name__ == "__main__":
    main(sys.argv[1:])
