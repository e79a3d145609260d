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

Writes the section to ``benchmarks/results/nonanswer_registers.md`` (collected into RESULTS.md).

Usage: .venv/bin/python benchmarks/nonanswer_registers.py [--half dev|test|both] [--errors] [--no-write]
"""

from __future__ import annotations

import argparse
import csv
import inspect
import sys
import time
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
    """Return the rows of the own development sets, with the question's wording."""
    rows = []
    for line in OWN.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            round_, key, answer, label, register, kind = line.split("\t")
            rows.append({"round": round_, "question": OWN_QUESTIONS[key], "answer": answer, "label": label,
                         "register": register, "kind": kind})
    return rows


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--half", choices=("dev", "test", "both"), default="both")
    parser.add_argument("--errors", action="store_true", help="list the dev half's misses (never the test half's)")
    parser.add_argument("--no-write", action="store_true", help=f"print only; leave {OUT.name} as it is")
    args = parser.parse_args()

    rows = read_csv(GOLD)
    halves = ("dev", "test") if args.half == "both" else (args.half,)
    detect = detector()
    result_rows = []
    for half in halves:
        part = [r for r in rows if r["split"] == half]
        predicted = [detect(r) for r in part]
        for register in ("all", *REGISTERS):
            idx = [i for i, r in enumerate(part) if register == "all" or r["register"] == register]
            n, rec, prec, kept = scores([part[i] for i in idx], [predicted[i] for i in idx])
            before, previous = BEFORE.get(half, {}).get(register), PREVIOUS.get(half, {}).get(register)
            result_rows.append([half, register, n, fmt(rec), fmt(prec), fmt(kept),
                                " / ".join(fmt(b) for b in previous) if previous else "–",
                                " / ".join(fmt(b) for b in before) if before else "–"])
        if half == "dev" and args.errors:
            for r, p in zip(part, predicted):
                if (r["label"] == "nonanswer") != (p is not None):
                    print(f"  {r['id']} {r['register']:7} {r['kind']:22} got={p!s:14} Q={r['question']!r} A={r['answer']!r}")
    header = ["half", "register", "n", "recall", "precision", "look-alikes kept", "previous (fitted to dev only)",
              "before (recall / precision / kept)"]
    print(table(header, result_rows))

    own = own_rows()
    own_predicted = [detect(r) for r in own]
    own_table = []
    for group, values in [("register", ("all", *REGISTERS)), ("round", sorted({r["round"] for r in own}))]:
        for value in values:
            idx = [i for i, r in enumerate(own) if value == "all" or r[group] == value]
            n, rec, prec, kept = scores([own[i] for i in idx], [own_predicted[i] for i in idx])
            own_table.append([f"{group} {value}" if value != "all" else "all", n, fmt(rec), fmt(prec), fmt(kept)])
    own_header = ["own development sets", "n", "recall", "precision", "look-alikes kept"]
    print("\n" + table(own_header, own_table))

    old_recall, old_precision, old_n = old_gold_scores()
    print(f"\nfinnish_gold/nonanswers.csv ({old_n} items): recall {old_recall:.3f}, precision {old_precision:.3f} "
          f"(before: {BEFORE['finnish_gold'][0]:.3f} / {BEFORE['finnish_gold'][1]:.3f})")
    timings = speed(rows)
    speed_line = "; ".join(f"{name}: {us:.1f} µs per call" for name, us in timings.items())
    print(f"speed: {speed_line}")

    if args.no_write:
        return
    section = "\n\n".join([
        "## Non-answers across registers (`benchmarks/nonanswer_registers.py`)",
        machine_line() + "  \n" + source_line(),
        "Gold: `corpora/nonanswer_registers/gold.csv` (frozen; `dev` for development, `test` for reporting only). "
        "`detect_nonanswer(answer, question=question)`; recall and precision of \"is a non-answer\"; look-alikes kept = "
        "share of `answer` rows of kind `lookalike` or `negative_content` that are kept as answers. *Previous* = the "
        "rules fitted to the dev half only, before they were generalised (their test figures measured once); *before* "
        "= the rules before the register work (no `question` parameter).",
        table(header, result_rows),
        f"Own development sets (`{OWN.relative_to(PROJECT)}`, written by hand in rounds, each measured once before it was "
        "used; all rounds are now fitted, so these figures are development figures, not held out):",
        table(own_header, own_table),
        f"`corpora/finnish_gold/nonanswers.csv` ({old_n} items, with their question type): recall **{old_recall:.3f}**, "
        f"precision **{old_precision:.3f}** (before: {BEFORE['finnish_gold'][0]:.3f} / {BEFORE['finnish_gold'][1]:.3f}).",
        f"Speed on the machine above: {speed_line}.",
    ])
    write_section("nonanswer_registers", section, OUT)
    print(f"\nwrote {OUT.relative_to(PROJECT)}")


if __name__ == "__main__":
    main()
