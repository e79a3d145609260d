"""Human-readable outputs from the result tables: ``summary.xlsx`` and ``report.md``. No computation here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

HEADERS_FI = {
    "id": "Vastaaja", "question": "Kysymys", "text": "Vastaus", "excluded": "Poissuljettu (syy)", "theme": "Pääteema",
    "themes": "Kaikki teemat", "score": "Samankaltaisuus", "label": "Nimi", "source": "Lähde", "keywords": "Avainsanat",
    "size": "Vastauksia", "share": "Osuus", "examples": "Esimerkkivastaukset", "group_column": "Ryhmittely", "group": "Ryhmä",
    "n_group": "Vastauksia ryhmässä", "n_theme": "Teeman vastauksia", "ci_low": "95 % LV alaraja", "ci_high": "95 % LV yläraja",
    "p_value": "p-arvo", "p_adjusted": "Korjattu p-arvo", "suppressed": "Piilotettu (< 5)",
}
PERCENT_COLUMNS = {"share", "ci_low", "ci_high"}


def write_summary_xlsx(path: Path, answers: pd.DataFrame, themes: pd.DataFrame, groups: pd.DataFrame) -> None:
    """Write the three tables as sheets with readable headers, frozen header rows and fitted column widths."""
    from openpyxl.utils import get_column_letter

    sheets = {"Teemat": themes, "Ryhmät": groups, "Vastaukset": answers}
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            shown = frame.rename(columns=lambda c: HEADERS_FI.get(c, c))
            shown.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.freeze_panes = "A2"
            for j, column in enumerate(frame.columns, start=1):
                letter = get_column_letter(j)
                values = frame[column].astype(str).str.len()
                width = max(len(str(shown.columns[j - 1])), int(values.quantile(0.9)) if len(values) else 0)
                sheet.column_dimensions[letter].width = min(max(width + 2, 8), 80)
                if column in PERCENT_COLUMNS:
                    for cell in sheet[letter][1:]:
                        cell.number_format = "0.0%"


def _pct(value: Any) -> str:
    return "–" if pd.isna(value) else f"{float(value) * 100:.0f} %"


def write_report_md(path: Path, manifest: dict, themes: pd.DataFrame, groups: pd.DataFrame) -> None:
    """Write a short plain-language Finnish summary of the run."""
    c = manifest["counts"]
    reasons = ", ".join(f"{k} {v}" for k, v in c["excluded_by_reason"].items()) or "ei yhtään"
    lines = [
        "# Avovastausten teemat",
        "",
        f"Aineisto: `{Path(manifest['input']['path']).name}` — {c['read']} vastausta {c['respondents']} vastaajalta.",
        f"Analysoitiin {c['analysed']} vastausta; {c['excluded']} jätettiin pois ({reasons}).",
        f"Teemoja löytyi {manifest['themes']['total']}: koodikirjasta {manifest['themes']['codebook']}, uusia {manifest['themes']['discovered']}. "
        f"Ilman teemaa jäi {c['unassigned']} vastausta ({c['unassigned_share']:.1%}); {c['multi_theme_answers']} vastauksessa on useampi teema.",
        "",
        "## Teemat suuruusjärjestyksessä",
        "",
        "| Teema | Lähde | Vastauksia | Osuus | Avainsanat |",
        "|---|---|---:|---:|---|",
    ]
    for row in themes.sort_values(["size", "theme"], ascending=[False, True]).itertuples():
        source = "koodikirja" if row.source == "codebook" else "uusi"
        lines.append(f"| {row.label} (`{row.theme}`) | {source} | {row.size} | {_pct(row.share)} | {row.keywords} |")
    stability = manifest.get("stability")
    if stability:
        labels = dict(zip(themes["theme"], themes["label"]))
        lines += ["", "## Teemojen pysyvyys", "",
                  f"Ryhmittely toistettiin {stability['runs']} kertaa {stability['sample']:.0%}:n otoksilla; teemojen keskimääräinen pysyvyys {stability['mean']} (1 = sama teema joka kerta)."]
        if stability["flagged"]:
            lines.append(f"Epävakaat teemat (pysyvyys < {stability['threshold']}), tulkitse varoen: " + ", ".join(f"{labels.get(t, t)} (`{t}`)" for t in stability["flagged"]) + ".")
        else:
            lines.append("Kaikki teemat olivat vakaita.")
    significant = groups[(~groups["suppressed"]) & (groups["p_adjusted"] < 0.05)]
    lines += ["", "## Ryhmäerot", ""]
    if significant.empty:
        lines.append("Mikään teema ei eronnut ryhmien välillä tilastollisesti merkitsevästi (korjattu p < 0,05).")
    else:
        labels = dict(zip(themes["theme"], themes["label"]))
        for row in significant.sort_values(["p_adjusted", "group_column", "group", "theme"]).itertuples():
            lines.append(
                f"- **{row.group}** ({row.group_column}): {labels.get(row.theme, row.theme)} {_pct(row.share)} "
                f"(95 % LV {_pct(row.ci_low)}–{_pct(row.ci_high)}), korjattu p = {row.p_adjusted:.3g}"
            )
    lines += [
        "",
        f"Luottamusvälit: {manifest['statistics']['interval']}. Testit: {manifest['statistics']['test']}. "
        f"Monivertailukorjaus: {manifest['statistics']['multiple_testing']}. Alle {manifest['statistics']['suppressed_below']} vastauksen solut on piilotettu.",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
