"""Non-answers: texts that say nothing about the question, each with a reason code, by question type and wording.

:func:`detect_nonanswer` is a pure ``str -> reason | None`` function. A text is a non-answer when every
clause of it is one (so *"Sama kuin edellä, lisäksi tilavuokrat ovat liian korkeat."* is an answer).
A clause is a non-answer when it is a known phrase (typos tolerated), or when it starts like one of the
phrase families of the grammar and what follows holds only filler words — a clause that names a subject
(*"Kaikki hyvin paitsi tiedotus"*, *"Hyvin toimii uutiskirje"*, *"En tiedä, ehkä raha"*) is an answer.

Registers. Before the rules run, every word is read in its standard written form (``data/nonanswer_fi.tsv``
and ``data/spoken_fi.tsv``): spoken and dialect forms (*en mä tiiä, emmie tiijä, ei tuu mieleen, en haluu
kertoo*), missing umlauts, doubled, dropped, added or swapped letters (*en tieda, mitäänn, vstata, ei tuel
mieleen*). A subject pronoun next to the negation (*en mä*, *mie en*), the 3rd person of a transcribed child
(*ei osaa sanoa*, *sanoo ettei tiedä*, *lapsi ei tiennyt*), the passive (*ei tiedetä*), discourse particles (*no,
hmm, tota*), loose adverbs and the respondent or topic pointed at (*en mä kyl oikeen tiiä*, *minulla ei ole asiasta
mielipidettä*, *tähän en halua vastata*) and an interviewer's note (*kohauttaa olkapäitä*, *mietti pitkään*) do not
change what a clause says.

The modules: ``nonanswer_words`` (word classes), ``nonanswer_phrases`` (whole phrases, "nothing", notes),
``nonanswer_grammar`` (negation + verb + object heads), ``nonanswer_forms`` (reading the registers),
``nonanswer_question`` (the question's kind, echoes), ``nonanswer_clauses`` (one clause) and this one (the text).

Short negations (*"Ei."*, *"Ei ole."*, *"Ei oo"*, *"En."*) depend on the question: to a yes/no
statement (``question_type="yesno"``) they are a stance, hence an answer; to a question asking for a
description or suggestions (``"describe"``, the default) they say there is nothing to tell.

The question's wording (``question=``), when known, decides two more things:

* **echo** — an answer that only repeats the question or its sentence-completion stem
  (*"kiusaaminen on"* to *Mitä kiusaaminen on?*) says nothing;
* **nothing** — *"ei mitään", "ei mikään", "ei kukaan", "ei ole"* (and *"ei parannettavaa", "kaikki hyvin"*)
  answer a question that asks what exists, happens, is needed or makes one feel something (*Mikä tekee
  sinut iloiseksi?*, *Mitä tukea olette saaneet?*, *Mitä kehitettävää palvelussa on?*), but say nothing
  to one that asks to define or describe something or for further comments (*Mitä kiusaaminen on?*,
  *Kehitysyhteistyö on…*, *Mitä muuta haluatte sanoa?*). ``nothing_is_answer=`` forces either reading.

A question worded as a yes/no question (*Onko…?*, *Pitäisikö…?*) or as a statement to take a stand on is read
as ``question_type="yesno"``: *"Ei."*, *"Kyllä."* and restating the statement are stances there.

Learned fallback. In a short text (at most ``LEARNED_WORDS`` words), a clause in which the rules find no non-answer
form, with the question in view or without it, goes to a classifier trained on the project's non-answers
(``nonanswer_learned``) before it is kept: *"en mä oo iha varma mitä sanois"*, which no rule reads, is a non-answer.
The classifier has a say only where the rules met a word they cannot read; it is never asked about a clause the rules
keep because of the question or read as a stance ("ei mitään" to a question about what exists, "okei" to *Miten
yhteistyö toimii?*), nor for a yes/no question, nor with ``fuzzy=1.0``. ``LEARNED_FALLBACK = False`` turns it off.
"""

from __future__ import annotations

import itertools
import re
from typing import Literal

from avovastaus.finnish.nonanswer_clauses import clause_reason, droppable, is_placeholder
from avovastaus.finnish.nonanswer_forms import WORD_RE, canonical, standard_clause
from avovastaus.finnish.nonanswer_grammar import FAMILIES
from avovastaus.finnish.nonanswer_phrases import DONT_KNOW_HEAD, PHRASES
from avovastaus.finnish.nonanswer_question import Question, is_echo, read_question
from avovastaus.finnish.nonanswer_words import WH

__all__ = ["FAMILIES", "PHRASES", "REASONS", "QuestionType", "detect_nonanswer"]

QuestionType = Literal["describe", "yesno"]
#: every reason code, in the order reports list them
REASONS = (
    "empty", "punctuation", "placeholder", "dont_know", "no_comment", "see_above", "no_suggestions", "no_experience", "thanks",
    "echo",
)

_PUNCT_ONLY_RE = re.compile(r"^[\W_]*$")
_ABBREVIATION_DOT = re.compile(r"\b(ks|kts|vrt|esim|ed|nro|ns|mm|jne|yms|ym|n|ts)\.", re.IGNORECASE)
_EOS = re.compile(r"\be\s?\.?\s?o\s?\.?\s?s\b\.?", re.IGNORECASE)
_EMOTICON = re.compile(r"(?<!\w)[:;=8][-'^]?[dDpPoO()\[\]/\\|*3]+(?!\w)|(?<!\w)[xX][dD]+(?!\w)|<3")
#: clause boundaries: punctuation, a spaced dash, a conjunction ("koska", "mutta", "eikä"), "kun" before a negation
_CLAUSE_SPLIT = re.compile(r"[,.;:!?\n]+|\s[-–—]+\s|\s(?=(?:joten|koska|mutta|mut|vaikka|paitsi|eikä|enkä)\s)"
                           r"|\s(?=(?:kun|ku)\s(?:\w+\s)?(?:en|ei|emme)\s)")
#: a leading "kun" starts an answer ("kun ei saa olla mukana"); after a first clause it gives a reason
_LEADING = frozenset("joten eli ja siis niin mutta mut koska vaikka paitsi".split())
_LATER = _LEADING | {"kun", "ku"}
#: "Lapsi sanoi, ettei tiedä": the reporting verb and its "että" clause are read as one clause
_REPORTING_COMMA = re.compile(r"\b(sanoi|sanoo|kertoi|kertoo|vastasi|totesi|toteaa)\s*[,:]\s*(?=(?:ettei|etten|että|et)\b)", re.IGNORECASE)
_REPORTING_VERB = re.compile(r"\b(?:sano|kerto|vastasi|totesi|toteaa)")
_MAX_WORDS = 25
_ECHO_WORDS = 12  # an answer longer than this is never a mere echo of the question
#: ask the learned fallback about clauses the rules keep (module switch; tests and benchmarks may turn it off)
LEARNED_FALLBACK = True
LEARNED_WORDS = 12  # a longer text is decided by the rules alone


def _learned_reason(clause: str) -> str | None:
    from avovastaus.finnish.nonanswer_learned import learned_reason  # trains at first use; scikit-learn loads only then

    return learned_reason(clause)


def _nothing_reads(question: Question | None, nothing_is_answer: bool | None) -> tuple[bool, bool]:
    """Return (a bare "ei mitään" answers, "ei parannettavaa / kaikki hyvin" answers) for this question."""
    if nothing_is_answer is not None:
        return nothing_is_answer, nothing_is_answer
    if question is None:
        return False, False
    return question.kind == "exist", question.kind in ("exist", "evaluate")  # "say", "define", "suggest": neither


def detect_nonanswer(
    text: str | None, fuzzy: float = 0.86, question_type: QuestionType = "describe", *,
    question: str | None = None, nothing_is_answer: bool | None = None,
) -> str | None:
    """Return the reason code why ``text`` is not a real answer, or None when it is one.

    Codes: ``empty``, ``punctuation`` (only punctuation or symbols), ``placeholder`` ("xx", "asdf", ".", "joo",
    "hmm"), ``dont_know`` ("en osaa sanoa", "eos", "en mä tiiä", "ei tule mieleen", "en tiedä mitä X on"),
    ``no_comment`` ("ei kommentteja", refusals such as "en halua vastata", "ei kuulu sulle", "jätän väliin",
    and short negations or "ei mitään" where they say nothing), ``see_above`` ("sama kuin edellä", "katso
    vastaus 1"), ``no_suggestions`` ("ei kehitettävää", "kaikki hyvin"), ``no_experience`` ("ei kokemusta"),
    ``thanks`` ("kiitos kyselystä"), ``echo`` (only repeats the question; needs ``question``).

    ``question_type`` is ``"describe"`` or ``"yesno"`` (see the module docstring); ``fuzzy`` is the difflib
    similarity for typo-tolerant phrases (1.0 turns it off, and with it the guessing of misspelt words and the
    learned fallback).
    ``question`` is the question's wording, when known (keyword only; a yes/no or statement wording counts as
    ``"yesno"``):
    it turns on echo detection and decides whether "ei mitään / ei mikään / ei kukaan / ei ole" answer it
    (a question about what exists, happens, is needed or is felt) or not (one asking to define or describe
    something, or for further comments). ``nothing_is_answer`` forces that reading (None: from the wording;
    without a question such answers are non-answers, as before).
    """
    if text is None or not str(text).strip():
        return "empty"
    text = str(text).strip()
    if text == ".":
        return "placeholder"  # typed to get past a required field
    if _PUNCT_ONLY_RE.match(text):
        return "punctuation"
    if next(itertools.islice(WORD_RE.finditer(text), 3 * _MAX_WORDS, None), None) is not None:
        return None  # far too long to be a non-answer (even if every "e o s" became one word): the common case, decided cheaply
    canon = canonical(text)
    words = canon.split()
    if len(words) - 2 * words.count("e") > _MAX_WORDS:
        return None  # too long even if every "e o s" became one word: decided before the rewriting below
    rewritten = _EOS.sub("eos", text)
    if "." in rewritten:
        rewritten = _ABBREVIATION_DOT.sub(r"\1", rewritten)
    if rewritten != text:
        text, canon = rewritten, canonical(rewritten)
        if len(canon.split()) > _MAX_WORDS:
            return None
    if is_placeholder(canon):
        return "placeholder"
    q = read_question(question) if question and question.strip() else None
    plain = _EMOTICON.sub(" ", text)
    if ("," in plain or ":" in plain) and _REPORTING_VERB.search(canon):
        plain = _REPORTING_COMMA.sub(r"\1 ", plain)
    if WORD_RE.search(plain) is None:
        return "placeholder"  # only an emoticon (":D", "xD")
    clauses = [c for c in (canonical(part) for part in _CLAUSE_SPLIT.split(plain)) if c]
    clauses = [c.split(" ", 1)[1] if " " in c and c.split(" ", 1)[0] in (_LATER if i else _LEADING) else c
               for i, c in enumerate(clauses)]
    typos = fuzzy < 1.0
    if q is not None and not q.yesno and len(canon.split()) <= _ECHO_WORDS and is_echo(
            " ".join(standard_clause(c, typos) for c in clauses).split(), q):
        return "echo"
    nothing_answers, satisfied_answers = _nothing_reads(q, nothing_is_answer)
    learned = (LEARNED_FALLBACK and typos and question_type != "yesno" and not (q is not None and q.yesno)
               and len(canon.split()) <= LEARNED_WORDS)

    def decide(clause: str) -> str | None:
        reason = clause_reason(clause, question_type, fuzzy, q)
        if reason == "nothing":
            return None if nothing_answers else "no_comment"
        if reason is None and learned and (q is None or clause_reason(clause, question_type, fuzzy, None) is None):
            return _learned_reason(clause)  # no non-answer form, with the question or without: the fallback has a say
        if reason == "answer" or (reason == "no_suggestions" and satisfied_answers):
            return None
        return reason

    # the first clause that says something decides: the rest need no (typo-tolerant, costly) reading and matching
    reasons, dropped, i = [], [], 0
    while i < len(clauses):
        clause = standard_clause(clauses[i], typos)
        i += 1
        while i < len(clauses) and DONT_KNOW_HEAD.match(clause):  # "En tiedä, mitä on kehitysyhteistyö": one clause
            following = standard_clause(clauses[i], typos)
            if not following or following.split()[0] not in WH:
                break
            clause, i = f"{clause} {following}", i + 1
        if not clause:
            continue
        # "..., että osaisin vastata": talk about answering adds nothing beside a non-answer ("ihan ok kai" answers)
        if droppable(clause) and clause_reason(clause, question_type, fuzzy, q) != "answer":
            dropped.append(clause)
            continue
        reason = decide(clause)
        if reason is None:
            return None
        reasons.append(reason)
    if not reasons:
        for clause in dropped:
            reason = decide(clause)
            if reason is None:
                return None
            reasons.append(reason)
    if not reasons:
        return "placeholder"
    return next((r for r in reasons if r != "thanks"), "thanks")  # a non-answer with thanks added is that non-answer
