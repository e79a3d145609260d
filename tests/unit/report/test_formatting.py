"""Unit tests for avovastaus.report.formatting: numbers as Finnish (and English) readers write them."""

from __future__ import annotations

import math

import pytest

from avovastaus.report import formatting as fmt


@pytest.mark.parametrize(
    ("value", "lang", "digits", "text"),
    [(0.05, "fi", None, "0,05"), (0.05, "en", None, "0.05"), (1234.5, "fi", 1, "1234,5"), (-0.25, "fi", 2, "−0,25"),
     (-0.25, "en", 2, "-0.25"), (-0.001, "fi", 1, "0,0"), (None, "fi", None, "–"), (math.nan, "en", 2, "–"), ("x", "fi", None, "–")],
)
def test_number(value, lang, digits, text):
    assert fmt.number(value, lang, digits) == text


@pytest.mark.parametrize(
    ("value", "lang", "digits", "text"),
    [(0.12, "fi", 0, "12 %"), (0.12, "en", 0, "12%"), (0.007, "fi", 1, "0,7 %"), (1.0, "fi", 0, "100 %"), (None, "fi", 0, "–")],
)
def test_percent(value, lang, digits, text):
    assert fmt.percent(value, lang, digits) == text


@pytest.mark.parametrize(
    ("value", "lang", "text"),
    [(0.38, "fi", "+38 %-yks."), (0.38, "en", "+38 pp"), (-0.072, "fi", "−7 %-yks."), (0.001, "fi", "0 %-yks."), (math.nan, "fi", "–")],
)
def test_points(value, lang, text):
    assert fmt.points(value, lang) == text


def test_ranges():
    assert fmt.percent_range(0.43, 0.67, "fi") == "43–67 %"
    assert fmt.percent_range(0.43, 0.67, "en") == "43–67%"
    assert fmt.points_range(0.25, 0.5, "fi") == "25–50 %-yks."
    assert fmt.points_range(-0.031, 0.12, "fi") == "−3 … 12 %-yks."  # a dash between a minus and a number would misread
    assert fmt.points_range(-0.031, 0.12, "en") == "-3 … 12 pp"
    assert fmt.percent_range(None, 0.5) == "–"


@pytest.mark.parametrize(
    ("p", "lang", "text"),
    [(0.0, "fi", "p < 0,001"), (1.2e-13, "fi", "p < 0,001"), (0.0009, "en", "p < 0.001"), (0.001, "fi", "p = 0,0010"),
     (0.0123, "fi", "p = 0,012"), (0.0456, "en", "p = 0.046"), (0.23, "fi", "p = 0,23"), (1.0, "fi", "p = 1,00"), (math.nan, "fi", "p = –")],
)
def test_p_value_never_reads_zero(p, lang, text):
    assert fmt.p_value(p, lang) == text


def test_level_and_interval_name():
    assert fmt.level(0.95, "fi") == "95 %" and fmt.level(0.9, "en") == "90%" and fmt.level(0.995, "fi") == "99,5 %"
    assert fmt.interval_name("fi") == "LV" and fmt.interval_name("en") == "CI"
