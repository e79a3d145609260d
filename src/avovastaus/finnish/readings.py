"""Voikko's readings of one Finnish word, with this project's lemma conventions; spoken forms and unknown-word stems.

Pure functions of one word (the choice among readings in context is :mod:`avovastaus.lemmas`'):

* :func:`readings_of` turns libvoikko's analyses into :class:`Reading` s. Lemma conventions follow
  ``corpora/finnish_gold/README.md``: participles in verbal use go to the verb (*tehty* -> tehdä,
  *parantunut* -> parantua) unless they are dictionary adjectives (``data/participle_adjectives_fi.txt``)
  or *-maton* adjectives; *-minen* nouns keep their own form (*tekeminen*); *-sti* adverbs are
  themselves (*jatkuvasti*); plural-only words and archaic bases follow ``data/lemma_map_fi.tsv``.
* :func:`spoken_candidates`: the standard forms a spoken or clipped form may stand for.
* :func:`stem_candidates`: the stems of an unknown word after one case ending.
* edit distance, umlaut folding and deletion keys for spelling corrections.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from avovastaus.finnish.lexicon import lemma_map, participle_adjectives, spoken_forms

_VOWELS_BACK = re.compile(r"[aou]")


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
def root(wordbases: str) -> str | None:
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


def deletes(word: str) -> set[str]:
    """Return ``word`` and every string one deletion away from it (the keys of a symmetric-deletion index)."""
    return {word} | {word[:i] + word[i + 1:] for i in range(len(word))}


def fold(word: str) -> str:
    return word.translate(_UMLAUTS)


_UMLAUTS = str.maketrans("äöå", "aoa")


def edits(a: str, b: str) -> int:
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


def _lexical_bases(wordbases: str) -> list[str]:
    return [b.replace("=", "").lower() for b in re.findall(r"\(([^+()][^()]*)\)", wordbases)]


def readings_of(word: str, raw: list[dict]) -> tuple[Reading, ...]:
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
            verb = _derived_verb(wordbases) or root(wordbases)
            if verb:
                base, cls = verb, "teonsana"  # participle in verbal use: tehty -> tehdä, parantunut -> parantua
        base = lemma_map().get(base, base)
        features = frozenset((k, str(a[k])) for k in _FEATURES if k in a)
        reading = Reading(base, cls, wordbases, features, base in whole, max(1, len(_lexical_bases(wordbases))))
        out.setdefault((base, cls, features), reading)
    return tuple(out.values())
