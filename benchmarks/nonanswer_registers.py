"""Non-answer detection across Finnish registers: the frozen gold ``corpora/nonanswer_registers``.

Data: ``corpora/nonanswer_registers/gold.csv`` (in the repository; see its README): 700 synthetic (question,
answer) pairs labelled ``nonanswer`` or ``answer`` given the question, in six registers (child, youth, spoken,
typo, formal, dialect), split into a ``dev`` half (for development) and a frozen ``test`` half (for reporting
only: this script prints its aggregate figures, never its texts, and ``--errors`` refuses it). Also the older
``corpora/finnish_gold/nonanswers.csv`` (415 texts with a question type), whose figures must not regress.

Figures, per half and register: every row goes through ``detect_nonanswer(answer, question=question)`` (the
question's wording, where the installed function takes it); a row is predicted a non-answer when a reason code
comes back.
* recall: the share of ``nonanswer`` rows predicted non-answers;
* precision: the share of predicted non-answers that are ``nonanswer`` rows;
* look-alikes kept: the share of ``answer`` rows of kind ``lookalike`` or ``negative_content`` that get None
  (kept as answers);
* finnish_gold: precision and recall of "is a non-answer" with each item's question type;
* speed: microseconds per call over the Yle 2015 comments seen for the first time (when ``../shared/data`` has
  them), over the dev half's answers repeated 20 times (warm caches) and over 20,000 long answers.

Every figure is given for the rules alone and for the rules with the learned fallback
(``avovastaus.finnish.nonanswer_learned``, on by default).

The learned fallback's data and threshold come from here, never from the test half:
* ``--write-training`` writes ``src/avovastaus/finnish/data/nonanswer_training.tsv`` from the own development sets,
  the gold's ``dev`` half and the short answers of the bundled corpora (see :func:`training_data`);
* ``--cv`` cross-validates the whole detector (rules + a fallback trained without the held-out rows) on those rows,
  per threshold, and names the threshold the rule in :func:`choose_threshold` picks.

Writes the section to ``benchmarks/results/nonanswer_registers.md`` (collected into RESULTS.md).

Usage: .venv/bin/python benchmarks/nonanswer_registers.py [--half dev|test|both] [--errors] [--no-write]
       .venv/bin/python benchmarks/nonanswer_registers.py --write-training | --cv
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import inspect
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PROJECT, SHARED, machine_line, source_line, table, write_section  # noqa: E402

GOLD = PROJECT / "corpora" / "nonanswer_registers" / "gold.csv"
OLD_GOLD = PROJECT / "corpora" / "finnish_gold" / "nonanswers.csv"
OUT = PROJECT / "benchmarks" / "results" / "nonanswer_registers.md"
#: hand-written development sets beside the gold, in rounds (see the file's header)
OWN = PROJECT / "tests" / "unit" / "finnish" / "nonanswer_own_cases.tsv"
OWN_QUESTIONS = {"ILO": "Mikä tekee sinut iloiseksi?", "PELKO": "Mikä sinua pelottaa?", "HYVA": "Missä olet hyvä?",
                 "KIUS": "Mitä kiusaaminen on?", "ONG": "Maailman kolme suurinta ongelmaa ovat…", "KEHY": "Kehitysyhteistyö on…",
                 "AUTTAA": "Suomen pitäisi auttaa…", "KUNTA": "Miten yhteistyö kunnan kanssa toimii?",
                 "TARVE": "Mitä tukea tarvitsisitte?", "SAATU": "Mitä tukea olette saaneet?",
                 "KOHD": "Millaisia ongelmia olette kohdanneet?", "MUUTA": "Mitä muuta haluatte sanoa?",
                 "KEHIT": "Mitä kehitettävää palvelussa on?"}
REGISTERS = ("child", "youth", "spoken", "typo", "formal", "dialect")
LOOKALIKE_KINDS = ("lookalike", "negative_content")
TRAINING = PROJECT / "src" / "avovastaus" / "finnish" / "data" / "nonanswer_training.tsv"
#: the gold's kinds of non-answer -> the reason code the fallback learns; echo and "nothing" depend on the question: left out
KIND_REASON = {"dont_know": "dont_know", "nothing_comes_to_mind": "dont_know", "dont_know_topic": "dont_know",
               "refusal": "no_comment", "see_elsewhere": "see_above", "placeholder": "placeholder"}
#: bundled corpora with answers (answers.csv) and their gold: (corpus, answer columns, gold's key columns)
CORPORA = (("hyvinvointi_aallot", ("vastaus",)), ("hyvinvointialue", ("yhteistyo_hyvinvointialue", "tuki_tarpeet")),
           ("kuntajarjesto", ("yhteistyo_nyt", "kehittaminen")), ("tiny", ("yhteistyo_nyt", "kehittaminen")),
           ("nuorisokysely", ("ongelmat", "kehy", "auttaminen")))
#: an answer is cut into parts here, roughly as the rules cut clauses, so that a hedge beside content is no negative
_PARTS = re.compile(r"[,.;:!?…\n]+|\s[-–—]+\s|\s(?=(?:joten|koska|mutta|mut|vaikka|paitsi)\s)")
_LEADING = re.compile(r"^(?:joten|eli|ja|siis|niin|mutta|mut|koska|vaikka|paitsi)\s+", re.IGNORECASE)
THRESHOLDS = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)

#: the rules before the register work (measured with this script on the code as it was; no ``question`` parameter)
BEFORE = {
    "dev": {"all": (0.236, 0.935, 0.964), "child": (0.323, 0.909, 0.929), "youth": (0.290, 1.000, 1.000),
            "spoken": (0.032, 1.000, 1.000), "typo": (0.345, 0.909, 0.938), "formal": (0.344, 0.917, 0.917),
            "dialect": (0.071, 1.000, 1.000)},
    "test": {"all": (0.267, 0.941, 0.963), "child": (0.290, 1.000, 1.000), "youth": (0.194, 1.000, 1.000),
             "spoken": (0.065, 0.667, 0.929), "typo": (0.448, 1.000, 1.000), "formal": (0.516, 0.889, 0.867),
             "dialect": (0.074, 1.000, 1.000)},
    "finnish_gold": (1.000, 1.000),
}


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@contextlib.contextmanager
def fallback(on: bool) -> Iterator[None]:
    """Run the block with the learned fallback on or off (where the installed detector has one)."""
    from avovastaus.finnish import nonanswer

    was = getattr(nonanswer, "LEARNED_FALLBACK", None)
    if was is None:
        yield
        return
    nonanswer.LEARNED_FALLBACK = on
    try:
        yield
    finally:
        nonanswer.LEARNED_FALLBACK = was


def detector():
    """Return ``(row -> reason | None)`` for the installed detect_nonanswer, with the question where it takes one."""
    from avovastaus.finnish.nonanswer import detect_nonanswer

    if "question" in inspect.signature(detect_nonanswer).parameters:
        return lambda row: detect_nonanswer(row["answer"], question=row["question"])
    return lambda row: detect_nonanswer(row["answer"])


def scores(rows: list[dict[str, str]], predicted: list[str | None]) -> tuple[int, float | None, float | None, float | None]:
    """Return (n, recall, precision, look-alikes kept) of ``predicted`` against ``rows``."""
    gold = [r["label"] == "nonanswer" for r in rows]
    pred = [p is not None for p in predicted]
    hits = sum(g and p for g, p in zip(gold, pred))
    looks = [p is None for r, p in zip(rows, predicted) if r["label"] == "answer" and r["kind"] in LOOKALIKE_KINDS]
    recall = hits / sum(gold) if sum(gold) else None
    precision = hits / sum(pred) if sum(pred) else None
    kept = sum(looks) / len(looks) if looks else None
    return len(rows), recall, precision, kept


def fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


#: the rules fitted to the dev half only, before they were generalised (dev: tuned on; test: measured once)
PREVIOUS = {
    "dev": {"all": (0.989, 1.0, 1.0), "child": (1.0, 1.0, 1.0), "youth": (1.0, 1.0, 1.0), "spoken": (1.0, 1.0, 1.0),
            "typo": (0.931, 1.0, 1.0), "formal": (1.0, 1.0, 1.0), "dialect": (1.0, 1.0, 1.0)},
    "test": {"all": (0.817, 1.0, 1.0), "child": (0.871, 1.0, 1.0), "youth": (0.871, 1.0, 1.0), "spoken": (0.710, 1.0, 1.0),
             "typo": (0.828, 1.0, 1.0), "formal": (0.774, 1.0, 1.0), "dialect": (0.852, 1.0, 1.0)},
}


def own_rows() -> list[dict[str, str]]:
    """Return the rows of the own development sets, with the question's wording and an id (``own:<round>:<n>``)."""
    rows = []
    for line in OWN.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            round_, key, answer, label, register, kind = line.split("\t")
            rows.append({"id": f"own:{round_}:{len(rows) + 1}", "round": round_, "question": OWN_QUESTIONS[key],
                         "answer": answer, "label": label, "register": register, "kind": kind})
    return rows


# ---------------------------------------------------------------- the learned fallback: its data and its threshold


def dev_rows() -> list[dict[str, str]]:
    """Return the gold's dev half, each row's id as ``gold_dev:<id>``."""
    return [{**r, "id": f"gold_dev:{r['id']}"} for r in read_csv(GOLD) if r["split"] == "dev"]


def corpus_answers() -> list[dict[str, str]]:
    """Return the answers of the bundled corpora that their gold calls answers (dev half where a corpus has halves)."""
    from avovastaus.finnish.items import list_items
    from avovastaus.finnish.nonanswer import detect_nonanswer

    rows = []
    for corpus, columns in CORPORA:
        folder = PROJECT / "corpora" / corpus
        gold = {}
        for g in read_csv(folder / "gold.csv"):
            key = g.get("vastaaja_id") or g["id"]
            gold[(key, g.get("question", columns[0]))] = g
        for r in read_csv(folder / "answers.csv"):
            for column in columns:
                g, text = gold.get((r["vastaaja_id"], column)), " ".join(r[column].split())
                if g is None or not text or g.get("split", "dev") != "dev":
                    continue  # a corpus's test half stays out of everything trained
                if g.get("nonanswer") == "1" or g.get("label") == "ei_sisaltoa" or "nonanswer" in g.get("labels", "").split(";"):
                    continue
                # a list question's items are asked about one by one (themes/questions.py)
                for k, item in enumerate(list_items(text) if column == "ongelmat" else [text], 1):
                    with fallback(False):
                        if detect_nonanswer(item) is not None:
                            continue  # "en tiedä" among the items of "en tiedä, ehkä sodat": the gold labels whole answers
                    rows.append({"id": f"{corpus}:{r['vastaaja_id']}:{column}:{k}", "answer": item, "label": "answer",
                                 "kind": "corpus", "question": ""})
    return rows


def kept_parts(text: str, question: str | None) -> list[str]:
    """Return the parts of an answer that the rules alone keep as answers (all of it when they keep no part)."""
    from avovastaus.finnish.nonanswer import detect_nonanswer

    parts = [_LEADING.sub("", " ".join(p.split())) for p in _PARTS.split(text)]
    with fallback(False):
        kept = [p for p in parts if p and detect_nonanswer(p, question=question) is None]
    return kept or [text]


def training_data(own: list[dict[str, str]], dev: list[dict[str, str]], corpus: list[dict[str, str]]) -> list[tuple[str, str, str]]:
    """Return the fallback's training rows ``(text, label, source id)`` from own, gold-dev and corpus rows.

    A non-answer is kept whole under the reason code of its kind (echoes and "nothing", which only the question makes
    non-answers, are left out). An answer is cut into parts and only the parts the rules keep are taken: those are
    what the fallback is asked about. Corpus answers longer than ``LEARNED_WORDS`` words are left out (the fallback
    never sees them), and so are texts that occur under two labels.
    """
    from avovastaus.finnish.nonanswer import LEARNED_WORDS
    from avovastaus.finnish.nonanswer_forms import canonical

    out: list[tuple[str, str, str]] = []
    for r in [*own, *dev, *corpus]:
        text = " ".join(r["answer"].split())
        if r["label"] == "nonanswer":
            if r["kind"] in KIND_REASON:
                out.append((text, KIND_REASON[r["kind"]], r["id"]))
        elif r["kind"] != "corpus" or len(canonical(text).split()) <= LEARNED_WORDS:
            out.extend((part, "answer", r["id"]) for part in kept_parts(text, r["question"] or None))
    labels: dict[str, set[str]] = {}
    for text, label, _ in out:
        labels.setdefault(canonical(text), set()).add(label)
    seen: set[tuple[str, str]] = set()
    rows = []
    for text, label, source in out:
        key = (canonical(text), label)
        if len(labels[key[0]]) == 1 and key not in seen and key[0]:
            seen.add(key)
            rows.append((text, label, source))
    return rows


def write_training() -> None:
    rows = training_data(own_rows(), dev_rows(), corpus_answers())
    header = [
        "# Training data of the learned non-answer fallback (avovastaus/finnish/nonanswer_learned.py); see data/README.md.",
        "# Written by `benchmarks/nonanswer_registers.py --write-training`; do not edit by hand, rewrite it.",
        "# Sources: tests/unit/finnish/nonanswer_own_cases.tsv (own:<round>:<row>), the dev half of the frozen gold",
        "# corpora/nonanswer_registers (gold_dev:<id>; never its test half), and answers of the bundled synthetic corpora",
        "# (<corpus>:<respondent>:<column>:<item>; their dev half where they have halves). All CC0 1.0, synthetic.",
        "# label: answer, or the reason code of a non-answer (dont_know, no_comment, see_above, placeholder).",
        "text\tlabel\tsource",
    ]
    TRAINING.write_text("\n".join(header + ["\t".join(r) for r in rows]) + "\n", encoding="utf-8")
    counts = {label: sum(r[1] == label for r in rows) for label in sorted({r[1] for r in rows})}
    print(f"wrote {TRAINING.relative_to(PROJECT)}: {len(rows)} rows {counts}")


def cross_validate(folds: int = 5, seeds: tuple[int, ...] = (0, 1, 2)) -> list[dict[str, float]]:
    """Return the whole detector's cross-validated figures per threshold on the training sources.

    The sources (own rows, gold-dev rows, corpus answers; every kind, echoes and "nothing" included) are split into
    ``folds`` folds, stratified by label, for each seed; the fallback is trained on the training rows of the other
    folds and the held-out rows go through ``detect_nonanswer`` (with their question). Counts are summed over seeds.
    """
    from sklearn.model_selection import StratifiedKFold

    from avovastaus.finnish import nonanswer_learned as learned
    from avovastaus.finnish.nonanswer import detect_nonanswer

    own, dev = own_rows(), dev_rows()
    from avovastaus.finnish.nonanswer import LEARNED_WORDS
    from avovastaus.finnish.nonanswer_forms import canonical

    corpus = [r for r in corpus_answers() if len(canonical(r["answer"]).split()) <= LEARNED_WORDS]
    rows = [*own, *dev, *corpus]
    train = [learned.TrainingRow(*t) for t in training_data(own, dev, corpus)]
    groups = [r["id"].split(":")[0] for r in rows]
    y = [r["label"] == "nonanswer" for r in rows]
    counts = {t: {"tp": 0, "fp": 0, "pos": 0, "looks": 0, "kept": 0, "corpus": 0, "corpus_fp": 0, "gold_tp": 0, "gold_fp": 0,
                  "gold_pos": 0, "model_tp": 0, "model_pos": 0} for t in THRESHOLDS}
    try:
        for seed in seeds:
            for fit_idx, held_idx in StratifiedKFold(folds, shuffle=True, random_state=seed).split(rows, y):
                held_ids = {rows[i]["id"] for i in held_idx}
                model = learned.fit_default([t for t in train if t.source not in held_ids])
                held_train = [t for t in train if t.source in held_ids and t.label != "answer"]
                for threshold in THRESHOLDS:
                    model.threshold = threshold
                    learned.set_model(model)
                    c = counts[threshold]
                    c["model_pos"] += len(held_train)  # the model alone on held-out non-answers (most of which the rules catch)
                    c["model_tp"] += sum(p >= threshold for p in model.probabilities([learned.prepare(t.text) for t in held_train]))
                    for i in held_idx:
                        r = rows[i]
                        found = detect_nonanswer(r["answer"], question=r["question"] or None) is not None
                        gold, is_dev = r["label"] == "nonanswer", groups[i] == "gold_dev"
                        c["tp"] += found and gold
                        c["fp"] += found and not gold
                        c["pos"] += gold
                        c["gold_tp"] += is_dev and found and gold
                        c["gold_fp"] += is_dev and found and not gold
                        c["gold_pos"] += is_dev and gold
                        if r["kind"] in LOOKALIKE_KINDS:
                            c["looks"] += 1
                            c["kept"] += not found
                        if r["kind"] == "corpus":
                            c["corpus"] += 1
                            c["corpus_fp"] += found
    finally:
        learned.set_model(None)
    with fallback(False):  # the rules alone, for comparison (no fold needed: nothing is trained)
        found = [detect_nonanswer(r["answer"], question=r["question"] or None) is not None for r in rows]
    rules = {"tp": 0, "fp": 0, "pos": 0, "looks": 0, "kept": 0, "corpus": 0, "corpus_fp": 0, "gold_tp": 0, "gold_fp": 0,
             "gold_pos": 0, "model_tp": 0, "model_pos": 0}
    for r, f, group in zip(rows, found, groups):
        gold, is_dev = r["label"] == "nonanswer", group == "gold_dev"
        for key, hit in (("tp", f and gold), ("fp", f and not gold), ("pos", gold), ("gold_tp", is_dev and f and gold),
                         ("gold_fp", is_dev and f and not gold), ("gold_pos", is_dev and gold),
                         ("looks", r["kind"] in LOOKALIKE_KINDS), ("kept", r["kind"] in LOOKALIKE_KINDS and not f),
                         ("corpus", r["kind"] == "corpus"), ("corpus_fp", r["kind"] == "corpus" and f)):
            rules[key] += len(seeds) * hit
    out = []
    for threshold, c in [(None, rules), *counts.items()]:
        out.append({"threshold": threshold, "recall": c["tp"] / c["pos"], "precision": c["tp"] / max(c["tp"] + c["fp"], 1),
                    "dev_recall": c["gold_tp"] / c["gold_pos"], "dev_precision": c["gold_tp"] / max(c["gold_tp"] + c["gold_fp"], 1),
                    "kept": c["kept"] / c["looks"], "corpus_fp": c["corpus_fp"] / c["corpus"], "answers_lost": c["fp"],
                    "model_recall": c["model_tp"] / c["model_pos"] if c["model_pos"] else None})
    return out


def choose_threshold(figures: list[dict[str, float]]) -> float:
    """Return the threshold of the highest cross-validated recall among those at which no held-out answer (dev half,
    own sets, corpus answers) is called a non-answer in any fold of any seed beyond those the rules alone call so; of
    equals, the highest (the same reach with the widest margin)."""
    rules_lost = next(f["answers_lost"] for f in figures if f["threshold"] is None)
    ok = [f for f in figures if f["threshold"] is not None and f["answers_lost"] <= rules_lost]
    if not ok:
        return max(THRESHOLDS)
    best = max(round(f["recall"], 6) for f in ok)
    return max(f["threshold"] for f in ok if round(f["recall"], 6) == best)


def old_gold_scores() -> tuple[float, float, int]:
    from avovastaus.finnish.nonanswer import detect_nonanswer

    items = read_csv(OLD_GOLD)
    pred = [detect_nonanswer(i["text"], question_type=i["question_type"]) is not None for i in items]
    gold = [i["expected"] != "answer" for i in items]
    hits = sum(g and p for g, p in zip(gold, pred))
    return hits / sum(gold), hits / sum(pred), len(items)


def speed(rows: list[dict[str, str]]) -> dict[str, float]:
    """Return microseconds per call: the dev answers 20 times over (warm caches), long answers, and, where
    ``../shared/data`` has them, the Yle 2015 comments seen for the first time (with their statement as question)."""
    detect = detector()
    out: dict[str, float] = {}
    yle = SHARED / "yle_vaalikone2015_comments.csv"
    if yle.is_file():  # first, so that no cache holds these texts yet
        comments = [(r["text"], r["label"].split(" ", 1)[-1]) for r in read_csv(yle)]
        short_time, short_n = 0.0, 0
        t = time.perf_counter()
        for text, statement in comments:
            start = time.perf_counter()
            detect({"answer": text, "question": statement})
            if len(text.split()) <= 8:
                short_time, short_n = short_time + time.perf_counter() - start, short_n + 1
        out["Yle 2015 comments, first pass"] = (time.perf_counter() - t) / len(comments) * 1e6
        out[f"of them the {short_n} short ones (≤ 8 words)"] = short_time / max(short_n, 1) * 1e6
        # a statement makes a yes/no question, where the fallback is off: the cost of the fallback is measured without it,
        # on 10,000 short comments, the rules' caches warm in both passes and the fallback's cold
        from avovastaus.finnish.nonanswer_learned import model

        model()  # trained before the clock starts
        short = [text for text, _ in comments if len(text.split()) <= 12][:10_000]
        for on in (False, True):
            with fallback(on):
                t = time.perf_counter()
                for text in short:
                    detect({"answer": text, "question": ""})
                name = "with the learned fallback" if on else "rules alone"
                out[f"{len(short)} short comments (≤ 12 words) without a question, {name}"] = (time.perf_counter() - t) / len(short) * 1e6
    dev = [r for r in rows if r["split"] == "dev"] * 20
    t = time.perf_counter()
    for r in dev:
        detect(r)
    out["dev answers ×20 (warm)"] = (time.perf_counter() - t) / len(dev) * 1e6
    long_texts = [f"Yhteistyö kunnan kanssa toimii hyvin, mutta tilat ovat kalliit ja tiedotus on hidasta {i}. " * 8 for i in range(20_000)]
    t = time.perf_counter()
    for text in long_texts:
        detect({"answer": text, "question": "Miten yhteistyö kunnan kanssa toimii?"})
    out["long answers (~100 words)"] = (time.perf_counter() - t) / len(long_texts) * 1e6
    return out


def learned_summary(figures: list[dict[str, float]]) -> str:
    """Return a line on the fallback: its training data, threshold (and the cross-validated choice) and training time."""
    import sklearn.linear_model  # noqa: F401  (imported before the clock starts: the pipeline has it loaded anyway)

    from avovastaus.finnish import nonanswer_learned as learned
    from avovastaus.finnish.nonanswer import LEARNED_WORDS

    rows = learned.training_rows()
    start = time.perf_counter()
    learned.fit_default(rows)
    fit_s = time.perf_counter() - start
    counts = ", ".join(f"{label} {sum(r.label == label for r in rows)}" for label in learned.LABELS)
    chosen = f" (cross-validation chooses {choose_threshold(figures):.2f})" if figures else ""
    return (f"Learned fallback (`nonanswer_learned`): trained at first use on {len(rows)} rows of "
            f"`data/{learned.TRAINING_FILE}` ({counts}) in {fit_s:.2f} s; threshold {learned.THRESHOLD:.2f}{chosen}; "
            f"asked only about texts of at most {LEARNED_WORDS} words.")


def cv_table(figures: list[dict[str, float]]) -> str:
    header = ["threshold", "recall", "precision", "dev recall", "dev precision", "look-alikes kept", "corpus answers lost",
              "answers lost (3 seeds)", "model alone: recall"]
    keys = ["recall", "precision", "dev_recall", "dev_precision", "kept", "corpus_fp"]
    return table(header, [["rules alone" if f["threshold"] is None else f"{f['threshold']:.2f}", *(fmt(f[k]) for k in keys),
                           f["answers_lost"], fmt(f["model_recall"])] for f in figures])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--half", choices=("dev", "test", "both"), default="both")
    parser.add_argument("--errors", action="store_true", help="list the dev half's misses (never the test half's)")
    parser.add_argument("--no-write", action="store_true", help=f"print only; leave {OUT.name} as it is")
    parser.add_argument("--write-training", action="store_true", help=f"write {TRAINING.name} (the fallback's data) and stop")
    parser.add_argument("--cv", action="store_true", help="cross-validate the fallback's threshold on the training sources and stop")
    args = parser.parse_args()
    if args.write_training:
        write_training()
        return
    if args.cv:
        figures = cross_validate()
        print(cv_table(figures))
        print(f"chosen threshold: {choose_threshold(figures):.2f}")
        return

    rows = read_csv(GOLD)
    halves = ("dev", "test") if args.half == "both" else (args.half,)
    detect = detector()
    result_rows = []
    for half in halves:
        part = [r for r in rows if r["split"] == half]
        predicted = [detect(r) for r in part]
        with fallback(False):
            rules_only = [detect(r) for r in part]
        for register in ("all", *REGISTERS):
            idx = [i for i, r in enumerate(part) if register == "all" or r["register"] == register]
            n, rec, prec, kept = scores([part[i] for i in idx], [predicted[i] for i in idx])
            alone = scores([part[i] for i in idx], [rules_only[i] for i in idx])[1:]
            before, previous = BEFORE.get(half, {}).get(register), PREVIOUS.get(half, {}).get(register)
            result_rows.append([half, register, n, fmt(rec), fmt(prec), fmt(kept), " / ".join(fmt(b) for b in alone),
                                " / ".join(fmt(b) for b in previous) if previous else "–",
                                " / ".join(fmt(b) for b in before) if before else "–"])
        if half == "dev" and args.errors:
            for r, p, q in zip(part, predicted, rules_only):
                if (r["label"] == "nonanswer") != (p is not None) or p != q:
                    note = "" if p == q else f" (rules alone: {q})"
                    print(f"  {r['id']} {r['register']:7} {r['kind']:22} got={p!s:14} Q={r['question']!r} A={r['answer']!r}{note}")
    header = ["half", "register", "n", "recall", "precision", "look-alikes kept", "rules alone (recall / precision / kept)",
              "previous (fitted to dev only)", "before (recall / precision / kept)"]
    print(table(header, result_rows))

    own = own_rows()
    own_predicted = [detect(r) for r in own]
    with fallback(False):
        own_rules = [detect(r) for r in own]
    own_table = []
    for group, values in [("register", ("all", *REGISTERS)), ("round", sorted({r["round"] for r in own}))]:
        for value in values:
            idx = [i for i, r in enumerate(own) if value == "all" or r[group] == value]
            n, rec, prec, kept = scores([own[i] for i in idx], [own_predicted[i] for i in idx])
            alone = scores([own[i] for i in idx], [own_rules[i] for i in idx])[1:]
            own_table.append([f"{group} {value}" if value != "all" else "all", n, fmt(rec), fmt(prec), fmt(kept),
                              " / ".join(fmt(b) for b in alone)])
    own_header = ["own development sets", "n", "recall", "precision", "look-alikes kept", "rules alone"]
    print("\n" + table(own_header, own_table))

    old_recall, old_precision, old_n = old_gold_scores()
    with fallback(False):
        old_alone = old_gold_scores()
    print(f"\nfinnish_gold/nonanswers.csv ({old_n} items): recall {old_recall:.3f}, precision {old_precision:.3f} "
          f"(rules alone: {old_alone[0]:.3f} / {old_alone[1]:.3f}; before: {BEFORE['finnish_gold'][0]:.3f} / {BEFORE['finnish_gold'][1]:.3f})")
    timings = speed(rows)
    speed_line = "; ".join(f"{name}: {us:.1f} µs per call" for name, us in timings.items())
    print(f"speed: {speed_line}")
    figures = cross_validate() if not args.no_write else []
    learned_line = learned_summary(figures)
    print(learned_line)

    if args.no_write:
        return
    section = "\n\n".join([
        "## Non-answers across registers (`benchmarks/nonanswer_registers.py`)",
        machine_line() + "  \n" + source_line(),
        "Gold: `corpora/nonanswer_registers/gold.csv` (frozen; `dev` for development, `test` for reporting only). "
        "`detect_nonanswer(answer, question=question)`; recall and precision of \"is a non-answer\"; look-alikes kept = "
        "share of `answer` rows of kind `lookalike` or `negative_content` that are kept as answers; the figures are with the "
        "learned fallback (on by default), *rules alone* with it off. *Previous* = the "
        "rules fitted to the dev half only, before they were generalised (their test figures measured once); *before* "
        "= the rules before the register work (no `question` parameter).",
        table(header, result_rows),
        f"Own development sets (`{OWN.relative_to(PROJECT)}`, written by hand in rounds, each measured once before it was "
        "used; all rounds are now fitted, so these figures are development figures, not held out):",
        table(own_header, own_table),
        (f"`corpora/finnish_gold/nonanswers.csv` ({old_n} items, with their question type): recall **{old_recall:.3f}**, "
         f"precision **{old_precision:.3f}** (rules alone: {old_alone[0]:.3f} / {old_alone[1]:.3f}; before: "
         f"{BEFORE['finnish_gold'][0]:.3f} / {BEFORE['finnish_gold'][1]:.3f})."),
        f"Speed on the machine above: {speed_line}.",
        learned_line,
        ("Cross-validation of the fallback's threshold (`--cv`): the own sets, the dev half and the corpus answers in 5 "
         "folds × 3 seeds, the fallback trained on the other folds' training rows, every held-out row through "
         "`detect_nonanswer` with its question (recall and precision over all of them; *dev* = the gold's dev rows; "
         "*model alone* = the classifier's recall on held-out non-answers of the training data, before the rules and "
         "without the fallback's gate). The chosen threshold has the highest recall at which no held-out answer is lost "
         "beyond the rules' own (of equals, the highest):"),
        cv_table(figures),
    ])
    write_section("nonanswer_registers", section, OUT)
    print(f"\nwrote {OUT.relative_to(PROJECT)}")


if __name__ == "__main__":
    main()
