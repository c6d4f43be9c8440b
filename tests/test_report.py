"""`python -m sim analyze` and `plot` end to end on small real sweeps, and their bad input."""

from pathlib import Path

import pytest

from sim.cli import main

FACTORIAL = """name = "small"
description = "a small factorial with a shock and kept series"
steps = 30
warmup = 6
replications = 3
seed = 5
keep_series = true
[design]
kind = "factorial"
[design.factors]
"policy.JPN.capacity" = [true, false]
"policy.JPN.bilateral" = [true, false]
withdrawal = [{ label = "none", shocks = [] },
              { label = "USA at 15", shocks = [{ step = 15, kind = "withdraw", state = "USA" }] }]
"""

MORRIS = """name = "screen"
steps = 12
warmup = 0
replications = 2
seed = 9
[design]
kind = "morris"
samples = 4
[design.ranges]
"china.escalation_cost" = [0.04, 0.12]
"crime.detection" = [0.075, 0.225]
"china.challenge_value" = [0.25, 0.75]
"""


def sweep(tmp: Path, text: str, name: str) -> Path:
    exp = tmp / f"{name}.toml"
    exp.write_text(text)
    out = tmp / name
    assert main(["sweep", str(exp), "--out", str(out), "--workers", "2", "--quiet"]) == 0
    return out


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    return {"factorial": sweep(tmp, FACTORIAL, "small"), "morris": sweep(tmp, MORRIS, "screen")}


@pytest.mark.slow
def test_analyze_factorial_writes_tables_figures_and_report(folders, capsys):
    folder = folders["factorial"]
    assert main(["analyze", str(folder), "--quiet"]) == 0
    tables = {p.stem for p in (folder / "analysis").glob("*.csv")}
    assert {"point_stats", "paired_differences", "main_effects", "interactions", "shock_effects"} <= tables
    assert {"layer_combinations", "shock_curves", "series_stability_index"} <= tables
    figures = {p.stem for p in (folder / "figures").glob("*.png")}
    assert {"point_means", "differences", "main_effects", "interaction", "layering_heatmap", "shock_response",
            "timeseries", "network"} <= figures  # fmt: skip
    report = (folder / "report.md").read_text()
    assert "## Paired differences from" in report and "paired" in report.lower()
    assert "## Shock: drop and recovery" in report
    for figure in figures:
        assert f"(figures/{figure}.png)" in report
    assert "95%" in report


def test_analyze_morris_ranks_parameters(folders):
    folder = folders["morris"]
    assert main(["analyze", str(folder), "--quiet"]) == 0
    report = (folder / "report.md").read_text()
    assert "## Sensitivity" in report and "mu_star" in report
    assert (folder / "analysis" / "sensitivity.csv").is_file()
    assert (folder / "figures" / "sensitivity_stability_index_mean.png").is_file()


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["svg", "pdf"])
def test_plot_writes_every_standard_figure_in_the_format(folders, fmt):
    folder = folders["factorial"]
    assert main(["plot", str(folder), "--format", fmt, "--quiet"]) == 0
    assert len(list((folder / "figures").glob(f"*.{fmt}"))) >= 8


@pytest.mark.parametrize("command", ["analyze", "plot"])
def test_missing_or_single_run_folder_is_exit_2_and_nothing_written(tmp_path, capsys, command):
    run = tmp_path / "a-run"
    assert main(["run", "--steps", "3", "--out", str(run), "--quiet"]) == 0
    capsys.readouterr()
    before = sorted(p.name for p in run.iterdir())
    for target, says in ((tmp_path / "missing", "results folder not found"), (run, "single run's folder")):
        assert main([command, str(target)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("error:") and says in err[0]
    assert sorted(p.name for p in run.iterdir()) == before
    assert not (tmp_path / "missing").exists()


def test_partial_sweep_is_exit_2(folders, tmp_path, capsys):
    import shutil

    partial = tmp_path / "partial"
    shutil.copytree(folders["morris"], partial)
    (partial / "runs.parquet").unlink()
    before = {p: p.read_bytes() for p in partial.rglob("*") if p.is_file()}
    assert main(["analyze", str(partial)]) == 2
    assert "did not finish" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in partial.rglob("*") if p.is_file()} == before


def test_plot_rejects_an_unknown_format(folders, capsys):
    assert main(["plot", str(folders["factorial"]), "--format", "gif"]) == 2
    assert "--format must be one of png, svg, pdf" in capsys.readouterr().err


@pytest.mark.slow
def test_analyze_takes_a_baseline_point_and_the_metrics_to_report_first(folders, capsys):
    folder = folders["factorial"]
    label = "capacity=False, bilateral=False, none"
    assert (
        main(["analyze", str(folder), "--baseline", label, "--metric", "coercion", "--metric", "incidents", "--quiet"])
        == 0
    )
    report = (folder / "report.md").read_text()
    assert f"## Paired differences from '{label}'" in report
    assert "coercion incidents per month, mean after warm-up minus baseline [95% CI]" in report
    point_table = report.split("## Results by design point")[1].split("##")[0]
    header = next(line for line in point_table.splitlines() if line.startswith("| point_id"))
    assert header.removesuffix(" |").split(" | ")[2:] == [
        "coercion incidents per month, mean after warm-up",
        "robberies per month, mean after warm-up",
    ]
    import pandas as pd

    diffs = pd.read_csv(folder / "analysis" / "paired_differences.csv")
    assert set(diffs["baseline_label"]) == {label}


@pytest.mark.slow
def test_analyze_refuses_an_unknown_metric_with_one_line_and_writes_nothing(folders, capsys):
    folder = folders["factorial"]
    assert main(["analyze", str(folder), "--quiet"]) == 0
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    capsys.readouterr()
    assert main(["analyze", str(folder), "--metric", "tension"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --metric 'tension' is not a summary of these runs") and err.count("\n") == 1
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before
