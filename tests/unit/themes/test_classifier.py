"""Unit tests of the open-set codebook classifier (avovastaus.themes.classifier) on tiny synthetic embeddings: no model is loaded.

Geometry (8 dimensions): themes 0, 1 and 2 lie along axes 0, 1 and 3; the off-topic examples along
axes 2 and 5; axis 4 is a region nobody has labelled yet. Every text says which region it comes
from, so the character n-grams agree with the embedding.
"""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from avovastaus.themes.classifier import OUT, CodebookClassifier, Evidence, open_set_themes, smooth

DIM = 8
THEME_AXES = (0, 1, 3)
OFF_AXES = (2, 5)
NEW_AXIS = 4
WORDS = {0: "verkosto foorumi", 1: "rahoitus avustus", 2: "tiedote viestintä", 3: "jalkapallo ottelu", 4: "kalastus pilkki", 5: "sää sade"}


def points(axis: int, n: int, rng: np.random.Generator, spread: float = 0.15, towards: int | None = None, weight: float = 0.0) -> np.ndarray:
    """Return ``n`` unit rows near ``axis`` (optionally leaning ``weight`` towards ``towards``)."""
    rows = rng.normal(0.0, spread, (n, DIM))
    rows[:, axis] += 1.0
    if towards is not None:
        rows[:, towards] += weight
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def evidence(rows: np.ndarray, word_key: int, start: int = 0) -> Evidence:
    return Evidence(rows, [f"{WORDS[word_key]} vastaus numero {start + i}" for i in range(len(rows))])


def examples(rng: np.random.Generator) -> tuple[Evidence, np.ndarray]:
    """Return labelled examples: 6 per theme, 6 per off-topic axis (label OUT)."""
    parts, labels = [], []
    for t, axis in enumerate(THEME_AXES):
        parts.append(evidence(points(axis, 6, rng), t))
        labels += [t] * 6
    for j, axis in enumerate(OFF_AXES):
        parts.append(evidence(points(axis, 6, rng), 3 + 2 * j))
        labels += [OUT] * 6
    return Evidence.concat(parts), np.array(labels)


def corpus(rng: np.random.Generator) -> Evidence:
    """Return a survey: 8 answers near each theme and 8 near each off-topic axis (in that order)."""
    parts = [evidence(points(axis, 8, rng), t, 100 * t) for t, axis in enumerate(THEME_AXES)]
    parts += [evidence(points(axis, 8, rng), 3 + 2 * j, 500 + 100 * j) for j, axis in enumerate(OFF_AXES)]
    return Evidence.concat(parts)


KEYWORDS = [["verkosto"], ["rahoitus"], ["tiedote"]]


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X, y = examples(rng)
    survey = corpus(rng)
    return X, y, survey, CodebookClassifier(n_neighbors=5).fit(X, y, KEYWORDS, survey)


def test_calibration_fits_positive_slopes_and_probabilities_that_sum_to_one(data):
    _, _, survey, clf = data
    assert clf.inverse_temperature_ > 0 and clf.slope_ > 0
    proba = clf.predict_proba(survey)
    assert proba.shape == (len(survey), len(KEYWORDS) + 1)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert (proba >= 0).all()
    # the last column is "fits no theme": high for the off-topic answers, low for the answers on a theme
    assert proba[24:, -1].min() > 0.5 > proba[:24, -1].max()
    assert np.allclose(clf.theme_proba(survey).sum(axis=1), 1.0)


def test_answers_near_a_theme_get_it_and_off_topic_answers_get_out(data):
    _, _, survey, clf = data
    predicted = clf.predict(survey)
    assert predicted[:24].tolist() == [0] * 8 + [1] * 8 + [2] * 8
    assert (predicted[24:] == OUT).all()
    assert (clf.in_frame_evidence(survey)[24:] < -clf.margin).all()


def test_an_ambiguous_answer_among_off_topic_answers_goes_out_when_smoothed():
    rng = np.random.default_rng(1)
    X, y = examples(rng)
    # a survey whose off-topic answers lean a little towards theme 0, and one answer just on theme 0's side of the line
    off = points(OFF_AXES[0], 12, rng, spread=0.05, towards=THEME_AXES[0], weight=0.45)
    on_theme = points(THEME_AXES[1], 12, rng, spread=0.05)
    ambiguous = np.zeros((1, DIM))
    ambiguous[0, THEME_AXES[0]], ambiguous[0, OFF_AXES[0]] = 0.62, 0.45
    survey = Evidence.concat([evidence(off, 3), evidence(on_theme, 1, 100), evidence(ambiguous / np.linalg.norm(ambiguous), 0, 999)])
    alone = CodebookClassifier(n_neighbors=5, smoothing=0).fit(X, y, KEYWORDS, survey)
    smoothed = CodebookClassifier(n_neighbors=5, smoothing=3).fit(X, y, KEYWORDS, survey)
    assert alone.predict(survey)[-1] == 0  # on its own it is (just) in frame
    assert smoothed.predict(survey)[-1] == OUT  # among off-topic neighbours it is off-topic
    assert smoothed.predict(survey)[12:24].tolist() == [1] * 12  # answers among their own kind keep their theme


def test_smooth_keeps_values_without_enough_rows_and_averages_neighbours():
    rng = np.random.default_rng(2)
    rows = np.vstack([points(0, 6, rng, spread=0.05), points(1, 6, rng, spread=0.05)])
    values = np.array([1.0] * 5 + [-5.0] + [0.0] * 6)
    assert smooth(values, rows, n_neighbors=20, rounds=3) is values
    out = smooth(values, rows, n_neighbors=4, rounds=2)
    assert out[5] > -1.0  # the outlier value is pulled towards its neighbours'
    assert np.all(np.abs(out[6:]) < 1.0)


def test_a_taught_example_in_a_new_region_changes_the_prediction_there():
    rng = np.random.default_rng(3)
    X, y = examples(rng)
    new = points(NEW_AXIS, 6, rng, spread=0.1, towards=OFF_AXES[1], weight=0.5)  # unlabelled, leaning off-topic
    survey = Evidence.concat([corpus(rng), evidence(new, 4, 900)])
    before = CodebookClassifier(n_neighbors=5).fit(X, y, KEYWORDS, survey).predict(survey)[-6:]
    assert (before == OUT).all()
    taught = evidence(points(NEW_AXIS, 3, rng, spread=0.1, towards=OFF_AXES[1], weight=0.5), 4, 950)
    learned = CodebookClassifier(n_neighbors=5).fit(Evidence.concat([X, taught]), np.r_[y, [1, 1, 1]], KEYWORDS, survey)
    assert (learned.predict(survey)[-6:] == 1).all()
    assert learned.theme_counts_[1] == 9


def test_an_unfitted_classifier_raises_not_fitted_error():
    rng = np.random.default_rng(4)
    texts = evidence(points(0, 3, rng), 0)
    clf = CodebookClassifier()
    for method in (clf.predict, clf.predict_proba, clf.in_frame_evidence, clf.theme_proba):
        with pytest.raises(NotFittedError):
            method(texts)


def test_fit_needs_an_example_of_a_theme():
    rng = np.random.default_rng(5)
    only_out = evidence(points(OFF_AXES[0], 4, rng), 3)
    with pytest.raises(ValueError, match="at least one example of a theme"):
        CodebookClassifier().fit(only_out, [OUT] * 4, KEYWORDS)


def test_open_set_themes_adds_segment_themes_only_to_answers_in_frame(data):
    _, _, survey, clf = data
    rng = np.random.default_rng(6)
    # answer 0 (theme 0) has a segment on theme 0 and one on theme 2; answer 30 (off-topic) has a segment on theme 1
    segments = Evidence.concat([evidence(points(THEME_AXES[0], 1, rng, 0.05), 0, 700), evidence(points(THEME_AXES[2], 1, rng, 0.05), 2, 701),
                                evidence(points(THEME_AXES[1], 1, rng, 0.05), 1, 702)])
    themes, primary_p, p_none = open_set_themes(clf, survey, segments, np.array([0, 0, 30]), max_themes=3)
    assert themes[0] == [0, 2]
    assert themes[30] == []
    assert themes[8] == [1]
    assert np.isnan(primary_p[30]) and p_none[30] > 0.5
    assert 0 < primary_p[0] <= 1
    capped, _, _ = open_set_themes(clf, survey, segments, np.array([0, 0, 30]), max_themes=1)
    assert capped[0] == [0]
    strict = clf.set_params(secondary=1.0)
    try:
        only_primary, _, _ = open_set_themes(strict, survey, segments, np.array([0, 0, 30]), max_themes=3)
    finally:
        clf.set_params(secondary=0.5)
    assert only_primary[0] == [0]
