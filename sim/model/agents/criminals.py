"""Threat actors at sea: criminal syndicates that rob ships, and a kidnap-for-ransom group.

Both live in a cell of the sea (``sim/model/areas.py``) as Mesa ``CellAgent``s. What they do depends on
the risk they face there, which the states' patrols make: ``RegionModel.assess_risk`` computes each
area's chance that an attempt is detected (``model.detection``) and each member of a group's chance
of arrest and conviction in a month (``model.arrest_risk``). Surges come from groups that grow with
loot; collapses from arrests where patrols, joint patrols, shared information and prosecution are
strong; displacement from groups moving where the risk is lower. Nothing here is a time-varying rate
fed in from outside.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from mesa.discrete_space import CellAgent

from sim.model.mesa_compat import neighbours

if TYPE_CHECKING:
    from sim.model.world import World


class Outlaw(CellAgent):
    """What the two kinds of threat actor share: an id given by the model (``World.new_id``) and a cell
    of the sea; the area they are in is that cell's."""

    def __init__(self, model: World, area: str):
        super().__init__(model)
        self.unique_id = model.new_id()
        self.cell = model.sea[area]

    @property
    def area(self) -> str:
        """The code of the sea area it is in (its cell's)."""
        return self.cell.area.code


class Syndicate(Outlaw):
    """A criminal group robbing ships in one ReCAAP sea area.

    A group that splits stays part of one organised network with its offshoot (same leaders, fences
    and buyers): when the state breaks up one group of a network, what it learns can roll up the rest
    (``RegionModel.break_up``).

    Attributes:
        size: members (a whole number; the group is broken up at zero).
        loot: successful robberies this month.
        network: the id of the organised network it belongs to (its founding group's id).
    """

    def __init__(self, model: World, area: str, size: int, network: int | None = None):
        super().__init__(model, area)
        self.size = size
        self.loot = 0
        self.network = self.unique_id if network is None else network

    def rob(self) -> int:
        """Attempt robberies at a rate that grows with the group's size and the area's traffic; an
        attempt fails when it is detected. Returns the attempts (ReCAAP counts actual and attempted)."""
        model, p = self.model, self.model.p
        rng = model.streams["crime"]
        attempts = int(rng.poisson(p["crime.attempt_rate"] * self.size * model.traffic[self.area]))
        self.loot = int(rng.binomial(attempts, 1.0 - model.detection[self.area])) if attempts else 0
        return attempts

    def visibility(self) -> float:
        """How easily the state finds the group's leaders: its size over ``crime.split_size``, at most 1."""
        return min(1.0, self.size / self.model.p["crime.split_size"])

    def face_arrest(self) -> tuple[int, bool]:
        """Lose members to arrest and conviction (each at ``crime.arrest`` x the area's risk), or be
        broken up altogether when the state catches its leaders: a chance ``crime.breakup`` x the
        area's risk x its visibility. Returns (members lost, whether it was broken up)."""
        model, p = self.model, self.model.p
        rng = model.streams["crime"]
        risk = model.arrest_risk[self.area]
        if rng.random() < p["crime.breakup"] * risk * self.visibility():
            arrested, self.size = self.size, 0
            return arrested, True
        arrested = int(rng.binomial(self.size, p["crime.arrest"] * risk))
        self.size -= arrested
        return arrested, False

    def grow(self) -> None:
        """Recruit with loot, less as the area's opportunities fill up (``crime.capacity`` members per
        unit of traffic); members drift away at ``crime.attrition`` a month; a group grown past
        ``crime.split_size`` splits in two."""
        model, p = self.model, self.model.p
        rng = model.streams["crime"]
        room = max(0.0, 1.0 - model.gang_size[self.area] / (p["crime.capacity"] * model.traffic[self.area]))
        self.size += int(rng.poisson(p["crime.recruit"] * self.loot * room))
        self.size -= int(rng.binomial(self.size, p["crime.attrition"])) if self.size > 0 else 0
        if self.size > p["crime.split_size"]:
            half = self.size // 2
            self.size -= half
            Syndicate(model, self.area, half, network=self.network)

    def move(self) -> None:
        """Move to the neighbouring sea area with the best prospects (traffic where robbery goes
        undetected) when the risk here has grown: with a chance ``crime.displacement`` times how much
        lower the risk there is."""
        model, p = self.model, self.model.p
        here = model.detection[self.area]
        options = [cell for cell in neighbours(self.cell) if cell.area.kind == "recaap_area"]
        if not options or here <= 0:
            return
        best = max(
            options, key=lambda c: (model.traffic[c.area.code] * (1.0 - model.detection[c.area.code]), c.area.code)
        )
        gain = here - model.detection[best.area.code]
        if gain > 0 and model.streams["crime"].random() < p["crime.displacement"] * gain:
            model.ledger.record(model.date, "", "displacement", area=best.area.code, amount=self.size, unit="members")
            self.cell = best

    def disband(self) -> bool:
        """A group with no members left is gone. True when it was removed."""
        if self.size <= 0:
            self.remove()
            return True
        return False


class KidnapGroup(Outlaw):
    """A kidnap-for-ransom group of the Sulu archipelago, raiding from its bases into the Sulu-Celebes
    Seas (its area).

    It exists in every period (such groups are decades older than the first abduction at sea in ReCAAP's
    records). Each month it chooses where to take hostages (``choose_ground``): ships at sea or
    people ashore (coastal towns and resorts). What it takes ashore is not an abduction at sea and is
    counted apart (``hostages_ashore``). The state's pressure on it ashore is an input: a dated event
    of the history period sets it, otherwise it is ``kidnap.land_pressure``.

    Attributes:
        fighters: its armed members.
        funds: what it holds for upkeep, in fighter-months (one fighter kept for a month costs one).
        pressure: the state's pressure on it ashore, 0 (none) to 1 (a campaign at full strength).
        ground: where it takes hostages this month, "sea" or "shore".
        abducted: crew it abducted at sea this month.
        hostages: people it took ashore this month.
    """

    def __init__(self, model: World, area: str, fighters: int, pressure: float):
        super().__init__(model, area)
        self.fighters = fighters
        self.funds = model.p["kidnap.reserve"] * fighters
        self.pressure = pressure
        self.ground = "shore"
        self.abducted = 0
        self.hostages = 0

    def prospects(self) -> dict[str, tuple[float, float]]:
        """What each ground offers this month: (expected hostages per fighter, expected share of its
        fighters lost to the raids themselves). At sea: raids at ``kidnap.raid_rate`` x
        (1 - detection)^``kidnap.deterrence``, of which the undetected take ``kidnap.crew`` crew; losses
        at the area's arrest risk raised by ``kidnap.exposure``. Ashore: ``kidnap.land_yield`` x
        (1 - pressure), the pressure taking the targets out of reach; the campaign's losses fall on its
        bases wherever it raids (``regroup``)."""
        p = self.model.p
        d = self.model.detection[self.area]
        sea = p["kidnap.raid_rate"] * (1.0 - d) ** p["kidnap.deterrence"] * (1.0 - d) * p["kidnap.crew"]
        shore = p["kidnap.land_yield"] * (1.0 - self.pressure)
        return {"sea": (sea, self._arrest_share()), "shore": (shore, 0.0)}

    def _arrest_share(self) -> float:
        """The share of its fighters a month at sea exposes to arrest: the area's arrest risk raised by
        ``kidnap.exposure``, at most 1."""
        p = self.model.p
        return min(1.0, p["kidnap.exposure"] * p["crime.arrest"] * self.model.arrest_risk[self.area])

    def caution(self) -> float:
        """How much the group weighs the risk to its fighters: the share of its reserve
        (``kidnap.reserve`` months of upkeep) it holds, at most 1. A group short of funds takes risks
        a well-funded one avoids."""
        want = self.model.p["kidnap.reserve"] * self.fighters
        return 1.0 if want <= 0 else min(1.0, self.funds / want)

    def choose_ground(self) -> str:
        """Take hostages where the expected hostages per fighter, less the fighters expected to be lost
        weighed by caution, is higher; a fighter lost is worth the hostages whose ransoms would replace
        it (``kidnap.recruit_cost`` / ``kidnap.ransom``). On a tie it stays ashore. Knockout
        (``knockout.kidnappers_ignore_situation``): it raids at sea every month, whatever its funds,
        the pressure ashore or the patrols at sea."""
        if self.model.knockout("kidnappers_ignore_situation"):
            self.ground = "sea"
            return self.ground
        p = self.model.p
        caution, replace = self.caution(), p["kidnap.recruit_cost"] / max(p["kidnap.ransom"], 1e-9)
        value = {g: taken - caution * lost * replace for g, (taken, lost) in self.prospects().items()}
        self.ground = "sea" if value["sea"] > value["shore"] else "shore"
        return self.ground

    def raid(self) -> tuple[int, int]:
        """Raid ships at a rate that grows with its fighters and falls steeply with the chance of being
        caught (raids need the boats to get away unseen). A raid that is not detected takes crew:
        ``kidnap.crew`` on average. Returns (raids, successful abductions)."""
        model, p = self.model, self.model.p
        rng = model.streams["kidnap"]
        d = model.detection[self.area]
        rate = p["kidnap.raid_rate"] * self.fighters * (1.0 - d) ** p["kidnap.deterrence"]
        raids = int(rng.poisson(rate))
        taken = int(rng.binomial(raids, 1.0 - d)) if raids else 0
        self.abducted = sum(1 + int(rng.poisson(p["kidnap.crew"] - 1.0)) for _ in range(taken))
        return raids, taken

    def raid_shore(self) -> int:
        """Take hostages ashore at ``kidnap.land_yield`` a fighter a month, less as the pressure on it
        grows. Returns the hostages taken."""
        rate = self.model.p["kidnap.land_yield"] * (1.0 - self.pressure) * self.fighters
        self.hostages = int(self.model.streams["kidnap"].poisson(rate))
        return self.hostages

    def regroup(self) -> int:
        """Ransoms (``kidnap.ransom`` fighter-months a hostage) go into its funds, and the fighters'
        upkeep (a fighter-month each) comes out of them; funds never go below zero. What it then holds
        above its reserve (``kidnap.reserve`` months of upkeep) buys recruits at
        ``kidnap.recruit_cost`` each while its base has room (up to ``kidnap.fighters``), and what is
        still above the reserve after that is not kept. Fighters are then lost to arrest when it was at
        sea (at the area's risk raised by ``kidnap.exposure``), to the campaign against its bases ashore
        wherever it raided (pressure x ``kidnap.campaign_loss``), and to attrition. Returns the fighters
        lost to arrest and the campaign."""
        model, p = self.model, self.model.p
        rng = model.streams["kidnap"]
        taken = self.abducted + self.hostages
        self.funds = max(0.0, self.funds + p["kidnap.ransom"] * taken - self.fighters)
        spare = self.funds - p["kidnap.reserve"] * self.fighters
        room = max(0, p["kidnap.fighters"] - self.fighters)
        recruits = min(room, int(spare // p["kidnap.recruit_cost"])) if spare > 0 else 0
        self.funds -= recruits * p["kidnap.recruit_cost"]
        self.fighters += recruits
        self.funds = min(self.funds, p["kidnap.reserve"] * self.fighters)
        raid_loss = self._arrest_share() if self.ground == "sea" else 0.0
        lost_share = 1.0 - (1.0 - raid_loss) * (1.0 - self.pressure * p["kidnap.campaign_loss"])
        lost = int(rng.binomial(self.fighters, lost_share))
        self.fighters -= lost
        self.fighters -= int(rng.binomial(self.fighters, p["kidnap.attrition"])) if self.fighters > 0 else 0
        return lost


def detection_chance(vessels: float, per_vessel: float, joint: bool, coordination: float, aware: float) -> float:
    """The chance that a robbery attempt in an area is detected: 1 - exp(-per_vessel x effective
    vessels), where joint patrols multiply the vessels by (1 + coordination) (no cross-border safe
    haven) and shared maritime domain awareness by (1 + aware)."""
    effective = vessels * (1.0 + coordination * joint) * (1.0 + aware)
    return 1.0 - math.exp(-per_vessel * effective)
