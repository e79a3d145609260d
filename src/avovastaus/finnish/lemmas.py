"""Lemmas of Finnish answers: words, Voikko's readings chosen in context, spoken forms and unknown words.

Words are found by a regular expression (letters, with inner hyphens and colons: ``THL:n``,
``SOTE-uudistuksessa`` are one word). libvoikko gives each word its readings; one is chosen by

1. the curated exceptions table ``data/lemma_exceptions_fi.tsv`` for frequent ambiguous forms (*kuin,
   kautta, vastaan, juuri, silloin, ilman, eli, noin* ...), whose rows may ask for a context (*kautta*
   after a numeral is *kausi*, else the adposition);
2. context rules over the neighbouring words' readings: the infinitive after a verb that requires one
   (*pitäisi kuulla*), the connegative after a negation (*ei riitä*), no imperative or finite verb right
   after a form of *olla* (*on tiivistä*), no finite verb right before a word that can only be one;
3. rare readings lose: the instructive plural (*kuin* -> kuu), the potential mood (*tilanne* -> tilata),
   2nd-person possessives (*tilanne* -> tila + -nne), the 2nd-person imperative, names for lower-case
   words (*ainoa* -> Aino, *veroja* -> Vera);
4. ties go to the candidate seen most often unambiguously in the same batch of answers.

A POS tagger (spaCy-fi's morphologizer) would cost about 7x the time of all of this on 35k answers
(benchmarks/finnish.py); the context rules are nearly free.

Lemma conventions (participles, *-minen* nouns, *-sti* adverbs) are applied to each reading by
:mod:`avovastaus.readings`.

Spoken forms (*pitäis, vois, meiän*) are read through ``data/spoken_fi.tsv`` and general rules (*-is*
-> *-isi*, *-ks* -> *-ksi*, *saanu* -> *saanut* ...). Words Voikko does not know are, in turn, split at a
hyphen (*SOTE-uudistuksessa* -> sote-uudistus) or colon (*THL:n* -> thl), corrected when a word of the
batch is one edit away or the same with umlauts restored (*jarjestoilla* -> järjestö), or reduced to a
stem by stripping case endings, grouped with other forms of the same stem in the batch (*Isisin*,
*Isis* -> isis).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

from avovastaus.finnish.compounds import CompoundEvidence, compound_parts, counted_parts
from avovastaus.finnish.lexicon import lemma_exceptions, spoken_forms, stop_lemmas
from avovastaus.finnish.readings import Reading, deletes, edits, fold, readings_of, root, spoken_candidates, stem_candidates

SPACY_MODEL = "spacy_fi_experimental_web_md"
#: the Finnish layer does not use spaCy (a regex finds the words, Voikko reads them); modelbuild builds
#: the static embedder from this pipeline's vectors, with every pipe but the vectors left out
SPACY_EXCLUDE = ("tok2vec", "tagger", "morphologizer", "parser", "attribute_ruler", "lemmatizer", "ner")

#: Voikko word classes that carry content (nouns, adjectives, verbs, names, abbreviations)
CONTENT_CLASSES = frozenset({"nimisana", "laatusana", "nimisana_laatusana", "teonsana", "paikannimi", "etunimi", "sukunimi", "nimi", "lyhenne"})
NAME_CLASSES = frozenset({"paikannimi", "etunimi", "sukunimi", "nimi"})
PARTICLE_CLASSES = frozenset({"seikkasana", "suhdesana", "sidesana"})

_TOKEN_RE = re.compile(r"[^\W\d_]+(?:[-:'][^\W\d_]+)*|[.!?;,:]")


@dataclass(frozen=True)
class Lemma:
    """One content word of an answer: its lemma, the surface form seen, and the compound parts it counts toward."""

    lemma: str
    surface: str
    parts: tuple[str, ...]
    #: every lexical part of a compound, modifiers included (evidence for matching codebook keywords, never a keyword)
    all_parts: tuple[str, ...] = ()

    @property
    def keyword(self) -> str:
        """Return the form a reader groups this word under: the head of a productive compound, else the lemma."""
        return self.parts[-1] if self.parts else self.lemma


@dataclass(frozen=True)
class Token:
    """One word of an answer: surface form, chosen lemma, word class, whether it is a content word, counted compound parts."""

    surface: str
    lemma: str
    word_class: str | None
    content: bool
    parts: tuple[str, ...] = ()
    all_parts: tuple[str, ...] = ()


#: Voikko's speller costs ~4 ms a word: it is asked about this many unknown words of a batch at most, most frequent first
MAX_SUGGESTIONS = 1000


@functools.lru_cache(maxsize=1)
def _load_voikko():
    """Return a Voikko analyzer for Finnish, loaded once per process."""
    from libvoikko import Voikko

    return Voikko("fi")


@functools.lru_cache(maxsize=1)
def _exception_forms() -> frozenset[str]:
    """Return the forms whose lemma may depend on context: in the exceptions table, directly or as a spoken form."""
    table = lemma_exceptions()
    return frozenset(table) | frozenset(spoken for spoken, standard in spoken_forms().items() if standard in table)

def _holds(context: str, prev: Sequence[Reading] | None, prev_word: str | None, nxt: Sequence[Reading] | None) -> bool:
    """Return whether one context of the exceptions table holds for a word between ``prev`` and ``nxt``."""
    if context == "first":
        return prev is None
    if context == "prev=pronoun1s":
        return prev_word in ("minä", "mä", "mää")
    if context.startswith("prev="):
        cond, readings = context[5:], prev
    elif context.startswith("next="):
        cond, readings = context[5:], nxt
    else:
        raise ValueError(f"lemma_exceptions_fi.tsv: unknown context {context!r}")
    if not readings:
        return False
    nominative = any(r.has("SIJAMUOTO", "nimento") and r.word_class not in PARTICLE_CLASSES for r in readings)
    if cond == "numeral":
        return any(r.word_class == "lukusana" for r in readings)
    if cond == "nominative":
        return nominative
    if cond == "nominative_only":
        return nominative and not any(r.has("SIJAMUOTO", "osanto") for r in readings)
    if cond == "not_nominative":
        return not nominative
    if cond == "connegative":
        return any(r.word_class == "teonsana" and r.has("NEGATIVE", "true", "both") and not r.has("MOOD", "imperative") for r in readings)
    raise ValueError(f"lemma_exceptions_fi.tsv: unknown context {context!r}")


_COPULA = frozenset({"on", "ovat", "oli", "olivat", "ole", "olisi", "olisivat", "ollut", "olleet", "olla", "ois", "oo"})


def _score(r: Reading, word: str, first: bool, prev: Sequence[Reading] | None, prev_word: str | None, nxt: Sequence[Reading] | None, others: Sequence[Reading]) -> float:
    """Return how plausible reading ``r`` of ``word`` is in its context (higher is better); the rules are in the module docstring.

    ``word`` is the standard form (a spoken form already replaced).
    """
    score = 0.0
    negated = bool(prev) and any(p.word_class == "kieltosana" for p in prev)
    if r.lemma == word.lower() and r.n_parts == 1 and r.word_class not in ("teonsana", None) and any(
        o.word_class != "teonsana" and not o.has("SIJAMUOTO", "nimento") for o in others
    ):
        score += 0.5  # a noun in its dictionary form beats an inflected form of another noun (strategia, not strategi + -a)
    score -= 1.0 * (r.n_parts - min(o.n_parts for o in others))
    if r.has("MOOD", "MINEN-infinitive") and any(o.word_class == "nimisana" and not o.has("PARTICIPLE", "agent") and not o.has("MOOD", "MINEN-infinitive") for o in others):
        score -= 0.5  # tapahtumista: the noun tapahtuma, not tapahtuminen
    if r.has("PARTICIPLE", "agent") or r.has("MOOD", "MA-infinitive") and any(o.word_class == "nimisana" and not o.has("PARTICIPLE") for o in others):
        score -= 0.5
    if r.word_class in NAME_CLASSES and any(o.word_class not in NAME_CLASSES for o in others):
        score += -3 if word[:1].islower() else (-1 if first else 1)
    if r.has("SIJAMUOTO", "keinonto"):
        score -= 2
    if r.has("MOOD", "potential"):
        score -= 2
    if r.has("POSSESSIVE", "2s", "2p"):
        score -= 2
    if r.has("MOOD", "imperative") and r.has("PERSON", "2") and r.has("NUMBER", "singular") and not negated:
        score -= 1  # the connegative looks like the imperative: "eivät tunne"
    if nxt and r.has("REQUIRE_FOLLOWING_VERB", "A-infinitive") and any(n.has("MOOD", "A-infinitive") for n in nxt):
        score += 1  # "osaa käyttää"
    if r.word_class == "lukusana" and nxt and any(n.has("SIJAMUOTO", "osanto") and n.has("NUMBER", "singular") for n in nxt):
        score += 1  # a numeral takes a partitive: "kuusi yhdistystä"
    if r.word_class in PARTICLE_CLASSES and r.lemma == word.lower():
        score += 1
    if prev:
        if r.has("MOOD", "A-infinitive") and any(p.has("REQUIRE_FOLLOWING_VERB", "A-infinitive") for p in prev):
            score += 3
        if negated:
            score += 2 if r.has("NEGATIVE", "true", "both") else (-2 if r.finite_verb else 0)
        if prev_word in _COPULA and r.finite_verb:
            score -= 2
    if nxt and r.finite_verb and all(n.finite_verb or n.word_class == "kieltosana" for n in nxt):
        score -= 1.5
    return score


class FinnishAnalyzer:
    """Lemmas of Finnish answers: every word with its chosen lemma, content words with the compound parts they count toward.

    Heavy resources (Voikko) load in :meth:`initialize`. Readings are cached per word form; the choice
    among them, spelling corrections, unknown-word stems and compound evidence use the whole batch of
    texts given to :meth:`tokens` (a survey's answers), so analyse answers together, not one by one.
    """

    def __init__(self, min_part_len: int = 4, batch_size: int = 512, correct: bool = True) -> None:
        self.min_part_len = min_part_len
        self.batch_size = batch_size
        self.correct = correct
        self._voikko = None
        self._readings: dict[str, tuple[Reading, ...]] = {}

    def initialize(self) -> "FinnishAnalyzer":
        """Load Voikko; returns self."""
        if self._voikko is None:
            self._voikko = _load_voikko()
        return self

    # ------------------------------------------------------------ readings of one word

    def readings(self, word: str) -> tuple[Reading, ...]:
        """Return the readings of ``word`` (spoken forms, hyphens and colons resolved); empty when Voikko knows it in no way."""
        hit = self._readings.get(word)
        if hit is None:
            hit = self._readings[word] = self._read(word)
        return hit

    def _read(self, word: str) -> tuple[Reading, ...]:
        lower = word.lower()
        if lower in spoken_forms():
            return self.readings(spoken_forms()[lower])
        raw = self._voikko.analyze(word)
        if raw:
            return readings_of(word, raw)
        if ":" in word:  # THL:n, EU:ssa -> the abbreviation
            return (Reading(lower.split(":")[0], "lyhenne", "", frozenset()),)
        if "-" in word.strip("-"):
            prefix, last = word.rsplit("-", 1)
            named = prefix.isupper() or not self._voikko.analyze(prefix) or any(
                r.word_class in NAME_CLASSES or r.word_class == "lyhenne" for r in self.readings(prefix))
            return tuple(
                Reading(f"{prefix.lower()}-{r.lemma}", r.word_class, "" if named else f"+{prefix.lower()}({prefix.lower()})+{r.lemma}({r.lemma})", r.features, named)
                for r in self.readings(last)
            )
        for candidate in spoken_candidates(word):
            raw = self._voikko.analyze(candidate)
            if raw:
                return readings_of(candidate, raw)
        return ()

    def analyses(self, word: str) -> tuple[tuple[str, str | None, str], ...]:
        """Return the distinct (base form, word class, WORDBASES) of ``word``; an unknown word gives its likely stem, class None."""
        self.initialize()
        seen = {r.lemma: (r.lemma, r.word_class, r.wordbases) for r in reversed(self.readings(word))}
        if not seen:
            return ((self._guess_stem(word.lower(), frozenset()), None, ""),)
        return tuple(reversed(seen.values()))

    def _is_content_word(self, word: str) -> bool:
        return any(r.word_class in CONTENT_CLASSES and r.lemma == word for r in self.readings(word))

    def base_forms(self, words: Sequence[str]) -> list[str]:
        """Return each word lower-cased with its base form(s) added (codebook keywords may be inflected)."""
        self.initialize()
        out: list[str] = []
        for word in words:
            out.append(word.lower())
            out.extend(r.lemma for r in self.readings(word.lower()))
        return list(dict.fromkeys(out))

    # ------------------------------------------------------------ unknown words

    def _guess_stem(self, word: str, seen: frozenset[str]) -> str:
        """Return an unknown word's stem: a stem form seen in the batch, else one after a consonant-stem ending, else the word."""
        candidates = stem_candidates(word)
        attested = [c for c in candidates if c in seen]
        if attested:
            return attested[0]
        consonant = [c for c in candidates if c[-1] not in "aeiouyäö"]
        return consonant[0] if consonant else word

    def _suggestion(self, word: str, evidence: Counter[str]) -> tuple[Reading, ...]:
        """Return the readings of Voikko's spelling suggestion for ``word``: the word with umlauts restored, or a
        word one or two edits away whose lemma the batch uses (``evidence``); else ()."""
        lower = word.lower()
        best, best_key = (), None
        for order, suggestion in enumerate(self._voikko.suggest(lower)[:6]):
            distance = 0 if fold(lower) == fold(suggestion.lower()) else edits(lower, suggestion.lower())
            readings = self.readings(suggestion) if distance <= 2 else ()
            if readings and (distance == 0 or max(evidence[r.lemma] for r in readings)):
                key = (-distance, -order)
                if best_key is None or key > best_key:
                    best, best_key = readings, key
        return best

    def _corrections(self, unknown: Sequence[str], known: Counter[str]) -> dict[str, tuple[Reading, ...]]:
        """Return readings for the unknown words that are misspellings of a word of the batch.

        ``known`` counts the batch's known words and their lemmas. A correction is a known word one edit
        away (one deletion on either side: a letter missing, extra or changed, typed beside a double
        letter) or the same word once umlauts are restored (``jarjestoilla`` -> järjestöillä); the most
        frequent one wins. Looking only at the batch's own words keeps corrections to words people use.
        """
        index: dict[str, list[str]] = {}
        for word in known:
            if len(word) >= 4:
                for key in deletes(fold(word)):
                    index.setdefault(key, []).append(word)
        out = {}
        for word in unknown:
            lower = word.lower()
            candidates = {c for key in deletes(fold(lower)) for c in index.get(key, ())}
            if not candidates:
                continue
            best = min(candidates, key=lambda c: (fold(c) != fold(lower), edits(lower, c), -known[c], c))
            if (fold(best) == fold(lower) or edits(lower, best) <= 2) and self.readings(best):
                out[word] = self.readings(best)
        return out

    # ------------------------------------------------------------ a batch of texts

    def tokens(self, texts: Sequence[str]) -> list[list[Token]]:
        """Return every word of each text with its chosen lemma, whether it is a content word, and its counted compound parts."""
        self.initialize()
        seen: dict[str, str] = {}  # one string object per distinct word: a million answers hold tens of millions of words
        docs = [[seen.setdefault(w, w) for w in _TOKEN_RE.findall(text)] for text in texts]
        del seen
        counts = Counter(w for words in docs for w in words if w[0].isalpha())
        evidence: Counter[str] = Counter()  # lemmas of words with a single candidate lemma
        known: Counter[str] = Counter()  # known words and their lemmas, lower case: what a misspelling may stand for
        unknown: set[str] = set()
        for word, n in counts.items():
            readings = self.readings(word)
            cands = {r.lemma for r in readings}
            if len(cands) == 1:
                evidence[next(iter(cands))] += n
            if readings:
                known[word.lower()] += n
                for c in cands - {word.lower()}:
                    known[c] += n
            else:
                unknown.add(word)
        # unknown words capitalised inside a sentence are names, not misspellings
        name_like = {w for words in docs for i, w in enumerate(words) if w in unknown and i and w[0].isupper() and not w.isupper() and words[i - 1][0].isalpha()}
        typos = sorted(w for w in unknown if 5 <= len(w) <= 25 and w not in name_like and (w.islower() or w.istitle()))
        resolved = self._corrections(typos, known) if self.correct else {}
        if self.correct:  # Voikko's speller for the rest, most frequent first, within a bounded cost
            rest = sorted((w for w in typos if w not in resolved), key=lambda w: (-counts[w], w))[:MAX_SUGGESTIONS]
            resolved.update((w, fixed) for w in rest if (fixed := self._suggestion(w, evidence)))
        seen_unknown = frozenset(u.lower() for u in unknown)
        for word in sorted(unknown - set(resolved)):
            resolved[word] = (Reading(self._guess_stem(word.lower(), seen_unknown), None, "", frozenset()),)
        choices: dict[tuple, tuple[Token, Reading, tuple[str, ...]]] = {}
        chosen = [self._choose_all(words, resolved, evidence, choices) for words in docs]
        del docs
        occurrences = Counter(token for tokens in chosen for token in tokens if token.content)
        raw = {token: raw_parts for token, _, raw_parts in choices.values()}
        compounds = CompoundEvidence()
        for token, n in occurrences.items():
            compounds.add(token.lemma, raw[token], n)
        parts: dict[Token, Token] = {}  # the same choice in every context: its parts decided once
        for token, reading, raw_parts in choices.values():
            if token not in parts:
                parts[token] = Token(token.surface, token.lemma, token.word_class, token.content, counted_parts(
                    token.lemma, raw_parts, reading.wordbases, lexicalised=reading.lexicalised, min_part_len=self.min_part_len,
                    is_content=self._is_content_word, evidence=compounds,
                ), raw_parts) if token.content and len(raw_parts) > 1 else token
        for tokens in chosen:  # in place: no second list of every word
            tokens[:] = [parts[token] for token in tokens]
        return chosen

    def _choose_all(
        self, words: list[str], resolved: dict[str, tuple[Reading, ...]], evidence: Counter[str], choices: dict[tuple, tuple[Token, Reading, tuple[str, ...]]],
    ) -> list[Token]:
        """Return the token of each word of one text (punctuation marks clause starts).

        ``choices`` holds the choices already made in this batch, by word and (where it matters) context, each as
        (token, chosen reading, raw compound parts); new ones are added.
        """
        out = []
        prev: tuple[Reading, ...] | None = None
        prev_word: str | None = None
        all_readings = [None if not w[0].isalpha() else (self.readings(w) or resolved.get(w, ())) for w in words]
        for i, word in enumerate(words):
            readings = all_readings[i]
            if readings is None:
                prev, prev_word = None, None
                continue
            nxt = all_readings[i + 1] if i + 1 < len(words) else None
            key = (word, id(prev), prev_word, id(nxt)) if len(readings) > 1 or word.lower() in _exception_forms() else (word,)
            hit = choices.get(key)
            if hit is None:
                hit = choices[key] = self._decide(word, readings, prev, prev_word, nxt, evidence)
            out.append(hit[0])
            prev, prev_word = readings, word.lower()
        return out

    def _decide(self, word: str, readings: tuple[Reading, ...], prev, prev_word, nxt, evidence: Counter[str]) -> tuple[Token, Reading, tuple[str, ...]]:
        """Return (the token of ``word`` in its context, the chosen reading, its raw compound parts)."""
        stops = stop_lemmas()
        reading, function = self._choose(word, readings, prev, prev_word, nxt, evidence)
        lemma, word_class = reading.lemma, reading.word_class
        content = not function and lemma not in stops and word.lower() not in stops and root(reading.wordbases) not in stops
        if word_class is None:
            content = content and len(lemma) >= 4  # unknown short tokens are mostly typos and fragments
        elif word_class not in CONTENT_CLASSES:
            content = False
        raw_parts = compound_parts(reading.wordbases) if content and reading.wordbases else ()
        return Token(word, lemma, word_class, content), reading, raw_parts

    def _choose(self, word: str, readings: tuple[Reading, ...], prev, prev_word, nxt, evidence: Counter[str]) -> tuple[Reading, bool]:
        """Return (the reading of ``word`` in its context, whether the exceptions table makes it a function word)."""
        lower = word.lower()
        standard = spoken_forms().get(lower, lower)
        for row in lemma_exceptions().get(lower, ()) or lemma_exceptions().get(standard, ()):
            if all(_holds(c, prev, prev_word, nxt) for c in row.contexts):
                match = next((r for r in readings if r.lemma == row.lemma), None)
                return match or Reading(row.lemma, "seikkasana" if row.function else "nimisana", "", frozenset()), row.function
        if len(readings) == 1:
            return readings[0], False
        first = prev is None
        return max(readings, key=lambda r: (_score(r, standard, first, prev, prev_word, nxt, readings), evidence[r.lemma], -readings.index(r))), False

    def content_lemmas(self, texts: Sequence[str]) -> list[list[Lemma]]:
        """Return the content words of each text (stop lemmas, function words and numbers removed).

        Equal words share one (immutable) :class:`Lemma` object, and each text's word list replaces its
        token list as it is made: memory grows with the words of the answers, not with objects per word.
        """
        shared: dict[Token, Lemma] = {}
        docs = self.tokens(texts)
        for i, tokens in enumerate(docs):
            docs[i] = [shared.get(t) or shared.setdefault(t, Lemma(t.lemma, t.surface, t.parts, t.all_parts)) for t in tokens if t.content]
        return docs
