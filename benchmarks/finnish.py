"""The Finnish layer against its gold standard: lemmas, keywords, compounds, non-answers, and lemmatisation speed.

Data: ``corpora/finnish_gold`` (in the repository; see its README): ``lemmas.csv``, 1,250 (sentence, word,
lemma, kind, keyword) items in 369 sentences, and ``nonanswers.csv``, 415 texts with their question type
(``describe`` or ``yesno``) and the expected outcome (``answer`` or a reason code). Speed: all 35,092 Yle 2015
comments (``../shared/data/yle_vaalikone2015_comments.csv``; that part is skipped when the file is absent).

Figures:
* lemma accuracy, content and function words apart: the 369 sentences go through
  ``FinnishAnalyzer.tokens`` as one batch (as a survey's answers do, so the batch evidence is realistic);
  each gold word is matched to the first token of its sentence with the same surface form; a word the
  analyser drops (not tokenised as a word) counts as wrong;
* function word shown as keyword: gold function words that the analyser keeps as content words
  (``Token.content``, what ``content_lemmas`` returns and keyword counting sees);
* keyword accuracy: for every content item, the analyser's keyword form (``Lemma.keyword``: the head of a
  productive compound, else the lemma) equals the gold keyword *and* no other compound part (a modifier) is
  counted; *compound keyword accuracy* is the same over the compound items (category ``cmpd`` plus every item
  whose gold keyword differs from its lemma);
* non-answers: ``detect_nonanswer(text, question_type=...)`` per item; precision and recall of "is a
  non-answer" (any reason), and per reason code (predicted code = gold code);
* speed: ``FinnishAnalyzer.content_lemmas`` over all Yle comments (``flat(normalize(text))``) with a fresh
  analyser (its per-word cache empty), loading timed apart; distinct lemmas and unknown-word lemmas.

``--save-before`` writes the figures to ``benchmarks/results/finnish_before.json`` (run once on the code
before a change); the section then shows before and after side by side.

Usage: .venv/bin/python benchmarks/finnish.py [--save-before] [--no-speed] [--errors N]
"""

from __future__ import annotations

import argparse
import csv
import inspect
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PROJECT, RESULTS, SHARED, load_line, machine_line, peak_rss_mib, source_line, table, write_section  # noqa: E402

GOLD = PROJECT / "corpora" / "finnish_gold"
BEFORE = RESULTS / "finnish_before.json"
YLE = "yle_vaalikone2015_comments.csv"


def read_gold(name: str) -> list[dict[str, str]]:
    with open(GOLD / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def is_compound_item(item: dict[str, str]) -> bool:
    return item["id"].startswith("cmpd-") or (item["kind"] == "content" and item["keyword"] != item["lemma"])


def keyword_of(token) -> tuple[str, frozenset[str]]:
    """Return (the keyword form a reader sees for a token, every term it adds to keyword counting)."""
    parts = tuple(token.parts)
    return (parts[-1] if parts else token.lemma), frozenset((token.lemma, *parts))


def lemma_figures(analyzer) -> tuple[dict, dict[str, list[str]]]:
    """Return (lemma, keyword and compound figures on lemmas.csv, the errors by figure)."""
    items = read_gold("lemmas.csv")
    sentences = list(dict.fromkeys(i["sentence"] for i in items))
    docs = analyzer.tokens(sentences)
    by_sentence = dict(zip(sentences, docs))
    counts: Counter = Counter()
    errors: dict[str, list[str]] = defaultdict(list)
    for item in items:
        token = next((t for t in by_sentence[item["sentence"]] if t.surface == item["word"]), None)
        lemma = token.lemma if token else None
        kind = item["kind"]
        counts[f"{kind}_n"] += 1
        if lemma == item["lemma"]:
            counts[f"{kind}_ok"] += 1
        else:
            errors[f"{kind} lemma"].append(f"{item['id']} {item['word']} -> {lemma} (gold {item['lemma']})")
        if kind == "function":
            if token is not None and token.content:
                counts["function_keyword"] += 1
                errors["function word as keyword"].append(f"{item['id']} {item['word']} -> {lemma}")
            continue
        shown, counted = keyword_of(token) if token is not None and token.content else (None, frozenset())
        good = shown == item["keyword"] and counted <= {item["lemma"], item["keyword"]}
        counts["keyword_n"] += 1
        counts["keyword_ok"] += good
        if is_compound_item(item):
            counts["compound_n"] += 1
            counts["compound_ok"] += good
            if not good:
                errors["compound keyword"].append(f"{item['id']} {item['word']} -> {shown} counted {sorted(counted)} (gold {item['keyword']})")
    figures = {
        "content_lemma_accuracy": counts["content_ok"] / counts["content_n"],
        "content_n": counts["content_n"],
        "function_lemma_accuracy": counts["function_ok"] / counts["function_n"],
        "function_n": counts["function_n"],
        "function_as_keyword": counts["function_keyword"],
        "keyword_accuracy": counts["keyword_ok"] / counts["keyword_n"],
        "compound_keyword_accuracy": counts["compound_ok"] / counts["compound_n"],
        "compound_n": counts["compound_n"],
    }
    return figures, errors


def nonanswer_figures() -> tuple[dict, dict[str, list[str]]]:
    """Return (non-answer precision/recall overall and per reason code on nonanswers.csv, the errors)."""
    from avovastaus.finnish.nonanswer import detect_nonanswer

    typed = "question_type" in inspect.signature(detect_nonanswer).parameters
    items = read_gold("nonanswers.csv")
    pairs = []
    errors: dict[str, list[str]] = defaultdict(list)
    for item in items:
        found = detect_nonanswer(item["text"], question_type=item["question_type"]) if typed else detect_nonanswer(item["text"])
        found = found or "answer"
        pairs.append((item["expected"], found))
        if found != item["expected"]:
            key = "missed non-answer" if found == "answer" else ("answer excluded" if item["expected"] == "answer" else "wrong reason")
            errors[key].append(f"{item['id']} [{item['question_type']}] {item['text']!r}: {found} (gold {item['expected']})")
    gold_na = [g != "answer" for g, _ in pairs]
    pred_na = [p != "answer" for _, p in pairs]
    tp = sum(g and p for g, p in zip(gold_na, pred_na))
    per_code = {}
    for code in sorted({g for g, _ in pairs} | {p for _, p in pairs}):
        if code == "answer":
            continue
        hit = sum(g == code and p == code for g, p in pairs)
        n_pred, n_gold = sum(p == code for _, p in pairs), sum(g == code for g, _ in pairs)
        per_code[code] = {"n": n_gold, "precision": hit / n_pred if n_pred else None, "recall": hit / n_gold if n_gold else None}
    figures = {
        "nonanswer_precision": tp / sum(pred_na) if any(pred_na) else None,
        "nonanswer_recall": tp / sum(gold_na),
        "nonanswer_n": sum(gold_na),
        "answers_excluded": sum(p and not g for g, p in zip(gold_na, pred_na)),
        "reason_accuracy": sum(g == p for g, p in pairs) / len(pairs),
        "per_code": per_code,
        "typed_question": typed,
    }
    return figures, errors


def speed_figures() -> dict | None:
    """Return lemmatisation time and lemma counts on all Yle comments, or None when the file is absent."""
    path = SHARED / YLE
    if not path.is_file():
        print(f"SKIP speed: ../shared/data/{YLE} not found")
        return None
    import pandas as pd

    from avovastaus.finnish.lemmas import FinnishAnalyzer
    from avovastaus.finnish.text import flat, normalize

    texts = [flat(normalize(t)) for t in pd.read_csv(path, dtype=str, keep_default_na=False)["text"]]
    analyzer = FinnishAnalyzer().initialize()  # the spaCy tokenizer and Voikko are loaded once per process: not timed
    t0 = time.perf_counter()
    words = analyzer.content_lemmas(texts)
    seconds = time.perf_counter() - t0
    lemmas = Counter(w.lemma for ws in words for w in ws)
    surfaces = {w.surface.lower() for ws in words for w in ws}
    return {
        "texts": len(texts), "seconds": seconds, "per_s": len(texts) / seconds,
        "content_words": sum(lemmas.values()), "distinct_surfaces": len(surfaces), "distinct_lemmas": len(lemmas),
    }


def pct(value) -> str:
    return "–" if value is None else f"{value:.1%}"


def num(value, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


ROWS = [
    ("content-word lemma accuracy (target ≥ 97 %)", "content_lemma_accuracy", pct),
    ("function-word lemma accuracy", "function_lemma_accuracy", pct),
    ("function words kept as keywords (target 0)", "function_as_keyword", str),
    ("keyword accuracy, all content items", "keyword_accuracy", pct),
    ("compound keyword accuracy", "compound_keyword_accuracy", pct),
    ("non-answer precision (target ≥ 0.98)", "nonanswer_precision", num),
    ("non-answer recall (target ≥ 0.95)", "nonanswer_recall", num),
    ("real answers excluded", "answers_excluded", str),
    ("reason code exactly right (all 415 items)", "reason_accuracy", pct),
]
SPEED_ROWS = [
    ("lemmatisation of all Yle comments, s (target < 60)", "seconds", lambda v: f"{v:.1f}"),
    ("comments per second", "per_s", lambda v: f"{v:,.0f}"),
    ("content words", "content_words", lambda v: f"{v:,}"),
    ("distinct surface forms of content words", "distinct_surfaces", lambda v: f"{v:,}"),
    ("distinct content lemmas", "distinct_lemmas", lambda v: f"{v:,}"),
]


def section(now: dict, before: dict | None, errors: dict[str, list[str]], n_errors: int) -> str:
    get = lambda figures, key, fmt: "–" if figures is None or figures.get(key) is None else fmt(figures[key])  # noqa: E731
    rows = [[name, get(before, key, fmt), get(now, key, fmt)] for name, key, fmt in ROWS]
    speed_now, speed_before = now.get("speed"), (before or {}).get("speed")
    if speed_now or speed_before:
        rows += [[name, get(speed_before, key, fmt), get(speed_now, key, fmt)] for name, key, fmt in SPEED_ROWS]
    codes = sorted(set(now["per_code"]) | set((before or {}).get("per_code", {})))
    code_rows = []
    for code in codes:
        b, a = (before or {}).get("per_code", {}).get(code, {}), now["per_code"].get(code, {})
        code_rows.append([f"`{code}`", a.get("n", b.get("n", 0)), num(b.get("precision"), 2), num(b.get("recall"), 2), num(a.get("precision"), 2), num(a.get("recall"), 2)])
    lines = [
        "## Finnish layer against its gold standard (`benchmarks/finnish.py`)",
        "",
        f"Machine: {machine_line()}; {load_line()}. Library: {source_line()}.",
        "",
        f"Gold: `corpora/finnish_gold` — {now['content_n']} content and {now['function_n']} function-word items "
        f"({now['compound_n']} compound items), {now['nonanswer_n']} non-answers among 415 texts. "
        + (f"Speed: all {now['speed']['texts']:,} Yle 2015 comments, fresh analyser (per-word cache empty). " if now.get("speed") else "")
        + ("*Before* = the code before issue #14's Finnish-layer work " + (f"({before.get('source', '?')})" if before else "") + "; *after* = now.")
        ,
        "",
        table(["figure", "before", "after"], rows),
        "",
        "Non-answers per reason code (precision = of the texts given this code, the share whose gold code it is; "
        "recall = of the gold texts with this code, the share given it):",
        "",
        table(["code", "gold items", "precision before", "recall before", "precision after", "recall after"], code_rows),
        "",
        f"Peak RSS {peak_rss_mib():,.0f} MiB.",
    ]
    if n_errors:
        lines += ["", f"Remaining errors (first {n_errors} of each kind):", ""]
        for kind in sorted(errors):
            lines.append(f"- **{kind}** ({len(errors[kind])}): " + "; ".join(errors[kind][:n_errors]))
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save-before", action="store_true", help="record these figures as the 'before' column")
    parser.add_argument("--no-speed", action="store_true", help="skip the 35k-comment timing")
    parser.add_argument("--errors", type=int, default=8, help="errors of each kind listed in the section")
    parser.add_argument("--print-errors", action="store_true", help="print every error (for development)")
    args = parser.parse_args(argv)

    from avovastaus.finnish.lemmas import FinnishAnalyzer

    analyzer = FinnishAnalyzer().initialize()
    lemma, lemma_errors = lemma_figures(analyzer)
    nonanswer, nonanswer_errors = nonanswer_figures()
    now = {**lemma, **nonanswer, "source": source_line()}
    if not args.no_speed:
        now["speed"] = speed_figures()
    errors = {**lemma_errors, **nonanswer_errors}
    if args.print_errors:
        for kind, lines in sorted(errors.items()):
            print(f"== {kind} ({len(lines)})")
            print("\n".join(lines))
    print(json.dumps({k: v for k, v in now.items() if k != "per_code"}, indent=1, ensure_ascii=False))
    if args.save_before:
        BEFORE.parent.mkdir(parents=True, exist_ok=True)
        BEFORE.write_text(json.dumps(now, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {BEFORE}")
    before = json.loads(BEFORE.read_text(encoding="utf-8")) if BEFORE.is_file() else None
    if args.no_speed and before and before.get("speed") and not now.get("speed"):
        now["speed"] = None
    print(f"wrote {write_section('finnish', section(now, before, errors, args.errors))}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
