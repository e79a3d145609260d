"""Learning from evaluators: every review decision is a label for the codebook assigner.

:func:`rescore` re-scores a run's unreviewed answers with what evaluators have decided so far
(the review app's "päivitä ehdotukset"). Answers an evaluator decided are never re-scored.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence


@dataclass
class Rescore:
    """New suggestions for the answers nobody has decided: themes best first and the primary theme's probability."""

    themes: dict[str, list[str]]
    confidence: dict[str, float]
    changed: int


def rescore(run_dir: Path, decided: Mapping[str, Sequence[str]], current: Mapping[str, Sequence[str]]) -> Rescore:
    """Return new suggestions for the answers in ``current`` (answer key -> themes now suggested), learning from ``decided``.

    ``decided`` maps answer keys an evaluator settled to their themes (empty: the evaluator said no
    theme fits). Only keys of ``current`` that are not in ``decided`` get a suggestion; ``changed``
    counts those whose themes differ from ``current``. May take seconds: it loads the run's embedder.
    """
    # placeholder until the trainable assigner lands: suggestions stay as they are
    themes = {k: list(v) for k, v in current.items() if k not in decided}
    return Rescore(themes, {k: float("nan") for k in themes}, 0)
