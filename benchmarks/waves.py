"""Codebook coverage and waves (#24), on corpora/hyvinvointi_aallot: a frozen two-wave gold written before these rules.

Each wave (260 answers) is run on its own with the bundled kunta–järjestö codebook, as a researcher would;
the figures are computed on the **test half** (the dev half was used to build the rules):

* **in-frame coverage**: of the answers a coder put in a codebook theme, the share given one;
* **in-frame accuracy**: the primary theme is one of the coder's themes, an answer without a codebook theme counted wrong;
* **accuracy when coded**: the same over the answers the run gave a codebook theme;
* **out-of-frame kept out**: of the `muu` answers, the share given no codebook theme;
* **shift**: `avovastaus compare` of the two waves: the planted changes (resurssit up, tiedonkulku down) flagged at the
  corrected level, and false alarms (any other codebook theme flagged).

    .venv/bin/python benchmarks/waves.py [--embedder e5-small|static-fi] [--half test|dev]

Writes benchmarks/results/waves.md (collected into RESULTS.md).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine_line, table, write_section  # noqa: E402

from avovastaus.compare.analysis import compare  # noqa: E402
from avovastaus.config import load_config  # noqa: E402
from avovastaus.pipeline import run_pipeline  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpora" / "hyvinvointi_aallot"
INGEST = {"id": "vastaaja_id", "text": ["vastaus"], "group": ["vastaajaryhma"]}
PLANTED = {"resurssit": +1, "tiedonkulku": -1}
OUTSIDE = {"muu", "nonanswer"}


def run_wave(wave: str, embedder: str, out: Path, overrides: dict) -> pd.DataFrame:
    config = load_config(overrides={"ingest": INGEST, "embed": {"model": embedder}, **overrides})
    run_pipeline(CORPUS / f"wave_{wave}.csv", config, out)
    return pd.read_csv(out / "answers.csv", dtype=str, keep_default_na=False)


def measures(answers: pd.DataFrame, themes: pd.DataFrame, gold: pd.DataFrame, half: str) -> dict[str, float]:
    codebook = set(themes.loc[themes["source"] == "codebook", "theme"])
    joined = answers.merge(gold, left_on="id", right_on="vastaaja_id")
    joined = joined[joined["split"] == half]
    labels = joined["labels"].str.split(";")
    primary = joined["theme"].where(joined["theme"].isin(codebook), "")
    inside = labels.map(lambda ls: ls[0] not in OUTSIDE)
    muu = labels.map(lambda ls: ls[0] == "muu")
    coded = primary != ""
    hit = [p in ls for p, ls in zip(primary, labels)]
    hits = pd.Series(hit, index=joined.index)
    return {
        "n_in_frame": int(inside.sum()), "coverage": float(coded[inside].mean()), "accuracy": float(hits[inside].mean()),
        "accuracy_coded": float(hits[inside & coded].mean()) if (inside & coded).any() else float("nan"),
        "n_muu": int(muu.sum()), "muu_out": float((~coded[muu]).mean()) if muu.any() else float("nan"),
    }


def shift(runs: list[Path], out: Path) -> tuple[list[str], list[str], dict]:
    compare(runs[0], runs[1], out)
    table_ = pd.read_csv(out / "compare.csv", keep_default_na=False)
    overall = table_[(table_["group_column"] == "") & (table_["basis"] == "codebook")]
    p = pd.to_numeric(overall["p_adjusted"], errors="coerce")
    flagged = overall.loc[p < 0.05, ["theme_new", "diff"]]
    found = [t for t, d in zip(flagged["theme_new"], flagged["diff"]) if t in PLANTED and (float(d) > 0) == (PLANTED[t] > 0)]
    false = [t for t in flagged["theme_new"] if t not in found]
    import json

    return found, false, json.loads((out / "compare.json").read_text(encoding="utf-8")).get("codebook_coverage") or {}


SETTINGS = {"defaults (self-training off)": {}, "[cluster] self_training = 0.7": {"cluster": {"self_training": 0.7}}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedder", default="e5-small")
    parser.add_argument("--half", default="test", choices=["test", "dev"])
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    gold = pd.read_csv(CORPUS / "gold.csv", dtype=str, keep_default_na=False)
    started = time.time()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, overrides in SETTINGS.items():
            runs, per_wave = [], {}
            for wave in ("2025", "2026"):
                out = Path(tmp) / f"{name}-{wave}"
                answers = run_wave(wave, args.embedder, out, overrides)
                per_wave[wave] = measures(answers, pd.read_csv(out / "themes.csv", dtype=str, keep_default_na=False), gold, args.half)
                runs.append(out)
            found, false, coverage = shift(runs, Path(tmp) / f"{name}-compare")
            for wave, m in per_wave.items():
                rows.append([name, wave, m["n_in_frame"], f"{m['coverage']:.1%}", f"{m['accuracy']:.3f}", f"{m['accuracy_coded']:.3f}", m["n_muu"], f"{m['muu_out']:.1%}",
                             ", ".join(found) or "–" if wave == "2026" else "", ", ".join(false) or "–" if wave == "2026" else ""])
            print(name, per_wave, found, false, coverage, flush=True)
    header = ["setting", "wave", "in-frame n", "in-frame coverage", "in-frame accuracy", "accuracy when coded", "muu n", "muu kept out", "shift found", "false alarms"]
    text = "\n".join([
        "## Codebook coverage and waves (corpora/hyvinvointi_aallot)", "",
        f"Script: `benchmarks/waves.py`. Machine: {machine_line()}. Embedder {args.embedder}; figures on the **{args.half}** half "
        f"(the frozen gold's other half was used while building the rules); {time.time() - started:.0f} s.", "",
        "Each wave run on its own with the bundled kunta–järjestö codebook. Targets (issue #24): in-frame coverage ≥ 90 %, "
        "in-frame accuracy ≥ 0.75, out-of-frame kept out ≥ 85 %, the planted shift (resurssit up, tiedonkulku down) found with at most one false alarm.", "",
        table(header, rows),
    ])
    print(text)
    if not args.no_write:
        print(f"wrote {write_section('waves', text)}")


if __name__ == "__main__":
    main()
