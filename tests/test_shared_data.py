"""Optional checks on the real labelled data in ../shared/data (skipped when it is absent)."""

from __future__ import annotations

import pandas as pd
import pytest

from avovastaus.config import load_config
from avovastaus.evaluate import evaluate
from avovastaus.pipeline import run_pipeline


@pytest.mark.slow
def test_yle_comments_discovery_finds_the_statements(shared_data, tmp_path):
    """1,040 election-compass comments (40 per statement), pure discovery with e5-small."""
    comments = pd.read_csv(shared_data / "yle_vaalikone2015_comments.csv", dtype=str, keep_default_na=False)
    sample = comments.groupby("label", group_keys=False).sample(n=40, random_state=0)
    sample.to_csv(tmp_path / "yle.csv", index=False)
    config = load_config(overrides={"codebook": "none", "ingest": {"id": "id", "text": ["text"], "group": ["group"]}})
    run_pipeline(tmp_path / "yle.csv", config, tmp_path / "run")
    metrics = evaluate(tmp_path / "run", tmp_path / "yle.csv").metrics
    assert metrics["ari"] >= 0.40, metrics
    assert 15 <= metrics["n_themes"] <= 40 and metrics["coverage"] >= 0.95
    assert metrics["dup_lemma_topics"] == 0.0
