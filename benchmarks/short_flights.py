"""SYNTHETIC: short flights (20-30 ms) after long contacts, 150-190 spm, at 100 and 200 Hz.

Issue #12 asks that duty factors up to 0.5 (flights down to 20 ms) meet the synthetic limits of
``tests/test_waist.py``. This grid runs ``gaitlab.synth.simulate_waist`` (random mounting, realistic
sensor noise, 60 s per run, seeds 1-3) with its default motion (a 1 g soft-tissue wobble at contact)
and with a heel strike (1 g impact peak in the ground force, 0.3 g wobble), and prints per cell the
worst F1, IC / GCT MAE (ms) and VO MAE (cm) over the seeds, with ``ok`` where every seed meets the
limits (F1 >= 0.98, IC <= 10 ms, GCT <= 12 ms, VO <= 0.8 cm, side >= 0.98, balance <= 0.5 pp,
cadence <= 0.5 spm: ``tests.waist_support.LIMITS``, scored by ``tests.waist_support.score``, as the
tests do).

Run from the repository root: ``PYTHONPATH=$PWD python benchmarks/short_flights.py``. Prints,
asserts nothing.
"""

from __future__ import annotations

CADENCES = (150.0, 160.0, 170.0, 180.0, 190.0)
FLIGHTS_MS = (20.0, 30.0)
RATES = (100.0, 200.0)
SEEDS = (1, 2, 3)


def main() -> None:
    import gaitlab
    from gaitlab.synth import WaistMotion, simulate_waist
    from tests.waist_support import beyond_limits, score

    motions = {"wobble 1 g": None,
               "heel strike": WaistMotion(heel_impact_g=1.0, impact_g=0.3, force_shape_cv_pct=15.0)}
    print("SYNTHETIC (gaitlab.synth), worst of seeds 1-3; F1, IC / GCT MAE ms, VO MAE cm")
    n_ok = n_all = 0
    for label, motion in motions.items():
        for fs in RATES:
            for cadence in CADENCES:
                for flight in FLIGHTS_MS:
                    gct = 60000.0 / cadence - flight
                    scores = []
                    for seed in SEEDS:
                        kw = {"motion": motion} if motion is not None else {}
                        run = simulate_waist(60.0, fs=fs, seed=seed, mounting="random", noise="realistic",
                                             cadence_spm=cadence, gct_ms=gct, speed_mps=2.5, **kw)
                        scores.append(score(gaitlab.analyze(run.recording, report=False), run.truth))
                    ok = not any(beyond_limits(s) for s in scores)
                    n_ok += ok
                    n_all += 1
                    print(f"  {label:11s} {fs:4.0f} Hz {cadence:4.0f} spm flight {flight:2.0f} ms "
                          f"(DF {gct / (2 * (gct + flight)):.3f}): F1 {min(s.f1 for s in scores):.3f}  "
                          f"IC {max(s.ic_mae_ms for s in scores):5.1f}  GCT {max(s.gct_mae_ms for s in scores):5.1f}"
                          f"  VO {max(s.vo_mae_cm for s in scores):.2f}  {'ok' if ok else 'beyond the limits'}",
                          flush=True)
    print(f"cells within the limits: {n_ok} of {n_all}")


if __name__ == "__main__":
    main()
