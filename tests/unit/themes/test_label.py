"""Unit tests for avovastaus.themes.label: weighted log-odds, c-TF-IDF, lemma keywords with compound parts, Finnish labels, MMR."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import sparse

from avovastaus.finnish.lemmas import Lemma
from avovastaus.themes.label import Keyword, class_keywords, ctfidf, finnish_label, log_odds, mmr, terms, theme_keywords

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


def test_ctfidf_df_ceiling_drops_terms_most_classes_use() -> None:
    counts = sparse.csr_matrix(np.array([[3, 1, 0], [3, 0, 1], [3, 0, 0]]))  # term 0 in all three classes
    scores = ctfidf(counts, max_df=0.5).toarray()
    assert (scores[:, 0] == 0).all() and scores[0, 1] > 0 and scores[1, 2] > 0


# ---------------------------------------------------------------- weighted log-odds (Monroe, Colaresi & Quinn 2008)


def test_log_odds_hand_computed() -> None:
    # two classes of 4 tokens; prior strength 4 spread by corpus share: alpha = 4 * 4/8 = 2 for both terms
    y = np.array([[3, 1], [1, 3]])
    # class 0, term 0: delta = log((3+2)/(4+4-3-2)) - log((1+2)/(4+4-1-2)) = log(5/3) - log(3/5); var = 1/5 + 1/3
    z = 2 * math.log(5 / 3) / math.sqrt(1 / 5 + 1 / 3)
    np.testing.assert_allclose(log_odds(y, prior_strength=4.0), [[z, -z], [-z, z]])
    np.testing.assert_allclose(log_odds(sparse.csr_matrix(y), prior_strength=4.0), [[z, -z], [-z, z]])


def test_log_odds_of_a_term_every_class_uses_alike_is_zero() -> None:
    y = np.array([[2, 2], [4, 4]])  # each term is half of each class's words
    z = log_odds(y, prior_strength=10.0)
    np.testing.assert_allclose(z, 0.0, atol=1e-12)


def test_log_odds_prefers_the_distinctive_term_over_the_frequent_shared_one() -> None:
    # "järjestö" is frequent in every class; "avustus" is rarer but only class 0 uses it
    y = np.array([[30, 6, 64], [30, 0, 70], [30, 0, 70]])  # järjestö is 30 % of every class's words
    z = log_odds(y)
    np.testing.assert_allclose(z[:, 0], 0.0, atol=1e-12)
    assert z[0, 1] > 1 and z[1, 1] < 0


def test_log_odds_rejects_a_non_positive_prior() -> None:
    with pytest.raises(ValueError, match="prior_strength"):
        log_odds(np.ones((2, 2)), prior_strength=0)


def test_log_odds_of_nothing_is_zero() -> None:
    np.testing.assert_array_equal(log_odds(np.zeros((2, 3))), np.zeros((2, 3)))


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
    # kunta is used by both themes alike: not a keyword of resurssit (c-TF-IDF listed it)
    assert [k.lemma for k in keywords["resurssit"]] == ["raha", "avustus", "tila"]
    assert [k.lemma for k in class_keywords(docs, primary, ["verkostot", "resurssit"], method="ctfidf")["resurssit"]] == ["raha", "avustus", "tila", "kunta"]
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


def test_a_lemma_every_theme_uses_is_no_ones_keyword() -> None:
    shared = L("järjestö")
    docs = [[shared, L("avustus")]] * 5 + [[shared, L("verkosto")]] * 5 + [[shared, L("tiedote")]] * 5
    words = theme_keywords(docs, ["a"] * 5 + ["b"] * 5 + ["c"] * 5, ["a", "b", "c"])
    assert {t: [k.lemma for k in v] for t, v in words.items()} == {"a": ["avustus"], "b": ["verkosto"], "c": ["tiedote"]}


def test_one_theme_alone_gets_its_most_frequent_lemmas() -> None:
    docs = [[L("raha"), L("tila")], [L("raha")]]
    assert [k.lemma for k in theme_keywords(docs, ["a", "a"], ["a"])["a"]] == ["raha", "tila"]


def test_min_docs_keeps_words_of_few_answers_out() -> None:
    docs = [[L("avustus")]] * 5 + [[L("sukunimi")]] + [[L("verkosto")]] * 5
    labels = ["a"] * 6 + ["b"] * 5
    assert [k.lemma for k in class_keywords(docs, labels, ["a", "b"], min_docs=1)["a"]] == ["avustus", "sukunimi"]
    assert [k.lemma for k in class_keywords(docs, labels, ["a", "b"], min_docs=5)["a"]] == ["avustus"]


def test_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="method"):
        class_keywords([[L("raha")]], ["a"], ["a"], method="tfidf")  # type: ignore[arg-type]


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


def test_a_lemma_names_at_most_two_themes() -> None:
    shared = L("suomi")
    docs = [[shared, L("nato")]] * 6 + [[shared, L("euro")]] * 5 + [[shared, L("vero")]] * 4 + [[L("kunta")]] * 20
    labels = ["a"] * 6 + ["b"] * 5 + ["c"] * 4 + ["d"] * 20
    free = class_keywords(docs, labels, ["a", "b", "c", "d"])
    assert sum("suomi" in [k.lemma for k in v] for v in free.values()) == 3
    capped = class_keywords(docs, labels, ["a", "b", "c", "d"], max_classes=2)
    holders = [t for t, v in capped.items() if "suomi" in [k.lemma for k in v]]
    assert holders == ["a", "b"]  # where it scores highest
    assert theme_keywords(docs, labels, ["a", "b", "c", "d"]) == capped


def test_no_two_keywords_share_a_base_form() -> None:
    docs = [[L("tuntea"), L("tunne"), L("raha")]] * 2 + [[L("tuntea"), L("raha")]] * 2 + [[L("vero")]] * 4
    labels = ["a"] * 4 + ["b"] * 4
    assert [k.lemma for k in class_keywords(docs, labels, ["a", "b"])["a"]] == ["raha", "tuntea", "tunne"]
    bases = {"tunne": frozenset({"tunne", "tuntea"})}  # Voikko reads "tunne" also as a form of "tuntea"
    once = class_keywords(docs, labels, ["a", "b"], bases=lambda w: bases.get(w, frozenset({w})))["a"]
    assert [k.lemma for k in once] == ["raha", "tuntea"]
