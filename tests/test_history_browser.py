"""The history page in a real headless browser (Debian's chromium): it renders its trends and
figures, and loads nothing from the network.

Run ``python tests/test_history_browser.py docs/history_screenshot.png`` to refresh the screenshot
in the docs.
"""

from __future__ import annotations

import re
import sys
import tempfile
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

if __package__ in (None, ""):  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.history_support import season
    from tests.test_report_browser import chromium, find_chromium, screenshot
else:
    from .history_support import season
    from .test_report_browser import chromium, find_chromium, screenshot

from gaitlab.season import history


def demo_history(folder: Path):
    """Eight weeks of one runner: a cadence block (+5 spm), a late-season shoe change."""
    season(folder / "ana" / "pegasus", seed=3, weeks=5, runs_per_week=4, trend={"cadence_spm": 3.0},
           tags={"athlete": "ana", "shoe": "Pegasus40"}, start=datetime(2024, 3, 4, 7, 0), minutes=8)
    base = {"cadence_spm": 169.0, "gct_ms": 250.0, "vo_cm": 8.8, "impact_g": 2.4, "loading_rate_gps": 88.0}
    season(folder / "ana" / "clifton", seed=4, weeks=3, runs_per_week=4, trend={"cadence_spm": 2.0}, base=base,
           tags={"athlete": "ana", "shoe": "Clifton9"}, start=datetime(2024, 4, 8, 7, 0), minutes=8, prefix="c")
    return history(folder)


@pytest.mark.browser
def test_history_page_renders_in_headless_chromium(tmp_path):
    exe = find_chromium()
    if exe is None:
        pytest.skip("chromium not found (apt-get install chromium); the browser test needs it")
    h = demo_history(tmp_path / "results")
    assert h.trend("cadence_spm")["verdict"] == "rising"
    html_path = tmp_path / "history.html"
    text = h.to_html(html_path)
    refs = re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', text)
    assert refs and all(r.startswith("data:") for r in refs)
    assert "Running form over time" in text and "rising" in text

    # the DOM as the browser built it: title, runner section and the trend table are there
    dom = chromium(exe, html_path.as_uri(), "--dump-dom").stdout
    assert "<h2>ana</h2>" in dom and "Run-to-run noise" in dom and "Per week (95 % CI)" in dom

    png = tmp_path / "shot.png"
    screenshot(exe, html_path, png, size="1200,2000")
    import matplotlib.image as mpimg

    pixels = mpimg.imread(png)
    assert pixels.shape[0] >= 1900 and pixels.shape[1] >= 1100
    assert float(np.var(pixels[..., :3])) > 0.005  # not a blank page
    colours = np.unique((pixels[..., :3] * 31).astype(int).reshape(-1, 3), axis=0)
    assert len(colours) > 200  # the figure rendered (dots, lines, zone bands), not only text


if __name__ == "__main__":  # refresh the screenshot in the docs
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/history_screenshot.png")
    exe = find_chromium()
    if exe is None:
        sys.exit("chromium not found")
    with tempfile.TemporaryDirectory() as tmp:
        h = demo_history(Path(tmp) / "results")
        page = Path(tmp) / "history.html"
        h.to_html(page)
        screenshot(exe, page, out.resolve(), size="1200,2000")
    print(f"wrote {out}")
