"""Shared helpers: a model at its first month, to test one decision on a situation you set by hand
(copy these to test your own rule changes).

Usage in a test::

    def test_something(fresh_model):
        model = fresh_model(**{"member.sovereignty": 3.0})   # parameters by dotted name
        model.threat["SOMS"] = 5.0                            # set the situation
        model.member_by["IDN"].patrol_areas()                 # call one decision
"""

from __future__ import annotations

from typing import Any

import pytest

from sim.model import RegionModel


def build_fresh_model(*, rng: int = 1, **overrides: Any) -> RegionModel:
    """A RegionModel before its first month, without a spin-up: partners have no plan yet
    (call ``plan_year``), nobody has patrolled (call ``patrol``), the ledger is empty."""
    return RegionModel(rng=rng, **{"run.spinup": 0, **overrides})


@pytest.fixture
def fresh_model():
    """The factory ``fresh_model(*, rng=1, **overrides)``."""
    return build_fresh_model
