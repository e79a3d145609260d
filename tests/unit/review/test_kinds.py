"""Every kind of evaluator decision is handled by every consumer: the registry in ``avovastaus.review.kinds``."""

from __future__ import annotations

import importlib

import pytest

from avovastaus.review.kinds import CONSUMERS, SPECS, Kind

#: the modules that act on decisions, each registering its table with ``kinds.handles``
CONSUMER_MODULES = {
    "journal": "avovastaus.review.journal",
    "replay": "avovastaus.review.state",
    "carry-over": "avovastaus.review.carryover",
    "agreement and learning": "avovastaus.review.agreement",
    "reviewed export": "avovastaus.review.export",
    "app actions": "avovastaus.review.web.actions",
    "app sentences": "avovastaus.review.web.text",
}


def test_every_consumer_registers_a_table():
    for module in CONSUMER_MODULES.values():
        importlib.import_module(module)
    assert set(CONSUMERS) == set(CONSUMER_MODULES)


@pytest.mark.parametrize("consumer", sorted(CONSUMER_MODULES))
def test_every_consumer_handles_every_kind(consumer):
    importlib.import_module(CONSUMER_MODULES[consumer])
    table = CONSUMERS[consumer]
    assert set(table) == set(Kind), f"{consumer}: missing {sorted(set(Kind) - set(table))}, unknown {sorted(set(table) - set(Kind))}"


def test_specs_name_fields_they_hold():
    for kind, spec in SPECS.items():
        fields = set(spec.fields) | set(spec.optional)
        named = {*spec.themes, *spec.optional_themes, *spec.answers, *spec.answer_lists, *spec.targets}
        assert named <= fields, f"{kind}: {sorted(named - fields)}"
