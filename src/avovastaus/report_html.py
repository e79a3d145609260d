"""``report.html``: one self-contained page (inline CSS and SVG, no scripts, no external resources).

The template autoescapes every value; answer text, labels and group names are never markup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pandas as pd

from . import formatting as fmt
from .redact import redact
from .report_groups import (
    GroupSummary, difference_sentence, group_pairs, methods_text, scope_rows, several_themes_note, share_phrase, summaries,
)
from .rundir import Run


def _bar_chart(themes: list[dict[str, Any]]) -> dict[str, Any]:
    rows = [{"label": t["label"], "share": float(t["share"]), "text": t["share_text"]} for t in themes]
    top = max([r["share"] for r in rows] + [0.01])
    bar_h, gap, left, width = 22, 6, 260, 420
    for i, r in enumerate(rows):
        r["y"] = i * (bar_h + gap)
        r["w"] = round(width * r["share"] / top, 1)
    return {"rows": rows, "bar_h": bar_h, "left": left, "width": width, "height": len(rows) * (bar_h + gap) + 10}


def _heatmap(run: Run, themes: list[dict[str, Any]], alpha: float, lang: str) -> dict[str, Any] | None:
    """Return the group x theme heatmap of the summaries' scope; each row label links to its group summary."""
    groups = scope_rows(run.groups)
    if groups.empty:
        return None
    order = [t["theme"] for t in themes]
    labels = {t["theme"]: t["label"] for t in themes}
    pairs = group_pairs(groups)
    min_cell = run.manifest.statistics.suppressed_below
    cell, left, top = 46, 230, 150
    cells = []
    for r, (column, group) in enumerate(pairs):
        sub = groups[(groups["group_column"] == column) & (groups["group"] == group)].set_index("theme")
        for c, theme in enumerate(order):
            if theme not in sub.index:
                continue
            row = sub.loc[theme]
            suppressed = bool(row["suppressed"])
            share = None if suppressed or pd.isna(row["share"]) else float(row["share"])
            significant = (not suppressed) and not pd.isna(row["p_adjusted"]) and float(row["p_adjusted"]) < alpha
            cells.append({
                "x": left + c * cell, "y": top + r * cell, "suppressed": suppressed, "significant": significant,
                "fill": "#d9d9d9" if share is None else _blue(share),
                "text": f"<{min_cell}" if suppressed else f"{share * 100:.0f}{'*' if significant else ''}",
                "dark": share is not None and share > 0.35,
                "title": f"{group} / {labels.get(theme, theme)}: " + (f"<{min_cell}" if suppressed else fmt.percent(share, lang)),
            })
    return {
        "cells": cells, "cell": cell, "left": left, "top": top,
        "rows": [{"y": top + r * cell + cell / 2, "text": f"{g} ({col})", "href": f"#group-{r + 1}"} for r, (col, g) in enumerate(pairs)],
        "cols": [{"x": left + c * cell + cell / 2, "text": labels.get(t, t)[:28]} for c, t in enumerate(order)],
        "width": left + len(order) * cell + 170, "height": top + len(pairs) * cell + 10,  # room for the slanted labels
    }


def _blue(share: float) -> str:
    """Return a white-to-blue colour for a share in [0, 1] (saturating at 60 %)."""
    t = min(max(share / 0.6, 0.0), 1.0)
    r, g, b = (round(255 + (x - 255) * t) for x in (8, 69, 148))
    return f"#{r:02x}{g:02x}{b:02x}"


def _group_view(s: GroupSummary, lang: str, confidence: float) -> dict[str, Any]:
    """Return a group summary with its numbers formatted for the page."""
    return {
        "anchor": s.anchor, "column": s.column, "group": s.group, "n": s.n, "suppressed": s.suppressed, "words": s.words,
        "top": [{"label": t.label, "text": share_phrase(t, lang, confidence)} for t in s.top],
        "over": [{"sentence": difference_sentence(s, t, lang, confidence), "quotes": t.quotes} for t in s.over],
        "under": [{"sentence": difference_sentence(s, t, lang, confidence)} for t in s.under],
    }


def render_html(run: Run, lang: str = "fi", mask: Callable[[str], str] = redact) -> str:
    """Return report.html: one self-contained page (inline CSS and SVG, no scripts, no external resources)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    from .report import UI, agreement_lines, codebook_warning, excluded_view, input_notes, review_lines, significance, themes_view, unassigned_view

    env = Environment(loader=PackageLoader("avovastaus", "templates"), autoescape=select_autoescape(default=True, default_for_string=True))
    themes = themes_view(run, lang, mask)
    confidence, alpha = significance(run)
    labels = {t["theme"]: t["label"] for t in themes}
    m = run.manifest
    return env.get_template("report.html.j2").render(
        t=UI[lang], m=m, counts=m.counts, themes=themes, bars=_bar_chart(themes), heat=_heatmap(run, themes, alpha, lang),
        groups=[_group_view(s, lang, confidence) for s in summaries(run, labels, alpha, mask)],
        excluded=excluded_view(run, lang, mask), notes=input_notes(run, lang), alpha=fmt.number(alpha, lang), min_cell=m.statistics.suppressed_below,
        input_name=Path(m.input.path).name, review=m.review, several_note=several_themes_note(lang), methods=methods_text(run, lang),
        num=lambda v: fmt.number(v, lang, 2),
        review_source=Path(m.review.source).name if m.review else "", review_text=review_lines(run, lang), fit_warning=codebook_warning(run, lang),
        agreement=agreement_lines(run, lang), unassigned=unassigned_view(run, lang, mask),
    )
