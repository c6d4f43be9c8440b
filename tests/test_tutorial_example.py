"""The capacity-targeting rules on a tiny hand-built world (the worked example of docs/tutorial.md)."""

import numpy as np
from pytest import approx

from sim import rules
from sim.params import PARTNERS

PHL, VNM, LAO = 0, 1, 2  # the tiny world of tests/conftest.py
USA = PARTNERS.index("USA")


def weak_lao(model):
    """Give PHL high, VNM middling and LAO low capacity, the same in every domain."""
    model.state.capacity = np.array(
        [
            [0.9, 0.9, 0.9, 0.9],  # PHL
            [0.5, 0.5, 0.5, 0.5],  # VNM
            [0.1, 0.1, 0.1, 0.1],  # LAO
        ]
    )
    return model


def test_target_neediest_favours_the_member_with_least_capacity(tiny_model):
    model = weak_lao(tiny_model(3))
    weights = rules.target_neediest(model)
    assert weights.shape == (len(PARTNERS), 3)  # one row per donor, one column per member
    assert weights.sum(axis=1) == approx(1.0)  # each row sums to 1
    assert (weights.argmax(axis=1) == LAO).all()  # every donor favours LAO
    # by hand: (1 - capacity) x absorptive capacity, which is 0.30, 0.15, 0.15 in the tiny world
    need = np.array([0.1 * 0.30, 0.5 * 0.15, 0.9 * 0.15])
    assert weights[USA] == approx(need / need.sum())


def test_the_default_rule_follows_ties_instead(tiny_model):
    model = weak_lao(tiny_model(3))
    # partners_act fixes each partner's preference before capacity building; do the same here
    model.state.preference = rules.normalise_rows(model.world.ties + model.state.alignment.T)
    weights = rules.target_closest_partners(model)
    assert weights[USA] == approx([1.0, 0.0, 0.0])  # all to PHL, its treaty ally, however strong


def test_need_targeting_leaves_lao_with_more_capacity(tiny_model):
    default = tiny_model(3, rng=1).run(60)
    need = tiny_model(3, rng=1, **{"capacity.targeting": "need"}).run(60)
    assert need.state.capacity[LAO].mean() > default.state.capacity[LAO].mean()
