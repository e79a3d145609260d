"""The command line: thin wrappers, coded one-line errors with exit status 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from avovastaus import __version__
from avovastaus.cli import app

from .conftest import CORPORA

TINY = CORPORA / "tiny" / "answers.csv"
runner = CliRunner()


def test_version_and_help():
    assert runner.invoke(app, ["--version"]).output.strip() == f"avovastaus {__version__}"
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0 and "run" in result.output and "models" in result.output


def test_run_prints_counts_and_where_results_are(tmp_path):
    out = tmp_path / "run"
    result = runner.invoke(app, ["run", str(TINY), "--id", "vastaaja_id", "--text", "yhteistyo_nyt", "--text", "kehittaminen",
                                 "--group", "vastaajaryhma", "--fast", "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "Read 48 answers" in result.output and "excluded" in result.output and str(out) in result.output


def _bad_inputs(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    header_only = tmp_path / "header.csv"
    header_only.write_text("id,vastaus\n")
    dup = tmp_path / "dup.csv"
    dup.write_text("id,vastaus\n1,Hyvä\n1,Huono\n")
    blank = tmp_path / "blank.csv"
    blank.write_text("id,vastaus\n1,\n2,  \n")
    undecodable = tmp_path / "bytes.csv"
    undecodable.write_bytes(b"id,vastaus\n1,\x81\x8d\x8f\x90\n")
    return [
        (["run", str(tmp_path / "missing.csv")], "E101"),
        (["run", str(empty), "--text", "vastaus"], "E104"),
        (["run", str(header_only), "--text", "vastaus"], "E104"),
        (["run", str(dup), "--id", "id", "--text", "vastaus"], "E106"),
        (["run", str(blank), "--text", "vastaus"], "E107"),
        (["run", str(undecodable), "--text", "vastaus"], "E103"),
        (["run", str(TINY), "--text", "yhteistyo"], "E105"),
        (["run", str(TINY), "--text", "yhteistyo_nyt", "--group", "ryhma"], "E105"),
    ]


def test_bad_input_gives_coded_error_exit_2_and_no_run_directory(tmp_path):
    for args, code in _bad_inputs(tmp_path):
        out = tmp_path / f"out-{code}"
        result = runner.invoke(app, [*args, "--fast", "--quiet", "--out", str(out)])
        assert result.exit_code == 2, (args, result.output)
        assert result.output.startswith(f"{code}: "), result.output
        assert "Fix:" in result.output and "Traceback" not in result.output
        assert not out.exists()


def test_missing_column_error_lists_columns_and_closest_match(tmp_path):
    result = runner.invoke(app, ["run", str(TINY), "--text", "kehitaminen", "--quiet", "--out", str(tmp_path / "x")])
    assert "Available columns:" in result.output and "Did you mean 'kehittaminen'?" in result.output


def test_real_process_exit_status_and_stderr(tmp_path):
    """Through the installed entry point: status 2, the message on stderr, no traceback."""
    proc = subprocess.run([sys.executable, "-m", "avovastaus.cli", "run", str(tmp_path / "nope.csv")], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.startswith("E101: ") and "Traceback" not in proc.stderr


@pytest.mark.parametrize("bad", ["[cluster]\nn_themse = 3\n", "seed = 'x'\n"])
def test_bad_config_is_rejected_with_the_key_path(tmp_path, bad):
    config = tmp_path / "c.toml"
    config.write_text(bad)
    result = runner.invoke(app, ["run", str(TINY), "--config", str(config), "--quiet", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and result.output.startswith("E002")
    assert ("cluster -> n_themse" in result.output) or ("seed" in result.output)


def _crash(exc: BaseException):
    def run_pipeline(*args, **kwargs):
        raise exc
    return run_pipeline


def test_an_internal_error_is_one_coded_line_with_a_log(tmp_path, monkeypatch):
    monkeypatch.setenv("AVOVASTAUS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr("avovastaus.pipeline.run_pipeline", _crash(ValueError("boom")))
    result = runner.invoke(app, ["run", str(TINY), "--text", "yhteistyo_nyt", "--fast", "--out", str(tmp_path / "r")])
    assert result.exit_code == 1
    assert "E900" in result.output and "ValueError: boom" in result.output and "Traceback" not in result.output
    logs = list((tmp_path / "cache" / "logs").glob("error-*.log"))
    assert len(logs) == 1 and "Traceback" in logs[0].read_text() and "boom" in logs[0].read_text()


def test_debug_shows_the_traceback(tmp_path, monkeypatch):
    monkeypatch.setattr("avovastaus.pipeline.run_pipeline", _crash(ValueError("boom")))
    result = runner.invoke(app, ["--debug", "run", str(TINY), "--text", "yhteistyo_nyt", "--fast", "--out", str(tmp_path / "r")])
    assert isinstance(result.exception, ValueError)


@pytest.mark.parametrize("errno_name", ["ENOSPC", "EACCES", "EROFS"])
def test_environment_faults_are_coded_with_the_path(tmp_path, monkeypatch, errno_name):
    import errno
    import os

    code = getattr(errno, errno_name)
    monkeypatch.setattr("avovastaus.pipeline.run_pipeline", _crash(OSError(code, os.strerror(code), str(tmp_path / "r" / "answers.csv"))))
    result = runner.invoke(app, ["run", str(TINY), "--text", "yhteistyo_nyt", "--fast", "--out", str(tmp_path / "r")])
    assert result.exit_code == 2
    assert "E501" in result.output and "answers.csv" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("command", [["run"], ["report"], ["review"], ["eval"], ["agreement"], ["config"]])
def test_help_shows_real_defaults_and_no_type_placeholders(command):
    result = runner.invoke(app, [*command, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.output and "<list" not in result.output and "<str>" not in result.output and "<int" not in result.output
    if command == ["run"]:
        assert "kuntajarjesto codebook" in result.output and "--codebook FILE|none" in result.output
        assert "--stability N" in result.output and "0 (off)" in result.output and "--header-row N" in result.output
