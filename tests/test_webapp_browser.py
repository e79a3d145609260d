"""In headless Chromium: the Content-Security-Policy lets the page's own styles and forms work and blocks nothing else we use."""

from __future__ import annotations

import pytest

from avovastaus.review.journal import Journal

from .conftest import CORPORA, page_left

TINY = CORPORA / "tiny" / "answers.csv"
INGEST = {"id": "vastaaja_id", "text": ["yhteistyo_nyt", "kehittaminen"], "group": ["vastaajaryhma"]}


@pytest.fixture
def server(review_server):
    return review_server


def test_styles_apply_and_forms_post_under_the_policy(browser, server):
    from selenium.webdriver.common.by import By

    run_dir, url = server
    browser.get_log("browser")  # drop what earlier tests left
    browser.get(url + "/")
    body = browser.find_element(By.TAG_NAME, "body")
    assert body.value_of_css_property("max-width") == "1150px"  # the nonce'd <style> applied
    form = browser.find_element(By.CSS_SELECTOR, "header form")
    name = form.find_element(By.NAME, "reviewer")
    name.clear()
    name.send_keys("pekka")
    form.find_element(By.TAG_NAME, "button").click()  # sent with Origin: null and Sec-Fetch-Site: same-origin
    page_left(browser, form)
    assert browser.find_element(By.NAME, "reviewer").get_attribute("value") == "pekka"
    rename = browser.find_element(By.CSS_SELECTOR, "form.rename")
    rename.find_element(By.NAME, "label").send_keys(" (tarkistettu)")
    rename.find_element(By.NAME, "save-rename").click()
    page_left(browser, rename)
    assert [d.reviewer for d in Journal(run_dir).all()] == ["pekka"]
    problems = [e["message"] for e in browser.get_log("browser") if "Content Security Policy" in e["message"] or e["level"] == "SEVERE"]
    assert problems == []
