"""Partners (Japan, the United States, Australia, India): they plan a year and make offers.

``plan_year`` splits the yearly budget across the four layers; ``make_offers`` turns each layer's
money into concrete offers to members, chosen by a targeting rule. Both are the rules students will
most want to change.
"""

from __future__ import annotations

import bisect
import itertools
import math
from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.model.agents.members import PATROL_LAYERS, Member, Offer
from sim.model.params import LAYERS

if TYPE_CHECKING:
    from sim.model.world import World

#: floor of the partnership score, so that a member with no tie still has a chance to be chosen
#: (assumption; small next to typical scores)
PARTNERSHIP_FLOOR = 0.2


class Partner(mesa.Agent):
    """A partner state with a yearly budget in US dollars.

    Attributes:
        iso3: the state's code.
        budget: this year's budget, USD (0 after a withdrawal).
        plan: this year's budget by layer, USD.
        purse: money of each layer not yet spent, USD (what a year leaves carries over).
        weights: the allocation weights it plans with (learned in adaptive mode).
        spending: USD committed to accepted offers this month.
        withdrawn: True after a ``withdraw`` shock.
    """

    def __init__(self, model: World, iso3: str):
        super().__init__(model)
        self.iso3 = iso3
        p = model.p
        self.mode = p[f"policy.{iso3}.mode"]
        self.base_budget = p[f"policy.{iso3}.budget"]
        self.routed_share = p[f"policy.{iso3}.asean_coordination"]
        self.active = {layer: p[f"policy.{iso3}.{layer}"] for layer in LAYERS}
        self.weights = {layer: p[f"policy.{iso3}.allocation.{layer}"] * self.active[layer] for layer in LAYERS}
        self.budget = self.base_budget
        self.extra = 0.0  # burden taken up from a partner that withdrew, USD/year
        self.plan = dict.fromkeys(LAYERS, 0.0)
        self.purse = dict.fromkeys(LAYERS, 0.0)
        self.results = dict.fromkeys(LAYERS, 0.0)  # USD of each layer's offers accepted this year
        self.supported: set[str] = set()  # members that accepted its offers this year
        self.outcomes: list[float] = []  # this year's monthly scores (see observe)
        self.last_score: float | None = None  # last year's mean score
        self.spending = 0.0
        self.withdrawn = False

    def plan_year(self) -> None:
        """Split the year's budget across the active layers.

        ``fixed``: by the policy's allocation weights. ``adaptive``: the weights first move by what
        last year's outcomes were worth to it (:meth:`_learn`, a reinforcement rule), and the partner
        takes up part of the budget of a partner that has
        withdrawn (shared among the remaining partners by budget), up to ``partner.burden_cap`` of
        its own budget. Money a layer did not spend last year carries over to its purse."""
        p = self.model.p
        if self.withdrawn:
            self.budget = 0.0
        else:
            if self.adapts():
                self._learn()
                partners = self.model.partner_by.values()
                dropped = sum(o.base_budget for o in partners if o.withdrawn)
                staying = sum(o.base_budget for o in partners if not o.withdrawn)
                share = self.base_budget / staying if staying > 0 else 0.0  # burden shared by size
                self.extra = min(p["partner.burden_cap"] * self.base_budget, share * dropped)
            self.budget = self.base_budget + self.extra
        total = sum(self.weights.values())
        self.plan = {layer: (self.budget * w / total if total > 0 else 0.0) for layer, w in self.weights.items()}
        # money not spent last year carries over, so that a layer whose yearly share is below one
        # unit's cost (a vessel, for a small budget) can save for it over several years
        self.purse = {layer: self.purse[layer] + self.plan[layer] for layer in LAYERS}
        self.results = dict.fromkeys(LAYERS, 0.0)
        self.supported = set()

    def set_layer(self, layer: str, on: bool) -> None:
        """Open or close one layer's instruments (a documented event: e.g. no Quad maritime domain
        awareness before IPMDA). A closed layer gets no money; an opened one its policy weight."""
        self.active[layer] = on and self.model.p[f"policy.{self.iso3}.{layer}"]
        self.weights[layer] = self.model.p[f"policy.{self.iso3}.allocation.{layer}"] * self.active[layer]

    def adapts(self) -> bool:
        """Whether it learns its plan: ``adaptive`` mode, unless ``knockout.partners_never_adapt``."""
        return self.mode == "adaptive" and not self.model.knockout("partners_never_adapt")

    def observe(self) -> None:
        """At the end of each month, an adaptive partner notes how it is doing by what it cares about:
        robberies in the sea lanes (over ``metrics.incident_scale``), coercion at the features of the
        members that accepted its help this year (over ``metrics.coercion_scale``), and the members' mean
        alignment toward the partners. Their month's score (higher is better) adds to the year's
        (``outcomes``). A partner that does not adapt notes nothing."""
        if not self.adapts():
            return
        p, model = self.model.p, self.model
        robberies = sum(model.month.get(f"incidents_{a}", 0.0) for a in model.area_codes)
        coerced = sum(model.month.get(f"coercion_{m}", 0.0) for m in self.supported)
        score = -robberies / p["metrics.incident_scale"] - coerced / p["metrics.coercion_scale"]
        self.outcomes.append(score + model.mean_alignment)

    def _learn(self) -> None:
        """Reinforcement from outcomes: when last year's score (:meth:`observe`, the mean of its months)
        was better than the year before's, the layers it spent a larger share on last year gain weight,
        and when it was worse they lose it: weight x exp(``partner.learning_rate`` x change in score x
        (layer's share of last year's accepted spending - the mean share)). Layers switched off keep
        weight 0."""
        score = sum(self.outcomes) / len(self.outcomes) if self.outcomes else None
        previous, self.last_score, self.outcomes = self.last_score, score, []
        spent = sum(self.results.values())
        if score is None or previous is None or spent <= 0:
            return
        active = [layer for layer in LAYERS if self.weights[layer] > 0]
        if not active:
            return
        rate = self.model.p["partner.learning_rate"]
        change = score - previous
        mean_share = sum(self.results[layer] for layer in active) / spent / len(active)
        push = {layer: rate * change * (self.results[layer] / spent - mean_share) for layer in active}
        # a huge change could push exp() past a float's range: the weights are normalised below, so
        # lowering every push by the same amount changes nothing else
        shift = max(0.0, max(push.values()) - 700.0)
        for layer, x in push.items():
            self.weights[layer] *= math.exp(x - shift)
        total = sum(self.weights.values())
        self.weights = {layer: w / total for layer, w in self.weights.items()}

    def make_offers(self) -> list[Offer]:
        """Offer each layer's instrument to members while that layer's monthly share of the money in
        its purse lasts (at most ``partner.max_pace`` times the planned monthly pace, so that money
        returned by declined offers is offered again over the coming months): each offer goes to a
        member drawn with probability proportional to its targeting score (``target_score``); a share
        ``asean_coordination`` of offers goes to ASEAN-led mechanisms instead, and ASEAN chooses who
        receives it (``Asean.allocate``)."""
        p, model = self.model.p, self.model
        rng = model.streams["offers"]
        offers = []
        scores: dict[bool, list[float]] = {}  # this month's targeting scores, made once
        months_left = 12 - (model.month_of_year - 1)
        for layer in LAYERS:
            cost = p[f"instrument.{layer}.cost"]
            pace = p["partner.max_pace"] * self.plan[layer] / 12.0
            allowance = min(self.purse[layer] / months_left, pace)
            n = int(allowance // cost) + (rng.random() < (allowance % cost) / cost)
            for _ in range(n):
                if self.purse[layer] < cost:
                    break
                routed = rng.random() < self.routed_share
                member = model.asean.allocate(layer, self.iso3) if routed else self._choose(layer, rng, scores)
                if member is None:
                    break
                self.purse[layer] -= cost
                offers.append(Offer(self.iso3, member.iso3, layer, "routed" if routed else "direct", 1.0, cost))
        return offers

    def _choose(self, layer: str, rng: np.random.Generator, scores: dict[bool, list[float]]) -> Member | None:
        """A member drawn with probability proportional to its score (cumulative scores kept for the month)."""
        members = self.model.members_list
        key = layer in PATROL_LAYERS  # the score depends on the layer only through this
        cumulative = scores.get(key)
        if cumulative is None:
            weights = [self.target_score(m, layer) for m in members]
            cumulative = scores[key] = list(itertools.accumulate(weights))
        if cumulative[-1] <= 0:
            return None
        return members[min(bisect.bisect_right(cumulative, rng.random() * cumulative[-1]), len(members) - 1)]

    def target_score(self, member: Member, layer: str) -> float:
        """How much the partner wants to help ``member`` with ``layer``: its need (threat per vessel,
        ``Member.need``), times its partnership (documented ties and alignment toward the partners), times
        its strategic interest (a claim in the South China Sea), each raised to its weight in
        ``partner.target.*``."""
        if not member.can_use(layer):
            return 0.0
        p = self.model.p
        partnership = PARTNERSHIP_FLOOR + member.affinity.get(self.iso3, 0.0) + max(0.0, member.alignment)
        strategic = 1.0 + len(member.claims)
        return (
            member.need() ** p["partner.target.need"]
            * partnership ** p["partner.target.partnership"]
            * strategic ** p["partner.target.strategic"]
        )

    def withdraw(self) -> None:
        """A ``withdraw`` shock: no new offers from now on; what is in the pipeline still arrives."""
        self.withdrawn = True
        self.budget = 0.0
        self.purse = dict.fromkeys(LAYERS, 0.0)
