"""An edit of Member.consider, tested (the worked example of docs/tutorial.md): every ASEAN member
declines every bilateral offer (exercises and joint patrols with a partner), and considers every
other offer by the default rule. The edit is made for one test at a time; sim/ is not changed."""

import pytest

from sim.model.agents.members import Member, Offer

DEFAULT_CONSIDER = Member.consider  # the rule as shipped, kept before any test replaces it


def declines_bilateral(member, offer):
    """The edited rule: decline every bilateral offer; consider any other offer as before."""
    if offer.layer == "bilateral":
        return False
    return DEFAULT_CONSIDER(member, offer)


@pytest.fixture
def edited(monkeypatch):
    """Every member uses the edited rule until the test ends (monkeypatch puts the default back)."""
    monkeypatch.setattr(Member, "consider", declines_bilateral)


def offer(member, layer, channel="direct", partner="USA"):
    """One offer of one unit of ``layer`` from ``partner`` to ``member`` (the price is irrelevant here)."""
    return Offer(partner, member, layer, channel, 1.0, 3e6)


def test_every_member_declines_every_bilateral_offer(fresh_model, edited):
    model = fresh_model()
    for member in model.members_list:
        for channel in ("direct", "routed"):
            assert member.consider(offer(member.iso3, "bilateral", channel)) is False


def test_other_offers_get_the_same_answers_as_under_the_default_rule(fresh_model, monkeypatch):
    others = [offer(m, layer) for m in ("PHL", "VNM", "KHM") for layer in ("quad", "forums", "capacity")] * 4
    default = fresh_model(rng=1)  # the same seed gives the same random draws in consider
    before = [default.member_by[o.member].consider(o) for o in others]
    monkeypatch.setattr(Member, "consider", declines_bilateral)
    edited = fresh_model(rng=1)
    after = [edited.member_by[o.member].consider(o) for o in others]
    assert after == before
    assert 0 < sum(before) < len(before)  # some accepted, some declined: the comparison means something


def test_bilateral_offers_are_still_made_but_no_exercise_is_held(fresh_model, edited):
    model = fresh_model().run(24)
    assert model.ledger.count(kind="offer", layer="bilateral") > 0  # partners keep offering...
    assert model.ledger.count(kind="accept", layer="bilateral") == 0  # ...every member declines...
    assert model.ledger.count(kind="exercise") == 0  # ...so no exercise is ever held
    assert model.ledger.count(kind="accept", layer="quad") > 0  # other layers go on
    for partner in model.partner_by.values():
        # a declined offer's money goes back to the partner's purse: none of the bilateral money is spent,
        # and unspent money carries over, so two Januaries' plans are still there
        assert partner.purse["bilateral"] == pytest.approx(2 * partner.plan["bilateral"])


def test_the_switch_of_the_experiment_has_the_same_consequences(fresh_model):
    model = fresh_model(**{"instrument.bilateral.cost": 1e9}).run(24)  # docs/examples/declining_members.toml
    assert model.ledger.count(kind="offer", layer="bilateral") == 0  # no bilateral offer is ever made...
    assert model.ledger.count(kind="exercise") == 0  # ...so no exercise is held, as under the edit
    assert model.ledger.count(kind="accept", layer="quad") > 0
    for partner in model.partner_by.values():
        assert partner.purse["bilateral"] == pytest.approx(2 * partner.plan["bilateral"])
