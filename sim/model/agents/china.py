"""China: it deploys coast-guard and militia presence over the disputed features, and responds to
cooperation and alignment with pressure at sea and economic rewards and penalties."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from sim.model.world import World


class China(mesa.Agent):
    """China (CHN).

    Attributes:
        shipdays: coast-guard and militia ship-days a month it can send to the features.
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

    def feature_value(self, feature: str) -> float:
        """Net value of presence at a feature: the claim's value, plus the claimant's recent challenge,
        minus the cost of the claimant's and partners' vessels there (deterrence), of recent
        escalations there and of ASEAN's recent condemnation."""
        p, model = self.model.p, self.model
        claimant = model.areas[feature].claimants[0]
        if model.knockout("china_ignores_cooperation"):
            challenge = 0.0
        else:
            challenge = p["china.challenge_value"] * math.tanh(self.challenge.get(claimant, 0.0))
        vessels = model.vessels_at(feature)
        return (
            p["china.claim_value"]
            + challenge
            - p["china.deterrence_cost"] * vessels
            - p["china.escalation_cost"] * model.recent_escalations[feature]
            - p["china.condemnation_cost"] * model.asean.condemnation
        )

    def deploy(self) -> None:
        """Spread the month's ship-days over the features by a logit choice on each feature's net value,
        against the value of keeping ships at home (``china.restraint``): pressure goes where the claim
        is challenged and deterrence is weak, and falls as costs rise."""
        p, model = self.model.p, self.model
        weights = {f: math.exp(self.feature_value(f)) for f in model.feature_codes}
        total = math.exp(p["china.restraint"]) + sum(weights.values())
        for f, w in weights.items():
            days = self.shipdays * w / total
            self.presence[f] = days
            model.ledger.record(
                model.date, "CHN", "deployment", target=model.areas[f].claimants[0], area=f, amount=days,
                unit="ship-days",
            )  # fmt: skip

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
