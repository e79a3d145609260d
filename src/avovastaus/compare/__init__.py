"""Two waves of one survey: which themes changed, by how much, overall and per respondent group.

* :mod:`.analysis` — matching themes across waves and measuring the changes;
* :mod:`.outputs` — ``compare.csv``, ``compare.md``, ``compare.html`` and ``compare.xlsx``.
"""
