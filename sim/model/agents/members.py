"""ASEAN members: they accept or decline offers, patrol, coordinate, align and vote.

Each decision is one method; its docstring states the rule. The model's schedule
(``sim/model/region.py``) calls them in a fixed order each month.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from sim.model.agents.criminals import Syndicate
    from sim.model.world import World

#: a floor on the threat in a member's need, so that a member with no recorded threat can still be chosen
#: (assumption; small next to typical threats)
NEED_FLOOR = 0.1
#: layers whose instruments need waters to patrol (vessels, maritime domain awareness)
PATROL_LAYERS = ("quad", "capacity")


@dataclass
class Offer:
    """A partner's concrete offer to a member: ``units`` of one layer's instrument, for ``cost`` USD."""

    partner: str
    member: str
    layer: str
    channel: str  # "routed" or "direct"
    units: float
    cost: float


class Member(mesa.Agent):
    """An ASEAN member state.

    Attributes:
        iso3: the state's code.
        vessels: patrol vessels it can send to sea (its own fleet plus delivered partner vessels).
        patrol: vessels it keeps in each of its areas and claimed features this month.
        alignment: in [-1, 1]; negative toward China, positive toward the partners.
        affinity: how close it is to each partner, in [0, 1] (from documented ties, then from help).
        dependence: China's share of its exports (sim/model/data/members.csv).
        trust: trust in each neighbour with which it shares a sea area, in [0, 1].
        coordinating: the areas where it is ready to patrol jointly with its neighbours this month.
        proposing: the areas where it proposes joint patrols this month (threat above tolerance).
        crackdown: month up to which it cracks down on crime in an area (a documented event).
        intel: how complete its picture of the groups in an area is, in [0, 1]: built up month by
            month while it cracks down there (see :meth:`raid`).
        orientation: its leader's stated orientation, -1 toward China to +1 toward the partners.
        awareness_until: month up to which it receives shared maritime domain awareness.
    """

    def __init__(self, model: World, iso3: str, vessels: float, dependence: float, ties: dict[str, int]):
        """Start from the member's data: alignment is ``member.initial_tie_weight`` per documented tie
        with the partners, less ``dependence`` (an assumption to be calibrated)."""
        super().__init__(model)
        self.iso3 = iso3
        self.vessels = float(vessels)
        self.own_vessels = float(vessels)
        self.dependence = dependence
        self.affinity = {p: min(1.0, model.p["member.affinity_per_tie"] * n) for p, n in ties.items()}
        self.alignment = max(-1.0, min(1.0, model.p["member.initial_tie_weight"] * sum(ties.values()) - dependence))
        self.areas = [a.code for a in model.area_records if iso3 in a.littoral and a.kind == "recaap_area"]
        self.claims = [a.code for a in model.area_records if a.kind == "feature" and iso3 in a.claimants]
        self.patrol: dict[str, float] = {}
        self.perceived = 0.0  # incidents a month it perceives (see perceive)
        self.trust: dict[str, float] = {}
        self.coordinating: set[str] = set()
        self.proposing: set[str] = set()
        self.surplus: dict[str, float] = {}  # what joint patrols in each shared area are worth to it
        self.crackdown: dict[str, int] = {}
        self.intel: dict[str, float] = {}
        self.orientation = 0.0
        self.awareness_until = -1
        self.coerced = 0.0  # coercion incidents at its features, decaying
        self.penalised = 0.0  # China's economic penalties, share of its exports, decaying
        self.rewarded = 0.0  # China's economic rewards, share of its exports, decaying
        self.accepted = 0
        self.declined = 0

    # --- decisions ---------------------------------------------------------------------------------

    def consider(self, offer: Offer) -> bool:
        """Accept an offer when its security gain, plus closeness to the offerer, outweighs its exposure:
        the sovereignty cost of visible foreign presence and the Chinese retaliation it expects
        (:meth:`exposure`, lower through ASEAN). The gain grows with the threat the member faces in its
        areas and features and with how few vessels it has (:meth:`security_gain`)."""
        p, model = self.model.p, self.model
        closeness = p["member.affinity"] * (self.affinity.get(offer.partner, 0.0) + self.alignment)
        utility = self.security_gain() + closeness - self.exposure(offer.layer, offer.channel)
        if model.knockout("members_accept_all"):
            return True
        draw = model.streams["consider"].logistic(0.0, p["member.noise"])
        return utility + draw > 0.0

    def choose_channel(self, offer: Offer) -> str:
        """Offered help directly by a partner that also works through ASEAN-led mechanisms, choose how to
        take it: ``"routed"`` (through ASEAN) or ``"direct"``.

        Through ASEAN its exposure is lower (:meth:`exposure`: the presence is under ASEAN's flag, and
        China has been seen to punish routed cooperation less), but the help arrives ``routing.delay``
        months later, which costs ``member.urgency`` x the offer's security gain a year of delay. A
        member under threat with a small fleet wants help fast; one exposed to China wants ASEAN's
        cover. A logistic draw (``channel`` stream) stands for what the rule leaves out. Knockout
        ``members_take_offered_channel``: it takes the help as offered."""
        p, model = self.model.p, self.model
        if model.knockout("members_take_offered_channel"):
            return offer.channel
        cover = self.exposure(offer.layer, "direct") - self.exposure(offer.layer, "routed")
        wait = p["member.urgency"] * self.security_gain() * p["routing.delay"] / 12.0
        draw = model.streams["channel"].logistic(0.0, p["member.noise"])
        return "routed" if cover - wait + draw > 0.0 else "direct"

    def security_gain(self) -> float:
        """What one more unit of help is worth to it: ``member.need`` x log(1 + the threat it perceives),
        less as its own fleet grows (halved at ``member.fleet_scale`` vessels)."""
        p = self.model.p
        scale = p["member.fleet_scale"]
        return p["member.need"] * math.log1p(self.threat()) * scale / (scale + self.vessels)

    def exposure(self, layer: str, channel: str) -> float:
        """What taking one of ``layer``'s instruments through ``channel`` costs it: the sovereignty cost of
        visible foreign presence (through ASEAN it shrinks as ASEAN succeeds at agreeing), plus the
        retaliation it expects: its dependence on China times the punishment China has been seen to
        impose on cooperation of that channel."""
        p, model = self.model.p, self.model
        visibility = p[f"instrument.{layer}.visibility"]
        sovereignty = p["member.sovereignty"] * visibility
        if channel == "routed":
            sovereignty *= 1.0 - model.asean.success
        retaliation = p["member.retaliation"] * self.dependence * visibility * model.china.seen_punishment[channel]
        return sovereignty + retaliation

    def can_use(self, layer: str) -> bool:
        """Whether it can use ``layer``'s instrument: vessels and maritime domain awareness need waters to
        patrol (Laos has none)."""
        return layer not in PATROL_LAYERS or bool(self.areas or self.claims)

    def need(self) -> float:
        """Threat per vessel, as partners and ASEAN's mechanism read it when they target help:
        (a small floor + the threat it perceives) / (``partner.fleet_scale`` + its vessels)."""
        return (NEED_FLOOR + self.threat()) / (self.model.p["partner.fleet_scale"] + self.vessels)

    def patrol_areas(self) -> None:
        """Spread its vessels over its sea areas and claimed features in proportion to the threat it
        perceives in each (robberies and coercion of recent months), plus ``member.patrol_floor`` so
        that no area is left bare (evenly when nothing threatens anywhere). An area where it is
        cracking down weighs ``history.crackdown_focus`` times as much."""
        places = self.areas + self.claims
        if not places or self.vessels <= 0:
            self.patrol = {}
            return
        threat = self.model.threat
        floor = self.model.p["member.patrol_floor"]
        focus = self.model.p["history.crackdown_focus"]
        now = self.model.t
        weights = [(floor + threat[a]) * (focus if self.crackdown.get(a, -1) >= now else 1.0) for a in places]
        total = sum(weights)
        if total <= 0:  # no threat anywhere and no floor: spread evenly
            weights, total = [1.0] * len(places), float(len(places))
        self.patrol = {a: self.vessels * w / total for a, w in zip(places, weights, strict=True)}

    def coordinate(self) -> None:
        """Propose joint patrols in a shared area when the threat there exceeds what it tolerates
        (``member.tolerance``), and say what joint patrols there are worth to it (:meth:`joint_surplus`):
        it is ready to join on its own terms when that is not negative and it trusts every other
        littoral state there enough (``member.trust_needed``). The states then bargain over the patrols
        (``RegionModel.coordinate``)."""
        p, model = self.model.p, self.model
        self.coordinating = set()
        self.proposing = set()
        self.surplus = {}
        for area in self.areas:
            others = [s for s in model.areas[area].littoral if s != self.iso3 and s in model.member_by]
            if not others:
                continue
            if model.threat[area] >= p["member.tolerance"]:
                self.proposing.add(area)
            self.surplus[area] = self.joint_surplus(area, others)
            if self.trusts(others) and self.surplus[area] >= 0.0:
                self.coordinating.add(area)

    def joint_surplus(self, area: str, others: list[str]) -> float:
        """What joint patrols in ``area`` are worth to it, in units of the threat it tolerates: the
        threat there over ``member.tolerance``, minus the sovereignty cost of letting the neighbours'
        vessels into its waters, 1 + ``member.joint_sovereignty`` x their vessels there over its own (a
        small navy beside a large one pays most). Partners' support lowers that cost: where the area has
        shared maritime domain awareness (the partners' MDA, or an information-sharing arrangement), by
        a share ``member.partner_support``."""
        p, model = self.model.p, self.model
        own = self.patrol.get(area, 0.0)
        foreign = sum(model.member_by[s].patrol.get(area, 0.0) for s in others)
        cost = 1.0 + p["member.joint_sovereignty"] * foreign / max(own, 1.0)
        if area in model.info_sharing or self.awareness_until > model.t:
            cost *= 1.0 - p["member.partner_support"]
        return model.threat[area] / p["member.tolerance"] - cost

    def trusts(self, others: list[str]) -> bool:
        """Whether it trusts every state in ``others`` at least ``member.trust_needed``."""
        p = self.model.p
        return all(self.trust.get(s, p["member.trust_start"]) >= p["member.trust_needed"] for s in others)

    def align(self) -> None:
        """Move toward those who stand with it and away from those who coerce it, while drifting back
        toward neutrality (hedging) and toward ASEAN's mean.

        Each instrument moves it through what it does, not through the money it costs: exercises running
        with a partner and shared maritime domain awareness signal alignment (:meth:`signals`, weighed
        by ``member.signal``); delivered vessels give it autonomy, so it hedges less (the hedging pull
        is halved at ``member.fleet_scale`` delivered vessels); forum initiatives build the habit of
        agreeing, which strengthens the pull toward ASEAN's mean with ASEAN's record of agreeing.
        Coercion at its features pushes it toward the partners; its dependence on China
        (``china.leverage``) and China's rewards and penalties pull it toward China; its leader's stated
        orientation pushes it one way or the other. Knockout ``alignment_ignores_instruments``: no
        signal, no autonomy, no habit (the pull toward ASEAN's mean follows its record of agreeing
        alone)."""
        p, model = self.model.p, self.model
        passive = model.knockout("alignment_ignores_instruments")  # cooperation moves no alignment
        toward_partners = 0.0 if passive else p["member.signal"] * math.log1p(self.signals())
        toward_partners += p["member.coercion_push"] * math.log1p(self.coerced)
        toward_partners += p["history.leader_pull"] * self.orientation
        toward_china = p["china.leverage"] * (self.dependence + self.rewarded + self.penalised)
        push = math.tanh(toward_partners - toward_china)
        delivered = 0.0 if passive else max(0.0, self.vessels - self.own_vessels)
        hedging = p["member.hedging"] * p["member.fleet_scale"] / (p["member.fleet_scale"] + delivered)
        habit = model.asean.success if passive else (model.asean.success + model.asean.habit()) / 2.0
        a = self.alignment
        a += p["member.alignment_rate"] * push * (1.0 - abs(a))
        a -= hedging * a
        a += p["member.asean_pull"] * habit * (model.mean_alignment - a)
        self.alignment = max(-1.0, min(1.0, a))

    def signals(self) -> float:
        """The visible signals of alignment with the partners it sends this month: the bilateral
        exercises running with it, plus 1 while it receives the partners' maritime domain awareness."""
        model = self.model
        return model.exercises[self.iso3] + float(self.awareness_until > model.t)

    def stance(self) -> float:
        """Its stance on condemning China's coercion: its alignment, plus its grievance at being coerced
        (``member.grievance`` x log(1 + recent coercion)), minus China's pull (recent rewards)."""
        p = self.model.p
        return self.alignment + p["member.grievance"] * math.log1p(self.coerced) - p["china.leverage"] * self.rewarded

    def vote(self, strength: float = 1.0) -> bool:
        """Support a draft statement on maritime coercion of ``strength`` (1: the full text; a softened
        draft less) unless its stance is against and, scaled by the draft's strength, worth the cost of
        blocking openly: it blocks when stance x strength is below ``-member.block_norm``. The chair
        votes on its own draft by the same rule (a summit that fails costs its host too).
        True: support; False: block."""
        return self.stance() * strength >= -self.model.p["member.block_norm"]

    # --- state -------------------------------------------------------------------------------------

    def prosecution(self, area: str) -> float:
        """The share of arrested robbers it convicts in ``area``: ``member.prosecution``, or
        ``history.crackdown_prosecution`` while it cracks down there."""
        p = self.model.p
        if self.crackdown.get(area, -1) >= self.model.t:
            return max(p["member.prosecution"], p["history.crackdown_prosecution"])
        return p["member.prosecution"]

    def raid(self) -> list[Syndicate]:
        """While it cracks down in an area, raid the bases ashore of the syndicates robbing there (an
        intelligence-led operation, as the 2015 crackdowns in the Straits were). Its picture of the
        groups first grows: each month of the crackdown closes 1 - exp(-1 / ``history.crackdown_intel``)
        of the gap to a full one (informants, suspects' statements, the incidents investigated), so
        raids start slowly. Each group there is then found and broken up with a chance
        ``history.crackdown_raid`` x that picture x its prosecution rate there: a state that knows
        the villages and the fences finds a small crew as readily as a large one. Returns the groups
        it found (``RegionModel.break_up`` ends them)."""
        model = self.model
        now, rng = model.t, model.streams["crime"]
        rate = model.p["history.crackdown_raid"]
        build = 1.0 - math.exp(-1.0 / model.p["history.crackdown_intel"])
        found = []
        for area in sorted(a for a, until in self.crackdown.items() if until >= now):
            intel = self.intel.get(area, 0.0)
            intel = self.intel[area] = intel + build * (1.0 - intel)
            for gang in model.syndicates:
                seen = gang.area == area and gang.size > 0
                if seen and rng.random() < rate * intel * self.prosecution(area):
                    found.append(gang)
        return found

    def perceive(self) -> None:
        """At the start of each month, take stock of the threat: the recent incidents a month in its
        sea areas (robbery) and at its claimed features (coercion, each counting
        ``member.feature_threat`` times). What it decides this month rests on this figure."""
        threat = self.model.threat
        weight = self.model.p["member.feature_threat"]
        self.perceived = sum(map(threat.__getitem__, self.areas)) + weight * sum(map(threat.__getitem__, self.claims))

    def threat(self) -> float:
        """The threat it perceived at the start of the month (see :meth:`perceive`)."""
        return self.perceived

    def fade(self) -> None:
        """Memories of coercion, penalties and rewards fade (1/e in ``member.memory`` months);
        trust in neighbours fades toward its start unless renewed by joint patrols."""
        p = self.model.p
        keep = math.exp(-1.0 / p["member.memory"])
        self.coerced *= keep
        self.penalised *= keep
        self.rewarded *= keep
        for s in self.trust:
            self.trust[s] += p["member.trust_decay"] * (p["member.trust_start"] - self.trust[s])
