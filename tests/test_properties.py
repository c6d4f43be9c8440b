"""Property tests: for any valid parameter set, short runs keep every number finite and in range.

Hypothesis draws a handful of parameters from ``sim.params.SPECS`` (each within its lo/hi or choices,
extremes included), repairs the few combinations make_params refuses, runs a short model and checks,
month by month, that the state stays in [0, 1] and that the metrics are finite, bounded or whole counts.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import RegionModel
from sim.metrics import BOUNDED, METRICS
from sim.params import DOMAINS, LAYERS, PARTNERS, SPECS, make_params
from tests.conftest import build_tiny_world

TUNABLE = sorted(name for name in SPECS if name != "shocks")
COUNTS = (
    "incidents",
    "escalations",
    "grey_zone_incidents",
    *(f"incidents_{d}" for d in DOMAINS),
    *(f"escalations_{d}" for d in DOMAINS),
)
UNIT_STATE = ("capacity", "tension", "deterrence", "alignment", "trust", "awareness_quad", "awareness_asean")


def values_of(name: str) -> st.SearchStrategy:
    """Any allowed value of one parameter."""
    spec = SPECS[name]
    if spec.choices is not None:
        return st.sampled_from(spec.choices)
    if spec.kind is bool:
        return st.booleans()
    if spec.kind is int:
        return st.integers(int(spec.lo), int(spec.hi))
    return st.floats(spec.lo, spec.hi, allow_nan=False, allow_infinity=False)


def repair(values: dict) -> dict:
    """Make a drawn set valid under make_params' combination rules (see params._check_combinations)."""
    get = {name: spec.default for name, spec in SPECS.items()} | values
    if get["capacity.initial_min"] > get["capacity.initial_max"]:
        values["capacity.initial_min"], values["capacity.initial_max"] = (
            get["capacity.initial_max"],
            get["capacity.initial_min"],
        )
    for iso3 in PARTNERS:
        active = [layer for layer in LAYERS if get[f"policy.{iso3}.{layer}"]]
        if active and sum(get[f"policy.{iso3}.allocation.{layer}"] for layer in active) <= 0:
            values[f"policy.{iso3}.allocation.{active[0]}"] = 1.0
    if sum(get[f"capacity.focus.{d}"] for d in DOMAINS) <= 0:
        values["capacity.focus.maritime"] = 1.0
    if sum(v for k, v in get.items() if k.startswith("metrics.weight.")) <= 0:
        values["metrics.weight.tension"] = 1.0
    return values


@st.composite
def valid_overrides(draw, max_params: int) -> dict:
    names = draw(st.lists(st.sampled_from(TUNABLE), min_size=1, max_size=max_params, unique=True))
    values = repair({name: draw(values_of(name)) for name in names})
    if draw(st.booleans()):
        values["shocks"] = [
            {"step": draw(st.integers(1, 30)), "kind": "withdraw", "state": draw(st.sampled_from(PARTNERS))}
        ]
    make_params(values)  # valid, or the test fails here with the parameter named
    return values


def check_state(model: RegionModel) -> None:
    s = model.state
    for name in UNIT_STATE:
        x = getattr(s, name)
        assert np.isfinite(x).all(), name
        assert ((x >= 0) & (x <= 1)).all(), (name, x)
    assert np.isfinite(s.forum_power).all() and ((s.forum_power >= 0) & (s.forum_power <= 1)).all(), s.forum_power
    assert 0 <= s.cohesion <= 1 and 0 <= s.centrality <= 1, (s.cohesion, s.centrality)
    assert math.isfinite(s.pressure) and s.pressure >= 0, s.pressure
    total = float(s.target_weights.sum())
    assert (s.target_weights >= 0).all() and (total == 0 or math.isclose(total, 1.0)), s.target_weights
    for name in ("support", "forum_stock", "near_repeat", "absorb_left"):
        x = getattr(s, name)
        assert np.isfinite(x).all() and (x >= 0).all(), name


def check_series(series: dict, months: int) -> None:
    assert set(series) == set(METRICS)
    for name, values in series.items():
        x = np.asarray(values, dtype=float)
        assert x.shape == (months,), name
        assert np.isfinite(x).all(), name
    for name in BOUNDED:
        x = np.asarray(series[name], dtype=float)
        assert ((x >= 0) & (x <= 1)).all(), (name, x)
    for name in COUNTS:
        assert all(float(v).is_integer() and v >= 0 for v in series[name]), (name, series[name])
    for d in DOMAINS:
        assert all(e <= i for e, i in zip(series[f"escalations_{d}"], series[f"incidents_{d}"], strict=True))
    assert all(g <= i for g, i in zip(series["grey_zone_incidents"], series["incidents_maritime"], strict=True))


def run_checked(model: RegionModel, months: int) -> None:
    for _ in range(months):
        model.step()
        check_state(model)
    check_series(model.series(), months)


@settings(max_examples=30, deadline=None)
@given(overrides=valid_overrides(max_params=10), seed=st.integers(0, 2**32 - 1))
def test_region_stays_finite_and_bounded(overrides, seed):
    run_checked(RegionModel(rng=seed, **overrides), 36)


@settings(max_examples=30, deadline=None)
@given(overrides=valid_overrides(max_params=30), seed=st.integers(0, 2**32 - 1), n=st.integers(1, 3))
def test_tiny_world_stays_finite_and_bounded(overrides, seed, n):
    world = build_tiny_world(make_params(overrides), n)
    run_checked(RegionModel(rng=seed, world=world, **overrides), 24)
