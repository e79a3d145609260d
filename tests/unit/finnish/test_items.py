"""List answers split into items (avovastaus.finnish.items): enumerations of short phrases, never prose."""

from __future__ import annotations

import pytest

from avovastaus.finnish.items import list_items, question_kind
from avovastaus.themes.questions import primary_first, units_of

CASES = [
    ("nälänhätä, sodat ja ilmastonmuutos", ["nälänhätä", "sodat", "ilmastonmuutos"]),
    ("köyhyys; korruptio; sota", ["köyhyys", "korruptio", "sota"]),
    ("1. sota 2. nälkä 3. ilmasto", ["sota", "nälkä", "ilmasto"]),
    ("1.Sota-alueiden tilanne 2.Ilmaston lämpeneminen 3.Väestönkasvu", ["Sota-alueiden tilanne", "Ilmaston lämpeneminen", "Väestönkasvu"]),
    ("- köyhyys\n- sodat\n- rasismi", ["köyhyys", "sodat", "rasismi"]),
    ("Orjuus\nLasten koulunkäynnin puute\nRikkaiden ja köyhien välinen kuilu", ["Orjuus", "Lasten koulunkäynnin puute", "Rikkaiden ja köyhien välinen kuilu"]),
    ("sota/nälkä/taudit", ["sota", "nälkä", "taudit"]),
    ("kierrättämällä, äänestämällä sekä lahjoittamalla", ["kierrättämällä", "äänestämällä", "lahjoittamalla"]),
    ("sodat, koska ne tappavat viattomia, ja ilmastonmuutos", ["sodat, koska ne tappavat viattomia", "ilmastonmuutos"]),
    ("Metsäkato, rasismi ja korruptio - johtajat pistää rahat taskuun", ["Metsäkato", "rasismi", "korruptio - johtajat pistää rahat taskuun"]),
    # prose stays whole: clauses with finite verbs joined by commas and "ja" are not a list
    ("Kunta ei vastaa viesteihin, ja avustukset ovat pienentyneet.", ["Kunta ei vastaa viesteihin, ja avustukset ovat pienentyneet."]),
    ("Avustuksia leikattiin, ja järjestöjen rahoitus on epävarmaa.", ["Avustuksia leikattiin, ja järjestöjen rahoitus on epävarmaa."]),
    ("Yhteistyö toimii hyvin.", ["Yhteistyö toimii hyvin."]),
    ("sota", ["sota"]),
]


@pytest.mark.parametrize("text, items", CASES)
def test_list_items(text, items):
    assert list_items(text) == items


def test_a_question_answered_in_lists_is_a_list_question():
    assert question_kind(["sota, nälkä ja köyhyys", "ilmastonmuutos ja sodat", "korruptio", "rasismi; syrjintä"]) == "list"
    assert question_kind(["Yhteistyö toimii hyvin.", "Kunta ei vastaa viesteihin, ja avustukset ovat pienentyneet.", "sota ja nälkä"]) == "text"
    assert question_kind([]) == "text"


def test_units_drop_hedges_and_keep_text_answers_whole():
    units = units_of(["en tiedä, ehkä sota ja nälänhätä", "Yhteistyö, tiedotus ja rahoitus toimivat."], ["q1", "q2"], {"q1": "list", "q2": "text"})
    assert units.texts == ["ehkä sota", "nälänhätä", "Yhteistyö, tiedotus ja rahoitus toimivat."]
    assert units.answer.tolist() == [0, 0, 1] and units.question == ["q1", "q1", "q2"]


def test_the_primary_theme_is_the_one_most_items_carry_then_the_earliest():
    assert primary_first([["sota"], ["ilmasto"], ["ilmasto", "sota"]]) == ["ilmasto", "sota"]
    assert primary_first([["sota"], ["ilmasto"]]) == ["sota", "ilmasto"]
    assert primary_first([[], ["nälkä"]]) == ["nälkä"]
