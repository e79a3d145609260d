"""Whole non-answer phrases by reason code, the "nothing" answers read with the question, and interviewers' notes.

The phrases match a whole clause, or its start when only filler follows ("idk lol"); those of 8+ letters also match
misspelt (difflib). The clause heads built from word classes are in ``nonanswer_grammar``.
"""

from __future__ import annotations

import functools
import re

from avovastaus.finnish.nonanswer_words import NEG_ADV

#: reason code -> whole phrases (lower case, no punctuation); typos are tolerated in phrases of 8+ characters
PHRASES: dict[str, tuple[str, ...]] = {
    "dont_know": (
        "en osaa sanoa", "eos", "emt", "en osaa", "idk", "dont know", "don't know", "vet ej", "tiedä häntä",
        "mene ja tiedä", "kysy muilta", "ei hajua", "ei hajuakaan", "en tiedä", "en tiiä", "kuka tietää", "kukapa tietää",
        "ken tietää", "kuka sen tietää", "kukapa sen tietää", "hyvä kysymys", "no idea", "en tiedä en osaa",
        # English and Swedish (Finland is bilingual; texting borrows English)
        "i don't know", "i dont know", "dunno", "vet inte", "jag vet inte", "ingen aning", "kan inte säga",
    ),
    "no_comment": (
        "ei kommentteja", "ei kommenttia", "ei mitään", "ei muuta", "no comment", "no comments", "nada", "ohi", "pass",
        "ei vastausta", "ei ole", "ei mitään lisättävää", "skip", "ohitan", "ohitetaan", "ohitan tämän", "en kommentoi",
        "en vastaa", "en jaksa", "en viitsi", "en halua", "ei halua", "no thanks", "ihan sama", "sama se", "mitä väliä",
        "whatever", "who cares", "ei kiinnosta", "en välitä", "yksityisasia", "salaisuus", "henkilökohtainen asia",
        "olankohautus", "liikesalaisuus", "salaista", "salainen", "kuka välittää", "ketä kiinnostaa", "ketä se kiinnostaa",
        "idc", "i dont care", "ingen kommentar", "inga kommentarer", "inget att tillägga",
    ),
    "see_above": ("sama", "samat", "ditto", "kts edellinen vastaus", "katso edellinen vastaus", "sama kuin edellä"),
    "no_suggestions": ("kaikki hyvin", "kaikki ok", "hyvä näin", "ei kehitettävää", "ei parannettavaa"),
    "thanks": ("kiitos", "kiitos kyselystä", "kiitoksia", "kiitti"),
}
#: short negations: a stance to a yes/no statement, nothing to tell to a describe question
SHORT_NEGATIONS = frozenset({"ei", "ei ole", "ei oo", "en", "eipä", "ei ei", "ei kai", "ei oikeastaan", "eipä oikeastaan"})
#: "nothing" answers, whose reading depends on the question ("ei mitään", "ei mikään", "ei kukaan", "ei ole")
NOTHING = re.compile(
    r"^(?:ei|en|emme|eipä)(?: (?:ole|oo|ollut|oikeastaan|oikein|kai|juuri|juurikaan|kyllä|nyt|ihan|yhtään|sitten|vielä|tällä hetkellä))*"
    r"(?: (?:mitään|mikään|kukaan|ketään|missään|mistään|mihinkään|kenellekään|keneenkään|kenestäkään|mikään muu|"
    r"minkäänlaista|minkäänlaisia|yhtään|ollenkaan|lainkaan|erityistä|mitään erityistä|mitään ihmeempää))?"
    r"(?: (?:tällä hetkellä|nyt|juuri nyt|oikeastaan|kai|varmaan|sitten|tässä|tähän|kyllä|ihan|ainakaan|erityisesti))*$"
)
#: an interviewer's note beside a child's answer ("kohauttaa olkapäitä", "mietti pitkään"); dropped beside a non-answer
NOTE = re.compile(
    r"^(?:lapsi |hän |poika |tyttö )?(?:kohauttaa|kohautti|kohauttelee|hymyilee|hymyili|mietti|miettii|pohti|pohtii|pudistaa|"
    r"pudisti|naurahtaa|naurahti|nauraa|nauroi|vaikeni|vaikenee|on hiljaa|oli hiljaa|katsoo|katsoi|halusi mennä|haluaa mennä|"
    r"lähti|lähtee|vaihtoi aihetta|vaihtaa aihetta)(?: \w+){0,3}$"
)
#: a gesture noted instead of an answer ("kohauttaa olkapäitään"): a non-answer even alone
GESTURE = re.compile(r"^(?:lapsi |hän |poika |tyttö )?(?:kohauttaa|kohautti|kohauttelee|pudistaa|pudisti|pudistelee|on hiljaa|"
                      r"oli hiljaa|vaikeni|vaikenee|nauroi|naurahti|naurahtaa|hymyili|kikatti|kikattaa|virnisti|"
                      r"olkapäiden kohautus|olankohautus|hiljaisuus|pitkä hiljaisuus)(?: \w+){0,2}$")
#: a child transcribed in the 3rd person who does not say ("Ei kerro."): only where the question asks the child
NOT_TELLING = re.compile(r"^(?:ei|eikä) (?:kerro|kertonut|sano|sanonut|vastaa|puhu|puhunut|sano mitään|kerro mitään|puhu mitään)$")


@functools.lru_cache(maxsize=1)
def phrase_table() -> dict[str, str]:
    return {phrase: reason for reason, phrases in PHRASES.items() for phrase in phrases}


@functools.lru_cache(maxsize=1)
def longest_phrase() -> int:
    return max(len(p.split()) for p in phrase_table())


#: phrases in English or Swedish matched only as they are: typo tolerance costs time on every clause of 8+ letters
FOREIGN = frozenset(("i don't know", "i dont know", "vet inte", "jag vet inte", "ingen aning", "kan inte säga", "dunno", "idc",
                     "i dont care", "ingen kommentar", "inga kommentarer", "inget att tillägga"))


@functools.lru_cache(maxsize=1)
def fuzzy_phrases() -> list[str]:
    """Phrases long enough for typo-tolerant matching ("eos" must match exactly), in Finnish."""
    return sorted(p for p in phrase_table() if len(p) >= 8 and p not in FOREIGN)


@functools.lru_cache(maxsize=1)
def fuzzy_by_initial() -> dict[str, list[str]]:
    """The typo-tolerant phrases by their first letter: a misspelt phrase keeps its first letter ("en tieäd")."""
    table: dict[str, list[str]] = {}
    for phrase in fuzzy_phrases():
        table.setdefault(phrase[0], []).append(phrase)
    return table


@functools.lru_cache(maxsize=1)
def longest_fuzzy() -> int:
    return max(map(len, fuzzy_phrases()), default=0)


#: phrases whose verb takes an object: "en osaa mitään" (I am good at nothing) is an answer
OBJECT_PHRASES = frozenset(("en osaa", "en halua", "ei halua", "en jaksa", "en viitsi", "en vastaa", "en kommentoi"))
#: a "don't know" head whose object follows as its own clause ("En tiedä, mitä on kehitysyhteistyö"): read as one clause
DONT_KNOW_HEAD = re.compile(r"^(?:en|ei|emme) (?:" + NEG_ADV + r")(?:tiedä|tiennyt|muista|ymmärrä|tunne|(?:osaa|osannut|pysty|voi) "
                             r"(?:sanoa|sanomaan|kertoa|kertomaan|arvioida|arvioimaan))$")
