"""GLF v1 Python codec against the golden vectors (firmware_bridge/vectors), plus properties."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gaitlab.errors import FrameError
from gaitlab.stream.protocols import glf

VECTORS = Path(__file__).resolve().parents[1] / "firmware_bridge" / "vectors"
MANIFEST = json.loads((VECTORS / "manifest.json").read_text())["vectors"]
DECODERS = {"frame": glf.decode_frame, "info": glf.decode_info, "cmd": glf.decode_command,
            "resp": glf.decode_response}


def _vectors(kind: str, ok: bool) -> list[dict]:
    return [v for v in MANIFEST if v["kind"] == kind and (v["expect"] == "ok") == ok]


def _bytes(v: dict) -> bytes:
    data = (VECTORS / v["file"]).read_bytes()
    assert len(data) == v["len"]
    return data


def test_manifest_covers_every_error_class():
    codes = {v["expect"] for v in MANIFEST}
    assert codes >= {"ok", "truncated", "version", "header_len", "layout", "count", "field", "oversized",
                     "crc", "opcode"}
    assert len(_vectors("frame", True)) >= 8


@pytest.mark.parametrize("v", _vectors("frame", True), ids=lambda v: v["name"])
def test_decode_matches_manifest_bit_exactly(v):
    f = glf.decode_frame(_bytes(v))
    h = v["header"]
    assert (f.version, f.header_len, f.layout, f.n, f.seq, f.odr_hz, f.t0_us, f.acc_range_g) == (
        h["version"], h["header_len"], h["layout"], h["n"], h["seq"], h["odr_hz"], h["t0_us"], h["acc_range_g"])
    assert f.crc == h["crc"] and f.channels == h["channels"]
    assert f.gyro_range_dps == (h["gyro_range_dps"] or None)
    assert f.header_ext == bytes.fromhex(v["header_ext_hex"])
    raw = np.array(v["raw"], dtype=np.int64)
    np.testing.assert_array_equal(f.raw_acc, raw[:, :3])
    # scaled values are exact in float64 (count * range / 2**15), so compare for equality
    np.testing.assert_array_equal(f.acc_g, np.array(v["acc_g"]))
    assert f.acc_g.dtype == np.float64 and f.acc_g.shape == (h["n"], 3)
    if v["gyr_dps"] is None:
        assert f.raw_gyr is None and f.gyr_dps is None
    else:
        np.testing.assert_array_equal(f.raw_gyr, raw[:, 3:])
        np.testing.assert_array_equal(f.gyr_dps, np.array(v["gyr_dps"]))


@pytest.mark.parametrize("v", _vectors("frame", True), ids=lambda v: v["name"])
def test_encoder_reproduces_c_bytes(v):
    h = v["header"]
    raw = np.array(v["raw"], dtype=np.int16)
    out = glf.encode_frame(raw[:, :3], raw[:, 3:] if h["channels"] == 6 else None, seq=h["seq"],
                           t0_us=h["t0_us"], odr_hz=h["odr_hz"], acc_range_g=h["acc_range_g"],
                           gyro_range_dps=h["gyro_range_dps"], crc=h["crc"],
                           header_ext=bytes.fromhex(v["header_ext_hex"]))
    assert out == _bytes(v)
    assert glf.frame_size(h["layout"], h["n"]) == len(out) or v["header_ext_hex"]


@pytest.mark.parametrize("v", [v for v in MANIFEST if v["expect"] != "ok"], ids=lambda v: v["name"])
def test_malformed_vectors_raise_the_c_error_class(v):
    with pytest.raises(glf.GlfFrameError) as info:
        DECODERS[v["kind"]](_bytes(v))
    assert isinstance(info.value, FrameError)
    assert info.value.code == v["expect"]
    assert info.value.offset is not None and 0 <= info.value.offset <= max(v["len"], 1)
    assert f"byte {info.value.offset}:" in str(info.value)


def test_info_command_response_vectors():
    (info_v,) = _vectors("info", True)
    info = glf.decode_info(_bytes(info_v))
    e = info_v["info"]
    assert info.fw_version == tuple(e["fw_version"]) and info.board_id == e["board_id"] == 1
    assert (info.placement, info.side, info.model) == ("shoe", "L", e["model"])
    assert info.layouts == (1, 2) and info.gyro_range_dps == 2000 and info.max_odr_hz == 1666
    assert not info.streaming
    assert glf.encode_info(info) == _bytes(info_v)
    for v in _vectors("cmd", True):
        cmd = glf.decode_command(_bytes(v))
        assert (cmd.op, cmd.odr_hz, cmd.acc_range_g, cmd.gyro_range_dps, cmd.layout) == tuple(
            v["cmd"][k] for k in ("op", "odr_hz", "acc_range_g", "gyro_range_dps", "layout"))
        assert glf.encode_command(cmd) == _bytes(v)
    assert glf.encode_start(416, 16, 2000, glf.LAYOUT_ACC_GYRO) == _bytes(
        next(v for v in MANIFEST if v["name"] == "cmd_start_416_acc_gyro"))
    (resp_v,) = _vectors("resp", True)
    resp = glf.decode_response(_bytes(resp_v))
    assert not resp.ok and resp.status_name == "BAD_RATE" and resp.op == glf.Op.START
    assert glf.encode_response(resp.op, resp.status) == _bytes(resp_v)


def test_sizes_crc_and_uuids():
    assert glf.crc16(b"123456789") == 0x29B1
    assert glf.max_samples(247, glf.LAYOUT_ACC) == 38
    assert glf.max_samples(247, glf.LAYOUT_ACC_GYRO) == 19
    assert glf.max_samples(185, glf.LAYOUT_ACC_GYRO) == 13
    assert glf.max_samples(247, glf.LAYOUT_ACC | glf.FLAG_CRC) == 37
    assert glf.max_samples(517, glf.LAYOUT_ACC) == 82  # capped by the 512-byte attribute limit
    assert glf.max_samples(23, glf.LAYOUT_ACC) == 0 and glf.max_samples(25, glf.LAYOUT_ACC) == 1
    assert glf.max_samples(247, 0x03) == 0
    for mtu in (23, 27, 64, 185, 247, 517):
        for layout in (1, 2, 0x81, 0x82):
            n = glf.max_samples(mtu, layout)
            if n:
                assert glf.frame_size(layout, n) <= min(mtu - 3, 512) < glf.frame_size(layout, n + 1) or n == 255
    uuids = {glf.SERVICE_UUID, glf.DATA_UUID, glf.CONTROL_UUID, glf.INFO_UUID}
    assert len(uuids) == 4 and all(len(u) == 36 and u.endswith("-5d3b-4e0b-9a53-67616974c0de") for u in uuids)


def test_to_counts_rounds_and_saturates():
    acc_g = np.array([[1.0, -1.0, 0.5], [20.0, -20.0, 1 / 4096 * 0.49]])
    c = glf.to_counts(acc_g, 8)
    np.testing.assert_array_equal(c, [[4096, -4096, 2048], [32767, -32768, 0]])
    f = glf.decode_frame(glf.encode_frame(c[:1], seq=0, t0_us=0, odr_hz=100, acc_range_g=8))
    np.testing.assert_array_equal(f.acc_g, acc_g[:1])


@pytest.mark.parametrize("kwargs, match", [
    ({"raw_acc": np.zeros((0, 3), np.int16)}, "1..255"),
    ({"raw_acc": np.zeros((256, 3), np.int16)}, "1..255"),
    ({"raw_acc": np.zeros((2, 2), np.int16)}, r"shape \(n, 3\)"),
    ({"raw_acc": np.zeros((2, 3))}, "integer counts"),
    ({"raw_acc": np.full((2, 3), 40000)}, "int16"),
    ({"odr_hz": 0}, "odr_hz"),
    ({"acc_range_g": 0}, "acc_range_g"),
    ({"gyro_range_dps": 500}, "acc-only"),
    ({"raw_gyr": np.zeros((2, 3), np.int16)}, "gyro_range_dps"),
    ({"raw_gyr": np.zeros((3, 3), np.int16), "gyro_range_dps": 250}, "differs"),
    ({"raw_acc": np.zeros((100, 3), np.int16)}, "512"),
])
def test_encoder_refuses_what_the_decoder_would_reject(kwargs, match):
    args = {"raw_acc": np.zeros((2, 3), np.int16), "seq": 0, "t0_us": 0, "odr_hz": 100, "acc_range_g": 8}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        glf.encode_frame(args.pop("raw_acc"), args.pop("raw_gyr", None), **args)


def test_error_pickles_with_code_and_offset():
    with pytest.raises(glf.GlfFrameError) as info:
        glf.decode_frame(b"\x01" + bytes(20))
    e = pickle.loads(pickle.dumps(info.value))
    assert (e.code, e.offset, str(e)) == (info.value.code, info.value.offset, str(info.value))


def test_decoder_adapter_feeds_imu_packets():
    v = next(v for v in MANIFEST if v["name"] == "acc_gyro_basic")
    dec = glf.GlfDecoder()
    p = dec.feed(bytearray(_bytes(v)))
    assert (p.ticks, p.seq, p.fs_hz, p.n) == (1_000_000, 1, 416.0, 3)
    np.testing.assert_array_equal(p.gyr_dps, dec.last_frame.gyr_dps)
    assert dec.timing.tick_s == 1e-6 and dec.timing.wrap_ticks == 2**32 and dec.timing.seq_wrap == 2**16


# ---- properties ---------------------------------------------------------------------------------

_VALID = [_bytes(v) for v in _vectors("frame", True)]


def _check_decode(data: bytes) -> None:
    try:
        f = glf.decode_frame(data)
    except FrameError:
        return
    # anything accepted is canonical: re-encoding the decoded frame gives the same bytes back
    again = glf.encode_frame(f.raw_acc, f.raw_gyr, seq=f.seq, t0_us=f.t0_us, odr_hz=f.odr_hz,
                             acc_range_g=f.acc_range_g, gyro_range_dps=f.gyro_range_dps or 0, crc=f.crc,
                             header_ext=f.header_ext)
    assert again == data


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_fuzz_random_bytes_only_frame_error(data):
    _check_decode(data)
    _check_decode(b"\x01" + data)  # right version byte, to get past the first check


@settings(max_examples=600, deadline=None)
@given(st.sampled_from(_VALID), st.lists(st.tuples(st.integers(0, 600), st.integers(0, 255)), max_size=4),
       st.integers(-4, 4))
def test_fuzz_mutated_frames_only_frame_error(frame, edits, resize):
    data = bytearray(frame)
    for pos, value in edits:
        if data:
            data[pos % len(data)] = value
    data = data[:len(data) + resize] if resize < 0 else data + bytes(resize)
    _check_decode(bytes(data))


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 41), st.booleans(), st.booleans(), st.integers(0, 2**16 - 1), st.integers(0, 2**32 - 1),
       st.data())
def test_round_trip_random_frames(n, gyro, crc, seq, t0_us, data):
    k = 6 if gyro else 3
    raw = np.array(data.draw(st.lists(st.integers(-32768, 32767), min_size=n * k, max_size=n * k)),
                   dtype=np.int16).reshape(n, k)
    frame = glf.encode_frame(raw[:, :3], raw[:, 3:] if gyro else None, seq=seq, t0_us=t0_us, odr_hz=833,
                             acc_range_g=16, gyro_range_dps=2000 if gyro else 0, crc=crc)
    f = glf.decode_frame(frame)
    assert (f.seq, f.t0_us, f.n, f.crc) == (seq, t0_us, n, crc)
    np.testing.assert_array_equal(f.raw_acc, raw[:, :3])
    np.testing.assert_array_equal(f.acc_g, raw[:, :3].astype(np.float64) * 16 / 32768)
