"""Themes per question, and list answers coded item by item.

A survey asks several open questions; each is a theme space of its own. :class:`SurveyThemes` fits
one :class:`~avovastaus.themes.model.ThemeModel` per question (discovery, keywords, labels and
stability per question) on the question's **units**: its answers, or for a list question
("Maailman kolme suurinta ongelmaa ovat…") the items of each answer (:func:`avovastaus.finnish.items.list_items`),
so "nälänhätä, sodat ja ilmastonmuutos" carries three themes. A codebook applies to the questions
that use it; its themes keep their ids and are shared by those questions (figures across questions
are meaningful only for them). A discovered theme's id says its question (``kehittaminen:teema_01``)
when the run has several questions; so does a codebook theme's id when questions use different codebooks.

An answer carries each of its items' themes once. **The primary theme** of a list answer is the
theme most of its items carry; on a tie, the theme of the earliest item. Answers are embedded once:
a list answer's own vector is the normalised mean of its items' vectors (for quotes and carried
decisions), its words are its items' words.

The fitted object offers what the pipeline reads of a theme model: ``features_``, ``assignment_``,
``theme_ids_``, ``centroids_``, ``sources_``, ``labels_``, ``keywords_``, ``examples_``,
``timings_``, :meth:`sizes`, :meth:`stability` and :meth:`describe`; besides ``questions_`` (each
theme's question, ``""`` for a theme shared through a codebook) and ``kinds_`` (each question's kind).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
from sklearn.base import clone

from avovastaus.config import Codebook
from avovastaus.embed.vectors import unit_rows
from avovastaus.finnish.items import list_items
from avovastaus.finnish.nonanswer import detect_nonanswer
from avovastaus.themes.cluster import Assignment, Segments
from avovastaus.themes.model import Features, Progress, Silent, Taught, ThemeModel, theme_sizes


@dataclass
class Units:
    """What is embedded and clustered: answers, or the items of list answers."""

    texts: list[str]
    answer: np.ndarray   # the position of the answer each unit belongs to
    question: list[str]


def units_of(texts: Sequence[str], questions: Sequence[str], kinds: Mapping[str, str]) -> Units:
    """Return the units of the answers: a list question's answers split into items (items that are non-answers dropped), others whole."""
    unit_texts, owner, unit_questions = [], [], []
    for j, (text, question) in enumerate(zip(texts, questions)):
        items = list_items(text) if kinds.get(question) == "list" else [text]
        if len(items) > 1:
            items = [i for i in items if detect_nonanswer(i) is None] or [text]  # "en tiedä, ehkä sota": the hedge is no item
        unit_texts.extend(items)
        owner.extend([j] * len(items))
        unit_questions.extend([question] * len(items))
    return Units(unit_texts, np.array(owner, dtype=int), unit_questions)


def primary_first(unit_themes: Sequence[Sequence[str]]) -> list[str]:
    """Return an answer's themes from its units' themes: each once, the theme most units carry first (ties: the earliest)."""
    primaries = Counter(ts[0] for ts in unit_themes if ts)
    first: dict[str, int] = {}
    for position, ts in enumerate(unit_themes):
        for t in ts:
            first.setdefault(t, position)
    return sorted(first, key=lambda t: (-primaries.get(t, 0), first[t]))


class SurveyThemes:
    """One theme model per open question, fitted on the question's units (answers, or the items of list answers)."""

    def __init__(self, base: ThemeModel, codebooks: Mapping[str, Codebook | None], kinds: Mapping[str, str], per_question: bool = True) -> None:
        self.base = base
        self.codebooks = dict(codebooks)
        self.kinds = dict(kinds)
        self.per_question = per_question

    # ------------------------------------------------------------ fitting

    def fit(
        self, texts: Sequence[str], questions: Sequence[str], progress: Progress | None = None, taught: Taught | None = None,
        keys: Sequence[str] | None = None, question_order: Sequence[str] | None = None,
    ) -> "SurveyThemes":
        """Find the themes of ``texts`` (analysed answers), each answer of the question ``questions[i]``; returns self.

        The themes are a function of the set of answers, not of their order: the answers are fitted in
        a canonical order (question, text, answer key ``keys[i]``) and the results put back in the order
        given, so a file sorted by region gives the same themes, ids and labels as the file as exported.
        """
        n = len(texts)
        keys = list(keys) if keys is not None else [""] * n
        rank = {q: r for r, q in enumerate(dict.fromkeys([*(question_order or []), *questions]))}
        perm = np.array(sorted(range(n), key=lambda i: (rank[questions[i]], texts[i], keys[i], i)), dtype=int)
        self._fit([texts[i] for i in perm], [questions[i] for i in perm], progress, taught)
        inverse = np.empty(n, dtype=int)
        inverse[perm] = np.arange(n)
        f, a = self.features_, self.assignment_
        self.features_ = Features([f.texts[j] for j in inverse], f.embeddings[inverse], [f.words[j] for j in inverse], f.segments, cache_stats=f.cache_stats)
        self.assignment_ = Assignment([a.themes[j] for j in inverse], a.scores[inverse], a.details, None if a.confidence is None else a.confidence[inverse])
        self.examples_ = {t: [int(perm[j]) for j in positions] for t, positions in self.examples_.items()}
        self.units_.answer = perm[self.units_.answer]
        return self

    def _fit(self, texts: Sequence[str], questions: Sequence[str], progress: Progress | None, taught: Taught | None) -> None:
        """Fit on answers in the order given (see :meth:`fit`)."""
        progress = progress or Silent()
        order = list(dict.fromkeys(questions))
        self.kinds_ = {q: self.kinds.get(q, "text") for q in order}
        self.units_ = units_of(texts, questions, self.kinds_)
        distinct = {id(cb) for cb in (self.codebooks.get(q) for q in order) if cb is not None}
        self._own_codebook_ids = len(distinct) > 1
        self._scoped = self.per_question and len(order) > 1
        n_units = len(self.units_.texts)
        unit_themes: list[list[str]] = [[] for _ in range(n_units)]
        unit_scores = np.zeros(n_units)
        unit_confidence = np.full(n_units, np.nan)
        unit_vectors: np.ndarray | None = None
        unit_words: list = [None] * n_units
        self.models_: list[tuple[list[str], ThemeModel, np.ndarray]] = []
        self.timings_: dict[str, float] = {}
        self.centroids_, self.sources_, self.labels_, self.keywords_, self.questions_ = {}, {}, {}, {}, {}
        unit_examples: dict[str, list[int]] = {}
        described: dict[str, int] = {}  # a theme's keywords and quotes come from the question where it is largest
        cache_stats: Counter = Counter()
        for codebook, group in self._codebook_groups(order):
            model = clone(self.base).set_params(codebook=codebook)
            rows = np.array([i for i, q in enumerate(self.units_.question) if q in group], dtype=int)
            features = model.featurize([self.units_.texts[i] for i in rows], progress, taught)
            cache_stats.update(features.cache_stats)
            self._add_timings(model.timings_)
            if unit_vectors is None:
                unit_vectors = np.zeros((n_units, features.embeddings.shape[1]), dtype=features.embeddings.dtype)
            unit_vectors[rows] = features.embeddings
            for j, i in enumerate(rows):
                unit_words[i] = features.words[j]
            for scope in ([[q] for q in group] if self.per_question else [group]):
                local = np.array([j for j, i in enumerate(rows) if self.units_.question[i] in scope], dtype=int)
                fitted = clone(model).fit(features=features.subset(local), progress=progress)
                self._add_timings({k: v for k, v in fitted.timings_.items() if k not in ("embed", "lemmas")})
                members = rows[local]
                self.models_.append((scope, fitted, members))
                name = {t: self._scope(scope[0], t, fitted.sources_[t]) for t in fitted.theme_ids_}
                for j, i in enumerate(members):
                    unit_themes[i] = [name[t] for t in fitted.assignment_.themes[j]]
                    unit_scores[i] = fitted.assignment_.scores[j]
                    if fitted.assignment_.confidence is not None:
                        unit_confidence[i] = fitted.assignment_.confidence[j]
                sizes = fitted.sizes()
                for t in fitted.theme_ids_:
                    scoped = name[t]
                    shared = scoped == t and fitted.sources_[t] == "codebook" and len(group) > 1 and self.per_question
                    self.questions_[scoped] = "" if shared else scope[0] if len(scope) == 1 else ""
                    if sizes[t] > described.get(scoped, -1):
                        self.keywords_[scoped] = fitted.keywords_.get(t, [])  # a shared theme: described where it is largest
                        unit_examples[scoped] = [int(members[e]) for e in fitted.examples_[t]]
                        described[scoped] = sizes[t]
                    self.centroids_.setdefault(scoped, fitted.centroids_[t])
                    self.sources_[scoped] = fitted.sources_[t]
                    self.labels_[scoped] = fitted.labels_[t]
        self._answers(texts, unit_themes, unit_scores, unit_confidence, unit_vectors, unit_words, dict(cache_stats))
        self.theme_ids_ = list(self.centroids_)
        self.examples_ = {t: list(dict.fromkeys(int(self.units_.answer[u]) for u in unit_examples.get(t, []))) for t in self.theme_ids_}

    def _codebook_groups(self, order: list[str]) -> list[tuple[Codebook | None, list[str]]]:
        """Return the questions grouped by the codebook they use (the same loaded codebook object = one group), in question order."""
        groups: dict[int, tuple[Codebook | None, list[str]]] = {}
        for q in order:
            cb = self.codebooks.get(q)
            groups.setdefault(id(cb), (cb, []))[1].append(q)
        return list(groups.values())

    def _scope(self, question: str, theme: str, source: str) -> str:
        """Return a question's theme id in the run: discovered ids (and codebook ids when questions use different codebooks) say their question."""
        if not self._scoped or (source == "codebook" and not self._own_codebook_ids):
            return theme
        return f"{question}:{theme}"

    def _add_timings(self, timings: Mapping[str, float]) -> None:
        for key, value in timings.items():
            self.timings_[key] = round(self.timings_.get(key, 0.0) + value, 3)

    def _answers(self, texts, unit_themes, unit_scores, unit_confidence, unit_vectors, unit_words, cache_stats) -> None:
        """Set the answer-level features and assignment from the units (one unit per answer unless it is a list)."""
        n = len(texts)
        owner = self.units_.answer
        by_answer: list[list[int]] = [[] for _ in range(n)]
        for u, a in enumerate(owner):
            by_answer[a].append(u)
        themes = [primary_first([unit_themes[u] for u in us]) for us in by_answer]
        scores = np.array([max((unit_scores[u] for u in us if unit_themes[u] and unit_themes[u][0] == (ts[0] if ts else None)), default=unit_scores[us[0]])
                           for us, ts in zip(by_answer, themes)])
        confidence = None
        if not np.isnan(unit_confidence).all():
            confidence = np.array([float(np.nanmean(unit_confidence[us])) if not np.isnan(unit_confidence[us]).all() else np.nan for us in by_answer])
        vectors = np.stack([unit_vectors[us[0]] if len(us) == 1 else unit_rows(unit_vectors[us].mean(axis=0)) for us in by_answer]).astype(unit_vectors.dtype)
        words = [[w for u in us for w in unit_words[u]] for us in by_answer]
        flat_texts = [self.units_.texts[us[0]] if len(us) == 1 else " ".join(self.units_.texts[u] for u in us) for us in by_answer]
        empty = Segments(np.zeros((0, vectors.shape[1]), dtype=vectors.dtype), np.zeros(0, dtype=int))
        self.features_ = Features(flat_texts, vectors, words, empty, cache_stats=cache_stats)
        self.assignment_ = Assignment(themes, scores, {}, confidence)

    # ------------------------------------------------------------ after fitting

    def describe(self, assignment: Assignment, centroids: dict[str, np.ndarray], sources: dict[str, str],
                 labels: dict[str, str] | None = None, progress: Progress | None = None) -> "SurveyThemes":
        """Set the themes to ``assignment`` (of answers) and describe them anew: keywords, labels, representative answers.

        The pipeline calls it after carrying evaluator decisions over from an earlier run.
        """
        describer = clone(self.base)
        describer.features_, describer.timings_ = self.features_, {}
        describer.describe(assignment, centroids, sources, labels, progress)
        for name in ("assignment_", "centroids_", "theme_ids_", "sources_", "keywords_", "labels_", "examples_"):
            setattr(self, name, getattr(describer, name))
        self.questions_ = {t: self.questions_.get(t, "") for t in self.theme_ids_}
        return self

    def sizes(self) -> dict[str, int]:
        """Return how many answers carry each theme (as primary or further theme)."""
        return theme_sizes(self.assignment_.themes, list(self.centroids_))

    def stability(self, runs: int, sample: float = 0.8) -> dict[str, float]:
        """Return each theme's stability (see :meth:`ThemeModel.stability`), measured in its own question; a shared theme: the mean."""
        values: dict[str, list[float]] = {}
        for scope, fitted, _ in self.models_:
            for t, v in fitted.stability(runs, sample).items():
                values.setdefault(self._scope(scope[0], t, fitted.sources_.get(t, "discovered")), []).append(v)
        return {t: float(np.mean(v)) for t, v in values.items()}
