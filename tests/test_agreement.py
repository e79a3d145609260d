"""Agreement statistics against hand-computed values."""

from __future__ import annotations

import pytest

from avovastaus.review.agreement import _pair, _per_theme, kappa_interval, krippendorff_alpha_nominal


def test_krippendorff_alpha_perfect_and_chance():
    assert krippendorff_alpha_nominal([["a", "a"], ["b", "b"], ["c", "c"]]) == pytest.approx(1.0)
    # Krippendorff (2011) style example: 2 coders, nominal; alpha computed from the coincidence matrix by hand
    units = [["a", "a"], ["a", "b"], ["b", "b"], ["b", "b"], ["a", "a"], ["a", "b"]]
    # o_aa = 4, o_ab = o_ba = 2, o_bb = 4; n_a = n_b = 6, n = 12; D_o = 4; D_e = 2*6*6/11
    assert krippendorff_alpha_nominal(units) == pytest.approx(1 - 4 / (72 / 11))


def test_units_with_one_value_are_not_pairable():
    assert krippendorff_alpha_nominal([["a"], ["b"]]) is None
    assert krippendorff_alpha_nominal([["a", "a", "b"], ["c"]]) == pytest.approx(1 - (4 / 2) / ((2 * 1 + 1 * 2) / 2))


def test_pair_percent_and_kappa():
    row = _pair("x", ["a", "a", "b", "b"], ["a", "b", "b", "b"])
    assert row.n == 4 and row.percent == 0.75
    # po = .75, pe = .5*.25 + .5*.75 = .5 -> kappa .5
    assert row.kappa == pytest.approx(0.5)
    assert _pair("empty", [], []).n == 0


def test_kappa_interval_covers_the_estimate_and_narrows_with_n():
    a = ["a", "a", "b", "b", "c", "a", "b", "c"] * 5
    b = ["a", "b", "b", "b", "c", "a", "b", "a"] * 5
    row = _pair("x", a, b)
    assert row.kappa_low <= row.kappa <= row.kappa_high
    wide = _pair("x", a[:8], b[:8])
    assert wide.kappa_high - wide.kappa_low > row.kappa_high - row.kappa_low
    assert kappa_interval(a, b) == kappa_interval(a, b)  # fixed seed: reruns agree
    assert kappa_interval(["a"], ["a"]) == (None, None)


def test_per_theme_rows_make_labels_binary():
    model = {"1": "a", "2": "a", "3": "b", "4": "b"}
    labels = {"liisa": {"1": "a", "2": "b", "3": "b", "4": "not:b"}}
    rows = {r.theme: r for r in _per_theme(model, labels)}
    assert set(rows) == {"a", "b"}
    # theme a: model [T, T, F, F], evaluator [T, F, F, F]: po = .75, pe = .5*.25 + .5*.75 = .5 -> kappa .5
    assert rows["a"].kappa == pytest.approx(0.5) and rows["a"].n == 4


def test_evaluator_pairs_are_bounded(review_run, monkeypatch):
    """#28: many evaluators do not make a quadratic number of bootstrapped pairs; the pairs sharing most answers are kept."""
    from avovastaus.io.rundir import load_run
    from avovastaus.review import agreement as module
    from avovastaus.review.journal import Journal

    monkeypatch.setattr(module, "MAX_PAIRS", 10)
    run = load_run(review_run)
    analysed = run.answers[run.answers["excluded"] == ""]
    keys = [f"{i}/{q}" for i, q in zip(analysed["id"], analysed["question"])][:3]
    theme = run.themes["theme"].iloc[0]
    journal = Journal(review_run, run.fingerprint)
    for r in range(12):  # 66 pairs
        for key in keys[: 2 + r % 2]:
            journal.append("verdict", {"answer": key, "theme": theme, "verdict": "confirmed"}, f"arvioija{r:02d}", [f"answer:{key}"])
    rows = module.agreement(review_run)
    pairs = [row for row in rows if row.theme is None and not row.pair.startswith("model")]
    assert len(pairs) == 10 and all(row.n == 3 for row in pairs)  # the pairs sharing three answers come first
