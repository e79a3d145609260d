"""Real-survey shape (#23): themes per question and list answers coded item by item, on corpora/nuorisokysely.

The corpus (written for the project, frozen before these rules) imitates a youth survey on development
cooperation: a list question ("Maailman kolme suurinta ongelmaa ovat…", 2.67 gold labels an answer)
and two text questions, hand-coded into categories per question, split into dev and test halves by
respondent. For each configuration the run is made once on the whole file, as a researcher would
(`--codebook none`); the figures are computed per half:

* **label-set F1** per question: each theme is mapped to the gold category most of its answers carry
  (majority mapping, the usual way to score unsupervised themes against labels); an answer's predicted
  set is the categories of its themes; micro precision / recall / F1 over answers with content;
* **mixed themes**: themes drawing ≥ 5 % of their answers from another question than their main one;
* themes per question, and answers carrying several themes.

"before" = one theme space for all questions, one theme per answer (`[cluster] per_question = false`,
every question of kind text); "after" = the defaults. Writes a section to benchmarks/results/survey_questions.md (collected into RESULTS.md).

    .venv/bin/python benchmarks/survey_questions.py [--embedder e5-small|static-fi]
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from pathlib import Path

import pandas as pd

from avovastaus.config import load_config
from avovastaus.pipeline import run_pipeline

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpora" / "nuorisokysely"
QUESTIONS = ["ongelmat", "kehy", "auttaminen"]
INGEST = {"id": "vastaaja_id", "text": QUESTIONS, "group": ["ikaryhma", "sukupuoli"]}
CONFIGS = {
    "before: one theme space, whole answers": {"cluster": {"per_question": False}, "questions": {q: {"kind": "text"} for q in QUESTIONS}},
    "after: per question, list items (defaults)": {},
    "after, 15 themes a question (--n-themes 15: no more themes than the list question's gold categories)": {"cluster": {"n_themes": 15}},
}


def run(overrides: dict, embedder: str, out: Path) -> pd.DataFrame:
    config = load_config(overrides={"ingest": INGEST, "codebook": "none", "embed": {"model": embedder}, **overrides})
    run_pipeline(CORPUS / "answers.csv", config, out)
    return pd.read_csv(out / "answers.csv", dtype=str, keep_default_na=False)


def scores(answers: pd.DataFrame, gold: pd.DataFrame, half: str) -> dict[str, dict[str, float]]:
    """Return per question: precision, recall, F1 of label sets (majority-mapped themes), n answers, mean predicted labels."""
    joined = answers.merge(gold, left_on=["id", "question"], right_on=["vastaaja_id", "question"])
    joined = joined[(joined["split"] == half) & (joined["labels"] != "") & (joined["excluded"] == "")]
    out = {}
    for q, rows in joined.groupby("question"):
        carried: dict[str, Counter] = {}
        for themes, labels in zip(rows["themes"], rows["labels"]):
            for t in filter(None, themes.split(";")):
                carried.setdefault(t, Counter()).update(labels.split(";"))
        mapping = {t: c.most_common(1)[0][0] for t, c in carried.items()}
        tp = fp = fn = 0
        predicted_sizes = []
        for themes, labels in zip(rows["themes"], rows["labels"]):
            predicted = {mapping[t] for t in filter(None, themes.split(";"))}
            truth = set(labels.split(";"))
            tp, fp, fn = tp + len(predicted & truth), fp + len(predicted - truth), fn + len(truth - predicted)
            predicted_sizes.append(len(predicted))
        p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
        out[q] = {"n": len(rows), "precision": p, "recall": r, "f1": 2 * p * r / max(p + r, 1e-9), "labels": sum(predicted_sizes) / len(rows)}
    return out


def mixed(answers: pd.DataFrame) -> tuple[int, int]:
    """Return (themes drawing ≥ 5 % of their answers from another question than their main one, themes)."""
    analysed = answers[answers["excluded"] == ""]
    per_theme: dict[str, Counter] = {}
    for q, themes in zip(analysed["question"], analysed["themes"]):
        for t in filter(None, themes.split(";")):
            per_theme.setdefault(t, Counter())[q] += 1
    bad = sum(1 for c in per_theme.values() if 1 - max(c.values()) / sum(c.values()) >= 0.05)
    return bad, len(per_theme)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--embedder", default="e5-small")
    args = parser.parse_args()
    gold = pd.read_csv(CORPUS / "gold.csv", dtype=str, keep_default_na=False)
    lines = [f"## Real-survey shape: per-question themes and list items (corpora/nuorisokysely, {args.embedder})", "",
             "| configuration | half | question | answers | labels / answer (gold 2.67 on ongelmat) | precision | recall | label-set F1 |",
             "|---|---|---|---:|---:|---:|---:|---:|"]
    notes = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, overrides in CONFIGS.items():
            answers = run(overrides, args.embedder, Path(tmp) / name.split(":")[0].replace(",", "").replace(" ", "-"))
            bad, total = mixed(answers)
            analysed = answers[(answers["excluded"] == "") & (answers["themes"] != "")]
            per_q = {q: len({t for ts in rows["themes"] for t in ts.split(";") if t}) for q, rows in analysed.groupby("question")}
            notes.append(f"- {name}: themes carried per question: " + ", ".join(f"{q} {n}" for q, n in per_q.items())
                         + " (gold categories: ongelmat 15, kehy 7, auttaminen 8).")
            notes.append(f"- {name}: {bad} of {total} themes draw ≥ 5 % of their answers from another question; "
                         f"{(answers['themes'].str.contains(';')).sum()} answers carry several themes.")
            for half in ("dev", "test"):
                for q, s in scores(answers, gold, half).items():
                    lines.append(f"| {name} | {half} | {q} | {s['n']} | {s['labels']:.2f} | {s['precision']:.3f} | {s['recall']:.3f} | **{s['f1']:.3f}** |")
    text = "\n".join(lines + [""] + notes) + "\n"
    print(text)
    (ROOT / "benchmarks" / "results" / "survey_questions.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
