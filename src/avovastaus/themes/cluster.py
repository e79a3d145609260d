"""Themes from embeddings: codebook-guided assignment, then discovery of themes the codebook lacks.

* :class:`CodebookAssigner` scores answers and their segments against each codebook theme: cosine
  similarity to the theme's centroid (description + example answers) plus evidence from the theme's
  keyword lemmas. Acceptance thresholds are calibrated on the codebook itself (leave-one-out
  similarities of each theme's own examples) and the keyword weight on the answers being assigned
  — no fixed magic similarity.
* :class:`ThemeDiscoverer` clusters what the codebook does not cover: a k-nearest-neighbour graph,
  its spectral embedding, the number of themes from the largest eigengap (unless fixed), and
  k-means on the row-normalized spectral coordinates (Ng–Jordan–Weiss). Measured on the Yle 2015
  sample it finds 26–27 themes for 26 statements, in well under a second.

Both follow the scikit-learn contract: parameters in ``__init__``, learned state in ``*_``
attributes set by ``fit``, which accepts precomputed embeddings.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import eigsh
from sklearn.base import BaseEstimator, clone
from sklearn.cluster import KMeans
from sklearn.exceptions import NotFittedError
from sklearn.metrics import silhouette_score

from avovastaus.embed.vectors import unit_float32 as _unit_float32
from avovastaus.embed.vectors import unit_rows as _unit
from avovastaus.themes.classifier import CodebookClassifier, Evidence, open_set_themes
from avovastaus.themes.neighbors import knn_graph


def _check_fitted(estimator: object, attribute: str) -> None:
    if not hasattr(estimator, attribute):
        raise NotFittedError(f"{type(estimator).__name__} is not fitted yet; call fit() first")


# ---------------------------------------------------------------- graph maths (pure)


def spectral_embedding(graph: sparse.csr_matrix, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (the ``dim + 1`` leading eigenvalues of the normalized adjacency, the ``dim`` non-trivial coordinates).

    Deterministic: ARPACK starts from a fixed vector.
    """
    n = graph.shape[0]
    degree = np.asarray(graph.sum(axis=1)).ravel()
    inv_sqrt = sparse.diags(1.0 / np.sqrt(np.maximum(degree, 1e-12)))
    normalized = inv_sqrt @ graph @ inv_sqrt
    k = min(dim + 1, n - 2)
    values, vectors = eigsh(normalized, k=k, which="LA", v0=np.ones(n), tol=1e-8)
    order = np.argsort(-values)
    values, vectors = values[order], vectors[:, order]
    coords = vectors[:, 1:] / np.sqrt(np.maximum(degree, 1e-12))[:, None]
    # fix each eigenvector's sign so that reruns give identical coordinates
    signs = np.sign(coords[np.abs(coords).argmax(axis=0), np.arange(coords.shape[1])])
    return values, coords * np.where(signs == 0, 1, signs)


def eigengap_candidates(eigenvalues: np.ndarray, k_min: int, k_max: int, top: int = 3) -> list[int]:
    """Return the numbers of clusters (in ``[k_min, k_max]``) followed by the ``top`` largest eigengaps, largest first."""
    gaps = eigenvalues[:-1] - eigenvalues[1:]  # gaps[i] follows the (i + 1)-th eigenvalue
    k_max = min(k_max, len(gaps))
    if k_max < k_min:
        return [max(1, k_max)]
    window = gaps[k_min - 1 : k_max]
    order = sorted(range(len(window)), key=lambda i: (-window[i], i))
    return [k_min + i for i in order[:top]]


def eigengap_k(eigenvalues: np.ndarray, k_min: int, k_max: int) -> int:
    """Return the number of clusters with the largest gap after it among the sorted eigenvalues."""
    return eigengap_candidates(eigenvalues, k_min, k_max, top=1)[0]


# ---------------------------------------------------------------- discovery


def min_themes_for(n: int) -> int:
    """Return the fewest themes the automatic choice may pick for ``n`` answers: floor(0.6 · n^(1/3)), at least 2.

    Eigengaps and silhouettes both favour a handful of broad themes when a corpus has no sharp
    cluster structure (measured: 2 themes for 55,000 ministry answers). This resolution floor —
    3 themes for 150 answers, 10 for 5,000, 22 for 55,000 — keeps large corpora from collapsing,
    and sits below what sharply structured data yields (26–28 for 5,200 Yle comments on 26 statements).
    """
    return max(2, int(0.6 * n ** (1 / 3)))


#: above this many answers, k-means on the spectral coordinates is fitted on a seeded sample of this size and every row
#: then joins its nearest centre (each of 3 candidate k costs 10 k-means fits: 42 s at 200k rows on the whole set)
KMEANS_SAMPLE = 20_000


def _centroids(X: np.ndarray, labels: np.ndarray, k: int, block: int = 65_536) -> np.ndarray:
    """Return the unit mean of each label's rows, summed in float64 one block of rows at a time (no full copy)."""
    sums = np.zeros((k, X.shape[1]), dtype=np.float64)
    for start in range(0, len(X), block):
        part = labels[start : start + block]
        members = sparse.csr_matrix((np.ones(len(part)), (part, np.arange(len(part)))), shape=(k, len(part)))
        sums += members @ X[start : start + block].astype(np.float64)
    return _unit(sums)


def _distinct_rows(X: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Return (the first row of each distinct vector, each row's position among them); (all rows, None) when every row is distinct.

    Rows are compared by a 128-bit digest of their bytes (identical texts have identical vectors), in one pass.
    """
    seen: dict[bytes, int] = {}
    first, inverse = [], np.empty(len(X), dtype=int)
    for i, row in enumerate(X):
        key = hashlib.blake2b(row.tobytes(), digest_size=16).digest()
        j = seen.get(key)
        if j is None:
            j = seen[key] = len(first)
            first.append(i)
        inverse[i] = j
    if len(first) == len(X):
        return np.arange(len(X)), None
    return np.array(first, dtype=int), inverse


class ThemeDiscoverer(BaseEstimator):
    """Finds themes in embeddings: k-NN graph -> spectral embedding -> eigengap k -> k-means.

    ``neighbors``: how the k-NN graph is found (``auto``: exact up to 20,000 answers, approximate above;
    see :func:`knn_graph`).
    """

    def __init__(
        self, n_themes: int | None = None, n_neighbors: int = 15, min_size: int = 8, max_themes: int = 40, seed: int = 0, neighbors: str = "auto",
    ) -> None:
        self.n_themes = n_themes
        self.n_neighbors = n_neighbors
        self.min_size = min_size
        self.max_themes = max_themes
        self.seed = seed
        self.neighbors = neighbors

    def fit(self, embeddings: np.ndarray) -> "ThemeDiscoverer":
        """Cluster ``embeddings`` (unit rows); sets ``labels_``, ``n_themes_``, ``centroids_``, ``eigenvalues_``, ``candidates_``.

        Without a fixed ``n_themes`` the three largest eigengaps between :func:`min_themes_for` and
        ``max_themes`` propose a number of themes each, and the proposal whose k-means partition has
        the highest cosine silhouette in the original embedding space (on a sample of 3,000) wins
        (``candidates_`` records each proposal's silhouette). Float32 unit rows are used without a copy.
        """
        X = _unit_float32(embeddings)
        n = len(X)
        self.candidates_: dict[int, float] = {}
        first, inverse = _distinct_rows(X)  # identical answers are one point: they always share a theme
        U = X if len(first) == n else X[first]
        m = len(U)
        if n < 2 * self.min_size or m < 4:
            self.labels_ = np.zeros(n, dtype=int)
            self.eigenvalues_ = np.array([1.0])
        else:
            k_max = max(2, min(self.max_themes, n // self.min_size, m - 1))
            k_min = min(k_max, min_themes_for(n))
            graph = knn_graph(U, self.n_neighbors, method=self.neighbors)
            values, coords = spectral_embedding(graph, dim=min(max(k_max, self.n_themes or 0), m - 3))
            del graph
            self.eigenvalues_ = values
            if self.n_themes:
                labels = self._partition(coords, min(self.n_themes, m))
            else:
                best = None
                for k in eigengap_candidates(values, k_min, k_max, top=3):
                    candidate = self._partition(coords, k)
                    score = silhouette_score(U, candidate, metric="cosine", sample_size=min(m, 3000), random_state=self.seed) if 1 < k < m else -1.0
                    self.candidates_[k] = round(float(score), 6)
                    if best is None or score > best[0]:
                        best = (score, candidate)
                labels = best[1]
            self.labels_ = _relabel_by_size(labels[inverse] if inverse is not None else labels)
        self.n_themes_ = int(self.labels_.max()) + 1 if n else 0
        self.centroids_ = _centroids(X, self.labels_, self.n_themes_) if n else np.zeros((0, X.shape[1]))
        return self

    def _partition(self, coords: np.ndarray, k: int) -> np.ndarray:
        """Return k-means labels on the first ``k - 1`` non-trivial spectral coordinates, row-normalized.

        k clusters need k - 1 coordinates besides the trivial one; using more adds noise (seen on
        well-separated groups, where the k-th coordinate splits a group at random).
        """
        if k <= 1:
            return np.zeros(len(coords), dtype=int)
        Y = _unit(coords[:, : max(k - 1, 1)])
        if len(Y) <= KMEANS_SAMPLE:
            return KMeans(k, n_init=10, random_state=self.seed).fit_predict(Y)
        sample = np.sort(np.random.default_rng(self.seed).choice(len(Y), size=KMEANS_SAMPLE, replace=False))
        return KMeans(k, n_init=10, random_state=self.seed).fit(Y[sample]).predict(Y)

    def predict(self, embeddings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (nearest theme, cosine similarity to its centroid) for each row."""
        _check_fitted(self, "centroids_")
        sims = _unit(np.asarray(embeddings, dtype=np.float64)) @ self.centroids_.T
        return sims.argmax(axis=1), sims.max(axis=1)


def _relabel_by_size(labels: np.ndarray) -> np.ndarray:
    """Return labels renumbered 0.. by decreasing cluster size (ties: first member's position)."""
    ids, first, inverse, counts = np.unique(labels, return_index=True, return_inverse=True, return_counts=True)
    order = sorted(range(len(ids)), key=lambda i: (-counts[i], first[i]))
    rank = np.empty(len(ids), dtype=int)
    rank[order] = np.arange(len(ids))
    return rank[inverse.ravel()]


# ---------------------------------------------------------------- codebook


#: one-sided 1 % tail of a standard normal: calibrated thresholds accept 99 % of answers as typical as the examples
TAIL_Z = 2.326


class CodebookAssigner(BaseEstimator):
    """Scores texts against codebook themes: embedding similarity plus lemma evidence, with calibrated acceptance.

    * Semantic: cosine similarity to each theme's centroid (description + examples).
    * Lexical: how many of the theme's codebook keywords (lemmas) occur among a text's lemmas or
      compound parts, capped at 2, weighted by ``lexical_weight_`` — calibrated in
      :meth:`calibrate` as the median gap between the best and second-best semantic similarity
      of the texts being assigned, so one keyword is worth a typical margin between themes.
    * Acceptance: a text fits its best theme when its similarity reaches the theme's threshold or
      when it names a theme keyword. The threshold comes from the leave-one-out similarities of the
      theme's own examples to the rest: their mean minus 2.33 standard deviations (the one-sided 1 %
      tail of a normal fit), or their minimum if lower — so an answer as typical as 99 % of examples
      fits. ``margin`` lowers every threshold further.
    """

    def __init__(self, margin: float = 0.0, max_hits: int = 2) -> None:
        self.margin = margin
        self.max_hits = max_hits

    def fit(self, prototypes: Sequence[np.ndarray], keywords: Sequence[Sequence[str]] | None = None) -> "CodebookAssigner":
        """Learn centroids, thresholds and keyword sets from each theme's prototype embeddings and keywords."""
        protos = [_unit(np.asarray(p, dtype=np.float64)) for p in prototypes]
        self.centroids_ = np.stack([_unit(p.mean(axis=0)) for p in protos])
        thresholds = []
        for own in protos:
            if len(own) > 2:
                loo = (own * _unit((own.sum(axis=0)[None, :] - own) / (len(own) - 1))).sum(axis=1)
                thresholds.append(min(float(loo.min()), float(loo.mean() - TAIL_Z * loo.std(ddof=1))))
            else:
                thresholds.append(np.nan)  # too few examples to calibrate: borrow the other themes' level
        thresholds = np.array(thresholds)
        fallback = np.nanmin(thresholds) if np.isfinite(thresholds).any() else -1.0
        self.thresholds_ = np.where(np.isfinite(thresholds), thresholds, fallback) - self.margin
        self.keywords_ = [frozenset(k.lower() for k in ks) for ks in (keywords or [[] for _ in protos])]
        self.lexical_weight_ = 0.0
        return self

    def calibrate(self, embeddings: np.ndarray) -> "CodebookAssigner":
        """Set ``lexical_weight_`` from the texts about to be assigned (median best-vs-second similarity gap)."""
        _check_fitted(self, "centroids_")
        sims = self.transform(embeddings)
        if sims.shape[1] > 1 and len(sims):
            top2 = np.sort(sims, axis=1)[:, -2:]
            self.lexical_weight_ = float(np.median(top2[:, 1] - top2[:, 0]))
        return self

    def transform(self, embeddings: np.ndarray) -> np.ndarray:
        """Return the (n_texts x n_themes) cosine similarities to the theme centroids."""
        _check_fitted(self, "centroids_")
        return _unit(np.asarray(embeddings, dtype=np.float64)) @ self.centroids_.T

    def hits(self, terms: Sequence[set[str]]) -> np.ndarray:
        """Return the (n_texts x n_themes) count of theme keywords among each text's lemma terms, capped."""
        _check_fitted(self, "keywords_")
        return np.array([[min(len(t & k), self.max_hits) for k in self.keywords_] for t in terms], dtype=float).reshape(len(terms), len(self.keywords_))

    def best(self, embeddings: np.ndarray, terms: Sequence[set[str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (best theme index, its similarity, whether it is accepted) for each text."""
        sims = self.transform(embeddings)
        hits = self.hits(terms) if len(terms) else np.zeros_like(sims)
        best = np.argmax(sims + self.lexical_weight_ * hits, axis=1)
        rows = np.arange(len(best))
        accepted = (sims[rows, best] >= self.thresholds_[best]) | (hits[rows, best] > 0)
        return best, sims[rows, best], accepted


@dataclass
class Assignment:
    """Per-answer themes: ``themes[i]`` ordered best first (may be empty), ``scores[i]`` the primary similarity."""

    themes: list[list[str]]
    scores: np.ndarray
    details: dict = field(default_factory=dict)
    #: how sure the codebook classifier is of each answer's codebook decision: P(primary theme), or P(fits no codebook theme)
    confidence: np.ndarray | None = None

    @property
    def primary(self) -> list[str | None]:
        return [t[0] if t else None for t in self.themes]


def discovered_id(rank: int) -> str:
    """Return the id of the ``rank``-th (0-based, largest first) discovered theme: ``teema_01``."""
    return f"teema_{rank + 1:02d}"


@dataclass
class Segments:
    """The sentences or clauses of multi-part answers: their embeddings, the answer each belongs to, their lemma terms."""

    embeddings: np.ndarray
    answer: np.ndarray
    terms: list[set[str]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    def subset(self, rows: np.ndarray, n_answers: int) -> "Segments":
        """Return the segments of answers ``rows`` only, their answer numbers renumbered to positions in ``rows``."""
        keep = np.isin(self.answer, rows)
        renumber = np.full(n_answers, -1)
        renumber[rows] = np.arange(len(rows))
        return Segments(
            self.embeddings[keep], renumber[self.answer[keep]], [t for t, k in zip(self.terms, keep) if k], [t for t, k in zip(self.texts, keep) if k],
        )

    def evidence(self) -> Evidence:
        return Evidence(self.embeddings, list(self.texts) or [""] * len(self.embeddings), list(self.terms))


def assign_themes(
    answer_emb: np.ndarray,
    answer_terms: Sequence[set[str]],
    segments: Segments,
    codebook_ids: Sequence[str],
    assigner: CodebookClassifier | CodebookAssigner | None,
    discoverer: ThemeDiscoverer,
    max_themes_per_answer: int = 3,
    max_unassigned: float = 0.05,
    answer_texts: Sequence[str] = (),
) -> tuple[Assignment, dict[str, np.ndarray]]:
    """Return (themes of every answer, centroid of every theme) from codebook fit, discovery and outlier rules.

    1. Codebook, with a fitted :class:`~avovastaus.assign.CodebookClassifier` (the default): an
       answer gets a codebook theme only when the classifier finds it fits the codebook at all (see
       :mod:`avovastaus.assign`); segments add further themes. With the older
       :class:`CodebookAssigner` (``[cluster] assigner = "centroid"``): the whole answer and each of
       its segments pick their best theme (similarity plus keyword evidence); accepted picks become
       the answer's themes, the whole answer's pick first, up to ``max_themes_per_answer``.
    2. Discovery: answers no codebook theme fits are clustered by (a clone of) ``discoverer``; themes
       under its ``min_size`` answers are dissolved and their answers stay without a theme.
    3. Only without the open-set classifier: a leftover still closer to a codebook theme than to its
       discovered theme joins the codebook theme, and if more than ``max_unassigned`` of the answers
       are left without a theme, the ones closest to an existing theme join it until the share is met.
       With the classifier, coverage comes from real fits only.
    ``answer_terms``/``segments.terms`` are each text's lemmas and compound parts (empty: no lexical
    evidence); ``answer_texts``/``segments.texts`` the normalized texts (for character evidence).
    """
    n = len(answer_emb)
    X = _unit_float32(answer_emb)  # no copy of float32 unit rows: at a million answers each copy is gigabytes
    themes: list[list[str]] = [[] for _ in range(n)]
    centroids: dict[str, np.ndarray] = {}
    confidence = None
    open_set = isinstance(assigner, CodebookClassifier)
    if open_set and len(codebook_ids):
        texts = list(answer_texts) or [""] * n
        picks, primary_p, p_none = open_set_themes(assigner, Evidence(X, texts, list(answer_terms)), segments.evidence(), segments.answer, max_themes_per_answer)
        themes = [[codebook_ids[t] for t in p] for p in picks]
        confidence = np.where(np.isnan(primary_p), p_none, primary_p)
        for t, theme in enumerate(codebook_ids):
            members = [i for i in range(n) if themes[i] and themes[i][0] == theme]
            centroids[theme] = _unit(X[members].mean(axis=0, dtype=np.float64)) if members else assigner.raw_centroids_[t]
    elif assigner is not None and len(codebook_ids):
        themes = _codebook_themes(X, segments, codebook_ids, assigner, answer_terms, max_themes_per_answer)
        centroids.update(zip(codebook_ids, assigner.centroids_))
    codebook_assigned = sum(1 for t in themes if t)
    leftovers = np.array([i for i in range(n) if not themes[i]], dtype=int)
    cluster = np.full(n, -1)  # discovered cluster of each leftover, before naming
    fitted = None
    reclaimed = 0
    if len(leftovers) >= 2 * discoverer.min_size:
        fitted = clone(discoverer).fit(X if len(leftovers) == n else X[leftovers])
        cluster[leftovers] = fitted.labels_
        if centroids and not open_set:
            codebook_sims = X[leftovers] @ assigner.centroids_.astype(X.dtype).T
            own = (X[leftovers] * fitted.centroids_[fitted.labels_]).sum(axis=1)
            for i, best in zip(leftovers[codebook_sims.max(axis=1) > own], codebook_sims[codebook_sims.max(axis=1) > own].argmax(axis=1)):
                themes[i] = [codebook_ids[int(best)]]
                cluster[i] = -1
                reclaimed += 1
    discovered = _name_discovered(X, themes, cluster, discoverer.min_size)
    centroids.update(discovered)
    ids = list(centroids)
    sims = X @ np.stack([centroids[t] for t in ids]).astype(X.dtype).T if ids else np.zeros((n, 0))  # X's precision: no float64 copy of X
    moved = 0 if open_set else _limit_unassigned(themes, sims, ids, max_unassigned)
    position = {t: j for j, t in enumerate(ids)}
    scores = np.array([sims[i, position[t[0]]] if t else np.nan for i, t in enumerate(themes)])
    details = {
        "codebook_assigned": int(codebook_assigned),
        "assigner": "classifier" if open_set else ("centroid" if assigner is not None else None),
        "lexical_weight": round(float(assigner.lexical_weight_), 6) if isinstance(assigner, CodebookAssigner) else None,
        "discovered_themes": len(discovered),
        "clustered_for_discovery": int(len(leftovers)),
        "moved_to_nearest_theme": moved,
        "reclaimed_by_codebook": reclaimed,
        "unassigned": int(sum(1 for t in themes if not t)),
        "eigenvalues": [] if fitted is None else [round(float(v), 6) for v in fitted.eigenvalues_[:41]],
        "k_candidates_silhouette": {} if fitted is None else {str(k): v for k, v in fitted.candidates_.items()},
    }
    return Assignment(themes, scores, details, confidence), centroids


def _codebook_themes(
    X: np.ndarray, segments: Segments, codebook_ids: Sequence[str], assigner: CodebookAssigner,
    answer_terms: Sequence[set[str]], max_themes_per_answer: int,
) -> list[list[str]]:
    """Return each answer's accepted codebook themes: the whole answer's pick first, then its segments' by similarity."""
    n = len(X)
    assigner.calibrate(X)
    best, sim, ok = assigner.best(X, list(answer_terms) or [set()] * n)
    picks: list[list[tuple[int, float, str]]] = [[(0, -float(sim[i]), codebook_ids[best[i]])] if ok[i] else [] for i in range(n)]
    if len(segments.embeddings):
        s_best, s_sim, s_ok = assigner.best(segments.embeddings, list(segments.terms) or [set()] * len(segments.embeddings))
        for j, i in enumerate(segments.answer.tolist()):
            if s_ok[j]:
                picks[i].append((1, -float(s_sim[j]), codebook_ids[s_best[j]]))
    return [list(dict.fromkeys(t for _, _, t in sorted(p)))[:max_themes_per_answer] for p in picks]


def _name_discovered(X: np.ndarray, themes: list[list[str]], cluster: np.ndarray, min_size: int) -> dict[str, np.ndarray]:
    """Give answers of discovered clusters their theme ``teema_01``.. (numbered by size); return the themes' centroids.

    Clusters under ``min_size`` answers dissolve (their answers stay without a theme here).
    """
    labels, counts = np.unique(cluster[cluster >= 0], return_counts=True)
    kept = sorted((int(c), int(k)) for c, k in zip(labels, counts) if k >= min_size)
    kept.sort(key=lambda ck: (-ck[1], ck[0]))
    centroids = {}
    for rank, (c, _) in enumerate(kept):
        members = np.flatnonzero(cluster == c)
        theme = discovered_id(rank)
        for i in members:
            themes[i] = [theme]
        centroids[theme] = _unit(X[members].mean(axis=0, dtype=np.float64))
    return centroids


def _limit_unassigned(themes: list[list[str]], sims: np.ndarray, ids: list[str], max_share: float) -> int:
    """Move the unassigned answers closest to a theme into it until at most ``max_share`` remain; returns how many moved."""
    unassigned = [i for i, t in enumerate(themes) if not t]
    excess = len(unassigned) - int(np.floor(max_share * len(themes)))
    if not ids or excess <= 0:
        return 0
    for i in sorted(unassigned, key=lambda i: (-sims[i].max(), i))[:excess]:
        themes[i] = [ids[int(np.argmax(sims[i]))]]
    return excess
