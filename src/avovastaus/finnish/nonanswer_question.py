"""Reading the question's wording: what kind of question it is and whether an answer only echoes it."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from avovastaus.finnish.nonanswer_forms import canonical, fold, standard_word
from avovastaus.finnish.nonanswer_words import COPULA, MODALS, PARTICLES, PRONOUNS, WH

# ---------------------------------------------------------------- the question


@dataclass(frozen=True)
class Question:
    words: tuple[str, ...]  # standard forms, folded
    content: tuple[str, ...]  # the words an echo must repeat (not wh-words, copulas, pronouns, function words)
    stem: bool  # a sentence-completion stem ("Kehitysyhteistyö on…")
    kind: str  # "exist", "define", "evaluate", "suggest", "say": how "ei mitään" reads
    yesno: bool  # "Onko…?", "Pitäisikö…?"
    wh: str  # its question word (folded), "" for a stem
    last: str  # the last content word (the verb of "Miten yhteistyö toimii?")
    personal: bool  # asks the respondent in the 2nd person singular ("Mikä sinua pelottaa?", "Missä olet hyvä?")


FUNCTION = frozenset("ja tai kuin kun jos että kanssa myös vielä sekä eli mutta niin nyt kolme kaksi yksi".split())
# matched against the question's words without umlauts
SAY = re.compile(r"^(?:sano|kerto|kommentoi|kommentt|lisat|terveis|palaut|kuvail|kuvat|selit|maarittel|mainit|vapaa)")
IMPERATIVE = re.compile(r"^(?:\w+(?:kaa|ka)|kerro|kuvaile|kuvaa|perustele|kirjoita|mainitse|nimea|listaa|anna|arvioi|vastaa|selita|"
                         r"ehdota|tayta|valitse)$")
EVALUATE_WH = frozenset("miten kuinka millainen minkalainen millaisena millaiseksi".split())
LOCATIVE_WH = frozenset("missä mistä mihin kenelle keneltä kenen milloin miksi".split())
LOCATIVE = re.compile(r"(?:ssa|ssä|sta|stä|lla|llä|lta|ltä|lle)$")
SECOND_PERSON = frozenset(fold(w) for w in "sinä sinua sinut sinulle sinun sinusta sinulla sinuun olet sä sua sut sulle sun".split())
SUGGEST = re.compile(r"^(?:ehdot|toive|toivei|toivomu|parannusehdot|kehitysehdot|kehitysidea|idea|kehittamisehdot)")
PARTICIPLE = re.compile(r"(?:nut|nyt|neet|ttu|tty|isi|isit|isitte|isimme|isin)$")


@functools.lru_cache(maxsize=4096)
def read_question(question: str) -> Question:
    stripped = question.strip()
    words = tuple(fold(standard_word(w, False)) for w in canonical(stripped).split())
    words = tuple(w for word in words for w in word.split())
    folded_wh, folded_copula = {fold(w) for w in WH}, {fold(w) for w in COPULA}
    folded_pronouns, folded_function = {fold(w) for w in PRONOUNS}, {fold(w) for w in FUNCTION}
    content = tuple(w for w in words if w not in folded_wh and w not in folded_copula and w not in folded_pronouns
                    and w not in folded_function)
    wh = words[0] if words and words[0] in folded_wh else None
    stem = stripped.endswith(("…", "...", ".."))
    # a yes/no question ("Onko…?", "Pitäisikö…?") or a statement to take a stand on ("Suomeen tarvitaan lisää poliiseja")
    first = canonical(stripped).split()[0] if words else ""
    yesno = bool(words) and wh is None and not stem and (
        bool(re.search(r"(?:ko|kö|kos|kös)$", first))
        or ("?" not in stripped and not IMPERATIVE.match(fold(first)) and not any(SAY.match(w) for w in words)))
    others = [w for w in words[1 if wh else 0:] if w not in folded_pronouns and w not in folded_function]
    if any(SAY.match(w) for w in words) or (words[:2] == ("mita", "muuta")):
        kind = "say"
    elif wh is not None and any(w in FOLDED_MODALS or SUGGEST.match(w) for w in words):
        kind = "suggest"  # "Miten yhteistyötä pitäisi kehittää?": "kaikki hyvin" gives no suggestion
    elif wh in EVALUATE_WH:
        kind = "evaluate"
    elif wh in {fold(w) for w in LOCATIVE_WH} or any(LOCATIVE.search(w) and len(w) >= 5 for w in others if w not in folded_wh):
        kind = "exist"
    elif any(w in ("on", "ovat", "oli", "olivat") for w in words) and not any(PARTICIPLE.search(w) for w in others):
        kind = "define"
    else:
        kind = "exist"
    personal = any(w in SECOND_PERSON for w in words)
    return Question(words, content, stem, kind, yesno, wh or "", content[-1] if content else "", personal)


def same_word(a: str, b: str) -> bool:
    """Return whether answer word ``a`` repeats question word ``b`` (both folded): an inflection or a typo of it."""
    if a == b:
        return True
    prefix = common_prefix(a, b)
    shorter = min(len(a), len(b))
    return prefix >= 5 and prefix >= 0.6 * shorter or (shorter >= 4 and prefix >= shorter - 1 and abs(len(a) - len(b)) <= 2)


def echoes(word: str, question: Question) -> bool:
    """Return whether ``word`` repeats one of the question's own words."""
    folded = fold(word)
    return len(folded) >= 4 and any(same_word(folded, q) for q in question.content)


def same_form(a: str, b: str) -> bool:
    """Return whether ``a`` is ``b`` itself or a typo of it (not another inflection: "suomea" is not "suomen")."""
    prefix = common_prefix(a, b)
    return a == b or (abs(len(a) - len(b)) <= 1 and prefix >= max(len(a), len(b)) - 2 and min(len(a), len(b)) >= 8)


def common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def is_echo(words: list[str], question: Question) -> bool:
    """Return whether ``words`` (standard forms) only repeat the question or its stem."""
    if not words or not question.content or question.yesno:
        return False  # restating a statement ("Lapsilisiä on korotettava.") takes a stand
    matched: set[int] = set()
    has_wh = inflected = False
    for part in (part for word in words for part in word.split("-") if part):  # "kehitys-mikä?"
        word = fold(part)
        if word in FOLDED_WH:
            has_wh = True
            continue
        if word in FOLDED_SKIP or word in question.words and word not in question.content:
            continue
        hit = next((i for i, q in enumerate(question.content) if same_word(word, q)), None)
        if hit is None:
            return False
        matched.add(hit)
        inflected = inflected or not same_form(word, question.content[hit])
    if not matched:
        return False
    if question.stem and question.kind != "define" and len(matched) == 1 and inflected:
        return False  # "Suomea" to "Suomen pitäisi auttaa…" fills the slot: only "auttaa" itself is an echo
    if question.stem or has_wh:
        return True
    if question.kind == "evaluate" and any(same_word(fold(w), question.last) for w in words):
        return False  # "yhteistyö toimii" to "Miten yhteistyö toimii?": the verb repeated is a stance
    # one word of the question in its own form says nothing ("iloiseksi", "kehitettävää"); another form may ("ongelmat")
    return len(matched) >= 2 or len(matched) == len(set(question.content)) or (
        len(words) == 1 and not inflected and question.kind != "evaluate")


FOLDED_WH = frozenset(fold(w) for w in WH)
FOLDED_MODALS = frozenset(fold(w) for w in MODALS | {"voisivat", "voisitte", "voisimme", "pitäisikö", "tulisi", "tulisiko"})
FOLDED_SKIP = frozenset(fold(w) for w in COPULA | PRONOUNS | PARTICLES | {"no", "niin", "siis", "että", "ja", "sillei", "silleen", "jne", "yms", "tms"})
