"""Nearest neighbours of unit vectors: exact (blocked dense products) or approximate (HNSW), and the k-NN graph built on them.

One implementation of the neighbour search for the package: the discovery graph and the codebook
classifier's smoothing both call :func:`nearest_neighbors`.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy import sparse

#: up to this many answers the k-NN graph is exact; above it, approximate (HNSW, see :func:`approximate_neighbors`)
EXACT_UP_TO = 20_000


def exact_neighbors(X: np.ndarray, k: int, chunk_bytes: int = 256 << 20) -> tuple[np.ndarray, np.ndarray]:
    """Return (indices, cosine similarities) of each unit row's ``k`` nearest other rows, best first (ties: lower index).

    Blocked dense products (BLAS), ``chunk_bytes`` of similarities at a time: cost grows as n².
    """
    n = len(X)
    rows = max(1, chunk_bytes // (4 * max(n, 1)))
    idx = np.empty((n, k), dtype=np.int64)
    sims = np.empty((n, k), dtype=np.float32)
    for start in range(0, n, rows):
        block = X[start : start + rows] @ X.T
        block[np.arange(len(block)), np.arange(start, start + len(block))] = -np.inf
        top = np.argpartition(-block, k - 1, axis=1)[:, :k]
        top_sims = np.take_along_axis(block, top, axis=1)
        order = np.lexsort((top, -top_sims), axis=1)  # by similarity, ties by index: deterministic
        idx[start : start + rows] = np.take_along_axis(top, order, axis=1)
        sims[start : start + rows] = np.take_along_axis(top_sims, order, axis=1)
    return idx, sims


#: the approximate graph is built as this many HNSW indexes over interleaved shares of the rows, each on its own thread
HNSW_SHARDS = 2


def approximate_neighbors(
    X: np.ndarray, k: int, links: int = 24, build_effort: int = 100, search_effort: int = 64, shards: int = HNSW_SHARDS,
) -> tuple[np.ndarray, np.ndarray]:
    """Return (indices, cosine similarities) of each unit row's ``k`` approximate nearest other rows, best first.

    Hierarchical navigable small-world graphs (faiss ``IndexHNSWFlat``, inner product, ``links`` per node):
    row i goes to shard i mod ``shards``; each shard is built on one thread of its own, so the same rows
    always give the same graphs on any machine, and the shards build side by side (2 shards: 2.7x less
    wall time than one index on 2 cores). Every row is searched in every shard (each query on its own,
    on all cores: deterministic too) and the best ``k`` are kept. Cost grows about as n log n. Recall
    against the exact graph (``benchmarks/scaling.py``): 0.955 on 55,106 Eduskunta sentences, 0.942 on 35,092 Yle comments (static-fi).
    """
    import faiss

    n, dim = X.shape
    shards = max(1, min(shards, n // max(4 * k, 1)))
    rows = [np.arange(s, n, shards) for s in range(shards)]
    indexes = [faiss.IndexHNSWFlat(dim, links, faiss.METRIC_INNER_PRODUCT) for _ in rows]
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)  # one thread per build (faiss releases the GIL)
    try:
        with ThreadPoolExecutor(max_workers=shards) as pool:
            list(pool.map(lambda j: _build(indexes[j], X[rows[j]], build_effort), range(shards)))
    finally:
        faiss.omp_set_num_threads(threads)
    for index in indexes:
        index.hnsw.efSearch = max(search_effort, k + 1)
    idx = np.empty((n, k), dtype=np.int64)
    sims = np.empty((n, k), dtype=np.float32)
    for start in range(0, n, 65_536):
        block = X[start : start + 65_536]
        found_sims, found = [], []
        for index, members in zip(indexes, rows):
            part_sims, part = index.search(block, k + 1)
            found_sims.append(part_sims)
            found.append(np.where(part >= 0, members[np.maximum(part, 0)], -1))
        found_sims, found = np.concatenate(found_sims, axis=1), np.concatenate(found, axis=1)
        found_sims[(found == np.arange(start, start + len(block))[:, None]) | (found < 0)] = -np.inf  # a row is not its own neighbour
        order = np.lexsort((found, -found_sims), axis=1)[:, :k]  # by similarity, ties by index: deterministic
        idx[start : start + len(block)] = np.take_along_axis(found, order, axis=1)
        sims[start : start + len(block)] = np.take_along_axis(found_sims, order, axis=1)
    missing = ~np.isfinite(sims)  # fewer than k others found (only in tiny or degenerate data): padded with the row itself, weight 0
    if missing.any():
        idx[missing] = np.nonzero(missing)[0]
        sims[missing] = -1.0
    return idx, sims


def _build(index, rows: np.ndarray, effort: int) -> None:
    index.hnsw.efConstruction = effort
    index.add(np.ascontiguousarray(rows))


def nearest_neighbors(X: np.ndarray, k: int, method: str = "auto", chunk_bytes: int = 256 << 20) -> tuple[np.ndarray, np.ndarray]:
    """Return (indices, cosine similarities) of each float32 unit row's ``k`` nearest other rows, best first.

    ``method``: ``exact`` (blocked dense products, ``chunk_bytes`` at a time), ``approximate``
    (:func:`approximate_neighbors`), or ``auto``: exact up to :data:`EXACT_UP_TO` rows.
    """
    if method not in ("auto", "exact", "approximate"):
        raise ValueError(f"method must be 'auto', 'exact' or 'approximate', not {method!r}")
    if method == "exact" or (method == "auto" and len(X) <= EXACT_UP_TO):
        return exact_neighbors(X, k, chunk_bytes)
    return approximate_neighbors(X, k)


def knn_graph(embeddings: np.ndarray, n_neighbors: int, chunk_bytes: int = 256 << 20, method: str = "auto") -> sparse.csr_matrix:
    """Return the symmetric fuzzy k-NN graph of unit vectors (UMAP-style weights, fuzzy union).

    ``method`` and ``chunk_bytes``: as :func:`nearest_neighbors`. Float32 unit rows are used as they are (no copy).
    """
    X = np.ascontiguousarray(embeddings, dtype=np.float32)
    n = len(X)
    k = min(n_neighbors, n - 1)
    idx, sims = nearest_neighbors(X, k, method, chunk_bytes)
    dist = 1.0 - sims.astype(np.float64)
    scale = np.maximum(dist[:, -1:] - dist[:, :1], 1e-6)
    weights = np.exp(-(dist - dist[:, :1]) / scale)
    weights[idx == np.arange(n)[:, None]] = 0.0  # padding of a row with too few neighbours found
    graph = sparse.csr_matrix((weights.ravel(), (np.repeat(np.arange(n), k), idx.ravel())), shape=(n, n))
    graph.eliminate_zeros()
    return (graph + graph.T - graph.multiply(graph.T)).tocsr()
