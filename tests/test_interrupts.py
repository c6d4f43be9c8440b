"""What a user meets when a command is stopped: results folders made whole or not at all, leftovers of
older crashes named with what to do, and Ctrl-C at any moment answered in at most two lines (status 130)
with the command that goes on.

A kill is simulated in two ways: in-process, a step of the folder's creation raises (a full disk, or
KeyboardInterrupt for Ctrl-C); in a subprocess, a step kills its own process with SIGKILL, so no clean-up
runs at all. Ctrl-C is sent to a subprocess's process group (as a terminal does) once a marker shows
that it has reached the moment under test: an import reported by ``-X importtime``, the forkserver
process appearing, a first part of runs on disk, the line saying the runs are written.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import sim.runs.provenance
import sim.runs.store
from sim.cli import main
from sim.runs.experiment import RunTask
from sim.runs.runner import Execution, Outcome, Sweep, design_table, run_task
from sim.runs.store import Store, load_results
from tests.test_sweep import BIG, SMALL, exp_from, family_of, linux_only, running, tree, write

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


@pytest.mark.parametrize("step", CREATION_STEPS)
def test_ctrl_c_while_a_sweep_folder_is_made_leaves_nothing(exp, tmp_path, capsys, monkeypatch, step):
    monkeypatch.setattr(sim.runs.store, step, failing(KeyboardInterrupt()))
    assert main(["sweep", str(exp)]) == 130
    err = capsys.readouterr().err
    assert lines_of(err) == [f"interrupted: nothing was written; to start again: python -m sim sweep {exp}"]
    assert tree(tmp_path / "results") == {"small": None}  # only the experiment's (empty) folder


def test_ctrl_c_while_a_run_is_written_leaves_nothing(exp, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("sim.model.region.RegionModel.write_tables", failing(KeyboardInterrupt()))
    assert main(["run", "--steps", "2", "--quiet"]) == 130
    assert lines_of(capsys.readouterr().err) == [
        "interrupted: nothing was written; to start again: python -m sim run --steps 2 --quiet"
    ]
    assert tree(tmp_path / "results") == {"run": None}


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


# ---- the command that goes on ---------------------------------------------------------------------

STARTS = {
    "interpreter as typed": ([".venv/bin/python", "-m", "sim", "sweep", "x"], ".venv/bin/python -m sim"),
    "interpreter options": (["/usr/bin/python3", "-X", "dev", "-m", "sim.cli", "run"], "/usr/bin/python3 -m sim"),
    "console script": (["/usr/bin/python3", "/nowhere/bin/sea-sim", "sweep"], "/nowhere/bin/sea-sim"),
    "the api or tests": (["/usr/bin/python3", "-m", "pytest", "-q"], "python -m sim"),
    "a notebook": (["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "k.json"], "python -m sim"),
}


@pytest.mark.parametrize(("orig_argv", "start"), STARTS.values(), ids=STARTS.keys())
def test_the_command_to_go_on_is_built_from_how_the_process_was_started(monkeypatch, orig_argv, start):
    monkeypatch.setattr(sys, "orig_argv", orig_argv)
    assert sim.runs.provenance.sim_command("sweep", "--resume", Path("a b")) == f"{start} sweep --resume 'a b'"


# ---- Ctrl-C at any moment, in-process -------------------------------------------------------------


def test_ctrl_c_while_the_parts_are_merged_says_what_is_saved_and_resumes(exp, tmp_path, capsys, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(sim.runs.store.Store, "consolidate", failing(KeyboardInterrupt()))
        assert main(["sweep", str(exp), "--out", "out", "--quiet"]) == 130
    assert lines_of(capsys.readouterr().err) == [
        "interrupted: every run finished so far is saved in out",
        "resume with: python -m sim sweep --resume out",
    ]
    assert len(load_results(tmp_path / "out", allow_partial=True).runs) == 4
    assert main(["sweep", "--resume", "out", "--quiet"]) == 0
    assert load_results(tmp_path / "out").manifest["counts"] == {"ok": 4}


def test_ctrl_c_while_a_resumed_folder_is_checked_changes_nothing(exp, tmp_path, capsys, monkeypatch):
    assert main(["sweep", str(exp), "--out", "out", "--quiet"]) == 0
    before = {k: v for k, v in tree(tmp_path / "out").items() if k != "manifest.json"}
    monkeypatch.setattr(sim.runs.store.Store, "check_parts", failing(KeyboardInterrupt()))
    assert main(["sweep", "--resume", "out"]) == 130
    assert lines_of(capsys.readouterr().err)[-2:] == [
        "interrupted: every run finished so far is saved in out",
        "resume with: python -m sim sweep --resume out",
    ]
    assert {k: v for k, v in tree(tmp_path / "out").items() if k != "manifest.json"} == before


@pytest.mark.parametrize("argv", [["sweep", "EXP", "--out", "out", "--analyze"], ["analyze", "out"]])
def test_ctrl_c_while_the_report_is_written_says_how_to_write_it(exp, tmp_path, capsys, monkeypatch, argv):
    if argv[0] == "analyze":
        assert main(["sweep", str(exp), "--out", "out", "--quiet"]) == 0
    monkeypatch.setattr("sim.science.report.analyze", failing(KeyboardInterrupt()))
    assert main([str(exp) if a == "EXP" else a for a in argv]) == 130
    err = capsys.readouterr().err
    if argv[0] == "sweep":
        assert lines_of(err)[-2:] == [
            "interrupted while writing the report; the sweep in out is complete",
            "write the report with: python -m sim analyze out",
        ]
    else:
        assert lines_of(err) == [
            "interrupted: the report and figures in out are not complete (the results are untouched)",
            "write them again with: python -m sim analyze out",
        ]
    assert load_results(tmp_path / "out").manifest["status"] == "complete"


@pytest.mark.parametrize(
    ("argv", "where"),
    [
        (["validate", "--replications", "2", "--workers", "1"], "sim.science.validate.run_all"),
        (["calibrate", "calibration/smoke.toml", "--workers", "1"], "sim.science.calibrate.abc_smc"),
    ],
    ids=["validate", "calibrate"],
)
def test_ctrl_c_during_validate_or_calibrate_writes_nothing_and_says_how_to_start_again(
    tmp_path, capsys, monkeypatch, argv, where
):
    monkeypatch.chdir(tmp_path)
    argv = [str(ROOT / a) if a.startswith("calibration/") else a for a in argv]
    monkeypatch.setattr(where, failing(KeyboardInterrupt()))
    assert main(argv) == 130
    assert lines_of(capsys.readouterr().err) == [
        f"interrupted: nothing was written; to start again: python -m sim {' '.join(argv)}"
    ]
    assert list(tmp_path.iterdir()) == []


# ---- Ctrl-C at any moment, sent to a real sweep ---------------------------------------------------


def start(argv: list[str], cwd: Path, **popen) -> subprocess.Popen:
    """``python ARGV`` in its own process group (a terminal's Ctrl-C goes to the whole group)."""
    return subprocess.Popen(
        [sys.executable, *argv], cwd=cwd, start_new_session=True, text=True, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, **popen,
    )  # fmt: skip


def ctrl_c(proc: subprocess.Popen) -> tuple[str, str]:
    """Ctrl-C to the process group of ``proc``; its output once it has ended."""
    try:
        os.killpg(proc.pid, signal.SIGINT)
        return proc.communicate(timeout=120)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


def wait_for(what: str, proc: subprocess.Popen, found) -> None:
    deadline = time.monotonic() + 180
    while not found():
        if proc.poll() is not None or time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail(f"never saw {what}: {proc.communicate()!r}")
        time.sleep(0.01)


@pytest.mark.slow
def test_ctrl_c_while_the_command_line_starts_says_nothing_was_written(tmp_path):
    """Stopped while it imports what a sweep needs (pandas, pyarrow: a second or more)."""
    exp = write(tmp_path / "big.toml", BIG)
    proc = start(["-X", "importtime", "-m", "sim", "sweep", str(exp), "--out", "out"], tmp_path)
    assert proc.stderr is not None
    for line in proc.stderr:  # -X importtime: one line as each module has been imported
        if line.split("|")[-1].strip() == "numpy":  # imported for the runner, before pandas and the folder
            break
    else:
        pytest.fail("numpy was never imported")
    _, err = ctrl_c(proc)
    assert proc.returncode == 130, err
    said = [line for line in err.splitlines() if not line.startswith("import time:")]
    assert lines_of("\n".join(said)) == [
        f"interrupted: nothing was written; to start again: {sys.executable} -m sim sweep {exp} --out out"
    ]
    assert not (tmp_path / "out").exists()


def forkserver_of(pid: int) -> bool:
    for child in family_of(pid):
        with contextlib.suppress(OSError):
            if b"multiprocessing.forkserver" in Path(f"/proc/{child}/cmdline").read_bytes() and running(child):
                return True
    return False


@pytest.mark.slow
@linux_only
def test_ctrl_c_while_the_forkserver_starts_is_two_lines(tmp_path):
    """The forkserver imports the model (a second or more) before it ignores Ctrl-C: stopped then, it
    printed its traceback after the sweep's message."""
    exp = write(tmp_path / "big.toml", BIG)
    proc = start(["-m", "sim", "sweep", str(exp), "--out", "out", "--workers", "2"], tmp_path)
    wait_for("the forkserver", proc, lambda: forkserver_of(proc.pid))
    _, err = ctrl_c(proc)
    assert proc.returncode == 130, err
    lines = lines_of(err)[-2:]
    assert lines_of(err)[:-2] == ["big: 400 runs (4 points x 100 replications) -> out"]
    assert lines[0].startswith("interrupted: ") and lines[0].endswith(" of 400 runs are saved in out")
    assert lines[1] == f"resume with: {sys.executable} -m sim sweep --resume out"


@pytest.mark.slow
def test_ctrl_c_while_a_sweep_writes_its_report_is_two_lines(tmp_path):
    exp = write(tmp_path / "exp.toml", SMALL.format(keep_series="false"))
    proc = start(["-m", "sim", "sweep", str(exp), "--out", "out", "--analyze"], tmp_path)
    assert proc.stdout is not None
    assert proc.stdout.readline().startswith("wrote out: 4 runs")  # the report is next
    out, err = ctrl_c(proc)
    assert proc.returncode == 130, err
    assert lines_of(err)[-2:] == [
        "interrupted while writing the report; the sweep in out is complete",
        f"write the report with: {sys.executable} -m sim analyze out",
    ]
    assert out == ""
    assert load_results(tmp_path / "out").manifest["status"] == "complete"


@pytest.mark.slow
@pytest.mark.parametrize("moment", ["first part saved", "runs in flight"])
def test_ctrl_c_mid_sweep_is_two_lines_with_no_worker_traceback(tmp_path, moment):
    exp = write(tmp_path / "big.toml", BIG)
    proc = start(["-m", "sim", "sweep", str(exp), "--out", "out", "--workers", "2", "--quiet"], tmp_path)
    parts = tmp_path / "out" / "parts"
    wait_for("a part", proc, lambda: any(parts.glob("runs-*.parquet")) if moment == "first part saved" else
             len(family_of(proc.pid)) >= 4)  # fmt: skip
    _, err = ctrl_c(proc)
    assert proc.returncode == 130, err
    (first, second) = lines_of(err)
    assert first.startswith("interrupted: ") and first.endswith(" of 400 runs are saved in out")
    assert second == f"resume with: {sys.executable} -m sim sweep --resume out"


# ---- what libraries say is kept off the terminal ---------------------------------------------------


def logs_an_error(task: RunTask) -> Outcome:
    """A runner whose worker logs an error on Dask's logger, as a worker does when its heartbeat to the
    scheduler fails (a traceback on the terminal, under --quiet too); the run itself goes well."""
    logging.getLogger("distributed.worker").error("Failed to communicate with scheduler during heartbeat (a test)")
    return run_task(task)


@pytest.mark.slow
def test_what_dask_workers_log_stays_off_the_terminal(tmp_path, capfd):
    pytest.importorskip("distributed")
    exp = exp_from(SMALL.format(keep_series="false"))
    store = Store(tmp_path / "out")
    store.create(exp.source, design_table(exp), {"status": "running"})
    assert Sweep(exp, store, Execution("dask", 2), quiet=True).run(logs_an_error) == {"ok": 4, "failed": 0}
    assert capfd.readouterr().err == ""  # the workers' stderr is this process's: captured here
