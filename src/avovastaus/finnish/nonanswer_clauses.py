"""Deciding one clause (standard forms): a placeholder, a known phrase, a phrase family with a filler tail, or an answer."""

from __future__ import annotations

import difflib
import functools
import re

from avovastaus.finnish.nonanswer_forms import core_clause, fold
from avovastaus.finnish.nonanswer_grammar import FAMILIES, any_family
from avovastaus.finnish.nonanswer_phrases import (
    GESTURE,
    NOT_TELLING,
    NOTE,
    NOTHING,
    OBJECT_PHRASES,
    SHORT_NEGATIONS,
    fuzzy_by_initial,
    longest_fuzzy,
    longest_phrase,
    phrase_table,
)
from avovastaus.finnish.nonanswer_question import Question, echoes, same_word
from avovastaus.finnish.nonanswer_words import (
    ANSWER_VERB,
    ANSWERING,
    ASKING,
    CONDITIONAL,
    CONJUNCTIONS,
    COPULA,
    DONT_KNOW_TAIL,
    EVALUATIVE,
    EXPERIENCE_TAIL_WORDS,
    FILLER,
    GENERIC_WH,
    HEDGES,
    META,
    MODALS,
    NEGATION_WORDS,
    NO_SUGGESTION_TAIL,
    PARTICLES,
    POINTER,
    PRONOUNS,
    REFERENCE,
    REFERENCE_STEM,
    THANKS_TAIL,
    WH,
    YES,
)

#: asking back what the topic is: the question word, then pronouns, particles and the question's own words
ASK_WH = frozenset("mitä mikä mitkä mitäs mikäs mitäpä mikäpä".split())
ASK_BACK = frozenset("se tuo tämä ne nuo nämä sellainen tuollainen tällainen edes oikein ihmeen muka nyt sitten siis oikeastaan "
                     "tarkoittaa tarkoitetaan tarkoitatte tarkoitat juttu asia sana termi käsite kysymys".split())
#: words that evaluate or name something even among fillers: a clause of them is not dropped beside a non-answer
EVALUATION = frozenset("hyvin huonosti ok okei jees hyvä huono kohtalaisesti kivasti loistavasti heikosti surkeasti mainiosti "
                       "hienosti aikaa".split())
#: an organisation or "one" that does not know whom to ask states a problem ("emme tiedä kuka", "ei tiedetä kuka päättää")
WE = re.compile(r"^(?:emme |ei (?:\w+ )?(?:tiedetä|tunneta|muisteta|ymmärretä|osata))")
SAYING_VERB = re.compile(ANSWER_VERB + "$")
CORE_WORDS = 12  # a clause longer than this says something even without its loose words
KEYBOARD_ROWS = ("qwertyuiopå", "asdfghjklöä", "zxcvbnm")
PLACEHOLDER_WORDS = frozenset("x xx xxx test testi testing asdf qwerty bla blaa blah lorem ipsum dolor null none nan na tyhjä".split())
REPEATED = re.compile(r"(\w{2,4}?)\1+")  # "asdfasdf", "jhgjhg", "hahaha" (6+ letters: "pupu" is a bunny)
VOWEL = re.compile(r"[aeiouyäöå]")


def keyboard_mash(word: str) -> bool:
    """Return whether ``word`` is typed along one keyboard row (asdf, qwerty, jhgjh)."""
    for row in KEYBOARD_ROWS:
        if len(word) >= 3 and all(c in row for c in word):
            positions = [row.index(c) for c in word]
            if all(abs(a - b) <= 2 for a, b in zip(positions, positions[1:])):
                return True
    return False


def is_placeholder(canon: str) -> bool:
    """Return whether a text (canonical form) is typed only to fill the field: "xxx", "asdf", "n/a", "jaa-a", "sdfgh"."""
    words = canon.split()
    if not words:
        return False
    if all(w in PLACEHOLDER_WORDS for w in words):
        return True
    if len(words) <= 3 and all(len(w) == 1 for w in words):  # "n/a", "x x"
        return True
    if len(words) == 1:
        w = words[0]
        if "-" in w and all(part in PARTICLES or len(part) == 1 for part in w.split("-")):  # "jaa-a", "hmm-hmm"
            return True
        if len(w) == 1 or re.fullmatch(r"(.)\1+", w) or len(w) >= 6 and REPEATED.fullmatch(w) or keyboard_mash(w):
            return True
        return w.isalpha() and len(w) >= 3 and not VOWEL.search(w)
    return False


def asks_back(words: list[str], question: Question) -> bool:
    """Return whether a clause only asks what the question's own topic is ("mikä on kiusaaminen", "mitäs se semmonen on")."""
    if not 2 <= len(words) <= 6 or words[0] not in ASK_WH:
        return False
    return all(w in ASK_BACK or w in COPULA or echoes(w, question) for w in words[1:]) and any(
        w not in COPULA for w in words[1:])


def reference_only(words: list[str]) -> bool:
    return all(w in REFERENCE or REFERENCE_STEM.match(w) or w.isdigit() or w in FILLER for w in words)


def tail_ok(reason: str, tail: list[str], question: Question | None = None, we: bool = False, head: str = "") -> bool:
    """Return whether the words after a phrase head keep the clause a non-answer of ``reason``.

    The question's own words may follow "en tiedä" or a verb of saying ("en halua eritellä ongelmia"), but not
    "ei ole mitään" ("ei oo mittään yhteistyötä" says that there is none).
    """
    if reason == "see_above":
        return reference_only(tail)
    if "puolesta" in tail:  # "en osaa sanoa järjestöjen puolesta": on whose behalf one cannot say
        at = tail.index("puolesta")
        tail = tail[:max(at - 1, 0)] + tail[at + 1:]
    if reason == "thanks":
        return all(w in THANKS_TAIL or w in FILLER for w in tail)
    if reason == "no_experience":
        return len([w for w in tail if w not in FILLER]) <= EXPERIENCE_TAIL_WORDS and not CONJUNCTIONS & set(tail)
    if reason == "no_suggestions":
        return all(w in FILLER or w in NO_SUGGESTION_TAIL for w in tail)
    echo_ok = reason == "dont_know" or reason == "no_comment" and SAYING_VERB.search(head) is not None
    if reason == "dont_know" and any(w in HEDGES and EVALUATION & set(tail[i + 1:]) for i, w in enumerate(tail)):
        return False  # "en tiedä ehkä ihan hyvin": a guess after the hedge answers
    if all(w in FILLER or META.match(w) or w in DONT_KNOW_TAIL or w in PRONOUNS or REFERENCE_STEM.match(w)
           or (question is not None and echo_ok and echoes(w, question)) for w in tail):
        return True  # "en osaa sanoa tähän nyt", "en tiedä mitään kehitysyhteistyöstä", "en halua eritellä ongelmia"
    while tail and tail[0] in DONT_KNOW_TAIL and len(tail) > 1 and tail[1] in WH:
        tail = tail[1:]  # "ei keksi mitään missä olisi hyvä": the embedded question follows the object
    # "emme tiedä kuka vastaa mistäkin": an organisation that does not know whom to ask states a problem
    if reason == "dont_know" and tail and not we and (tail[0] in GENERIC_WH or question is not None and fold(tail[0]) == question.wh):
        return wh_tail_ok(tail[1:], question)
    if reason == "dont_know" and tail and tail[0] in WH and ASKING & set(tail):  # "en tiedä mistä te puhutte"
        return all(w in ASKING or w in PRONOUNS or w in COPULA or w in FILLER or w in WH for w in tail)
    return False


def wh_tail_ok(rest: list[str], question: Question | None) -> bool:
    """"en tiedä mitä se on", "en osaa sanoa ketä": an embedded question about the topic, not a stated problem.

    A modal ("en tiedä kenelle pitäisi soittaa") or a negation ("en tiedä miksi kukaan ei vastaa") makes it a
    statement; so do more than two words of its own, or two with a conditional ("mitä tekisin ilman kavereita"); one
    word of its own is the topic asked about ("en tiiä kuka sitä eniten tarvitsisi").
    """
    if NEGATION_WORDS & set(rest):
        return False
    if MODALS & set(rest):  # "en tiedä mitä tähän pitäisi kirjoittaa" is about answering; "kenelle pitäisi soittaa" is not
        return all(w in FILLER or w in MODALS or w in PRONOUNS or w in ANSWERING or META.match(w) for w in rest)
    own = [w for w in rest if not (w in FILLER or w in COPULA or w in PRONOUNS or w in WH or META.match(w)
                                   or w in ASKING or (question is not None and any(same_word(fold(w), q) for q in question.content)))]
    return len(own) <= 1 or len(own) == 2 and not any(CONDITIONAL.search(w) for w in own)


@functools.lru_cache(maxsize=65536)
def clause_reason(canon: str, question_type: str, fuzzy: float, question: Question | None = None) -> str | None:
    """Return the reason code of one clause, "answer" for a yes/no stance, "nothing" for a bare "ei mitään", or None."""
    yesno = question_type == "yesno" or (question is not None and question.yesno)
    if canon in SHORT_NEGATIONS:
        return "answer" if yesno else "nothing"
    words = canon.split()
    if words and all(w in PARTICLES for w in words):
        if yesno and YES & set(words):
            return "answer"
        # "ok" answers "Miten yhteistyö toimii?" and completes "Kehitysyhteistyö on…"
        if EVALUATIVE & set(words) and (question is None or question.kind == "evaluate" or question.stem and question.kind == "define"):
            return "answer"
        return "placeholder"
    reason = phrase_reason(canon, fuzzy, question)
    if reason is None and POINTER.match(canon) and reference_only(words):  # "ylempänä", "edellinen vastaus"
        return "see_above"
    if reason is None and question is not None and asks_back(words, question):
        return "dont_know"  # "mikä on kiusaaminen", "mitä se kehitysyhteistyö edes on"
    if reason is None and GESTURE.match(canon):
        return "dont_know"
    if reason is None and question is not None and question.personal and NOT_TELLING.match(canon):
        return "no_comment"
    if (reason == "no_comment" or reason is None and words[0] in ("ei", "eipä")) and NOTHING.match(canon):
        return "nothing"  # "ei mitään", "ei mikään kai", "ei kukaan", "ei ole": read with the question
    if reason is None and len(words) <= CORE_WORDS:  # "en mä kyl oikeen osaa", "minulla ei ole asiasta mielipidettä"
        core = core_clause(canon)  # the same without loose words
        if core and core != canon:
            reason = clause_reason(core, question_type, 1.0, question)  # typos were tried on the whole clause
            # "ihan ok" is not a bare "ok"; missing experience is read in its listed word orders only (it may be the answer)
            return None if reason in ("placeholder", "no_experience") else reason
    return reason


def phrase_reason(canon: str, fuzzy: float, question: Question | None, split: bool = False) -> str | None:
    table = phrase_table()
    if canon in table:
        return table[canon]
    words = canon.split()
    for end in range(min(len(words) - 1, longest_phrase()), 0, -1):  # "idk lol", "emt ihan sama": a phrase, then more
        head = " ".join(words[:end])
        if head in table:
            if head in OBJECT_PHRASES or NOTHING.match(head):
                break  # "en osaa mitään", "en halua mitään", "ei ole sama" say something
            rest = words[end:]
            if all(w in FILLER for w in rest) or (
                    not split and phrase_reason(" ".join(rest), fuzzy, question, True) in ("dont_know", "no_comment")):
                return table[head]
            break
    if any_family().match(canon):  # one test rules out every family for most clauses that say something
        for reason, head in FAMILIES:
            match = head.match(canon)
            if match and tail_ok(reason, canon[match.end():].split(), question, WE.match(canon) is not None, match.group()):
                return reason
    # difflib's ratio is at most 2·min(len)/(sum of lens): a clause this much longer than every phrase cannot reach ``fuzzy``
    if fuzzy < 1.0 and 8 <= len(canon) <= longest_fuzzy() * (2 - fuzzy) / max(fuzzy, 1e-9):
        close = difflib.get_close_matches(canon, fuzzy_by_initial().get(canon[0], ()), n=1, cutoff=fuzzy)
        if close:
            return table[close[0]]
    return None


def droppable(clause: str) -> bool:
    """Return whether a clause only talks about answering, hedges or notes a gesture ("kohauttaa olkapäitä")."""
    words = clause.split()
    if EVALUATION & set(words) or words[-1] == "aika":  # "ihan hyvin", "aika hyvin", "aikaa" (time) answer
        return bool(NOTE.match(clause))
    return all(w in FILLER or META.match(w) or w in PARTICLES for w in words) or bool(NOTE.match(clause))
