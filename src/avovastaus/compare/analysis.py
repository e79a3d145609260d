"""Two waves of one survey: which themes changed, by how much, overall and per respondent group.

``avovastaus compare OLD_RUN NEW_RUN`` reads two run directories of the same questions (the new
one made with ``--review-from OLD_RUN`` or with the same codebook). Themes are matched by
codebook id; then, when the new run carried the old run's review decisions over, by the same id
or the same (renamed) label; then by the similarity of their member answers (character 3–5-gram
TF-IDF centroids, centred on the two waves' mean, paired one to one by the Hungarian method).
Each match records its basis. Shares count respondents (once per theme across their answers),
with Wilson intervals; the change in percentage points has Newcombe's interval and a 2 x 2 test
(chi-square, or Fisher's exact test for small expected counts), corrected over all themes, and
separately over the groups of each group column both waves share. Cells under the suppression
limit are blanked and not tested.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from avovastaus.embed.vectors import unit_rows
from avovastaus.errors import AvovastausError
from avovastaus.io.rundir import Run, load_run
from avovastaus.stats.summarize import (
    association_test, benjamini_hochberg, difference_p_values, holm, newcombe_interval, proportion_estimates, respondent_themes, wilson_interval,
)

#: centred cosine a text-similarity match needs (same theme in two waves: 0.5–0.9; different themes: below 0.2)
MIN_SIMILARITY = 0.3
OVERALL = ""
COMPARE_COLUMNS = [
    "group_column", "group", "theme_old", "theme_new", "label", "basis", "similarity", "evidence", "status",
    "n_old", "k_old", "share_old", "ci_low_old", "ci_high_old", "n_new", "k_new", "share_new", "ci_low_new", "ci_high_new",
    "diff", "diff_low", "diff_high", "p_value", "p_adjusted", "suppressed",
]


@dataclass(frozen=True)
class Match:
    """A theme of the old wave and its counterpart in the new one (``None`` where it vanished or appeared), and why they were paired."""

    old: str | None
    new: str | None
    basis: str  # codebook | review | similarity | appeared | vanished
    similarity: float | None = None
    #: for a similarity match, the evidence that decided it: ``answers`` (member texts) or ``keywords`` (the themes' keyword lists)
    evidence: str | None = None


# ---------------------------------------------------------------- checks


def codebook_difference(old: Run, new: Run) -> str | None:
    """Return how the two waves' codebooks differ (by the manifests' sha256), or None when both used the same one (or none)."""
    a, b = old.manifest.codebook, new.manifest.codebook
    if (a.sha256 if a else None) == (b.sha256 if b else None):
        return None
    name = lambda c: f"{c.name} (sha256 {c.sha256[:12]}…)" if c else "none"  # noqa: E731
    return f"the waves were coded with different codebooks: {name(a)} vs. {name(b)}"


def check_pair(old: Run, new: Run, allow_different_codebooks: bool = False) -> list[str]:
    """Return the group columns both waves share; a coded one-line error for a pair that cannot be compared.

    Two waves coded with different codebooks give shares of different things: refused (E311) unless
    ``allow_different_codebooks``, and then every output says so first.
    """
    if old.path.resolve() == new.path.resolve():
        raise AvovastausError("E310", old=old.path, new=new.path, detail="both are the same run directory")
    q_old, q_new = old.manifest.input.text_columns, new.manifest.input.text_columns
    if sorted(q_old) != sorted(q_new):
        raise AvovastausError("E310", old=old.path, new=new.path, detail=f"different questions ({', '.join(q_old) or '-'} vs. {', '.join(q_new) or '-'})")
    difference = codebook_difference(old, new)
    if difference and not allow_different_codebooks:
        raise AvovastausError("E311", old=old.path, new=new.path, detail=difference)
    g_old, g_new = old.manifest.input.group_columns, new.manifest.input.group_columns
    shared = [c for c in g_new if c in g_old]
    if (g_old or g_new) and not shared:
        raise AvovastausError("E310", old=old.path, new=new.path, detail=f"no shared group columns ({', '.join(g_old) or '-'} vs. {', '.join(g_new) or '-'})")
    return shared


# ---------------------------------------------------------------- matching


def members(run: Run) -> dict[str, list[str]]:
    """Return each theme's member answer texts (every answer carrying it), in themes.csv order."""
    analysed = run.answers[run.answers["excluded"] == ""]
    out: dict[str, list[str]] = {t: [] for t in run.themes["theme"]}
    for text, themes in zip(analysed["text"], analysed["themes"]):
        for t in str(themes).split(";"):
            if t in out:
                out[t].append(text)
    return out


def match_themes(
    old_sources: dict[str, str], new_sources: dict[str, str], old_members: dict[str, list[str]], new_members: dict[str, list[str]],
    carried: bool = False, old_labels: dict[str, str] | None = None, new_labels: dict[str, str] | None = None,
    min_similarity: float = MIN_SIMILARITY, old_questions: dict[str, str] | None = None, new_questions: dict[str, str] | None = None,
    old_keywords: dict[str, list[str]] | None = None, new_keywords: dict[str, list[str]] | None = None,
) -> list[Match]:
    """Return the theme matches between two waves: codebook ids, then carried review decisions (when ``carried``), then similarity.

    Similarity is the larger of two kinds of evidence of what a theme is: its member answers (character
    n-gram centroids, :func:`similarity_matrix`) and its keywords (:func:`keyword_similarity`). Members
    alone miss a theme whose answers changed between the waves (a theme that grew from 33 to 51 answers,
    half of them new kinds of answers), while its lemmas stay; keywords alone miss themes labelled by
    common words. ``old_questions`` / ``new_questions``: each theme's question (``""`` shared); a theme
    matches only a theme of the same question.
    """
    matches: list[Match] = []
    left, right = [t for t in old_sources], [t for t in new_sources]
    for t in list(left):
        if t in new_sources and old_sources[t] == "codebook" and new_sources[t] == "codebook":
            matches.append(Match(t, t, "codebook"))
            left.remove(t)
            right.remove(t)
    if carried:
        old_labels, new_labels = old_labels or {}, new_labels or {}
        for t in list(left):
            same_label = [u for u in right if new_labels.get(u) and new_labels.get(u) == old_labels.get(t)]
            target = t if t in right else (same_label[0] if len(same_label) == 1 else None)
            if target is not None:
                matches.append(Match(t, target, "review"))
                left.remove(t)
                right.remove(target)
    if left and right:
        by_answers = similarity_matrix([old_members.get(t, []) for t in left], [new_members.get(t, []) for t in right])
        by_keywords = np.array([[keyword_similarity((old_keywords or {}).get(a, []), (new_keywords or {}).get(b, [])) for b in right] for a in left])
        sim = np.maximum(by_answers, by_keywords.reshape(by_answers.shape))
        if old_questions is not None and new_questions is not None:  # themes of different questions never pair
            same = np.array([[old_questions.get(a, "") == new_questions.get(b, "") for b in right] for a in left], dtype=bool)
            sim = np.where(same, sim, -1.0)
        from scipy.optimize import linear_sum_assignment

        rows, cols = linear_sum_assignment(-sim)
        for i, j in sorted(zip(rows, cols)):
            if sim[i, j] >= min_similarity:
                evidence = "answers" if by_answers[i, j] >= by_keywords[i, j] else "keywords"
                matches.append(Match(left[i], right[j], "similarity", round(float(sim[i, j]), 3), evidence))
        paired_old = {m.old for m in matches}
        paired_new = {m.new for m in matches}
        left = [t for t in left if t not in paired_old]
        right = [t for t in right if t not in paired_new]
    matches += [Match(t, None, "vanished") for t in left] + [Match(None, t, "appeared") for t in right]
    return matches


def keyword_similarity(a: list[str], b: list[str]) -> float:
    """Return the cosine of two ranked keyword lists, each keyword weighted 1 / rank (the top words of a theme count most)."""
    wa = {k: 1 / (i + 1) for i, k in enumerate(dict.fromkeys(a))}
    wb = {k: 1 / (i + 1) for i, k in enumerate(dict.fromkeys(b))}
    norm = np.sqrt(sum(v * v for v in wa.values()) * sum(v * v for v in wb.values()))
    return float(sum(w * wb[k] for k, w in wa.items() if k in wb) / norm) if norm else 0.0


def theme_keywords(run: Run) -> dict[str, list[str]]:
    """Return each theme's keyword lemmas in rank order (``verkosto (yhteistyöverkosto)`` counts as ``verkosto``)."""
    if "keywords" not in run.themes:
        return {}
    return {t: [k.split(" (", 1)[0].strip().casefold() for k in str(words).split(", ") if k.strip()] for t, words in zip(run.themes["theme"], run.themes["keywords"])}


def codebook_coverage(run: Run) -> tuple[int, int] | None:
    """Return (analysed answers carrying a codebook theme, analysed answers) of a run with a codebook; None without one."""
    if run.manifest.codebook is None:
        return None
    codebook = set(run.themes.loc[run.themes["source"] == "codebook", "theme"])
    analysed = run.answers[run.answers["excluded"] == ""]
    inside = sum(1 for ts in analysed["themes"] if any(t in codebook for t in str(ts).split(";")))
    return inside, len(analysed)


def coverage_change(old: Run, new: Run, confidence: float = 0.95) -> dict[str, float] | None:
    """Return each wave's share of analysed answers outside the codebook and the change, with its interval and test; None without codebooks.

    A change in coverage is itself a finding: a new wave whose answers fall outside the codebook more often
    has topics the codebook lacks. Answers, not respondents, are the unit here (coverage is of answers).
    """
    a, b = codebook_coverage(old), codebook_coverage(new)
    if a is None or b is None or not a[1] or not b[1]:
        return None
    out_old, out_new = a[1] - a[0], b[1] - b[0]
    low, high = newcombe_interval(out_new, b[1], out_old, a[1], confidence)
    return {"outside_old": out_old / a[1], "outside_new": out_new / b[1], "n_old": a[1], "n_new": b[1],
            "diff": out_new / b[1] - out_old / a[1], "diff_low": float(low), "diff_high": float(high),
            "p_value": association_test(out_new, b[1], out_new + out_old, a[1] + b[1])[0]}


def similarity_matrix(old_texts: list[list[str]], new_texts: list[list[str]]) -> np.ndarray:
    """Return the centred cosine similarity of the themes' member texts (char 3–5-gram TF-IDF centroids), old x new."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    everything = [t for texts in old_texts + new_texts for t in texts]
    if not everything:
        return np.zeros((len(old_texts), len(new_texts)))
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=True).fit(everything)

    def centroids(groups: list[list[str]]) -> np.ndarray:
        out = np.zeros((len(groups), len(vectorizer.vocabulary_)))
        for i, texts in enumerate(groups):
            if texts:
                out[i] = np.asarray(vectorizer.transform(texts).mean(axis=0)).ravel()
        return out

    a, b = centroids(old_texts), centroids(new_texts)
    mean = np.asarray(vectorizer.transform(everything).mean(axis=0)).ravel()
    a, b = a - mean, b - mean
    a, b = unit_rows(a), unit_rows(b)
    return a @ b.T


# ---------------------------------------------------------------- the comparison table


def _people(run: Run, columns: list[str], weighted: bool) -> pd.DataFrame:
    """Return one row per respondent with an analysed answer: id, the group columns, their themes, and their weight (1 unweighted)."""
    analysed = run.answers[run.answers["excluded"] == ""]
    memberships = [[t for t in str(x).split(";") if t] for x in analysed["themes"]]
    people = respondent_themes(analysed[["id", "question", *columns, *(["weight"] if weighted else [])]], memberships)
    return people if weighted else people.assign(weight=1.0)


def weighted_pair(old: Run, new: Run) -> bool:
    """Return whether a comparison is weighted: when both runs are (a weighted and an unweighted wave are compared unweighted)."""
    return bool(old.weight and new.weight)


def theme_label(match: Match, labels_old: dict[str, str], labels_new: dict[str, str]) -> str:
    """Return a compared theme's label from the run it belongs to: the new run's for a theme it has, else the earlier run's.

    Discovered ids (``teema_01``) are numbered per run: the same id in the other run is another theme.
    """
    return labels_new.get(match.new, match.new) if match.new else labels_old.get(match.old, match.old or "")


def compare_runs(old: Run, new: Run, allow_different_codebooks: bool = False) -> tuple[pd.DataFrame, list[Match]]:
    """Return (compare table: one row per matched, appeared or vanished theme, overall and per shared group; the matches)."""
    shared = check_pair(old, new, allow_different_codebooks)
    m = new.manifest
    confidence = float(m.setting("summarize", "confidence", 0.95))
    min_cell = m.statistics.suppressed_below
    adjust = holm if m.setting("summarize", "correction", "bh") == "holm" else benjamini_hochberg
    source = lambda run: dict(zip(run.themes["theme"], run.themes["source"]))  # noqa: E731
    label = lambda run: dict(zip(run.themes["theme"], run.themes["label"]))  # noqa: E731
    question = lambda run: dict(zip(run.themes["theme"], run.themes["question"])) if "question" in run.themes.columns else None  # noqa: E731
    review_from = Path(m.review.source).resolve() if m.review else None
    matches = match_themes(source(old), source(new), members(old), members(new), carried=review_from == old.path.resolve(),
                           old_labels=label(old), new_labels=label(new), old_questions=question(old), new_questions=question(new),
                           old_keywords=theme_keywords(old), new_keywords=theme_keywords(new))
    weighted = weighted_pair(old, new)
    people_old, people_new = _people(old, shared, weighted), _people(new, shared, weighted)
    labels_old, labels_new = label(old), label(new)
    rows = []
    for column, groups in [(OVERALL, [OVERALL])] + [(c, sorted(set(people_old[c]) & set(people_new[c]))) for c in shared]:
        for group in groups:
            po = people_old if column == OVERALL else people_old[people_old[column] == group]
            pn = people_new if column == OVERALL else people_new[people_new[column] == group]
            wo, wn = po["weight"].to_numpy(dtype=float), pn["weight"].to_numpy(dtype=float)
            for match in matches:
                ho = np.array([match.old in s for s in po["themes"]], dtype=bool) if match.old else np.zeros(len(po), dtype=bool)
                hn = np.array([match.new in s for s in pn["themes"]], dtype=bool) if match.new else np.zeros(len(pn), dtype=bool)
                rows.append({
                    "group_column": column, "group": group, "theme_old": match.old or "", "theme_new": match.new or "",
                    "label": theme_label(match, labels_old, labels_new), "basis": match.basis, "similarity": match.similarity, "evidence": match.evidence or "",
                    "status": match.basis if match.basis in ("appeared", "vanished") else "matched",
                    "n_old": len(po), "k_old": int(ho.sum()), "n_new": len(pn), "k_new": int(hn.sum()),
                    "kw_old": wo[ho].sum(), "nw_old": wo.sum(), "s2_old": (wo**2).sum(), "s2y_old": (wo[ho] ** 2).sum(),
                    "kw_new": wn[hn].sum(), "nw_new": wn.sum(), "s2_new": (wn**2).sum(), "s2y_new": (wn[hn] ** 2).sum(),
                })
    table = pd.DataFrame(rows, columns=["group_column", "group", "theme_old", "theme_new", "label", "basis", "similarity", "evidence", "status", "n_old", "k_old", "n_new", "k_new",
                                        *(f"{s}_{w}" for w in ("old", "new") for s in ("kw", "nw", "s2", "s2y"))])
    return _measure(table, confidence, min_cell, adjust, weighted), matches


def _measure(table: pd.DataFrame, confidence: float, min_cell: int, adjust, weighted: bool = False) -> pd.DataFrame:
    """Add shares, intervals, the change, its test and the correction (per family: overall, then each group column) to the counts.

    Weighted (both waves carry design weights), shares are weighted, intervals are taken at Kish's effective n and the
    change is tested by a Wald test with the two waves' linearised variances (independent samples); counts stay unweighted.
    """
    estimates = {w: proportion_estimates(*(table[f"{s}_{w}"].to_numpy(dtype=float) for s in ("kw", "nw", "s2", "s2y"))) for w in ("old", "new")}
    (p_old, var_old, eff_old), (p_new, var_new, eff_new) = estimates["old"], estimates["new"]
    table["share_old"], table["share_new"] = p_old, p_new
    table["ci_low_old"], table["ci_high_old"] = wilson_interval(p_old * eff_old, eff_old, confidence)
    table["ci_low_new"], table["ci_high_new"] = wilson_interval(p_new * eff_new, eff_new, confidence)
    table["diff"] = table["share_new"] - table["share_old"]
    table["diff_low"], table["diff_high"] = newcombe_interval(p_new * eff_new, eff_new, p_old * eff_old, eff_old, confidence)
    if weighted:
        table["n_effective_old"], table["n_effective_new"] = eff_old, eff_new
    matched = table["status"] == "matched"
    small_old = (table["k_old"] < min_cell) & (table["status"] != "appeared")
    small_new = (table["k_new"] < min_cell) & (table["status"] != "vanished")
    table["suppressed"] = small_old | small_new
    tested = (matched & ~table["suppressed"]).to_numpy()
    table["p_value"] = np.nan
    if weighted:
        table.loc[tested, "p_value"] = difference_p_values(table.loc[tested, "diff"].to_numpy(), (var_old + var_new)[tested])
    else:
        k_old, n_old, k_new, n_new = (table[c].to_numpy(dtype=float) for c in ("k_old", "n_old", "k_new", "n_new"))
        table["p_value"] = [association_test(int(kn), int(nn), int(kn + ko), int(nn + no))[0] if t else np.nan
                            for kn, nn, ko, no, t in zip(k_new, n_new, k_old, n_old, tested)]
    table["p_adjusted"] = np.nan
    for column in table["group_column"].unique():
        family = tested & (table["group_column"] == column).to_numpy()
        table.loc[family, "p_adjusted"] = adjust(table.loc[family, "p_value"].to_numpy())
    not_matched = ~matched
    table.loc[not_matched, ["diff", "diff_low", "diff_high"]] = np.nan
    table.loc[small_old, ["k_old", "share_old", "ci_low_old", "ci_high_old"]] = np.nan
    table.loc[small_new, ["k_new", "share_new", "ci_low_new", "ci_high_new"]] = np.nan
    table.loc[table["suppressed"], ["diff", "diff_low", "diff_high"]] = np.nan
    table.loc[table["status"] == "appeared", ["k_old", "share_old", "ci_low_old", "ci_high_old"]] = np.nan
    table.loc[table["status"] == "vanished", ["k_new", "share_new", "ci_low_new", "ci_high_new"]] = np.nan
    for column in ("k_old", "k_new"):
        table[column] = table[column].astype("Int64")
    return table[COMPARE_COLUMNS + (["n_effective_old", "n_effective_new"] if weighted else [])]


def compare(old_dir: Path, new_dir: Path, out: Path | None = None, lang: str | None = None, allow_different_codebooks: bool = False) -> list[Path]:
    """Compare two run directories and write compare.csv, compare.md, compare.html and compare.xlsx into ``out``; returns their paths.

    ``out`` defaults to ``NEW_RUN/compare``; it is written beside its place and swapped in whole.
    """
    from avovastaus.compare.outputs import COMPARE_OUTPUT, write_outputs
    from avovastaus.io import staging

    out = Path(out) if out is not None else Path(new_dir) / "compare"
    staging.remove_stale(out, "compare")
    staging.claim(out, COMPARE_OUTPUT)  # before any work: never a folder compare did not write
    staging.check_writable(out)
    old, new = load_run(Path(old_dir)), load_run(Path(new_dir))
    table, matches = compare_runs(old, new, allow_different_codebooks)
    warning = codebook_difference(old, new)
    lang = lang or new.manifest.setting("report", "lang", "fi")
    coverage = coverage_change(old, new, float(new.manifest.setting("summarize", "confidence", 0.95)))
    with staging.staged_folder(out, COMPARE_OUTPUT) as tmp:
        names = write_outputs(tmp, table, old, new, lang if lang in ("fi", "en") else "fi", warning, coverage)
    return [out / n for n in names]
