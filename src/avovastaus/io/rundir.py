"""The run directory: which files it holds, how its tables are written and read back, and answer keys.

Every module that reads a run directory goes through :func:`load_run`, so there is one dtype
rule: text columns are strings (never NaN), counts are nullable integers, measures are floats.
CSV cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR) are
written with a leading apostrophe (OWASP's advice against CSV injection); the manifest records
it, and :func:`load_run` takes the apostrophe off again, so the tool always sees the answer as given.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from avovastaus.errors import AvovastausError
from avovastaus.io.staging import Output

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
TABLES = ("answers.csv", "themes.csv", "groups.csv")
#: each respondent group's distinctive words; runs made before it existed lack it
GROUP_WORDS = "group_words.csv"
REPORTS = ("report.html", "report.md", "summary.xlsx")
#: ``avovastaus effects``: covariate effects on themes, written into the run (a new run replaces them)
EFFECTS = "effects.csv"
EFFECTS_OUTPUTS = (EFFECTS, "effects.md", "effects.html")
OUTPUTS = ("manifest.json", *TABLES, *REPORTS)
#: the review journal and what sits beside it (SQLite's WAL files, readable exports of a damaged journal), and the reviewed export
REVIEW_WORK = ("review.sqlite", "review.sqlite-wal", "review.sqlite-shm", "review.sqlite.readable-*.jsonl", "reviewed")


def is_run(folder: Path) -> bool:
    """Return whether ``folder`` holds a run (a manifest of this format family and the answers table)."""
    try:
        manifest = json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return False
    return isinstance(manifest, dict) and "format_version" in manifest and "input" in manifest and (Path(folder) / "answers.csv").is_file()


#: what ``avovastaus run`` writes into its folder: it replaces only these; review work of a run it replaces is kept aside
RUN_OUTPUT = Output(
    "run", frozenset({*OUTPUTS, GROUP_WORDS, *EFFECTS_OUTPUTS, "review.sqlite"}), is_run, human=REVIEW_WORK,
    fix="Choose an empty or new folder with --out (a run replaces only an earlier run, with --force).",
)
INTEGER_COLUMNS = {"size", "n_group", "n_theme"}
FLOAT_COLUMNS = {"score", "confidence", "share", "weight", "n_effective", "share_unweighted", "ame", "se", "ame_low", "ame_high", "effective_n", "sd", "stability", "p_value", "p_adjusted", "ci_low", "ci_high", "share_rest", "diff", "diff_low", "diff_high"}
#: written unrounded (shortest exact repr): a p-value of 1.2e-13 must not read 0 (formatting is the reports' job)
EXACT_COLUMNS = {"p_value", "p_adjusted", "weight"}
BOOLEAN_COLUMNS = {"suppressed"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def answer_key(answer_id: str, question: str) -> str:
    """Return the key naming one answer in decisions: ``id/question``."""
    return f"{answer_id}/{question}"


def fingerprint(answers: pd.DataFrame) -> str:
    """Return the fingerprint of a run's answers: sha256 over every answer's key and text, in key order (row order does not count).

    A review journal records it with its first decision; a journal is applied only to a run with the same fingerprint.
    """
    rows = sorted(f"{answer_key(i, q)}\x1f{t}" for i, q, t in zip(answers["id"].astype(str), answers["question"].astype(str), answers["text"].astype(str)))
    digest = hashlib.sha256()
    for row in rows:
        digest.update(row.encode("utf-8", "surrogatepass") + b"\x1e")
    return digest.hexdigest()


def example_ref(answer_id: str, question: str, several_questions: bool) -> str:
    """Return how themes.csv names an answer among its examples: ``id`` for one question, ``id/question`` for several."""
    return answer_key(answer_id, question) if several_questions else str(answer_id)


def escape_formula(value: str) -> str:
    """Return ``value`` with a leading apostrophe when a spreadsheet would run it (or when it already starts with one, so the escape reverses)."""
    return "'" + value if value.startswith(FORMULA_STARTS) or value.startswith("'") else value


def unescape_formula(value: str) -> str:
    """Return the cell as it was before :func:`escape_formula`."""
    return value[1:] if value.startswith("'") else value


def write_csv(frame: pd.DataFrame, path: Path, escape: bool = True) -> None:
    """Write a run table as UTF-8 CSV; text cells are formula-escaped unless ``escape`` is false."""
    if escape:
        frame = frame.copy()
        for column in frame.columns:
            if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
                frame[column] = [escape_formula(v) if isinstance(v, str) else v for v in frame[column]]
        frame.columns = [escape_formula(str(c)) for c in frame.columns]  # group column names come from the survey too
    exact = [c for c in frame.columns if c in EXACT_COLUMNS]
    if exact:
        frame = frame.copy()
        for column in exact:
            frame[column] = ["" if pd.isna(v) else repr(float(v)) for v in frame[column]]
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n", float_format="%.4f")


def read_csv(path: Path, escaped: bool) -> pd.DataFrame:
    """Return a run table with the one dtype rule: strings for text, Int64 for counts, floats for measures, bools for flags."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8")
    if escaped:
        frame.columns = [unescape_formula(c) for c in frame.columns]
    for column in frame.columns:
        if column in INTEGER_COLUMNS:
            frame[column] = pd.to_numeric(frame[column].replace("", None), errors="coerce").astype("Int64")
        elif column in FLOAT_COLUMNS:
            frame[column] = pd.to_numeric(frame[column].replace("", None), errors="coerce").astype(float)
        elif column in BOOLEAN_COLUMNS:
            frame[column] = frame[column].str.lower().eq("true")
        elif escaped:
            frame[column] = frame[column].map(unescape_formula).astype(object)
        else:
            frame[column] = frame[column].astype(object)
    return frame


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as indented UTF-8 JSON."""
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- the manifest, typed


class _Record(BaseModel):
    # a later version may add keys: they are kept, and readers of this version ignore them
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class InputInfo(_Record):
    path: str
    sha256: str
    format: str
    id_column: str | None = None
    text_columns: list[str] = Field(default_factory=list)
    group_columns: list[str] = Field(default_factory=list)
    #: the design-weight column (answers.csv holds its values as ``weight``); None = unweighted
    weight_column: str | None = None
    skipped_rows: list[dict[str, Any]] = Field(default_factory=list)
    truncated: dict[str, Any] = Field(default_factory=dict)


class Counts(_Record):
    respondents: int
    read: int
    excluded: int
    excluded_by_reason: dict[str, int]
    analysed: int
    unassigned: int
    unassigned_share: float
    multi_theme_answers: int = 0
    skipped_rows: int = 0
    truncated: int = 0
    control_characters_replaced: int = 0


class CodebookInfo(_Record):
    path: str
    sha256: str
    name: str
    themes: int


class EmbedderInfo(_Record):
    id: str
    checksum: str | None = None
    prompt: str | None = None
    cache: dict[str, int] = Field(default_factory=dict)
    max_tokens: int | None = None


class ThemesInfo(_Record):
    total: int
    codebook: int
    discovered: int


class StatisticsInfo(_Record):
    interval: str
    significance_level: float = 0.05
    test: str
    multiple_testing: str
    family: str
    suppressed_below: int = 5
    tests: dict[str, int] = Field(default_factory=dict)
    #: the design-weight column the shares, intervals and tests use; None = unweighted
    weight: str | None = None
    #: per group column, how many groups under the suppression limit were pooled into one (a column of nearly unique values)
    pooled_groups: dict[str, int] = Field(default_factory=dict)


class StabilityInfo(_Record):
    runs: int
    sample: float
    threshold: float
    mean: float | None = None
    flagged: list[str] = Field(default_factory=list)


class ReviewInfo(_Record):
    source: str = Field(alias="from")
    applied: int
    not_applied: list[dict[str, Any]] = Field(default_factory=list)
    #: answers whose decisions the codebook classifier learned from (runs before 0.2: absent)
    taught: int = 0


class Manifest(_Record):
    """``manifest.json``: what was read, counted, configured and computed, and with which versions."""

    format_version: int = 0
    avovastaus: str
    input: InputInfo
    csv_formula_escape: bool = False
    counts: Counts
    seed: int
    config: dict[str, Any]
    codebook: CodebookInfo | None = None
    embedder: EmbedderInfo
    themes: ThemesInfo
    statistics: StatisticsInfo
    stability: StabilityInfo | None = None
    review: ReviewInfo | None = None
    versions: dict[str, str] = Field(default_factory=dict)
    timings_s: dict[str, float] = Field(default_factory=dict)

    def setting(self, section: str, key: str, default: Any = None) -> Any:
        """Return the run's config value ``[section] key`` (``default`` for runs made before the key existed)."""
        return (self.config.get(section) or {}).get(key, default)

    def dump(self) -> dict[str, Any]:
        """Return the manifest as written to manifest.json."""
        return self.model_dump(mode="json", by_alias=True)


@dataclass
class Run:
    """The manifest and tables of a run directory, read with the one dtype rule."""

    path: Path
    manifest: Manifest
    answers: pd.DataFrame
    themes: pd.DataFrame
    groups: pd.DataFrame
    group_words: pd.DataFrame | None = None
    #: effects.csv, when ``avovastaus effects`` has been run on it
    effects: pd.DataFrame | None = None

    @functools.cached_property
    def fingerprint(self) -> str:
        """The fingerprint of its answers (:func:`fingerprint`), which its review journal must record."""
        return fingerprint(self.answers)

    @property
    def several_questions(self) -> bool:
        return len(self.manifest.input.text_columns) > 1

    @property
    def weight(self) -> str | None:
        """The design-weight column its shares, intervals and tests use (answers.csv holds the values as ``weight``); None = unweighted."""
        return self.manifest.input.weight_column


def load_manifest(run_dir: Path) -> Manifest:
    """Return the run's manifest; a coded error when it is missing, unreadable or from an incompatible version."""
    path = Path(run_dir) / "manifest.json"
    if not path.is_file():
        raise AvovastausError("E302", path=run_dir, detail="manifest.json is missing")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise AvovastausError("E302", path=run_dir, detail=f"manifest.json is not valid JSON ({exc})") from None
    version = manifest.get("format_version", 0) if isinstance(manifest, dict) else None
    if not isinstance(version, int) or isinstance(version, bool):  # "1" is not a newer format, it is a damaged manifest
        raise AvovastausError("E302", path=run_dir, detail=f"manifest.json's format_version is {version!r}, not a whole number")
    if version > FORMAT_VERSION:
        raise AvovastausError("E306", path=run_dir, found=version, supported=FORMAT_VERSION)
    try:
        return Manifest.model_validate(manifest)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5])
        raise AvovastausError("E302", path=run_dir, detail=f"manifest.json does not match the format ({problems})") from None


def load_run(run_dir: Path) -> Run:
    """Return the run directory's manifest and tables (the only place that reads them)."""
    run_dir = Path(run_dir)
    missing = [n for n in ("manifest.json", *TABLES) if not (run_dir / n).is_file()]
    if missing:
        raise AvovastausError("E302", path=run_dir, detail=f"missing {', '.join(missing)}")
    manifest = load_manifest(run_dir)
    escaped = manifest.csv_formula_escape
    tables = {}
    for name in TABLES:
        try:
            tables[name] = read_csv(run_dir / name, escaped)
        except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise AvovastausError("E302", path=run_dir, detail=f"{name} cannot be read ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from None
    read, held = manifest.counts.read, len(tables["answers.csv"])
    if held != read:
        raise AvovastausError("E302", path=run_dir, detail=f"answers.csv holds {held} answers but its manifest says {read} were read: "
                              "the table was cut short or edited after the run; run the analysis again")
    words = None
    if (run_dir / GROUP_WORDS).is_file():
        with contextlib.suppress(ValueError, pd.errors.ParserError, UnicodeDecodeError):  # optional: a report without the words
            words = read_csv(run_dir / GROUP_WORDS, escaped)
    effects = None
    if (run_dir / EFFECTS).is_file():
        with contextlib.suppress(ValueError, pd.errors.ParserError, UnicodeDecodeError):  # optional: a report without the effects section
            effects = read_csv(run_dir / EFFECTS, escaped)
    return Run(run_dir, manifest, tables["answers.csv"], tables["themes.csv"], tables["groups.csv"], words, effects)





