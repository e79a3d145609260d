"""Finnish text processing: normalization, non-answer detection, segmentation, lemmas and compound parts.

Normalization, non-answers and segmentation are pure ``str -> ...`` functions.
Tokens come from the spaCy pipeline ``spacy_fi_experimental_web_md`` (tokenizer only); lemmas,
word classes and compound parts from libvoikko, cached per word form, with ambiguous forms
resolved by how often each candidate lemma occurs unambiguously in the same answers.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from typing import Sequence

SPACY_MODEL = "spacy_fi_experimental_web_md"
#: only the tokenizer of the pipeline is used: lemmas come from Voikko (which the pipeline's lemmatizer
#: wraps) with corpus-level disambiguation; the neural pipes cost ~7x more and did not fix lemma errors
SPACY_EXCLUDE = ("tok2vec", "tagger", "morphologizer", "parser", "attribute_ruler", "lemmatizer", "ner")

# ---------------------------------------------------------------- normalization

_SPACE_RE = re.compile(r"[^\S\n]+")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "´": "'", "`": "'"})
_CONTROL_RE = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\ufeff]")


def normalize(text: str) -> str:
    """Return ``text`` NFC-normalized, with uniform quotes, no control characters, one space between words.

    Line breaks are kept (they separate list items); blank lines are dropped.
    """
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL_RE.sub("", text.translate(_QUOTES).replace("\u00a0", " "))
    lines = (_SPACE_RE.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def truncate(text: str, max_chars: int) -> str:
    """Return ``text`` cut to at most ``max_chars`` characters, at the last word boundary before the limit when there is one."""
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    space = cut.rfind(" ", max_chars // 2)
    return cut[:space] if space > 0 else cut


def flat(text: str) -> str:
    """Return ``text`` on one line (line breaks become spaces), as embedders see it."""
    return " ".join(text.split())


# ---------------------------------------------------------------- non-answers

#: reason code -> canonical phrases (lower case, no punctuation); typo-tolerant matching is applied
NONANSWER_PHRASES: dict[str, tuple[str, ...]] = {
    "dont_know": (
        "en osaa sanoa", "eos", "en tiedä", "en tieda", "emt", "en mä tiiä", "en tiiä", "ei osaa sanoa",
        "vaikea sanoa", "vaikee sanoa", "en osaa", "en osaa kommentoida", "en pysty sanomaan",
        "en osaa vastata", "ei tietoa", "en ole varma", "en tunne asiaa", "ei aavistustakaan",
        "en muista", "en tiedä mitään", "kyssäri", "dont know", "don't know", "vet ej", "idk",
        "en ole perehtynyt asiaan", "en ole perehtynyt", "en ole tarpeeksi perehtynyt", "en ole riittävästi perehtynyt", "en keksi mitään", "en keksi", "ei tule mieleen",
        "ei tule mitään mieleen", "en osaa arvioida", "vaikea arvioida",
    ),
    "no_comment": (
        "ei kommentteja", "ei kommenttia", "ei mitään lisättävää", "ei lisättävää", "ei mitään",
        "ei ole", "ei", "ei muuta", "ei ole lisättävää", "ei muuta lisättävää", "ei ole kommentoitavaa",
        "ei kommentoitavaa", "no comment", "no comments", "ei vastausta", "ohi", "pass", "ei mielipidettä",
    ),
    "see_above": (
        "sama kuin edellä", "kts edellinen vastaus", "ks edellinen vastaus", "katso edellinen vastaus",
        "kts edellinen", "ks edellinen", "ks yllä", "kts yllä", "katso yllä", "sama kuin yllä",
        "kuten edellä", "edellä mainittu", "sama kuin edellisessä", "ks edellä", "kts edellä", "sama",
        "samat kuin edellä", "vastasin jo", "kuten yllä", "sama vastaus kuin edellä",
    ),
    "placeholder": ("x", "xx", "xxx", "xxxx", "n a", "na", "nan", "null", "none", "tyhjä", "asdf", "test", "testi", "aa", "k", "o"),
}
#: words that may trail a non-answer phrase without making it an answer ("en osaa sanoa tähän")
_TRAILING_FILLER = frozenset(
    "tähän nyt mitään enempää oikein tällä hetkellä hetkellä tätä asiaa asiaan aiheeseen tästä kyllä valitettavasti sen kummemmin "
    "kummemmin sitten juuri vielä muuta".split()
)
_PUNCT_ONLY_RE = re.compile(r"^[\W_]*$")
_WORD_RE = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")


def _canonical(text: str) -> str:
    return " ".join(_WORD_RE.findall(text.lower()))


@functools.lru_cache(maxsize=1)
def _phrase_table() -> dict[str, str]:
    return {phrase: reason for reason, phrases in NONANSWER_PHRASES.items() for phrase in phrases}


def detect_nonanswer(text: str | None, fuzzy: float = 0.86) -> str | None:
    """Return the reason code why ``text`` is not a real answer, or None when it is one.

    Codes: ``empty``, ``punctuation`` (only punctuation or symbols), ``placeholder`` ("xx", "-"),
    ``dont_know`` ("en osaa sanoa", "eos"), ``no_comment`` ("ei kommentteja"), ``see_above``
    ("sama kuin edellä"). Matching ignores case and punctuation, allows filler words after the
    phrase ("en osaa sanoa tähän") and tolerates typos (``fuzzy`` = difflib similarity).
    """
    if text is None or not str(text).strip():
        return "empty"
    text = str(text)
    if _PUNCT_ONLY_RE.match(text):
        return "punctuation"
    canon = _canonical(text)
    if len(canon.split()) > 12:
        return None
    reason = _match_phrase(canon, fuzzy)
    if reason:
        return reason
    # several clauses, each of them a non-answer ("En ole perehtynyt asiaan, joten en osaa sanoa.")
    clauses = [c for c in re.split(r"[,.;:!?]+|\s(?=joten\s|eli\s)", text.lower()) if _canonical(c)]
    if len(clauses) > 1:
        reasons = [_match_phrase(_canonical(re.sub(r"^\s*(joten|eli)\s", "", c)), fuzzy) for c in clauses]
        if all(reasons):
            return reasons[-1]
    return None


def _match_phrase(canon: str, fuzzy: float) -> str | None:
    """Return the reason of a known phrase matching ``canon`` (typos tolerated), or None."""
    table = _phrase_table()
    if canon in table:
        return table[canon]
    words = canon.split()
    for cut in range(len(words) - 1, 0, -1):  # a known phrase followed only by filler words
        head, tail = " ".join(words[:cut]), words[cut:]
        if head in table and all(w in _TRAILING_FILLER for w in tail):
            return table[head]
    if len(canon) >= 5:
        close = difflib.get_close_matches(canon, _fuzzy_phrases(), n=1, cutoff=fuzzy)
        if close:
            return table[close[0]]
    return None


@functools.lru_cache(maxsize=1)
def _fuzzy_phrases() -> list[str]:
    """Phrases long enough for typo-tolerant matching ("eos" must match exactly)."""
    return sorted(p for p in _phrase_table() if len(p) >= 5)


# ---------------------------------------------------------------- segmentation

_BULLET_RE = re.compile(r"^\s*(?:[-–—•*·]|\d{1,2}[.)]|[a-z][)])\s+")
_SENTENCE_RE = re.compile(r"(?<=[.!?…])\s+(?=[\"'(]?[A-ZÅÄÖ0-9])|;\s+")
_CLAUSE_RE = re.compile(r",?\s+(?=mutta\s|toisaalta\s|kun taas\s)", re.IGNORECASE)


def segment(text: str, min_words: int = 3) -> list[str]:
    """Return the sentences and clauses of an answer, in order (list items and 'mutta' clauses split).

    Pieces shorter than ``min_words`` words are merged into their neighbour so that every
    segment can be scored on its own.
    """
    pieces: list[str] = []
    for line in normalize(text).split("\n"):
        line = _BULLET_RE.sub("", line)
        for sentence in _SENTENCE_RE.split(line):
            pieces.extend(p.strip(" ,") for p in _CLAUSE_RE.split(sentence))
    pieces = [p for p in pieces if p]
    merged: list[str] = []
    for piece in pieces:
        if merged and (len(piece.split()) < min_words or len(merged[-1].split()) < min_words):
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece)
    return merged


# ---------------------------------------------------------------- lemmas and compounds

#: Voikko word classes that carry content (nouns, adjectives, verbs, names)
CONTENT_CLASSES = frozenset({"nimisana", "laatusana", "nimisana_laatusana", "teonsana", "paikannimi", "etunimi", "sukunimi", "nimi"})


@functools.lru_cache(maxsize=1)
def stop_lemmas() -> frozenset[str]:
    """Return the curated lemma-level stop list (``data/stop_lemmas_fi.txt``)."""
    text = resources.files("avovastaus").joinpath("data/stop_lemmas_fi.txt").read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() if (w := line.split("#")[0].strip()))


def _split_top_level(text: str, sep: str = "+") -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        depth += char == "("
        depth -= char == ")"
        if char == sep and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [p for p in parts if p]


@functools.lru_cache(maxsize=200_000)
def compound_parts(wordbases: str) -> tuple[str, ...]:
    """Return the lexical parts of a Voikko ``WORDBASES`` string; one part for a simple word.

    ``+yhteis+työ(työ)+verkosto(verkosto)`` -> ``["yhteistyö", "verkosto"]``: bound forms without a
    base ("yhteis") join the next part, derivational pieces (base ``+us``) join the previous one,
    and a part inflected inside the compound ("tiedon") is given as its base form ("tieto").
    """
    groups: list[list] = []  # [surface, base or None when derived/joined]
    pending = ""
    for piece in _split_top_level(wordbases):
        bases = re.findall(r"\(([^()]*)\)", piece)
        surface = re.sub(r"\([^()]*\)", "", piece)
        if surface == "-":
            continue
        if bases and not bases[0].startswith("+"):
            groups.append([pending + surface, None if pending else bases[0]])
            pending = ""
        elif bases and groups:  # derivational suffix: belongs to the previous part
            groups[-1] = [groups[-1][0] + pending + surface, None]
            pending = ""
        else:
            pending += surface
    if pending:
        if groups:
            groups[-1] = [groups[-1][0] + pending, None]
        else:
            groups.append([pending, None])
    return tuple((base.replace("=", "") if base else surface).lower() for surface, base in groups)


@dataclass(frozen=True)
class Lemma:
    """One content word of an answer: its lemma, the surface form seen, and its compound parts."""

    lemma: str
    surface: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class Token:
    """One word of an answer: surface form, chosen lemma, Voikko word class, whether it is a content word, counted compound parts."""

    surface: str
    lemma: str
    word_class: str | None
    content: bool
    parts: tuple[str, ...] = ()


@functools.lru_cache(maxsize=200_000)
def _root(wordbases: str) -> str | None:
    """Return the only lexical base of a non-compound analysis ("+ol(olla)+l+ut(+ut)" -> "olla"), else None."""
    bases = re.findall(r"\(([^+()][^()]*)\)", wordbases)
    return bases[0].lower() if len(bases) == 1 else None


def _head(analysis: tuple[str, str | None, str]) -> str:
    """Return the base form of the last lexical part of an analysis ("sosiaaliturva" -> "turva")."""
    bases = re.findall(r"\(([^+()][^()]*)\)", analysis[2])
    return bases[-1].replace("=", "").lower() if bases else analysis[0]


@functools.lru_cache(maxsize=1)
def _load_resources():
    """Return (the spaCy Finnish tokenizer, a Voikko analyzer), loaded once per process."""
    import spacy
    from libvoikko import Voikko

    return spacy.load(SPACY_MODEL, exclude=list(SPACY_EXCLUDE)), Voikko("fi")


class FinnishAnalyzer:
    """Content lemmas of answers: spaCy's Finnish tokenizer, Voikko analyses, corpus-level disambiguation.

    Voikko (which the spaCy Finnish lemmatizer wraps) often offers several base forms for one word
    ("sosiaaliturvan" -> sosiaaliturpa | sosiaaliturva; "Veroja" -> Vera | vero) and spaCy takes the
    first. Here the candidate seen most often *unambiguously* in the same batch of answers wins,
    which fixes these errors at no cost. Heavy resources load in :meth:`initialize`.
    """

    def __init__(self, min_part_len: int = 4, batch_size: int = 512) -> None:
        self.min_part_len = min_part_len
        self.batch_size = batch_size
        self._nlp = None
        self._voikko = None
        self._analyses: dict[str, tuple[tuple[str, str | None, str], ...]] = {}

    def initialize(self) -> "FinnishAnalyzer":
        """Load the spaCy tokenizer and Voikko; returns self."""
        if self._nlp is None:
            self._nlp, self._voikko = _load_resources()
        return self

    def analyses(self, word: str) -> tuple[tuple[str, str | None, str], ...]:
        """Return the distinct (base form, word class, WORDBASES) Voikko gives for ``word``, cached."""
        hit = self._analyses.get(word)
        if hit is None:
            seen: dict[str, tuple[str, str | None, str]] = {}
            for a in self._voikko.analyze(word):
                base = a.get("BASEFORM", word).lower()
                seen.setdefault(base, (base, a.get("CLASS"), a.get("WORDBASES", "")))
            hit = self._analyses[word] = tuple(seen.values())
        return hit

    def _is_content_word(self, word: str) -> bool:
        return any(cls in CONTENT_CLASSES and base == word for base, cls, _ in self.analyses(word))

    def base_forms(self, words: Sequence[str]) -> list[str]:
        """Return each word lower-cased with its base form(s) added (codebook keywords may be inflected)."""
        self.initialize()
        out: list[str] = []
        for word in words:
            out.append(word.lower())
            out.extend(base for base, _, _ in self.analyses(word.lower()))
        return list(dict.fromkeys(out))

    def tokens(self, texts: Sequence[str]) -> list[list["Token"]]:
        """Return every word of each text with its chosen lemma, and whether it counts as a content word."""
        self.initialize()
        stops = stop_lemmas()
        docs = [[t.text for t in doc if t.is_alpha and len(t.text) > 1] for doc in self._nlp.pipe((flat(t) for t in texts), batch_size=self.batch_size)]
        # evidence for disambiguation: lemmas, and last compound parts, of words with a single reading
        unambiguous: Counter[str] = Counter()
        heads: Counter[str] = Counter()
        for words in docs:
            for word in words:
                cands = self.analyses(word)
                if len(cands) == 1:
                    unambiguous[cands[0][0]] += 1
                    heads[_head(cands[0])] += 1
        out: list[list[Token]] = []
        for words in docs:
            tokens = []
            for word in words:
                cands = self.analyses(word)
                if not cands:
                    lemma, word_class, wordbases = word.lower(), None, ""
                else:
                    lemma, word_class, wordbases = max(cands, key=lambda c: (unambiguous[c[0]], heads[_head(c)], -cands.index(c)))
                content = True
                if lemma in stops or word.lower() in stops or _root(wordbases) in stops:
                    content = False  # also participles of stop verbs: "ollut", "tehty" (root olla, tehdä)
                elif word_class is None and len(lemma) < 4:
                    content = False  # unknown short tokens are mostly typos and fragments
                elif word_class is not None and word_class not in CONTENT_CLASSES:
                    content = False
                parts = compound_parts(wordbases) if wordbases and content else []
                kept = tuple(
                    p for p in parts
                    if len(parts) > 1 and p != lemma and len(p) >= self.min_part_len and p not in stops and self._is_content_word(p)
                )
                tokens.append(Token(word, lemma, word_class, content, kept))
            out.append(tokens)
        return out

    def content_lemmas(self, texts: Sequence[str]) -> list[list[Lemma]]:
        """Return the content words of each text (stop lemmas, function words and numbers removed)."""
        return [[Lemma(t.lemma, t.surface, t.parts) for t in tokens if t.content] for tokens in self.tokens(texts)]
