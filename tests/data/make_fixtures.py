"""Regenerate the reader fixtures in tests/data/formats and tests/data/bad (deterministic).

Run: python tests/data/make_fixtures.py. The app-export fixtures follow each app's documented
layout (see docs/formats.md for the sources); the signal is a simple running-like pattern:
vertical 1 g +- 0.6 g at 2.8 Hz (168 steps/min), small fore-aft and lateral components.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
FMT = HERE / "formats"
BAD = HERE / "bad"
STEP_HZ = 2.8
G = 9.80665


def signal_g(t: np.ndarray) -> np.ndarray:
    """Specific force (g), sensor frame x fwd, y left, z up."""
    w = 2 * np.pi * STEP_HZ * t
    return np.column_stack([0.15 * np.sin(w + 0.5), 0.08 * np.sin(w / 2), 1.0 + 0.6 * np.sin(w)])


def gyro_dps(t: np.ndarray) -> np.ndarray:
    w = 2 * np.pi * STEP_HZ * t
    return np.column_stack([20 * np.sin(w / 2), 35 * np.cos(w), 10 * np.sin(w)])


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")


def generic_rows(n: int, fs: float = 100.0) -> tuple[str, np.ndarray, np.ndarray]:
    t = np.arange(n) / fs
    acc = np.round(signal_g(t), 5)
    lines = ["time_s,acc_x_g,acc_y_g,acc_z_g"] + [f"{ti:.2f},{a[0]:.5f},{a[1]:.5f},{a[2]:.5f}"
                                                 for ti, a in zip(t, acc)]
    return "\n".join(lines) + "\n", t, acc


def main() -> None:
    # -- generic CSV with gyro and an extra channel
    n, fs = 500, 100.0
    t = np.arange(n) / fs
    acc, gyr = np.round(signal_g(t), 5), np.round(gyro_dps(t), 3)
    speed = np.round(3.2 + 0.1 * np.sin(t), 3)
    rows = ["time_s,acc_x_g,acc_y_g,acc_z_g,gyr_x_dps,gyr_y_dps,gyr_z_dps,speed_mps,note"]
    rows += [f"{ti:.2f},{a[0]:.5f},{a[1]:.5f},{a[2]:.5f},{g[0]:.3f},{g[1]:.3f},{g[2]:.3f},{s:.3f},ok"
             for ti, a, g, s in zip(t, acc, gyr, speed)]
    write(FMT / "generic_run.csv", "\n".join(rows) + "\n")
    # same data, m/s^2, ISO time stamps, semicolons, a comment preamble
    iso = (np.datetime64("2024-05-01T07:30:00.000") + np.round(t * 1000).astype("timedelta64[ms]")).astype(str)
    rows = ["# exported by a logger", "timestamp;acc_x_mps2;acc_y_mps2;acc_z_mps2"]
    rows += [f"{s};{a[0] * G:.5f};{a[1] * G:.5f};{a[2] * G:.5f}" for s, a in zip(iso, acc)]
    write(FMT / "generic_iso_mps2.csv", "\n".join(rows) + "\n")
    text, _, _ = generic_rows(300)
    (FMT / "generic_run_gz.csv.gz").write_bytes(gzip.compress(text.encode(), mtime=0))
    (FMT / "generic_run_gz_noext.dat").write_bytes(gzip.compress(text.encode(), mtime=0))

    # -- Polar Sensor Logger: Verity Sense ACC + GYRO at 52 Hz, sensor clock in ns since 2000
    fs_p = 52.0
    n_p = 208  # 4 s
    ns0 = 830_000_000_123_456_789
    t_ns = ns0 + np.round(np.arange(n_p) * 1e9 / fs_p).astype(np.int64)
    tt = (t_ns - ns0) / 1e9
    acc_mg = np.round(signal_g(tt) * 1000).astype(int)
    phone = (np.datetime64("2026-04-24T14:10:20.058") + np.round(tt * 1000).astype("timedelta64[ms]")).astype(str)
    rows = ["Phone timestamp;sensor timestamp [ns];X [mg];Y [mg];Z [mg]"]
    rows += [f"{p};{ns};{a[0]};{a[1]};{a[2]}" for p, ns, a in zip(phone, t_ns, acc_mg)]
    base = "Polar_Sense_B5A3F12C_20260424_141011"
    write(FMT / "polar" / f"{base}_ACC.txt", "\n".join(rows) + "\n")
    # gyro: own sampling instants (offset by 5 ms) on the same clock
    g_ns = t_ns + 5_000_000
    gd = np.round(gyro_dps((g_ns - ns0) / 1e9), 2)
    rows = ["Phone timestamp;sensor timestamp [ns];X [dps];Y [dps];Z [dps]"]
    rows += [f"{p};{ns};{g[0]:.2f};{g[1]:.2f};{g[2]:.2f}" for p, ns, g in zip(phone, g_ns, gd)]
    write(FMT / "polar" / f"{base}_GYRO.txt", "\n".join(rows) + "\n")

    # -- MbientLab MetaBase at 100 Hz (epoch ms), accelerometer + gyroscope
    ms0 = 1_560_908_270_384
    ms = ms0 + np.arange(400) * 10
    tt = (ms - ms0) / 1000
    acc = np.round(signal_g(tt), 3)
    gyr = np.round(gyro_dps(tt), 3)
    local = (np.datetime64("2019-06-19T13:37:50.384") + (ms - ms0).astype("timedelta64[ms]")).astype(str)
    local = [s.replace(":", ".") for s in local]
    head = "epoch (ms),time (-13:00),elapsed (s),"
    base = "MetaWear_2019-06-19T13.37.50.384_D5D3E0B6F0A2_"
    write(FMT / "mbientlab" / f"{base}Accelerometer.csv",
          head + "x-axis (g),y-axis (g),z-axis (g)\n"
          + "".join(f"{m},{lt},{e:.3f},{a[0]:.3f},{a[1]:.3f},{a[2]:.3f}\n" for m, lt, e, a in zip(ms, local, tt, acc)))
    write(FMT / "mbientlab" / f"{base}Gyroscope.csv",
          head + "x-axis (deg/s),y-axis (deg/s),z-axis (deg/s)\n"
          + "".join(f"{m},{lt},{e:.3f},{g[0]:.3f},{g[1]:.3f},{g[2]:.3f}\n" for m, lt, e, g in zip(ms, local, tt, gyr)))

    # -- phyphox "Acceleration with g" + gyroscope (phone clock, jittered ~100 Hz)
    rng = np.random.default_rng(7)
    tp = np.cumsum(np.full(450, 0.01) + rng.normal(0, 0.0005, 450))
    tp -= tp[0]
    a = signal_g(tp) * G
    absolute = np.linalg.norm(a, axis=1)
    q = '"'
    hdr = ",".join(q + c + q for c in ["Time (s)", "Acceleration x (m/s^2)", "Acceleration y (m/s^2)",
                                       "Acceleration z (m/s^2)", "Absolute acceleration (m/s^2)"])
    write(FMT / "phyphox" / "Accelerometer.csv", hdr + "\n" + "".join(
        f"{ti:.9E},{v[0]:.9E},{v[1]:.9E},{v[2]:.9E},{ab:.9E}\n" for ti, v, ab in zip(tp, a, absolute)))
    tg = tp[:440] + 0.003
    gr = np.deg2rad(gyro_dps(tg))
    hdr = ",".join(q + c + q for c in ["Time (s)", "Gyroscope x (rad/s)", "Gyroscope y (rad/s)",
                                       "Gyroscope z (rad/s)", "Absolute (rad/s)"])
    write(FMT / "phyphox" / "Gyroscope.csv", hdr + "\n" + "".join(
        f"{ti:.9E},{v[0]:.9E},{v[1]:.9E},{v[2]:.9E},{np.linalg.norm(v):.9E}\n" for ti, v in zip(tg, gr)))
    # decimal-comma variant
    hdr = ";".join(q + c + q for c in ["Time (s)", "Acceleration x (m/s^2)", "Acceleration y (m/s^2)",
                                       "Acceleration z (m/s^2)", "Absolute acceleration (m/s^2)"])
    write(FMT / "phyphox" / "decimal_comma" / "Raw Data.csv", hdr + "\n" + "".join(
        f"{ti:.6f};{v[0]:.6f};{v[1]:.6f};{v[2]:.6f};{ab:.6f}\n".replace(".", ",")
        for ti, v, ab in zip(tp, a, absolute)))

    # -- Movesense Showcase: 104 Hz, 4 samples per notification, ms time stamps
    fs_m, per = 104.0, 4
    n_pk = 120  # 480 samples, 4.6 s
    ts = 1_234_567 + np.round(np.arange(n_pk) * per * 1000 / fs_m).astype(int)
    tm = np.arange(n_pk * per) / fs_m
    am = np.round(signal_g(tm) * G, 4)
    gm = np.round(gyro_dps(tm), 2)
    data = []
    for i in range(n_pk):
        sl = slice(i * per, (i + 1) * per)
        data.append({"acc": {"Timestamp": int(ts[i]),
                             "ArrayAcc": [{"x": v[0], "y": v[1], "z": v[2]} for v in am[sl].tolist()]}})
        data.append({"gyro": {"Timestamp": int(ts[i]),
                              "ArrayGyro": [{"x": v[0], "y": v[1], "z": v[2]} for v in gm[sl].tolist()]}})
    write(FMT / "movesense" / "MovesenseAcc.json", json.dumps({"data": data}, indent=1))
    rows = ["Timestamp,x,y,z"] + [f"{ts[i // per]},{v[0]},{v[1]},{v[2]}" for i, v in enumerate(am.tolist())]
    write(FMT / "movesense" / "MovesenseAcc.csv", "\n".join(rows) + "\n")

    make_bad()
    make_mobiact_shimmer()


def make_bad() -> None:
    text, t, acc = generic_rows(400)
    lines = text.splitlines()

    def put(name: str, ls: list[str], end: str = "\n") -> None:
        write(BAD / name, "\n".join(ls) + end)

    put("unknown_header.csv", ["when,ax,ay,az"] + lines[1:])
    put("missing_axis.csv", ["time_s,acc_x_g,acc_y_g"] + [",".join(r.split(",")[:3]) for r in lines[1:]])
    ls = list(lines)
    ls[49] = ls[49].replace(ls[49].split(",")[1], "abc", 1)  # line 50, column acc_x_g
    put("non_numeric.csv", ls)
    # preamble (2 comment lines) + a blank line inside the data: 'abc' lands on line 60
    ls = ["# device: test", "# fs: 100"] + list(lines)
    ls.insert(30, "")
    cells = ls[59].split(",")
    cells[3] = "abc"
    ls[59] = ",".join(cells)
    put("preamble_non_numeric.csv", ls)
    ls = list(lines)
    for i in range(99, 104):  # lines 100-104
        c = ls[i].split(",")
        c[2] = "NaN" if i < 103 else "inf"
        ls[i] = ",".join(c)
    put("nan_run.csv", ls)
    ls = list(lines)
    ls[119], ls[120] = ls[120], ls[119]  # line 121 (t=1.19) comes after line 120 (t=1.20)
    put("backwards.csv", ls)
    ls = list(lines)
    ls.insert(80, ls[79])  # exact duplicate of line 80 as line 81
    ls.insert(200, ls[199])
    put("duplicate_exact.csv", ls)
    ls = list(lines)
    c = ls[79].split(",")
    c[3] = "1.23456"
    ls.insert(80, ",".join(c))  # line 81: same time as line 80, other values
    put("duplicate_conflict.csv", ls)
    put("too_short.csv", lines[:151])  # 150 rows = 1.49 s
    put("units_mps2_says_g.csv", [lines[0]] + [
        ",".join([r.split(",")[0]] + [f"{float(v) * G:.5f}" for v in r.split(",")[1:]]) for r in lines[1:]])
    put("units_gravity_free.csv", ["time_s,acc_x_mps2,acc_y_mps2,acc_z_mps2"] + [
        ",".join([r.split(",")[0]] + [f"{float(v) * G * 0.02:.5f}" for v in r.split(",")[1:3]] + ["0.01"])
        for r in lines[1:]])
    write(BAD / "empty.csv", "")
    (BAD / "binary.csv").write_bytes(bytes(np.random.default_rng(3).integers(0, 256, 2048, dtype=np.uint8)))
    put("truncated.csv", lines + ["4.00,0.0123"], end="")  # writer stopped mid-row, no line end
    ls = list(lines)
    ls[69] = ls[69] + ",0.5"  # line 70 has 5 fields
    put("ragged_row.csv", ls)
    put("phyphox_linear.csv", ['"Time (s)","Linear Acceleration x (m/s^2)","Linear Acceleration y (m/s^2)",'
                               '"Linear Acceleration z (m/s^2)","Absolute acceleration (m/s^2)"']
        + [f"{ti:.3f},0.1,0.2,0.3,0.37" for ti in t])
    put("header_only.csv", [lines[0]])
    make_crashed(lines)


def make_crashed(lines: list[str]) -> None:
    """What a crashed recorder or a mis-set app leaves behind (400 rows of 100 Hz unless said)."""

    def put(name: str, ls: list[str], end: str = "\n", tail: bytes = b"") -> None:
        (BAD / name).write_bytes(("\n".join(ls) + end).encode() + tail)

    # readable up to the damage, with a warning naming the line
    put("crashed_empty_cell.csv", lines + ["4.00,0.01230,-0.04116,"], end="")  # cut right after a delimiter
    put("crashed_cut_token.csv", lines + ["4.00,0.01230,-0.04116,1.2e"], end="")  # cut inside a number
    put("crashed_nul_padding.csv", lines + ["4.00,0.01"], end="", tail=b"\x00" * 4096)  # preallocated file
    put("crashed_nul_after_row.csv", lines, tail=b"\x00" * 1000)
    whole = gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0)
    (BAD / "crashed_cut.csv.gz").write_bytes(whole[: len(whole) * 3 // 4])  # gzip written until the crash
    # errors (file:line:column)
    put("header_repeated.csv", lines[:201] + lines)  # restarted and appended: header again on line 202
    put("clock_reset.csv", lines[:201] + lines[1:101])  # restarted without a header: time back to 0 on line 202
    put("partial_row_inside.csv", lines[:149] + ["1.48,0.0"] + lines[150:])  # line 150 cut, file goes on
    put("extra_column_every_row.csv", [lines[0]] + [r + ",0" for r in lines[1:]])  # 5 fields under 4 names
    put("all_zero.csv", [lines[0]] + [f"{r.split(',')[0]},0,0,0" for r in lines[1:]])  # sensor never started
    put("units_mg_says_g.csv", [lines[0]] + [  # app set to mg, header says g
        ",".join([r.split(",")[0]] + [f"{float(v) * 1000:.2f}" for v in r.split(",")[1:]]) for r in lines[1:]])


def running_g(t: np.ndarray, peak_g: float) -> np.ndarray:
    """Like :func:`signal_g` with a vertical swing reaching ``peak_g`` (impacts beyond +-2 g)."""
    acc = signal_g(t)
    acc[:, 2] = 1.0 + (peak_g - 1.0) * np.sin(2 * np.pi * STEP_HZ * t)
    return acc


def make_mobiact_shimmer() -> None:
    """MobiAct logger ``acc``/``gyro`` pair and Shimmer CSV exports (plain, Consensys tab and comma)."""
    # -- MobiAct: irregular ~50 Hz phone clock in ns (a 200 ms hole after the first sample, as the
    # real files have), m/s^2 with gravity, gyro in rad/s on the same clock; CRLF like the app
    rng = np.random.default_rng(11)
    ns0 = 5_120_334_817_000
    dt = np.round(rng.uniform(0.017, 0.023, 125) * 1e9 / 1000).astype(np.int64) * 1000
    dt[0] = 200_000_000
    t_ns = ns0 + np.concatenate([[0], np.cumsum(dt)])
    tt = (t_ns - ns0) / 1e9
    pre = ["#Rate of rotation around the x y z axes (Angular velocity).", "#timestamp(ns),x,y,z(rad/s)"]
    rest = ["#Datetime: 25/12/2014 08:05:09", "#" * 42, "#Activity: 3 - JOG - Jogging - 30s",
            "#Subject ID: 99", "#First Name: anon", "#Last Name: anon", "#Age: 30", "#Height(cm): 175",
            "#Weight(kg): 70", "#Gender: Male", "#" * 42, "", "", "@DATA"]
    acc = signal_g(tt) * G
    rows = ["#Acceleration force along the x y z axes (including gravity).", "#timestamp(ns),x,y,z(m/s^2)"]
    rows += rest + [f"{n}, {a[0]:.7g}, {a[1]:.7g}, {a[2]:.7g}" for n, a in zip(t_ns, acc)]
    write(FMT / "mobiact" / "JOG_acc_99_1.txt", "\r\n".join(rows) + "\r\n")
    g_ns = np.arange(t_ns[0] - 3_000_000, t_ns[-1] + 20_000_000, 20_000_000)
    gyr = np.deg2rad(gyro_dps((g_ns - ns0) / 1e9))
    rows = pre + rest + [f"{n}, {g[0]:.8g}, {g[1]:.8g}, {g[2]:.8g}" for n, g in zip(g_ns, gyr)]
    write(FMT / "mobiact" / "JOG_gyro_99_1.txt", "\r\n".join(rows) + "\r\n")

    # -- Shimmer at 51.2 Hz (a Shimmer3 rate), 2.5 s
    n, fs = 128, 51.2
    t_ms = (np.arange(n) + 1) * 1000 / fs
    ts = t_ms / 1000
    # plain layout: bare names, ms from the first packet, LN only
    a = signal_g(ts) * G
    rows = ["Accel_LN_X,Accel_LN_Y,Accel_LN_Z,System_Timestamp_Plot_Zeroed"]
    rows += [f"{v[0]:.9f},{v[1]:.9f},{v[2]:.9f},{t:.6f}" for v, t in zip(a, t_ms)]
    write(FMT / "shimmer" / "shimmer_plain_ln.csv", "\n".join(rows) + "\n")
    # Consensys calibrated, tab: "sep=<TAB>", prefixed names, trailing tab, units row ('*' = default
    # calibration); impacts reach 2.8 g, the LN accelerometer tops out at its rail (2.4 g)
    unix = 1_600_000_000_000.0 + 125.25 + t_ms
    true = running_g(ts, 2.8) * G
    ln = np.clip(true, -2.4 * G, 2.4 * G)
    gyr = gyro_dps(ts)
    dev = "Shimmer_8D58_"
    names = ["Timestamp_Unix_CAL", "Accel_LN_X_CAL", "Accel_LN_Y_CAL", "Accel_LN_Z_CAL", "Accel_WR_X_CAL",
             "Accel_WR_Y_CAL", "Accel_WR_Z_CAL", "Battery_CAL", "Gyro_X_CAL", "Gyro_Y_CAL", "Gyro_Z_CAL"]
    units = ["ms"] + ["m/(s^2)*"] * 3 + ["m/(s^2)"] * 3 + ["mV"] + ["deg/s*"] * 3
    rows = ['"sep=\t"', "\t".join(dev + c for c in names) + "\t", "\t".join(units) + "\t"]
    rows += ["\t".join([f"{u:.5f}"] + [f"{x:.6f}" for x in (*la, *wa)] + ["3950.0"] + [f"{x:.4f}" for x in g]) + "\t"
             for u, la, wa, g in zip(unix, ln, true, gyr)]
    write(FMT / "shimmer" / "Consensys_tab_ln_wr_gyro.csv", "\r\n".join(rows) + "\r\n")
    # Consensys calibrated, comma: sep=, unquoted, a trial-name prefix; LN within range (preferred)
    dev = "S_SeatHead_"
    names = ["Timestamp_Unix_CAL", "Accel_WR_X_CAL", "Accel_WR_Y_CAL", "Accel_WR_Z_CAL", "Accel_LN_X_CAL",
             "Accel_LN_Y_CAL", "Accel_LN_Z_CAL"]
    rows = ["sep=,", ",".join(dev + c for c in names) + ",", ",".join(["ms"] + ["m/(s^2)"] * 6) + ","]
    rows += [",".join([f"{u:.5f}"] + [f"{x + 0.05:.6f}" for x in v] + [f"{x:.6f}" for x in v]) + ","
             for u, v in zip(unix, a)]
    write(FMT / "shimmer" / "Consensys_comma_ln.csv", "\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
