"""Every model parameter: one line each, with its default, unit, allowed range and source.

Names are dotted (``policy.JPN.budget``, ``china.shipdays``). A step is one calendar month; money is
in US dollars (``USD``); presence at sea in ship-days or vessels. A source names a document or a data
file in ``sim/model/data`` (see ``sim/model/data/SOURCES.md``), says "calibrated" (the posterior median of a
committed calibration against the patterns of ``shared/data/validation``, with its 90% interval, the
command and the result folder: ``sim/model/data/calibrated.csv``), or says "assumption".
Partner policies are ``policy.<ISO3>.<field>``; ``mode`` chooses a fixed or an adaptive plan.

Use :func:`make_params` to build a validated, frozen :class:`Params` from overrides; it refuses
unknown names (suggesting the closest valid one), wrong types and out-of-range values, with one line
naming the parameter.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Shock:
    """A scheduled event: at outlook month ``step`` (1 = ``run.start``), ``state`` (a partner) does
    ``kind`` (e.g. "withdraw"). Given by ``date`` (YYYY-MM) instead, its step is computed from
    ``run.start``; the date is kept."""

    step: int
    kind: str
    state: str
    date: str | None = None


class InputError(ValueError):
    """Input that cannot be used (a parameter, an experiment or config file, a results folder), found
    before anything is written. The message is one line naming the problem; the command line prints it
    and exits with status 2. Every error of that kind in the package derives from this one."""


class ParameterError(InputError):
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


PARTNERS: tuple[str, ...] = ("JPN", "USA", "AUS", "IND")
LAYERS: tuple[str, ...] = ("quad", "bilateral", "forums", "capacity")
MODES: tuple[str, ...] = ("fixed", "adaptive")
A = ASSUMPTION = "assumption"
SHOCK_KINDS: tuple[str, ...] = ("withdraw",)
#: the first month of the history periods (sim/model/history.py)
HISTORY_START = "2007-01"

#: partners' yearly budgets for maritime-security cooperation in Southeast Asia, USD
BUDGETS = {
    "JPN": (
        134e6,
        "OSA FY2025 JPY 8.1 bn (USD 54 m at JPY 150) plus JICA patrol-vessel loans, JPY 136 bn over "
        "2013-2024 (USD 80 m a year at JPY 143); sim/model/data/japan_programs.csv",
    ),
    "USA": (
        85e6,
        "Southeast Asia Maritime Security Initiative, USD 425 m over FY2016-2020 "
        "(shared/data/validation/cooperation_by_year.csv)",
    ),
    "AUS": (
        10.6e6,
        "Southeast Asia Maritime Partnerships, AUD 64 m over four years from 2024 "
        "(shared/data/validation/cooperation_by_year.csv), at USD 0.66 (the rate: assumption)",
    ),
    "IND": (20e6, A),
}
#: the ReCAAP sea areas' opportunity for robbery, relative to the Straits (``sea.traffic.<CODE>``):
#: assumptions, the Straits are the unit
TRAFFIC = {"SOMS": 1.0, "IDN": 0.5, "SCS": 0.9, "SULU_CELEBES": 0.15, "PHL": 0.3, "VNM": 0.3, "MYS": 0.3, "THA": 0.2}
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
    specs[f"policy.{iso3}.budget"] = Spec(budget, "USD/year", source, f"{iso3}'s yearly budget", 0.0, 2e9)
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


SPECS: dict[str, Spec] = {
    **{k: v for iso3 in PARTNERS for k, v in _policy(iso3).items()},
    # --- instruments: cost per unit, lead time, lifetime, visibility --------------------------------
    "instrument.capacity.cost": Spec(
        19e6,
        "USD/vessel",
        "JICA MSCIP phase I: JPY 18.7 bn for ten 44-m vessels, at JPY 100/USD (sim/model/data/japan_programs.csv)",
        "one patrol vessel",
        1e6,
        1e9,
    ),
    "instrument.capacity.lead": Spec(
        30,
        "months",
        "JICA MSCIP phase I: signed 2013, delivered 2016-2018 (sim/model/data/japan_programs.csv)",
        "order to delivery",
        0,
        120,
    ),
    "instrument.capacity.lifetime": Spec(240, "months", A, "service life of a delivered vessel", 1, 600),
    "instrument.quad.cost": Spec(4e6, "USD/member-year", A, "maritime domain awareness for one member", 5e5, 1e9),
    "instrument.quad.lead": Spec(6, "months", A, "from offer to data flowing", 0, 120),
    "instrument.quad.lifetime": Spec(12, "months", A, "how long one award of MDA lasts", 1, 600),
    "instrument.bilateral.cost": Spec(3e6, "USD/exercise", A, "one bilateral exercise or patrol", 5e5, 1e9),
    "instrument.bilateral.lead": Spec(3, "months", A, "from offer to exercise", 0, 120),
    "instrument.bilateral.lifetime": Spec(6, "months", A, "months an exercise deters at the member's features", 1, 600),
    "instrument.forums.cost": Spec(1e6, "USD/initiative", A, "one forum initiative (dialogue, hotline, CBM)", 5e5, 1e9),
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
    "partner.fleet_scale": Spec(
        10.0, "vessels", A, "targeting: need is threat per (this + a member's vessels)", 1.0, 1000.0
    ),
    "partner.max_pace": Spec(
        3.0, "x planned monthly pace", A, "most a partner offers in a month, relative to its plan / 12", 1.0, 12.0
    ),
    "partner.learning_rate": Spec(
        5.0,
        "1/score",
        A,
        "adaptive mode: how far a yearly change in the partner's score (robberies, coercion of the members it "
        "supports, alignment) moves its allocation toward the layers it spent most on",
        0.0,
        50.0,
    ),
    "partner.burden_cap": Spec(0.5, "share", A, "adaptive mode: most a partner adds to cover a withdrawal", 0.0, 5.0),
    # --- members -----------------------------------------------------------------------------------
    "member.sovereignty": Spec(1.2, "utility", A, "cost of visible foreign presence when accepting", 0.0, 10.0),
    "member.retaliation": Spec(6.0, "utility", A, "weight of expected Chinese retaliation", 0.0, 50.0),
    "member.affinity": Spec(1.0, "utility", A, "weight of alignment toward the offerer", 0.0, 10.0),
    "member.need": Spec(2.0, "utility", A, "weight of the security gain an offer brings", 0.0, 20.0),
    "member.noise": Spec(
        0.5, "utility", A, "scale of the logistic noise in accepting and choosing a channel", 0.01, 10.0
    ),
    "member.urgency": Spec(
        1.0,
        "1/year",
        A,
        "cost of waiting for help, per year of delay, as a share of the help's security gain",
        0.0,
        20.0,
    ),
    "member.tolerance": Spec(
        2.0, "incidents/month", A, "threat in an area above which a member coordinates", 0.0, 100.0
    ),
    "member.joint_sovereignty": Spec(
        1.0,
        "1/vessel ratio",
        A,
        "how much the threat a member bears before joining joint patrols rises per foreign vessel that "
        "would enter its waters, relative to its own",
        0.0,
        20.0,
    ),
    "member.trust_needed": Spec(
        0.3, "share", A, "trust in a neighbour needed to join or bargain over joint patrols", 0.0, 1.0
    ),
    "member.partner_support": Spec(
        0.5,
        "share",
        A,
        "share of the sovereignty cost of joint patrols that partners' support (shared maritime domain "
        "awareness in the area) takes away",
        0.0,
        1.0,
    ),
    "member.alignment_rate": Spec(0.02, "1/month", A, "how fast alignment follows help and coercion", 0.0, 1.0),
    "member.hedging": Spec(0.03, "1/month", A, "pull of alignment back toward zero", 0.0, 1.0),
    "member.asean_pull": Spec(
        0.02, "1/month", A, "pull toward the ASEAN mean, times ASEAN's record of agreeing", 0.0, 1.0
    ),
    "member.grievance": Spec(1.0, "utility", A, "weight of being coerced in voting for a statement", 0.0, 10.0),
    "member.block_norm": Spec(
        0.5, "utility", A, "what openly blocking a statement costs a member that is not the chair", 0.0, 10.0
    ),
    "member.initial_tie_weight": Spec(0.1, "alignment/tie", A, "starting alignment per documented tie", 0.0, 1.0),
    "member.affinity_per_tie": Spec(
        0.2, "affinity/tie", A, "starting closeness to a partner per documented tie", 0.0, 1.0
    ),
    "member.signal": Spec(
        0.5,
        "utility/log signal",
        A,
        "push toward the partners per log(1 + signals): bilateral exercises running with the member, and "
        "shared maritime domain awareness",
        0.0,
        20.0,
    ),
    "member.coercion_push": Spec(
        2.0, "utility/log incident", A, "push toward the partners from being coerced", 0.0, 20.0
    ),
    "member.feature_threat": Spec(2.0, "weight", A, "a claimed feature's incidents count this many times", 0.0, 10.0),
    "member.fleet_scale": Spec(30.0, "vessels", A, "fleet at which an offer's security gain is halved", 1.0, 1000.0),
    "member.patrol_floor": Spec(0.5, "incidents/month", A, "threat added to every place a member patrols", 0.0, 10.0),
    "member.memory": Spec(
        12.0, "months", A, "how long memories of coercion, rewards and penalties last (1/e)", 1.0, 120.0
    ),
    "member.threat_memory": Spec(
        0.2, "1/month", A, "weight of this month in perceived threat (moving mean)", 0.01, 1.0
    ),
    "member.trust_start": Spec(0.2, "share", A, "trust in a neighbour before any joint patrol", 0.0, 1.0),
    "member.trust_proposal": Spec(
        0.05,
        "share/month",
        A,
        "share of the gap to full trust a neighbour's proposal of joint patrols closes",
        0.0,
        1.0,
    ),
    "member.trust_gain": Spec(0.1, "share/month", A, "share of the gap to full trust a joint patrol closes", 0.0, 1.0),
    "member.trust_decay": Spec(
        0.02, "1/month", A, "pull of trust back toward its start without joint patrols", 0.0, 1.0
    ),
    # --- China -------------------------------------------------------------------------------------
    "china.shipdays": Spec(
        180.0,
        "ship-days/month",
        "assumption: CSIS AMTI counted 1,703 China Coast Guard ship-days at the five features it tracks in "
        "2022, 142 a month (sim/model/data/scs_indicators.csv); 180 deployable leaves room for Natuna and for "
        "China's restraint",
        "China Coast Guard and militia presence it can send to the features with its 2022 fleet (scaled "
        "each month by the fleet of sim/model/data/china_fleet.csv)",
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
    "china.exercise_vessels": Spec(
        2.0, "vessels", A, "partner vessels at a claimant's features while a bilateral exercise lasts", 0.0, 50.0
    ),
    "china.provocation_scale": Spec(
        1e7, "USD", A, "visible cooperation that counts as one unit of challenge", 1e5, 1e9
    ),
    "china.instant_penalty": Spec(
        0.05, "alignment/unit", A, "challenge China punishes at once, as if alignment had shifted", 0.0, 1.0
    ),
    "china.shift_threshold": Spec(0.01, "alignment", A, "yearly alignment shift China ignores", 0.0, 1.0),
    "china.punishment_prior": Spec(
        0.1, "share of exports/unit", A, "punishment members expect before they have seen any", 0.0, 10.0
    ),
    "china.punishment_learning": Spec(0.1, "1/month", A, "how fast members learn China's punishment", 0.0, 1.0),
    # --- escalation --------------------------------------------------------------------------------
    "china.challenge_base": Spec(
        0.0,
        "utility",
        A,
        "value to China of challenging a claimant's activity it sees at a feature, before its other reasons "
        "(0: even odds; to be fitted to CSIS AMTI's coercion counts by claimant and year, not set by hand)",
        -20.0,
        20.0,
    ),
    "china.sighting_days": Spec(
        30.0,
        "ship-days/month",
        A,
        "China sees a claimant's activity at a feature with chance 1 - exp(-its ship-days there / this)",
        0.1,
        10_000.0,
    ),
    "member.activity_rate": Spec(
        0.1,
        "activities/vessel/month",
        A,
        "activities China could challenge (resupply, patrol, survey, escorting fishermen) a claimant's "
        "patrol vessel at a feature carries out a month",
        0.0,
        100.0,
    ),
    "escalation.climb": Spec(0.25, "probability", A, "chance an incident climbs one rung, before damping", 0.0, 1.0),
    "escalation.forum_damping": Spec(0.6, "share", A, "most that forum power cuts the chance of climbing", 0.0, 1.0),
    "escalation.tension": Spec(
        0.5, "share/escalation", A, "rise in the chance of climbing per recent escalation (up to 2)", 0.0, 5.0
    ),
    # --- ASEAN -------------------------------------------------------------------------------------
    "asean.statement_threshold": Spec(2, "incidents/month", A, "coercion incidents that prompt a statement", 1, 1000),
    "asean.softest_draft": Spec(
        0.25,
        "share",
        A,
        "weakest statement a chair will table, relative to the full text (it softens a draft down to this to "
        "win consensus)",
        0.0,
        1.0,
    ),
    "asean.memory": Spec(0.1, "1/month", A, "how fast ASEAN's record of agreeing updates", 0.0, 1.0),
    "asean.forum_half": Spec(10.0, "initiatives", A, "forum initiatives that give half of full forum power", 0.1, 1e4),
    "asean.initial_success": Spec(0.5, "share", A, "ASEAN's record of agreeing at the start of the spin-up", 0.0, 1.0),
    "asean.condemnation_decay": Spec(0.5, "1/month", A, "share of a statement's weight lost each month", 0.0, 1.0),
    "asean.include_timor_leste": Spec(
        True, "switch", "Timor-Leste joined on 2025-10-26 (sim/model/data/states.csv)", "ASEAN-11"
    ),
    # --- the sea areas' opportunity for robbery (sim/model/agents/criminals.py) --------------------
    **{
        f"sea.traffic.{code}": Spec(
            value,
            "traffic",
            A,
            f"opportunity for robbery in {code}: ships exposed, relative to the Straits (the unit); no sourced "
            "per-area series exists; a parameter so that a calibration can fit it to ReCAAP's composition by area",
            0.01,
            10.0,
        )
        for code, value in TRAFFIC.items()
    },
    # --- criminal syndicates (sim/model/agents/criminals.py) ---------------------------------------
    "crime.attempt_rate": Spec(
        0.3, "attempts/member/month", A, "robbery attempts a syndicate member makes, at traffic 1", 0.0, 10.0
    ),
    "crime.recruit": Spec(1.0, "members/robbery", A, "members a syndicate recruits per successful robbery", 0.0, 20.0),
    "crime.capacity": Spec(
        40.0, "members/traffic", A, "syndicate members an area's opportunities support, per unit of traffic", 1.0, 1e4
    ),
    "crime.attrition": Spec(0.02, "1/month", A, "share of a syndicate's members who drift away a month", 0.0, 1.0),
    "crime.arrest": Spec(
        0.1, "1/month", A, "arrest chance a month of a syndicate member, at certain detection and prosecution", 0.0, 1.0
    ),
    "crime.breakup": Spec(
        4.0,
        "1/month",
        A,
        "chance a month a visible syndicate is broken up, at certain detection and prosecution",
        0.0,
        10.0,
    ),
    "crime.rollup": Spec(
        0.5,
        "share",
        A,
        "chance that breaking up one group of a network rolls up each other group, at certain prosecution",
        0.0,
        1.0,
    ),
    "crime.split_size": Spec(12, "members", A, "a syndicate larger than this splits in two", 2, 1000),
    "crime.displacement": Spec(
        2.0, "1/detection", A, "chance of moving to a safer neighbouring area per unit of lower detection", 0.0, 100.0
    ),
    "crime.emergence": Spec(
        0.1, "groups/month/traffic", A, "new syndicates a month per unit of undetected traffic", 0.0, 10.0
    ),
    "crime.new_size": Spec(3, "members", A, "members of a new syndicate", 1, 100),
    "crime.detection": Spec(
        0.001, "1/vessel", A, "detection of an attempt: 1 - exp(-this x effective vessels)", 0.0, 1.0
    ),
    "crime.coordination": Spec(0.5, "share", A, "extra effective vessels when an area's patrols are joint", 0.0, 5.0),
    "crime.awareness": Spec(0.3, "share", A, "extra effective vessels with shared maritime domain awareness", 0.0, 5.0),
    "member.prosecution": Spec(
        0.5, "share", A, "share of arrested robbers a member convicts (the rest return to their group)", 0.0, 1.0
    ),
    # --- the kidnap-for-ransom group (sim/model/agents/criminals.py) -------------------------------
    "kidnap.fighters": Spec(
        20, "fighters", A, "fighters the kidnap-for-ransom group's base can keep (it starts with them)", 0, 1000
    ),
    "kidnap.raid_rate": Spec(0.015, "raids/fighter/month", A, "raids a fighter makes when nothing deters", 0.0, 10.0),
    "kidnap.deterrence": Spec(
        4.0, "exponent", A, "how steeply the chance of detection deters raids: rate x (1 - detection)^this", 0.0, 50.0
    ),
    "kidnap.crew": Spec(
        4.35,
        "crew/abduction",
        "ReCAAP ISC: 87 crew abducted in 20 abduction incidents in the Sulu-Celebes Seas, 2016-2020 "
        "(sim/model/data/observed_abductions.csv)",
        "crew taken in a successful abduction, on average",
        1.0,
        50.0,
    ),
    "kidnap.recruit_cost": Spec(
        30.0,
        "fighter-months/recruit",
        A,
        "what a recruit (arms, boats, a payment to join) costs from the funds above the reserve; one ransom",
        1.0,
        1000.0,
    ),
    "kidnap.exposure": Spec(3.0, "multiple", A, "arrest risk of a fighter relative to a robber", 0.0, 100.0),
    "kidnap.attrition": Spec(0.01, "1/month", A, "share of fighters lost a month to other causes", 0.0, 1.0),
    "kidnap.land_yield": Spec(
        0.14,
        "hostages/fighter/month",
        A,
        "hostages a fighter takes ashore a month unopposed (set to what raiding at sea yields undeterred)",
        0.0,
        10.0,
    ),
    "kidnap.campaign_loss": Spec(
        0.03,
        "1/month",
        A,
        "share of fighters a campaign at full strength takes a month from the group's bases",
        0.0,
        1.0,
    ),
    "kidnap.land_pressure": Spec(
        0.8,
        "share",
        "assumption: the level the 2018 campaign reached (sim/model/data/history_events.csv) carries on",
        "the state's pressure on the group ashore where no dated event sets it (the outlook, history-free)",
        0.0,
        1.0,
    ),
    "kidnap.ransom": Spec(30.0, "fighter-months/hostage", A, "upkeep a hostage's ransom pays", 0.0, 1000.0),
    "kidnap.reserve": Spec(
        6.0, "months", A, "months of upkeep the group keeps in hand; short of it, it weighs risk less", 1.0, 120.0
    ),
    # --- the history period (sim/model/history.py, sim/model/data/history_events.csv) --------------
    "history.crackdown_months": Spec(
        24, "months", A, "how long a documented crackdown keeps its focus and prosecution", 1, 240
    ),
    "history.crackdown_focus": Spec(
        4.0, "multiple", A, "weight a member gives an area during a crackdown there, times the threat's", 1.0, 100.0
    ),
    "history.crackdown_raid": Spec(
        0.2,
        "1/month",
        A,
        "chance a month that a crackdown's raids find a visible group's base, at certain prosecution",
        0.0,
        1.0,
    ),
    "history.crackdown_intel": Spec(
        6.0,
        "months",
        "assumption read off ReCAAP ISC's portal incidents in SOMS by month "
        "(shared/data/validation/recaap_portal_incidents_2012_2024.csv): 5-21 incidents a month from "
        "the Indonesian Navy's quick-response teams' start (about 2015-03) to 2015-09, then 7, 1 and 0 "
        "in 2015-10 to 2015-12: the raids took six to eight months to bite",
        "months a crackdown takes to build its picture of the groups (1/e of the way to a full one)",
        0.1,
        120.0,
    ),
    "history.crackdown_prosecution": Spec(
        0.9, "share", A, "share of arrested robbers convicted during a crackdown", 0.0, 1.0
    ),
    "history.challenge": Spec(
        1.0,
        "challenge",
        A,
        "China's reading of a claimant's challenge from an access agreement or arbitration",
        0.0,
        20.0,
    ),
    "history.leader_pull": Spec(
        1.0, "utility", A, "push on alignment from a leader's stated orientation (-1 China, +1 partners)", 0.0, 10.0
    ),
    # --- knockouts: each switches one decision to a passive rule (experiments/knockouts.toml) --------
    "knockout.members_accept_all": Spec(False, "switch", "scenario", "members accept every offer"),
    "knockout.china_ignores_cooperation": Spec(
        False, "switch", "scenario", "China's deployment ignores claimants' cooperation with the partners"
    ),
    "knockout.china_ignores_alignment": Spec(
        False, "switch", "scenario", "China gives no economic rewards or penalties for alignment"
    ),
    "knockout.partners_never_adapt": Spec(False, "switch", "scenario", "adaptive partners keep their first plan"),
    "knockout.alignment_ignores_instruments": Spec(
        False, "switch", "scenario", "exercises, MDA, delivered vessels and forums move no member's alignment"
    ),
    "knockout.chair_tables_full_text": Spec(
        False, "switch", "scenario", "the ASEAN chair never softens a draft statement"
    ),
    "knockout.members_never_bargain": Spec(
        False, "switch", "scenario", "joint patrols form only when every littoral state is ready on its own terms"
    ),
    "knockout.asean_even_split": Spec(
        False, "switch", "scenario", "ASEAN's mechanism gives routed offers to members in turn, whatever their need"
    ),
    "knockout.kidnappers_ignore_situation": Spec(
        False, "switch", "scenario", "the kidnap group raids at sea every month, whatever its funds or pressure ashore"
    ),
    "knockout.members_take_offered_channel": Spec(
        False, "switch", "scenario", "members take help in the channel it is offered in, never choosing ASEAN's"
    ),
    # --- run and metrics ---------------------------------------------------------------------------
    "run.start": Spec("2025-01", "YYYY-MM", "scenario", "first month of the outlook"),
    "run.period": Spec(
        "outlook",
        "choice",
        "scenario",
        "outlook: from run.start; history: 2007-01 to 2024-12 with the documented events; history-free: the "
        "same months with none",
        choices=("outlook", "history", "history-free"),
    ),
    "run.spinup": Spec(
        480,
        "months",
        A,
        "months simulated, under the same policy, before the outlook starts (not written): the fleets need a "
        "delivered vessel's lifetime, lead time and routing delay (240 + 30 + 6) to settle, and robbery, which "
        "falls below its long-run level while they grow, about 150 more to recover (docs/ODD.md 5.3)",
        0,
        1200,
    ),
    "metrics.incident_scale": Spec(
        8.2,
        "incidents/month",
        "ReCAAP ISC: 97.9 incidents a year in the SE Asian areas, 2013-2024 (sim/model/data/observed_incidents.csv)",
        "stability index: robberies a month at which the security part is 1/e",
        0.1,
        1000.0,
    ),
    "metrics.coercion_scale": Spec(
        4.0, "incidents/month", A, "stability index: coercion + 2 x escalations at which that part is 1/e", 0.1, 100.0
    ),
    "metrics.weight.security": Spec(0.4, "weight", A, "stability index: robbery component", 0.0, 1.0),
    "metrics.weight.coercion": Spec(0.3, "weight", A, "stability index: coercion component", 0.0, 1.0),
    "metrics.weight.cohesion": Spec(0.3, "weight", A, "stability index: ASEAN cohesion component", 0.0, 1.0),
    "metrics.warmup": Spec(
        0, "months", A, "outlook months left out of per-run means (the spin-up already runs in)", 0, 10_000
    ),
    "metrics.recovery_window": Spec(
        6, "months", A, "window of the moving means that measure a shock's drop and recovery", 1, 120
    ),
    "shocks": Spec(
        [], "list", "scenario", 'events, e.g. [{step = 60, kind = "withdraw", state = "USA"}] or date = "2030-01"'
    ),
}


def apply_calibration(specs: dict[str, Spec], text: str) -> None:
    """Give every parameter listed in ``text`` (``sim/model/data/calibrated.csv``, written by
    ``tools/adopt_calibration.py`` from a committed calibration) its posterior median as the default
    and the posterior's 90% interval, the command, the result folder and the commit of the model it
    was fitted to (when the file has it) as its source."""
    import csv

    for row in csv.DictReader(text.splitlines()):
        spec = specs[row["parameter"]]
        value = float(f"{float(row['median']):.3g}")
        source = (
            f"calibrated: posterior median {value:g}, 90% interval [{float(row['q05']):.3g}, "
            f"{float(row['q95']):.3g}], by `{row['command']}` ({row['folder']}"
            + (f", fitted to the model of commit {row['commit']}" if row.get("commit") else "")
            + "); sim/model/data/calibrated.csv"
        )
        specs[row["parameter"]] = replace(spec, default=spec.kind(round(value) if spec.kind is int else value),
                                          source=source)  # fmt: skip


def _shipped_calibration() -> str:
    from importlib import resources

    return resources.files("sim.model.data").joinpath("calibrated.csv").read_text(encoding="utf-8")


apply_calibration(SPECS, _shipped_calibration())


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
        """All values as a plain, JSON-friendly dict (shocks as a list of dicts, as given)."""
        return {k: ([_shock_dict(s) for s in v] if k == "shocks" else v) for k, v in self.items()}


def _shock_dict(shock: Shock) -> dict[str, Any]:
    """A shock as it is written in a file: with its date when it was given one, else its step."""
    out = asdict(shock)
    out.pop("step" if shock.date is not None else "date")
    return out


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
        unknown = set(shock) - {"step", "date", "kind", "state"}
        if unknown:
            key = sorted(unknown)[0]
            raise ParameterError(f"{where} has unknown key {key!r}{suggest(key, ['step', 'date', 'kind', 'state'])}")
        if ("step" in shock) == ("date" in shock):
            raise ParameterError(f"{where} needs either 'step' or 'date' (YYYY-MM), not both or neither")
        missing = {"kind", "state"} - set(shock)
        if missing:
            raise ParameterError(f"{where} is missing key '{sorted(missing)[0]}'")
        step, date, kind, state = shock.get("step", 0), shock.get("date"), shock["kind"], shock["state"]
        if date is None and (isinstance(step, bool) or not isinstance(step, int) or step < 1):
            raise ParameterError(f"{where}.step must be a whole number of months >= 1, got {step!r}")
        if date is not None:
            month_number(date, f"{where}.date")
        if kind not in SHOCK_KINDS:
            raise ParameterError(f"{where}.kind must be one of {', '.join(map(repr, SHOCK_KINDS))}, got {kind!r}")
        if state not in PARTNERS:
            raise ParameterError(f"{where}.state must be a partner, one of {', '.join(PARTNERS)}, got {state!r}")
        out.append(Shock(step=step, kind=kind, state=state, date=date))
    return tuple(out)


def _check_combinations(values: dict[str, Any]) -> None:
    """Rules that involve more than one parameter; dated shocks get their step from ``run.start``."""
    for iso3 in PARTNERS:
        active = [layer for layer in LAYERS if values[f"policy.{iso3}.{layer}"]]
        if active and sum(values[f"policy.{iso3}.allocation.{layer}"] for layer in active) <= 0:
            raise ParameterError(
                f"policy.{iso3}.allocation is zero for every active layer ({', '.join(active)}); "
                "give one a positive weight"
            )
    if sum(values[k] for k in values if k.startswith("metrics.weight.")) <= 0:
        raise ParameterError("metrics.weight is zero for every component; give one a positive weight")
    if values["run.period"] != "outlook":
        if values["run.start"] not in (SPECS["run.start"].default, HISTORY_START):
            raise ParameterError(
                f"run.start cannot be {values['run.start']!r} with run.period {values['run.period']!r}, "
                f"which starts in {HISTORY_START}"
            )
        values["run.start"] = HISTORY_START
    start = month_number(values["run.start"], "run.start")
    shocks = []
    for k, shock in enumerate(values["shocks"]):
        if shock.date is not None:
            step = month_number(shock.date, f"shocks[{k}].date") - start + 1
            if step < 1:
                raise ParameterError(f"shocks[{k}].date {shock.date} is before run.start {values['run.start']}")
            shock = Shock(step=step, kind=shock.kind, state=shock.state, date=shock.date)
        shocks.append(shock)
    values["shocks"] = tuple(shocks)


def month_number(text: Any, name: str = "month") -> int:
    """Months since year 0 of a ``YYYY-MM`` text; ParameterError naming ``name`` otherwise."""
    year, _, month = str(text).partition("-")
    if not (isinstance(text, str) and len(year) == 4 and year.isdigit() and month.isdigit() and 1 <= int(month) <= 12):
        raise ParameterError(f"parameter {name!r} must be a month like '2025-01', got {text!r}")
    return int(year) * 12 + int(month) - 1


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
