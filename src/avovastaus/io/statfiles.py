"""SPSS (.sav, .zsav, .por) and Stata (.dta) survey files, read with pyreadstat.

Value labels are applied (a cell reads "paikallisyhdistys", not 2) and the codes are returned so the
manifest can record them; variable labels are returned too: they are the questions' wordings.
User-missing values (SPSS missing ranges, Stata's ``.a``-``.z``) are read as missing, so they become
empty cells like every other reader's blanks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from avovastaus.errors import AvovastausError

#: suffix -> (format name, what the user calls it)
STAT_FORMATS = {".sav": ("spss", "SPSS"), ".zsav": ("spss", "SPSS"), ".por": ("spss", "SPSS"), ".dta": ("stata", "Stata")}


def _pyreadstat(path: Path, kind: str) -> Any:
    try:
        import pyreadstat
    except ImportError:
        raise AvovastausError("E116", path=path, kind=kind) from None
    return pyreadstat


def code_text(value: object) -> str:
    """Return a code as the cell text the other readers give: ``2`` for 2.0, the string itself for a string code."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_native(path: Path, apply_labels: bool = False) -> tuple[pd.DataFrame, Any]:
    """Return (the file's data as pyreadstat types it, its metadata); user-missing values read as missing; E110 for a bad file."""
    path = Path(path)
    kind = STAT_FORMATS[path.suffix.lower()][1]
    pyreadstat = _pyreadstat(path, kind)
    reader = {".sav": pyreadstat.read_sav, ".zsav": pyreadstat.read_sav, ".por": pyreadstat.read_por, ".dta": pyreadstat.read_dta}[path.suffix.lower()]
    options = {"user_missing": False} if reader is not pyreadstat.read_por else {}
    try:
        return reader(str(path), apply_value_formats=apply_labels, **options)
    except Exception as exc:  # noqa: BLE001 - pyreadstat raises ReadstatError/PyreadstatError and more for a damaged or encrypted file
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise AvovastausError("E110", path=path, detail=detail, kind=kind) from None


def read_statfile(path: Path) -> tuple[pd.DataFrame, dict[str, Any], list]:
    """Return (the data with value labels applied, reader details, no bad rows) for :func:`avovastaus.io.ingest.read_table`.

    ``details["value_labels"]`` is ``{column: {code: label}}`` for the labelled columns (codes as cell text),
    ``details["variable_labels"]`` is ``{column: label}`` for the columns that have one.
    """
    frame, meta = read_native(path)
    value_labels: dict[str, dict[str, str]] = {}
    labels_of = getattr(meta, "variable_value_labels", None) or {}
    for column, labels in labels_of.items():
        if column not in frame.columns or not labels:
            continue
        value_labels[column] = {code_text(code): str(label) for code, label in labels.items()}
        # a code without a label stays as its code; the lookup is by value, so 2 and 2.0 find the same label
        frame[column] = frame[column].astype(object).map(lambda v, labels=labels: labels.get(v, v) if pd.notna(v) else v)
    names = list(getattr(meta, "column_names", None) or [])
    wordings = list(getattr(meta, "column_labels", None) or [])
    variable_labels = {n: str(w) for n, w in zip(names, wordings) if w is not None and str(w).strip()}
    details: dict[str, Any] = {}
    if getattr(meta, "file_encoding", None):
        details["encoding"] = str(meta.file_encoding)
    if value_labels:
        details["value_labels"] = value_labels
    if variable_labels:
        details["variable_labels"] = variable_labels
    return frame, details, []


def question_labels(details: dict[str, Any]) -> dict[str, str]:
    """Return ``{column: wording}`` from a reader's details (an SPSS/Stata file's variable labels; empty for other formats)."""
    labels = details.get("variable_labels") or {}
    return {str(c): str(w).strip() for c, w in labels.items() if isinstance(w, str) and w.strip()}
