"""Recording: validation, immutability, cheapness, slicing, gaps, DataFrame round trip."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from gaitlab import InputError, Recording


def _rec(n=500, fs=100.0, **kw):
    t = np.arange(n) / fs
    acc = np.column_stack((np.zeros(n), np.zeros(n), np.ones(n)))
    return Recording(t, acc, fs=fs, **kw)


def test_fields_and_estimated_rate():
    t = np.arange(1000) / 200.0
    rec = Recording(t, np.tile([0.0, 0.0, 1.0], (1000, 1)), placement="waist")
    assert rec.fs == 200.0 and rec.n_samples == 1000 and rec.duration_s == pytest.approx(4.995)
    assert rec.gyr is None and not rec.has_gyro and rec.placement == "waist" and rec.side is None


def test_immutable_and_no_copy():
    t = np.arange(100) / 50.0
    acc = np.tile([0.0, 0.0, 1.0], (100, 1))
    rec = Recording(t, acc)
    assert np.shares_memory(rec.acc, acc) and np.shares_memory(rec.t, t)
    with pytest.raises(ValueError):
        rec.acc[0, 0] = 5.0
    acc[0, 0] = 2.0  # the caller's array stays writable (and the recording is a view of it)
    with pytest.raises(AttributeError):
        rec.fs = 1.0
    with pytest.raises(TypeError):
        rec.meta["source"] = "x"


@pytest.mark.parametrize("t,acc,match", [
    (np.arange(10.0), np.ones((10, 2)), r"shape \(n, 3\)"),
    (np.arange(10.0), np.ones((9, 3)), "9 rows but t has 10"),
    (np.array([0.0, 1.0, 1.0, 2.0]), np.ones((4, 3)), "strictly increasing; sample 2"),
    (np.array([0.0, 2.0, 1.0]), np.ones((3, 3)), "strictly increasing"),
    (np.array([0.0, np.nan, 2.0]), np.ones((3, 3)), "NaN or infinite value at sample 1"),
    (np.arange(3.0), np.array([[0, 0, 1], [0, np.inf, 1], [0, 0, 1.0]]), "acc has a NaN or infinite value at sample 1"),
    (np.arange(1.0), np.ones((1, 3)), "at least 2 samples"),
    (np.arange(3.0), [["a", "b", "c"]] * 3, "numeric"),
])
def test_bad_construction_is_a_clear_input_error(t, acc, match):
    with pytest.raises(InputError, match=match):
        Recording(t, acc)


@pytest.mark.parametrize("kw,match", [
    ({"placement": "wrist"}, "placement"), ({"side": "left"}, "side"), ({"fs": -1.0}, "fs"),
    ({"gyr": np.ones((4, 3))}, "gyr has 4 rows"), ({"extra": {"speed_mps": np.ones(3)}}, "extra channel"),
])
def test_bad_options(kw, match):
    gyr = kw.pop("gyr", None)
    with pytest.raises(InputError, match=match):
        Recording(np.arange(10.0), np.ones((10, 3)), gyr, **kw)


def test_error_names_the_source_file():
    with pytest.raises(InputError) as exc:
        Recording(np.array([0.0, 0.0]), np.ones((2, 3)), meta={"source": "run.csv"})
    assert str(exc.value).startswith("run.csv: ") and exc.value.path == "run.csv"


def test_gaps_are_intervals_longer_than_one_and_a_half_periods():
    t = np.concatenate((np.arange(100), np.arange(103, 200), np.arange(201.6, 250))) / 100.0
    rec = Recording(t, np.ones((t.size, 3)), fs=100.0)
    np.testing.assert_allclose(rec.gaps, [[0.99, 1.03], [1.99, 2.016]])
    assert _rec().gaps.shape == (0, 2)


def test_slice_is_a_view_on_the_time_axis():
    rec = _rec(1000, extra={"speed_mps": np.full(1000, 3.0)})
    part = rec.slice(2.0, 4.0)
    assert part.t[0] == pytest.approx(2.0) and part.t[-1] < 4.0 and part.n_samples == 200
    assert np.shares_memory(part.acc, rec.acc) and part.extra["speed_mps"].size == 200
    with pytest.raises(InputError, match="holds 0 samples"):
        rec.slice(50.0, 60.0)


def test_frame_round_trip_and_pickle():
    rng = np.random.default_rng(0)
    n = 300
    rec = Recording(np.arange(n) / 100.0, rng.normal(size=(n, 3)), rng.normal(size=(n, 3)), fs=100.0,
                    placement="shoe", side="L", meta={"source": "x.csv"}, extra={"speed_mps": rng.random(n)})
    df = rec.to_frame()
    assert list(df.columns[:7]) == ["time_s", "acc_x_g", "acc_y_g", "acc_z_g", "gyr_x_dps", "gyr_y_dps", "gyr_z_dps"]
    back = Recording.from_frame(df)
    assert back == rec and back.meta["source"] == "x.csv"
    assert pickle.loads(pickle.dumps(rec)) == rec
    with pytest.raises(InputError, match="missing column"):
        Recording.from_frame(df.drop(columns=["acc_y_g"]))


def test_replace_keeps_arrays_shared():
    rec = _rec()
    other = rec.replace(placement="waist")
    assert other.placement == "waist" and np.shares_memory(other.acc, rec.acc)
    assert "placement='waist'" in repr(other)
