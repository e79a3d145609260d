"""Reading an answer's words in their standard written form: spoken and dialect forms, missing umlauts, typos.

The tables are ``data/nonanswer_fi.tsv`` and ``data/spoken_fi.tsv`` (``lexicon.nonanswer_forms``). Beyond them, a word
is read by general rules: missing umlauts and doubled or dropped double letters (*tieda*, *mitäänn*), a clitic
(*tiedäkään*), a spoken participle (*miettiny*), Savo *ee* for *ede* (*eellä*), two words typed as one (*entiedä*,
*tiedämitä*). Where the rules expect a word (just after a negation, at the head of a clause, in a clause of three
words) a misspelling of one of the rules' words is guessed too: a letter dropped, added or swapped with its
neighbour, or a final vowel cut off as in speech (*vstata*, *tiedäö*, *tuel*, *muist*).

A clause also loses its leading particles (*no, hmm, tota*), a subject next to its negation (*en mä*, *lapsi ei*) and
reported speech (*sanoo että*); :func:`core_clause` reads it without the words that carry nothing beside a
non-answer (*en mä kyl oikeen tiiä* -> *en tiedä*).
"""

from __future__ import annotations

import functools
import re

from avovastaus.finnish.lexicon import nonanswer_forms, nonanswer_vocabulary
from avovastaus.finnish.nonanswer_grammar import FAMILIES
from avovastaus.finnish.nonanswer_phrases import GESTURE, NOTE, PHRASES, phrase_table
from avovastaus.finnish.nonanswer_words import (
    COPULA,
    DONT_KNOW_TAIL,
    FILLER,
    HEDGES,
    LOOSE,
    LOOSE_PHRASE_STARTS,
    LOOSE_PHRASES,
    MODALS,
    NEGATIONS,
    PARTICLES,
    PRONOUNS,
    REFERENCE,
    THANKS_TAIL,
    WH,
)

LEADING_PARTICLES = re.compile(r"^(?:(?:no|noh|hmm|hm|mm|mmm|öö|ööh|öh|ää|äää|eh|tota|tuota|niin|nii|joo|juu|jaa|ai|okei|siis) )+")
SUBJECT = re.compile(  # a subject next to the negation: "mä en", "en mä", "lapsi ei", "yhdistyksemme ei"
    r"^(?:(?:minä|me|hän|se|lapsi|vastaaja|oppilas|poika|tyttö|(?:yhdisty|järjest|seura|yrity|yhteisö|organisaati|"
    r"ryhmä|tiimi)\w*mme) )?(en|ei|emme|ette|eivät|e)(?: (?:minä|me|hän))?(?= |$)"
)
REPORTED = re.compile(r"^(?:(?:lapsi|hän|poika|tyttö) )?(?:sanoa|sanoi|kertoo|kertoa|kertoi|vastaa|vastasi|toteaa|totesi) että ")
WORD_RE = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
FUZZY_WORDS = 10  # a clause this long or shorter has its spelling variants and typos read (longer: listed forms only)
FUZZY_REACH = 3  # a misspelt word is guessed up to this many words after a negation


def canonical(text: str) -> str:
    return " ".join(WORD_RE.findall(text.lower()))


# ---------------------------------------------------------------- reading each word in its standard form

FOLD = str.maketrans("äöå", "aoa")
ELONGATED = re.compile(r"(.)\1{2,}")
DOUBLED = re.compile(r"(.)\1+")
CLITIC = re.compile(r"(?:kaan|kään|kaa|kää|kin|pa|pä|han|hän)$")
SPOKEN_PARTICIPLE = re.compile(r"(?<=nn|ll|rr|ss|[aeiouyäö]n)[uy]$")  # halunnu -> halunnut, miettiny -> miettinyt


def fold(word: str) -> str:
    return word.translate(FOLD)


def skeleton_form(word: str) -> str:
    """Return ``word`` without umlauts and doubled letters ("mitäänn", "mitaan" -> "mitan")."""
    return DOUBLED.sub(r"\1", fold(word))


def deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def swaps(word: str) -> set[str]:
    """Return ``word`` with two neighbouring letters swapped ("tuel", "muitsa", "aavistsutakaan")."""
    return {word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1) if word[i] != word[i + 1]}


def unambiguous(pairs) -> dict[str, str]:
    table: dict[str, str] = {}
    clash: set[str] = set()
    for key, value in pairs:
        if key in table and table[key] != value:
            clash.add(key)
        table.setdefault(key, value)
    return {k: v for k, v in table.items() if k not in clash}


@functools.lru_cache(maxsize=1)
def protected() -> frozenset[str]:
    """Words that are themselves: the rules' own words and common function words, never read as another word."""
    words = set(FILLER) | REFERENCE | THANKS_TAIL | DONT_KNOW_TAIL | WH | MODALS | COPULA | PRONOUNS | PARTICLES
    words |= {w for phrases in PHRASES.values() for p in phrases for w in p.split()}
    patterns = [head.pattern for _, head in FAMILIES] + [NOTE.pattern, GESTURE.pattern]  # "katsoo" is not a typo of "katso"
    words |= {w for pattern in patterns for w in re.findall(r"(?<![\\?])\b[a-zäöå]{3,}\b(?!\\w)", pattern)}
    words |= set("ja tai kuin kun jos että mutta vaan vain myös ei en emme ette eivät se ne on ole hyvä hyvin huono huonosti "
                 "kaikki kaikkea kaikille muut muita muille paljon vähän liian enemmän lisää rahaa raha aikaa aika maa maat "
                 "sana sanat tie tiet osa osat halu tunne kunta kunnan kanssa missä mistä mihin mitä mikä".split())
    return frozenset(words)


@functools.lru_cache(maxsize=1)
def word_tables() -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, str]]:
    """Return the exact, folded, skeleton and typo tables: a word's form -> its standard form."""
    exact = dict(nonanswer_forms())
    for word in protected():
        exact.setdefault(word, word)
    # missing umlauts: any known word with one ("mitaan", "ylla", "tieda")
    folded = unambiguous((fold(form), standard) for form, standard in exact.items() if len(form) >= 4 and fold(form) != form)
    # doubled or dropped double letters ("sanoaa", "tiiedä", "mitäänn"): only onto the rules' standard words, not onto
    # spoken forms ("totta" is not "tota", "koska" is not "koskaa")
    targets = [word for word in nonanswer_vocabulary() | protected() if len(word) >= 6 or word in nonanswer_vocabulary()]
    skeleton = unambiguous((skeleton_form(word), exact.get(word, word)) for word in targets if len(word) >= 5)
    # typo targets: the standard words the rules use (the one-column rows of nonanswer_fi.tsv, 4+ letters)
    vocabulary: dict[str, str] = {}  # skeleton -> the first standard word with it ("muista", "muistaa" -> "muista")
    for word in sorted(nonanswer_vocabulary()):
        if len(word) >= 4:
            vocabulary.setdefault(skeleton_form(word), word)
    # a letter dropped ("tida", "muist", "vstata", "mitn") from a 5+ letter word, with and without doubles, or two
    # neighbouring letters swapped ("tuel", "muitsa", "haula"); never onto a word the rules know as itself
    guesses = unambiguous((typo, word) for skel, word in vocabulary.items()
                          for typo in (deletes(skel) | deletes(fold(word)) if len(word) >= 5 else set()) | swaps(fold(word)))
    typos = {typo: word for typo, word in guesses.items() if typo not in exact and typo not in folded}
    return exact, folded, skeleton, typos


def lookup(word: str, folded_word: str, skeleton_word: str) -> str | None:
    exact, folded, skeleton, _ = word_tables()
    found = exact.get(word)
    if found is None and len(word) >= 4:
        found = folded.get(folded_word) or (skeleton.get(skeleton_word) if len(word) >= 5 else None)
    return found


GLUED_VERBS = frozenset(("tiedä", "osaa", "muista", "keksi", "halua", "jaksa", "viitsi"))
GLUED_TAILS = tuple(sorted(WH | GLUED_VERBS))


@functools.lru_cache(maxsize=65536)
def standard_word(word: str, fuzzy: bool = True) -> str:
    """Return the standard form of one lower-case word (several words for fused forms: "emmä" -> "en minä")."""
    found = word_tables()[0].get(word)
    if found is not None:
        return found
    word = ELONGATED.sub(r"\1\1", word)  # "jooo", "eiii"
    folded_word = fold(word)
    skel = DOUBLED.sub(r"\1", folded_word)
    found = lookup(word, folded_word, skel)
    if found is not None:
        return found
    if len(word) >= 4 and word[-1] == word[-2]:  # "tiiää", "mitää" typed long
        found = lookup(word[:-1], folded_word[:-1], skeleton_form(word[:-1]))
        if found is not None:
            return found
    clitic = CLITIC.search(word)
    if clitic and clitic.start() >= 3:  # "kuullukkaan", "tiedäkään"
        bare = word[:clitic.start()]
        found = lookup(bare, fold(bare), skeleton_form(bare))
        if found is not None:
            return found
    if len(word) >= 5 and SPOKEN_PARTICIPLE.search(word):
        return lookup(word + "t", folded_word + "t", skel + "t") or word + "t"  # spoken participles: "miettiny", "toiminu"
    if word[:2] in ("en", "ei") and len(word) >= 6:  # glued: "entiedä", "eiosaa"
        rest = word[2:]
        found = lookup(rest, fold(rest), skeleton_form(rest))
        if found in GLUED_VERBS:
            return f"{word[:2]} {found}"
    if word.startswith("eell") and len(word) >= 5:  # Savo and Karelian "eellä", "eellisessä": "edellä", "edellisessä"
        return lookup("edell" + word[4:], fold("edell" + word[4:]), skeleton_form("edell" + word[4:])) or "edell" + word[4:]
    if len(word) >= 5 and (word.startswith(("en", "ei")) or word.endswith(GLUED_TAILS)):  # glued: "tiedämitä", "eiole"
        exact = word_tables()[0]
        for i in range(2, len(word) - 1):
            head, tail = exact.get(word[:i]), exact.get(word[i:])
            if head and tail and (head in NEGATIONS or tail in WH or tail in GLUED_VERBS):
                return f"{head} {tail}"
    if fuzzy and len(word) >= 3 and word.isalpha():
        return guess(word, folded_word, skel)
    return word


#: letters that end inflected forms: a word one of them longer than a rule word is another form, not a typo
INFLECTION_LETTERS = frozenset("aeintsk")


def guess(word: str, folded_word: str, skel: str) -> str:
    """Return the rules' word that ``word`` misspells, or ``word``: a letter dropped ("tida", "vstata"), two letters
    swapped ("tuel", "haula"), a letter added ("tiedäö"), a final vowel cut off as in speech ("tul", "muist").

    A changed letter is not guessed: Finnish inflection changes letters ("tehnyt" is not "tiennyt", "mukaan" is not
    "mikään"); nor is a double letter collapsed on the way ("saanut" is not "osannut").
    """
    typos = word_tables()[3]
    found = typos.get(folded_word) or (typos.get(skel) if skel == folded_word else None)
    if found is None and len(word) >= 5:  # a letter added ("tiedäö", "tuule"); not an ending ("sanoi", "muistan")
        added = {folded_word[:i] + folded_word[i + 1:] for i in range(len(folded_word) - 1)}
        if folded_word[-1] not in INFLECTION_LETTERS and folded_word[-1] != folded_word[-2]:  # "katsoo" is "katso"+"o"
            added.add(folded_word[:-1])
        found = next((typos_target(d) for d in sorted(added) if typos_target(d)), None)
    if found is None:
        found = next((typos_target(folded_word + v) for v in "aeiouyä" if typos_target(folded_word + v)), None)
    return found or word


def typos_target(folded_word: str) -> str | None:
    """Return the rules' word whose folded form is ``folded_word``, if any."""
    return vocabulary_by_fold().get(folded_word)


@functools.lru_cache(maxsize=1)
def vocabulary_by_fold() -> dict[str, str]:
    return dict(unambiguous((fold(word), word) for word in nonanswer_vocabulary() if len(word) >= 4))


@functools.lru_cache(maxsize=65536)
def standard_clause(canon: str, typos: bool = True) -> str:
    """Return a clause's words in their standard form, with the subject, reported speech and particles taken off.

    ``typos``: guess misspelt words where the rules expect one (see the module docstring).
    """
    words = canon.split()
    if len(words) > FUZZY_WORDS:  # a long clause is read word for word only: it says something unless its words are known
        exact = word_tables()[0]
        out = [exact.get(word, word) for word in words]
        words = []
    else:
        out = []
    short = typos and len(words) <= FUZZY_WORDS
    since_negation = FUZZY_REACH + 1
    for i, word in enumerate(words):
        if word == "em" and i + 1 < len(words) and standard_word(words[i + 1], False) in ("minä", "me"):
            word = "en"  # "em mie ossaa" (n assimilated before m)
        # a misspelt word is guessed only where the rules expect one: just after a negation ("en tida", "ei tule mileen")
        # or at the head of a clause, or anywhere in a clause of three words ("vaikae sanoa", "vaikeaa snaoa")
        standard = standard_word(word, short and (since_negation <= FUZZY_REACH or i == 0 and len(words) <= 6 or len(words) <= 3))
        out.append(standard)
        last = standard.rsplit(" ", 1)[-1]
        since_negation = 1 if last in NEGATIONS else since_negation + 1
    clause = " ".join(out)
    if clause in phrase_table():  # "no comment"
        return clause
    if out[0] in PARTICLES:
        clause = LEADING_PARTICLES.sub("", clause) or clause
    if " että " in clause:
        clause = REPORTED.sub("", clause)
    if NEGATIONS.intersection(clause.split()[:3]):
        clause = SUBJECT.sub(r"\1", clause)
    return clause


@functools.lru_cache(maxsize=65536)
def core_clause(clause: str) -> str:
    """Return a clause (standard forms) without the words that carry nothing beside a non-answer (``LOOSE``).

    "en minä kyllä oikein tiedä" -> "en tiedä", "minulla ei ole asiasta mielipidettä" -> "ei ole mielipidettä".
    """
    words = clause.split()
    if LOOSE_PHRASE_STARTS & set(words):
        words = LOOSE_PHRASES.sub("", clause).split()
    kept: list[str] = []
    for i, word in enumerate(words):
        if word in HEDGES and kept and kept[-1] not in NEGATIONS and not all(w in LOOSE for w in words[i + 1:]):
            kept.append(word)  # "en tiedä ehkä hyvin": a hedge before a guess stays
        # "yhtään" right after the negation is an adverb ("en yhtään tiedä"); after the verb, an object ("en osaa yhtään")
        elif word not in LOOSE and not (word == "yhtään" and kept and kept[-1] in NEGATIONS):
            kept.append(word)
    return " ".join(kept)
