"""Shared helpers: a tiny, hand-built region to test rules on (copy these to test your own rule changes).

The tiny world has up to three ASEAN members, chosen so that the numbers are easy to work out by hand:

    member  coastline  maritime exposure  absorption  milex_weight  starting capacity  ties
    PHL     400 km     2/3                0.30        1             0.6                USA treaty ally, JPN access
    VNM     100 km     1/3                0.15        1/4           0.3                JPN partnership + vessels
    LAO     0 km       0 (landlocked)     0.15        1/4           0.3                none

(with the defaults threats.coastline_exponent = 0.5, capacity.absorption = 0.3 and capacity.initial_min/max
= 0.2/0.6; GDP is 4:1:1 and military spending 16:1:1). The three ties marked are bilateral dyads (the
vessels tie is not); AUS and IND have no ties. Every member and partner sits in every forum, and every
member is a ReCAAP party, unless you say otherwise.

Usage in a test::

    def test_something(tiny_model):
        model = tiny_model(3, **{"quad.min_partners": 1})        # parameters by dotted name
        other = tiny_model(2, world_fields={"recaap": [True, False]})  # change the world itself
"""

from __future__ import annotations

from typing import Any

import pytest

from sim.model import RegionModel
from sim.params import Params, make_params
from sim.world import World

MEMBERS = ("PHL", "VNM", "LAO")
COASTLINE_KM = (400.0, 100.0, 0.0)
GDP_USD = (4.0e11, 1.0e11, 1.0e11)
MILEX = (4000.0, 250.0, 250.0)
TIES = (
    ("USA", "PHL", "treaty_ally"),
    ("JPN", "PHL", "access_agreement"),
    ("JPN", "VNM", "bilateral_partnership"),
    ("JPN", "VNM", "vessels"),
)


def build_tiny_world(params: Params, n_members: int = 3, **fields: Any) -> World:
    """The first ``n_members`` members of the table above; ``fields`` replace any World.build argument.

    World.build needs the same params as the model: it uses threats.coastline_exponent,
    capacity.absorption and forums.channels."""
    args: dict[str, Any] = {
        "members": list(MEMBERS[:n_members]),
        "coastline_km": list(COASTLINE_KM[:n_members]),
        "gdp_usd": list(GDP_USD[:n_members]),
        "milex": list(MILEX[:n_members]),
        "ties": TIES,
    }
    args.update(fields)
    return World.build(params=params, **args)


def build_tiny_model(
    n_members: int = 3, *, rng: int = 1, world_fields: dict[str, Any] | None = None, **overrides: Any
) -> RegionModel:
    """A RegionModel on the tiny world, at month 0 (no step run yet)."""
    world = build_tiny_world(make_params(overrides), n_members, **(world_fields or {}))
    return RegionModel(rng=rng, world=world, **overrides)


@pytest.fixture
def tiny_model():
    """The factory ``tiny_model(n_members=3, *, rng=1, world_fields=None, **overrides)``."""
    return build_tiny_model
