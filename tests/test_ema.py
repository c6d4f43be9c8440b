"""The EMA Workbench adapter (sim/ema.py): names, ranges, seeds, and runs that equal the model's own."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("ema_workbench", reason="the ema extra is not installed")

from ema_workbench import BooleanParameter, CategoricalParameter, IntegerParameter, RealParameter, perform_experiments

import sim
from sim import ema
from sim.model.params import SPECS, ParameterError
from sim.runs.experiment import parse_experiment

ROOT = Path(__file__).resolve().parents[1]


def test_every_parameter_has_its_own_identifier_for_ema():
    names = [ema.ema_name(name) for name in SPECS]
    assert all(name.isidentifier() for name in names)
    assert len(set(names)) == len(SPECS)
    assert ema.ema_name("policy.JPN.budget") == "policy_JPN_budget"


def test_uncertainties_are_the_numeric_assumptions_and_levers_the_policies():
    uncertain = ema.default_uncertainties()
    assert "member.sovereignty" in uncertain and "china.memory" in uncertain
    for name in uncertain:
        spec = SPECS[name]
        assert spec.source.startswith(("assumption", "calibrated")) and spec.kind in (int, float), name
        assert not name.startswith(("policy.", "run.", "metrics.")), name
    assert ema.default_levers() == [name for name in SPECS if name.startswith("policy.")]


def test_default_ranges_follow_the_rule_of_the_morris_experiment():
    """morris.toml varies each assumption from half to 1.5 times its default, clipped: the same rule."""
    ranges = tomllib.loads((ROOT / "experiments" / "morris.toml").read_text())["design"]["ranges"]
    assert set(ranges) <= set(ema.default_uncertainties())
    for name, (low, high) in ranges.items():
        assert ema.default_range(name) == pytest.approx((low, high)), name


def test_each_kind_of_parameter_becomes_the_matching_ema_parameter():
    budget = ema.parameter("policy.JPN.budget")
    assert isinstance(budget, RealParameter)
    assert (budget.name, budget.variable_name) == ("policy_JPN_budget", ["policy.JPN.budget"])
    assert (budget.lower_bound, budget.upper_bound) == pytest.approx((67e6, 201e6))
    memory = ema.parameter("china.memory")  # 12 months: 6 to 18
    assert isinstance(memory, IntegerParameter) and (memory.lower_bound, memory.upper_bound) == (6, 18)
    visibility = ema.parameter("instrument.bilateral.visibility")  # 0.9: 0.45 to 1.35, clipped to 1
    assert (visibility.lower_bound, visibility.upper_bound) == pytest.approx((0.45, 1.0))
    assert isinstance(ema.parameter("policy.JPN.quad"), BooleanParameter)
    mode = ema.parameter("policy.JPN.mode")
    assert isinstance(mode, CategoricalParameter) and [c.value for c in mode.categories] == ["fixed", "adaptive"]
    chosen = ema.parameter("china.shipdays", ranges={"china.shipdays": (90.0, 360.0)})
    assert (chosen.lower_bound, chosen.upper_bound) == (90.0, 360.0)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: ema.parameter("member.sovreignty"),
            "unknown parameter 'member.sovreignty' \\(did you mean 'member.sov",
        ),
        (lambda: ema.parameter("shocks"), "'shocks' is a list; only numbers, switches and choices vary"),
        (lambda: ema.parameter("member.need", {"member.need": (1.0, 30.0)}), "must be in \\[0, 20\\], got 30"),
        (lambda: ema.parameter("member.need", {"member.need": (2.0, 2.0)}), "the range \\[2, 2\\] is empty"),
        (lambda: ema.make_model(fixed={"run.spinup": -1}), "'run.spinup' must be in \\[0, 1200\\], got -1"),
    ],
)
def test_bad_parameters_are_refused_with_one_line(call, message):
    with pytest.raises(ParameterError, match=message) as caught:
        call()
    assert "\n" not in str(caught.value)


def test_an_unknown_outcome_is_refused():
    with pytest.raises(ValueError, match="unknown outcome 'stability_mean' \\(did you mean 'stability_index_mean'"):
        ema.make_model(outcomes=["stability_mean"])


def test_replicate_seeds_are_those_a_sweep_gives_its_replicates():
    experiment = parse_experiment(
        {
            "name": "s",
            "seed": 99,
            "replications": 4,
            "design": {"kind": "factorial", "factors": {"crime.attempt_rate": [0.3]}},
        }
    )
    assert ema.replicate_seeds(99, 4) == experiment.replicate_seeds()


def test_each_ema_experiment_equals_the_mean_of_the_models_own_runs():
    """EMA's outcome for an experiment is the mean over its replicates of sim.run with the replicate seeds,
    the sampled values under their dotted names and the fixed values."""
    model = ema.make_model(
        uncertainties=["china.shipdays", "china.memory"],
        levers=["policy.JPN.quad", "policy.JPN.mode"],
        outcomes=["coercion_mean", "stability_index_mean"],
        fixed={"run.spinup": 0},
        steps=6,
        replications=2,
        seed=5,
    )
    np.random.seed(3)
    experiments, outcomes = perform_experiments(model, scenarios=2, policies=2)
    assert len(experiments) == 4 and len(set(outcomes["stability_index_mean"])) > 1
    seeds = ema.replicate_seeds(5, 2)
    names = ["china.shipdays", "china.memory", "policy.JPN.quad", "policy.JPN.mode"]
    for k, row in experiments.iterrows():
        params = {name: row[ema.ema_name(name)] for name in names}
        runs = [sim.run(seed=s, steps=6, **{"run.spinup": 0}, **params).summary() for s in seeds]
        for outcome in outcomes:
            assert outcomes[outcome][k] == pytest.approx(np.mean([r[outcome] for r in runs]), rel=1e-12)


BUNDLED = """
name = "bundled"
steps = 4
replications = 2
seed = 8
[base]
"run.spinup" = 0
[design]
kind = "factorial"
[design.factors]
"china.shipdays" = [90.0, 270.0]
world = [{ label = "calm", "crime.attempt_rate" = 0.2 }, { label = "rough", "crime.attempt_rate" = 0.6 }]
"""


def test_a_sweep_becomes_one_ema_row_per_design_point(tmp_path):
    path = tmp_path / "bundled.toml"
    path.write_text(BUNDLED)
    res = sim.sweep(path, out=tmp_path / "out", workers=1)
    experiments, outcomes = ema.from_results(res, outcomes=["incidents_mean", "coercion_mean"])
    assert list(experiments.columns) == ["world", "china_shipdays", "crime_attempt_rate"]
    assert str(experiments["world"].dtype) == "category" and len(experiments) == 4
    assert set(outcomes) == {"incidents_mean", "coercion_mean"}
    for point in range(4):
        runs = res.runs[res.runs["point_id"] == point]
        assert outcomes["incidents_mean"][point] == pytest.approx(runs["incidents_mean"].mean())
        assert experiments.loc[point, "china_shipdays"] == runs["china.shipdays"].iloc[0]
    with pytest.raises(ValueError, match="outcome 'incident_mean' is not in this sweep's runs"):
        ema.from_results(res, outcomes=["incident_mean"])
