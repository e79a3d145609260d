"""A summary per respondent group, read from the run's tables, and the sentences that say it in Finnish or English.

For every group column and group: its respondents; its most common themes with share and
interval; the themes it raises more or less than the other respondents (only differences whose
corrected p is below the significance level, with the difference in percentage points and its
interval); its distinctive words (``group_words.csv``); and two quotes from the group's own
answers for each theme it raises more often (the answers closest to the theme, masked). A group
under the suppression limit shows its size only, and a theme the group raises fewer than
``min_cell`` times is never listed or quoted. Nothing is computed that the tables do not hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import pandas as pd

from avovastaus.io.rundir import Run
from avovastaus.report.formatting import interval_name, level, number, p_value, percent, percent_range, points, points_range
from avovastaus.stats.summarize import ALL_QUESTIONS, MAX_SMALL_GROUPS

TOP_THEMES = 5
QUOTES = 2


@dataclass
class ThemeLine:
    """One theme in a group summary, numbers raw (formatting happens where it is shown)."""

    theme: str
    label: str
    share: float
    ci_low: float
    ci_high: float
    share_rest: float = float("nan")
    diff: float = float("nan")
    diff_low: float = float("nan")
    diff_high: float = float("nan")
    p_adjusted: float = float("nan")
    quotes: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class GroupSummary:
    """What one respondent group says: see the module docstring."""

    anchor: str
    column: str
    group: str
    n: int
    suppressed: bool
    top: list[ThemeLine] = field(default_factory=list)
    over: list[ThemeLine] = field(default_factory=list)
    under: list[ThemeLine] = field(default_factory=list)
    words: str = ""
    #: Kish's effective sample size of a weighted run's group (None unweighted)
    n_effective: float | None = None


def respondents_phrase(s: GroupSummary, lang: str) -> str:
    """Return ``135 vastaajaa`` or, weighted, ``135 vastaajaa (painotettu, efektiivinen n 112)``."""
    n = f"{s.n} vastaajaa" if lang == "fi" else f"{s.n} respondents"
    if s.n_effective is None or s.suppressed:
        return n
    eff = number(round(s.n_effective), lang)
    return f"{n} (painotettu, efektiivinen n {eff})" if lang == "fi" else f"{n} (weighted, effective n {eff})"


def main_scope(groups: pd.DataFrame) -> str | None:
    """Return the scope the summaries use: all questions (a respondent once per theme) when present, else the one question; None without groups."""
    if groups.empty:
        return None
    scopes = list(dict.fromkeys(groups["question"])) if "question" in groups else [ALL_QUESTIONS]
    return ALL_QUESTIONS if ALL_QUESTIONS in scopes else scopes[0]


def scope_rows(groups: pd.DataFrame) -> pd.DataFrame:
    """Return the rows of groups.csv in the main scope (all of them for runs made before per-question rows existed)."""
    scope = main_scope(groups)
    if scope is None or "question" not in groups:
        return groups
    return groups[groups["question"] == scope]




def group_pairs(groups: pd.DataFrame, min_cell: int | None = None) -> list[tuple[str, str]]:
    """Return the (group column, group) pairs the reports show, in table order; their position gives each summary's anchor.

    With ``min_cell``: a column with more than :data:`MAX_SMALL_GROUPS` groups under it (a postcode or a name used as a
    grouping) shows only its larger groups; :func:`pooled_small_groups` counts the rest.
    """
    pairs = list(dict.fromkeys(zip(groups["group_column"], groups["group"])))
    if min_cell is None:
        return pairs
    sizes = dict(zip(zip(groups["group_column"], groups["group"]), groups["n_group"]))
    pooled = pooled_small_groups(groups, min_cell)
    return [pair for pair in pairs if pair[0] not in pooled or sizes[pair] >= min_cell]


def pooled_small_groups(groups: pd.DataFrame, min_cell: int) -> dict[str, int]:
    """Return, for each group column with more than :data:`MAX_SMALL_GROUPS` groups under ``min_cell`` respondents, how many there are."""
    people = groups.drop_duplicates(["group_column", "group"])
    small = people[people["n_group"] < min_cell].groupby("group_column").size()
    return {str(c): int(n) for c, n in small.items() if n > MAX_SMALL_GROUPS}


def anchor(i: int) -> str:
    """Return the HTML id of the i-th group summary (ids never hold survey text)."""
    return f"group-{i + 1}"


def summaries(run: Run, labels: dict[str, str], alpha: float, mask: Callable[[str], str]) -> list[GroupSummary]:
    """Return one summary per (group column, group) of the run, in groups.csv order."""
    rows = scope_rows(run.groups)
    if rows.empty:
        return []
    min_cell = run.manifest.statistics.suppressed_below
    words = {}
    if run.group_words is not None:
        words = {(c, g): w for c, g, w in zip(run.group_words["group_column"], run.group_words["group"], run.group_words["keywords"])}
    out = []
    by_pair = dict(iter(rows.groupby(["group_column", "group"], sort=False, dropna=False)))  # one pass, not one per group
    for i, (column, group) in enumerate(group_pairs(rows, min_cell)):
        cells = by_pair[(column, group)]
        n = int(cells["n_group"].iloc[0])
        summary = GroupSummary(anchor(i), column, str(group), n, suppressed=n < min_cell)
        if "n_effective" in cells:
            summary.n_effective = float(cells["n_effective"].iloc[0])
        if not summary.suppressed:
            shown = cells[~cells["suppressed"]]
            summary.top = [_line(r, labels) for r in shown.sort_values(["share", "theme"], ascending=[False, True]).head(TOP_THEMES).to_dict("records")]
            significant = shown[shown["p_adjusted"] < alpha] if "diff" in shown else shown.iloc[0:0]
            over = significant[significant["diff"] > 0].sort_values(["diff", "theme"], ascending=[False, True])
            under = significant[significant["diff"] < 0].sort_values(["diff", "theme"])
            summary.over = [_line(r, labels) for r in over.to_dict("records")]
            summary.under = [_line(r, labels) for r in under.to_dict("records")]
            for line in summary.over:
                line.quotes = group_quotes(run, column, group, line.theme, mask)
            summary.words = words.get((column, group), "")
        out.append(summary)
    return out


def _line(row: dict[str, Any], labels: dict[str, str]) -> ThemeLine:
    nan = float("nan")
    return ThemeLine(
        row["theme"], labels.get(row["theme"], row["theme"]), row["share"], row["ci_low"], row["ci_high"],
        row.get("share_rest", nan), row.get("diff", nan), row.get("diff_low", nan), row.get("diff_high", nan), row.get("p_adjusted", nan),
    )


def group_quotes(run: Run, column: str, group: str, theme: str, mask: Callable[[str], str], k: int = QUOTES) -> list[tuple[str, str]]:
    """Return up to ``k`` (answer ref, masked text) from the group's own answers carrying ``theme``: as primary theme first, closest to it first.

    Only called for themes the group carries at least ``min_cell`` times (unsuppressed cells).
    """
    a = run.answers
    if column not in a:
        return []
    mine = a[(a["excluded"] == "") & (a[column].astype(str) == str(group))]
    carries = mine["themes"].map(lambda ts: theme in str(ts).split(";"))
    mine = mine[carries].assign(_primary=lambda f: f["theme"] != theme, _score=lambda f: -f["score"].fillna(-1.0))
    mine = mine.sort_values(["_primary", "_score", "id", "question"], kind="stable").head(k)
    several = run.several_questions
    return [(f"{i}/{q}" if several else str(i), mask(t)) for i, q, t in zip(mine["id"], mine["question"], mine["text"])]


# ---------------------------------------------------------------- sentences


def difference_sentence(s: GroupSummary, line: ThemeLine, lang: str, confidence: float) -> str:
    """Return one plain-language sentence on a significant difference, e.g. ``Ryhmä ”luottamushenkilö” mainitsi teeman ”…” useammin kuin muut vastaajat: 55 % vs. 17 %, …``.

    Group names and theme labels are quoted, not inflected, so the sentence is grammatical whatever they are.
    """
    more = line.diff > 0
    stats = (f"{percent(line.share, lang)} vs. {percent(line.share_rest, lang)}, "
             f"{'ero' if lang == 'fi' else 'difference'} {points(line.diff, lang)} "
             f"({level(confidence, lang)} {interval_name(lang)} {points_range(line.diff_low, line.diff_high, lang)}; "
             f"{'korjattu' if lang == 'fi' else 'adjusted'} {p_value(line.p_adjusted, lang)})")
    if lang == "fi":
        return f"Ryhmä ”{s.group}” mainitsi teeman ”{line.label}” {'useammin' if more else 'harvemmin'} kuin muut vastaajat: {stats}."
    return f"Group “{s.group}” mentioned “{line.label}” {'more' if more else 'less'} often than other respondents: {stats}."


def share_phrase(line: ThemeLine, lang: str, confidence: float) -> str:
    """Return ``55 % (95 % LV 43–67 %)``."""
    return f"{percent(line.share, lang)} ({level(confidence, lang)} {interval_name(lang)} {percent_range(line.ci_low, line.ci_high, lang)})"


def scope_sentence(run: Run, lang: str) -> str:
    """Return what the group figures count: respondents across questions, or respondents answering the one question."""
    several = main_scope(run.groups) == ALL_QUESTIONS
    if lang == "fi":
        return ("Ryhmien luvut lasketaan vastaajista: vastaaja lasketaan teemaan kerran, mainitsipa hän sen yhdessä tai useammassa vastauksessaan."
                if several else "Ryhmien luvut lasketaan vastaajista.")
    return ("Group figures count respondents: a respondent counts once for a theme, whether they raised it in one answer or several."
            if several else "Group figures count respondents.")


def methods_text(run: Run, lang: str) -> list[str]:
    """Return the methods paragraph as sentences, wholly in the report's language, built from the run's settings (and its weight)."""
    m = run.manifest
    confidence = float(m.setting("summarize", "confidence", 0.95))
    alpha = float(m.setting("summarize", "alpha", 0.05))
    correction = m.setting("summarize", "correction", "bh")
    min_cell = m.statistics.suppressed_below
    lv, w = level(confidence, lang), run.weight
    if lang == "fi":
        fix = {"bh": "Benjaminin–Hochbergin menetelmällä (väärien löydösten osuus)", "holm": "Holmin–Bonferronin menetelmällä (perhekohtainen virhetaso)"}[correction]
        weighted = [f"Osuudet on painotettu painomuuttujalla {w}: ryhmän osuus on teeman maininneiden vastaajien painojen summa jaettuna ryhmän "
                    "vastaajien painojen summalla. Vastaajamäärät (n) ovat painottamattomia; efektiivinen n on Kishin efektiivinen otoskoko."] if w else []
        return [
            scope_sentence(run, lang), *weighted,
            f"Osuuksien {lv}:n luottamusvälit ovat Wilsonin välejä{' efektiivisellä otoskoolla' if w else ''}; ryhmän ja muiden vastaajien osuuksien eron väli on Newcomben hybridiväli.",
            "Ryhmää verrataan muihin vastaajiin Waldin testillä, jonka varianssit on linearisoitu (Taylor) painot huomioiden." if w else
            "Ryhmää verrataan muihin vastaajiin khiin neliö -testillä (2 × 2, ilman jatkuvuuskorjausta) tai Fisherin tarkalla testillä, kun jokin odotettu frekvenssi on alle 5.",
            f"P-arvot on korjattu monivertailun vuoksi {fix} kunkin kysymyksen (ja kaikkien kysymysten yhteensä) testattujen solujen yli; ero on merkitsevä, kun korjattu p < {number(alpha, lang)}.",
            f"Solut, joissa teeman mainitsijoita on alle {min_cell}{' (painottamatta)' if w else ''}, on piilotettu, samoin niiden esimerkkivastaukset.",
            "Vastauksella voi olla useita teemoja, joten osuudet eivät summaudu 100 prosenttiin.",
        ]
    fix = {"bh": "the Benjamini–Hochberg procedure (false discovery rate)", "holm": "the Holm–Bonferroni procedure (family-wise error rate)"}[correction]
    weighted = [f"Shares are weighted by {w}: a group's share is the sum of the weights of its respondents raising the theme over the sum of the weights "
                "of its respondents. Respondent counts (n) are unweighted; the effective n is Kish's effective sample size."] if w else []
    return [
        scope_sentence(run, lang), *weighted,
        f"The {lv} intervals of shares are Wilson score intervals{' at the effective sample size' if w else ''}; the interval of the difference between a group and the other respondents is Newcombe's hybrid score interval.",
        "A group is compared with the other respondents by a Wald test with Taylor-linearised variances that take the weights into account." if w else
        "A group is compared with the other respondents by Pearson's chi-square test (2 × 2, no continuity correction), or Fisher's exact test when an expected count is under 5.",
        f"P-values are adjusted for multiple comparisons with {fix} over the tested cells of each question (and of all questions together); a difference is significant when the adjusted p < {number(alpha, lang)}.",
        f"Cells with fewer than {min_cell} respondents{' (unweighted)' if w else ''} raising a theme are suppressed, and so are their quotes.",
        "An answer can carry several themes, so shares need not add up to 100%.",
    ]


def several_themes_note(lang: str) -> str:
    """Return the note every report carries: answers can carry several themes, so shares need not add up to 100 %."""
    return ("Vastauksella voi olla useita teemoja, joten osuudet eivät summaudu 100 prosenttiin." if lang == "fi"
            else "An answer can carry several themes, so shares need not add up to 100%.")
