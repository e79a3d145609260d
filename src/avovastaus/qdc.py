"""REFI-QDA codebooks (``.qdc``) read as codebook data: how NVivo, ATLAS.ti and MAXQDA codebooks become ``--codebook`` input.

Below :mod:`avovastaus.config` (which validates what this returns) and beside nothing else: the XML is
size-checked and refused with a DOCTYPE or entities before parsing, so a hostile file cannot expand.
"""

from __future__ import annotations

import logging
import re
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from avovastaus.errors import AvovastausError

log = logging.getLogger(__name__)

QDC_NAMESPACES = ("urn:QDA-XML:codebook:1.0", "urn:QDA-XML:project:1.0")
#: lines of a REFI-QDA code's description that hold what a theme has beyond its label and description:
#: ``io/refi.py`` writes them, a researcher may add them in NVivo, ATLAS.ti or MAXQDA, :func:`read_qdc` reads them
QDC_FIELDS = {"id": "Tunniste", "source": "Lähde", "keywords": "Avainsanat", "example": "Esimerkki"}
_QDC_FIELD = re.compile(r"^\s*(" + "|".join(QDC_FIELDS.values()) + r")\s*:\s*(.*)$", re.IGNORECASE)


def theme_id(text: str) -> str:
    """Return ``text`` as a theme id: lower-case ASCII letters, digits and ``_`` (``Yhteistyö: teema 1`` -> ``yhteistyo_teema_1``)."""
    ascii_text = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9_]+", "_", ascii_text).strip("_")


def _qdc_theme(code: ET.Element, ns: str) -> dict[str, Any]:
    """Return one REFI-QDA ``<Code>`` as a codebook theme (``id`` is None when its description names none)."""
    label = (code.get("name") or "").strip()
    fields: dict[str, list[str]] = {key: [] for key in QDC_FIELDS}
    lines = []
    for line in (code.findtext(f"{{{ns}}}Description") or "").splitlines():
        found = _QDC_FIELD.match(line)
        if found is None:
            lines.append(line.rstrip())
            continue
        key = next(k for k, v in QDC_FIELDS.items() if v.lower() == found.group(1).lower())
        fields[key].append(found.group(2).strip())
    description = "\n".join(lines).strip() or label
    return {"id": theme_id(fields["id"][0]) if fields["id"] else None, "label": label, "description": description,
            "keywords": [k.strip() for line in fields["keywords"] for k in line.split(",") if k.strip()],
            "examples": [e for e in fields["example"] if e]}


def read_qdc(path: Path, max_bytes: int, max_depth: int) -> dict[str, Any]:
    """Return a REFI-QDA codebook (``.qdc``) as the data of a codebook YAML; E005/E004 when missing or not a codebook.

    The code tree is flattened: every codable code, at any depth, is a theme, in document order; a code
    that only groups others (``isCodable="false"``) is none. A theme's id, keywords and examples come from
    its description's ``Tunniste:``, ``Avainsanat:`` and ``Esimerkki:`` lines (as ``export --to qdc``
    writes them), the rest of the description is its description. A code without an id line gets one
    from its name (repeats numbered ``_2``, ``_3``); without example lines its name stands in as its one
    example (REFI-QDA has no field for examples), and a warning names those themes.
    """
    if not path.is_file():
        raise AvovastausError("E005", path=path)
    size = path.stat().st_size
    if size > max_bytes:
        raise AvovastausError("E004", path=path, detail=f"{size / 1e6:.1f} MB, more than a codebook holds ({max_bytes >> 20} MB at most)")
    raw = path.read_bytes()
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:  # a codebook needs no DTD, and entities can expand without end
        raise AvovastausError("E004", path=path, detail="it declares a DOCTYPE or entities, which a REFI-QDA codebook never has")
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as exc:
        raise AvovastausError("E004", path=path, detail=f"not well-formed XML, so not a REFI-QDA codebook ({exc})") from None
    ns, _, tag = root.tag[1:].partition("}") if root.tag.startswith("{") else ("", "", root.tag)
    if tag != "CodeBook" or ns not in QDC_NAMESPACES:
        raise AvovastausError("E004", path=path, detail=f"its root element is <{tag}> in namespace '{ns}', not a REFI-QDA "
                              f'<CodeBook xmlns="{QDC_NAMESPACES[0]}">')
    themes: list[dict[str, Any]] = []

    def walk(parent: ET.Element, depth: int) -> None:
        if depth > max_depth:
            raise AvovastausError("E004", path=path, detail=f"codes nested more than {max_depth} levels deep")
        for code in parent.findall(f"{{{ns}}}Code"):
            if (code.get("isCodable") or "true").strip().lower() in ("true", "1"):
                themes.append(_qdc_theme(code, ns))
            walk(code, depth + 1)

    codes = root.find(f"{{{ns}}}Codes")
    if codes is not None:
        walk(codes, 0)
    taken = {t["id"] for t in themes if t["id"]}
    for theme in themes:
        if not theme["id"]:  # an id from the name, numbered past the ids already taken
            base = theme_id(theme["label"]) or "koodi"
            candidate, k = base, 1
            while candidate in taken:
                k += 1
                candidate = f"{base}_{k}"
            theme["id"] = candidate
            taken.add(candidate)
    bare = [t["id"] for t in themes if not t["examples"]]
    for theme in themes:
        theme["examples"] = theme["examples"] or [theme["label"]]
    if bare:
        log.warning("%s: %d theme(s) have no example answers (no 'Esimerkki:' lines in their description), so their name is their example: %s",
                    path, len(bare), ", ".join(bare[:10]) + (" …" if len(bare) > 10 else ""))
    origin = f" ({root.get('origin')})" if root.get("origin") else ""
    return {"name": path.stem, "description": f"REFI-QDA-koodikirja {path.name}{origin}", "language": "fi", "themes": themes}
