"""A run's themes as variables for statistics packages: SPSS (.sav), Stata (.dta), CSV and Parquet.

One row per respondent: the id and group columns, then per open question its primary theme (integer
codes whose value labels are the theme labels) and a 0/1 variable per theme (value labels ``0 = ei``,
``1 = kyllä``). Both are missing where the respondent has no analysed answer to the question (no
answer, or a non-answer). Names are valid in SPSS and Stata (ASCII, ≤ 27 characters, unique ignoring
case); a codebook CSV beside the file states every variable. With ``merge_into`` the variables are
added to the original survey file's rows, matched by the run's id column (every row kept).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from avovastaus.errors import AvovastausError
from avovastaus.io.ingest import MISSING_GROUP, read_table
from avovastaus.io.rundir import OUTPUTS, TABLES, Run, load_run, write_csv
from avovastaus.io.staging import atomic_write
from avovastaus.io.statfiles import STAT_FORMATS, read_native

log = logging.getLogger(__name__)

Target = Literal["spss", "stata", "csv", "parquet", "qdpx", "qdc"]
SUFFIXES: dict[str, str] = {"spss": ".sav", "stata": ".dta", "csv": ".csv", "parquet": ".parquet", "qdpx": ".qdpx", "qdc": ".qdc"}
#: REFI-QDA exchange with NVivo, ATLAS.ti and MAXQDA (io/refi.py): a project, or the codebook alone
REFI = ("qdpx", "qdc")
YES_NO = {0: "ei", 1: "kyllä"}
UNASSIGNED = (0, "(ei teemaa)")  # an analysed answer no theme fits: not missing, so it has a code of its own
#: Stata allows 32 characters (SPSS 64), but pyreadstat names a labelled variable's Stata label set after it plus a counter
#: (``<name>12``, at most 31 bytes): 27 leaves room for 9999 labelled variables, and one name then works in every format
MAX_NAME = 27
STATA_LABEL = 80  # Stata's variable label limit
#: SPSS's reserved words and Stata's: never a variable name (compared ignoring case)
RESERVED = {
    "all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with",
    "_all", "_b", "_coef", "_cons", "_n", "_pi", "_pred", "_rc", "_se", "_skip", "byte", "double", "float", "if", "in", "int",
    "long", "using", "str", "strl", "e", "_n", "_merge",
}
TRANSLITERATE = str.maketrans({"ä": "a", "ö": "o", "å": "a", "Ä": "A", "Ö": "O", "Å": "A", "ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O"})


@dataclass
class Variable:
    """One exported variable: its data and what the codebook says of it."""

    wanted: str                        # the name before it was made valid and unique
    data: pd.Series
    label: str = ""
    question: str = ""
    theme: str = ""
    value_labels: dict[Any, str] = field(default_factory=dict)
    values: str = ""                   # the codebook's words on the values
    name: str = ""                     # the valid, unique name (set by :func:`_name_all`)


@dataclass
class ExportResult:
    """What an export wrote and how the merge went."""

    path: Path
    codebook: Path
    rows: int
    variables: int
    merged_into: Path | None = None
    unmatched_original: list[str] = field(default_factory=list)   # original rows' ids the run does not have (their new variables are missing)
    unmatched_run: list[str] = field(default_factory=list)        # run respondents the original does not have (not in the output)

    def lines(self) -> list[str]:
        """Return what the CLI prints."""
        out = [f"{self.path} ({self.rows} rows, {self.variables} variables)", f"{self.codebook} (codebook)"]
        if self.merged_into is not None:
            out.append(f"Merged into the {self.rows} rows of {self.merged_into}.")
            if self.unmatched_original:
                out.append(f"{len(self.unmatched_original)} row(s) of the original are not in the run (their theme variables are missing): "
                           + ", ".join(self.unmatched_original[:10]) + (" …" if len(self.unmatched_original) > 10 else ""))
            if self.unmatched_run:
                out.append(f"{len(self.unmatched_run)} respondent(s) of the run are not in the original (left out): "
                           + ", ".join(self.unmatched_run[:10]) + (" …" if len(self.unmatched_run) > 10 else ""))
        return out


# ---------------------------------------------------------------- names


def valid_name(name: str, limit: int = MAX_NAME) -> str:
    """Return ``name`` as an SPSS and Stata variable name: ASCII letters, digits and ``_``, starting with a letter, at most ``limit`` characters."""
    text = unicodedata.normalize("NFKD", str(name).translate(TRANSLITERATE)).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_")
    text = re.sub(r"_+", "_", text)
    if not text or not text[0].isalpha():
        text = "v_" + text if text else "v"
    text = text[:limit].rstrip("_") or "v"
    if text.lower() in RESERVED:
        text = f"{text}_"[:limit]
    return text


def unique_names(names: list[str], limit: int = MAX_NAME) -> list[str]:
    """Return the valid names of ``names``, repeats (ignoring case, as SPSS compares) suffixed ``_2``, ``_3``."""
    out: list[str] = []
    taken: set[str] = set()
    for name in names:
        base = valid_name(name, limit)
        candidate, k = base, 1
        while candidate.lower() in taken:
            k += 1
            suffix = f"_{k}"
            candidate = base[: limit - len(suffix)] + suffix
        taken.add(candidate.lower())
        out.append(candidate)
    return out


def _theme_name(question: str, theme: str) -> str:
    """Return the wanted name of a (question, theme) variable: the theme's own part kept whole, the question shortened to fit."""
    local = theme.split(":", 1)[1] if theme.startswith(f"{question}:") else theme
    local = valid_name(local, 16)
    head = valid_name(question, MAX_NAME - len(local) - 1)
    return f"{head}_{local}"


# ---------------------------------------------------------------- the variables


def _themes_of(run: Run, question: str) -> pd.DataFrame:
    """Return the themes a question's answers can have: the shared (codebook) ones and its own, in themes.csv order."""
    themes = run.themes
    own = themes["question"].astype(str) if "question" in themes.columns else pd.Series("", index=themes.index)
    return themes[(own == "") | (own == question)]


def theme_variables(run: Run) -> tuple[pd.Index, list[Variable]]:
    """Return (the respondent ids in run order, the id, group and theme variables, one value per respondent)."""
    answers = run.answers
    ids = pd.Index(pd.unique(answers["id"].astype(str)), name="id")
    id_name = run.manifest.input.id_column or "id"
    variables = [Variable(id_name, pd.Series(ids, index=ids), label="vastaajan tunniste" if run.manifest.input.id_column else "vastaajan rivinumero aineistossa",
                          values="tunniste")]
    groups = [g for g in run.manifest.input.group_columns if g in answers.columns]
    first = answers.drop_duplicates("id").set_index("id")
    wordings = _question_wordings(run)
    for column in groups:
        data = first[column].astype(str).replace(MISSING_GROUP, "").reindex(ids)
        variables.append(Variable(column, data, label=wordings.get(column, column), values="ryhmä (teksti; tyhjä = puuttuu)"))
    excluded = answers["excluded"].astype(str).str.strip().ne("") if "excluded" in answers.columns else pd.Series(False, index=answers.index)
    analysed = answers[~excluded]
    for question in run.manifest.input.text_columns:
        mine = analysed[analysed["question"] == question].drop_duplicates("id").set_index("id")
        themes = _themes_of(run, question)
        codes = {theme: k for k, theme in enumerate(themes["theme"].astype(str), start=1)}
        labels = {codes[t]: str(label) for t, label in zip(themes["theme"].astype(str), themes["label"].astype(str))}
        primary = pd.Series(np.nan, index=ids, dtype=float)
        primary.loc[mine.index] = [codes.get(t, UNASSIGNED[0]) if t else UNASSIGNED[0] for t in mine["theme"].astype(str)]
        wording = wordings.get(question) or question
        variables.append(Variable(
            f"{question}_paateema", primary, label=f"Pääteema: {wording}", question=question,
            value_labels={UNASSIGNED[0]: UNASSIGNED[1], **labels},
            values="; ".join(f"{c} = {l}" for c, l in {UNASSIGNED[0]: UNASSIGNED[1], **labels}.items()) + "; puuttuu = ei analysoitua vastausta"))
        held = {i: set(filter(None, str(ts).split(";"))) for i, ts in zip(mine.index, mine["themes"].astype(str) if "themes" in mine.columns else mine["theme"].astype(str))}
        for theme, label in zip(themes["theme"].astype(str), themes["label"].astype(str)):
            flag = pd.Series(np.nan, index=ids, dtype=float)
            flag.loc[mine.index] = [1.0 if theme in held[i] else 0.0 for i in mine.index]
            variables.append(Variable(_theme_name(question, theme), flag, label=label, question=question, theme=theme,
                                      value_labels=dict(YES_NO), values="0 = ei; 1 = kyllä; puuttuu = ei analysoitua vastausta"))
    return ids, variables


def _question_wordings(run: Run) -> dict[str, str]:
    """Return each column's wording: the run's ``[questions.COL] label``, else the survey file's variable label."""
    extra = run.manifest.model_extra or {}
    said = {q: str(v.get("label")) for q, v in (extra.get("questions") or {}).items() if isinstance(v, dict) and v.get("label")}
    from_file = (run.manifest.input.model_extra or {}).get("variable_labels") or {}
    return {**{str(c): str(w) for c, w in from_file.items() if w}, **said}


# ---------------------------------------------------------------- merging into the original file


def _original_key(run: Run, original: Path) -> tuple[pd.DataFrame, pd.Series]:
    """Return (the original file's cells as strings, each row's respondent id as the run made it)."""
    manifest = run.manifest
    frame, *_ = read_table(original, manifest.setting("ingest", "sheet"), bool(manifest.setting("ingest", "skip_bad_rows", False)),
                           int(manifest.setting("ingest", "header_row", 1) or 1))
    id_column = manifest.input.id_column
    if id_column is None:  # the run numbered the data rows
        return frame, pd.Series([str(i + 1) for i in frame.index], index=frame.index)
    if id_column not in frame.columns:
        raise AvovastausError("E321", run=run.path, path=original, column=f"'{id_column}'", detail=f"it has no column '{id_column}'")
    key = frame[id_column].astype(str).str.strip()
    repeated = key[key.ne("") & key.duplicated(keep=False)]
    if len(repeated):
        raise AvovastausError("E321", run=run.path, path=original, column=f"'{id_column}'",
                              detail=f"ids repeat in it ({', '.join(sorted(set(repeated))[:5])}), so a row cannot be matched to one respondent")
    return frame, key


def _original_variables(original: Path, frame: pd.DataFrame, target: str) -> list[Variable]:
    """Return the original file's columns as variables: with their types and labels for an SPSS/Stata file, else as text."""
    if original.suffix.lower() in STAT_FORMATS:
        native, meta = read_native(original)
        if len(native) == len(frame) and len(native.columns) == len(frame.columns):
            native.index = frame.index
            wordings = dict(zip(meta.column_names, meta.column_labels or [None] * len(meta.column_names)))
            value_labels = getattr(meta, "variable_value_labels", None) or {}
            out = []
            for column in native.columns:
                data = native[column]
                if data.dtype == object:
                    data = data.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else v)
                out.append(Variable(column, data, label=str(wordings.get(column) or ""), value_labels=dict(value_labels.get(column, {})),
                                    values="alkuperäinen muuttuja"))
            return out
    return [Variable(c, _typed(frame[c]) if target in ("spss", "stata") else frame[c], label=str(c), values="alkuperäinen muuttuja") for c in frame.columns]


def _typed(cells: pd.Series) -> pd.Series:
    """Return a text column as numbers when every non-empty cell reads back as the same text (``007`` stays text), else as it is."""
    filled = cells[cells.ne("")]
    if filled.empty:
        return cells
    numbers = pd.to_numeric(filled, errors="coerce")
    if numbers.isna().any():
        return cells
    as_text = [str(int(v)) if float(v).is_integer() else repr(float(v)) for v in numbers]
    if list(filled) != as_text:
        return cells
    return pd.to_numeric(cells.replace("", np.nan), errors="coerce").astype(float)


def _merge(run: Run, original: Path, ids: pd.Index, variables: list[Variable], target: str) -> tuple[list[Variable], int, list[str], list[str]]:
    """Return (the original's columns then the theme variables, one per original row; row count; unmatched original ids; unmatched run ids)."""
    frame, key = _original_key(run, original)
    themes = [v for v in variables if v.question]  # id and groups are in the original already
    merged = _original_variables(original, frame, target)
    for variable in themes:
        data = variable.data.reindex(key.values)
        data.index = frame.index
        merged.append(Variable(variable.wanted, data, variable.label, variable.question, variable.theme, variable.value_labels, variable.values))
    known = set(ids)
    unmatched_original = [str(k) if k else f"(rivi {i + 1}: tyhjä tunniste)" for i, k in zip(frame.index, key) if k not in known]
    in_original = set(key)
    unmatched_run = [i for i in ids if i not in in_original]
    return merged, len(frame), unmatched_original, unmatched_run


# ---------------------------------------------------------------- writing


def _name_all(variables: list[Variable]) -> None:
    for variable, name in zip(variables, unique_names([v.wanted for v in variables])):
        variable.name = name


def _frame(variables: list[Variable], target: str) -> pd.DataFrame:
    columns = {}
    for v in variables:
        data = v.data.reset_index(drop=True)
        if target in ("csv", "parquet") and v.value_labels and pd.api.types.is_float_dtype(data):
            data = data.astype("Int64")  # codes read as whole numbers; missing stays missing
        elif data.dtype == object:
            data = data.map(lambda x: "" if x is None or (isinstance(x, float) and np.isnan(x)) else x)
        columns[v.name] = data
    return pd.DataFrame(columns)


def _write_stat(frame: pd.DataFrame, variables: list[Variable], path: Path, target: str) -> None:
    import pyreadstat

    limit = STATA_LABEL if target == "stata" else 256
    labels = {v.name: (v.label if len(v.label) <= limit else v.label[: limit - 1] + "…") for v in variables}
    value_labels = {v.name: {(float(k) if not isinstance(k, str) else k): str(l)[:32000] for k, l in v.value_labels.items()}
                    for v in variables if v.value_labels and pd.api.types.is_numeric_dtype(frame[v.name])}
    if target == "stata":  # Stata labels whole-number codes only
        value_labels = {n: {int(k): l for k, l in labels_.items()} for n, labels_ in value_labels.items()
                        if all(isinstance(k, float) and k.is_integer() for k in labels_)}
    write = pyreadstat.write_sav if target == "spss" else pyreadstat.write_dta

    def run(tmp: Path) -> None:
        try:
            write(frame, str(tmp), column_labels=labels, variable_value_labels=value_labels)
        except Exception as exc:  # noqa: BLE001 - pyreadstat raises several types for a value the format cannot hold
            raise AvovastausError("E322", kind={"spss": "SPSS", "stata": "Stata"}[target], path=path, detail=str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None

    atomic_write(path, run)


def _codebook(variables: list[Variable]) -> pd.DataFrame:
    return pd.DataFrame([{"variable": v.name, "label": v.label, "question": v.question, "theme": v.theme, "values": v.values} for v in variables],
                        columns=["variable", "label", "question", "theme", "values"])


def default_out(run_dir: Path, target: str) -> Path:
    """Return where an export goes without --out: ``RUN/export.<suffix>``."""
    return Path(run_dir) / f"export{SUFFIXES[target]}"


def _check_target(target: str, out: Path, run_dir: Path, merge_into: Path | None) -> None:
    if target not in SUFFIXES:
        raise AvovastausError("E320", target=f"'{target}'", detail="not a format this version writes")
    if out.suffix.lower() != SUFFIXES[target]:
        raise AvovastausError("E320", target=target, detail=f"--out {out} does not end in {SUFFIXES[target]}")
    fix = "Choose another --out: an export never replaces the run's own files or the survey file."
    if out.is_dir():
        raise AvovastausError("E308", path=out, detail="it is a folder", fix=fix)
    if not out.parent.is_dir():
        raise AvovastausError("E308", path=out, detail=f"the folder {out.parent} does not exist", fix="Create the folder first, or choose another --out.")
    resolved = out.resolve()
    protected = {(Path(run_dir) / name).resolve() for name in (*OUTPUTS, *TABLES)}
    if merge_into is not None:
        protected.add(Path(merge_into).resolve())
    if resolved in protected:
        raise AvovastausError("E308", path=out, detail="it is the run's own file or the survey file", fix=fix)


def export_run(run_dir: Path, target: Target, out: Path | None = None, merge_into: Path | None = None) -> ExportResult:
    """Return what was written: the run's themes as one row per respondent (or merged into ``merge_into``'s rows) in ``target``'s format, and its codebook."""
    run_dir = Path(run_dir)
    if target not in SUFFIXES:
        raise AvovastausError("E320", target=f"'{target}'", detail="not a format this version writes")
    out = Path(out) if out is not None else default_out(run_dir, target)
    _check_target(target, out, run_dir, merge_into)
    run = load_run(run_dir)
    if target in REFI:
        if merge_into is not None:
            raise AvovastausError("E320", target=target, detail="--merge-into adds variables to a survey file; a REFI-QDA project holds none")
        from avovastaus.io.refi import write_qdc, write_qdpx

        return (write_qdpx if target == "qdpx" else write_qdc)(run, out)  # type: ignore[return-value]
    ids, variables = theme_variables(run)
    unmatched_original: list[str] = []
    unmatched_run: list[str] = []
    rows = len(ids)
    if merge_into is not None:
        variables, rows, unmatched_original, unmatched_run = _merge(run, Path(merge_into), ids, variables, target)
        if unmatched_original:
            log.warning("%d original row(s) are not in the run: their theme variables are missing", len(unmatched_original))
    elif target in ("spss", "stata"):
        variables[0].data = _typed(variables[0].data.astype(str))
    _name_all(variables)
    frame = _frame(variables, target)
    if target in ("spss", "stata"):
        _write_stat(frame, variables, out, target)
    elif target == "csv":
        atomic_write(out, lambda tmp: write_csv(frame, tmp, escape=run.manifest.csv_formula_escape))
    else:
        atomic_write(out, lambda tmp: frame.to_parquet(tmp, index=False))
    codebook = out.with_name(out.name + ".codebook.csv")
    atomic_write(codebook, lambda tmp: write_csv(_codebook(variables), tmp, escape=True))
    return ExportResult(out, codebook, rows, len(variables), Path(merge_into) if merge_into is not None else None, unmatched_original, unmatched_run)
