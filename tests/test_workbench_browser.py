"""The evaluator's workbench in headless Chromium: the uncertainty queue and re-score (#10), calm actions and export (#13)."""

from __future__ import annotations

import pandas as pd

from avovastaus.io.rundir import load_run
from avovastaus.review import learn
from avovastaus.review.journal import Journal
from avovastaus.review.kinds import Kind

from .conftest import page_left


def _wait_new_page(browser, old) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    page_left(browser, old)
    WebDriverWait(browser, 10).until(lambda b: b.execute_script("return document.readyState") == "complete")


def test_queue_least_sure_first_batch_move_and_rescore(browser, review_server, monkeypatch):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    run_dir, url = review_server
    answers = load_run(run_dir).answers
    analysed = answers[answers["excluded"] == ""]
    sure = "confidence" if "confidence" in analysed and analysed["confidence"].notna().any() else "score"  # runs before it: by score
    least_sure = analysed.sort_values(sure, kind="stable")
    browser.get(url + "/queue")
    cards = browser.find_elements(By.CSS_SELECTOR, ".answer")
    first = least_sure.iloc[0]
    assert cards[0].get_attribute("data-key") == f"{first['id']}/{first['question']}"  # least sure first
    shown = cards[0].find_element(By.CSS_SELECTOR, ".confidence").text  # "varmuus 15 %": the theme's probability, with a decimal comma if any
    assert shown == (f"varmuus {first[sure] * 100:.0f} %" if sure == "confidence" and first["theme"] else shown) and "." not in shown

    # filter by group, then by theme
    group = analysed["vastaajaryhma"].iloc[0]
    Select(browser.find_element(By.NAME, "group")).select_by_value(f"0:{group}")
    form = browser.find_element(By.ID, "filter")
    form.find_element(By.TAG_NAME, "button").click()
    _wait_new_page(browser, form)
    shown = [c.get_attribute("data-key") for c in browser.find_elements(By.CSS_SELECTOR, ".answer")]
    in_group = {f"{r.id}/{r.question}" for r in analysed.itertuples() if r.vastaajaryhma == group}
    assert shown and set(shown) <= in_group

    # move two selected answers at once: one decision, one undo
    target = load_run(run_dir).themes.sort_values("size")["theme"].iloc[0]
    picked = shown[:2]
    for card in browser.find_elements(By.CSS_SELECTOR, ".answer")[:2]:
        card.find_element(By.CSS_SELECTOR, "input[type=checkbox]").click()
    batch = browser.find_element(By.ID, "batch")
    Select(batch.find_element(By.NAME, "to")).select_by_value(target)
    batch.find_element(By.TAG_NAME, "button").click()
    _wait_new_page(browser, batch)
    (moved,) = Journal(run_dir).all()
    assert moved.kind == Kind.MOVE_MANY and moved.payload["answers"] == picked and moved.payload["to"] == target
    assert "2" in browser.find_element(By.ID, "done").text
    remaining = [c.get_attribute("data-key") for c in browser.find_elements(By.CSS_SELECTOR, ".answer")]
    assert not set(picked) & set(remaining)  # decided answers leave the queue

    # "päivitä ehdotukset": the model suggests another theme for one undecided answer, never for a decided one
    seen = {}

    def fake_rescore(run, decided, current):
        seen.update(decided=dict(decided), current=dict(current))
        changed = next(k for k in current if current[k] != [target])
        themes = {k: ([target] if k == changed else list(v)) for k, v in current.items()}
        themes.update({k: [target] for k in decided})  # a misbehaving model: the app must drop these
        return learn.Rescore(themes, {k: 0.5 for k in themes}, 1)

    monkeypatch.setattr(learn, "rescore", fake_rescore)
    browser.get(url + "/queue")
    form = browser.find_element(By.ID, "rescore")
    form.find_element(By.TAG_NAME, "button").click()
    _wait_new_page(browser, form)
    assert set(seen["decided"]) == set(picked) and not set(picked) & set(seen["current"])
    assert "1 ehdotus muuttui" in browser.find_element(By.ID, "done").text  # #27: "1 ehdotus", not "1 ehdotusta"
    rescore = Journal(run_dir).all()[-1]
    assert rescore.kind == Kind.RESCORE and len(rescore.payload["themes"]) == 1 and not set(picked) & set(rescore.payload["confidence"])
    (changed,) = rescore.payload["themes"]
    browser.get(url + f"/theme/{target}")
    assert changed in [c.get_attribute("data-key") for c in browser.find_elements(By.CSS_SELECTOR, ".answer")]


def test_actions_stay_in_place_shortcuts_export_and_phone_width(browser, review_server):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    run_dir, url = review_server
    theme = load_run(run_dir).themes.sort_values(["size", "theme"], ascending=[False, True])["theme"].iloc[0]
    browser.get(f"{url}/theme/{theme}")
    cards = browser.find_elements(By.CSS_SELECTOR, ".answer")
    at = min(8, len(cards) - 2)
    card, following = cards[at], cards[at + 1].get_attribute("id")
    key, anchor = card.get_attribute("data-key"), card.get_attribute("id")
    browser.execute_script("arguments[0].scrollIntoView()", card)
    button = card.find_element(By.CSS_SELECTOR, "button.confirmed")
    button.click()  # a plain form post: a click never goes through the page's script
    _wait_new_page(browser, button)
    assert browser.execute_script("return window.scrollY") > 200  # down at the answers, not at the top
    assert browser.current_url.endswith(f"#{following}")  # #27: a decision brings the next answer
    assert "current" in browser.find_element(By.ID, following).get_attribute("class")
    assert "vahvistettu" in browser.find_element(By.ID, anchor).text  # the confirmed answer stays on its theme's page
    assert "Peru tämä" in browser.find_element(By.ID, "done").text
    assert [(d.kind, d.payload["answer"]) for d in Journal(run_dir).all()] == [(Kind.VERDICT, key)]

    # Alt+J goes to the next answer, Alt+V marks it wrong (the shortcuts are listed on the page)
    assert "Alt" in browser.find_element(By.ID, "shortcuts").text
    nxt = browser.find_element(By.ID, "next-answer")
    ActionChains(browser).key_down(Keys.ALT).send_keys("j").key_up(Keys.ALT).perform()
    _wait_new_page(browser, nxt)
    current = browser.find_element(By.CSS_SELECTOR, ".answer.current")
    following = current.get_attribute("data-key")
    assert following != key
    ActionChains(browser).key_down(Keys.ALT).send_keys("v").key_up(Keys.ALT).perform()
    _wait_new_page(browser, current)
    last = Journal(run_dir).all()[-1]
    assert (last.kind, last.payload["answer"], last.payload["verdict"]) == (Kind.VERDICT, following, "wrong")

    # the export button writes the reviewed result and offers it for download
    browser.get(url + "/")
    form = browser.find_element(By.ID, "export")
    form.find_element(By.TAG_NAME, "button").click()
    _wait_new_page(browser, form)
    assert "summary.xlsx" in browser.find_element(By.ID, "downloads").text
    reviewed = pd.read_csv(run_dir / "reviewed" / "answers.csv", dtype=str, keep_default_na=False)
    assert (reviewed["verdict"] == "confirmed").sum() == 1 and (reviewed["verdict"] == "wrong").sum() == 1
    assert "2" in (run_dir / "reviewed" / "report.md").read_text(encoding="utf-8")

    # a phone-width screen: the theme list wraps instead of scrolling sideways
    browser.set_window_size(390, 844)
    try:
        browser.get(url + "/")
        assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        browser.set_window_size(1280, 2000)
