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
        self.crackdown: dict[str, int] = {}
        self.intel: dict[str, float] = {}
        self.orientation = 0.0
        self.awareness_until = -1
        self.help_received = 0.0  # USD delivered by partners, decaying
        self.coerced = 0.0  # coercion incidents at its features, decaying
        self.penalised = 0.0  # China's economic penalties, share of its exports, decaying
        self.rewarded = 0.0  # China's economic rewards, share of its exports, decaying
        self.accepted = 0
        self.declined = 0

    # --- decisions ---------------------------------------------------------------------------------

    def consider(self, offer: Offer) -> bool:
        """Accept an offer when its security gain, plus closeness to the offerer, outweighs the
        sovereignty cost of visible foreign presence and the Chinese retaliation it expects.

        The gain grows with the threat the member faces in its areas and features and with how few
        vessels it has. A routed offer's presence is under ASEAN's flag, so its sovereignty cost
        shrinks as ASEAN succeeds at agreeing. Expected retaliation is the member's dependence on China
        times the penalties China has been seen to impose on cooperation of that channel.
        """
        p, model = self.model.p, self.model
        scale = p["member.fleet_scale"]
        gain = p["member.need"] * math.log1p(self.threat()) * scale / (scale + self.vessels)
        visibility = p[f"instrument.{offer.layer}.visibility"]
        sovereignty = p["member.sovereignty"] * visibility
        if offer.channel == "routed":
            sovereignty *= 1.0 - model.asean.success
        retaliation = (
            p["member.retaliation"] * self.dependence * visibility * model.china.seen_punishment[offer.channel]
        )
        closeness = p["member.affinity"] * (self.affinity.get(offer.partner, 0.0) + self.alignment)
        utility = gain + closeness - sovereignty - retaliation
        if model.knockout("members_accept_all"):
            return True
        draw = model.streams["consider"].logistic(0.0, p["member.noise"])
        return utility + draw > 0.0

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
        """Propose joint patrols in a shared area when the threat there exceeds what it tolerates, and
        be ready to join them when it also trusts every other littoral state there enough and the
        threat outweighs the sovereignty cost: joint patrols let the others' vessels into its waters,
        so the threat it will bear before joining is its tolerance times (1 + ``member.joint_sovereignty``
        x the others' vessels there over its own). A small navy beside a large one joins only when the
        threat is severe. Both sides decide; the model joins an area's patrols only when every
        littoral state is ready (see ``RegionModel.coordinate``), and proposals build trust."""
        p, model = self.model.p, self.model
        self.coordinating = set()
        self.proposing = set()
        for area in self.areas:
            others = [s for s in model.areas[area].littoral if s != self.iso3 and s in model.member_by]
            threat = model.threat[area]
            if not others or threat < p["member.tolerance"]:
                continue
            self.proposing.add(area)
            own = self.patrol.get(area, 0.0)
            foreign = sum(model.member_by[s].patrol.get(area, 0.0) for s in others)
            bearable = p["member.tolerance"] * (1.0 + p["member.joint_sovereignty"] * foreign / max(own, 1.0))
            trusted = all(self.trust.get(s, p["member.trust_start"]) >= p["member.trust_needed"] for s in others)
            if trusted and threat >= bearable:
                self.coordinating.add(area)

    def align(self) -> None:
        """Move toward those who help and protect it and away from those who coerce it, while
        drifting back toward neutrality (hedging) and, when ASEAN is cohesive, toward ASEAN's mean.

        Help is the partners' delivered cooperation (USD, relative to the scale of its fleet);
        coercion is the incidents at its features. Its dependence on China (``china.leverage``), and
        China's rewards and penalties, pull it toward China; its leader's stated orientation pushes
        it one way or the other."""
        p, model = self.model.p, self.model
        toward_partners = math.log1p(self.help_received / p["member.help_scale"])
        toward_partners += p["member.coercion_push"] * math.log1p(self.coerced)
        toward_china = p["china.leverage"] * (self.dependence + self.rewarded + self.penalised)
        toward_partners += p["history.leader_pull"] * self.orientation
        push = math.tanh(toward_partners - toward_china)
        a = self.alignment
        a += p["member.alignment_rate"] * push * (1.0 - abs(a))
        a -= p["member.hedging"] * a
        a += p["member.asean_pull"] * model.asean.success * (model.mean_alignment - a)
        self.alignment = max(-1.0, min(1.0, a))

    def vote(self) -> bool:
        """Support an ASEAN statement on maritime coercion when its alignment plus its grievance at
        being coerced outweighs China's pull on it (dependence and recent rewards). A member that
        is not the chair blocks only when the balance is below ``-member.block_norm`` (blocking
        openly costs); the chair, who drafts the text, blocks whenever it is below zero.
        True: support; False: block."""
        p = self.model.p
        grievance = p["member.grievance"] * math.log1p(self.coerced)
        pull = p["china.leverage"] * self.rewarded
        balance = self.alignment + grievance - pull
        norm = 0.0 if self.model.asean.chair == self.iso3 else p["member.block_norm"]
        return balance >= -norm

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
        """Memories of help, coercion, penalties and rewards fade (1/e in ``member.memory`` months);
        trust in neighbours fades toward its start unless renewed by joint patrols."""
        p = self.model.p
        keep = math.exp(-1.0 / p["member.memory"])
        self.help_received *= keep
        self.coerced *= keep
        self.penalised *= keep
        self.rewarded *= keep
        for s in self.trust:
            self.trust[s] += p["member.trust_decay"] * (p["member.trust_start"] - self.trust[s])
