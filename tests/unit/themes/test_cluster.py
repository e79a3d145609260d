"""Unit tests for avovastaus.themes.cluster: graph maths, theme discovery, codebook calibration, assignment."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from scipy.sparse.csgraph import connected_components
from sklearn.exceptions import NotFittedError
from sklearn.metrics import adjusted_rand_score

from avovastaus.themes.cluster import (
    CodebookAssigner,
    Segments,
    ThemeDiscoverer,
    assign_themes,
    discovered_id,
    eigengap_candidates,
    eigengap_k,
    spectral_embedding,
)
from avovastaus.themes.neighbors import approximate_neighbors, exact_neighbors, knn_graph

DIM = 32


def _unit(X: np.ndarray) -> np.ndarray:
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def _centers(k: int, seed: int) -> np.ndarray:
    """``k`` orthonormal directions in DIM dimensions."""
    return np.linalg.qr(np.random.default_rng(seed).normal(size=(DIM, k)))[0].T


def blobs(sizes: tuple[int, ...], noise: float = 0.08, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Well-separated gaussian blobs of unit vectors around orthogonal centres, and their true labels."""
    rng = np.random.default_rng(seed)
    centers = _centers(len(sizes), seed)
    X = np.concatenate([c + noise * rng.normal(size=(n, DIM)) for c, n in zip(centers, sizes)])
    return _unit(X), np.repeat(np.arange(len(sizes)), sizes)


# ---------------------------------------------------------------- graph maths


def test_knn_graph_is_symmetric_without_self_loops() -> None:
    X, _ = blobs((40, 30, 20))
    graph = knn_graph(X, 10)
    assert graph.shape == (90, 90)
    assert abs(graph - graph.T).max() == 0
    assert graph.diagonal().max() == 0
    assert graph.data.min() > 0 and graph.data.max() <= 1 + 1e-12
    # every node keeps at least its k out-neighbours
    assert ((graph > 0).sum(axis=1).A.ravel() >= 10).all()


def test_knn_graph_links_only_within_separated_blobs() -> None:
    X, y = blobs((40, 30, 20))
    graph = knn_graph(X, 10).tocoo()
    assert (y[graph.row] == y[graph.col]).all()
    assert connected_components(graph)[0] == 3


def test_knn_graph_chunking_does_not_change_the_result() -> None:
    X, _ = blobs((30, 25))
    whole = knn_graph(X, 8)
    chunked = knn_graph(X, 8, chunk_bytes=4 * len(X) * 7)  # 7 rows at a time
    assert (whole != 0).nnz == (chunked != 0).nnz
    assert abs(whole - chunked).max() < 1e-4  # float32 products differ in the last bits between block sizes


def test_knn_graph_with_more_neighbours_than_points() -> None:
    X, _ = blobs((3, 2))
    graph = knn_graph(X, 15)
    assert graph.shape == (5, 5)
    assert ((graph > 0).sum(axis=1).A.ravel() == 4).all()


def test_approximate_neighbours_recall_the_exact_ones_and_repeat_exactly() -> None:
    X, _ = blobs((700, 500, 300), noise=0.3, seed=2)
    X = X.astype(np.float32)
    exact, _ = exact_neighbors(X, 15)
    approx, sims = approximate_neighbors(X, 15)
    recall = np.mean([len(set(a) & set(e)) / 15 for a, e in zip(approx, exact)])
    assert recall >= 0.95
    assert not (approx == np.arange(len(X))[:, None]).any()  # never a row's own neighbour
    assert (np.diff(sims, axis=1) <= 1e-6).all()  # best first
    again, again_sims = approximate_neighbors(X, 15)
    assert np.array_equal(approx, again) and np.array_equal(sims, again_sims)


@pytest.mark.parametrize("shards", [1, 2, 3])
def test_approximate_neighbours_in_shards_are_found_across_shards(shards: int) -> None:
    X, _ = blobs((300, 200, 100), noise=0.3, seed=4)
    X = X.astype(np.float32)
    exact, exact_sims = exact_neighbors(X, 10)
    approx, sims = approximate_neighbors(X, 10, shards=shards)
    assert np.mean([len(set(a) & set(e)) / 10 for a, e in zip(approx, exact)]) >= 0.95
    assert {int(j) % shards for j in approx.ravel()} == set(range(shards))  # neighbours come from every shard
    assert not (approx == np.arange(len(X))[:, None]).any()
    assert np.allclose(sims[:, 0], exact_sims[:, 0], atol=1e-5)  # the nearest one is found
    again, _ = approximate_neighbors(X, 10, shards=shards)
    assert np.array_equal(approx, again)


def test_kmeans_on_a_sample_above_the_sample_size(monkeypatch: pytest.MonkeyPatch) -> None:
    import avovastaus.themes.cluster as cluster

    X, y = blobs((400, 300, 200), noise=0.2, seed=5)
    whole = ThemeDiscoverer(n_themes=3).fit(X).labels_
    monkeypatch.setattr(cluster, "KMEANS_SAMPLE", 100)  # fitted on 100 rows, every row then joins its nearest centre
    sampled = ThemeDiscoverer(n_themes=3).fit(X)
    assert adjusted_rand_score(whole, sampled.labels_) >= 0.95 and adjusted_rand_score(y, sampled.labels_) >= 0.95
    assert np.array_equal(sampled.labels_, ThemeDiscoverer(n_themes=3).fit(X).labels_)


def test_approximate_graph_gives_the_themes_of_the_exact_graph() -> None:
    X, y = blobs((400, 300, 200, 100), noise=0.25, seed=3)
    exact = ThemeDiscoverer(n_themes=4, neighbors="exact").fit(X)
    approx = ThemeDiscoverer(n_themes=4, neighbors="approximate").fit(X)
    assert adjusted_rand_score(exact.labels_, approx.labels_) >= 0.95
    assert adjusted_rand_score(y, approx.labels_) >= 0.95


def test_knn_graph_method_is_checked() -> None:
    with pytest.raises(ValueError, match="method"):
        knn_graph(blobs((5, 5))[0], 3, method="fast")


def test_spectral_embedding_is_deterministic() -> None:
    X, _ = blobs((40, 30, 20), noise=0.3)
    graph = knn_graph(X, 10)
    values1, coords1 = spectral_embedding(graph, 5)
    values2, coords2 = spectral_embedding(graph, 5)
    np.testing.assert_array_equal(values1, values2)
    np.testing.assert_array_equal(coords1, coords2)
    assert values1.shape == (6,) and coords1.shape == (90, 5)
    assert (np.diff(values1) <= 1e-12).all()  # sorted, largest first
    assert values1[0] == pytest.approx(1.0)


def test_spectral_embedding_eigenvalue_one_per_component() -> None:
    X, _ = blobs((40, 30, 20))
    values, _ = spectral_embedding(knn_graph(X, 10), 5)
    np.testing.assert_allclose(values[:3], 1.0, atol=1e-6)
    assert values[3] < 0.9


@pytest.mark.parametrize(
    ("values", "k_min", "k_max", "k"),
    [
        ([1.0, 0.99, 0.98, 0.5, 0.45, 0.4], 2, 5, 3),
        ([1.0, 0.5, 0.42, 0.38, 0.36, 0.35], 2, 5, 2),  # the gap after 1 is out of range: the largest in range wins
        ([1.0, 0.9, 0.8, 0.7, 0.2, 0.1], 2, 5, 4),
        ([1.0, 0.9, 0.8, 0.7, 0.2, 0.1], 2, 3, 3),  # capped by k_max
        ([1.0, 0.75, 0.5, 0.25, 0.0], 2, 4, 2),  # equal gaps (exact in binary): the smallest k
    ],
)
def test_eigengap_k(values: list[float], k_min: int, k_max: int, k: int) -> None:
    assert eigengap_k(np.array(values), k_min, k_max) == k


def test_eigengap_candidates_ranked_by_gap() -> None:
    values = np.array([1.0, 0.99, 0.98, 0.5, 0.45, 0.2, 0.19])
    assert eigengap_candidates(values, 2, 6, top=3) == [3, 5, 4]


# ---------------------------------------------------------------- discovery


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("sizes", [(60, 50, 40), (70, 55, 45, 30)])
def test_discoverer_finds_well_separated_blobs(sizes: tuple[int, ...], seed: int) -> None:
    """Blobs so far apart that the k-NN graph falls into one component per blob."""
    X, y = blobs(sizes, seed=seed)
    discoverer = ThemeDiscoverer(seed=0).fit(X)
    assert discoverer.n_themes_ == len(sizes)
    assert adjusted_rand_score(y, discoverer.labels_) == pytest.approx(1.0)


@pytest.mark.parametrize("sizes", [(60, 50, 40), (70, 55, 45, 30)])
def test_discoverer_finds_noisy_blobs(sizes: tuple[int, ...]) -> None:
    """Blobs whose k-NN graph is connected (the usual case for real answers)."""
    X, y = blobs(sizes, noise=0.25)
    discoverer = ThemeDiscoverer(seed=0).fit(X)
    assert discoverer.n_themes_ == len(sizes)
    assert adjusted_rand_score(y, discoverer.labels_) > 0.9


@pytest.mark.parametrize("noise", [0.08, 0.25])
def test_discoverer_same_labels_on_refit(noise: float) -> None:
    X, _ = blobs((60, 50, 40), noise=noise)
    first = ThemeDiscoverer(seed=3).fit(X)
    second = ThemeDiscoverer(seed=3).fit(X)
    np.testing.assert_array_equal(first.labels_, second.labels_)
    np.testing.assert_array_equal(first.centroids_, second.centroids_)
    assert first.candidates_ == second.candidates_


@pytest.mark.parametrize("noise", [0.08, 0.25])
def test_discoverer_labels_ordered_by_size(noise: float) -> None:
    X, _ = blobs((30, 70, 50), noise=noise)
    labels = ThemeDiscoverer(seed=0).fit(X).labels_
    counts = np.bincount(labels)
    assert (np.diff(counts) <= 0).all()
    assert counts[0] == counts.max()


def test_discoverer_fixed_number_of_themes() -> None:
    X, y = blobs((60, 50, 40), noise=0.25)
    discoverer = ThemeDiscoverer(n_themes=3, seed=0).fit(X)
    assert discoverer.n_themes_ == 3
    assert discoverer.candidates_ == {}
    assert adjusted_rand_score(y, discoverer.labels_) > 0.9


def test_discoverer_fitted_state() -> None:
    X, _ = blobs((60, 50, 40), noise=0.25)
    discoverer = ThemeDiscoverer(seed=0).fit(X)
    assert discoverer.labels_.shape == (150,)
    assert discoverer.centroids_.shape == (discoverer.n_themes_, DIM)
    np.testing.assert_allclose(np.linalg.norm(discoverer.centroids_, axis=1), 1.0)
    assert discoverer.candidates_ and all(-1 <= s <= 1 for s in discoverer.candidates_.values())
    assert len(discoverer.eigenvalues_) > discoverer.n_themes_


def test_discoverer_too_few_points_is_one_theme() -> None:
    X, _ = blobs((5, 5))
    discoverer = ThemeDiscoverer(min_size=8).fit(X)
    assert discoverer.n_themes_ == 1
    assert (discoverer.labels_ == 0).all()


def test_predict_before_fit_raises() -> None:
    with pytest.raises(NotFittedError):
        ThemeDiscoverer().predict(np.ones((2, DIM)))


def test_predict_nearest_centroid() -> None:
    X, y = blobs((60, 50, 40), noise=0.25)
    discoverer = ThemeDiscoverer(seed=0).fit(X)
    themes, sims = discoverer.predict(X)
    np.testing.assert_array_equal(themes, discoverer.labels_)
    assert sims.shape == (150,) and (sims <= 1 + 1e-9).all()
    # predict accepts rows that are not unit length
    themes2, sims2 = discoverer.predict(X * 5)
    np.testing.assert_array_equal(themes, themes2)
    np.testing.assert_allclose(sims, sims2)


# ---------------------------------------------------------------- codebook


def _prototypes(centers: np.ndarray, n: int = 6, noise: float = 0.1, seed: int = 1) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [_unit(c + noise * rng.normal(size=(n, DIM))) for c in centers]


def test_codebook_assigner_on_synthetic_prototypes() -> None:
    centers = _centers(3, seed=5)
    protos = _prototypes(centers[:2])
    assigner = CodebookAssigner().fit(protos)
    assert assigner.centroids_.shape == (2, DIM)
    assert assigner.thresholds_.shape == (2,)
    # each threshold: leave-one-out similarities of the theme's examples, mean - 2.326 sd (or their minimum)
    own = protos[0]
    loo = (own * _unit((own.sum(axis=0)[None, :] - own) / (len(own) - 1))).sum(axis=1)
    assert assigner.thresholds_[0] == pytest.approx(min(loo.min(), loo.mean() - 2.326 * loo.std(ddof=1)))
    sims = assigner.transform(centers)
    assert sims.shape == (3, 2)
    best, sim, accepted = assigner.best(centers, [set()] * 3)
    assert list(best[:2]) == [0, 1] and accepted[0] and accepted[1]
    assert not accepted[2]  # an unrelated direction fits no theme
    np.testing.assert_allclose(sim, sims[np.arange(3), best])


def test_keywords_add_evidence_and_acceptance() -> None:
    centers = _centers(3, seed=5)
    assigner = CodebookAssigner().fit(_prototypes(centers[:2]), [["verkosto", "foorumi"], ["raha", "avustus"]])
    sims = assigner.transform(centers[:2])
    halfway = _unit((centers[0] + centers[1])[None, :] + 0.1 * centers[0])
    assert assigner.transform(halfway)[0, 0] > assigner.transform(halfway)[0, 1] or sims.size == 0
    assigner.lexical_weight_ = 0.5
    assert assigner.best(halfway, [set()])[0][0] == 0
    assert assigner.best(halfway, [{"avustus", "kunta"}])[0][0] == 1  # one keyword tips the balance
    _, _, accepted = assigner.best(centers[2:], [{"raha"}])
    assert accepted[0]  # a text that names a theme keyword fits even when the embedding is far
    np.testing.assert_array_equal(assigner.hits([{"raha", "avustus", "verkosto"}]), [[1, 2]])


def test_lexical_weight_is_calibrated_on_the_texts() -> None:
    centers = _centers(3, seed=5)
    assigner = CodebookAssigner().fit(_prototypes(centers[:2])).calibrate(centers)
    sims = np.sort(assigner.transform(centers), axis=1)
    assert assigner.lexical_weight_ == pytest.approx(np.median(sims[:, 1] - sims[:, 0]))


def test_codebook_margin_lowers_thresholds() -> None:
    protos = _prototypes(_centers(2, seed=5))
    strict = CodebookAssigner().fit(protos)
    lenient = CodebookAssigner(margin=0.1).fit(protos)
    np.testing.assert_allclose(lenient.thresholds_, strict.thresholds_ - 0.1)


def test_codebook_assigner_single_prototype_per_theme() -> None:
    centers = _centers(2, seed=5)
    assigner = CodebookAssigner().fit([centers[:1], centers[1:]])
    np.testing.assert_allclose(assigner.centroids_, centers)
    assert assigner.best(centers, [set(), set()])[2].all()


def test_codebook_assigner_transform_before_fit_raises() -> None:
    with pytest.raises(NotFittedError):
        CodebookAssigner().transform(np.ones((1, DIM)))


# ---------------------------------------------------------------- assign_themes


def _assign(X, segment_emb, segment_answer, ids, assigner, min_discovered: int = 8, **kwargs):
    """assign_themes with segments but no lexical evidence, discovering with the default discoverer."""
    segments = Segments(np.asarray(segment_emb, dtype=float).reshape(-1, DIM), np.asarray(segment_answer, dtype=int))
    return assign_themes(X, [], segments, ids, assigner, ThemeDiscoverer(min_size=min_discovered), **kwargs)


@pytest.mark.parametrize(("rank", "theme"), [(0, "teema_01"), (1, "teema_02"), (9, "teema_10"), (99, "teema_100")])
def test_discovered_id(rank: int, theme: str) -> None:
    assert discovered_id(rank) == theme


def _survey(noise: float, n_outliers: int = 4, seed: int = 1):
    """Answers near two codebook themes (a, b), two themes the codebook lacks (c, d), a few scattered outliers."""
    rng = np.random.default_rng(seed)
    centers = _centers(4, seed=seed)
    sizes = {"a": 40, "b": 40, "c": 30, "d": 25}
    X = np.concatenate([_unit(c + noise * rng.normal(size=(n, DIM))) for c, n in zip(centers, sizes.values())])
    truth = [t for t, n in sizes.items() for _ in range(n)]
    if n_outliers:
        X = np.concatenate([X, _unit(rng.normal(size=(n_outliers, DIM)))])
        truth += ["outlier"] * n_outliers
    assigner = CodebookAssigner().fit(_prototypes(centers[:2], noise=noise, seed=seed + 1))
    return X, truth, assigner


@pytest.mark.parametrize("noise", [0.08, 0.15])
def test_assign_themes_codebook_then_discovery(noise: float) -> None:
    X, truth, assigner = _survey(noise)
    assignment, centroids = _assign(X, np.zeros((0, DIM)), np.zeros(0, dtype=int), ["a", "b"], assigner, min_discovered=8)
    by_truth: dict[str, Counter] = {}
    for t, p in zip(truth, assignment.primary):
        by_truth.setdefault(t, Counter())[p] += 1
    assert by_truth["a"] == Counter({"a": 40})
    assert by_truth["b"] == Counter({"b": 40})
    # the themes the codebook lacks are discovered, named by size
    assert by_truth["c"] == Counter({"teema_01": 30})
    assert by_truth["d"] == Counter({"teema_02": 25})
    assert list(centroids) == ["a", "b", "teema_01", "teema_02"]
    assert assignment.details["discovered_themes"] == 2
    assert assignment.details["codebook_assigned"] + assignment.details["reclaimed_by_codebook"] == 80
    n_unassigned = sum(1 for t in assignment.themes if not t)
    assert n_unassigned == assignment.details["unassigned"]
    assert n_unassigned <= 0.05 * len(X)
    assert len(assignment.scores) == len(X)
    assert all(np.isnan(s) == (not t) for s, t in zip(assignment.scores, assignment.themes))


def test_assign_themes_zero_unassigned_moves_outliers() -> None:
    X, _, assigner = _survey(0.1, n_outliers=6)
    assignment, _ = _assign(
        X, np.zeros((0, DIM)), np.zeros(0, dtype=int), ["a", "b"], assigner, min_discovered=8, max_unassigned=0.0
    )
    assert all(assignment.themes)
    assert assignment.details["unassigned"] == 0


@pytest.mark.parametrize("max_unassigned", [0.0, 0.02, 0.05, 0.2])
def test_assign_themes_respects_max_unassigned(max_unassigned: float) -> None:
    X, _, assigner = _survey(0.15, n_outliers=10)
    assignment, _ = _assign(
        X, np.zeros((0, DIM)), np.zeros(0, dtype=int), ["a", "b"], assigner, min_discovered=8, max_unassigned=max_unassigned
    )
    assert assignment.details["unassigned"] <= max_unassigned * len(X)


def test_assign_themes_segments_add_themes() -> None:
    """An answer whose segments speak of two codebook themes carries both."""
    centers = _centers(3, seed=2)
    assigner = CodebookAssigner().fit(_prototypes(centers[:2], seed=3))
    mixed = _unit((centers[0] + centers[1])[None, :])
    answers = np.concatenate([mixed, centers[:2]])
    segments = centers[:2].copy()
    assignment, _ = _assign(answers, segments, np.array([0, 0]), ["a", "b"], assigner, min_discovered=8)
    assert sorted(assignment.themes[0]) == ["a", "b"]
    assert assignment.themes[1] == ["a"] and assignment.themes[2] == ["b"]


def test_assign_themes_max_themes_per_answer() -> None:
    centers = _centers(3, seed=2)
    assigner = CodebookAssigner().fit(_prototypes(centers, seed=3))
    segments = centers.copy()
    answers = _unit(centers.sum(axis=0, keepdims=True))
    assignment, _ = _assign(answers, segments, np.zeros(3, dtype=int), ["a", "b", "c"], assigner, max_themes_per_answer=2)
    assert len(assignment.themes[0]) == 2


def test_assign_themes_without_codebook_is_pure_discovery() -> None:
    X, y = blobs((40, 30), noise=0.2)
    assignment, centroids = _assign(X, np.zeros((0, DIM)), np.zeros(0, dtype=int), [], None, min_discovered=8)
    assert list(centroids) == ["teema_01", "teema_02"]
    primary = np.array(assignment.primary)
    assert adjusted_rand_score(y, primary) == pytest.approx(1.0)
    assert (primary[y == 0] == "teema_01").all()  # the larger theme comes first
    assert assignment.details["codebook_assigned"] == 0
