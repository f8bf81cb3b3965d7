"""Write the example notebooks (``*.ipynb`` next to this file) from the cell sources below.

The notebooks are kept without outputs in the repository; edit the cells here and run

    python notebooks/make_notebooks.py

``tests/test_notebooks.py`` checks that the committed notebooks equal what this script writes, and
executes each one top to bottom in a real Jupyter kernel.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

#: The first code cell of every notebook: figures inline, outputs into a temporary folder.
SETUP = '''\
%matplotlib inline
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

import gaitlab

DATA = Path("../sample_data")  # the notebooks run from notebooks/
# everything this notebook writes goes here, never into the repository
OUT = Path(os.environ.get("GAITLAB_NOTEBOOK_OUT") or tempfile.mkdtemp(prefix="gaitlab-"))
pd.set_option("display.precision", 2)
print("outputs go to", OUT)'''


def md(text: str):
    return new_markdown_cell(text.strip("\n"))


def code(text: str):
    return new_code_cell(text.strip("\n"))


# -- 01 -------------------------------------------------------------------------------------------
ANALYSE = [
    md("""
# 1. Analyse a run

Load a waist-sensor recording, analyse it, look at the summary, the form flags with their
evidence, the figures and the per-step table, and export the results.

The recording is `sample_data/waist_run.csv.gz`: a synthetic 10-minute run at 100 Hz with a
gyroscope, from gaitlab's physics-based generator, so its exact truth is known
(`waist_run.truth.json`). Any file `gaitlab.read` opens works the same way (Polar Sensor Logger,
MetaBase, phyphox, Movesense, generic CSV, Parquet).
"""),
    code(SETUP),
    md("## Read and analyse"),
    code("""
rec = gaitlab.read(DATA / "waist_run.csv.gz")
rec
"""),
    code("""
analysis = gaitlab.analyze(rec)   # or gaitlab.analyze(path)
analysis                          # the rich summary, with the flags
"""),
    md("Run-level numbers are in `analysis.summary` (a dict; NaN where a metric cannot be measured)."),
    code("""
keys = ["cadence_spm", "gct_ms", "flight_ms", "vo_cm", "vertical_ratio_pct", "gct_balance_left_pct",
        "step_time_asymmetry_pct", "impact_g", "braking_mps", "running_s", "n_valid_steps"]
pd.Series({k: analysis.summary[k] for k in keys})
"""),
    md("""
How close is that to the truth? The generator wrote it next to the recording. (Real signals differ
from any model; see the README for the accuracy on synthetic and published data.)
"""),
    code("""
from gaitlab.synth import Truth

truth = Truth.from_json(DATA / "waist_run.truth.json")
check = pd.DataFrame({"gaitlab": {k: analysis.summary[k] for k in ("cadence_spm", "gct_ms", "vo_cm",
                                                                  "gct_balance_left_pct")},
                      "truth": {k: truth.summary[k] for k in ("cadence_spm", "gct_ms", "vo_cm",
                                                              "gct_balance_left_pct")}})
check["error"] = check["gaitlab"] - check["truth"]
assert (check["error"].abs() < [1.0, 10.0, 0.8, 0.5]).all(), check
check
"""),
    md("""
## The flags

Each flag is a running-form pattern that persisted (at least 60 s and 100 steps) with the numbers
behind it, where in the run it happened, the threshold, the sources and advice. They describe
form, not health.
"""),
    code("""
pd.DataFrame([{"code": f["code"], "severity": f["severity"], "metric": f["evidence"].get("metric"),
               "value": f["evidence"].get("value"), "threshold": f["evidence"].get("threshold"),
               "unit": f["evidence"].get("unit"), "from_s": f["evidence"].get("start_s"),
               "to_s": f["evidence"].get("end_s"), "n_steps": f["evidence"].get("n_steps")}
              for f in analysis.flags])
"""),
    code("""
for f in analysis.flags:
    print(f"[{f['severity']}] {f['code']}: {f['message']}")
    print(f"  source: {f['source']}\\n  advice: {f['advice']}\\n")
"""),
    md("""
## Figures

`analysis.plot(kind)` returns a matplotlib `Figure` (nothing is shown by itself; a notebook
displays it as a cell's result, with `%matplotlib inline` as in the first cell). Kinds:
`overview`, `trend`, `balance`, `early_late`, `signal`, `steps`.
"""),
    code('analysis.plot("overview")'),
    code('analysis.plot("trend", metrics=["cadence_spm", "gct_ms", "vo_cm"])'),
    code('analysis.plot("balance")'),
    code('analysis.plot("signal", t0_s=120.0, duration_s=3.0)   # detected contacts on the raw signal'),
    md("""
## The per-step table

`analysis.steps` has one row per detected step: times on the recording's own axis (`ic_s`,
`to_s`), the foot (`side`), the metrics (units in the names) and `valid` / `activity`. Running
metrics use valid running steps only (also available as `analysis.running_steps`).
"""),
    code("""
steps = analysis.steps
running = steps[steps["valid"] & (steps["activity"] == "running")]
print(f"{len(steps)} steps, {len(running)} valid running steps")
running.head()
"""),
    code("""
# per minute and foot: contact time, vertical oscillation and impact
by_minute = (running.assign(minute=(running["ic_s"] // 60).astype(int))
             .groupby(["minute", "side"])[["gct_ms", "vo_cm", "impact_g"]].mean()
             .unstack("side"))
by_minute
"""),
    md("gaitlab's own per-minute segments (used for the trend figures and the Garmin comparison):"),
    code("""
analysis.segments[["start_s", "cadence_spm", "gct_ms", "vo_cm", "gct_balance_left_pct", "vertical_ratio_pct"]]
"""),
    md("## Export"),
    code("""
running.to_parquet(OUT / "steps.parquet")
running.to_csv(OUT / "steps.csv", index=False)
analysis.to_json(OUT / "waist_run.json")
analysis.to_html(OUT / "waist_run.html")          # self-contained report
analysis.plot("trend").savefig(OUT / "trend.png")

back = pd.read_parquet(OUT / "steps.parquet")
assert len(back) == len(running) and np.allclose(back["gct_ms"], running["gct_ms"], equal_nan=True)
sorted(p.name for p in OUT.iterdir())
"""),
]

# -- 02 -------------------------------------------------------------------------------------------
COMPARE = [
    md("""
# 2. Compare runs

Two questions a runner or a coach asks:

1. **Before / after**: did raising the cadence change contact time, bounce and impact?
2. **Early vs late**: how does form drift over a long run (fatigue)?

Both use synthetic runs from `gaitlab.synth` so the notebook runs anywhere and the truth is known;
with your own data, read two files with `gaitlab.read` instead.
"""),
    code(SETUP),
    md("""
## 1. Before and after raising cadence

The same runner at the same speed, 164 steps/min before and 174 after (+6 %, the order of change
Heiderscheit et al. 2011 studied). At the same speed, more steps per minute means shorter steps.
"""),
    code("""
from gaitlab.synth import simulate_waist

common = dict(fs=100.0, speed_mps=3.2, noise="realistic", mounting="tilted", standing_s=(5.0, 0.0))
before = simulate_waist(150.0, seed=11, cadence_spm=164.0, gct_ms=258.0, **common)
after = simulate_waist(150.0, seed=12, cadence_spm=174.0, gct_ms=246.0, **common)
runs = {"before": gaitlab.analyze(before.recording), "after": gaitlab.analyze(after.recording)}
runs
"""),
    code("""
keys = ["cadence_spm", "gct_ms", "flight_ms", "vo_cm", "vertical_ratio_pct", "step_length_m", "impact_g",
        "loading_rate_gps", "braking_mps"]
table = pd.DataFrame({name: {k: a.summary[k] for k in keys} for name, a in runs.items()})
table["change_pct"] = 100.0 * (table["after"] - table["before"]) / table["before"]
table["truth_before"] = [before.truth.summary.get(k, np.nan) for k in keys]
table["truth_after"] = [after.truth.summary.get(k, np.nan) for k in keys]
table
"""),
    code("""
{name: [f["code"] for f in a.flags] for name, a in runs.items()}
"""),
    md("The per-step distributions side by side:"),
    code("""
import matplotlib.pyplot as plt

metrics = ["gct_ms", "vo_cm", "flight_ms", "braking_mps"]
fig, axes = plt.subplots(1, len(metrics), figsize=(13, 3), layout="constrained")
for ax, metric in zip(axes, metrics):
    for name, a in runs.items():
        ax.hist(a.running_steps[metric].dropna(), bins=30, alpha=0.6, label=name)
    ax.set_xlabel(metric)
axes[0].legend()
plt.show()
"""),
    md("""
## 2. Early vs late in one run (fatigue)

A 12-minute run in which contact time rises, cadence drops and the pelvis tilts forward as the
runner tires. gaitlab compares the end of the run with the early-run baseline.
"""),
    code("""
from gaitlab.synth import Fatigue

long_run = simulate_waist(720.0, fs=100.0, seed=4, speed_mps=3.0, cadence_spm=172.0, noise="realistic",
                          mounting="tilted", standing_s=(10.0, 5.0),
                          fatigue=Fatigue(gct_rise_pct=6.0, cadence_drop_pct=3.0, lean_rise_deg=4.0))
tired = gaitlab.analyze(long_run.recording)
tired.segments[["start_s", "cadence_spm", "gct_ms", "vo_cm", "pelvic_tilt_deg", "step_time_cv_pct"]]
"""),
    code('tired.plot("early_late")'),
    code('tired.plot("trend", metrics=["gct_ms", "cadence_spm", "pelvic_tilt_deg"])'),
    md("The same comparison by hand: the first three against the last three minutes of running."),
    code("""
r = tired.running_steps
early, late = r[r["ic_s"] < r["ic_s"].min() + 180], r[r["ic_s"] > r["ic_s"].max() - 180]
cols = ["gct_ms", "step_time_ms", "vo_cm", "pelvic_tilt_deg", "impact_g"]
drift = pd.DataFrame({"early": early[cols].median(), "late": late[cols].median()})
drift["change"] = drift["late"] - drift["early"]
drift
"""),
    code("""
[(f["code"], f["severity"], f["message"]) for f in tired.flags if f["code"] == "fatigue_drift"]
"""),
]

# -- 03 -------------------------------------------------------------------------------------------
LIVE = [
    md("""
# 3. Live stream

Live cadence, ground contact time, vertical oscillation and GCT balance from a Bluetooth LE
sensor, drawn while you run.

**No hardware needed**: with `DEVICE = None` an emulated Polar H10 plays 35 s of the sample run
over a virtual radio (`gaitlab.testing`, built on the bumble Bluetooth stack), ten times faster
than real time, and the stream reaches it through the same bleak calls as a real sensor. To use
your own sensor (Polar H10 / Verity Sense, Movesense, a footpod, a gaitlab board), change only the
`DEVICE` line below. The cells `await` directly: Jupyter's event loop is already running.
"""),
    code("""
DEVICE = None  # or your sensor's name or address, e.g. "Polar H10 0A1B2C3D"
"""),
    code(SETUP),
    code("""
import gaitlab.stream as gs
from gaitlab.stream.jupyter import live_view

if DEVICE is None:
    # an emulated Polar H10 playing 35 s of the sample run, 10x faster than real time
    from gaitlab.testing import PolarH10Emulator, VirtualRadio

    source = gaitlab.read(DATA / "waist_run.csv.gz").slice(15.0, 50.0)
    radio = VirtualRadio()
    sensor = PolarH10Emulator(radio, source.t, source.acc, speed=10.0)
    await sensor.start()
    device = sensor.name
    options = dict(scanner_backend=radio.scanner_backend, client_backend=radio.client_backend,
                   profile=gs.PolarProfile(sample_rate_hz=100), duration_s=30.0)
else:
    device, options = DEVICE, dict(duration_s=30 * 60.0)   # stop after 30 minutes
print("streaming from", device)
"""),
    md("""
The live view: one figure, redrawn in place about every `refresh_s` seconds until the stream
ends (`duration_s` of sensor time). The samples are recorded crash-safely to a CSV as they arrive.
"""),
    code("""
live = gs.LiveWaistAnalyzer()
record = OUT / "live_run.csv"
async with gs.connect(device, analyzer=live, record=record, **options) as stream:
    view = await live_view(stream, refresh_s=0.5)
print(view.latest.line())
"""),
    md("""
The live steps (each emitted once it is final) are the steps `gaitlab.analyze` finds in the
recorded file:
"""),
    code("""
live_steps = pd.DataFrame(list(live.steps_))
recorded = gaitlab.analyze(record, placement="waist")
print(f"live: {len(live_steps)} steps, file: {len(recorded.steps)} steps")
if len(live_steps) == len(recorded.steps):
    diff = (live_steps["ic_s"].to_numpy() - recorded.steps["ic_s"].to_numpy())
    print(f"largest IC difference: {1e3 * np.abs(diff).max():.3f} ms")
live_steps[["ic_s", "side", "gct_ms", "vo_cm", "valid"]].tail()
"""),
    code("""
recorded
"""),
    code("""
if DEVICE is None:
    await sensor.close()
"""),
]

# -- 04 -------------------------------------------------------------------------------------------
GARMIN = [
    md("""
# 4. A Garmin watch's running dynamics next to gaitlab's

Garmin watches (with an HRM-Pro or Running Dynamics Pod, or on the wrist) record cadence,
vertical oscillation, ground contact time, GCT balance, vertical ratio and step length about once
a second in the activity's FIT file. `gaitlab.io.read_fit` reads them into a table with gaitlab's
column names and units, so they can be laid over gaitlab's per-minute segments.

Unit notes: FIT cadence is *strides* per minute (one foot, plus `fractional_cadence`); gaitlab
counts *steps* per minute, so `cadence_spm = 2 x` the FIT value. Vertical oscillation is stored in
mm (`vo_cm` = / 10), step length in mm (`step_length_m` = / 1000).

Here the "watch" file is built from a synthetic run's truth, averaged over the last 5 s each
second as a watch reports it, so the comparison shows gaitlab's error plus the watch's averaging.
With a real watch and your own sensor on the same run, expect larger differences: a chest strap
or a wrist and a sacral clip do not move the same way (vertical oscillation in particular is not
comparable between devices or positions, Smith et al. 2022), and the two clocks need aligning.
"""),
    code(SETUP),
    code("""
from datetime import UTC, datetime

from gaitlab.io.fit import read_fit, write_fit
from gaitlab.synth import CadenceChange, simulate_waist

run = simulate_waist(420.0, fs=100.0, seed=21, speed_mps=3.3, cadence_spm=166.0, gct_ms=252.0,
                     asymmetry_pct=3.0, cadence_changes=[CadenceChange(at_s=210.0, cadence_spm=176.0)],
                     noise="realistic", mounting="tilted", standing_s=(10.0, 5.0))
run.recording
"""),
    md("""
### The watch's file

Per second: the mean of the steps of the last 5 s (cadence from the mean step time; balance from
the left and right contact times; vertical ratio = VO / step length).
"""),
    code("""
t = run.truth.steps
t = t[t["valid"] & (t["activity"] == "running")].copy()
t["gct_left_ms"] = t["gct_ms"].where(t["side"] == "L")
t["gct_right_ms"] = t["gct_ms"].where(t["side"] == "R")
cols = ["step_time_ms", "gct_ms", "gct_left_ms", "gct_right_ms", "vo_cm", "step_length_m", "speed_mps"]
last_5s = (t.set_index(pd.to_timedelta(t["ic_s"], unit="s"))[cols].rolling("5s", min_periods=1).mean()
           .reset_index(drop=True).assign(ic_s=t["ic_s"].to_numpy()))

seconds = pd.DataFrame({"time_s": np.arange(0.0, np.floor(run.recording.t[-1]) + 1.0)})
w = pd.merge_asof(seconds, last_5s, left_on="time_s", right_on="ic_s", direction="backward", tolerance=5.0)
watch = pd.DataFrame({
    "time_s": w["time_s"],
    "cadence_spm": 60000.0 / w["step_time_ms"],
    "vo_cm": w["vo_cm"],
    "gct_ms": w["gct_ms"],
    "gct_balance_left_pct": 100.0 * w["gct_left_ms"] / (w["gct_left_ms"] + w["gct_right_ms"]),
    "vertical_ratio_pct": w["vo_cm"] / w["step_length_m"],   # 100 * (VO in m) / (step length in m)
    "step_length_m": w["step_length_m"],
    "speed_mps": w["speed_mps"],
})
fit_path = write_fit(watch, OUT / "watch.fit", start_time=datetime(2024, 6, 1, 7, 0, tzinfo=UTC))
print(fit_path.name, fit_path.stat().st_size, "bytes")
"""),
    md("### Read it back, as you would read your watch's export"),
    code("""
fit = gaitlab.io.read_fit(fit_path)   # the same as read_fit(fit_path)
print(fit.attrs)
fit.dropna().head()
"""),
    md("### gaitlab on the sensor recording, per minute"),
    code("""
analysis = gaitlab.analyze(run.recording)
seg = analysis.segments
analysis
"""),
    code("""
metrics = ["cadence_spm", "gct_ms", "vo_cm", "gct_balance_left_pct", "vertical_ratio_pct"]
edges = [*seg["start_s"], seg["end_s"].iloc[-1]]
minute = pd.cut(fit["time_s"], bins=edges, right=False, labels=False)
watch_per_minute = fit.groupby(minute)[metrics].mean()
watch_per_minute.index = seg["start_s"].iloc[watch_per_minute.index.astype(int)].to_numpy()

both = pd.concat({"gaitlab": seg.set_index("start_s")[metrics], "watch": watch_per_minute}, axis=1)
difference = both["gaitlab"] - both["watch"]
difference.abs().mean().rename("mean |gaitlab - watch| per minute")
"""),
    code("""
both.swaplevel(axis=1).sort_index(axis=1)
"""),
    code("""
import matplotlib.pyplot as plt

labels = {"cadence_spm": "cadence (steps/min)", "gct_ms": "GCT (ms)", "vo_cm": "VO (cm)",
          "gct_balance_left_pct": "GCT balance (% left)", "vertical_ratio_pct": "vertical ratio (%)"}
fig, axes = plt.subplots(len(metrics), 1, figsize=(9, 11), sharex=True, layout="constrained")
mid_min = (seg["start_s"] + seg["end_s"]) / 120.0
for ax, m in zip(axes, metrics):
    ax.plot(fit["time_s"] / 60.0, fit[m], color="0.7", lw=0.8, label="watch, per second")
    ax.plot(mid_min, watch_per_minute[m].reindex(seg["start_s"]).to_numpy(), "s", color="tab:orange",
            label="watch, per minute")
    ax.plot(mid_min, seg[m], "o-", color="tab:blue", label="gaitlab, per minute")
    ax.set_ylabel(labels[m])
axes[0].legend(loc="lower right")
axes[-1].set_xlabel("time (min)")
plt.show()
"""),
    code("""
pd.Series({"gaitlab step length (m)": analysis.summary["step_length_m"],
           "watch step length (m)": fit["step_length_m"].mean(),
           "gaitlab speed (m/s)": analysis.summary["speed_mps"],
           "watch speed (m/s)": fit["speed_mps"].mean()})
"""),
]

# -- 05 -------------------------------------------------------------------------------------------
SEASON = [
    md("""
# 5. A season for a coach: batch, history, compare two shoes

Six weeks of one runner, two runs a week, each recorded with a waist sensor. The plan follows the
seed articles' advice: raise cadence in small steps (~5 spm over the block) and try two pairs of
shoes, keeping the one that lands softer. We

1. analyse every run with `gaitlab.batch`, tagging the runner and the shoe;
2. lay the results out over weeks with `gaitlab.history` (trends with confidence intervals and the
   runner's own run-to-run noise);
3. compare the two shoes with `gaitlab.compare`, which judges differences against run-to-run
   noise, not step-to-step scatter;
4. place the latest run among the runner's recent runs in its report.

The runs are synthetic (`gaitlab.synth`) so the truth is known: cadence rises 5 spm over the six
weeks and the two shoes are identical.
"""),
    code(SETUP),
    md("## The recordings\n\nEach file keeps its start time (Parquet stores the recording's metadata), "
       "which is what places a run in its week."),
    code("""
from datetime import datetime, timedelta

from gaitlab.synth import simulate_waist

rng = np.random.default_rng(7)
start = datetime(2024, 3, 4, 7, 0)
files = {"Pegasus40": [], "Clifton9": []}
for i in range(12):                                   # Mondays and Thursdays for six weeks
    when = start + timedelta(days=7 * (i // 2) + 3 * (i % 2))
    cadence = 164.0 + 5.0 * i / 11 + rng.normal(0.0, 1.5)   # the cadence block, plus day-to-day noise
    shoe = ("Pegasus40", "Clifton9")[i % 2]
    run = simulate_waist(450.0, fs=50.0, seed=i, cadence_spm=cadence, speed_mps=3.0, noise="realistic")
    rec = run.recording.replace(meta={**run.recording.meta, "start_time": when.isoformat() + "+01:00"})
    path = OUT / "recordings" / shoe / f"{when:%Y-%m-%d}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    gaitlab.write(rec, path)
    files[shoe].append(path)
{shoe: len(paths) for shoe, paths in files.items()}
"""),
    md("## 1. Batch: every run, tagged with the runner and the shoe\n\n"
       "The same as `gaitlab batch recordings/Pegasus40 --out results/Pegasus40 --tag athlete=ana "
       "--tag shoe=Pegasus40` on the command line."),
    code("""
import gaitlab.batch

tables = []
for shoe in files:
    tables.append(gaitlab.batch.run([OUT / "recordings" / shoe], out=OUT / "results" / shoe, jobs=1,
                                    progress=False, tags={"athlete": "ana", "shoe": shoe}))
summary = pd.concat(tables, ignore_index=True)
summary[["file", "start_time", "tags", "cadence_spm", "gct_ms", "vo_cm", "impact_g"]]
"""),
    md("## 2. History: trends over the weeks"),
    code("""
h = gaitlab.history(OUT / "results")
h
"""),
    code("""
h.trends[["label", "n_runs", "mean_last4w", "mean_prev4w", "change_4w", "change_4w_lo", "change_4w_hi",
          "slope_per_week", "slope_lo", "slope_hi", "noise_sd", "verdict"]]
"""),
    md("""
Cadence is **rising**: the slope's 95 % interval excludes zero, and the change over the block is
close to the planned +5 spm. Vertical oscillation, vertical ratio and impact fall with it: quicker,
shorter steps bounce less (centre-of-mass excursion fell as step rate rose in Heiderscheit et al.
2011, *MSSE* 43:296), while contact time stays steady. `noise_sd` is the runner's own run-to-run
noise (the typical difference between consecutive runs), the yardstick for every comparison below.
"""),
    code("""
from gaitlab.report.history_html import history_figure

history_figure(h, "ana")
"""),
    code("""
page = h.to_html(OUT / "history.html")   # as `gaitlab history results/ --html history.html`
len(page)
"""),
    md("## 3. Two shoes\n\nSix runs in each pair. Each run's mean is one observation; the intervals "
       "come from the spread between runs and are simultaneous over the metrics compared."),
    code("""
shoes = gaitlab.compare(by="shoe", source=OUT / "results")
print(shoes)
"""),
    md("""
The shoes were identical, and gaitlab says so: no clear difference on any metric. Note that the
cadence block runs through both shoes (they alternate), so it does not bias the comparison.

The trap: two single runs. Within one run the mean cadence is known to a fraction of a spm, so a
test on steps calls every change "significant". With one run a side gaitlab refuses to call a
difference unless it knows the runner's run-to-run noise:
"""),
    code("""
first, last = sorted(files["Pegasus40"])[0], sorted(files["Pegasus40"])[-1]
result = lambda p: OUT / "results" / "Pegasus40" / (p.name + ".json")
two = gaitlab.compare(result(first), result(last), metrics=["cadence_spm", "gct_ms"])
print(two)
"""),
    code("""
print(gaitlab.compare(result(first), result(last), metrics=["cadence_spm", "gct_ms"],
                      noise_from=OUT / "results"))
"""),
    md("## 4. The latest run, against the runner's recent runs"),
    code("""
latest = gaitlab.read(sorted(files["Clifton9"])[-1])
report = gaitlab.analyze(latest, tags={"athlete": "ana", "shoe": "Clifton9"}, history=OUT / "results")
pd.DataFrame(report.params["recent_runs"]["metrics"]).T[["value", "median", "lo", "hi", "noise_sd", "verdict"]]
"""),
    code("""
report.to_html(OUT / "latest_run.html")   # includes the "Against your recent runs" section
sorted(p.name for p in OUT.iterdir())
"""),
]

NOTEBOOKS = {
    "01_analyse_a_run.ipynb": ANALYSE,
    "02_compare_runs.ipynb": COMPARE,
    "03_live_stream.ipynb": LIVE,
    "04_garmin_comparison.ipynb": GARMIN,
    "05_season.ipynb": SEASON,
}


def build(cells: list) -> nbformat.NotebookNode:
    """A notebook of ``cells`` with the python3 kernel, no outputs, stable cell ids."""
    nb = new_notebook(cells=[])
    for i, cell in enumerate(cells):
        cell = nbformat.from_dict(dict(cell))
        cell["id"] = f"cell-{i:02d}"   # stable ids: regenerating does not change the files
        nb.cells.append(cell)
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    return nb


def render(name: str) -> str:
    """The file text of notebook ``name``, as written to disk."""
    return nbformat.writes(build(NOTEBOOKS[name])) + "\n"


def main(argv: list[str] | None = None) -> int:
    for name in NOTEBOOKS:
        (HERE / name).write_text(render(name), encoding="utf-8")
        print("wrote", HERE / name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
