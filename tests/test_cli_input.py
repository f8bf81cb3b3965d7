"""Input problems fixable from both interfaces (issue #18): reader options on the command line, hints
phrased for the interface that raised them, decimal commas, spreadsheets, missing files, no
Bluetooth, no bumble, shoe sides from file names, the batch index page."""

from __future__ import annotations

import gzip
import logging
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import gaitlab
from gaitlab.cli import main
from gaitlab.errors import InputError, MissingFileError, option, phrasing
from gaitlab.io.naming import pair_sides, side_from_name

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"


def _walk(n: int = 3000, fs: float = 100.0) -> tuple[np.ndarray, np.ndarray]:
    """A plausible 1 g signal with 2.9 Hz bounce (t in s, acc in g, z up)."""
    t = np.arange(n) / fs
    acc = np.column_stack([0.1 * np.sin(2 * np.pi * 1.45 * t), 0.05 * np.cos(2 * np.pi * 1.45 * t),
                           1.0 + 0.6 * np.sin(2 * np.pi * 2.9 * t)])
    return t, acc


def _csv(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text(header + "\n" + "\n".join(rows) + "\n")
    return path


# -- one place phrases hints for the caller -----------------------------------------------------
def test_option_is_phrased_for_the_interface():
    assert option("acc_unit", "mg") == "acc_unit='mg'"
    assert option("decimal_comma", True) == "decimal_comma=True"
    assert option("time_unit") == "time_unit="
    with phrasing("cli"):
        assert option("acc_unit", "mg") == "--acc-unit mg"
        assert option("decimal_comma", True) == "--decimal-comma"
        assert option("time_unit") == "--time-unit UNIT"
        assert option("columns", {"time": "T", "acc_x": "X"}) == "--columns time=T,acc_x=X"
    assert option("acc_unit", "mg") == "acc_unit='mg'"  # the block restores the caller's phrasing


def test_every_cli_option_named_by_hints_exists():
    """A hint on the command line must name an option the command really has."""
    from gaitlab.cli import build_parser
    from gaitlab.errors import CLI_OPTIONS

    sub = next(a for a in build_parser()._actions if a.dest == "command")

    def flags(command):
        return {s for a in sub.choices[command]._actions for s in a.option_strings}

    reader = {CLI_OPTIONS[k] for k in ("acc_unit", "time_unit", "columns", "decimal_comma", "fs")}
    assert reader <= flags("analyze") and reader <= flags("info") and reader <= flags("batch")
    assert {CLI_OPTIONS[k] for k in ("gyro_path", "side", "speed_mps", "speed_from")} <= flags("analyze")
    assert CLI_OPTIONS["noise_from"] in flags("compare")


def test_acc_unit_hint_and_option(tmp_path, capsys):
    t, acc = _walk()
    mislabelled = _csv(tmp_path / "mg.csv", "time_s,acc_x_g,acc_y_g,acc_z_g",
                       [f"{a:.2f},{x * 1000:.1f},{y * 1000:.1f},{z * 1000:.1f}" for a, (x, y, z) in zip(t, acc)])
    with pytest.raises(InputError) as err:
        gaitlab.read(mislabelled)
    assert "acc_unit='mg'" in str(err.value) and "--acc-unit" not in str(err.value)
    assert main(["info", str(mislabelled)]) == 2
    msg = capsys.readouterr().err
    assert "--acc-unit mg" in msg and "acc_unit=" not in msg
    assert main(["info", str(mislabelled), "--acc-unit", "mg", "--json"]) == 0
    assert '"acc": "mg"' in capsys.readouterr().out


def test_columns_and_time_unit_options(tmp_path, capsys):
    t, acc = _walk()
    odd = _csv(tmp_path / "odd.csv", "Zeit,AX,AY,AZ",
               [f"{a * 1000:.0f},{x:.4f},{y:.4f},{z:.4f}" for a, (x, y, z) in zip(t, acc)])
    assert main(["info", str(odd)]) == 2
    msg = capsys.readouterr().err
    assert "--columns time=...,acc_x=...,acc_y=...,acc_z=..." in msg and "columns={" not in msg
    cols = "time=Zeit,acc_x=AX,acc_y=AY,acc_z=AZ"
    assert main(["info", str(odd), "--columns", cols]) == 2  # the time unit is still unknown
    msg = capsys.readouterr().err
    assert "--time-unit UNIT" in msg and "time_unit=" not in msg
    assert main(["info", str(odd), "--columns", cols, "--time-unit", "ms", "--json"]) == 0
    out = capsys.readouterr().out
    assert '"duration_s": 29.99' in out and '"fs_hz": 100.0' in out
    # the same file from Python
    rec = gaitlab.read(odd, columns={"time": "Zeit", "acc_x": "AX", "acc_y": "AY", "acc_z": "AZ"}, time_unit="ms")
    assert rec.fs == pytest.approx(100.0) and rec.duration_s == pytest.approx(29.99)
    with pytest.raises(SystemExit):  # argparse: ROLE=COLUMN pairs
        main(["info", str(odd), "--columns", "time"])
    assert "ROLE=COLUMN" in capsys.readouterr().err


def test_decimal_commas(tmp_path, capsys):
    t, acc = _walk()
    rows = [f"{a:.2f};{x:.4f};{y:.4f};{z:.4f}".replace(".", ",") for a, (x, y, z) in zip(t, acc)]
    semi = _csv(tmp_path / "semi.csv", "time_s;acc_x_g;acc_y_g;acc_z_g", rows)
    rec = gaitlab.read(semi)  # ';' between fields: decimal commas are unambiguous, read as such
    np.testing.assert_allclose(rec.acc[:, 2], np.round(acc[:, 2], 4), atol=1e-9)
    quoted = _csv(tmp_path / "quoted.csv", "time_s,acc_x_g,acc_y_g,acc_z_g",
                  [",".join(f'"{c}"' for c in r.split(";")) for r in rows])
    with pytest.raises(InputError) as err:
        gaitlab.read(quoted)
    assert "'0,00' is not a number" in str(err.value) and "decimal_comma=True" in str(err.value)
    assert main(["info", str(quoted)]) == 2
    msg = capsys.readouterr().err
    assert "decimal comma" in msg and "--decimal-comma" in msg and "decimal_comma=" not in msg
    assert main(["info", str(quoted), "--decimal-comma"]) == 0
    assert gaitlab.read(quoted, decimal_comma=True).n_samples == t.size


def test_spreadsheet_and_missing_file(tmp_path, capsys):
    book = tmp_path / "run.xlsx"
    with zipfile.ZipFile(book, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
    with pytest.raises(InputError, match=r"Excel workbook \(\.xlsx\).*export the sheet as CSV") as err:
        gaitlab.read(book)
    assert "NUL" not in str(err.value)
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(InputError, match=r"Excel workbook \(\.xls\)"):
        gaitlab.read(tmp_path / "old.xls")
    missing = tmp_path / "nope.csv"
    with pytest.raises(InputError) as err:
        gaitlab.read(missing)
    assert isinstance(err.value, MissingFileError) and isinstance(err.value, FileNotFoundError)
    assert str(err.value) == f"{missing}: no such file"
    assert main(["analyze", str(missing)]) == 2
    assert capsys.readouterr().err.strip() == f"gaitlab: error: {missing}: no such file"
    assert main(["analyze", str(SAMPLE / "waist_run.csv.gz"), "--speed-from", str(tmp_path / "w.fit")]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == f"gaitlab: error: {tmp_path / 'w.fit'}: no such file"


# -- Bluetooth and the emulator's optional package ----------------------------------------------
def test_scan_without_bluetooth_says_so(monkeypatch, capsys):
    import bleak

    async def no_dbus(*args, **kwargs):
        raise FileNotFoundError(2, "No such file or directory")  # what bleak raises without BlueZ

    monkeypatch.setattr(bleak.BleakScanner, "discover", no_dbus)
    assert main(["scan", "--timeout", "0.1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gaitlab: error: Bluetooth is not available on this machine")
    assert "BlueZ" in err and "internal error" not in err


def test_emulate_without_bumble_names_the_extra():
    code = ("import sys; sys.modules['bumble'] = None; from gaitlab.cli import main; "
            f"sys.exit(main(['stream', '--emulate', 'polar-h10', '--source', {str(SAMPLE / 'waist_run.csv.gz')!r}]))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 2, res.stderr
    assert "pip install 'gaitlab-run[emulate]'" in res.stderr
    assert "internal error" not in res.stderr and "ModuleNotFoundError" not in res.stderr


def test_stream_help_has_no_rest_markup(capsys):
    with pytest.raises(SystemExit):
        main(["stream", "--help"])
    out = capsys.readouterr().out
    assert "--placement shoe" in out
    for markup in ("``", ":class:", ":func:", ":mod:"):
        assert markup not in out


# -- shoe sides from file names -----------------------------------------------------------------
@pytest.mark.parametrize("name, side", [
    ("shoe_R.csv.gz", "R"), ("data/shoe_L.csv.gz", "L"), ("RunLeftFoot.csv", "L"), ("2024-05-01 right.parquet", "R"),
    ("run_links.csv", "L"), ("trial3_R2.csv", "R"), ("run.csv", None), ("runner.csv", None),
    ("left_right.csv", None), ("Ralph.csv", None),
])
def test_side_from_name(name, side):
    assert side_from_name(name) == side


def test_pair_sides(caplog):
    assert pair_sides(["shoe_R.csv", "shoe_L.csv"]) == ["R", "L"]
    assert pair_sides(["a.csv", "b_left.csv"]) == ["R", "L"]
    assert pair_sides(["shoe_R.csv", "x.csv"], stored=("L", None)) == ["L", "R"]  # the file's own side wins
    with pytest.raises(InputError, match="both files of the shoe pair are the left foot"):
        pair_sides(["a_L.csv", "b_L.csv"])
    with caplog.at_level(logging.WARNING, logger="gaitlab.io.naming"):
        assert pair_sides(["a.csv", "b.csv"]) == ["L", "R"]
    assert "neither the files nor their names say which foot" in caplog.text


@pytest.mark.slow
def test_shoe_pair_in_either_order_keeps_the_feet(capsys):
    """R given first used to print the left foot's GCT balance as right."""
    left, right = str(SAMPLE / "shoe_L.csv.gz"), str(SAMPLE / "shoe_R.csv.gz")
    assert main(["analyze", right, left, "--placement", "shoe"]) == 0
    swapped = capsys.readouterr().out
    assert main(["analyze", left, right, "--placement", "shoe"]) == 0
    straight = capsys.readouterr().out

    def balance(text):
        return next(line for line in text.splitlines() if "GCT balance" in line)

    assert balance(swapped) == balance(straight)
    assert "% L" in balance(straight) or "(even)" in balance(straight)


# -- batch ---------------------------------------------------------------------------------------
def test_batch_reader_options_and_cli_hints(tmp_path, capsys):
    """--acc-unit reaches every file's reader, and a failed file's hint names the CLI option."""
    rec = gaitlab.read(SAMPLE / "waist_run.csv.gz").slice(0, 90)
    folder = tmp_path / "in"
    folder.mkdir()
    with gzip.open(folder / "mg.csv.gz", "wt") as fh:
        fh.write("time_s,acc_x_g,acc_y_g,acc_z_g\n")
        for ti, (x, y, z) in zip(rec.t, rec.acc * 1000):
            fh.write(f"{ti:.2f},{x:.1f},{y:.1f},{z:.1f}\n")
    out = tmp_path / "out"
    assert main(["batch", str(folder), "--out", str(out), "-j", "1", "--no-progress", "--strict"]) == 2
    table = pd.read_csv(out / "summary.csv")
    assert "--acc-unit mg" in table.loc[0, "error"] and "acc_unit=" not in table.loc[0, "error"]
    capsys.readouterr()
    assert main(["batch", str(folder), "--out", str(out), "-j", "1", "--no-progress", "--strict",
                 "--acc-unit", "mg"]) == 0
    table = pd.read_csv(out / "summary.csv")
    assert table.loc[0, "status"] == "ok" and table.loc[0, "n_steps"] > 100


def test_batch_index_page():
    from gaitlab.batch.outputs import ERROR_PREVIEW_CHARS, index_html, summary_frame

    long_error = "run_10.csv:3: " + "a very long explanation " * 40
    rows = [
        {"file": "run_10.csv", "status": "error", "error": long_error},
        {"file": "run_2.csv", "status": "ok", "summary": {"n_steps": 10}, "n_warn": 1, "n_alert": 1,
         "flag_codes": "low_cadence overstride", "flags": "warn:low_cadence alert:overstride"},
        {"file": "run_1.csv", "status": "ok", "summary": {"n_steps": 10}, "flag_codes": "old_code"},
    ]
    page = index_html(summary_frame(rows))
    assert page.index(">run_1.csv<") < page.index(">run_2.csv<") < page.index(">run_10.csv<")
    # the long error is cut in the table, whole in the details and the tooltip
    summary = page.split("<summary>", 1)[1].split("</summary>", 1)[0]
    assert len(summary) <= ERROR_PREVIEW_CHARS + 1 and summary.endswith("\u2026")
    assert page.count(long_error.strip()) == 2
    # severities shown, worst first; a table without them still shows the codes
    assert page.index("alert: overstride") < page.index("warn: low_cadence")
    assert 'class="sev sev-alert"' in page and ">old_code<" in page
