"""Every model parameter: one line each, with its default, unit, allowed range and source.

Names are dotted (``policy.JPN.quad``, ``challenger.intensity``). A source is either a reference to
the data in ``sim/data`` (see ``sim/data/SOURCES.md``) or the word "assumption"; the assumptions
that matter are varied in ``experiments/morris.toml`` and ``experiments/sobol.toml``.

Units: a *step* is one month. *Effort* is an abstract unit of partner activity per month; Japan's
default budget defines it (1 effort unit per month). *Shares* and *probabilities* are in [0, 1].

Use :func:`make_params` to build a validated, frozen :class:`Params` from overrides; it refuses
unknown names (suggesting the closest valid one), wrong types and out-of-range values.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

PARTNERS: tuple[str, ...] = ("JPN", "USA", "AUS", "IND")
LAYERS: tuple[str, ...] = ("quad", "bilateral", "forums", "capacity")
DOMAINS: tuple[str, ...] = ("maritime", "terrorism", "cyber", "disaster")
SHOCK_KINDS: tuple[str, ...] = ("withdraw",)
CAPACITY_RULES: tuple[str, ...] = ("partnership", "need")

RECAAP = (
    "calibrated: default runs average the ReCAAP ISC 2018-2024 mean of 7.48 piracy incidents/month "
    "(sim/data/recaap_incidents.csv) once near-repeat and deterrence act; tests/test_calibration.py"
)
AMTI = (
    "CSIS AMTI: 45 major coercive incidents in the South China Sea, 2010-2016: 0.54/month (sim/data/scs_indicators.csv)"
)
ASSUMPTION = "assumption"


@dataclass(frozen=True)
class Shock:
    """A scheduled event: at month ``step``, ``state`` (a partner) does ``kind`` (e.g. "withdraw")."""

    step: int
    kind: str
    state: str


class ParameterError(ValueError):
    """A parameter name, type or value is not valid. The message is one line naming the parameter."""


@dataclass(frozen=True)
class Spec:
    """How one parameter is declared: default, unit, source, and what values are allowed."""

    default: Any
    unit: str
    source: str
    doc: str
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] | None = None

    @property
    def kind(self) -> type:
        """The Python type of the default (bool, int, float, str, list)."""
        return type(self.default)

    def describe_range(self) -> str:
        """The allowed values in words, for error messages and the parameter table."""
        if self.choices is not None:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind is bool:
            return "true or false"
        if self.kind is list:
            return "list of {step, kind, state}"
        lo = "-inf" if self.lo is None else f"{self.lo:g}"
        hi = "inf" if self.hi is None else f"{self.hi:g}"
        return f"[{lo}, {hi}]"


def _partner_policy(
    iso3: str,
    *,
    quad: bool,
    bilateral: bool,
    forums: bool,
    capacity: bool,
    budget: float,
    coordination: float,
    note: str,
) -> dict[str, Spec]:
    """The policy parameters of one partner state (``policy.<ISO3>.*``)."""
    p = f"policy.{iso3}"
    specs = {
        f"{p}.quad": Spec(quad, "on/off", note, f"{iso3} takes part in Quad actions"),
        f"{p}.bilateral": Spec(bilateral, "on/off", note, f"{iso3} acts through its bilateral ties"),
        f"{p}.forums": Spec(forums, "on/off", note, f"{iso3} invests in ASEAN-led forums"),
        f"{p}.capacity": Spec(capacity, "on/off", note, f"{iso3} builds ASEAN members' capacity"),
        f"{p}.budget": Spec(budget, "effort/month", ASSUMPTION, f"{iso3}'s effort per month", 0.0, 10.0),
        f"{p}.asean_coordination": Spec(
            coordination,
            "share",
            ASSUMPTION,
            f"share of {iso3}'s activity routed through ASEAN-led mechanisms (0 bypass, 1 fully routed)",
            0.0,
            1.0,
        ),
    }
    for layer in LAYERS:
        specs[f"{p}.allocation.{layer}"] = Spec(
            0.25, "weight", ASSUMPTION, f"weight of the {layer} layer in {iso3}'s effort split", 0.0, 1.0
        )
    return specs


SPECS: dict[str, Spec] = {
    # --- world -------------------------------------------------------------------------------
    "world.include_timor_leste": Spec(
        True, "on/off", "ASEAN member since 2025-10-26 (sim/data/states.csv)", "ASEAN-11; false gives ASEAN-10"
    ),
    # --- partner policies ----------------------------------------------------------------------
    **_partner_policy(
        "JPN",
        quad=True,
        bilateral=True,
        forums=True,
        capacity=True,
        budget=1.0,
        coordination=0.6,
        note="Japan's four layers (seed article; sim/data/ties.csv)",
    ),
    **_partner_policy(
        "USA",
        quad=True,
        bilateral=True,
        forums=True,
        capacity=True,
        budget=1.5,
        coordination=0.3,
        note="Quad, ARF/ADMM-Plus/EAS membership, treaty allies PHL and THA (sim/data/states.csv)",
    ),
    **_partner_policy(
        "AUS",
        quad=True,
        bilateral=False,
        forums=True,
        capacity=True,
        budget=0.6,
        coordination=0.5,
        note="Quad and forum membership (sim/data/states.csv); no ASEAN bilateral tie in the data",
    ),
    **_partner_policy(
        "IND",
        quad=True,
        bilateral=False,
        forums=True,
        capacity=True,
        budget=0.4,
        coordination=0.5,
        note="Quad and forum membership (sim/data/states.csv); no ASEAN bilateral tie in the data",
    ),
    # --- threats -------------------------------------------------------------------------------
    "threats.maritime.rate": Spec(
        6.3,
        "incidents/month, region",
        RECAAP,
        "background rate of piracy and armed robbery, before near-repeat and deterrence",
        0.0,
        100.0,
    ),
    "threats.terrorism.rate": Spec(1.0, "incidents/month, region", ASSUMPTION, "terrorist incidents", 0.0, 100.0),
    "threats.cyber.rate": Spec(
        2.0, "incidents/month, region", ASSUMPTION, "state-relevant cyber incidents", 0.0, 100.0
    ),
    "threats.disaster.rate": Spec(
        1.0, "incidents/month, region", ASSUMPTION, "disasters needing a response", 0.0, 100.0
    ),
    **{
        f"threats.mix.{d}": Spec(1.0, "multiplier", ASSUMPTION, f"scenario multiplier on {d} arrivals", 0.0, 10.0)
        for d in DOMAINS
    },
    "threats.coastline_exponent": Spec(
        0.5,
        "exponent",
        ASSUMPTION,
        "maritime exposure is coastline_km to this power (0: every coastal member equally; landlocked none)",
        0.0,
        2.0,
    ),
    "threats.near_repeat.boost": Spec(
        0.3,
        "incidents per incident",
        ASSUMPTION,
        "expected follow-on maritime incidents per incident (0: off)",
        0.0,
        0.95,
    ),
    "threats.near_repeat.memory": Spec(
        0.5, "share/month", ASSUMPTION, "share of near-repeat excitation kept from one month to the next", 0.0, 0.95
    ),
    "threats.deterrence_effect": Spec(
        0.5, "share", ASSUMPTION, "fall in maritime arrivals at full deterrence", 0.0, 1.0
    ),
    # --- the challenger ------------------------------------------------------------------------
    "challenger.intensity": Spec(
        1.0, "multiplier", ASSUMPTION, "grey-zone pressure level (0: no challenger)", 0.0, 5.0
    ),
    "challenger.base_rate": Spec(
        0.54, "incidents/month", AMTI, "grey-zone incidents per month at intensity 1", 0.0, 20.0
    ),
    "challenger.reaction": Spec(
        0.5,
        "per effort",
        ASSUMPTION,
        "rise in pressure per unit of visible military cooperation (security dilemma)",
        0.0,
        5.0,
    ),
    "challenger.displacement": Spec(
        3.0,
        "1/protection",
        ASSUMPTION,
        "how strongly pressure shifts to weakly protected targets (0: by exposure only)",
        0.0,
        20.0,
    ),
    "challenger.adaptation": Spec(
        0.1, "share/month", ASSUMPTION, "speed at which pressure moves to its target level", 0.0, 1.0
    ),
    # --- detection and response ----------------------------------------------------------------
    "response.partner_assist": Spec(
        0.3, "probability", ASSUMPTION, "highest resolution help partners can give a member", 0.0, 1.0
    ),
    "response.assist_scale": Spec(
        0.5, "effort", ASSUMPTION, "trust-weighted recent support at which help reaches 63% of its maximum", 0.01, 10.0
    ),
    # --- escalation and tension ----------------------------------------------------------------
    **{
        f"escalation.base.{d}": Spec(
            p, "probability", ASSUMPTION, f"chance an unresolved {d} incident escalates", 0.0, 1.0
        )
        for d, p in zip(DOMAINS, (0.2, 0.1, 0.05, 0.05), strict=True)
    },
    "escalation.tension_amplifies": Spec(
        1.0, "multiplier", ASSUMPTION, "escalation chance rises by this times tension", 0.0, 5.0
    ),
    "escalation.tension_per_unresolved": Spec(
        0.02, "1/incident", ASSUMPTION, "tension added per unresolved incident", 0.0, 1.0
    ),
    "escalation.tension_per_escalation": Spec(
        0.15, "1/escalation", ASSUMPTION, "tension added per escalation", 0.0, 1.0
    ),
    "escalation.tension_decay": Spec(
        0.08, "share/month", ASSUMPTION, "share of tension that fades each month", 0.0, 1.0
    ),
    # --- capacity ------------------------------------------------------------------------------
    "capacity.initial_min": Spec(
        0.2,
        "probability",
        ASSUMPTION,
        "starting capacity at zero military spending (see capacity.initial_max)",
        0.0,
        1.0,
    ),
    "capacity.initial_max": Spec(
        0.6,
        "probability",
        ASSUMPTION,
        "starting capacity of the largest ASEAN spender; others start at min + (max - min) x sqrt(milex / largest)",
        0.0,
        1.0,
    ),
    "capacity.depreciation": Spec(
        0.005, "share/month", ASSUMPTION, "capacity lost each month (vessels age, skills fade)", 0.0, 0.5
    ),
    "capacity.own_investment": Spec(
        0.015,
        "capacity/month",
        ASSUMPTION,
        "monthly capacity gain of the member with the largest military budget, before saturation",
        0.0,
        0.5,
    ),
    "capacity.effectiveness": Spec(
        0.15, "capacity/effort", ASSUMPTION, "capacity gained per absorbed effort unit, before saturation", 0.0, 5.0
    ),
    "capacity.absorption": Spec(
        0.3,
        "effort/month",
        ASSUMPTION,
        "absorptive capacity of the largest ASEAN economy; others scale with sqrt(GDP)",
        0.01,
        10.0,
    ),
    "capacity.targeting": Spec(
        "partnership",
        "rule",
        ASSUMPTION,
        "who gets capacity building: closest partners or neediest members",
        choices=CAPACITY_RULES,
    ),
    **{
        f"capacity.focus.{d}": Spec(w, "weight", ASSUMPTION, f"share of capacity building aimed at {d}", 0.0, 1.0)
        for d, w in zip(DOMAINS, (0.6, 0.1, 0.15, 0.15), strict=True)
    },
    # --- the Quad -------------------------------------------------------------------------------
    "quad.mda_to_asean": Spec(
        True,
        "on/off",
        "Quad IPMDA (2022) extended to regional fusion centres (sim/data/japan_programs.csv)",
        "Quad maritime domain awareness is shared with ASEAN members",
    ),
    "quad.min_partners": Spec(
        2, "states", ASSUMPTION, "Quad actions need at least this many active Quad partners", 1, 4
    ),
    "quad.patrol_share": Spec(
        0.5, "share", ASSUMPTION, "share of Quad effort spent on coordinated patrols (rest: awareness)", 0.0, 1.0
    ),
    "quad.awareness_max": Spec(
        0.4, "probability", ASSUMPTION, "highest maritime detection gain from shared awareness", 0.0, 1.0
    ),
    "quad.patrol_deterrence_max": Spec(
        0.6, "share", ASSUMPTION, "highest deterrence from coordinated patrols", 0.0, 1.0
    ),
    "quad.scale": Spec(
        0.3,
        "effort/member",
        ASSUMPTION,
        "effort per member at which a Quad action gives 63% of its maximum",
        0.01,
        10.0,
    ),
    # --- bilateral ------------------------------------------------------------------------------
    "bilateral.deterrence_max": Spec(
        0.7, "share", ASSUMPTION, "highest deterrence from a patron's exercises and commitments", 0.0, 1.0
    ),
    "bilateral.scale": Spec(
        0.3,
        "effort",
        ASSUMPTION,
        "bilateral effort on a member at which its deterrence gain reaches 63% of the maximum",
        0.01,
        10.0,
    ),
    "bilateral.trust_gain": Spec(
        0.1, "share/effort", ASSUMPTION, "trust in the patron gained per effort unit", 0.0, 1.0
    ),
    "bilateral.alignment_pull": Spec(
        0.15,
        "share/effort",
        ASSUMPTION,
        "how far direct support pulls a member's alignment toward the patron",
        0.0,
        1.0,
    ),
    # --- forums ---------------------------------------------------------------------------------
    "forums.channels": Spec(
        "three",
        "structure",
        "ARF, ADMM-Plus, EAS memberships (sim/data/states.csv)",
        "three forums, or one merged channel",
        choices=("one", "three"),
    ),
    "forums.damping_max": Spec(
        0.6, "share", ASSUMPTION, "highest cut in escalation chance from effective forums", 0.0, 1.0
    ),
    "forums.scale": Spec(
        0.5, "effort", ASSUMPTION, "forum investment at which forums reach 63% of their power", 0.01, 10.0
    ),
    "forums.memory": Spec(
        0.9, "share/month", ASSUMPTION, "share of forum investment kept from month to month", 0.0, 0.99
    ),
    "forums.cohesion_power": Spec(
        1.0, "exponent", ASSUMPTION, "forum power scales with ASEAN cohesion to this power", 0.0, 5.0
    ),
    "forums.centrality_weight": Spec(
        0.5, "share", ASSUMPTION, "how much forum power depends on ASEAN centrality (0: not at all)", 0.0, 1.0
    ),
    "forums.trust_gain": Spec(
        0.05,
        "share/effort",
        ASSUMPTION,
        "members' trust in a partner gained per unit of its forum effort reaching them",
        0.0,
        1.0,
    ),
    "forums.cohesion_gain": Spec(
        1.0, "multiplier", ASSUMPTION, "extra pull toward ASEAN consensus at full forum power", 0.0, 10.0
    ),
    # --- ASEAN coordination ----------------------------------------------------------------------
    "coordination.efficiency_cost": Spec(
        0.25, "share", ASSUMPTION, "share of routed effort lost to coordination", 0.0, 1.0
    ),
    "coordination.visibility": Spec(
        0.4,
        "share",
        ASSUMPTION,
        "visibility to the challenger of routed military activity, relative to direct",
        0.0,
        1.0,
    ),
    # --- ASEAN members ---------------------------------------------------------------------------
    "asean.info_sharing": Spec(
        0.2, "probability", ASSUMPTION, "highest detection gain from information sharing among ReCAAP parties", 0.0, 1.0
    ),
    "alignment.initial_per_tie": Spec(0.12, "share/tie", ASSUMPTION, "starting alignment per documented tie", 0.0, 0.5),
    "alignment.consensus_pull": Spec(
        0.05, "share/month", ASSUMPTION, "pull toward the ASEAN average, times cohesion", 0.0, 1.0
    ),
    "alignment.neutral_pull": Spec(0.01, "share/month", ASSUMPTION, "drift back toward neutrality (hedging)", 0.0, 1.0),
    # --- decay ------------------------------------------------------------------------------------
    "decay.deterrence": Spec(
        0.15, "share/month", ASSUMPTION, "deterrence that fades each month without renewal", 0.0, 1.0
    ),
    "decay.awareness": Spec(0.15, "share/month", ASSUMPTION, "shared awareness that fades each month", 0.0, 1.0),
    "decay.trust": Spec(0.02, "share/month", ASSUMPTION, "trust that fades each month", 0.0, 1.0),
    "decay.support_memory": Spec(
        0.8, "share/month", ASSUMPTION, "share of support received remembered next month", 0.0, 0.99
    ),
    # --- metrics ------------------------------------------------------------------------------------
    "metrics.warmup": Spec(24, "months", ASSUMPTION, "months left out of per-run means", 0, 10_000),
    "metrics.recovery_window": Spec(
        12, "months", ASSUMPTION, "window of the pre-shock mean and of the recovery test", 1, 120
    ),
    **{
        f"metrics.weight.{k}": Spec(w, "weight", ASSUMPTION, f"weight of {k} in stability_index", 0.0, 1.0)
        for k, w in (("tension", 0.4), ("resolution", 0.3), ("cohesion", 0.2), ("escalation", 0.1))
    },
    # --- shocks -------------------------------------------------------------------------------------
    "shocks": Spec([], "list", "scenario", 'events, e.g. [{step = 60, kind = "withdraw", state = "USA"}]'),
}


class Params(dict[str, Any]):
    """A frozen, validated set of parameter values, read by dotted name: ``params["policy.JPN.quad"]``.

    Build it with :func:`make_params`. It is a read-only dict (fast lookups in the model's hot loop);
    every method that would change it raises TypeError. ``params.policy("JPN")`` gives one
    partner's policy fields.
    """

    __slots__ = ()

    def _frozen(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("Params is frozen; build a new one with make_params(overrides)")

    __setitem__ = __delitem__ = __ior__ = _frozen  # type: ignore[assignment]
    clear = pop = popitem = setdefault = update = _frozen  # type: ignore[assignment]

    def __setattr__(self, name: str, value: Any) -> None:
        self._frozen()

    def __repr__(self) -> str:
        return f"Params({len(self)} values, {len(self.changed())} changed)"

    def __reduce__(self) -> tuple:
        return (Params, (dict(self),))

    def policy(self, iso3: str) -> dict[str, Any]:
        """One partner's policy as a plain dict without the ``policy.<ISO3>.`` prefix."""
        prefix = f"policy.{iso3}."
        return {k[len(prefix) :]: v for k, v in self.items() if k.startswith(prefix)}

    def changed(self) -> dict[str, Any]:
        """The values that differ from the defaults, as plain values."""
        return {k: v for k, v in self.to_dict().items() if v != SPECS[k].default}

    def to_dict(self) -> dict[str, Any]:
        """All values as a plain, JSON-friendly dict (shocks as a list of dicts)."""
        return {k: ([asdict(s) for s in v] if k == "shocks" else v) for k, v in self.items()}


def suggest(name: str, candidates: Any = None) -> str:
    """' (did you mean 'x'?)' for the closest valid name, or '' when nothing is close."""
    close = difflib.get_close_matches(str(name), list(candidates or SPECS), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _check_value(name: str, spec: Spec, value: Any) -> Any:
    """Return ``value`` converted to the parameter's type, or raise ParameterError naming the problem."""
    kind, given = spec.kind, value
    if isinstance(value, np.generic):  # np.int64, np.float64, np.bool_ (e.g. batch_run over np.arange)
        value = value.item()
    if kind is bool:
        if not isinstance(value, bool):
            raise ParameterError(f"parameter {name!r} must be true or false, got {_show(given)}")
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                raise ParameterError(
                    f"parameter {name!r} must be a whole number in {spec.describe_range()}, got {_show(given)}"
                )
    elif kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ParameterError(f"parameter {name!r} must be a number in {spec.describe_range()}, got {_show(given)}")
        try:
            value = float(value)
        except OverflowError:
            value = math.inf
        if not math.isfinite(value):
            raise ParameterError(
                f"parameter {name!r} must be a finite number in {spec.describe_range()}, got {_show(given)}"
            )
    elif kind is str:
        if not isinstance(value, str) or (spec.choices and value not in spec.choices):
            raise ParameterError(f"parameter {name!r} must be {spec.describe_range()}, got {_show(given)}")
        return value
    elif kind is list:
        return _check_shocks(name, value)
    if (spec.lo is not None and value < spec.lo) or (spec.hi is not None and value > spec.hi):
        raise ParameterError(f"parameter {name!r} must be in {spec.describe_range()}, got {_show(given)}")
    return value


SHOCK_EXAMPLE = '[{step = 60, kind = "withdraw", state = "USA"}]'


def _show(value: Any) -> str:
    """A value for an error message, on one short line: numbers as %g, anything else as its repr."""
    if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool) and abs(value) < 1e15):
        return f"{value:g}"
    text = repr(value).replace("\n", "\\n")
    return text if len(text) <= 40 else text[:37] + "..."


def _check_shocks(name: str, value: Any) -> tuple[Shock, ...]:
    """Shocks are a list of tables ``{step, kind, state}``; return them frozen."""
    if not isinstance(value, (list, tuple)):
        raise ParameterError(f"parameter {name!r} must be a list of tables like {SHOCK_EXAMPLE}")
    out = []
    for k, shock in enumerate(value):
        where = f"{name}[{k}]"
        if not isinstance(shock, Mapping):
            raise ParameterError(f"{where} must be a table with keys step, kind, state; got {shock!r}")
        unknown = set(shock) - {"step", "kind", "state"}
        if unknown:
            key = sorted(unknown)[0]
            raise ParameterError(f"{where} has unknown key {key!r}{suggest(key, ['step', 'kind', 'state'])}")
        missing = {"step", "kind", "state"} - set(shock)
        if missing:
            raise ParameterError(f"{where} is missing key '{sorted(missing)[0]}'")
        step, kind, state = shock["step"], shock["kind"], shock["state"]
        if isinstance(step, bool) or not isinstance(step, int) or step < 1:
            raise ParameterError(f"{where}.step must be a whole number of months >= 1, got {step!r}")
        if kind not in SHOCK_KINDS:
            raise ParameterError(f"{where}.kind must be one of {', '.join(map(repr, SHOCK_KINDS))}, got {kind!r}")
        if state not in PARTNERS:
            raise ParameterError(f"{where}.state must be a partner, one of {', '.join(PARTNERS)}, got {state!r}")
        out.append(Shock(step=step, kind=kind, state=state))
    return tuple(out)


def _check_combinations(values: Mapping[str, Any]) -> None:
    """Rules that involve more than one parameter."""
    for iso3 in PARTNERS:
        active = [layer for layer in LAYERS if values[f"policy.{iso3}.{layer}"]]
        if active and sum(values[f"policy.{iso3}.allocation.{layer}"] for layer in active) <= 0:
            raise ParameterError(
                f"policy.{iso3}.allocation is zero for every active layer ({', '.join(active)}); "
                "give one a positive weight"
            )
    if values["capacity.initial_min"] > values["capacity.initial_max"]:
        raise ParameterError("capacity.initial_min must not exceed capacity.initial_max")
    if sum(values[f"capacity.focus.{d}"] for d in DOMAINS) <= 0:
        raise ParameterError("capacity.focus is zero for every domain; give one a positive weight")
    if sum(values[k] for k in values if k.startswith("metrics.weight.")) <= 0:
        raise ParameterError("metrics.weight is zero for every component; give one a positive weight")


def make_params(overrides: Mapping[str, Any] | None = None) -> Params:
    """Defaults with ``overrides`` applied and checked. Raises ParameterError with a one-line message."""
    values = {name: spec.default for name, spec in SPECS.items()}
    values["shocks"] = ()
    for name, value in (overrides or {}).items():
        if name not in SPECS:
            raise ParameterError(f"unknown parameter {name!r}{suggest(name)}")
        values[name] = _check_value(name, SPECS[name], value)
    _check_combinations(values)
    return Params(values)
