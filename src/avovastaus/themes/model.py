"""The theme model: analysed answer texts in, themes with keywords and representative answers out.

:class:`ThemeModel` is a scikit-learn estimator. ``fit(texts)`` runs normalise -> segments ->
embed -> lemmas -> assign (codebook, then discovery) -> keywords -> representative answers and sets
``*_`` attributes. Its parts are constructor arguments (the embedder, the Finnish analyzer, the
codebook assigner, the discoverer and the keyword scorer), with the project's own as defaults,
so tests pass a small fake embedder and benchmarks call the very object the pipeline does.
``fit`` also accepts precomputed :class:`Features` (embeddings and lemmas): stability reruns are
``clone(model).set_params(seed=s).fit(features=model.features_.subset(rows))``.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable, ContextManager, Protocol, Sequence

import numpy as np
from sklearn.base import BaseEstimator, clone

from avovastaus.config import Codebook
from avovastaus.embed.backends import Embedder, embed, resolve_embedder
from avovastaus.finnish.lemmas import FinnishAnalyzer, Lemma
from avovastaus.finnish.text import flat, normalize, segment
from avovastaus.themes.classifier import OUT, CodebookClassifier, Evidence, offtopic_sentences
from avovastaus.themes.cluster import Assignment, CodebookAssigner, Segments, ThemeDiscoverer, assign_themes
from avovastaus.themes.label import Keyword, finnish_label, mmr, theme_keywords
from avovastaus.themes.stability import theme_stability

log = logging.getLogger(__name__)

SHARED_PARTS = ("embedder", "analyzer")
KeywordScorer = Callable[[Sequence[Sequence[Lemma]], Sequence[str | None], Sequence[str], int], dict[str, list[Keyword]]]


class Progress(Protocol):
    """Where a long step reports: ``stage`` gives a callback that advances a bar by n; ``message`` says one line."""

    def stage(self, name: str, total: int | None = None) -> ContextManager[Callable[..., None]]: ...

    def message(self, text: str) -> None: ...


class Silent:
    """A :class:`Progress` that shows nothing (messages go to the log)."""

    @contextlib.contextmanager
    def stage(self, name: str, total: int | None = None):
        yield lambda n=1: None

    def message(self, text: str) -> None:
        log.info(text)


@dataclass
class Features:
    """What the model computes from texts before it assigns themes: embeddings and lemma terms of answers and their segments."""

    texts: list[str]
    embeddings: np.ndarray
    words: list[list[Lemma]]
    segments: Segments
    prototypes: list[np.ndarray] = field(default_factory=list)
    cache_stats: dict[str, int] = field(default_factory=dict)
    #: labelled texts the codebook classifier learns from: the codebook's own, off-topic sentences, answers evaluators decided
    examples: Evidence | None = None
    example_labels: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))

    def subset(self, rows: np.ndarray) -> "Features":
        """Return the features of answers ``rows`` only (their segments renumbered), for resampled reruns."""
        rows = np.asarray(rows, dtype=int)
        return Features(
            [self.texts[i] for i in rows], self.embeddings[rows], [self.words[i] for i in rows],
            self.segments.subset(rows, len(self.texts)), self.prototypes, self.cache_stats, self.examples, self.example_labels,
        )

    def answer_evidence(self) -> Evidence:
        return Evidence(self.embeddings, self.texts, [evidence_terms(w) for w in self.words])


def evidence_terms(words: Sequence[Lemma]) -> set[str]:
    """Return what codebook keywords are matched against in one text: each lemma and every part of its compounds.

    Keywords count a compound only toward its head (:mod:`avovastaus.compounds`), but a codebook
    keyword names a topic wherever it appears: *avustus* in *avustushakemus* is evidence for resurssit.
    """
    return {part for w in words for part in (w.lemma, *(getattr(w, "all_parts", ()) or w.parts))}


@dataclass
class Taught:
    """Answers evaluators decided, as labels for the codebook classifier: a codebook theme id, or None for "fits no codebook theme"."""

    texts: list[str]
    themes: list[str | None]


class ThemeModel(BaseEstimator):
    """Finds themes in answers: codebook themes where an answer fits one, discovered themes for the rest.

    Fitted attributes: ``features_``, ``assignment_`` (themes of each answer, best first, and the
    primary similarity), ``theme_ids_``, ``centroids_``, ``sources_`` (``codebook`` / ``discovered``
    / ``review``: provenance as data, never read from an id), ``labels_``, ``keywords_``,
    ``examples_`` (representative answer positions per theme) and ``timings_``.
    """

    def __init__(
        self,
        embedder: Embedder | str = "e5-small",
        codebook: Codebook | None = None,
        analyzer: FinnishAnalyzer | None = None,
        assigner: CodebookAssigner | None = None,
        discoverer: ThemeDiscoverer | None = None,
        keyword_scorer: KeywordScorer = theme_keywords,
        max_themes_per_answer: int = 3,
        max_unassigned: float = 0.05,
        n_keywords: int = 10,
        n_examples: int = 5,
        diversity: float = 0.3,
        use_cache: bool = True,
        seed: int = 0,
        self_training: float = 0.0,
    ) -> None:
        self.embedder = embedder
        self.codebook = codebook
        self.analyzer = analyzer
        self.assigner = assigner
        self.discoverer = discoverer
        self.keyword_scorer = keyword_scorer
        self.max_themes_per_answer = max_themes_per_answer
        self.max_unassigned = max_unassigned
        self.n_keywords = n_keywords
        self.n_examples = n_examples
        self.diversity = diversity
        self.use_cache = use_cache
        self.seed = seed
        self.self_training = self_training

    def __sklearn_clone__(self) -> "ThemeModel":
        """Return an unfitted copy with the same parameters; the embedder and analyzer are shared, not copied.

        They hold loaded models and caches, never fitted state, and copying them would cost seconds and memory.
        """
        params = self.get_params(deep=False)
        return type(self)(**{k: v if k in SHARED_PARTS else clone(v, safe=False) for k, v in params.items()})

    # ------------------------------------------------------------ features

    def featurize(self, texts: Sequence[str], progress: Progress | None = None, taught: Taught | None = None) -> Features:
        """Return the embeddings and lemmas of ``texts`` (and, with a codebook, of their segments and the classifier's labelled examples)."""
        progress = progress or Silent()
        self.timings_ = getattr(self, "timings_", {})
        clock = time.perf_counter()
        segment_texts, segment_answer = [], []
        if self.codebook is None:  # one list of the texts, not two: at a million answers each such list holds half a gigabyte
            flat_texts = [flat(normalize(t)) for t in texts]
        else:  # segments only matter for codebook scoring (several themes per answer)
            clean = [normalize(t) for t in texts]
            flat_texts = [flat(t) for t in clean]
            for j, text in enumerate(clean):
                pieces = segment(text)
                if len(pieces) > 1:
                    segment_texts.extend(flat(p) for p in pieces)
                    segment_answer.extend([j] * len(pieces))
        proto_texts, proto_owner = _prototype_texts(self.codebook)
        example_texts, example_labels = self._example_texts(proto_texts, proto_owner, taught)
        embedder = self._embedder()
        everything = flat_texts + segment_texts + proto_texts + example_texts
        with progress.stage("embed", total=len(set(everything))) as advance:
            vectors, cache_stats = embed(embedder, everything, use_cache=self.use_cache, progress=advance)
        n, m = len(flat_texts), len(segment_texts)
        self.timings_["embed"] = round(time.perf_counter() - clock, 3)
        clock = time.perf_counter()
        with progress.stage("lemmas", total=None):
            analyzer = self._analyzer()
            words = analyzer.content_lemmas(flat_texts)
            segment_terms = [evidence_terms(w) for w in analyzer.content_lemmas(segment_texts)] if segment_texts else []
            example_terms = [evidence_terms(w) for w in analyzer.content_lemmas(example_texts)] if example_texts else []
        self.timings_["lemmas"] = round(time.perf_counter() - clock, 3)
        owner = np.array(proto_owner, dtype=int)
        p = n + m + len(proto_texts)
        prototypes = [vectors[n + m : p][owner == t] for t in range(len(self.codebook.themes))] if self.codebook else []
        segments = Segments(vectors[n : n + m], np.array(segment_answer, dtype=int), segment_terms, segment_texts)
        examples = Evidence(vectors[p:], example_texts, example_terms) if example_texts else None
        return Features(flat_texts, vectors[:n], words, segments, prototypes, cache_stats, examples, np.array(example_labels, dtype=int))

    def _example_texts(self, proto_texts: list[str], proto_owner: list[int], taught: Taught | None) -> tuple[list[str], list[int]]:
        """Return the classifier's labelled texts: the codebook's descriptions and examples, the off-topic sentences, taught answers."""
        if self.codebook is None or isinstance(self.assigner, CodebookAssigner):
            return [], []
        index = {t.id: j for j, t in enumerate(self.codebook.themes)}
        negatives = [flat(normalize(t)) for t in offtopic_sentences()]
        texts, labels = list(proto_texts) + negatives, list(proto_owner) + [OUT] * len(negatives)
        for text, theme in zip(taught.texts if taught else [], taught.themes if taught else []):
            texts.append(flat(normalize(text)))
            labels.append(index.get(theme, OUT) if theme is not None else OUT)
        return texts, labels

    def _embedder(self) -> Embedder:
        return resolve_embedder(self.embedder) if isinstance(self.embedder, str) else self.embedder

    def _analyzer(self) -> FinnishAnalyzer:
        return (self.analyzer or FinnishAnalyzer()).initialize()

    # ------------------------------------------------------------ fitting

    def fit(
        self, texts: Sequence[str] | None = None, features: Features | None = None, progress: Progress | None = None, taught: Taught | None = None,
    ) -> "ThemeModel":
        """Find the themes of ``texts`` (analysed answers), or of precomputed ``features``; returns self.

        ``taught``: answers evaluators decided (in this survey or an earlier wave); the codebook classifier learns from them.
        """
        if features is None:
            if texts is None:
                raise ValueError("ThemeModel.fit needs texts or features")
            features = self.featurize(texts, progress, taught)
        progress = progress or Silent()
        self.timings_ = getattr(self, "timings_", {})
        self.features_ = features
        clock = time.perf_counter()
        with progress.stage("themes", total=None):
            codebook_ids = [t.id for t in self.codebook.themes] if self.codebook else []
            assigner = self.fit_assigner(features) if self.codebook is not None else None
            discoverer = clone(self.discoverer if self.discoverer is not None else ThemeDiscoverer()).set_params(seed=self.seed)
            terms = [evidence_terms(w) for w in features.words] if codebook_ids else []  # only codebook themes are matched on words
            assignment, centroids = assign_themes(
                features.embeddings, terms, features.segments, codebook_ids, assigner, discoverer,
                max_themes_per_answer=self.max_themes_per_answer, max_unassigned=self.max_unassigned, answer_texts=features.texts,
            )
            if self.self_training and isinstance(assigner, CodebookClassifier) and assignment.confidence is not None:
                assigner = self._self_trained(features, terms, assignment, codebook_ids)
                assignment, centroids = assign_themes(
                    features.embeddings, terms, features.segments, codebook_ids, assigner, clone(discoverer),
                    max_themes_per_answer=self.max_themes_per_answer, max_unassigned=self.max_unassigned, answer_texts=features.texts,
                )
        self.timings_["themes"] = round(time.perf_counter() - clock, 3)
        sources = {t: "codebook" for t in codebook_ids}
        sources.update({t: "discovered" for t in centroids if t not in sources})
        labels = {t.id: t.label for t in self.codebook.themes} if self.codebook else {}
        return self.describe(assignment, centroids, sources, labels, progress)

    def _self_trained(self, features: Features, terms: list[set[str]], assignment: Assignment, codebook_ids: list[str]) -> CodebookClassifier:
        """Return the classifier refitted with the survey's own confident codebook answers as further examples (one round of self-training).

        An answer joins the examples of its primary codebook theme when the classifier gave it at least
        ``self_training`` probability, and the negatives when it was that sure the answer fits no codebook
        theme: the survey's own wording of each theme, and of what lies outside the frame, then counts
        beside the codebook's examples and the bundled off-topic sentences.
        """
        index = {t: j for j, t in enumerate(codebook_ids)}
        picks, labels_ = [], []
        for j, (ts, p) in enumerate(zip(assignment.themes, assignment.confidence)):
            inside = bool(ts) and ts[0] in index
            if p >= self.self_training and (inside or not any(t in index for t in ts)):
                picks.append(j)  # a confident codebook answer, or an answer confidently outside the codebook (a negative)
                labels_.append(index[ts[0]] if inside else OUT)
        examples = features.examples
        extra = Evidence(features.embeddings[picks], [features.texts[j] for j in picks], [terms[j] for j in picks])
        merged = Evidence(np.vstack([examples.embeddings, extra.embeddings]), list(examples.texts) + extra.texts, list(examples.terms) + extra.terms)
        labels = np.concatenate([features.example_labels, labels_]).astype(int)
        keywords = [self._analyzer().base_forms(t.keywords) for t in self.codebook.themes]
        return clone(self.assigner if self.assigner is not None else CodebookClassifier()).fit(merged, labels, keywords, features.answer_evidence())

    def fit_assigner(self, features: Features) -> CodebookClassifier | CodebookAssigner:
        """Return the codebook assigner fitted on the codebook's keywords and examples (and, for the classifier, off-topic and taught examples).

        ``fit`` calls it; so does re-scoring in the review app (:func:`avovastaus.learn.rescore`).
        """
        keywords = [self._analyzer().base_forms(t.keywords) for t in self.codebook.themes]
        template = self.assigner if self.assigner is not None else CodebookClassifier()
        if isinstance(template, CodebookAssigner):
            return clone(template).fit(features.prototypes, keywords)
        if features.examples is None:
            raise ValueError("the codebook classifier needs labelled examples: featurize with this model's codebook")
        return clone(template).fit(features.examples, features.example_labels, keywords, features.answer_evidence())

    def describe(
        self, assignment: Assignment, centroids: dict[str, np.ndarray], sources: dict[str, str],
        labels: dict[str, str] | None = None, progress: Progress | None = None,
    ) -> "ThemeModel":
        """Set the themes to ``assignment`` and describe them: keywords, labels (given or from keywords), representative answers.

        The pipeline calls it again after carrying evaluator decisions over from an earlier run.
        """
        progress = progress or Silent()
        clock = time.perf_counter()
        self.assignment_ = assignment
        self.centroids_ = dict(centroids)
        self.theme_ids_ = list(centroids)
        self.sources_ = {t: sources.get(t, "review") for t in self.theme_ids_}
        with progress.stage("keywords", total=None):
            self.keywords_ = self.keyword_scorer(self.features_.words, assignment.primary, self.theme_ids_, self.n_keywords)
        labels = labels or {}
        self.labels_ = {t: labels.get(t) or finnish_label(self.keywords_.get(t, [])) for t in self.theme_ids_}
        self.examples_ = {t: self._examples(t) for t in self.theme_ids_}
        self.timings_["label"] = round(time.perf_counter() - clock, 3)
        return self

    def _examples(self, theme: str) -> list[int]:
        """Return positions of the theme's representative answers (MMR over its primary answers, else all its answers)."""
        themes = self.assignment_.themes
        pool = np.array([j for j, ts in enumerate(themes) if ts and ts[0] == theme], dtype=int)
        if not len(pool):  # a theme seen only as a second theme
            pool = np.array([j for j, ts in enumerate(themes) if theme in ts], dtype=int)
        return [int(pool[k]) for k in mmr(self.features_.embeddings[pool], self.n_examples, self.diversity)] if len(pool) else []

    # ------------------------------------------------------------ after fitting

    def stability(self, runs: int, sample: float = 0.8) -> dict[str, float]:
        """Return each theme's mean best-match Jaccard over ``runs`` refits on ``sample`` shares of the answers, with other seeds."""
        features = self.features_

        def refit(rows: np.ndarray, seed: int) -> list[list[str]]:
            return clone(self).set_params(seed=seed).fit(features=features.subset(rows)).assignment_.themes

        return theme_stability(self.assignment_.themes, refit, self.theme_ids_, runs=runs, sample=sample, seed=self.seed)

    def sizes(self) -> dict[str, int]:
        """Return how many answers carry each theme (as primary or further theme)."""
        return theme_sizes(self.assignment_.themes, self.theme_ids_)


def theme_sizes(themes: Sequence[Sequence[str]], theme_ids: Sequence[str]) -> dict[str, int]:
    """Return how many of the answers (``themes[i]``: answer i's themes) carry each of ``theme_ids``."""
    counts = {t: 0 for t in theme_ids}
    for ts in themes:
        for t in ts:
            if t in counts:
                counts[t] += 1
    return counts


def _prototype_texts(codebook: Codebook | None) -> tuple[list[str], list[int]]:
    """Return (each codebook theme's description and examples, normalized; the theme index of each)."""
    texts, owner = [], []
    for t, theme in enumerate(codebook.themes if codebook else []):
        for text in [theme.description, *theme.examples]:
            texts.append(flat(normalize(text)))
            owner.append(t)
    return texts, owner


def model_from_config(config: Any, codebook: Codebook | None, embedder: Embedder) -> ThemeModel:
    """Return the :class:`ThemeModel` a pipeline config describes."""
    c = config.cluster
    return ThemeModel(
        embedder=embedder, codebook=codebook,
        analyzer=FinnishAnalyzer(min_part_len=config.finnish.min_part_len),
        assigner=CodebookClassifier(margin=c.codebook_margin) if c.assigner == "classifier" else CodebookAssigner(margin=c.codebook_margin),
        discoverer=ThemeDiscoverer(n_themes=c.n_themes, n_neighbors=c.n_neighbors, min_size=c.min_discovered, max_themes=c.max_themes),
        max_themes_per_answer=c.max_themes_per_answer, max_unassigned=c.max_unassigned,
        n_keywords=config.label.n_keywords, n_examples=config.label.n_examples, diversity=config.label.diversity,
        use_cache=config.embed.cache, seed=config.seed, self_training=c.self_training,
    )
