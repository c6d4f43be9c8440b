"""Provenance for results: package versions, git commit, command, platform, time."""

from __future__ import annotations

import datetime as dt
import os
import platform
import shlex
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

PACKAGES = ("sea-layering-sim", "mesa", "numpy", "pandas", "matplotlib", "pyarrow", "SALib", "dask", "distributed")


def package_versions(names: tuple[str, ...] = PACKAGES) -> dict[str, str | None]:
    """Installed version of each package (None when it is not installed)."""
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def git_commit(where: Path | None = None) -> str | None:
    """The commit of the source tree (with '-dirty' when it has uncommitted changes), or None."""
    root = where or Path(__file__).resolve().parents[2]
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=5, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("-dirty" if dirty else "")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def utc_stamp(moment: dt.datetime | None = None) -> str:
    """A folder-name timestamp such as 20261124T205301Z."""
    return (moment or utc_now()).strftime("%Y%m%dT%H%M%SZ")


def code_sha256() -> str:
    """A checksum of the package's code and data (every file under ``sim/`` but caches), so that a
    sweep resumed after the model changed can be told from one resumed on the same code."""
    import hashlib

    root = Path(__file__).resolve().parents[1]  # sim/
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo"):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def machine() -> dict[str, object]:
    """The CPU and the numerical libraries, so that a difference between machines can be explained:
    NumPy's vectorised ``exp`` and friends depend on the CPU's instruction set."""
    import numpy as np

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), cpu)
    except OSError:
        pass
    config = np.show_config(mode="dicts")
    blas = config.get("Build Dependencies", {}).get("blas", {})
    simd = config.get("SIMD Extensions", {})
    return {
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "blas": f"{blas.get('name', '?')} {blas.get('version', '')}".strip(),
        "simd_found": list(simd.get("found", [])),
    }


#: the console script ``pyproject.toml`` installs
SCRIPT = "sea-sim"


def sim_command(*words: str | os.PathLike[str]) -> str:
    """``python -m sim WORDS`` as this process was started, quoted for a shell, to show a user what to run
    next: with the interpreter as typed (``.venv/bin/python -m sim ...``) or the ``sea-sim`` script; plain
    ``python -m sim`` when the process is not the command line (the Python API, a notebook, tests)."""
    argv = list(getattr(sys, "orig_argv", ()))
    start = ["python", "-m", "sim"]
    if "-m" in argv[1:-1] and argv[argv.index("-m", 1) + 1] in ("sim", "sim.cli"):
        start = [argv[0], "-m", "sim"]
    elif len(argv) >= 2 and Path(argv[1]).name == SCRIPT:
        start = [SCRIPT if shutil.which(SCRIPT) == argv[1] else argv[1]]
    return shlex.join([*start, *map(str, words)])


def provenance(argv: list[str] | None = None) -> dict[str, object]:
    """What a manifest records about how a result was made (``argv``: the command's arguments)."""
    args = sys.argv[1:] if argv is None else argv
    return {
        "command": shlex.join(["python", "-m", "sim", *args]),
        "git_commit": git_commit(),
        "code_sha256": code_sha256(),
        "packages": package_versions(),
        "platform": platform.platform(),
        "machine": machine(),
    }
