"""sim.science.analysis: every statistic against numbers worked out by hand on small hand-made tables, SALib's
indices against a function whose ranking is known, and the tables of a tiny real sweep."""

from __future__ import annotations

import json
import math
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.runs.experiment import parse_experiment
from sim.runs.provenance import utc_now
from sim.runs.runner import Execution, Sweep, design_table
from sim.runs.store import Results, ResultsError, Store, load_results
from sim.science import analysis as A

# Student t quantiles t(0.975, df), from tables (not from scipy, which the code under test uses)
T1, T2, T3 = 12.706204736174694, 4.302652729749462, 3.1824463052837078


# ---- helpers shared with tests/test_plots.py ------------------------------------------------------


def sweep(folder: Path, text: str, workers: int = 2) -> Results:
    """Run an experiment (TOML text) into ``folder`` as ``python -m sim sweep`` does, and load it."""
    exp = parse_experiment(tomllib.loads(text), source=text)
    store = Store(folder)
    store.create(text, design_table(exp), {"kind": "sweep", "experiment": exp.name, "status": "running"})
    Sweep(exp, store, Execution(workers=workers), quiet=True).run()
    counts = store.consolidate()
    manifest = store.manifest()
    manifest.update(status="complete", finished_utc=utc_now().isoformat(), counts=counts)
    store.write_manifest(manifest)
    return load_results(folder)


def fake_results(text: str, runs: pd.DataFrame, design: pd.DataFrame, folder: str = "fake") -> Results:
    return Results(folder=Path(folder), runs=runs, design=design, series=None, manifest={}, experiment_text=text)


def one_line(err: pytest.ExceptionInfo) -> str:
    message = str(err.value)
    assert "\n" not in message
    return message


# ---- t intervals and point statistics -----------------------------------------------------------


def test_t_interval_by_hand():
    s = A.t_interval([1.0, 2.0, 3.0, 6.0, float("nan")])
    sd = math.sqrt((4 + 1 + 0 + 9) / 3)
    assert s["n"] == 4
    assert s["mean"] == pytest.approx(3.0)
    assert s["sd"] == pytest.approx(sd)
    assert s["ci_low"] == pytest.approx(3.0 - T3 * sd / 2)
    assert s["ci_high"] == pytest.approx(3.0 + T3 * sd / 2)


def test_t_interval_of_one_value_has_nan_bounds_and_of_none_a_nan_mean():
    one = A.t_interval([5.0])
    assert one["n"] == 1 and one["mean"] == 5.0
    assert math.isnan(one["sd"]) and math.isnan(one["ci_low"]) and math.isnan(one["ci_high"])
    none = A.t_interval([])
    assert none["n"] == 0 and math.isnan(none["mean"])


def design_2() -> pd.DataFrame:
    return pd.DataFrame({"point_id": [0, 1, 2], "label": ["base", "other", "empty"], "x": [0.0, 1.0, 2.0]})


def runs_2() -> pd.DataFrame:
    """Point 0: three ok runs; point 1: one ok and one failed run; point 2: one failed run."""
    return pd.DataFrame(
        {
            "run_id": [0, 1, 2, 3, 4, 5],
            "point_id": [0, 0, 0, 1, 1, 2],
            "replicate": [0, 1, 2, 0, 1, 0],
            "status": ["ok", "ok", "ok", "ok", "failed", "failed"],
            "coercion_mean": [0.1, 0.2, 0.6, 0.5, None, None],
            "stability_index_mean": [0.7, 0.8, 0.9, 0.5, None, None],
        }
    )


def test_point_stats_by_hand():
    table = A.point_stats(runs_2(), design_2(), ["coercion_mean", "stability_index_mean"])
    assert list(table.columns) == ["point_id", "label", "metric", "n", "mean", "sd", "ci_low", "ci_high"]
    assert len(table) == 6  # every point and metric, even without ok runs
    row = table[(table.point_id == 0) & (table.metric == "coercion_mean")].iloc[0]
    sd = math.sqrt(((0.1 - 0.3) ** 2 + (0.2 - 0.3) ** 2 + (0.6 - 0.3) ** 2) / 2)
    assert row["label"] == "base"
    assert row["n"] == 3
    assert row["mean"] == pytest.approx(0.3)
    assert row["sd"] == pytest.approx(sd)
    assert row["ci_low"] == pytest.approx(0.3 - T2 * sd / math.sqrt(3))
    assert row["ci_high"] == pytest.approx(0.3 + T2 * sd / math.sqrt(3))
    single = table[(table.point_id == 1) & (table.metric == "coercion_mean")].iloc[0]
    assert single["n"] == 1 and single["mean"] == pytest.approx(0.5)  # the failed run is left out
    assert math.isnan(single["sd"]) and math.isnan(single["ci_low"]) and math.isnan(single["ci_high"])
    empty = table[(table.point_id == 2) & (table.metric == "coercion_mean")].iloc[0]
    assert empty["n"] == 0 and math.isnan(empty["mean"])


def test_summary_columns_in_a_stable_order_and_default_metrics():
    runs = runs_2().assign(coercion_final=0.0, incidents_mean=1.0, coercion_drop=0.1, other=1)
    assert A.summary_columns(runs) == [
        "incidents_mean",
        "coercion_mean",
        "coercion_final",
        "stability_index_mean",
        "coercion_drop",
    ]
    table = A.point_stats(runs, design_2())
    assert list(dict.fromkeys(table["metric"])) == [
        "incidents_mean",
        "coercion_mean",
        "coercion_final",
        "stability_index_mean",
    ]


def test_missing_columns_raise_one_line_results_errors():
    with pytest.raises(ResultsError) as err:
        A.point_stats(runs_2(), design_2(), "no_such_metric_mean")
    assert "no_such_metric_mean" in one_line(err)
    with pytest.raises(ResultsError) as err:
        A.point_stats(runs_2().drop(columns="point_id"), design_2())
    assert "point_id" in one_line(err)
    with pytest.raises(ResultsError) as err:
        A.shock_effects(runs_2(), design_2())
    assert "no shock columns" in one_line(err)
    with pytest.raises(ResultsError) as err:
        A.series_stats(None, runs_2(), design_2(), "coercion")
    assert "keep_series" in one_line(err)


# ---- paired differences ---------------------------------------------------------------------------


def paired_runs() -> pd.DataFrame:
    """Baseline (point 0) and point 1 in replicates 0-3; replicate 3 of point 1 failed."""
    base = {0: 1.0, 1: 2.0, 2: 3.0, 3: 10.0}
    other = {0: 1.5, 1: 3.0, 2: 2.0, 3: None}
    rows = [
        {"run_id": k, "point_id": 0, "replicate": r, "status": "ok", "coercion_mean": v}
        for k, (r, v) in enumerate(base.items())
    ]
    rows += [
        {
            "run_id": 4 + r,
            "point_id": 1,
            "replicate": r,
            "status": "ok" if v is not None else "failed",
            "coercion_mean": v,
        }
        for r, v in other.items()
    ]
    return pd.DataFrame(rows)


def test_paired_differences_match_replicates_not_row_positions():
    design = pd.DataFrame({"point_id": [0, 1], "label": ["baseline", "change"]})
    runs = paired_runs()  # rows 0-3: baseline, replicates 0-3; rows 4-7: point 1, replicates 0-3
    shuffled = runs.iloc[[7, 0, 6, 1, 5, 2, 4, 3]].reset_index(drop=True)  # point 1 in reverse order
    table = A.paired_differences(shuffled, design, baseline=0, metrics="coercion_mean")
    assert list(table.columns) == [
        "point_id",
        "label",
        "metric",
        "baseline",
        "baseline_label",
        "n_pairs",
        "mean_diff",
        "sd_diff",
        "ci_low",
        "ci_high",
        "paired",
    ]
    row = table.iloc[0]
    diffs = [0.5, 1.0, -1.0]  # replicates 0, 1, 2; replicate 3 has no ok pair
    mean, sd = np.mean(diffs), np.std(diffs, ddof=1)
    assert row["point_id"] == 1 and row["label"] == "change" and row["baseline_label"] == "baseline"
    assert row["n_pairs"] == 3
    assert row["mean_diff"] == pytest.approx(mean)
    assert row["sd_diff"] == pytest.approx(sd)
    assert row["ci_low"] == pytest.approx(mean - T2 * sd / math.sqrt(3))
    assert row["ci_high"] == pytest.approx(mean + T2 * sd / math.sqrt(3))
    assert bool(row["paired"]) is True
    # pairing by row position in the shuffled table would give another answer
    by_position = (
        shuffled[shuffled.point_id == 1]["coercion_mean"].to_numpy()
        - shuffled[shuffled.point_id == 0]["coercion_mean"].to_numpy()
    )
    assert np.nanmean(by_position) != pytest.approx(mean)


def test_paired_differences_baseline_by_label_and_unknown_baseline():
    design = pd.DataFrame({"point_id": [0, 1], "label": ["baseline", "change"]})
    by_label = A.paired_differences(paired_runs(), design, baseline="change", metrics="coercion_mean")
    assert by_label.iloc[0]["point_id"] == 0
    assert by_label.iloc[0]["mean_diff"] == pytest.approx(np.mean([-0.5, -1.0, 1.0]))
    with pytest.raises(ResultsError) as err:
        A.paired_differences(paired_runs(), design, baseline=7, metrics="coercion_mean")
    assert "no design point 7" in one_line(err)


def test_paired_differences_need_one_run_per_point_and_replicate():
    runs = pd.concat([paired_runs(), paired_runs().iloc[[0]]], ignore_index=True)
    with pytest.raises(ResultsError, match="more than one ok run"):
        A.paired_differences(runs, pd.DataFrame({"point_id": [0, 1], "label": ["a", "b"]}), metrics="coercion_mean")


# ---- factorial effects ----------------------------------------------------------------------------

#: cell values of a 2 x 2 design (A a switch, B a bundle with levels "lo" then "hi") in two replicates
CELLS = {
    0: {(False, "lo"): 10.0, (True, "lo"): 12.0, (False, "hi"): 13.0, (True, "hi"): 16.0},
    1: {(False, "lo"): 10.0, (True, "lo"): 12.0, (False, "hi"): 13.0, (True, "hi"): 18.0},
}


def factorial_tables(shuffle: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    combos = [(True, "lo"), (False, "lo"), (True, "hi"), (False, "hi")]  # design order: True first, lo first
    design = pd.DataFrame(
        {
            "point_id": range(4),
            "label": [f"A={a}, {b}" for a, b in combos],
            "policy.JPN.quad": [a for a, _ in combos],
            "B": [b for _, b in combos],
        }
    )
    rows = [
        {"run_id": p * 2 + r, "point_id": p, "replicate": r, "status": "ok", "stability_index_mean": CELLS[r][c]}
        for p, c in enumerate(combos)
        for r in (0, 1)
    ]
    runs = pd.DataFrame(rows)
    return (runs.sample(frac=1.0, random_state=1) if shuffle else runs), design


def test_main_effects_on_a_2x2_by_hand():
    runs, design = factorial_tables()
    main, _ = A.factorial_effects(runs, design, ["policy.JPN.quad", "B"], "stability_index_mean")
    assert list(main.columns) == ["factor", "level", "metric", "kind", "n", "mean", "effect", "ci_low", "ci_high"]
    get = main.set_index(["factor", "level"])
    # replicate 0: grand mean 12.75, A on 14, A off 11.5; replicate 1: grand 13.25, A on 15, A off 11.5
    on = get.loc[("policy.JPN.quad", "True")]
    assert on["kind"] == "level" and on["n"] == 2
    assert on["mean"] == pytest.approx(14.5)
    assert on["effect"] == pytest.approx(np.mean([1.25, 1.75]))
    half = T1 * np.std([1.25, 1.75], ddof=1) / math.sqrt(2)
    assert on["ci_low"] == pytest.approx(1.5 - half) and on["ci_high"] == pytest.approx(1.5 + half)
    assert get.loc[("policy.JPN.quad", "False"), "effect"] == pytest.approx(-1.5)
    contrast = get.loc[("policy.JPN.quad", "True - False")]
    assert contrast["kind"] == "contrast"
    assert contrast["effect"] == pytest.approx(3.0)  # 2.5 and 3.5
    half = T1 * np.std([2.5, 3.5], ddof=1) / math.sqrt(2)
    assert contrast["ci_low"] == pytest.approx(3.0 - half)
    # a bundle factor: the level listed second in the design ("hi") is high
    assert get.loc[("B", "hi - lo"), "effect"] == pytest.approx(np.mean([3.5, 4.5]))
    assert get.loc[("B", "lo"), "effect"] == pytest.approx(np.mean([-1.75, -2.25]))
    # levels in order: switches False then True
    assert list(main[main.factor == "policy.JPN.quad"]["level"]) == ["False", "True", "True - False"]


def test_interaction_on_a_2x2_by_hand():
    runs, design = factorial_tables()
    _, inter = A.factorial_effects(runs, design, ["policy.JPN.quad", "B"], "stability_index_mean")
    assert list(inter.columns) == [
        "factor_a",
        "level_a",
        "factor_b",
        "level_b",
        "metric",
        "kind",
        "n",
        "effect",
        "ci_low",
        "ci_high",
    ]
    contrast = inter[inter.kind == "contrast"].iloc[0]
    # (m(on, hi) - m(off, hi)) - (m(on, lo) - m(off, lo)): 16 - 13 - 12 + 10 = 1 and 18 - 13 - 12 + 10 = 3
    assert contrast["level_a"] == "True - False" and contrast["level_b"] == "hi - lo"
    assert contrast["effect"] == pytest.approx(2.0)
    assert contrast["ci_low"] == pytest.approx(2.0 - T1 * math.sqrt(2) / math.sqrt(2))
    cell = inter[(inter.kind == "cell") & (inter.level_a == "True") & (inter.level_b == "hi")].iloc[0]
    # m(a,b) - m(a,.) - m(.,b) + m(.,.) is a quarter of the contrast in a 2 x 2
    assert cell["effect"] == pytest.approx(0.5)
    assert len(inter[inter.kind == "cell"]) == 4


def test_cell_means_average_within_replicates():
    runs, design = factorial_tables()
    cells = A.cell_means(runs, design, ["policy.JPN.quad", "B"], "stability_index_mean")
    assert list(cells.columns) == ["policy.JPN.quad", "B", "metric", "n", "mean", "sd", "ci_low", "ci_high"]
    assert list(zip(cells["policy.JPN.quad"], cells["B"], strict=True)) == [
        (False, "lo"),
        (False, "hi"),
        (True, "lo"),
        (True, "hi"),
    ]
    assert cells.iloc[3]["mean"] == pytest.approx(17.0)
    one = A.cell_means(runs, design, "B", "stability_index_mean")
    assert one.set_index("B").loc["hi", "mean"] == pytest.approx(np.mean([14.5, 15.5]))


def test_incomplete_replicates_are_left_out_and_unbalanced_designs_refused():
    runs, design = factorial_tables(shuffle=False)
    runs.loc[(runs.point_id == 0) & (runs.replicate == 1), "status"] = "failed"
    main, _ = A.factorial_effects(runs, design, "policy.JPN.quad", "stability_index_mean")
    assert (main["n"] == 1).all()
    assert main.set_index("level").loc["True - False", "effect"] == pytest.approx(2.5)
    with pytest.raises(ResultsError) as err:
        A.factorial_effects(runs, design.iloc[:3], ["policy.JPN.quad", "B"], "stability_index_mean")
    assert "balanced full factorial" in one_line(err)
    with pytest.raises(ResultsError):
        A.factorial_effects(runs, design, ["no.such.factor"], "stability_index_mean")


BUNDLED = """
name = "bundled"
steps = 6
replications = 2
seed = 3
[design]
kind = "factorial"
[design.factors]
"policy.JPN.quad" = [true, false]
support = [{ label = "even", "policy.USA.budget" = 1.5 }, { label = "lean", "policy.USA.budget" = 0.5 }]
"""


def test_factorial_design_rebuilds_bundle_columns_and_design_kind():
    exp = parse_experiment(tomllib.loads(BUNDLED), source=BUNDLED)
    design = design_table(exp).drop(columns="support")  # as written before bundle labels were stored
    res = fake_results(BUNDLED, pd.DataFrame({"point_id": []}), design)
    assert A.design_kind(res) == "factorial"
    table, factors = A.factorial_design(res)
    assert factors == ["policy.JPN.quad", "support"]
    assert list(table["support"]) == ["even", "lean", "even", "lean"]
    with pytest.raises(ResultsError) as err:
        A.sensitivity_indices(res)
    assert "morris or sobol" in one_line(err)


# ---- sensitivity ---------------------------------------------------------------------------------

RANGES = """
[design.ranges]
"china.challenge_value" = [0.25, 0.75]
"china.escalation_cost" = [0.04, 0.12]
"china.condemnation_cost" = [0.0025, 0.0075]
"""
BOUNDS = {"china.challenge_value": (0.25, 0.75), "china.escalation_cost": (0.04, 0.12), "china.condemnation_cost": (
    0.0025, 0.0075)}  # fmt: skip
WEIGHTS = {"china.challenge_value": 10.0, "china.escalation_cost": 1.0, "china.condemnation_cost": 0.0}


def known_function_results(kind: str, extra: str) -> Results:
    """A fake results folder whose metric is 10 u1 + 1 u2 + 0 u3 (u: each parameter scaled to [0, 1])
    plus replicate noise that cancels in the mean over the two replicates."""
    text = f'name = "{kind}"\nsteps = 6\nreplications = 2\nseed = 11\n[design]\nkind = "{kind}"\n{extra}\n{RANGES}'
    exp = parse_experiment(tomllib.loads(text), source=text)
    design = design_table(exp)
    y = sum(w * (design[k] - BOUNDS[k][0]) / (BOUNDS[k][1] - BOUNDS[k][0]) for k, w in WEIGHTS.items())
    rows = []
    for p, value in enumerate(y):
        for r, noise in ((0, 0.5), (1, -0.5)):
            rows.append({"run_id": 2 * p + r, "point_id": p, "replicate": r, "status": "ok",
                         "stability_index_mean": value + noise, "statements_sought_mean": 3.5})  # fmt: skip
    return fake_results(text, pd.DataFrame(rows).sample(frac=1.0, random_state=2), design)


def test_morris_recovers_the_known_ranking_and_effects():
    res = known_function_results("morris", "samples = 10\nlevels = 4")
    table = A.sensitivity_indices(res, "stability_index_mean")
    assert list(table.columns) == ["parameter", "metric", "mu", "mu_star", "mu_star_conf", "sigma", "rank"]
    assert list(table["parameter"]) == ["china.challenge_value", "china.escalation_cost", "china.condemnation_cost"]
    assert list(table["rank"]) == [1, 2, 3]
    # a linear function: every elementary effect over the full range equals its weight
    assert list(table["mu_star"]) == pytest.approx([10.0, 1.0, 0.0], abs=1e-9)
    assert list(table["sigma"]) == pytest.approx([0.0, 0.0, 0.0], abs=1e-9)


def test_sobol_recovers_the_known_ranking_reproducibly():
    res = known_function_results("sobol", "samples = 64")
    table = A.sensitivity_indices(res, ["stability_index_mean", "statements_sought_mean"])
    assert list(table.columns) == ["parameter", "metric", "S1", "S1_conf", "ST", "ST_conf", "rank"]
    si = table[table.metric == "stability_index_mean"]
    assert list(si["parameter"]) == ["china.challenge_value", "china.escalation_cost", "china.condemnation_cost"]
    assert list(si["rank"]) == [1, 2, 3]
    assert si.iloc[0]["S1"] == pytest.approx(100 / 101, abs=0.05)
    assert si.iloc[2]["ST"] == pytest.approx(0.0, abs=1e-9)
    flat = table[table.metric == "statements_sought_mean"]  # never varies: no indices, no rank
    assert flat["S1"].isna().all() and flat["rank"].isna().all()
    again = A.sensitivity_indices(res, ["stability_index_mean", "statements_sought_mean"])
    pd.testing.assert_frame_equal(table, again)  # bootstrap seeded by the experiment's seed


def test_sensitivity_needs_every_design_point():
    res = known_function_results("morris", "samples = 4")
    res.runs.loc[res.runs.point_id == 3, "status"] = "failed"
    with pytest.raises(ResultsError) as err:
        A.sensitivity_indices(res, "stability_index_mean")
    assert "1 design points have no ok run" in one_line(err)


# ---- shocks -------------------------------------------------------------------------------------


def shock_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    shock = json.dumps([{"kind": "withdraw", "state": "USA", "step": 5}])
    design = pd.DataFrame(
        {"point_id": [0, 1, 2], "label": ["none", "withdraw", "withdraw, lean"], "shocks": ["[]", shock, shock],
         "policy.USA.budget": [1.5, 1.5, 0.5]}
    )  # fmt: skip
    rows = [{"point_id": 0, "replicate": r, "coercion_drop": None, "coercion_recovery": None} for r in range(3)]
    rows += [
        {"point_id": 1, "replicate": r, "coercion_drop": d, "coercion_recovery": t}
        for r, (d, t) in enumerate([(0.1, 2), (0.2, None), (0.3, 4)])
    ]
    rows += [
        {"point_id": 2, "replicate": r, "coercion_drop": 0.05, "coercion_recovery": t}
        for r, t in enumerate([1, None, None, 3])
    ]
    runs = pd.DataFrame(rows).assign(status="ok")
    runs["run_id"] = range(len(runs))
    runs["coercion_recovery"] = runs["coercion_recovery"].astype(object)  # None cells, as stored by a sweep
    return runs, design


def test_shock_effects_by_hand():
    runs, design = shock_tables()
    table = A.shock_effects(runs, design)
    assert list(table["point_id"]) == [1, 2]  # the point without a shock is left out
    one = table.iloc[0]
    assert one["metric"] == "coercion" and one["direction"] == -1
    assert one["n"] == 3
    assert one["drop_mean"] == pytest.approx(0.2)
    assert one["drop_ci_low"] == pytest.approx(0.2 - T2 * 0.1 / math.sqrt(3))
    assert one["n_recovered"] == 2 and one["recovered_share"] == pytest.approx(2 / 3)
    assert one["recovery_median"] == pytest.approx(4.0)  # 2, 4, never
    assert one["recovery_median_recovered"] == pytest.approx(3.0)
    two = table.iloc[1]
    assert two["recovered_share"] == pytest.approx(0.5)
    assert math.isnan(two["recovery_median"])  # 1, 3, never, never: half never recovered
    assert two["recovery_median_recovered"] == pytest.approx(2.0)
    assert list(A.shock_effects(runs, design, "coercion_drop")["metric"]) == ["coercion", "coercion"]
    with pytest.raises(ResultsError):
        A.shock_effects(runs, design, "stability_index")


def test_shock_steps_and_pairs():
    _, design = shock_tables()
    assert A.shock_steps(design) == {1: 5, 2: 5}
    assert A.shock_pairs(design) == {1: 0, 2: None}  # point 2 differs in budget: no counterfactual


def series_tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    runs, design = shock_tables()
    runs = runs[runs.point_id < 2].reset_index(drop=True)
    runs = runs[runs.replicate < 2]
    series = pd.DataFrame(
        [
            {"run_id": run.run_id, "step": s, "coercion": 0.1 * s + run.replicate + 10 * run.point_id}
            for run in runs.itertuples()
            for s in range(1, 9)
        ]
    )
    return series.sample(frac=1.0, random_state=4), runs, design


def test_series_stats_and_shock_curves_by_hand():
    series, runs, design = series_tables()
    stats = A.series_stats(series, runs, design, "coercion")
    assert list(stats.columns) == ["point_id", "label", "metric", "step", "n", "mean", "sd", "ci_low", "ci_high"]
    row = stats[(stats.point_id == 1) & (stats.step == 3)].iloc[0]
    assert row["n"] == 2 and row["mean"] == pytest.approx(10.3 + 0.5)
    assert row["ci_high"] == pytest.approx(10.8 + T1 * math.sqrt(0.5) / math.sqrt(2))
    curves = A.shock_curves(series, runs, design, None, "coercion", window=(2, 1))
    assert sorted(curves["month"].unique()) == [-2, -1, 0, 1]
    assert list(curves[curves.point_id == 1]["step"]) == [3, 4, 5, 6]
    assert list(curves.groupby("point_id")["shocked"].first()) == [False, True]
    assert list(curves.groupby("point_id")["pair"].first()) == [1, 1]
    smooth = A.shock_curves(series, runs, design, 5, "coercion", window=None, smooth=3)
    first = smooth[(smooth.point_id == 0) & (smooth.step == 4)].iloc[0]
    assert first["mean"] == pytest.approx(0.3 + 0.5)  # mean of months 2-4 (0.2, 0.3, 0.4) + replicate mean
    assert (smooth["smooth"] == 3).all()
    grouped = A.series_stats(series, runs, design, "coercion", by="policy.USA.budget")
    assert list(grouped.columns)[:2] == ["policy.USA.budget", "label"]
    assert grouped[grouped.step == 1].iloc[0]["mean"] == pytest.approx(np.mean([0.1 + 0.5, 10.1 + 0.5]))


# ---- Japan's layers and budget split -------------------------------------------------------------


def test_layer_combinations_fill_unvaried_layers_from_base_or_defaults():
    design = pd.DataFrame(
        {"point_id": [0, 1], "label": ["a", "b"], "policy.JPN.quad": [True, False], "threats": ["x", "y"]}
    )
    runs = pd.DataFrame(
        {"run_id": [0, 1], "point_id": [0, 1], "replicate": [0, 0], "status": "ok", "coercion_mean": [0.2, 0.4]}
    )
    table = A.layer_combinations(runs, design, "coercion_mean", base={"policy.JPN.capacity": False})
    assert list(table.columns) == ["point_id", "label", "quad", "bilateral", "forums", "capacity", "n_layers",
                                   "threats", "metric", "n", "mean", "sd", "ci_low", "ci_high"]  # fmt: skip
    assert list(table["quad"]) == [True, False]
    assert table["bilateral"].all() and table["forums"].all() and not table["capacity"].any()
    assert list(table["n_layers"]) == [3, 2]
    with pytest.raises(ResultsError):
        A.layer_combinations(runs, design.drop(columns="policy.JPN.quad"), "coercion_mean")


def allocation_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    weights = [(1.0, 0.0, 0.0, 0.0), (0.5, 0.5, 0.0, 0.0), (0.0, 0.5, 0.5, 0.0), (2.0, 0.0, 0.0, 2.0)]
    design = pd.DataFrame(
        {"point_id": range(4), "label": [f"split {k}" for k in range(4)],
         **{f"policy.JPN.allocation.{layer}": [w[k] for w in weights]
            for k, layer in enumerate(("quad", "bilateral", "forums", "capacity"))}}
    )  # fmt: skip
    values = {0: [1.0, 2.0], 1: [3.0, 5.0], 2: [6.0, 6.0], 3: [0.0, 4.0]}
    rows = [
        {"run_id": 2 * p + r, "point_id": p, "replicate": r, "status": "ok", "stability_index_mean": v}
        for p, vs in values.items()
        for r, v in enumerate(vs)
    ]
    return pd.DataFrame(rows), design


def test_allocation_splits_and_response_by_hand():
    runs, design = allocation_tables()
    splits = A.allocation_splits(runs, design, "stability_index_mean")
    assert splits.set_index("point_id").loc[3, ["quad", "capacity"]].tolist() == [0.5, 0.5]  # weights 2, 2
    assert splits.set_index("point_id").loc[1, "mean"] == pytest.approx(4.0)
    response = A.allocation_response(runs, design, "stability_index_mean")
    assert list(response.columns) == ["layer", "share", "n_points", "metric", "n", "mean", "sd", "ci_low", "ci_high"]
    quad_half = response[(response.layer == "quad") & (response.share == 0.5)].iloc[0]
    # points 1 and 3 have half of the effort in the Quad: replicate means (3 + 0) / 2 and (5 + 4) / 2
    assert quad_half["n_points"] == 2 and quad_half["n"] == 2
    assert quad_half["mean"] == pytest.approx(np.mean([1.5, 4.5]))
    assert quad_half["ci_low"] == pytest.approx(3.0 - T1 * np.std([1.5, 4.5], ddof=1) / math.sqrt(2))
    assert list(response[response.layer == "forums"]["share"]) == [0.0, 0.5]


# ---- a tiny real sweep ---------------------------------------------------------------------------

#: stability_index weights change the index but not the dynamics, so under common random numbers the
#: runs of both points are identical in everything else
WEIGHTS_EXP = """
name = "weights"
steps = 12
warmup = 2
replications = 3
seed = 5
keep_series = true
[design]
kind = "factorial"
[design.factors]
"metrics.weight.coercion" = [0.1, 0.9]
"""


@pytest.fixture(scope="module")
def weights_results(tmp_path_factory):
    return sweep(tmp_path_factory.mktemp("weights") / "out", WEIGHTS_EXP)


@pytest.mark.slow
def test_real_sweep_common_random_numbers_make_paired_differences_exact(weights_results):
    res = weights_results
    diffs = A.paired_differences(res.runs, res.design, 0, ["coercion_mean", "incidents_mean", "stability_index_mean"])
    coercion = diffs[diffs.metric == "coercion_mean"].iloc[0]
    assert coercion["n_pairs"] == 3
    assert coercion["mean_diff"] == 0.0 and coercion["sd_diff"] == 0.0  # same seeds, same dynamics
    assert A.point_stats(res.runs, res.design, "coercion_mean")["sd"].iloc[0] > 0  # while runs differ
    assert diffs[diffs.metric == "stability_index_mean"].iloc[0]["mean_diff"] != 0.0


def test_real_sweep_tables_fit_together(weights_results):
    res = weights_results
    design, factors = A.factorial_design(res)
    main, inter = A.factorial_effects(res.runs, design, factors)
    assert set(main["metric"]) == set(A.summary_columns(res.runs))
    assert inter.empty  # one factor: no pairs
    stats = A.series_stats(res.series, res.runs, res.design, "stability_index")
    assert len(stats) == 2 * 12 and (stats["n"] == 3).all()
    noise = A.noise_share(res.runs.assign(constant_mean=3.5), ["coercion_mean", "constant_mean"])
    assert noise.iloc[0]["share"] == pytest.approx(1.0)  # coercion: the points differ only in the index weights
    assert math.isnan(noise.iloc[1]["share"])  # a column that never varies


def test_a_dated_shock_is_placed_by_run_start():
    design = pd.DataFrame(
        {
            "point_id": [0, 1, 2],
            "shocks": ["[]", '[{"date": "2030-01", "kind": "withdraw", "state": "USA"}]',
                       '[{"step": 7, "kind": "withdraw", "state": "USA"}]'],
        }
    )  # fmt: skip
    assert A.shock_steps(design) == {1: 61, 2: 7}  # January 2030 is month 61 of an outlook from January 2025
    assert A.shock_steps(design.assign(**{"run.start": "2029-01"})) == {1: 13, 2: 7}
