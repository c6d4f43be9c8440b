"""China: it deploys coast-guard and militia presence over the disputed features, chooses which of the
claimants' activities there to challenge, and responds to cooperation and alignment with pressure at sea
and economic rewards and penalties."""

from __future__ import annotations

import csv
import math
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from sim.model.world import World


#: the year whose fleet ``china.shipdays`` describes (AMTI's ship-day count it was set from is of 2022)
REFERENCE_YEAR = 2022


@lru_cache(maxsize=1)
def fleet_counts() -> tuple[tuple[int, ...], tuple[float, ...]]:
    """(years, large ships) of China's coast guard (``sim/model/data/china_fleet.csv``, sources inside)."""
    text = resources.files("sim.model.data").joinpath("china_fleet.csv").read_text(encoding="utf-8")
    rows = sorted((int(r["year"]), float(r["ships"])) for r in csv.DictReader(text.splitlines()))
    return tuple(y for y, _ in rows), tuple(n for _, n in rows)


def fleet(year: float) -> float:
    """China's coast-guard ships of 1,000 t or more in ``year`` (a count is placed at the middle of its
    year): linear between sourced years, the first count before them and the last after them."""
    years, ships = fleet_counts()
    x = year - 0.5
    if x <= years[0]:
        return ships[0]
    for k in range(1, len(years)):
        if x <= years[k]:
            y0, y1, n0, n1 = years[k - 1], years[k], ships[k - 1], ships[k]
            return n0 + (n1 - n0) * (x - y0) / (y1 - y0)
    return ships[-1]


class China(mesa.Agent):
    """China (CHN).

    Attributes:
        shipdays: coast-guard and militia ship-days a month it can send to the features: ``china.shipdays``
            (the 2022 fleet's) scaled by its fleet this year (:func:`fleet`).
        presence: ship-days at each feature this month.
        challenge: how much each claimant has challenged China recently (visible direct military
            cooperation with the partners, turns toward them); decays over ``china.memory`` months.
        seen_punishment: what members have seen China impose, per unit of visible cooperation
            accepted, for each channel (``direct``, ``routed``); members expect it when they consider.
    """

    def __init__(self, model: World):
        super().__init__(model)
        self.iso3 = "CHN"
        self.shipdays = model.p["china.shipdays"]
        self.presence = dict.fromkeys(model.feature_codes, 0.0)
        self.challenge = dict.fromkeys(model.member_by, 0.0)
        prior = model.p["china.punishment_prior"]
        self.seen_punishment = {"direct": prior, "routed": prior}  # the same prior for both
        self.provocation = dict.fromkeys(model.member_by, 0.0)  # this month's, by member

    def answer_value(self, feature: str) -> float:
        """What answering the claimant's recent challenge at ``feature`` is worth:
        ``china.challenge_value`` x tanh(its challenge); 0 when China ignores cooperation (knockout)."""
        if self.model.knockout("china_ignores_cooperation"):
            return 0.0
        claimant = self.model.areas[feature].claimants[0]
        return self.model.p["china.challenge_value"] * math.tanh(self.challenge.get(claimant, 0.0))

    def costs(self, feature: str) -> float:
        """What pressing at ``feature`` costs: the claimant's and partners' vessels there (deterrence),
        recent escalations there and ASEAN's recent condemnation, each at its ``china.*_cost``."""
        p, model = self.model.p, self.model
        return (
            p["china.deterrence_cost"] * model.vessels_at(feature)
            + p["china.escalation_cost"] * model.recent_escalations[feature]
            + p["china.condemnation_cost"] * model.asean.condemnation
        )

    def feature_value(self, feature: str) -> float:
        """Net value of presence at a feature: the claim's value, plus answering the claimant's recent
        challenge, minus the costs of pressing there (:meth:`costs`)."""
        return self.model.p["china.claim_value"] + self.answer_value(feature) - self.costs(feature)

    def update_fleet(self) -> None:
        """Each month the ship-days it can send follow its coast-guard fleet (:func:`fleet`), an input.
        During the spin-up the fleet is the one of the outlook's first month, so that the spin-up runs
        under the conditions the outlook starts from."""
        model = self.model
        month = model.t0 + max(model.t, model.p["run.spinup"])  # months since year 0
        now = month // 12 + (month % 12 + 0.5) / 12.0
        self.shipdays = model.p["china.shipdays"] * fleet(now) / fleet(REFERENCE_YEAR + 0.5)

    def deploy(self) -> None:
        """Spread the month's ship-days over the features by a logit choice on each feature's net value,
        against the value of keeping ships at home (``china.restraint``): pressure goes where the claim
        is challenged and deterrence is weak, and falls as costs rise."""
        p, model = self.model.p, self.model
        self.update_fleet()
        weights = {f: math.exp(self.feature_value(f)) for f in model.feature_codes}
        total = math.exp(p["china.restraint"]) + sum(weights.values())
        for f, w in weights.items():
            days = self.shipdays * w / total
            self.presence[f] = days
            model.ledger.record(
                model.date, "CHN", "deployment", target=model.areas[f].claimants[0], area=f, amount=days,
                unit="ship-days",
            )  # fmt: skip

    def challenges(self, feature: str) -> int:
        """Decide which of the claimant's activities at ``feature`` to challenge this month (blocking,
        water cannon, ramming: the coercion incidents).

        The claimant's vessels there carry out activities (resupply, patrols, surveys, escorting its
        fishermen) at ``member.activity_rate`` a vessel; China's ships see each with a chance
        1 - exp(-ship-days there / ``china.sighting_days``). For each activity it sees, China challenges
        with a logit chance on the net value of doing so: ``china.challenge_base``, plus answering the
        claimant's recent challenge, minus the costs of pressing there (:meth:`costs`: the same vessels
        that give it more to challenge also deter it). Draws, in this order, from the ``coercion``
        stream: activities (Poisson), seen (binomial), challenged (binomial)."""
        p, model = self.model.p, self.model
        rng = model.streams["coercion"]
        claimant = model.member_by[model.areas[feature].claimants[0]]
        activities = int(rng.poisson(p["member.activity_rate"] * claimant.patrol.get(feature, 0.0)))
        seen_chance = 1.0 - math.exp(-self.presence[feature] / p["china.sighting_days"])
        seen = int(rng.binomial(activities, seen_chance)) if activities else 0
        if not seen:
            return 0
        value = p["china.challenge_base"] + self.answer_value(feature) - self.costs(feature)
        return int(rng.binomial(seen, 1.0 / (1.0 + math.exp(-value))))

    def respond(self) -> None:
        """React to the month's visible military cooperation and to alignment shifts.

        Visible direct cooperation delivered to a claimant (exercises, vessels, patrols) raises its
        challenge, so more presence goes to its features next month (the security dilemma); China
        reads routed cooperation as ASEAN's own and lets it pass. A member whose alignment moved toward
        the partners over the last year is penalised economically, one that moved toward China is
        rewarded, in proportion to its dependence; the ASEAN chair is courted with a reward each
        January when it leans toward China."""
        p, model = self.model.p, self.model
        decay = 1.0 / p["china.memory"]
        ignore_coop = model.knockout("china_ignores_cooperation")
        ignore_align = model.knockout("china_ignores_alignment")
        punished = {"direct": 0.0, "routed": 0.0}
        seen = {"direct": 0.0, "routed": 0.0}
        for iso3, member in model.member_by.items():
            self.challenge[iso3] *= 1.0 - decay
            prov = self.provocation[iso3]
            for channel in ("direct", "routed"):
                seen[channel] += prov if channel == "direct" else model.routed_provocation[iso3]
            if prov > 0 and not ignore_coop:
                self.challenge[iso3] += p["china.cooperation_sensitivity"] * prov
            if ignore_align:
                continue
            shift = member.alignment - model.alignment_year_ago[iso3]
            if prov > 0 and not ignore_coop:
                shift += p["china.instant_penalty"] * prov  # punished even before alignment moves
            size = p["china.penalty"] * p["china.alignment_sensitivity"] * abs(shift)
            if shift > p["china.shift_threshold"]:
                member.penalised += size
                punished["direct"] += size
                model.ledger.record(model.date, "CHN", "penalty", target=iso3, amount=size, unit="share of exports")
            elif shift < -p["china.shift_threshold"]:
                member.rewarded += size
                model.ledger.record(model.date, "CHN", "reward", target=iso3, amount=size, unit="share of exports")
        chair = model.member_by.get(model.asean.chair)
        if model.month_of_year == 1 and chair is not None and chair.alignment <= 0 and not ignore_align:
            size = p["china.chair_reward"]
            chair.rewarded += size
            model.ledger.record(model.date, "CHN", "reward", target=chair.iso3, amount=size, unit="share of exports")
        for channel in ("direct", "routed"):
            if seen[channel] > 0:
                rate = punished[channel] / seen[channel]
                self.seen_punishment[channel] += p["china.punishment_learning"] * (rate - self.seen_punishment[channel])
        self.provocation = dict.fromkeys(model.member_by, 0.0)
