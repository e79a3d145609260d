"""Unit tests for avovastaus.label: c-TF-IDF, lemma keywords with compound parts, Finnish labels, MMR."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import sparse

from avovastaus.finnish import Lemma
from avovastaus.label import Keyword, ctfidf, finnish_label, mmr, terms, theme_keywords

# ---------------------------------------------------------------- c-TF-IDF


def test_ctfidf_hand_computed() -> None:
    # class 0: term a twice; class 1: a once, b once
    counts = sparse.csr_matrix(np.array([[2, 0], [1, 1]]))
    # tf (L1 per class) = [[1, 0], [.5, .5]]; mean class size = 2; term totals = [3, 1]
    idf = np.array([math.log(1 + 2 / 3), math.log(1 + 2 / 1)])
    expected = np.array([[1.0, 0.0], [0.5, 0.5]]) * idf
    result = ctfidf(counts)
    assert sparse.issparse(result)
    np.testing.assert_allclose(result.toarray(), expected)


def test_ctfidf_rarer_term_scores_higher_at_equal_frequency() -> None:
    counts = sparse.csr_matrix(np.array([[3, 3], [3, 0], [3, 0]]))  # term 0 everywhere, term 1 only in class 0
    scores = ctfidf(counts).toarray()
    assert scores[0, 1] > scores[0, 0]


def test_ctfidf_empty_class_is_zero() -> None:
    scores = ctfidf(sparse.csr_matrix(np.array([[0, 0], [1, 2]]))).toarray()
    np.testing.assert_array_equal(scores[0], [0.0, 0.0])
    assert np.isfinite(scores).all()


# ---------------------------------------------------------------- keywords


def L(lemma: str, surface: str | None = None, parts: tuple[str, ...] = ()) -> Lemma:
    return Lemma(lemma, surface or lemma, parts)


YV = L("yhteistyöverkosto", "yhteistyöverkostoissa", ("yhteistyö", "verkosto"))


def test_terms_count_lemma_and_parts() -> None:
    assert terms([YV, L("kunta", "kunnan")]) == ["yhteistyöverkosto", "yhteistyö", "verkosto", "kunta"]
    assert terms([]) == []


@pytest.fixture()
def corpus() -> tuple[list[list[Lemma]], list[str | None]]:
    docs = [
        [YV, L("kunta", "kunnan")],
        [YV, L("toimia", "toimii")],
        [YV],
        [L("verkosto", "verkostot"), L("kunta")],
        [L("raha", "rahaa"), L("avustus", "avustuksia"), L("kunta")],
        [L("raha", "rahat"), L("tila", "tilat")],
        [L("avustus"), L("raha")],
        [L("tila"), L("verkosto")],  # no theme: not counted
    ]
    return docs, ["verkostot", "verkostot", "verkostot", "verkostot", "resurssit", "resurssit", "resurssit", None]


def test_keywords_per_theme(corpus) -> None:
    docs, primary = corpus
    keywords = theme_keywords(docs, primary, ["verkostot", "resurssit", "tyhja"])
    assert set(keywords) == {"verkostot", "resurssit", "tyhja"}
    assert [k.lemma for k in keywords["resurssit"]] == ["raha", "avustus", "tila", "kunta"]
    assert keywords["tyhja"] == []
    for theme, words in keywords.items():
        lemmas = [k.lemma for k in words]
        assert len(lemmas) == len(set(lemmas)), theme  # no lemma twice
        scores = [k.score for k in words]
        assert scores == sorted(scores, reverse=True)
        assert all(s > 0 for s in scores)


def test_part_shown_through_its_compound(corpus) -> None:
    docs, primary = corpus
    words = theme_keywords(docs, primary, ["verkostot", "resurssit"])["verkostot"]
    top = words[0]
    assert top == Keyword("verkosto", top.score, "yhteistyöverkosto")  # 3 of its 4 occurrences come from the compound
    assert top.display() == "verkosto (yhteistyöverkosto)"
    lemmas = [k.lemma for k in words]
    # the compound and its other part say the same thing once
    assert "yhteistyöverkosto" not in lemmas and "yhteistyö" not in lemmas
    assert "kunta" in lemmas


def test_part_mostly_standalone_has_no_compound() -> None:
    docs = [[L("verkosto", "verkostot")]] * 4 + [[YV]]
    [top, *_] = theme_keywords(docs, ["v"] * 5, ["v", "w"])["v"]
    assert top.lemma == "verkosto"
    assert top.via_compound is None
    assert top.display() == "verkosto"


def test_inflected_forms_count_as_one_keyword() -> None:
    docs = [[L("verkosto", "verkostot")], [L("verkosto", "verkostojen")], [L("verkosto", "verkostoissa")], [L("raha")]]
    words = theme_keywords(docs, ["v", "v", "v", "r"], ["v", "r"])
    assert [k.lemma for k in words["v"]] == ["verkosto"]


def test_n_limits_keywords(corpus) -> None:
    docs, primary = corpus
    words = theme_keywords(docs, primary, ["verkostot", "resurssit"], n=2)
    assert [k.lemma for k in words["resurssit"]] == ["raha", "avustus"]
    assert all(len(v) <= 2 for v in words.values())


def test_no_primary_answers_gives_empty_keywords() -> None:
    assert theme_keywords([[L("raha")]], [None], ["a", "b"]) == {"a": [], "b": []}
    assert theme_keywords([[L("raha")]], ["tuntematon"], ["a"]) == {"a": []}


def test_keywords_are_deterministic(corpus) -> None:
    docs, primary = corpus
    assert theme_keywords(docs, primary, ["verkostot", "resurssit"]) == theme_keywords(docs, primary, ["verkostot", "resurssit"])


# ---------------------------------------------------------------- labels


@pytest.mark.parametrize(
    ("lemmas", "n", "label"),
    [
        ([], 3, "Nimetön teema"),
        (["avustus"], 3, "Avustus"),
        (["avustus", "toimitila"], 3, "Avustus ja toimitila"),
        (["avustus", "toimitila", "vapaaehtoinen"], 3, "Avustus, toimitila ja vapaaehtoinen"),
        (["avustus", "toimitila", "vapaaehtoinen", "raha"], 3, "Avustus, toimitila ja vapaaehtoinen"),
        (["avustus", "toimitila", "vapaaehtoinen", "raha"], 4, "Avustus, toimitila, vapaaehtoinen ja raha"),
        (["äänestys", "kunta"], 3, "Äänestys ja kunta"),
        (["avustus", "toimitila"], 1, "Avustus"),
    ],
)
def test_finnish_label(lemmas: list[str], n: int, label: str) -> None:
    assert finnish_label([Keyword(w, 1.0) for w in lemmas], n=n) == label


def test_label_uses_lemma_not_display() -> None:
    assert finnish_label([Keyword("verkosto", 1.0, "yhteistyöverkosto"), Keyword("kunta", 0.5)]) == "Verkosto ja kunta"


# ---------------------------------------------------------------- MMR


def _angles(*degrees: float) -> np.ndarray:
    r = np.radians(degrees)
    return np.stack([np.cos(r), np.sin(r)], axis=1)


def test_mmr_first_is_the_most_central() -> None:
    X = _angles(-30, 0, 30, 1)  # centroid at 0.25 degrees
    for diversity in (0.0, 0.3, 1.0):
        assert mmr(X, 3, diversity)[0] == 1


def test_mmr_full_diversity_avoids_near_duplicates() -> None:
    X = _angles(-30, 0, 30, 1)
    chosen = mmr(X, 3, diversity=1.0)
    assert chosen[0] == 1
    assert 3 not in chosen  # 1 degree from the first pick
    assert sorted(chosen) == [0, 1, 2]


def test_mmr_no_diversity_is_pure_relevance() -> None:
    X = _angles(-30, 0, 30, 1)
    assert mmr(X, 2, diversity=0.0) == [1, 3]


@pytest.mark.parametrize("k", [1, 3, 5, 10])
def test_mmr_returns_k_distinct_indices(k: int) -> None:
    X = np.random.default_rng(0).normal(size=(7, 8))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    chosen = mmr(X, k, 0.3)
    assert len(chosen) == min(k, 7)
    assert len(set(chosen)) == len(chosen)
    assert all(0 <= i < 7 for i in chosen)


def test_mmr_with_duplicate_rows_still_distinct_indices() -> None:
    X = _angles(0, 0, 0, 10)
    chosen = mmr(X, 4, 0.5)
    assert sorted(chosen) == [0, 1, 2, 3]


def test_mmr_empty() -> None:
    assert mmr(np.zeros((0, 4)), 3) == []
