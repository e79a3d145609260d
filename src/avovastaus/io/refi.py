"""REFI-QDA exchange: a run's themes and coded answers for NVivo, ATLAS.ti and MAXQDA (``.qdpx`` projects, ``.qdc`` codebooks).

The REFI-QDA standard (urn:QDA-XML:project:1.0, urn:QDA-XML:codebook:1.0) is how qualitative tools
exchange projects. A run (or a reviewed run, ``RUN/reviewed/``) becomes one project:

- **users**: ``avovastaus`` (the model) and every evaluator named in a reviewed run's ``reviewer``
  column. An answer an evaluator decided on is coded in that evaluator's name (the last one listed when
  several did; the selection's description names them all, with the verdict and notes); every other
  coding is avovastaus's;
- **codes**: a code per theme. Themes shared by all questions (codebook themes) are top-level codes;
  each question's own themes sit under a non-codable code named after the question. A code's
  description is the theme's description followed by ``Tunniste:``, ``Lähde:``, ``Avainsanat:`` and
  ``Esimerkki:`` lines (:data:`avovastaus.config.QDC_FIELDS`), so ``--codebook FILE.qdc`` gets the theme
  ids, keywords and examples back (:func:`avovastaus.config.read_qdc`);
- **variables and cases**: a text variable per respondent-group column (its wording as description)
  and a case per respondent, with its group values and a reference to each of its analysed answers;
- **sources**: one plain-text source per open question holding its analysed answers one per paragraph
  (``id: text``); each answer is a selection (coded or not, so its case covers it) with a coding per theme.

Answers excluded as non-answers are left out, as they are from the analysis. Identifiers are derived
from the run's answers fingerprint and the names (UUID 5) and every time stamp is the manifest's, so
the same run exports the same bytes. Text is written through an XML serialiser (escaped).
"""

from __future__ import annotations

import logging
import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from avovastaus import __version__
from avovastaus.config import QDC_FIELDS, CodebookTheme, load_codebook
from avovastaus.errors import AvovastausError
from avovastaus.io.ingest import MISSING_GROUP
from avovastaus.io.rundir import Run, answer_key, example_ref
from avovastaus.io.staging import atomic_write

log = logging.getLogger(__name__)

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
USER = "avovastaus"


@dataclass(frozen=True)
class RefiExport:
    """What was written: the file, its theme codes and, for a project, its sources, answers, cases and users."""

    path: Path
    codes: int
    sources: int = 0
    answers: int = 0      # text selections: one per analysed answer
    coded: int = 0        # of them, the ones with at least one coding
    cases: int = 0
    users: int = 1

    def lines(self) -> list[str]:
        """Return what the CLI prints."""
        if not self.sources:
            return [f"{self.path} ({self.codes} codes)"]
        users = "1 user" if self.users == 1 else f"{self.users} users"
        return [(f"{self.path} ({self.codes} codes, {self.sources} text sources, {self.answers} answers of which {self.coded} coded, "
                 f"{self.cases} cases, {users})")]


@dataclass(frozen=True)
class ThemeCode:
    """A theme as a code: what its ``<Code>`` says."""

    theme: str
    label: str
    question: str        # "" for a theme every question shares
    source: str
    description: str
    keywords: list[str]
    examples: list[str]


def _guid(run: Run, *parts: str) -> str:
    """Return a stable GUID for a named object of this run (upper case, as REFI-QDA tools write them)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "avovastaus:" + run.fingerprint + ":" + "/".join(parts))).upper()


def _written(run: Run) -> datetime:
    """Return when the run was written (its manifest's time, UTC): every time stamp of the export."""
    return datetime.fromtimestamp((run.path / "manifest.json").stat().st_mtime, UTC).replace(microsecond=0)


def _stamp(run: Run) -> str:
    return _written(run).strftime("%Y-%m-%dT%H:%M:%SZ")


def _wordings(run: Run) -> dict[str, str]:
    """Return each column's wording: the run's ``[questions.COL] label``, else the survey file's variable label."""
    said = {q: str(v["label"]) for q, v in ((run.manifest.model_extra or {}).get("questions") or {}).items() if isinstance(v, dict) and v.get("label")}
    from_file = (run.manifest.input.model_extra or {}).get("variable_labels") or {}
    return {**{str(c): str(w) for c, w in from_file.items() if w}, **said}


# ---------------------------------------------------------------- codes


def _codebook_themes(run: Run) -> dict[str, CodebookTheme]:
    """Return the codebook themes by id, from every codebook the run used that can still be read."""
    paths = [run.manifest.codebook.path] if run.manifest.codebook else []
    for question in ((run.manifest.model_extra or {}).get("questions") or {}).values():
        if isinstance(question, dict) and question.get("codebook"):
            paths.append(str(question["codebook"]))
    themes: dict[str, CodebookTheme] = {}
    for path in dict.fromkeys(paths):
        try:
            book = load_codebook(path)
        except AvovastausError as exc:
            log.warning("the codebook %s cannot be read (%s): its themes are described from the run alone", path, exc.code)
            continue
        for theme in book.themes:
            themes.setdefault(theme.id, theme)
    return themes


def theme_codes(run: Run) -> list[ThemeCode]:
    """Return the run's themes as codes, in themes.csv order: codebook themes keep their codebook's words, others take the run's."""
    book = _codebook_themes(run)
    wordings = _wordings(run)
    answers = run.answers
    texts = {example_ref(i, q, run.several_questions): str(t) for i, q, t in zip(answers["id"], answers["question"], answers["text"])}
    codes = []
    for row in run.themes.to_dict("records"):
        theme, question, source = str(row["theme"]), str(row.get("question") or ""), str(row.get("source") or "")
        known = book.get(theme) if source == "codebook" else None
        if known is not None:
            keywords, examples = list(known.keywords), list(known.examples)
        else:
            keywords = [k.split(" (")[0].strip() for k in str(row.get("keywords") or "").split(", ") if k.strip()]
            examples = [texts[e] for e in str(row.get("examples") or "").split("; ") if e in texts]
        found = "Arvioinnissa muodostettu teema" if source == "review" else "Aineistosta löydetty teema"
        fallback = f"{found} kysymykseen: {wordings.get(question) or question}" if question else f"{found}."
        description = str(row.get("description") or "").strip() or (known.description if known else "") or fallback
        codes.append(ThemeCode(theme, str(row["label"]), question, source, description, keywords, examples))
    return codes


def code_description(code: ThemeCode) -> str:
    """Return a code's description: the theme's own, then the lines :func:`avovastaus.config.read_qdc` reads back."""
    lines = [code.description.strip(), "", f"{QDC_FIELDS['id']}: {code.theme}", f"{QDC_FIELDS['source']}: {code.source}"]
    if code.keywords:
        lines.append(f"{QDC_FIELDS['keywords']}: {', '.join(code.keywords)}")
    lines += [f"{QDC_FIELDS['example']}: {' '.join(e.split())}" for e in code.examples if e.strip()]
    return "\n".join(lines)


def _codes(run: Run, parent: ET.Element) -> dict[str, str]:
    """Add ``<Codes>`` under ``parent``: shared themes on top, each question's own under a code for it; return theme id -> code GUID."""
    codes = ET.SubElement(parent, "Codes")
    wordings = _wordings(run)
    folders: dict[str, ET.Element] = {}
    guids = {}
    for code in theme_codes(run):
        home = codes
        if code.question:
            if code.question not in folders:
                folder = folders[code.question] = ET.SubElement(codes, "Code", guid=_guid(run, "question", code.question), name=code.question,
                                                                isCodable="false")
                wording = wordings.get(code.question)
                ET.SubElement(folder, "Description").text = f"Kysymyksen {code.question} omat teemat" + (f". Kysymys: {wording}" if wording else ".")
            home = folders[code.question]
        guid = guids[code.theme] = _guid(run, "code", code.theme)
        element = ET.SubElement(home, "Code", guid=guid, name=code.label, isCodable="true")
        ET.SubElement(element, "Description").text = code_description(code)
    return guids


# ---------------------------------------------------------------- users, sources, cases


def _reviewers(run: Run) -> list[str]:
    """Return the evaluators a reviewed run names (its manifest's and its answers' ``reviewer`` column), sorted."""
    names = set(((run.manifest.review.model_extra or {}).get("reviewers") or []) if run.manifest.review else [])
    if "reviewer" in run.answers.columns:
        names.update(n.strip() for cell in run.answers["reviewer"] for n in str(cell).split(", ") if n.strip())
    return sorted(names)


def _users(run: Run, parent: ET.Element) -> dict[str, str]:
    """Add ``<Users>``: avovastaus, then each evaluator; return name -> GUID (the model under ``""``)."""
    users = ET.SubElement(parent, "Users")
    guids = {"": _guid(run, "user", USER)}
    ET.SubElement(users, "User", guid=guids[""], name=USER)
    for name in _reviewers(run):
        guids[name] = _guid(run, "reviewer", name)
        ET.SubElement(users, "User", guid=guids[name], name=name)
    return guids


def _selection_note(row: Any) -> str:
    """Return what a reviewed answer's selection says of its review: evaluators, verdict, notes ("" when none)."""
    parts = [f"{label}: {value}" for label, value in (("Arvioijat", getattr(row, "reviewer", "")), ("Arvio", getattr(row, "verdict", "")),
                                                       ("Huomiot", getattr(row, "notes", ""))) if str(value).strip()]
    return "\n".join(parts)


def _sources(run: Run, codes: dict[str, str], users: dict[str, str], stamp: str) -> tuple[ET.Element, dict[str, str], dict[str, list[str]], int]:
    """Return (``<Sources>``, the source texts by file name in the archive, each respondent's selection GUIDs, the coded answers)."""
    sources = ET.Element("Sources")
    files: dict[str, str] = {}
    selections: dict[str, list[str]] = {}
    coded = 0
    analysed = run.answers[run.answers["excluded"] == ""]
    for question, rows in analysed.groupby("question", sort=False):
        source_guid = _guid(run, "source", str(question))
        source = ET.SubElement(sources, "TextSource", guid=source_guid, name=str(question), plainTextPath=f"internal://{source_guid}.txt",
                               creatingUser=users[""], creationDateTime=stamp)
        text, position = [], 0
        for r in rows.itertuples():
            line = f"{r.id}: {' '.join(str(r.text).split())}"
            start, end = position + len(f"{r.id}: "), position + len(line)
            key = answer_key(r.id, r.question)
            deciders = [n.strip() for n in str(getattr(r, "reviewer", "")).split(", ") if n.strip()]
            user = users[deciders[-1]] if deciders else users[""]
            guid = _guid(run, "answer", key)
            selection = ET.SubElement(source, "PlainTextSelection", guid=guid, name=str(r.id), startPosition=str(start), endPosition=str(end),
                                      creatingUser=user, creationDateTime=stamp)
            note = _selection_note(r)
            if note:
                ET.SubElement(selection, "Description").text = note
            themes = [t for t in str(r.themes).split(";") if t in codes]
            for theme in themes:
                coding = ET.SubElement(selection, "Coding", guid=_guid(run, "coding", key, theme), creatingUser=user, creationDateTime=stamp)
                ET.SubElement(coding, "CodeRef", targetGUID=codes[theme])
            coded += bool(themes)
            selections.setdefault(str(r.id), []).append(guid)
            text.append(line)
            position = end + 2  # a blank line between answers
        files[f"sources/{source_guid}.txt"] = "\n\n".join(text) + "\n"
    return sources, files, selections, coded


def _cases(run: Run, parent: ET.Element, selections: dict[str, list[str]]) -> int:
    """Add ``<Variables>`` (one per group column) and ``<Cases>`` (one per respondent); return the number of cases."""
    answers = run.answers
    groups = [g for g in run.manifest.input.group_columns if g in answers.columns]
    wordings = _wordings(run)
    variables = {}
    if groups:
        holder = ET.SubElement(parent, "Variables")
        for column in groups:
            variables[column] = _guid(run, "variable", column)
            variable = ET.SubElement(holder, "Variable", guid=variables[column], name=column, typeOfVariable="Text")
            if wordings.get(column):
                ET.SubElement(variable, "Description").text = wordings[column]
    respondents = answers.drop_duplicates("id")
    if respondents.empty:
        return 0
    cases = ET.SubElement(parent, "Cases")
    for row in respondents.to_dict("records"):
        respondent = str(row["id"])
        case = ET.SubElement(cases, "Case", guid=_guid(run, "case", respondent), name=respondent)
        for column in groups:
            value = str(row[column])
            if value and value != MISSING_GROUP:
                held = ET.SubElement(case, "VariableValue")
                ET.SubElement(held, "VariableRef", targetGUID=variables[column])
                ET.SubElement(held, "TextValue").text = value
        for guid in selections.get(respondent, []):
            ET.SubElement(case, "SelectionRef", targetGUID=guid)
    return len(respondents)


# ---------------------------------------------------------------- the files


def project_xml(run: Run) -> tuple[bytes, dict[str, str], RefiExport]:
    """Return (project.qde, the plain-text sources by file name inside the archive, what they hold; its ``path`` is the run's)."""
    stamp = _stamp(run)
    root = ET.Element("Project", {"xmlns": PROJECT_NS, "name": run.path.name, "origin": f"avovastaus {__version__}",
                                  "creatingUserGUID": _guid(run, "user", USER), "creationDateTime": stamp})
    users = _users(run, root)
    codes = _codes(run, ET.SubElement(root, "CodeBook"))
    sources, files, selections, coded = _sources(run, codes, users, stamp)
    cases = _cases(run, root, selections)
    if len(sources):
        root.append(sources)
    wordings = _wordings(run)
    questions = "; ".join(f"{q}: {wordings[q]}" if wordings.get(q) else q for q in run.manifest.input.text_columns)
    ET.SubElement(root, "Description").text = (f"avovastaus {__version__}, ajo {run.path.name}: {run.manifest.counts.respondents} vastaajaa, "
                                               f"{run.manifest.counts.analysed} analysoitua vastausta. Kysymykset: {questions}")
    held = RefiExport(run.path, len(codes), len(files), sum(map(len, selections.values())), coded, cases, len(users))
    return ET.tostring(root, encoding="utf-8", xml_declaration=True), files, held


def codebook_xml(run: Run) -> bytes:
    """Return the run's themes as a REFI-QDA codebook (``.qdc``)."""
    root = ET.Element("CodeBook", {"xmlns": CODEBOOK_NS, "origin": f"avovastaus {__version__}"})
    _codes(run, root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def write_qdpx(run: Run, out: Path) -> RefiExport:
    """Write the run as a REFI-QDA project archive (``project.qde`` and ``sources/*.txt``), staged and swapped in."""
    project, files, held = project_xml(run)
    when = max(_written(run).timetuple()[:6], (1980, 1, 1, 0, 0, 0))  # ZIP dates start in 1980

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, body in (("project.qde", project), *((n, t.encode("utf-8")) for n, t in files.items())):
                entry = zipfile.ZipInfo(name, date_time=when)  # the run's time, not now: the same run gives the same archive bytes
                entry.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(entry, body)

    atomic_write(out, write)
    return replace(held, path=out)


def write_qdc(run: Run, out: Path) -> RefiExport:
    """Write the run's themes as a REFI-QDA codebook (``.qdc``)."""
    body = codebook_xml(run)
    atomic_write(out, lambda tmp: tmp.write_bytes(body))
    return RefiExport(out, len(run.themes))

