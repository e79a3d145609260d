"""Shared helpers of the benchmark scripts: paths, skipping without shared data, machine facts, results files,
and our method as the pipeline builds it (:func:`ours_model`, :func:`precomputed`)."""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Sequence

if TYPE_CHECKING:  # the library is imported lazily: a script without its data exits before loading it
    import numpy as np

    from avovastaus.config import Config
    from avovastaus.embed.backends import Embedder
    from avovastaus.themes.model import Features, ThemeModel

#: the project root (this file is <root>/benchmarks/common.py)
PROJECT = Path(__file__).resolve().parents[1]
#: data sets shared beside the project: ``<root>/../shared/data`` (never copied into the project)
SHARED = PROJECT.parent / "shared" / "data"
BENCH = PROJECT / "benchmarks"
RESULTS = BENCH / "results"
#: embedding cache of the benchmarks (git-ignored: ``/benchmarks/.cache/``)
CACHE = BENCH / ".cache"


def require_shared(name: str) -> Path:
    """Return ``../shared/data/<name>``; print a SKIP line and exit 0 when it is absent (e.g. CI without the data)."""
    path = SHARED / name
    if not path.is_file():
        print(f"SKIP: ../shared/data/{name} not found (looked in {path})")
        sys.exit(0)
    return path


def memory_gib() -> float | None:
    """Return the machine's total memory in GiB from /proc/meminfo, or None where it cannot be read."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return None


def cpu_model() -> str:
    """Return the CPU model name from /proc/cpuinfo, else platform.processor()."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine() -> dict[str, str]:
    """Return facts about this machine and run: cores, RAM, CPU, OS, Python, date (UTC)."""
    ram = memory_gib()
    return {
        "cores": str(os.cpu_count()),
        "ram": f"{ram:.1f} GiB" if ram is not None else "unknown",
        "cpu": cpu_model(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def source_line() -> str:
    """Return the library's version and a fingerprint of its sources (src/ changes between runs; no git needed)."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted((PROJECT / "src" / "avovastaus").rglob("*")):
        if path.is_file() and path.suffix in {".py", ".txt"}:
            digest.update(path.relative_to(PROJECT).as_posix().encode() + b"\0" + path.read_bytes())
    try:
        from avovastaus import __version__
    except ImportError:
        __version__ = "?"
    return f"avovastaus {__version__}, sources sha256 {digest.hexdigest()[:12]}"


def machine_line() -> str:
    """Return the machine facts on one Markdown line."""
    m = machine()
    return f"{m['cores']} cores ({m['cpu']}), {m['ram']} RAM, {m['os']}, Python {m['python']}, {m['date']}"


def _vm_hwm_mib(pid: int | str = "self") -> float | None:
    """Return VmHWM (peak resident set of the current process image) in MiB from /proc, or None."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return None


def peak_rss_mib(children: bool = False) -> float:
    """Return the peak resident memory in MiB of this process (``children``: of its largest waited-for child).

    For this process, /proc's VmHWM is preferred: ``getrusage`` ru_maxrss survives fork + exec, so a
    subprocess started by a big process reports its parent's size; VmHWM belongs to the new image only.
    """
    if not children:
        hwm = _vm_hwm_mib()
        if hwm is not None:
            return hwm
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


@dataclass
class Measured:
    """A finished subprocess: exit status, output (when captured), wall seconds and sampled peak RSS."""

    returncode: int
    stdout: str
    stderr: str
    wall_s: float
    peak_rss_mib: float | None


def run_measured(cmd: list[str], capture: bool = False, interval: float = 0.05, **popen) -> Measured:
    """Run ``cmd``; sample its VmHWM every ``interval`` s (a peak reached in the last instant may be missed)."""
    out = tempfile.TemporaryFile(mode="w+", encoding="utf-8") if capture else None
    err = tempfile.TemporaryFile(mode="w+", encoding="utf-8") if capture else None
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=out, stderr=err, **popen)
    peak = None
    while proc.poll() is None:
        hwm = _vm_hwm_mib(proc.pid)
        if hwm is not None:
            peak = max(peak or 0.0, hwm)
        time.sleep(interval)
    wall = time.perf_counter() - t0
    texts = []
    for handle in (out, err):
        if handle is None:
            texts.append("")
        else:
            handle.seek(0)
            texts.append(handle.read())
            handle.close()
    return Measured(proc.returncode, texts[0], texts[1], wall, peak)


def load_line() -> str:
    """Return the 1/5/15-minute load averages (other work on the machine skews timings)."""
    try:
        return "load average {:.2f} / {:.2f} / {:.2f}".format(*os.getloadavg())
    except OSError:
        return "load average unknown"


def write_section(name: str, markdown: str, out: Path | None = None) -> Path:
    """Write ``benchmarks/results/<name>.md`` (or ``out``) atomically (temporary file, then os.replace); returns its path."""
    target = Path(out) if out is not None else RESULTS / f"{name}.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(markdown.rstrip("\n") + "\n")
        os.chmod(tmp, 0o644)  # mkstemp creates 0600
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def table(header: list[str], rows: list[list[object]]) -> str:
    """Return a Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def emit_section(name: str, markdown: str, out: Path | None, full: bool) -> None:
    """Write a script's section: to ``out`` when given, else to ``results/<name>.md`` for a full run.

    A run on a smaller sample than the benchmark's (``full`` False) prints its section instead, so a quick
    check never replaces the committed figures that run_all.py gathers into RESULTS.md.
    """
    if out is None and not full:
        print(markdown)
        print(f"(a smaller sample than the benchmark's: benchmarks/results/{name}.md left as it was; --out FILE writes this section)")
        return
    print(f"wrote {write_section(name, markdown, out)}")


# ---------------------------------------------------------------- our method, the object the pipeline fits


def ours_config(**overrides: Any) -> "Config":
    """Return the default pipeline config with ``--codebook none`` (pure discovery) and ``overrides`` (nested dicts)."""
    from avovastaus.config import load_config

    return load_config(None, {"codebook": "none", **overrides})


def ours_model(config: "Config | None" = None, embedder: "Embedder | None" = None) -> "ThemeModel":
    """Return the :class:`~avovastaus.model.ThemeModel` that ``avovastaus run --codebook none`` fits (or ``config``'s).

    Built as the pipeline builds it: ``model_from_config(config, None, embedder)``, the embedder (unless
    given) resolved from ``config.embed``.
    """
    from avovastaus.embed.backends import resolve_embedder
    from avovastaus.themes.model import model_from_config

    config = config if config is not None else ours_config()
    if config.codebook is not None:
        raise ValueError(f"the benchmarks run pure discovery; the config names codebook {config.codebook!r}")
    if embedder is None:
        embedder = resolve_embedder(config.embed.model, config.embed.prompt, config.embed.batch_size)
    return model_from_config(config, None, embedder)


def fresh_analyzer(model: "ThemeModel"):
    """Return a new, unloaded FinnishAnalyzer configured as ``model``'s (its per-word cache empty, so timings are not flattered)."""
    from avovastaus.finnish.lemmas import FinnishAnalyzer

    own = model.analyzer
    return FinnishAnalyzer(min_part_len=own.min_part_len, batch_size=own.batch_size) if own is not None else FinnishAnalyzer()


def precomputed(texts: Sequence[str], embeddings: "np.ndarray", words: Sequence[Sequence[Any]]) -> "Features":
    """Return :class:`~avovastaus.model.Features` from precomputed vectors and lemmas, without segments (discovery uses none)."""
    import numpy as np

    from avovastaus.themes.cluster import Segments
    from avovastaus.themes.model import Features

    embeddings = np.asarray(embeddings)
    if not len(texts) == len(embeddings) == len(words):
        raise ValueError(f"texts, embeddings and words differ in length: {len(texts)}, {len(embeddings)}, {len(words)}")
    segments = Segments(np.zeros((0, embeddings.shape[1]), dtype=embeddings.dtype), np.zeros(0, dtype=int), [])
    return Features(list(texts), embeddings, [list(w) for w in words], segments)


@contextlib.contextmanager
def library_cache(folder: Path = CACHE) -> Iterator[Path]:
    """Point the library's embedding cache (``AVOVASTAUS_CACHE_DIR``) at ``folder`` while the block runs.

    ``ThemeModel.featurize`` embeds through the default cache folder; the benchmarks keep theirs in benchmarks/.cache.
    """
    before = os.environ.get("AVOVASTAUS_CACHE_DIR")
    os.environ["AVOVASTAUS_CACHE_DIR"] = str(folder)
    try:
        yield folder
    finally:
        if before is None:
            os.environ.pop("AVOVASTAUS_CACHE_DIR", None)
        else:
            os.environ["AVOVASTAUS_CACHE_DIR"] = before
