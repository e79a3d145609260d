"""Typed schema for the pipeline config and the codebook.

Configs are TOML, codebooks YAML or REFI-QDA (``.qdc``, see :func:`read_qdc`). Unknown keys are
rejected with the dotted path of every bad key, so a typo never silently falls back to a default.

The default config and the default codebook ship inside the package
(``avovastaus/configs/``), so an installed wheel finds them without a checkout; the
checkout's top-level ``configs/`` holds symlinks to those same files.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from avovastaus.errors import AvovastausError
from avovastaus.qdc import QDC_FIELDS, read_qdc, theme_id  # noqa: F401 - re-exported: io.refi writes what read_qdc reads


PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_CONFIG = PACKAGE_DIR / "configs" / "default.toml"
DEFAULT_CODEBOOK = PACKAGE_DIR / "configs" / "codebook" / "kuntajarjesto.yaml"


def _checkout_root() -> Path | None:
    """Return the source checkout this package is imported from (``src/avovastaus`` layout), or None when installed."""
    root = PACKAGE_DIR.parents[1]
    return root if PACKAGE_DIR.parent.name == "src" and (root / "pyproject.toml").is_file() else None


#: the source checkout (editable install or PYTHONPATH=src), None for an installed wheel
CHECKOUT_ROOT = _checkout_root()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)  # nan = "should be a finite number", not "≤ 1"


class IngestConfig(_Strict):
    id: str | None = None
    text: list[str] = Field(default_factory=list)
    group: list[str] = Field(default_factory=list)
    weight: str | None = Field(None, description="design-weight column: shares, intervals and tests are weighted (positive numbers on every row)")
    sheet: str | None = None
    header_row: int = Field(1, ge=1, description="the row (1 = the first) holding the column names, for CSV/XLSX exports with title rows above them")
    skip_bad_rows: bool = Field(False, description="analyse a file with malformed rows without them (counted and listed); default: refuse the file")
    max_chars: int = Field(10_000, ge=100, description="longer answers are cut at a word boundary here (counted in the manifest and report)")


class FinnishConfig(_Strict):
    min_part_len: int = Field(4, ge=2, description="shortest compound head counted as a keyword")
    fuzzy_nonanswer: float = Field(0.86, gt=0, le=1, description="similarity for typo-tolerant non-answer phrases")
    yes_no_questions: list[str] = Field(
        default_factory=list,
        description="open questions (--text column names) that are yes/no statements: there a bare 'Ei.' or 'Ei ole.' is a stance "
        "and is analysed; every other question asks for a description, where it is excluded as no_comment",
    )

    def question_type(self, question: str) -> Literal["describe", "yesno"]:
        """Return the type of the open question ``question``: ``yesno`` when listed in ``yes_no_questions``, else ``describe``."""
        return "yesno" if question in self.yes_no_questions else "describe"


class EmbedConfig(_Strict):
    model: str = "e5-small"
    backend: Literal["auto", "torch", "onnx", "onnx-int8"] = Field(
        "auto", description="how the model runs; auto = onnx-int8 for e5-small (ONNX Runtime, int8 weights), torch otherwise")
    prompt: str | None = Field(None, description="text prefix; None = the model's clustering prompt ('query: ' for e5)")
    batch_size: int | None = Field(None, ge=1, description="texts per forward pass; None = the backend's best (32 torch, 16 ONNX)")
    cache: bool = True


class ComputeConfig(_Strict):
    dask: str | None = Field(None, description="address of a running Dask scheduler (tcp://host:8786) whose workers embed the answers; None = here")
    partition: int = Field(1024, ge=1, description="texts per Dask task")
    retries: int = Field(2, ge=0, description="times a failed Dask task is tried again")


class ClusterConfig(_Strict):
    n_themes: int | None = Field(None, ge=2, description="fix the number of discovered themes; None = found automatically (eigengap)")
    max_themes: int = Field(40, ge=2, description="most discovered themes the automatic choice may find")
    n_neighbors: int = Field(15, ge=2, description="neighbours per answer in the similarity graph")
    min_discovered: int = Field(8, ge=2, description="fewest answers a discovered theme may hold")
    assigner: Literal["classifier", "centroid"] = Field(
        "classifier", description="classifier = open-set, learns from evaluators; centroid = the older nearest-centroid rule that gives nearly every answer a theme")
    codebook_margin: float = Field(0.01, ge=0, le=1, description="widens the codebook: higher = more answers get a codebook theme (and more off-topic ones)")
    self_training: float = Field(0.0, ge=0, le=1, description="0 = off; else the classifier is refitted once with the survey's own codebook answers "
                                 "of at least this probability as further examples (the codebook learns the survey's wording)")
    max_themes_per_answer: int = Field(3, ge=1)
    max_unassigned: float = Field(0.05, ge=0, le=1, description="centroid assigner and --codebook none only: most answers left without a theme (share of analysed)")
    per_question: bool = Field(True, description="each open question gets its own discovered themes (a codebook theme is shared by the questions it applies to); "
                               "false = one theme space over all questions")


class LabelConfig(_Strict):
    n_keywords: int = Field(10, ge=1)
    n_examples: int = Field(5, ge=1)
    diversity: float = Field(0.3, ge=0, le=1, description="MMR trade-off: 0 = most central quotes, 1 = most diverse")


class SummarizeConfig(_Strict):
    correction: Literal["holm", "bh"] = "bh"
    min_cell: int = Field(5, ge=1, description="cells with fewer answers are suppressed")
    confidence: float = Field(0.95, gt=0, lt=1, description="level of the Wilson intervals")
    alpha: float = Field(0.05, gt=0, lt=1, description="significance level: a difference is reported when its adjusted p < alpha")


class StabilityConfig(_Strict):
    runs: int = Field(0, ge=0, description="resampled reruns for per-theme stability; 0 = off")
    sample: float = Field(0.8, gt=0, le=1, description="share of answers in each rerun")
    threshold: float = Field(0.6, ge=0, le=1, description="themes below this stability are flagged in the report")


class ReportConfig(_Strict):
    lang: Literal["fi", "en"] = Field("fi", description="language of report.html, report.md and the XLSX headers")
    redact: bool = Field(True, description="mask e-mail addresses and phone numbers in the reports (answers.csv keeps them)")
    n_quotes: int = Field(4, ge=1, le=50, description="representative quotes shown per theme in report.html")
    escape_formulas: bool = Field(True, description="prefix CSV cells starting with = + - @ tab or CR with an apostrophe, so a spreadsheet never runs an answer")
    xlsx_answers: int = Field(
        100_000, ge=0, description="the most answers summary.xlsx lists; a larger run's workbook holds the summaries only (answers.csv has every answer)",
    )


class QuestionConfig(_Strict):
    """What the researcher says of one open question (``[questions.COLUMN]``)."""

    label: str | None = Field(None, description="the question's wording, shown in the reports and the review app")
    codebook: str | None = Field(None, description="a codebook for this question only, or 'none' for discovery alone; unset = the run's codebook")
    kind: Literal["auto", "list", "text", "yesno"] = Field(
        "auto", description="list = answers list items (each coded on its own); text = one answer, one unit; yesno = a bare 'Ei.' is a stance; "
        "auto = list when most answers are lists of short phrases, else text")
    nothing_is_answer: bool | None = Field(
        None, description="is 'Ei mikään' / 'Ei mitään' an answer here (What makes you happy?) or a non-answer (What is bullying?); unset = read from the label")


class Config(_Strict):
    seed: int = 0
    codebook: str | None = Field("configs/codebook/kuntajarjesto.yaml", description="path, or 'none' for pure discovery")
    review_from: str | None = Field(None, description="run directory whose evaluator decisions are applied to this run")
    ingest: IngestConfig = Field(default_factory=IngestConfig)
    finnish: FinnishConfig = Field(default_factory=FinnishConfig)
    embed: EmbedConfig = Field(default_factory=EmbedConfig)
    compute: ComputeConfig = Field(default_factory=ComputeConfig)
    cluster: ClusterConfig = Field(default_factory=ClusterConfig)
    label: LabelConfig = Field(default_factory=LabelConfig)
    summarize: SummarizeConfig = Field(default_factory=SummarizeConfig)
    stability: StabilityConfig = Field(default_factory=StabilityConfig)
    report: ReportConfig = Field(default_factory=ReportConfig)
    questions: dict[str, QuestionConfig] = Field(default_factory=dict, description="per open question (its --text column name): wording, codebook, kind")

    def question(self, name: str) -> QuestionConfig:
        """Return what the config says of the open question ``name`` (defaults when it says nothing)."""
        return self.questions.get(name) or QuestionConfig()

    def codebook_of(self, name: str) -> str | None:
        """Return the codebook path that applies to question ``name``: its own (``none`` = no codebook), else the run's."""
        own = self.question(name).codebook
        if own is None:
            return self.codebook
        return None if own.strip().lower() in {"", "none"} else own

    @field_validator("codebook")
    @classmethod
    def _none_string(cls, value: str | None) -> str | None:
        return None if value is None or value.strip().lower() in {"", "none"} else value


class CodebookTheme(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    label: str = Field(min_length=1)
    description: str = Field(min_length=1)
    keywords: list[str] = Field(default_factory=list)
    examples: list[str] = Field(min_length=1)


class Codebook(_Strict):
    name: str
    description: str = ""
    language: Literal["fi"] = "fi"
    themes: list[CodebookTheme] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> "Codebook":
        ids = [t.id for t in self.themes]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"theme ids repeat: {', '.join(dup)}")
        return self


def _problems(error: ValidationError) -> str:
    lines = []
    for e in error.errors():
        path = " -> ".join(str(p) for p in e["loc"]) or "(top level)"
        msg = "unknown key" if e["type"] == "extra_forbidden" else e["msg"]
        lines.append(f"  [{path}] {msg}")
    return "\n".join(lines)


#: the largest config or codebook file read (a codebook of a hundred themes with examples is ~100 kB)
MAX_SETTINGS_BYTES = 5 << 20
#: the deepest nesting of lists and mappings a config or codebook may have (a codebook needs 4)
MAX_DEPTH = 32


class _NoAliasLoader(yaml.SafeLoader):
    """YAML without anchors and aliases: a codebook never needs them, and aliases of aliases expand to gigabytes ("billion laughs")."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.YAMLError(f"anchors and aliases (*{event.anchor}) are not allowed, at line {event.start_mark.line + 1}; write the values out")
        if self.depth > MAX_DEPTH:  # PyYAML would recurse until Python's stack ends (an error no user can read)
            raise yaml.YAMLError(f"nested more than {MAX_DEPTH} levels deep, at line {self.peek_event().start_mark.line + 1}")
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.depth = 0


def _read(path: Path, kind: str) -> dict[str, Any]:
    if not path.is_file():
        raise AvovastausError("E001" if kind == "toml" else "E005", path=path)
    size = path.stat().st_size
    if size > MAX_SETTINGS_BYTES:  # checked before reading a byte
        raise AvovastausError("E004", path=path, detail=f"{size / 1e6:.1f} MB, more than a config or codebook holds ({MAX_SETTINGS_BYTES >> 20} MB at most)")
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text) if kind == "toml" else yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except (tomllib.TOMLDecodeError, yaml.YAMLError, UnicodeDecodeError, RecursionError) as exc:
        detail = f"nested too deeply ({type(exc).__name__})" if isinstance(exc, RecursionError) else str(exc).splitlines()[0]
        raise AvovastausError("E004", path=path, detail=detail) from None
    return data or {}


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def load_config(path: Path | None = None, overrides: dict[str, Any] | None = None) -> Config:
    """Return the validated config: defaults <- ``path`` <- ``overrides`` (nested dicts)."""
    data = _read(DEFAULT_CONFIG, "toml")  # ships in the package; missing means a broken install, so say so
    source = DEFAULT_CONFIG
    if path is not None:
        data = _deep_merge(data, _read(Path(path), "toml"))
        source = Path(path)
    data = _deep_merge(data, overrides or {})
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise AvovastausError("E002", path=source, problems=_problems(exc)) from None


def resolve_path(value: str | Path) -> Path:
    """Return ``value`` as a path; a relative path missing from the cwd is tried in the checkout, then in the package.

    So the default ``configs/codebook/kuntajarjesto.yaml`` is found from any directory,
    with or without a checkout.
    """
    path = Path(value).expanduser()
    if path.is_absolute() or path.exists():
        return path
    for base in (CHECKOUT_ROOT, PACKAGE_DIR):
        if base is not None and (base / path).exists():
            return base / path
    return path


def load_codebook(path: str | Path) -> Codebook:
    """Return the validated codebook read from a YAML file, or from a REFI-QDA codebook (``.qdc``, see :func:`read_qdc`)."""
    resolved = resolve_path(path)
    data = read_qdc(resolved, MAX_SETTINGS_BYTES, MAX_DEPTH) if resolved.suffix.lower() == ".qdc" else _read(resolved, "yaml")
    try:
        return Codebook.model_validate(data)
    except ValidationError as exc:
        raise AvovastausError("E003", path=resolved, problems=_problems(exc), example=DEFAULT_CODEBOOK) from None


# ---------------------------------------------------------------- showing a config


def _toml_value(value: Any) -> str:
    """Return ``value`` as a TOML literal (strings, numbers, booleans and lists of them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML form for {value!r}")


def _toml_lines(model: BaseModel) -> tuple[list[str], list[tuple[str, BaseModel]]]:
    """Return (the ``key = value`` lines of a model's scalar fields, its sub-models by name)."""
    lines, tables = [], []
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            tables.append((name, value))
            continue
        if isinstance(value, dict):  # a table per key ([questions.COLUMN]); none set: say how to write one
            tables.extend((f"{name}.{json.dumps(key, ensure_ascii=False)}", sub) for key, sub in value.items())
            if not value:
                lines.append(f"# [{name}.COLUMN] tables: {field.description}; keys: {', '.join(QuestionConfig.model_fields)}")
            continue
        choices = get_args(field.annotation) if get_origin(field.annotation) is Literal else ()
        note = "; ".join(filter(None, [field.description, choices and "one of: " + ", ".join(choices)]))
        if note:
            lines.append(f"# {note}")
        # TOML has no null: an unset key is shown commented out, so the output still loads as it is
        lines.append(f"# {name} =   (not set)" if value is None else f"{name} = {_toml_value(value)}")
    return lines, tables


def dump_toml(config: Config) -> str:
    """Return ``config`` as TOML with every key and its description; ``load_config`` of it gives ``config`` back."""
    if config.codebook is None:  # an omitted codebook would mean the default one, so spell out "none"
        config = config.model_copy(update={"codebook": "none"})
    lines, tables = _toml_lines(config)
    for name, table in tables:
        table_lines, _ = _toml_lines(table)
        lines += ["", f"[{name}]", *table_lines]
    return "\n".join(lines) + "\n"


def show_config(path: Path | None = None) -> str:
    """Return the config in effect (defaults <- ``path``) as TOML, headed by where its parts come from."""
    config = load_config(path)
    head = [f"# avovastaus config: built-in defaults ({DEFAULT_CONFIG})" + (f" <- {path}" if path else "")]
    if config.codebook:
        head.append(f"# codebook resolves to {resolve_path(config.codebook).resolve()}")
    return "\n".join(head) + "\n" + dump_toml(config)
