"""The history period, January 2007 to December 2024, and its documented events.

``python -m sim run --period history`` runs the model over 2007-2024 with the events of
``sim/model/data/history_events.csv`` as dated inputs; ``--period history-free`` runs the same months with
none, so that the agents decide everything. Each event changes what an actor does or has (a patrol
effort, a prosecution rate, joint patrols, a leader's orientation, a budget, the instruments a
partner has, the state's pressure on the kidnap group ashore), never an outcome: no event removes syndicates or sets a
count. Events dated before the model's first month (the spin-up starts ``run.spinup`` months before
2007-01) take effect in that first month.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from sim.model.params import HISTORY_START, month_number

if TYPE_CHECKING:
    from sim.model.region import RegionModel

#: the periods a run can cover (``run.period``)
PERIODS = ("outlook", "history", "history-free")
HISTORY_END = "2024-12"
#: months of the history period
HISTORY_MONTHS = month_number(HISTORY_END) - month_number(HISTORY_START) + 1
EVENT_KINDS = (
    "budget",
    "layer",
    "joint_patrol",
    "info_sharing",
    "crackdown",
    "access_agreement",
    "arbitration",
    "leader",
    "land_pressure",
)


@dataclass(frozen=True)
class Event:
    """One row of ``sim/model/data/history_events.csv``."""

    month: int  # months since year 0
    date: str
    kind: str
    states: tuple[str, ...]
    partners: tuple[str, ...]
    area: str
    value: float
    description: str
    source: str


def _codes(cell: str) -> tuple[str, ...]:
    return tuple(c for c in cell.split(";") if c)


@lru_cache(maxsize=1)
def events() -> tuple[Event, ...]:
    """The documented events, in date order (``sim/model/data/history_events.csv``, a source on each row)."""
    text = resources.files("sim.model.data").joinpath("history_events.csv").read_text(encoding="utf-8")
    out = []
    for row in csv.DictReader(text.splitlines()):
        if row["kind"] not in EVENT_KINDS:
            raise ValueError(f"history_events.csv: unknown kind {row['kind']!r} on {row['date']}")
        if row["kind"] == "land_pressure" and not 0.0 <= float(row["value"]) <= 1.0:
            raise ValueError(f"history_events.csv: land_pressure {row['value']} on {row['date']} is not in [0, 1]")
        out.append(
            Event(
                month=month_number(row["date"], "history_events.csv date"),
                date=row["date"],
                kind=row["kind"],
                states=_codes(row["state"]),
                partners=_codes(row["partner"]),
                area=row["area"],
                value=float(row["value"]),
                description=row["description"],
                source=row["source"],
            )
        )
    return tuple(sorted(out, key=lambda e: e.month))


def due(first_month: bool, now: int) -> list[Event]:
    """The events that take effect in month ``now`` (months since year 0); in the first month,
    every event dated up to it."""
    return [e for e in events() if e.month == now or (first_month and e.month < now)]


def apply(model: RegionModel, event: Event) -> None:
    """Let ``event`` change what its actors do or have, and record it in the ledger."""
    p = model.p
    if event.kind == "budget":
        for iso3 in event.partners:
            model.partner_by[iso3].base_budget = event.value
    elif event.kind == "layer":
        for iso3 in event.partners:
            model.partner_by[iso3].set_layer("quad", bool(event.value))
    elif event.kind == "joint_patrol":
        model.committed_joint[event.area] = tuple(s for s in event.states if s in model.member_by)
    elif event.kind == "info_sharing":
        model.info_sharing.add(event.area)
    elif event.kind == "crackdown":
        member = model.member_by[event.states[0]]
        until = model.t + p["history.crackdown_months"]
        member.crackdown[event.area] = until
    elif event.kind == "access_agreement":
        member = model.member_by[event.states[0]]
        for partner in event.partners:
            member.affinity[partner] = min(1.0, member.affinity.get(partner, 0.0) + p["member.affinity_per_tie"])
        model.china.challenge[member.iso3] += p["history.challenge"]
    elif event.kind == "arbitration":
        model.china.challenge[event.states[0]] += p["history.challenge"]
    elif event.kind == "leader":
        model.member_by[event.states[0]].orientation = event.value
    elif event.kind == "land_pressure":
        for group in model.kidnappers.select(lambda g: g.area == event.area):
            group.pressure = event.value
    actor = ";".join(event.states or event.partners)
    model.ledger.record(model.date, actor, "event", area=event.area, amount=event.value, unit=event.kind, status="done")
