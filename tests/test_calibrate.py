"""Calibration: ABC-SMC against a problem with a known posterior, its reproducibility, the smoke config."""

from __future__ import annotations

import concurrent.futures as cf
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.science import calibrate as C

ROOT = Path(__file__).resolve().parents[1]
TOY = """
name = "toy"
period = "history"
seed = 11
[abc]
population = 300
generations = 6
quantile = 0.5
batch = 300
[[prior]]
name = "crime.attempt_rate"
low = 0.0
high = 10.0
reason = "the toy's unknown mean"
[statistics]
names = ["mean_2013_2024"]
"""


def toy_simulator(task):
    """The mean of 25 draws from N(theta, 1), seeded by the task: the posterior of theta given an
    observed mean m under a flat prior is close to N(m, 1/25)."""
    _, seed, overrides, _ = task
    rng = np.random.default_rng(seed)
    return [float(rng.normal(overrides["crime.attempt_rate"], 1.0, 25).mean())]


def test_abc_smc_recovers_a_known_posterior():
    config = C.parse_config(TOY)
    gens, _, _ = C.abc_smc(config, map, simulator=toy_simulator, observed=np.array([4.0]))
    post = C.posterior_table(config, gens[-1])
    lo, mid, hi = C.weighted_quantiles(
        post["crime.attempt_rate"].to_numpy(), post["weight"].to_numpy(), [0.05, 0.5, 0.95]
    )
    assert mid == pytest.approx(4.0, abs=0.1)
    # the exact 90% interval is 4 +- 1.645 x 0.2 = [3.67, 4.33]; ABC's is a little wider, never narrower
    assert 0.55 < hi - lo < 0.9
    assert [g.epsilon for g in gens[1:]] == sorted((g.epsilon for g in gens[1:]), reverse=True)


@pytest.mark.slow
def test_the_same_seed_gives_the_same_posterior_with_one_worker_or_two():
    config = replace(C.parse_config(TOY), population=40, batch=40, generations=3)
    one, _, _ = C.abc_smc(config, map, simulator=toy_simulator, observed=np.array([4.0]))
    with cf.ProcessPoolExecutor(2) as pool:
        two, _, _ = C.abc_smc(config, pool.map, simulator=toy_simulator, observed=np.array([4.0]))
    assert np.array_equal(one[-1].particles, two[-1].particles)
    assert np.array_equal(one[-1].weights, two[-1].weights)
    other, _, _ = C.abc_smc(replace(config, seed=12), map, simulator=toy_simulator, observed=np.array([4.0]))
    assert not np.array_equal(one[-1].particles, other[-1].particles)


def test_weights_favour_particles_the_kernel_reaches_least():
    prev = C.Generation(0, np.inf, np.array([[0.0], [0.0], [5.0]]), np.full(3, 1 / 3), np.zeros(3), 3, 0.0)
    w = C._weights(np.array([[0.0], [5.0]]), prev, np.eye(1))
    assert w[1] > w[0]  # 5.0 comes from one parent out of three, 0.0 from two
    assert w.sum() == pytest.approx(1.0)


@pytest.mark.slow
def test_the_smoke_calibration_writes_its_posterior_and_report(tmp_path):
    out = tmp_path / "cal"
    assert main(["calibrate", str(ROOT / "calibration" / "smoke.toml"), "--workers", "2", "--out", str(out),
                 "--quiet"]) == 0  # fmt: skip
    post = pd.read_parquet(out / "posterior.parquet")
    assert list(post.columns) == ["crime.attempt_rate", "kidnap.raid_rate", "weight", "distance"]
    assert len(post) == 8 and post["weight"].sum() == pytest.approx(1.0)
    assert post["crime.attempt_rate"].between(0.1, 0.6).all()
    diagnostics = pd.read_csv(out / "diagnostics.csv")
    assert list(diagnostics["generation"]) == [0, 1]
    report = (out / "report.md").read_text()
    assert "Posterior predictive check" in report and "ms of wall time per simulated month" in report
    assert "**A weak check**: with 3 draws" in report  # smoke.toml has predictive = 3
    assert (out / "predictive" / "validation.csv").exists()
    assert "## Out of sample" in report and "`mean_2018_2024`" in report
    coverage = pd.read_csv(out / "coverage.csv")
    assert len(coverage) == 2 * 2 and coverage["in_90"].dtype == bool
    assert "advertised 0.90" in report


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace('name = "crime.attempt_rate"', 'name = "crime.nope"'), "is not a numeric parameter"),
        (lambda t: t.replace("high = 10.0", "high = -1.0"), "must be below high"),
        (lambda t: t.replace('names = ["mean_2013_2024"]', 'names = ["guess"]'), "statistics.names"),
        (lambda t: t.replace("population = 300", "population = 2"), "population >= 4"),
        (lambda t: t.replace("low = 0.0", "low = -5.0"), "leaves crime.attempt_rate's allowed range"),
    ],
)
def test_a_bad_config_is_refused_with_one_line(tmp_path, capsys, edit, message):
    path = tmp_path / "bad.toml"
    path.write_text(edit(TOY))
    out = tmp_path / "out"
    assert main(["calibrate", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not out.exists()


def test_a_posterior_design_crosses_draws_with_factors(tmp_path, monkeypatch):
    from sim.runs.experiment import ExperimentError, parse_experiment

    monkeypatch.chdir(tmp_path)
    pd.DataFrame({"crime.attempt_rate": [0.2, 0.4], "crime.split_size": [10.0, 14.0], "weight": [0.0, 1.0],
                  "distance": [1.0, 1.0]}).to_parquet("posterior.parquet")  # fmt: skip
    raw = {"name": "p", "replications": 1, "seed": 3, "design": {"kind": "posterior", "posterior": "posterior.parquet",
           "draws": 3, "factors": {"policy.JPN.capacity": [True, False]}}}  # fmt: skip
    exp = parse_experiment(raw)
    assert len(exp.points) == 6
    assert all(
        p["crime.attempt_rate"] == 0.4 and p["crime.split_size"] == 14 for p in exp.points
    )  # weight 0: never drawn
    assert [p["policy.JPN.capacity"] for p in exp.points] == [True, False] * 3
    assert exp.labels[1] == "draw 0, capacity=False" and exp.factor_values[5]["draw"] == "draw 2"
    raw["design"]["factors"] = {"crime.attempt_rate": [0.1]}  # a factor pins a drawn parameter
    pinned = parse_experiment(raw)
    assert [p["crime.attempt_rate"] for p in pinned.points] == [0.1] * 3
    assert [p["crime.split_size"] for p in pinned.points] == [14] * 3
    raw["design"]["posterior"] = "missing.parquet"
    with pytest.raises(ExperimentError, match=r"cannot read missing\.parquet"):
        parse_experiment(raw)


@pytest.mark.parametrize("path", sorted((ROOT / "calibration").glob("*.toml")), ids=lambda p: p.name)
def test_every_shipped_config_parses_and_gives_each_prior_a_reason(path):
    config = C.load_config(path)
    assert config.priors and all(len(p.reason) > 20 for p in config.priors)
    assert not set(config.holdout) & set(config.statistics)  # what is held out is never fitted


def test_ranking_probabilities_count_the_draws_in_which_a_ranking_holds():
    from sim.science.analysis import posterior_rankings

    # three draws x two choices x two replicates; "b" is lower than "a" in draws 0 and 1, not in draw 2
    design = pd.DataFrame({"point_id": range(6), "draw": ["d0", "d0", "d1", "d1", "d2", "d2"],
                           "japan": ["a", "b"] * 3})  # fmt: skip
    values = {0: 5.0, 1: 3.0, 2: 4.0, 3: 1.0, 4: 2.0, 5: 6.0}
    runs = pd.DataFrame([{"point_id": p, "status": "ok", "incidents_mean": values[p] + e} for p in range(6)
                         for e in (-0.5, 0.5)])  # fmt: skip
    levels, pairs = posterior_rankings(runs, design, "japan", ["incidents_mean"])
    b = levels[levels["level"] == "b"].iloc[0]
    assert b["share_below_baseline"] == pytest.approx(2 / 3) and b["diff_median"] == -2.0
    share = pairs[(pairs["a"] == "b") & (pairs["b"] == "a")]["share_a_below_b"].iloc[0]
    assert share == pytest.approx(2 / 3)
    assert levels[levels["level"] == "a"]["median"].iloc[0] == 4.0


def _toy_posterior(path="posterior.parquet"):
    pd.DataFrame({"crime.attempt_rate": [0.2, 0.4], "weight": [0.5, 0.5], "distance": [1.0, 1.0]}).to_parquet(path)


def test_a_shipped_factorial_experiment_runs_over_a_posterior_with_every_setting_tagged(tmp_path, monkeypatch):
    from sim.runs.experiment import load_experiment

    monkeypatch.chdir(tmp_path)
    _toy_posterior()
    plain = load_experiment(ROOT / "experiments" / "layering.toml")
    over = load_experiment(ROOT / "experiments" / "layering.toml", "posterior.parquet", draws=3, replications=2)
    assert over.name == "layering-posterior" and over.replications == 2
    assert len(over.points) == 3 * len(plain.points)
    assert {p["crime.attempt_rate"] for p in over.points} <= {0.2, 0.4}
    assert [t["setting"] for t in over.factor_values[: len(plain.points)]] == list(plain.labels)
    assert "# 30 replications" in over.source  # the original text, comments included, is what is stored
    assert load_experiment(ROOT / "experiments" / "layering.toml").source == plain.source  # the file is untouched


def test_a_list_experiment_runs_over_a_posterior_and_a_sampled_design_is_refused(tmp_path, monkeypatch):
    from sim.runs.experiment import ExperimentError, load_experiment

    monkeypatch.chdir(tmp_path)
    _toy_posterior()
    plain = load_experiment(ROOT / "experiments" / "allocation.toml")
    over = load_experiment(ROOT / "experiments" / "allocation.toml", "posterior.parquet", draws=2)
    assert len(over.points) == 2 * len(plain.points) and over.replications == plain.replications
    assert over.labels[1] == f"draw 0, {plain.labels[1]}"
    with pytest.raises(ExperimentError, match="only a factorial or list design"):
        load_experiment(ROOT / "experiments" / "morris.toml", "posterior.parquet")


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--draws", "5"], "--draws and --replications go with --over-posterior"),
        (["--over-posterior", "posterior.parquet", "--draws", "0"], "must be at least 1"),
        (["--over-posterior", "missing.parquet"], "cannot read missing.parquet"),
    ],
)
def test_over_posterior_flags_are_checked_before_anything_is_written(tmp_path, monkeypatch, capsys, extra, message):
    from sim.cli import main

    monkeypatch.chdir(tmp_path)
    _toy_posterior()
    out = tmp_path / "out"
    code = main(["sweep", str(ROOT / "experiments" / "knockouts.toml"), "--out", str(out), "--quiet", *extra])
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1
    assert not out.exists()


@pytest.mark.slow
def test_a_sweep_over_a_posterior_reports_every_setting_against_the_first(tmp_path, monkeypatch):
    from sim.cli import main

    monkeypatch.chdir(tmp_path)
    _toy_posterior()
    out = tmp_path / "results" / "knockouts-posterior" / "1"
    args = ["sweep", str(ROOT / "experiments" / "knockouts.toml"), "--over-posterior", "posterior.parquet"]
    assert main([*args, "--draws", "2", "--replications", "1", "--out", str(out), "--quiet", "--analyze"]) == 0
    levels = pd.read_csv(out / "analysis" / "posterior_levels.csv")
    assert list(dict.fromkeys(levels["level"])) == [
        "none", "members accept all", "China ignores cooperation", "China ignores alignment", "partners never adapt",
        "ASEAN splits evenly", "members take the offered channel", "no bargaining over patrols",
    ]  # fmt: skip
    assert set(levels["baseline"]) == {"none"} and set(levels["draws"]) == {2}
    assert "Over the posterior" in (out / "report.md").read_text()
    # the findings' numbers are computed from such a folder by tools/posterior_findings.py
    findings = _tool("posterior_findings")
    assert findings.main([str(tmp_path / "results")]) == 0
    text = (tmp_path / "results" / "posterior-findings.md").read_text()
    assert "## knockouts" in text and "2 posterior draws" in text
    none = levels[(levels["level"] == "none") & (levels["metric"] == "incidents_mean")]["median"].iloc[0]
    assert f"| none | {none:.3g} [" in text  # the same median over draws as the report's


def _tool(name):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_adopting_a_calibration_lists_each_fitted_parameter_with_its_median_interval_and_command():
    adopt = _tool("adopt_calibration")
    folder = ROOT / "results" / "calibration-history" / "20261202T183905Z"
    rows = adopt.rows(folder)
    summary = pd.read_csv(folder / "summary.csv")
    assert [r["parameter"] for r in rows] == list(summary["parameter"])
    assert float(rows[0]["median"]) == summary["median"].iloc[0]
    assert rows[0]["command"] == "python -m sim calibrate calibration/history.toml"
    assert rows[0]["folder"] == "results/calibration-history/20261202T183905Z"
    assert adopt.main([str(ROOT / "calibration")]) == 2  # not a calibration folder: nothing written


def test_a_predictive_check_with_enough_draws_is_not_called_weak():
    assert C._weak_check(C.FEW_DRAWS) == []
    assert "with 5 draws" in " ".join(C._weak_check(5))
