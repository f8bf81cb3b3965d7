"""The HTML report in a real headless browser (Debian's chromium): it renders, shows its title,
and loads nothing from the network.

Run ``python tests/test_report_browser.py docs/report_screenshot.png`` to refresh the screenshot
in the docs.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

import gaitlab
from gaitlab.synth import Fatigue, simulate_waist

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def chromium(exe: str, url: str, *args: str, timeout: float = 120.0) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile:
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
               f"--user-data-dir={profile}", '--host-resolver-rules=MAP * ~NOTFOUND', *args, url]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def screenshot(exe: str, html_path: Path, png_path: Path, size: str = "1200,2400") -> None:
    proc = chromium(exe, html_path.as_uri(), f"--screenshot={png_path}", f"--window-size={size}")
    assert png_path.exists(), proc.stderr[-2000:]


def demo_analysis(duration_s: float = 420.0, fs: float = 50.0, seed: int = 21):
    """A run with something to show: slight asymmetry and late-run fatigue, gyroscope and speed."""
    sim = simulate_waist(duration_s, fs=fs, seed=seed, noise="realistic", gyro=True, speed_mps=3.2,
                         cadence_spm=176.0, gct_ms=238.0, asymmetry_pct=5.0,
                         fatigue=Fatigue(gct_rise_pct=8.0, cadence_drop_pct=4.0))
    rec = sim.recording.replace(meta={**(sim.recording.meta or {}), "source": "saturday_long_run.csv"})
    a = gaitlab.analyze(rec)
    a.input["path"] = "saturday_long_run.csv"
    return a


@pytest.mark.browser
def test_report_renders_in_headless_chromium(tmp_path):
    exe = find_chromium()
    if exe is None:
        pytest.skip("chromium not found (apt-get install chromium); the browser test needs it")
    a = demo_analysis()
    html_path = tmp_path / "report.html"
    text = a.to_html(html_path)
    assert {f["code"] for f in a.flags} >= {"asymmetry"}

    # nothing can leave the page: every src/href is inline data
    refs = re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', text)
    assert refs and all(r.startswith("data:") for r in refs)
    assert not re.search(r'<img[^>]+src="https?:', text)

    png = tmp_path / "shot.png"
    screenshot(exe, html_path, png)
    import matplotlib.image as mpimg

    pixels = mpimg.imread(png)
    assert pixels.shape[0] >= 2000 and pixels.shape[1] >= 1100
    assert float(np.var(pixels[..., :3])) > 0.005  # not a blank page
    # the figures rendered: many distinct colours, not just text on a flat background
    assert len(np.unique((pixels[..., :3] * 255).astype(np.uint8).reshape(-1, 3), axis=0)) > 500

    dom = chromium(exe, html_path.as_uri(), "--dump-dom").stdout
    assert "<title>Running form report: saturday_long_run.csv</title>" in dom
    assert "Running form report" in dom and "Not medical advice" in dom
    assert dom.count('src="data:image/png;base64,') == 4


if __name__ == "__main__":  # refresh docs/report_screenshot.png
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/report_screenshot.png")
    exe = find_chromium()
    if exe is None:
        sys.exit("chromium not found")
    analysis = demo_analysis(1200.0, fs=100.0, seed=5)
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        analysis.to_html(page)
        screenshot(exe, page, out, size="1200,3000")
    print(f"wrote {out}: flags {[f['code'] for f in analysis.flags]}")
