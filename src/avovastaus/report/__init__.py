"""Human-readable outputs of a run directory: one view model, and the renderers that read from it.

* :mod:`.view` — what every report shows (themes, exclusions, notes, warnings, words): the view model;
* :mod:`.groups` — the group summaries and the sentences that say them;
* :mod:`.markdown`, :mod:`.html`, :mod:`.xlsx` — renderers; they import the view model, never each other or back;
* :mod:`.write` — writes ``report.md``, ``report.html`` and ``summary.xlsx`` into a run directory;
* :mod:`.formatting` and :mod:`.redact` — numbers as a Finnish reader writes them; contact details masked.

Reports read tables: nothing here imports the estimator stack.
"""
