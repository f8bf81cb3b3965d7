"""gaitlab.batch on Dask: a real LocalCluster with two worker processes writing to a file:// URL."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest

import gaitlab.batch as gb
from gaitlab.errors import GaitlabError

pytest.importorskip("distributed")
pytest.importorskip("fsspec")

from .test_batch import all_files, data, fake_analyze, write_csv  # noqa: E402, F401  (data is a fixture)


@pytest.mark.slow  # 5-10 s: starting a LocalCluster of two worker processes
def test_local_cluster_matches_in_process(data: Path, tmp_path: Path) -> None:  # noqa: F811
    for i in range(4):
        write_csv(data / "more" / f"r{i}.csv", [1.0 + i, 2.0])
    ref = gb.execute([data], out=tmp_path / "ref", jobs=1, analyzer=fake_analyze, progress=False)
    t0 = time.perf_counter()
    url = (tmp_path / "dask out").as_uri()  # file:///...dask%20out
    got = gb.execute([data], out=url, scheduler="local", jobs=2, analyzer=fake_analyze, progress=False)
    elapsed = time.perf_counter() - t0
    pd.testing.assert_frame_equal(ref.table, got.table)
    assert got.stats.n_ok == 7 and got.stats.n_failed == 1
    a, b = all_files(tmp_path / "ref"), all_files(tmp_path / "dask out")
    outputs = {k for k in a if not k.startswith(".batch/")}
    assert outputs == {k for k in b if not k.startswith(".batch/")}
    for k in outputs:
        assert a[k] == b[k], k
    # the manifest written by the Dask workers makes a local re-run skip everything that worked
    again = gb.execute([data], out=tmp_path / "dask out", jobs=1, analyzer=fake_analyze, progress=False)
    assert again.stats.n_skipped == 7
    assert elapsed < 60, f"LocalCluster batch took {elapsed:.1f} s"


def test_unreachable_scheduler_is_a_clear_error(data: Path, monkeypatch) -> None:  # noqa: F811
    monkeypatch.setattr("gaitlab.batch.dask_backend.CONNECT_TIMEOUT_S", 1)
    with pytest.raises(GaitlabError, match="cannot connect to the Dask scheduler at 'tcp://127.0.0.1:9'"):
        gb.execute([data], scheduler="tcp://127.0.0.1:9", analyzer=fake_analyze, progress=False)
