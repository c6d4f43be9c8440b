"""Validation: the criteria file, the statistics, the history period and `python -m sim validate`."""

from __future__ import annotations

import math
import os

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.model import history
from sim.model.params import ParameterError
from sim.model.region import RegionModel
from sim.science import validate as V

CRITERIA = V.load_criteria(V.criteria_text())


@pytest.mark.parametrize("criterion", CRITERIA, ids=lambda c: c.statistic)
def test_each_observed_value_in_the_criteria_file_is_what_the_data_give(criterion):
    observed = V.observed_statistics()[criterion.statistic]
    assert criterion.observed == pytest.approx(observed, rel=0.01, abs=0.006)


def test_every_pattern_v1_to_v6_has_a_criterion():
    assert {c.pattern for c in CRITERIA} == {f"V{k}" for k in range(1, 7)}


@pytest.mark.parametrize(
    ("rule", "extra", "values", "passed"),
    [
        ("within", {}, [1, 2, 3, 4, 5], True),
        ("within", {}, [5, 6, 7], False),
        ("median_at_least", {"threshold": 3}, [2, 3, 4], True),
        ("median_at_least", {"threshold": 3.5}, [2, 3, 4], False),
        ("median_at_most", {"threshold": 3}, [2, 3, 4], True),
        ("median_near", {"tolerance": 0.5}, [3.4, 3.5, 3.6], True),
        ("median_near", {"tolerance": 0.4}, [3.4, 3.5, 3.6], False),
        ("ratio_within", {"low": 0.5, "high": 2}, [6, 6, 6], True),
        ("ratio_within", {"low": 0.5, "high": 2}, [7, 7, 7], False),
        ("mean_at_least", {"threshold": 0.5}, [1, 0, 1, 0], True),
        ("mean_at_least", {"threshold": 0.6}, [1, 0, 1, 0], False),
        ("median_at_least", {"threshold": 0}, [math.nan, math.nan], False),
    ],
)
def test_rules_judge_as_written(rule, extra, values, passed):
    c = V.Criterion("V0", "x", "d", observed=3.0, rule=rule, variants=("history",), **extra)
    assert c.judge(values) is passed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version = 1", "has no [[criterion]]"),
        ("[[criterion]]\npattern = 'V1'", "is missing"),
        (
            "[[criterion]]\npattern='V1'\nstatistic='vmr_2013_2024'\ndescription='d'\nobserved=1\nrule='guess'\n"
            "variants=['history']",
            "rule 'guess'",
        ),
        (
            "[[criterion]]\npattern='V1'\nstatistic='nope'\ndescription='d'\nobserved=1\nrule='within'\n"
            "variants=['history']",
            "unknown statistic",
        ),
        (
            "[[criterion]]\npattern='V1'\nstatistic='vmr_2013_2024'\ndescription='d'\nobserved=1\n"
            "rule='median_at_least'\nvariants=['history']",
            "needs 'threshold'",
        ),
    ],
)
def test_a_malformed_criteria_file_is_refused_with_one_line(text, message):
    with pytest.raises(V.ValidationError, match=message.replace("[", r"\[")):
        V.load_criteria(text)


def _monthly(years: dict[int, int], area: str = "SOMS") -> pd.DataFrame:
    """A hand-made monthly table with ``years[y]`` incidents in ``area`` in January of each year."""
    dates = [f"{y}-{m:02d}" for y in range(2007, 2025) for m in range(1, 13)]
    ts = pd.DataFrame({"date": dates})
    for a in V.AREAS:
        ts[f"incidents_{a}"] = 0
    for col in ("kidnappings", "crew_abducted", "statements_blocked"):
        ts[col] = 0
    for f in ("SCARBOROUGH", "SECOND_THOMAS", "THITU", "VANGUARD", "LUCONIA"):
        ts[f"shipdays_{f}"] = 1.0
    for y, n in years.items():
        ts.loc[ts["date"] == f"{y}-01", f"incidents_{area}"] = n
    return ts


def test_statistics_of_a_hand_made_history():
    counts = {y: 10 for y in range(2007, 2025)} | {2013: 9, 2015: 99, 2016: 1}
    stats = V.statistics(V.simulated(_monthly(counts)))
    assert stats["soms_surge_2015_over_2013"] == pytest.approx(100 / 10)
    assert stats["soms_2016_over_2015"] == pytest.approx(1 / 99)
    assert stats["largest_fall_2013_2024"] == pytest.approx(98 / 99)
    assert stats["share_SOMS_2013_2024"] == 1.0
    assert stats["shipday_share_PHL_2022_2023"] == pytest.approx(3 / 5)
    assert stats["blocked_years_other"] == 0
    x = np.array([counts[y] for y in range(2013, 2025)], dtype=float)
    assert stats["vmr_2013_2024"] == pytest.approx(x.var(ddof=1) / x.mean())


def test_the_history_events_are_dated_sourced_and_of_known_kinds():
    events = history.events()
    assert events and all(e.source for e in events)
    assert [e.month for e in events] == sorted(e.month for e in events)
    kinds = {e.kind for e in events}
    assert {"joint_patrol", "crackdown", "arbitration", "leader", "land_pressure", "budget"} <= kinds


def test_history_runs_with_dates_2007_to_2024_and_events_change_actors_not_outcomes():
    model = RegionModel(rng=3, **{"run.period": "history", "run.spinup": 12})
    (group,) = model.kidnappers
    pressure = {}
    for _ in range(history.HISTORY_MONTHS):
        model.step()
        pressure[model.date] = group.pressure
    ts = model.timeseries()
    assert ts["date"].iloc[0] == "2007-01" and ts["date"].iloc[-1] == "2024-12"
    assert {"kidnappings", "crew_abducted"} <= set(ts.columns)
    assert model.committed_joint == {"SULU_CELEBES": ("IDN", "MYS", "PHL")}  # the 2017 trilateral patrols
    assert model.member_by["PHL"].orientation == 0.0  # Duterte's turn ended in 2022
    assert model.partner_by["JPN"].base_budget == 113e6  # OSA FY2024
    # the pressure on the kidnap group ashore follows the dated events, not the default (0.8)
    assert (pressure["2007-01"], pressure["2014-06"], pressure["2014-07"]) == (0.2, 0.2, 0.4)
    assert (pressure["2016-07"], pressure["2018-04"], pressure["2018-05"]) == (0.6, 0.6, 0.8)
    assert {a.date for a in model.ledger if a.kind == "event"} >= {"2016-07", "2017-06", "2022-05"}


def test_the_free_history_has_no_events():
    model = RegionModel(rng=3, **{"run.period": "history-free", "run.spinup": 12})
    model.run(24)
    assert model.committed_joint == {}
    assert model.ledger.count(kind="event") == 0


def test_a_history_period_refuses_another_start():
    with pytest.raises(ParameterError, match=r"run\.start cannot be '2030-01'"):
        RegionModel(rng=1, **{"run.period": "history", "run.start": "2030-01"})


@pytest.mark.slow
def test_validate_writes_its_table_figures_and_report(tmp_path, capsys):
    out = tmp_path / "v"
    status = main(["validate", "--replications", "2", "--workers", "1", "--out", str(out), "--set", "run.spinup=24"])
    assert status == 0
    table = pd.read_csv(out / "validation.csv")
    assert list(table.columns[:8]) == [
        "pattern", "statistic", "variant", "observed", "simulated_median", "simulated_low", "simulated_high",
        "simulated_mean",
    ]  # fmt: skip
    assert len(table) == 2 * len(CRITERIA)
    assert table["simulated_median"].notna().sum() > len(CRITERIA)
    assert {"totals.png", "areas.png", "straits.png", "kidnappings.png", "china.png"} <= {
        p.name for p in (out / "figures").iterdir()
    }
    report = (out / "report.md").read_text()
    assert "## What failed" in report and "criteria passed" in capsys.readouterr().out
    assert "## Criteria that are not independent" in report and "`shipdays_2022_2023`: `china.shipdays`" in report
    assert "V6 is the criterion it was diagnosed on" in report
    assert len(pd.read_csv(out / "runs.csv")) == 4
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o777 & ~mask  # the user's usual mode, not a temp folder's 0700


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--replications", "1"], "--replications must be at least 2"),
        (["--set", "crime.nope=1"], "unknown parameter"),
        (["--criteria", "/nonexistent/c.toml"], "cannot read criteria file"),
    ],
)
def test_validate_refuses_bad_input_before_writing(tmp_path, capsys, args, message):
    out = tmp_path / "v"
    assert main(["validate", "--out", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not out.exists()


def test_every_criterion_marked_not_independent_exists():
    from sim.science.validate import NOT_INDEPENDENT

    assert set(NOT_INDEPENDENT) <= {c.statistic for c in CRITERIA}


def test_the_noise_band_brackets_the_count_and_widens_with_fewer_replications():
    from sim.science.validate import judge, noise_band

    criterion = V.load_criteria(
        '[[criterion]]\npattern = "V1"\nstatistic = "vmr_2013_2024"\ndescription = "d"\nobserved = 0.0\n'
        'rule = "median_at_least"\nthreshold = 0.0\nvariants = ["history"]\n'
    )
    runs = [
        # -1 and +1 alternately: whether the median clears 0 is a coin toss
        {"variant": v, "seed": k, "stats": {"vmr_2013_2024": float(k % 2 * 2 - 1)}}
        for k in range(40)
        for v in ("history", "history-free")
    ]
    passed = int((judge(criterion, runs)["passed"] == True).sum())  # noqa: E712
    low, _, high = noise_band(criterion, runs)
    assert low <= passed <= high and (low, high) == (0, 1)
    settled = [{**r, "stats": {"vmr_2013_2024": 1.0}} for r in runs]
    assert noise_band(criterion, settled) == (1, 1, 1)  # nothing random: no band
