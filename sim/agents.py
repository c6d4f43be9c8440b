"""The agents: partner states, ASEAN members and the challenger.

Agents are Mesa agents that know who they are (ISO3 code, index into the state arrays). Their numbers
live in ``model.state`` and their rules in ``sim/rules.py``, written over arrays so that a rule treats
all members (or all partners) at once: this file says who is who, ``rules.py`` says what they do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.params import LAYERS

if TYPE_CHECKING:
    from sim.model import RegionModel


class StateAgent(mesa.Agent):
    """A state: its ISO3 code and its row in the model's state arrays."""

    model: RegionModel

    def __init__(self, model: RegionModel, iso3: str, index: int) -> None:
        super().__init__(model)
        self.iso3 = iso3
        self.index = index


class PartnerState(StateAgent):
    """Japan, the United States, Australia or India, acting on its cooperation policy.

    Its policy is ``model.p.policy(iso3)``: which layers are on, the budget, its allocation and
    ``asean_coordination``."""

    @property
    def withdrawn(self) -> bool:
        """True once a withdrawal shock has hit this partner."""
        return bool(self.model.state.withdrawn[self.index])

    def layer_efforts(self) -> dict[str, float]:
        """This month's effort per layer: budget x allocation weight, normalised over the active
        layers; nothing once withdrawn. The actions themselves are the layer rules in ``sim/rules.py``
        (``quad_act``, ``bilateral_act``, ``forums_act``, ``capacity_act``), run by ``partners_act``."""
        efforts = self.model.layer_effort[self.index] * (not self.withdrawn)
        return dict(zip(LAYERS, efforts.tolist(), strict=True))


class AseanMember(StateAgent):
    """An ASEAN member: faces threats, holds capacity per domain, chooses how close to stand to each
    partner. Its monthly actions (invest, align, share information) are the ``members_*`` rules."""

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
