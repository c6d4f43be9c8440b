"""The shipped experiments (experiments/*.toml): each is valid, documented and runs.

Each file is run shortened (same text, 6 months, 1 replication, at most its first 3 runs) through
sim.runs.runner.run_task, the function every sweep worker calls.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
import tomllib
from pathlib import Path

import pytest

from sim.model.metrics import SHOCK_METRICS, SUMMARY_METRICS
from sim.runs.experiment import SUMMARY_COLUMNS, Experiment, load_experiment, parse_experiment
from sim.runs.runner import run_task

EXPERIMENTS = Path(__file__).resolve().parent.parent / "experiments"
FILES = sorted(EXPERIMENTS.glob("*.toml"))
LAYERS = ("quad", "bilateral", "forums", "capacity")
SHORT_STEPS = 6
MAX_TASKS = 3


def test_the_experiments_are_shipped():
    names = {path.stem for path in FILES}
    assert {"layering", "allocation", "coordination", "withdrawal", "threat_mix", "morris", "sobol"} <= names


def shortened(path: Path) -> tuple[str, Experiment]:
    """The file's text with steps = 6 and replications = 1, and the experiment it declares."""
    text = path.read_text()
    short, n_steps = re.subn(r"(?m)^steps\s*=\s*\d+\s*$", f"steps = {SHORT_STEPS}", text)
    short, n_reps = re.subn(r"(?m)^replications\s*=\s*\d+\s*$", "replications = 1", short)
    assert (n_steps, n_reps) == (1, 1), f"{path.name}: expected one 'steps =' and one 'replications =' line"
    return short, parse_experiment(tomllib.loads(short), source=short, where=f"{path.name} (shortened)")


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_shipped_experiment_is_valid_and_documented(path):
    exp = load_experiment(path)
    assert exp.name == path.stem
    assert exp.description.strip(), f"{path.name} has no description"
    assert exp.replications >= 1
    assert exp.steps >= 1
    assert len(exp.points) >= 1
    assert exp.source == path.read_text()
    assert len(exp.tasks()) == exp.n_runs == len(exp.points) * exp.replications
    assert set(exp.summaries) <= set(SUMMARY_COLUMNS)
    warmup = tomllib.loads(path.read_text()).get("warmup")
    if warmup is not None:
        assert warmup < exp.steps, f"{path.name}: warm-up {warmup} leaves no month to average"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_shipped_experiment_runs(path):
    full = load_experiment(path)
    _, exp = shortened(path)
    assert (exp.steps, exp.replications) == (SHORT_STEPS, 1)
    assert exp.points == full.points  # the design itself is unchanged
    shocked = any(t.overrides.get("shocks") for t in full.tasks())
    expected = {f"{m}_{s}" for m in SUMMARY_METRICS for s in ("mean", "final")}
    if shocked:
        expected |= {f"{m}_{s}" for m in SHOCK_METRICS for s in ("drop", "recovery")}
    assert set(exp.summaries) == expected
    tasks = exp.tasks()[:MAX_TASKS]
    assert len(tasks) == min(MAX_TASKS, len(exp.points))
    for task in tasks:
        outcome = run_task(task)
        row = outcome.row
        assert row["status"] == "ok", row["error"]
        assert row["error"] == ""
        assert row["seed"] == task.seed
        assert set(exp.summaries) <= set(row)
        for column in exp.summaries:
            value = row[column]
            if column.endswith(("_drop", "_recovery")) and not task.overrides.get("shocks"):
                assert value is None, (column, value)  # no shock in this run: nothing to measure
            elif column.endswith("_recovery"):  # months to recover; None when the run never does
                assert value is None or (isinstance(value, int) and value >= 1), (column, value)
            else:
                assert isinstance(value, float) and math.isfinite(value), (column, value)
        if exp.keep_series:
            assert outcome.series is not None
            assert all(len(v) == SHORT_STEPS for v in outcome.series.values())
        else:
            assert outcome.series is None


SHOCKED_FILES = [p for p in FILES if any(t.overrides.get("shocks") for t in load_experiment(p).tasks())]


def test_some_shipped_experiment_has_a_shock():
    assert [p.stem for p in SHOCKED_FILES] == ["knockouts", "withdrawal"]


@pytest.mark.parametrize("path", SHOCKED_FILES, ids=[p.stem for p in SHOCKED_FILES])
def test_shipped_shock_is_measured(path):
    """Six months end before any shock; run the first shocked point long enough to see its shock."""
    _, exp = shortened(path)
    task = next(t for t in exp.tasks() if t.overrides.get("shocks"))
    from sim.model.params import make_params

    last = max(shock.step for shock in make_params(task.overrides)["shocks"])
    outcome = run_task(dataclasses.replace(task, steps=last + 12, keep_series=False))
    assert outcome.row["status"] == "ok", outcome.row["error"]
    for metric in SHOCK_METRICS:
        assert math.isfinite(outcome.row[f"{metric}_drop"])
    assert any(outcome.row[f"{metric}_drop"] != 0.0 for metric in SHOCK_METRICS)


def test_layering_covers_every_on_off_combination_of_japans_layers():
    exp = load_experiment(EXPERIMENTS / "layering.toml")
    assert len(exp.points) == 16
    combos = [tuple(point[f"policy.JPN.{layer}"] for layer in LAYERS) for point in exp.points]
    assert all(isinstance(v, bool) for combo in combos for v in combo)
    assert set(combos) == set(itertools.product([True, False], repeat=4))
    assert len(set(combos)) == 16
    assert all(set(point) == {f"policy.JPN.{layer}" for layer in LAYERS} for point in exp.points)


def test_allocation_points_split_japans_budget():
    exp = load_experiment(EXPERIMENTS / "allocation.toml")
    for point in exp.points:
        shares = [point[f"policy.JPN.allocation.{layer}"] for layer in LAYERS]
        assert math.isclose(sum(shares), 1.0)
        assert all(s >= 0 for s in shares)
    assert len({tuple(sorted(p.items())) for p in exp.points}) == len(exp.points)  # no duplicated point
