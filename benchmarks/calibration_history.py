"""False-alarm rates of ``gaitlab.compare`` and ``gaitlab.history`` on generated data (no effect).

    PYTHONPATH=$PWD python benchmarks/calibration_history.py 400

Identical shoes (4 runs a side, the two-level generator of ``tests/history_support.py``): the
share of pairs with a "difference" on any metric (design: at most 5 %, Bonferroni over metrics).
Seasons without a trend (6 weeks x 4 runs): the share of metric trends called rising/falling
(design: 5 % per metric). Prints; asserts nothing.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gaitlab.comparison import compare  # noqa: E402
from gaitlab.season import history  # noqa: E402
from tests.history_support import season  # noqa: E402
from tests.test_compare import _shoes  # noqa: E402


def main(n: int) -> None:
    alarms = 0
    for i in range(n):
        d = Path(tempfile.mkdtemp(prefix="gaitlab-cal-"))
        try:
            _shoes(d, seed=9000 + i, runs=4, minutes=1)
            alarms += int(compare(by="shoe", source=d).table["verdict"].str.contains("beyond").any())
        finally:
            shutil.rmtree(d)
    print(f"identical shoes, 4 runs a side: {alarms}/{n} pairs with a 'difference' ({100 * alarms / n:.1f} %)")
    d = Path(tempfile.mkdtemp(prefix="gaitlab-cal-"))
    try:
        for s in range(max(n // 4, 10)):
            season(d / f"s{s}", seed=20000 + s, tags={"athlete": f"r{s}"}, minutes=1)
        t = history(d).trends
        v = t[t["metric"].isin(["cadence_spm", "gct_ms", "vo_cm", "impact_g", "loading_rate_gps"])]["verdict"]
        print(f"seasons without a trend: {(v != 'steady').sum()}/{len(v)} metric trends called rising/falling "
              f"({100 * (v != 'steady').mean():.1f} %)")
    finally:
        shutil.rmtree(d)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
