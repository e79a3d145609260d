"""A learned fallback for non-answers: the reason code of a short clause the rules read as an answer, or None.

The rules (``nonanswer_clauses`` and the modules before it) know the phrase families of non-answers and read the
registers word by word; what they have not seen — a new spoken form, a new refusal — they keep as an answer. This
module is a second opinion on exactly those clauses: a logistic regression over character 2–5-grams (TF-IDF,
``char_wb``) of the clause's standard form with umlauts folded (*en mä tiijä* → *en tieda*), trained at first use
(well under a second) from ``data/nonanswer_training.tsv``:

* non-answers written for the project (``tests/unit/finnish/nonanswer_own_cases.tsv``) and the ``dev`` half of the
  frozen gold ``corpora/nonanswer_registers`` (never its ``test`` half), each under the reason code of its kind;
* answers from the same two sources (look-alikes and hedges, split into their parts and only the parts the rules
  keep, as the fallback sees them) and short answers of the bundled synthetic corpora (``corpora/*/answers.csv``).

Non-answers that only the question makes non-answers (an echo of it, *"ei mitään"* to *Mitä kiusaaminen on?*) are
left out: the rules decide those with the question in view, and the fallback is never asked about them.

The model is asked only where the rules met a word they cannot read (:func:`asked`): where they read every word, or
read an object after *en halua / en osaa…* (*"en halua olla yksin"*), their answer stands. A clause is a non-answer
when the model's probability reaches :data:`THRESHOLD`, chosen by cross-validation on the training rows
(``benchmarks/nonanswer_registers.py --cv``); its reason is the non-answer class closest to it by one-vs-rest
regressions (``dont_know``, ``no_comment``, ``see_above``, ``placeholder``: codes the reports already translate).
Scoring is plain Python over the fitted weights (tens of microseconds a clause, cached); the same input always gives
the same answer.
"""

from __future__ import annotations

import functools
import hashlib
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from avovastaus.finnish.nonanswer_forms import canonical, fold, protected, standard_clause, word_tables
from avovastaus.finnish.nonanswer_phrases import OBJECT_PHRASES

__all__ = ["LABELS", "THRESHOLD", "LearnedNonanswer", "TrainingRow", "asked", "fit_default", "learned_reason", "model",
           "prepare", "set_model", "training_digest", "training_rows", "word_ngrams"]

#: the classes of the training data: a real answer, or the reason code of a non-answer
LABELS = ("answer", "dont_know", "no_comment", "see_above", "placeholder")
#: P(non-answer) at or above which a clause is called a non-answer (cross-validated on the training sources, never on
#: the gold's test half: ``benchmarks/nonanswer_registers.py --cv``)
THRESHOLD = 0.75
#: the training data, in ``avovastaus/finnish/data/``
TRAINING_FILE = "nonanswer_training.tsv"


_WORD_CACHE = 200_000  # words whose known n-grams a fitted model remembers


def word_ngrams(word: str, low: int, high: int) -> list[str]:
    """Return the character n-grams of one word padded with spaces, as scikit-learn's ``char_wb`` analyzer makes them."""
    padded = f" {word} "
    grams = []
    for n in range(low, high + 1):
        grams.extend(padded[i:i + n] for i in range(max(len(padded) - n, 0) + 1))
        if len(padded) <= n:
            break  # a word shorter than n is counted once, whole
    return grams


@dataclass(frozen=True)
class TrainingRow:
    text: str
    label: str  # one of LABELS
    source: str  # where the text comes from ("own:2:17", "gold_dev:nr-0039", "kuntajarjesto:R027:kehittaminen:1")


def training_rows(name: str = TRAINING_FILE) -> list[TrainingRow]:
    """Return the rows of ``data/<name>`` (tab-separated ``text, label, source`` under a header; ``#`` lines are comments)."""
    text = resources.files("avovastaus.finnish").joinpath(f"data/{name}").read_text(encoding="utf-8")
    rows, bad = [], []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#") or line == "text\tlabel\tsource":
            continue
        cells = line.split("\t")
        if len(cells) != 3 or cells[1] not in LABELS:
            bad.append(number)
            continue
        rows.append(TrainingRow(*cells))
    if bad:
        raise ValueError(f"data/{name}: lines {bad[:10]} are not 'text<TAB>label<TAB>source' with a label in {LABELS}")
    return rows


def prepare(text: str) -> str:
    """Return a text as the model reads it: its words in their standard form (as the rules read them), umlauts folded."""
    canon = canonical(text)
    return fold(standard_clause(canon)) if canon else ""


class LearnedNonanswer:
    """Character n-gram TF-IDF + logistic regression: P(non-answer) of a clause, and the closest non-answer reason.

    ``C``: inverse regularisation strength of the regressions; ``ngram_range``: character n-gram lengths
    (``char_wb``, within words); ``threshold``: P(non-answer) from which :meth:`reason` names a reason.
    """

    def __init__(self, C: float = 10.0, ngram_range: tuple[int, int] = (2, 5), threshold: float = THRESHOLD) -> None:
        self.C = C
        self.ngram_range = ngram_range
        self.threshold = threshold

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> LearnedNonanswer:
        """Fit on prepared texts (see :func:`prepare`) and their labels (each one of :data:`LABELS`); return self."""
        from sklearn.feature_extraction.text import TfidfVectorizer  # heavy: loaded when the fallback is first needed
        from sklearn.linear_model import LogisticRegression

        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {self.threshold!r}")
        if len(texts) != len(labels):
            raise ValueError(f"texts and labels differ in length: {len(texts)} and {len(labels)}")
        unknown = sorted({label for label in labels} - set(LABELS))
        if unknown:
            raise ValueError(f"labels must be among {LABELS}, got {unknown}")
        is_nonanswer = [label != "answer" for label in labels]
        if all(is_nonanswer) or not any(is_nonanswer):
            raise ValueError("labels need both answers and non-answers")
        vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=self.ngram_range, sublinear_tf=True, lowercase=False)
        features = vectorizer.fit_transform(texts)
        # liblinear (dual: more n-grams than rows) is deterministic for a fixed random_state and fits in tens of milliseconds
        binary = LogisticRegression(C=self.C, solver="liblinear", dual=True, random_state=0).fit(features, is_nonanswer)
        # the reason: one-vs-rest among the non-answers (liblinear again: lbfgs takes seconds here)
        positive = [i for i, flag in enumerate(is_nonanswer) if flag]
        self.reason_classes_ = tuple(label for label in LABELS[1:] if any(labels[i] == label for i in positive))
        self.reasons_ = [LogisticRegression(C=self.C, solver="liblinear", dual=True, random_state=0).fit(
            features[positive], [labels[i] == label for i in positive]) for label in self.reason_classes_
            if len(self.reason_classes_) > 1]
        self.vectorizer_, self.classifier_ = vectorizer, binary
        self._word_terms: dict[str, tuple[str, ...]] = {}
        idf = vectorizer.idf_
        # per n-gram: its idf, its weight for "non-answer" and its weight for each reason (idf folded in)
        weights = np.vstack([binary.coef_[0], *(r.coef_[0] for r in self.reasons_)]) * idf
        self.terms_ = {term: (float(idf[j]), float(weights[0, j])) for term, j in vectorizer.vocabulary_.items()}
        self.reason_terms_ = {term: tuple(float(w) for w in weights[1:, j]) for term, j in vectorizer.vocabulary_.items()}
        self.intercept_ = float(binary.intercept_[0])
        self.reason_intercepts_ = tuple(float(r.intercept_[0]) for r in self.reasons_)
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "terms_"):
            raise RuntimeError("LearnedNonanswer is not fitted: call fit() first")

    def _counts(self, text: str) -> dict[str, int]:
        """Return the fitted n-grams of a prepared text with their counts (a word's n-grams are remembered)."""
        counts: dict[str, int] = {}
        known = self._word_terms
        for word in text.split():
            terms = known.get(word)
            if terms is None:
                terms = tuple(g for g in word_ngrams(word, *self.ngram_range) if g in self.terms_)
                if len(known) < _WORD_CACHE:
                    known[word] = terms
            for term in terms:
                counts[term] = counts.get(term, 0) + 1
        return counts

    def probability(self, text: str) -> float:
        """Return P(non-answer) of a prepared text: the fitted TF-IDF and regression, computed in plain Python.

        The same figure as the vectorizer and regression give (to rounding), at a fraction of their cost per text.
        """
        self._check_fitted()
        score = norm = 0.0
        for term, count in self._counts(text).items():
            idf, weight = self.terms_[term]
            tf = 1.0 if count == 1 else 1.0 + math.log(count)
            norm += (tf * idf) ** 2
            score += tf * weight
        z = self.intercept_ + (score / math.sqrt(norm) if norm else 0.0)
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0

    def probabilities(self, texts: Sequence[str]) -> list[float]:
        """Return P(non-answer) of each prepared text."""
        return [self.probability(t) for t in texts]

    def reason(self, text: str) -> str | None:
        """Return the non-answer reason of a prepared text, or None when P(non-answer) is under the threshold."""
        if self.probability(text) < self.threshold:
            return None
        if len(self.reason_classes_) == 1:
            return self.reason_classes_[0]
        scores = list(self.reason_intercepts_)
        norm = 0.0
        for term, count in self._counts(text).items():
            tf = 1.0 if count == 1 else 1.0 + math.log(count)
            norm += (tf * self.terms_[term][0]) ** 2
            for k, weight in enumerate(self.reason_terms_[term]):
                scores[k] += tf * weight  # divided by the norm below: the intercepts are added back first
        if norm:
            scores = [b + (s - b) / math.sqrt(norm) for s, b in zip(scores, self.reason_intercepts_)]
        return self.reason_classes_[scores.index(max(scores))]  # ties: the first in LABELS


def fit_default(rows: Sequence[TrainingRow] | None = None, **params: Any) -> LearnedNonanswer:
    """Return the model fitted on ``rows`` (default: the shipped training data), with ``params`` for LearnedNonanswer."""
    rows = training_rows() if rows is None else rows
    return LearnedNonanswer(**params).fit([prepare(r.text) for r in rows], [r.label for r in rows])


_lock = threading.Lock()
_model: LearnedNonanswer | None = None


def model() -> LearnedNonanswer:
    """Return the process's model, trained from the shipped data at first use."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = fit_default()
    return _model


def set_model(replacement: LearnedNonanswer | None) -> None:
    """Use ``replacement`` from now on (None: train from the shipped data again at next use); for cross-validation."""
    global _model
    with _lock:
        _model = replacement
        learned_reason.cache_clear()


@functools.lru_cache(maxsize=65536)
def learned_reason(clause: str) -> str | None:
    """Return the reason code the model gives a clause in standard form (as the rules read it), or None (an answer)."""
    if not asked(clause):
        return None
    text = fold(clause)
    return model().reason(text) if text.strip() else None


def asked(clause: str) -> bool:
    """Return whether the fallback has a say on a clause (in standard form) that the rules keep as an answer.

    Not where the rules read every word of it (their reading stands: *"kunta ei halua kertoa mitään"*, *"en osaa
    mitään"*), nor where it starts with a head the rules read with an object and goes on (*"en halua olla yksin"*): the
    fallback speaks where the rules met a word they could not read.
    """
    words = clause.split()
    if all(word in read_words() for word in words):
        return False
    return not any(clause.startswith(f"{head} ") for head in OBJECT_PHRASES)


@functools.lru_cache(maxsize=1)
def read_words() -> frozenset[str]:
    """Return the words the rules read: their own words and every form of their tables, with its standard form."""
    exact = word_tables()[0]
    return frozenset(protected() | set(exact) | {word for standard in exact.values() for word in standard.split()})


def training_digest() -> str:
    """Return the sha256 of the shipped training data (for a run's manifest: which data the fallback learned from)."""
    data = resources.files("avovastaus.finnish").joinpath(f"data/{TRAINING_FILE}").read_bytes()
    return hashlib.sha256(data).hexdigest()
