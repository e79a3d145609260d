"""Unit tests for the Finnish layer (avovastaus.finnish and its modules): normalization, non-answers, segmentation, lemmas, compounds; part of corpora/finnish_gold."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from avovastaus.finnish.compounds import compound_parts, counted_parts
from avovastaus.finnish.lemmas import FinnishAnalyzer, Lemma, Token
from avovastaus.finnish.lexicon import stop_lemmas
from avovastaus.finnish.nonanswer import detect_nonanswer
from avovastaus.finnish.text import flat, normalize, segment

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


def test_long_answers_and_later_clauses_are_decided_as_before() -> None:
    long_answer = "Yhteistyö toimii hyvin ja verkostot auttavat. " * 30
    assert detect_nonanswer(long_answer) is None
    assert detect_nonanswer("e.o.s.") == "dont_know"
    assert detect_nonanswer("en osaa sanoa, kiitos") == "dont_know"
    assert detect_nonanswer("en osaa sanoa, mutta tiedotus ei toimi") is None
    assert detect_nonanswer("kiitos") == "thanks"


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
    assert word == Lemma("yhteistyöverkosto", "yhteistyöverkostoissa", ("verkosto",), ("yhteistyö", "verkosto"))
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


def test_equal_words_share_one_lemma_object(analyzer: FinnishAnalyzer) -> None:
    out = analyzer.content_lemmas(["Verkostot toimivat.", "Verkostot auttavat, kun Verkostot kasvavat."])
    first = out[0][0]
    assert first.lemma == "verkosto" and [w.lemma for w in out[1]].count("verkosto") == 2
    assert all(w is first for w in out[1] if w.lemma == "verkosto")  # one object: memory grows with the words, not per word


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


# ---------------------------------------------------------------- against the gold standard (corpora/finnish_gold)

GOLD = Path(__file__).resolve().parents[3] / "corpora" / "finnish_gold"


def _gold(name: str) -> list[dict[str, str]]:
    with open(GOLD / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


#: gold items that the old analyser got wrong (issue #14), each checked in its own gold sentence
HARD_ITEMS = [
    "ambig-012",  # kuin -> kuin (not kuu)
    "ambig-021",  # kautta -> kautta (adposition)
    "ambig-003",  # kolmatta kautta -> kausi
    "ambig-036",  # vastaan -> vastaan
    "ambig-035",  # Vastaan mielelläni ... -> vastata
    "ambig-039",  # silloin (not silta)
    "ambig-040",  # ainoa (not Aino)
    "ambig-001",  # ilman + partitive -> ilman
    "ambig-002",  # Ilman laatu -> ilma
    "ambig-043",  # takaisin
    "ambig-041",  # Eli -> eli
    "ambig-007",  # yhdistys eli pitkään -> elää
    "ambig-042",  # varsinkin
    "ambig-044",  # noin (not noki)
    "ambig-049",  # Tilanne -> tilanne (not tila)
    "ambig-014",  # etukäteen
    "spoken-001",  # pitäis -> pitää
    "spoken-002",  # Vois -> voida
    "spoken-004",  # Meiän -> me
    "name-004",  # Isisin -> isis
    "name-005",  # SOTE-uudistuksessa -> sote-uudistus
    "name-006",  # THL:n -> thl
    "typo-005",  # Jarjestoilla -> järjestö
    "verb-083",  # tehty -> tehdä
    "case-075",  # jaksaminen
]


@pytest.fixture(scope="module")
def gold_subset(analyzer: FinnishAnalyzer) -> list[tuple[dict[str, str], Token | None]]:
    """Every fourth gold sentence plus the sentences of HARD_ITEMS, analysed as one batch; each item with its token."""
    items = _gold("lemmas.csv")
    sentences = list(dict.fromkeys(i["sentence"] for i in items))
    hard = {i["sentence"] for i in items if i["id"] in HARD_ITEMS}
    chosen = [s for n, s in enumerate(sentences) if n % 4 == 0 or s in hard]
    docs = dict(zip(chosen, analyzer.tokens(chosen)))
    return [
        (item, next((t for t in docs[item["sentence"]] if t.surface == item["word"]), None))
        for item in items if item["sentence"] in docs
    ]


def test_gold_subset_content_lemmas_are_right(gold_subset) -> None:
    content = [(item, token) for item, token in gold_subset if item["kind"] == "content"]
    right = sum(token is not None and token.lemma == item["lemma"] for item, token in content)
    assert len(content) > 250
    assert right / len(content) >= 0.95, [(i["id"], t and t.lemma) for i, t in content if not t or t.lemma != i["lemma"]]


def test_gold_subset_no_function_word_is_a_keyword(gold_subset) -> None:
    shown = [(item["id"], item["word"]) for item, token in gold_subset if item["kind"] == "function" and token is not None and token.content]
    assert len(shown) <= 1, shown  # the gold's "kansa" (a typo for "kanssa") is a real noun to any analyser


@pytest.mark.parametrize("item_id", HARD_ITEMS)
def test_gold_hard_items(gold_subset, item_id: str) -> None:
    item, token = next((i, t) for i, t in gold_subset if i["id"] == item_id)
    assert token is not None and token.lemma == item["lemma"], (item["sentence"], token)
    if item["kind"] == "function":
        assert not token.content


def test_gold_nonanswers_meet_the_targets() -> None:
    items = _gold("nonanswers.csv")
    found = [detect_nonanswer(i["text"], question_type=i["question_type"]) or "answer" for i in items]
    gold_na = [i["expected"] != "answer" for i in items]
    pred_na = [f != "answer" for f in found]
    hits = sum(g and p for g, p in zip(gold_na, pred_na))
    assert hits / sum(pred_na) >= 0.98 and hits / sum(gold_na) >= 0.95


# ---------------------------------------------------------------- non-answers beyond the gold's sentences


@pytest.mark.parametrize(
    ("text", "question_type", "reason"),
    [
        ("Ei ole.", "describe", "no_comment"),
        ("Ei ole.", "yesno", None),
        ("ei oo", "yesno", None),
        ("En.", "yesno", None),
        ("Ei, en usko siihen.", "yesno", None),
        ("Katso edellinen vastaus.", "yesno", "see_above"),
        ("Ei mitään kehitettävää tällä hetkellä.", "describe", "no_suggestions"),
        ("Kaikki on ollut ihan ok.", "describe", "no_suggestions"),
        ("Olemme olleet tyytyväisiä.", "describe", "no_suggestions"),
        ("Ei ole mitään valittamista!", "describe", "no_suggestions"),
        ("Ei minulla ole kokemusta.", "describe", None),  # word order not covered: an answer, never a wrong exclusion
        ("Meillä ei ole kokemusta kuntayhteistyöstä.", "describe", "no_experience"),
        ("En ole koskaan ollut yhteydessä kuntaan.", "describe", "no_experience"),
        ("Kts. vastaukseni kohtaan 2.", "describe", "see_above"),
        ("Kiitos vaivannäöstä!", "describe", "thanks"),
        ("En osaa sanoa. Kiitos kyselystä!", "describe", "dont_know"),
        ("Kiitos, mutta tilat ovat liian kalliit.", "describe", None),
        ("Hyvin menee tiedotus, huonosti rahoitus.", "describe", None),
        ("Kaikki toimii paitsi avustushaku.", "describe", None),
        ("Ei kehitettävää, mutta rahaa voisi olla enemmän.", "describe", None),
        ("Emme ole osallistuneet, koska kokoukset ovat päivällä.", "describe", None),
        ("qwerty", "describe", "placeholder"),
        ("sdfgh", "describe", "placeholder"),
        ("Sote", "describe", None),
    ],
)
def test_nonanswers_by_question_type(text: str, question_type: str, reason: str | None) -> None:
    assert detect_nonanswer(text, question_type=question_type) == reason


def test_every_reason_code_is_listed() -> None:
    from avovastaus.finnish.nonanswer import FAMILIES, PHRASES, REASONS

    assert set(PHRASES) | {r for r, _ in FAMILIES} | {"empty", "punctuation", "placeholder"} <= set(REASONS)


# ---------------------------------------------------------------- lemmas: spoken forms, exceptions, unknown words


@pytest.mark.parametrize(
    ("text", "word", "lemma"),
    [
        ("Kunnan pitäis kuunnella meitä.", "pitäis", "pitää"),
        ("Kunta vois auttaa.", "vois", "voida"),
        ("Tekis hyvää kaikille.", "Tekis", "tehdä"),
        ("Rahat loppu kesken, sanoo moni.", "sanoo", "sanoa"),
        ("Avustukset on leikattu.", "leikattu", "leikata"),
        ("Toiminta on parantunut.", "parantunut", "parantua"),
        ("Tapaamisiin tulee paljon väkeä.", "Tapaamisiin", "tapaaminen"),
        ("Hinnat nousevat jatkuvasti.", "jatkuvasti", "jatkuvasti"),
        ("Kunta ei vastaa viesteihin.", "vastaa", "vastata"),
        ("Se maksaa liikaa.", "liikaa", "liikaa"),
    ],
)
def test_lemma_in_context(analyzer: FinnishAnalyzer, text: str, word: str, lemma: str) -> None:
    [token] = [t for t in analyzer.tokens([text])[0] if t.surface == word]
    assert token.lemma == lemma


@pytest.mark.parametrize("text", ["Hinnat nousevat jatkuvasti ja liian usein.", "Kuin ennenkin, noin kolme kertaa vuodessa.", "Silloin eli takaisin."])
def test_adverbs_and_conjunctions_are_never_content(analyzer: FinnishAnalyzer, text: str) -> None:
    assert not {w.lemma for w in analyzer.content_lemmas([text])[0]} & {"jatkuvasti", "jatkuva", "liian", "liika", "usein", "usea", "kuin", "kuu", "noin", "noki", "silloin", "silta", "eli", "elää", "takaisin", "taata"}


def test_unknown_words_grouped_by_stem(analyzer: FinnishAnalyzer) -> None:
    out = analyzer.content_lemmas(["Isis on uhka.", "Euroopan pitää torjua Isisin iskut."])
    assert "isis" in {w.lemma for w in out[0]} and "isis" in {w.lemma for w in out[1]}


def test_duplicate_lemma_metric_sees_unknown_words(analyzer: FinnishAnalyzer) -> None:
    from avovastaus.evaluate import dup_lemma_share

    assert dup_lemma_share([["isis", "isisin", "nato"]], analyzer) == 1.0
    assert dup_lemma_share([["isis", "nato"]], analyzer) == 0.0


def test_curated_lists_are_well_formed() -> None:
    from avovastaus.finnish.lemmas import _holds
    from avovastaus.finnish.lexicon import generic_heads, lemma_exceptions, spoken_forms, whole_compounds

    for rows in lemma_exceptions().values():
        for row in rows:
            for context in row.contexts:
                _holds(context, None, None, None)  # raises on an unknown context
    assert all(" " not in k and v for k, v in spoken_forms().items())
    assert "eduskunta" in whole_compounds() and "toiminta" in generic_heads()


@pytest.mark.parametrize(
    ("lemma", "parts", "wordbases", "expected"),
    [
        ("yhteistyöverkosto", ("yhteistyö", "verkosto"), "+yhteis+työ(työ)+verkosto(verkosto)", ("verkosto",)),
        ("eduskunta", ("edus", "kunta"), "+edus(edus)+kunta(kunta)", ()),  # lexicon
        ("asukasilta", ("asukas", "ilta"), "+asukas(asukas)+ilta(ilta)", ()),  # generic head
        ("avustuksenhakija", ("avustus", "hakija"), "+avustuksen(avustus)+haki(hakea)+ja(+ja)", ()),  # agent-noun head
        ("verkosto", ("verkosto",), "+verkosto(verkosto)", ()),
    ],
)
def test_counted_parts(lemma: str, parts: tuple[str, ...], wordbases: str, expected: tuple[str, ...]) -> None:
    assert counted_parts(lemma, parts, wordbases) == expected
