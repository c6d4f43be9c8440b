"""ASEAN, the institution: a yearly chair, a mechanism that allocates the help partners route through it,
statements that need consensus, and forums whose power depends on the partners' forum investment, on
participation and on ASEAN's record of agreeing."""

from __future__ import annotations

import csv
import math
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from sim.model.agents.members import Member
    from sim.model.world import World

#: the alphabetical rotation, used past the last year of sim/model/data/asean_chairs.csv
ROTATION = ("BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "TLS", "VNM")


@lru_cache(maxsize=1)
def chairs() -> dict[int, str]:
    """The chair of each year 2007-2030 from ``sim/model/data/asean_chairs.csv`` (sources in the file)."""
    text = resources.files("sim.model.data").joinpath("asean_chairs.csv").read_text(encoding="utf-8")
    return {int(row["year"]): row["chair"] for row in csv.DictReader(text.splitlines())}


def chair_of(year: int, members: tuple[str, ...] = ROTATION) -> str:
    """The chair in ``year``: the real one where known, then the alphabetical rotation among
    ``members`` after the last known chair."""
    known = chairs()
    if year in known:
        return known[year]
    last = max(known)
    order = [m for m in ROTATION if m in members]
    start = order.index(known[last]) if known[last] in order else -1
    return order[(start + year - last) % len(order)]


class Asean(mesa.Agent):
    """ASEAN as an institution.

    Attributes:
        chair: ISO3 of this year's chair.
        success: the record of agreeing: an exponential average of agreed / sought statements.
        condemnation: 1 in the month a statement is agreed, then fading; China weighs it.
        initiatives: forum initiatives running, as (month it ends, partner).
        sought, blocked: statements sought and blocked this month.
        allocated: what its mechanism has given each member lately (offers, fading over
            ``member.memory`` months).
    """

    def __init__(self, model: World):
        super().__init__(model)
        self.iso3 = "ASEAN"
        self.chair = ""
        self.success = model.p["asean.initial_success"]
        self.condemnation = 0.0
        self.initiatives: list[tuple[int, str]] = []
        self.sought = self.blocked = 0
        self.allocated = dict.fromkeys(model.member_by, 0.0)
        self.turn = 0  # the next member in turn, under the even-split knockout

    def rotate_chair(self) -> None:
        """Each January the chair passes to the next state, in the real order."""
        if self.model.month_of_year == 1 or not self.chair:
            self.chair = chair_of(self.model.year, tuple(self.model.member_by))

    def allocate(self, layer: str, partner: str) -> Member | None:
        """ASEAN's mechanism chooses who receives an offer a partner routed to it. Its objective is to
        spread what it is given across the members by need: a member's claim is its need (threat per
        vessel, ``Member.need``) over 1 + what the mechanism gave it lately (``allocated``), and the
        largest claim wins (ties go to the first in member order). Members that cannot use the
        instrument (no waters for vessels or maritime domain awareness) are passed over. Knockout
        ``asean_even_split``: members take turns, whatever their need. No random draw."""
        model = self.model
        members = [m for m in model.members_list if m.can_use(layer)]
        if not members:
            return None
        if model.knockout("asean_even_split"):
            chosen = members[self.turn % len(members)]
            self.turn += 1
        else:
            chosen = max(members, key=lambda m: m.need() / (1.0 + self.allocated[m.iso3]))
        self.allocated[chosen.iso3] += 1.0
        model.ledger.record(model.date, "ASEAN", "allocate", target=chosen.iso3, layer=layer, channel="routed",
                            amount=1.0, unit="offers", status="done")  # fmt: skip
        return chosen

    def draft(self) -> float:
        """The chair drafts the statement, and chooses how strong it is. A chair whose own stance is for
        condemning (``Member.stance`` >= 0) drafts the strongest text, between ``asean.softest_draft``
        and 1, that it expects every member to support (it knows their stances from the consultations);
        when no text in that range would pass, the full text, to be blocked. A chair whose stance is
        against drafts the softest text it may table, ``asean.softest_draft``. Softening costs the
        statement its weight: China weighs an agreed statement by its strength. Knockout
        ``chair_tables_full_text``: every chair tables the full text."""
        model, p = self.model, self.model.p
        if model.knockout("chair_tables_full_text"):
            return 1.0
        softest = p["asean.softest_draft"]
        chair = model.member_by.get(self.chair)
        if chair is not None and chair.stance() < 0.0:
            return softest
        strength = 1.0
        for member in model.members_list:
            balance = member.stance()
            if balance < 0.0:
                strength = min(strength, p["member.block_norm"] / -balance)
        return strength if strength >= softest else 1.0

    def seek_statement(self) -> None:
        """After a month with coercion incidents at members' features, seek a statement on maritime
        coercion. The chair drafts it (:meth:`draft`); it needs consensus: each member votes on the
        draft, and one vote against blocks it. The record of agreeing and the condemnation China weighs
        (the draft's strength) follow the outcome."""
        model, p = self.model, self.model.p
        self.sought = self.blocked = 0
        self.condemnation *= 1.0 - p["asean.condemnation_decay"]
        if model.month["coercion"] < p["asean.statement_threshold"]:
            return
        self.sought = 1
        strength = self.draft()
        against = [m.iso3 for m in model.members_list if not m.vote(strength)]
        agreed = not against
        self.blocked = int(not agreed)
        self.success += p["asean.memory"] * (float(agreed) - self.success)
        if agreed:
            self.condemnation = strength
        model.ledger.record(
            model.date, "ASEAN", "statement", target="CHN", amount=len(against), unit="members against",
            status="agreed" if agreed else "blocked",
        )  # fmt: skip

    def habit(self) -> float:
        """The habit of agreeing that running forum initiatives build, in [0, 1): their number over
        (their number + ``asean.forum_half``)."""
        running = len(self.initiatives)
        return running / (running + self.model.p["asean.forum_half"])

    def forum_power(self) -> float:
        """Forums' power to defuse a confrontation, in [0, 1]: the habit of agreeing the running
        initiatives build (:meth:`habit`), times the share of members taking part in ASEAN-led
        cooperation, times ASEAN's record of agreeing."""
        return self.habit() * self.model.participation * self.success

    def expire(self) -> None:
        """Forum initiatives end when their lifetime is over; the mechanism's memory of what it gave each
        member fades (1/e in ``member.memory`` months)."""
        now = self.model.t  # months since the spin-up began, as the initiatives' ends are counted
        self.initiatives = [(end, who) for end, who in self.initiatives if end > now]
        keep = math.exp(-1.0 / self.model.p["member.memory"])
        self.allocated = {iso3: n * keep for iso3, n in self.allocated.items()}
