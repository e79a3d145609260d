"""REFI-QDA exchange: the run's themes and coded answers for NVivo, ATLAS.ti and MAXQDA (``.qdpx`` projects, ``.qdc`` codebooks).

The REFI-QDA standard (urn:QDA-XML:project:1.0, urn:QDA-XML:codebook:1.0) is how qualitative tools
exchange projects. A run becomes one project: a code per theme (its label, with the keywords and
provenance as the description), one plain-text source per open question holding its analysed
answers one per paragraph (``id: text``), and a coded selection per answer and theme, so a
researcher continues in a QDA tool where avovastaus stopped. Identifiers are derived from the run's
answers fingerprint and the names (UUID 5): the same run exports the same project. Answer text is
written through an XML serialiser (escaped); respondent groups are not exported (REFI-QDA cases are
left to the tool).
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from avovastaus import __version__
from avovastaus.io.rundir import Run, answer_key
from avovastaus.io.staging import atomic_write

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
USER = "avovastaus"


@dataclass(frozen=True)
class RefiExport:
    """What was written: the file, its codes, sources and coded selections."""

    path: Path
    codes: int
    sources: int
    selections: int

    def lines(self) -> list[str]:
        return [f"{self.path} ({self.codes} codes, {self.sources} text sources, {self.selections} coded answers)"]


def _guid(run: Run, *parts: str) -> str:
    """Return a stable GUID for a named object of this run (upper case, as REFI-QDA tools write them)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "avovastaus:" + run.fingerprint + ":" + "/".join(parts))).upper()


def _codes(run: Run, parent: ET.Element) -> dict[str, str]:
    """Add a ``<Code>`` per theme under ``parent``; return theme id -> code GUID."""
    guids = {}
    codes = ET.SubElement(parent, "Codes")
    for row in run.themes.to_dict("records"):
        guid = guids[row["theme"]] = _guid(run, "code", row["theme"])
        name = row["label"] if not row.get("question") else f"{row['label']} ({row['question']})"
        code = ET.SubElement(codes, "Code", guid=guid, name=str(name), isCodable="true")
        ET.SubElement(code, "Description").text = f"{row['theme']}; {row['source']}; {row.get('keywords', '')}".strip("; ")
    return guids


def project_xml(run: Run) -> tuple[bytes, dict[str, str]]:
    """Return (project.qde, the plain-text sources by file name inside the archive)."""
    user = _guid(run, "user", USER)
    stamp = datetime.fromtimestamp((run.path / "manifest.json").stat().st_mtime, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    root = ET.Element("Project", {"xmlns": PROJECT_NS, "name": run.path.name, "origin": f"avovastaus {__version__}",
                                  "creatingUserGUID": user, "creationDateTime": stamp})
    ET.SubElement(ET.SubElement(root, "Users"), "User", guid=user, name=USER)
    codes = _codes(run, ET.SubElement(root, "CodeBook"))
    sources = ET.SubElement(root, "Sources")
    files: dict[str, str] = {}
    analysed = run.answers[run.answers["excluded"] == ""]
    for question, rows in analysed.groupby("question", sort=False):
        source_guid = _guid(run, "source", str(question))
        source = ET.SubElement(sources, "TextSource", guid=source_guid, name=str(question), plainTextPath=f"internal://{source_guid}.txt",
                               creatingUser=user, creationDateTime=stamp)
        text, position = [], 0
        for r in rows.itertuples():
            line = f"{r.id}: {' '.join(str(r.text).split())}"
            start = position + len(f"{r.id}: ")
            end = position + len(line)
            themes = [t for t in str(r.themes).split(";") if t in codes]
            if themes:
                key = answer_key(r.id, r.question)
                selection = ET.SubElement(source, "PlainTextSelection", guid=_guid(run, "answer", key), name=str(r.id),
                                          startPosition=str(start), endPosition=str(end), creatingUser=user, creationDateTime=stamp)
                for theme in themes:
                    coding = ET.SubElement(selection, "Coding", guid=_guid(run, "coding", key, theme), creatingUser=user, creationDateTime=stamp)
                    ET.SubElement(coding, "CodeRef", targetGUID=codes[theme])
            text.append(line)
            position = end + 2  # a blank line between answers
        files[f"sources/{source_guid}.txt"] = "\n\n".join(text) + "\n"
    return ET.tostring(root, encoding="utf-8", xml_declaration=True), files


def codebook_xml(run: Run) -> bytes:
    """Return the run's themes as a REFI-QDA codebook (``.qdc``)."""
    root = ET.Element("CodeBook", {"xmlns": CODEBOOK_NS, "origin": f"avovastaus {__version__}"})
    _codes(run, root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def write_qdpx(run: Run, out: Path) -> RefiExport:
    """Write the run as a REFI-QDA project archive (``project.qde`` and ``sources/*.txt``), staged and swapped in."""
    project, files = project_xml(run)

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("project.qde", project)
            for name, text in files.items():
                archive.writestr(name, text.encode("utf-8"))

    atomic_write(out, write)
    selections = project.count(b"<PlainTextSelection ")
    return RefiExport(out, len(run.themes), len(files), selections)


def write_qdc(run: Run, out: Path) -> RefiExport:
    """Write the run's themes as a REFI-QDA codebook (``.qdc``)."""
    body = codebook_xml(run)
    atomic_write(out, lambda tmp: tmp.write_bytes(body))
    return RefiExport(out, len(run.themes), 0, 0)
