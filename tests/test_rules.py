"""Each rule of ``sim/rules.py`` on the tiny hand-built world of ``conftest.py``.

The pattern: build a tiny model, set the state arrays a rule reads, call that one rule, and compare what
it changed with the formula in its docstring, worked out by hand (pytest.approx for floats).

Two stand-ins for a random stream make random rules exact: ``ExpectedDraws`` returns every draw's expected
value (and records the rates and chances the rule asked for); ``FixedOrder`` fixes the donors' order.
Install them with ``model.streams = {"threats": ExpectedDraws()}`` (only the streams the rule uses).
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from pytest import approx

from sim import rules
from sim.params import DOMAINS, PARTNERS
from sim.rules import BILATERAL, CAPACITY, FORUMS, MARITIME, QUAD

JPN, USA, AUS, IND = (PARTNERS.index(c) for c in ("JPN", "USA", "AUS", "IND"))
PHL, VNM, LAO = 0, 1, 2
EXPOSURE = np.array([2 / 3, 1 / 3, 0.0])  # maritime exposure of the tiny world (see conftest.py)
ABSORPTION = np.array([0.3, 0.15, 0.15])
FOCUS = np.array([0.6, 0.1, 0.15, 0.15])  # capacity.focus defaults (they sum to 1)


class ExpectedDraws:
    """Stands in for a random stream: each draw returns its expected value; ``calls`` records the rates
    (poisson) and chances (binomial) the rule asked for."""

    def __init__(self) -> None:
        self.calls: list[np.ndarray] = []

    def poisson(self, lam):
        lam = np.array(lam, dtype=float)
        self.calls.append(lam)
        return lam.copy()

    def binomial(self, n, p):
        p = np.broadcast_to(np.asarray(p, dtype=float), np.shape(n)).copy()
        self.calls.append(p)
        return np.asarray(n, dtype=float) * p


class FixedOrder:
    """Stands in for the partner_order stream: partners act in the given order."""

    def __init__(self, order: list[int]) -> None:
        self.order = order

    def permutation(self, n: int) -> np.ndarray:
        assert n == len(self.order)
        return np.array(self.order)


def ready(model):
    """Start a month as step() does up to the partners' phase: tallies reset, absorption refilled, and
    each partner's preference fixed from ties + alignment (as partners_act does)."""
    rules.begin_month(model)
    model.state.preference = rules.normalise_rows(model.world.ties + model.state.alignment.T)
    return model


def efforts(**by_partner: float) -> np.ndarray:
    """An effort array over PARTNERS, e.g. efforts(JPN=1.0)."""
    out = np.zeros(len(PARTNERS))
    for iso3, value in by_partner.items():
        out[PARTNERS.index(iso3)] = value
    return out


def sat(x, scale):
    """saturate, written out: 1 - exp(-x / scale)."""
    return 1.0 - np.exp(-np.asarray(x, dtype=float) / scale)


# ---- helpers ------------------------------------------------------------------------------------------


def test_saturate_has_diminishing_returns():
    first = rules.saturate(1.0, 0.3) - rules.saturate(0.0, 0.3)
    second = rules.saturate(2.0, 0.3) - rules.saturate(1.0, 0.3)
    assert 0 < second < first
    assert rules.saturate(0.0, 0.3) == 0.0
    assert rules.saturate(0.3, 0.3) == approx(1 - math.exp(-1))


def test_second_unit_of_patrol_effort_adds_less_deterrence_than_the_first(tiny_model):
    levels = []
    for units in (0.0, 1.0, 2.0):
        model = ready(tiny_model())
        if units:
            rules.quad_act(model, efforts(JPN=units))
        levels.append(model.state.deterrence[PHL])
    first, second = levels[1] - levels[0], levels[2] - levels[1]
    assert 0 < second < first


def test_raise_toward_and_normalise_rows():
    assert rules.raise_toward(np.array([0.2]), 1.0, 0.5) == approx([0.6])
    rows = rules.normalise_rows(np.array([[1.0, 3.0], [0.0, 0.0]]))
    assert rows == approx(np.array([[0.25, 0.75], [0.5, 0.5]]))


# ---- 0. a new month -------------------------------------------------------------------------------------


def test_begin_month_resets_tallies_and_refills_absorption(tiny_model):
    model = tiny_model()
    s = model.state
    s.arrivals += 4
    s.grey_zone += 1
    s.resolved += 2
    s.escalations += 1
    s.ties += 1.0
    s.volume_total = s.volume_routed = s.visible = 3.0
    s.absorb_left = np.zeros(3)
    rules.begin_month(model)
    for tally in (s.arrivals, s.grey_zone, s.resolved, s.escalations, s.ties):
        assert not tally.any()
    assert (s.volume_total, s.volume_routed, s.visible) == (0.0, 0.0, 0.0)
    assert s.absorb_left == approx(ABSORPTION)  # capacity.absorption x sqrt(GDP / largest GDP)
    s.absorb_left[PHL] = 0.0
    assert model.world.absorption[PHL] == approx(0.3)  # a copy: using it up leaves the world alone


def test_withdraw_shock_happens_at_its_step_only(tiny_model):
    model = tiny_model(shocks=[{"step": 3, "kind": "withdraw", "state": "AUS"}])
    for step, aus_gone in ((1, False), (2, False), (3, True), (4, True)):
        model.steps = step
        rules.shocks_take_effect(model)
        assert model.state.withdrawn.tolist() == [False, False, aus_gone, False]
        aus_effort = model.partner_agents[AUS].layer_efforts()
        assert (sum(aus_effort.values()) == 0) == aus_gone
        assert list(model.partner_agents[JPN].layer_efforts().values()) == approx([0.25] * 4)


def test_withdrawn_partner_spends_no_effort_afterwards(tiny_model):
    model = tiny_model(shocks=[{"step": 2, "kind": "withdraw", "state": "USA"}])
    model.step()
    assert model.state.ties[:, USA].sum() > 0
    for _ in range(3):
        model.step()
        assert model.state.ties[:, USA].sum() == 0
        assert model.state.ties[:, JPN].sum() > 0
    # every partner uses its whole budget (AUS and IND on their three active layers); USA's 1.5 stops
    assert model.series()["effort_spent"] == approx([3.5, 2.0, 2.0, 2.0])


def test_partners_act_splits_budget_over_active_layers_and_stops_when_withdrawn(tiny_model):
    others_idle = {f"policy.{c}.budget": 0.0 for c in ("USA", "AUS", "IND")}
    model = ready(tiny_model(**{"policy.JPN.budget": 3.0, "policy.JPN.bilateral": False}, **others_idle))
    assert model.layer_effort[JPN] == approx([1.0, 0.0, 1.0, 1.0])
    rules.partners_act(model)
    assert model.state.volume_total == approx(3.0)
    assert model.state.ties[BILATERAL].sum() == 0
    model = ready(
        tiny_model(
            **{"policy.JPN.budget": 3.0}, **others_idle, shocks=[{"step": 1, "kind": "withdraw", "state": "JPN"}]
        )
    )
    model.steps = 1
    rules.shocks_take_effect(model)
    rules.partners_act(model)
    assert model.state.volume_total == 0.0
    assert not model.state.ties.any()


# ---- 1. threats arrive ----------------------------------------------------------------------------------


def test_zero_rates_give_zero_arrivals(tiny_model):
    zero = {f"threats.{d}.rate": 0.0 for d in DOMAINS}
    model = tiny_model(**zero, **{"challenger.base_rate": 0.0}).run(12)
    assert sum(model.series()["incidents"]) == 0
    assert not model.state.near_repeat.any()


def test_landlocked_member_gets_no_maritime_incidents(tiny_model):
    model = tiny_model(**{"threats.maritime.rate": 100.0, "threats.mix.maritime": 10.0})
    rules.begin_month(model)
    rules.threats_arrive(model)
    s = model.state
    assert s.arrivals[LAO, MARITIME] == 0
    assert s.grey_zone[LAO] == 0
    assert s.near_repeat[LAO] == 0
    assert s.arrivals[PHL, MARITIME] > s.arrivals[VNM, MARITIME] > 0  # expected 667 and 333
    model.streams = {"threats": ExpectedDraws()}
    s.near_repeat[:] = 0.0
    rules.threats_arrive(model)
    assert model.streams["threats"].calls[0][:, MARITIME] == approx(1000.0 * EXPOSURE)


def test_deterrence_cuts_maritime_and_grey_zone_rates(tiny_model):
    model = tiny_model(**{"threats.deterrence_effect": 0.5, "threats.maritime.rate": 7.5})
    model.streams = {"threats": ExpectedDraws()}
    s = model.state
    s.deterrence = np.array([1.0, 0.5, 0.0])
    protection = np.array([0.5, 0.75, 1.0])  # 1 - deterrence_effect x deterrence
    rules.threats_arrive(model)
    rates, grey = model.streams["threats"].calls
    assert rates[:, MARITIME] == approx(7.5 * EXPOSURE * protection)
    assert rates[:, 1:] == approx(np.array([[1.0, 2.0, 1.0]] * 3) / 3)  # other domains: not cut, shared evenly
    assert grey == approx(0.54 * 1.0 * EXPOSURE * protection)  # base_rate x pressure x target weight x protection


def test_full_deterrence_with_full_effect_stops_maritime_arrivals(tiny_model):
    model = tiny_model(**{"threats.deterrence_effect": 1.0, "threats.maritime.rate": 100.0})
    model.state.deterrence[:] = 1.0
    rules.threats_arrive(model)
    assert model.state.arrivals[:, MARITIME].tolist() == [0, 0, 0]
    assert model.state.arrivals[:, 1:].sum() > 0


def test_near_repeat_raises_the_rate_and_updates_by_its_formula(tiny_model):
    model = tiny_model(**{"threats.maritime.rate": 30.0})
    s = model.state
    old = np.array([0.4, 0.2, 0.0])
    s.near_repeat = old.copy()
    rules.threats_arrive(model)
    maritime = s.arrivals[:, MARITIME]
    assert maritime[:2].sum() > 0
    # memory x old + boost x (1 - memory) x this month's maritime incidents (memory 0.5, boost 0.3)
    assert s.near_repeat == approx(0.5 * old + 0.3 * 0.5 * maritime)
    model.streams = {"threats": ExpectedDraws()}
    s.near_repeat = old.copy()
    rules.threats_arrive(model)
    assert model.streams["threats"].calls[0][:, MARITIME] == approx(30.0 * EXPOSURE + old)


# ---- 2. detection and response ------------------------------------------------------------------------

ARRIVALS = np.array([[5, 3, 2, 1], [0, 4, 1, 0], [2, 0, 0, 7]])


def test_full_capacity_resolves_everything(tiny_model):
    model = tiny_model()
    model.state.capacity[:] = 1.0
    model.state.arrivals = ARRIVALS.copy()
    rules.detect_and_respond(model)
    assert model.state.resolved.tolist() == ARRIVALS.tolist()


def test_zero_capacity_and_no_help_resolves_nothing(tiny_model):
    model = tiny_model()
    model.state.capacity[:] = 0.0  # and no awareness, no support received: the initial state
    model.state.arrivals = ARRIVALS.copy()
    rules.detect_and_respond(model)
    assert model.state.resolved.sum() == 0


def test_resolution_chance_combines_capacity_awareness_and_assistance(tiny_model):
    model = tiny_model()
    model.streams = {"response": ExpectedDraws()}
    s = model.state
    s.arrivals = ARRIVALS.copy()
    s.awareness_quad = np.array([0.2, 0.0, 0.0])
    s.awareness_asean = np.array([0.5, 0.0, 0.0])
    s.trust[PHL] = [0.5, 1.0, 0.0, 0.0]
    s.support[PHL] = [0.2, 0.3, 0.0, 0.0]
    rules.detect_and_respond(model)
    chance = model.streams["response"].calls[0]
    assist = 0.3 * (1 - math.exp(-0.4 / 0.5))  # engagement 0.5 x 0.2 + 1 x 0.3 = 0.4
    awareness = 1 - 0.8 * 0.5
    assert chance[PHL, MARITIME] == approx(1 - 0.4 * (1 - assist) * (1 - awareness))
    assert chance[PHL, 1:] == approx([1 - 0.4 * (1 - assist)] * 3)
    assert chance[VNM] == approx([0.3] * 4)  # own capacity only


# ---- 3. escalation ----------------------------------------------------------------------------------


def escalation_model(tiny_model, **overrides):
    model = tiny_model(**overrides)
    s = model.state
    s.arrivals = np.array([[3, 1, 0, 0], [0, 0, 2, 0], [0, 0, 0, 0]])
    s.resolved = np.array([[1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]])  # unresolved per member: 3, 2, 0
    s.tension = np.array([0.2, 0.0, 0.5])
    return model


def test_base_zero_gives_no_escalations_but_unresolved_still_raise_tension(tiny_model):
    model = escalation_model(tiny_model, **{f"escalation.base.{d}": 0.0 for d in DOMAINS})
    rules.escalate(model)
    assert model.state.escalations.sum() == 0
    push = 0.02 * np.array([3, 2, 0])
    assert model.state.tension == approx(np.array([0.2, 0.0, 0.5]) + np.array([0.8, 1.0, 0.5]) * (1 - np.exp(-push)))


def test_tension_update_with_known_counts(tiny_model):
    # base 1: the chance is capped at 1, so every unresolved incident escalates
    model = escalation_model(tiny_model, **{f"escalation.base.{d}": 1.0 for d in DOMAINS})
    rules.escalate(model)
    s = model.state
    assert s.escalations.tolist() == (s.arrivals - s.resolved).tolist()
    push = (0.02 + 0.15) * np.array([3, 2, 0])  # a x unresolved + b x escalations
    assert s.tension == approx(np.array([0.2, 0.0, 0.5]) + np.array([0.8, 1.0, 0.5]) * (1 - np.exp(-push)))


def test_forum_damping_reduces_escalation_chance(tiny_model):
    chances = []
    for power in (0.0, 0.5):
        model = escalation_model(tiny_model)
        model.state.forum_power[:] = power
        model.streams = {"escalation": ExpectedDraws()}
        rules.escalate(model)
        chances.append(model.streams["escalation"].calls[0])
    undamped = np.array([0.2, 0.1, 0.05, 0.05]) * (1 + np.array([0.2, 0.0, 0.5]))[:, None]
    assert chances[0] == approx(undamped)
    damping = 0.6 * (1 - 0.5**3)  # three channels at power 0.5, times forums.damping_max
    assert chances[1] == approx(undamped * (1 - damping))


def test_member_forum_damping_counts_only_the_members_channels(tiny_model):
    seats = [(True, True, False), (False, False, False), (True, True, True)]
    model = tiny_model(world_fields={"forum_members": seats})
    model.state.forum_power = np.array([0.5, 0.2, 0.9])
    assert rules.member_forum_damping(model) == approx([0.6 * (1 - 0.5 * 0.8), 0.0, 0.6 * (1 - 0.5 * 0.8 * 0.1)])


# ---- 4. partners act: routing -----------------------------------------------------------------------------


def test_route_splits_effort_and_counts_volume(tiny_model):
    model = tiny_model()
    model.state.volume_total, model.state.volume_routed = 1.0, 0.5
    arrives, direct = rules.route(model, np.array([1.0, 2.0, 0.0, 4.0]), np.array([0.5, 0.25, 1.0, 0.0]))
    assert arrives == approx([0.375, 0.375, 0.0, 0.0])  # routed 0.5, 0.5, minus efficiency_cost 0.25
    assert direct == approx([0.5, 1.5, 0.0, 4.0])
    assert model.state.volume_total == approx(1.0 + 7.0)  # all effort counts, added to what was there
    assert model.state.volume_routed == approx(0.5 + 1.0)  # the routed share before the loss


def test_route_efficiency_cost_one_loses_all_routed_effort(tiny_model):
    model = tiny_model(**{"coordination.efficiency_cost": 1.0})
    arrives, direct = rules.route(model, np.array([2.0, 0.0, 0.0, 0.0]), np.array([0.5, 0.0, 0.0, 0.0]))
    assert arrives.tolist() == [0.0] * 4
    assert direct == approx([1.0, 0.0, 0.0, 0.0])
    assert model.state.volume_routed == approx(1.0)


def test_visibility_discounts_routed_effort(tiny_model):
    model = tiny_model()  # JPN coordination 0.6, coordination.visibility 0.4
    assert rules.visibility(model, efforts(JPN=1.0)) == approx(0.4 + 0.4 * 0.6)


# ---- 4. partners act: the Quad -----------------------------------------------------------------------------


def test_quad_does_nothing_below_min_partners(tiny_model):
    two_active = {"policy.AUS.quad": False, "policy.IND.quad": False}
    model = ready(tiny_model(**two_active, **{"quad.min_partners": 3}))
    rules.quad_act(model, efforts(JPN=1.0, USA=1.0))
    s = model.state
    assert not (s.deterrence.any() or s.awareness_quad.any() or s.support.any())
    assert (s.volume_total, s.visible) == (0.0, 0.0)
    control = ready(tiny_model(**two_active, **{"quad.min_partners": 2}))
    rules.quad_act(control, efforts(JPN=1.0, USA=1.0))
    assert control.state.deterrence[PHL] > 0


def test_withdrawn_partners_do_not_count_toward_min_partners(tiny_model):
    model = ready(tiny_model(**{"quad.min_partners": 2}))
    assert rules.quad_active_partners(model) == 4
    model.state.withdrawn[[USA, AUS, IND]] = True
    assert rules.quad_active_partners(model) == 1
    rules.quad_act(model, efforts(JPN=1.0))
    assert not model.state.deterrence.any()


def test_quad_without_mda_to_asean_gives_no_awareness(tiny_model):
    model = ready(tiny_model(**{"quad.mda_to_asean": False}))
    rules.quad_act(model, efforts(JPN=1.0, USA=1.0))
    assert not model.state.awareness_quad.any()
    assert model.state.deterrence[PHL] > 0


def test_routed_quad_effort_spreads_by_exposure(tiny_model):
    model = ready(tiny_model(**{"policy.JPN.asean_coordination": 1.0, "coordination.efficiency_cost": 0.0}))
    rules.quad_act(model, efforts(JPN=1.0))
    s = model.state
    x = EXPOSURE  # 1 effort unit, all routed, none lost
    assert s.deterrence == approx(0.6 * sat(0.5 * x, 0.3))  # patrol_share 0.5 toward patrol_deterrence_max
    assert s.awareness_quad == approx(0.4 * sat(0.5 * x, 0.3))  # the rest toward awareness_max
    assert s.support[:, JPN] == approx(x)
    assert s.ties[QUAD, JPN] == approx(x)
    assert s.visible == approx(0.5 * 0.4)  # patrol share x routed effort x coordination.visibility


def test_direct_quad_effort_follows_preference(tiny_model):
    model = ready(tiny_model(**{"policy.USA.asean_coordination": 0.0}))
    rules.quad_act(model, efforts(USA=1.0))  # the USA's only tie is PHL
    assert model.state.deterrence == approx([0.6 * sat(0.5, 0.3), 0.0, 0.0])
    assert model.state.visible == approx(0.5)


def test_patrols_raise_deterrence_toward_the_ceiling(tiny_model):
    model = ready(tiny_model())
    model.state.deterrence = np.array([0.3, 0.3, 0.3])
    rules.quad_act(model, efforts(JPN=1.0))
    after_one = model.state.deterrence.copy()
    assert 0.3 < after_one[VNM] < after_one[PHL] < 0.6
    rules.quad_act(model, efforts(JPN=1000.0))
    assert model.state.deterrence[:2] == approx([0.6, 0.6])
    assert model.state.deterrence[LAO] == 0.3  # landlocked: no patrols


def test_patrols_never_lower_deterrence(tiny_model):
    model = ready(tiny_model())
    model.state.deterrence = np.array([0.69, 0.69, 0.0])  # reachable: bilateral.deterrence_max is 0.7
    rules.quad_act(model, efforts(JPN=1.0, USA=1.0))
    assert (model.state.deterrence >= np.array([0.69, 0.69, 0.0])).all()


@pytest.mark.parametrize("act", [rules.quad_act, rules.bilateral_act, rules.forums_act])
def test_summed_effort_equals_partners_one_after_another(tiny_model, act):
    effort = efforts(JPN=0.7, USA=0.5, AUS=0.3, IND=0.2)
    together = ready(tiny_model())
    act(together, effort)
    apart = ready(tiny_model())
    for p in range(len(PARTNERS)):
        act(apart, effort * (np.arange(len(PARTNERS)) == p))
    a, b = together.state, apart.state
    assert a.volume_total > 0
    for name in ("deterrence", "awareness_quad", "trust", "alignment", "support", "forum_stock", "ties"):
        assert getattr(a, name) == approx(getattr(b, name)), name
    assert (a.visible, a.volume_total, a.volume_routed) == approx((b.visible, b.volume_total, b.volume_routed))


def test_quad_for_two_partners_matches_formula_with_summed_effort(tiny_model):
    overrides = {f"policy.{c}.asean_coordination": 1.0 for c in PARTNERS} | {"coordination.efficiency_cost": 0.0}
    model = ready(tiny_model(**overrides))
    rules.quad_act(model, efforts(JPN=0.4, AUS=0.8))
    assert model.state.deterrence == approx(0.6 * sat(0.5 * 1.2 * EXPOSURE, 0.3))


# ---- 4. partners act: bilateral -----------------------------------------------------------------------------


def test_bilateral_affects_only_dyad_members(tiny_model):
    model = ready(tiny_model())
    s = model.state
    trust0, align0 = s.trust.copy(), s.alignment.copy()
    rules.bilateral_act(model, efforts(USA=1.0))  # USA's only dyad: PHL
    x, direct = 0.3 * 0.75 + 0.7, 0.7  # routed share 0.3 arrives at 75%, direct share 0.7
    assert s.deterrence == approx([0.7 * sat(x, 0.3), 0.0, 0.0])
    assert s.trust[PHL, USA] == approx(0.12 + 0.88 * (1 - math.exp(-0.1 * x)))
    assert s.alignment[PHL, USA] == approx(0.12 + 0.88 * (1 - math.exp(-0.15 * direct)))
    changed = np.ones_like(trust0, dtype=bool)
    changed[PHL, USA] = False
    assert (s.trust[changed] == trust0[changed]).all()
    assert (s.alignment[changed] == align0[changed]).all()
    assert s.support[:, USA] == approx([x, 0.0, 0.0])
    assert s.visible == approx(0.7 + 0.4 * 0.3)  # all of it visible, routed share discounted


def test_bilateral_effort_is_split_evenly_over_dyads(tiny_model):
    model = ready(tiny_model(**{"policy.JPN.asean_coordination": 0.0}))
    rules.bilateral_act(model, efforts(JPN=2.0))  # JPN's dyads: PHL and VNM
    assert model.state.deterrence == approx([0.7 * sat(1.0, 0.3)] * 2 + [0.0])


def test_partner_without_dyads_uses_no_bilateral_effort(tiny_model):
    model = ready(tiny_model())
    before = copy.deepcopy(model.state)
    rules.bilateral_act(model, efforts(AUS=1.0, IND=1.0))
    assert model.state.volume_total == 0.0
    assert not model.state.deterrence.any()
    assert (model.state.trust == before.trust).all()


def test_fully_routed_bilateral_effort_gives_no_alignment_pull(tiny_model):
    model = ready(tiny_model(**{"policy.USA.asean_coordination": 1.0}))
    align0, trust0 = model.state.alignment.copy(), model.state.trust.copy()
    rules.bilateral_act(model, efforts(USA=1.0))
    assert (model.state.alignment == align0).all()
    assert model.state.trust[PHL, USA] > trust0[PHL, USA]
    assert model.state.deterrence[PHL] == approx(0.7 * sat(0.75, 0.3))


# ---- 4. partners act: forums ----------------------------------------------------------------------------


def test_forums_stock_grows_and_all_effort_counts_as_routed(tiny_model):
    model = ready(tiny_model())
    trust0 = model.state.trust.copy()
    rules.forums_act(model, efforts(JPN=1.0))
    s = model.state
    assert s.forum_stock == approx([1 / 3] * 3)  # split evenly over JPN's three channels
    assert s.volume_total == s.volume_routed == approx(1.0)
    # every member sits in all three channels, so each is reached by 3 x 1/3 of JPN's effort
    assert s.trust[:, JPN] == approx(trust0[:, JPN] + (1 - trust0[:, JPN]) * (1 - math.exp(-0.05)))
    assert (s.trust[:, 1:] == trust0[:, 1:]).all()
    assert s.ties[FORUMS, JPN] == approx([1.0] * 3)
    rules.forums_act(model, efforts(JPN=0.6, USA=1.5, AUS=0.6, IND=0.4))
    assert s.forum_stock.sum() == approx(1.0 + 3.1)
    assert s.volume_total == s.volume_routed == approx(4.1)


def test_forum_effort_reaches_only_members_of_the_partners_channels(tiny_model):
    partners = [(True, False, True)] + [(True, True, True)] * 3  # JPN sits in ARF and EAS only
    members = [(True, False, False), (False, False, False), (True, True, True)]
    model = ready(tiny_model(world_fields={"forum_partners": partners, "forum_members": members}))
    trust0 = model.state.trust.copy()
    rules.forums_act(model, efforts(JPN=1.0))
    assert model.state.forum_stock == approx([0.5, 0.0, 0.5])
    reached = np.array([0.5, 0.0, 1.0])  # PHL only in ARF, VNM in none, LAO in both of JPN's channels
    assert model.state.ties[FORUMS, JPN] == approx(reached)
    assert model.state.trust[:, JPN] == approx(trust0[:, JPN] + (1 - trust0[:, JPN]) * (1 - np.exp(-0.05 * reached)))


def test_forums_one_channel_takes_all_the_stock(tiny_model):
    model = ready(tiny_model(**{"forums.channels": "one"}))
    rules.forums_act(model, efforts(USA=1.5))
    assert model.state.forum_stock == approx([1.5])


def test_partner_in_no_forum_uses_no_forum_effort(tiny_model):
    seats = [(True, True, True)] * 3 + [(False, False, False)]
    model = ready(tiny_model(world_fields={"forum_partners": seats}))
    rules.forums_act(model, efforts(IND=1.0))
    assert not model.state.forum_stock.any()
    assert model.state.volume_total == 0.0


# ---- 4. partners act: capacity building ----------------------------------------------------------------


def test_target_closest_partners_favours_tied_and_aligned_members(tiny_model):
    model = ready(tiny_model())
    rows = rules.target_closest_partners(model)
    # (ties + alignment) x absorption: JPN (1.12, 2.24, 0) x (0.3, 0.15, 0.15); USA only PHL;
    # AUS and IND are close to nobody, so they go by absorption alone
    assert rows == approx(np.array([[0.5, 0.5, 0.0], [1.0, 0.0, 0.0], [0.5, 0.25, 0.25], [0.5, 0.25, 0.25]]))
    model.state.alignment[VNM, AUS] = 0.5
    ready(model)
    assert rules.target_closest_partners(model)[AUS] == approx([0.0, 1.0, 0.0])


def test_target_neediest_favours_low_capacity_members(tiny_model):
    model = ready(tiny_model())
    model.state.capacity = np.repeat(np.array([[0.9], [0.5], [0.1]]), 4, axis=1)
    rows = rules.target_neediest(model)
    need = np.array([0.1, 0.5, 0.9]) * ABSORPTION  # (1 - capacity) x absorption
    assert rows == approx(np.tile(need / need.sum(), (4, 1)))  # the same for every donor, ties or not
    assert rows[USA].argmax() == LAO


def test_absorb_in_turn_single_donor_formula(tiny_model):
    model = ready(tiny_model())
    offered = np.zeros((4, 3))
    offered[JPN] = [0.5, 0.5, 0.0]
    absorbed = rules.absorb_in_turn(model, offered)
    expected = ABSORPTION * (1 - np.exp(-offered[JPN] / ABSORPTION))
    assert absorbed[JPN] == approx(expected)
    assert not absorbed[[USA, AUS, IND]].any()
    assert model.state.absorb_left == approx(ABSORPTION - expected)


def test_total_absorbed_never_exceeds_absorptive_capacity(tiny_model):
    model = tiny_model()
    gen = np.random.default_rng(0)
    for scale in (0.1, 1.0, 100.0):
        ready(model)
        offered = gen.uniform(0, scale, size=(4, 3))
        absorbed = rules.absorb_in_turn(model, offered)
        total = absorbed.sum(axis=0)
        assert (total <= ABSORPTION).all()
        assert total + model.state.absorb_left == approx(ABSORPTION)
    assert total == approx(ABSORPTION, rel=1e-6)  # huge offers use it all up


def test_absorb_in_turn_order_matters_first_donor_gets_more(tiny_model):
    offered = np.zeros((4, 3))
    offered[JPN] = offered[USA] = [0.3, 0.3, 0.3]
    first = ABSORPTION * (1 - np.exp(-0.3 / ABSORPTION))
    left = ABSORPTION - first  # the second donor meets what the first left: A' (1 - exp(-x / A'))
    second = left * (1 - np.exp(-0.3 / left))
    for order, leader, follower in (([USA, JPN, AUS, IND], USA, JPN), ([JPN, USA, AUS, IND], JPN, USA)):
        model = ready(tiny_model())
        model.streams = {"partner_order": FixedOrder(order)}
        absorbed = rules.absorb_in_turn(model, offered)
        assert absorbed[leader] == approx(first)
        assert absorbed[follower] == approx(second)
        assert (absorbed[leader] > absorbed[follower]).all()


def test_capacity_act_direct_support(tiny_model):
    model = ready(tiny_model(**{"policy.JPN.asean_coordination": 0.0}))
    s = model.state
    cap0, align0 = s.capacity.copy(), s.alignment.copy()
    rules.capacity_act(model, efforts(JPN=1.0))
    offered = np.array([0.5, 0.5, 0.0])  # target_closest_partners' JPN row
    absorbed = ABSORPTION * (1 - np.exp(-offered / ABSORPTION))
    gain = 1 - np.exp(-0.15 * np.outer(absorbed, FOCUS))  # capacity.effectiveness x absorbed x focus_d
    assert s.capacity == approx(cap0 + (1 - cap0) * gain)
    assert s.alignment[:, JPN] == approx(align0[:, JPN] + (1 - align0[:, JPN]) * (1 - np.exp(-0.15 * absorbed)))
    assert (s.alignment[:, 1:] == align0[:, 1:]).all()
    assert s.support[:, JPN] == approx(offered)
    assert s.ties[CAPACITY, JPN] == approx(offered)
    assert (s.volume_total, s.volume_routed) == approx((1.0, 0.0))


def test_capacity_act_routed_support_goes_to_neediest_without_alignment_pull(tiny_model):
    model = ready(tiny_model(**{"policy.JPN.asean_coordination": 1.0}))
    align0 = model.state.alignment.copy()
    rules.capacity_act(model, efforts(JPN=1.0))
    need = np.array([0.4, 0.7, 0.7]) * ABSORPTION  # starting capacity 0.6, 0.3, 0.3
    assert model.state.support[:, JPN] == approx(0.75 * need / need.sum())  # after efficiency_cost 0.25
    assert model.state.capacity[LAO, MARITIME] > 0.3  # LAO has no ties but is needy
    assert (model.state.alignment == align0).all()
    assert model.state.volume_routed == approx(1.0)


def test_capacity_targeting_need_sends_direct_support_to_the_neediest(tiny_model):
    model = ready(tiny_model(**{"policy.USA.asean_coordination": 0.0, "capacity.targeting": "need"}))
    assert rules.CAPACITY_TARGETING["need"] is rules.target_neediest
    expected = rules.target_neediest(model)[USA] * 1.5
    rules.capacity_act(model, efforts(USA=1.5))
    assert model.state.support[:, USA] == approx(expected)
    assert model.state.support[LAO, USA] > 0  # the USA has no tie with LAO


# ---- 5. ASEAN members act ---------------------------------------------------------------------------------


def test_members_invest_formula(tiny_model):
    model = tiny_model(**{"capacity.own_investment": 0.5})
    s = model.state
    s.arrivals = np.array([[3, 0, 1, 0], [0, 0, 0, 0], [0, 0, 0, 0]])
    cap0 = s.capacity.copy()
    rules.members_invest(model)
    share_phl = (np.array([3, 0, 1, 0]) + FOCUS) / 5.0  # this month's incidents plus focus weights
    gain = 0.5 * np.array([1.0, 0.25, 0.25])[:, None] * np.vstack([share_phl, FOCUS, FOCUS])  # x milex_weight
    assert s.capacity == approx(cap0 + (1 - cap0) * (1 - np.exp(-gain)))
    assert (s.capacity > cap0).all()


def test_asean_cohesion_extremes_and_a_value_by_hand():
    assert rules.asean_cohesion(np.full((3, 4), 0.37)) == approx(1.0)
    assert rules.asean_cohesion(np.array([[0.0] * 4, [1.0] * 4])) == approx(0.0)  # maximal split
    assert rules.asean_cohesion(np.array([[0.2], [0.6]])) == approx(1 - 0.2 / 0.5)  # std 0.2
    assert rules.asean_cohesion(np.array([[0.9, 0.1]])) == 1.0  # one member agrees with itself


ALIGNMENT = np.array([[0.2, 0.6, 0.0, 0.0], [0.4, 0.2, 0.0, 0.1], [0.6, 0.1, 0.0, 0.2]])


def test_alignment_moves_toward_the_mean(tiny_model):
    model = tiny_model(**{"alignment.consensus_pull": 0.5, "alignment.neutral_pull": 0.0})
    model.state.alignment = ALIGNMENT.copy()
    rules.members_update_alignment(model)
    pull = 0.5 * rules.asean_cohesion(ALIGNMENT)  # no forum power: no boost
    mean = ALIGNMENT.mean(axis=0)
    after = model.state.alignment
    assert after == approx(ALIGNMENT + pull * (mean - ALIGNMENT))
    assert after.mean(axis=0) == approx(mean)
    assert (np.ptp(after, axis=0) <= np.ptp(ALIGNMENT, axis=0)).all()
    assert np.ptp(after, axis=0)[0] < np.ptp(ALIGNMENT, axis=0)[0]
    assert model.state.cohesion == approx(rules.asean_cohesion(after))
    assert model.state.cohesion > rules.asean_cohesion(ALIGNMENT)


def test_forum_power_boosts_the_pull_toward_consensus(tiny_model):
    model = tiny_model(**{"alignment.consensus_pull": 0.3, "alignment.neutral_pull": 0.0})
    model.state.alignment = ALIGNMENT.copy()
    model.state.forum_power[:] = 1.0
    rules.members_update_alignment(model)
    pull = 0.3 * rules.asean_cohesion(ALIGNMENT) * 2.0  # 1 + forums.cohesion_gain x mean power
    assert model.state.alignment == approx(ALIGNMENT + pull * (ALIGNMENT.mean(axis=0) - ALIGNMENT))


def test_neutral_pull_shrinks_alignment(tiny_model):
    model = tiny_model(**{"alignment.consensus_pull": 0.0, "alignment.neutral_pull": 0.1})
    model.state.alignment = ALIGNMENT.copy()
    rules.members_update_alignment(model)
    assert model.state.alignment == approx(0.9 * ALIGNMENT)


def test_only_recaap_parties_share_information(tiny_model):
    model = tiny_model(world_fields={"recaap": [True, False, True]})
    s = model.state
    s.capacity[:, MARITIME] = [0.6, 0.3, 0.2]
    s.cohesion = 0.8
    rules.members_share_information(model)
    pooled = 0.2 * 0.8 * (0.6 + 0.2) / 2  # info_sharing x cohesion x mean maritime capacity of the parties
    assert s.awareness_asean == approx([pooled, 0.0, pooled])
    nobody = tiny_model(world_fields={"recaap": [False, False, False]})
    nobody.state.awareness_asean[:] = 0.5
    rules.members_share_information(nobody)
    assert nobody.state.awareness_asean.tolist() == [0.0, 0.0, 0.0]


# ---- 6. the challenger ---------------------------------------------------------------------------------


def test_pressure_moves_toward_its_target(tiny_model):
    model = tiny_model(**{"challenger.intensity": 2.0, "challenger.reaction": 0.5, "challenger.adaptation": 0.1})
    s = model.state
    s.pressure, s.visible = 1.0, 2.0
    rules.challenger_adapts(model)
    target = 2.0 * (1 + 0.5 * 2.0)
    assert s.pressure == approx(1.0 + 0.1 * (target - 1.0))
    for _ in range(300):
        rules.challenger_adapts(model)
    assert s.pressure == approx(target)


def test_displacement_shifts_weight_away_from_protected_members(tiny_model):
    model = tiny_model(**{"challenger.displacement": 3.0})
    s = model.state
    rules.challenger_adapts(model)
    unprotected = s.target_weights.copy()
    s.deterrence = np.array([0.5, 0.0, 0.0])
    rules.challenger_adapts(model)
    raw = EXPOSURE * np.exp(-3.0 * (np.array([0.5, 0.0, 0.0]) + np.array([0.6, 0.3, 0.3])))
    assert s.target_weights == approx(raw / raw.sum())
    assert s.target_weights[PHL] < unprotected[PHL]
    assert s.target_weights[VNM] > unprotected[VNM]
    assert s.target_weights[LAO] == 0.0


def test_no_displacement_aims_by_exposure_only(tiny_model):
    model = tiny_model(**{"challenger.displacement": 0.0})
    model.state.deterrence = np.array([0.9, 0.0, 0.0])
    rules.challenger_adapts(model)
    assert model.state.target_weights == approx(EXPOSURE)


def test_zero_intensity_gives_no_grey_zone_incidents(tiny_model):
    quiet = tiny_model(**{"challenger.intensity": 0.0}).run(24).series()
    assert sum(quiet["grey_zone_incidents"]) == 0
    assert set(quiet["challenger_pressure"]) == {0.0}
    loud = tiny_model(**{"challenger.intensity": 5.0}).run(24).series()
    assert sum(loud["grey_zone_incidents"]) > 0


# ---- 7. institutions, decay -----------------------------------------------------------------------------


def test_forum_power_is_zero_without_stock(tiny_model):
    model = tiny_model()
    s = model.state
    s.cohesion, s.centrality = 1.0, 1.0
    s.volume_total = s.volume_routed = 1.0
    rules.institutions_update(model)
    assert s.forum_power.tolist() == [0.0, 0.0, 0.0]


def test_forum_power_and_centrality_formula(tiny_model):
    model = tiny_model()
    s = model.state
    s.forum_stock = np.array([0.5, 1.0, 2.0])
    s.cohesion, s.centrality = 0.8, 0.5
    s.volume_total, s.volume_routed = 4.0, 1.0
    rules.institutions_update(model)
    assert s.centrality == approx(0.8 * 0.5 + 0.2 * 0.25)  # remembered, moving toward the routed share
    w = 0.5  # forums.centrality_weight
    assert s.forum_power == approx(0.8 * (1 - w + w * 0.45) * sat(s.forum_stock, 0.5))


def test_forum_participation_counts_present_partners(tiny_model):
    model = tiny_model(**{"policy.IND.forums": False})
    s = model.state
    s.forum_stock[:] = 1.0
    s.cohesion, s.centrality = 1.0, 1.0
    rules.institutions_update(model)
    full = (0.5 + 0.5 * 0.8) * sat(1.0, 0.5)  # cohesion 1; centrality 0.8 after a month without volume
    assert s.forum_power == approx([full * 6 / 7] * 3)  # 3 members + 3 of 4 partners present
    s.withdrawn[AUS] = True
    s.centrality = 1.0
    rules.institutions_update(model)
    assert s.forum_power == approx([full * 5 / 7] * 3)


@pytest.mark.parametrize("weight", [0.0, 0.5, 1.0])
def test_forum_power_rises_with_centrality_when_weighted(tiny_model, weight):
    powers = []
    for centrality in (0.1, 0.9):
        model = tiny_model(**{"forums.centrality_weight": weight})
        s = model.state
        s.forum_stock[:] = 1.0
        s.cohesion, s.centrality = 1.0, centrality
        rules.institutions_update(model)
        powers.append(s.forum_power.copy())
    if weight > 0:
        assert (powers[1] > powers[0]).all()
    else:
        assert powers[1] == approx(powers[0])
    assert powers[1] == approx((1 - weight + weight * 0.8 * 0.9) * sat(1.0, 0.5) * np.ones(3))


def test_decay_fades_each_quantity_by_its_rate(tiny_model):
    model = tiny_model()
    s = model.state
    s.capacity[:] = 0.5
    s.tension[:] = 0.5
    s.deterrence[:] = 0.5
    s.awareness_quad[:] = 0.5
    s.awareness_asean[:] = 0.5
    s.trust[:] = 0.5
    s.forum_stock[:] = 2.0
    s.support[:] = 2.0
    rules.decay(model)
    assert s.capacity == approx(np.full((3, 4), 0.5 * 0.995))
    assert s.tension == approx([0.5 * 0.92] * 3)
    assert s.deterrence == approx([0.5 * 0.85] * 3)
    assert s.awareness_quad == approx([0.5 * 0.85] * 3)
    assert s.awareness_asean == approx([0.5] * 3)  # recomputed each month, not decayed
    assert s.trust == approx(np.full((3, 4), 0.5 * 0.98))
    assert s.forum_stock == approx([2.0 * 0.9] * 3)
    assert s.support == approx(np.full((3, 4), 2.0 * 0.8))
