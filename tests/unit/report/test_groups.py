"""Unit tests for avovastaus.report.groups: what a group summary holds, and what it never shows (small groups, small cells)."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from avovastaus.io.rundir import load_run
from avovastaus.report.groups import difference_sentence, group_quotes, main_scope, summaries
from avovastaus.stats.summarize import ALL_QUESTIONS, group_table


@pytest.fixture()
def run(review_base_run):
    """A run whose tables are replaced: group A (20 respondents, 15 raise verkostot), B (20, 2 do), C (3, all do)."""
    base = load_run(review_base_run)
    groups = ["A"] * 20 + ["B"] * 20 + ["C"] * 3
    themes = ["verkostot"] * 15 + ["resurssit"] * 5 + ["verkostot"] * 2 + ["resurssit"] * 18 + ["verkostot"] * 3
    answers = pd.DataFrame({
        "id": [f"R{i:02d}" for i in range(43)], "question": "q", "vastaajaryhma": groups, "excluded": "",
        "text": [f"vastaus {i} ryhmästä {g}" for i, g in enumerate(groups)], "theme": themes, "themes": themes,
        "score": [0.5 + i / 100 for i in range(43)],
    })
    table, _ = group_table(answers[["id", "question", "vastaajaryhma"]], [[t] for t in themes], ["verkostot", "resurssit"], ["vastaajaryhma"], min_cell=5)
    theme_table = pd.DataFrame({"theme": ["verkostot", "resurssit"], "label": ["Verkostot", "Resurssit"]})
    manifest = base.manifest.model_copy(deep=True)
    manifest.input.text_columns = ["q"]
    return dataclasses.replace(base, manifest=manifest, answers=answers, themes=theme_table, groups=table, group_words=None)


def test_summary_of_an_over_represented_theme_quotes_the_group_itself(run):
    by_group = {s.group: s for s in summaries(run, {"verkostot": "Verkostot", "resurssit": "Resurssit"}, 0.05, str.upper)}
    a = by_group["A"]
    assert not a.suppressed and a.n == 20
    assert [x.theme for x in a.over] == ["verkostot"] and [x.theme for x in a.under] == ["resurssit"]
    quotes = a.over[0].quotes
    assert len(quotes) == 2 and all("RYHMÄSTÄ A" in text for _, text in quotes)  # masked (here: upper-cased) and from A only
    assert [ref for ref, _ in quotes] == ["R14", "R13"]  # the closest to the theme first
    assert a.top[0].theme == "verkostot" and a.top[0].share == pytest.approx(0.75)


def test_small_group_and_small_cells_show_nothing(run):
    by_group = {s.group: s for s in summaries(run, {}, 0.05, str)}
    c = by_group["C"]
    assert c.suppressed and c.n == 3 and not (c.top or c.over or c.under or c.words)
    b = by_group["B"]
    # B raised verkostot twice: under the limit, so it is neither listed nor quoted, though B does raise it less
    assert all(x.theme != "verkostot" for x in b.top + b.over + b.under)
    assert all(q == [] for q in (x.quotes for x in b.under))


def test_quotes_come_only_from_the_group_and_the_theme(run):
    quotes = group_quotes(run, "vastaajaryhma", "C", "verkostot", str, k=5)
    assert {ref for ref, _ in quotes} == {"R40", "R41", "R42"}
    assert group_quotes(run, "alue", "C", "verkostot", str) == []


def test_sentences_read_as_finnish_and_english(run):
    a = next(s for s in summaries(run, {"verkostot": "Verkostot"}, 0.05, str) if s.group == "A")
    fi = difference_sentence(a, a.over[0], "fi", 0.95)
    assert fi.startswith("Ryhmä ”A” mainitsi teeman ”Verkostot” useammin kuin muut vastaajat: 75 % vs. 22 %, ero +53 %-yks. (95 % LV ")
    assert "korjattu p < 0,001" in fi or "korjattu p = 0," in fi
    en = difference_sentence(a, a.under[0], "en", 0.95)
    assert en.startswith("Group “A” mentioned “resurssit” less often than other respondents: 25% vs. ")


def test_main_scope_prefers_all_questions():
    assert main_scope(pd.DataFrame({"question": ["q1", "q2", ALL_QUESTIONS]})) == ALL_QUESTIONS
    assert main_scope(pd.DataFrame({"question": ["q1"]})) == "q1"
    assert main_scope(pd.DataFrame()) is None
