"""Property-based fuzzing of the main job (issue #9, item 5).

Hypothesis generates hostile and malformed survey exports (tests/fuzz_inputs.py) and runs
`avovastaus run` on each, in-process, with the static-fi embedder. Whatever the input, the run
must end with exit 0 (a complete run directory) or exit 2 (a coded error and no run directory):
never a traceback, never a half-written or stray folder, never a formula in summary.xlsx or a
cell in answers.csv that a spreadsheet would read as one.

300 examples by default, derandomized (the same examples on every CI run);
AVOVASTAUS_FUZZ_EXAMPLES=5000 for a long local run.
"""

from __future__ import annotations

import csv
import functools
import os
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis.configuration import set_hypothesis_home_dir
from typer.testing import CliRunner

from avovastaus.cli import app

from .fuzz_inputs import Case, CsvLayout, Damage, JsonlLayout, Table, XlsxLayout, cases

EXAMPLES = int(os.environ.get("AVOVASTAUS_FUZZ_EXAMPLES", "300"))
RUN_FILES = ("manifest.json", "answers.csv", "themes.csv", "groups.csv", "summary.xlsx", "report.md", "report.html")
#: A cell starting with one of these is read as a formula by Excel or LibreOffice (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Longest text an Excel cell holds; a longer one makes Excel "repair" (truncate) the workbook.
EXCEL_CELL_LIMIT = 32_767
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")

runner = CliRunner()

# Hypothesis caches data under ./.hypothesis, already while pytest collects this module; tests never write
# into the working tree, so its home is a fixed folder in the system temp directory (unless set explicitly).
if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "avovastaus-hypothesis")


def cell_is_inert(value: str) -> bool:
    """Return True when a spreadsheet opening this CSV cell would not read it as a formula.

    Cells starting with = + - @ tab or CR must be neutralized by a leading apostrophe (so they
    start with "'" instead); plain numbers such as -0.12 stay as they are. Adjust here if the
    escaping rule changes.
    """
    return not value.startswith(FORMULA_STARTS) or bool(_NUMBER.match(value))


def check_run_dir(out: Path) -> None:
    """Assert that a finished run directory is complete and safe to open."""
    from openpyxl import load_workbook

    present = sorted(p.name for p in out.iterdir())
    assert set(RUN_FILES) <= set(present), f"incomplete run directory: {present}"
    assert not [n for n in present if n.startswith(".")], f"temporary files left in the run directory: {present}"
    with (out / "answers.csv").open(encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.reader(fh), start=1):
            live = [c for c in row if not cell_is_inert(c)]
            assert not live, f"answers.csv line {line}: cells a spreadsheet reads as formulas: {live!r}"
    workbook = load_workbook(out / "summary.xlsx")
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"summary.xlsx {sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    assert len(cell.value) <= EXCEL_CELL_LIMIT, f"summary.xlsx {sheet.title}!{cell.coordinate}: {len(cell.value)} characters"
    assert "<script" not in (out / "report.html").read_text(encoding="utf-8").lower(), "unescaped <script> in report.html"


def check_outcome(result, out: Path) -> None:
    """Assert the contract of `avovastaus run` on any input (see the module docstring)."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        # re-raised as is, so Hypothesis tells distinct bugs apart by where they were raised
        raise result.exception
    output = result.output
    assert "Traceback" not in output and "E900" not in output, output[-3000:]
    assert result.exit_code in (0, 2), f"exit {result.exit_code}: {output[-3000:]}"
    leftovers = [p.name for p in out.parent.glob(f".{out.name}.*")]
    assert not leftovers, f"stray folders beside the run directory: {leftovers}"
    if result.exit_code == 2:
        assert re.match(r"E\d{3}: ", output), f"exit 2 without a coded error: {output[-3000:]}"
        assert not out.exists(), "a failed run left a run directory"
    else:
        check_run_dir(out)


@pytest.fixture(scope="module")
def fuzz_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def loaded_once():
    """Load spaCy's Finnish pipeline once for all examples (each run would reload it: about 1.6 s).

    The loaded pipeline is only read by the job (tokenizer), so sharing it does not change results.
    """
    import spacy

    original = spacy.load
    load = functools.lru_cache(maxsize=4)(lambda name, exclude: original(name, exclude=list(exclude)))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(spacy, "load", lambda name, exclude=(), **kw: original(name, exclude=exclude, **kw) if kw else load(name, tuple(exclude)))
        yield


def _case(*rows, header=("id", "vastaus", "ryhmä"), layout=CsvLayout(), **flags) -> Case:
    flags.setdefault("id", "id")
    flags.setdefault("text", ("vastaus",))
    flags.setdefault("group", ("ryhmä",))
    return Case(table=Table(header, tuple(rows)), layout=layout, **flags)


_ANSWERS = (
    "Avustukset eivät riitä edes tilojen vuokraan.", "Tieto kunnan päätöksistä tulee meille liian myöhään.",
    "Yhteisiä tapaamisia pitäisi järjestää useammin.", "Järjestöjä kuullaan vasta, kun päätökset on jo tehty.",
)
#: 24 answers in 12 groups of two: every cell of groups.csv is suppressed (issue #9: NaN column widths in summary.xlsx)
SMALL_GROUPS = _case(*((f"R{i}", _ANSWERS[i % 4], f"ryhmä {i // 2}") for i in range(24)))
#: a formula in an answer became a formula cell in summary.xlsx (issue #9)
FORMULA = _case(*((f"R{i}", _ANSWERS[i % 4] if i else '=HYPERLINK("http://evil.example/x","klik")', "kaikki") for i in range(12)), group=())
#: NUL and control characters in an answer: openpyxl's IllegalCharacterError (issue #9)
CONTROL = _case(*((f"R{i}", _ANSWERS[i % 4] + (" \x00\x01\x1b" if i == 3 else ""), "kaikki") for i in range(12)), group=())
#: a 1 MB answer: spaCy E1041, text longer than nlp.max_length (issue #9)
HUGE = _case(*((f"R{i}", _ANSWERS[i % 4] * (24_000 if i == 0 else 1), "kaikki") for i in range(12)), group=())


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
@given(case=cases())
@example(case=SMALL_GROUPS)
@example(case=FORMULA)
@example(case=CONTROL)
@example(case=HUGE)
@example(case=_case(*((f"R{i}", _ANSWERS[i % 4], "") for i in range(12)), layout=XlsxLayout()))
@example(case=_case(("1", "Hyvä", "a"), ("2", "Huono"), layout=JsonlLayout(), damage=Damage(truncate_at=0.7)))
def test_any_survey_file_ends_in_a_complete_run_or_a_coded_error(case: Case, fuzz_folder: Path, loaded_once) -> None:
    with tempfile.TemporaryDirectory(dir=fuzz_folder) as folder:
        path = case.write(Path(folder))
        out = Path(folder) / "out" / "run"
        result = runner.invoke(app, ["run", str(path), *case.flags(), "--embedder", "static-fi", "--out", str(out), "--quiet"])
        check_outcome(result, out)
