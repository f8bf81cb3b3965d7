"""The C library in firmware_bridge/: build it with the Makefile, run its tests, regenerate the
golden vectors and compare them with the committed ones, and decode the same bytes in C and in
Python (every vector plus a batch of mutated frames) to check both agree exactly."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest

from gaitlab.errors import FrameError
from gaitlab.stream.protocols import glf

BRIDGE = Path(__file__).resolve().parents[1] / "firmware_bridge"
VECTORS = BRIDGE / "vectors"
MANIFEST = json.loads((VECTORS / "manifest.json").read_text())["vectors"]

pytestmark = pytest.mark.skipif(
    shutil.which("cc") is None or shutil.which("make") is None,
    reason="needs a C compiler (cc) and make to build firmware_bridge/",
)


@pytest.fixture(scope="module")
def c_build(tmp_path_factory):
    """`make test` into a temp build dir: compiles with -Werror (+ASan/UBSan), runs test_glf,
    regenerates the vectors and diffs them against the committed ones."""
    build = tmp_path_factory.mktemp("glf_build")
    proc = subprocess.run(["make", "-s", "-C", str(BRIDGE), f"BUILD={build}", "test"],
                          capture_output=True, text=True, timeout=120)
    return build, proc


def test_c_tests_pass_and_vectors_unchanged(c_build):
    build, proc = c_build
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 failures" in proc.stdout and "vectors unchanged" in proc.stdout


def test_regenerated_vectors_equal_committed(c_build):
    build, _ = c_build
    fresh = sorted(p.name for p in (build / "vectors").iterdir())
    committed = sorted(p.name for p in VECTORS.iterdir())
    assert fresh == committed
    for name in committed:
        assert (build / "vectors" / name).read_bytes() == (VECTORS / name).read_bytes(), name


def _records(chunks: list[bytes]) -> bytes:
    return b"".join(struct.pack("<H", len(c)) + c for c in chunks)


def _run_tool(build: Path, kind: str, chunks: list[bytes], tmp_path: Path) -> list[str]:
    path = tmp_path / f"{kind}.rec"
    path.write_bytes(_records(chunks))
    out = subprocess.run([str(build / "glf_tool"), kind, str(path)], capture_output=True, text=True,
                         timeout=60, check=True).stdout.splitlines()
    assert len(out) == len(chunks)
    return out


def test_c_error_codes_match_manifest(c_build, tmp_path):
    build, proc = c_build
    assert proc.returncode == 0
    for kind in ("frame", "info", "cmd"):
        vs = [v for v in MANIFEST if v["kind"] == kind]
        lines = _run_tool(build, kind, [(VECTORS / v["file"]).read_bytes() for v in vs], tmp_path)
        for v, line in zip(vs, lines, strict=True):
            if v["expect"] == "ok":
                assert line.startswith("ok "), (v["name"], line)
            else:
                assert line == f"err {v['expect']}", (v["name"], line)


def _python_line(data: bytes) -> str:
    try:
        f = glf.decode_frame(data)
    except glf.GlfFrameError as e:
        return f"err {e.code}"
    raw = f.raw_acc if f.raw_gyr is None else np.hstack([f.raw_acc, f.raw_gyr])
    head = [f.version, f.header_len, f.layout, f.n, f.seq, f.odr_hz, f.t0_us, f.gyro_range_dps or 0,
            f.acc_range_g]
    return "ok " + " ".join(str(int(x)) for x in [*head, *raw.ravel()])


def test_c_and_python_decoders_agree_on_mutated_frames(c_build, tmp_path):
    """Differential fuzz: 4000 mutated/truncated/extended frames decoded by both implementations."""
    build, proc = c_build
    assert proc.returncode == 0
    rng = np.random.default_rng(7)
    valid = [(VECTORS / v["file"]).read_bytes() for v in MANIFEST if v["kind"] == "frame" and v["expect"] == "ok"]
    chunks = []
    for i in range(4000):
        data = bytearray(valid[i % len(valid)])
        for _ in range(rng.integers(0, 3)):
            pos = int(rng.integers(0, 16)) if rng.random() < 0.7 else int(rng.integers(0, len(data)))
            data[pos] = int(rng.integers(0, 256))
        cut = int(rng.integers(-3, 4))
        data = data[:len(data) + cut] if cut < 0 else data + bytes(rng.integers(0, 256, cut, dtype=np.uint8))
        chunks.append(bytes(data))
    chunks += [bytes(rng.integers(0, 256, int(rng.integers(0, 80)), dtype=np.uint8)) for _ in range(500)]
    c_lines = _run_tool(build, "frame", chunks, tmp_path)
    py_lines = [_python_line(c) for c in chunks]
    mismatches = [(c.hex(), a, b) for c, a, b in zip(chunks, c_lines, py_lines, strict=True) if a != b]
    assert not mismatches, mismatches[:3]
    outcomes = {line.split()[1] if line.startswith("err") else "ok" for line in c_lines}
    assert {"ok", "truncated", "count", "field", "layout", "version"} <= outcomes  # the mix is meaningful


def test_python_raises_frame_error_for_every_malformed_vector():
    for v in MANIFEST:
        if v["expect"] != "ok" and v["kind"] == "frame":
            with pytest.raises(FrameError):
                glf.decode_frame((VECTORS / v["file"]).read_bytes())
