"""Packaging: one version, the files a user and a citing author expect, every import declared; an sdist
with everything needed to check the package, and a wheel that carries the shipped experiments."""

import ast
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

import sim

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


# ---- building the sdist and the wheel -------------------------------------------------------------

#: what the source tree holds and the sdist deliberately leaves out: the published results (re-run a
#: sweep to get them) and git's own file
NOT_IN_SDIST = ("results/", ".gitignore")


def _source_files() -> list[str]:
    """The files of the source tree, relative to it: those git tracks, or in a tree without git (an
    unpacked sdist) every file but caches and build products."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True)
    if listed.returncode == 0:
        return sorted(name for name in listed.stdout.split("\0") if name and (ROOT / name).is_file())
    skip = {".git", ".venv", "build", "dist", "__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis"}
    return sorted(
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*")
        if path.is_file() and not skip & set(path.relative_to(ROOT).parts) and ".egg-info" not in str(path)
    )


def _run(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    """An sdist built from a copy of the source tree, and a wheel built from that sdist (so the wheel
    has only what the sdist gave it). Built without isolation: needs setuptools>=77 (the test extra)."""
    tmp = tmp_path_factory.mktemp("build")
    files = _source_files()
    for name in files:
        (tmp / "src" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, tmp / "src" / name)
    build_sdist = "import sys; from setuptools import build_meta; print(build_meta.build_sdist(sys.argv[1]))"
    name = _run(sys.executable, "-c", build_sdist, str(tmp / "dist"), cwd=tmp / "src").stdout.strip().splitlines()[-1]
    sdist = tmp / "dist" / name
    _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(tmp / "dist"),
         str(sdist), cwd=tmp)  # fmt: skip
    (wheel,) = (tmp / "dist").glob("*.whl")
    return {"tmp": tmp, "files": files, "sdist": sdist, "wheel": wheel}


@pytest.mark.slow
def test_the_sdist_holds_every_source_file_but_the_published_results(built):
    with tarfile.open(built["sdist"]) as tar:
        inside = {member.name.split("/", 1)[1] for member in tar.getmembers() if member.isfile()}
    expected = [name for name in built["files"] if not name.startswith(NOT_IN_SDIST)]
    assert [name for name in expected if name not in inside] == []
    for needed in ("tests/test_packaging.py", "experiments/layering.toml", "docs/experiments.md", "Makefile"):
        assert needed in inside


def test_the_wheel_holds_every_module_data_file_and_shipped_experiment(built):
    with zipfile.ZipFile(built["wheel"]) as wheel:
        inside = set(wheel.namelist())
        shipped = {name: wheel.read(name) for name in inside if name.startswith("sim/_experiments/")}
    package = [name for name in built["files"] if name.startswith("sim/") and not name.endswith(".pyc")]
    assert [name for name in package if name not in inside] == []
    experiments = sorted(name for name in built["files"] if re.fullmatch(r"experiments/[^/]+\.toml", name))
    assert len(experiments) >= 9
    assert shipped == {f"sim/_{name}": (ROOT / name).read_bytes() for name in experiments}


@pytest.mark.slow
def test_an_installed_wheel_lists_and_copies_its_own_experiments(built, tmp_path):
    """Installed from the wheel into a folder of its own, away from the source tree, the package finds
    the experiments inside itself (the dependencies come from this environment)."""
    site = tmp_path / "site"
    _run(sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(built["wheel"]),
         cwd=tmp_path)  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(site)}
    where = _run(sys.executable, "-c", "import sim; print(sim.__file__)", cwd=tmp_path, env=env).stdout.strip()
    assert Path(where) == site / "sim" / "__init__.py"
    listing = _run(sys.executable, "-m", "sim", "experiments", cwd=tmp_path, env=env).stdout
    names = [line.split()[0] for line in listing.splitlines() if line[:1].isalpha()]
    assert names == sorted(path.stem for path in (ROOT / "experiments").glob("*.toml"))
    assert str(site / "sim" / "_experiments") in listing
    _run(sys.executable, "-m", "sim", "experiments", "layering", "--copy", "mine", cwd=tmp_path, env=env)
    assert (tmp_path / "mine" / "layering.toml").read_bytes() == (ROOT / "experiments" / "layering.toml").read_bytes()
