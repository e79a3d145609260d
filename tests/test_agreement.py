"""Agreement statistics against hand-computed values."""

from __future__ import annotations

import pandas as pd
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
    row = _pair("x", ["a", "a", "b", "b"], ["a", "b", "b", "b"], min_answers=1)
    assert row.n == 4 and row.percent == 0.75
    # po = .75, pe = .5*.25 + .5*.75 = .5 -> kappa .5
    assert row.kappa == pytest.approx(0.5)
    assert _pair("empty", [], []).n == 0


def test_kappa_interval_covers_the_estimate_and_narrows_with_n():
    a = ["a", "a", "b", "b", "c", "a", "b", "c"] * 5
    b = ["a", "b", "b", "b", "c", "a", "b", "a"] * 5
    row = _pair("x", a, b)
    assert row.kappa_low <= row.kappa <= row.kappa_high
    wide = _pair("x", a[:8], b[:8], min_answers=1)
    assert wide.kappa_high - wide.kappa_low > row.kappa_high - row.kappa_low
    assert kappa_interval(a, b) == kappa_interval(a, b)  # fixed seed: reruns agree
    assert kappa_interval(["a"], ["a"]) == (None, None)


def test_per_theme_rows_make_labels_binary():
    model = {f"{k}{r}": t for r in range(3) for k, t in zip("1234", "aabb")}  # the same four answers three times: n = 12
    labels = {"liisa": {f"{k}{r}": t for r in range(3) for k, t in zip("1234", ["a", "b", "b", "not:b"])}}
    rows = {r.theme: r for r in _per_theme(model, labels)}
    assert set(rows) == {"a", "b"}
    # theme a: model [T, T, F, F], evaluator [T, F, F, F]: po = .75, pe = .5*.25 + .5*.75 = .5 -> kappa .5
    assert rows["a"].kappa == pytest.approx(0.5) and rows["a"].n == 12


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


# ---------------------------------------------------------------- issue #27, item 3: honest agreement


@pytest.mark.parametrize("a, b, withheld", [
    (["a"], ["a"], "too_few"),                                   # n = 1: no kappa, no "0,00 (–––)"
    (["a", "b"] * 4 + ["a"], ["a", "b"] * 4 + ["b"], "too_few"),  # n = 9 < MIN_ANSWERS
    (["a"] * 12, ["a"] * 11 + ["b"], "one_category"),            # the model used one theme throughout: kappa would be 0 whatever
    (["a", "b"] * 6, ["a"] * 12, "one_category"),                # the evaluator did
    (["a", "b"] * 6, ["a", "b"] * 5 + ["b", "b"], None),
])
def test_kappa_only_where_it_can_mean_something(a, b, withheld):
    from avovastaus.review.agreement import MIN_ANSWERS

    row = _pair("x", a, b)
    assert row.withheld == withheld
    assert row.percent == pytest.approx(sum(x == y for x, y in zip(a, b)) / len(a))  # percent agreement is always given
    if withheld:
        assert row.kappa is row.alpha is row.kappa_low is row.kappa_high is None
    else:
        assert len(a) >= MIN_ANSWERS and row.kappa is not None and row.kappa_low is not None


def _decide(journal, kind, reviewer="liisa", **payload):
    from avovastaus.review.kinds import touches_of

    return journal.append(kind, payload, reviewer, touches_of(kind, payload))


def _keys(run, theme=None):
    analysed = run.answers[run.answers["excluded"] == ""]
    if theme is not None:
        analysed = analysed[analysed["theme"] == theme]
    return [f"{i}/{q}" for i, q in zip(analysed["id"], analysed["question"])]


def test_themes_made_in_the_review_are_left_out_and_splits_count(review_run):
    from avovastaus.io.rundir import load_run
    from avovastaus.review.agreement import agreement
    from avovastaus.review.journal import Journal

    run = load_run(review_run)
    journal = Journal(review_run, run.fingerprint)
    a, b = run.themes.sort_values("size", ascending=False)["theme"].tolist()[:2]
    split = _keys(run, a)[:3]
    _decide(journal, "split", theme=a, new_theme="arvio_01", label="Uusi", answers=split)
    theme_of = dict(zip(_keys(run), run.answers.loc[run.answers["excluded"] == "", "theme"]))
    confirmed = [k for k, t in theme_of.items() if t and k not in split][:12]
    for key in confirmed:
        _decide(journal, "verdict", answer=key, theme=theme_of[key], verdict="confirmed")
    rows = agreement(review_run)
    mine = next(r for r in rows if r.pair == "model vs liisa")
    assert mine.n == 12 and mine.left_out == 3  # the split answers: counted as labelled, left out of the model's kappa
    assert mine.sample == "chosen" and mine.least_sure is not None
    assert "arvio_01" not in {r.theme for r in rows}  # no per-theme row for a theme the model never had
    assert all(r.left_out == 3 for r in rows if r.theme)


def test_a_merge_is_read_in_the_frame_it_left(review_run):
    """An evaluator who merged b into a and confirmed b's answers in a agrees with the model's b on them."""
    from avovastaus.io.rundir import load_run
    from avovastaus.review.agreement import agreement, resolve
    from avovastaus.review.journal import Journal

    assert resolve("not:x", {"x": "y", "y": "z"}) == "not:z" and resolve("q", {"x": "y"}) == "q"
    run = load_run(review_run)
    journal = Journal(review_run, run.fingerprint)
    a, b = run.themes.sort_values("size", ascending=False)["theme"].tolist()[:2]
    _decide(journal, "merge", source=b, target=a)
    for key in _keys(run, b)[:5] + _keys(run, a)[:5]:
        _decide(journal, "verdict", answer=key, theme=a, verdict="confirmed")
    mine = next(r for r in agreement(review_run) if r.pair == "model vs liisa")
    assert mine.n == 10 and mine.percent == 1.0


def test_the_least_sure_share_names_a_queue_sample(review_run):
    from avovastaus.io.rundir import load_run
    from avovastaus.review.agreement import agreement
    from avovastaus.review.journal import Journal

    run = load_run(review_run)
    analysed = run.answers[(run.answers["excluded"] == "") & (run.answers["theme"] != "")].copy()
    analysed["sure"] = analysed["confidence"].astype(float)
    journal = Journal(review_run, run.fingerprint)
    queue = analysed.sort_values("sure").head(5)  # what "Epävarmimmat ensin" brings first
    for row in queue.itertuples():
        _decide(journal, "verdict", answer=f"{row.id}/{row.question}", theme=row.theme, verdict="confirmed")
    mine = next(r for r in agreement(review_run) if r.pair == "model vs liisa")
    assert mine.least_sure == 1.0 and mine.withheld == "too_few" and mine.kappa is None


def test_a_random_check_sample(review_run):
    from avovastaus.io.rundir import load_run
    from avovastaus.review.agreement import CHECK_SAMPLE_FILE, REVIEWED_DIR, agreement, check_sample, read_check_sample
    from avovastaus.review.export import write_reviewed
    from avovastaus.review.journal import Journal

    drawn = check_sample(review_run, 12, seed=3)
    assert drawn.path == review_run / REVIEWED_DIR / CHECK_SAMPLE_FILE and len(drawn.keys) == len(set(drawn.keys)) == 12
    assert read_check_sample(review_run) == drawn.keys
    assert check_sample(review_run, 12, seed=3).keys == drawn.keys  # the same draw again: kept
    with pytest.raises(FileExistsError):
        check_sample(review_run, 12, seed=4)  # another draw would change which decisions count
    assert check_sample(review_run, 12, seed=4, replace=True).keys != drawn.keys
    check_sample(review_run, 12, seed=3, replace=True)
    with pytest.raises(ValueError, match="positive whole number"):
        check_sample(review_run, 0)
    run = load_run(review_run)
    assert set(drawn.keys) <= set(_keys(run))
    theme_of = dict(zip(_keys(run), run.answers.loc[run.answers["excluded"] == "", "theme"]))
    journal = Journal(review_run, run.fingerprint)
    other = run.themes["theme"].iloc[0]
    for i, key in enumerate(drawn.keys[:10]):  # the evaluators code ten of the twelve drawn answers
        if i % 3 == 0 or not theme_of[key]:
            _decide(journal, "move", answer=key, to=other if theme_of[key] != other else run.themes["theme"].iloc[1])
        else:
            _decide(journal, "verdict", answer=key, theme=theme_of[key], verdict="confirmed")
    row = next(r for r in agreement(review_run) if r.sample == "check")
    assert row.n == 10 and row.drawn == 12 and row.theme is None
    write_reviewed(review_run)  # the export replaces its own files only: the sample stays
    assert read_check_sample(review_run) == drawn.keys
    md = (review_run / REVIEWED_DIR / "report.md").read_text(encoding="utf-8")
    assert "malli vs. arvioijat, satunnainen tarkistusotos" in md and "arvioitu 10/12" in md


def test_the_sample_does_not_depend_on_row_order(review_run, tmp_path):
    import shutil

    from avovastaus.review.agreement import check_sample

    other = tmp_path / "shuffled"
    shutil.copytree(review_run, other)
    answers = pd.read_csv(other / "answers.csv", dtype=str, keep_default_na=False)
    answers.iloc[::-1].to_csv(other / "answers.csv", index=False)
    assert check_sample(other, 10, seed=1).keys == check_sample(review_run, 10, seed=1).keys


def test_the_report_says_too_few_instead_of_a_kappa(review_run):
    from avovastaus.io.rundir import load_run
    from avovastaus.review.export import write_reviewed
    from avovastaus.review.journal import Journal

    run = load_run(review_run)
    row = run.answers[run.answers["theme"] != ""].iloc[0]
    _decide(Journal(review_run, run.fingerprint), "verdict", answer=f"{row['id']}/{row['question']}", theme=row["theme"], verdict="confirmed")
    write_reviewed(review_run)
    md = (review_run / "reviewed" / "report.md").read_text(encoding="utf-8")
    assert "malli vs. liisa: liian vähän arvioituja vastauksia (n = 1) luotettavaan lukuun" in md
    assert "κ =" not in md and "–––" not in md
    assert "otos: arvioijan valitsemat vastaukset (ei satunnaisotos)" in md
    write_reviewed(review_run, lang="en")
    md = (review_run / "reviewed" / "report.md").read_text(encoding="utf-8")
    assert "model vs liisa: too few reviewed answers (n = 1) for a figure to rely on" in md and "not a random sample" in md


def test_the_cli_draws_a_check_sample_and_names_each_rows_sample(review_run):
    from typer.testing import CliRunner

    from avovastaus.cli import app
    from avovastaus.review.agreement import read_check_sample

    run = review_run
    result = CliRunner().invoke(app, ["agreement", str(run), "--draw-check-sample", "8", "--seed", "2"])
    assert result.exit_code == 0, result.output
    assert "8 answers drawn" in result.output and len(read_check_sample(run)) == 8
    again = CliRunner().invoke(app, ["agreement", str(run), "--draw-check-sample", "8", "--seed", "5"])
    assert again.exit_code == 2 and "--replace" in again.output  # another draw would change which decisions count
    listed = CliRunner().invoke(app, ["agreement", str(run)])
    assert listed.exit_code == 0 and "sample / why no kappa" in listed.output
