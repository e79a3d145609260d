"""A run stopped at any step leaves the complete old run or the complete new one, and nothing behind (issues #9, #17).

Each case starts a replacing run (``--force``) in a subprocess that signals itself at one exact
step: a pipeline stage, or each file of the write stage. After every SIGKILL the run directory must
be the old run or the new run, complete; after SIGTERM/SIGHUP no temporary folder may remain; and
the next run removes whatever the killed ones left.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from avovastaus.io.rundir import OUTPUTS

from .conftest import CORPORA

TINY = CORPORA / "tiny" / "answers.csv"

#: run the CLI with ``target`` wrapped so that its ``nth`` call sends ``sig`` to the process itself (before or after the call)
STOPPER = """
import importlib, os, sys
target, nth, sig, when = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
module, name = target.rsplit(".", 1)
owner = importlib.import_module(module)
original, calls = getattr(owner, name), [0]
def stop_here(*args, **kwargs):
    calls[0] += 1
    if calls[0] == nth and when == "before":
        os.kill(os.getpid(), sig)
    result = original(*args, **kwargs)
    if calls[0] == nth and when == "after":
        os.kill(os.getpid(), sig)
    return result
setattr(owner, name, stop_here)
from avovastaus.cli import app
sys.argv = ["avovastaus", *sys.argv[5:]]
app()
"""

#: (function to stop in, which call, before or after it): every stage, then each file of the write stage and the swap
STEPS = [
    ("avovastaus.pipeline.ingest", 1, "before"),            # reading the input
    ("avovastaus.themes.model.embed", 1, "before"),                # embedding
    ("avovastaus.pipeline.group_table", 1, "before"),       # summarizing
    ("avovastaus.pipeline.write_csv", 1, "before"),         # answers.csv
    ("avovastaus.pipeline.write_csv", 3, "after"),          # groups.csv written
    ("avovastaus.io.rundir.write_json", 1, "before"),          # the manifest
    ("avovastaus.report.write.atomic_write", 1, "before"),        # report.html
    ("avovastaus.report.write.atomic_write", 3, "after"),         # summary.xlsx written
    ("avovastaus.io.rundir.write_json", 2, "after"),           # the final manifest written
    ("avovastaus.io.staging.commit", 1, "after"),               # done
    ("avovastaus.io.staging.commit", 1, "before"),              # just before the swap
    ("avovastaus.io.staging._exchange", 1, "after"),            # swapped, the old run not yet removed (left for the next run)
]


def _args(out: Path, seed: int) -> list[str]:
    return ["run", str(TINY), "--id", "vastaaja_id", "--text", "yhteistyo_nyt", "--text", "kehittaminen",
            "--group", "alue", "--fast", "--out", str(out), "--force", "--quiet", "--seed", str(seed)]


def _complete_seed(out: Path) -> int | None:
    """Return the seed of the complete run at ``out`` (None when anything is missing)."""
    if not all((out / name).is_file() for name in OUTPUTS):
        return None
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))["seed"]


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def _stopped_run(out: Path, target: str, nth: int, sig: int, when: str = "before") -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", STOPPER, target, str(nth), str(int(sig)), when, *_args(out, 2)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def old_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("kill") / "run"
    subprocess.run([sys.executable, "-m", "avovastaus.cli", *_args(out, 1)], check=True, capture_output=True)
    assert _complete_seed(out) == 1
    return out


def test_sigkill_at_every_step_leaves_old_or_new_and_the_next_run_cleans_up(old_run: Path) -> None:
    outcomes = {}
    for target, nth, when in STEPS:
        result = _stopped_run(old_run, target, nth, signal.SIGKILL, when)
        assert result.returncode == -signal.SIGKILL, f"{target}#{nth} was never reached: {result.stderr[-500:]}"
        outcomes[f"{target}#{nth}"] = _complete_seed(old_run)
        assert outcomes[f"{target}#{nth}"] in (1, 2), f"after a kill in {target}#{nth}: {sorted(p.name for p in old_run.iterdir()) if old_run.exists() else 'missing'}"
    assert set(outcomes.values()) == {1, 2}  # kills before the swap keep the old run, kills after it show the new one
    assert _leftovers(old_run)  # killed runs could not clean up after themselves...
    loud = [a for a in _args(old_run, 1) if a != "--quiet"]
    result = subprocess.run([sys.executable, "-m", "avovastaus.cli", *loud], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "left by an interrupted run" in result.stderr  # ...the next run removes what they left, and says so
    assert _complete_seed(old_run) == 1 and _leftovers(old_run) == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
@pytest.mark.parametrize("target, nth", [("avovastaus.themes.model.embed", 1), ("avovastaus.report.write.atomic_write", 2)])
def test_a_polite_stop_cleans_up_at_once(old_run: Path, sig: int, target: str, nth: int) -> None:
    result = _stopped_run(old_run, target, nth, sig)
    assert result.returncode == 130, result.stderr[-500:]
    assert "Interrupted" in result.stderr and "Traceback" not in result.stderr
    assert _complete_seed(old_run) == 1 and _leftovers(old_run) == []
