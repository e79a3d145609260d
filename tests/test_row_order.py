"""Same survey, same themes (#28 item 1): the themes are a function of the set of answers, not of the order of the rows.

A researcher sorts the spreadsheet before running it, or the survey tool exports rows in another order:
``answers.csv`` (sorted), ``themes.csv`` and ``groups.csv`` must not change. Determinism across the two
embedding backends is not claimed: the same backend on the same machine gives the same vectors.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from avovastaus.config import load_config
from avovastaus.pipeline import run_pipeline
from avovastaus.themes.model import ThemeModel
from avovastaus.themes.questions import SurveyThemes
from tests.unit.themes.test_model import TrigramEmbedder

from .conftest import CORPORA

CASES = {
    "tiny": ({"id": "vastaaja_id", "text": ["yhteistyo_nyt", "kehittaminen"], "group": ["alue"]}, "configs/codebook/kuntajarjesto.yaml"),
    "kuntajarjesto": ({"id": "vastaaja_id", "text": ["yhteistyo_nyt", "kehittaminen"], "group": ["alue"]}, "none"),
    "nuorisokysely": ({"id": "vastaaja_id", "text": ["ongelmat", "kehy"], "group": ["ikaryhma"]}, "none"),
}


def _outputs(folder: Path) -> tuple[pd.DataFrame, ...]:
    read = lambda name: pd.read_csv(folder / name, dtype=str, keep_default_na=False)  # noqa: E731
    answers = read("answers.csv").sort_values(["id", "question"]).reset_index(drop=True)
    groups = read("groups.csv").sort_values(["group_column", "group", "question", "theme"]).reset_index(drop=True)
    return answers, read("themes.csv"), groups


@pytest.mark.parametrize("corpus", sorted(CASES))
def test_shuffled_rows_give_the_same_themes(corpus, tmp_path):
    ingest, codebook = CASES[corpus]
    frame = pd.read_csv(CORPORA / corpus / "answers.csv", dtype=str, keep_default_na=False)
    config = load_config(overrides={"ingest": ingest, "codebook": codebook, "embed": {"model": "static-fi"}})
    results = []
    for seed in (None, 1, 2):
        path = tmp_path / f"{seed}.csv"
        (frame if seed is None else frame.sample(frac=1, random_state=seed)).to_csv(path, index=False)
        run_pipeline(path, config, tmp_path / f"run-{seed}")
        results.append(_outputs(tmp_path / f"run-{seed}"))
    for shuffled in results[1:]:
        for ours, theirs in zip(results[0], shuffled):
            pd.testing.assert_frame_equal(ours, theirs)


WORDS = ["sota", "nälkä", "köyhyys", "ilmastonmuutos", "korruptio", "rasismi", "vesipula", "taudit", "ahneus", "koulutus", "päästöt", "pakolaiset"]


@st.composite
def surveys(draw):
    """A small two-question survey: list answers of 1-3 problems and short text answers, with repeats."""
    n = draw(st.integers(30, 60))
    items = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3, unique=True)
    lists = [", ".join(draw(items)) for _ in range(n)]
    texts = [f"{draw(st.sampled_from(WORDS))} on suuri ongelma" for _ in range(n)]
    order = draw(st.permutations(range(2 * n)))
    return lists + texts, ["ongelmat"] * n + ["muuta"] * n, order


@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(surveys())
def test_generated_surveys_are_order_invariant(survey):
    texts, questions, order = survey
    keys = [f"{i}/{q}" for i, q in enumerate(questions)]

    def fit(rows):
        base = ThemeModel(embedder=TrigramEmbedder(), use_cache=False)
        model = SurveyThemes(base, {}, {"ongelmat": "list", "muuta": "text"}).fit(
            [texts[i] for i in rows], [questions[i] for i in rows], keys=[keys[i] for i in rows], question_order=["ongelmat", "muuta"])
        by_key = {keys[i]: ts for i, ts in zip(rows, model.assignment_.themes)}
        return by_key, model.theme_ids_, model.labels_

    straight, shuffled = fit(list(range(len(texts)))), fit(list(order))
    assert straight == shuffled
    assert np.all([len(set(ts)) == len(ts) for ts in straight[0].values()])
