"""Packaging: one version, the files a user and a citing author expect, every import declared."""

import ast
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import sim
from sim.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_the_version_is_written_once_and_everything_reads_it():
    assert metadata.version("sea-layering-sim") == sim.__version__
    citation = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert re.search(r"^version: (.+)$", citation, re.M).group(1) == sim.__version__
    assert "version" in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dynamic"]


def test_licence_file_matches_the_declared_licence():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


def _top_level_imports() -> set[str]:
    names = set()
    for path in (ROOT / "sim").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"sim"}


def test_every_imported_library_is_declared():
    """A library sim/ imports is a dependency or in an extra (import names mapped to distributions)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = [req for group in project["optional-dependencies"].values() for req in group]
    declared = " ".join(project["dependencies"] + extras).lower()
    import_to_distribution = {"SALib": "salib", "distributed": "dask[distributed]", "mesa": "mesa"}
    missing = [
        name for name in sorted(_top_level_imports()) if import_to_distribution.get(name, name).lower() not in declared
    ]
    assert missing == []


def test_dask_executor_without_the_cluster_extra_is_bad_input(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed now raises ImportError
    out = tmp_path / "out"
    code = main(["sweep", str(ROOT / "experiments" / "layering.toml"), "--executor", "dask", "--out", str(out)])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["error: --executor dask needs the cluster extra: pip install 'sea-layering-sim[cluster]'"]
    assert not out.exists()
