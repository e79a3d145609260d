"""Survey exports -> one answers table: ``id, question, <group columns>, text, row``.

Reads CSV (delimiter sniffed among ``,`` ``;`` tab; UTF-8, UTF-8 with BOM or cp1252; quoted
newlines), XLSX, JSONL and Parquet. A wide export (one column per open question) becomes
one answer per (respondent, question). Every problem is a coded error naming the file,
column or rows and what to do; nothing is dropped here (empty answers are kept and
later excluded with a reason).
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import AvovastausError

FORMATS = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
TEXT_COLUMN_GUESSES = ("text", "teksti", "vastaus", "answer", "comment", "kommentti", "avovastaus")
MISSING_GROUP = "(puuttuu)"


@dataclass
class Survey:
    """The answers table plus where it came from."""

    answers: pd.DataFrame
    path: Path
    sha256: str
    format: str
    n_respondents: int
    id_column: str | None
    text_columns: list[str]
    group_columns: list[str]
    details: dict[str, str] = field(default_factory=dict)


def file_sha256(path: Path) -> str:
    """Return the sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def decode(raw: bytes, path: Path) -> tuple[str, str]:
    """Return (text, encoding) for CSV bytes: UTF-8 with BOM, UTF-8, or cp1252 as Finnish Excel writes it."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            return raw.decode("cp1252"), "cp1252"
        except UnicodeDecodeError as exc:
            raise AvovastausError("E103", path=path, offset=min(utf8_error.start, exc.start)) from None


def sniff_delimiter(text: str) -> str:
    """Return the delimiter of a CSV text among ``,`` ``;`` and tab."""
    sample = text[:65536]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        header = sample.split("\n", 1)[0]
        return max(",;\t", key=header.count)


def _read_csv(path: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    text, encoding = decode(path.read_bytes(), path)
    if not text.strip():
        raise AvovastausError("E104", path=path)
    delimiter = sniff_delimiter(text)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            # index_col=False: a row with one field too many must not silently become the index
            frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False, na_filter=False, engine="c", index_col=False)
        if any(issubclass(w.category, pd.errors.ParserWarning) for w in caught):
            line = _first_long_row(text, delimiter)
            raise AvovastausError("E109", path=path, detail=f"row {line} has more fields than the header (an unquoted '{delimiter}' inside an answer?)", line=line)
    except pd.errors.EmptyDataError:
        raise AvovastausError("E104", path=path) from None
    except pd.errors.ParserError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise AvovastausError("E109", path=path, detail=str(exc).strip(), line=line.group(1) if line else "?") from None
    return frame, {"encoding": encoding, "delimiter": {"\t": "tab"}.get(delimiter, delimiter)}


def _first_long_row(text: str, delimiter: str) -> int | str:
    """Return the 1-based line number of the first record with more fields than the header."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    width = None
    for record in reader:
        if width is None:
            width = len(record)
        elif len(record) > width:
            return reader.line_num
    return "?"


def _read_xlsx(path: Path, sheet: str | None) -> tuple[pd.DataFrame, dict[str, str]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a bad file
        raise AvovastausError("E110", path=path, detail=str(exc).splitlines()[0] if str(exc) else type(exc).__name__, kind="XLSX") from None
    names = workbook.sheetnames
    workbook.close()
    if sheet is not None and sheet not in names:
        raise AvovastausError("E108", path=path, sheet=sheet, available=", ".join(names))
    frame = pd.read_excel(path, sheet_name=sheet or names[0], dtype=str, engine="openpyxl")
    return frame.fillna(""), {"sheet": sheet or names[0]}


def _read_jsonl(path: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    if not path.read_bytes().strip():
        raise AvovastausError("E104", path=path)
    try:
        frame = pd.read_json(path, lines=True, dtype=False, convert_dates=False)
    except ValueError as exc:
        raise AvovastausError("E109", path=path, detail=str(exc).splitlines()[0], line="?") from None
    return frame, {}


def _read_parquet(path: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    try:
        return pd.read_parquet(path), {}
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for a bad file
        raise AvovastausError("E110", path=path, detail=str(exc).splitlines()[0], kind="Parquet") from None


def read_table(path: Path, sheet: str | None = None) -> tuple[pd.DataFrame, str, dict[str, str]]:
    """Return (every cell as a string, format name, reader details) for a survey export."""
    path = Path(path)
    if not path.is_file():
        raise AvovastausError("E101", path=path)
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise AvovastausError("E102", path=path, suffix=path.suffix or "(none)")
    if kind == "csv":
        frame, details = _read_csv(path)
    elif kind == "xlsx":
        frame, details = _read_xlsx(path, sheet)
    elif kind == "jsonl":
        frame, details = _read_jsonl(path)
    else:
        frame, details = _read_parquet(path)
    if frame.empty:
        raise AvovastausError("E104", path=path)
    frame.columns = [str(c).strip() for c in frame.columns]
    cells = frame.astype(object).where(frame.notna(), "")
    return cells.map(lambda v: v if isinstance(v, str) else _scalar_text(v)), kind, details


def _scalar_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _check_column(frame: pd.DataFrame, column: str, role: str, flag: str, path: Path) -> None:
    if column in frame.columns:
        return
    lower = {c.lower(): c for c in frame.columns}
    close = difflib.get_close_matches(column.lower(), list(lower), n=1, cutoff=0.5)
    suggestion = f" Did you mean '{lower[close[0]]}'?" if close else ""
    available = ", ".join(f"'{c}'" for c in frame.columns)
    raise AvovastausError("E105", column=column, role=role, path=path, available=available, suggestion=suggestion, flag=flag)


def _guess_text_column(frame: pd.DataFrame, path: Path) -> list[str]:
    for name in TEXT_COLUMN_GUESSES:
        hits = [c for c in frame.columns if c.lower() == name]
        if hits:
            return hits[:1]
    raise AvovastausError("E111", path=path, available=", ".join(f"'{c}'" for c in frame.columns))


def ingest(path: Path, text: list[str] | None = None, group: list[str] | None = None, id: str | None = None, sheet: str | None = None) -> Survey:
    """Return the survey's answers, one row per (respondent, open question), validated.

    Without ``id`` the 1-based data row number is the respondent id. Without ``text`` a column
    named like ``text``/``vastaus``/``answer`` is used, else the call fails naming the columns.
    """
    path = Path(path)
    frame, kind, details = read_table(path, sheet)
    text_columns = list(dict.fromkeys(text or [])) or _guess_text_column(frame, path)
    group_columns = list(dict.fromkeys(group or []))
    for column in text_columns:
        _check_column(frame, column, "open question", "--text", path)
    for column in group_columns:
        _check_column(frame, column, "respondent group", "--group", path)
    if id is not None:
        _check_column(frame, id, "respondent id", "--id", path)
        ids = frame[id].str.strip()
        blank = ids.eq("")
        counts = ids[~blank].value_counts()
        repeated = counts[counts > 1]
        if blank.any() or len(repeated):
            rows = [str(i + 2) for i in frame.index[blank][:5]]
            examples = [f"'{v}' (rows {', '.join(str(i + 2) for i in frame.index[ids == v][:3])})" for v in repeated.index[:5]]
            if rows:
                examples.append(f"empty id on rows {', '.join(rows)}")
            raise AvovastausError("E106", column=id, path=path, examples="; ".join(examples), count=len(repeated) + int(blank.sum()))
    else:
        ids = pd.Series([str(i + 1) for i in range(len(frame))], index=frame.index)
    non_empty = sum(int(frame[c].str.strip().ne("").sum()) for c in text_columns)
    if non_empty == 0:
        raise AvovastausError("E107", path=path, n_cells=len(frame) * len(text_columns), columns=", ".join(text_columns))
    parts = []
    for column in text_columns:
        part = pd.DataFrame({"id": ids.values, "question": column})
        for g in group_columns:
            part[g] = frame[g].str.strip().replace("", MISSING_GROUP).values
        part["text"] = frame[column].values
        part["row"] = frame.index.values + 2  # spreadsheet row: the header is row 1
        parts.append(part)
    answers = pd.concat(parts, ignore_index=True)
    return Survey(
        answers=answers, path=path, sha256=file_sha256(path), format=kind, n_respondents=len(frame),
        id_column=id, text_columns=text_columns, group_columns=group_columns, details=details,
    )
