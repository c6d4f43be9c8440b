"""Metric definitions against values computed by hand."""

import numpy as np
import pytest

from sim import RegionModel, make_params
from sim.model.metrics import BOUNDED, METRICS, shock_response, stability_index, summarise


def test_stability_index_is_the_weighted_mean_of_its_parts():
    p = make_params({"metrics.weight.security": 0.5, "metrics.weight.coercion": 0.25,
                     "metrics.weight.cohesion": 0.25, "metrics.incident_scale": 4.0})  # fmt: skip
    expected = (0.5 * np.exp(-2.0 / 4.0) + 0.25 * np.exp(-(1.0 + 2 * 1.0) / 4.0) + 0.25 * 0.9) / 1.0
    assert stability_index(2.0, 1.0, 1.0, 0.9, p) == pytest.approx(expected)
    calm = make_params({"metrics.weight.security": 0.0, "metrics.weight.coercion": 1.0, "metrics.weight.cohesion": 0.0})
    assert stability_index(50.0, 0.0, 0.0, 0.0, calm) == 1.0  # only the coercion part counts


def test_month_metrics_add_up():
    model = RegionModel(rng=4).run(12)
    ts = model.timeseries()
    assert (ts["incidents"] == ts[[c for c in ts if c.startswith("incidents_")]].sum(axis=1)).all()
    assert (ts["coercion"] == ts[[c for c in ts if c.startswith("coercion_")]].sum(axis=1)).all()
    assert (ts["offers"] == ts["offers_routed"] + ts["offers_direct"]).all()
    assert (ts["offers_declined"] <= ts["offers"]).all()
    assert (ts["statements_blocked"] <= ts["statements_sought"]).all()
    months = ts["date"].tolist()
    for column in ("offers", "offers_declined"):
        kind = {"offers": "offer", "offers_declined": "decline"}[column]
        by_month = model.ledger.tally("date", [a for a in model.ledger if a.kind == kind])
        assert [by_month.get(m, 0) for m in months] == ts[column].tolist()


def test_shock_drop_and_recovery_by_hand():
    # 12 months at 1, shock at month 13: 3 months at 1, 6 at 0, then back to 1; window 3
    x = np.array([1.0] * 12 + [1.0] * 3 + [0.0] * 6 + [1.0] * 20)
    drop, recovery = shock_response(x, 13, 3, 1)
    assert drop == pytest.approx(1.0)  # the window of months 16-18 averages 0
    assert recovery == 9  # the first full window back at 1 starts 9 months after the shock


def test_shock_without_a_dip_recovers_at_once_and_one_that_never_recovers_is_none():
    assert shock_response(np.ones(30), 13, 3, 1) == (0.0, 0)
    drop, recovery = shock_response(np.array([1.0] * 12 + [0.0] * 18), 13, 3, 1)
    assert (drop, recovery) == (1.0, None)


def test_shock_direction_minus_one_treats_a_rise_as_a_drop():
    tension = np.array([0.1] * 12 + [0.4] * 6 + [0.1] * 12)
    drop, recovery = shock_response(tension, 13, 3, -1)
    assert drop == pytest.approx(0.3)
    assert recovery == 6


def test_summaries_use_warmup_and_the_earliest_shock():
    p = make_params({"metrics.warmup": 2, "metrics.recovery_window": 2,
                     "shocks": [{"step": 9, "kind": "withdraw", "state": "AUS"},
                                {"step": 5, "kind": "withdraw", "state": "USA"}]})  # fmt: skip
    series = {name: [0.0] * 10 for name in METRICS}
    series["coercion"] = [9.0, 9.0, 0.1, 0.1, 0.5, 0.5, 0.1, 0.1, 0.1, 0.3]
    out = summarise(series, p)
    assert out["coercion_mean"] == pytest.approx(np.mean([0.1, 0.1, 0.5, 0.5, 0.1, 0.1, 0.1, 0.3]))
    assert out["coercion_final"] == pytest.approx(0.3)
    assert out["coercion_drop"] == pytest.approx(0.4)  # shock at month 5 (the earliest), not 9
    assert out["coercion_recovery"] == 2


def test_every_metric_is_collected_each_month_and_bounded_ones_stay_bounded():
    model = RegionModel(rng=4).run(6)
    series = model.series()
    assert set(series) == set(METRICS)
    assert all(len(v) == 6 for v in series.values())
    for name in BOUNDED:
        assert all(0.0 <= v <= 1.0 for v in series[name]), name
