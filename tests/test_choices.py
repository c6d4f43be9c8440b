"""The decisions of version 3 (issue 19), each on a situation set by hand, with the knockout that switches
it to a passive rule: China's challenges, ASEAN's allocation, members' choice of channel, the bargaining
over joint patrols, the chair's draft, and the measures built on them. Copy a test to check a rule you
change."""

from __future__ import annotations

import math

import pytest

from sim.model.agents.china import REFERENCE_YEAR, fleet, fleet_counts
from sim.model.agents.members import Offer
from sim.model.metrics import centrality
from tests.conftest import build_fresh_model as fresh

CHALLENGED = "SCARBOROUGH"  # a Philippine feature


def challenges(model, months: int = 300) -> int:
    return sum(model.china.challenges(CHALLENGED) for _ in range(months))


def at_the_shoal(model, vessels: float, shipdays: float = 60.0):
    """The Philippines keeps ``vessels`` at the shoal and China ``shipdays`` there; nothing else."""
    phl = model.member_by["PHL"]
    phl.patrol = {CHALLENGED: vessels}
    model.china.presence[CHALLENGED] = shipdays
    return phl


# ---- China chooses its challenges -----------------------------------------------------------------


def test_china_challenges_only_what_its_ships_see_of_what_the_claimant_does():
    model = fresh(**{"member.activity_rate": 1.0})
    at_the_shoal(model, vessels=0.0)
    assert challenges(model) == 0  # the claimant does nothing there
    at_the_shoal(model, vessels=5.0, shipdays=0.0)
    assert challenges(model) == 0  # nobody there to see it
    at_the_shoal(model, vessels=5.0, shipdays=60.0)
    assert challenges(model) > 0


def test_the_vessels_that_give_china_more_to_challenge_also_deter_it():
    """Activities grow with the claimant's vessels, the chance to challenge each falls with them: past a
    point more hulls bring fewer challenges, so the sign is the decision's, not an identity's."""
    model = fresh(**{"member.activity_rate": 1.0, "china.deterrence_cost": 0.5, "china.challenge_base": 2.0})
    rates = {}
    for vessels in (2.0, 6.0, 30.0):
        at_the_shoal(model, vessels)
        rates[vessels] = challenges(model) / 300
    assert rates[6.0] > rates[2.0]  # more to challenge while deterrence is weak
    assert rates[30.0] < rates[6.0] / 2  # then deterrence wins


def test_china_answers_a_claimants_challenge_unless_it_ignores_cooperation():
    calm = fresh(**{"member.activity_rate": 1.0, "china.challenge_base": -2.0})
    at_the_shoal(calm, vessels=5.0)
    base = challenges(calm)
    provoked = fresh(**{"member.activity_rate": 1.0, "china.challenge_base": -2.0})
    at_the_shoal(provoked, vessels=5.0)
    provoked.china.challenge["PHL"] = 3.0
    assert challenges(provoked) > 2 * base
    ignoring = fresh(
        **{"member.activity_rate": 1.0, "china.challenge_base": -2.0, "knockout.china_ignores_cooperation": True}
    )
    at_the_shoal(ignoring, vessels=5.0)
    ignoring.china.challenge["PHL"] = 3.0
    assert challenges(ignoring) == base  # the same draws, the same decisions: the challenge is not answered


def test_chinas_fleet_follows_the_sourced_counts():
    years, ships = fleet_counts()
    assert years[0] == 2012 and ships[0] == 40 and years[-1] == 2024 and ships[-1] == 161
    assert fleet(2012.5) == 40 and fleet(2000) == 40 and fleet(2040) == 161  # held outside the counts
    assert fleet(2013.5) == pytest.approx((40 + 82) / 2)  # linear between 2012 and 2014
    model = fresh(**{"run.start": "2013-01", "run.spinup": 12})
    model.t = 17  # 2013-06
    model.china.update_fleet()
    assert model.china.shipdays == pytest.approx(
        model.p["china.shipdays"] * fleet(2013 + 5.5 / 12) / fleet(REFERENCE_YEAR + 0.5)
    )
    assert model.china.shipdays < 0.6 * model.p["china.shipdays"]
    model.t = 0  # 2012-01, in the spin-up: the fleet of the outlook's first month, 2013-01
    model.china.update_fleet()
    assert model.china.shipdays == pytest.approx(
        model.p["china.shipdays"] * fleet(2013 + 0.5 / 12) / fleet(REFERENCE_YEAR + 0.5)
    )


# ---- ASEAN allocates what is routed to it ---------------------------------------------------------


def needy(model, iso3: str, threat: float = 20.0) -> None:
    """Every member safe but ``iso3``, which perceives ``threat`` incidents a month."""
    for member in model.members_list:
        member.perceived = threat if member.iso3 == iso3 else 0.0


def test_aseans_mechanism_gives_to_the_neediest_then_spreads():
    model = fresh()
    needy(model, "PHL")
    assert model.asean.allocate("capacity", "JPN").iso3 == "PHL"
    for member in model.members_list:
        member.perceived = 1.0
    first = model.asean.allocate("forums", "JPN")
    second = model.asean.allocate("forums", "JPN")
    assert first is not second  # what a member got lately lowers its claim
    assert model.ledger.count(kind="allocate") == 3


def test_aseans_mechanism_passes_over_a_member_without_waters_for_vessels():
    model = fresh()
    needy(model, "LAO")
    assert model.asean.allocate("capacity", "JPN").iso3 != "LAO"
    assert model.asean.allocate("forums", "JPN").iso3 == "LAO"


def test_knockout_asean_even_split_gives_in_turn_whatever_the_need():
    model = fresh(**{"knockout.asean_even_split": True})
    needy(model, "PHL")
    takers = [model.asean.allocate("forums", "JPN").iso3 for _ in range(len(model.members_list))]
    assert takers == [m.iso3 for m in model.members_list]


def test_partners_no_longer_choose_routed_recipients():
    model = fresh(**{"policy.JPN.asean_coordination": 1.0})
    model.begin_month()
    model.plan_year()
    needy(model, "VNM")
    routed = model.partner_by["JPN"].make_offers()
    assert routed and all(o.channel == "routed" for o in routed)
    assert model.ledger.count(kind="allocate") == len(routed)


# ---- members choose the channel ------------------------------------------------------------------


def choose(model, iso3: str, layer: str = "bilateral", draws: int = 200) -> float:
    """The share of ``draws`` direct offers the member chooses to take through ASEAN."""
    member = model.member_by[iso3]
    offer = Offer("USA", iso3, layer, "direct", 1.0, 3e6)
    return sum(member.choose_channel(offer) == "routed" for _ in range(draws)) / draws


def test_an_exposed_member_takes_asean_cover_and_a_threatened_one_takes_help_fast():
    model = fresh(**{"member.noise": 0.1})
    model.asean.success = 0.8
    model.china.seen_punishment = {"direct": 1.0, "routed": 0.0}
    khm = model.member_by["KHM"]
    khm.dependence, khm.perceived = 0.4, 0.0
    assert choose(model, "KHM") > 0.9  # exposed, not threatened: ASEAN's cover
    phl = model.member_by["PHL"]
    phl.dependence, phl.perceived, phl.vessels = 0.0, 50.0, 1.0
    model.china.seen_punishment = {"direct": 0.0, "routed": 0.0}
    model.asean.success = 0.0
    assert choose(model, "PHL") < 0.1  # nothing to hide from, help needed now


def test_knockout_members_take_offered_channel():
    model = fresh(**{"knockout.members_take_offered_channel": True})
    model.china.seen_punishment = {"direct": 5.0, "routed": 0.0}
    assert choose(model, "KHM") == 0.0


def test_a_choice_is_made_only_where_both_channels_are_open():
    model = fresh(**{f"policy.{p}.asean_coordination": 0.0 for p in ("JPN", "USA", "AUS", "IND")})
    model.begin_month()
    model.plan_year()
    model.offers()
    assert model.month["offers"] > 0
    assert model.month["channel_choices"] == 0 and model.ledger.count(kind="choose_channel") == 0
    opened = fresh()
    opened.begin_month()
    opened.plan_year()
    opened.offers()
    assert opened.month["channel_choices"] == opened.ledger.count(kind="choose_channel") > 0


def test_centrality_is_members_choices_forum_participation_and_agreement():
    model = fresh()
    model.choices.clear()
    model.choices.extend([(4, 1, 2, 2), (0, 0, 2, 0)])  # 1 of 4 choices routed; 2 of 4 forum offers accepted
    model.asean.success = 0.6
    assert centrality(model) == pytest.approx((0.25 + 0.5 + 0.6) / 3)
    model.choices.clear()
    model.asean.success = 0.0
    assert centrality(model) == 0.0


# ---- littoral states bargain over joint patrols --------------------------------------------------


def straits(model, threat: float, trust: float = 0.9):
    """The Straits' three states with trust ``trust`` in each other; Singapore has most of the vessels."""
    idn, mys, sgp = (model.member_by[s] for s in ("IDN", "MYS", "SGP"))
    for m in (idn, mys, sgp):
        m.trust = {s: trust for s in ("IDN", "MYS", "SGP") if s != m.iso3}
    idn.patrol, mys.patrol, sgp.patrol = {"SOMS": 10.0}, {"SOMS": 40.0}, {"SOMS": 80.0}
    model.threat["SOMS"] = threat
    return idn, mys, sgp


def test_side_payments_bring_in_a_small_navy_that_would_not_join_alone():
    # surplus = threat / 2 - (1 + foreign / own): IDN 6 - 13 = -7, MYS 6 - 3.25 = 2.75, SGP 6 - 1.625 = 4.375
    model = fresh(**{"member.tolerance": 2.0, "member.joint_sovereignty": 1.0, "member.partner_support": 0.0})
    idn, mys, sgp = straits(model, threat=12.0)
    model.coordinate()
    assert "SOMS" not in idn.coordinating and "SOMS" in model.joint
    assert "SOMS" in mys.coordinating and "SOMS" in sgp.coordinating
    assert idn.surplus["SOMS"] == pytest.approx(-7.0)
    payments = [a for a in model.ledger if a.kind == "side_payment"]
    assert [(a.actor, a.amount) for a in payments] == [("IDN", pytest.approx(7.0))]


def test_no_deal_when_the_patrols_cost_more_than_they_are_worth_or_trust_is_missing():
    model = fresh(**{"member.tolerance": 2.0, "member.joint_sovereignty": 1.0, "member.partner_support": 0.0})
    straits(model, threat=6.0)  # IDN 3 - 13, MYS 3 - 3.25, SGP 3 - 1.625: -11.6 in all
    model.coordinate()
    assert "SOMS" not in model.joint
    distrust = fresh(**{"member.tolerance": 2.0, "member.joint_sovereignty": 1.0, "member.partner_support": 0.0})
    straits(distrust, threat=12.0, trust=0.0)
    distrust.coordinate()
    assert "SOMS" not in distrust.joint


def test_partners_shared_awareness_lowers_the_price_of_joint_patrols():
    model = fresh(**{"member.tolerance": 2.0, "member.joint_sovereignty": 1.0, "member.partner_support": 0.5})
    idn, _, _ = straits(model, threat=12.0)
    model.info_sharing.add("SOMS")
    idn.coordinate()
    assert idn.surplus["SOMS"] == pytest.approx(6.0 - 13.0 * 0.5)


def test_knockout_members_never_bargain():
    model = fresh(
        **{
            "member.tolerance": 2.0,
            "member.joint_sovereignty": 1.0,
            "member.partner_support": 0.0,
            "knockout.members_never_bargain": True,
        }
    )
    straits(model, threat=12.0)
    model.coordinate()
    assert "SOMS" not in model.joint and model.ledger.count(kind="side_payment") == 0


# ---- the chair drafts ----------------------------------------------------------------------------


def stances(model, chair: str, **alignment: float) -> None:
    """Every member's stance is its alignment (no coercion, no rewards); ``chair`` chairs."""
    for member in model.members_list:
        member.coerced = member.rewarded = 0.0
        member.alignment = alignment.get(member.iso3, 0.5)
    model.asean.chair = chair
    model.month = {"coercion": 5}


def test_the_chair_softens_the_draft_until_a_reluctant_member_lets_it_pass():
    model = fresh(**{"member.block_norm": 0.5, "asean.softest_draft": 0.25})
    stances(model, "IDN", KHM=-1.0)  # blocks the full text (-1 < -0.5), accepts half of it
    assert model.asean.draft() == pytest.approx(0.5)
    model.asean.seek_statement()
    assert model.asean.blocked == 0 and model.asean.condemnation == pytest.approx(0.5)


def test_no_draft_passes_a_member_set_against_it():
    model = fresh(**{"member.block_norm": 0.5, "asean.softest_draft": 0.25})
    stances(model, "IDN", KHM=-3.0)  # would need a draft of 1/6, softer than the softest
    assert model.asean.draft() == 1.0
    model.asean.seek_statement()
    assert model.asean.blocked == 1


def test_a_chair_against_condemning_drafts_the_softest_text_and_blocks_only_when_set_against_even_that():
    model = fresh(**{"member.block_norm": 0.5, "asean.softest_draft": 0.25})
    stances(model, "KHM", KHM=-1.0)
    assert model.asean.draft() == 0.25  # although the others would pass the full text
    model.asean.seek_statement()
    assert model.asean.blocked == 0 and model.asean.condemnation == 0.25
    stances(model, "KHM", KHM=-3.0)  # -3 x 0.25 = -0.75, below -0.5
    model.asean.seek_statement()
    assert model.asean.blocked == 1


def test_a_full_text_weighs_on_china_more_than_a_softened_one():
    model = fresh()
    stances(model, "IDN")
    model.asean.seek_statement()
    assert model.asean.blocked == 0 and model.asean.condemnation == 1.0
    assert math.isclose(model.asean.draft(), 1.0)


# ---- each instrument moves alignment through what it does ---------------------------------------


def aligned(model, iso3: str = "VNM", months: int = 24) -> float:
    member = model.member_by[iso3]
    for _ in range(months):
        member.align()
    return member.alignment


def test_an_exercise_signals_alignment_whatever_it_cost():
    cheap, dear = fresh(**{"instrument.bilateral.cost": 1e6}), fresh(**{"instrument.bilateral.cost": 5e7})
    quiet = fresh()
    for model in (cheap, dear, quiet):
        model.member_by["VNM"].alignment = model.member_by["VNM"].dependence = 0.0
    cheap.exercises["VNM"] = dear.exercises["VNM"] = 2
    assert aligned(cheap) == aligned(dear) > 0
    assert aligned(quiet) == 0.0


def test_delivered_vessels_give_autonomy_so_the_member_hedges_less():
    alone, equipped = fresh(), fresh()
    for model in (alone, equipped):
        member = model.member_by["VNM"]
        member.alignment, member.dependence = 0.8, 0.0
        model.mean_alignment = 0.8
    equipped.member_by["VNM"].vessels += 30  # delivered: its own fleet is unchanged
    assert aligned(equipped) > aligned(alone)  # the alignment it had holds better


def test_forum_initiatives_build_the_habit_that_pulls_members_toward_aseans_mean():
    without, with_forums = fresh(), fresh()
    for model in (without, with_forums):
        model.member_by["VNM"].alignment, model.mean_alignment = -0.5, 0.5
        model.asean.success = 0.0
    with_forums.asean.initiatives = [(10**6, "JPN")] * 10
    assert with_forums.asean.habit() == pytest.approx(10 / (10 + with_forums.p["asean.forum_half"]))
    assert aligned(with_forums, months=6) > aligned(without, months=6)


def test_knockout_alignment_ignores_instruments():
    model = fresh(**{"knockout.alignment_ignores_instruments": True})
    model.member_by["VNM"].alignment = model.member_by["VNM"].dependence = 0.0
    model.exercises["VNM"] = 5
    model.member_by["VNM"].vessels += 30
    assert aligned(model) == 0.0  # nothing but coercion, China and its leader would move it


def test_knockout_chair_tables_full_text():
    model = fresh(**{"member.block_norm": 0.5, "knockout.chair_tables_full_text": True})
    stances(model, "IDN", KHM=-1.0)  # half the text would pass; the full text is tabled and blocked
    assert model.asean.draft() == 1.0
    model.asean.seek_statement()
    assert model.asean.blocked == 1


# ---- the kidnap group chooses its ground ----------------------------------------------------------


def kidnap_group(model, *, pressure: float, detection: float, funds_share: float = 1.0):
    """The kidnap group with the state's ``pressure`` ashore, ``detection`` at sea (arrest risk as
    detection x a prosecution of 0.5) and ``funds_share`` of its reserve in hand."""
    (group,) = model.kidnappers
    group.pressure = pressure
    model.detection["SULU_CELEBES"] = detection
    model.arrest_risk["SULU_CELEBES"] = 0.5 * detection
    group.funds = funds_share * model.p["kidnap.reserve"] * group.fighters
    return group


#: the calibrated raid rate and deterrence pinned, so the hand-built margins do not move with a recalibration
KIDNAP = {"kidnap.raid_rate": 0.0319, "kidnap.deterrence": 10.9}


def test_the_kidnap_group_stays_ashore_until_pressure_there_makes_the_sea_pay_better():
    model = fresh(**KIDNAP)
    assert kidnap_group(model, pressure=0.2, detection=0.05).choose_ground() == "shore"
    assert kidnap_group(model, pressure=0.8, detection=0.05).choose_ground() == "sea"
    # patrols at sea that detect a third of raids keep it ashore even under the same pressure
    assert kidnap_group(model, pressure=0.8, detection=0.33).choose_ground() == "shore"


def test_a_kidnap_group_short_of_funds_takes_the_risk_it_would_otherwise_avoid():
    model = fresh(**KIDNAP, **{"kidnap.exposure": 20.0})
    group = kidnap_group(model, pressure=0.8, detection=0.05)
    (sea, sea_loss), (shore, _) = group.prospects()["sea"], group.prospects()["shore"]
    replace = model.p["kidnap.recruit_cost"] / model.p["kidnap.ransom"]  # hostages a lost fighter is worth
    assert sea > shore and sea - sea_loss * replace < shore  # more hostages at sea, but risky
    assert group.choose_ground() == "shore"
    assert kidnap_group(model, pressure=0.8, detection=0.05, funds_share=0.0).choose_ground() == "sea"


def test_hostages_taken_ashore_are_not_abductions_at_sea():
    model = fresh(**KIDNAP)
    group = kidnap_group(model, pressure=0.0, detection=0.05)
    ashore = 0
    for _ in range(12):
        incidents = dict.fromkeys(model.area_codes, 0)
        model.kidnapping(incidents)
        assert group.ground == "shore" and model.month["hostages_ashore"] == group.hostages
        assert model.month["kidnappings"] == model.month["crew_abducted"] == incidents["SULU_CELEBES"] == 0
        ashore += group.hostages
    assert ashore > 0


@pytest.mark.parametrize("ground", ["sea", "shore"])
def test_the_campaign_ashore_hits_the_groups_bases_wherever_it_raids(ground):
    lost = {}
    for pressure in (0.0, 1.0):
        model = fresh(**{"kidnap.campaign_loss": 0.5, "kidnap.attrition": 0.0})
        group = kidnap_group(model, pressure=pressure, detection=0.0)
        group.ground = ground
        lost[pressure] = group.regroup()
    assert lost[0.0] == 0 and lost[1.0] > 0


def test_only_the_sea_exposes_fighters_to_arrest():
    lost = {}
    for ground in ("sea", "shore"):
        model = fresh(**{"kidnap.exposure": 10.0, "kidnap.attrition": 0.0})
        group = kidnap_group(model, pressure=0.0, detection=0.5)
        group.ground = ground
        lost[ground] = sum(group.regroup() for _ in range(3))
    assert lost["shore"] == 0 and lost["sea"] > 0


def test_ransoms_pay_upkeep_funds_stay_between_zero_and_the_reserve():
    model = fresh(**{"kidnap.attrition": 0.0})
    group = kidnap_group(model, pressure=0.0, detection=0.0, funds_share=0.5)
    reserve = model.p["kidnap.reserve"] * group.fighters
    group.hostages = 0
    group.regroup()  # no ransom: one month's upkeep is spent
    assert group.funds == pytest.approx(0.5 * reserve - group.fighters)
    group.hostages = 1000
    group.regroup()  # a windfall beyond the reserve is not kept (the base is full: no recruits)
    assert group.funds == pytest.approx(reserve) and group.fighters == model.p["kidnap.fighters"]
    group.hostages, group.funds = 0, 0.0
    group.regroup()  # nothing in hand: funds do not go below zero
    assert group.funds == 0.0


def test_recruits_are_bought_from_funds_above_the_reserve_while_the_base_has_room():
    model = fresh(**{"kidnap.attrition": 0.0, "kidnap.recruit_cost": 30.0, "kidnap.ransom": 30.0})
    group = kidnap_group(model, pressure=0.0, detection=0.0)
    group.fighters, group.funds = 10, model.p["kidnap.reserve"] * 10
    group.hostages = 4  # 120 fighter-months in, 10 out: 110 above the reserve buy 3 recruits at 30
    group.regroup()
    assert group.fighters == 13
    assert group.funds == pytest.approx(model.p["kidnap.reserve"] * 13)  # 80 left, capped at the new reserve
    group.hostages = 1000  # a windfall buys recruits only up to the base's size
    group.regroup()
    assert group.fighters == model.p["kidnap.fighters"]
    group.fighters, group.funds, group.hostages = 10, model.p["kidnap.reserve"] * 10 + 35, 0
    group.regroup()  # 35 above the reserve would buy one recruit, but upkeep (10) is paid first: 25 buy none
    assert group.fighters == 10


def test_a_group_without_fighters_or_funds_stays_without():
    model = fresh()
    group = kidnap_group(model, pressure=0.0, detection=0.0)
    group.fighters, group.funds = 0, 0.0
    for _ in range(24):
        model.kidnapping(dict.fromkeys(model.area_codes, 0))
    assert group.fighters == 0 and group.hostages == 0 and group.abducted == 0


def test_knockout_kidnappers_ignore_situation():
    model = fresh(**{"knockout.kidnappers_ignore_situation": True})
    assert kidnap_group(model, pressure=0.0, detection=0.5).choose_ground() == "sea"
