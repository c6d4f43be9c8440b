"""The shipped experiments: ``python -m sim experiments`` lists them and copies them, never over a file."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim.cli import main
from sim.runs.experiment import ExperimentError, load_experiment
from sim.runs.shipped import first_sentence, shipped_folder

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted(path.stem for path in (ROOT / "experiments").glob("*.toml"))


def test_the_listing_names_every_shipped_experiment_with_its_size_and_first_sentence(capsys):
    assert main(["experiments"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line[:1].isalpha()]
    assert [row.split()[0] for row in rows] == SHIPPED
    layering = load_experiment(ROOT / "experiments" / "layering.toml")
    row = next(row for row in rows if row.startswith("layering "))
    assert row.split()[1:4] == [str(len(layering.points)), "x", str(layering.replications)]
    assert row.endswith("Japan's four layers switched on and off (16 combinations).")
    assert f"{len(SHIPPED)} experiment(s) in {shipped_folder()}" in out


def test_the_api_gives_the_same_list_and_each_file_is_named_after_its_experiment():
    items = sim.shipped_experiments()
    assert [item.name for item in items] == SHIPPED
    for item in items:
        assert load_experiment(item.path).name == item.name
        assert item.summary and item.points >= 1 and item.replications >= 1


def test_first_sentence_stops_at_the_first_full_stop_and_joins_lines():
    assert (
        first_sentence("Japan's budget (USD 134 m a\nyear) split. Then more.")
        == "Japan's budget (USD 134 m a year) split."
    )
    assert first_sentence("no full stop\nat all") == "no full stop at all"
    assert first_sentence("") == ""


def test_copy_writes_the_chosen_files_unchanged(tmp_path, capsys):
    dest = tmp_path / "new" / "mine"
    assert main(["experiments", "layering", "morris", "--copy", str(dest)]) == 0
    assert sorted(p.name for p in dest.iterdir()) == ["layering.toml", "morris.toml"]
    for name in ("layering", "morris"):
        assert (dest / f"{name}.toml").read_bytes() == (ROOT / "experiments" / f"{name}.toml").read_bytes()
    assert f"run one: python -m sim sweep {dest / 'layering.toml'}" in capsys.readouterr().out


def test_copy_refuses_to_overwrite_with_one_line_and_copies_nothing(tmp_path, capsys):
    (tmp_path / "sobol.toml").write_text("mine")
    assert main(["experiments", "--copy", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: {tmp_path / 'sobol.toml'} already exists; experiments are never copied over existing files"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sobol.toml"]
    assert (tmp_path / "sobol.toml").read_text() == "mine"


def test_copy_into_a_file_is_refused(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    assert main(["experiments", "--copy", str(tmp_path / "file")]) == 2
    assert capsys.readouterr().err.strip() == f"error: {tmp_path / 'file'} exists and is not a folder"


def test_an_unknown_name_is_refused_with_the_closest_one(tmp_path, capsys):
    assert main(["experiments", "layring", "--copy", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "error: no shipped experiment 'layring' (did you mean 'layering'?); 'python -m sim experiments' lists them"
    ]
    assert not (tmp_path / "out").exists()
    with pytest.raises(ExperimentError, match="no shipped experiment 'nothing'"):
        sim.copy_experiments(tmp_path, ["nothing"])
