"""Unit tests for avovastaus.errors: every code formats into 'CODE: message' plus a 'Fix:' hint."""

from __future__ import annotations

import string

import pytest

from avovastaus.errors import MESSAGES, AvovastausError


def _fields(code: str) -> dict[str, str]:
    """Return a plausible value for every placeholder in the message and hint of ``code``."""
    names: set[str] = set()
    for template in MESSAGES[code]:
        names.update(name for _, name, _, _ in string.Formatter().parse(template) if name)
    return {name: f"<{name}>" for name in names}


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_code_formats_with_its_fields(code: str) -> None:
    fields = _fields(code)
    err = AvovastausError(code, **fields)
    text = str(err)
    assert err.code == code
    assert err.fields == fields
    assert text.startswith(f"{code}: {err.message}")
    assert "\n  Fix: " in text
    assert text.endswith(err.hint)
    assert "{" not in err.message and "{" not in err.hint  # every placeholder was filled
    for value in fields.values():
        assert value in err.message or value in err.hint


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_codes_are_well_formed_and_hints_are_non_empty(code: str) -> None:
    assert code[0] == "E" and code[1:].isdigit() and len(code) == 4
    message, hint = MESSAGES[code]
    assert message.strip() and hint.strip()


@pytest.mark.parametrize(
    ("code", "fields", "in_message", "in_hint"),
    [
        ("E101", {"path": "kysely.csv"}, "Input file not found: kysely.csv", "relative paths"),
        ("E102", {"path": "kysely.docx", "suffix": ".docx"}, "Unsupported input format '.docx' for kysely.docx", ".xlsx"),
        (
            "E105",
            {"column": "vastaus", "role": "open question", "path": "k.csv", "available": "'id', 'vastaukset'",
             "suggestion": " Did you mean 'vastaukset'?", "flag": "--text"},
            "Column 'vastaus' (open question) not found in k.csv. Available columns: 'id', 'vastaukset'. Did you mean 'vastaukset'?",
            "--text",
        ),
        ("E108", {"path": "k.xlsx", "sheet": "Taul2", "available": "Taul1"}, "Sheet 'Taul2' not found in k.xlsx. Sheets: Taul1", "--sheet"),
        ("E301", {"path": "out"}, "Run directory out exists and is not empty", "--force"),
    ],
)
def test_message_and_hint_text(code: str, fields: dict, in_message: str, in_hint: str) -> None:
    err = AvovastausError(code, **fields)
    assert err.message == in_message
    assert in_hint in err.hint
    assert str(err) == f"{code}: {in_message}\n  Fix: {err.hint}"


def test_is_an_exception_with_one_line_args() -> None:
    err = AvovastausError("E101", path="puuttuu.csv")
    assert isinstance(err, Exception)
    assert err.args == ("E101: Input file not found: puuttuu.csv",)
    with pytest.raises(AvovastausError) as info:
        raise err
    assert info.value.code == "E101"


def test_unknown_code_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        AvovastausError("E999")
