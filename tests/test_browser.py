"""report.html as a person sees it: rendered in headless Chromium (Debian's chromium + chromium-driver)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from avovastaus.config import load_config
from avovastaus.pipeline import run_pipeline

from .conftest import CORPORA

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def browser():
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


@pytest.fixture(scope="module")
def report_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser") / "run"
    config = load_config(overrides={"ingest": {"id": "vastaaja_id", "text": ["yhteistyo_nyt", "kehittaminen"], "group": ["vastaajaryhma", "alue"]},
                                    "embed": {"model": "static-fi"}})
    run_pipeline(CORPORA / "tiny" / "answers.csv", config, out)
    return out / "report.html"


def test_report_renders_with_visible_charts_and_no_console_errors(browser, report_file, tmp_path):
    from selenium.webdriver.common.by import By

    browser.get(report_file.as_uri())
    assert browser.title.startswith("Avovastausten teemat")
    for chart in ("theme-chart", "heatmap"):
        svg = browser.find_element(By.CSS_SELECTOR, f"#{chart} svg")
        assert svg.is_displayed() and svg.size["width"] > 100 and svg.size["height"] > 50, chart
    bars = browser.find_elements(By.CSS_SELECTOR, "#theme-chart rect")
    cells = browser.find_elements(By.CSS_SELECTOR, "#heatmap rect")
    assert len(bars) >= 2 and len(cells) >= 4
    themes = browser.find_elements(By.CSS_SELECTOR, "section.theme")
    assert themes and all(t.is_displayed() for t in themes)
    shot = tmp_path / "report.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
