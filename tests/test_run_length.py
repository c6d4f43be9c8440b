"""Runs and experiments whose shocks or warm-up do not fit their length say so (and still run)."""

from sim.cli import main

EXPERIMENT = """name = "short"
steps = {steps}
warmup = {warmup}
replications = 1
seed = 1
[base]
shocks = [{{ step = {shock}, kind = "withdraw", state = "USA" }}]
[design]
kind = "list"
[[design.points]]
"policy.JPN.quad" = false
"""


def test_experiment_warns_about_a_late_shock_and_a_long_warmup(tmp_path, capsys):
    path = tmp_path / "short.toml"
    path.write_text(EXPERIMENT.format(steps=12, warmup=12, shock=60))
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--workers", "1"]) == 0
    err = capsys.readouterr().err
    assert "warning: the shock at month 60 is after the last month (12); it will not happen" in err
    assert "warning: the warm-up (12 months) is not shorter than the run: means cover all 12 months" in err


def test_run_warns_about_a_shock_after_its_last_month(tmp_path, capsys):
    shock = 'shocks=[{step=60, kind="withdraw", state="USA"}]'
    assert main(["run", "--steps", "12", "--set", shock, "--out", str(tmp_path / "o")]) == 0
    captured = capsys.readouterr()
    assert "warning: the shock at month 60 is after the last month (12)" in captured.err
    assert "means over all 12 months" in captured.out


def test_a_run_that_fits_has_no_warning(tmp_path, capsys):
    assert main(["run", "--steps", "30", "--set", "metrics.warmup=24", "--out", str(tmp_path / "o")]) == 0
    captured = capsys.readouterr()
    assert "warning" not in captured.err
    assert "means after month 24" in captured.out


def test_run_from_a_sweep_folder_asks_for_a_run_id(tmp_path, capsys):
    folder = tmp_path / "sweep"
    folder.mkdir()
    (folder / "design.parquet").write_bytes(b"")
    assert main(["run", "--from", str(folder), "--out", str(tmp_path / "o")]) == 2
    assert "choose one of its runs with --run-id K" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
