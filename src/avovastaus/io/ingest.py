"""Survey exports -> one answers table: ``id, question, <group columns>, text, row``.

Reads CSV (delimiter sniffed among ``,`` ``;`` tab; UTF-8, UTF-8 with BOM or cp1252; quoted
newlines), XLSX, JSONL, Parquet, SPSS (.sav, .zsav, .por) and Stata (.dta; value labels applied, codes
and variable labels kept in the details, see :mod:`avovastaus.io.statfiles`). A wide export (one column per open question) becomes
one answer per (respondent, question). Every problem is a coded error naming the file,
column or rows and what to do; nothing is dropped silently: malformed rows refuse the file
(every line listed) unless the user asks to skip them, and then they are counted and listed;
control characters no spreadsheet can hold are replaced by U+FFFD and counted.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from avovastaus.errors import AvovastausError
from avovastaus.io.statfiles import STAT_FORMATS, read_statfile

FORMATS = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet",
           **{suffix: name for suffix, (name, _) in STAT_FORMATS.items()}}
TEXT_COLUMN_GUESSES = ("text", "teksti", "vastaus", "answer", "comment", "kommentti", "avovastaus")
MISSING_GROUP = "(puuttuu)"
# C0 controls but tab/newline/CR, DEL, lone surrogates and the XML non-characters: no XLSX (or UTF-8 file) can hold them
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
REPLACEMENT = "\ufffd"
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # a long answer is not a malformed file


@dataclass
class BadRow:
    """A row the reader could not take: its line in the file and why."""

    line: int
    reason: str


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
    details: dict[str, Any] = field(default_factory=dict)  # strings, and for SPSS/Stata the value and variable labels
    skipped_rows: list[BadRow] = field(default_factory=list)
    control_characters_replaced: int = 0
    #: the design-weight column (its values are in ``answers["weight"]``), or None
    weight_column: str | None = None


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


def _read_csv(path: Path, header_row: int = 1) -> tuple[pd.DataFrame, dict[str, str], list[BadRow]]:
    text, encoding = decode(path.read_bytes(), path)
    if not text.strip():
        raise AvovastausError("E104", path=path)
    rows = text.count("\n") + (not text.endswith("\n"))
    if header_row > rows:  # not "no data rows": the header asked for is past the end
        raise AvovastausError("E113", row=header_row, path=path, detail=f"the file has only {rows} rows")
    delimiter = sniff_delimiter(_skip_lines(text, header_row - 1))
    header, records, positions, bad = parse_csv(text, delimiter, header_row)
    # the index keeps each record's place in the file, so row numbers stay true when malformed rows are skipped
    frame = pd.DataFrame(records, columns=header, index=pd.Index(positions, dtype=int), dtype=object)
    return frame, {"encoding": encoding, "delimiter": {"\t": "tab"}.get(delimiter, delimiter)}, bad


def _skip_lines(text: str, n: int) -> str:
    """Return ``text`` without its first ``n`` lines (title rows above the header)."""
    return text.split("\n", n)[n] if n and text.count("\n") >= n else text


def parse_csv(text: str, delimiter: str, header_row: int = 1) -> tuple[list[str], list[list[str]], list[int], list[BadRow]]:
    """Return (unique header names, the well-formed records, their positions among all records, the malformed ones).

    The header is the ``header_row``-th row (the rows above it are titles, left out). A record with more
    fields than the header (unless the extra ones are empty) or with broken quoting is malformed; a
    shorter one is padded with empty cells, as spreadsheets write them.
    """
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    for _ in range(header_row - 1):  # title rows: read as rows (a title may be quoted), never checked
        try:
            next(reader)
        except StopIteration:
            return [], [], [], []
        except csv.Error:
            pass
    header: list[str] | None = None
    records: list[list[str]] = []
    positions: list[int] = []
    bad: list[BadRow] = []
    position, line = 0, reader.line_num
    while True:
        start = line + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            line = reader.line_num
            what = "an unclosed quote runs to the end of the file" if "end of data" in str(exc) else f"broken quoting ({exc})"
            bad.append(BadRow(start, what))
            position += 1
            continue
        line = reader.line_num
        if not record:
            continue  # a blank line
        if header is None:
            header = _unique_names(record)
            continue
        if len(record) > len(header):
            if any(cell.strip() for cell in record[len(header):]):
                bad.append(BadRow(start, f"more fields than the header's {len(header)} (an unquoted '{delimiter}' inside an answer?)"))
                position += 1
                continue
            record = record[: len(header)]
        records.append(record + [""] * (len(header) - len(record)))
        positions.append(position)
        position += 1
    return header or [], records, positions, bad


def _unique_names(names: list[str]) -> list[str]:
    """Return header names with empty ones named ``Unnamed: j`` and repeats suffixed ``.1``, ``.2`` (as pandas does); linear in the names."""
    out: list[str] = []
    taken: set[str] = set()
    next_suffix: dict[str, int] = {}
    for j, name in enumerate(names):
        name = name.strip() or f"Unnamed: {j}"
        base, k = name, next_suffix.get(name, 0)
        while name in taken:
            k += 1
            name = f"{base}.{k}"
        next_suffix[base] = k
        out.append(name)
        taken.add(name)
    return out


#: an XLSX whose parts expand to more than this is refused before any sheet is parsed (a survey of a million answers is ~300 MB)
MAX_XLSX_UNCOMPRESSED = 1 << 30
#: nor one whose parts compress better than this (text compresses ~10x; a zip bomb thousands of times)
MAX_XLSX_RATIO = 200


def _check_zip(path: Path) -> None:
    """Refuse an XLSX file whose zip directory says it expands past reason (read from the directory, nothing decompressed)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise AvovastausError("E110", path=path, detail=str(exc).splitlines()[0] if str(exc) else type(exc).__name__, kind="XLSX") from None
    total = sum(p.file_size for p in parts)
    packed = sum(p.compress_size for p in parts) or 1
    if total > MAX_XLSX_UNCOMPRESSED or (total > (64 << 20) and total / packed > MAX_XLSX_RATIO):
        raise AvovastausError("E114", path=path, detail=f"its parts expand to {total / 1e6:,.0f} MB from {packed / 1e6:,.1f} MB "
                              f"(limits: {MAX_XLSX_UNCOMPRESSED >> 20} MB, or {MAX_XLSX_RATIO}x compression above 64 MB)")


def _read_xlsx(path: Path, sheet: str | None, header_row: int = 1) -> tuple[pd.DataFrame, dict[str, str], list[BadRow]]:
    import openpyxl

    _check_zip(path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a bad file
        raise AvovastausError("E110", path=path, detail=str(exc).splitlines()[0] if str(exc) else type(exc).__name__, kind="XLSX") from None
    names = workbook.sheetnames
    workbook.close()
    if sheet is not None and sheet not in names:
        raise AvovastausError("E108", path=path, sheet=sheet, available=", ".join(names))
    try:
        frame = pd.read_excel(path, sheet_name=sheet or names[0], dtype=str, engine="openpyxl", header=header_row - 1)
    except Exception as exc:  # noqa: BLE001 - as above
        raise AvovastausError("E110", path=path, detail=str(exc).splitlines()[0] if str(exc) else type(exc).__name__, kind="XLSX") from None
    return frame.fillna(""), {"sheet": sheet or names[0]}, []


def _read_jsonl(path: Path) -> tuple[pd.DataFrame, dict[str, str], list[BadRow]]:
    text, encoding = decode(path.read_bytes(), path)
    if not text.strip():
        raise AvovastausError("E104", path=path)
    records, positions, bad = [], [], []
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except ValueError as exc:
            bad.append(BadRow(line, f"not valid JSON ({exc.msg if hasattr(exc, 'msg') else exc})"))
        else:
            if isinstance(record, dict):
                records.append({str(k): v if not isinstance(v, (dict, list)) else json.dumps(v, ensure_ascii=False) for k, v in record.items()})
                positions.append(len(positions) + len(bad))
            else:
                bad.append(BadRow(line, f"a JSON {type(record).__name__}, not an object with named fields"))
    frame = pd.DataFrame.from_records(records, index=pd.Index(positions, dtype=int)) if records else pd.DataFrame()
    return frame, {"encoding": encoding}, bad


def _read_parquet(path: Path) -> tuple[pd.DataFrame, dict[str, str], list[BadRow]]:
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for a bad file
        raise AvovastausError("E110", path=path, detail=str(exc).splitlines()[0], kind="Parquet") from None
    binary = [str(c) for c in frame.columns if frame[c].map(lambda v: isinstance(v, (bytes, bytearray, memoryview))).any()]
    return frame, ({"binary_columns": ", ".join(binary)} if binary else {}), []


def read_table(path: Path, sheet: str | None = None, skip_bad_rows: bool = False, header_row: int = 1) -> tuple[pd.DataFrame, str, dict[str, Any], list[BadRow], int]:
    """Return (every cell as a string, format name, reader details, skipped malformed rows, cells whose control characters were replaced).

    Malformed rows refuse the file (E112, every line listed) unless ``skip_bad_rows``. ``header_row``
    (CSV and XLSX) is the row holding the column names; the rows above it are titles.
    """
    path = Path(path)
    if not path.is_file():
        raise AvovastausError("E101", path=path)
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise AvovastausError("E102", path=path, suffix=path.suffix or "(none)")
    if header_row > 1 and kind not in ("csv", "xlsx"):
        raise AvovastausError("E113", row=header_row, path=path, detail=f"a {kind} file has no header row")
    if kind == "csv":
        frame, details, bad = _read_csv(path, header_row)
    elif kind == "xlsx":
        frame, details, bad = _read_xlsx(path, sheet, header_row)
    elif kind == "jsonl":
        frame, details, bad = _read_jsonl(path)
    elif kind in ("spss", "stata"):
        frame, details, bad = read_statfile(path)
    else:
        frame, details, bad = _read_parquet(path)
    if header_row > 1:
        details["header_row"] = str(header_row)
    if bad and not skip_bad_rows:
        raise AvovastausError("E112", path=path, count=len(bad), rows=_line_list(bad))
    if frame.empty:
        raise AvovastausError("E104", path=path)
    frame.columns = _unique_names([CONTROL.sub(REPLACEMENT, _scalar_text(c)) for c in frame.columns])
    cells = frame.astype(object).where(frame.notna(), "")
    # one kind of line break: a lone CR would split a row of answers.csv in every CSV reader
    cells = cells.map(lambda v: (v if isinstance(v, str) else _scalar_text(v)).replace("\r\n", "\n").replace("\r", "\n"))
    dirty = cells.map(lambda v: CONTROL.search(v) is not None)
    replaced = int(dirty.to_numpy().sum())
    if replaced:
        cells = cells.map(lambda v: CONTROL.sub(REPLACEMENT, v))
    return cells, kind, details, bad, replaced


def _line_list(bad: list[BadRow]) -> str:
    """Return every bad line with its reason, lines with the same reason listed together ("lines 4, 9: ...")."""
    by_reason: dict[str, list[int]] = {}
    for row in bad:
        by_reason.setdefault(row.reason, []).append(row.line)
    return "; ".join(f"line{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines))}: {reason}" for reason, lines in by_reason.items())


def _scalar_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _check_column(frame: pd.DataFrame, column: str, role: str, flag: str, path: Path, header_row: int = 1) -> None:
    if column in frame.columns:
        return
    lower = {c.lower(): c for c in frame.columns}
    close = difflib.get_close_matches(column.lower(), list(lower), n=1, cutoff=0.5)
    suggestion = f" Did you mean '{lower[close[0]]}'?" if close else ""
    found = _row_naming(frame, column)
    if found is not None:
        row = header_row + 1 + found
        suggestion = f" '{column}' is on row {row}: the rows above it look like titles. Pass --header-row {row}."
    elif sum(c.startswith("Unnamed: ") for c in frame.columns) * 2 >= len(frame.columns):
        suggestion += " Most columns have no name: if the names are on a later row (title rows above them), pass --header-row N."
    available = ", ".join(f"'{c}'" for c in frame.columns)
    raise AvovastausError("E105", column=column, role=role, path=path, available=available, suggestion=suggestion, flag=flag)


def _row_naming(frame: pd.DataFrame, column: str, look: int = 20) -> int | None:
    """Return the position of the first of the ``look`` first data rows that holds ``column`` as a cell (a header below title rows), or None."""
    for position, row in enumerate(frame.head(look).itertuples(index=False)):
        if any(str(cell).strip() == column for cell in row):
            return position
    return None


def _keep_labels_of(details: dict[str, Any], text_columns: list[str], group_columns: list[str], id: str | None) -> None:
    """Narrow an SPSS/Stata file's labels to the columns the run uses (a file may label hundreds): codes of the groups, wordings of the rest."""
    if "value_labels" in details:
        details["value_labels"] = {c: v for c, v in details["value_labels"].items() if c in group_columns}
        if not details["value_labels"]:
            del details["value_labels"]
    if "variable_labels" in details:
        used = {*text_columns, *group_columns, *([id] if id else [])}
        details["variable_labels"] = {c: v for c, v in details["variable_labels"].items() if c in used}
        if not details["variable_labels"]:
            del details["variable_labels"]


def _guess_text_column(frame: pd.DataFrame, path: Path) -> list[str]:
    for name in TEXT_COLUMN_GUESSES:
        hits = [c for c in frame.columns if c.lower() == name]
        if hits:
            return hits[:1]
    raise AvovastausError("E111", path=path, available=", ".join(f"'{c}'" for c in frame.columns))


def ingest(
    path: Path, text: list[str] | None = None, group: list[str] | None = None, id: str | None = None, sheet: str | None = None,
    skip_bad_rows: bool = False, header_row: int = 1, weight: str | None = None,
) -> Survey:
    """Return the survey's answers, one row per (respondent, open question), validated.

    Without ``id`` the 1-based data row number is the respondent id. Without ``text`` a column
    named like ``text``/``vastaus``/``answer`` is used, else the call fails naming the columns.
    ``header_row``: the row of the column names in a CSV/XLSX export with title rows above them.
    ``weight``: a design-weight column; every respondent needs a positive number there (see :func:`read_weights`).
    """
    path = Path(path)
    frame, kind, details, skipped, replaced = read_table(path, sheet, skip_bad_rows, header_row)
    text_columns = list(dict.fromkeys(text or [])) or _guess_text_column(frame, path)
    group_columns = list(dict.fromkeys(group or []))
    binary = set(filter(None, details.get("binary_columns", "").split(", ")))
    for column in text_columns:
        _check_column(frame, column, "open question", "--text", path, header_row)
        if column in binary:  # bytes would be analysed as the text "b'\x00\x01'"
            raise AvovastausError("E115", path=path, column=column)
    for column in group_columns:
        _check_column(frame, column, "respondent group", "--group", path, header_row)
    _keep_labels_of(details, text_columns, group_columns, id)
    weights = None
    if weight is not None:
        _check_column(frame, weight, "design weight", "--weight", path, header_row)
        for role, columns in (("an open question", text_columns), ("a group", group_columns), ("the respondent id", [id])):
            if weight in columns:
                raise AvovastausError("E118", column=weight, path=path, role=role)
        weights, bad = read_weights(frame[weight], header_row)
        if bad and not skip_bad_rows:
            rows = ", ".join(f"row {r.line} ({r.reason})" for r in bad[:10]) + (f" and {len(bad) - 10} more" if len(bad) > 10 else "")
            raise AvovastausError("E117", column=weight, path=path, count=len(bad), rows=rows)
        if bad:
            keep = weights.notna()
            frame, weights = frame[keep], weights[keep]
            skipped = sorted([*skipped, *bad], key=lambda r: r.line)
    if id is not None:
        _check_column(frame, id, "respondent id", "--id", path, header_row)
        ids = frame[id].str.strip()
        blank = ids.eq("")
        counts = ids[~blank].value_counts()
        repeated = counts[counts > 1]
        if blank.any() or len(repeated):
            rows = [str(i + header_row + 1) for i in frame.index[blank][:5]]
            examples = [f"'{v}' (rows {', '.join(str(i + header_row + 1) for i in frame.index[ids == v][:3])})" for v in repeated.index[:5]]
            if rows:
                examples.append(f"empty id on rows {', '.join(rows)}")
            raise AvovastausError("E106", column=id, path=path, examples="; ".join(examples), count=len(repeated) + int(blank.sum()))
    else:
        ids = pd.Series([str(i + 1) for i in frame.index], index=frame.index)  # the record's place in the file
    non_empty = sum(int(frame[c].str.strip().ne("").sum()) for c in text_columns)
    if non_empty == 0:
        raise AvovastausError("E107", path=path, n_cells=len(frame) * len(text_columns), columns=", ".join(text_columns))
    parts = []
    for column in text_columns:
        part = pd.DataFrame({"id": ids.values, "question": column})
        for g in group_columns:
            part[g] = frame[g].str.strip().replace("", MISSING_GROUP).values
        if weights is not None:
            part["weight"] = weights.values
        part["text"] = frame[column].values
        part["row"] = frame.index.values + header_row + 1  # spreadsheet row: the header is row header_row
        parts.append(part)
    answers = pd.concat(parts, ignore_index=True)
    return Survey(
        answers=answers, path=path, sha256=file_sha256(path), format=kind, n_respondents=len(frame),
        id_column=id, text_columns=text_columns, group_columns=group_columns, details=details,
        skipped_rows=skipped, control_characters_replaced=replaced, weight_column=weight,
    )


def read_weights(column: pd.Series, header_row: int = 1) -> tuple[pd.Series, list[BadRow]]:
    """Return (each row's design weight as a float, NaN where unusable; the unusable rows with why).

    A weight is a finite number above 0, written with a decimal point or comma (``1,25`` as Finnish
    Excel writes it). Empty, non-numeric, zero, negative and infinite values are bad rows: a respondent
    without a weight cannot be counted in a weighted share, and guessing 1 would be silent.
    """
    text = column.astype(str).str.strip()
    values = pd.to_numeric(text.str.replace(",", ".", regex=False).replace("", None), errors="coerce").astype(float)
    usable = values.notna() & np.isfinite(values) & (values > 0)
    bad = []
    for index in column.index[~usable.to_numpy()]:
        raw = text.at[index]
        why = "empty" if raw == "" else f"'{raw[:20]}' is not a number" if pd.isna(values.at[index]) else f"{raw[:20]} is not above 0" if values.at[index] <= 0 else f"'{raw[:20]}' is not finite"
        bad.append(BadRow(int(index) + header_row + 1, f"weight {why}"))
    return values.where(usable), bad
