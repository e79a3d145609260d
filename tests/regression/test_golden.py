"""Golden regression on the committed corpora with the real default embedder.

Two guards: metric floors (``floors.json``: each figure may not drop more than ``tolerance``
below its recorded value) and a snapshot of the themes (``snapshots/<corpus>.csv``: id, label,
source, size). A change in behaviour shows as a diff of those files. To accept a change on
purpose, refresh them and review the diff:

    make golden        # = AVOVASTAUS_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/regression
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from avovastaus.config import load_config
from avovastaus.evaluate import evaluate
from avovastaus.pipeline import run_pipeline

HERE = Path(__file__).parent
CORPORA = HERE.parents[1] / "corpora"
UPDATE = os.environ.get("AVOVASTAUS_UPDATE_GOLDEN") == "1"
FLOOR_KEYS = ("ari", "nmi", "coverage", "codebook_accuracy", "codebook_macro_f1", "nonanswer_precision", "nonanswer_recall")
CASES = {
    "kuntajarjesto": {"embed": {"model": "e5-small"}},
    "tiny": {"embed": {"model": "static-fi"}},
}
SIZE_SLACK = 2
INGEST = {"id": "vastaaja_id", "text": ["yhteistyo_nyt", "kehittaminen"], "group": ["vastaajaryhma", "alue"]}


@pytest.fixture(scope="module", params=sorted(CASES))
def golden_run(request, tmp_path_factory):
    name = request.param
    out = tmp_path_factory.mktemp("golden") / name
    config = load_config(overrides={"ingest": INGEST, **CASES[name]})
    run_pipeline(CORPORA / name / "answers.csv", config, out)
    metrics = evaluate(out, CORPORA / name / "gold.csv").metrics
    return name, out, metrics


def _snapshot(run_dir: Path) -> pd.DataFrame:
    return pd.read_csv(run_dir / "themes.csv", keep_default_na=False)[["theme", "label", "source", "size"]]


def test_metrics_stay_above_their_floors(golden_run):
    name, _, metrics = golden_run
    path = HERE / "floors.json"
    floors = json.loads(path.read_text()) if path.exists() else {"tolerance": 0.02}
    if UPDATE:
        floors[name] = {k: round(metrics[k], 4) for k in FLOOR_KEYS if metrics[k] is not None}
        floors[name]["dup_lemma_topics"] = metrics["dup_lemma_topics"]
        path.write_text(json.dumps(floors, indent=2, sort_keys=True) + "\n")
    recorded = floors[name]
    tolerance = floors["tolerance"]
    drops = {k: (metrics[k], v) for k, v in recorded.items() if k != "dup_lemma_topics" and (metrics[k] is None or metrics[k] < v - tolerance)}
    assert drops == {}, f"{name}: metrics fell below their floors (now, recorded): {drops}"
    assert metrics["dup_lemma_topics"] == 0.0


def test_theme_snapshot_is_unchanged(golden_run):
    name, run_dir, _ = golden_run
    path = HERE / "snapshots" / f"{name}.csv"
    current = _snapshot(run_dir)
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        current.to_csv(path, index=False, lineterminator="\n")
    expected = pd.read_csv(path, keep_default_na=False)
    diff = current.merge(expected, on="theme", how="outer", suffixes=("_now", "_golden"), indicator=True)
    # ids, labels and sources must match exactly; sizes may move by SIZE_SLACK answers (floating-point
    # differences between CPUs can flip a borderline answer; a change in behaviour moves far more)
    slack = (diff["size_now"] - diff["size_golden"]).abs() > SIZE_SLACK
    changed = diff[(diff["_merge"] != "both") | (diff["label_now"] != diff["label_golden"]) | (diff["source_now"] != diff["source_golden"]) | slack]
    if len(changed):
        pytest.fail(f"{name}: themes changed; review and refresh with `make golden`:\n{changed.to_string(index=False)}")
