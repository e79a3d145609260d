"""``report.md``: a short plain-language summary in Finnish (or English), read from the view model."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Callable

from avovastaus.io.rundir import Run
from avovastaus.report import formatting as fmt
from avovastaus.report.effects import effects_section
from avovastaus.report.groups import difference_sentence, methods_text, respondents_phrase, scope_sentence, several_themes_note, share_phrase, summaries
from avovastaus.report.redact import redact
from avovastaus.report.review_section import agreement_lines, review_lines
from avovastaus.report.view import codebook_warning, input_notes, md_text, significance, themes_view, ui, unassigned_view


def render_markdown(run: Run, lang: str = "fi", mask: Callable[[str], str] = redact) -> str:
    """Return report.md: a short plain-language summary (labels, keywords, group names and quotes escaped by :func:`md_text`)."""
    t = ui(run, lang)
    m, c = run.manifest, run.manifest.counts
    reasons = ", ".join(f"{t.get(k, k)} {v}" for k, v in c.excluded_by_reason.items()) or "–"
    themes = themes_view(run, lang, mask)
    fi = lang == "fi"
    unassigned = fmt.percent(c.unassigned_share, lang, 1)
    lines = [
        f"# {t['title']}", "",
        (f"Aineisto `{Path(m.input.path).name}`: {c.read} vastausta {c.respondents} vastaajalta. "
         f"Analysoitiin {c.analysed} vastausta; {c.excluded} jätettiin pois ({reasons}).") if fi else
        (f"Input `{Path(m.input.path).name}`: {c.read} answers from {c.respondents} respondents. "
         f"{c.analysed} analysed; {c.excluded} excluded ({reasons})."),
        (f"Teemoja {m.themes.total}: koodikirjasta {m.themes.codebook}, uusia {m.themes.discovered}. "
         f"Ilman teemaa jäi {c.unassigned} vastausta ({unassigned}); {c.multi_theme_answers} vastauksessa on useampi teema.") if fi else
        (f"{m.themes.total} themes: {m.themes.codebook} from the codebook, {m.themes.discovered} discovered. "
         f"{c.unassigned} answers have no theme ({unassigned}); {c.multi_theme_answers} carry several themes."),
        *input_notes(run, lang),
        *([f"**⚠ {md_text(codebook_warning(run, lang))}**"] if codebook_warning(run, lang) else []),
        "", f"## {t['themes']}", "",
        several_themes_note(lang), "",
        f"| {t['theme']} | {t['source']} | {t['size']} | {t['share']} | {t['keywords']} |", "|---|---|---:|---:|---|",
    ]
    for row in themes:
        flag = f" ⚠ {t['unstable']}" if row["unstable"] else ""
        lines.append(f"| {md_text(mask(row['label']))} (`{row['theme']}`){flag} | {row['source_text']} | {row['size']} | {row['share_text']} | {md_text(row['keywords'])} |")
    loose = unassigned_view(run, lang, mask)
    if loose:
        lines += ["", f"## {loose['title']}", "", loose["sentence"], ""] + [f"> {md_text(e)}" for e in loose["examples"]]
    lines += ["", f"## {t['groups_title']}", ""]
    lines += _markdown_groups(run, lang, mask, {r["theme"]: r["label"] for r in themes})
    labels = {r["theme"]: md_text(mask(r["label"])) for r in themes}
    stability = m.stability
    if stability:
        flagged = ", ".join(f"{labels.get(x, x)} (`{x}`)" for x in stability.flagged) or "–"
        sample, mean, threshold = fmt.percent(stability.sample, lang), fmt.number(stability.mean, lang), fmt.number(stability.threshold, lang)
        lines += ["", f"## {t['stability']}", "",
                  (f"Ryhmittely toistettiin {stability.runs} kertaa {sample}:n otoksilla; keskimääräinen pysyvyys {mean} (1 = sama teema joka kerta). "
                   f"Epävakaat teemat (< {threshold}), tulkitse varoen: {flagged}.") if fi else
                  (f"Clustering was repeated {stability.runs} times on {sample} samples; mean stability {mean} (1 = the same theme every time). "
                   f"Unstable themes (< {threshold}), read with care: {flagged}.")]
    review = m.review
    if review:
        section = review_lines(run, lang)
        assert section is not None  # there is a review
        lines += ["", f"## {section.title}", "", md_text(section.sentence)]
        lines += [f"- #{x['seq']} {x['kind']} ({md_text(x.get('reviewer', ''))}): {md_text(x['reason'])}" for x in review.not_applied] or [t["review_all"]]
        if section.changes:
            lines += ["", section.changes_title, ""] + [f"- {md_text(line)}" for line in section.changes]
        if section.note:
            lines += ["", md_text(section.note)]
        agreeing = agreement_lines(run, lang)
        if agreeing:
            lines += ["", t["agreement_title"], ""] + [f"- {md_text(line)}" for line in agreeing]
    effects = effects_section(run, lang, mask, md_text)  # the names in its sentences escaped, its own "p < 0,05" kept as it reads
    if effects:
        lines += ["", f"## {effects['title']}", "", md_text(effects["method"]), ""] + [f"- {x}" for x in effects["sentences"]] + ["", effects["more"]]
    lines += ["", f"## {t['methods']}", "", " ".join(methods_text(run, lang)), ""]
    return "\n".join(lines)


def _markdown_groups(run: Run, lang: str, mask: Callable[[str], str], labels: dict[str, str]) -> list[str]:
    """Return the group summaries as Markdown: a heading per group, its common themes, its significant differences with quotes, its words."""
    t = ui(run, lang)
    confidence, alpha = significance(run)
    groups = summaries(run, labels, alpha, mask)
    if not groups:
        return [t["no_groups"]]
    lines = [scope_sentence(run, lang)]
    for s in groups:
        lines += ["", f"### {md_text(s.group)} ({md_text(s.column)}), {respondents_phrase(s, lang)}", ""]
        if s.suppressed:
            lines.append(t["suppressed_group"].format(min_cell=run.manifest.statistics.suppressed_below))
            continue
        top = "; ".join(f"{md_text(x.label)} {share_phrase(x, lang, confidence)}" for x in s.top) or "–"
        lines.append(f"{t['top_themes']}: {top}.")
        if not (s.over or s.under):
            lines += ["", t["no_difference"].format(alpha=fmt.number(alpha, lang))]
        safe = dataclasses.replace(s, group=md_text(s.group))  # the names escaped, the sentence's own "p < 0,001" kept as it reads
        for line in s.over + s.under:
            lines += ["", f"- {difference_sentence(safe, dataclasses.replace(line, label=md_text(line.label)), lang, confidence)}"]
            lines += [f"  > {md_text(text)} ({md_text(ref)})" for ref, text in line.quotes]
        if s.words:
            lines += ["", f"{t['words']}: {md_text(s.words)}."]
    return lines
