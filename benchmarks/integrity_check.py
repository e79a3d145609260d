"""Cost of the integrity checks on open (``PRAGMA quick_check``): the embedding cache and the review journal.

Cache: builds caches of random 384-dim vectors (e5-small's size) in a temporary folder, then times
``EmbeddingCache.get`` of 5,000 texts on a fresh instance (the first open runs the check) against
the same lookup with the check already done, and ``PRAGMA quick_check`` alone. "cold" drops the
file's pages from the OS cache first (``posix_fadvise(DONTNEED)``, this file only), as after a
reboot; "warm" reads them from memory, as in back-to-back runs. Medians of 5.

Journal: 1k, 10k and 100k verdicts; ``latest()`` and ``active()`` on a fresh ``Journal`` (checked
on first use) against an instance checked before. Medians of 7, warm.

Writes ``benchmarks/results/integrity_check.md``. No shared data needed.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from common import load_line, machine_line, source_line, table, write_section  # noqa: E402

from avovastaus.embed.cache import EmbeddingCache  # noqa: E402
from avovastaus.review.journal import Journal  # noqa: E402

DIM = 384
LOOKUP = 5000


def _drop_from_page_cache(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def _median_ms(action, before=None, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        if before:
            before()
        t0 = time.perf_counter()
        action()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def measure(folder: Path, rows: int) -> list[object]:
    texts = [f"vastaus numero {i}" for i in range(rows)]
    rng = np.random.default_rng(0)
    cache = EmbeddingCache(folder, "bench")
    for start in range(0, rows, 5000):
        cache.put(texts[start : start + 5000], rng.normal(size=(min(5000, rows - start), DIM)).astype(np.float32))
    path = cache.path
    lookup = texts[:: max(1, rows // LOOKUP)][:LOOKUP]

    def quick_check() -> None:
        con = sqlite3.connect(path)
        assert con.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        con.close()

    def first_get() -> None:
        EmbeddingCache(folder, "bench").get(lookup)

    checked = EmbeddingCache(folder, "bench")
    checked.get(lookup[:1])  # runs the check once; later gets skip it

    def checked_get() -> None:
        checked.get(lookup)

    drop = lambda: _drop_from_page_cache(path)  # noqa: E731
    out = [f"{rows:,}", f"{path.stat().st_size / 2**20:.0f} MiB"]
    for before in (drop, None):
        out += [f"{_median_ms(quick_check, before):.0f}", f"{_median_ms(first_get, before):.0f}", f"{_median_ms(checked_get, before):.0f}"]
    return out


def measure_journal(folder: Path, decisions: int) -> list[object]:
    Journal(folder).append("note", {"target": "theme:a", "text": "x"}, "liisa", ["theme:a"])
    con = sqlite3.connect(folder / "review.sqlite")
    with con:  # one transaction: appending 100k decisions one by one (fsync each) would take minutes
        for i in range(decisions - 1):
            payload = json.dumps({"answer": f"R{i}/q", "theme": "teema_01", "verdict": "confirmed"})
            seq = con.execute("INSERT INTO decisions (at, reviewer, kind, payload) VALUES ('2025-01-01', 'liisa', 'verdict', ?)", (payload,)).lastrowid
            con.execute("INSERT INTO touches VALUES (?, ?)", (seq, f"answer:R{i}/q"))
    con.close()
    checked = Journal(folder)
    checked.latest()
    out = [f"{decisions:,}", f"{(folder / 'review.sqlite').stat().st_size / 2**20:.1f} MiB"]
    for read in (lambda j: j.latest(), lambda j: j.active()):
        out += [f"{_median_ms(lambda: read(Journal(folder)), repeat=7):.1f}", f"{_median_ms(lambda: read(checked), repeat=7):.1f}"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--decisions", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    args = parser.parse_args()
    results = []
    for rows in args.rows:
        with tempfile.TemporaryDirectory() as tmp:
            results.append(measure(Path(tmp), rows))
            print(results[-1], flush=True)
    journal_results = []
    for decisions in args.decisions:
        with tempfile.TemporaryDirectory() as tmp:
            journal_results.append(measure_journal(Path(tmp), decisions))
            print(journal_results[-1], flush=True)
    header = ["rows", "file", "cold: quick_check ms", f"cold: first get({LOOKUP:,}) ms, with check", f"cold: get({LOOKUP:,}) ms, checked before",
              "warm: quick_check ms", f"warm: first get({LOOKUP:,}) ms", f"warm: get({LOOKUP:,}) ms, checked before"]
    journal_header = ["decisions", "file", "latest() ms, fresh Journal (checks)", "latest() ms, checked before",
                      "active() ms, fresh Journal (checks)", "active() ms, checked before"]
    section = "\n".join([
        "## Integrity checks on open: embedding cache and review journal", "",
        f"{machine_line()}; {load_line()}. {source_line()}.", "",
        f"**Embedding cache.** Random {DIM}-dim float32 vectors (e5-small's size). `PRAGMA quick_check` runs once per `EmbeddingCache` "
        "(the first `get` or `put` of a run); cold = the file's pages dropped from the OS cache first. Medians of 5.", "",
        table(header, results), "",
        "**Review journal.** Verdicts written in one transaction. A `Journal` checks its file (`PRAGMA quick_check` and its tables, "
        "read-only) on first use; the review app's long-lived instance pays it once. Warm, medians of 7.", "",
        table(journal_header, journal_results),
    ])
    print(write_section("integrity_check", section))


if __name__ == "__main__":
    main()
