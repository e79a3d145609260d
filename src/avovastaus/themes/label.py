"""Theme labels: distinctive lemma keywords, Finnish labels, representative quotes by MMR.

Keywords are counted on lemmas, and each compound also counts toward its parts
(``yhteistyöverkosto`` counts for ``verkosto`` and ``yhteistyö``), so one lemma never appears
twice in inflected forms and a theme about networks finds ``verkosto`` however it was written.

A keyword should tell its theme apart from the others. The default scorer is the weighted
log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin'
words"): each class's use of a lemma against all other classes', smoothed toward the lemma's
corpus frequency and divided by its standard error, so a lemma every theme uses (``järjestö``,
``kunta``) scores near zero however frequent it is. Class-based TF-IDF (with an optional
document-frequency ceiling) is kept for comparison; ``benchmarks/keywords.py`` measures both.
The same scorer gives the distinctive words of a respondent group against the other groups.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Literal, Sequence

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer

from avovastaus.embed.vectors import unit_rows
from avovastaus.finnish.lemmas import Lemma


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


KeywordMethod = Literal["log_odds", "ctfidf"]
#: Dirichlet prior strength of :func:`log_odds` (pseudo-counts spread over the vocabulary by corpus frequency);
#: chosen on corpora/kuntajarjesto and the Yle sample (benchmarks/keywords.py)
PRIOR_STRENGTH = 500.0
#: a lemma names at most this many themes (the ones where its log-odds is highest): one listed for three or more tells them apart from nothing
MAX_THEMES_PER_KEYWORD = 2


def ctfidf(counts: sparse.spmatrix, max_df: float | None = None) -> sparse.csr_matrix:
    """Return class-based TF-IDF: (term frequency within class, L1) x log(1 + mean class size / term frequency overall).

    ``max_df`` (a share of the classes) zeroes every term found in more classes than that: a ceiling
    that keeps lemmas every theme uses out of the keywords.
    """
    counts = sparse.csr_matrix(counts, dtype=float)
    totals = np.asarray(counts.sum(axis=1)).ravel()
    tf = sparse.diags(1.0 / np.maximum(totals, 1)) @ counts
    term_freq = np.asarray(counts.sum(axis=0)).ravel()
    idf = np.log(1 + totals.mean() / np.maximum(term_freq, 1))
    if max_df is not None:
        df = np.asarray((counts > 0).sum(axis=0)).ravel()
        idf = np.where(df > max_df * counts.shape[0], 0.0, idf)
    return sparse.csr_matrix(tf @ sparse.diags(idf))


def log_odds(counts: sparse.spmatrix | np.ndarray, prior_strength: float = PRIOR_STRENGTH) -> np.ndarray:
    """Return z-scores of the weighted log-odds ratio of each term, each class against all other classes (classes x terms).

    Monroe, Colaresi & Quinn (2008) with an informative Dirichlet prior: ``alpha_w = prior_strength x``
    the term's share of the whole corpus. For class i and the rest r::

        delta = log((y_iw + a_w) / (n_i + a0 - y_iw - a_w)) - log((y_rw + a_w) / (n_r + a0 - y_rw - a_w))
        z = delta / sqrt(1 / (y_iw + a_w) + 1 / (y_rw + a_w))

    A term used alike everywhere scores about 0, one over-used by the class scores high, one it avoids scores below 0.
    """
    if prior_strength <= 0:
        raise ValueError(f"prior_strength must be > 0, got {prior_strength!r}")
    y = np.asarray(counts.toarray() if sparse.issparse(counts) else counts, dtype=float)
    total = y.sum(axis=0)
    n = float(total.sum())
    if n == 0:
        return np.zeros_like(y)
    alpha = prior_strength * total / n
    n_class = y.sum(axis=1, keepdims=True)
    y_rest = total - y
    n_rest = n - n_class
    a0 = prior_strength
    delta = np.log((y + alpha) / (n_class + a0 - y - alpha)) - np.log((y_rest + alpha) / (n_rest + a0 - y_rest - alpha))
    return delta / np.sqrt(1 / (y + alpha) + 1 / (y_rest + alpha))


def class_keywords(
    answer_words: Sequence[Sequence[Lemma]], labels: Sequence[str | None], classes: Sequence[str], n: int = 10,
    method: KeywordMethod = "log_odds", prior_strength: float = PRIOR_STRENGTH, max_df: float | None = None, min_docs: int = 1,
    max_classes: int | None = None, bases: Callable[[str], frozenset[str]] | None = None,
) -> dict[str, list[Keyword]]:
    """Return the top ``n`` distinctive keywords of each class from the content words of the answers labelled with it.

    ``labels[i]`` names answer ``i``'s class (a theme, or a respondent group); ``None`` or an unknown
    label leaves the answer out. Each class is scored against all other classes. A keyword must
    occur in at least ``min_docs`` of the class's answers; with ``max_df``, a lemma found in more than
    that share of the classes is no keyword (a document-frequency ceiling, for either method); with
    ``max_classes``, a lemma is a keyword only of the ``max_classes`` classes where it scores highest;
    with ``bases`` (a lemma -> its possible base forms), a lemma sharing a base form with a chosen
    keyword is skipped (``tunne`` after ``tuntea``: Voikko reads "tunne" as a form of both).
    """
    docs: list[list[str]] = [[] for _ in classes]
    doc_freq: list[Counter] = [Counter() for _ in classes]
    compound_of: list[Counter] = [Counter() for _ in classes]
    position = {c: i for i, c in enumerate(classes)}
    for words, label in zip(answer_words, labels):
        if label is None or label not in position:
            continue
        i = position[label]
        counted = terms(words)
        docs[i].extend(counted)
        doc_freq[i].update(set(counted))
        for w in words:
            for part in w.parts:
                compound_of[i][(part, w.lemma)] += 1
    if not any(docs):
        return {c: [] for c in classes}
    vectorizer = CountVectorizer(analyzer=lambda doc: doc, min_df=1)
    counts = vectorizer.fit_transform(docs)
    vocab = np.asarray(vectorizer.get_feature_names_out())
    if method == "log_odds" and sum(1 for d in docs if d) < 2:
        scores = counts.toarray().astype(float)  # one class has nothing to differ from: its most frequent lemmas
    elif method == "log_odds":
        scores = log_odds(counts, prior_strength)
        if max_df is not None:
            df = np.asarray((counts > 0).sum(axis=0)).ravel()
            scores[:, df > max_df * len(classes)] = 0.0
    elif method == "ctfidf":
        scores = ctfidf(counts, max_df).toarray()
    else:
        raise ValueError(f"method must be 'log_odds' or 'ctfidf', got {method!r}")
    raw = counts.toarray()
    if min_docs > 1:
        rare = np.array([[doc_freq[i][w] < min_docs for w in vocab] for i in range(len(classes))], dtype=bool)
        raw = np.where(rare, 0, raw)
    if max_classes is not None and len(classes) > max_classes:
        # rank of each class's score within the term's column; ties go to the earlier class, so the result is deterministic
        order = np.argsort(-scores, axis=0, kind="stable")
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, np.arange(len(classes))[:, None].repeat(scores.shape[1], axis=1), axis=0)
        raw = np.where(rank >= max_classes, 0, raw)
    return {c: _pick(scores[i], raw[i], vocab, compound_of[i], n, bases) for i, c in enumerate(classes)}


def _pick(
    scores: np.ndarray, raw: np.ndarray, vocab: np.ndarray, compound_of: Counter, n: int, bases: Callable[[str], frozenset[str]] | None = None,
) -> list[Keyword]:
    """Return up to ``n`` keywords by score (positive scores of terms the class uses), a compound and its parts said once."""
    # deterministic order: score desc, then lemma
    order = sorted(np.flatnonzero((scores > 0) & (raw > 0)), key=lambda j: (-round(float(scores[j]), 12), vocab[j]))
    chosen: list[Keyword] = []
    said: set[str] = set()  # base forms of the chosen keywords
    for j in order:
        if len(chosen) == n:
            break
        lemma = str(vocab[j])
        forms = bases(lemma) if bases is not None else frozenset((lemma,))
        if forms & said:
            continue
        from_compounds = Counter({c: k for (part, c), k in compound_of.items() if part == lemma})
        via = None
        if from_compounds and sum(from_compounds.values()) * 2 > raw[j]:
            via = min(from_compounds.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        # a part shown through its compound, and that compound itself, say the same thing once
        if any(via == k.lemma or k.via_compound == lemma or (via and via == k.via_compound) for k in chosen):
            continue
        chosen.append(Keyword(lemma, float(scores[j]), via))
        said |= forms
    return chosen


@functools.lru_cache(maxsize=50_000)
def voikko_bases(lemma: str) -> frozenset[str]:
    """Return ``lemma`` with every base form Voikko reads in it (loads the Finnish resources once per process, as the lemmas did)."""
    return frozenset({lemma, *(base for base, _, _ in _analyzer().analyses(lemma))})


@functools.lru_cache(maxsize=1)
def _analyzer():
    from avovastaus.finnish.lemmas import FinnishAnalyzer

    return FinnishAnalyzer().initialize()


def theme_keywords(
    answer_words: Sequence[Sequence[Lemma]], primary: Sequence[str | None], theme_ids: Sequence[str], n: int = 10
) -> dict[str, list[Keyword]]:
    """Return the top ``n`` distinctive keywords of each theme from the content words of its primary answers.

    Weighted log-odds; a lemma is a keyword of at most :data:`MAX_THEMES_PER_KEYWORD` themes, those it is most typical of;
    no two keywords of a theme share a base form.
    """
    return class_keywords(answer_words, primary, theme_ids, n, max_classes=MAX_THEMES_PER_KEYWORD, bases=voikko_bases)


def ctfidf_keywords(
    answer_words: Sequence[Sequence[Lemma]], primary: Sequence[str | None], theme_ids: Sequence[str], n: int = 10
) -> dict[str, list[Keyword]]:
    """Return each theme's top ``n`` keywords by plain class-based TF-IDF (the scorer before the log-odds one; for comparison)."""
    return class_keywords(answer_words, primary, theme_ids, n, method="ctfidf")


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
    centroid = unit_rows(embeddings.mean(axis=0))
    relevance = embeddings @ centroid
    chosen = [int(np.argmax(relevance))]
    while len(chosen) < min(k, len(embeddings)):
        redundancy = (embeddings @ embeddings[chosen].T).max(axis=1)
        score = (1 - diversity) * relevance - diversity * redundancy
        score[chosen] = -np.inf
        chosen.append(int(np.argmax(score)))
    return chosen


GROUP_WORD_COLUMNS = ["group_column", "group", "n_group", "keywords"]


def group_words(
    answers: pd.DataFrame, words: Sequence[Sequence[Lemma]], group_columns: Sequence[str], min_cell: int = 5, n: int = 10,
) -> pd.DataFrame:
    """Return each group's distinctive lemmas against the other groups of its column (the theme keywords' method).

    ``answers`` (one row per analysed answer, with ``id``) and ``words`` (its content lemmas) align.
    A group of fewer than ``min_cell`` respondents gets no words, and a lemma must occur in at least
    ``min_cell`` of the group's answers, so no word points at a single respondent.
    """
    answers = answers.reset_index(drop=True)
    rows = []
    for column in group_columns:
        values = answers[column].tolist()
        sizes = answers.groupby(column)["id"].nunique()
        groups = sorted(sizes.index)
        keywords = class_keywords(words, values, groups, n, min_docs=min_cell, bases=voikko_bases)
        for group in groups:
            size = int(sizes[group])
            shown = ", ".join(k.display() for k in keywords[group]) if size >= min_cell else ""
            rows.append((column, group, size, shown))
    return pd.DataFrame(rows, columns=GROUP_WORD_COLUMNS)
