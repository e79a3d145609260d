"""ThemeModel: the scikit-learn contract, injected parts, and fitting on precomputed features."""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from avovastaus.config import load_codebook
from avovastaus.finnish.lemmas import FinnishAnalyzer
from avovastaus.themes.cluster import ThemeDiscoverer
from avovastaus.themes.model import ThemeModel
from tests.conftest import CORPORA


class TrigramEmbedder:
    """A tiny deterministic embedder for tests: hashed character trigrams, L2-normalized."""

    model_id, checksum, prompt = "trigram-test", "0", ""

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.calls = 0

    def encode(self, texts):
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            t = f"  {text.lower()}  "
            for j in range(len(t) - 2):
                out[i, zlib.crc32(t[j : j + 3].encode()) % self.dim] += 1
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


@pytest.fixture(scope="module")
def texts() -> list[str]:
    frame = pd.read_csv(CORPORA / "kuntajarjesto" / "answers.csv", dtype=str, keep_default_na=False)
    return [t for t in frame["yhteistyo_nyt"] if len(t) > 20][:120]


@pytest.fixture(scope="module")
def fitted(texts) -> ThemeModel:
    model = ThemeModel(embedder=TrigramEmbedder(), discoverer=ThemeDiscoverer(min_size=5), use_cache=False)
    return model.fit(texts)


def test_params_round_trip_and_clone_shares_heavy_parts() -> None:
    embedder, analyzer = TrigramEmbedder(), FinnishAnalyzer()
    model = ThemeModel(embedder=embedder, analyzer=analyzer, seed=3)
    assert model.get_params()["seed"] == 3
    copy = clone(model).set_params(seed=4)
    assert copy.seed == 4 and model.seed == 3
    assert copy.embedder is embedder and copy.analyzer is analyzer  # loaded resources are shared, not copied
    assert not hasattr(copy, "assignment_")


def test_fit_sets_every_attribute_consistently(fitted: ThemeModel, texts) -> None:
    assert len(fitted.assignment_.themes) == len(texts) == len(fitted.features_.texts)
    assert set(fitted.sources_.values()) == {"discovered"}
    assert fitted.theme_ids_ == list(fitted.centroids_) == list(fitted.labels_)
    for theme, picks in fitted.examples_.items():
        assert picks and all(theme in fitted.assignment_.themes[j] for j in picks)
    assert sum(fitted.sizes().values()) >= sum(1 for t in fitted.assignment_.themes if t)
    assert {"embed", "lemmas", "themes", "label"} <= set(fitted.timings_)


def test_refit_on_features_matches_a_fresh_fit_and_does_not_embed_again(fitted: ThemeModel, texts) -> None:
    rows = np.arange(0, len(texts), 2)
    embedder = fitted.embedder
    calls = embedder.calls
    refit = clone(fitted).fit(features=fitted.features_.subset(rows))
    fresh = clone(fitted).fit([texts[i] for i in rows])
    assert refit.assignment_.themes == fresh.assignment_.themes
    assert embedder.calls == calls + 1  # only the fresh fit embedded


def test_stability_is_deterministic(fitted: ThemeModel) -> None:
    first, second = fitted.stability(runs=2), fitted.stability(runs=2)
    assert first == second and set(first) == set(fitted.theme_ids_)


def test_codebook_themes_carry_their_labels_and_provenance(texts) -> None:
    codebook = load_codebook("configs/codebook/kuntajarjesto.yaml")
    model = ThemeModel(embedder=TrigramEmbedder(), codebook=codebook, discoverer=ThemeDiscoverer(min_size=5), use_cache=False).fit(texts)
    for theme in codebook.themes:
        assert model.sources_[theme.id] == "codebook" and model.labels_[theme.id] == theme.label
    assert all(model.sources_[t] == "discovered" for t in model.theme_ids_ if t not in {th.id for th in codebook.themes})


def test_self_training_refits_the_classifier_with_the_surveys_confident_answers(texts, monkeypatch) -> None:
    """`[cluster] self_training` (#24): one refit whose examples include the survey's answers of at least that probability."""
    from avovastaus.themes.classifier import CodebookClassifier

    codebook = load_codebook(CORPORA.parent / "src" / "avovastaus" / "configs" / "codebook" / "kuntajarjesto.yaml")
    sizes = []
    real_fit = CodebookClassifier.fit

    def counting_fit(self, examples, y, keywords, corpus=None):
        sizes.append(len(examples))
        return real_fit(self, examples, y, keywords, corpus)

    monkeypatch.setattr(CodebookClassifier, "fit", counting_fit)
    base = ThemeModel(embedder=TrigramEmbedder(), codebook=codebook, discoverer=ThemeDiscoverer(min_size=5), use_cache=False)
    plain = clone(base).fit(texts)
    assert len(sizes) == 1
    trained = clone(base).set_params(self_training=0.5).fit(features=plain.features_)
    assert len(sizes) == 3 and sizes[2] > sizes[1]  # the second fit saw more examples: the survey's own
    confident = sum(1 for ts, p in zip(plain.assignment_.themes, plain.assignment_.confidence) if p >= 0.5)
    assert sizes[2] - sizes[1] == confident
    assert len(trained.assignment_.themes) == len(texts)
    off = clone(base).set_params(self_training=0.0).fit(features=plain.features_)
    assert off.assignment_.themes == plain.assignment_.themes  # off by default: nothing changes
