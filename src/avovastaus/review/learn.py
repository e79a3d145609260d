"""Learning from evaluators: every review decision is a label for the codebook classifier.

* :func:`taught_from` turns a reviewed run's decisions into labels: a confirmed answer or one
  moved to a codebook theme teaches that theme; an answer moved to a discovered or new theme, or
  marked wrong, teaches "fits no codebook theme" (it is not where the model put it, and no codebook
  theme was chosen for it). ``run --review-from`` trains on them, so a new wave of the same survey
  starts from what evaluators taught, beside re-applying each decision by answer.
* :func:`rescore` re-scores a run's unreviewed answers with what evaluators have decided so far
  (the review app's "päivitä ehdotukset"). Answers an evaluator decided are never re-scored.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from avovastaus.config import Config, load_codebook
from avovastaus.embed.backends import resolve_embedder
from avovastaus.io.rundir import answer_key, load_run
from avovastaus.review.agreement import evaluator_labels
from avovastaus.review.journal import Journal
from avovastaus.themes.classifier import OUT, open_set_themes
from avovastaus.themes.model import Taught, model_from_config


@dataclass
class Rescore:
    """New suggestions for the answers nobody has decided: themes best first and the primary theme's probability."""

    themes: dict[str, list[str]]
    confidence: dict[str, float]
    changed: int


def taught_from(run_dir: Path) -> Taught:
    """Return the answers evaluators decided in ``run_dir`` as labels: a codebook theme id, or None for "no codebook theme".

    When evaluators disagree on an answer, the one whose name sorts last wins (a rare case; the
    agreement command shows such answers).
    """
    run = load_run(Path(run_dir))
    codebook = set(run.themes.loc[run.themes["source"] == "codebook", "theme"])
    texts = {answer_key(r.id, r.question): r.text for r in run.answers.itertuples() if r.excluded == ""}
    decided: dict[str, str | None] = {}
    for reviewer, labels in sorted(evaluator_labels(Journal(run.path, run.fingerprint).active()).items()):
        for key, theme in labels.items():
            decided[key] = theme if theme in codebook else None
    keys = [k for k in decided if k in texts]
    return Taught([texts[k] for k in keys], [decided[k] for k in keys])


def rescore(run_dir: Path, decided: Mapping[str, Sequence[str]], current: Mapping[str, Sequence[str]]) -> Rescore:
    """Return new suggestions for the answers in ``current`` (answer key -> themes now suggested), learning from ``decided``.

    ``decided`` maps answer keys an evaluator settled to their themes (empty: the evaluator said no
    theme fits). Only keys of ``current`` that are not in ``decided`` get a suggestion; ``changed``
    counts those whose themes differ from ``current``. An answer the classifier now finds outside
    the codebook keeps a discovered or review-made theme it had, and loses a codebook one.
    May take seconds: it loads the run's embedder (embeddings come from the cache).
    """
    run = load_run(Path(run_dir))
    config = Config.model_validate(run.manifest.config)
    open_keys = [k for k in current if k not in decided]
    if not config.codebook or not open_keys or config.cluster.assigner != "classifier":
        return Rescore({k: list(current[k]) for k in open_keys}, {k: float("nan") for k in open_keys}, 0)
    codebook = load_codebook(config.codebook)
    ids = [t.id for t in codebook.themes]
    analysed = run.answers[run.answers["excluded"] == ""]
    texts = {answer_key(r.id, r.question): str(r.text) for r in analysed.itertuples()}
    open_keys = [k for k in open_keys if k in texts]
    taught_keys = [k for k in decided if k in texts]
    taught = Taught([texts[k] for k in taught_keys], [(list(decided[k]) or [None])[0] if (list(decided[k]) or [None])[0] in ids else None for k in taught_keys])
    embedder = resolve_embedder(config.embed.model, config.embed.prompt, config.embed.batch_size, backend=config.embed.backend)
    model = model_from_config(config, codebook, embedder)
    features = model.featurize([texts[k] for k in open_keys], taught=taught)
    classifier = model.fit_assigner(features)
    picks, primary_p, p_none = open_set_themes(
        classifier, features.answer_evidence(), features.segments.evidence(), features.segments.answer, config.cluster.max_themes_per_answer,
    )
    themes, confidence, changed = {}, {}, 0
    for key, pick, p, q in zip(open_keys, picks, primary_p, p_none):
        before = list(current[key])
        if pick:
            after = [ids[t] for t in pick]
        else:
            after = before if before and before[0] not in ids else []
        themes[key] = after
        confidence[key] = float(p) if pick else float(q)
        changed += after != before
    return Rescore(themes, confidence, changed)


__all__ = ["OUT", "Rescore", "Taught", "rescore", "taught_from"]
