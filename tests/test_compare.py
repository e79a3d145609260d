"""`avovastaus compare`: two waves written from corpora/kuntajarjesto, one theme shifted on purpose; matching and bad pairs."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from avovastaus.cli import app
from avovastaus.compare.analysis import Match, keyword_similarity, match_themes, similarity_matrix
from avovastaus.config import load_config
from avovastaus.pipeline import run_pipeline

from .conftest import CORPORA

INGEST = {"id": "vastaaja_id", "text": ["yhteistyo_nyt", "kehittaminen"], "group": ["vastaajaryhma"]}
#: appended to answers of the second wave: peer support (codebook theme ``vertaistuki``) raised far more often
PEER = [
    "Lisäksi vertaisryhmiä pitäisi tukea enemmän.", "Myös kokemusasiantuntijoita kannattaisi hyödyntää palveluissa.",
    "Vertaistuki pitäisi tunnistaa osaksi palveluja.", "Vertaisohjaajien koulutukseen tarvitaan apua.",
]


@pytest.fixture(scope="module")
def waves(tmp_path_factory):
    """Wave 1: odd respondents of the corpus; wave 2: even ones, half of whom also mention peer support."""
    folder = tmp_path_factory.mktemp("waves")
    frame = pd.read_csv(CORPORA / "kuntajarjesto" / "answers.csv", dtype=str, keep_default_na=False)
    number = frame["vastaaja_id"].str[1:].astype(int)
    first, second = frame[number % 2 == 1].copy(), frame[number % 2 == 0].copy()
    shifted = second.index[::2]
    second.loc[shifted, "kehittaminen"] = [f"{text} {PEER[i % len(PEER)]}".strip() for i, text in enumerate(second.loc[shifted, "kehittaminen"])]
    config = load_config(overrides={"ingest": INGEST, "embed": {"model": "static-fi"}})
    runs = []
    for name, data in (("wave1", first), ("wave2", second)):
        path = folder / f"{name}.csv"
        data.to_csv(path, index=False)
        run_pipeline(path, config, folder / name)
        runs.append(folder / name)
    return runs


def test_compare_finds_the_shifted_theme_and_no_other(waves, tmp_path):
    old, new = waves
    result = CliRunner().invoke(app, ["compare", str(old), str(new), "--out", str(tmp_path / "cmp")])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "cmp" / "compare.csv", keep_default_na=False)
    overall = table[table["group_column"] == ""]
    # the nine codebook themes match by id; answers that fit none may form discovered themes in one wave only
    assert (overall["basis"] == "codebook").sum() == 9
    p = pd.to_numeric(overall["p_adjusted"], errors="coerce")
    changed = overall.loc[p < 0.05, "theme_new"].tolist()
    assert changed == ["vertaistuki"]
    row = overall[overall["theme_new"] == "vertaistuki"].iloc[0]
    assert float(row["diff"]) > 0.2 and float(row["diff_low"]) > 0
    md = (tmp_path / "cmp" / "compare.md").read_text(encoding="utf-8")
    assert "Teema ”Vertaistuki ja kokemusasiantuntijuus”" in md and "%-yks." in md and "p = 0" not in md.replace("p = 0,", "")
    assert "korjattu p < 0,001" in md and "&lt;" not in md
    html = (tmp_path / "cmp" / "compare.html").read_text(encoding="utf-8")
    assert "<script" not in html and 'class="chart dumbbell"' in html and "<circle" in html
    sheets = pd.read_excel(tmp_path / "cmp" / "compare.xlsx", sheet_name=None)
    assert list(sheets) == ["Vertailu"] and len(sheets["Vertailu"]) == len(table)
    per_group = table[table["group_column"] == "vastaajaryhma"]
    assert set(per_group["group"]) == {"paikallisyhdistys", "alueellinen järjestö", "valtakunnallinen järjestö", "kunnan viranhaltija", "luottamushenkilö"}


def test_compare_in_english_and_default_out(waves, tmp_path):
    old, new = (shutil.copytree(w, tmp_path / w.name) for w in waves)
    result = CliRunner().invoke(app, ["compare", str(old), str(new), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Comparison of survey waves" in (new / "compare" / "compare.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("change", ["questions", "groups", "same", "incomplete"])
def test_bad_pairs_give_one_coded_line(waves, tmp_path, change):
    old, new = (shutil.copytree(w, tmp_path / w.name) for w in waves)
    manifest = json.loads((new / "manifest.json").read_text(encoding="utf-8"))
    if change == "questions":
        manifest["input"]["text_columns"] = ["yhteistyo_nyt", "muuta"]
    elif change == "groups":
        manifest["input"]["group_columns"] = ["alue"]
    (new / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    if change == "same":
        new = old
    if change == "incomplete":
        (new / "groups.csv").unlink()
    result = CliRunner().invoke(app, ["compare", str(old), str(new)])
    assert result.exit_code == 2
    first = result.output.splitlines()[0]
    assert first.startswith("E302" if change == "incomplete" else "E310"), result.output
    assert {"questions": "different questions", "groups": "no shared group columns", "same": "same run directory", "incomplete": "groups.csv"}[change] in first
    assert "Traceback" not in result.output


# ---------------------------------------------------------------- matching


NETWORK = ["Verkostotapaamiset kunnan kanssa toimivat hyvin.", "Yhteiset verkostot ja foorumit auttavat.", "Verkostossa tavataan kerran kuussa."]
MONEY = ["Avustukset ovat liian pieniä.", "Rahoitus loppuu aina kesken.", "Toimitilojen vuokra on liian kallis avustuksiin nähden."]
NEWS = ["Tiedotus kunnasta ei kulje.", "Uutiskirje tulee liian harvoin.", "Sähköpostit hukkuvat, tieto ei kulje."]


def test_codebook_ids_match_first_then_answer_similarity():
    old = {"verkostot": "codebook", "teema_01": "discovered", "teema_02": "discovered"}
    new = {"verkostot": "codebook", "teema_07": "discovered", "teema_03": "discovered"}
    members_old = {"verkostot": NETWORK, "teema_01": MONEY, "teema_02": NEWS}
    members_new = {"verkostot": NETWORK[:2], "teema_07": NEWS[1:] + ["Tieto ei kulje ajoissa."], "teema_03": MONEY[:2] + ["Avustusta ei riitä."]}
    matches = match_themes(old, new, members_old, members_new)
    pairs = {(m.old, m.new, m.basis) for m in matches}
    assert pairs == {("verkostot", "verkostot", "codebook"), ("teema_01", "teema_03", "similarity"), ("teema_02", "teema_07", "similarity")}
    assert all(m.similarity > 0.3 for m in matches if m.basis == "similarity")


def test_unlike_themes_are_not_forced_together():
    matches = match_themes({"a": "discovered", "b": "discovered"}, {"c": "discovered", "d": "discovered"},
                           {"a": MONEY, "b": NEWS}, {"c": NETWORK, "d": NEWS})
    assert Match("b", "d", "similarity", matches[0].similarity, "answers") in matches
    assert Match("a", None, "vanished") in matches and Match(None, "c", "appeared") in matches


def test_a_theme_whose_answers_changed_is_matched_by_its_keywords():
    """Wave 2's theme holds new kinds of answers (queues, staff) beside the old ones: members differ, its lemmas do not (#24)."""
    money_then = ["Avustukset pienenivät.", "Rahoitusta ei ole riittävästi.", "Tilavuokrat nousivat."]
    money_now = ["Jonot terveysasemalle ovat pitkät.", "Henkilöstöä ei ole tarpeeksi.", "Ei ole aikaa yhteistyöhön.", "Avustuksia leikattiin."]
    matches = match_themes({"teema_01": "discovered", "teema_02": "discovered"}, {"teema_03": "discovered", "teema_04": "discovered"},
                           {"teema_01": money_then, "teema_02": NEWS}, {"teema_03": money_now, "teema_04": NETWORK},
                           old_keywords={"teema_01": ["raha", "avustus", "resurssi", "tila"], "teema_02": ["tiedote", "uutiskirje"]},
                           new_keywords={"teema_03": ["resurssi", "raha", "jono", "henkilöstö"], "teema_04": ["verkosto", "tapaaminen"]})
    match = next(m for m in matches if m.old == "teema_01")
    assert match.new == "teema_03" and match.basis == "similarity" and match.evidence == "keywords"
    assert Match("teema_02", None, "vanished") in matches  # news vs. networks: neither answers nor keywords alike


def test_keyword_similarity_weighs_the_top_words():
    assert keyword_similarity(["raha", "tila"], ["raha", "tila"]) == pytest.approx(1.0)
    assert keyword_similarity(["raha", "a", "b", "c"], ["raha", "x", "y", "z"]) > keyword_similarity(["a", "b", "c", "raha"], ["x", "y", "z", "raha"])
    assert keyword_similarity([], ["raha"]) == 0.0


def test_carried_review_decisions_match_by_id_and_renamed_label():
    matches = match_themes({"teema_01": "discovered", "uusi": "review"}, {"teema_05": "discovered", "uusi": "review"},
                           {"teema_01": MONEY, "uusi": NEWS}, {"teema_05": NETWORK, "uusi": NEWS}, carried=True,
                           old_labels={"teema_01": "Rahoitus", "uusi": "Tiedotus"}, new_labels={"teema_05": "Rahoitus", "uusi": "Tiedotus"})
    assert {(m.old, m.new, m.basis) for m in matches} == {("teema_01", "teema_05", "review"), ("uusi", "uusi", "review")}


def test_similarity_of_nothing_is_zero():
    assert similarity_matrix([[], []], [[]]).shape == (2, 1)


# ---------------------------------------------------------------- as a person sees it (headless Chromium)

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _screenshot(element, name: str, tmp_path: Path) -> None:
    """Save a screenshot of ``element``: into docs/ with AVOVASTAUS_UPDATE_DOCS=1 (the README shows them), else into tmp_path."""
    target = (DOCS if os.environ.get("AVOVASTAUS_UPDATE_DOCS") == "1" else tmp_path) / name
    assert element.screenshot(str(target)) and target.stat().st_size > 5_000


def test_group_summaries_and_compare_page_render_without_console_errors(browser, waves, tmp_path):
    from selenium.webdriver.common.by import By

    old, new = waves
    assert CliRunner().invoke(app, ["compare", str(old), str(new), "--out", str(tmp_path / "cmp")]).exit_code == 0
    browser.get_log("browser")
    browser.get((new / "report.html").as_uri())
    summaries = browser.find_element(By.ID, "group-summaries")
    groups = browser.find_elements(By.CSS_SELECTOR, "#group-summaries section.group")
    assert summaries.is_displayed() and len(groups) == 5 and all(g.is_displayed() for g in groups)
    links = browser.find_elements(By.CSS_SELECTOR, "#heatmap svg a")
    assert len(links) == 5  # every heatmap row links to its summary
    target = links[0].get_dom_attribute("href").split("#")[1]
    assert browser.find_element(By.ID, target).is_displayed()
    assert any("mainitsi teeman" in g.text or "Ei merkitseviä eroja" in g.text for g in groups)
    browser.execute_script("arguments[0].scrollIntoView()", summaries)
    _screenshot(summaries, "group-summaries.png", tmp_path)
    browser.get((tmp_path / "cmp" / "compare.html").as_uri())
    assert browser.title.startswith("Kyselykierrosten vertailu")
    chart = browser.find_element(By.CSS_SELECTOR, "#overall .dumbbell svg")
    assert chart.is_displayed() and chart.size["width"] > 300 and chart.size["height"] > 100
    assert len(browser.find_elements(By.CSS_SELECTOR, "#overall circle")) >= 18  # nine codebook themes in both waves, and any discovered ones
    assert "Vertaistuki" in browser.find_element(By.ID, "changes").text
    _screenshot(browser.find_element(By.ID, "overall"), "compare.png", tmp_path)
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def test_themes_match_only_within_their_question():
    """Per-question themes (#23): a theme of one question never pairs with a theme of another, however alike their answers."""
    war = ["Sodat ja konfliktit tappavat ihmisiä.", "Sota Ukrainassa ja Lähi-idässä.", "Aseelliset konfliktit ja terrorismi."]
    climate = ["Ilmastonmuutos ja sään ääri-ilmiöt.", "Ilmaston lämpeneminen ja päästöt.", "Kasvihuonepäästöt lämmittävät maapalloa."]
    old = {"ongelmat:teema_01": war, "ongelmat:teema_02": climate}
    new = {"kehy:teema_01": war, "ongelmat:teema_02": climate}
    sources = lambda themes: {t: "discovered" for t in themes}  # noqa: E731
    questions = lambda themes: {t: t.split(":")[0] for t in themes}  # noqa: E731
    blind = match_themes(sources(old), sources(new), old, new)
    assert ("ongelmat:teema_01", "kehy:teema_01") in [(m.old, m.new) for m in blind]  # alike answers pair when questions are not known
    matches = match_themes(sources(old), sources(new), old, new, old_questions=questions(old), new_questions=questions(new))
    assert sorted((m.old, m.new, m.basis) for m in matches if m.old) == [("ongelmat:teema_01", None, "vanished"), ("ongelmat:teema_02", "ongelmat:teema_02", "similarity")]
    assert [(m.new, m.basis) for m in matches if not m.old] == [("kehy:teema_01", "appeared")]


def test_each_waves_codebook_coverage_is_stated(waves, tmp_path):
    old, new = waves
    result = CliRunner().invoke(app, ["compare", str(old), str(new), "--out", str(tmp_path / "cmp")])
    assert result.exit_code == 0, result.output
    coverage = json.loads((tmp_path / "cmp" / "compare.json").read_text(encoding="utf-8"))["codebook_coverage"]
    for wave, run in (("old", old), ("new", new)):
        answers = pd.read_csv(run / "answers.csv", dtype=str, keep_default_na=False)
        themes = pd.read_csv(run / "themes.csv", dtype=str, keep_default_na=False)
        codebook = set(themes.loc[themes["source"] == "codebook", "theme"])
        analysed = answers[answers["excluded"] == ""]
        outside = sum(1 for ts in analysed["themes"] if not set(ts.split(";")) & codebook)
        assert coverage[f"outside_{wave}"] == pytest.approx(outside / len(analysed))
    assert 0 <= coverage["p_value"] <= 1 and coverage["diff_low"] <= coverage["diff"] <= coverage["diff_high"]
    assert "Koodikirjan ulkopuolelle jäi" in (tmp_path / "cmp" / "compare.md").read_text(encoding="utf-8")
    assert 'id="coverage-1"' in (tmp_path / "cmp" / "compare.html").read_text(encoding="utf-8")
