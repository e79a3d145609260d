"""Open-set codebook assignment: a codebook theme only on evidence, learned from the codebook and from evaluators.

:class:`CodebookClassifier` is a scikit-learn estimator trained on labelled texts: the codebook's
descriptions and example answers (one label per theme), off-topic Finnish sentences bundled with
the package (label :data:`OUT`) and every answer an evaluator confirmed, moved or marked wrong. It
answers two questions for each text of a survey:

* **Does it fit the codebook at all?** Embeddings are centred on the survey's own mean (e5 cosines
  are anisotropic: almost any two Finnish sentences score 0.75–0.9, centring removes the shared
  direction). The in-frame evidence of a text is the mean similarity of its ``k`` nearest in-frame
  examples minus that of its ``k`` nearest out-of-frame examples, then smoothed over the survey's
  own nearest-neighbour graph (``smoothing`` rounds of averaging with the ``n_neighbors`` most
  similar answers): an answer among off-topic answers is off-topic even when its own words are
  ambiguous. A text fits when the smoothed evidence is at least ``-margin``; zero is the point where
  it is as close to the codebook as to the off-topic examples. The probability of fitting is a
  logistic curve of the evidence, 0.5 at the decision point, its slope fitted on the labelled
  examples (Platt scaling, leave-one-out).
* **Which theme?** Three kinds of evidence per theme, added up: cosine of the centred embedding to
  the theme's centroid; the theme's keywords among the text's lemmas and compound parts (capped at
  ``max_hits``); and character 3–5-gram TF-IDF similarity to all the theme's example texts, which
  sees Finnish stems through inflection. The keyword and character evidence are scaled to the
  typical gap between a text's best and second-best theme, so their weights mean "one keyword is
  worth ``keyword_weight`` typical margins". Scores become probabilities by a softmax whose
  temperature is fitted on the labelled examples (leave-one-out for the codebook's own examples).

Reviewed answers join their theme's examples (centroid, character profile, nearest neighbours),
and "wrong" verdicts join the out-of-frame examples, so every decision changes the next prediction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from typing import Sequence

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize as l2_rows

from avovastaus.embed.vectors import unit_rows as _unit
from avovastaus.themes.neighbors import nearest_neighbors

#: the label of texts that fit no codebook theme
OUT = -1


def offtopic_sentences() -> list[str]:
    """Return the bundled off-topic Finnish sentences (negatives for the in-frame decision)."""
    text = resources.files("avovastaus.themes").joinpath("data/offtopic_fi.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@dataclass
class Evidence:
    """What the classifier sees of a set of texts: embeddings, the texts, and each text's lemmas and compound parts."""

    embeddings: np.ndarray
    texts: list[str]
    terms: list[set[str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.terms:
            self.terms = [set() for _ in self.texts]

    def __len__(self) -> int:
        return len(self.texts)

    def take(self, rows: Sequence[int]) -> "Evidence":
        rows = list(rows)
        return Evidence(self.embeddings[rows], [self.texts[i] for i in rows], [self.terms[i] for i in rows])

    @staticmethod
    def concat(parts: Sequence["Evidence"]) -> "Evidence":
        parts = [p for p in parts if len(p)]
        if not parts:
            return Evidence(np.zeros((0, 1)), [], [])
        return Evidence(np.vstack([p.embeddings for p in parts]), [t for p in parts for t in p.texts], [t for p in parts for t in p.terms])


def smooth(values: np.ndarray, embeddings: np.ndarray, n_neighbors: int, rounds: int, keep: float = 0.3) -> np.ndarray:
    """Return ``values`` averaged over each row's nearest neighbours (cosine) ``rounds`` times, keeping ``keep`` of its own value."""
    n = len(values)
    if rounds <= 0 or n <= n_neighbors:
        return values
    neighbours, _ = nearest_neighbors(np.ascontiguousarray(_unit(np.asarray(embeddings, dtype=np.float32))), n_neighbors, "exact", 64 << 20)
    out = np.asarray(values, dtype=np.float64)
    for _ in range(rounds):
        out = keep * out + (1 - keep) * out[neighbours].mean(axis=1)
    return out


def _top_mean(sims: np.ndarray, k: int) -> np.ndarray:
    """Return the mean of each row's ``k`` largest values (all of them when a row has fewer)."""
    if sims.shape[1] == 0:
        return np.full(len(sims), -1.0)
    k = min(k, sims.shape[1])
    return np.partition(sims, sims.shape[1] - k, axis=1)[:, -k:].mean(axis=1)


class CodebookClassifier(BaseEstimator):
    """Open-set codebook classifier: in-frame evidence against off-topic examples, then a calibrated theme choice."""

    def __init__(
        self, keyword_weight: float = 2.0, char_weight: float = 1.0, k: int = 1, n_neighbors: int = 10,
        smoothing: int = 3, margin: float = 0.01, max_hits: int = 2, secondary: float = 0.6,
    ) -> None:
        self.keyword_weight = keyword_weight
        self.char_weight = char_weight
        self.k = k
        self.n_neighbors = n_neighbors
        self.smoothing = smoothing
        self.margin = margin
        self.max_hits = max_hits
        self.secondary = secondary

    # ------------------------------------------------------------ fitting

    def fit(self, examples: Evidence, y: Sequence[int], keywords: Sequence[Sequence[str]], corpus: Evidence | None = None) -> "CodebookClassifier":
        """Learn from labelled ``examples`` (``y``: theme index, or :data:`OUT`), the themes' keyword lemmas and the ``corpus`` to assign.

        The corpus is only used without labels: its mean centres the embeddings, its texts join the
        character n-gram vocabulary, and its best-vs-second gap scales the lexical evidence.
        """
        y = np.asarray(y, dtype=int)
        self.n_themes_ = len(keywords)
        if not (y >= 0).any():
            raise ValueError("CodebookClassifier.fit needs at least one example of a theme")
        reference = corpus if corpus is not None and len(corpus) else examples
        self.mean_ = np.asarray(reference.embeddings, dtype=np.float64).mean(axis=0)
        E = self._centre(examples.embeddings)
        self.keywords_ = [frozenset(w.lower() for w in ks) for ks in keywords]
        self.vectorizer_ = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, dtype=np.float32)
        self.vectorizer_.fit(list(examples.texts) + list(reference.texts if reference is not examples else []))
        C = self.vectorizer_.transform(examples.texts)
        raw = _unit(np.asarray(examples.embeddings, dtype=np.float64))
        self.raw_centroids_ = np.stack([_unit(raw[y == t].mean(axis=0)) if (y == t).any() else np.zeros(raw.shape[1]) for t in range(self.n_themes_)])
        self.members_ = E[y >= 0]
        self.member_theme_ = y[y >= 0]
        self.outsiders_ = E[y == OUT]
        self.theme_sums_ = np.stack([E[y == t].sum(axis=0) if (y == t).any() else np.zeros(E.shape[1]) for t in range(self.n_themes_)])
        self.theme_counts_ = np.array([(y == t).sum() for t in range(self.n_themes_)])
        self.char_sums_ = sparse.vstack([sparse.csr_matrix(C[y == t].sum(axis=0)) for t in range(self.n_themes_)]).tocsr()
        self.scale_ = 1.0
        self.scale_ = self._typical_gap(self._semantic(self._centre(reference.embeddings)))
        self._calibrate(examples, y, E, C)
        return self

    def _centre(self, embeddings: np.ndarray) -> np.ndarray:
        return _unit(np.asarray(embeddings, dtype=np.float64) - self.mean_)

    def _semantic(self, X: np.ndarray, exclude: np.ndarray | None = None) -> np.ndarray:
        """Cosine of centred rows to each theme centroid; ``exclude[i]``: the row's own theme, left out of its centroid."""
        sums = np.broadcast_to(self.theme_sums_, (len(X), *self.theme_sums_.shape)).copy() if exclude is not None else self.theme_sums_
        if exclude is not None:
            rows = np.flatnonzero(exclude >= 0)
            sums[rows, exclude[rows]] -= X[rows]
            return np.einsum("nd,ntd->nt", X, _unit(sums))
        return X @ _unit(sums).T

    @staticmethod
    def _typical_gap(sims: np.ndarray) -> float:
        if sims.shape[1] < 2 or not len(sims):
            return 1.0
        top2 = np.sort(sims, axis=1)[:, -2:]
        return max(float(np.median(top2[:, 1] - top2[:, 0])), 1e-3)

    def _calibrate(self, examples: Evidence, y: np.ndarray, E: np.ndarray, C: sparse.csr_matrix) -> None:
        """Fit the softmax temperature on the labelled examples (leave-one-out) and the in-frame probability curve."""
        labelled = np.flatnonzero(y >= 0)
        own = y[labelled]
        scores = self._scores(E[labelled], C[labelled], [examples.terms[i] for i in labelled], exclude=own)
        truth = (np.arange(self.n_themes_)[None, :] == own[:, None]).ravel().astype(int)
        relative = (scores - scores.max(axis=1, keepdims=True)).reshape(-1, 1)
        if 0 < truth.sum() < len(truth):
            self.inverse_temperature_ = float(max(LogisticRegression().fit(relative, truth).coef_[0, 0], 1e-3))
        else:
            self.inverse_temperature_ = 1.0 / self.scale_
        evidence = self._evidence(E, leave_out=np.arange(len(E)), y=y)
        inside = (y >= 0).astype(int)
        if 0 < inside.sum() < len(inside):
            curve = LogisticRegression(class_weight="balanced").fit(evidence.reshape(-1, 1), inside)
            self.slope_ = float(max(curve.coef_[0, 0], 1e-3))
        else:
            self.slope_ = 1.0 / self.scale_

    # ------------------------------------------------------------ scoring

    def _check(self) -> None:
        if not hasattr(self, "slope_"):
            raise NotFittedError("CodebookClassifier is not fitted yet; call fit() first")

    def _scores(self, X: np.ndarray, C: sparse.csr_matrix, terms: Sequence[set[str]], exclude: np.ndarray | None = None) -> np.ndarray:
        """Return (n x themes) summed evidence: centred centroid cosine + scaled keyword hits + scaled character similarity."""
        semantic = self._semantic(X, exclude)
        hits = np.array([[min(len(t & k), self.max_hits) for k in self.keywords_] for t in terms], dtype=float).reshape(len(terms), self.n_themes_)
        char_sums = self.char_sums_
        if exclude is not None:  # leave each example out of its own theme's character profile
            char = np.asarray((C @ char_sums.T).todense())
            rows = np.flatnonzero(exclude >= 0)
            own_sq = np.asarray(C[rows].multiply(C[rows]).sum(axis=1)).ravel()
            norms = np.sqrt(np.asarray(char_sums.multiply(char_sums).sum(axis=1)).ravel())
            norm_matrix = np.broadcast_to(norms, char.shape).copy()
            own_dot = char[rows, exclude[rows]]
            left = np.sqrt(np.maximum(norms[exclude[rows]] ** 2 - 2 * own_dot + own_sq, 1e-12))
            char[rows, exclude[rows]] = own_dot - own_sq
            norm_matrix[rows, exclude[rows]] = left
            char = char / np.maximum(norm_matrix, 1e-12)
        else:
            char = np.asarray((C @ l2_rows(char_sums).T).todense())
        char = char - char.mean(axis=1, keepdims=True)
        char_gap = self._typical_gap(char) if len(char) > 1 else 1.0
        return semantic + self.scale_ * (self.keyword_weight * hits + self.char_weight * char / char_gap)

    def _evidence(self, X: np.ndarray, leave_out: np.ndarray | None = None, y: np.ndarray | None = None) -> np.ndarray:
        """Return each row's in-frame evidence: mean similarity of its k nearest in-frame examples minus of its k nearest out-of-frame ones."""
        inside = X @ self.members_.T
        outside = X @ self.outsiders_.T
        if leave_out is not None:  # rows of X are the examples themselves
            in_pos = np.cumsum(y >= 0) - 1
            out_pos = np.cumsum(y == OUT) - 1
            for i in leave_out:
                if y[i] >= 0:
                    inside[i, in_pos[i]] = -np.inf
                else:
                    outside[i, out_pos[i]] = -np.inf
            inside[np.isneginf(inside)] = np.nan
            outside[np.isneginf(outside)] = np.nan
            inside = np.nan_to_num(inside, nan=-1.0)
            outside = np.nan_to_num(outside, nan=-1.0)
        if not len(self.outsiders_):
            return _top_mean(inside, self.k)
        return _top_mean(inside, self.k) - _top_mean(outside, self.k)

    def in_frame_evidence(self, texts: Evidence) -> np.ndarray:
        """Return the in-frame evidence of ``texts``, smoothed over their own nearest-neighbour graph."""
        self._check()
        X = self._centre(texts.embeddings)
        return smooth(self._evidence(X), X, self.n_neighbors, self.smoothing)

    def theme_proba(self, texts: Evidence) -> np.ndarray:
        """Return (n x themes) probabilities of each theme given that the text fits the codebook."""
        self._check()
        scores = self._scores(self._centre(texts.embeddings), self.vectorizer_.transform(texts.texts), texts.terms)
        logits = self.inverse_temperature_ * (scores - scores.max(axis=1, keepdims=True))
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)

    def predict_proba(self, texts: Evidence, evidence: np.ndarray | None = None) -> np.ndarray:
        """Return (n x (themes + 1)) probabilities: each theme, then "fits no theme" in the last column.

        ``evidence``: the texts' :meth:`in_frame_evidence` when the caller has it already (it costs a nearest-neighbour pass).
        """
        evidence = self.in_frame_evidence(texts) if evidence is None else evidence
        p_in = 1.0 / (1.0 + np.exp(-self.slope_ * (evidence + self.margin)))
        return np.hstack([self.theme_proba(texts) * p_in[:, None], (1 - p_in)[:, None]])

    def predict(self, texts: Evidence) -> np.ndarray:
        """Return each text's theme index, or :data:`OUT` when its smoothed in-frame evidence is below ``-margin``."""
        fits = self.in_frame_evidence(texts) >= -self.margin
        best = self.theme_proba(texts).argmax(axis=1)
        return np.where(fits, best, OUT)


def open_set_themes(
    classifier: CodebookClassifier, answers: Evidence, segments: Evidence, segment_answer: np.ndarray, max_themes: int,
) -> tuple[list[list[int]], np.ndarray, np.ndarray]:
    """Return (each answer's codebook theme indices, best first; the probability of its primary theme; the probability it fits none).

    An answer gets a codebook theme only when the classifier finds it in frame. Its primary theme is
    its own best theme; a segment of a fitting answer adds its best theme when that theme's
    probability reaches ``classifier.secondary`` (several themes per answer, most probable first).
    """
    evidence = classifier.in_frame_evidence(answers)
    proba = classifier.predict_proba(answers, evidence)
    fits = evidence >= -classifier.margin
    best = proba[:, :-1].argmax(axis=1)
    themes: list[list[int]] = [[int(b)] if ok else [] for b, ok in zip(best, fits)]
    if len(segments):
        seg_proba = classifier.theme_proba(segments)
        extra: dict[int, list[tuple[float, int]]] = {}
        for j, i in enumerate(np.asarray(segment_answer).tolist()):
            t = int(seg_proba[j].argmax())
            if themes[i] and seg_proba[j, t] >= classifier.secondary:
                extra.setdefault(i, []).append((-float(seg_proba[j, t]), t))
        for i, picks in extra.items():
            themes[i] = list(dict.fromkeys([*themes[i], *(t for _, t in sorted(picks))]))[:max_themes]
    primary_p = proba[np.arange(len(best)), best]
    return themes, np.where(fits, primary_p, np.nan), proba[:, -1]
