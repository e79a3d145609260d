"""Does the codebook fit this survey? A plain warning when a domain codebook is applied to answers it was not made for.

The measure is the share of analysed answers that name at least one of the codebook's keywords
(as a lemma or a compound part, the evidence the assigner itself uses). It needs no labels and no
threshold on similarities (e5 cosines are anisotropic: almost any two Finnish sentences score
0.75–0.9, so a similarity says little about fit).

Why half (:data:`MIN_KEYWORD_SHARE`): measured with the bundled kunta–järjestö codebook, answers to
the surveys it was made for name a keyword in 73–79 % (corpora/kuntajarjesto, both questions) and
69–81 % (corpora/hyvinvointialue, written without seeing the codebook) of cases; off-topic Finnish
text names one in 27 % (600 Yle election-candidate comments) and 37 % (600 Eduskunta sentences,
whose generic words like "vastuu" and "raha" are codebook keywords). 0.5 sits between the two ranges
with a margin of about 0.15 on each side.
"""

from __future__ import annotations

from typing import Any, Sequence

from avovastaus.config import Codebook
from avovastaus.themes.model import evidence_terms

#: below this share of answers naming a codebook keyword, the codebook is said not to fit
MIN_KEYWORD_SHARE = 0.5


def codebook_fit(words: Sequence[Sequence[Any]], codebook: Codebook, themes: Sequence[Sequence[str]], sources: dict[str, str]) -> dict[str, Any]:
    """Return the fit record for the manifest: keyword share, share with a codebook primary theme, the threshold, and whether to warn.

    ``words``: each analysed answer's lemmas (:class:`~avovastaus.finnish.Lemma`); ``themes``: its themes, primary first.
    """
    keywords = {k.lower() for theme in codebook.themes for k in theme.keywords}
    n = len(words)
    named = sum(1 for w in words if keywords & evidence_terms(w)) if keywords else 0
    coded = sum(1 for ts in themes if ts and sources.get(ts[0]) == "codebook")
    share = named / n if n else 0.0
    return {
        "keyword_share": round(share, 4), "codebook_share": round(coded / n, 4) if n else 0.0,
        "threshold": MIN_KEYWORD_SHARE, "warning": bool(keywords) and share < MIN_KEYWORD_SHARE,
    }


