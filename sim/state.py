"""What the model remembers from one month to the next, as arrays over ASEAN members (index i),
partners (index p, in PARTNERS order), threat domains (index d) and forum channels (index c).

Rules in ``sim/rules.py`` read and change these arrays; agents in ``sim/agents.py`` are views onto them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.params import DOMAINS, LAYERS, PARTNERS, Params
from sim.rules import asean_cohesion, normalise_rows
from sim.world import World


@dataclass(eq=False)
class RegionState:
    """Mutable state of the region. Bounded quantities stay in [0, 1]."""

    capacity: np.ndarray  # (i, d) chance a member resolves an incident alone
    tension: np.ndarray  # (i,) in [0, 1]
    deterrence: np.ndarray  # (i,) in [0, 1], from patrols and bilateral commitments
    awareness_quad: np.ndarray  # (i,) maritime detection gain from Quad awareness sharing
    awareness_asean: np.ndarray  # (i,) maritime detection gain from intra-ASEAN information sharing
    alignment: np.ndarray  # (i, p) how close member i stands to partner p; 0 is neutral
    trust: np.ndarray  # (i, p) member i's trust in partner p
    support: np.ndarray  # (i, p) remembered support received (decays by decay.support_memory)
    near_repeat: np.ndarray  # (i,) extra maritime arrival rate from recent incidents
    forum_stock: np.ndarray  # (c,) remembered investment in each forum channel
    forum_power: np.ndarray  # (c,) effectiveness of each channel in [0, 1]
    pressure: float  # challenger's pressure multiplier
    target_weights: np.ndarray  # (i,) where the challenger's pressure falls; sums to 1 (or 0)
    centrality: float  # remembered share of cooperation routed through ASEAN
    withdrawn: np.ndarray  # (p,) True once a partner has withdrawn
    cohesion: float  # ASEAN cohesion after this month's alignment update (see rules.asean_cohesion)
    # per-step tallies, reset at the start of every step
    arrivals: np.ndarray = field(default=None)  # (i, d) incidents this month
    grey_zone: np.ndarray = field(default=None)  # (i,) of which grey-zone coercion
    resolved: np.ndarray = field(default=None)  # (i, d)
    escalations: np.ndarray = field(default=None)  # (i, d)
    absorb_left: np.ndarray = field(default=None)  # (i,) absorptive capacity left this month
    volume_total: float = 0.0  # effort used this month by all partners
    volume_routed: float = 0.0  # of which routed through ASEAN-led mechanisms
    visible: float = 0.0  # visible military cooperation this month (effort units)
    ties: np.ndarray = field(default=None)  # (layer, p, i) support this month, for the network view
    preference: np.ndarray = field(default=None)  # (p, i) where each partner directs its own effort

    @classmethod
    def initial(cls, world: World, params: Params) -> RegionState:
        """The state at month 0.

        Capacity starts between capacity.initial_min and capacity.initial_max, in proportion to the
        square root of military spending relative to the largest ASEAN spender (equal across domains).
        Alignment starts at alignment.initial_per_tie per documented tie (capped at 1); trust starts
        equal to alignment. Forums start with no investment, and pressure at challenger.intensity.
        """
        n, P, D = world.n, len(PARTNERS), len(DOMAINS)
        lo, hi = params["capacity.initial_min"], params["capacity.initial_max"]
        cap = lo + (hi - lo) * world.milex_weight
        align = np.minimum(1.0, params["alignment.initial_per_tie"] * world.ties.T)
        exposure = world.exposure[:, 0]
        weights = exposure / exposure.sum() if exposure.sum() > 0 else np.zeros(n)
        channels = world.forum_members.shape[0]
        state = cls(
            capacity=np.repeat(cap[:, None], D, axis=1),
            tension=np.zeros(n),
            deterrence=np.zeros(n),
            awareness_quad=np.zeros(n),
            awareness_asean=np.zeros(n),
            alignment=align,
            trust=align.copy(),
            support=np.zeros((n, P)),
            near_repeat=np.zeros(n),
            forum_stock=np.zeros(channels),
            forum_power=np.zeros(channels),
            pressure=params["challenger.intensity"],
            target_weights=weights,
            centrality=0.0,
            withdrawn=np.zeros(P, dtype=bool),
            cohesion=asean_cohesion(align),
        )
        state.preference = normalise_rows(world.ties + align.T)
        state.reset_tallies()
        return state

    def reset_tallies(self) -> None:
        """Zero the per-step counts (called at the start of each step)."""
        n, P, D = self.capacity.shape[0], self.alignment.shape[1], self.capacity.shape[1]
        self.arrivals = np.zeros((n, D), dtype=np.int64)
        self.grey_zone = np.zeros(n, dtype=np.int64)
        self.resolved = np.zeros((n, D), dtype=np.int64)
        self.escalations = np.zeros((n, D), dtype=np.int64)
        self.absorb_left = np.zeros(n)
        self.volume_total = 0.0
        self.volume_routed = 0.0
        self.visible = 0.0
        self.ties = np.zeros((len(LAYERS), P, n))
