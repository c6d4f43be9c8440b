"""The ledger of actions: who did what to whom, where, through which channel, in real units.

Agents exchange actions (DESIGN section 4): an offer, its acceptance or refusal, a delivery, a
patrol, a coercion incident, a statement... Each is one :class:`Action`, appended to the run's
:class:`Ledger` when it happens. The ledger is what a student reads to see who did what to whom, and
what a run writes out as ``actions.csv``: one row per action, the shape of the real world's event
datasets.

The vocabulary is closed: an unknown kind, layer, channel or status is a programming error and
raises at once, so a misspelt ``"decilne"`` never becomes a category of its own in the table.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import astuple, dataclass, fields
from pathlib import Path

#: what an action is; offers are answered by accept or decline, and accepted ones end in a delivery
KINDS = frozenset(
    {
        "offer",
        "allocate",
        "choose_channel",
        "accept",
        "decline",
        "delivery",
        "patrol",
        "coordinated_patrol",
        "side_payment",
        "exercise",
        "info_share",
        "forum_initiative",
        "deployment",
        "coercion",
        "escalation",
        "reward",
        "penalty",
        "statement",
        "robbery",
        "arrest",
        "raid",
        "roll_up",
        "kidnap",
        "kidnap_ashore",
        "displacement",
        "new_group",
        "event",
    }
)
#: the four layers of partners' cooperation, and "none" for actions outside them (China, crime, ASEAN)
LAYERS = frozenset({"quad", "bilateral", "forums", "capacity", "none"})
#: routed through an ASEAN-led mechanism, or direct; "none" where the distinction does not apply
CHANNELS = frozenset({"routed", "direct", "none"})
STATUSES = frozenset({"proposed", "accepted", "declined", "done", "delivered", "agreed", "blocked", "attempted"})


@dataclass(frozen=True, slots=True)
class Action:
    """One action. ``amount`` is in ``unit`` (``USD``, ``ship-days``, ``vessels``, ``incidents``...).

    Attributes:
        date: the month, ``YYYY-MM``.
        actor: ISO3 of the acting state, ``ASEAN`` for the institution, or a group's id (``SYN-3``).
        target: who it is aimed at (ISO3, ``ASEAN``, a group's id), or ``""``.
        kind, layer, channel, status: from the closed vocabularies of this module.
        area: the sea area or feature code, or ``""`` when it has no place.
    """

    date: str
    actor: str
    target: str
    kind: str
    layer: str
    channel: str
    area: str
    amount: float
    unit: str
    status: str


COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(Action))


class Ledger:
    """An append-only list of the run's actions. ``Ledger(keep=False)`` records nothing (the model's
    spin-up, whose actions are not part of the outlook, uses one: recording is a fifth of a month's cost)."""

    def __init__(self, keep: bool = True) -> None:
        self._actions: list[Action] = []
        self.keep = keep

    def record(
        self,
        date: str,
        actor: str,
        kind: str,
        *,
        target: str = "",
        layer: str = "none",
        channel: str = "none",
        area: str = "",
        amount: float = 1.0,
        unit: str = "",
        status: str = "done",
    ) -> Action | None:
        """Append one action and return it (None when not keeping); raise ValueError for a word outside
        the vocabulary."""
        if not self.keep:
            return None
        if not (kind in KINDS and layer in LAYERS and channel in CHANNELS and status in STATUSES):
            self._refuse(kind, layer, channel, status)
        action = Action(date, actor, target, kind, layer, channel, area, float(amount), unit, status)
        self._actions.append(action)
        return action

    @staticmethod
    def _refuse(kind: str, layer: str, channel: str, status: str) -> None:
        """Raise ValueError naming the first word outside the vocabulary."""
        for word, allowed, what in (
            (kind, KINDS, "kind"),
            (layer, LAYERS, "layer"),
            (channel, CHANNELS, "channel"),
            (status, STATUSES, "status"),
        ):
            if word not in allowed:
                raise ValueError(f"unknown action {what} {word!r}; expected one of {sorted(allowed)}")

    def __len__(self) -> int:
        return len(self._actions)

    def __iter__(self) -> Iterator[Action]:
        return iter(self._actions)

    def since(self, start: int) -> list[Action]:
        """The actions recorded from position ``start`` on (a month's actions: remember ``len`` first)."""
        return self._actions[start:]

    def count(self, actions: Iterable[Action] | None = None, **match: str) -> int:
        """How many actions (all, or those given) have every field equal to ``match``."""
        pool = self._actions if actions is None else actions
        return sum(all(getattr(a, k) == v for k, v in match.items()) for a in pool)

    def tally(self, by: str, actions: Iterable[Action] | None = None) -> Counter:
        """Counts of actions by the values of one field."""
        pool = self._actions if actions is None else actions
        return Counter(getattr(a, by) for a in pool)

    def rows(self) -> list[tuple]:
        """The ledger as tuples in :data:`COLUMNS` order."""
        return [astuple(a) for a in self._actions]

    def write_csv(self, path: str | Path) -> None:
        """Write ``actions.csv``: a header of :data:`COLUMNS`, then one row per action in order."""
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(COLUMNS)
            writer.writerows(self.rows())
