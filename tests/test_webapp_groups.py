"""The review app's group shares: a compact table per theme (respondents), significant differences marked, small cells hidden."""

from __future__ import annotations

import re

import pandas as pd

from avovastaus.review.web.app import create_app


def test_index_shows_group_shares_as_a_table_not_a_run_on_line(review_run):
    page = create_app(review_run).test_client().get("/").get_data(as_text=True)
    tables = re.findall(r'<table class="group-shares">(.*?)</table>', page, flags=re.S)
    assert tables, "each theme's group shares are a table"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", tables[0], flags=re.S)
    assert len(rows) >= 2  # one row per group
    cells = " ".join(tables)
    assert "&lt;5" in cells  # the tiny corpus has small cells: hidden, not shown as a share
    assert " · " not in cells and "<script" not in page


def test_the_app_switches_between_questions(tmp_path):
    """Several questions: the theme list and the queue offer each question on its own (#23)."""
    from avovastaus.config import load_config
    from avovastaus.pipeline import run_pipeline

    from .conftest import CORPORA, REVIEW_INGEST

    review_run = tmp_path / "run"
    run_pipeline(CORPORA / "tiny" / "answers.csv", load_config(overrides={"ingest": REVIEW_INGEST, "codebook": "none", "embed": {"model": "static-fi"}}), review_run)
    client = create_app(review_run, reviewer="liisa").test_client()
    page = client.get("/").get_data(as_text=True)
    assert 'id="questions"' in page and "?question=kehittaminen" in page
    themes = pd.read_csv(review_run / "themes.csv", dtype=str, keep_default_na=False)
    own = themes[themes["question"] == "kehittaminen"]["theme"].tolist()
    other = themes[themes["question"] == "yhteistyo_nyt"]["theme"].tolist()
    assert own and other
    switched = client.get("/?question=kehittaminen").get_data(as_text=True)
    assert all(f'id="row-{t}"' in switched for t in own) and not any(f'id="row-{t}"' in switched for t in other)
    queue = client.get("/queue?question=kehittaminen").get_data(as_text=True)
    assert "/yhteistyo_nyt" not in "".join(line for line in queue.splitlines() if "data-key=" in line)
    assert client.get("/?question=ei_ole").status_code == 400


def test_a_weighted_one_question_run_shows_its_wording_and_weighted_bars(tmp_path):
    """The question as it was asked above the themes (#26), and the group bars weighted like groups.csv, said so (#25)."""
    from avovastaus.config import load_config
    from avovastaus.pipeline import run_pipeline

    from .conftest import CORPORA

    run = tmp_path / "run"
    config = load_config(overrides={"ingest": {"id": "vastaaja_id", "text": ["ongelmat"], "group": ["sukupuoli"], "weight": "paino"},
                                    "codebook": "none", "embed": {"model": "static-fi"},
                                    "questions": {"ongelmat": {"label": "Maailman kolme suurinta ongelmaa ovat…"}}})
    run_pipeline(CORPORA / "nuorisokysely" / "answers.csv", config, run)
    page = create_app(run).test_client().get("/").get_data(as_text=True)
    assert 'id="question-wording"' in page and "Maailman kolme suurinta ongelmaa ovat…" in page
    assert "Osuus ryhmittäin (painotettu)" in page
    groups = pd.read_csv(run / "groups.csv", dtype={"group": str}, keep_default_na=False)
    shown = groups[(groups["suppressed"].astype(str) == "False") & (groups["group"] == "nainen")]
    shares = {f"{round(float(s) * 100):.0f} %" for s in shown["share"]}
    assert any(s in page for s in shares)
