"""SYNTHETIC, independent generator: waist event bias on signals ``gaitlab.synth`` did not make.

``gaitlab.synth`` closes the pelvis height over every contact (landing and take-off at one height
unless ``landing_offset_cm`` says otherwise), so its contact forces are symmetric in the sense the
flight apex needs. Real contact forces are not: a heel strike's impact peak moves the force's
centroid before mid-stance, and the pelvis then takes off higher than it landed. This script builds
the vertical specific force from first principles with none of gaitlab's code:

* each contact is a half sine plus an impact pulse (a raised cosine from the contact on, ``impact``
  g high and ``impact_ms`` long), scaled so that the contact's impulse equals the step time (the
  stride-mean force is 1 g: momentum closes); the height is left to follow from the force;
* flight reads 0 g; contact and step times vary by ``jitter`` (3 %) from step to step;
* braking then propulsion on the forward axis, white noise of 0.02 g on every axis;
* optionally an export low-pass: 4th-order 20 Hz Butterworth run forwards and backwards, vertical
  clipped at 0 g (what the shared force-plate trials' publishers did).

Each run is analysed with ``gaitlab.analyze(rec, axes='+x,+y,+z')``; valid running steps are matched
one to one with the true contacts within 50 ms. Printed: IC and GCT bias (ms) per rate, impact and
cadence. Nothing is asserted: these are figures for the README and the closing notes.

Run: ``python benchmarks/independent_waist.py [--export] [--short-flights]``
"""

from __future__ import annotations

import argparse

import numpy as np

#: (cadence spm, contact time s) of a slow, a middling and a fast runner
RUNNERS = ((154.0, 0.30), (175.0, 0.23), (195.0, 0.17))
#: ... and the same cadences with ~30 ms flights (duty factor 0.45-0.47, ``--short-flights``): with
#: 3 % step-to-step variation some flights vanish, so not every contact can be found
SHORT_FLIGHT_RUNNERS = ((154.0, 0.36), (175.0, 0.31), (195.0, 0.28))
#: (impact peak g, impact duration ms): none, a mild heel strike, a hard one
IMPACTS = ((0.0, 30.0), (0.6, 30.0), (1.8, 30.0))
RATES = (100.0, 200.0, 500.0)


def simulate(cadence_spm: float, tc_s: float, fs: float, impact_g: float, impact_ms: float, *,
             n_steps: int = 200, seed: int = 1, jitter: float = 0.03, export_hz: float | None = None):
    """Recording (x forward, y left, z up; g) and the true IC / TO times (s)."""
    import gaitlab

    rng = np.random.default_rng(seed)
    step_s = 60.0 / cadence_spm
    t = np.arange(int((n_steps * step_s + 1.0) * fs)) / fs
    fz = np.zeros_like(t)
    fx = np.zeros_like(t)
    ics, tos = [], []
    ic = 0.3
    width = impact_ms / 1e3
    for _ in range(n_steps):
        T = step_s * (1.0 + jitter * rng.standard_normal())
        tc = tc_s * (1.0 + jitter * rng.standard_normal())
        on = (t >= ic) & (t < ic + tc)
        tau = t[on] - ic
        pulse = np.where(tau < width, 0.5 * (1.0 - np.cos(2.0 * np.pi * tau / width)), 0.0) * impact_g
        half = np.sin(np.pi * tau / tc)
        # impulse of the contact = step time (g s): the pulse's share comes off the half sine
        amp = (T - impact_g * width / 2.0) / (2.0 * tc / np.pi)
        fz[on] = amp * half + pulse
        fx[on] = -0.6 * np.sin(2.0 * np.pi * tau / tc)
        ics.append(ic)
        tos.append(ic + tc)
        ic += T
    acc = np.column_stack([fx, np.zeros_like(fz), fz]) + rng.normal(0.0, 0.02, (t.size, 3))
    if export_hz:
        from scipy.signal import butter, sosfiltfilt

        acc = sosfiltfilt(butter(4, export_hz, fs=fs, output="sos"), acc, axis=0)
        acc[:, 2] = np.clip(acc[:, 2], 0.0, None)
    return gaitlab.Recording(t, acc, fs=fs, placement="waist"), np.array(ics), np.array(tos)


def bias_ms(rec, ics: np.ndarray, tos: np.ndarray) -> tuple[float, float, float]:
    """(share of contacts found, IC bias, GCT bias) over the valid running steps."""
    import gaitlab
    from gaitlab.validation import match_events

    steps = gaitlab.analyze(rec, axes="+x,+y,+z", report=False).steps
    run = steps[(steps["activity"] == "running") & steps["valid"]]
    d, k = match_events(run["ic_s"].to_numpy(float), ics, 0.05)
    e_ic = (run["ic_s"].to_numpy(float)[d] - ics[k]) * 1e3
    e_to = (run["to_s"].to_numpy(float)[d] - tos[k]) * 1e3
    return len(d) / len(ics), float(np.mean(e_ic)), float(np.nanmean(e_to - e_ic))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--export", action="store_true", help="also the 20 Hz zero-phase export")
    ap.add_argument("--short-flights", action="store_true", help="~30 ms flights (SHORT_FLIGHT_RUNNERS)")
    args = ap.parse_args(argv)
    exports = (None, 20.0) if args.export else (None,)
    runners = SHORT_FLIGHT_RUNNERS if args.short_flights else RUNNERS
    print("SYNTHETIC (independent generator, not gaitlab.synth): IC / GCT bias in ms, "
          "detected - true, valid running steps (share of contacts found); columns: "
          + ", ".join(f"{c:.0f} spm, {60000.0 / c - tc * 1e3:.0f} ms flights" for c, tc in runners))
    for export in exports:
        for fs in RATES:
            for impact, ms in IMPACTS:
                cells = []
                for cadence, tc in runners:
                    found, ic, gct = bias_ms(*simulate(cadence, tc, fs, impact, ms, export_hz=export))
                    cells.append(f"{ic:+5.1f} / {gct:+5.1f} ({found:.0%})")
                label = f"{fs:4.0f} Hz, impact {impact:.1f} g {ms:.0f} ms" + (", 20 Hz export" if export else "")
                print(f"  {label:38s} " + "   ".join(cells), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
