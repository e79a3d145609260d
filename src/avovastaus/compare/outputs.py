"""The outputs of ``avovastaus compare``: compare.csv, compare.md, compare.html (a dumbbell chart per theme) and compare.xlsx.

Nothing is computed here: the table comes from :func:`avovastaus.compare.compare_runs`. Labels and
group names are untrusted text: the HTML template autoescapes them, Markdown escapes them.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from avovastaus.io.rundir import Run, is_run, write_csv
from avovastaus.io.staging import Output
from avovastaus.report import formatting as fmt
from avovastaus.report.view import md_text

MARKER = "compare.json"
NAMES = ("compare.csv", "compare.md", "compare.html", "compare.xlsx", MARKER)

TEXT = {
    "fi": {
        "title": "Kyselykierrosten vertailu", "old": "Aiempi", "new": "Uusi", "theme": "Teema", "basis": "Peruste", "change": "Muutos",
        "overall": "Kaikki vastaajat", "changed": "Merkitsevät muutokset", "none_changed": "Yksikään teema ei muuttunut merkitsevästi (korjattu p < {alpha}).",
        "appeared": "Uudet teemat (vain uudella kierroksella)", "vanished": "Poistuneet teemat (vain aiemmalla kierroksella)", "all": "Kaikki teemat",
        "groups": "Ryhmittäin", "respondents": "vastaajaa", "suppressed": "alle {min_cell}",
        "codebook": "koodikirja", "review": "arvioijien päätökset", "similarity": "vastausten samankaltaisuus {s}", "similarity_keywords": "avainsanojen samankaltaisuus {s}",
        "coverage": "Koodikirjan ulkopuolelle jäi {new} uuden kierroksen analysoiduista vastauksista ja {old} aiemman; muutos {diff} ({level} LV {ci}; {p}).",
        "coverage_changed": "Koodikirjan kattavuus muuttui merkitsevästi: uudella kierroksella on aiheita, joita koodikirjassa ei ole (katso uudet teemat).",
        "sentence": "Teema ”{label}”: {old} → {new}, muutos {diff} ({level} LV {ci}; korjattu {p}).",
        "note": "Osuudet lasketaan vastaajista: vastaaja lasketaan teemaan kerran, mainitsipa hän sen yhdessä tai useammassa vastauksessaan. "
                "Vastauksella voi olla useita teemoja, joten osuudet eivät summaudu 100 prosenttiin. Muutoksen väli on Newcomben hybridiväli; "
                "{test}, korjattu monivertailun vuoksi kaikkien teemojen yli (ja erikseen kunkin ryhmittelyn ryhmien yli). "
                "Solut, joissa teeman mainitsijoita on alle {min_cell}, on piilotettu.",
        "test": "testi on khiin neliö -testi (tai Fisherin tarkka testi)", "test_weighted": "testi on Waldin testi linearisoiduin varianssein",
        "weighted": "Osuudet on painotettu kummankin kierroksen painomuuttujalla ({old} / {new}); luottamusvälit on laskettu Kishin efektiivisellä otoskoolla; "
                    "vastaajamäärät ovat painottamattomia.",
        "unweighted": "Vain toisella kierroksella on painomuuttuja, joten vertailu on painottamaton.",
        "chart": "Teemojen osuudet vastaajista: aiempi (harmaa) ja uusi (sininen) kierros; * = merkitsevä muutos",
        "warning": "Kierrokset eivät ole vertailukelpoisia: {detail}. Koodikirjan teemojen osuuksien muutokset voivat johtua koodikirjasta eivätkä vastauksista.",
    },
    "en": {
        "title": "Comparison of survey waves", "old": "Earlier", "new": "New", "theme": "Theme", "basis": "Basis", "change": "Change",
        "overall": "All respondents", "changed": "Significant changes", "none_changed": "No theme changed significantly (adjusted p < {alpha}).",
        "appeared": "New themes (only in the new wave)", "vanished": "Vanished themes (only in the earlier wave)", "all": "All themes",
        "groups": "By group", "respondents": "respondents", "suppressed": "under {min_cell}",
        "codebook": "codebook", "review": "evaluator decisions", "similarity": "answer similarity {s}", "similarity_keywords": "keyword similarity {s}",
        "coverage": "Outside the codebook: {new} of the new wave's analysed answers and {old} of the earlier wave's; change {diff} ({level} CI {ci}; {p}).",
        "coverage_changed": "The codebook's coverage changed significantly: the new wave has topics the codebook lacks (see the new themes).",
        "sentence": "Theme “{label}”: {old} → {new}, change {diff} ({level} CI {ci}; adjusted {p}).",
        "note": "Shares count respondents: a respondent counts once for a theme, whether they raised it in one answer or several. "
                "An answer can carry several themes, so shares need not add up to 100%. The interval of a change is Newcombe's hybrid score interval; "
                "{test}, adjusted for multiple comparisons over all themes (and separately over the groups of each group column). "
                "Cells with fewer than {min_cell} respondents raising a theme are suppressed.",
        "test": "the test is Pearson's chi-square (or Fisher's exact test)", "test_weighted": "the test is a Wald test with linearised variances",
        "weighted": "Shares are weighted by each wave's design weight ({old} / {new}); intervals are taken at Kish's effective sample size; "
                    "respondent counts are unweighted.",
        "unweighted": "Only one wave has a design weight, so the comparison is unweighted.",
        "chart": "Theme shares of respondents: earlier (grey) and new (blue) wave; * = significant change",
        "warning": "The waves are not like for like: {detail}. Changes in codebook themes' shares may come from the codebooks, not from the answers.",
    },
}


def method_note(t: dict[str, str], old: Run, new: Run, min_cell: int) -> str:
    """Return the method note: how shares are counted and tested, and whether (and by what) they are weighted."""
    weighted = bool(old.weight and new.weight)
    note = t["note"].format(min_cell=min_cell, test=t["test_weighted" if weighted else "test"])
    if weighted:
        note += " " + t["weighted"].format(old=old.weight, new=new.weight)
    elif old.weight or new.weight:
        note += " " + t["unweighted"]
    return note


def coverage_lines(coverage: dict[str, float] | None, lang: str, confidence: float, alpha: float) -> list[str]:
    """Return the sentence on each wave's codebook coverage (and, when it changed at the significance level, what that means)."""
    if coverage is None:
        return []
    t = TEXT[lang]
    p = coverage["p_value"]
    lines = [t["coverage"].format(new=fmt.percent(coverage["outside_new"], lang, 1), old=fmt.percent(coverage["outside_old"], lang, 1),
                                  diff=fmt.points(coverage["diff"], lang, 1), level=fmt.level(confidence, lang),
                                  ci=fmt.points_range(coverage["diff_low"], coverage["diff_high"], lang, 1), p=fmt.p_value(p, lang))]
    if p < alpha and coverage["diff"] > 0:
        lines.append(t["coverage_changed"])
    return lines


def _settings(new: Run) -> tuple[float, float, int]:
    m = new.manifest
    return float(m.setting("summarize", "confidence", 0.95)), float(m.setting("summarize", "alpha", 0.05)), m.statistics.suppressed_below


def basis_text(row: Any, lang: str) -> str:
    """Return why two themes were paired, in words: ``koodikirja``, ``arvioijien päätökset``, ``vastausten samankaltaisuus 0,62``."""
    t = TEXT[lang]
    if row["basis"] == "similarity":
        return t["similarity_keywords" if row.get("evidence") == "keywords" else "similarity"].format(s=fmt.number(row["similarity"], lang, 2))
    return t.get(row["basis"], row["basis"])


def change_sentence(row: Any, lang: str, confidence: float) -> str:
    """Return one sentence on a theme's change between the waves."""
    return TEXT[lang]["sentence"].format(
        label=row["label"], old=fmt.percent(row["share_old"], lang), new=fmt.percent(row["share_new"], lang), diff=fmt.points(row["diff"], lang),
        level=fmt.level(confidence, lang), ci=fmt.points_range(row["diff_low"], row["diff_high"], lang), p=fmt.p_value(row["p_adjusted"], lang),
    )


def _significant(rows: pd.DataFrame, alpha: float) -> pd.DataFrame:
    return rows[(rows["p_adjusted"] < alpha)].sort_values(["p_adjusted", "label"])


def render_markdown(table: pd.DataFrame, old: Run, new: Run, lang: str, warning: str | None = None, coverage: dict[str, float] | None = None) -> str:
    """Return compare.md: the significant changes in sentences, then every theme's shares, then the same per group."""
    t = TEXT[lang]
    confidence, alpha, min_cell = _settings(new)
    overall = table[table["group_column"] == ""]
    n_old, n_new = (int(overall[c].iloc[0]) if len(overall) else 0 for c in ("n_old", "n_new"))
    lines = [f"# {t['title']}", "", *([f"**⚠ {md_text(t['warning'].format(detail=warning))}**", ""] if warning else []), f"{t['old']}: `{md_text(old.path.name)}` ({n_old} {t['respondents']}); {t['new']}: `{md_text(new.path.name)}` ({n_new} {t['respondents']}).",
             "", md_text(method_note(t, old, new, min_cell)), "", *[f"{line}\n" for line in coverage_lines(coverage, lang, confidence, alpha)],
             f"## {t['changed']}", ""]
    significant = _significant(overall, alpha)
    lines += [f"- {change_sentence({**r, 'label': md_text(r['label'])}, lang, confidence)}" for _, r in significant.iterrows()] or [t["none_changed"].format(alpha=fmt.number(alpha, lang))]
    lines += ["", f"## {t['all']}", "", f"| {t['theme']} | {t['basis']} | {t['old']} | {t['new']} | {t['change']} | p |", "|---|---|---:|---:|---:|---:|"]
    for _, r in overall.iterrows():
        lines.append(f"| {md_text(r['label'])} | {md_text(basis_text(r, lang))} | {_share(r, 'old', lang, min_cell)} | {_share(r, 'new', lang, min_cell)} | "
                     f"{fmt.points(r['diff'], lang)} | {fmt.p_value(r['p_adjusted'], lang) if pd.notna(r['p_adjusted']) else fmt.DASH} |")
    for status in ("appeared", "vanished"):
        rows = overall[overall["status"] == status]
        if len(rows):
            lines += ["", f"## {t[status]}", ""] + [f"- {md_text(r['label'])}: {_share(r, 'new' if status == 'appeared' else 'old', lang, min_cell)}" for _, r in rows.iterrows()]
    groups = table[table["group_column"] != ""]
    if len(groups):
        lines += ["", f"## {t['groups']}", ""]
        for (column, group), rows in groups.groupby(["group_column", "group"], sort=False):
            found = _significant(rows, alpha)
            lines += [f"### {md_text(group)} ({md_text(column)})", ""]
            lines += [f"- {change_sentence({**r, 'label': md_text(r['label'])}, lang, confidence)}" for _, r in found.iterrows()] or [t["none_changed"].format(alpha=fmt.number(alpha, lang))]
            lines.append("")
    return "\n".join(lines) + "\n"


def _share(row: Any, wave: str, lang: str, min_cell: int) -> str:
    """Return a wave's share with its interval; a dash where the theme did not exist, ``alle 5`` where the cell is suppressed."""
    if (wave == "old" and row["status"] == "appeared") or (wave == "new" and row["status"] == "vanished"):
        return fmt.DASH
    if pd.isna(row[f"share_{wave}"]):
        return TEXT[lang]["suppressed"].format(min_cell=min_cell)
    return f"{fmt.percent(row[f'share_{wave}'], lang)} ({fmt.percent_range(row[f'ci_low_{wave}'], row[f'ci_high_{wave}'], lang)})"


def dumbbell(rows: pd.DataFrame, alpha: float, lang: str) -> dict[str, Any]:
    """Return the dumbbell chart of one set of rows: per theme a line from the earlier share to the new one."""
    left, width, row_h = 310, 420, 26
    values = pd.concat([rows["share_old"], rows["share_new"]]).dropna()
    top = max(math.ceil((float(values.max()) if len(values) else 0.0) * 10) / 10, 0.1)  # a round axis: 10 %, 20 %, ...
    scale = lambda v: None if pd.isna(v) else round(left + width * float(v) / top, 1)  # noqa: E731
    items = []
    for i, (_, r) in enumerate(rows.iterrows()):
        significant = pd.notna(r["p_adjusted"]) and float(r["p_adjusted"]) < alpha
        items.append({
            "y": 20 + i * row_h, "label": r["label"] + (" *" if significant else ""), "significant": significant,
            "x_old": scale(r["share_old"]), "x_new": scale(r["share_new"]),
            "title": f"{r['label']}: {fmt.percent(r['share_old'], lang)} → {fmt.percent(r['share_new'], lang)}",
        })
    step = 0.1 if top <= 0.5 else 0.2
    ticks = [{"x": scale(k * step), "text": fmt.percent(k * step, lang)} for k in range(int(round(top / step)) + 1)]
    return {"items": items, "ticks": ticks, "left": left, "width": width + left + 60, "height": 40 + len(items) * row_h}


def render_html(table: pd.DataFrame, old: Run, new: Run, lang: str, warning: str | None = None, coverage: dict[str, float] | None = None) -> str:
    """Return compare.html: self-contained (inline CSS and SVG, no scripts), every text escaped."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("avovastaus.compare", "templates"), autoescape=select_autoescape(default=True, default_for_string=True))
    t = TEXT[lang]
    confidence, alpha, min_cell = _settings(new)
    overall = table[table["group_column"] == ""]
    sections = [{"id": "overall", "title": t["overall"], "chart": dumbbell(overall, alpha, lang), "rows": _rows(overall, lang, min_cell, confidence, alpha)}]
    for i, ((column, group), rows) in enumerate(table[table["group_column"] != ""].groupby(["group_column", "group"], sort=False)):
        sections.append({"id": f"group-{i + 1}", "title": f"{group} ({column})", "chart": dumbbell(rows, alpha, lang), "rows": _rows(rows, lang, min_cell, confidence, alpha)})
    return env.get_template("compare.html.j2").render(
        t=t, lang=lang, old=old.path.name, new=new.path.name, note=method_note(t, old, new, min_cell), sections=sections, coverage=coverage_lines(coverage, lang, confidence, alpha),
        warning=t["warning"].format(detail=warning) if warning else None,
        significant=[change_sentence(r, lang, confidence) for _, r in _significant(overall, alpha).iterrows()],
        none_changed=t["none_changed"].format(alpha=fmt.number(alpha, lang)),
    )


def _rows(rows: pd.DataFrame, lang: str, min_cell: int, confidence: float, alpha: float) -> list[dict[str, str]]:
    return [{"label": r["label"], "basis": basis_text(r, lang), "old": _share(r, "old", lang, min_cell), "new": _share(r, "new", lang, min_cell),
             "diff": fmt.points(r["diff"], lang), "ci": fmt.points_range(r["diff_low"], r["diff_high"], lang),
             "p": fmt.p_value(r["p_adjusted"], lang) if pd.notna(r["p_adjusted"]) else fmt.DASH,
             "significant": pd.notna(r["p_adjusted"]) and float(r["p_adjusted"]) < alpha} for _, r in rows.iterrows()]


def write_xlsx(path: Path, table: pd.DataFrame, lang: str) -> None:
    """Write compare.xlsx: the comparison table as one sheet (percentages formatted, text never a formula)."""
    from openpyxl import Workbook

    from avovastaus.report.sheets import table_sheet

    book = Workbook()
    book.remove(book.active)
    table_sheet(book, "Vertailu" if lang == "fi" else "Comparison", table, {}, lang)
    book.save(path)


def write_outputs(folder: Path, table: pd.DataFrame, old: Run, new: Run, lang: str, warning: str | None = None,
                  coverage: dict[str, float] | None = None) -> list[str]:
    """Write the outputs into ``folder`` (``warning``, when the comparison is allowed but not like for like, first in each); returns their names."""
    write_csv(table, folder / "compare.csv", escape=new.manifest.csv_formula_escape)
    (folder / "compare.md").write_text(render_markdown(table, old, new, lang, warning, coverage), encoding="utf-8")
    (folder / "compare.html").write_text(render_html(table, old, new, lang, warning, coverage), encoding="utf-8")
    write_xlsx(folder / "compare.xlsx", table, lang)
    marker = {"command": "compare", "format_version": 1, "old": str(old.path), "new": str(new.path), "warning": warning, "codebook_coverage": coverage}
    (folder / MARKER).write_text(json.dumps(marker, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return list(NAMES)


def is_compare_output(folder: Path) -> bool:
    """Return whether ``folder`` is an earlier output of ``compare`` (its marker file says so) and holds no run or journal."""
    try:
        marker = json.loads((Path(folder) / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return False
    return isinstance(marker, dict) and marker.get("command") == "compare" and not is_run(folder) and not (Path(folder) / "review.sqlite").exists()


#: what ``compare`` writes into its folder: it replaces only an earlier comparison, and only these files
COMPARE_OUTPUT = Output("compare", frozenset({*NAMES}), is_compare_output, needs_force=False,
                        fix="Choose a new or empty folder with --out, or leave it out to write NEW_RUN/compare/.")
