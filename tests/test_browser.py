"""report.html as a person sees it: rendered in headless Chromium (Debian's chromium + chromium-driver)."""

from __future__ import annotations

import pytest

from avovastaus.config import load_config
from avovastaus.pipeline import run_pipeline

from .conftest import CORPORA


@pytest.fixture(scope="module")
def report_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser") / "run"
    config = load_config(overrides={"ingest": {"id": "vastaaja_id", "text": ["yhteistyo_nyt", "kehittaminen"], "group": ["vastaajaryhma", "alue"]},
                                    "embed": {"model": "static-fi"}})
    run_pipeline(CORPORA / "tiny" / "answers.csv", config, out)
    return out / "report.html"


def test_report_renders_with_visible_charts_and_no_console_errors(browser, report_file, tmp_path):
    from selenium.webdriver.common.by import By

    browser.get_log("browser")  # start from an empty console log
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
