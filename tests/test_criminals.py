"""The threat actors' rules, each on a situation set by hand (sim/model/agents/criminals.py)."""

from __future__ import annotations

import math

import pytest

from sim.model.agents.criminals import KidnapGroup, Syndicate, detection_chance


def _only_gang(model, area: str, size: int) -> Syndicate:
    """Remove the starting groups and put one of ``size`` members in ``area``."""
    for gang in list(model.syndicates):
        gang.remove()
    return Syndicate(model, area, size)


def test_detection_rises_with_vessels_joint_patrols_and_shared_awareness():
    base = detection_chance(100, 0.001, False, 0.5, 0.0)
    assert base == pytest.approx(1 - math.exp(-0.1))
    assert detection_chance(200, 0.001, False, 0.5, 0.0) > base
    assert detection_chance(100, 0.001, True, 0.5, 0.0) == pytest.approx(1 - math.exp(-0.15))
    assert detection_chance(100, 0.001, False, 0.5, 0.3) == pytest.approx(1 - math.exp(-0.13))


def test_robbers_use_the_weakest_jurisdiction_unless_patrols_are_joint(fresh_model):
    model = fresh_model()
    idn, mys, sgp = (model.member_by[s] for s in ("IDN", "MYS", "SGP"))
    idn.patrol, mys.patrol, sgp.patrol = {"SOMS": 10.0}, {"SOMS": 50.0}, {"SOMS": 100.0}
    model.assess_risk()
    alone = model.detection["SOMS"]
    assert alone == pytest.approx(1 - math.exp(-model.p["crime.detection"] * 10.0 * 3))  # the weakest, three times
    model.joint = {"SOMS"}
    model.assess_risk()
    pooled = 160.0 * (1 + model.p["crime.coordination"])
    assert model.detection["SOMS"] == pytest.approx(1 - math.exp(-model.p["crime.detection"] * pooled))


def test_an_undetected_group_robs_in_proportion_to_its_size_and_traffic(fresh_model):
    model = fresh_model(**{"crime.attempt_rate": 0.5})
    gang = _only_gang(model, "SOMS", 10)
    model.detection["SOMS"] = 0.0
    attempts = [gang.rob() for _ in range(400)]
    assert sum(attempts) / 400 == pytest.approx(0.5 * 10 * model.traffic["SOMS"], rel=0.1)
    assert gang.loot == attempts[-1]  # nothing detected: every attempt succeeds


def test_a_detected_attempt_brings_no_loot(fresh_model):
    model = fresh_model(**{"crime.attempt_rate": 1.0})
    gang = _only_gang(model, "SOMS", 10)
    model.detection["SOMS"] = 1.0
    assert gang.rob() > 0
    assert gang.loot == 0


def test_a_group_grows_with_loot_until_the_area_is_full(fresh_model):
    model = fresh_model(**{"crime.recruit": 1.0, "crime.attrition": 0.0, "crime.split_size": 1000})
    gang = _only_gang(model, "SOMS", 5)
    gang.loot = 20
    model.gang_size = {a: 0 for a in model.area_codes}
    gang.grow()
    assert gang.size > 5 + 10
    full = _only_gang(model, "SOMS", 5)
    full.loot = 20
    model.gang_size["SOMS"] = int(model.p["crime.capacity"] * model.traffic["SOMS"])
    full.grow()
    assert full.size == 5  # no room: no recruits


def test_a_large_group_splits_in_two(fresh_model):
    model = fresh_model(**{"crime.attrition": 0.0, "crime.split_size": 12})
    gang = _only_gang(model, "IDN", 20)
    gang.loot = 0
    gang.grow()
    groups = sorted(g.size for g in model.syndicates)
    assert groups == [10, 10]
    assert all(g.area == "IDN" for g in model.syndicates)


def test_without_risk_nobody_is_arrested_and_with_certain_risk_the_group_is_broken_up(fresh_model):
    model = fresh_model(**{"crime.breakup": 1.0})
    gang = _only_gang(model, "SOMS", 12)
    model.arrest_risk["SOMS"] = 0.0
    assert gang.face_arrest() == (0, False) and gang.size == 12
    model.arrest_risk["SOMS"] = 1.0
    assert gang.face_arrest() == (12, True)
    assert gang.disband() and gang not in model.syndicates


def test_a_group_broken_up_this_month_disbands_before_it_can_recruit_with_its_loot(fresh_model):
    # version 2 let a group arrested down to zero members grow again from the month's loot (issue 19)
    model = fresh_model(**{"crime.recruit": 10.0, "crime.attrition": 0.0, "crime.emergence": 0.0})
    gang = _only_gang(model, "SOMS", 5)

    def rich_month() -> int:
        gang.loot = 5
        return 5

    def caught() -> tuple[int, bool]:
        arrested, gang.size = gang.size, 0
        return arrested, True

    gang.rob, gang.face_arrest = rich_month, caught
    model.crime()
    assert gang not in model.syndicates
    assert gang.size == 0
    assert len(model.syndicates) == 0


def test_an_offshoot_stays_in_its_parents_network_and_a_new_group_starts_its_own(fresh_model):
    model = fresh_model(**{"crime.attrition": 0.0, "crime.split_size": 12})
    gang = _only_gang(model, "IDN", 20)
    gang.loot = 0
    gang.grow()
    assert {g.network for g in model.syndicates} == {gang.network}
    assert Syndicate(model, "SOMS", 3).network not in {gang.network}


@pytest.mark.parametrize("rollup, survivors", [(1.0, 0), (0.0, 2)])
def test_breaking_up_one_group_rolls_up_its_network_and_spares_other_networks(fresh_model, rollup, survivors):
    model = fresh_model(**{"crime.rollup": rollup, "member.prosecution": 1.0})
    first = _only_gang(model, "SOMS", 5)
    offshoots = [Syndicate(model, area, 5, network=first.network) for area in ("SOMS", "IDN")]
    stranger = Syndicate(model, "SOMS", 5)
    model.assess_risk()  # the month's prosecution rates, which the roll-up reads
    model.break_up(first, "IDN")
    assert first.size == 0
    assert sum(g.size > 0 for g in offshoots) == survivors
    assert stranger.size == 5


def test_a_crackdown_raids_only_the_groups_in_its_area_and_only_while_it_lasts(fresh_model):
    # a picture that is complete after one month (history.crackdown_intel tiny), certain raids and convictions
    model = fresh_model(
        **{"history.crackdown_raid": 1.0, "history.crackdown_prosecution": 1.0, "history.crackdown_intel": 0.1}
    )
    small = _only_gang(model, "SOMS", 2)  # a small crew is found as readily as a large one
    elsewhere = Syndicate(model, "IDN", model.p["crime.split_size"])
    idn = model.member_by["IDN"]
    assert idn.raid() == []  # no crackdown
    idn.crackdown = {"SOMS": model.t}
    assert idn.raid() == [small]
    idn.crackdown = {"SOMS": model.t - 1}  # over
    assert idn.raid() == []
    assert elsewhere.size == model.p["crime.split_size"]


def test_a_crackdown_builds_its_picture_of_the_groups_month_by_month(fresh_model):
    """With history.crackdown_intel = 6 months the picture is 1 - exp(-m / 6) complete after m months,
    and the share of groups found each month follows it: raids start slowly."""
    model = fresh_model(**{"history.crackdown_raid": 1.0, "history.crackdown_prosecution": 1.0})
    for gang in list(model.syndicates):
        gang.remove()
    groups = [Syndicate(model, "SOMS", 3) for _ in range(4000)]
    idn = model.member_by["IDN"]
    idn.crackdown = {"SOMS": model.t + 100}
    first = len(idn.raid()) / len(groups)
    assert idn.intel["SOMS"] == pytest.approx(1 - math.exp(-1 / 6))
    assert first == pytest.approx(1 - math.exp(-1 / 6), abs=0.03)
    for _ in range(11):
        idn.raid()
    assert idn.intel["SOMS"] == pytest.approx(1 - math.exp(-12 / 6))
    assert len(idn.raid()) / len(groups) == pytest.approx(1 - math.exp(-13 / 6), abs=0.03)


def test_a_group_moves_to_the_safer_neighbour_when_risk_rises(fresh_model):
    model = fresh_model(**{"crime.displacement": 100.0})
    gang = _only_gang(model, "SOMS", 5)
    model.detection = dict.fromkeys(model.area_codes, 0.9)
    model.detection["IDN"] = 0.0  # a neighbour of SOMS where nothing is detected
    gang.move()
    assert gang.area == "IDN"
    assert gang in model.sea["IDN"].agents


def test_a_group_stays_when_its_area_is_the_safest(fresh_model):
    model = fresh_model(**{"crime.displacement": 100.0})
    gang = _only_gang(model, "SOMS", 5)
    model.detection = dict.fromkeys(model.area_codes, 0.5)
    model.detection["SOMS"] = 0.1
    gang.move()
    assert gang.area == "SOMS"


def test_new_groups_appear_where_traffic_goes_undetected(fresh_model):
    model = fresh_model(**{"crime.emergence": 5.0})
    _only_gang(model, "SOMS", 1).remove()
    model.detection = dict.fromkeys(model.area_codes, 1.0)
    model.detection["SOMS"] = 0.0
    model.emerge()
    assert {g.area for g in model.syndicates} == {"SOMS"}


def test_the_kidnap_group_is_deterred_by_detection(fresh_model):
    model = fresh_model(**{"kidnap.raid_rate": 0.5, "run.period": "history-free"})
    group = next(iter(model.kidnappers))
    model.detection["SULU_CELEBES"] = 0.0
    free = sum(group.raid()[0] for _ in range(200))
    model.detection["SULU_CELEBES"] = 0.5
    watched = sum(group.raid()[0] for _ in range(200))
    assert free > 0
    assert watched < free * 0.5 ** model.p["kidnap.deterrence"] * 3  # (1 - d)^deterrence, with room for noise


def test_abducted_crew_average_the_sourced_figure(fresh_model):
    model = fresh_model(**{"kidnap.raid_rate": 1.0, "kidnap.fighters": 10})
    group = KidnapGroup(model, "SULU_CELEBES", 10, pressure=0.0)
    model.detection["SULU_CELEBES"] = 0.0
    crews = []
    for _ in range(300):
        _, taken = group.raid()
        if taken:
            crews.append(group.abducted / taken)
    assert sum(crews) / len(crews) == pytest.approx(model.p["kidnap.crew"], rel=0.1)


def test_the_kidnap_group_exists_from_the_start_in_every_period(fresh_model):
    for period in ("history", "history-free", "outlook"):
        (group,) = fresh_model(**{"run.period": period}).kidnappers
        assert group.fighters == 20 and group.area == "SULU_CELEBES"
