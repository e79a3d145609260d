"""The learned non-answer fallback (avovastaus.finnish.nonanswer_learned) and its hook in detect_nonanswer.

Examples here are written for these tests and are not in the training data (checked below); the frozen gold's test
half is read only for its ids, to check that none of its rows is in the training data.
"""

from __future__ import annotations

import csv
import re
import time
from pathlib import Path

import numpy as np
import pytest

from avovastaus.finnish import nonanswer, nonanswer_learned
from avovastaus.finnish.nonanswer import REASONS, detect_nonanswer
from avovastaus.finnish.nonanswer_learned import LABELS, LearnedNonanswer, prepare, training_rows, word_ngrams

ROOT = Path(__file__).resolve().parents[3]
GOLD = ROOT / "corpora" / "nonanswer_registers" / "gold.csv"

PELKO = "Mikä sinua pelottaa?"
ILO = "Mikä tekee sinut iloiseksi?"
SAATU = "Mitä tukea olette saaneet?"
KUNTA = "Miten yhteistyö kunnan kanssa toimii?"
HYVA = "Missä olet hyvä?"

#: non-answers no rule reads (an unread spoken or misspelt word), which the fallback calls non-answers
CAUGHT = [
    (PELKO, "en mä oo iha varma mitä sanois", "dont_know"),
    (PELKO, "en tiiä yhtään mitä tähän pistäis", "dont_know"),
    (SAATU, "kato ylemmäst", "see_above"),
]
#: answers the fallback must leave alone: the rules read every word, an object after "en halua / en osaa", content
KEPT = [
    (KUNTA, "kunta ei halua kertoa mitään"),
    (PELKO, "En halua olla yksin."),
    (HYVA, "en osaa mitään"),
    (PELKO, "en tiiä, ehkä ukkonen"),
    (ILO, "pupu"),
    (ILO, "Ei mikään."),  # the question makes "nothing" an answer: the rules keep it, the fallback is not asked
    (SAATU, "ei mitää"),
    (KUNTA, "okei"),
    ("Kerro vapaasti", "sodat ja nälänhätä"),
]


@pytest.fixture
def rules_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nonanswer, "LEARNED_FALLBACK", False)


# ---------------------------------------------------------------- the training data


def test_training_data_is_shipped_and_well_formed() -> None:
    rows = training_rows()
    assert len(rows) >= 2000
    assert {r.label for r in rows} == set(LABELS)
    assert all(r.text.strip() and "\t" not in r.text and "\n" not in r.text for r in rows)
    sources = {r.source.split(":")[0] for r in rows}
    assert sources == {"own", "gold_dev", "hyvinvointi_aallot", "hyvinvointialue", "kuntajarjesto", "nuorisokysely", "tiny"}
    assert sum(r.label == "answer" for r in rows) > sum(r.label != "answer" for r in rows)  # answers outnumber, as in surveys


def test_training_data_holds_no_row_of_the_gold_test_half() -> None:
    with open(GOLD, encoding="utf-8", newline="") as handle:
        split = {r["id"]: r["split"] for r in csv.DictReader(handle)}
    gold_ids = [r.source.split(":", 1)[1] for r in training_rows() if r.source.startswith("gold_dev:")]
    assert gold_ids and all(split[i] == "dev" for i in gold_ids)


def test_examples_here_are_not_in_the_training_data() -> None:
    texts = {prepare(r.text) for r in training_rows()}
    assert not {prepare(a) for _, a, _ in CAUGHT} & texts


def test_training_rows_names_bad_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Files:
        def joinpath(self, name: str) -> Path:
            return tmp_path / name

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "bad.tsv").write_text("# comment\ntext\tlabel\tsource\nok\tanswer\tx\nbroken line\nen tiedä\tmaybe\ty\n",
                                               encoding="utf-8")
    monkeypatch.setattr(nonanswer_learned.resources, "files", lambda package: Files())
    with pytest.raises(ValueError, match=r"lines \[4, 5\]"):
        training_rows("bad.tsv")


# ---------------------------------------------------------------- the model


def test_word_ngrams_are_scikit_learns() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    analyzer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), lowercase=False).build_analyzer()
    for text in ["en tieda", "a", "ab x", "kehitysyhteistyo on", "ei  oo   mitaa", ""]:
        assert [g for w in text.split() for g in word_ngrams(w, 2, 5)] == analyzer(text)


def test_fit_is_fast_deterministic_and_matches_scikit_learn() -> None:
    import sklearn.linear_model  # noqa: F401  (the pipeline has it loaded; the clock measures the training)

    rows = training_rows()
    texts, labels = [prepare(r.text) for r in rows], [r.label for r in rows]
    start = time.perf_counter()
    first = LearnedNonanswer().fit(texts, labels)
    assert time.perf_counter() - start < 1.0
    second = LearnedNonanswer().fit(texts, labels)
    assert first.terms_ == second.terms_ and first.intercept_ == second.intercept_
    sample = texts[::25] + ["", "qqqq zzzz", "en tieda"]
    expected = first.classifier_.predict_proba(first.vectorizer_.transform(sample))[:, 1]
    assert np.allclose(first.probabilities(sample), expected, atol=1e-9)
    # the reason, also computed in plain Python, is the one-vs-rest regressions' choice
    nonanswers = [t for t, label in zip(texts, labels) if label != "answer"]
    features = first.vectorizer_.transform(nonanswers)
    best = np.array([r.decision_function(features) for r in first.reasons_]).argmax(axis=0)
    first.threshold = 1e-12
    assert [first.reason(t) for t in nonanswers] == [first.reason_classes_[i] for i in best]


def test_one_reason_class_is_enough() -> None:
    model = LearnedNonanswer(threshold=0.5).fit(["en tieda", "ei tietoa", "sodat", "raha"], ["dont_know", "dont_know", "answer", "answer"])
    assert model.reason("en tieda") == "dont_know" and model.reason("sodat") is None


def test_parameters_and_labels_are_checked() -> None:
    with pytest.raises(ValueError, match="threshold"):
        LearnedNonanswer(threshold=1.5).fit(["a", "b"], ["answer", "dont_know"])
    with pytest.raises(ValueError, match="labels must be among"):
        LearnedNonanswer().fit(["a", "b"], ["answer", "maybe"])
    with pytest.raises(ValueError, match="both answers and non-answers"):
        LearnedNonanswer().fit(["a", "b"], ["answer", "answer"])
    with pytest.raises(RuntimeError, match="not fitted"):
        LearnedNonanswer().probability("en tieda")


def test_reasons_are_known_codes() -> None:
    assert set(LABELS[1:]) <= set(REASONS)
    assert 0.5 <= nonanswer_learned.THRESHOLD < 1.0


# ---------------------------------------------------------------- the hook in detect_nonanswer


@pytest.mark.parametrize(("question", "answer", "reason"), CAUGHT, ids=[a for _, a, _ in CAUGHT])
def test_fallback_catches_what_no_rule_reads(question: str, answer: str, reason: str) -> None:
    assert detect_nonanswer(answer, question=question) == reason


@pytest.mark.parametrize(("question", "answer", "reason"), CAUGHT, ids=[a for _, a, _ in CAUGHT])
def test_switch_turns_the_fallback_off(rules_only: None, question: str, answer: str, reason: str) -> None:
    assert detect_nonanswer(answer, question=question) is None


@pytest.mark.parametrize(("question", "answer"), KEPT, ids=[a for _, a in KEPT])
def test_fallback_keeps_answers(question: str, answer: str) -> None:
    assert detect_nonanswer(answer, question=question) is None


def test_fallback_is_on_by_default_and_never_overrides_the_question() -> None:
    assert nonanswer.LEARNED_FALLBACK is True
    assert detect_nonanswer("Ei mitään.", question=SAATU) is None
    assert detect_nonanswer("Ei mitään.", question="Mitä kiusaaminen on?") == "no_comment"
    assert detect_nonanswer("ei mitää", question="Mitä kiusaaminen on?", nothing_is_answer=True) is None


def test_fallback_is_not_asked_for_yes_no_questions_long_texts_or_without_typos(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr(nonanswer, "_learned_reason", lambda clause: asked.append(clause))
    detect_nonanswer("en mussta", question="Onko teillä ollut ongelmia?")  # yes/no: a stance may be anything
    detect_nonanswer("en mussta", question_type="yesno")
    detect_nonanswer("en mussta", fuzzy=1.0)  # fuzzy=1.0 turns off every guess at misspelt words
    detect_nonanswer("en mussta " + "oikeastaan yhtään mitään siitä mitä meille tapahtui viime vuonna kunnan kanssa", question=SAATU)
    assert asked == []
    detect_nonanswer("en mussta", question=SAATU)
    assert asked == ["en mussta"]


def test_a_non_answer_needs_every_clause_to_be_one() -> None:
    assert detect_nonanswer("en mä oo iha varma mitä sanois, ehkä pimeä", question=PELKO) is None
    assert detect_nonanswer("En tiedä. En mä oo iha varma mitä sanois.", question=PELKO) == "dont_know"


def test_deterministic_and_cheap_after_training() -> None:
    texts = [a for _, a, _ in CAUGHT] + [a for _, a in KEPT]
    first = [detect_nonanswer(t, question=PELKO) for t in texts]
    nonanswer_learned.set_model(None)  # retrained from the shipped data: the same answers
    assert [detect_nonanswer(t, question=PELKO) for t in texts] == first
    fresh = [f"en mä oo iha varma mitä sanois {i} kertaa" for i in range(2000)]
    detect_nonanswer(fresh[0])  # trained before the clock starts
    start = time.perf_counter()
    for text in fresh:
        detect_nonanswer(text)
    assert (time.perf_counter() - start) / len(fresh) < 1e-3  # well under a millisecond per short answer


def test_module_imports_only_what_comes_before_it() -> None:
    source = (ROOT / "src" / "avovastaus" / "finnish" / "nonanswer_learned.py").read_text(encoding="utf-8")
    imported = set(re.findall(r"^\s*from avovastaus\.finnish\.(\w+) import", source, re.MULTILINE))
    assert imported <= {"nonanswer_words", "nonanswer_phrases", "nonanswer_grammar", "nonanswer_forms", "nonanswer_question",
                        "nonanswer_clauses", "lexicon"}
    assert not re.search(r"^import sklearn|^from sklearn", source, re.MULTILINE)  # scikit-learn loads when the fallback is first needed
    assert len(source.splitlines()) <= 400
