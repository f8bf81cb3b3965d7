"""The layout's rules, checked on the source: no import cycles, one definition of the contract.

The import graph is read from the AST of every module of ``gaitlab``: every ``import`` and
``from ... import`` anywhere in a file counts, those inside functions (lazy imports) included;
only imports under ``if TYPE_CHECKING:`` (type hints, never run) are left out. The top-level
package's lazy attributes (``gaitlab._LAZY``, resolved with ``importlib``) count as imports too.
"""

from __future__ import annotations

import ast
import importlib
import logging
import re
from pathlib import Path

import pytest

import gaitlab

ROOT = Path(gaitlab.__file__).parent


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES: dict[str, Path] = {_module_name(p): p for p in ROOT.rglob("*.py") if "__pycache__" not in p.parts}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import node outside ``if TYPE_CHECKING:`` blocks, at any depth."""
    out: list[ast.Import | ast.ImportFrom] = []

    def walk(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for sub in child.orelse:
                    walk(sub)
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                out.append(child)
            walk(child)

    walk(tree)
    return out


def _resolve(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    """gaitlab modules an import node loads (the most specific existing module per name)."""
    is_pkg = MODULES[module].name == "__init__.py"
    targets: list[str] = []
    if isinstance(node, ast.Import):
        bases = [alias.name for alias in node.names]
        names: list[str | None] = [None] * len(bases)
    else:
        if node.level:
            pkg = module.split(".") if is_pkg else module.split(".")[:-1]
            pkg = pkg[: len(pkg) - (node.level - 1)]
            base = ".".join(pkg + ([node.module] if node.module else []))
        else:
            base = node.module or ""
        bases = [base] * len(node.names)
        names = [alias.name for alias in node.names]
    for base, name in zip(bases, names, strict=True):
        if not base.startswith("gaitlab"):
            continue
        if name is not None and f"{base}.{name}" in MODULES:
            targets.append(f"{base}.{name}")
        elif base in MODULES:
            targets.append(base)
    return targets


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _imports(tree):
            graph[module].update(t for t in _resolve(module, node) if t != module)
    for target, _attr in gaitlab._LAZY.values():
        graph["gaitlab"].add(target)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a list of modules (first == last), or None."""
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for n in sorted(graph.get(m, ())):
            if state.get(n) == 1:
                return stack[stack.index(n):] + [n]
            if n not in state:
                found = visit(n)
                if found:
                    return found
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state:
            found = visit(m)
            if found:
                return found
    return None


def test_the_graph_reader_sees_lazy_imports_and_skips_type_hints():
    graph = import_graph()
    assert "gaitlab.gait.waist" in graph["gaitlab.analysis"]   # imported inside analyze()
    assert "gaitlab.result" not in graph["gaitlab.report.html"]  # type hints only
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_between_gaitlab_modules():
    cycle = find_cycle(import_graph())
    assert cycle is None, " -> ".join(cycle or [])


@pytest.mark.parametrize("lower, upper", [
    ("gaitlab.schema", "gaitlab"),            # the contract imports nothing of the package
    ("gaitlab.kernels", "gaitlab"),           # kernels: numpy/numba and the schema's constants only
    ("gaitlab.gait", "gaitlab.report"),       # no stage imports a later one
    ("gaitlab.gait", "gaitlab.result"),
    ("gaitlab.gait", "gaitlab.analysis"),
    ("gaitlab.report", "gaitlab.result"),     # type hints only
    ("gaitlab.report", "gaitlab.analysis"),
    ("gaitlab.result", "gaitlab.gait"),
    # runs over time (issue #19): the run context, history and comparison drive analyses and
    # reports; the stages below them never import them
    ("gaitlab.gait", "gaitlab.context"),
    ("gaitlab.gait", "gaitlab.season"),
    ("gaitlab.gait", "gaitlab.comparison"),
    ("gaitlab.report", "gaitlab.context"),
    ("gaitlab.report", "gaitlab.season"),
    ("gaitlab.report", "gaitlab.comparison"),
    ("gaitlab.result", "gaitlab.context"),
    ("gaitlab.result", "gaitlab.season"),
    ("gaitlab.runmeta", "gaitlab.season"),
])
def test_layers_only_import_down_the_data_flow(lower, upper):
    allowed = {"gaitlab.schema", "gaitlab.errors", "gaitlab._version"} if lower != "gaitlab.schema" else set()
    bad = sorted(
        f"{m} -> {t}" for m, targets in import_graph().items() if m == lower or m.startswith(lower + ".")
        for t in targets
        if (t == upper or t.startswith(upper + ".")) and not (t == lower or t.startswith(lower + "."))
        and t not in allowed
    )
    assert bad == []


def test_the_contract_is_defined_once():
    """Column lists and g live in gaitlab.schema; no other module defines them again."""
    # the step metrics' plausible ranges (PLAUSIBLE, PLAUSIBLE_WAIST/SHOE); io's units check has
    # plausible signal levels of its own (PLAUSIBLE_MEAN_G, ...), a different quantity
    definition = re.compile(r"^(\w*(STEP|SUMMARY|SEGMENT|CONTACT|SHOE)_(COLUMNS|KEYS|FIELDS)|PLAUSIBLE(_WAIST|_SHOE)?"
                            r"|SCHEMA_VERSION)\s*(:[^=]*)?=\s*[({]|9\.80665", re.M)
    # synth/ defines the ground-truth tables of its generator, a schema of their own (its g is the schema's)
    exempt = {"gaitlab.schema"}
    found = sorted(f"{m}: {hit.group(0)}" for m, path in MODULES.items()
                   if m not in exempt and not m.startswith("gaitlab.synth")
                   for hit in definition.finditer(path.read_text(encoding="utf-8")))
    assert found == []


def test_public_api_leaks_nothing_private():
    assert "kernels" not in gaitlab.__all__
    import gaitlab.stream as gs

    assert len(gs.__all__) <= 22 and all(not n.startswith("_") for n in gs.__all__)
    from gaitlab.synth import simulate_waist

    rec = simulate_waist(20.0, fs=100.0, seed=1).recording
    assert not hasattr(rec, "__dict__")
    a = gaitlab.analyze(rec)
    assert not [k for k in a.params if k.startswith("_")]
    assert '"_speed_spec"' not in a.to_json()


def test_unknown_settings_are_named_with_the_valid_ones():
    from gaitlab.synth import simulate_waist

    rec = simulate_waist(20.0, fs=100.0, seed=1).recording
    with pytest.raises(gaitlab.InputError, match=r"unknown waist analysis setting 'smooth_hzz'.*smooth_hz"):
        gaitlab.analyze(rec, smooth_hzz=4.0)
    with pytest.raises(gaitlab.InputError, match=r"unknown shoe analysis setting.*still_dps"):
        gaitlab.analyze(rec, placement="shoe", block_s=10.0)


def test_importing_stream_leaves_the_batch_loggers_alone():
    names = ("gaitlab.gait.waist", "gaitlab.gait.orientation", "gaitlab.gait.shoe")
    for name in names:  # a live analyzer made earlier in this process may have installed it
        for f in list(logging.getLogger(name).filters):
            logging.getLogger(name).removeFilter(f)
    importlib.reload(importlib.import_module("gaitlab.stream.incremental"))
    importlib.reload(importlib.import_module("gaitlab.stream.analyzer"))
    importlib.reload(importlib.import_module("gaitlab.stream"))
    assert all(not logging.getLogger(n).filters for n in names)


def test_the_report_is_evaluated_once_and_read_by_the_views(monkeypatch):
    """analyze() stores the evaluation; the HTML report and figures read it instead of re-evaluating."""
    import gaitlab.report.figures as figures
    import gaitlab.report.html as html
    from gaitlab.synth import simulate_waist

    a = gaitlab.analyze(simulate_waist(240.0, fs=100.0, seed=2).recording)
    assert a.evaluation is not None and a.flags == a.evaluation.flags

    def no_second_evaluation(*args, **kwargs):
        raise AssertionError("the rules were evaluated again")

    monkeypatch.setattr(html, "evaluate_detailed", no_second_evaluation)
    monkeypatch.setattr(figures, "evaluate_detailed", no_second_evaluation)
    assert "<html" in html.render_html(a, figures=True)
    # other thresholds than the stored ones do need a new evaluation
    with pytest.raises(AssertionError, match="evaluated again"):
        html.render_html(a, thresholds={"low_cadence.info_below_spm": 150.0}, figures=False)


def test_live_analyzers_name_unknown_settings():
    from gaitlab.stream.analyzer import LiveWaistAnalyzer
    from gaitlab.stream.shoe_analyzer import LiveShoeAnalyzer

    with pytest.raises(gaitlab.InputError, match="unknown waist analysis setting 'blocks_s'.*block_s"):
        LiveWaistAnalyzer(fs=100.0, blocks_s=10.0)
    with pytest.raises(gaitlab.InputError, match="unknown shoe analysis setting 'block_s'"):
        LiveShoeAnalyzer(fs=100.0, block_s=10.0)
