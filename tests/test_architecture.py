"""The package's architecture holds: floors that import only downwards, no import circle between
modules, a model that imports nothing of the rest, Mesa used and not patched, and a command line that
starts without the heavy libraries.

The layer contracts themselves are in ``pyproject.toml`` (``[tool.importlinter]``) and checked by
``lint-imports`` in ``make check`` and ``make test``; these tests check what the contracts cannot see.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
import textwrap
from pathlib import Path

import grimp
import mesa
import networkx as nx
import pytest

import sim

SIM = Path(sim.__file__).resolve().parent


def import_cycles(package: str) -> list[list[str]]:
    """The groups of modules of ``package`` that import one another in a circle, counting every import
    (module-level and inside functions) but those made only for type annotations (under TYPE_CHECKING)."""
    graph = grimp.build_graph(package, exclude_type_checking_imports=True, cache_dir=None)
    edges = nx.DiGraph()
    for module in graph.modules:
        edges.add_node(module)
        edges.add_edges_from((module, imported) for imported in graph.find_modules_directly_imported_by(module))
    return sorted(sorted(group) for group in nx.strongly_connected_components(edges) if len(group) > 1)


def test_no_module_of_sim_is_in_an_import_circle():
    assert import_cycles("sim") == []


def test_the_circle_finder_finds_a_circle_made_by_an_import_inside_a_function(tmp_path, monkeypatch):
    """The check above can fail: a package whose two modules import each other, one of them only inside
    a function, is a circle."""
    pkg = tmp_path / "circle_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "low.py").write_text("def f():\n    from circle_pkg import high\n    return high\n")
    (pkg / "high.py").write_text("from circle_pkg import low\n")
    (pkg / "typed.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from circle_pkg import high\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert import_cycles("circle_pkg") == [["circle_pkg.high", "circle_pkg.low"]]


def test_the_model_imports_nothing_of_sim_outside_itself():
    graph = grimp.build_graph("sim", exclude_type_checking_imports=True, cache_dir=None)
    model = {m for m in graph.modules if m == "sim.model" or m.startswith("sim.model.")}
    outside = {
        (importer, imported)
        for importer in model
        for imported in graph.find_modules_directly_imported_by(importer)
        if imported.startswith("sim") and imported not in model
    }
    assert outside == set()


def mesa_assignments(source: str) -> list[str]:
    """Assignments (``x.y = ...``, ``setattr(x, ...)``, ``del x.y``) into a name that came from Mesa."""
    tree = ast.parse(source)
    from_mesa = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            from_mesa |= {(a.asname or a.name).split(".")[0] for a in node.names if a.name.split(".")[0] == "mesa"}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "mesa":
            from_mesa |= {a.asname or a.name for a in node.names}

    def root(expr: ast.expr) -> str | None:
        while isinstance(expr, ast.Attribute):
            expr = expr.value
        return expr.id if isinstance(expr, ast.Name) else None

    found = []
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif isinstance(node, ast.Delete):
            targets = node.targets
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("setattr", "delattr"):
            targets = [ast.Attribute(value=node.args[0], attr="?")] if node.args else []
        found += [ast.unparse(t) for t in targets if isinstance(t, ast.Attribute) and root(t) in from_mesa]
    return found


def test_nothing_in_sim_assigns_into_a_mesa_module_or_class():
    found = {
        str(path.relative_to(SIM)): hits
        for path in sorted(SIM.rglob("*.py"))
        if (hits := mesa_assignments(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_the_mesa_check_sees_a_patch():
    patched = textwrap.dedent(
        """
        import mesa
        from mesa.visualization import solara_viz
        solara_viz.UserInputs = object
        mesa.Agent._ids = {}
        setattr(solara_viz, "make_initial_grid_layout", None)
        """
    )
    assert mesa_assignments(patched) == ["solara_viz.UserInputs", "mesa.Agent._ids", "solara_viz.?"]


def test_the_mesa_workarounds_refuse_another_mesa_version(monkeypatch):
    import sim.model.mesa_compat as compat

    monkeypatch.setattr(mesa, "__version__", "3.4.0")
    with pytest.raises(ImportError, match=r"works around Mesa 3\.3\.1, but Mesa 3\.4\.0 is installed"):
        importlib.reload(compat)
    monkeypatch.undo()
    importlib.reload(compat)  # as it was


HEAVY = ("pandas", "scipy", "matplotlib", "pyarrow", "mesa")


@pytest.mark.parametrize("args", [["--help"], ["params"], ["params", "--grep", "crime"]])
def test_the_command_line_starts_without_the_heavy_libraries(args):
    """``python -m sim --help`` and ``params`` import none of pandas, scipy, matplotlib, pyarrow or Mesa."""
    probe = (
        "import runpy, sys\n"
        f"sys.argv = ['sim', *{args!r}]\n"
        "try:\n"
        "    runpy.run_module('sim', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print('LOADED', sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.stdout, done.stderr  # it printed its help or the parameters
    assert done.stderr.strip().splitlines()[-1] == "LOADED []"


def test_the_agents_are_written_against_world_not_the_model_class():
    """The agents depend on the floor below the model class (``sim/model/world.py``), not on
    ``RegionModel``, not even for type annotations."""
    grid = grimp.build_graph("sim", exclude_type_checking_imports=False, cache_dir=None)
    agents = sorted(m for m in grid.modules if m.startswith("sim.model.agents."))
    assert agents  # the check looks at something
    assert {a: "sim.model.region" in grid.find_modules_directly_imported_by(a) for a in agents} == dict.fromkeys(
        agents, False
    )
    assert all("sim.model.world" in grid.find_modules_directly_imported_by(a) for a in agents)
