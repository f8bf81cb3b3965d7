"""The HTML report in a real headless browser (Debian's chromium): it renders, shows its title,
and loads nothing from the network.

Run ``python tests/test_report_browser.py`` to refresh the screenshots in docs/ (waist, shoe pair,
a run too short to judge).
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


def _dom(exe: str, html_path: Path) -> str:
    return chromium(exe, html_path.as_uri(), "--dump-dom").stdout


def _need_chromium() -> str:
    exe = find_chromium()
    if exe is None:
        pytest.skip("chromium not found (apt-get install chromium); the browser test needs it")
    return exe


def _figure_kinds(dom: str) -> list[str]:
    """Figures the browser built, each with an inline PNG (a figure without its image does not count)."""
    return re.findall(r'<figure data-kind="([a-z_]+)"><img alt="[^"]*" src="data:image/png;base64,[A-Za-z0-9+/]{500}',
                      dom)


def _cards(dom: str) -> list[str]:
    return re.findall(r'<div class="card" data-metric="([a-z_]+)">', dom)


def shoe_pair_analysis():
    """The sample shoe pair (synthetic), files given right first as in issue #18."""
    from gaitlab.io.naming import read_pair

    root = Path(__file__).resolve().parents[1] / "sample_data"
    recs = read_pair([root / "shoe_R.csv.gz", root / "shoe_L.csv.gz"])
    return gaitlab.analyze(recs, placement="shoe")


def short_analysis():
    """A 5-second recording: too short for any pattern."""
    rec = simulate_waist(5.0, fs=100.0, seed=3).recording
    return gaitlab.analyze(rec.replace(meta={**(rec.meta or {}), "source": "five_seconds.csv"}))


@pytest.mark.browser
def test_waist_report_shows_every_card_and_figure(tmp_path):
    from gaitlab.report.html import HEADLINE

    exe = _need_chromium()
    a = demo_analysis()
    page = tmp_path / "waist.html"
    a.to_html(page)
    dom = _dom(exe, page)
    assert _cards(dom) == [*HEADLINE, "running_s"]  # the demo has speed: vertical ratio too
    assert _figure_kinds(dom) == ["trend", "balance", "early_late", "signal"]
    assert dom.count('class="badge') >= 9  # every rule's result in the evidence table


@pytest.mark.browser
def test_shoe_pair_report_in_chromium(tmp_path):
    from gaitlab.report.html import SHOE_HEADLINE

    exe = _need_chromium()
    a = shoe_pair_analysis()
    page = tmp_path / "shoe.html"
    a.to_html(page)
    dom = _dom(exe, page)
    assert "shoe_L.csv.gz (left) + shoe_R.csv.gz (right)" in dom
    assert _cards(dom) == [*SHOE_HEADLINE, "running_s"]
    assert "Vertical oscillation" not in dom.split("What we noticed")[0]
    assert _figure_kinds(dom) == ["trend", "feet", "balance", "early_late", "signal"]
    rows = re.findall(r'<tr data-metric="([a-z_]+)">', dom)
    for metric in ("stride_length_m", "speed_mps", "strike_class", "foot_strike_angle_deg", "pronation_deg",
                   "braking_g", "impact_g", "gct_ms", "flight_ms", "swing_ms", "cadence_spm"):
        assert metric in rows, metric
    png = tmp_path / "shoe.png"
    screenshot(exe, page, png)
    import matplotlib.image as mpimg

    pixels = mpimg.imread(png)
    assert float(np.var(pixels[..., :3])) > 0.005


@pytest.mark.browser
def test_short_run_report_says_not_judged(tmp_path):
    exe = _need_chromium()
    a = short_analysis()
    page = tmp_path / "short.html"
    a.to_html(page)
    dom = _dom(exe, page)
    assert 'class="verdict not-judged"' in dom and "Not enough data to judge this run" in dom
    assert "within limits" not in dom and "badge ok" not in dom
    assert _figure_kinds(dom) == ["signal"]


@pytest.mark.browser
def test_batch_index_in_chromium(tmp_path):
    from gaitlab.cli import main

    exe = _need_chromium()
    src = tmp_path / "in"
    src.mkdir()
    for i, seconds in ((2, 90.0), (10, 5.0)):
        gaitlab.io.write(simulate_waist(seconds, fs=50.0, seed=i).recording, src / f"run_{i}.csv")
    out = tmp_path / "out"
    main(["batch", str(src), "--out", str(out), "--html", "--jobs", "1", "--no-progress"])
    index = next(out.rglob("index.html"))
    dom = _dom(exe, index)
    assert dom.index("run_2") < dom.index("run_10")
    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*run_10(?:(?!</tr>).)*</tr>", dom, re.S).group(0)
    assert "not judged" in row  # a 5-s run must not look like a clean one
    page = next(p for p in out.rglob("*.html") if "run_10" in p.name)
    assert "Not enough data to judge" in _dom(exe, page)


def _small_png(src: Path, out: Path) -> None:
    """A 256-colour PNG (what pngquant would do): screenshots stay small in the repository."""
    from PIL import Image

    Image.open(src).convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(out, optimize=True)


if __name__ == "__main__":  # refresh the screenshots in docs/
    docs = Path(sys.argv[1] if len(sys.argv) > 1 else "docs")
    exe = find_chromium()
    if exe is None:
        sys.exit("chromium not found")
    shots = {"report_screenshot.png": (demo_analysis(1200.0, fs=100.0, seed=5), "1200,3000"),
             "report_shoe_screenshot.png": (shoe_pair_analysis(), "1200,3400"),
             "report_short_run_screenshot.png": (short_analysis(), "1200,1600")}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (analysis, size) in shots.items():
            page = Path(tmp) / "report.html"
            raw = Path(tmp) / "shot.png"
            analysis.to_html(page, made_at=None)
            screenshot(exe, page, raw, size=size)
            _small_png(raw, docs / name)
            print(f"wrote {docs / name}: flags {[f['code'] for f in analysis.flags]}, {analysis.report_status}")
