"""Non-answers: texts that say nothing about the question, each with a reason code, by question type.

:func:`detect_nonanswer` is a pure ``str -> reason | None`` function. A text is a non-answer when every
clause of it is one (so *"Sama kuin edellä, lisäksi tilavuokrat ovat liian korkeat."* is an answer).
A clause is a non-answer when it is a known phrase (typos tolerated), or when it starts like one of the
phrase families below and what follows holds only filler words — a clause that names a subject
(*"Kaikki hyvin paitsi tiedotus"*, *"Hyvin toimii uutiskirje"*) is an answer.

Short negations (*"Ei."*, *"Ei ole."*, *"Ei oo"*, *"En."*) depend on the question: to a yes/no
statement (``question_type="yesno"``) they are a stance, hence an answer; to a question asking for a
description or suggestions (``"describe"``, the default) they say there is nothing to tell.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import re
from typing import Literal

QuestionType = Literal["describe", "yesno"]
#: every reason code, in the order reports list them
REASONS = ("empty", "punctuation", "placeholder", "dont_know", "no_comment", "see_above", "no_suggestions", "no_experience", "thanks")

#: reason code -> whole phrases (lower case, no punctuation); typos are tolerated in phrases of 8+ characters
PHRASES: dict[str, tuple[str, ...]] = {
    "dont_know": (
        "en osaa sanoa", "eos", "emt", "en osaa", "idk", "dont know", "don't know", "vet ej", "tiedä häntä",
        "mene ja tiedä", "kysy muilta", "ei hajua", "ei hajuakaan", "en tiedä", "en tiiä",
    ),
    "no_comment": (
        "ei kommentteja", "ei kommenttia", "ei mitään", "ei muuta", "no comment", "no comments", "nada", "ohi", "pass",
        "ei vastausta", "ei ole", "ei mitään lisättävää",
    ),
    "see_above": ("sama", "samat", "ditto", "kts edellinen vastaus", "katso edellinen vastaus", "sama kuin edellä"),
    "no_suggestions": ("kaikki hyvin", "kaikki ok", "hyvä näin", "ei kehitettävää", "ei parannettavaa"),
    "thanks": ("kiitos", "kiitos kyselystä", "kiitoksia", "kiitti"),
}
#: short negations: a stance to a yes/no statement, nothing to tell to a describe question
SHORT_NEGATIONS = frozenset({"ei", "ei ole", "ei oo", "en", "eipä", "ei ei", "ei kai", "ei oikeastaan", "eipä oikeastaan"})

#: words that may follow any non-answer phrase without making it an answer ("en osaa sanoa tähän nyt")
FILLER = frozenset(
    "tähän tässä nyt mitään enempää oikein tällä hetkellä hetkeen tätä asiaa asiaan aiheeseen aiheesta asiasta tästä "
    "kyllä valitettavasti sen kummemmin sitten juuri vielä muuta mielestäni minusta ainakaan oikeastaan ihan tosi kovin "
    "yhtään mitenkään tarkemmin varmaksi sinänsä siis no noh joo niin".split()
)
_META = re.compile(  # words about answering, for "en ole perehtynyt tähän niin hyvin että osaisin vastata"
    r"^(?:vasta[uta]|vastaa|sano|kommentoi|arvioi|osai|osaa|osan|perustel|kanta|mielipi|tietä|tiedä|tunne|tunte|perehty|"
    r"antaa|antama|ottaa|ottama|että|jotta|hyvin|riittäväst|tarpeeksi|kunnolla|järkevä|fiksu|oikean|oikeaa|asiantunte)"
)
_REFERENCE = frozenset(
    "kuin ku kun jo edellä yllä ylempänä ylempää ylhäällä aiemmin aikaisemmin aiempi aiempaan aiemmassa aiemmat edellinen "
    "edelliseen edellisessä edellisestä edellisen edelliset ed vastaus vastaukseen vastaukseeni vastauksessa vastauksessani "
    "vastaukset vastauksen vastauksista vastauksiin kohta kohdassa kohtaan kohdan kohdat kysymys kysymyksessä kysymykseen "
    "kysymyksen kysymys totesin mainitsin sanoin kerroin kirjoitin vastasin mainittu todettu sanottu perustelut perustelu "
    "numero nro tuolla siellä sama samat mitä eli alla alempana".split()
)
_REFERENCE_STEM = re.compile(r"^(?:vastau|vastaus|kysymy|kohda|kohta|edelli|aiemp|aikaisemp|ylemp|perustelu|kommentti|kommentei)")
_THANKS_TAIL = frozenset(
    "paljon kovasti kyselystä kysymyksestä kysymyksistä mahdollisuudesta vastata vaikuttaa osallistua kun kysyitte kysytte "
    "kysyt kysytään ja hyvää kevättä kesää syksyä talvea joulua päivänjatkoa jatkoa viikonloppua hei moi terveisin tästä "
    "teille sinulle kaikille vaivannäöstä hyvä mukava kiva hieno kysely kyselyä".split()
)
_NO_SUGGESTION_TAIL = frozenset("nykyiseen nykytilanteeseen tilanteeseen kaikkeen näin niin kaikin puolin".split())
_CONJUNCTIONS = frozenset("mutta koska vaikka paitsi joten kyllä silti".split())
_EXPERIENCE_TAIL_WORDS = 3  # "en ole käyttänyt näitä palveluja": the object of the missing experience

_ADVERB = r"(?:ihan |tosi |oikein |todella |erittäin |aivan |varsin |melko |täysin |hyvin )?"
#: (reason, clause head); the rest of the clause must be filler (see :func:`_tail_ok`)
FAMILIES: tuple[tuple[str, re.Pattern], ...] = tuple((reason, re.compile(f"(?:{pattern})(?= |$)")) for reason, pattern in (
    ("dont_know", r"^(?:en|e|emme|ei|mä en|minä en) (?:osaa|osa|osaisi|osaisin|osannut|pysty|pystyisi|voi|osaa nyt) "
                  r"(?:sanoa|sanoo|sanomaan|vastata|vastaamaan|arvioida|arvioimaan|kommentoida|kommentoimaan|ottaa kantaa|"
                  r"ottamaan kantaa|eritellä|kuvailla|kertoa|sanoa mitään)"),
    ("dont_know", r"^(?:en|e|emme|mä en|minä en) (?:tiedä|tieda|tiiä|tiä|tunne|muista|keksi mitään|ole varma|ole varmoja)"),
    ("dont_know", r"^(?:vaikea|vaikee|vaikeaa|vaikeeta|hankala|hankalaa|mahdoton|mahdotonta|en osaa) "
                  r"(?:sanoa|sanoo|arvioida|vastata|sanomaan|kommentoida|arvioimaan)"),
    ("dont_know", r"^(?:en|emme) ole (?:tarpeeksi |riittävästi |kovin |juurikaan |niin )?(?:perehtynyt|perehtyneet|perillä)"),
    ("dont_know", r"^ei (?:mitään )?(?:tietoa|aavistusta|aavistustakaan|mielipidettä|kantaa)"),
    ("no_comment", r"^ei (?:ole |oo )?(?:mitään |muuta |sen |erityisesti )?(?:kommentt\w*|kommentoitavaa|lisättävää|sanottavaa|"
                   r"erityistä|kummempaa|kummemmin|enempää|sanomista|mainittavaa)"),
    ("no_comment", r"^ei (?:ole |oo )?mitään"),
    ("no_comment", r"^(?:en|emme) (?:halua|jaksa|viitsi) (?:vastata|kommentoida|sanoa|ottaa kantaa|kertoa|vastata tähän)"),
    ("see_above", r"^(?:sama|samat|samaa|samoin|kuten|katso|ks|kts|vrt|viittaan|viittaus|vastasin|vastattu)"),
    ("no_suggestions", r"^ei (?:ole |oo )?(?:mitään |juuri |juurikaan |erityisiä |erityistä )?(?:kehitettävää|parannettavaa|korjattavaa|"
                       r"muutettavaa|muutostarpeita|muutostarvetta|toiveita|toivomuksia|ehdotuksia|kehitysehdotuksia|"
                       r"parannusehdotuksia|valittamista|valitettavaa|moitittavaa|huomautettavaa|huomauttamista|moittimista|"
                       r"kehittämistarpeita|kehittämisehdotuksia|kritiikkiä|huonoa sanottavaa|pahaa sanottavaa|tarvetta muutoksille)"),
    ("no_suggestions", r"^(?:kaikki|kaikki on|kaikki ovat|kaikki on ollut|kaikki ollut|asiat ovat|asiat on|homma on|homma) "
                       + _ADVERB + r"(?:hyvin|ok|okei|kunnossa|mallillaan|hyvää|loistavasti|erinomaisesti|kohdallaan|reilassa|jees)$"),
    ("no_suggestions", r"^kaikki (?:on |ovat )?(?:mennyt|toiminut|sujunut|toimii|menee|sujuu|pelaa|pelannut)(?: " + _ADVERB
                       + r"(?:hyvin|ok|mainiosti|loistavasti|moitteettomasti|kivasti|sujuvasti))?$"),
    ("no_suggestions", r"^(?:hyvin|hienosti|mainiosti|loistavasti|ok) (?:menee|toimii|on mennyt|on toiminut|sujuu|on sujunut|pelaa)$"),
    ("no_suggestions", r"^(?:hyvä|ok|hyvä on) (?:näin|niin)"),
    ("no_suggestions", r"^jatkakaa (?:samaan malliin|samaan tapaan|samalla tavalla|samaa rataa|samoin|hyvää työtä)"),
    ("no_suggestions", r"^(?:olen|olemme|ollaan|oon) (?:ollut |olleet )?" + _ADVERB + r"tyytyväi\w*"),
    ("no_suggestions", r"^ei (?:tarvitse|tarvi|tarvii) (?:muuttaa|kehittää|parantaa|korjata) (?:mitään|mitenkään)"),
    ("no_suggestions", r"^en keksi (?:mitään )?(?:kehitettävää|parannettavaa|muutettavaa)"),
    ("no_experience", r"^(?:minulla |meillä |mulla |itsellä |itselläni )?(?:ei|en|emme) (?:ole |oo )?(?:ollut |omaa |omakohtaista |"
                      r"henkilökohtaista |juurikaan |yhtään |mitään |riittävästi |tarpeeksi )*kokemu\w*"),
    ("no_experience", r"^(?:en|emme) ole (?:koskaan |vielä |juurikaan |itse |henkilökohtaisesti )*(?:ollut|olleet) "
                      r"(?:tekemisissä|mukana|yhteydessä|osallisena)"),
    ("no_experience", r"^(?:en|emme) ole (?:koskaan |vielä |juurikaan |itse )*(?:osallistunut|osallistuneet|käyttänyt|käyttäneet|"
                      r"kokeillut|asioinut|hakenut|tarvinnut)"),
    ("thanks", r"^(?:kiitos|kiitoksia|kiitokset|kiitti|thanks|thank you)"),
    ("thanks", r"^(?:hyvä|hieno|mukava|kiva|tärkeä) (?:kysely|kyselyä|aloite)$"),
))

_PUNCT_ONLY_RE = re.compile(r"^[\W_]*$")
_WORD_RE = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
_ABBREVIATION_DOT = re.compile(r"\b(ks|kts|vrt|esim|ed|nro|ns|mm|jne|yms|ym|n|ts)\.", re.IGNORECASE)
_EOS = re.compile(r"\be\s?\.?\s?o\s?\.?\s?s\b\.?", re.IGNORECASE)
_CLAUSE_SPLIT = re.compile(r"[,.;:!?\n]+|\s(?=(?:joten|koska|mutta|vaikka|paitsi)\s)")
_LEADING_CONJUNCTION = re.compile(r"^(?:joten|eli|ja|siis|niin|mutta|koska|vaikka|paitsi) ")
_KEYBOARD_ROWS = ("qwertyuiopå", "asdfghjklöä", "zxcvbnm")
_PLACEHOLDER_WORDS = frozenset("x xx xxx test testi testing asdf qwerty bla blaa blah lorem ipsum dolor null none nan na tyhjä".split())
_MAX_WORDS = 25


def _canonical(text: str) -> str:
    return " ".join(_WORD_RE.findall(text.lower()))


@functools.lru_cache(maxsize=1)
def _phrase_table() -> dict[str, str]:
    return {phrase: reason for reason, phrases in PHRASES.items() for phrase in phrases}


@functools.lru_cache(maxsize=1)
def _fuzzy_phrases() -> list[str]:
    """Phrases long enough for typo-tolerant matching ("eos" must match exactly)."""
    return sorted(p for p in _phrase_table() if len(p) >= 8)


@functools.lru_cache(maxsize=1)
def _longest_fuzzy() -> int:
    return max(map(len, _fuzzy_phrases()), default=0)


def _keyboard_mash(word: str) -> bool:
    """Return whether ``word`` is typed along one keyboard row (asdf, qwerty, jhgjh)."""
    for row in _KEYBOARD_ROWS:
        if len(word) >= 3 and all(c in row for c in word):
            positions = [row.index(c) for c in word]
            if all(abs(a - b) <= 2 for a, b in zip(positions, positions[1:])):
                return True
    return False


def _is_placeholder(canon: str) -> bool:
    words = canon.split()
    if not words:
        return False
    if all(w in _PLACEHOLDER_WORDS for w in words):
        return True
    if len(words) == 1:
        w = words[0]
        return len(w) == 1 or bool(re.fullmatch(r"(.)\1+", w)) or _keyboard_mash(w) or (w.isalpha() and len(w) >= 3 and not re.search(r"[aeiouyäöå]", w))
    return False


def _tail_ok(reason: str, tail: list[str]) -> bool:
    """Return whether the words after a phrase head keep the clause a non-answer of ``reason``."""
    if reason == "see_above":
        return all(w in _REFERENCE or _REFERENCE_STEM.match(w) or w.isdigit() or w in FILLER for w in tail)
    if reason == "thanks":
        return all(w in _THANKS_TAIL or w in FILLER for w in tail)
    if reason == "no_experience":
        return len([w for w in tail if w not in FILLER]) <= _EXPERIENCE_TAIL_WORDS and not _CONJUNCTIONS & set(tail)
    if reason == "no_suggestions":
        return all(w in FILLER or w in _NO_SUGGESTION_TAIL for w in tail)
    return all(w in FILLER or _META.match(w) for w in tail)


def _clause_reason(canon: str, question_type: QuestionType, fuzzy: float) -> str | None:
    """Return the reason code of one clause, "answer" for a yes/no stance, or None when it says something."""
    if canon in SHORT_NEGATIONS:
        return "answer" if question_type == "yesno" else "no_comment"
    table = _phrase_table()
    if canon in table:
        return table[canon]
    for reason, head in FAMILIES:
        match = head.match(canon)
        if match and _tail_ok(reason, canon[match.end():].split()):
            return reason
    # difflib's ratio is at most 2·min(len)/(sum of lens): a clause this much longer than every phrase cannot reach ``fuzzy``
    if 8 <= len(canon) <= _longest_fuzzy() * (2 - fuzzy) / max(fuzzy, 1e-9):
        close = difflib.get_close_matches(canon, _fuzzy_phrases(), n=1, cutoff=fuzzy)
        if close:
            return table[close[0]]
    return None


def detect_nonanswer(text: str | None, fuzzy: float = 0.86, question_type: QuestionType = "describe") -> str | None:
    """Return the reason code why ``text`` is not a real answer, or None when it is one.

    Codes: ``empty``, ``punctuation`` (only punctuation or symbols), ``placeholder`` ("xx", "asdf", "."),
    ``dont_know`` ("en osaa sanoa", "eos"), ``no_comment`` ("ei kommentteja", and short negations to a
    describe question), ``see_above`` ("sama kuin edellä", "katso vastaus 1"), ``no_suggestions``
    ("ei kehitettävää", "kaikki hyvin"), ``no_experience`` ("ei kokemusta"), ``thanks`` ("kiitos
    kyselystä"). ``question_type`` is ``"describe"`` or ``"yesno"`` (see the module docstring);
    ``fuzzy`` is the difflib similarity for typo-tolerant phrases (1.0 turns it off).
    """
    if text is None or not str(text).strip():
        return "empty"
    text = str(text).strip()
    if text == ".":
        return "placeholder"  # typed to get past a required field
    if _PUNCT_ONLY_RE.match(text):
        return "punctuation"
    if next(itertools.islice(_WORD_RE.finditer(text), 3 * _MAX_WORDS, None), None) is not None:
        return None  # far too long to be a non-answer (even if every "e o s" became one word): the common case, decided cheaply
    text = _ABBREVIATION_DOT.sub(r"\1", _EOS.sub("eos", text))
    canon = _canonical(text)
    if len(canon.split()) > _MAX_WORDS:
        return None
    if _is_placeholder(canon):
        return "placeholder"
    clauses = [_LEADING_CONJUNCTION.sub("", c) for c in (_canonical(part) for part in _CLAUSE_SPLIT.split(text)) if c]
    clauses = [c for c in clauses if c]
    meta = [c for c in clauses if all(w in FILLER or _META.match(w) for w in c.split())]
    if len(meta) < len(clauses):  # "..., että osaisin vastata": talk about answering adds nothing
        clauses = [c for c in clauses if c not in meta]
    reasons = []
    for clause in clauses:  # the first clause that says something decides: the rest need no (typo-tolerant, costly) matching
        reason = _clause_reason(clause, question_type, fuzzy)
        if reason is None or reason == "answer":
            return None
        reasons.append(reason)
    return next((r for r in reasons if r != "thanks"), "thanks")  # a non-answer with thanks added is that non-answer
