"""End to end in headless Chromium: an evaluator renames, merges and moves; it persists and carries over."""

from __future__ import annotations

import pandas as pd
import pytest

from avovastaus.config import load_config
from avovastaus.pipeline import run_pipeline

from .conftest import CORPORA, page_left

TINY = CORPORA / "tiny" / "answers.csv"
INGEST = {"id": "vastaaja_id", "text": ["yhteistyo_nyt", "kehittaminen"], "group": ["vastaajaryhma"]}


@pytest.fixture
def server(review_server):
    return review_server


def test_rename_merge_move_survive_reload_and_rerun(browser, server, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import Select, WebDriverWait

    def submit(form, button) -> None:
        """Click and wait until the browser has left the page (the server redirects back)."""
        button.click()
        page_left(browser, form)

    run_dir, url = server
    themes = pd.read_csv(run_dir / "themes.csv", keep_default_na=False)
    sized = themes[themes["size"] > 0].sort_values(["size", "theme"], ascending=[False, True])["theme"].tolist()
    first, second, third = sized[0], sized[1], sized[2]

    browser.get(url + "/")
    rename = browser.find_element(By.CSS_SELECTOR, f"#row-{first} form.rename")
    label = rename.find_element(By.NAME, "label")
    label.clear()
    label.send_keys("Arvioijan nimeämä teema")
    submit(rename, rename.find_element(By.NAME, "save-rename"))

    merge = browser.find_element(By.CSS_SELECTOR, f"#row-{third} form.merge")
    Select(merge.find_element(By.NAME, "target")).select_by_value(second)
    submit(merge, merge.find_element(By.NAME, "save-merge"))
    confirm = WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.ID, "confirm")))  # a merge asks first
    assert themes.set_index("theme").loc[third, "label"] in browser.find_element(By.ID, "question").text  # named by its label (#27)
    submit(confirm, confirm.find_element(By.ID, "yes"))

    browser.get(f"{url}/theme/{first}")
    answer = browser.find_element(By.CSS_SELECTOR, ".answer")
    key = answer.get_attribute("data-key")
    move = answer.find_element(By.CSS_SELECTOR, "form.move")
    Select(move.find_element(By.NAME, "to")).select_by_value(second)
    submit(move, move.find_element(By.TAG_NAME, "button"))

    browser.refresh()
    browser.get(url + "/")
    page = browser.find_element(By.ID, "themes").text
    assert "Arvioijan nimeämä teema" in page
    assert not browser.find_elements(By.ID, f"row-{third}")  # merged away
    browser.get(f"{url}/theme/{second}")
    keys = [e.get_attribute("data-key") for e in browser.find_elements(By.CSS_SELECTOR, ".answer")]
    assert key in keys or "seuraava" in browser.page_source

    again = tmp_path / "again"
    run_pipeline(TINY, load_config(overrides={"ingest": INGEST, "embed": {"model": "static-fi"}, "review_from": str(run_dir)}), again)
    new_themes = pd.read_csv(again / "themes.csv", keep_default_na=False).set_index("theme")
    assert new_themes.loc[first, "label"] == "Arvioijan nimeämä teema"
    assert third not in new_themes.index
    answers = pd.read_csv(again / "answers.csv", dtype=str, keep_default_na=False)
    row = answers[(answers["id"] + "/" + answers["question"]) == key].iloc[0]
    assert row["theme"] == second
