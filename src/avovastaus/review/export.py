"""Reviewed outputs without re-running: the journal applied to a run's tables, written to ``<run>/reviewed/``.

``avovastaus report RUN_DIR`` (and the review app's "Vie arvioidut tulokset") replays the evaluators'
decisions over the run's own tables and writes, beside the untouched model run:

- ``answers.csv``: the reviewed ``theme``/``themes`` (a theme marked wrong is dropped), the model's own
  ``model_theme``/``model_themes`` alongside (so agreement can always be computed), ``verdict``,
  ``reviewer`` and ``notes``; answers taken back into the analysis lose their ``excluded`` reason;
- ``themes.csv`` with reviewed labels and descriptions (``model_label`` alongside), sizes recounted;
- ``groups.csv`` recomputed from the reviewed themes with the run's own statistics settings;
- ``report.html``, ``report.md``, ``summary.xlsx`` that say how many decisions they include;
- ``codebook.yaml``: the reviewed themes as a codebook that ``run --codebook`` accepts.

Nothing is embedded again; themes made in the review keep no keywords (they would need the lemmas).
The folder is written beside its place and swapped in, like a run.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from avovastaus.config import load_codebook
from avovastaus.errors import AvovastausError
from avovastaus.io import rundir, staging
from avovastaus.io.rundir import Run, answer_key, example_ref, load_run, write_csv
from avovastaus.report.redact import redact
from avovastaus.report.write import write_reports
from avovastaus.review.agreement import agreement
from avovastaus.review.journal import Journal
from avovastaus.review.kinds import Kind, handles
from avovastaus.review.state import Reviewed, replay
from avovastaus.stats.summarize import group_table

REVIEWED_DIR = "reviewed"
CODEBOOK_FILE = "codebook.yaml"
#: what the review app offers for download, in this order
DOWNLOADS = ("summary.xlsx", "report.html", "report.md", "answers.csv", "themes.csv", "groups.csv", CODEBOOK_FILE)
#: example answers per theme in the exported codebook (confirmed ones first)
MAX_EXAMPLES = 10
#: what the reviewed export writes into ``<run>/reviewed/``: it replaces these; anything else put there stays
REVIEWED_OUTPUT = staging.Output("report", frozenset({*DOWNLOADS, "manifest.json"}), lambda folder: True, needs_force=False)


def reviewed_state(run: Run) -> tuple[Reviewed, list[Any]]:
    """Return (the run's reviewed state, the decisions it applied, in order), from one read of the journal."""
    in_force = Journal(run.path, run.fingerprint).active()
    state = replay(run.path, run.answers, run.themes, in_force)
    applied = set(state.applied)
    return state, [d for d in in_force if d.seq in applied]


#: the answers each kind decides (the reviewed export names their reviewers); a note on an answer counts, one on a theme does not
DECIDED = handles("reviewed export", {
    Kind.VERDICT: lambda p: [p["answer"]], Kind.MOVE: lambda p: [p["answer"]], Kind.INCLUDE: lambda p: [p["answer"]],
    Kind.MOVE_MANY: lambda p: list(p["answers"]), Kind.SPLIT: lambda p: list(p["answers"]),
    Kind.NOTE: lambda p: [p["target"][7:]] if p["target"].startswith("answer:") else [],
    Kind.RENAME: lambda p: [], Kind.MERGE: lambda p: [], Kind.UNDO: lambda p: [], Kind.RESCORE: lambda p: [],
})


def _answer_notes(decisions: list[Any]) -> tuple[dict[str, str], dict[str, list[str]], dict[str, list[str]]]:
    """Return (answer -> latest verdict, answer -> reviewers who decided on it, answer -> notes) from applied decisions."""
    verdict: dict[str, str] = {}
    reviewers: dict[str, list[str]] = {}
    notes: dict[str, list[str]] = {}
    for d in decisions:
        p = d.payload
        keys = DECIDED[d.kind](p)  # type: ignore[index]
        if d.kind == Kind.VERDICT:
            verdict[p["answer"]] = p["verdict"]
        elif d.kind == Kind.NOTE and keys:
            notes.setdefault(keys[0], []).append(f"{d.reviewer}: {p['text']}")
        for key in keys:
            reviewers.setdefault(key, [])
            if d.reviewer not in reviewers[key]:
                reviewers[key].append(d.reviewer)
    return verdict, reviewers, notes


def reviewed_tables(run: Run, state: Reviewed, decisions: list[Any]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """Return (answers, themes, groups, tests by kind) of the reviewed state, the model's assignment kept alongside."""
    answers = run.answers.copy()
    keys = [answer_key(i, q) for i, q in zip(answers["id"], answers["question"])]
    verdict, reviewers, notes = _answer_notes(decisions)
    analysed = [k in state.themes for k in keys]
    answers.insert(answers.columns.get_loc("theme"), "model_theme", answers["theme"])
    answers.insert(answers.columns.get_loc("theme"), "model_themes", answers["themes"])
    final = {k: state.final_themes(k) for k in state.themes}
    answers["excluded"] = ["" if a else r for a, r in zip(analysed, answers["excluded"])]
    answers["theme"] = [(final[k] or [""])[0] if a else "" for k, a in zip(keys, analysed)]
    answers["themes"] = [";".join(final[k]) if a else "" for k, a in zip(keys, analysed)]
    answers["verdict"] = [verdict.get(k, "") for k in keys]
    answers["reviewer"] = [", ".join(reviewers.get(k, [])) for k in keys]
    answers["notes"] = [" | ".join(notes.get(k, [])) for k in keys]

    sizes = {t: 0 for t in state.labels}
    for ts in final.values():
        for t in ts:
            if t in sizes:
                sizes[t] += 1
    n = len(final)
    model = run.themes.set_index("theme")
    several = run.several_questions
    in_analysis = answers[analysed]
    memberships = [final[k] for k, a in zip(keys, analysed) if a]
    question_of = theme_questions(in_analysis["question"], memberships, model, run.manifest.config)
    confirmed = {}
    for d in decisions:
        if d.kind == Kind.VERDICT and d.payload["verdict"] == "confirmed":
            confirmed.setdefault(d.payload["theme"], []).append(d.payload["answer"])
    ref_of = {k: example_ref(i, q, several) for k, i, q in zip(keys, answers["id"], answers["question"])}
    key_of = {r: k for k, r in ref_of.items()}
    weighted = bool(run.weight) and "weight" in in_analysis
    weights = in_analysis["weight"].to_numpy(dtype=float) if weighted else None
    rows = []
    for theme, label in state.labels.items():
        known = theme in model.index
        members = [k for k in dict.fromkeys(confirmed.get(theme, [])) if theme in final.get(k, [])]
        old = [e for e in str(model.at[theme, "examples"]).split("; ") if e] if known else []
        refs = list(dict.fromkeys([ref_of[k] for k in members] + [e for e in old if theme in final.get(key_of.get(e, ""), [])]))
        row = {
            "theme": theme, "label": label, "description": state.descriptions.get(theme, ""), "model_label": model.at[theme, "label"] if known else "",
            "source": state.sources.get(theme, "review"), **({"question": question_of.get(theme, "")} if question_of is not None else {}),
            "keywords": model.at[theme, "keywords"] if known else "",
            "size": sizes[theme], "share": round(sizes[theme] / n, 4) if n else 0.0, "examples": "; ".join(refs[:5]),
        }
        if weights is not None:  # the share weighted, as the run's themes.csv gives it, the count's share beside
            carries = np.array([theme in ts for ts in memberships], dtype=bool)
            row["share_unweighted"], row["share"] = row["share"], round(float(weights[carries].sum() / weights.sum()), 4) if weights.sum() else 0.0
        if "stability" in model.columns:
            row["stability"] = model.at[theme, "stability"] if known else float("nan")
        rows.append(row)
    themes = pd.DataFrame(rows)
    cfg = run.manifest.config.get("summarize") or {}
    group_columns = run.manifest.input.group_columns
    groups, tests = group_table(
        in_analysis[["id", "question", *group_columns, *(["weight"] if weighted else [])]].reset_index(drop=True), memberships, list(state.labels),
        group_columns, correction=cfg.get("correction", "bh"), min_cell=run.manifest.statistics.suppressed_below, confidence=cfg.get("confidence", 0.95),
        theme_questions=question_of, weighted=weighted,
    )
    return answers, themes, groups, tests


def theme_questions(questions: pd.Series, memberships: list[list[str]], model: pd.DataFrame, config: dict[str, Any]) -> dict[str, str] | None:
    """Return each reviewed theme's question: the model's, else (a theme made in review) the one question all its answers answer.

    None for a run with one theme space for all questions (``[cluster] per_question = false``, or a run from before questions had themes).
    """
    if "question" not in model.columns or not (config.get("cluster") or {}).get("per_question", True):
        return None
    asked: dict[str, set[str]] = {}
    for question, themes in zip(questions, memberships):
        for t in themes:
            asked.setdefault(t, set()).add(question)
    own = {t: q for t, q in zip(model.index, model["question"])}
    return {t: own[t] if t in own else (next(iter(qs)) if len(qs) == 1 else "") for t, qs in asked.items()} | {t: q for t, q in own.items() if t not in asked}


def _manifest(run: Run, answers: pd.DataFrame, themes: pd.DataFrame, tests: dict[str, int], state: Reviewed, decisions: list[Any]) -> dict[str, Any]:
    """Return the run's manifest with the counts, themes, tests and review of the reviewed state."""
    m = run.manifest.dump()
    excluded = answers[answers["excluded"] != ""]
    analysed = answers[answers["excluded"] == ""]
    unassigned = int((analysed["themes"] == "").sum())
    m["counts"].update({
        "excluded": len(excluded), "excluded_by_reason": {k: int(v) for k, v in sorted(excluded["excluded"].value_counts().items())},
        "analysed": len(analysed), "unassigned": unassigned, "unassigned_share": unassigned / len(analysed) if len(analysed) else 0.0,
        "multi_theme_answers": int(analysed["themes"].str.contains(";").sum()),
    })
    sources = themes["source"].tolist()
    m["themes"] = {**m["themes"], "total": len(themes), "codebook": sources.count("codebook"), "discovered": sources.count("discovered"), "review": sources.count("review")}
    m["statistics"]["tests"] = tests
    m["review"] = {"from": str(run.path), "applied": len(decisions), "not_applied": state.skipped, "reviewed_here": True,
                   "reviewers": sorted({d.reviewer for d in decisions}),
                   "agreement": [asdict(row) for row in agreement(run.path, decisions) if row.n]}
    return m


def codebook_of(run: Run, state: Reviewed, themes: pd.DataFrame, answers: pd.DataFrame) -> dict[str, Any]:
    """Return the reviewed themes as a codebook (the YAML structure ``run --codebook`` reads).

    Labels and descriptions are the reviewed ones; codebook themes keep their keywords and examples,
    with the answers evaluators confirmed first; other themes take their keywords and representative
    answers. Contact details in example answers are masked. Themes left without answers are left out.
    """
    source = None
    if run.manifest.codebook and Path(run.manifest.codebook.path).is_file():
        source = load_codebook(run.manifest.codebook.path)
    original = {t.id: t for t in source.themes} if source else {}
    texts = {example_ref(i, q, run.several_questions): t for i, q, t in zip(answers["id"], answers["question"], answers["text"])}
    out = []
    for row in themes[themes["size"] > 0].sort_values(["size", "theme"], ascending=[False, True]).to_dict("records"):
        theme = re.sub(r"[^a-z0-9_]", "_", row["theme"].lower())
        before = original.get(row["theme"])
        keywords = list(before.keywords) if before else [k.split(" (")[0] for k in str(row["keywords"]).split(", ") if k]
        examples = [redact(texts[e]).strip() for e in str(row["examples"]).split("; ") if e in texts]
        examples = list(dict.fromkeys(e for e in examples + (list(before.examples) if before else []) if e))[:MAX_EXAMPLES]
        description = row["description"] or (before.description if before else "") or f"{row['label']} ({', '.join(keywords[:5])})"
        if examples:
            out.append({"id": theme, "label": row["label"], "description": description, "keywords": keywords, "examples": examples})
    name = f"{source.name if source else run.path.name}-arvioitu"
    return {"name": name, "description": f"Arvioitu koodikirja ajosta {run.path.name} ({len(state.applied)} arvioijan päätöstä).", "language": "fi", "themes": out}


def write_reviewed(run_dir: Path, lang: str | None = None) -> list[Path]:
    """Write the reviewed tables, reports and codebook into ``<run_dir>/reviewed/``; return the paths written.

    Stops with E302 when the journal holds no decision in force (there is nothing reviewed to write).
    """
    run_dir = Path(run_dir)
    run = load_run(run_dir)
    state, decisions = reviewed_state(run)
    if not decisions:
        raise AvovastausError("E302", path=run_dir, detail="its review journal holds no decision in force, so there is nothing reviewed to write")
    answers, themes, groups, tests = reviewed_tables(run, state, decisions)
    out = run_dir / REVIEWED_DIR
    staging.remove_stale(out, "report")
    staging.claim(out, REVIEWED_OUTPUT)
    with staging.staged_folder(out, REVIEWED_OUTPUT) as tmp:
        escape = run.manifest.csv_formula_escape
        for name, table in zip(rundir.TABLES, (answers, themes, groups)):
            write_csv(table, tmp / name, escape=escape)
        rundir.write_json(tmp / "manifest.json", _manifest(run, answers, themes, tests, state, decisions))
        write_reports(tmp, lang=lang)
        codebook = codebook_of(run, state, themes, answers)
        (tmp / CODEBOOK_FILE).write_text(yaml.safe_dump(codebook, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    return [out / name for name in DOWNLOADS]
