"""The sea areas: the shipped file is consistent, the space is built from it, bad files are refused."""

import csv
import random
from importlib import resources

import pytest

from sim.model.areas import AreaDataError, load_areas, parse_areas
from sim.model.params import SPECS
from sim.model.sea import build_sea, features, recaap_areas

HEADER = "code,label,kind,lon,lat,littoral,claimants,neighbours\n"


def tiny(*rows: str) -> str:
    return HEADER + "\n".join(rows) + "\n"


def test_shipped_areas_use_recaap_codes_and_the_amti_features():
    codes = {r.code for r in load_areas()}
    assert {"SOMS", "IDN", "SCS", "SULU_CELEBES", "PHL", "VNM", "MYS", "THA"} <= codes
    assert {"SCARBOROUGH", "SECOND_THOMAS", "THITU", "VANGUARD", "LUCONIA", "NATUNA"} <= codes


#: the area codes of ReCAAP's incident list 2012-2024 (shared/data/validation/README.md, "Area codes")
RECAAP_CODES = {"BGD", "CHN", "IDN", "IND", "MYS", "OTHER", "PHL", "SCS", "SOMS", "SULU_CELEBES", "THA", "VNM"}


def test_shipped_recaap_codes_appear_in_the_validation_data():
    """Every ReCAAP area of the model is a code the observed incident list uses (so data match)."""
    assert {r.code for r in load_areas() if r.kind == "recaap_area"} <= RECAAP_CODES


def test_every_littoral_state_and_claimant_is_a_modelled_state():
    text = resources.files("sim.model.data").joinpath("states.csv").read_text(encoding="utf-8")
    states = {row["iso3"] for row in csv.DictReader(text.splitlines())}
    for r in load_areas():
        assert set(r.littoral) <= states, r.code
        assert set(r.claimants) <= states, r.code


def test_features_are_claimed_and_every_recaap_area_has_an_opportunity_parameter():
    for r in load_areas():
        if r.kind == "feature":
            assert r.claimants and f"sea.traffic.{r.code}" not in SPECS, r.code
        else:
            assert not r.claimants and SPECS[f"sea.traffic.{r.code}"].default > 0, r.code
    assert SPECS["sea.traffic.SOMS"].default == 1.0  # the unit


def test_space_has_a_cell_per_area_joined_as_the_file_says():
    sea = build_sea(random=random.Random(1))
    assert len(list(sea.all_cells)) == len(load_areas())
    straits = {c.coordinate for c in sea["SOMS"].neighborhood}
    assert straits == set(load_areas()[0].neighbours)
    assert sea["SCARBOROUGH"].area.claimants == ("PHL",)
    assert next(c.coordinate for c in features(sea)) == "SCARBOROUGH"
    assert all(c.area.kind == "recaap_area" for c in recaap_areas(sea))


def test_a_tiny_hand_built_sea():
    records = parse_areas(tiny("A,a,recaap_area,100,0,IDN,,B", "B,b,feature,101,1,IDN,IDN,A"))
    sea = build_sea(records, random=random.Random(0))
    assert [c.coordinate for c in sea["A"].neighborhood] == ["B"]
    assert [c.coordinate for c in features(sea)] == ["B"]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (("A,a,recaap_area,100,0,IDN,,B",), "unknown neighbour B"),
        (("A,a,recaap_area,100,0,IDN,,B", "B,b,recaap_area,100,0,IDN,,"), "not the reverse"),
        (("A,a,lagoon,100,0,IDN,,",), "kind 'lagoon'"),
        (("A,a,recaap_area,200,0,IDN,,",), "off the globe"),
        (("A,a,feature,100,0,IDN,,",), "no claimant"),
        (("A,a,recaap_area,east,0,IDN,,",), "line 2"),
        (("A,a,recaap_area,100,0,IDN,,", "A,b,recaap_area,100,0,IDN,,"), "appears twice"),
    ],
)
def test_bad_area_files_are_refused_naming_the_problem(rows, message):
    with pytest.raises(AreaDataError, match=message):
        parse_areas(tiny(*rows))


def test_the_file_has_the_documented_columns():
    text = resources.files("sim.model.data").joinpath("areas.csv").read_text(encoding="utf-8")
    assert next(csv.reader(text.splitlines())) == HEADER.strip().split(",")


def test_the_neighbours_workaround_gives_the_cells_of_mesas_own_neighbourhood():
    """``mesa_compat.neighbours`` stands in for ``Cell.neighborhood`` (cached at class level in Mesa 3.3.1):
    the same cells, for every cell of the sea."""
    from sim.model.mesa_compat import neighbours

    sea = build_sea(random=random.Random(3))
    for cell in sea.all_cells:
        assert {c.coordinate for c in neighbours(cell)} == {c.coordinate for c in cell.neighborhood}
        assert {c.coordinate for c in neighbours(cell)} == set(cell.area.neighbours)
