"""``RegionModel`` (version 2): partners, ASEAN members, China and ASEAN exchanging actions at sea.

One step is one calendar month. The schedule, in this order (``SCHEDULE`` below is the only place
it is written):

 1. begin_month       month counters reset; the chair rotates in January; members take stock of
                      the threat; shocks take effect
 2. plan_year         partners split the year's budget across layers (January)
 3. deliveries        accepted offers whose lead time is over arrive (vessels, MDA, exercises, forums)
 4. offers            partners make offers (ASEAN's mechanism allocates those routed to it); members
                      choose the channel where both are open, and accept or decline
 5. patrol            members spread their vessels over their areas and claimed features
 6. coordinate        members propose joint patrols and bargain over them; they form where the
                      states together gain more than they give up
 7. deploy            China spreads its ship-days over the features
 8. crime             syndicates rob, are arrested, grow, split and move; new ones appear; the
                      kidnap-for-ransom group raids ships at sea or takes hostages ashore
 9. confrontations    China chooses which of the claimants' activities to challenge: coercion, and
                      escalation up a ladder
10. statement         ASEAN seeks a statement after coercion; members vote; one vote blocks
11. respond           China reacts to visible cooperation and alignment shifts
12. align             members move their alignment
13. end_month         partners note the month's outcomes; memories fade; initiatives expire; the
                      month's metrics are collected

The outlook starts at ``run.start`` (``run.period = "history"`` or ``"history-free"``: 2007-01, see
``sim/model/history.py``); the model first runs ``run.spinup`` months under the same policy so that the
pipeline of deliveries, the criminal groups and the agents' memories are filled (those months are
not written). Every random draw comes from a named stream (``sim/model/streams.py``).
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Callable, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from sim.model import history
from sim.model.agents.asean import Asean
from sim.model.agents.china import China
from sim.model.agents.criminals import KidnapGroup, Syndicate, detection_chance
from sim.model.agents.members import Member, Offer
from sim.model.agents.partners import Partner
from sim.model.areas import load_areas
from sim.model.ledger import Ledger
from sim.model.metrics import CLAIMANTS, month_metrics, reporters, summarise
from sim.model.params import PARTNERS, ParameterError, Params, make_params
from sim.model.sea import build_sea
from sim.model.streams import Streams
from sim.model.world import World

#: the rungs of the escalation ladder, from 1
RUNGS = ("stand-off", "non-lethal force", "collision or injury", "armed clash")
#: what a delivered action is called in the ledger, by layer
DELIVERY_KIND = {"capacity": "delivery", "quad": "info_share", "bilateral": "exercise", "forums": "forum_initiative"}


@lru_cache(maxsize=1)
def member_data() -> dict[str, tuple[float, float]]:
    """Each member's patrol vessels and dependence on China (``sim/model/data/members.csv``, sources inside)."""
    text = resources.files("sim.model.data").joinpath("members.csv").read_text(encoding="utf-8")
    return {
        r["iso3"]: (float(r["patrol_vessels"]), float(r["china_dependence"])) for r in csv.DictReader(text.splitlines())
    }


@lru_cache(maxsize=1)
def tie_counts() -> dict[str, dict[str, int]]:
    """Documented partner-member ties (``sim/model/data/ties.csv``), counted by member and partner."""
    text = resources.files("sim.model.data").joinpath("ties.csv").read_text(encoding="utf-8")
    counts: dict[str, dict[str, int]] = {}
    for row in csv.DictReader(text.splitlines()):
        counts.setdefault(row["member"], {}).setdefault(row["partner"], 0)
        counts[row["member"]][row["partner"]] += 1
    return counts


def resolve_seed(seed: Any) -> int:
    """The run's integer seed: an int is used as is; None draws fresh entropy (recorded on the model);
    a numpy Generator gives one draw."""
    if seed is None:
        entropy = np.random.SeedSequence().entropy  # a fresh SeedSequence's entropy is one int
        assert isinstance(entropy, int)
        return entropy % (2**63)
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(2**63))
    if isinstance(seed, (bool, float)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ParameterError(f"seed must be a non-negative whole number, got {seed!r}")
    return int(seed)


class RegionModel(World):
    """Japan, the Quad partners, the ASEAN members, China and ASEAN exchanging actions at sea.

    Build it from keyword arguments, so that ``mesa.batch_run`` and Mesa's visualisation can drive it::

        RegionModel(rng=42, **{"policy.JPN.mode": "adaptive", "china.shipdays": 240.0})

    Args:
        rng: the run seed (an int; ``seed`` is accepted as a synonym). None draws one and records it
            as ``model.seed``. Every random draw comes from named streams derived from it.
        params: a ``Params`` (or a mapping of overrides) to start from.
        **overrides: parameters by dotted name (see ``sim/model/params.py``).

    Raises:
        ParameterError: an unknown parameter, a wrong type or a value out of range.
    """

    def __init__(
        self, *, rng: Any = None, seed: Any = None, params: Params | Mapping[str, Any] | None = None, **overrides: Any
    ) -> None:
        if rng is not None and seed is not None:
            raise ParameterError("give either rng or seed, not both")
        base = params.to_dict() if isinstance(params, Params) else dict(params or {})
        base.update(overrides)
        self.p: Params = make_params(base)
        self.seed = resolve_seed(rng if rng is not None else seed)
        super().__init__(rng=self.seed)
        self.streams = Streams(self.seed)
        self.ledger = Ledger(keep=False)  # the spin-up records nothing; the outlook gets its own ledger
        self.area_records = load_areas()
        self.areas = {a.code: a for a in self.area_records}
        self.sea = build_sea(self.area_records, random=self.random)
        self.area_codes = [a.code for a in self.area_records if a.kind == "recaap_area"]
        #: each sea area's opportunity for robbery, relative to the Straits (``sea.traffic.<CODE>``)
        self.traffic = {code: self.p[f"sea.traffic.{code}"] for code in self.area_codes}
        self.feature_codes = [a.code for a in self.area_records if a.kind == "feature"]
        self.detection = dict.fromkeys(self.area_codes, 0.0)  # chance an attempt is detected, this month
        self.arrest_risk = dict.fromkeys(self.area_codes, 0.0)  # a robber's chance of conviction, this month
        self.prosecution = dict.fromkeys(self.area_codes, 0.0)  # littoral states' mean conviction rate, this month
        self.gang_size = dict.fromkeys(self.area_codes, 0)  # syndicate members in each area
        self.committed_joint: dict[str, tuple[str, ...]] = {}  # joint patrols committed by a documented event
        self.info_sharing: set[str] = set()  # areas with an information-sharing arrangement (a documented event)
        self.threat = dict.fromkeys(self.areas, 0.0)
        self.recent_escalations = dict.fromkeys(self.feature_codes, 0.0)

        year, month = (int(x) for x in self.p["run.start"].split("-"))
        self.t0 = year * 12 + month - 1 - self.p["run.spinup"]  # months since year 0 at the first step
        self.t = -1
        self.date = f"{(self.t0) // 12:04d}-{self.t0 % 12 + 1:02d}"  # the first month, until it begins
        ties = tie_counts()
        members = [iso3 for iso3 in member_data() if iso3 != "TLS" or self.p["asean.include_timor_leste"]]
        self.member_by = {iso3: Member(self, iso3, *member_data()[iso3], ties=ties.get(iso3, {})) for iso3 in members}
        self.members_list = list(self.member_by.values())
        self.members = self.agents_by_type[Member]
        self.partner_by = {iso3: Partner(self, iso3) for iso3 in PARTNERS}
        self.partners = self.agents_by_type[Partner]
        self.asean = Asean(self)
        self.china = China(self)
        self.last_id = len(self.agents)
        for area in self.area_codes:  # one small group in each area; the spin-up lets them settle
            Syndicate(self, area, self.p["crime.new_size"])
        self.syndicates = self.agents_by_type[Syndicate]
        self.period = self.p["run.period"]
        KidnapGroup(self, "SULU_CELEBES", self.p["kidnap.fighters"], self.p["kidnap.land_pressure"])
        self.kidnappers = self.agents_by_type[KidnapGroup]
        self.forget_ids()

        self.pipeline: dict[int, list[Offer]] = {}
        self.running: list[tuple[int, Offer]] = []  # delivered actions still in effect: (end month, offer)
        self.exercises = dict.fromkeys(self.member_by, 0)  # bilateral exercises running with each member
        self.routed_provocation = dict.fromkeys(self.member_by, 0.0)
        self.alignment_history = deque([{m.iso3: m.alignment for m in self.members_list}], maxlen=12)
        #: members' choices by month, the last 12: (channel choices, of which routed, forum offers, accepted)
        self.choices: deque[tuple[int, int, int, int]] = deque(maxlen=12)
        self.last_routed = dict.fromkeys(self.member_by, -999)
        self.participation = 0.0
        self.mean_alignment = 0.0
        self.month: dict[str, float] = {}
        self.shocks = {(s.step, s.state) for s in self.p["shocks"]}
        self.datacollector = mesa.DataCollector(
            model_reporters=reporters(),
            agenttype_reporters={
                Member: {
                    "agent": "iso3",
                    "alignment": "alignment",
                    "assets": "vessels",
                    "offers_accepted": "accepted",
                    "offers_declined": "declined",
                },
                Partner: {"agent": "iso3", "spending": "spending", "budget": "budget"},
                China: {"agent": "iso3", "shipdays": lambda c: sum(c.presence.values())},
            },
        )
        self.metrics: dict[str, float] = {}
        self.dates: list[str] = []
        self.step_dates: dict[int, str] = {}  # Mesa's step counter (spin-up included) -> month
        self.joint: set[str] = set()
        for _ in range(self.p["run.spinup"]):
            self.step()
        self.ledger = Ledger()  # the outlook's actions
        self.steps = 0  # Mesa's step counter (batch_run reads it) counts outlook months only

    # --- the schedule ------------------------------------------------------------------------------

    def begin_month(self) -> None:
        """Reset the month's counters; rotate the chair in January; members take stock of the threat
        (``Member.perceive``); apply the month's shocks."""
        self.t += 1
        self.date = self._date()  # YYYY-MM of this month
        self.month = dict.fromkeys(("coercion", "escalations", "offers", "declined", "routed", "direct"), 0.0)
        self.month.update({f"coercion_{c}": 0.0 for c in CLAIMANTS})
        self.asean.rotate_chair()
        if self.period == "history":
            for event in history.due(self.t == 0, self.t0 + self.t):
                history.apply(self, event)
        self.members.do("perceive")
        for partner in self.partners:
            partner.spending = 0.0
            if (self.outlook_month, partner.iso3) in self.shocks:
                partner.withdraw()

    def plan_year(self) -> None:
        """In January, each partner plans its year."""
        if self.month_of_year == 1 or self.t == 0:
            self.partners.do("plan_year")

    def deliveries(self) -> None:
        """Accepted offers whose lead time is over take effect and are recorded as delivered; actions
        whose lifetime is over end."""
        now = self.t
        self.running = [(end, o) for end, o in self.running if end > now or self._end(o)]
        for offer in self.pipeline.pop(now, []):
            member = self.member_by[offer.member]
            layer = offer.layer
            end = now + self.p[f"instrument.{layer}.lifetime"]
            if layer == "capacity":
                member.vessels += offer.units
            elif layer == "quad":
                member.awareness_until = max(member.awareness_until, end)
            elif layer == "forums":
                self.asean.initiatives.append((end, offer.partner))
            elif layer == "bilateral":
                self.exercises[member.iso3] += 1
            self.running.append((end, offer))
            visible = self.p[f"instrument.{layer}.visibility"] * offer.cost / self.p["china.provocation_scale"]
            if offer.channel == "direct":
                self.china.provocation[member.iso3] += visible * bool(member.claims)
            else:
                self.routed_provocation[member.iso3] += visible * bool(member.claims)
            self.ledger.record(
                self.date, offer.partner, DELIVERY_KIND[layer], target=offer.member, layer=layer,
                channel=offer.channel, amount=offer.units, unit=_unit(layer), status="delivered",
            )  # fmt: skip

    def _end(self, offer: Offer) -> bool:
        """An action's lifetime is over: a delivered vessel leaves service, an exercise ends. Returns
        False (drop it)."""
        if offer.layer == "capacity":
            self.member_by[offer.member].vessels -= offer.units
        elif offer.layer == "bilateral":
            self.exercises[offer.member] -= 1
        return False

    def offers(self) -> None:
        """Each partner makes its offers; a member offered help directly by a partner that also works
        through ASEAN-led mechanisms chooses the channel (``Member.choose_channel``); each recipient
        considers each offer. An accepted offer is paid for and enters the pipeline (lead time, plus
        ``routing.delay`` when routed); a declined one returns its money to the partner's purse."""
        choices = routed_choices = forum_offers = forum_accepted = 0
        for partner in self.partners:
            for offer in partner.make_offers():
                member = self.member_by[offer.member]
                self.month["offers"] += 1
                self.ledger.record(
                    self.date, offer.partner, "offer", target=offer.member, layer=offer.layer, channel=offer.channel,
                    amount=offer.cost, unit="USD", status="proposed",
                )  # fmt: skip
                if offer.channel == "direct" and partner.routed_share > 0:
                    offer.channel = member.choose_channel(offer)
                    choices += 1
                    routed_choices += offer.channel == "routed"
                    self.ledger.record(
                        self.date, offer.member, "choose_channel", target=offer.partner, layer=offer.layer,
                        channel=offer.channel, amount=offer.cost, unit="USD", status="done",
                    )  # fmt: skip
                self.month[offer.channel] += 1
                accepted = member.consider(offer)
                forum_offers += offer.layer == "forums"
                forum_accepted += accepted and offer.layer == "forums"
                self.ledger.record(
                    self.date, offer.member, "accept" if accepted else "decline", target=offer.partner,
                    layer=offer.layer, channel=offer.channel, amount=offer.cost, unit="USD",
                    status="accepted" if accepted else "declined",
                )  # fmt: skip
                if not accepted:
                    self.month["declined"] += 1
                    member.declined += 1
                    partner.purse[offer.layer] += offer.cost
                    continue
                member.accepted += 1
                partner.spending += offer.cost
                partner.results[offer.layer] += offer.cost
                partner.supported.add(member.iso3)
                if offer.channel == "routed":
                    self.last_routed[member.iso3] = self.t
                lead = self.p[f"instrument.{offer.layer}.lead"]
                lead += self.p["routing.delay"] if offer.channel == "routed" else 0
                self.pipeline.setdefault(self.t + max(1, lead), []).append(offer)
        self.month["channel_choices"], self.month["channel_routed"] = choices, routed_choices
        self.choices.append((choices, routed_choices, forum_offers, forum_accepted))
        self.participation = sum(self.t - t < 12 for t in self.last_routed.values()) / len(self.member_by)

    def patrol(self) -> None:
        """Members spread their vessels over their areas and claimed features."""
        self.members.do("patrol_areas")

    def coordinate(self) -> None:
        """Members say where they propose joint patrols and what those are worth to them
        (``Member.coordinate``); then the littoral states of each area bargain. Joint patrols form where
        they committed to them (a documented arrangement in the history period), or where someone
        proposes, every state trusts the others enough, and the patrols are worth more to the states
        together than they cost: the states that gain make side payments (recorded in the ledger, in
        units of the threat tolerated) to bring in those that would not join on their own terms.
        Knockout ``members_never_bargain``: no side payments, so every state must be ready on its own
        terms. A member proposing joint patrols raises its neighbours' trust in it a little; joint
        patrols build trust between the states that join them."""
        self.members.do("coordinate")
        self.joint = set()
        p = self.p
        for area in self.area_codes:
            states = [self.member_by[s] for s in self.areas[area].littoral if s in self.member_by]
            for m in states:
                for other in states:
                    if other is not m and area in other.proposing:
                        trust = m.trust.get(other.iso3, p["member.trust_start"])
                        m.trust[other.iso3] = trust + p["member.trust_proposal"] * (1.0 - trust)
            if area in self.committed_joint:
                states = [self.member_by[s] for s in self.committed_joint[area]]
            elif not self.bargain(area, states):
                continue
            if len(states) < 2:
                continue
            self.joint.add(area)
            for m in states:
                for other in states:
                    if other is not m:
                        trust = m.trust.get(other.iso3, p["member.trust_start"])
                        m.trust[other.iso3] = trust + p["member.trust_gain"] * (1.0 - trust)
                self.ledger.record(
                    self.date, m.iso3, "coordinated_patrol", area=area, amount=m.patrol.get(area, 0.0), unit="vessels"
                )

    def bargain(self, area: str, states: list[Member]) -> bool:
        """Whether the littoral ``states`` of ``area`` agree to patrol it jointly this month (see
        ``coordinate``); records the side payments that close the deal."""
        if len(states) < 2 or not any(area in m.proposing for m in states):
            return False
        if all(area in m.coordinating for m in states):
            return True
        if self.knockout("members_never_bargain"):
            return False
        if not all(m.trusts([o.iso3 for o in states if o is not m]) for m in states):
            return False
        surplus = [m.surplus.get(area, 0.0) for m in states]
        if sum(surplus) < 0.0:
            return False
        for m, value in zip(states, surplus, strict=True):
            if value < 0.0:  # paid to join: the gainers cover what it would lose
                self.ledger.record(self.date, m.iso3, "side_payment", area=area, amount=-value, unit="threat tolerated",
                                   status="done")  # fmt: skip
        return True

    def deploy(self) -> None:
        """China spreads its ship-days over the features."""
        self.china.deploy()

    def assess_risk(self) -> None:
        """Each area's chance that an attempt is detected, and a robber's chance of being caught and
        convicted there this month (detection x the littoral members' mean prosecution rate).

        Robbers use the weakest jurisdiction as a safe haven: unless an area's patrols are joint, they
        count as if every littoral state patrolled as little as the weakest one there; joint patrols
        pool all the vessels (and add ``crime.coordination``). Shared information (maritime domain
        awareness from the partners, or an information-sharing arrangement) adds ``crime.awareness``."""
        p = self.p
        for area in self.area_codes:
            littoral = [self.member_by[s] for s in self.areas[area].littoral if s in self.member_by]
            joint = area in self.joint
            patrols = [m.patrol.get(area, 0.0) for m in littoral] or [0.0]
            vessels = sum(patrols) if joint else min(patrols) * len(patrols)
            aware = (
                1.0
                if area in self.info_sharing
                else sum(m.awareness_until > self.t for m in littoral) / max(1, len(littoral))
            )
            d = detection_chance(
                vessels, p["crime.detection"], joint, p["crime.coordination"], p["crime.awareness"] * aware
            )
            self.prosecution[area] = sum(m.prosecution(area) for m in littoral) / max(1, len(littoral))
            self.detection[area] = d
            self.arrest_risk[area] = d * self.prosecution[area]

    def crime(self) -> None:
        """The month's crime: risks are assessed; syndicates rob and face arrest; groups left without
        members disband (before they could recruit); the rest grow (or split) and may move; new groups
        appear where undetected traffic is high; the kidnap-for-ransom group raids and regroups. Every
        attempt (actual or attempted, as ReCAAP counts) is an incident of its area."""
        self.assess_risk()
        incidents = dict.fromkeys(self.area_codes, 0)
        for gang in self.syndicates:
            attempts = gang.rob()
            incidents[gang.area] += attempts
            if attempts:
                self.ledger.record(
                    self.date, f"SYN-{gang.unique_id}", "robbery", area=gang.area, amount=attempts,
                    unit="incidents", status="done" if gang.loot else "attempted",
                )  # fmt: skip
        for gang in self.syndicates:
            if gang.size <= 0:  # rolled up this month already
                continue
            arrested, broken = gang.face_arrest()
            if arrested:
                self.ledger.record(
                    self.date, "", "arrest", target=f"SYN-{gang.unique_id}", area=gang.area, amount=arrested,
                    unit="members", status="done",
                )  # fmt: skip
            if broken:
                self.roll_up(gang)
        for member in self.members:
            for gang in member.raid():
                if gang.size > 0:
                    self.break_up(gang, member.iso3)
        self.disband_empty()
        self._count_gangs()
        self.syndicates.do("grow")
        self.syndicates.do("move")
        self.disband_empty()
        self._count_gangs()
        self.emerge()
        self.kidnapping(incidents)
        self.forget_ids()
        memory = self.p["member.threat_memory"]
        for area, n in incidents.items():
            self.month[f"incidents_{area}"] = n
            self.threat[area] += memory * (n - self.threat[area])

    def break_up(self, gang: Syndicate, by: str) -> None:
        """``by`` breaks up a group (a raid on its base): all its members are arrested, and what the
        state learns may roll up the rest of its network."""
        self.ledger.record(
            self.date, by, "raid", target=f"SYN-{gang.unique_id}", area=gang.area, amount=gang.size,
            unit="members", status="done",
        )  # fmt: skip
        gang.size = 0
        self.roll_up(gang)

    def roll_up(self, broken: Syndicate) -> None:
        """Intelligence from a broken-up group: every other group of its network is broken up with a
        chance ``crime.rollup`` x the mean prosecution rate of the littoral states where it robs (as
        ``assess_risk`` found it this month)."""
        rng = self.streams["crime"]
        for gang in self.syndicates:
            if gang is broken or gang.network != broken.network or gang.size <= 0:
                continue
            if rng.random() < self.p["crime.rollup"] * self.prosecution[gang.area]:
                self.ledger.record(
                    self.date, "", "roll_up", target=f"SYN-{gang.unique_id}", area=gang.area, amount=gang.size,
                    unit="members", status="done",
                )  # fmt: skip
                gang.size = 0

    def disband_empty(self) -> None:
        """Groups left without members (arrested, raided, rolled up or drifted away) disband at once, so a
        broken group cannot recruit with the month's loot."""
        self.syndicates.select(lambda g: g.size <= 0).do("disband")

    def _count_gangs(self) -> None:
        self.gang_size = dict.fromkeys(self.area_codes, 0)
        for gang in self.syndicates:
            self.gang_size[gang.area] += gang.size

    def emerge(self) -> None:
        """New syndicates appear in an area at ``crime.emergence`` a month per unit of traffic that goes
        undetected (opportunity draws new entrants)."""
        p, rng = self.p, self.streams["crime"]
        for area in self.area_codes:
            opportunity = self.traffic[area] * (1.0 - self.detection[area])
            for _ in range(int(rng.poisson(p["crime.emergence"] * opportunity))):
                gang = Syndicate(self, area, p["crime.new_size"])
                self.ledger.record(
                    self.date, f"SYN-{gang.unique_id}", "new_group", area=area, amount=gang.size, unit="members"
                )

    def kidnapping(self, incidents: dict[str, int]) -> None:
        """The kidnap-for-ransom group chooses its ground (``KidnapGroup.choose_ground``), raids ships
        at sea or takes hostages ashore, and regroups; its raids at sea are incidents of its area."""
        self.month["kidnappings"] = self.month["crew_abducted"] = self.month["hostages_ashore"] = 0
        for group in self.kidnappers:
            group.abducted = group.hostages = 0
            if group.choose_ground() == "sea":
                raids, taken = group.raid()
                incidents[group.area] += raids
                self.month["kidnappings"] += taken
                self.month["crew_abducted"] += group.abducted
                if raids:
                    self.ledger.record(
                        self.date, "KFR", "kidnap", area=group.area, amount=group.abducted, unit="crew",
                        status="done" if taken else "attempted",
                    )  # fmt: skip
            elif group.raid_shore():
                self.month["hostages_ashore"] += group.hostages
                self.ledger.record(
                    self.date, "KFR", "kidnap_ashore", area=group.area, amount=group.hostages, unit="hostages",
                    status="done",
                )  # fmt: skip
            group.regroup()

    def confrontations(self) -> None:
        """At each feature (in file order) China decides which of the claimant's activities to challenge
        (``China.challenges``): each challenge is a coercion incident, and each may climb the ladder one
        rung at a time, more likely when the region is tense and less likely the more power ASEAN's
        forums have to defuse it."""
        p, rng = self.p, self.streams["escalation"]
        damping = p["escalation.forum_damping"] * self.asean.forum_power()
        tension = sum(self.recent_escalations.values())
        climb = min(0.95, p["escalation.climb"] * (1 + p["escalation.tension"] * min(tension, 2.0)) * (1 - damping))
        for f in self.feature_codes:
            claimant = self.member_by[self.areas[f].claimants[0]]
            n = self.china.challenges(f)
            escalated = 0
            for _ in range(n):
                rung = 1
                while rung < len(RUNGS) and rng.random() < climb:
                    rung += 1
                self.ledger.record(self.date, "CHN", "coercion", target=claimant.iso3, area=f, amount=rung, unit="rung")
                if rung >= 2:
                    escalated += 1
                    self.ledger.record(
                        self.date, "CHN", "escalation", target=claimant.iso3, area=f, amount=rung, unit="rung"
                    )
            claimant.coerced += n
            self.month["coercion"] += n
            self.month[f"coercion_{claimant.iso3}"] = self.month.get(f"coercion_{claimant.iso3}", 0.0) + n
            self.month["escalations"] += escalated
            self.threat[f] += p["member.threat_memory"] * (n - self.threat[f])
            self.recent_escalations[f] += (escalated - self.recent_escalations[f]) / p["china.memory"]

    def statement(self) -> None:
        """ASEAN seeks a statement after coercion; members vote."""
        self.asean.seek_statement()

    def respond(self) -> None:
        """China reacts to the month's visible cooperation and to alignment shifts."""
        self.china.respond()
        self.routed_provocation = dict.fromkeys(self.member_by, 0.0)

    def align(self) -> None:
        """Members move their alignment; the year-ago alignments China compares with roll on."""
        self.mean_alignment = sum(m.alignment for m in self.members_list) / len(self.members_list)
        self.alignment_history.append({m.iso3: m.alignment for m in self.members_list})
        self.members.do("align")

    def end_month(self) -> None:
        """Partners note the month's outcomes (``Partner.observe``), memories fade, forum initiatives
        expire, and (in the outlook) the month's metrics are kept."""
        self.partners.do("observe")
        self.members.do("fade")
        self.asean.expire()
        if self.outlook_month >= 1:
            self.metrics = month_metrics(self)
            self.dates.append(self.date)
            self.step_dates[self.steps] = self.date
            self.datacollector.collect(self)

    def step(self) -> None:
        """One month: every step of ``SCHEDULE`` in order."""
        for phase in SCHEDULE:
            phase(self)

    def run(self, months: int) -> RegionModel:
        """Advance ``months`` months of the outlook; returns the model."""
        for _ in range(months):
            self.step()
        return self

    # --- measurements ------------------------------------------------------------------------------

    def series(self) -> dict[str, list[float]]:
        """Every metric's monthly values so far (first outlook month first)."""
        return self.datacollector.model_vars

    def summary(self) -> dict[str, Any]:
        """Per-run summaries of the outlook months simulated so far (see ``sim.model.metrics.summarise``)."""
        return summarise(self.series(), self.p)

    # --- tables ------------------------------------------------------------------------------------

    def timeseries(self):
        """One row per outlook month: ``step`` (1 = the first), ``date`` (YYYY-MM), then every metric."""
        frame = self.datacollector.get_model_vars_dataframe()
        frame.insert(0, "step", range(1, len(frame) + 1))
        frame.insert(1, "date", self.dates)
        return frame.reset_index(drop=True)

    def agent_table(self):
        """One row per agent and month: ``date``, ``agent`` (ISO3), ``kind``, then its variables."""
        import pandas as pd

        frames = []
        for kind in (Member, Partner, China):
            frame = self.datacollector.get_agenttype_vars_dataframe(kind).reset_index()
            frame["date"] = frame["Step"].map(self.step_dates)
            frame["kind"] = kind.__name__.lower()
            frames.append(frame.drop(columns=["Step", "AgentID"]))
        table = pd.concat(frames, ignore_index=True)
        cols = ["date", "agent", "kind"] + [c for c in table.columns if c not in ("date", "agent", "kind")]
        return table[cols].sort_values(["date", "kind", "agent"], kind="stable").reset_index(drop=True)

    def write_tables(self, folder: Path) -> None:
        """Write ``timeseries.csv``, ``agents.csv`` and ``actions.csv`` into ``folder``."""
        self.timeseries().to_csv(folder / "timeseries.csv", index=False)
        self.agent_table().to_csv(folder / "agents.csv", index=False)
        self.ledger.write_csv(folder / "actions.csv")


def _unit(layer: str) -> str:
    return {"capacity": "vessels", "quad": "member-years of MDA", "bilateral": "exercises", "forums": "initiatives"}[
        layer
    ]


SCHEDULE: tuple[Callable[[RegionModel], None], ...] = (
    RegionModel.begin_month,
    RegionModel.plan_year,
    RegionModel.deliveries,
    RegionModel.offers,
    RegionModel.patrol,
    RegionModel.coordinate,
    RegionModel.deploy,
    RegionModel.crime,
    RegionModel.confrontations,
    RegionModel.statement,
    RegionModel.respond,
    RegionModel.align,
    RegionModel.end_month,
)
