"""Human-readable outputs from a run directory's tables: ``report.html``, ``report.md``, ``summary.xlsx``.

No computation happens here: everything is read from ``answers.csv``, ``themes.csv``, ``groups.csv``,
``group_words.csv`` and ``manifest.json``, so ``avovastaus report RUN_DIR`` can regenerate the reports
at any time. This module holds the texts of both languages, the views the reports share and
``report.md``; ``report_html``, ``report_xlsx`` and ``report_groups`` (the summary per respondent
group) hold the rest, and ``formatting`` writes the numbers (``12 %``, ``p < 0,001``).
Answer text is untrusted: the HTML template autoescapes everything, and contact details are
masked (``report.redact``) in all three reports.
"""

from __future__ import annotations

import re
from typing import Any, Callable

import pandas as pd

from avovastaus.io.rundir import Run, example_ref
from avovastaus.report import formatting as fmt
from avovastaus.report.groups import pooled_small_groups, scope_rows
from avovastaus.stats.summarize import POOLED_GROUP

UI: dict[str, dict[str, str]] = {
    "fi": {
        "title": "Avovastausten teemat", "summary": "Yhteenveto", "read": "Vastauksia luettu", "excluded": "Poissuljettu",
        "analysed": "Analysoitu", "respondents": "Vastaajia", "unassigned": "Ilman teemaa", "embedder": "Upotusmalli",
        "codebook": "Koodikirja", "none": "ei (pelkkä löytäminen)", "seed": "Siemenluku", "themes": "Teemat",
        "theme": "Teema", "share": "Osuus", "share_weighted": "Osuus (painotettu)", "size": "Vastauksia", "keywords": "Avainsanat", "stability": "Pysyvyys",
        "quotes": "Esimerkkivastauksia", "shares_chart": "Teemojen osuudet analysoiduista vastauksista",
        "heatmap": "Teemojen osuudet ryhmittäin (% vastaajista)", "heatmap_note": "* = ero muihin vastaajiin merkitsevä (korjattu p < {alpha}); harmaa = alle {min_cell} vastaajaa, piilotettu.",
        "excluded_title": "Poissuljetut vastaukset", "reason": "Syy", "count": "Määrä", "examples": "Esimerkkejä",
        "codebook_src": "koodikirja", "discovered_src": "uusi", "unstable": "epävakaa", "source": "Lähde",
        "empty": "tyhjä", "punctuation": "pelkkiä välimerkkejä", "placeholder": "täyte (esim. xx)", "dont_know": "en osaa sanoa",
        "no_comment": "ei kommentoitavaa", "see_above": "viittaus aiempaan", "no_suggestions": "ei kehitettävää", "no_experience": "ei kokemusta",
        "thanks": "kiitos tai tervehdys", "refusal": "ei halua vastata", "echo": "toistaa kysymyksen", "dont_know_topic": "ei tunne aihetta",
        "nothing_comes_to_mind": "ei tule mieleen", "group": "Ryhmä", "question": "Kysymys", "all_questions": "kaikki kysymykset", "no_groups": "Ryhmittelysarakkeita ei annettu.",
        "methods": "Menetelmät", "lang": "fi", "generated": "Tuotettu avovastaus-työkalulla",
        "review_title": "Arvioijien päätökset aiemmasta ajosta", "review_applied": "Ajosta {source} sovellettiin {n} päätöstä. Soveltamatta jääneet ja syyt:",
        "review_all": "Kaikki päätökset voitiin soveltaa.",
        "agreement_title": "Mallin ja arvioijien yhtäpitävyys (Cohenin kappa arvioiduissa vastauksissa):", "reviewed_title": "Arvioitu tulos", "reviewed_applied": "Tämä raportti sisältää arvioijien {n} päätöstä (arvioijat: {reviewers}); mallin oma teema on answers.csv-taulun sarakkeessa model_theme. Soveltamatta jääneet ja syyt:",
        "groups_title": "Ryhmäkohtaiset yhteenvedot", "n_respondents": "{n} vastaajaa", "top_themes": "Yleisimmät teemat",
        "over": "Useammin kuin muut vastaajat", "under": "Harvemmin kuin muut vastaajat", "words": "Tunnusomaiset sanat",
        "no_difference": "Ei merkitseviä eroja muihin vastaajiin (korjattu p < {alpha}).", "suppressed_group": "Alle {min_cell} vastaajaa: luvut piilotettu.",
        "heatmap_link": "Ryhmän nimestä pääsee sen yhteenvetoon.",
    },
    "en": {
        "title": "Themes of open answers", "summary": "Summary", "read": "Answers read", "excluded": "Excluded",
        "analysed": "Analysed", "respondents": "Respondents", "unassigned": "Without a theme", "embedder": "Embedder",
        "codebook": "Codebook", "none": "none (pure discovery)", "seed": "Seed", "themes": "Themes",
        "theme": "Theme", "share": "Share", "share_weighted": "Share (weighted)", "size": "Answers", "keywords": "Keywords", "stability": "Stability",
        "quotes": "Representative answers", "shares_chart": "Theme shares of analysed answers",
        "heatmap": "Theme shares by group (% of respondents)", "heatmap_note": "* = differs from other respondents (adjusted p < {alpha}); grey = under {min_cell} respondents, suppressed.",
        "excluded_title": "Excluded answers", "reason": "Reason", "count": "Count", "examples": "Examples",
        "codebook_src": "codebook", "discovered_src": "discovered", "unstable": "unstable", "source": "Source",
        "empty": "empty", "punctuation": "punctuation only", "placeholder": "placeholder (e.g. xx)", "dont_know": "don't know",
        "no_comment": "no comment", "see_above": "refers to an earlier answer", "no_suggestions": "nothing to improve", "no_experience": "no experience",
        "thanks": "thanks or greeting", "refusal": "does not want to answer", "echo": "repeats the question", "dont_know_topic": "does not know the topic",
        "nothing_comes_to_mind": "nothing comes to mind", "group": "Group", "question": "Question", "all_questions": "all questions", "no_groups": "No group columns were given.",
        "methods": "Methods", "lang": "en", "generated": "Generated by avovastaus",
        "review_title": "Evaluator decisions from an earlier run", "review_applied": "{n} decisions of run {source} were applied. Not applied, and why:",
        "review_all": "Every decision could be applied.",
        "agreement_title": "Agreement of the model with the evaluators (Cohen's kappa on the reviewed answers):", "reviewed_title": "Reviewed result", "reviewed_applied": "This report includes {n} evaluator decisions (evaluators: {reviewers}); the model's own theme is in the model_theme column of answers.csv. Not applied, and why:",
        "groups_title": "Summaries by respondent group", "n_respondents": "{n} respondents", "top_themes": "Most common themes",
        "over": "More often than other respondents", "under": "Less often than other respondents", "words": "Distinctive words",
        "no_difference": "No significant differences from the other respondents (adjusted p < {alpha}).", "suppressed_group": "Under {min_cell} respondents: figures suppressed.",
        "heatmap_link": "A group's name links to its summary.",
    },
}
HEADERS = {
    "fi": {
        "id": "Vastaaja", "question": "Kysymys", "text": "Vastaus", "excluded": "Poissuljettu (syy)", "theme": "Pääteema",
        "themes": "Kaikki teemat", "score": "Samankaltaisuus", "label": "Nimi", "source": "Lähde", "keywords": "Avainsanat",
        "size": "Vastauksia", "share": "Osuus", "examples": "Esimerkkivastaukset", "stability": "Pysyvyys", "group_column": "Ryhmittely",
        "group": "Ryhmä", "n_group": "Vastaajia ryhmässä", "n_theme": "Teeman maininneita", "ci_low": "{level} LV alaraja",
        "ci_high": "{level} LV yläraja", "share_rest": "Osuus muista vastaajista", "diff": "Ero (%-yks.)", "diff_low": "Eron {level} LV alaraja",
        "diff_high": "Eron {level} LV yläraja", "p_value": "p-arvo", "p_adjusted": "Korjattu p-arvo", "suppressed": "Piilotettu",
        "kind": "Rivi", "keywords_group": "Tunnusomaiset sanat", "weight": "Paino", "n_effective": "Efektiivinen n",
        "share_unweighted": "Osuus painottamatta",
    },
    "en": {},
}
SHEETS = {"fi": ("Yleiskuva", "Teemat", "Ryhmät", "Ryhmäyhteenvedot", "Vastaukset"), "en": ("Overview", "Themes", "Groups", "Group summaries", "Answers")}
PLACEHOLDERS = {"fi": ("[sähköposti]", "[puhelin]"), "en": ("[email]", "[phone]")}


# ---------------------------------------------------------------- shared view model


def fit_warning(fit: dict[str, Any] | None, codebook_name: str, lang: str = "fi") -> str | None:
    """Return the warning sentence for a run whose codebook does not fit (None when it fits or there is no codebook)."""
    if not fit or not fit.get("warning"):
        return None
    share, coded = round(100 * fit["keyword_share"]), round(100 * fit["codebook_share"])
    if lang == "fi":
        return (f"Koodikirja {codebook_name} ei näytä sopivan tähän aineistoon: vain {share} % vastauksista mainitsee jonkin sen "
                f"avainsanoista (raja {round(100 * fit['threshold'])} %), mutta {coded} % sai koodikirjan teeman. Teemat voivat olla "
                f"väkisin sovitettuja. Aja uudelleen ilman koodikirjaa (--codebook none) tai omalla koodikirjalla (--codebook oma.yaml).")
    return (f"The codebook {codebook_name} does not seem to fit these answers: only {share}% name any of its keywords "
            f"(threshold {round(100 * fit['threshold'])}%), yet {coded}% were given a codebook theme, which may be forced fits. "
            f"Run again without it (--codebook none) or with a codebook of your own (--codebook mine.yaml).")



def ui(run: Run, lang: str) -> dict[str, str]:
    """Return the report's words in ``lang`` for this run: a weighted run's shares are called weighted."""
    t = UI[lang]
    return {**t, "share": t["share_weighted"]} if run.weight else t


def headers(run: Run, lang: str, level: str) -> dict[str, str]:
    """Return the column headers of the workbooks in ``lang`` (English: the column names), a weighted run's share called weighted."""
    out = {k: v.format(level=level) for k, v in HEADERS.get(lang, {}).items()}
    if run.weight:
        out["share"] = UI[lang]["share_weighted"]
    return out


def significance(run: Run) -> tuple[float, float]:
    """Return (confidence of the intervals, significance level) the run was computed with; older runs: 0.95, 0.05."""
    m = run.manifest
    return float(m.setting("summarize", "confidence", 0.95)), float(m.setting("summarize", "alpha", 0.05))


def _quote_lookup(run: Run) -> dict[str, str]:
    several = run.several_questions
    return {example_ref(i, q, several): t for i, q, t in zip(run.answers["id"], run.answers["question"], run.answers["text"])}


def themes_view(run: Run, lang: str, mask: Callable[[str], str]) -> list[dict[str, Any]]:
    quotes = _quote_lookup(run)
    threshold = run.manifest.stability.threshold if run.manifest.stability else None
    n_quotes = run.manifest.setting("report", "n_quotes", 4)
    view = []
    wording = question_labels(run)
    order = {q: i for i, q in enumerate(run.manifest.input.text_columns)}
    themes = run.themes.assign(_q=run.themes.get("question", pd.Series("", index=run.themes.index)).map(lambda q: order.get(q, -1)))
    for row in themes.sort_values(["_q", "size", "theme"], ascending=[True, False, True]).drop(columns="_q").to_dict("records"):
        ids = [i for i in str(row.get("examples", "")).split("; ") if i][:n_quotes]
        stability = row.get("stability")
        stability = None if stability in ("", None) or pd.isna(stability) else float(stability)
        view.append({
            **row,
            "source_text": UI[lang]["codebook_src" if row["source"] == "codebook" else "discovered_src"],
            "share_text": fmt.percent(row["share"], lang),
            "stability": stability,
            "unstable": stability is not None and threshold is not None and stability < threshold,
            "quotes": [(i, mask(quotes.get(i, ""))) for i in ids],
            "question_text": wording.get(row.get("question") or "", "") if run.several_questions else "",
        })
    return view


def question_labels(run: Run) -> dict[str, str]:
    """Return each open question's wording as the reports show it: ``[questions.COL] label`` (or the file's), else the column name."""
    said = (run.manifest.model_extra or {}).get("questions") or {}
    return {q: (said.get(q) or {}).get("label") or q for q in run.manifest.input.text_columns}


def excluded_view(run: Run, lang: str, mask: Callable[[str], str]) -> list[dict[str, Any]]:
    excluded = run.answers[run.answers["excluded"] != ""]
    out = []
    for reason, rows in excluded.groupby("excluded", sort=True):
        examples = list(dict.fromkeys(t.strip() for t in rows["text"] if t.strip()))[:3]
        out.append({"reason": reason, "reason_text": UI[lang].get(reason, reason), "count": len(rows), "examples": [mask(e) for e in examples]})
    return out


def unassigned_view(run: Run, lang: str, mask: Callable[[str], str]) -> dict[str, Any] | None:
    """Return the analysed answers that fit no theme: their count, a sentence saying why, and masked examples (``[report] n_quotes`` of them)."""
    answers, n = run.answers, int(run.manifest.setting("report", "n_quotes", 4))
    rows = answers[(answers["excluded"] == "") & (answers["theme"] == "")]
    if not len(rows):
        return None
    examples = list(dict.fromkeys(t.strip() for t in rows["text"] if t.strip()))[:n]
    sentence = (f"{len(rows)} analysoitua vastausta ei sopinut mihinkään koodikirjan teemaan eikä riittävän suureen uuteen teemaan; "
                f"niitä ei pakotettu teemaan. Ne ovat answers.csv-taulussa tyhjällä teemalla. Esimerkkejä:" if lang == "fi" else
                f"{len(rows)} analysed answers fit no codebook theme and no discovered theme large enough; they were not forced into one. "
                f"They are in answers.csv with an empty theme. Examples:")
    return {"title": "Ei teemaa" if lang == "fi" else "No theme", "count": len(rows), "sentence": sentence, "examples": [mask(e) for e in examples]}


def input_notes(run: Run, lang: str) -> list[str]:
    """Return plain sentences on what was done to the input: malformed rows skipped, long answers cut, control characters replaced, the embedder's token limit."""
    fi = lang == "fi"
    m, c = run.manifest, run.manifest.counts
    notes = []
    skipped = m.input.skipped_rows
    if skipped:
        lines = ", ".join(str(r["line"]) for r in skipped[:20]) + (" …" if len(skipped) > 20 else "")
        notes.append(f"{len(skipped)} virheellistä riviä ohitettiin (--skip-bad-rows), rivit {lines}; syyt manifest.json-tiedostossa." if fi else
                     f"{len(skipped)} malformed rows were skipped (--skip-bad-rows), lines {lines}; reasons in manifest.json.")
    limit = m.input.truncated.get("max_chars")
    if c.truncated:
        notes.append(f"{c.truncated} yli {limit} merkin vastausta lyhennettiin sanan rajalta." if fi else
                     f"{c.truncated} answers longer than {limit} characters were cut at a word boundary.")
    if c.control_characters_replaced:
        notes.append(f"{c.control_characters_replaced} solussa oli ohjausmerkkejä (esim. NUL); ne korvattiin merkillä �." if fi else
                     f"{c.control_characters_replaced} cells held control characters (e.g. NUL); they were replaced by �.")
    if note := xlsx_note(run, lang):
        notes.append(note)
    min_cell = m.statistics.suppressed_below
    for column, n in pooled_small_groups(scope_rows(run.groups), min_cell).items() if not run.groups.empty else ():  # runs before pooling
        notes.append(f"Ryhmittelyn {column} {n} ryhmää, joissa on alle {min_cell} vastaajaa, jätettiin ryhmäyhteenvedoista ja lämpökartasta pois "
                     f"(luvut groups.csv-taulussa piilotettuina); sarake ei ehkä ole ryhmittely." if fi else
                     f"{n} groups of {column} with fewer than {min_cell} respondents are left out of the group summaries and the heatmap "
                     f"(suppressed rows in groups.csv); the column may not be a grouping.")
    if run.weight:
        notes.append(f"Osuudet, luottamusvälit ja testit on painotettu painomuuttujalla {run.weight}; vastaajamäärät ovat painottamattomia." if fi else
                     f"Shares, intervals and tests are weighted by {run.weight}; respondent counts are unweighted.")
    for column, n in m.statistics.pooled_groups.items():
        notes.append(f"Ryhmittelyn {column} {n} ryhmää, joissa on alle {min_cell} vastaajaa, yhdistettiin yhdeksi ryhmäksi ”{POOLED_GROUP}”; "
                     f"sarake ei ehkä ole ryhmittely (esim. postinumero, nimi tai vapaa teksti)." if fi else
                     f"{n} groups of {column} with fewer than {min_cell} respondents were pooled into one group, “{POOLED_GROUP}”; "
                     f"the column may not be a grouping (a postcode, a name or free text?).")
    tokens = m.embedder.max_tokens
    if tokens:
        notes.append(f"Upotusmalli lukee vastauksesta enintään {tokens} ensimmäistä sanaosaa (tokenia); pidemmän vastauksen loppu vaikuttaa vain avainsanoihin." if fi else
                     f"The embedder reads at most the first {tokens} tokens of an answer; the rest of a longer answer only counts toward keywords.")
    return notes


def xlsx_note(run: Run, lang: str) -> str | None:
    """Return the sentence saying summary.xlsx holds the summaries only (more answers than ``[report] xlsx_answers``), or None."""
    limit = int(run.manifest.setting("report", "xlsx_answers", 10**12))  # runs made before the key: no limit
    n = len(run.answers)
    if n <= limit:
        return None
    if lang == "fi":
        return (f"summary.xlsx sisältää vain yhteenvedot: vastauksia on {fmt.number(n, lang)}, enemmän kuin työkirjan raja "
                f"{fmt.number(limit, lang)} ([report] xlsx_answers); kaikki vastaukset teemoineen ovat tiedostossa answers.csv.")
    return (f"summary.xlsx holds the summaries only: there are {fmt.number(n, lang)} answers, more than the workbook's limit "
            f"of {fmt.number(limit, lang)} ([report] xlsx_answers); every answer with its themes is in answers.csv.")


def codebook_warning(run: Run, lang: str) -> str | None:
    """Return the warning that the run's codebook does not fit its answers (from the manifest's ``codebook_fit``), or None."""
    m = run.manifest
    return fit_warning((m.model_extra or {}).get("codebook_fit"), m.codebook.name if m.codebook else "", lang)


# ---------------------------------------------------------------- markdown


#: characters that start Markdown emphasis, code, links or table cells anywhere in a line (line-start syntax cannot occur mid-line)
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md_text(text: Any) -> str:
    """Return ``text`` safe inside a Markdown paragraph or table cell: HTML and Markdown syntax escaped, one line."""
    plain = " ".join(str(text).split())
    plain = plain.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", plain)


