"""One contract for the command line and the Python API: what one refuses, the other refuses the same
way (one line naming the problem, exit status 2 on the command line, nothing written), and sibling
commands treat the same options alike."""

from __future__ import annotations

import socket
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.cli import main
from sim.model.params import InputError
from sim.runs.runner import Execution
from sim.science.analysis import _point_id

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "experiments" / "layering.toml"
SMOKE = ROOT / "calibration" / "smoke.toml"


def one_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    return err


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"steps": 0}, "steps must be at least 1, got 0"),
        ({"steps": -1}, "steps must be at least 1, got -1"),
        ({"steps": 10**12}, "past the limit of 10,000,000 months"),
        ({"steps": 1.5}, "steps must be a whole number, got 1.5"),
        ({"seed": -3}, "seed must be a non-negative whole number, got -3"),
    ],
)
def test_the_api_refuses_a_run_the_command_line_refuses(kwargs, message):
    with pytest.raises(InputError, match=message):
        sim.run(**kwargs)


@pytest.mark.parametrize(
    ("workers", "message"), [(0, "at least 1, got 0"), (-1, "at least 1, got -1"), (1.5, "whole number, got 1.5")]
)
def test_the_api_refuses_bad_workers_before_it_creates_anything(tmp_path, workers, message):
    with pytest.raises(InputError, match=f"workers must be .*{message}"):
        sim.sweep(SMALL, out=tmp_path / "out", workers=workers)
    assert list(tmp_path.iterdir()) == []


def test_an_execution_checks_its_options():
    with pytest.raises(InputError, match="executor must be one of process, dask"):
        Execution("threads")
    with pytest.raises(InputError, match="needs the dask executor"):
        Execution("process", 2, "tcp://127.0.0.1:8786")
    assert Execution("process", 2).workers == 2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["calibrate", str(SMOKE), "--workers", "0"], "workers must be at least 1, got 0"),
        (["validate", "--replications", "2", "--workers", "0"], "workers must be at least 1, got 0"),
        (["sweep", str(SMALL), "--workers", "0"], "workers must be at least 1, got 0"),
        (["calibrate", str(SMOKE), "--scheduler", "tcp://127.0.0.1:1"], "dask"),
        (["sweep", str(SMALL), "--scheduler", "tcp://127.0.0.1:1"], "needs the dask executor"),
        (["run", "--out", ""], "current folder"),
        (["run", "--period", "history", "--set", "run.period=outlook"], "--period history contradicts run.period"),
    ],
)
def test_siblings_refuse_the_same_bad_options_in_one_line_and_write_nothing(
    tmp_path, monkeypatch, capsys, argv, message
):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert message in one_line(capsys)
    assert list(tmp_path.iterdir()) == []


def test_a_scheduler_that_does_not_answer_stops_a_calibration_before_its_folder_is_made(tmp_path, monkeypatch, capsys):
    pytest.importorskip("distributed")
    monkeypatch.chdir(tmp_path)
    argv = ["calibrate", str(SMOKE), "--executor", "dask"]
    assert main([*argv, "--scheduler", f"tcp://127.0.0.1:{free_port()}"]) == 2
    assert "no Dask scheduler answers" in one_line(capsys)
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_baseline_label_is_answered_with_the_labels_there_are():
    design = pd.DataFrame({"point_id": range(10), "label": [f"point {k}" for k in range(10)]})
    assert _point_id(design, "point 3") == 3
    with pytest.raises(sim.runs.results.ResultsError, match="no design point labelled 'none'; the labels are") as err:
        _point_id(design, "none")
    assert "'point 0', 'point 1'" in str(err.value) and "and 2 more" in str(err.value)


NINE = ("crime.arrest", "crime.breakup", "crime.rollup", "crime.emergence", "crime.detection", "crime.attrition",
        "crime.displacement", "crime.recruit", "crime.attempt_rate")  # fmt: skip
TEN_LEVELS = "[" + ", ".join(str(0.01 * (k + 1)) for k in range(10)) + "]"
HUGE_DESIGNS = {
    "factorial": "[design]\nkind = 'factorial'\n[design.factors]\n" + "".join(f'"{n}" = {TEN_LEVELS}\n' for n in NINE),
    "lhs": "[design]\nkind = 'lhs'\nsamples = 1_000_000_000\n[design.ranges]\n'crime.arrest' = [0.1, 0.2]\n",
    "morris": "[design]\nkind = 'morris'\nsamples = 1_000_000_000\n[design.ranges]\n'crime.arrest' = [0.1, 0.2]\n",
    "sobol": "[design]\nkind = 'sobol'\nsamples = 1_073_741_824\n[design.ranges]\n'crime.arrest' = [0.1, 0.2]\n",
    "posterior": "[design]\nkind = 'posterior'\nposterior = 'nowhere.parquet'\ndraws = 1_000_000_000_000\n",
}


@pytest.mark.parametrize("kind", sorted(HUGE_DESIGNS))
def test_a_design_too_large_is_refused_before_any_point_is_built(tmp_path, monkeypatch, capsys, kind):
    """Whatever makes a design large (levels, samples, draws), it is sized from its table and refused in
    one line, exit 2, nothing written, before it is expanded (which would run out of memory)."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "huge.toml"
    path.write_text(f'name = "huge"\nsteps = 12\nreplications = 1\n{HUGE_DESIGNS[kind]}')
    assert main(["sweep", str(path), "--quiet"]) == 2
    assert "past the limit of 10,000,000; pass --large" in one_line(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["huge.toml"]
    with pytest.raises(InputError, match="pass --large"):
        sim.sweep(path, out=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_over_posterior_with_too_many_draws_is_refused_before_the_posterior_is_read(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    argv = ["sweep", str(SMALL), "--over-posterior", "nowhere.parquet", "--draws", str(10**12)]
    assert main(argv) == 2
    assert "pass --large" in one_line(capsys)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("path", sorted((ROOT / "experiments").glob("*.toml")), ids=lambda p: p.stem)
def test_a_design_is_sized_to_exactly_the_points_it_builds(path):
    """The size counted from the table (before building) is the number of points built, for every
    shipped experiment (every design kind); a posterior design's count needs its posterior, so it is
    counted with the draws it asks for."""
    import tomllib

    from sim.runs.experiment import load_experiment, planned_points

    raw = tomllib.loads(path.read_text())
    if raw["design"]["kind"] == "posterior" and not Path(raw["design"]["posterior"]).exists():
        pytest.skip("its posterior.parquet is not in this checkout")
    assert planned_points(raw["design"]) == len(load_experiment(path).points)
