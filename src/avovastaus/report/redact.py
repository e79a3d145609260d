"""Masks personal contact details (e-mail addresses, Finnish phone numbers) in text shown to people.

Used for report.html, report.md and summary.xlsx; answers.csv keeps the original text.
"""

from __future__ import annotations

import re

EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}(?![\w-])")
#: +358 / 0-prefixed area or mobile codes, optional parentheses, then 5-10 digits in groups of 1-4
PHONE_RE = re.compile(
    r"(?<![\w+])"
    r"(?:\+358[\s-]?\(?0?\d{1,3}\)?|\(0\d{1,3}\)|0\d{1,3})"
    r"(?:[\s-]?\d{1,4}){2,4}"
    r"(?![\w])"
)


def redact(text: str, email: str = "[sähköposti]", phone: str = "[puhelin]") -> str:
    """Return ``text`` with e-mail addresses and Finnish phone numbers replaced by placeholders."""
    text = EMAIL_RE.sub(email, text)
    return PHONE_RE.sub(lambda m: phone if sum(c.isdigit() for c in m.group()) >= 7 else m.group(), text)
