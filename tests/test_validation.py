"""gaitlab.validation: one-to-one event matching and scores."""

import numpy as np
import pytest

from gaitlab.validation import event_scores, match_events


def test_nearest_pairs_first_and_each_event_once():
    ref = np.array([1.0, 1.1])
    det = np.array([1.04, 1.09])  # 1.04 is within tolerance of both; 1.09 is closer to 1.1
    d, r = match_events(det, ref, 0.06)
    assert d.tolist() == [0, 1] and r.tolist() == [0, 1]
    d, r = match_events(np.array([1.06]), ref, 0.07)  # within reach of both: the nearer one wins
    assert d.tolist() == [0] and r.tolist() == [1]


def test_scores_count_misses_and_extras():
    ref = np.array([1.0, 2.0, 3.0, np.nan])
    det = np.array([1.01, 2.03, 5.0])
    s = event_scores(det, ref, 0.05)
    assert (s["n_detected"], s["n_reference"], s["n_matched"]) == (3, 3, 2)
    assert s["f1"] == pytest.approx(2 / 3)
    assert s["bias_ms"] == pytest.approx(20.0)
    assert s["mae_ms"] == pytest.approx(20.0)


def test_empty_and_bad_tolerance():
    s = event_scores([], [1.0], 0.05)
    assert s["n_matched"] == 0 and s["recall"] == 0 and np.isnan(s["mae_ms"])
    with pytest.raises(ValueError, match="tolerance_s"):
        match_events([1.0], [1.0], -1.0)
