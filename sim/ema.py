"""The model for the EMA Workbench (the ``ema`` extra: ``pip install -e '.[ema]'``).

Two ways in. :func:`make_model` gives an EMA ``ReplicatorModel`` of ``RegionModel`` for EMA to sample
and run itself; :func:`from_results` turns a finished sweep (``sim.sweep``) into EMA's pair of tables
(experiments, outcomes) for scenario discovery (PRIM, feature scoring)::

    import numpy as np
    from ema_workbench import perform_experiments
    from sim import ema

    model = ema.make_model(uncertainties=["member.sovereignty", "china.shipdays"],
                           levers=["policy.JPN.asean_coordination"], steps=60, replications=3)
    np.random.seed(1)                      # EMA's samplers draw from NumPy's global generator
    experiments, outcomes = perform_experiments(model, scenarios=50, policies=4)

    experiments, outcomes = ema.from_results(sim.load_results("results/layering/<stamp>"))

Names: EMA wants Python identifiers (it will insist from version 3.0), so every parameter is named with
its dots as underscores (``policy.JPN.budget`` is ``policy_JPN_budget``, :func:`ema_name`) and keeps its
dotted name as EMA's ``variable_name``, which is what the model receives.

What varies: by default the uncertainties are the numeric parameters labelled "assumption" in
``sim/model/params.py``, except the partners' policies, ``run.*`` and ``metrics.*`` (how a run is made and
measured, not the world), and the levers are the partners' policies (``policy.<ISO3>.*``). A number
ranges from half to one and a half times its default, clipped to its allowed range (the rule of
``experiments/morris.toml``); ``ranges`` chooses others. Switches are EMA boolean parameters, choices
categorical ones.

Seeds: replicate *r* of every experiment runs with the seed that replicate *r* of a sweep with master
seed ``seed`` gets (common random numbers, as in ``sim/runs/experiment.py``), so results do not depend on
EMA's evaluator or the order of experiments. Each outcome is a per-run summary (``<measure>_mean``...)
averaged over the replicates.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from sim.model.metrics import SUMMARY_METRICS
from sim.model.params import SPECS, ParameterError, Spec, make_params, suggest
from sim.model.region import RegionModel
from sim.runs.experiment import DEFAULT_SEED, DEFAULT_STEPS, SUMMARY_COLUMNS, replicate_seed
from sim.runs.extras import extra
from sim.runs.results import Results

# EMA warns on import that ipyparallel (an evaluator not used here) is missing
with extra("ema"), warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="ipyparallel not installed")
    from ema_workbench import (
        BooleanParameter,
        CategoricalParameter,
        IntegerParameter,
        RealParameter,
        ReplicatorModel,
        ScalarOutcome,
    )

#: the summaries used as outcomes when none are named: each measure's mean over the run
DEFAULT_OUTCOMES: tuple[str, ...] = tuple(f"{m}_mean" for m in SUMMARY_METRICS)
#: parameters never offered as uncertainties: they set how a run is made and measured
NOT_UNCERTAIN: tuple[str, ...] = ("policy.", "run.", "metrics.")


def ema_name(name: str) -> str:
    """A parameter's name for EMA: a Python identifier (``policy.JPN.budget`` -> ``policy_JPN_budget``)."""
    return name.replace(".", "_")


def default_uncertainties() -> list[str]:
    """The numeric parameters labelled "assumption" or "calibrated" (still uncertain: the posterior
    has a width), except policies, ``run.*`` and ``metrics.*``."""
    return [
        name
        for name, spec in SPECS.items()
        if spec.source.startswith(("assumption", "calibrated"))
        and _numeric(spec)
        and not name.startswith(NOT_UNCERTAIN)
    ]


def default_levers() -> list[str]:
    """Every partner's policy parameters (``policy.<ISO3>.*``)."""
    return [name for name in SPECS if name.startswith("policy.")]


def _numeric(spec: Spec) -> bool:
    return spec.kind in (int, float)


def default_range(name: str) -> tuple[float, float]:
    """Half to one and a half times the default, clipped to the allowed range."""
    spec = SPECS[name]
    low, high = 0.5 * spec.default, 1.5 * spec.default
    if spec.lo is not None:
        low = max(low, spec.lo)
    if spec.hi is not None:
        high = min(high, spec.hi)
    return low, high


def parameter(name: str, ranges: Mapping[str, tuple[float, float]] | None = None):
    """The EMA parameter for one model parameter (real, integer, boolean or categorical).

    Raises:
        ParameterError: an unknown name, a list parameter (shocks), or a range that is empty or outside
            the allowed values (one line).
    """
    if name not in SPECS:
        raise ParameterError(f"unknown parameter {name!r}{suggest(name)}")
    spec, label = SPECS[name], ema_name(name)
    if spec.kind is bool:
        return BooleanParameter(label, variable_name=name)
    if spec.choices is not None:
        return CategoricalParameter(label, list(spec.choices), variable_name=name)
    if not _numeric(spec):
        raise ParameterError(f"parameter {name!r} is a {spec.kind.__name__}; only numbers, switches and choices vary")
    low, high = (ranges or {}).get(name) or default_range(name)
    if spec.kind is int:
        low, high = int(np.ceil(low)), int(np.floor(high))
    if not low < high:
        raise ParameterError(f"parameter {name!r}: the range [{low:g}, {high:g}] is empty; give one in ranges")
    for bound in (low, high):
        make_params({name: bound})  # a bound outside the allowed values: ParameterError naming it
    kind = IntegerParameter if spec.kind is int else RealParameter
    return kind(label, low, high, variable_name=name)


def replicate_seeds(seed: int, replications: int) -> list[int]:
    """The seeds of replicates 0, 1, ... of a sweep with master seed ``seed``."""
    return [replicate_seed(seed, r) for r in range(replications)]


def run_summary(*, seed: int, steps: int, fixed: Mapping[str, Any], **params: Any) -> dict[str, float]:
    """One run (what EMA calls for each replicate): the per-run summaries of ``steps`` outlook months."""
    return RegionModel(rng=seed, **{**fixed, **params}).run(steps).summary()


def make_model(
    *,
    uncertainties: Iterable[str] | None = None,
    levers: Iterable[str] | None = None,
    outcomes: Iterable[str] | None = None,
    ranges: Mapping[str, tuple[float, float]] | None = None,
    fixed: Mapping[str, Any] | None = None,
    steps: int = DEFAULT_STEPS,
    replications: int = 1,
    seed: int = DEFAULT_SEED,
    name: str = "sealayering",
) -> ReplicatorModel:
    """An EMA ``ReplicatorModel`` of ``RegionModel`` (see the module docstring for the defaults).

    ``fixed`` sets parameters for every run (e.g. ``{"run.spinup": 24}``); ``outcomes`` are summary names
    (``stability_index_mean``, ``coercion_final``...).

    Raises:
        ParameterError: an unknown or unusable parameter, a bad range or a bad fixed value (one line).
        ValueError: an unknown outcome, or fewer than one step or replication.
    """
    if steps < 1 or replications < 1:
        raise ValueError(f"steps and replications must be at least 1, got {steps} and {replications}")
    fixed = dict(fixed or {})
    make_params(fixed)  # a bad name or value is refused now, not in the middle of EMA's runs
    chosen = list(DEFAULT_OUTCOMES if outcomes is None else outcomes)
    for outcome in chosen:
        if outcome not in SUMMARY_COLUMNS:
            raise ValueError(f"unknown outcome {outcome!r}{suggest(outcome, SUMMARY_COLUMNS)}")
    model = ReplicatorModel(name, function=partial(run_summary, steps=steps, fixed=fixed))
    uncertainties = default_uncertainties() if uncertainties is None else uncertainties
    levers = default_levers() if levers is None else levers
    model.uncertainties = [parameter(n, ranges) for n in uncertainties]
    model.levers = [parameter(n, ranges) for n in levers]
    model.outcomes = [ScalarOutcome(outcome, function=np.mean) for outcome in chosen]
    model.replications = [{"seed": s} for s in replicate_seeds(seed, replications)]
    return model


def from_results(results: Results, outcomes: Iterable[str] | None = None) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """A finished sweep as EMA's (experiments, outcomes): one row per design point, its varying parameters
    (EMA names; a bundle's label as a category), and each summary averaged over the point's runs that
    succeeded. ``outcomes`` chooses summaries (default: every one the sweep kept)."""
    runs = results.runs[results.runs["status"] == "ok"]
    kept = [c for c in SUMMARY_COLUMNS if c in runs.columns]
    chosen = kept if outcomes is None else list(outcomes)
    for outcome in chosen:
        if outcome not in kept:
            raise ValueError(f"outcome {outcome!r} is not in this sweep's runs{suggest(outcome, kept)}")
    means = runs.groupby("point_id")[chosen].mean()
    design = results.design.set_index("point_id").loc[means.index].drop(columns="label")
    experiments = design.rename(columns=ema_name).reset_index(drop=True)
    for column in experiments.columns:  # bundle labels (text): categories, as EMA's own experiments have
        if not (is_numeric_dtype(experiments[column]) or is_bool_dtype(experiments[column])):
            experiments[column] = experiments[column].astype("category")
    return experiments, {outcome: means[outcome].to_numpy() for outcome in chosen}
