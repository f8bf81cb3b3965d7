"""The example notebooks: stored without outputs, in sync with their generator, and each one runs
top to bottom in a real Jupyter kernel (``nbclient`` + ``ipykernel``, kernel ``python3`` of this
interpreter) without writing into the repository."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the notebook extra is not installed")

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(p.name for p in NB_DIR.glob("*.ipynb"))
EXPECTED = ["01_analyse_a_run.ipynb", "02_compare_runs.ipynb", "03_live_stream.ipynb", "04_garmin_comparison.ipynb",
            "05_season.ipynb"]

#: Per-cell limit (s): generous for a shared 2-core machine; the whole set runs in ~40-60 s.
CELL_TIMEOUT_S = 120


def _generator():
    spec = importlib.util.spec_from_file_location("make_notebooks", NB_DIR / "make_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_all_notebooks_present():
    assert NOTEBOOKS == EXPECTED


@pytest.mark.parametrize("name", EXPECTED)
def test_committed_notebook_has_no_outputs(name):
    nb = nbformat.read(NB_DIR / name, as_version=4)
    nbformat.validate(nb)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert code_cells
    for cell in code_cells:
        assert cell.outputs == [], f"{name}: a code cell has stored outputs (regenerate or strip it)"
        assert cell.execution_count is None, f"{name}: a code cell has an execution count"
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("name", EXPECTED)
def test_committed_notebook_matches_generator(name):
    gen = _generator()
    assert (NB_DIR / name).read_text(encoding="utf-8") == gen.render(name), (
        f"{name} differs from notebooks/make_notebooks.py: run `python notebooks/make_notebooks.py`")


def _snapshot(root: Path) -> set[str]:
    """Files under the directories a notebook could be tempted to write into."""
    out = set()
    for sub in ("notebooks", "sample_data"):
        out |= {str(p.relative_to(root)) for p in (root / sub).rglob("*") if "__pycache__" not in p.parts
                and ".ipynb_checkpoints" not in p.parts}
    out |= {p.name for p in root.iterdir()}
    return out


#: Files each notebook must have written into its output folder.
OUTPUTS = {
    "01_analyse_a_run.ipynb": {"steps.parquet", "steps.csv", "waist_run.json", "waist_run.html", "trend.png"},
    "02_compare_runs.ipynb": set(),
    "03_live_stream.ipynb": {"live_run.csv"},
    "04_garmin_comparison.ipynb": {"watch.fit"},
    "05_season.ipynb": {"history.html", "latest_run.html", "results", "recordings"},
}


@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_runs_top_to_bottom(name, tmp_path, monkeypatch):
    pytest.importorskip("ipykernel", reason="the notebook extra is not installed")
    from nbclient import NotebookClient

    nb = nbformat.read(NB_DIR / name, as_version=4)
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setenv("GAITLAB_NOTEBOOK_OUT", str(out))   # the kernel inherits the environment
    before = _snapshot(ROOT)
    client = NotebookClient(nb, kernel_name="python3", timeout=CELL_TIMEOUT_S, allow_errors=False,
                            resources={"metadata": {"path": str(NB_DIR)}})
    client.execute()   # raises CellExecutionError naming the cell on any error
    assert _snapshot(ROOT) == before, "the notebook wrote into the repository"
    written = {p.name for p in out.iterdir()}
    assert OUTPUTS[name] <= written, f"missing outputs: {OUTPUTS[name] - written}"
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code_cells)
    # figures were displayed as images, not as "<Figure size ...>" text
    images = sum("image/png" in o.get("data", {}) for c in code_cells for o in c.outputs)
    assert images >= 1, "no figure was rendered as an image"


def test_kernel_is_this_interpreter(tmp_path):
    """The python3 kernel must be the interpreter running the tests (else it lacks gaitlab)."""
    pytest.importorskip("ipykernel", reason="the notebook extra is not installed")
    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell("import sys; print(sys.prefix)")])
    NotebookClient(nb, kernel_name="python3", timeout=60, resources={"metadata": {"path": str(tmp_path)}}).execute()
    printed = nb.cells[0].outputs[0]["text"].strip()
    assert os.path.realpath(printed) == os.path.realpath(sys.prefix)
