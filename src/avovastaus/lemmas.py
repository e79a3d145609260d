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

Lemma conventions follow ``corpora/finnish_gold/README.md``: participles in verbal use go to the verb
(*tehty* -> tehdä) unless they are dictionary adjectives (``data/participle_adjectives_fi.txt``),
*-minen* nouns keep their own form (*tekeminen*), *-sti* adverbs are themselves (and function words).

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

from .compounds import CompoundEvidence, compound_parts, counted_parts
from .lexicon import lemma_exceptions, lemma_map, participle_adjectives, spoken_forms, stop_lemmas

SPACY_MODEL = "spacy_fi_experimental_web_md"
#: the Finnish layer does not use spaCy (a regex finds the words, Voikko reads them); modelbuild builds
#: the static embedder from this pipeline's vectors, with every pipe but the vectors left out
SPACY_EXCLUDE = ("tok2vec", "tagger", "morphologizer", "parser", "attribute_ruler", "lemmatizer", "ner")

#: Voikko word classes that carry content (nouns, adjectives, verbs, names, abbreviations)
CONTENT_CLASSES = frozenset({"nimisana", "laatusana", "nimisana_laatusana", "teonsana", "paikannimi", "etunimi", "sukunimi", "nimi", "lyhenne"})
NAME_CLASSES = frozenset({"paikannimi", "etunimi", "sukunimi", "nimi"})
PARTICLE_CLASSES = frozenset({"seikkasana", "suhdesana", "sidesana"})

_TOKEN_RE = re.compile(r"[^\W\d_]+(?:[-:'][^\W\d_]+)*|[.!?;,:]")
_VOWELS_BACK = re.compile(r"[aou]")


@dataclass(frozen=True)
class Lemma:
    """One content word of an answer: its lemma, the surface form seen, and the compound parts it counts toward."""

    lemma: str
    surface: str
    parts: tuple[str, ...]

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


@dataclass(frozen=True)
class Reading:
    """One Voikko analysis, with the lemma after this module's conventions."""

    lemma: str
    word_class: str | None
    wordbases: str
    features: frozenset[tuple[str, str]]
    lexicalised: bool = False  # Voikko lists the word as one dictionary entry
    n_parts: int = 1  # lexical parts of a compound reading (Voikko over-splits: kokemusasiantuntija + na -> ... + jana)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_features", dict(self.features))

    def has(self, key: str, *values: str) -> bool:
        return self._features.get(key) in values  # type: ignore[attr-defined]

    @functools.cached_property
    def finite_verb(self) -> bool:
        return self.word_class == "teonsana" and "PERSON" in self._features and self.has("MOOD", "indicative", "conditional", "imperative", "potential")  # type: ignore[attr-defined]


_FEATURES = ("SIJAMUOTO", "MOOD", "PERSON", "NUMBER", "POSSESSIVE", "NEGATIVE", "REQUIRE_FOLLOWING_VERB", "PARTICIPLE", "TENSE")


@functools.lru_cache(maxsize=200_000)
def _root(wordbases: str) -> str | None:
    """Return the only lexical base of a non-compound analysis ("+ol(olla)+l+ut(+ut)" -> "olla"), else None."""
    bases = re.findall(r"\(([^+()][^()]*)\)", wordbases)
    return bases[0].lower() if len(bases) == 1 else None


def _derived_verb(wordbases: str) -> str | None:
    """Return the verb a participle is made of, derivation included ("+paran(parata)tu(+tua)+n+ut(+ut)" -> "parantua")."""
    text, verb = "", None
    for surface, base, bare in re.findall(r"([^()+]*)\(([^()]*)\)|([^()+]+)", wordbases):
        if base.startswith("+") and len(base) >= 4 and base[-1] in "aä":  # a verb-forming suffix: +tua, +tyä, +ttaa
            verb = text + base[1:]
        text += surface or bare
    return verb.lower() if verb else None


def _minen_form(word: str) -> str | None:
    """Return the -minen noun of an inflected form ("jaksamisensa" -> "jaksaminen"), or None."""
    match = re.match(r"^(.*m[iI])(?:nen|s)", word)
    return match.group(1).lower() + "nen" if match else None


def _harmony(word: str) -> str:
    return "a" if _VOWELS_BACK.search(word) else "ä"


def spoken_candidates(word: str) -> list[str]:
    """Return standard forms a spoken or clipped form may stand for, most likely first (pitäis -> pitäisi)."""
    w = word.lower()
    a = _harmony(w)
    out = []
    if w in spoken_forms():
        out.append(spoken_forms()[w])
    if w.endswith("iskö") or w.endswith("iskä"):
        out.append(w[:-3] + "i" + w[-3:])  # pitäiskö -> pitäisikö
    if w.endswith("is") or w.endswith("ks"):
        out.append(w + "i")  # pitäis -> pitäisi, ilmaiseks -> ilmaiseksi
    if re.search(r"[aeiouyäö]s(?:eks|eksi|ia|iä|ta|tä|ena|enä|en|i)$", w):
        out.append(re.sub(r"([aeiouyäö])s(eks|eksi|ia|iä|ta|tä|ena|enä|en|i)$", r"\1is\2", w))  # vapaaehtosia -> vapaaehtoisia
        out += [c + "i" for c in out[-1:] if c.endswith("ks")]
    if re.search(r"n[uy]$", w):
        out.append(w + "t")  # saanu -> saanut
    if re.search(r"[^e]ee$", w):
        out.append(w[:-1] + a)  # tärkee -> tärkeä
    if re.search(r"([aouyäö])\1$", w) and len(w) > 4:
        out.append(w[:-1] + a)  # viikkoo -> viikkoa
    if re.search(r"(?:lt|st|ll|ss|lle)$", w):
        out.append(w + a)  # Kelalt -> Kelalta
    if w.endswith("tt") or re.search(r"[aeiouyäö]ks$", w):
        out.append(w + "i")
    return [c for c in dict.fromkeys(out) if c != w]


#: case endings of unknown words (foreign names mostly), longest first; "i" endings follow a consonant stem
#: Voikko's speller costs ~4 ms a word: it is asked about this many unknown words of a batch at most, most frequent first
MAX_SUGGESTIONS = 1000

_CASE_ENDINGS = sorted(
    "in ia iä iin issa issä ista istä illa illä ilta iltä ille ina inä iksi ineen ien eja ejä "
    "n a ä ssa ssä sta stä lla llä lta ltä lle na nä ksi t".split(),
    key=len, reverse=True,
)


def stem_candidates(word: str) -> list[str]:
    """Return the stems an unknown word may have after stripping one case ending (longest ending first)."""
    w = word.lower()
    out = []
    for ending in _CASE_ENDINGS:
        if w.endswith(ending) and len(w) - len(ending) >= 3:
            out.append(w[: -len(ending)])
    if re.search(r"([aeiouyäö])\1n$", w) and len(w) > 5:
        out.append(w[:-2])  # illative: natoon -> nato
    return list(dict.fromkeys(out))


def _deletes(word: str) -> set[str]:
    """Return ``word`` and every string one deletion away from it (the keys of a symmetric-deletion index)."""
    return {word} | {word[:i] + word[i + 1:] for i in range(len(word))}


def _fold(word: str) -> str:
    return word.translate(_UMLAUTS)


_UMLAUTS = str.maketrans("äöå", "aoa")


def _edits(a: str, b: str) -> int:
    """Return the optimal string alignment distance between ``a`` and ``b`` (transpositions count once)."""
    prev2, prev = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if prev2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


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


def _lexical_bases(wordbases: str) -> list[str]:
    return [b.replace("=", "").lower() for b in re.findall(r"\(([^+()][^()]*)\)", wordbases)]


def _readings_of(word: str, raw: list[dict]) -> tuple[Reading, ...]:
    """Return the readings of ``word`` from Voikko's analyses ``raw``, lemmas after this module's conventions."""
    plain = {a.get("BASEFORM", "").lower() for a in raw if not a.get("PARTICIPLE")}
    whole = {a.get("BASEFORM", "").lower() for a in raw if len(_lexical_bases(a.get("WORDBASES", ""))) == 1}
    out: dict[tuple, Reading] = {}
    for a in raw:
        base, cls, wordbases = a.get("BASEFORM", word).lower(), a.get("CLASS"), a.get("WORDBASES", "")
        if a.get("MOOD") == "MINEN-infinitive":
            base, cls = _minen_form(word) or base, "nimisana"
        elif a.get("SIJAMUOTO") == "kerrontosti":
            base, cls = word.lower(), "seikkasana"  # jatkuvasti: an adverb of its own
        elif a.get("PARTICIPLE") not in (None, "negation") and base not in plain and base not in participle_adjectives():
            verb = _derived_verb(wordbases) or _root(wordbases)
            if verb:
                base, cls = verb, "teonsana"  # participle in verbal use: tehty -> tehdä, parantunut -> parantua
        base = lemma_map().get(base, base)
        features = frozenset((k, str(a[k])) for k in _FEATURES if k in a)
        reading = Reading(base, cls, wordbases, features, base in whole, max(1, len(_lexical_bases(wordbases))))
        out.setdefault((base, cls, features), reading)
    return tuple(out.values())


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
            return _readings_of(word, raw)
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
                return _readings_of(candidate, raw)
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
            distance = 0 if _fold(lower) == _fold(suggestion.lower()) else _edits(lower, suggestion.lower())
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
                for key in _deletes(_fold(word)):
                    index.setdefault(key, []).append(word)
        out = {}
        for word in unknown:
            lower = word.lower()
            candidates = {c for key in _deletes(_fold(lower)) for c in index.get(key, ())}
            if not candidates:
                continue
            best = min(candidates, key=lambda c: (_fold(c) != _fold(lower), _edits(lower, c), -known[c], c))
            if (_fold(best) == _fold(lower) or _edits(lower, best) <= 2) and self.readings(best):
                out[word] = self.readings(best)
        return out

    # ------------------------------------------------------------ a batch of texts

    def tokens(self, texts: Sequence[str]) -> list[list[Token]]:
        """Return every word of each text with its chosen lemma, whether it is a content word, and its counted compound parts."""
        self.initialize()
        docs = [_TOKEN_RE.findall(text) for text in texts]
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
                )) if token.content and raw_parts else token
        return [[parts[token] for token in tokens] for tokens in chosen]

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
        content = not function and lemma not in stops and word.lower() not in stops and _root(reading.wordbases) not in stops
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
        """Return the content words of each text (stop lemmas, function words and numbers removed)."""
        return [[Lemma(t.lemma, t.surface, t.parts) for t in tokens if t.content] for tokens in self.tokens(texts)]
