"""``avovastaus effects``: theme prevalence modelled on several covariates at once, per question, written beside the run.

For each open question, the respondents with an analysed answer to it are one table: a 0/1 column per
theme of that question (its own and the shared codebook themes), the covariates, and the design weight
when the run has one. :func:`avovastaus.stats.effects.theme_effects` fits one logistic model per theme
and gives average marginal effects in percentage points; the Benjamini–Hochberg correction runs over
every theme x term of the run. Covariates are the run's group columns (answers.csv holds their labels)
or any other column of the survey file the run was made from (read again, joined on the respondent id);
a column whose values are all numbers is numeric unless named with ``categorical``. Missing values
(empty, or the group ``(puuttuu)``) leave the respondent out of that question's models (``n_missing``).
Written: ``effects.csv`` (every row, with its status and reason), ``effects.md`` and ``effects.html``
(a dot-and-whisker chart per covariate), then the run's reports again, which gain an effects section.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from avovastaus.errors import AvovastausError
from avovastaus.io.ingest import MISSING_GROUP, read_table
from avovastaus.io.rundir import EFFECTS, Run, load_run, write_csv
from avovastaus.io.staging import atomic_write
from avovastaus.report import formatting as fmt
from avovastaus.report.view import md_text, question_labels
from avovastaus.stats.effects import theme_effects

#: a theme needs this many respondents with it (and without it) in a question to be modelled
MIN_THEME = 10
COLUMNS = ["question", "label"]


def covariate_frame(run: Run, covariates: Sequence[str], data: Path | None = None, categorical: Sequence[str] = ()) -> pd.DataFrame:
    """Return one row per respondent id of the run with each covariate: numbers for numeric columns, text (NaN = missing) for the rest."""
    answers = run.answers
    ids = pd.Index(pd.unique(answers["id"].astype(str)))
    out = pd.DataFrame(index=ids)
    from_file = [c for c in covariates if c not in run.manifest.input.group_columns]
    for column in covariates:
        if column not in from_file:
            values = answers.drop_duplicates("id").set_index("id")[column].astype(str)
            out[column] = values.reindex(ids).where(lambda v: v != MISSING_GROUP)
    if from_file:
        out = out.join(_from_survey_file(run, from_file, data, ids))
    for column in covariates:
        out[column] = _typed(out[column], numeric_allowed=column not in categorical)
    return out


def _from_survey_file(run: Run, columns: list[str], data: Path | None, ids: pd.Index) -> pd.DataFrame:
    """Return ``columns`` of the survey file (``data``, else the file the run read), indexed by the run's respondent ids."""
    m = run.manifest
    path = Path(data) if data is not None else Path(m.input.path)
    if not path.is_file():
        raise AvovastausError("E330", path=path, columns=", ".join(columns), detail="the file is not there")
    frame, *_ = read_table(path, m.setting("ingest", "sheet"), bool(m.setting("ingest", "skip_bad_rows", False)), int(m.setting("ingest", "header_row", 1)))
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        detail = f"it has no column {', '.join(repr(c) for c in missing)} (columns: {', '.join(map(str, frame.columns[:30]))})"
        raise AvovastausError("E330", path=path, columns=", ".join(columns), detail=detail)
    key = frame[m.input.id_column].str.strip() if m.input.id_column else pd.Series([str(i + 1) for i in frame.index], index=frame.index)
    if key.duplicated().any() or not ids.isin(key).all():
        absent = ids[~ids.isin(key)]
        detail = f"{len(absent)} of the run's respondents are not in it (e.g. {', '.join(absent[:3])})" if len(absent) else "its ids repeat"
        raise AvovastausError("E330", path=path, columns=", ".join(columns), detail=detail)
    return frame[columns].set_index(key.to_numpy()).reindex(ids)


def _typed(values: pd.Series, numeric_allowed: bool) -> pd.Series:
    """Return a covariate as float (every present value a number, decimal comma allowed) or as text; empty is missing."""
    text = values.astype("string").str.strip().replace("", pd.NA)
    if numeric_allowed:
        numbers = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
        if text.notna().any() and numbers[text.notna()].notna().all():
            return numbers.astype(float)
    return text.astype(object).where(text.notna(), None)


def effects_table(run: Run, covariates: Sequence[str], data: Path | None = None, categorical: Sequence[str] = (),
                  references: dict[str, str] | None = None, min_theme: int = MIN_THEME) -> pd.DataFrame:
    """Return every question's theme x covariate effects (``question`` and theme ``label`` first), corrected over the whole run."""
    if not covariates:
        raise AvovastausError("E331", detail="no covariate was named")
    if run.weight and "weight" in covariates:
        raise AvovastausError("E331", detail="the design weight is not a covariate")
    people_of = covariate_frame(run, covariates, data, categorical)
    references = {k: _level(people_of[k], v) for k, v in (references or {}).items() if k in people_of}
    analysed = run.answers[run.answers["excluded"] == ""]
    labels = dict(zip(run.themes["theme"], run.themes["label"]))
    own = dict(zip(run.themes["theme"], run.themes["question"])) if "question" in run.themes else {}
    confidence = float(run.manifest.setting("summarize", "confidence", 0.95))
    tables = []
    for question, answers in analysed.groupby("question", sort=False):
        themes = [t for t in run.themes["theme"] if own.get(t, "") in ("", question)]
        if not themes:
            continue
        carried = answers.groupby("id", sort=False)["themes"].agg(lambda s: set(";".join(map(str, s)).split(";")))
        people = people_of.reindex(carried.index.astype(str))
        columns = {f"_t{i}": carried.map(lambda ts, t=t: int(t in ts)).to_numpy() for i, t in enumerate(themes)}
        people = people.assign(**columns)
        if run.weight:
            people["_w"] = answers.groupby("id", sort=False)["weight"].first().astype(float).to_numpy()
        try:
            table = theme_effects(people.reset_index(drop=True), list(columns), list(covariates), "_w" if run.weight else None, confidence, min_theme, references)
        except ValueError as exc:  # what the model cannot take, said in the user's terms
            raise AvovastausError("E331", detail=f"question {question}: {exc}") from None
        table["theme"] = table["theme"].map(dict(zip(columns, themes)))
        table.insert(0, "question", question)
        table.insert(2, "label", table["theme"].map(labels))
        tables.append(table)
    table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=COLUMNS)
    tested = table["p_value"].notna().to_numpy() if len(table) else np.zeros(0, dtype=bool)
    if tested.any():  # one family: every theme x term of every question
        from scipy import stats

        table.loc[tested, "p_adjusted"] = stats.false_discovery_control(table.loc[tested, "p_value"].to_numpy(dtype=float), method="bh")
    return table


def _level(values: pd.Series, said: str) -> Any:
    """Return the reference level as the covariate holds it (a number for a numeric column is refused)."""
    levels = {str(v): v for v in values.dropna().unique()}
    if said not in levels:
        raise AvovastausError("E331", detail=f"--reference {values.name}={said}: no respondent has that value (values: {', '.join(sorted(levels)[:12])})")
    return levels[said]


# ---------------------------------------------------------------- outputs


TEXT = {
    "fi": {"title": "Taustamuuttujien yhteys teemoihin", "question": "Kysymys", "theme": "Teema", "term": "Muuttuja", "effect": "Vaikutus",
           "none": "Yksikään taustamuuttuja ei ole merkitsevästi yhteydessä yhteenkään teemaan (korjattu p < {alpha}).",
           "sentence": "{theme}: {term} {level} (vrt. {reference}) {ame} ({level_ci} LV {ci}; korjattu {p})",
           "unit": "{term}, yhden yksikön lisäys", "skipped": "Ei arvioitu",
           "method": "Kunkin kysymyksen kullekin teemalle on sovitettu logistinen regressiomalli, jossa teeman esiintyminen vastaajan vastauksessa "
                     "selitetään kaikilla taustamuuttujilla yhtä aikaa ({covariates}); luvut ovat keskimääräisiä marginaalivaikutuksia "
                     "prosenttiyksikköinä (luokkamuuttujalla ero vertailuluokkaan, jatkuvalla muuttujalla yhden yksikön lisäys), "
                     "muiden muuttujien vaikutus vakioituna. P-arvot on korjattu Benjaminin–Hochbergin menetelmällä kaikkien teemojen ja muuttujien yli.",
           "weighted": " Mallit on painotettu painomuuttujalla {weight} (pseudo-suurimman uskottavuuden menetelmä, robustit keskivirheet).",
           "chart": "Keskimääräiset marginaalivaikutukset ({level_ci} LV); täytetty piste = merkitsevä (korjattu p < {alpha})"},
    "en": {"title": "Covariate effects on themes", "question": "Question", "theme": "Theme", "term": "Covariate", "effect": "Effect",
           "none": "No covariate is significantly associated with any theme (adjusted p < {alpha}).",
           "sentence": "{theme}: {term} {level} (vs. {reference}) {ame} ({level_ci} CI {ci}; adjusted {p})",
           "unit": "{term}, one unit more", "skipped": "Not estimated",
           "method": "For each theme of each question a logistic regression models the theme's presence in a respondent's answer on all covariates "
                     "at once ({covariates}); figures are average marginal effects in percentage points (for a category, the difference from the "
                     "reference level; for a number, one unit more), adjusted for the other covariates. P-values are adjusted with the "
                     "Benjamini–Hochberg procedure over all themes and covariates.",
           "weighted": " The models are weighted by {weight} (pseudo maximum likelihood, robust standard errors).",
           "chart": "Average marginal effects ({level_ci} CI); filled dot = significant (adjusted p < {alpha})"},
}


#: why an estimate is missing, in the report's language (effects.csv's ``reason`` says it in full, in English)
STATUS = {
    "fi": {"too_few": "liian vähän vastaajia, joilla teema on (tai ei ole)", "separation": "täydellinen erottuminen", "empty_level": "tyhjä luokka",
           "constant": "muuttuja on vakio", "collinear": "muuttujat määräävät toisensa", "no_convergence": "malli ei konvergoinut",
           "no_data": "kenelläkään ei ole kaikkia muuttujia"},
    "en": {"too_few": "too few respondents with (or without) the theme", "separation": "perfect separation", "empty_level": "empty level",
           "constant": "constant covariate", "collinear": "collinear covariates", "no_convergence": "did not converge", "no_data": "no complete respondent"},
}


def _settings(run: Run) -> tuple[float, float]:
    return float(run.manifest.setting("summarize", "confidence", 0.95)), float(run.manifest.setting("summarize", "alpha", 0.05))


def method_text(run: Run, table: pd.DataFrame, lang: str) -> str:
    """Return the methods paragraph of the effects: the model, the unit of the figures, the weights and the correction."""
    t = TEXT[lang]
    covariates = ", ".join(dict.fromkeys(table["term"])) if len(table) else ""
    return t["method"].format(covariates=covariates) + (t["weighted"].format(weight=run.weight) if run.weight else "")


def effect_sentences(run: Run, table: pd.DataFrame, lang: str, escape: Callable[[str], str] = str) -> list[str]:
    """Return one sentence per significant effect (adjusted p below the run's level), largest first; ``escape`` is applied to the names in it."""
    t = TEXT[lang]
    confidence, alpha = _settings(run)
    shown = table[table["p_adjusted"] < alpha] if len(table) else table
    out = []
    for r in shown.reindex(shown["ame"].abs().sort_values(ascending=False).index).itertuples():
        term = t["unit"].format(term=escape(r.term)) if r.kind == "numeric" else escape(r.term)
        out.append(t["sentence"].format(
            theme=f"”{escape(r.label)}”" if lang == "fi" else f"“{escape(r.label)}”", term=term, level="" if r.kind == "numeric" else f"= {escape(r.level)}",
            reference=escape(r.reference) if r.reference else "–", ame=fmt.points(r.ame / 100, lang), level_ci=fmt.level(confidence, lang),
            ci=fmt.points_range(r.ame_low / 100, r.ame_high / 100, lang), p=fmt.p_value(r.p_adjusted, lang)).replace("  ", " ").replace(" (vrt. –)", "").replace(" (vs. –)", ""))
    return out


def render_markdown(run: Run, table: pd.DataFrame, lang: str) -> str:
    """Return effects.md: the method, the significant effects as sentences, then every estimate per question."""
    t = TEXT[lang]
    confidence, alpha = _settings(run)
    wording = question_labels(run)
    lines = [f"# {t['title']}", "", md_text(method_text(run, table, lang)), ""]
    sentences = effect_sentences(run, table, lang, md_text)
    lines += [f"- {s}" for s in sentences] or [t["none"].format(alpha=fmt.number(alpha, lang))]
    for question, rows in table.groupby("question", sort=False):
        lines += ["", f"## {md_text(wording.get(question, question))}", "",
                  f"| {t['theme']} | {t['term']} | {t['effect']} | {fmt.level(confidence, lang)} {fmt.interval_name(lang)} | p (korj.) |" if lang == "fi" else
                  f"| {t['theme']} | {t['term']} | {t['effect']} | {fmt.level(confidence, lang)} {fmt.interval_name(lang)} | adjusted p |",
                  "|---|---|---:|---|---:|"]
        for r in rows.itertuples():
            term = f"{r.term} {r.level}" + (f" (vs. {r.reference})" if r.reference else "")
            if r.status != "ok":
                lines.append(f"| {md_text(r.label)} | {md_text(term)} | {t['skipped']}: {md_text(STATUS[lang].get(r.status, r.status))} ({md_text(r.reason)}) | | |")
                continue
            lines.append(f"| {md_text(r.label)} | {md_text(term)} | {fmt.points(r.ame / 100, lang)} | "
                         f"{fmt.points_range(r.ame_low / 100, r.ame_high / 100, lang)} | {fmt.p_value(r.p_adjusted, lang)} |")
    return "\n".join(lines) + "\n"


def dot_whisker(rows: pd.DataFrame, alpha: float) -> dict[str, Any]:
    """Return the geometry of one covariate level's dot-and-whisker chart: a row per theme, a dot at the effect, a line across its interval."""
    ok = rows[rows["status"] == "ok"]
    bound = float(np.nanmax(np.abs(ok[["ame_low", "ame_high"]].to_numpy()))) if len(ok) else 10.0
    bound = max(5.0, float(np.ceil(bound / 5) * 5))
    width, left, step = 360, 220, 22
    x = lambda v: left + (float(v) + bound) / (2 * bound) * width  # noqa: E731
    items = [{"label": r.label, "y": 20 + i * step, "x": x(r.ame), "x1": x(r.ame_low), "x2": x(r.ame_high), "filled": bool(r.p_adjusted < alpha),
              "text": f"{r.ame:+.1f}"} for i, r in enumerate(ok.itertuples())]
    return {"items": items, "zero": x(0), "left": left, "width": width, "height": 30 + len(items) * step, "bound": bound,
            "ticks": [{"x": x(v), "text": f"{v:+g}" if v else "0"} for v in (-bound, -bound / 2, 0, bound / 2, bound)]}


def render_html(run: Run, table: pd.DataFrame, lang: str) -> str:
    """Return effects.html: self-contained (inline CSS and SVG, no scripts), every text escaped; a chart per question and covariate level."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("avovastaus.report", "templates"), autoescape=select_autoescape(default=True, default_for_string=True))
    t = TEXT[lang]
    confidence, alpha = _settings(run)
    wording = question_labels(run)
    charts = []
    for (question, term, level), rows in table.groupby(["question", "term", "level"], sort=False):
        reference = rows["reference"].iloc[0]
        title = t["unit"].format(term=term) if rows["kind"].iloc[0] == "numeric" else f"{term} = {level}" + (f" (vs. {reference})" if reference else "")
        charts.append({"question": wording.get(question, question), "title": title, "chart": dot_whisker(rows, alpha)})
    return env.get_template("effects.html.j2").render(
        t=t, lang=lang, method=method_text(run, table, lang), sentences=effect_sentences(run, table, lang), charts=charts,
        none=t["none"].format(alpha=fmt.number(alpha, lang)), chart_note=t["chart"].format(level_ci=fmt.level(confidence, lang), alpha=fmt.number(alpha, lang)))


def effects_section(run: Run, lang: str, mask: Callable[[str], str], escape: Callable[[str], str] = str) -> dict[str, Any] | None:
    """Return the reports' effects section (title, method, the significant effects as sentences, where the rest are), or None before `effects` ran."""
    table = run.effects
    if table is None or not len(table) or "p_adjusted" not in table:
        return None
    t = TEXT[lang if lang in TEXT else "fi"]
    _, alpha = _settings(run)
    table = table.assign(label=table["label"].map(mask))
    more = "Kaikki arviot ja kuviot: effects.md, effects.html." if lang == "fi" else "Every estimate, with charts: effects.md, effects.html."
    return {"title": t["title"], "method": method_text(run, table, lang), "sentences": effect_sentences(run, table, lang, escape) or [t["none"].format(alpha=fmt.number(alpha, lang))],
            "more": more}


def write_effects(run_dir: Path, covariates: Sequence[str], data: Path | None = None, categorical: Sequence[str] = (),
                  references: dict[str, str] | None = None, lang: str | None = None) -> list[Path]:
    """Compute the effects of a run directory and write effects.csv, effects.md and effects.html into it (each staged); returns their paths.

    The run's reports are then written again by the caller (they gain an effects section).
    """
    run = load_run(Path(run_dir))
    table = effects_table(run, covariates, data, categorical, references)
    lang = lang or run.manifest.setting("report", "lang", "fi")
    lang = lang if lang in TEXT else "fi"
    outputs = {
        EFFECTS: lambda p: write_csv(table, p, escape=run.manifest.csv_formula_escape),
        "effects.md": lambda p: p.write_text(render_markdown(run, table, lang), encoding="utf-8"),
        "effects.html": lambda p: p.write_text(render_html(run, table, lang), encoding="utf-8"),
    }
    for name, write in outputs.items():
        atomic_write(run.path / name, write)
    return [run.path / name for name in outputs]
