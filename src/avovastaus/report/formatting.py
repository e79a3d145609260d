"""Numbers as a Finnish (or English) reader writes them: ``12 %``, ``0,05``, ``p < 0,001``, ``38 %-yks.``.

Finnish: decimal comma, a space before the per cent sign, a minus sign (−) for negatives, and the
difference of two shares in percentage points as ``%-yks.``; English: ``12%``, ``0.05``, ``38 pp``.
Missing values print as an en dash. Tables keep raw numbers; only the reports format them.
"""

from __future__ import annotations

import math
from typing import Any, Literal

Lang = Literal["fi", "en"]
DASH = "–"
MINUS = "−"
#: the smallest p-value printed as a number; below it, ``p < 0,001``
P_FLOOR = 0.001


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def number(value: Any, lang: str = "fi", digits: int | None = None) -> str:
    """Return a number with the language's decimal mark: ``0,05`` in Finnish; ``digits`` fixes the decimals, else the shortest form."""
    if _missing(value):
        return DASH
    x = float(value)
    text = f"{x:.{digits}f}" if digits is not None else f"{x:g}"
    if text.startswith("-"):
        text = (MINUS if lang == "fi" else "-") + text[1:]
        if float(text[1:].replace(",", ".")) == 0:
            text = text[1:]  # no "−0"
    return text.replace(".", ",") if lang == "fi" else text


def percent(value: Any, lang: str = "fi", digits: int = 0) -> str:
    """Return a share (0.12) as a percentage: ``12 %`` in Finnish, ``12%`` in English."""
    if _missing(value):
        return DASH
    return number(float(value) * 100, lang, digits) + (" %" if lang == "fi" else "%")


def points(value: Any, lang: str = "fi", digits: int = 0, sign: bool = True) -> str:
    """Return a difference of two shares in percentage points: ``+38 %-yks.`` / ``+38 pp`` (``sign``: a plus for positives)."""
    if _missing(value):
        return DASH
    text = number(float(value) * 100, lang, digits)
    if sign and float(value) * 100 >= 0.5 * 10**-digits:
        text = "+" + text
    return text + (" %-yks." if lang == "fi" else " pp")


def percent_range(low: Any, high: Any, lang: str = "fi", digits: int = 0) -> str:
    """Return an interval of shares: ``43–67 %`` in Finnish, ``43–67%`` in English."""
    if _missing(low) or _missing(high):
        return DASH
    unit = " %" if lang == "fi" else "%"
    return f"{number(float(low) * 100, lang, digits)}{DASH}{number(float(high) * 100, lang, digits)}{unit}"


def points_range(low: Any, high: Any, lang: str = "fi", digits: int = 0) -> str:
    """Return an interval of differences in points: ``25–50 %-yks.``; with a negative bound ``−3 … 12 %-yks.`` (a dash would read as a minus)."""
    if _missing(low) or _missing(high):
        return DASH
    unit = " %-yks." if lang == "fi" else " pp"
    joint = DASH if float(low) >= 0 else " … "
    return f"{number(float(low) * 100, lang, digits)}{joint}{number(float(high) * 100, lang, digits)}{unit}"


def p_value(p: Any, lang: str = "fi") -> str:
    """Return ``p < 0,001`` below the floor, else ``p = 0,012`` (two significant digits; never ``p = 0``)."""
    if _missing(p):
        return f"p = {DASH}"
    p = float(p)
    if p < P_FLOOR:
        return f"p < {number(P_FLOOR, lang)}"
    digits = max(2, 1 - math.floor(math.log10(p))) if p < 0.1 else 2
    return f"p = {number(round(p, digits), lang, digits)}"


def level(confidence: float, lang: str = "fi") -> str:
    """Return a confidence level as a percentage label: ``95 %`` in Finnish, ``95%`` in English."""
    return number(round(confidence * 100, 6), lang) + (" %" if lang == "fi" else "%")


def interval_name(lang: str = "fi") -> str:
    """Return the abbreviation of a confidence interval: ``LV`` (luottamusväli) or ``CI``."""
    return "LV" if lang == "fi" else "CI"


# ---------------------------------------------------------------- spreadsheet number formats
# A workbook cell keeps the raw number (it sorts, filters and sums); its number format decides what a reader
# sees. Format codes always use "." as the decimal mark: Excel and Calc show the reader's own (a comma in Finnish).


def xlsx_percent(lang: str = "fi", digits: int = 1) -> str:
    """Return the number format of a share: ``0.0 %`` in Finnish (shown ``13,2 %``), ``0.0%`` in English."""
    return ("0." + "0" * digits if digits else "0") + (" %" if lang == "fi" else "%")


def xlsx_p_value(lang: str = "fi") -> str:
    """Return the number format of a p-value: three decimals, and ``< 0,001`` below :data:`P_FLOOR` (never ``0,000``)."""
    digits = round(-math.log10(P_FLOOR))
    return f'[<{P_FLOOR}]"< {number(P_FLOOR, lang)}";0.{"0" * digits}'
