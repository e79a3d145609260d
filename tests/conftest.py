"""Shared fixtures: an isolated embedding cache, no network, paths to corpora and shared data."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT / "corpora"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory):
    """Every test writes embeddings into a session temp folder, never into ~/.cache."""
    mp = pytest.MonkeyPatch()
    mp.setenv("AVOVASTAUS_CACHE_DIR", str(tmp_path_factory.mktemp("embedding-cache")))
    yield
    mp.undo()


def _is_local(address: object) -> bool:
    if isinstance(address, (str, bytes)):  # unix socket path
        return True
    host = address[0] if isinstance(address, tuple) and address else ""
    return host in {"127.0.0.1", "::1", "localhost", ""}


@pytest.fixture(autouse=True, scope="session")
def _no_network():
    """Fail any test that tries to reach a non-local address (survey answers never leave the machine)."""
    original = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        if not _is_local(address):
            raise RuntimeError(f"network access attempted in a test: {address!r}")
        return original(self, address)

    mp = pytest.MonkeyPatch()
    mp.setattr(socket.socket, "connect", guarded)
    yield
    mp.undo()


REVIEW_INGEST = {"id": "vastaaja_id", "text": ["yhteistyo_nyt", "kehittaminen"], "group": ["vastaajaryhma"]}


@pytest.fixture(scope="session")
def review_base_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny corpus run once per session (two questions, one group column, static-fi, default codebook); copy it before changing it."""
    from avovastaus.config import load_config
    from avovastaus.pipeline import run_pipeline

    out = tmp_path_factory.mktemp("review") / "run"
    run_pipeline(CORPORA / "tiny" / "answers.csv", load_config(overrides={"ingest": REVIEW_INGEST, "embed": {"model": "static-fi"}}), out)
    return out


@pytest.fixture
def review_run(review_base_run: Path, tmp_path: Path) -> Path:
    """A fresh copy of :func:`review_base_run` for one test to review, damage or rewrite."""
    copy = tmp_path / "run"
    shutil.copytree(review_base_run, copy)
    return copy


@pytest.fixture
def review_server(review_run: Path):
    """The review app on a free loopback port over a fresh run; yields (run directory, base URL)."""
    import threading

    from avovastaus.review.web.app import create_app
    from avovastaus.review.web.security import make_review_server

    httpd = make_review_server(create_app(review_run, reviewer="liisa"), "127.0.0.1", 0)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield review_run, f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The ../shared/data folder; tests using it are skipped when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not available")
    return SHARED_DATA


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Selenium; skipped when the packages are missing."""
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("Debian packages chromium and chromium-driver are not installed (make test installs them)")
    webdriver = pytest.importorskip("selenium.webdriver")
    os.environ["SE_OFFLINE"] = "true"  # never let Selenium Manager download a browser or driver
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1280,2000"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    yield driver
    driver.quit()




def page_left(browser, element, timeout: float = 10) -> None:
    """Wait until ``element``'s page has been replaced by the next one.

    Chromium answers "node does not belong to the document" instead of "stale element" while the old page
    unloads: the same fact, so it counts as gone (a plain ``staleness_of`` wait fails on it now and then).
    """
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    stale = EC.staleness_of(element)

    def gone(driver) -> bool:
        try:
            return stale(driver)
        except WebDriverException:
            return True

    WebDriverWait(browser, timeout, ignored_exceptions=()).until(gone)
