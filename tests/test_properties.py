"""Property tests: for any valid parameter set, short runs keep every number finite and in range.

Hypothesis draws a handful of parameters from ``sim.model.params.SPECS`` (each within its lo/hi or choices,
extremes included), repairs the few combinations make_params refuses, runs a short model and checks,
month by month, that the agents' state stays in range and that the metrics are finite, bounded or
whole counts.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import RegionModel
from sim.model.metrics import BOUNDED, METRICS
from sim.model.params import LAYERS, PARTNERS, SPECS, make_params

TUNABLE = sorted(name for name in SPECS if name not in ("shocks", "run.start"))
COUNTS = tuple(
    m for m in METRICS if m.startswith(("incidents", "coercion", "escalations", "offers", "statements", "joint"))
)


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
    for iso3 in PARTNERS:
        active = [layer for layer in LAYERS if get[f"policy.{iso3}.{layer}"]]
        if active and sum(get[f"policy.{iso3}.allocation.{layer}"] for layer in active) <= 0:
            values[f"policy.{iso3}.allocation.{active[0]}"] = 1.0
    if sum(v for k, v in get.items() if k.startswith("metrics.weight.")) <= 0:
        values["metrics.weight.security"] = 1.0
    values["run.spinup"] = min(get["run.spinup"], 24)  # keep the test fast
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
    """The agents' state stays in range: alignments and trust in their bounds, fleets and presence
    non-negative, budgets never overspent."""
    for m in model.members_list:
        assert -1.0 <= m.alignment <= 1.0 and math.isfinite(m.alignment), (m.iso3, m.alignment)
        assert m.vessels >= -1e-9 and all(v >= 0 for v in m.patrol.values()), (m.iso3, m.vessels)
        assert all(0.0 <= t <= 1.0 for t in m.trust.values()), (m.iso3, m.trust)
        assert min(m.coerced, m.penalised, m.rewarded) >= 0
    assert all(d >= 0 and math.isfinite(d) for d in model.china.presence.values())
    assert sum(model.china.presence.values()) <= model.china.shipdays * (1 + 1e-9)
    for partner in model.partners:
        assert all(v >= -1e-6 for v in partner.purse.values()), (partner.iso3, partner.purse)
    assert 0.0 <= model.asean.success <= 1.0 and 0.0 <= model.asean.forum_power() <= 1.0


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
    assert all(e <= c for e, c in zip(series["escalations"], series["coercion"], strict=True))
    assert all(d <= o for d, o in zip(series["offers_declined"], series["offers"], strict=True))


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
@given(overrides=valid_overrides(max_params=40), seed=st.integers(0, 2**32 - 1))
def test_many_parameters_at_once_stay_finite_and_bounded(overrides, seed):
    run_checked(RegionModel(rng=seed, **overrides), 24)
