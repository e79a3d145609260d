"""Metrics of a run against gold labels: clustering agreement, codebook accuracy, non-answer detection, keyword quality.

Clustering metrics (ARI, NMI, V-measure) use each analysed answer's primary theme, with answers
left without a theme counted as one extra cluster "unassigned", over analysed answers whose gold
label is not the non-answer label.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from avovastaus.errors import AvovastausError
from avovastaus.finnish.lemmas import FinnishAnalyzer
from avovastaus.io.rundir import load_run

METRIC_KEYS = (
    "n", "ari", "nmi", "v_measure", "coverage", "n_themes", "codebook_accuracy", "codebook_macro_f1",
    "nonanswer_precision", "nonanswer_recall", "dup_lemma_topics",
)
UNASSIGNED = "unassigned"


@dataclass
class Evaluation:
    """The metrics (exactly :data:`METRIC_KEYS`) plus notes on the join."""

    metrics: dict[str, Any]
    gold_ids_missing_from_run: list[str] = field(default_factory=list)
    run_answers_without_gold: int = 0
    join_note: str = ""

    def to_json(self) -> str:
        return json.dumps(self.metrics, ensure_ascii=False)

    def table(self) -> str:
        """Return the metrics as an aligned two-column text table, with the join notes below."""
        lines = [f"{k:<22} {_fmt(v)}" for k, v in self.metrics.items()]
        if self.join_note:
            lines.append(f"\n{self.join_note}")
        if self.gold_ids_missing_from_run:
            shown = ", ".join(self.gold_ids_missing_from_run[:10])
            lines.append(f"\n{len(self.gold_ids_missing_from_run)} gold ids are not in the run: {shown}")
        if self.run_answers_without_gold:
            lines.append(f"{self.run_answers_without_gold} analysed answers of the run have no gold label (not scored)")
        return "\n".join(lines)


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def _join(answers: pd.DataFrame, gold: pd.DataFrame, gold_path: Path) -> tuple[pd.DataFrame, list[str], str]:
    """Return (run answers joined with gold, the join keys, a note when the join fell back to ids alone).

    Joins on id and question when both sides have a question column. When that matches nothing but
    the ids do (and ids are unique in the run), it joins on id and says so; when nothing matches at
    all it stops with an error showing values from both sides, never a silent zero.
    """
    keys = ["id", "question"] if "question" in gold.columns and "question" in answers.columns else ["id"]
    joined = answers.merge(gold[[*keys, "gold"]], on=keys, how="inner")
    if len(joined) or not len(gold):
        return joined, keys, ""
    by_id = answers.merge(gold[["id", "gold"]], on="id", how="inner")
    if keys == ["id", "question"] and len(by_id) and not answers["id"].duplicated().any():
        note = (f"(id, question) matched nothing (run questions: {_some(answers['question'])}; gold: {_some(gold['question'])}); "
                f"joined on id alone: {len(by_id)} answers.")
        return by_id, ["id"], note
    detail = (f"no answer matches on {' and '.join(keys)}. Run ids: {_some(answers['id'])}; gold ids: {_some(gold['id'])}"
              + (f"; run questions: {_some(answers['question'])}; gold questions: {_some(gold['question'])}" if "question" in keys else ""))
    raise AvovastausError("E307", path=gold_path, detail=detail)


def _some(values: pd.Series, n: int = 4) -> str:
    shown = list(dict.fromkeys(str(v) for v in values))
    return ", ".join(f"'{v}'" for v in shown[:n]) + (f" … ({len(shown)} distinct)" if len(shown) > n else "")


def _read_gold(path: Path, id_column: str, label_column: str) -> pd.DataFrame:
    if not path.is_file():
        raise AvovastausError("E303", path=path, detail="file not found")
    from avovastaus.io.ingest import read_table

    gold = read_table(path)[0]
    for column in (id_column, label_column):
        if column not in gold.columns:
            raise AvovastausError("E303", path=path, detail=f"no column '{column}' (columns: {', '.join(gold.columns)})")
    return gold


def keyword_lemmas(keywords: str) -> list[str]:
    """Return the keywords of a ``themes.csv`` cell as plain words (compound notes removed)."""
    return [re.sub(r"\s*\(.*\)$", "", k).strip() for k in keywords.split(",") if k.strip()]


def dup_lemma_share(topics: Sequence[Sequence[str]], analyzer: FinnishAnalyzer, top: int = 10) -> float:
    """Return the share of topics whose top words hold two different surface forms of one lemma.

    Each word is reduced to the base forms Voikko gives it; two words sharing a base form are
    duplicates ("maahanmuuttoa", "maahanmuutto" -> maahanmuutto).
    """
    analyzer.initialize()
    if not topics:
        return 0.0
    duplicated = 0
    for words in topics:
        words = [w.lower() for w in words[:top]]
        seen: dict[str, str] = {}
        dup = False
        for word in dict.fromkeys(words):
            bases = {a[0] for a in analyzer.analyses(word)} or {word}
            if any(b in seen and seen[b] != word for b in bases):
                dup = True
            for b in bases:
                seen.setdefault(b, word)
        duplicated += dup
    return duplicated / len(topics)


def evaluate(
    run_dir: Path, gold_path: Path, id_column: str = "id", label_column: str = "label",
    nonanswer_label: str = "ei_sisaltoa", analyzer: FinnishAnalyzer | None = None,
) -> Evaluation:
    """Return the metrics of the run in ``run_dir`` against the gold labels in ``gold_path``, joined on id (and question)."""
    run_dir, gold_path = Path(run_dir), Path(gold_path)
    from sklearn import metrics  # here, not at import: the CLI reads METRIC_KEYS for its help on every command

    run = load_run(run_dir)
    answers, themes = run.answers, run.themes
    gold = _read_gold(gold_path, id_column, label_column)
    gold = gold.rename(columns={id_column: "id", label_column: "gold"})
    joined, keys, note = _join(answers, gold, gold_path)
    if gold.duplicated(keys).any():
        dup = ["/".join(map(str, row)) for row in gold.loc[gold.duplicated(keys), keys].head(5).itertuples(index=False)]
        raise AvovastausError("E303", path=gold_path, detail=f"repeated ids: {', '.join(dup)}")
    missing = gold.merge(answers[keys], on=keys, how="left", indicator=True)
    missing_ids = ["/".join(map(str, row)) for row in missing.loc[missing["_merge"] == "left_only", keys].itertuples(index=False)]

    analysed = answers[answers["excluded"] == ""]
    scored = joined[(joined["excluded"] == "") & (joined["gold"] != nonanswer_label)]
    predicted = scored["theme"].replace("", UNASSIGNED)
    n = len(scored)

    codebook_ids = set(themes.loc[themes["source"] == "codebook", "theme"])
    on_codebook = scored[scored["gold"].isin(codebook_ids)]
    if len(on_codebook):
        accuracy = float((on_codebook["theme"] == on_codebook["gold"]).mean())
        macro_f1 = float(metrics.f1_score(on_codebook["gold"], on_codebook["theme"], labels=sorted(set(on_codebook["gold"])), average="macro", zero_division=0))
    else:
        accuracy = macro_f1 = None

    gold_na = joined["gold"] == nonanswer_label
    pred_na = joined["excluded"] != ""
    precision = float((gold_na & pred_na).sum() / pred_na.sum()) if gold_na.any() and pred_na.any() else (0.0 if gold_na.any() else None)
    recall = float((gold_na & pred_na).sum() / gold_na.sum()) if gold_na.any() else None

    sized = themes[themes["size"].fillna(0) > 0]
    topics = [keyword_lemmas(k) for k in sized["keywords"]]
    result = {
        "n": n,
        "ari": float(metrics.adjusted_rand_score(scored["gold"], predicted)) if n else None,
        "nmi": float(metrics.normalized_mutual_info_score(scored["gold"], predicted)) if n else None,
        "v_measure": float(metrics.v_measure_score(scored["gold"], predicted)) if n else None,
        "coverage": float((analysed["theme"] != "").mean()) if len(analysed) else None,
        "n_themes": int(len(sized)),
        "codebook_accuracy": accuracy,
        "codebook_macro_f1": macro_f1,
        "nonanswer_precision": precision,
        "nonanswer_recall": recall,
        "dup_lemma_topics": dup_lemma_share(topics, analyzer or FinnishAnalyzer()),
    }
    assert tuple(result) == METRIC_KEYS
    without_gold = len(analysed) - int((joined["excluded"] == "").sum())
    return Evaluation(result, missing_ids, without_gold, note)
