"""Stability metrics: what is measured each month, and the per-run summaries built from them.

Each metric has one definition, here and in ``docs/ODD.md`` section "Observation". Metrics read the
model's state; they never change it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.params import DOMAINS, Params

if TYPE_CHECKING:
    from sim.model import RegionModel


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values: 0 when all are equal; 0 when all are zero."""
    v = np.sort(np.asarray(values, dtype=float))
    n, total = v.size, v.sum()
    if n == 0 or total <= 0:
        return 0.0
    return float((2.0 * np.arange(1, n + 1) - n - 1) @ v / (n * total))


def herfindahl(support: np.ndarray) -> float:
    """Mean over members of the Herfindahl index of support received, by partner.

    Members that receive nothing are left out; when nobody receives anything the result is 0.
    """
    totals = support.sum(axis=1)
    got = totals > 0
    if not got.any():
        return 0.0
    shares = support[got] / totals[got, None]
    return float((shares**2).sum(axis=1).mean())


def stability_index(tension: float, resolution: float, cohesion: float, escalation_rate: float, p: Params) -> float:
    """Weighted mean of (1 - mean tension), resolution rate, cohesion and (1 - escalations per incident),
    with weights metrics.weight.*; in [0, 1]."""
    w = np.array([p[f"metrics.weight.{k}"] for k in ("tension", "resolution", "cohesion", "escalation")])
    parts = np.array([1.0 - tension, resolution, cohesion, 1.0 - escalation_rate])
    return float(w @ parts / w.sum())


def step_metrics(model: RegionModel) -> dict[str, float]:
    """All metrics for the month just simulated (see METRICS for their meaning)."""
    s = model.state
    incidents = int(s.arrivals.sum())
    escalations = int(s.escalations.sum())
    resolution = float(s.resolved.sum()) / incidents if incidents else 1.0
    escalation_rate = escalations / incidents if incidents else 0.0
    n = s.tension.size
    tension = float(s.tension.sum()) / n
    cohesion = s.cohesion
    member_capacity = s.capacity.sum(axis=1) / s.capacity.shape[1]
    dev = s.alignment - s.alignment.sum(axis=1, keepdims=True) / s.alignment.shape[1]
    hedging = float(np.sqrt((dev * dev).sum(axis=1) / s.alignment.shape[1]).sum()) / (0.5 * n)
    out = {
        "incidents": incidents,
        "escalations": escalations,
        "resolution_rate": resolution,
        "tension": tension,
        "tension_max": float(s.tension.max()),
        "stability_index": stability_index(tension, resolution, cohesion, escalation_rate, model.p),
        "asean_cohesion": cohesion,
        "asean_centrality": float(s.volume_routed / s.volume_total) if s.volume_total > 0 else 0.0,
        "dependence_hhi": herfindahl(s.support),
        "capacity_mean": float(member_capacity.sum()) / n,
        "capacity_gini": gini(member_capacity),
        "hedging": hedging,
        "effort_spent": s.volume_total,
        "grey_zone_incidents": int(s.grey_zone.sum()),
        "challenger_pressure": float(s.pressure),
        "deterrence_mean": float(s.deterrence.sum()) / n,
        "forum_power": float(s.forum_power.sum()) / s.forum_power.size if s.forum_power.size else 0.0,
    }
    arrivals, escal = s.arrivals.sum(axis=0), s.escalations.sum(axis=0)
    for k, d in enumerate(DOMAINS):
        out[f"incidents_{d}"] = int(arrivals[k])
        out[f"escalations_{d}"] = int(escal[k])
    return out


#: metric name -> meaning. Bounded metrics are listed in BOUNDED.
METRICS: dict[str, str] = {
    "incidents": "incidents that arrived this month, all domains (grey-zone coercion included in maritime)",
    "escalations": "incidents that escalated this month",
    "resolution_rate": "resolved / arrived this month (1 when nothing arrived)",
    "tension": "mean tension over ASEAN members",
    "tension_max": "highest tension of any ASEAN member",
    "stability_index": "weighted mean of 1 - tension, resolution rate, cohesion, 1 - escalations per incident",
    "asean_cohesion": "1 - normalised dispersion of members' alignments across members",
    "asean_centrality": "share of this month's cooperation volume routed through ASEAN-led mechanisms (0 if none)",
    "dependence_hhi": "mean over members of the Herfindahl index of remembered support, by partner",
    "capacity_mean": "mean over members of their mean capacity across domains",
    "capacity_gini": "Gini coefficient of members' mean capacity",
    "hedging": "mean over members of the dispersion (std / 0.5) of their alignment across partners: 0 when each "
    "member stands equally close to every partner; higher when members lean toward particular partners",
    "effort_spent": "partner effort used this month",
    "grey_zone_incidents": "grey-zone coercion incidents this month (part of maritime)",
    "challenger_pressure": "the challenger's pressure multiplier",
    "deterrence_mean": "mean deterrence over members",
    "forum_power": "mean power of the forum channels",
    **{f"incidents_{d}": f"{d} incidents this month" for d in DOMAINS},
    **{f"escalations_{d}": f"{d} escalations this month" for d in DOMAINS},
}

BOUNDED: tuple[str, ...] = (
    "resolution_rate",
    "tension",
    "tension_max",
    "stability_index",
    "asean_cohesion",
    "asean_centrality",
    "dependence_hhi",
    "capacity_mean",
    "capacity_gini",
    "hedging",
    "deterrence_mean",
    "forum_power",
)

#: metrics summarised per run (mean after warm-up, final value)
SUMMARY_METRICS: tuple[str, ...] = (
    "incidents",
    "escalations",
    "resolution_rate",
    "tension",
    "tension_max",
    "stability_index",
    "asean_cohesion",
    "asean_centrality",
    "dependence_hhi",
    "capacity_mean",
    "capacity_gini",
    "hedging",
    "effort_spent",
    "grey_zone_incidents",
    "challenger_pressure",
)

#: +1 when higher is better, -1 when lower is better: the direction a shock's drop is measured in
SHOCK_METRICS: dict[str, int] = {
    "stability_index": 1,
    "resolution_rate": 1,
    "asean_cohesion": 1,
    "capacity_mean": 1,
    "tension": -1,
    "incidents": -1,
    "escalations": -1,
}


def shock_response(series: np.ndarray, shock_step: int, window: int, direction: int) -> tuple[float, int | None]:
    """Drop and recovery time of one metric after a shock at month ``shock_step`` (months count from 1).

    Pre-shock level: the mean of the ``window`` months before the shock. After it, the metric is
    smoothed by ``window``-month means: the k-th covers months shock_step + k to shock_step + k +
    window - 1 (one mean of all remaining months if fewer than ``window`` are left).
    Drop: the pre-shock level minus the worst of these means, signed by ``direction`` (+1 when higher
    is better) so that a positive drop means things got worse.
    Recovery time: 0 if no mean falls below the pre-shock level; otherwise the first k after the
    worst mean whose mean is back at the pre-shock level or better; None if that never happens
    within the run.
    """
    before = series[max(0, shock_step - 1 - window) : shock_step - 1]
    after = series[shock_step - 1 :]
    if before.size == 0 or after.size == 0:
        return 0.0, None
    pre = float(before.mean()) * direction
    if after.size >= window:
        smooth = np.convolve(after, np.ones(window) / window, mode="valid") * direction
    else:
        smooth = np.array([after.mean() * direction])
    worst = int(np.argmin(smooth))
    if smooth[worst] >= pre - 1e-12:
        return float(pre - smooth[worst]), 0
    back = worst + np.nonzero(smooth[worst:] >= pre - 1e-12)[0]
    return float(pre - smooth[worst]), (int(back[0]) if back.size else None)


def summarise(series: Mapping[str, Sequence[float]], p: Params) -> dict[str, Any]:
    """Per-run summaries: ``<m>_mean`` over the months after metrics.warmup (all months if the run is
    no longer than the warm-up) and ``<m>_final``; with shocks, ``<m>_drop`` and ``<m>_recovery``
    (see shock_response) after the earliest shock, for the metrics of SHOCK_METRICS."""
    out: dict[str, Any] = {}
    warmup = p["metrics.warmup"]
    for name in SUMMARY_METRICS:
        x = np.asarray(series[name], dtype=float)
        kept = x[warmup:] if x.size > warmup else x
        out[f"{name}_mean"] = float(kept.mean()) if kept.size else 0.0
        out[f"{name}_final"] = float(x[-1]) if x.size else 0.0
    if p["shocks"]:
        step = min(shock.step for shock in p["shocks"])
        for name, direction in SHOCK_METRICS.items():
            x = np.asarray(series[name], dtype=float)
            drop, recovery = shock_response(x, step, p["metrics.recovery_window"], direction)
            out[f"{name}_drop"] = drop
            out[f"{name}_recovery"] = recovery
    return out


def reporters() -> dict[str, Callable[[RegionModel], float]]:
    """Mesa DataCollector model reporters: each reads the metrics computed once for this month."""
    return {name: (lambda m, k=name: m.current_metrics[k]) for name in METRICS}
