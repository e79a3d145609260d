"""Hostile inputs: does `avovastaus run` refuse each with a coded error (or complete) in bounded time and memory?

Every case writes its input into a temporary folder, runs the CLI on it as a subprocess under
``/usr/bin/time -f "%e %M"`` and a ``timeout 300`` watchdog, and records the wall seconds, the peak
RSS, the exit code and the first stderr line that carries an error code (E123), or "completed" for
exit 0. The table is printed and written to ``benchmarks/results/hostile.md`` (a section of RESULTS.md).

    python benchmarks/hostile.py                 # every case
    python benchmarks/hostile.py --only xlsx-bomb
    python benchmarks/hostile.py --no-write      # print only

Nothing is written into the repository except the results file; runs, caches and inputs live in
a temporary folder that is removed at the end (``--keep`` keeps it).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
RESULTS_FILE = PROJECT / "benchmarks" / "results" / "hostile.md"
CORPUS = PROJECT / "corpora" / "kuntajarjesto" / "answers.csv"
VENV_BIN = PROJECT / ".venv" / "bin"
CLI = VENV_BIN / "avovastaus" if (VENV_BIN / "avovastaus").exists() else Path(shutil.which("avovastaus") or "avovastaus")

WATCHDOG_S = 300
CODE = re.compile(r"\bE\d{3}\b")
#: the options every run gets that gets past reading its settings (the static-fi embedder, no progress bars)
FAST = ["--fast", "--quiet"]

TINY_ANSWERS = [
    "Yhteistyö kunnan kanssa toimii hyvin ja yhteyshenkilö vastaa nopeasti.",
    "Avustusten hakeminen on liian byrokraattista pienelle yhdistykselle.",
    "Tilojen saaminen on vaikeaa, kunnan salit ovat aina varattuja.",
    "Kunta ei kuuntele järjestöjä päätöksenteossa.",
    "Toivoisimme säännöllisiä tapaamisia kunnan viranhaltijoiden kanssa.",
    "Vapaaehtoisten jaksaminen on suurin huolemme.",
    "Hankerahoitus loppuu aina juuri kun toiminta on päässyt vauhtiin.",
    "Kunnan nettisivuilta on vaikea löytää tietoa avustuksista.",
    "Yhteistyö on parantunut viime vuosina selvästi.",
    "Järjestöjen asiantuntemusta voisi hyödyntää enemmän palveluiden suunnittelussa.",
    "Tilavuokrat ovat nousseet niin paljon, ettei meillä ole niihin varaa.",
    "Hyvinvointialueen tulo sekoitti yhteistyökuviot täysin.",
    "En osaa sanoa.",
    "Kunnan järjestöyhdyshenkilö on korvaamaton apu.",
    "Avustuspäätökset tulevat liian myöhään keväällä.",
    "Toivomme pitkäjänteistä rahoitusta yksittäisten hankkeiden sijaan.",
    "Nuorisotyössä yhteistyö koulujen kanssa toimii erinomaisesti.",
    "Kuntalaisten osallistaminen jää usein pelkäksi muodollisuudeksi.",
    "Tiedotus kunnan ja järjestöjen välillä on puutteellista.",
    "Meidät kutsutaan kuulemisiin, mutta mielipiteillämme ei ole vaikutusta.",
    "Kunnan tilojen käyttö pitäisi olla järjestöille maksutonta.",
    "Järjestöjen keskinäinen yhteistyö on vilkasta ja antoisaa.",
    "Avustusten raportointi vie kohtuuttomasti aikaa.",
    "Liikuntapaikkojen vuorojaosta pitäisi sopia avoimemmin.",
    "Ikäihmisten palveluissa järjestöjen rooli on kasvanut.",
    "Kunta voisi tarjota koulutusta yhdistysten hallituksille.",
    "Kulttuuritoimen kanssa yhteistyö sujuu mutkattomasti.",
    "Yhteistyösopimukset selkeyttäisivät vastuita.",
    "Pienet yhdistykset jäävät isojen järjestöjen varjoon.",
    "Ei kommentoitavaa.",
]


# ---------------------------------------------------------------- inputs


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def tiny_csv(work: Path) -> Path:
    """A small valid survey: id,vastaus with 30 Finnish answers."""
    path = work / "tiny.csv"
    if not path.exists():
        write_csv(path, ["id", "vastaus"], [[f"r{i + 1:02d}", text] for i, text in enumerate(TINY_ANSWERS)])
    return path


def billion_laughs(path: Path, levels: int = 9, width: int = 10) -> Path:
    """YAML whose aliases of aliases expand to width**levels strings (10**9 for the defaults)."""
    lines = ['a0: &a0 "lol"']
    for level in range(1, levels + 1):
        aliases = ", ".join([f"*a{level - 1}"] * width)
        lines.append(f"a{level}: &a{level} [{aliases}]")
    lines.append(f"themes: *a{levels}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def big_yaml(path: Path, megabytes: int = 50) -> Path:
    """A valid YAML document of ``megabytes`` MB: one long comment line, then an empty codebook mapping."""
    chunk = "#" + "x" * ((1 << 20) - 2) + "\n"  # 1 MiB comment lines
    with path.open("w", encoding="ascii") as handle:
        for _ in range(megabytes):
            handle.write(chunk)
        handle.write("themes: []\n")
    return path


def deep_yaml(path: Path, depth: int = 100_000) -> Path:
    """A flow sequence nested ``depth`` levels deep: '[[[[...]]]]'."""
    path.write_text("[" * depth + "]" * depth + "\n", encoding="ascii")
    return path


def xlsx_bomb(path: Path, expanded_bytes: int = 2 * 10**9) -> Path:
    """An XLSX-shaped zip whose sheet1.xml inflates to ``expanded_bytes`` of '<c><v>0</v></c>' (a few MB packed).

    Written in a streaming way (ZIP64, deflated chunks), so the generator never holds the sheet in memory.
    """
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    )
    head = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
    )
    tail = b"</row></sheetData></worksheet>"
    cell = b"<c><v>0</v></c>"
    block = cell * ((8 << 20) // len(cell))  # ~8 MB of cells per write
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(head)
            written = 0
            while written < expanded_bytes:
                sheet.write(block)
                written += len(block)
            sheet.write(tail)
    return path


def wide_csv(path: Path, columns: int = 16_384, rows: int = 5) -> Path:
    """``columns`` columns all named 'x' (the most Excel has) and ``rows`` data rows of short answers."""
    body = [[TINY_ANSWERS[r]] * columns for r in range(rows)]
    return write_csv(path, ["x"] * columns, body)


def corpus_column(name: str) -> list[str]:
    with CORPUS.open(encoding="utf-8", newline="") as handle:
        return [row[name] for row in csv.DictReader(handle) if row[name].strip()]


def many_groups_csv(path: Path, respondents: int = 10_000) -> Path:
    """Every respondent in a group of their own (org = org{i}), and a second group column from the corpus."""
    answers = corpus_column("yhteistyo_nyt")
    kinds = corpus_column("vastaajaryhma")
    rows = []
    for i in range(respondents):
        text = answers[i % len(answers)]
        if i >= len(answers):  # distinct answers after the first pass over the corpus
            text = f"{text} {i}"
        rows.append([f"r{i:05d}", text, f"org{i}", kinds[i % len(kinds)]])
    return write_csv(path, ["id", "vastaus", "org", "ryhma"], rows)


def nan_config(path: Path) -> Path:
    path.write_text("[summarize]\nalpha = nan\n", encoding="utf-8")
    return path


def binary_parquet(path: Path) -> Path:
    """A Parquet file whose 'vastaus' column is binary (bytes values), beside a string id column."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    values = [text.encode("utf-8") for text in TINY_ANSWERS]
    table = pa.table({"id": pa.array([f"r{i}" for i in range(len(values))], pa.string()), "vastaus": pa.array(values, pa.binary())})
    pq.write_table(table, path)
    return path


# ---------------------------------------------------------------- cases


@dataclass(frozen=True)
class Case:
    name: str
    what: str
    #: build(work) -> the arguments after `avovastaus run` (without --out)
    build: Callable[[Path], list[str]]


def _codebook_case(make: Callable[[Path], Path], filename: str) -> Callable[[Path], list[str]]:
    return lambda work: [str(tiny_csv(work)), "--codebook", str(make(work / filename)), *FAST]


CASES = [
    Case(
        "baseline-tiny",
        "not hostile: the tiny valid CSV (id,vastaus, 30 Finnish answers), for the cost of a normal small run",
        lambda work: [str(tiny_csv(work)), "--codebook", "none", *FAST],
    ),
    Case(
        "billion-laughs",
        "codebook YAML of 9 levels of anchors, each a list of 10 aliases to the previous (10^9 strings expanded)",
        _codebook_case(billion_laughs, "laughs.yaml"),
    ),
    Case("codebook-50mb", "a 50 MB codebook YAML (1 MiB comment lines, then `themes: []`)", _codebook_case(big_yaml, "big.yaml")),
    Case("yaml-deep", "codebook YAML nested 100,000 levels deep (`[` * 100000)", _codebook_case(deep_yaml, "deep.yaml")),
    Case(
        "xlsx-bomb",
        "an XLSX zip whose sheet1.xml inflates to ~2 GB of `<c><v>0</v></c>` (ZIP64, deflated)",
        lambda work: [str(xlsx_bomb(work / "bomb.xlsx")), "--text", "vastaus", "--codebook", "none", *FAST],
    ),
    Case(
        "csv-16384-cols",
        "CSV of 16,384 columns all named `x`, 5 data rows; `--text x`",
        lambda work: [str(wide_csv(work / "wide.csv")), "--text", "x", "--codebook", "none", *FAST],
    ),
    Case(
        "groups-10000",
        "10,000 respondents, each in a group of their own (`--group org --group ryhma`)",
        lambda work: [
            str(many_groups_csv(work / "groups.csv")),
            "--id",
            "id",
            "--text",
            "vastaus",
            "--group",
            "org",
            "--group",
            "ryhma",
            "--codebook",
            "none",
            *FAST,
        ],
    ),
    Case(
        "config-nan",
        "config TOML `[summarize] alpha = nan` on the tiny CSV",
        lambda work: [str(tiny_csv(work)), "--config", str(nan_config(work / "nan.toml")), "--codebook", "none", *FAST],
    ),
    Case(
        "dask-garbage", "`--dask not-an-address` on the tiny CSV", lambda work: [str(tiny_csv(work)), "--dask", "not-an-address", "--codebook", "none", *FAST]
    ),
    Case("dask-empty", '`--dask ""` on the tiny CSV', lambda work: [str(tiny_csv(work)), "--dask", "", "--codebook", "none", *FAST]),
    Case(
        "dask-tls",
        "`--dask tls://localhost:8786` on the tiny CSV",
        lambda work: [str(tiny_csv(work)), "--dask", "tls://localhost:8786", "--codebook", "none", *FAST],
    ),
    Case(
        "parquet-binary",
        "Parquet whose `vastaus` column holds bytes values; `--text vastaus`",
        lambda work: [str(binary_parquet(work / "binary.parquet")), "--text", "vastaus", "--codebook", "none", *FAST],
    ),
]


# ---------------------------------------------------------------- running


@dataclass
class Result:
    case: str
    wall_s: float | None
    peak_rss_mb: float | None
    exit_code: int
    outcome: str
    input_mb: float
    gen_s: float
    #: the run's manifest.json when it completed (stage timings, warnings), else empty
    manifest: dict = field(default_factory=dict)


def _input_size_mb(work: Path) -> float:
    return sum(p.stat().st_size for p in work.iterdir() if p.is_file()) / 1e6


def _outcome(exit_code: int, stderr: str, root: Path) -> str:
    """'completed', else the first stderr line with an error code (and the next line when it ends in ':', the list it opens)."""
    if exit_code == 0:
        return "completed"
    lines = [line.strip().replace(str(root), "$TMP") for line in stderr.splitlines()]
    for i, line in enumerate(lines):
        if CODE.search(line):
            following = next((rest for rest in lines[i + 1 :] if rest), "")
            return f"{line} {following}" if line.endswith(":") and following else line
    if exit_code == 124:
        return f"killed by the {WATCHDOG_S} s watchdog"
    last = [line for line in stderr.splitlines() if line.strip()]
    return f"no error code; last stderr line: {last[-1].strip() if last else '(none)'}"


def _parse_time(path: Path) -> tuple[float | None, float | None]:
    """Return (wall s, peak RSS MB) from /usr/bin/time's output file (its last line is '%e %M')."""
    try:
        lines = [line for line in path.read_text().splitlines() if line.strip()]
        wall, kib = lines[-1].split()
        return float(wall), int(kib) / 1024
    except (OSError, ValueError, IndexError):
        return None, None


def run_case(case: Case, root: Path) -> Result:
    import subprocess

    work = root / case.name
    work.mkdir(parents=True)
    started = time.perf_counter()
    args = case.build(work)
    gen_s = time.perf_counter() - started
    size = _input_size_mb(work)
    out = work / "run"  # a fresh run folder for every case
    timing = work / "time.txt"
    env = dict(os.environ, AVOVASTAUS_CACHE_DIR=str(work / "cache"))  # embedding cache and error logs stay in the temp folder
    cmd = ["/usr/bin/time", "-f", "%e %M", "-o", str(timing), "timeout", "-k", "10", str(WATCHDOG_S), str(CLI), "run", *args, "--out", str(out)]
    proc = subprocess.run(cmd, cwd=work, env=env, stdin=subprocess.DEVNULL, capture_output=True, check=False, text=True, errors="replace")
    (work / "stderr.txt").write_text(proc.stderr, encoding="utf-8")
    wall, rss = _parse_time(timing)
    manifest: dict = {}
    if proc.returncode == 0:
        try:
            manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
    return Result(case.name, wall, rss, proc.returncode, _outcome(proc.returncode, proc.stderr, root), size, gen_s, manifest)


# ---------------------------------------------------------------- reporting


def _cell(text: str, limit: int = 160) -> str:
    text = text.replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def table(results: list[Result]) -> str:
    lines = ["| case | wall s | peak RSS MB | exit | first coded stderr line (or completed) |", "| --- | ---: | ---: | ---: | --- |"]
    for r in results:
        wall = f"{r.wall_s:.2f}" if r.wall_s is not None else "–"
        rss = f"{r.peak_rss_mb:.0f}" if r.peak_rss_mb is not None else "–"
        lines.append(f"| {r.case} | {wall} | {rss} | {r.exit_code} | {_cell(r.outcome)} |")
    return "\n".join(lines)


def _limits() -> list[str]:
    """The limits the project enforces, read from its sources (so the report follows them)."""
    try:
        from avovastaus.config import MAX_DEPTH, MAX_SETTINGS_BYTES
        from avovastaus.io.ingest import MAX_XLSX_RATIO, MAX_XLSX_UNCOMPRESSED
    except ImportError:
        return ["(the limits could not be imported: run with the project's virtual environment)"]
    return [
        (
            f"- config/codebook file: at most {MAX_SETTINGS_BYTES >> 20} MiB, checked before reading (E004); "
            f"YAML anchors and aliases refused (E004); nesting at most {MAX_DEPTH} levels (E004)"
        ),
        (
            f"- XLSX: refused from the zip directory, before decompressing, when its parts expand to more than "
            f"{MAX_XLSX_UNCOMPRESSED >> 20} MiB, or compress better than {MAX_XLSX_RATIO}x above 64 MiB (E114)"
        ),
        (
            "- a binary text column is refused (E115); config values are validated (E002); "
            "`--dask` addresses must be tcp://HOST:PORT, checked before connecting (E205)"
        ),
    ]


def markdown(results: list[Result], machine: str, partial: bool) -> str:
    intro = [
        "## Hostile inputs",
        "",
        (
            "Does `avovastaus run` refuse each hostile input with a coded error, or complete, in bounded time and memory? "
            f"Written by `benchmarks/hostile.py`{' (a partial run: `--only`)' if partial else ''}. Each case's input is generated "
            f'in a temporary folder and run as a subprocess under `/usr/bin/time -f "%e %M"` and a `timeout {WATCHDOG_S}` watchdog, '
            "with its own fresh `--out` folder and embedding cache; runs that get past their settings use "
            "`--fast` (the static-fi embedder), `--quiet` and `--codebook none`."
        ),
        "",
        f"Machine: {machine}.",
        "",
        "### Cases",
        "",
        *[f"- **{c.name}**: {c.what}" for c in CASES if any(r.case == c.name for r in results)],
        "",
        "### Limits the project enforces",
        "",
        *_limits(),
        "",
        "### Results",
        "",
        (
            "Wall seconds and peak RSS are of the CLI process (GNU time; the RSS is the largest of the process tree's). "
            "Generating the inputs is not timed in the table. Where the coded line ends in ':' (a list of problems follows), "
            "the next stderr line is appended; the temporary folder is shown as `$TMP`."
        ),
        "",
        table(results),
        "",
        ("Input sizes on disk (and seconds to generate them): " + ", ".join(f"{r.case} {r.input_mb:,.1f} MB ({r.gen_s:.1f} s)" for r in results) + "."),
        "",
    ]
    completed = [r for r in results if r.exit_code == 0 and r.manifest]
    if completed:
        intro += ["### Completed runs", "", "From each run's manifest.json: its stage timings (s) and warnings.", ""]
        for r in completed:
            timings = r.manifest.get("timings_s") or {}
            stages = ", ".join(f"{k} {v:.1f}" for k, v in timings.items())
            counts = r.manifest.get("counts") or {}
            intro.append(f"- **{r.case}**: {counts.get('analysed', '?')} answers analysed; stages: {stages or '–'}.")
            intro += [f"  - warning: {_cell(w, 300)}" for w in r.manifest.get("warnings") or []]
        intro.append("")
    return "\n".join(intro)


def machine_line() -> str:
    cores = os.cpu_count()
    try:
        ram = next(int(line.split()[1]) / 2**20 for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal:"))
        ram_text = f"{ram:.1f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        ram_text = "unknown RAM"
    return (
        f"{cores} cores, {ram_text}, {platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=[c.name for c in CASES], action="append", help="run only this case (repeatable)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (inputs, runs, stderr) and print its path")
    parser.add_argument("--no-write", action="store_true", help=f"print the table only; do not write {RESULTS_FILE.name}")
    args = parser.parse_args(argv)
    for tool in ("/usr/bin/time", shutil.which("timeout")):
        if not tool or not Path(tool).exists():
            print(f"needs GNU time (/usr/bin/time) and timeout; missing: {tool}", file=sys.stderr)
            return 2

    cases = [c for c in CASES if not args.only or c.name in args.only]
    root = Path(tempfile.mkdtemp(prefix="avovastaus-hostile-"))
    results: list[Result] = []
    try:
        for case in cases:
            print(f"[{case.name}] generating and running …", file=sys.stderr, flush=True)
            result = run_case(case, root)
            print(f"[{case.name}] exit {result.exit_code} in {result.wall_s} s: {result.outcome[:120]}", file=sys.stderr, flush=True)
            results.append(result)
    finally:
        if args.keep:
            print(f"kept {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)

    text = table(results)
    print(text)
    if not args.no_write:
        RESULTS_FILE.write_text(markdown(results, machine_line(), partial=bool(args.only)), encoding="utf-8")
        print(f"wrote {RESULTS_FILE}", file=sys.stderr)
    bad = [r.case for r in results if r.exit_code != 0 and not CODE.search(r.outcome)]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
