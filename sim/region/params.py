"""Every parameter of the version 2 model: one line each, with its default, unit, range and source.

A step is one month. Money is in US dollars (``USD``); presence at sea in ship-days or vessels. A
source names a document or data file, says "calibrated" (issue 10 will do that), or says
"assumption". Partner policies keep version 1's names (``policy.<ISO3>.<field>``) and add ``mode``.

Build a frozen, checked set with :func:`make_region_params`; it refuses unknown names (suggesting the
closest), wrong types and values out of range, with one line naming the parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.params import ParameterError, Params, Spec, _check_value, suggest

PARTNERS: tuple[str, ...] = ("JPN", "USA", "AUS", "IND")
LAYERS: tuple[str, ...] = ("quad", "bilateral", "forums", "capacity")
MODES: tuple[str, ...] = ("fixed", "adaptive")
A = "assumption"

#: partners' yearly budgets for maritime-security cooperation in Southeast Asia, USD
BUDGETS = {
    "JPN": (
        134e6,
        "OSA FY2025 JPY 8.1 bn (USD 54 m at JPY 150) plus JICA patrol-vessel loans, JPY 136 bn over "
        "2013-2024 (USD 80 m a year at JPY 143); sim/data/japan_programs.csv",
    ),
    "USA": (85e6, "Maritime Security Initiative, USD 425 m over five years (DESIGN section 4)"),
    "AUS": (10.6e6, "AUD 64 m package of 2024 (USD 42 m at 0.66) spread over four years (the spread: assumption)"),
    "IND": (20e6, A),
}
#: default allocation weights per partner and layer (quad, bilateral, forums, capacity): assumption
ALLOCATION = {
    "JPN": (0.15, 0.15, 0.15, 0.55),
    "USA": (0.25, 0.45, 0.10, 0.20),
    "AUS": (0.25, 0.25, 0.25, 0.25),
    "IND": (0.40, 0.30, 0.20, 0.10),
}


def _policy(iso3: str) -> dict[str, Spec]:
    budget, source = BUDGETS[iso3]
    specs = {
        f"policy.{iso3}.{layer}": Spec(True, "switch", "scenario", f"{iso3} acts in the {layer} layer")
        for layer in LAYERS
    }
    specs[f"policy.{iso3}.budget"] = Spec(budget, "USD/year", source, f"{iso3}'s yearly budget", 0.0, 1e10)
    for layer, weight in zip(LAYERS, ALLOCATION[iso3], strict=True):
        specs[f"policy.{iso3}.allocation.{layer}"] = Spec(
            weight, "weight", A, f"share of {iso3}'s budget planned for {layer}", 0.0, 1.0
        )
    specs[f"policy.{iso3}.asean_coordination"] = Spec(
        0.3, "share", A, f"share of {iso3}'s offers routed through ASEAN-led mechanisms", 0.0, 1.0
    )
    specs[f"policy.{iso3}.mode"] = Spec(
        "fixed", "choice", "scenario", "fixed: plan by the allocation; adaptive: learn it", choices=MODES
    )
    return specs


REGION_SPECS: dict[str, Spec] = {
    **{k: v for iso3 in PARTNERS for k, v in _policy(iso3).items()},
    # --- instruments: cost per unit, lead time, lifetime, visibility --------------------------------
    "instrument.capacity.cost": Spec(
        19e6,
        "USD/vessel",
        "JICA MSCIP phase I: JPY 18.7 bn for ten 44-m vessels, at JPY 100/USD (sim/data/japan_programs.csv)",
        "one patrol vessel",
        1.0,
        1e9,
    ),
    "instrument.capacity.lead": Spec(
        30, "months", "JICA MSCIP phase I: signed 2013, delivered 2016-2018", "order to delivery", 0, 120
    ),
    "instrument.capacity.lifetime": Spec(240, "months", A, "service life of a delivered vessel", 1, 600),
    "instrument.quad.cost": Spec(4e6, "USD/member-year", A, "maritime domain awareness for one member", 1.0, 1e9),
    "instrument.quad.lead": Spec(6, "months", A, "from offer to data flowing", 0, 120),
    "instrument.quad.lifetime": Spec(12, "months", A, "how long one award of MDA lasts", 1, 600),
    "instrument.bilateral.cost": Spec(3e6, "USD/exercise", A, "one bilateral exercise or patrol", 1.0, 1e9),
    "instrument.bilateral.lead": Spec(3, "months", A, "from offer to exercise", 0, 120),
    "instrument.bilateral.lifetime": Spec(6, "months", A, "months an exercise deters at the member's features", 1, 600),
    "instrument.forums.cost": Spec(1e6, "USD/initiative", A, "one forum initiative (dialogue, hotline, CBM)", 1.0, 1e9),
    "instrument.forums.lead": Spec(6, "months", A, "from offer to the initiative running", 0, 120),
    "instrument.forums.lifetime": Spec(24, "months", A, "months an initiative adds to forum power", 1, 600),
    **{
        f"instrument.{layer}.visibility": Spec(v, "share", A, f"how visible a {layer} action is to China", 0.0, 1.0)
        for layer, v in zip(LAYERS, (0.5, 0.9, 0.1, 0.4), strict=True)
    },
    "routing.delay": Spec(6, "months", A, "extra lead time when an offer goes through ASEAN-led mechanisms", 0, 60),
    # --- partners ----------------------------------------------------------------------------------
    "partner.target.need": Spec(1.0, "exponent", A, "weight of a member's need in the targeting rule", 0.0, 5.0),
    "partner.target.partnership": Spec(
        1.0, "exponent", A, "weight of past ties and alignment in the targeting rule", 0.0, 5.0
    ),
    "partner.target.strategic": Spec(1.0, "exponent", A, "weight of a member's SCS claim in targeting", 0.0, 5.0),
    "partner.learning_rate": Spec(0.5, "1/year", A, "adaptive mode: how fast allocation follows results", 0.0, 5.0),
    "partner.burden_cap": Spec(0.5, "share", A, "adaptive mode: most a partner adds to cover a withdrawal", 0.0, 5.0),
    # --- members -----------------------------------------------------------------------------------
    "member.sovereignty": Spec(1.2, "utility", A, "cost of visible foreign presence when accepting", 0.0, 10.0),
    "member.retaliation": Spec(6.0, "utility", A, "weight of expected Chinese retaliation", 0.0, 50.0),
    "member.affinity": Spec(1.0, "utility", A, "weight of alignment toward the offerer", 0.0, 10.0),
    "member.need": Spec(2.0, "utility", A, "weight of the security gain an offer brings", 0.0, 20.0),
    "member.noise": Spec(0.5, "utility", A, "scale of the logistic noise in accepting", 0.01, 10.0),
    "member.tolerance": Spec(
        0.5, "incidents/month", A, "threat in an area above which a member coordinates", 0.0, 100.0
    ),
    "member.trust_needed": Spec(0.3, "share", A, "trust in a neighbour needed to coordinate", 0.0, 1.0),
    "member.alignment_rate": Spec(0.02, "1/month", A, "how fast alignment follows help and coercion", 0.0, 1.0),
    "member.hedging": Spec(0.03, "1/month", A, "pull of alignment back toward zero", 0.0, 1.0),
    "member.asean_pull": Spec(0.02, "1/month", A, "pull toward the ASEAN mean, times cohesion", 0.0, 1.0),
    "member.grievance": Spec(1.0, "utility", A, "weight of being coerced in voting for a statement", 0.0, 10.0),
    "member.block_norm": Spec(
        0.5, "utility", A, "what openly blocking a statement costs a member that is not the chair", 0.0, 10.0
    ),
    "member.initial_tie_weight": Spec(0.1, "alignment/tie", A, "starting alignment per documented tie", 0.0, 1.0),
    # --- China -------------------------------------------------------------------------------------
    "china.shipdays": Spec(
        180.0,
        "ship-days/month",
        "assumption, consistent with CSIS AMTI's 160-290 presence days a year at each tracked feature "
        "(shared/data/validation/scs_coercion.csv)",
        "China Coast Guard and militia presence it can send to the features",
        0.0,
        10_000.0,
    ),
    "china.leverage": Spec(
        5.0, "utility/share", A, "pull toward China per unit of a member's export dependence on it", 0.0, 50.0
    ),
    "china.claim_value": Spec(1.0, "utility", A, "value of asserting a claim at a feature", 0.0, 10.0),
    "china.deterrence_cost": Spec(0.02, "utility/vessel", A, "cost per claimant or partner vessel present", 0.0, 1.0),
    "china.escalation_cost": Spec(
        0.3, "utility/escalation", A, "cost of each recent escalation at a feature", 0.0, 10.0
    ),
    "china.condemnation_cost": Spec(0.5, "utility", A, "cost of an agreed ASEAN statement", 0.0, 10.0),
    "china.challenge_value": Spec(1.5, "utility", A, "value of answering a claimant's challenge", 0.0, 10.0),
    "china.restraint": Spec(1.0, "utility", A, "value of keeping ship-days at home", 0.0, 10.0),
    "china.alignment_sensitivity": Spec(1.0, "switch-like weight", A, "China responds to alignment shifts", 0.0, 10.0),
    "china.cooperation_sensitivity": Spec(
        1.0, "weight", A, "China responds to visible military cooperation", 0.0, 10.0
    ),
    "china.penalty": Spec(
        0.2, "share of exports/alignment", A, "economic penalty or reward per unit of yearly alignment shift", 0.0, 1.0
    ),
    "china.chair_reward": Spec(
        0.02, "share of exports", A, "reward to a chair leaning toward China, each January", 0.0, 1.0
    ),
    "china.memory": Spec(12, "months", A, "how far back China looks at challenges and escalations", 1, 120),
    # --- escalation --------------------------------------------------------------------------------
    "escalation.encounter_rate": Spec(
        0.0003,
        "incidents/(ship-day x vessel)",
        A,
        "coercion incidents per China ship-day and claimant vessel",
        0.0,
        1.0,
    ),
    "escalation.climb": Spec(0.25, "probability", A, "chance an incident climbs one rung, before damping", 0.0, 1.0),
    "escalation.forum_damping": Spec(0.6, "share", A, "most that forum power cuts the chance of climbing", 0.0, 1.0),
    # --- ASEAN -------------------------------------------------------------------------------------
    "asean.statement_threshold": Spec(2, "incidents/month", A, "coercion incidents that prompt a statement", 1, 1000),
    "asean.memory": Spec(0.1, "1/month", A, "how fast ASEAN's record of agreeing updates", 0.0, 1.0),
    "asean.forum_half": Spec(10.0, "initiatives", A, "forum initiatives that give half of full forum power", 0.1, 1e4),
    "asean.include_timor_leste": Spec(True, "switch", "Timor-Leste joined on 2025-10-26 (states.csv)", "ASEAN-11"),
    # --- interim robbery (issue 9 replaces it with syndicates) --------------------------------------
    "crime.rate": Spec(
        7.5,
        "incidents/month, region",
        "ReCAAP ISC 2018-2024 mean of 7.48 a month (sim/data/recaap_incidents.csv); interim",
        "robbery rate before patrols, over all areas, weighted by traffic",
        0.0,
        1000.0,
    ),
    "crime.detection": Spec(0.01, "1/vessel", A, "robbery deterred per patrol vessel in an area", 0.0, 1.0),
    "crime.coordination": Spec(0.5, "share", A, "extra deterrence when an area's patrols are coordinated", 0.0, 5.0),
    "crime.awareness": Spec(0.3, "share", A, "extra deterrence from shared maritime domain awareness", 0.0, 5.0),
    # --- knockouts: each switches one decision to a passive rule (experiments/knockouts.toml) --------
    "knockout.members_accept_all": Spec(False, "switch", "scenario", "members accept every offer"),
    "knockout.china_ignores_cooperation": Spec(
        False, "switch", "scenario", "China's deployment ignores claimants' cooperation with the partners"
    ),
    "knockout.china_ignores_alignment": Spec(
        False, "switch", "scenario", "China gives no economic rewards or penalties for alignment"
    ),
    "knockout.partners_never_adapt": Spec(False, "switch", "scenario", "adaptive partners keep their first plan"),
    # --- run and metrics ---------------------------------------------------------------------------
    "run.start": Spec("2025-01", "YYYY-MM", "DESIGN section 3 (the outlook)", "first month of the outlook"),
    "run.spinup": Spec(
        60, "months", A, "months simulated, under the same policy, before the outlook starts (not written)", 0, 600
    ),
    "metrics.weight.security": Spec(0.4, "weight", A, "stability index: robbery component", 0.0, 1.0),
    "metrics.weight.coercion": Spec(0.3, "weight", A, "stability index: coercion component", 0.0, 1.0),
    "metrics.weight.cohesion": Spec(0.3, "weight", A, "stability index: ASEAN cohesion component", 0.0, 1.0),
    "shocks": Spec([], "list", "scenario", 'events, e.g. [{step = 60, kind = "withdraw", state = "USA"}]'),
}


class RegionParams(Params):
    """A frozen, checked set of the version 2 parameters (see :class:`sim.params.Params`)."""

    __slots__ = ()

    def __reduce__(self) -> tuple:
        return (RegionParams, (dict(self),))

    def changed(self) -> dict[str, Any]:
        return {k: v for k, v in self.to_dict().items() if v != REGION_SPECS[k].default}


def _check_start(value: str) -> None:
    year, _, month = value.partition("-")
    if not (year.isdigit() and month.isdigit() and len(year) == 4 and 1 <= int(month) <= 12):
        raise ParameterError(f"parameter 'run.start' must be a month like '2025-01', got {value!r}")


def make_region_params(overrides: Mapping[str, Any] | None = None) -> RegionParams:
    """Defaults with ``overrides`` applied and checked; one-line :class:`ParameterError` otherwise."""
    values = {name: spec.default for name, spec in REGION_SPECS.items()}
    values["shocks"] = ()
    for name, value in (overrides or {}).items():
        if name not in REGION_SPECS:
            raise ParameterError(f"unknown parameter {name!r}{suggest(name, REGION_SPECS)}")
        values[name] = _check_value(name, REGION_SPECS[name], value)
        if name == "run.start":
            _check_start(value)
    return RegionParams(values)
