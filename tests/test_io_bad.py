"""The bad-input corpus (tests/data/bad): each file gets a typed InputError with line and column.

Lines are 1-based with the header on line 1 (plus preamble lines), as an editor counts them.
"""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gaitlab import InputError
from gaitlab.io import read

BAD = Path(__file__).parent / "data" / "bad"

# file, line, column, message fragment(s)
CASES = [
    ("unknown_header.csv", 1, None, ["unrecognised header 'when,ax,ay,az'", "expected one of:", "generic-csv",
                                     "polar-sensor-logger", "mbientlab-metabase", "phyphox", "movesense"]),
    ("missing_axis.csv", 1, None, ["missing axis column acc_z_g"]),
    ("non_numeric.csv", 50, "acc_x_g", ["'abc' is not a number"]),
    ("preamble_non_numeric.csv", 60, "acc_z_g", ["'abc' is not a number"]),
    ("nan_run.csv", 100, "acc_y_g", ["line 100 to line 104", "5 row(s) in this run"]),
    ("backwards.csv", 121, "time_s", ["time goes backwards", "line 120"]),
    ("duplicate_conflict.csv", 81, "time_s", ["line 80 and line 81 have the same time stamp"]),
    ("too_short.csv", None, None, ["only 1.49 s of data (150 samples); need at least 2 s"]),
    ("units_mps2_says_g.csv", None, "acc_x_g, acc_y_g, acc_z_g", ["looks like m/s^2 but the header says g"]),
    ("units_gravity_free.csv", None, "acc_x_mps2, acc_y_mps2, acc_z_mps2",
     ["neither about 1 g nor about 9.81 m/s^2"]),
    ("empty.csv", None, None, ["the file is empty"]),
    ("binary.csv", None, None, ["binary file"]),
    ("ragged_row.csv", 70, None, ["expected 4 fields", "found 5"]),
    ("header_only.csv", None, None, ["no data rows after the header"]),
    ("phyphox_linear.csv", 1, "Linear Acceleration x (m/s^2)", ["'Acceleration without g'"]),
    # what a crashed recorder or a mis-set app leaves behind (make_fixtures.make_crashed)
    ("header_repeated.csv", 202, None, ["the header line repeats here (first on line 1)", "split the file"]),
    ("clock_reset.csv", 202, "time_s", ["time goes backwards"]),
    ("partial_row_inside.csv", 150, None, ["expected 4 fields", "found 2"]),
    ("extra_column_every_row.csv", 2, None, ["expected 4 fields", "found 5"]),
    ("all_zero.csv", None, "acc_x_g, acc_y_g, acc_z_g", ["reads exactly 0 on all three axes"]),
    ("units_mg_says_g.csv", None, "acc_x_g, acc_y_g, acc_z_g", ["looks like mg but the header says g",
                                                                "acc_unit='mg'"]),
]


@pytest.mark.parametrize("name,line,column,fragments", CASES, ids=[c[0] for c in CASES])
def test_bad_file_gives_located_input_error(name, line, column, fragments):
    with pytest.raises(InputError) as err:
        read(BAD / name)
    e = err.value
    assert e.path == str(BAD / name)
    assert e.line == line
    assert e.column == column
    for frag in fragments:
        assert frag in e.message, (frag, e.message)
    # the one-line CLI form: path:line: column C: message
    if line is not None:
        assert str(e).startswith(f"{BAD / name}:{line}: ")


def test_non_numeric_message_matches_cli_contract():
    with pytest.raises(InputError) as err:
        read(BAD / "non_numeric.csv")
    assert str(err.value) == f"{BAD / 'non_numeric.csv'}:50: column acc_x_g: 'abc' is not a number"


def test_exact_duplicate_rows_are_dropped_with_warning():
    with pytest.warns(UserWarning, match=r"dropped 2 exact duplicate row\(s\) \(first on line 81\)"):
        rec = read(BAD / "duplicate_exact.csv")
    assert rec.n_samples == 400 and rec.fs == 100.0


def test_truncated_last_line_is_ignored_with_warning():
    with pytest.warns(UserWarning, match=r"truncated.csv:402: last line is incomplete"):
        rec = read(BAD / "truncated.csv")
    assert rec.n_samples == 400 and rec.t[-1] == pytest.approx(3.99)


CRASHED = [  # file, warning fragments (the line named), rows read
    ("crashed_empty_cell.csv", [r"crashed_empty_cell.csv:402: last line is incomplete \(column acc_z_g holds ''",
                                "read up to line 401"], 400),
    ("crashed_cut_token.csv", [r"crashed_cut_token.csv:402: last line is incomplete \(column acc_z_g holds "
                               r"'1.2e'"], 400),
    ("crashed_nul_padding.csv", [r"crashed_nul_padding.csv:402: the file ends in 4096 NUL byte\(s\)",
                                 r"crashed_nul_padding.csv:402: last line is incomplete \(the file is cut where the NUL padding"], 400),
    ("crashed_nul_after_row.csv", [r"crashed_nul_after_row.csv:401: the file ends in 1000 NUL byte\(s\) after "
                                   "line 401"], 400),
]
CRASHED_GZ = "crashed_cut.csv.gz"


@pytest.mark.parametrize("name,fragments,n", CRASHED, ids=[c[0] for c in CRASHED])
def test_crashed_recorder_file_is_read_up_to_the_damage(name, fragments, n):
    import re
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rec = read(BAD / name)
    messages = [str(w.message) for w in caught]
    for frag in fragments:
        assert any(re.search(frag, m) for m in messages), (frag, messages)
    assert rec.n_samples == n and rec.t[-1] == pytest.approx(3.99)


def test_crashed_gzip_fixture_is_read_up_to_the_cut():
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rec = read(BAD / CRASHED_GZ)
    messages = " | ".join(str(w.message) for w in caught)
    assert "crashed_cut.csv.gz: the gzip stream ends early" in messages
    assert 100 < rec.n_samples < 400 and np.all(np.diff(rec.t) > 0)


def test_last_number_cut_short_is_dropped(tmp_path):
    """'1.52937' cut to '1.5' still parses: fewer decimals than the row above gives the cut away."""
    text = (BAD / "truncated.csv").read_text()
    p = tmp_path / "cut_number.csv"
    p.write_text(text.rsplit("\n", 1)[0] + "\n4.00,0.01230,-0.04116,1.5")
    with pytest.warns(UserWarning, match=r"cut_number.csv:402: last line is incomplete \(column acc_z_g holds "
                                         r"'1.5', fewer decimals than the '1.\d{5}' above it"):
        rec = read(p)
    assert rec.n_samples == 400


def test_complete_last_row_without_line_end_is_kept_silently(tmp_path):
    import warnings

    text = (BAD.parent / "formats" / "generic_run.csv").read_text().rstrip("\n")
    p = tmp_path / "noeol.csv"
    p.write_text(text)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rec = read(p)
    assert rec.n_samples == 500


def test_nul_bytes_inside_the_content_still_mean_binary(tmp_path):
    text, p = (BAD / "truncated.csv").read_bytes(), tmp_path / "x.csv"
    p.write_bytes(text[:200] + b"\x00\x00" + text[200:] + b"\x00")
    with pytest.raises(InputError, match="binary file"):
        read(p)


def test_corrupt_gzip(tmp_path):
    p = tmp_path / "x.csv.gz"
    data = bytearray(gzip.compress(b"time_s,acc_x_g,acc_y_g,acc_z_g\n" * 100))
    data[12] ^= 0xFF  # damaged inside the deflate stream, not just cut
    p.write_bytes(bytes(data))
    with pytest.raises(InputError, match="cannot be decompressed"):
        read(p)
    p.write_bytes(bytes(data[:11]))  # cut before any data
    with pytest.raises(InputError, match="gzip stream ends before any data"):
        read(p)


def test_gzip_cut_mid_stream_is_read_up_to_the_cut(tmp_path):
    """A recorder that crashed while writing .csv.gz: no end marker, the last row cut."""
    import warnings

    whole = gzip.compress((BAD.parent / "formats" / "generic_run.csv").read_bytes(), mtime=0)
    p = tmp_path / "crashed.csv.gz"
    p.write_bytes(whole[: len(whole) * 3 // 4])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rec = read(p)
    messages = " | ".join(str(w.message) for w in caught)
    assert "the gzip stream ends early" in messages and "last line is incomplete (the file is cut" in messages
    assert 200 < rec.n_samples < 500
    full = read(BAD.parent / "formats" / "generic_run.csv")
    np.testing.assert_array_equal(rec.acc, full.acc[: rec.n_samples])


def test_gzip_of_bad_csv_keeps_line_numbers(tmp_path):
    p = tmp_path / "x.csv.gz"
    p.write_bytes(gzip.compress((BAD / "non_numeric.csv").read_bytes()))
    with pytest.raises(InputError) as err:
        read(p)
    assert (err.value.line, err.value.column) == (50, "acc_x_g")


# -- fuzzing: nothing but InputError escapes the CSV reader -----------------------------------
VALID = (Path(__file__).parent / "data" / "formats" / "generic_run.csv").read_text()[:6000]


def _read_bytes(tmp_path: Path, data: bytes) -> None:
    p = tmp_path / "fuzz.csv"
    p.write_bytes(data)
    try:
        read(p)
    except InputError:
        pass


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_fuzz_random_bytes(tmp_path, data):
    with _no_fail():
        _read_bytes(tmp_path, data)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 2**32 - 1), st.integers(1, 12),
       st.sampled_from(["", ",", ";", "\n", "\r\n", "abc", "nan", "-", "1e999", '"', "\x00", "é", "\t",
                        "0", "-1.5", "#", "  "]))
def test_fuzz_mutated_valid_csv(tmp_path, seed, n_edits, token):
    rnd = random.Random(seed)
    text = list(VALID)
    for _ in range(n_edits):
        i = rnd.randrange(len(text))
        op = rnd.random()
        if op < 0.4:
            text[i] = token
        elif op < 0.7:
            del text[i]
        else:
            text.insert(i, token)
    if rnd.random() < 0.3:
        text = text[: rnd.randrange(len(text))]  # cut anywhere
    with _no_fail():
        _read_bytes(tmp_path, "".join(text).encode("utf-8", errors="surrogatepass"))


class _no_fail:
    def __enter__(self):
        import warnings

        self._cm = warnings.catch_warnings()
        self._cm.__enter__()
        warnings.simplefilter("ignore")

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


def test_carriage_return_inside_the_header_is_an_input_error(tmp_path):
    """Found by the fuzz test: csv's own error must not escape."""
    path = tmp_path / "cr.csv"
    path.write_bytes(b"\x01\r\x01")
    with pytest.raises(InputError, match="header line"):
        read(path)


def test_a_watch_fit_file_is_named_with_what_to_do(tmp_path):
    # a watch's FIT activity holds summaries, not accelerometer samples: the error says what it is
    # and where it goes (--speed-from), rather than "binary file"
    import pandas as pd

    from gaitlab.io.fit import write_fit

    fit = write_fit(pd.DataFrame({"time_s": np.arange(10.0), "cadence_spm": np.full(10, 170.0)}),
                    tmp_path / "watch.fit")
    for path in (fit, tmp_path / "watch.fit.gz"):
        if path.suffix == ".gz":
            path.write_bytes(gzip.compress(fit.read_bytes()))
        with pytest.raises(InputError, match="Garmin FIT activity file") as err:
            read(path)
        assert "--speed-from" in str(err.value) and str(path) in str(err.value)
