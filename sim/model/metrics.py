"""What is measured each month, in natural units first, and the per-run summaries built from them.

Each metric has one definition, here (``METRICS``) and in ``docs/ODD.md`` section "Observation".
Metrics read the model's state; they never change it. Per-agent series (members' alignment and
vessels, partners' spending, China's ship-days) are Mesa agent-type reporters in ``sim/model/region.py``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.model.areas import load_areas
from sim.model.params import Params

if TYPE_CHECKING:
    from sim.model.world import World

#: the ASEAN members whose features China's coast guard contests (sim/model/data/areas.csv)
CLAIMANTS: tuple[str, ...] = ("PHL", "VNM", "MYS", "IDN")
#: the ReCAAP sea areas, in file order
AREAS: tuple[str, ...] = tuple(a.code for a in load_areas() if a.kind == "recaap_area")
#: the disputed features, in file order
FEATURES: tuple[str, ...] = tuple(a.code for a in load_areas() if a.kind == "feature")

#: metric name -> meaning, with its unit
METRICS: dict[str, str] = {
    "incidents": "robberies against ships this month, all sea areas (ReCAAP: actual and attempted)",
    **{f"incidents_{a}": f"robberies this month in {a}" for a in AREAS},
    "kidnappings": "abductions of crew (successful kidnap-for-ransom raids) this month",
    "crew_abducted": "crew abducted this month",
    "hostages_ashore": "people the kidnap-for-ransom group took ashore this month (not abductions at sea)",
    "kidnap_fighters": "fighters of the kidnap-for-ransom group at the end of the month",
    "syndicates": "criminal syndicates active at the end of the month",
    "syndicate_members": "members of all syndicates at the end of the month",
    "coercion": "coercion incidents by China's coast guard or militia at the disputed features this month",
    **{f"coercion_{c}": f"coercion incidents this month at {c}'s features" for c in CLAIMANTS},
    "ccg_shipdays": "China's coast-guard and militia ship-days at the disputed features this month",
    **{f"shipdays_{f}": f"China's ship-days at {f} this month" for f in FEATURES},
    "escalations": "coercion incidents this month that climbed past a stand-off (rung 2 or higher)",
    "statements_sought": "ASEAN statements on maritime coercion sought this month (0 or 1)",
    "statements_blocked": "statements sought this month and blocked by at least one member (0 or 1)",
    "offers": "offers partners made this month",
    "offers_declined": "offers members declined this month",
    "offers_routed": "offers routed through ASEAN-led mechanisms this month",
    "offers_direct": "offers made directly this month",
    "joint_patrol_areas": "sea areas patrolled jointly by all their littoral members this month",
    "channel_choices": "offers this month that members could take directly or through ASEAN and chose how to take",
    "channel_routed": "of those, the ones members chose to take through ASEAN-led mechanisms",
    "asean_centrality": "ASEAN centrality from members' behaviour over the last 12 months, in [0, 1]: the mean of "
    "the share of their channel choices that went through ASEAN, the share of forum initiatives they accepted, "
    "and ASEAN's record of agreeing statements (version 3; version 2 measured the routed share of USD)",
    "asean_agreement": "ASEAN's record of agreeing: exponential average of agreed / sought statements",
    "asean_cohesion": "1 - mean absolute deviation of members' alignments from their mean",
    "hedging": "1 - mean absolute alignment of members: 1 when every member sits between the blocs",
    "forum_power": "power of ASEAN's forums to defuse a confrontation, in [0, 1]",
    "stability_index": "weighted mean of exp(-incidents / metrics.incident_scale), exp(-(coercion + 2 escalations) / "
    "metrics.coercion_scale) and cohesion, with weights metrics.weight.*",
}

BOUNDED: tuple[str, ...] = (
    "asean_centrality",
    "asean_agreement",
    "asean_cohesion",
    "hedging",
    "forum_power",
    "stability_index",
)

#: metrics summarised per run (mean after warm-up, final value)
SUMMARY_METRICS: tuple[str, ...] = (
    "incidents",
    "kidnappings",
    "coercion",
    "coercion_PHL",
    "ccg_shipdays",
    "escalations",
    "statements_sought",
    "statements_blocked",
    "offers",
    "offers_declined",
    "offers_routed",
    "joint_patrol_areas",
    *BOUNDED,
)


def month_metrics(model: World) -> dict[str, float]:
    """The month's measurements (see METRICS), computed once after the month's last decision."""
    p, m = model.p, model.month
    incidents = sum(m[f"incidents_{a}"] for a in AREAS)
    alignments = [x.alignment for x in model.members_list]
    mean = sum(alignments) / len(alignments)
    cohesion = 1.0 - sum(abs(a - mean) for a in alignments) / len(alignments)
    out = {
        "incidents": incidents,
        **{f"incidents_{a}": m[f"incidents_{a}"] for a in AREAS},
        "kidnappings": m["kidnappings"],
        "crew_abducted": m["crew_abducted"],
        "hostages_ashore": m["hostages_ashore"],
        "kidnap_fighters": sum(g.fighters for g in model.kidnappers),
        "syndicates": len(model.syndicates),
        "syndicate_members": sum(model.gang_size.values()),
        "coercion": m["coercion"],
        **{f"coercion_{c}": m[f"coercion_{c}"] for c in CLAIMANTS},
        "ccg_shipdays": sum(model.china.presence.values()),
        **{f"shipdays_{f}": model.china.presence[f] for f in FEATURES},
        "escalations": m["escalations"],
        "statements_sought": model.asean.sought,
        "statements_blocked": model.asean.blocked,
        "offers": m["offers"],
        "offers_declined": m["declined"],
        "offers_routed": m["routed"],
        "offers_direct": m["direct"],
        "joint_patrol_areas": len(model.joint),
        "channel_choices": m["channel_choices"],
        "channel_routed": m["channel_routed"],
        "asean_centrality": centrality(model),
        "asean_agreement": model.asean.success,
        "asean_cohesion": cohesion,
        "hedging": 1.0 - sum(abs(a) for a in alignments) / len(alignments),
        "forum_power": model.asean.forum_power(),
    }
    out["stability_index"] = stability_index(incidents, m["coercion"], m["escalations"], cohesion, p)
    return out


def centrality(model: World) -> float:
    """ASEAN centrality as members' behaviour over the last 12 months: the mean of the share of their
    channel choices that went through ASEAN (0 when they made none), the share of the forum initiatives
    offered to them that they accepted (0 when none were offered) and ASEAN's record of agreeing."""
    choices, routed, forums, joined = [sum(col) for col in zip(*model.choices, strict=True)] or [0, 0, 0, 0]
    channel = routed / choices if choices else 0.0
    forum = joined / forums if forums else 0.0
    return (channel + forum + model.asean.success) / 3.0


def stability_index(incidents: float, coercion: float, escalations: float, cohesion: float, p: Params) -> float:
    """Weighted mean of exp(-incidents / metrics.incident_scale), exp(-(coercion + 2 x escalations) /
    metrics.coercion_scale) and cohesion, with weights ``metrics.weight.*``; in [0, 1]. Kept for
    continuity with version 1."""
    parts = {
        "security": math.exp(-incidents / p["metrics.incident_scale"]),
        "coercion": math.exp(-(coercion + 2.0 * escalations) / p["metrics.coercion_scale"]),
        "cohesion": cohesion,
    }
    weights = {k: p[f"metrics.weight.{k}"] for k in parts}
    return sum(weights[k] * parts[k] for k in parts) / sum(weights.values())


#: +1 when higher is better, -1 when lower is better: the direction a shock's drop is measured in
SHOCK_METRICS: dict[str, int] = {
    "stability_index": 1,
    "asean_cohesion": 1,
    "asean_centrality": 1,
    "incidents": -1,
    "coercion": -1,
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


def reporters() -> dict[str, Callable[[World], float]]:
    """Mesa DataCollector model reporters: each reads the metrics computed once for this month."""
    return {name: _reader(name) for name in METRICS}


def _reader(name: str) -> Callable[[World], float]:
    """A reporter that reads metric ``name`` of the month from ``model.metrics``."""
    return lambda model: model.metrics[name]
