"""The agents: partner states, ASEAN members and the challenger.

Agents are Mesa agents that know who they are (ISO3 code, index into the state arrays) and how they
act; their numbers live in ``model.state`` so that rules can treat all members at once. A partner's
monthly action is :meth:`PartnerState.act`; the layer actions it calls are in ``sim/rules.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.params import LAYERS
from sim.rules import LAYER_ACTIONS

if TYPE_CHECKING:
    from sim.model import RegionModel


class PartnerState(mesa.Agent):
    """Japan, the United States, Australia or India, acting on its cooperation policy."""

    model: RegionModel

    def __init__(self, model: RegionModel, iso3: str, index: int) -> None:
        super().__init__(model)
        self.iso3 = iso3
        self.index = index

    @property
    def withdrawn(self) -> bool:
        """True once a withdrawal shock has hit this partner."""
        return bool(self.model.state.withdrawn[self.index])

    def layer_efforts(self) -> dict[str, float]:
        """This month's effort per layer: budget x allocation weight, normalised over active layers;
        nothing once withdrawn."""
        if self.withdrawn:
            return dict.fromkeys(LAYERS, 0.0)
        return dict(zip(LAYERS, self.model.layer_effort[self.index].tolist(), strict=True))

    def act(self) -> None:
        """Carry out each active layer's action with its share of the budget, in layer order
        (quad, bilateral, forums, capacity). Effort a layer cannot use (no Quad quorum, no dyads)
        is not spent."""
        if self.withdrawn:
            return
        for action, effort in zip(LAYER_ACTIONS, self.model.layer_effort[self.index], strict=True):
            if effort > 0:
                action(self.model, self.index, float(effort))


class AseanMember(mesa.Agent):
    """An ASEAN member: faces threats, holds capacity per domain, chooses how close to stand to each
    partner. Its monthly actions (invest, align, share information) are the ``members_*`` rules."""

    model: RegionModel

    def __init__(self, model: RegionModel, iso3: str, index: int) -> None:
        super().__init__(model)
        self.iso3 = iso3
        self.index = index

    @property
    def capacity(self) -> np.ndarray:
        """Capacity per threat domain (a copy)."""
        return self.model.state.capacity[self.index].copy()

    @property
    def tension(self) -> float:
        return float(self.model.state.tension[self.index])

    @property
    def alignment(self) -> np.ndarray:
        """Alignment toward each partner, in PARTNERS order (a copy)."""
        return self.model.state.alignment[self.index].copy()


class Challenger(mesa.Agent):
    """The abstract external source of grey-zone maritime pressure; its rule is ``challenger_adapts``."""

    model: RegionModel

    @property
    def pressure(self) -> float:
        return float(self.model.state.pressure)

    @property
    def target_weights(self) -> np.ndarray:
        """Share of grey-zone pressure aimed at each ASEAN member (a copy)."""
        return self.model.state.target_weights.copy()
