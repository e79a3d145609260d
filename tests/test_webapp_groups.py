"""The review app's group shares: a compact table per theme (respondents), significant differences marked, small cells hidden."""

from __future__ import annotations

import re

from avovastaus.review.web.app import create_app


def test_index_shows_group_shares_as_a_table_not_a_run_on_line(review_run):
    page = create_app(review_run).test_client().get("/").get_data(as_text=True)
    tables = re.findall(r'<table class="group-shares">(.*?)</table>', page, flags=re.S)
    assert tables, "each theme's group shares are a table"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", tables[0], flags=re.S)
    assert len(rows) >= 2  # one row per group
    cells = " ".join(tables)
    assert "&lt;5" in cells  # the tiny corpus has small cells: hidden, not shown as a share
    assert " · " not in cells and "<script" not in page
