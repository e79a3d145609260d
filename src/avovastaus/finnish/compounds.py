"""Finnish compounds as a reader sees them: which compounds stay whole, and which count toward their head.

A keyword is what a reader would group answers under. For a compound there are two cases:

* **lexicalised compounds stay whole** — *eduskunta, maakunta, lautakunta, asiantuntija, työntekijä,
  elintarvike, perustulo, uutiskirje, palaveri* — and never count toward a part ("kunta" is not a keyword
  of answers about *eduskunta*);
* **productive compounds count toward their head** (the last part) as well as themselves —
  *yhteistyöverkosto* counts for *verkosto*, *avustushakemus* for *hakemus* — and **never toward a
  modifier** (*yhteistyö* of *yhteistyöverkosto* is not counted).

A compound is lexicalised when any of these holds (checked in this order):

1. it is in the curated lexicon ``data/compounds_whole_fi.txt`` (administration, roles, services);
2. Voikko's dictionary lists it as one entry (its ``WORDBASES`` has one part, e.g. ``+palaveri(palaveri)``,
   even when another analysis splits it as *pala + veri*);
3. its head is too generic to name a topic alone (``data/generic_heads_fi.txt``: *toiminta, työ, ilta,
   määrä, vuosi, kunta* ...) or is an agent noun derived from a verb (*-ja/-jä*: *tuntija, tekijä, hakija*),
   which names a role only together with its modifier;
4. it is led by a name or an abbreviation (*WhatsApp-ryhmä*, *Nato-jäsenyys*);
5. corpus evidence: in the batch of answers analysed together, the compound occurs at least
   :data:`MIN_TERM_COUNT` times while its head never occurs on its own — there the compound is the term
   people use, and the head is not a topic of its own.

Every other compound with a content-word head of at least ``min_part_len`` letters is productive.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from typing import Callable

from avovastaus.finnish.lexicon import generic_heads, stop_lemmas, whole_compounds

#: a compound seen this often in a batch whose head never occurs alone there is kept whole
MIN_TERM_COUNT = 3


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


def agent_head(wordbases: str) -> bool:
    """Return whether the compound's last part is an agent noun made from a verb (``+teki(tehdä)+jä(+jä)``)."""
    return bool(re.search(r"\([^()+]+\)\+j[aä]\(\+j[aä]\)$", wordbases))


class CompoundEvidence:
    """Counts from one batch of answers: how often each compound occurs, and each word on its own."""

    def __init__(self) -> None:
        self.compounds: Counter[str] = Counter()
        self.alone: Counter[str] = Counter()
        self.heads: dict[str, set[str]] = {}

    def add(self, lemma: str, parts: tuple[str, ...], n: int = 1) -> None:
        """Count ``n`` occurrences of one content word with its compound parts."""
        if len(parts) > 1:
            self.compounds[lemma] += n
            self.heads.setdefault(parts[-1], set()).add(lemma)
        else:
            self.alone[lemma] += n

    def is_topic(self, head: str) -> bool:
        """Return whether the batch uses ``head`` as a topic: on its own, or as the head of several different compounds."""
        return self.alone[head] > 0 or len(self.heads.get(head, ())) > 1

    def is_term(self, lemma: str, head: str) -> bool:
        """Return whether the batch uses the compound as a term of its own (frequent, head never alone)."""
        return self.compounds[lemma] >= MIN_TERM_COUNT and self.alone[head] == 0


def counted_parts(
    lemma: str, parts: tuple[str, ...], wordbases: str, *, lexicalised: bool = False, named: bool = False,
    min_part_len: int = 4, is_content: Callable[[str], bool] = lambda _: True, evidence: CompoundEvidence | None = None,
) -> tuple[str, ...]:
    """Return the compound parts a word counts toward besides itself: ``(head,)`` for a productive compound, else ``()``.

    ``lexicalised``: Voikko lists the whole word as one dictionary entry; ``named``: it is led by a name
    or an abbreviation. The rule and its order are in the module docstring.
    """
    if len(parts) < 2:
        return ()
    head = parts[-1]
    if lexicalised or named or lemma in whole_compounds() or head in generic_heads() or agent_head(wordbases):
        return ()
    if head == lemma or len(head) < min_part_len or head in stop_lemmas() or not is_content(head):
        return ()
    if evidence is not None and (evidence.is_term(lemma, head) or not evidence.is_topic(head)):
        return ()
    return (head,)
