"""Unit tests for avovastaus.finnish: normalization, non-answers, segmentation, compounds, lemmas."""

from __future__ import annotations

import pytest

from avovastaus.finnish import (
    FinnishAnalyzer,
    Lemma,
    compound_parts,
    detect_nonanswer,
    flat,
    normalize,
    segment,
    stop_lemmas,
)

# ---------------------------------------------------------------- non-answers


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # empty
        ("", "empty"),
        ("   ", "empty"),
        ("\n\t \n", "empty"),
        (None, "empty"),
        # punctuation only
        ("-", "punctuation"),
        ("...", "punctuation"),
        ("?", "punctuation"),
        ("!!!", "punctuation"),
        ("–", "punctuation"),
        ("- -", "punctuation"),
        # placeholders
        ("xx", "placeholder"),
        ("XX", "placeholder"),
        ("x", "placeholder"),
        ("xxx", "placeholder"),
        # don't know
        ("en osaa sanoa", "dont_know"),
        ("En osaa sanoa.", "dont_know"),
        ("EN OSAA SANOA", "dont_know"),
        ("  en   osaa sanoa  ", "dont_know"),
        ("EOS", "dont_know"),
        ("eos.", "dont_know"),
        ("En tiedä", "dont_know"),
        ("en tieda", "dont_know"),
        ("emt", "dont_know"),
        ("En osaa sanoa tähän", "dont_know"),
        ("En osaa sanoa tähän nyt mitään.", "dont_know"),
        ("en osaa sanoo", "dont_know"),  # typo
        ("en osa sanoa", "dont_know"),  # typo
        ("Vaikea sanoa", "dont_know"),
        # no comment
        ("ei kommentteja", "no_comment"),
        ("Ei kommentteja.", "no_comment"),
        ("Ei mitään lisättävää", "no_comment"),
        ("ei mitään lisättävää!", "no_comment"),
        ("Ei", "no_comment"),
        # see above
        ("sama kuin edellä", "see_above"),
        ("Sama kuin edellä.", "see_above"),
        ("kts. edellinen vastaus", "see_above"),
        ("Ks. edellinen vastaus", "see_above"),
        ("katso edellinen vastaus", "see_above"),
    ],
)
def test_detect_nonanswer(text: str | None, reason: str) -> None:
    assert detect_nonanswer(text) == reason


@pytest.mark.parametrize(
    "text",
    [
        "En osaa sanoa, mutta tilat ovat liian kalliit.",
        "Ei ole tarpeeksi rahaa toimintaan",
        "Tiedonkulku on huonoa.",
        "Kunta ei vastaa viesteihin",
        "Ei mitään yhteistyötä ole ollut vuosiin, vaikka yritimme",
        "Sama ongelma kuin kaikilla: rahoitus",
        "Ei kommentteja kunnalta koskaan, vaikka kysyimme monta kertaa.",
        "Emme tiedä, kenelle kunnassa pitäisi soittaa.",
        "Hyvä",
        "Tilat",
        "Rahaa!",
        "Yhteistyö toimii hyvin.",
    ],
)
def test_real_answers_are_not_flagged(text: str) -> None:
    assert detect_nonanswer(text) is None


def test_fuzzy_threshold_one_disables_typo_tolerance() -> None:
    assert detect_nonanswer("en osaa snoa", fuzzy=1.0) is None
    assert detect_nonanswer("en osaa sanoa", fuzzy=1.0) == "dont_know"


# ---------------------------------------------------------------- normalize / flat


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ""),
        ("e\u0301", "\u00e9"),  # NFC: e + combining acute -> é
        ("ha\u0308n", "hän"),
        ("“lainaus” ja ’toinen’", '"lainaus" ja \'toinen\''),
        ("«kulma» „alku“", '"kulma" "alku"'),
        ("a\x00b\x07c\u200bd\ufeffe\x7f", "abcde"),
        ("  monta   välilyöntiä\tja\u00a0nbsp  ", "monta välilyöntiä ja nbsp"),
        ("rivi 1\r\nrivi 2\rrivi 3", "rivi 1\nrivi 2\nrivi 3"),
        ("rivi 1\n\n\n   \nrivi 2\n", "rivi 1\nrivi 2"),
        ("- eka\n-   toka  ", "- eka\n- toka"),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_normalize_is_idempotent() -> None:
    text = "  “Yhteistyö”\u00a0toimii\r\n\r\n- hyvin\x07  "
    once = normalize(text)
    assert normalize(once) == once


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\nb", "a b"),
        ("  a \n\n b\t c  ", "a b c"),
        ("yksi rivi", "yksi rivi"),
        ("", ""),
    ],
)
def test_flat(text: str, expected: str) -> None:
    assert flat(text) == expected


# ---------------------------------------------------------------- segment


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("Tilat ovat hyvät. Rahaa on liian vähän toimintaan.", ["Tilat ovat hyvät.", "Rahaa on liian vähän toimintaan."]),
        ("Tilat ovat hyvät! Onko rahaa tarpeeksi toimintaan?", ["Tilat ovat hyvät!", "Onko rahaa tarpeeksi toimintaan?"]),
        ("Tilat ovat kalliit; rahaa ei ole tarpeeksi", ["Tilat ovat kalliit", "rahaa ei ole tarpeeksi"]),
        (
            "- tilat ovat kalliit\n- rahaa ei ole tarpeeksi\n- kunta ei vastaa",
            ["tilat ovat kalliit", "rahaa ei ole tarpeeksi", "kunta ei vastaa"],
        ),
        ("• tilat ovat kalliit\n• rahaa ei ole tarpeeksi", ["tilat ovat kalliit", "rahaa ei ole tarpeeksi"]),
        ("1) tilat ovat kalliit\n2) rahaa ei ole tarpeeksi", ["tilat ovat kalliit", "rahaa ei ole tarpeeksi"]),
        ("Yhteistyö toimii hyvin, mutta rahaa ei ole tarpeeksi.", ["Yhteistyö toimii hyvin", "mutta rahaa ei ole tarpeeksi."]),
        (
            "Kunta tukee meitä hyvin, toisaalta avustukset pienenevät joka vuosi.",
            ["Kunta tukee meitä hyvin", "toisaalta avustukset pienenevät joka vuosi."],
        ),
        # short pieces (< 3 words) are merged into a neighbour
        ("Hyvä. Rahaa on liian vähän toimintaan.", ["Hyvä. Rahaa on liian vähän toimintaan."]),
        ("Yhteistyö toimii hyvin kunnan kanssa. Kiitos!", ["Yhteistyö toimii hyvin kunnan kanssa. Kiitos!"]),
        ("- tilat\n- rahaa ei ole tarpeeksi", ["tilat rahaa ei ole tarpeeksi"]),
        # no split before a lower-case word (abbreviations)
        ("Esim. kunta ei vastaa viesteihin ajoissa.", ["Esim. kunta ei vastaa viesteihin ajoissa."]),
        ("Yksi lause ilman pistettä", ["Yksi lause ilman pistettä"]),
    ],
)
def test_segment(text: str, expected: list[str]) -> None:
    assert segment(text) == expected


def test_segment_min_words_one_keeps_short_pieces() -> None:
    assert segment("Hyvä. Rahaa on liian vähän.", min_words=1) == ["Hyvä.", "Rahaa on liian vähän."]


def test_segments_cover_every_word() -> None:
    text = "- tilat ovat kalliit\n- rahaa ei ole, mutta kunta auttaa. Kiitos!"
    assert " ".join(segment(text)).replace(",", "").split() == normalize(text).replace("- ", "").replace(",", "").split()


# ---------------------------------------------------------------- compounds and stop lemmas


@pytest.mark.parametrize(
    ("wordbases", "parts"),
    [
        ("+yhteis+työ(työ)+verkosto(verkosto)", ["yhteistyö", "verkosto"]),
        ("+tiedon(tieto)+kulku(kulku)", ["tieto", "kulku"]),
        ("+sosiaali+turva(turva)", ["sosiaaliturva"]),
        ("+avust(avustaa)+us(+us)+haku(haku)", ["avustus", "haku"]),
        ("+kannat(kantaa)ta(+taa)+v+a(+a)", ["kannattava"]),
        ("+hyvinvointi(hyvin=vointi)+alue(alue)", ["hyvinvointi", "alue"]),
        ("+verkosto(verkosto)", ["verkosto"]),
        ("+kunta(kunta)", ["kunta"]),
        ("+Vera(Vera)", ["vera"]),
        ("+123", ["123"]),
    ],
)
def test_compound_parts(wordbases: str, parts: list[str]) -> None:
    assert list(compound_parts(wordbases)) == parts


def test_stop_lemmas_are_base_forms() -> None:
    stops = stop_lemmas()
    assert isinstance(stops, frozenset)
    assert {"olla", "ei", "voida", "tehdä"} <= stops
    assert "aika" not in stops  # a content word, unlike in spaCy's list
    assert "verkosto" not in stops
    assert all(w == w.strip().lower() and w and "#" not in w for w in stops)


# ---------------------------------------------------------------- FinnishAnalyzer


@pytest.fixture(scope="module")
def analyzer() -> FinnishAnalyzer:
    return FinnishAnalyzer().initialize()


def _lemmas(analyzer: FinnishAnalyzer, text: str) -> list[str]:
    return [w.lemma for w in analyzer.content_lemmas([text])[0]]


@pytest.mark.parametrize(
    ("word", "lemma"),
    [
        ("verkostot", "verkosto"),
        ("verkostojen", "verkosto"),
        ("verkostoissa", "verkosto"),
        ("Verkostoista", "verkosto"),
        ("kunnan", "kunta"),
        ("kunnissa", "kunta"),
        ("yhteistyötä", "yhteistyö"),
        ("avustuksia", "avustus"),
    ],
)
def test_inflected_forms_share_one_lemma(analyzer: FinnishAnalyzer, word: str, lemma: str) -> None:
    [found] = analyzer.content_lemmas([word])[0]
    assert found.lemma == lemma
    assert found.surface == word


def test_productive_compound_counts_toward_its_head_never_a_modifier(analyzer: FinnishAnalyzer) -> None:
    """The batch uses 'verkosto' as a topic (on its own), so the compound counts toward it, not toward 'yhteistyö'."""
    [word], _ = analyzer.content_lemmas(["yhteistyöverkostoissa", "verkosto toimii"])
    assert word == Lemma("yhteistyöverkosto", "yhteistyöverkostoissa", ("verkosto",))
    assert word.keyword == "verkosto"


def test_compound_whose_head_is_no_topic_of_the_batch_stays_whole(analyzer: FinnishAnalyzer) -> None:
    [word] = analyzer.content_lemmas(["yhteistyöverkostoissa"])[0]
    assert word.parts == () and word.keyword == "yhteistyöverkosto"


@pytest.mark.parametrize(
    ("text", "lemma"),
    [
        ("Eduskunta päättää, kunta toteuttaa.", "eduskunta"),  # curated lexicon
        ("Lautakunta ja kunta sopivat.", "lautakunta"),
        ("Palaveri ja veri", "palaveri"),  # Voikko lists it as one word (not pala + veri)
        ("Työntekijä ja tekijä", "työntekijä"),  # agent-noun head
        ("Asukasilta ja ilta", "asukasilta"),  # generic head
    ],
)
def test_lexicalised_compounds_stay_whole(analyzer: FinnishAnalyzer, text: str, lemma: str) -> None:
    words = {w.lemma: w for w in analyzer.content_lemmas([text])[0]}
    assert words[lemma].parts == ()


def test_function_words_numbers_and_stop_lemmas_are_dropped(analyzer: FinnishAnalyzer) -> None:
    lemmas = _lemmas(analyzer, "Teemme yhteistyötä kunnan kanssa, mutta aina ei onnistu koska 123 juttua")
    assert "yhteistyö" in lemmas and "kunta" in lemmas
    for dropped in ("tehdä", "kanssa", "mutta", "aina", "ei", "koska", "123", "olla"):
        assert dropped not in lemmas


@pytest.mark.parametrize(
    "text",
    [
        "Kunta on tärkeä kumppani.",
        "Olemme olleet mukana toiminnassa.",
        "Yhteistyö on ollut sujuvaa.",
        "Tilat ovat olleet kalliit.",
    ],
)
def test_forms_of_olla_are_dropped(analyzer: FinnishAnalyzer, text: str) -> None:
    """'olla' is a stop lemma; its perfect-tense participles ('ollut', 'olleet') are forms of it too."""
    lemmas = _lemmas(analyzer, text)
    assert not {"olla", "ollut", "oltu"} & set(lemmas), lemmas


def test_aika_is_a_content_word(analyzer: FinnishAnalyzer) -> None:
    assert "aika" in _lemmas(analyzer, "Aika ei riitä kaikkeen.")


def test_one_list_per_text_in_order(analyzer: FinnishAnalyzer) -> None:
    out = analyzer.content_lemmas(["verkostot", "", "...", "kunnan tilat"])
    assert len(out) == 4
    assert [w.lemma for w in out[0]] == ["verkosto"]
    assert out[1] == [] and out[2] == []
    assert [w.lemma for w in out[3]] == ["kunta", "tila"]


def test_ambiguous_form_resolved_by_the_batch(analyzer: FinnishAnalyzer) -> None:
    """Voikko reads 'Sosiaaliturvan' as sosiaaliturpa or sosiaaliturva; the batch's unambiguous words decide."""
    assert {a[0] for a in analyzer.analyses("Sosiaaliturvan")} >= {"sosiaaliturpa", "sosiaaliturva"}
    out = analyzer.content_lemmas(["Sosiaaliturvan taso on huono.", "Sosiaaliturva on tärkeä."])
    assert out[0][0].lemma == "sosiaaliturva"
    assert out[0][0].surface == "Sosiaaliturvan"
    assert out[1][0].lemma == "sosiaaliturva"


def test_ambiguous_name_vs_noun_resolved_by_the_batch(analyzer: FinnishAnalyzer) -> None:
    out = analyzer.content_lemmas(["Veroja maksetaan.", "Vero on korkea."])
    assert out[0][0].lemma == "vero"


def test_readings_are_cached(analyzer: FinnishAnalyzer) -> None:
    first = analyzer.readings("verkostoissa")
    assert analyzer.readings("verkostoissa") is first
    assert analyzer.analyses("verkostoissa")[0][0] == "verkosto"


def test_min_part_len_filters_short_parts(analyzer: FinnishAnalyzer) -> None:
    strict = FinnishAnalyzer(min_part_len=5)
    [word], _ = strict.initialize().content_lemmas(["Avustushaku", "haku alkaa"])
    assert word.lemma == "avustushaku"
    assert word.parts == ()  # "haku" (4 letters) is shorter than min_part_len
    [word], _ = analyzer.content_lemmas(["Avustushaku", "haku alkaa"])
    assert word.parts == ("haku",)
