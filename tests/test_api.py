"""The Python API (sim.run, sim.sweep, sim.analyze) gives what the command line gives, also from stdin."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import sim
from sim.cli import main

EXPERIMENT = """
name = "api"
steps = 6
replications = 2
seed = 7
keep_series = true
[design]
kind = "factorial"
[design.factors]
"policy.JPN.quad" = [true, false]
"""
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def experiment(tmp_path) -> Path:
    path = tmp_path / "api.toml"
    path.write_text(EXPERIMENT)
    return path


def test_run_equals_the_command_lines_run(tmp_path, capsys):
    model = sim.run(seed=5, steps=12, **{"policy.JPN.quad": False})
    assert (
        main(["run", "--seed", "5", "--steps", "12", "--set", "policy.JPN.quad=false", "--out", str(tmp_path / "r")])
        == 0
    )
    capsys.readouterr()
    from_cli = pd.read_csv(tmp_path / "r" / "timeseries.csv")
    assert len(from_cli) == 12
    assert_frame_equal(model.timeseries(), from_cli, check_dtype=False)


@pytest.mark.slow
def test_sweep_returns_results_identical_to_the_command_lines(experiment, tmp_path, capsys):
    res = sim.sweep(experiment, out=tmp_path / "api", workers=2)
    assert res.complete and len(res.runs) == 4 and (res.runs["status"] == "ok").all()
    assert main(["sweep", str(experiment), "--out", str(tmp_path / "cli"), "--workers", "1", "--quiet"]) == 0
    capsys.readouterr()
    cli = sim.load_results(tmp_path / "cli")
    drop = ["duration_s"]
    assert_frame_equal(res.runs.drop(columns=drop), cli.runs.drop(columns=drop))
    assert_frame_equal(res.series, cli.series)
    assert res.manifest["experiment_file"] == str(experiment)


@pytest.mark.slow
def test_analyze_writes_the_report(experiment, tmp_path):
    res = sim.sweep(experiment, out=tmp_path / "out", workers=1)
    report = sim.analyze(res)
    assert report == tmp_path / "out" / "report.md" and "# api: results" in report.read_text()
    assert (tmp_path / "out" / "analysis" / "point_stats.csv").is_file()


def test_sweep_refuses_a_full_folder_and_a_huge_design_and_writes_nothing(experiment, tmp_path):
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine")
    with pytest.raises(ValueError, match="already exists and is not empty"):
        sim.sweep(experiment, out=full)
    assert sorted(p.name for p in full.iterdir()) == ["keep.txt"]
    huge = tmp_path / "huge.toml"
    huge.write_text(EXPERIMENT.replace("replications = 2", "replications = 1_000_000_000"))
    with pytest.raises(ValueError, match="pass --large"):
        sim.sweep(huge, out=tmp_path / "huge")
    assert not (tmp_path / "huge").exists()


@pytest.mark.slow
def test_sweep_works_from_standard_input(experiment, tmp_path):
    """A script fed to ``python -`` has no file for workers to re-import: the sweep must not need it."""
    script = f"import sim\nres = sim.sweep({str(experiment)!r}, out={str(tmp_path / 'stdin')!r}, workers=2)\n"
    script += "print(len(res.runs), res.complete)\n"
    done = subprocess.run([sys.executable, "-"], input=script, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "4 True"


@pytest.mark.slow
@pytest.mark.parametrize("how", [["script.py"], ["-m", "script"]])
def test_sweep_works_from_a_script_without_a_main_guard(experiment, tmp_path, how):
    """Workers must not re-run the caller's script (or module): it would start the sweep again in each."""
    script = f"import sim\nres = sim.sweep({str(experiment)!r}, out={str(tmp_path / 'out')!r}, workers=2)\n"
    (tmp_path / "script.py").write_text(script + "print(len(res.runs), res.complete)\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, *how], capture_output=True, text=True, cwd=tmp_path, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "4 True"
