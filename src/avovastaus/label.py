"""Theme labels: lemma keywords by class-based TF-IDF, Finnish labels, representative quotes by MMR.

Keywords are counted on lemmas, and each compound also counts toward its parts
(``yhteistyöverkosto`` counts for ``verkosto`` and ``yhteistyö``), so one lemma never appears
twice in inflected forms and a theme about networks finds ``verkosto`` however it was written.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer

from .finnish import Lemma


@dataclass(frozen=True)
class Keyword:
    """One keyword of a theme: its lemma, score, and the compound it mostly came from (if any)."""

    lemma: str
    score: float
    via_compound: str | None = None

    def display(self) -> str:
        """Return the keyword as shown to readers: ``verkosto (yhteistyöverkosto)`` when it came from a compound."""
        return f"{self.lemma} ({self.via_compound})" if self.via_compound else self.lemma


def terms(words: Sequence[Lemma]) -> list[str]:
    """Return the counted terms of one answer: each lemma plus its compound parts."""
    out = []
    for w in words:
        out.append(w.lemma)
        out.extend(w.parts)
    return out


def ctfidf(counts: sparse.spmatrix) -> sparse.csr_matrix:
    """Return class-based TF-IDF: (term frequency within class, L1) x log(1 + mean class size / term frequency overall)."""
    counts = sparse.csr_matrix(counts, dtype=float)
    totals = np.asarray(counts.sum(axis=1)).ravel()
    tf = sparse.diags(1.0 / np.maximum(totals, 1)) @ counts
    term_freq = np.asarray(counts.sum(axis=0)).ravel()
    idf = np.log(1 + totals.mean() / np.maximum(term_freq, 1))
    return sparse.csr_matrix(tf @ sparse.diags(idf))


def theme_keywords(
    answer_words: Sequence[Sequence[Lemma]], primary: Sequence[str | None], theme_ids: Sequence[str], n: int = 10
) -> dict[str, list[Keyword]]:
    """Return the top ``n`` keywords of each theme from the content words of its primary answers."""
    docs = [[] for _ in theme_ids]
    compound_of: list[Counter] = [Counter() for _ in theme_ids]
    position = {t: i for i, t in enumerate(theme_ids)}
    for words, theme in zip(answer_words, primary):
        if theme is None or theme not in position:
            continue
        i = position[theme]
        docs[i].extend(terms(words))
        for w in words:
            for part in w.parts:
                compound_of[i][(part, w.lemma)] += 1
    if not any(docs):
        return {t: [] for t in theme_ids}
    vectorizer = CountVectorizer(analyzer=lambda doc: doc, min_df=1)
    counts = vectorizer.fit_transform(docs)
    vocab = np.asarray(vectorizer.get_feature_names_out())
    scores = ctfidf(counts).toarray()
    raw = counts.toarray()
    out: dict[str, list[Keyword]] = {}
    for i, theme in enumerate(theme_ids):
        # deterministic order: score desc, then lemma
        order = sorted(np.flatnonzero(scores[i] > 0), key=lambda j: (-round(scores[i, j], 12), vocab[j]))
        chosen: list[Keyword] = []
        for j in order:
            if len(chosen) == n:
                break
            lemma = str(vocab[j])
            from_compounds = Counter({c: k for (part, c), k in compound_of[i].items() if part == lemma})
            via = None
            if from_compounds and sum(from_compounds.values()) * 2 > raw[i, j]:
                via = min(from_compounds.items(), key=lambda kv: (-kv[1], kv[0]))[0]
            # a part shown through its compound, and that compound itself, say the same thing once
            if any(via == k.lemma or k.via_compound == lemma or (via and via == k.via_compound) for k in chosen):
                continue
            chosen.append(Keyword(lemma, float(scores[i, j]), via))
        out[theme] = chosen
    return out


def finnish_label(keywords: Sequence[Keyword], n: int = 3) -> str:
    """Return a short Finnish label from the top keywords: ``Avustus, toimitila ja vapaaehtoinen``."""
    words = [k.lemma for k in keywords[:n]]
    if not words:
        return "Nimetön teema"
    text = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} ja {words[-1]}"
    return text[:1].upper() + text[1:]


def mmr(embeddings: np.ndarray, k: int, diversity: float = 0.3) -> list[int]:
    """Return up to ``k`` row indices: central to the rows' centroid, yet unlike each other (maximal marginal relevance)."""
    if len(embeddings) == 0:
        return []
    centroid = embeddings.mean(axis=0)
    centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
    relevance = embeddings @ centroid
    chosen = [int(np.argmax(relevance))]
    while len(chosen) < min(k, len(embeddings)):
        redundancy = (embeddings @ embeddings[chosen].T).max(axis=1)
        score = (1 - diversity) * relevance - diversity * redundancy
        score[chosen] = -np.inf
        chosen.append(int(np.argmax(score)))
    return chosen
