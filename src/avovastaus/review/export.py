"""Reviewed outputs without re-running: the journal applied to a run's tables, written to ``<run>/reviewed/``.

``avovastaus report RUN_DIR`` (and the review app's "Vie arvioidut tulokset") replays the evaluators'
decisions over the run's own tables and writes, beside the untouched model run:

- ``answers.csv``: the reviewed ``theme``/``themes`` (a theme marked wrong is dropped), the model's own
  ``model_theme``/``model_themes`` alongside (so agreement can always be computed), ``verdict``,
  ``reviewer`` and ``notes``; answers taken back into the analysis lose their ``excluded`` reason;
- ``themes.csv`` with reviewed labels and descriptions (``model_label`` alongside), sizes recounted;
- ``groups.csv`` recomputed from the reviewed themes with the run's own statistics settings;
- ``report.html``, ``report.md``, ``summary.xlsx`` that say how many decisions they include;
- ``codebook.yaml``: every theme there is after the review as a codebook that ``run --codebook`` accepts
  (see :func:`codebook_of`): the frame of the review, not its decisions, which ``run --review-from`` carries;
- ``manifest.json`` with the review: decisions applied and not, agreement, the structural changes
  (renames, merges, splits, answers moved) and what the codebook had to change or leave out.

Nothing is embedded again; themes made in the review keep no keywords (they would need the lemmas).
The folder is written beside its place and swapped in, like a run; files it does not write (a random
check sample, ``agreement.check_sample``) stay.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from avovastaus.config import load_codebook, resolve_path
from avovastaus.errors import AvovastausError
from avovastaus.io import rundir, staging
from avovastaus.io.rundir import Run, answer_key, example_ref, load_run, write_csv
from avovastaus.report.redact import redact
from avovastaus.report.write import write_reports
from avovastaus.review.agreement import LABELS, REVIEWED_DIR, agreement
from avovastaus.review.journal import Journal
from avovastaus.review.kinds import Kind, handles
from avovastaus.review.state import Reviewed, replay
from avovastaus.stats.summarize import group_table, theme_weights

CODEBOOK_FILE = "codebook.yaml"
#: what the review app offers for download, in this order
DOWNLOADS = ("summary.xlsx", "report.html", "report.md", "answers.csv", "themes.csv", "groups.csv", CODEBOOK_FILE)
#: example answers per theme in the exported codebook (those evaluators put there first; a merged theme's parts share them)
MAX_EXAMPLES = 20
#: keywords per theme in the exported codebook (a merged theme: the union of its parts', each part's best first)
MAX_KEYWORDS = 30
#: example answers of a merged theme at most (MAX_EXAMPLES for each theme merged into it, up to this)
MAX_MERGED_EXAMPLES = 40
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
    carried = theme_weights(memberships, weights) if weighted else {}
    rows = []
    for theme, label in state.labels.items():
        known = theme in model.index
        members = [k for k in dict.fromkeys(confirmed.get(theme, [])) if theme in final.get(k, [])]
        old = [e for e in str(model.at[theme, "examples"]).split("; ") if e] if known else []
        refs = list(dict.fromkeys([ref_of[k] for k in members] + [e for e in old if theme in final.get(key_of.get(e, ""), [])]))
        refs = refs or [ref_of[k] for k in state.members(theme) if theme in final.get(k, [])][:5]  # a theme made in the review: its first answers
        row = {
            "theme": theme, "label": label, "description": state.descriptions.get(theme, ""), "model_label": model.at[theme, "label"] if known else "",
            "source": state.sources.get(theme, "review"), **({"question": question_of.get(theme, "")} if question_of is not None else {}),
            "keywords": model.at[theme, "keywords"] if known else "",
            "size": sizes[theme], "share": round(sizes[theme] / n, 4) if n else 0.0, "examples": "; ".join(refs[:5]),
        }
        if weights is not None:  # the share weighted, as the run's themes.csv gives it, the count's share beside
            row["share_unweighted"], row["share"] = row["share"], round(carried.get(theme, 0.0) / weights.sum(), 4) if weights.sum() else 0.0
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


@dataclass(frozen=True)
class ReviewedCodebook:
    """The reviewed themes as a codebook: the YAML structure, the run ids it had to change, the themes it could not keep."""

    data: dict[str, Any]
    #: run theme id -> codebook id, where they differ (a codebook id is ``[a-z0-9_]``: ``kysymys:teema_01`` becomes ``kysymys_teema_01``)
    ids: dict[str, str]
    #: themes left out: no answer left in them and no example of their own (an evaluator emptied a discovered theme)
    left_out: list[str]


def _originals(run: Run) -> dict[str, Any]:
    """Return run theme id -> the codebook theme it came from, for every codebook the run used (a question's own codebook: ``q:id`` too)."""
    paths = [(None, run.manifest.codebook.path)] if run.manifest.codebook else []
    paths += [(q, (info or {}).get("codebook")) for q, info in ((run.manifest.model_extra or {}).get("questions") or {}).items()]
    loaded: dict[str, Any] = {}
    out: dict[str, Any] = {}
    for question, path in paths:
        if not path:
            continue
        resolved = str(resolve_path(path))  # a relative path is found from any folder, as the run found it
        if resolved not in loaded:
            loaded[resolved] = load_codebook(resolved).themes if Path(resolved).is_file() else []
        for theme in loaded[resolved]:
            out.setdefault(theme.id, theme)
            if question:
                out.setdefault(f"{question}:{theme.id}", theme)
    return out


def _round_robin(lists: list[list[str]]) -> list[str]:
    """Return the items of ``lists`` interleaved (each list's first, then each one's second, ...), each once: every part keeps its best."""
    out: dict[str, None] = {}
    for row in itertools.zip_longest(*lists):
        out.update((x, None) for x in row if x)
    return list(out)


#: what a codebook theme id may be (``config.CodebookTheme.id``)
CODEBOOK_ID = re.compile(r"[a-z0-9_]+")


def _codebook_id(theme: str, taken: set[str]) -> str:
    """Return a codebook id for a run theme id: ``[a-z0-9_]`` only, unique among ``taken``."""
    base = re.sub(r"[^a-z0-9_]", "_", theme.lower()) or "teema"
    found, n = base, 2
    while found in taken:
        found, n = f"{base}_{n}", n + 1
    return found


def codebook_of(run: Run, state: Reviewed, themes: pd.DataFrame, answers: pd.DataFrame, decisions: list[Any]) -> ReviewedCodebook:
    """Return the reviewed themes as a codebook that ``run --codebook`` reads: every theme there is after the review.

    Labels and descriptions are the reviewed ones (a theme made in the review: its label, unless an
    evaluator described it). Examples: the answers evaluators put in the theme (confirmed, moved or
    split there) first, the codebook's own examples next (at least half of the places when it has
    them), then the model's representative answers still in the theme. A merged theme takes the union
    of its parts' keywords and examples, each part's best first. Contact details in answers are
    masked. A theme keeps its run id where the id is a codebook id (``ids`` lists the others); a theme
    left without answers and without examples of its own cannot be a codebook theme (``left_out``).
    The codebook carries the frame only: a run with it codes every answer afresh (``--review-from``
    carries the decisions).
    """
    original = _originals(run)
    model = run.themes.set_index("theme")
    keys = [answer_key(i, q) for i, q in zip(answers["id"], answers["question"])]
    texts = dict(zip(keys, answers["text"]))
    key_of = {example_ref(i, q, run.several_questions): k for k, i, q in zip(keys, answers["id"], answers["question"])}
    held: dict[str, str] = {}
    for d in decisions:  # the label each answer has from the evaluators, in the order they decided (the latest decision wins)
        LABELS[d.kind](held, d.payload)  # type: ignore[index]

    def final(theme: str) -> str:
        seen = set()
        while theme in state.merged and theme not in seen:
            seen.add(theme)
            theme = state.merged[theme]
        return theme

    reviewed: dict[str, list[str]] = {}
    for key, label in held.items():
        theme = final(label)
        if not label.startswith("not:") and theme in state.final_themes(key):
            reviewed.setdefault(theme, []).append(key)
    parts: dict[str, list[str]] = {t: [t] for t in state.labels}
    for change in state.changes:
        if change["kind"] == "merge" and final(change["target"]) in parts:
            parts[final(change["target"])].append(change["source"])

    def masked(key: str) -> str:
        return redact(str(texts.get(key, ""))).strip()

    out, ids, left_out = [], {}, []
    taken = {t for t in state.labels if CODEBOOK_ID.fullmatch(t)}  # ids a codebook takes as they are keep them; the others give way
    for row in themes.sort_values(["size", "theme"], ascending=[False, True]).to_dict("records"):
        theme = row["theme"]
        own = [original[p] for p in parts[theme] if p in original]
        keywords = _round_robin([list(original[p].keywords) if p in original else
                                 [k.split(" (")[0] for k in str(model.at[p, "keywords"]).split(", ") if k] if p in model.index else []
                                 for p in parts[theme]])
        unique: dict[str, str] = {}
        for word in keywords:  # each once, whatever its case; the first form kept
            unique.setdefault(word.lower(), word)
        keywords = list(unique.values())[:MAX_KEYWORDS]
        given = _round_robin([list(t.examples) for t in own])
        representative = _round_robin([[masked(k) for r in str(model.at[p, "examples"]).split("; ") if (k := key_of.get(r)) and theme in state.final_themes(k)]
                                       if p in model.index else [] for p in parts[theme]])
        chosen = [masked(k) for k in reviewed.get(theme, [])]
        limit = min(MAX_EXAMPLES * len(parts[theme]), MAX_MERGED_EXAMPLES)
        members = [masked(k) for k in state.members(theme)[:limit] if theme in state.final_themes(k)] if not (chosen or given or representative) else []
        keep = min(len(given), limit // 2)
        examples = list(dict.fromkeys(e for e in chosen[: limit - keep] + given + chosen[limit - keep :] + representative + members if e))
        if not examples:
            left_out.append(theme)
            continue
        cid = theme if CODEBOOK_ID.fullmatch(theme) else _codebook_id(theme, taken)
        if cid != theme:
            taken.add(cid)
            ids[theme] = cid
        source_description = own[0].description if own and own[0] is original.get(theme) else ""
        description = (row["description"] or source_description
                       or (row["label"] if row["source"] == "review" or not keywords else f"{row['label']} ({', '.join(keywords[:5])})"))
        out.append({"id": cid, "label": row["label"], "description": description, "keywords": keywords, "examples": examples[:limit]})
    name = run.manifest.codebook.name if run.manifest.codebook else run.path.name
    data = {"name": f"{name}-arvioitu",
            "description": (f"Arvioitu koodikirja ajosta {run.path.name} ({len(state.applied)} arvioijan päätöstä). Koodikirja kantaa teemat, "
                            f"ei päätöksiä: päätökset vastauksittain siirtyvät uuteen ajoon valinnalla --review-from {run.path.name}."),
            "language": "fi", "themes": out}
    return ReviewedCodebook(data, ids, left_out)


def structural_changes(run: Run, state: Reviewed, answers: pd.DataFrame, decisions: list[Any]) -> dict[str, Any]:
    """Return what the review changed in the theme frame: renames, merges and splits in order, and how many answers changed primary theme, by what."""
    by_hand = {k for d in decisions if d.kind in (Kind.MOVE, Kind.MOVE_MANY) for k in DECIDED[d.kind](d.payload)}  # type: ignore[index]
    split = {k for d in decisions if d.kind == Kind.SPLIT for k in d.payload["answers"]}
    model_rows = (run.answers["excluded"] == "").to_numpy()  # answers the model analysed (not those taken in during the review)
    moved = {"total": 0, "moved": 0, "split": 0, "merged": 0, "other": 0}
    for key, before, after, analysed in zip((answer_key(i, q) for i, q in zip(answers["id"], answers["question"])),
                                            answers["model_theme"], answers["theme"], model_rows):
        if not analysed or before == after:
            continue
        moved["total"] += 1
        moved["moved" if key in by_hand else "split" if key in split else "merged" if before in state.merged else "other"] += 1
    return {"events": list(state.changes), "moved_answers": moved}


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
        codebook = codebook_of(run, state, themes, answers, decisions)
        manifest = _manifest(run, answers, themes, tests, state, decisions)
        manifest["review"].update(structural_changes(run, state, answers, decisions))
        manifest["review"]["codebook"] = {"themes": len(codebook.data["themes"]), "ids": codebook.ids, "left_out": codebook.left_out}
        rundir.write_json(tmp / "manifest.json", manifest)
        write_reports(tmp, lang=lang)
        (tmp / CODEBOOK_FILE).write_text(yaml.safe_dump(codebook.data, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    return [out / name for name in DOWNLOADS]


#: what the reviewed export says of the codebook it wrote: the frame travels with it, the decisions with ``--review-from``
CARRY_NOTE = {
    "fi": ("{codebook} kantaa arvioinnin kehyksen: teemat, nimet, kuvaukset, avainsanat ja arvioidut vastaukset esimerkkeinä. "
           "Päätöksiä se ei siirrä: uusi ajo tällä koodikirjalla luokittelee jokaisen vastauksen alusta, eikä arvioitu vastaus välttämättä "
           "pysy teemassaan. Päätökset vastaus vastaukselta siirtyvät uuteen ajoon valinnalla --review-from {run}."),
    "en": ("{codebook} carries the frame of the review: themes, labels, descriptions, keywords, and the reviewed answers as examples. "
           "It does not carry the decisions: a new run with this codebook codes every answer afresh, and a reviewed answer may land "
           "in another theme. The decisions themselves, answer by answer, carry to a new run with --review-from {run}."),
}


def carry_note(run_dir: Path, lang: str | None = None) -> str:
    """Return the sentence saying that the reviewed codebook carries the frame and ``--review-from`` the decisions (``lang``: the run's report language)."""
    run_dir = Path(run_dir)
    lang = lang or load_run(run_dir).manifest.setting("report", "lang", "fi")
    return CARRY_NOTE.get(lang, CARRY_NOTE["fi"]).format(codebook=run_dir / REVIEWED_DIR / CODEBOOK_FILE, run=run_dir)
