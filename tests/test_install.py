"""Installs anywhere: the built wheel carries the default config and codebook, and runs outside a checkout.

The end-to-end test builds the wheel from a copy of the source tree, installs it with
``--no-deps`` into a fresh virtual environment in tmp_path that sees this interpreter's
site-packages through a ``.pth`` file (so no dependency is downloaded or reinstalled), and
runs the CLI from a directory outside the repository with the default codebook.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

from avovastaus.config import CHECKOUT_ROOT, DEFAULT_CODEBOOK, DEFAULT_CONFIG, PACKAGE_DIR, load_config

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "corpora" / "tiny" / "answers.csv"
RUN_FILES = {"manifest.json", "answers.csv", "themes.csv", "groups.csv", "report.html", "report.md", "summary.xlsx"}


def test_top_level_configs_are_the_packaged_files() -> None:
    """One source of truth: configs/ in the checkout points at the files the package ships."""
    assert (ROOT / "configs" / "default.toml").resolve() == DEFAULT_CONFIG
    assert (ROOT / "configs" / "codebook" / "kuntajarjesto.yaml").resolve() == DEFAULT_CODEBOOK
    assert DEFAULT_CONFIG.is_relative_to(PACKAGE_DIR) and DEFAULT_CODEBOOK.is_relative_to(PACKAGE_DIR)


def test_tests_run_from_the_checkout() -> None:
    assert CHECKOUT_ROOT == ROOT


def _copy_source(dest: Path) -> Path:
    """Copy what the wheel is built from into ``dest`` (building in the working tree would write egg-info there)."""
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    for name in ("pyproject.toml", "README.md", "MANIFEST.in", "LICENSE"):
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, dest / name)
    shutil.copytree(ROOT / "src", dest / "src", ignore=ignore)
    shutil.copytree(ROOT / "configs", dest / "configs", symlinks=True)
    return dest


def _clean_env(**extra: str) -> dict[str, str]:
    """Return an environment in which nothing points back at the checkout or the user's folders."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "AVOVASTAUS_", "XDG_", "VIRTUAL_ENV", "PIP_"))}
    return {**env, **extra}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the wheel built from a copy of this checkout."""
    src = _copy_source(tmp_path_factory.mktemp("source"))
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-cache-dir", "--no-index", "-q", "-w", str(dist), str(src)],
        check=True, env=_clean_env(), cwd=src,
    )
    (path,) = dist.glob("avovastaus-*.whl")
    return path


def test_wheel_ships_the_default_config_and_codebook(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"avovastaus/configs/default.toml", "avovastaus/configs/codebook/kuntajarjesto.yaml"} <= names
    assert "avovastaus/finnish/data/stop_lemmas_fi.txt" in names
    packaged = zipfile.ZipFile(wheel).read("avovastaus/configs/codebook/kuntajarjesto.yaml")
    assert packaged == DEFAULT_CODEBOOK.read_bytes()  # the real file, not a symlink's target path


def _venv(path: Path) -> Path:
    """Create a virtual environment at ``path`` that sees this interpreter's site-packages; return its python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    python = path / "bin" / "python"
    own = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              check=True, capture_output=True, text=True).stdout.strip())
    # plain path lines: the editable install's own .pth in those folders is not processed from here,
    # so the checkout is not importable; the venv's own site-packages comes first on sys.path
    shared = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    (own / "_avovastaus_test_deps.pth").write_text("".join(f"{p}\n" for p in shared), encoding="utf-8")
    return python


def test_wheel_installs_and_runs_outside_a_checkout(wheel: Path, tmp_path: Path) -> None:
    python = _venv(tmp_path / "venv")
    home, work = tmp_path / "home", tmp_path / "work"
    work.mkdir()
    shutil.copy(TINY, work / "tiny.csv")
    env = _clean_env(AVOVASTAUS_HOME=str(home), AVOVASTAUS_CACHE_DIR=str(tmp_path / "cache"), HOME=str(tmp_path / "user"))
    subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "--no-cache-dir", "-q", str(wheel)],
                   check=True, env=env, cwd=work)

    where = subprocess.run([str(python), "-c", "import avovastaus.config as c; print(c.__file__); print(c.CHECKOUT_ROOT)"],
                           check=True, capture_output=True, text=True, env=env, cwd=work).stdout.split()
    assert Path(where[0]).is_relative_to(tmp_path / "venv"), where  # the wheel, not the checkout's editable install
    assert where[1] == "None"

    cli = tmp_path / "venv" / "bin" / "avovastaus"
    proc = subprocess.run([str(cli), "run", "tiny.csv", "--id", "vastaaja_id", "--text", "yhteistyo_nyt", "--embedder", "static-fi", "--quiet"],
                          capture_output=True, text=True, env=env, cwd=work)
    assert proc.returncode == 0, proc.stderr[-3000:]
    run_dir = work / "runs" / "tiny"
    assert RUN_FILES <= {p.name for p in run_dir.iterdir()}
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["codebook"]["name"] == "kuntajarjesto"
    assert Path(manifest["codebook"]["path"]).is_relative_to(tmp_path / "venv")  # the packaged copy
    assert manifest["counts"]["analysed"] == 24
    assert manifest["config"]["summarize"]["alpha"] == 0.05
    assert (home / "models" / "static-fi" / "avovastaus-model.json").is_file()  # built under $AVOVASTAUS_HOME
    assert not (work / "models").exists()

    shown = subprocess.run([str(cli), "config", "--show"], capture_output=True, text=True, env=env, cwd=work)
    assert shown.returncode == 0, shown.stderr
    assert load_config(overrides=tomllib.loads(shown.stdout)) == load_config()
    paths = subprocess.run([str(cli), "config"], capture_output=True, text=True, env=env, cwd=work, check=True).stdout
    assert f"models    {home / 'models'}" in paths


# ---------------------------------------------------------------- where things live


def test_models_dir_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """$AVOVASTAUS_MODELS_DIR, then $AVOVASTAUS_HOME/models, then the checkout's models/, then the user data folder."""
    import avovastaus.config as config_module
    from avovastaus.embed.build import models_dir

    monkeypatch.setenv("AVOVASTAUS_MODELS_DIR", str(tmp_path / "m"))
    monkeypatch.setenv("AVOVASTAUS_HOME", str(tmp_path / "home"))
    assert models_dir() == tmp_path / "m"
    monkeypatch.delenv("AVOVASTAUS_MODELS_DIR")
    assert models_dir() == tmp_path / "home" / "models"
    monkeypatch.delenv("AVOVASTAUS_HOME")
    assert models_dir() == ROOT / "models"
    monkeypatch.setattr(config_module, "CHECKOUT_ROOT", None)  # as from an installed wheel
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    import platformdirs  # a dependency since issue #12
    assert models_dir() == Path(platformdirs.user_data_dir("avovastaus", appauthor=False)) / "models"
    if sys.platform.startswith("linux"):
        assert models_dir() == tmp_path / "data" / "avovastaus" / "models"


def test_config_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from avovastaus.cli import app

    runner = CliRunner()
    monkeypatch.setenv("AVOVASTAUS_HOME", str(tmp_path / "home"))
    result = runner.invoke(app, ["config"])
    assert result.exit_code == 0
    assert f"config    {DEFAULT_CONFIG}" in result.output and f"models    {tmp_path / 'home' / 'models'}" in result.output
    own = tmp_path / "oma.toml"
    own.write_text("seed = 9\n[summarize]\nalpha = 0.01\n", encoding="utf-8")
    result = runner.invoke(app, ["config", "--show", "--config", str(own)])
    assert result.exit_code == 0
    shown = tomllib.loads(result.output)
    assert shown["seed"] == 9 and shown["summarize"]["alpha"] == 0.01 and shown["summarize"]["confidence"] == 0.95
    own.write_text("[summarize]\nalfa = 0.01\n", encoding="utf-8")
    result = runner.invoke(app, ["config", "--show", "--config", str(own)])
    assert result.exit_code == 2 and result.output.startswith("E002") and "summarize -> alfa" in result.output
