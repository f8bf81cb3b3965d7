"""gaitlab._jsontext.dumps gives json.dumps' text (and errors) with an indent."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from gaitlab._jsontext import Records, dumps


def _random_value(rng: np.random.Generator, depth: int):
    kind = int(rng.integers(0, 9 if depth < 3 else 6))
    if kind == 0:
        return float(rng.normal() * 10.0 ** int(rng.integers(-8, 9)))
    if kind == 1:
        return int(rng.integers(-(10**12), 10**12))
    if kind == 2:
        return ["", "a\"b", "é\u2028\n", "\x00ctl", "plain"][int(rng.integers(0, 5))]
    if kind == 3:
        return bool(rng.integers(0, 2))
    if kind == 4:
        return None
    if kind == 5:
        return 0.1 * int(rng.integers(-100, 100))
    if kind == 6:
        return [_random_value(rng, depth + 1) for _ in range(int(rng.integers(0, 4)))]
    if kind == 7:
        keys = [f"k{int(rng.integers(0, 5))}_s" for _ in range(int(rng.integers(0, 4)))]
        return {k: _random_value(rng, depth + 1) for k in keys}
    # a table: records with the same keys (sometimes one row out of order or with a nested value)
    keys = [f"c{j}" for j in range(int(rng.integers(1, 5)))]
    rows = [{k: _random_value(rng, 3) for k in keys} for _ in range(int(rng.integers(1, 6)))]
    if rng.random() < 0.2:
        rows[-1] = dict(reversed(list(rows[-1].items())))
    if rng.random() < 0.2:
        rows[0][keys[0]] = [1, {"x": None}]
    return rows


@pytest.mark.parametrize("indent", [1, 2, 4, "\t"])
def test_same_text_as_json_dumps(indent):
    rng = np.random.default_rng(17)
    for _ in range(300):
        obj = {"steps": _random_value(rng, 0), "summary": _random_value(rng, 1), "t": (1, 2.5, None)}
        assert dumps(obj, indent) == json.dumps(obj, indent=indent, allow_nan=False)


@pytest.mark.parametrize("indent", [None, 1, "\t"])
def test_a_table_of_columns_is_written_as_its_records(indent):
    """:class:`Records` gives the text of its rows, also when empty, nested or not finite (errors)."""
    rng = np.random.default_rng(5)
    for _ in range(200):
        keys = [f"c{j}_ms" for j in range(int(rng.integers(1, 5)))]
        rows = [{k: _random_value(rng, 3) for k in keys} for _ in range(int(rng.integers(0, 6)))]
        if rows and keys and rng.random() < 0.2:
            rows[0][keys[0]] = [1, {"x": None}]
        obj = {"steps": Records(keys, [[r[k] for r in rows] for k in keys]), "n": len(rows)}
        assert dumps(obj, indent) == json.dumps({"steps": rows, "n": len(rows)}, indent=indent, allow_nan=False)
    assert dumps({"gaps": Records([], [])}, indent) == json.dumps({"gaps": []}, indent=indent)
    with pytest.raises(ValueError):
        dumps({"steps": Records(["a"], [[1.0, math.nan]])}, indent)



@pytest.mark.parametrize("indent", [1, "\t"])
def test_a_float_column_with_gaps(indent):
    """The step table's common column: floats with nulls (a metric not measured on some steps)."""
    col = [None, -0.0, 1e-7, 2.5, None, 1.2345678901234567e300, 0.1 + 0.2, None]
    rows = [{"gct_ms": v, "n": i} for i, v in enumerate(col)]
    assert dumps({"t": Records(["gct_ms", "n"], [col, list(range(len(col)))])}, indent) == json.dumps(
        {"t": rows}, indent=indent, allow_nan=False)
    assert dumps({"t": rows}, indent) == json.dumps({"t": rows}, indent=indent, allow_nan=False)
    for bad in (math.nan, -math.inf):
        with pytest.raises(ValueError):
            dumps({"t": Records(["a"], [[None, 1.0, bad]])}, indent)


@pytest.mark.parametrize("indent", [1, "\t"])
def test_keys_with_percent_signs_and_label_columns(indent):
    """Records are %-formatted: a key's own '%' (or '%s') must come out as written."""
    keys = ["share_%", "%s", "side", "n"]
    cols = [[12.5, 0.1], ["%d", "x%sy"], ["left", "right"], [1, 2]]
    rows = [dict(zip(keys, r)) for r in zip(*cols)]
    assert dumps({"t": Records(keys, cols)}, indent) == json.dumps({"t": rows}, indent=indent)
    assert dumps({"t": rows}, indent) == json.dumps({"t": rows}, indent=indent)
    assert dumps({"t": [{"%": "only"}]}, indent) == json.dumps({"t": [{"%": "only"}]}, indent=indent)

@pytest.mark.parametrize("bad", [math.nan, math.inf, {1: 2}, np.float32(1.5), {"a": {1, 2}}])
def test_same_result_or_error_outside_the_fast_path(bad):
    obj = {"rows": [{"a": 1.0}, {"a": bad}]}
    try:
        expected = json.dumps(obj, indent=1, allow_nan=False)
    except (TypeError, ValueError) as exc:
        with pytest.raises(type(exc)):
            dumps(obj, 1)
    else:
        assert dumps(obj, 1) == expected


def test_analysis_json_matches_json_dumps(tmp_path):
    import gaitlab
    from gaitlab.synth import simulate_waist

    a = gaitlab.analyze(simulate_waist(120, fs=100, seed=3).recording)
    d = a.to_dict()
    assert a.to_json(indent=1) == json.dumps(d, indent=1, allow_nan=False)
    assert a.to_json() == json.dumps(d, allow_nan=False)
