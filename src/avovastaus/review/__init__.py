"""Evaluators' decisions: the journal, the reviewed state, carrying decisions over, learning, agreement, reviewed export.

* :mod:`.kinds` — the decision kinds and the registry every consumer looks up;
* :mod:`.journal` — the append-only SQLite journal;
* :mod:`.state` — decisions replayed over a run's tables;
* :mod:`.carryover` — decisions carried to a new run (``run --review-from``);
* :mod:`.learn` — decisions as labels for the codebook classifier;
* :mod:`.agreement` — model–evaluator and evaluator–evaluator agreement;
* :mod:`.export` — the reviewed outputs (``<run>/reviewed/``);
* :mod:`.web` — the review app (Flask).
"""
