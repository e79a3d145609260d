"""Writes a run directory's reports: ``report.html``, ``report.md`` and ``summary.xlsx``, each staged and swapped in."""

from __future__ import annotations

from pathlib import Path

from avovastaus.io.rundir import load_run
from avovastaus.io.staging import atomic_write
from avovastaus.report.html import render_html
from avovastaus.report.markdown import render_markdown
from avovastaus.report.redact import redact
from avovastaus.report.view import PLACEHOLDERS, UI
from avovastaus.report.xlsx import write_summary_xlsx


def write_reports(run_dir: Path, lang: str | None = None, redact_text: bool | None = None) -> list[Path]:
    """Write report.html, report.md and summary.xlsx from the run directory's tables; returns their paths.

    ``lang`` and ``redact_text`` default to the run's config (``report.lang``, ``report.redact``).
    """
    run_dir = Path(run_dir)
    run = load_run(run_dir)
    lang = lang or run.manifest.setting("report", "lang", "fi")
    if lang not in UI:
        lang = "fi"
    redact_on = run.manifest.setting("report", "redact", True) if redact_text is None else redact_text
    email, phone = PLACEHOLDERS[lang]
    mask = (lambda t: redact(t, email=email, phone=phone)) if redact_on else (lambda t: t)
    outputs = {
        "report.html": lambda p: p.write_text(render_html(run, lang, mask), encoding="utf-8"),
        "report.md": lambda p: p.write_text(render_markdown(run, lang, mask), encoding="utf-8"),
        "summary.xlsx": lambda p: write_summary_xlsx(p, run, lang, mask),
    }
    paths = []
    for name, write in outputs.items():
        atomic_write(run_dir / name, write)
        paths.append(run_dir / name)
    return paths
