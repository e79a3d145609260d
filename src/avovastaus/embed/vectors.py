"""Unit vectors: the one row normalisation of the package (embeddings, centroids, prototypes all go through it)."""

from __future__ import annotations

import numpy as np

#: a row shorter than this is divided by it instead (an all-zero row stays zero instead of becoming NaN)
EPS = 1e-12


def unit_rows(x: np.ndarray, eps: float = EPS) -> np.ndarray:
    """Return ``x`` with each row (or the one vector of a 1-D ``x``) scaled to unit length; a new array of ``x``'s dtype."""
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), eps)


def unit_float32(x: np.ndarray) -> np.ndarray:
    """Return the rows as float32 unit vectors: ``x`` itself when it already is one (no copy of a large matrix), else one copy."""
    X = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(X[: min(len(X), 4096)], axis=1)
    if len(X) and np.allclose(norms, 1.0, atol=1e-4) and np.allclose(np.linalg.norm(X, axis=1), 1.0, atol=1e-4):
        return X
    return unit_rows(X).astype(np.float32, copy=False)
