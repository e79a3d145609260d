"""A run killed at any moment leaves the complete old run or the complete new one, and the next run cleans up (issues #9, #17)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from avovastaus.rundir import OUTPUTS

from .conftest import CORPORA

TINY = CORPORA / "tiny" / "answers.csv"


def _command(out: Path, seed: int) -> list[str]:
    return [sys.executable, "-m", "avovastaus.cli", "run", str(TINY), "--id", "vastaaja_id", "--text", "yhteistyo_nyt",
            "--text", "kehittaminen", "--group", "alue", "--fast", "--out", str(out), "--force", "--quiet", "--seed", str(seed)]


def _complete(out: Path) -> int | None:
    """Return the seed of the complete run at ``out`` (None when anything is missing)."""
    if not all((out / name).is_file() for name in OUTPUTS):
        return None
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))["seed"]


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


@pytest.fixture(scope="module")
def old_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("kill") / "run"
    subprocess.run(_command(out, 1), check=True, capture_output=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert _complete(out) == 1
    return out


def _start_and_kill(out: Path, sig: int, after_staging_s: float | None, before_s: float = 0.0) -> int:
    """Start a replacing run; kill it ``after_staging_s`` seconds after its temporary folder appears (or ``before_s`` after start)."""
    process = subprocess.Popen(_command(out, 2), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    if after_staging_s is None:
        time.sleep(before_s)
    else:
        while not _leftovers(out) and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(after_staging_s)
    process.send_signal(sig)
    process.wait(timeout=120)
    return process.returncode


@pytest.mark.parametrize("sig, after_staging_s, before_s", [
    (signal.SIGKILL, None, 3.0),    # during the analysis
    (signal.SIGKILL, 0.0, 0.0),     # as the first output file is written
    (signal.SIGKILL, 0.15, 0.0),    # among the reports
    (signal.SIGKILL, 0.4, 0.0),     # late in the write stage (or already done)
    (signal.SIGTERM, 0.05, 0.0),    # a polite stop cleans up at once
    (signal.SIGHUP, 0.05, 0.0),
])
def test_killed_replacing_run_leaves_old_or_new_and_nothing_behind(old_run: Path, sig: int, after_staging_s: float | None, before_s: float) -> None:
    code = _start_and_kill(old_run, sig, after_staging_s, before_s)
    assert _complete(old_run) in (1, 2), f"exit {code}: {sorted(p.name for p in old_run.iterdir()) if old_run.exists() else 'missing'}"
    if sig != signal.SIGKILL and code != 0:
        assert _leftovers(old_run) == []  # SIGTERM/SIGHUP unwind like Ctrl+C
    # the next run removes whatever the killed one left
    result = subprocess.run(_command(old_run, 1), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert _complete(old_run) == 1 and _leftovers(old_run) == []
