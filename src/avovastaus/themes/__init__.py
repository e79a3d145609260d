"""Themes: the ``ThemeModel`` estimator and its parts.

* :mod:`.model` — :class:`~avovastaus.themes.model.ThemeModel`: analysed texts in, themes with keywords and quotes out;
* :mod:`.classifier` — the open-set codebook classifier (a codebook theme only on evidence);
* :mod:`.neighbors` — the k-nearest-neighbour search (exact and HNSW) and the k-NN graph;
* :mod:`.cluster` — codebook-guided assignment, then discovery of themes the codebook lacks;
* :mod:`.label` — distinctive lemma keywords, Finnish labels, representative quotes;
* :mod:`.stability` — how well each theme survives re-clustering;
* :mod:`.codebookfit` — does the codebook fit the survey at all.
"""
