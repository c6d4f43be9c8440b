"""What the agents' rules read of the world around them: the calendar, the switches, ids for agents
made during a run, and the shared state the model keeps.

``RegionModel`` (``sim/model/region.py``) is a ``World``: it builds the state declared here and runs the
schedule. The agents are written against ``World``, the floor below the model class, so an agent's module
depends on what its rules use and not on the schedule that calls them.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

import mesa

from sim.model.areas import AreaRecord
from sim.model.ledger import Ledger
from sim.model.mesa_compat import forget_model_ids
from sim.model.params import Params
from sim.model.streams import Streams

if TYPE_CHECKING:
    from mesa.agent import AgentSet
    from mesa.discrete_space import Network

    from sim.model.agents.asean import Asean
    from sim.model.agents.china import China
    from sim.model.agents.members import Member
    from sim.model.agents.partners import Partner


class World(mesa.Model):
    """The calendar, the knockout switches, agent ids and the state the agents read.

    Attributes (set by ``RegionModel.__init__``):
        p: the run's parameters. streams: its named random streams. ledger: the actions recorded.
        t0: months since year 0 at the first step (the spin-up's first month). t: steps taken - 1.
        date: this month as YYYY-MM.
        areas: every sea area and feature by code; sea: the Mesa network space of them.
        member_by, partner_by: the agents by ISO3; asean, china: the two single agents.
        detection, arrest_risk, gang_size, threat, traffic: each area's state this month.
    """

    p: Params
    streams: Streams
    ledger: Ledger
    t0: int
    t: int
    date: str
    last_id: int
    areas: dict[str, AreaRecord]
    area_records: tuple[AreaRecord, ...]
    area_codes: list[str]
    feature_codes: list[str]
    sea: Network
    traffic: dict[str, float]
    detection: dict[str, float]
    arrest_risk: dict[str, float]
    prosecution: dict[str, float]
    gang_size: dict[str, int]
    threat: dict[str, float]
    recent_escalations: dict[str, float]
    committed_joint: dict[str, tuple[str, ...]]
    info_sharing: set[str]
    joint: set[str]
    member_by: dict[str, Member]
    members_list: list[Member]
    partner_by: dict[str, Partner]
    asean: Asean
    china: China
    syndicates: AgentSet
    kidnappers: AgentSet
    exercises: dict[str, int]
    routed_provocation: dict[str, float]
    alignment_history: deque[dict[str, float]]
    choices: deque[tuple[int, int, int, int]]
    participation: float
    mean_alignment: float
    month: dict[str, float]

    # --- calendar ----------------------------------------------------------------------------------

    @property
    def year(self) -> int:
        return (self.t0 + self.t) // 12

    @property
    def month_of_year(self) -> int:
        return (self.t0 + self.t) % 12 + 1

    def _date(self) -> str:
        return f"{self.year:04d}-{self.month_of_year:02d}"

    @property
    def outlook_month(self) -> int:
        """Months since the outlook started: 1 in its first month, 0 or less during the spin-up."""
        return self.t + 1 - self.p["run.spinup"]

    # --- switches ----------------------------------------------------------------------------------

    def knockout(self, name: str) -> bool:
        """True when the decision ``name`` is switched to its passive rule (``knockout.<name>``)."""
        return bool(self.p[f"knockout.{name}"])

    # --- ids ---------------------------------------------------------------------------------------

    def new_id(self) -> int:
        """An id for an agent created during the run (Mesa's own counter is dropped, see forget_ids)."""
        self.last_id += 1
        return self.last_id

    def forget_ids(self) -> None:
        """Drop this model from Mesa's class-level counter of agent ids (``mesa_compat``); agents created
        later take their ids from ``new_id``."""
        forget_model_ids(self)

    # --- what the agents read ----------------------------------------------------------------------

    def vessels_at(self, feature: str) -> float:
        """Claimant patrol vessels at a feature, plus partners' vessels on exercise with the claimant."""
        claimant = self.areas[feature].claimants[0]
        member = self.member_by[claimant]
        return member.patrol.get(feature, 0.0) + self.p["china.exercise_vessels"] * self.exercises[claimant]

    @property
    def alignment_year_ago(self) -> dict[str, float]:
        """Each member's alignment twelve months ago (or at the start, in the first year)."""
        return self.alignment_history[0]
