"""The report's view model: every word a report or the review app shows has both languages."""

from __future__ import annotations

import pytest

from avovastaus.finnish.nonanswer import REASONS
from avovastaus.report.view import UI


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_every_reason_code_reads_in_both_languages(lang):
    missing = [code for code in REASONS if code not in UI[lang]]
    assert not missing, f"reason codes shown untranslated in {lang}: {missing}"
    assert UI["fi"]["no_suggestions"] == "ei kehitettävää"  # the code the issue found printed raw in a Finnish report
