"""What a user meets when a command is stopped: results folders made whole or not at all, and leftovers
of older crashes named with what to do.

A kill is simulated in two ways: in-process, a step of the folder's creation raises (a full disk, or
KeyboardInterrupt for Ctrl-C); in a subprocess, a step kills its own process with SIGKILL, so no clean-up
runs at all. Ctrl-C is sent to a subprocess's process group (as a terminal does) once a marker shows
that it has reached the moment under test: an import reported by ``-X importtime``, the forkserver
process appearing, a first part of runs on disk, the line saying the runs are written.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import sim.runs.provenance
import sim.runs.store
from sim.cli import main
from sim.runs.store import load_results
from tests.test_sweep import SMALL, tree, write

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def exp(tmp_path, monkeypatch) -> Path:
    """A tiny experiment file (4 runs of 6 months), with the current folder set to ``tmp_path``."""
    monkeypatch.chdir(tmp_path)
    return write(tmp_path / "exp.toml", SMALL.format(keep_series="false"))


def lines_of(err: str) -> list[str]:
    assert "Traceback" not in err, err
    return err.strip().splitlines()


# ---- a results folder is made whole or not at all ------------------------------------------------

#: the steps of making a sweep's folder, each replaced by one that fails
CREATION_STEPS = ["atomic_write_bytes", "atomic_write_table", "write_json", "publish"]


def failing(what: BaseException):
    def step(*args, **kwargs):
        raise what

    return step


@pytest.mark.parametrize("step", CREATION_STEPS)
def test_a_full_disk_while_a_sweep_folder_is_made_leaves_nothing(exp, tmp_path, capsys, monkeypatch, step):
    monkeypatch.setattr(sim.runs.store, step, failing(OSError(errno.ENOSPC, "No space left on device")))
    assert main(["sweep", str(exp), "--out", "deep/out"]) == 2
    err = capsys.readouterr().err
    assert lines_of(err) == ["error: cannot write results into deep: No space left on device; nothing was kept"]
    assert tree(tmp_path / "deep") == {}  # neither the folder nor its temporary one


KILL_AT = """
import importlib, os, signal, sys
from sim.cli import main

module, _, path = sys.argv[1].partition(":")
*owners, name = path.split(".")
owner = importlib.import_module(module)
for attribute in owners:
    owner = getattr(owner, attribute)
setattr(owner, name, lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL))
sys.exit(main(sys.argv[2:]))
"""


def killed_at(target: str, *argv: str, cwd: Path) -> None:
    """``python -m sim ARGV`` in a process that kills itself (SIGKILL: no clean-up) when it reaches
    ``target`` (``module:name``)."""
    done = subprocess.run(
        [sys.executable, "-c", KILL_AT, target, *argv], cwd=cwd, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert done.returncode == -signal.SIGKILL, done.stderr


@pytest.mark.slow
@pytest.mark.parametrize("step", CREATION_STEPS)
def test_a_sweep_killed_while_its_folder_is_made_leaves_no_folder_and_a_named_leftover(exp, tmp_path, capsys, step):
    killed_at(f"sim.runs.store:{step}", "sweep", str(exp), "--out", "many/out", cwd=tmp_path)
    assert not (tmp_path / "many" / "out").exists()  # no half folder for --resume to refuse
    (left,) = (tmp_path / "many").iterdir()
    assert left.name.startswith(".partial-")
    assert main(["sweep", "--resume", str(left)]) == 2  # the leftover says what it is and what to do
    assert lines_of(capsys.readouterr().err) == [
        f"error: {left} is the temporary folder of a results folder being made, or left when making one was "
        f"stopped (a kill, a full disk); it holds no results: delete it with rm -r {left}"
    ]
    assert main(["sweep", str(exp), "--out", "many/again", "--quiet"]) == 0  # a new folder beside it names it
    named = Path("many", left.name)  # as the folder was given: relative
    assert lines_of(capsys.readouterr().err) == [
        f"warning: {named} was left when making a results folder was stopped (a kill, a full disk); it holds no "
        f"results: delete it with rm -r {named}"
    ]
    assert load_results(tmp_path / "many" / "again").manifest["status"] == "complete"


@pytest.mark.slow
def test_a_sweep_killed_once_its_folder_is_made_leaves_a_complete_folder_that_resumes(exp, tmp_path, capsys):
    killed_at("sim.runs.runner:Sweep.finish", "sweep", str(exp), "--out", "out", cwd=tmp_path)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        ".lock", "design.parquet", "experiment.toml", "manifest.json", "parts"
    ]  # fmt: skip
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert main(["sweep", "--resume", "out", "--quiet"]) == 0
    assert load_results(tmp_path / "out").manifest["counts"] == {"ok": 4}


def test_a_temporary_folder_being_built_by_a_live_process_is_not_named(exp, tmp_path, capsys):
    """The leftover warning asks the operating system: a temporary folder whose builder is alive holds
    its lock and is left alone; once the builder is gone (killed: no clean-up), it is named."""
    busy = tmp_path / "results" / "small" / ".partial-busy"
    busy.mkdir(parents=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDONLY); "
         "fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); time.sleep(120)", str(busy)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert main(["sweep", str(exp), "--quiet"]) == 0
        assert capsys.readouterr().err == ""
    finally:
        holder.kill()
        holder.wait(timeout=60)
    assert main(["sweep", str(exp), "--quiet"]) == 0
    assert lines_of(capsys.readouterr().err)[0].startswith(f"warning: {Path('results/small/.partial-busy')} was left")


#: what an older version's sweep left when it was killed while making its folder
HALF_FOLDERS = {
    "parts only": ["parts/"],
    "first file half written": ["parts/", ".experiment.toml.tmp"],
    "design half written": ["parts/", "experiment.toml", ".design.parquet.tmp"],
}


@pytest.mark.parametrize("left", HALF_FOLDERS.values(), ids=HALF_FOLDERS.keys())
@pytest.mark.parametrize("command", ["resume", "new sweep", "analyze"])
def test_a_half_made_folder_of_an_older_version_says_to_delete_it(exp, tmp_path, capsys, left, command):
    half = tmp_path / "half"
    for name in left:
        (half / name).mkdir(parents=True) if name.endswith("/") else (half / name).write_text("x")
    before = tree(half)
    argv = {"resume": ["sweep", "--resume", "half"], "new sweep": ["sweep", str(exp), "--out", "half"]}
    assert main(argv.get(command, ["analyze", "half"])) == 2
    assert lines_of(capsys.readouterr().err) == [
        "error: half is what is left of a sweep stopped while its folder was being made (no run is in it); "
        "delete it with rm -r half and start the sweep again"
    ]
    assert tree(half) == before


def test_a_folder_with_runs_in_it_is_never_called_a_leftover(exp, tmp_path, capsys):
    (tmp_path / "kept" / "parts").mkdir(parents=True)
    (tmp_path / "kept" / "parts" / "runs-00000.parquet").write_text("x")
    assert main(["sweep", "--resume", "kept"]) == 2
    assert "is not a sweep results folder (missing experiment.toml, manifest.json" in capsys.readouterr().err
