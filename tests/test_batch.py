"""gaitlab.batch: inputs, outputs, isolation, determinism, skipping, process pool, CLI.

Most tests use a small stand-in analyzer (``fake_analyze``, module level so pool workers can
unpickle it) to test the batch machinery exactly and fast; ``test_batch_real.py`` runs the real
analysis.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import gaitlab.batch as gb
from gaitlab.batch.outputs import index_html, summary_frame
from gaitlab.cli import main
from gaitlab.errors import InputError
from gaitlab.result import Analysis

HEADER = "time_s,acc_x_g,acc_y_g,acc_z_g\n"


def fake_analyze(path, **kwargs):
    """Stand-in for gaitlab.analyze: 'steps' = rows, cadence = 60 * mean(acc_z_g); a file whose
    name contains 'slow' gets a warn flag, 'hurt' an alert flag; no acc_z_g column -> InputError."""
    df = pd.read_csv(path)
    if "acc_z_g" not in df.columns:
        raise InputError(f"expected a column acc_z_g, found {', '.join(df.columns)}", path=os.fspath(path),
                         line=1)
    name = os.path.basename(path)
    flags = []
    if "slow" in name:
        flags.append({"code": "low_cadence", "severity": "warn", "message": "slow"})
    if "hurt" in name:
        flags.append({"code": "high_impact", "severity": "alert", "message": "ouch"})
    flags.append({"code": "note", "severity": "info", "message": "fyi"})
    steps = pd.DataFrame({"ic_s": df["time_s"].to_numpy(), "gct_ms": 200.0 + df["acc_z_g"].to_numpy()})
    return Analysis(
        steps=steps,
        summary={"n_steps": len(df), "cadence_spm": 60.0 * float(df["acc_z_g"].mean()), "vo_cm": float("nan"),
                 "speed_mps": kwargs.get("speed_mps")},
        segments=pd.DataFrame({"start_s": [0.0], "end_s": [60.0]}),
        gaps=pd.DataFrame({"start_s": pd.Series(dtype=float), "end_s": pd.Series(dtype=float)}),
        input={"path": os.fspath(path), "format": "csv", "fs_hz": 100.0, "duration_s": float(len(df)),
               "placement": kwargs.get("placement") or "waist"},
        flags=flags,
    )


def crashing_analyze(path, **kwargs):
    """Kills its worker process on a file named crash*.csv (a segfault stand-in)."""
    if os.path.basename(path).startswith("crash"):
        os._exit(13)
    return fake_analyze(path, **kwargs)


def buggy_analyze(path, **kwargs):
    if "bug" in os.path.basename(path):
        raise ZeroDivisionError("float division by zero")
    return fake_analyze(path, **kwargs)


def write_csv(path: Path, acc_z: list[float]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [HEADER] + [f"{i * 0.01:.2f},0,0,{z}\n" for i, z in enumerate(acc_z)]
    path.write_text("".join(lines))
    return path


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A folder: two run.csv with the same basename, a flagged file, a bad file, a README."""
    root = tmp_path / "data"
    write_csv(root / "alice" / "run.csv", [1.0, 2.0, 3.0])           # cadence 120, 3 steps
    write_csv(root / "bob" / "run.csv", [2.0, 2.0])                 # cadence 120, 2 steps
    write_csv(root / "bob" / "slow run.csv", [1.0])                 # warn flag, 1 step
    (root / "broken.csv").write_text("x,y\n1,2\n")                  # InputError
    (root / "README.txt").write_text("not data")
    (root / ".hidden").mkdir()
    write_csv(root / ".hidden" / "skip.csv", [1.0])
    return root


def run(paths, **kw):
    kw.setdefault("analyzer", fake_analyze)
    kw.setdefault("progress", False)
    return gb.execute(paths, **kw)


def all_files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- inputs -------------------------------------------------------------------------------------
def test_expand_folder_recursive_sorted_unique_names(data: Path) -> None:
    items = gb.expand_inputs([data])
    assert [i.name for i in items] == ["alice/run.csv", "bob/run.csv", "bob/slow run.csv", "broken.csv"]
    assert all(os.path.isabs(i.path) for i in items)
    assert items[0].size == (data / "alice" / "run.csv").stat().st_size


def test_expand_globs_files_and_duplicates(data: Path) -> None:
    items = gb.expand_inputs([str(data / "**" / "run.csv"), data / "bob" / "run.csv", str(data / "README.txt")])
    # a file named explicitly is taken whatever its suffix; the same file twice is kept once
    assert [i.name for i in items] == ["README.txt", "alice/run.csv", "bob/run.csv"]
    # a symlink to a file already there is the same file
    (data / "link.csv").symlink_to(data / "broken.csv")
    names = [i.name for i in gb.expand_inputs([data])]
    assert names.count("broken.csv") + names.count("link.csv") == 1


def test_expand_errors(tmp_path: Path, data: Path) -> None:
    with pytest.raises(InputError, match="input not found: .*nope.csv"):
        gb.expand_inputs([data, tmp_path / "nope.csv"])
    with pytest.raises(InputError, match="glob matched nothing"):
        gb.expand_inputs([str(tmp_path / "*.parquet")])
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no input files found"):
        gb.expand_inputs([tmp_path / "empty"])


# -- one batch, in-process ----------------------------------------------------------------------
def test_batch_outputs_table_and_isolation(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    outcome = run([data], out=out, jobs=1, speed_mps=3.5)
    table = outcome.table
    assert list(table["file"]) == ["alice/run.csv", "bob/run.csv", "bob/slow run.csv", "broken.csv"]
    assert list(table["status"]) == ["ok", "ok", "ok", "error"]
    # the bad file's row carries the InputError text, with its batch name instead of a temp path
    assert table.loc[3, "error"] == "broken.csv:1: expected a column acc_z_g, found x, y"
    assert str(tmp_path) not in out.joinpath("summary.csv").read_text()
    assert table["n_steps"].tolist()[:3] == [3, 2, 1] and pd.isna(table["n_steps"][3])
    assert table["cadence_spm"].tolist()[:3] == pytest.approx([120.0, 120.0, 60.0])
    assert table["speed_mps"].tolist()[:3] == [3.5] * 3
    assert table["n_warn"].tolist()[:3] == [0, 0, 1] and table["n_info"].tolist()[:3] == [1, 1, 1]
    assert table.loc[2, "flag_codes"] == "low_cadence note"
    s = outcome.stats
    assert (s.n_files, s.n_ok, s.n_failed, s.n_skipped, s.n_steps) == (4, 3, 1, 0, 6)
    assert s.flagged == ["bob/slow run.csv"]

    # per-file JSON: exactly Analysis.to_json of the same analysis, input path = batch name
    for name in ("alice/run.csv", "bob/run.csv", "bob/slow run.csv"):
        expected = fake_analyze(data / name, speed_mps=3.5)
        expected.input["path"] = name
        assert (out / f"{name}.json").read_text() == expected.to_json() + "\n"
    assert not (out / "broken.csv.json").exists()

    # CSV and Parquet hold the same table
    csv = pd.read_csv(out / "summary.csv")
    pq = pd.read_parquet(out / "summary.parquet")
    assert list(csv.columns) == list(table.columns) == list(pq.columns)
    assert pq["cadence_spm"].tolist()[:3] == pytest.approx(table["cadence_spm"].tolist()[:3])
    assert pq["file"].tolist() == csv["file"].tolist() == table["file"].tolist()

    index = (out / "index.html").read_text()
    assert 'href="bob/slow%20run.csv.json"' in index and "broken.csv:1: expected a column" in index


def test_index_html_escapes_names() -> None:
    rows = [{"file": "<script>x</script>&.csv", "status": "ok", "summary": {"n_steps": 1},
             "json": "<script>x</script>&.csv.json", "n_info": 0, "n_warn": 0, "n_alert": 0},
            {"file": "b.csv", "status": "error", "error": "bad <b>header</b>"}]
    page = index_html(summary_frame(rows))
    assert "<script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;&amp;.csv" in page
    assert 'href="%3Cscript%3Ex%3C/script%3E%26.csv.json"' in page
    assert "bad &lt;b&gt;header&lt;/b&gt;" in page


def test_unexpected_exception_is_an_error_row(data: Path) -> None:
    write_csv(data / "bug.csv", [1.0])
    table = run([data], jobs=1, analyzer=buggy_analyze).table
    row = table[table["file"] == "bug.csv"].iloc[0]
    assert row["status"] == "error" and row["error"] == "ZeroDivisionError: float division by zero"
    assert (table["status"] == "ok").sum() == 3


def test_outputs_are_deterministic(data: Path, tmp_path: Path) -> None:
    """Same inputs, other location and output folder, other order of arguments: same bytes."""
    other = tmp_path / "elsewhere" / "copy"
    other.mkdir(parents=True)
    for p in data.rglob("*.csv"):
        dest = other / p.relative_to(data)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(p.read_bytes())
    run([data], out=tmp_path / "o1", jobs=1)
    run([other / "bob", other / "broken.csv", other / "alice"], out=tmp_path / "o2", jobs=1)
    a, b = all_files(tmp_path / "o1"), all_files(tmp_path / "o2")
    outputs = {k for k in a if not k.startswith(".batch/")}
    assert outputs == {k for k in b if not k.startswith(".batch/")}
    assert {"summary.csv", "summary.parquet", "index.html", "alice/run.csv.json"} <= outputs
    for k in outputs:
        assert a[k] == b[k], k


def test_rerun_skips_up_to_date_files(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run([data], out=out, jobs=1)
    before = all_files(out)
    again = run([data], out=out, jobs=1)
    assert again.stats.n_skipped == 3 and again.stats.n_failed == 1  # failures are retried, not cached
    pd.testing.assert_frame_equal(first.table, again.table, check_like=False, check_exact=True)
    assert all_files(out) == before

    # a changed input is redone, the rest skipped
    write_csv(data / "alice" / "run.csv", [4.0, 4.0, 4.0, 4.0])
    third = run([data], out=out, jobs=1)
    assert third.stats.n_skipped == 2
    assert third.table.loc[0, "n_steps"] == 4 and third.table.loc[0, "cadence_spm"] == pytest.approx(240.0)
    # other options, or force, redo everything
    assert run([data], out=out, jobs=1, speed_mps=3.0).stats.n_skipped == 0
    assert run([data], out=out, jobs=1, speed_mps=3.0, force=True).stats.n_skipped == 0
    assert run([data], out=out, jobs=1, speed_mps=3.0).stats.n_skipped == 3
    # a deleted output is redone
    (out / "bob" / "run.csv.json").unlink()
    fourth = run([data], out=out, jobs=1, speed_mps=3.0)
    assert fourth.stats.n_skipped == 2 and (out / "bob" / "run.csv.json").exists()


def test_output_inside_input_folder_is_not_read_back(data: Path) -> None:
    out = data / "results"
    run([data], out=out, jobs=1)
    second = run([data], out=out, jobs=1)
    assert second.stats.n_files == 4  # not results/summary.csv
    # output folder == input folder: summary.csv must not become an input either
    run([data / "alice"], out=data / "alice", jobs=1)
    assert (data / "alice" / "summary.parquet").exists()
    again = run([data / "alice"], out=data / "alice", jobs=1)
    assert again.table["file"].tolist() == ["run.csv"] and again.stats.n_skipped == 1


def test_memory_url_in_process_only(data: Path) -> None:
    fsspec = pytest.importorskip("fsspec")
    url = "memory://gaitlab-test-batch"
    table = run([data], out=url, jobs=1).table
    fs = fsspec.filesystem("memory")
    assert fs.cat_file("/gaitlab-test-batch/alice/run.csv.json").startswith(b'{"schema"')
    assert fs.cat_file("/gaitlab-test-batch/summary.csv").decode().startswith("file,status,error")
    assert (table["status"] == "ok").sum() == 3
    with pytest.raises(InputError, match="cannot be shared with worker processes"):
        run([data], out=url, jobs=2)


def test_progress_bar_shows_steps_and_errors(data: Path, capsys) -> None:
    run([data], jobs=1, progress=True)
    err = capsys.readouterr().err
    assert "4/4" in err and "steps=6" in err and "errors=1" in err


def test_bad_options(data: Path) -> None:
    with pytest.raises(InputError, match="fail_on must be one of"):
        run([data], fail_on="panic")
    with pytest.raises(InputError, match="jobs must be"):
        run([data], jobs=0)


# -- process pool -------------------------------------------------------------------------------
def test_pool_matches_in_process_and_isolates_a_crashing_worker(data: Path, tmp_path: Path) -> None:
    write_csv(data / "crash.csv", [1.0])
    one = run([data], out=tmp_path / "o1", jobs=1, analyzer=fake_analyze)
    two = run([data], out=tmp_path / "o2", jobs=2, analyzer=crashing_analyze)
    t1, t2 = one.table.set_index("file"), two.table.set_index("file")
    assert t2.loc["crash.csv", "status"] == "error"
    assert "worker process analysing this file died" in t2.loc["crash.csv", "error"]
    ok = [f for f in t1.index if f != "crash.csv"]
    pd.testing.assert_frame_equal(t1.loc[ok], t2.loc[ok])
    assert all_files(tmp_path / "o1")["alice/run.csv.json"] == all_files(tmp_path / "o2")["alice/run.csv.json"]


# -- command line -------------------------------------------------------------------------------
def test_cli_exit_codes(data: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr("gaitlab.analysis.analyze", fake_analyze)  # in-process (-j 1) only
    out = str(tmp_path / "out")
    assert main(["batch", str(data), "--out", out, "--jobs", "1"]) == 0
    line = capsys.readouterr().out
    assert "4 files: 3 ok (0 up to date), 1 failed; 6 steps; 1 flagged (warn or worse)" in line
    assert main(["batch", str(data), "--out", out, "-j", "1", "--strict"]) == 2
    assert main(["batch", str(data), "--out", out, "-j", "1", "--fail-on", "warn"]) == 1
    assert main(["batch", str(data), "--out", out, "-j", "1", "--fail-on", "alert"]) == 0
    write_csv(data / "hurt.csv", [1.0])
    assert main(["batch", str(data), "--out", out, "-j", "1", "--fail-on", "alert"]) == 1
    assert main(["batch", str(tmp_path / "missing"), "-j", "1"]) == 2
    assert "input not found" in capsys.readouterr().err
    # without --out the table goes to stdout as CSV
    assert main(["batch", str(data / "alice"), "-j", "1"]) == 0
    table = capsys.readouterr().out
    assert table.splitlines()[0].startswith("file,status,error") and "run.csv,ok" in table


def test_import_is_light() -> None:
    code = ("import sys, gaitlab.batch, gaitlab.commands.batch; "
            "print(sorted(m for m in ('pandas', 'dask', 'distributed', 'fsspec', 'tqdm', 'numba') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out.strip().replace("'", '"')) == []


def test_fork_server_warm_up_does_not_import_scipy_signal() -> None:
    """The pool's fork server imports FORKSERVER_PRELOAD and analyses a warm-up run before its
    first worker: scipy.signal (~0.4 s) is needed by neither, so the workers start without it."""
    from gaitlab.batch.local import FORKSERVER_PRELOAD

    code = ("import importlib, sys; from gaitlab.batch.local import FORKSERVER_PRELOAD as P; "
            "[importlib.import_module(m) for m in P]; "
            "from gaitlab.kernels.events import contact_edges; "
            "print(len(contact_edges.signatures) > 0, 'scipy.signal' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "False"]
    assert "gaitlab.batch._preload" in FORKSERVER_PRELOAD
