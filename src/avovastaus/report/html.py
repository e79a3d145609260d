"""``report.html``: one self-contained page (inline CSS and SVG, no scripts, no external resources).

The template autoescapes every value; answer text, labels and group names are never markup.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from avovastaus.io.rundir import Run
from avovastaus.report import formatting as fmt
from avovastaus.report.effects import effects_section
from avovastaus.report.groups import (
    GroupSummary,
    difference_sentence,
    group_pairs,
    methods_text,
    respondents_phrase,
    scope_rows,
    several_themes_note,
    share_phrase,
    summaries,
)
from avovastaus.report.redact import redact
from avovastaus.report.review_section import agreement_lines, review_lines
from avovastaus.report.view import codebook_warning, excluded_view, input_notes, significance, themes_view, ui, unassigned_view


def _bar_chart(themes: list[dict[str, Any]]) -> dict[str, Any]:
    rows = [{"label": t["label"], "share": float(t["share"]), "text": t["share_text"]} for t in themes]
    top = max([r["share"] for r in rows] + [0.01])
    bar_h, gap, left, width = 22, 6, 260, 420
    for i, r in enumerate(rows):
        r["y"] = i * (bar_h + gap)
        r["w"] = round(width * r["share"] / top, 1)
    return {"rows": rows, "bar_h": bar_h, "left": left, "width": width, "height": len(rows) * (bar_h + gap) + 10}


def _heatmap(run: Run, themes: list[dict[str, Any]], alpha: float, lang: str) -> dict[str, Any] | None:
    """Return the group x theme heatmap of the summaries' scope; each row label links to its group summary.

    Labels are wrapped, never cut without an ellipsis, and each carries its full text as a tooltip; the
    margins are computed from the longest wrapped line, so no label runs off the picture.
    """
    groups = scope_rows(run.groups)
    if groups.empty:
        return None
    order = [t["theme"] for t in themes]
    labels = {t["theme"]: t["label"] for t in themes}
    pairs = group_pairs(groups, run.manifest.statistics.suppressed_below)
    sizes = dict(zip(zip(groups["group_column"], groups["group"]), groups["n_group"]))
    min_cell = run.manifest.statistics.suppressed_below
    cell = 56
    rows = []
    for r, (column, group) in enumerate(pairs):
        full = f"{group} ({column}, n\u00a0=\u00a0{_count(sizes.get((column, group)))})"  # n and its number stay on one line
        rows.append({"lines": _wrap(full, ROW_CHARS, 3), "title": full, "href": f"#group-{r + 1}"})
    cols = [{"lines": _wrap(labels.get(t, t), COL_CHARS, 3), "title": labels.get(t, t)} for t in order]
    left = 16 + CHAR_W * max(len(line) for r in rows for line in r["lines"])
    longest = max((len(line) for c in cols for line in c["lines"]), default=0) * CHAR_W
    top = 34 + round(longest * SIN)
    for r, row in enumerate(rows):
        row["y"] = top + r * cell + cell / 2 - (len(row["lines"]) - 1) * LINE / 2 + 4
    for c, col in enumerate(cols):
        col["x"], col["dy"] = left + c * cell + cell / 2, -(len(col["lines"]) - 1) * LINE / 2
    cells = []
    by_pair = dict(iter(groups.groupby(["group_column", "group"], sort=False, dropna=False)))  # one pass, not one per group
    for r, (column, group) in enumerate(pairs):
        sub = by_pair[(column, group)].set_index("theme")
        n = _count(sizes.get((column, group)))
        for c, theme in enumerate(order):
            if theme not in sub.index:
                continue
            row = sub.loc[theme]
            suppressed = bool(row["suppressed"])
            share = None if suppressed or pd.isna(row["share"]) else float(row["share"])
            significant = (not suppressed) and not pd.isna(row["p_adjusted"]) and float(row["p_adjusted"]) < alpha
            text = f"<{min_cell}" if suppressed else fmt.percent(share, lang) + ("*" if significant else "")
            cells.append({
                "x": left + c * cell, "y": top + r * cell, "suppressed": suppressed, "significant": significant,
                "fill": "#d9d9d9" if share is None else _blue(share), "text": text, "dark": share is not None and share > 0.35,
                "title": f"{group} / {labels.get(theme, theme)}: {text} (n = {n})",
            })
    width = left + len(order) * cell + round(longest * COS) + 20  # the last slanted label reaches right of its column
    return {"cells": cells, "cell": cell, "left": left, "top": top, "rows": rows, "cols": cols, "line": LINE,
            "width": width, "height": top + len(pairs) * cell + 10}


CHAR_W, LINE = 7, 13  # generous width of a 12 px character, line height (px)
ROW_CHARS, COL_CHARS = 30, 24  # characters per wrapped line of a group label and of a theme label
SIN, COS = 0.766, 0.643  # of the theme labels' 50 degree slant


def _wrap(text: str, width: int, max_lines: int) -> list[str]:
    """Return ``text`` wrapped into at most ``max_lines`` lines of ``width`` characters, the last ending in … when cut."""
    lines = textwrap.wrap(text, width, break_long_words=True) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return lines


def _count(value: Any) -> str:
    """Return a group size as a whole number, or ? when the table lacks it."""
    return "?" if value is None or pd.isna(value) else str(int(value))


def _blue(share: float) -> str:
    """Return a white-to-blue colour for a share in [0, 1] (saturating at 60 %)."""
    t = min(max(share / 0.6, 0.0), 1.0)
    r, g, b = (round(255 + (x - 255) * t) for x in (8, 69, 148))
    return f"#{r:02x}{g:02x}{b:02x}"


def _group_view(s: GroupSummary, lang: str, confidence: float) -> dict[str, Any]:
    """Return a group summary with its numbers formatted for the page."""
    return {
        "anchor": s.anchor, "column": s.column, "group": s.group, "n": s.n, "size_text": respondents_phrase(s, lang), "suppressed": s.suppressed, "words": s.words,
        "top": [{"label": t.label, "text": share_phrase(t, lang, confidence)} for t in s.top],
        "over": [{"sentence": difference_sentence(s, t, lang, confidence), "quotes": t.quotes} for t in s.over],
        "under": [{"sentence": difference_sentence(s, t, lang, confidence)} for t in s.under],
    }


def render_html(run: Run, lang: str = "fi", mask: Callable[[str], str] = redact) -> str:
    """Return report.html: one self-contained page (inline CSS and SVG, no scripts, no external resources)."""
    from jinja2 import Environment, PackageLoader, select_autoescape


    env = Environment(loader=PackageLoader("avovastaus.report", "templates"), autoescape=select_autoescape(default=True, default_for_string=True))
    themes = themes_view(run, lang, mask)
    confidence, alpha = significance(run)
    labels = {t["theme"]: t["label"] for t in themes}
    m = run.manifest
    return env.get_template("report.html.j2").render(
        t=ui(run, lang), m=m, counts=m.counts, themes=themes, bars=_bar_chart(themes), heat=_heatmap(run, themes, alpha, lang),
        groups=[_group_view(s, lang, confidence) for s in summaries(run, labels, alpha, mask)],
        excluded=excluded_view(run, lang, mask), notes=input_notes(run, lang), alpha=fmt.number(alpha, lang), min_cell=m.statistics.suppressed_below,
        input_name=Path(m.input.path).name, review=m.review, several_note=several_themes_note(lang), methods=methods_text(run, lang),
        num=lambda v: fmt.number(v, lang, 2),
        review_source=Path(m.review.source).name if m.review else "", review_text=review_lines(run, lang), fit_warning=codebook_warning(run, lang),
        agreement=agreement_lines(run, lang), effects=effects_section(run, lang, mask), unassigned=unassigned_view(run, lang, mask),
    )
