"""The kinds of evaluator decision, what each holds, and the registry of what every consumer does with each kind.

A kind is declared once here (:data:`SPECS`: its fields, the themes and answers they name, what it
touches). Every module that acts on decisions — the journal (validation), replay (the reviewed
state), carry-over to a new run, agreement and learning (the labels evaluators give), the reviewed
export, and the review app (forms and sentences) — registers a table with :func:`handles` that says
what it does with *every* kind, :data:`IGNORED` included; ``tests/unit/test_kinds.py`` fails when
a kind is added that some consumer does not handle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Callable, Mapping, TypeVar


class Kind(StrEnum):
    """The kinds of evaluator decision (stored as their string value)."""

    RENAME = "rename"
    MERGE = "merge"
    SPLIT = "split"
    MOVE = "move"
    VERDICT = "verdict"
    NOTE = "note"
    UNDO = "undo"
    MOVE_MANY = "move_many"  # several selected answers moved to one theme, one decision (one undo)
    INCLUDE = "include"      # an excluded answer (a non-answer by the rules) taken into the analysis
    RESCORE = "rescore"      # new model suggestions for answers nobody had decided ("päivitä ehdotukset")


@dataclass(frozen=True)
class KindSpec:
    """What a kind of decision holds: its fields (with JSON types) and which of them name themes and answers.

    The journal validates payloads with it, conflict detection asks it what a decision ``touches``,
    and carrying decisions to a new run translates the theme and answer fields it names.
    """

    fields: dict[str, type]
    optional: dict[str, type] = field(default_factory=dict)
    themes: tuple[str, ...] = ()           # fields that name a theme (must exist where the decision is applied)
    optional_themes: tuple[str, ...] = ()  # fields that may name a theme
    answers: tuple[str, ...] = ()          # fields that name one answer
    answer_lists: tuple[str, ...] = ()     # fields that list answers
    targets: tuple[str, ...] = ()          # fields that name an answer or a theme as "answer:<key>" / "theme:<id>"
    touched: Callable[[dict[str, Any]], list[str]] = lambda payload: []

    def touches(self, payload: dict[str, Any]) -> list[str]:
        """Return the objects (``theme:<id>``, ``answer:<key>``) a decision changes, for conflict detection."""
        return self.touched(payload)


SPECS: dict[Kind, KindSpec] = {
    Kind.RENAME: KindSpec({"theme": str, "label": str}, {"description": str}, themes=("theme",), touched=lambda p: [f"theme:{p['theme']}"]),
    Kind.MERGE: KindSpec({"source": str, "target": str}, themes=("source", "target"),
                         touched=lambda p: [f"theme:{p['source']}", f"theme:{p['target']}"]),
    Kind.SPLIT: KindSpec({"theme": str, "new_theme": str, "label": str, "answers": list}, themes=("theme",), answer_lists=("answers",),
                         touched=lambda p: [f"theme:{p['theme']}", *(f"answer:{a}" for a in p["answers"])]),
    Kind.MOVE: KindSpec({"answer": str, "to": str}, {"from": str}, themes=("to",), optional_themes=("from",), answers=("answer",),
                        touched=lambda p: [f"answer:{p['answer']}"]),
    Kind.VERDICT: KindSpec({"answer": str, "theme": str, "verdict": str}, themes=("theme",), answers=("answer",),
                           touched=lambda p: [f"answer:{p['answer']}"]),
    Kind.NOTE: KindSpec({"target": str, "text": str}, targets=("target",), touched=lambda p: [p["target"]]),
    Kind.UNDO: KindSpec({"seq": int}),
    Kind.MOVE_MANY: KindSpec({"answers": list, "to": str}, {"from": str}, themes=("to",), optional_themes=("from",), answer_lists=("answers",),
                             touched=lambda p: [f"answer:{a}" for a in p["answers"]]),
    Kind.INCLUDE: KindSpec({"answer": str}, answers=("answer",), touched=lambda p: [f"answer:{p['answer']}"]),
    # themes: answer key -> suggested themes (only the changed ones); confidence: answer key -> primary theme's probability
    Kind.RESCORE: KindSpec({"themes": dict, "confidence": dict}, touched=lambda p: [f"answer:{a}" for a in p["themes"]]),
}


KINDS = tuple(Kind)


VERDICTS = ("confirmed", "wrong")


def touches_of(kind: str, payload: dict[str, Any]) -> list[str]:
    """Return the objects a decision of ``kind`` changes (``[]`` for a kind this version does not know)."""
    spec = SPECS.get(kind)  # type: ignore[call-overload]
    return spec.touches(payload) if spec else []


#: a consumer's table entry for a kind it deliberately leaves alone
IGNORED = "ignored"

#: consumer name -> its table (every kind -> what it does with it)
CONSUMERS: dict[str, Mapping[Kind, Any]] = {}

T = TypeVar("T", bound=Mapping)


def handles(consumer: str, table: T) -> T:
    """Register ``consumer``'s table of what it does with each kind of decision; returns the table."""
    CONSUMERS[consumer] = table
    return table


handles("journal", SPECS)
