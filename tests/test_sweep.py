"""The experiment engine: designs, seeds, executors, the crash-safe store and ``python -m sim sweep``.

Every sweep here is tiny (a few points, a few replications, 6-12 months) except the one killed with
SIGKILL, which must run long enough to be killed half-way.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import itertools
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from pandas.testing import assert_frame_equal

import sim
import sim.runs.experiment
import sim.runs.folders
import sim.runs.provenance
import sim.runs.runner
from sim.cli import main
from sim.model.metrics import METRICS
from sim.runs.experiment import SUMMARY_COLUMNS, Experiment, RunTask, load_experiment, parse_experiment
from sim.runs.runner import Execution, Outcome, Sweep, design_table, run_task
from sim.runs.store import ResultsError, Store, load_results, new_store

# ---- experiments used below --------------------------------------------------------------------

#: 2 x 2 points x 3 replications = 12 runs of 12 months; one bundle factor carries a shock.
SHOCKED = """
name = "shocked"
description = "tiny factorial with a bundle factor that carries a shock"
steps = 12
warmup = 2
replications = 3
seed = 4242
keep_series = true

[base]
"policy.JPN.budget" = 1.2

[design]
kind = "factorial"

[design.factors]
"china.challenge_value" = [0.3, 0.6]
withdrawal = [
  { label = "none", shocks = [] },
  { label = "USA at month 6", shocks = [{ step = 6, kind = "withdraw", state = "USA" }] },
]
"""

#: 2 points x 2 replications = 4 runs of 6 months, no series.
SMALL = """
name = "small"
description = "tiny factorial"
steps = 6
warmup = 1
replications = 2
seed = 99
keep_series = {keep_series}

[design]
kind = "factorial"

[design.factors]
"china.challenge_value" = [0.3, 0.6]
"""

#: 4 points x 100 replications = 400 runs of 60 months: a few seconds on two cores, with a first
#: runs part (PART_RUNS = 200 runs) written well before the end.
BIG = """
name = "big"
description = "long enough to be killed half-way (400 runs; a short spin-up keeps each run cheap)"
steps = 60
warmup = 6
replications = 100
seed = 777

[base]
"run.spinup" = 12

[design]
kind = "factorial"

[design.factors]
"policy.JPN.quad" = [true, false]
"china.challenge_value" = [0.3, 0.6]
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def exp_from(text: str, large: bool = False) -> Experiment:
    return parse_experiment(tomllib.loads(text), source=text, large=large)


def without_duration(runs: pd.DataFrame) -> pd.DataFrame:
    assert "duration_s" in runs.columns
    return runs.drop(columns="duration_s")


def sweep_ok(capsys, *argv: str) -> None:
    status = main(["sweep", *argv, "--quiet"])
    _, err = capsys.readouterr()
    assert status == 0, err


@pytest.fixture(autouse=True)
def _close_figures():
    """`sim run` leaves its figure open; keep them from piling up."""
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def shocked_sweep(tmp_path_factory):
    """SHOCKED swept by the process executor with 2 workers; returns (experiment file, results folder)."""
    root = tmp_path_factory.mktemp("shocked")
    exp = write(root / "shocked.toml", SHOCKED)
    out = root / "out"
    assert main(["sweep", str(exp), "--out", str(out), "--workers", "2", "--quiet"]) == 0
    return exp, out


# ---- designs -------------------------------------------------------------------------------------


def test_factorial_is_the_full_grid():
    exp = exp_from(
        """
name = "grid"
steps = 6
replications = 2
[base]
"china.claim_value" = 2.0
[design]
kind = "factorial"
[design.factors]
"policy.JPN.quad" = [true, false]
"china.challenge_value" = [0.3, 0.6, 0.9]
"""
    )
    assert len(exp.points) == 6
    combos = {(p["policy.JPN.quad"], p["china.challenge_value"]) for p in exp.points}
    assert combos == set(itertools.product([True, False], [0.3, 0.6, 0.9]))
    assert all(set(p) == {"policy.JPN.quad", "china.challenge_value"} for p in exp.points)
    assert len(set(exp.labels)) == 6
    assert exp.factors == ("policy.JPN.quad", "china.challenge_value")
    tasks = exp.tasks()
    assert len(tasks) == exp.n_runs == 12
    assert [t.run_id for t in tasks] == list(range(12))
    for t in tasks:  # base and point reach every run
        assert t.overrides["china.claim_value"] == 2.0
        assert t.overrides == {"china.claim_value": 2.0, **exp.points[t.point_id]}
        assert t.run_id == t.point_id * exp.replications + t.replicate


def test_bundle_factor_moves_several_parameters_together_and_labels_the_point():
    exp = exp_from(
        """
name = "bundles"
steps = 6
[design]
kind = "factorial"
[design.factors]
threats = [
  { label = "calm", "crime.coordination" = 0.5, "crime.awareness" = 0.5 },
  { label = "stormy", "crime.coordination" = 3.0, "crime.awareness" = 3.0 },
]
"policy.JPN.quad" = [true, false]
"""
    )
    assert len(exp.points) == 4
    seen = set()
    for k, point in enumerate(exp.points):
        assert set(point) == {"crime.coordination", "crime.awareness", "policy.JPN.quad"}
        assert point["crime.coordination"] == point["crime.awareness"]  # moved together
        level = {0.5: "calm", 3.0: "stormy"}[point["crime.coordination"]]
        assert exp.factor_values[k] == {"threats": level}
        assert level in exp.labels[k]
        assert exp.point_columns(k)["threats"] == level
        seen.add((level, point["policy.JPN.quad"]))
    assert seen == set(itertools.product(["calm", "stormy"], [True, False]))
    table = design_table(exp)
    assert list(table["point_id"]) == [0, 1, 2, 3]
    assert list(table["label"]) == list(exp.labels)
    assert {"crime.coordination", "crime.awareness", "policy.JPN.quad"} <= set(table.columns)


def test_bundle_label_is_a_column_of_the_design_table():
    exp = exp_from(SHOCKED)
    table = design_table(exp)
    assert "withdrawal" in table.columns
    assert set(table["withdrawal"]) == {"none", "USA at month 6"}


def test_list_design_points_and_labels():
    exp = exp_from(
        """
name = "listed"
steps = 6
[design]
kind = "list"
[[design.points]]
label = "low reaction"
"china.challenge_value" = 0.2
[[design.points]]
china.challenge_value = 0.9
policy.JPN.quad = false
"""
    )
    assert exp.points == ({"china.challenge_value": 0.2}, {"china.challenge_value": 0.9, "policy.JPN.quad": False})
    assert exp.labels == ("low reaction", "point 1")
    assert list(design_table(exp)["label"]) == ["low reaction", "point 1"]


def ranged(kind: str, samples: int, seed: int = 5, extra: str = "") -> Experiment:
    return exp_from(
        f"""
name = "ranged"
steps = 6
seed = {seed}
[design]
kind = "{kind}"
samples = {samples}
{extra}
[design.ranges]
"china.challenge_value" = [0.2, 0.8]
"china.claim_value" = [1.0, 4.0]
"escalation.forum_damping" = [0.3, 0.9]
"""
    )


RANGES = {"china.challenge_value": (0.2, 0.8), "china.claim_value": (1.0, 4.0), "escalation.forum_damping": (0.3, 0.9)}


def assert_inside(exp: Experiment, slack: float = 0.0) -> None:
    for point in exp.points:
        assert set(point) == set(RANGES)
        for name, (lo, hi) in RANGES.items():
            assert lo - slack <= point[name] <= hi + slack, (name, point[name])


def test_lhs_gives_samples_points_one_per_stratum():
    exp = ranged("lhs", 7)
    assert len(exp.points) == 7
    assert_inside(exp)
    for name, (lo, hi) in RANGES.items():  # a Latin hypercube: one point in each of the 7 strata
        strata = sorted(math.floor((p[name] - lo) / (hi - lo) * 7) for p in exp.points)
        assert strata == list(range(7)), name


@pytest.mark.parametrize(("second", "count"), [("false", 8 * (3 + 2)), ("true", 8 * (2 * 3 + 2))])
def test_sobol_gives_saltelli_points(second, count):
    exp = ranged("sobol", 8, extra=f"second_order = {second}")
    assert len(exp.points) == count
    assert_inside(exp)


def test_morris_gives_trajectories_on_the_level_grid():
    exp = ranged("morris", 5, extra="levels = 4")
    assert len(exp.points) == 5 * (3 + 1)
    assert_inside(exp, slack=1e-12)  # SALib scales lo + x (hi - lo): [0.3, 0.9] can give 0.9000000000000001
    for name, (lo, hi) in RANGES.items():
        grid = [lo + k * (hi - lo) / 3 for k in range(4)]
        assert all(min(abs(p[name] - g) for g in grid) < 1e-9 for p in exp.points), name


@pytest.mark.parametrize("kind", ["lhs", "sobol", "morris"])
def test_same_master_seed_same_points(kind):
    assert ranged(kind, 4, seed=11).points == ranged(kind, 4, seed=11).points


def test_different_seed_different_lhs_points():
    assert ranged("lhs", 6, seed=1).points != ranged("lhs", 6, seed=2).points


# ---- seeds ---------------------------------------------------------------------------------------


def test_common_random_numbers_across_points():
    exp = exp_from(SHOCKED)
    tasks = exp.tasks()
    by_replicate: dict[int, set[int]] = {}
    for t in tasks:
        by_replicate.setdefault(t.replicate, set()).add(t.seed)
    assert sorted(by_replicate) == [0, 1, 2]
    assert all(len(seeds) == 1 for seeds in by_replicate.values())  # same seed at every point
    seeds = [next(iter(by_replicate[r])) for r in range(3)]
    assert len(set(seeds)) == 3  # replicates differ
    children = np.random.SeedSequence(4242).spawn(3)  # the r-th child of SeedSequence(master seed)
    assert seeds == [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]
    assert exp_from(SHOCKED.replace("seed = 4242", "seed = 4243")).replicate_seeds() != seeds


def test_every_runs_seed_is_recorded(shocked_sweep):
    exp_path, out = shocked_sweep
    exp = load_experiment(exp_path)
    runs = load_results(out).runs
    assert list(runs["run_id"]) == list(range(exp.n_runs))
    expected = {t.run_id: t.seed for t in exp.tasks()}
    assert dict(zip(runs["run_id"], runs["seed"], strict=True)) == expected
    per_replicate = runs.groupby("replicate")["seed"].nunique()
    assert (per_replicate == 1).all()
    assert runs.groupby("point_id")["seed"].nunique().eq(exp.replications).all()


# ---- identical tables whatever the executor ------------------------------------------------------


@pytest.mark.slow
def test_executors_and_worker_counts_give_identical_tables(shocked_sweep, tmp_path, capsys):
    exp, two_workers = shocked_sweep
    one_worker, dask = tmp_path / "one", tmp_path / "dask"
    sweep_ok(capsys, str(exp), "--out", str(one_worker), "--workers", "1")
    sweep_ok(capsys, str(exp), "--out", str(dask), "--executor", "dask", "--workers", "2")
    reference = load_results(two_workers)
    assert reference.runs["status"].eq("ok").all()
    assert len(reference.runs) == 12
    for folder in (one_worker, dask):
        other = load_results(folder)
        assert_frame_equal(without_duration(other.runs), without_duration(reference.runs), check_exact=True)
        assert other.series is not None and reference.series is not None
        assert_frame_equal(other.series, reference.series, check_exact=True)
        assert_frame_equal(other.design, reference.design, check_exact=True)
    assert load_results(dask).manifest["executor"] == "dask"


# ---- one run of a sweep, re-run alone ------------------------------------------------------------


@pytest.mark.parametrize("run_id", [0, 10])
def test_a_run_rerun_alone_matches_its_row_and_series(shocked_sweep, tmp_path, capsys, run_id):
    exp_path, out = shocked_sweep
    exp = load_experiment(exp_path)
    results = load_results(out)
    alone = tmp_path / "alone"
    status = main(["run", "--from", str(out), "--run-id", str(run_id), "--out", str(alone), "--quiet"])
    _, err = capsys.readouterr()
    assert status == 0, err
    manifest = json.loads((alone / "manifest.json").read_text())
    row = results.runs.set_index("run_id").loc[run_id]
    assert manifest["seed"] == row["seed"]
    assert manifest["steps"] == exp.steps
    summary = json.loads((alone / "summary.json").read_text())
    shocked = json.loads(row["shocks"]) != []
    assert shocked == (run_id == 10)  # run 10 is at point 3, the shocked bundle level
    assert any(c.endswith("_drop") for c in summary) == shocked
    for column in exp.summaries:
        if summary.get(column) is None:  # an unshocked run has no shock summaries; recovery may be None
            assert pd.isna(row[column]), column
        else:
            assert row[column] == summary[column], column
    series = results.series[results.series["run_id"] == run_id].drop(columns="run_id").reset_index(drop=True)
    table = pd.read_csv(alone / "timeseries.csv")
    assert len(table) == exp.steps
    assert set(METRICS) <= set(table.columns)
    assert_frame_equal(table[series.columns], series, check_dtype=False, check_exact=True)


def test_run_id_out_of_range_exits_2(shocked_sweep, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _, out = shocked_sweep
    status = main(["run", "--from", str(out), "--run-id", "12", "--out", str(tmp_path / "x")])
    _, err = capsys.readouterr()
    assert status == 2
    assert err.startswith("error: ") and err.count("\n") == 1 and "--run-id" in err
    assert list(tmp_path.iterdir()) == []


# ---- crashes and resume --------------------------------------------------------------------------


def start_big_sweep(tmp_path: Path, out: Path) -> subprocess.Popen:
    """``python -m sim sweep`` of BIG into ``out`` in its own process group, returned once it has saved a
    first part of runs (so that some runs are on disk when the test stops it)."""
    exp = write(tmp_path / "big.toml", BIG)
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", "sweep", str(exp), "--out", str(out), "--workers", "2", "--quiet"],
        cwd=tmp_path,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 180
    while not list((out / "parts").glob("runs-*.parquet")):
        if proc.poll() is not None or time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail(f"the sweep wrote no part of runs: {proc.stderr.read()!r}")
        time.sleep(0.02)
    return proc


@pytest.fixture(scope="module")
def big_reference(tmp_path_factory):
    """BIG swept without interruption by two workers: the results folder."""
    root = tmp_path_factory.mktemp("big")
    out = root / "reference"
    assert main(["sweep", str(write(root / "big.toml", BIG)), "--out", str(out), "--workers", "2", "--quiet"]) == 0
    return out


@pytest.mark.slow
def test_sweep_killed_mid_way_resumes_to_the_same_table(tmp_path, capsys, big_reference):
    killed = tmp_path / "killed"
    proc = start_big_sweep(tmp_path, killed)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # the sweep, its forkserver and its workers
    proc.wait(timeout=60)
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    manifest = json.loads((killed / "manifest.json").read_text())
    assert manifest["status"] == "running"
    assert not (killed / "runs.parquet").exists()
    with pytest.raises(ResultsError, match="did not finish"):
        load_results(killed)
    partial = load_results(killed, allow_partial=True).runs
    assert 0 < len(partial) < 400
    assert partial["run_id"].is_unique

    sweep_ok(capsys, "--resume", str(killed))
    resumed = load_results(killed)
    assert resumed.complete
    assert resumed.manifest["counts"] == {"ok": 400}
    assert len(resumed.manifest["resumed_utc"]) == 1
    reference = load_results(big_reference).runs
    assert_frame_equal(without_duration(resumed.runs), without_duration(reference), check_exact=True)


@pytest.mark.slow
def test_resume_cleans_temporary_and_orphan_parts(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sim.runs.runner, "PART_RUNS", 2)  # flushing happens in this process
    exp = write(tmp_path / "shocked.toml", SHOCKED)
    out = tmp_path / "out"
    sweep_ok(capsys, str(exp), "--out", str(out), "--workers", "1")
    complete = load_results(out)
    parts = out / "parts"
    runs_parts = sorted(parts.glob("runs-*.parquet"))
    assert len(runs_parts) >= 3
    # make it look like a sweep killed while writing: the last runs part missing (its series part is
    # then an orphan), an orphan series part that duplicates runs already recorded, a half-written part
    last = runs_parts[-1]
    lost = set(pq.read_table(last, columns=["run_id"]).column("run_id").to_pylist())
    last.unlink()
    assert (parts / last.name.replace("runs-", "series-")).exists()
    (parts / "series-00009.parquet").write_bytes((parts / "series-00000.parquet").read_bytes())
    (parts / ".runs-00009.parquet.tmp").write_bytes(b"PAR1 half written")
    (out / "runs.parquet").unlink()
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["status"] = "running"
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert sorted(load_results(out, allow_partial=True).runs["run_id"]) == sorted(set(range(12)) - lost)

    sweep_ok(capsys, "--resume", str(out))
    assert not (parts / ".runs-00009.parquet.tmp").exists()
    orphan = (parts / "series-00000.parquet").read_bytes()
    assert [p.name for p in parts.glob("series-*.parquet") if p.read_bytes() == orphan] == ["series-00000.parquet"]
    for series_part in parts.glob("series-*.parquet"):  # every series part has its runs part
        assert (parts / series_part.name.replace("series-", "runs-")).exists()
    resumed = load_results(out)
    assert resumed.complete
    assert_frame_equal(without_duration(resumed.runs), without_duration(complete.runs), check_exact=True)
    assert not resumed.series.duplicated(["run_id", "step"]).any()
    assert_frame_equal(resumed.series, complete.series, check_exact=True)


# ---- damaged parts --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def parted_sweep(tmp_path_factory):
    """SHOCKED swept into four parts of three runs (runs and series parts 0-3), complete."""
    root = tmp_path_factory.mktemp("parted")
    exp = write(root / "shocked.toml", SHOCKED)
    out = root / "out"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sim.runs.runner, "PART_RUNS", 3)  # flushing happens in this process
        assert main(["sweep", str(exp), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    assert sorted(p.name for p in (out / "parts").iterdir())[:4] == [f"runs-0000{k}.parquet" for k in range(4)]
    return out


def flip_a_byte(path: Path) -> None:
    """Flip one byte among the stored values of the stability index (the end of its dictionary page): bit
    rot that a plain read does not notice (it returns other numbers), caught by the page checksums."""
    group = pq.read_metadata(path).row_group(0)
    columns = [group.column(k) for k in range(group.num_columns)]
    chunk = next(c for c in columns if c.path_in_schema in ("stability_index", "stability_index_mean"))
    assert chunk.dictionary_page_offset is not None
    before = pq.read_table(path)
    data = bytearray(path.read_bytes())
    data[chunk.data_page_offset - 4] ^= 0xFF
    path.write_bytes(bytes(data))
    assert not pq.read_table(path).equals(before)  # the file still reads, with other numbers


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])


# name: (what is done to the complete folder, what the resume's line names, whether analyze refuses it)
DAMAGES = {
    "runs-part-truncated": (lambda p: truncate(p / "runs-00001.parquet"), "runs-00001.parquet cannot be read", True),
    "runs-part-byte-flipped": (
        lambda p: flip_a_byte(p / "runs-00001.parquet"),
        "runs-00001.parquet cannot be read",
        None,
    ),
    "series-part-truncated": (
        lambda p: truncate(p / "series-00002.parquet"),
        "series-00002.parquet cannot be read",
        True,
    ),
    "series-part-byte-flipped": (
        lambda p: flip_a_byte(p / "series-00002.parquet"),
        "series-00002.parquet cannot be read",
        True,
    ),
    "series-part-missing": (lambda p: (p / "series-00002.parquet").unlink(), "series-00002.parquet is missing", True),
    "series-part-of-other-runs": (
        lambda p: shutil.copy(p / "series-00000.parquet", p / "series-00002.parquet"),
        "series-00002.parquet does not hold 12 months of each ok run of runs-00002.parquet",
        True,
    ),
    "runs-part-missing": (lambda p: (p / "runs-00001.parquet").unlink(), "runs-00001.parquet is missing", False),
    "runs-part-repeats-runs": (
        lambda p: shutil.copy(p / "runs-00000.parquet", p / "runs-00001.parquet"),
        "runs-00001.parquet holds run ids that are not its own",
        False,
    ),
    "design-truncated": (lambda p: truncate(p.parent / "design.parquet"), "design.parquet cannot be read", True),
    "runs-table-truncated": (lambda p: truncate(p.parent / "runs.parquet"), None, True),
}


@pytest.mark.slow
@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_damaged_part_is_refused_by_analyze_and_its_runs_rerun_on_resume(parted_sweep, tmp_path, capsys, damage):
    """A complete folder with a damaged or missing part: analyze says so in one line (exit 2, nothing
    written); resume says in one line what it found, runs those runs again (once) and completes with the
    same tables; a second resume finds nothing and runs nothing."""
    harm, found, refused = DAMAGES[damage]
    out = tmp_path / "out"
    shutil.copytree(parted_sweep, out)
    harm(out / "parts")
    if refused is not None:
        before = tree(out)
        status = main(["analyze", str(out), "--quiet"])
        err = capsys.readouterr().err
        if refused:
            assert status == 2, err
            line = one_error_line(err)
            assert f"--resume {out}" in line
            assert tree(out) == before
        else:
            assert status == 0, err

    assert main(["sweep", "--resume", str(out), "--quiet"]) == 0
    lines = capsys.readouterr().err.splitlines()
    if found is None:  # runs.parquet is rebuilt from the parts on every resume: nothing to report
        assert lines == []
    else:
        assert len(lines) == 1 and lines[0].startswith(f"warning: checked {out} before going on: "), lines
        assert found in lines[0] and "will be run again" in lines[0]
    resumed, reference = load_results(out), load_results(parted_sweep)
    assert resumed.complete and resumed.manifest["counts"] == {"ok": 12}
    assert_frame_equal(without_duration(resumed.runs), without_duration(reference.runs), check_exact=True)
    assert_frame_equal(resumed.series, reference.series, check_exact=True)
    assert_frame_equal(resumed.design, reference.design, check_exact=True)
    assert len(resumed.manifest.get("repairs", [])) == (found is not None)

    parts = sorted(p.name for p in (out / "parts").rglob("*"))
    assert main(["sweep", "--resume", str(out), "--quiet"]) == 0  # nothing left to find, nothing to run
    assert capsys.readouterr().err == ""
    assert sorted(p.name for p in (out / "parts").rglob("*")) == parts


@pytest.mark.slow
def test_an_interrupted_sweep_with_a_damaged_part_reruns_only_what_it_lost(parted_sweep, tmp_path, capsys):
    out = tmp_path / "out"
    shutil.copytree(parted_sweep, out)
    (out / "runs.parquet").unlink()
    manifest = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps({**manifest, "status": "running"}))
    (out / "parts" / "runs-00003.parquet").unlink()  # the last part was never written: 3 runs to do
    (out / "parts" / "series-00003.parquet").unlink()
    truncate(out / "parts" / "runs-00000.parquet")  # and a damaged part: 3 more
    assert main(["sweep", "--resume", str(out), "--quiet"]) == 0
    line = capsys.readouterr().err
    assert line.count("\n") == 1 and "runs-00000.parquet cannot be read" in line and "(6 runs to run;" in line
    assert "is missing" not in line  # the last part, never written, is not a loss
    assert sorted(p.name for p in (out / "parts" / "damaged").iterdir()) == [
        "runs-00000.parquet",
        "series-00000.parquet",
    ]
    assert_frame_equal(
        without_duration(load_results(out).runs), without_duration(load_results(parted_sweep).runs), check_exact=True
    )


def test_load_results_names_a_damaged_table_in_one_line(parted_sweep, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(parted_sweep, out)
    flip_a_byte(out / "parts" / "series-00001.parquet")
    with pytest.raises(ResultsError, match=r"series-00001\.parquet is damaged \(.*\); python -m sim sweep --resume"):
        load_results(out)
    (out / "manifest.json").write_text("{")
    with pytest.raises(ResultsError, match=r"manifest\.json cannot be read as a manifest"):
        load_results(out)


# ---- failures ------------------------------------------------------------------------------------

FAIL_RUN_ID = 1


def fail_one_run(task: RunTask) -> Outcome:
    """A runner for child processes: run FAIL_RUN_ID with an unknown parameter, so that the model
    raises inside run_task and the run is recorded as failed; every other run as usual."""
    if task.run_id == FAIL_RUN_ID:
        task = dataclasses.replace(task, overrides={**task.overrides, "no.such.parameter": 1.0})
    return run_task(task)


def test_run_task_records_a_failure_instead_of_raising():
    exp = exp_from(SMALL.format(keep_series="true"))
    outcome = fail_one_run(exp.tasks()[FAIL_RUN_ID])
    assert outcome.row["status"] == "failed"
    assert "no.such.parameter" in outcome.row["error"] and "Traceback" in outcome.row["error"]
    assert outcome.series is None
    assert all(outcome.row[s] is None for s in exp.summaries)


@pytest.mark.slow
def test_a_failing_run_is_recorded_and_the_rest_complete(tmp_path):
    exp = exp_from(SMALL.format(keep_series="false"))
    store = Store(tmp_path / "out")
    store.create(exp.source, design_table(exp), {"status": "running"})
    counts = Sweep(exp, store, Execution(workers=2), quiet=True).run(fail_one_run)
    assert counts == {"ok": 3, "failed": 1}
    assert store.consolidate() == {"ok": 3, "failed": 1}
    runs = pd.read_parquet(store.folder / "runs.parquet")
    assert list(runs["run_id"]) == [0, 1, 2, 3]
    failed = runs[runs["status"] == "failed"]
    assert list(failed["run_id"]) == [FAIL_RUN_ID]
    row = failed.iloc[0]
    task = exp.tasks()[FAIL_RUN_ID]
    assert row["seed"] == task.seed
    assert row["china.challenge_value"] == exp.points[task.point_id]["china.challenge_value"]
    assert "Traceback" in row["error"] and "no.such.parameter" in row["error"]
    ok = runs[runs["status"] == "ok"]
    assert len(ok) == 3 and (ok["error"] == "").all()
    assert np.isfinite(ok[list(exp.summaries)].to_numpy(dtype=float)).all()


@pytest.mark.slow
def test_cli_sweep_with_a_failing_run_exits_1_and_says_how_many(tmp_path, capsys, monkeypatch):
    """The sweep command offers no way to make a valid run fail, so the failing runner is put in
    as sim.runs.runner.run_task (which a sweep looks up when it runs)."""
    monkeypatch.setattr(sim.runs.runner, "run_task", fail_one_run)
    exp = write(tmp_path / "small.toml", SMALL.format(keep_series="false"))
    out = tmp_path / "out"
    status = main(["sweep", str(exp), "--out", str(out), "--workers", "2", "--quiet"])
    stdout, err = capsys.readouterr()
    assert status == 1
    assert err.startswith("error: 1 of 4 runs failed") and err.count("\n") == 1, err
    assert stdout == ""
    results = load_results(out)
    assert results.complete
    assert results.manifest["counts"] == {"ok": 3, "failed": 1}
    assert list(results.runs["status"]) == ["ok", "failed", "ok", "ok"]


# ---- workers that die, and a sweep process that dies ----------------------------------------------


def die_in(task: RunTask, run_id: int, marker: Path | None) -> Outcome:
    """A runner whose worker process dies (SIGKILL, as the out-of-memory killer does) when it starts run
    ``run_id``: once when ``marker`` is given (the file records that it happened), else every time."""
    if task.run_id == run_id and (marker is None or not marker.exists()):
        if marker is not None:
            marker.touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return run_task(task)


@pytest.mark.slow
def test_a_worker_that_dies_is_replaced_and_every_run_is_made_once(tmp_path):
    exp = exp_from(SMALL.format(keep_series="true").replace("replications = 2", "replications = 4"))  # 8 runs
    stores = {name: Store(tmp_path / name) for name in ("died", "reference")}
    for store in stores.values():
        store.create(exp.source, design_table(exp), {"status": "running"})
    died = functools.partial(die_in, run_id=5, marker=tmp_path / "worker-killed")
    assert Sweep(exp, stores["died"], Execution(workers=2), quiet=True).run(died) == {"ok": 8, "failed": 0}
    assert (tmp_path / "worker-killed").exists()  # a worker did die
    Sweep(exp, stores["reference"], Execution(workers=2), quiet=True).run()
    ids = [i for p in stores["died"].runs_paths() for i in pq.read_table(p).column("run_id").to_pylist()]
    assert sorted(ids) == list(range(8))  # every run recorded once
    for store in stores.values():
        store.consolidate()
        store.write_manifest({"status": "complete"})
    died_results, reference = load_results(stores["died"].folder), load_results(stores["reference"].folder)
    assert_frame_equal(without_duration(died_results.runs), without_duration(reference.runs), check_exact=True)
    assert_frame_equal(died_results.series, reference.series, check_exact=True)


@pytest.mark.slow
def test_a_run_that_kills_its_worker_every_time_stops_the_sweep_with_exit_1(tmp_path, capsys, monkeypatch):
    deadly = functools.partial(die_in, run_id=3, marker=None)  # the last of 4 runs, so it dies alone
    monkeypatch.setattr(sim.runs.runner, "run_task", deadly)
    exp = write(tmp_path / "small.toml", SMALL.format(keep_series="false"))
    out = tmp_path / "out"
    status = main(["sweep", str(exp), "--out", str(out), "--workers", "1", "--quiet"])
    line = one_error_line(capsys.readouterr().err)
    assert status == 1
    assert f"worker processes died {sim.runs.runner.MAX_WORKER_DEATHS} times while run 3 was in flight" in line
    assert f"3 of 4 runs saved in {out}" in line and line.endswith(f"--resume {out}\n")
    assert list(load_results(out, allow_partial=True).runs["run_id"]) == [0, 1, 2]  # the finished runs are kept


def break_at(task: RunTask, run_id: int) -> Outcome:
    """A runner that raises (as a bug in the engine would) at run ``run_id``; the others run as usual."""
    if task.run_id == run_id:
        raise RuntimeError(f"the runner broke at run {run_id}")
    return run_task(task)


@pytest.mark.slow
@pytest.mark.parametrize("executor", ["process", "dask"])
def test_an_error_that_stops_the_sweep_keeps_the_finished_runs(tmp_path, executor):
    """Whatever stops the loop (here an error out of a worker) goes up unchanged, with either executor,
    after the runs that finished are written."""
    if executor == "dask":
        pytest.importorskip("distributed")
    exp = exp_from(SMALL.format(keep_series="false"))
    store = Store(tmp_path / "out")
    store.create(exp.source, design_table(exp), {"status": "running"})
    with pytest.raises(RuntimeError, match="the runner broke at run 3"):
        Sweep(exp, store, Execution(executor, 1), quiet=True).run(functools.partial(break_at, run_id=3))
    if executor == "process":  # one local worker takes the runs in order: 0, 1 and 2 finished before 3 broke
        assert sorted(store.done_run_ids()) == [0, 1, 2]
    else:  # Dask's scheduler need not start them in order: what is saved is some of 0-2, never 3
        assert set(store.done_run_ids()) <= {0, 1, 2}


def family_of(pid: int) -> list[int]:
    """The ids of the descendants of process ``pid`` (Linux: from /proc)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
    out, frontier = [], [pid]
    while frontier:
        kids = [child for child, parent in parents.items() if parent in frontier]
        out += kids
        frontier = kids
    return out


def running(pid: int) -> bool:
    """Whether process ``pid`` exists and has not ended (a zombie has ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


linux_only = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")


@pytest.mark.slow
@linux_only
def test_a_worker_killed_from_outside_is_replaced_and_the_sweep_completes(tmp_path, big_reference):
    out = tmp_path / "out"
    proc = start_big_sweep(tmp_path, out)
    try:
        workers = [pid for pid in family_of(proc.pid) if parent_of(pid) != proc.pid]  # the forkserver's children
        assert workers, "no worker processes found"
        os.kill(workers[0], signal.SIGKILL)
        _, err = proc.communicate(timeout=300)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0, err
    assert err == ""
    results = load_results(out)
    assert results.manifest["counts"] == {"ok": 400} and results.runs["run_id"].is_unique
    reference = load_results(big_reference).runs
    assert_frame_equal(without_duration(results.runs), without_duration(reference), check_exact=True)


def parent_of(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return None


@pytest.mark.slow
@linux_only
def test_workers_and_forkserver_end_soon_after_the_sweep_process_is_killed(tmp_path):
    proc = start_big_sweep(tmp_path, tmp_path / "out")
    try:
        family = family_of(proc.pid)
        assert len(family) >= 3, family  # the forkserver, two workers (and the resource tracker)
        os.kill(proc.pid, signal.SIGKILL)  # the sweep process alone, not its process group
        proc.wait(timeout=60)
        deadline = time.monotonic() + 5
        while [pid for pid in family if running(pid)] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [pid for pid in family if running(pid)] == []
        err = proc.stderr.read()  # every writer has ended
        assert "resource_tracker" not in err and "leaked" not in err, err  # its clean-up is silent
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # whatever is left of its group
        proc.stderr.close()


# ---- bad input -----------------------------------------------------------------------------------

GOOD = """
name = "good"
description = "a valid experiment that the cases below break"
steps = 6
replications = 2
seed = 1
{top}
[design]
{design}
"""
FACTORIAL = 'kind = "factorial"\n[design.factors]\n"china.challenge_value" = [0.3, 0.6]'
LHS = 'kind = "lhs"\nsamples = 3\n[design.ranges]\n'


def good(top: str = "", design: str = FACTORIAL) -> str:
    return GOOD.format(top=top, design=design)


def case(id_, message, *, top="", design=FACTORIAL, text=None, missing=False):
    """One bad experiment: the file's text (None: no file at all) and a part of the expected message."""
    return pytest.param(None if missing else text or good(top, design), message, id=id_)


BAD_EXPERIMENTS = [
    case("unknown-top-key", "unknown key 'replication' (did you mean 'replications'?)", top="replication = 3"),
    case(
        "unknown-param-in-factors",
        "unknown parameter 'china.challenge_valeu' (did you mean 'china.challenge_value'?)",
        design='kind = "factorial"\n[design.factors]\n"china.challenge_valeu" = [0.3, 0.6]',
    ),
    case(
        "unknown-param-in-bundle",
        "unknown parameter 'crime.coordinatoin'",
        design='kind = "factorial"\n[design.factors]\nt = [{label = "a", "crime.coordinatoin" = 2.0}]',
    ),
    case(
        "unknown-param-in-ranges",
        "unknown parameter 'china.challenge_valeu'",
        design=LHS + '"china.challenge_valeu" = [0.2, 0.4]',
    ),
    case(
        "unknown-param-in-base",
        "unknown parameter 'china.challenge_valeu'",
        top='[base]\n"china.challenge_valeu" = 0.3',
    ),
    case(
        "unknown-param-in-points",
        "unknown parameter 'china.challenge_valeu'",
        design='kind = "list"\n[[design.points]]\n"china.challenge_valeu" = 0.3',
    ),
    case(
        "range-low-equals-high", "low 0.5 must be below high 0.5", design=LHS + '"china.challenge_value" = [0.5, 0.5]'
    ),
    case("range-low-above-high", "must be below high", design=LHS + '"china.challenge_value" = [0.7, 0.2]'),
    case("range-outside-allowed", "leaves the allowed [0, 10]", design=LHS + '"china.challenge_value" = [-1.0, 0.5]'),
    case("range-non-numeric-param", "not a numeric", design=LHS + '"policy.JPN.quad" = [0, 1]'),
    case("range-not-a-pair", "must be [low, high]", design=LHS + '"china.challenge_value" = [0.2]'),
    case("empty-factors", "factors is empty", design='kind = "factorial"\n[design.factors]'),
    case(
        "empty-factor-values",
        "non-empty list",
        design='kind = "factorial"\n[design.factors]\n"china.challenge_value" = []',
    ),
    case("empty-points", "points is empty", design='kind = "list"\npoints = []'),
    case("empty-ranges", "ranges is empty", design=LHS),
    case("unknown-design-kind", "kind must be one of", design='kind = "grid"'),
    case("missing-design", "kind must be one of", design=""),
    case("unknown-design-key", "unknown key 'sample' (did you mean 'samples'?)", design='kind = "lhs"\nsample = 4'),
    case(
        "sobol-samples-not-power-of-2",
        "power of 2",
        design='kind = "sobol"\nsamples = 6\n[design.ranges]\n"china.challenge_value" = [0.2, 0.4]',
    ),
    case(
        "lhs-samples-zero",
        "samples must be a whole number >= 1",
        design=LHS.replace("3", "0") + '"china.challenge_value" = [0.2, 0.4]',
    ),
    case("unknown-summary", "unknown summary 'stability_mean'", top='summaries = ["stability_mean"]'),
    case("empty-summaries", "summaries must be a non-empty list", top="summaries = []"),
    case(
        "point-fails-validation",
        "design point 1 (challenge_value=-1.0)",
        design='kind = "factorial"\n[design.factors]\n"china.challenge_value" = [0.3, -1.0]',
    ),
    case(
        "point-fails-combination-rule",
        "design point 0",
        design='kind = "list"\n[[design.points]]\n"policy.JPN.allocation.quad" = 0.0\n'
        '"policy.JPN.allocation.bilateral" = 0.0\n"policy.JPN.allocation.forums" = 0.0\n'
        '"policy.JPN.allocation.capacity" = 0.0',
    ),
    case("steps-zero", "steps must be a whole number >= 1", text=good().replace("steps = 6", "steps = 0")),
    case("bad-name", "'name' must be a non-empty word", text=good().replace('name = "good"', 'name = "a b"')),
    case("keep-series-not-bool", "keep_series must be true or false", top='keep_series = "yes"'),
    case("malformed-toml", "is not valid TOML", text='name = "good\nsteps = 6\n'),
    case("missing-file", "experiment file not found", missing=True),
    case(
        "factor-also-in-bundle",
        "parameter 'policy.JPN.quad' is set by both 't' and 'policy.JPN.quad'; give it to one factor",
        design='kind = "factorial"\n[design.factors]\nt = [{label = "a", "policy.JPN.quad" = true}]\n'
        '"policy.JPN.quad" = [true, false]',
    ),
    case(
        "duplicate-bundle-label",
        "design.factors.t: the label 'a' is given to two levels",
        design='kind = "factorial"\n[design.factors]\nt = [{label = "a", "crime.attempt_rate" = 1.0}, '
        '{label = "a", "crime.attempt_rate" = 2.0}]',
    ),
    case(
        "same-parameter-nested-and-dotted",
        "parameter 'policy.JPN.quad' is given twice",
        top='[base]\n"policy.JPN.quad" = true\npolicy.JPN.quad = false',
    ),
    case(
        "name-too-long",
        "'name' is 300 bytes long; it names a folder, so at most 255",
        text=good().replace('name = "good"', f'name = "{"n" * 300}"'),
    ),
    case(
        "too-large-without-large",
        "12,000,000,000 run-months (about 2,000.0 GB on disk), past the limit of 10,000,000; pass --large",
        text=good().replace("replications = 2", "replications = 1_000_000_000"),
    ),
]


def one_error_line(err: str) -> str:
    assert err.startswith("error: "), err
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


def tree(root: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))}


@pytest.mark.parametrize(("text", "message"), BAD_EXPERIMENTS)
def test_bad_experiment_exits_2_with_one_line_and_writes_nothing(tmp_path, monkeypatch, capsys, text, message):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "exp.toml"
    if text is not None:
        path.write_text(text)
    out = tmp_path / "out"
    before = tree(tmp_path)
    status = main(["sweep", str(path), "--out", str(out)])
    stdout, err = capsys.readouterr()
    assert status == 2, err
    assert message in one_error_line(err)
    assert stdout == ""
    assert not out.exists()
    assert not (tmp_path / "results").exists()
    assert tree(tmp_path) == before


def test_bad_experiment_through_python_m_sim(tmp_path):
    write(tmp_path / "exp.toml", good(top="replication = 3"))
    done = subprocess.run(
        [sys.executable, "-m", "sim", "sweep", "exp.toml"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: exp.toml: unknown key 'replication'") and done.stderr.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exp.toml"]


@pytest.fixture
def small_sweep(tmp_path, capsys):
    exp = write(tmp_path / "small.toml", SMALL.format(keep_series="false"))
    out = tmp_path / "done"
    sweep_ok(capsys, str(exp), "--out", str(out), "--workers", "1")
    return exp, out


def test_resume_a_folder_that_is_not_a_sweep_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    assert main(["run", "--steps", "3", "--out", str(tmp_path / "a_run"), "--quiet"]) == 0
    capsys.readouterr()
    for folder in ("empty", "a_run", "missing"):
        before = tree(tmp_path)
        status = main(["sweep", "--resume", str(tmp_path / folder), "--quiet"])
        stdout, err = capsys.readouterr()
        assert status == 2, (folder, err)
        assert stdout == ""
        assert "is not a sweep results folder" in one_error_line(err)
        assert tree(tmp_path) == before


@pytest.mark.parametrize(
    "damage",
    [
        "toml",
        "manifest",
        "no-parts",
    ],
)
def test_resume_a_damaged_sweep_folder_exits_2_and_writes_nothing(small_sweep, capsys, damage):
    _, out = small_sweep
    damaged = out.parent / "damaged"
    damaged.mkdir()
    for name in ("experiment.toml", "manifest.json"):
        (damaged / name).write_bytes((out / name).read_bytes())
    if damage == "toml":
        (damaged / "experiment.toml").write_text('name = "small\n')
    elif damage == "manifest":
        (damaged / "manifest.json").write_text("{")
    before = tree(damaged)
    status = main(["sweep", "--resume", str(damaged), "--quiet"])
    _, err = capsys.readouterr()
    assert status == 2, err
    one_error_line(err)
    assert tree(damaged) == before


def test_resume_with_a_different_experiment_file_exits_2(small_sweep, tmp_path, capsys):
    exp, out = small_sweep
    other = write(tmp_path / "other.toml", exp.read_text().replace("seed = 99", "seed = 100"))
    before = tree(out)
    status = main(["sweep", str(other), "--resume", str(out), "--quiet"])
    _, err = capsys.readouterr()
    assert status == 2
    assert "differs from the experiment stored" in one_error_line(err)
    assert tree(out) == before


def test_resume_with_the_same_experiment_file_is_accepted(small_sweep, capsys):
    exp, out = small_sweep
    status = main(["sweep", str(exp), "--resume", str(out), "--quiet"])
    _, err = capsys.readouterr()
    assert status == 0, err
    assert load_results(out).complete


def test_workers_zero_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    exp = write(tmp_path / "small.toml", SMALL.format(keep_series="false"))
    status = main(["sweep", str(exp), "--workers", "0", "--out", str(tmp_path / "out")])
    _, err = capsys.readouterr()
    assert status == 2
    assert "workers must be at least 1" in one_error_line(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small.toml"]


def test_out_folder_not_empty_exits_2_and_is_unchanged(small_sweep, capsys):
    exp, out = small_sweep
    before = tree(out)
    status = main(["sweep", str(exp), "--out", str(out), "--quiet"])
    _, err = capsys.readouterr()
    assert status == 2
    assert "already exists and is not empty" in one_error_line(err)
    assert tree(out) == before


# ---- the tables ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_load_results_returns_tidy_tables(shocked_sweep):
    exp_path, out = shocked_sweep
    exp = load_experiment(exp_path)
    results = load_results(out)
    runs, design, series = results.runs, results.design, results.series
    assert results.complete
    assert len(runs) == exp.n_runs and runs["run_id"].is_unique
    assert {"run_id", "point_id", "replicate", "seed", "status", "error", "duration_s"} <= set(runs.columns)
    assert set(exp.factors) <= set(runs.columns)
    assert set(exp.summaries) <= set(runs.columns)
    assert set(exp.summaries) <= set(SUMMARY_COLUMNS)
    assert any(s.endswith("_recovery") for s in exp.summaries)  # shocked: the shock summaries are kept
    for row in runs.itertuples(index=False):
        task = exp.tasks()[row.run_id]
        assert (row.point_id, row.replicate) == (task.point_id, task.replicate)
    # the varying parameters of each run are those of its design point (shocks as JSON text)
    merged = runs.merge(design, on="point_id", suffixes=("", "_design"))
    assert (merged["china.challenge_value"] == merged["china.challenge_value_design"]).all()
    assert (merged["shocks"] == merged["shocks_design"]).all()
    assert json.loads(runs.loc[runs["point_id"] == 1, "shocks"].iloc[0]) == [
        {"kind": "withdraw", "state": "USA", "step": 6}
    ]
    assert list(design["point_id"]) == list(range(len(exp.points)))
    assert list(design["label"]) == list(exp.labels)
    assert series is not None
    assert len(series) == exp.n_runs * exp.steps
    assert not series.duplicated(["run_id", "step"]).any()
    assert series.groupby("run_id")["step"].apply(list).eq([list(range(1, exp.steps + 1))] * exp.n_runs).all()
    assert set(METRICS) <= set(series.columns)
    assert load_results(out, series=False).series is None


@pytest.mark.slow
def test_runs_are_written_in_parts(tmp_path, monkeypatch):
    monkeypatch.setattr(sim.runs.runner, "PART_RUNS", 3)  # flushing happens in this process
    exp = exp_from(SMALL.format(keep_series="true").replace("replications = 2", "replications = 6"))
    store = Store(tmp_path / "out")
    store.create(exp.source, design_table(exp), {"status": "running"})
    counts = Sweep(exp, store, Execution("process", 1), quiet=True).run()
    assert counts == {"ok": 12, "failed": 0}
    parts = sorted(store.parts.glob("runs-*.parquet"))
    assert len(parts) > 1  # before consolidation the runs live in several parts
    ids = [pq.read_table(p, columns=["run_id"]).column("run_id").to_pylist() for p in parts]
    assert all(len(chunk) < 12 for chunk in ids)
    flat = [i for chunk in ids for i in chunk]
    assert sorted(flat) == list(range(12))  # each run in exactly one part
    assert not (store.folder / "runs.parquet").exists()
    assert store.consolidate() == {"ok": 12}
    runs = pd.read_parquet(store.folder / "runs.parquet")
    assert list(runs["run_id"]) == list(range(12))


@pytest.mark.slow
def test_consolidating_in_small_blocks_gives_the_same_table(tmp_path, monkeypatch):
    """runs.parquet is merged a block of run ids at a time (bounded memory); the block size must not
    change the result."""
    monkeypatch.setattr(sim.runs.runner, "PART_RUNS", 3)
    exp = exp_from(SMALL.format(keep_series="false").replace("replications = 2", "replications = 6"))
    store = Store(tmp_path / "out")
    store.create(exp.source, design_table(exp), {"status": "running"})
    Sweep(exp, store, Execution("process", 2), quiet=True).run()
    assert store.consolidate(block=1000) == {"ok": 12}
    whole = pd.read_parquet(store.folder / "runs.parquet")
    assert store.consolidate(block=5) == {"ok": 12}
    blocks = pd.read_parquet(store.folder / "runs.parquet")
    assert list(blocks["run_id"]) == list(range(12))
    pd.testing.assert_frame_equal(whole, blocks)


@pytest.mark.slow
def test_sweeps_started_in_the_same_second_get_their_own_folders(tmp_path, monkeypatch, capsys):
    """The stamp is frozen, as when two sweeps start in one second: each claims a folder and completes."""
    monkeypatch.setattr("sim.runs.provenance.utc_stamp", lambda moment=None: "20260101T000000Z")
    monkeypatch.chdir(tmp_path)
    exp = write(tmp_path / "exp.toml", SMALL.format(keep_series="false"))
    sweep_ok(capsys, str(exp))
    sweep_ok(capsys, str(exp))
    name = load_experiment(exp).name
    folders = sorted(p.name for p in (tmp_path / "results" / name).iterdir())
    assert folders == ["20260101T000000Z", "20260101T000000Z-2"]
    for folder in folders:
        assert load_results(tmp_path / "results" / name / folder).manifest["status"] == "complete"


def test_a_store_is_published_under_the_first_free_stamp(tmp_path, monkeypatch):
    """With no folder named, the rename that publishes a store takes the stamp, or the next free suffix,
    so a second store made in the same second cannot get the same folder."""
    monkeypatch.setattr("sim.runs.provenance.utc_stamp", lambda moment=None: "20260101T000000Z")
    text = SMALL.format(keep_series="false")
    design = design_table(exp_from(text))
    first = new_store(None, text, design, {"status": "running"}, parent=tmp_path / "x")
    second = new_store(None, text, design, {"status": "running"}, parent=tmp_path / "x")
    assert [first.folder.name, second.folder.name] == ["20260101T000000Z", "20260101T000000Z-2"]
    assert sorted(p.name for p in (tmp_path / "x").iterdir()) == ["20260101T000000Z", "20260101T000000Z-2"]


def test_a_store_cannot_be_created_twice_in_one_folder(tmp_path):
    text = SMALL.format(keep_series="false")
    design = design_table(exp_from(text))
    Store(tmp_path / "out").create(text, design, {"status": "running"})
    before = tree(tmp_path)
    with pytest.raises(ValueError, match="was filled by another process"):
        Store(tmp_path / "out").create(text, design, {"status": "running"})
    assert tree(tmp_path) == before  # the first store untouched, no temporary folder left


def test_large_confirms_a_big_design_and_a_small_one_needs_nothing():
    big = exp_from(good().replace("replications = 2", "replications = 1_000_000"), large=True)
    assert sim.runs.experiment.design_size(big) == {
        "runs": 2_000_000,
        "run_months": 12_000_000,
        "disk_bytes": 2_000_000_000,
    }
    with pytest.raises(ValueError, match="past the limit"):
        sim.runs.experiment.check_design_size(big)
    sim.runs.experiment.check_design_size(big, large=True)  # confirmed: no error
    sim.runs.experiment.check_design_size(exp_from(good()))


def test_a_replicate_seed_alone_equals_its_place_in_the_list():
    exp = exp_from(good().replace("replications = 2", "replications = 1_000_000_000"), large=True)
    children = np.random.SeedSequence(1).spawn(3)
    assert [exp.replicate_seed(r) for r in range(3)] == [
        int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children
    ]


@pytest.mark.parametrize(
    ("requested", "runs", "executor", "scheduler", "expected"),
    [
        (None, 1000, "process", None, os.cpu_count()),
        (100_000, 1000, "process", None, os.cpu_count()),  # never more than this machine's cores
        (100_000, 3, "process", None, min(3, os.cpu_count())),
        (100_000, 1000, "dask", None, os.cpu_count()),  # a LocalCluster is this machine too
        (64, 1000, "dask", "tcp://cluster:8786", 64),  # a remote scheduler's workers are its own
        (64, 5, "dask", "tcp://cluster:8786", 5),  # but never more than the runs to do
        (1, 1000, "process", None, 1),
    ],
)
def test_workers_are_capped_by_cores_and_runs(requested, runs, executor, scheduler, expected):
    assert sim.runs.runner.Execution(executor, requested, scheduler).workers_for(runs) == expected


def test_a_huge_worker_count_is_capped_and_the_manifest_records_the_workers_started(tmp_path, capsys):
    exp = write(tmp_path / "small.toml", SMALL.format(keep_series="false"))
    out = tmp_path / "done"
    sweep_ok(capsys, str(exp), "--out", str(out), "--workers", "100000")
    runs = load_experiment(exp).n_runs
    assert json.loads((out / "manifest.json").read_text())["workers"] == min(runs, os.cpu_count())


BUNDLES_SETTING_DIFFERENT_PARAMETERS = """
name = "uneven"
steps = 3
replications = 2
seed = 3
[base]
"member.sovereignty" = 2.0
[design]
kind = "factorial"
[design.factors]
switch = [
  { label = "none", "knockout.members_accept_all" = false },
  { label = "accept", "knockout.members_accept_all" = true },
  { label = "sovereignty", "member.sovereignty" = 0.5 },
]
"""


def test_bundles_that_set_different_parameters_store_every_column_with_its_value(tmp_path, capsys):
    """A parameter a bundle does not set takes its base or default value in the tables."""
    exp = write(tmp_path / "uneven.toml", BUNDLES_SETTING_DIFFERENT_PARAMETERS)
    out = tmp_path / "out"
    sweep_ok(capsys, str(exp), "--out", str(out), "--workers", "2")
    runs = load_results(out).runs.sort_values("run_id")
    assert len(runs) == 6 and (runs["status"] == "ok").all()
    by_point = runs.groupby("point_id")[["knockout.members_accept_all", "member.sovereignty"]].first()
    assert by_point.to_dict("index") == {
        0: {"knockout.members_accept_all": False, "member.sovereignty": 2.0},  # from the base
        1: {"knockout.members_accept_all": True, "member.sovereignty": 2.0},
        2: {"knockout.members_accept_all": False, "member.sovereignty": 0.5},  # the default, then the point
    }


def test_progress_off_a_terminal_is_a_plain_line_at_intervals():
    import io

    stream = io.StringIO()  # not a terminal, like nohup or CI
    progress = sim.runs.runner.Progress(total=10, done=2, quiet=False, interval=0.0, stream=stream)
    for _ in range(3):
        progress.update()
    progress.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 3
    assert lines[-1].startswith("progress: 5/10 runs (50%), ") and lines[-1].endswith(" left")
    assert "runs/s" in lines[-1]
    silent = io.StringIO()
    quiet = sim.runs.runner.Progress(total=10, done=0, quiet=True, interval=0.0, stream=silent)
    quiet.update(5)
    slow = sim.runs.runner.Progress(total=10, done=0, quiet=False, interval=3600.0, stream=silent)
    slow.update(5)  # an hour has not passed: no line yet
    assert silent.getvalue() == ""


@pytest.mark.slow
@pytest.mark.parametrize(("sig", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_sweep_saves_what_finished_says_how_to_resume_and_resumes(tmp_path, capsys, sig, status):
    out = tmp_path / "stopped"
    proc = start_big_sweep(tmp_path, out)  # some runs are done and saved
    try:
        time.sleep(0.3)  # more runs finish, still in the buffer
        os.killpg(proc.pid, sig) if sig == signal.SIGINT else proc.send_signal(sig)  # Ctrl-C hits the group
        _, err = proc.communicate(timeout=60)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == status, err
    lines = err.strip().splitlines()
    assert len(lines) == 2 and "Traceback" not in err, err
    assert lines[0].startswith("interrupted: ") and lines[0].endswith(f" runs are saved in {out}")
    assert lines[1] == f"resume with: {sys.executable} -m sim sweep --resume {out}"  # the interpreter the user ran
    saved = int(lines[0].split()[1])
    partial = load_results(out, allow_partial=True).runs
    assert len(partial) == saved > 0  # every run it says it saved is on disk, and no more
    sweep_ok(capsys, "--resume", str(out))
    resumed = load_results(out)
    assert resumed.manifest["counts"] == {"ok": 400} and resumed.runs["run_id"].is_unique


# ---- resume refuses what it cannot honour ---------------------------------------------------------


def test_resume_refuses_an_experiment_file_edited_in_the_folder(small_sweep, capsys):
    _, out = small_sweep
    toml = out / "experiment.toml"
    toml.write_text(toml.read_text().replace("replications = 2", "replications = 5"))
    before = tree(out)
    assert main(["sweep", "--resume", str(out)]) == 2
    assert "was edited after the sweep started" in one_error_line(capsys.readouterr().err)
    assert tree(out) == before


def test_resume_refuses_changed_code_unless_allowed_and_records_it(small_sweep, capsys, monkeypatch):
    _, out = small_sweep
    monkeypatch.setattr(sim.runs.provenance, "code_sha256", lambda: "0" * 64)  # as if the model had changed
    before = tree(out)
    assert main(["sweep", "--resume", str(out)]) == 2
    assert "the model's code changed" in one_error_line(capsys.readouterr().err)
    assert tree(out) == before
    assert main(["sweep", "--resume", str(out), "--allow-code-change", "--quiet"]) == 0
    allowed = json.loads((out / "manifest.json").read_text())["code_changes_allowed"]
    assert [entry["code_sha256"] for entry in allowed] == ["0" * 64]


def test_a_folder_being_written_by_a_live_sweep_is_refused_and_freed_when_its_holder_is_killed(small_sweep, capsys):
    """The folder's lock is the operating system's: another process holding it refuses a resume, and
    killing that process (SIGKILL: no clean-up runs) frees it at once."""
    _, out = small_sweep
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from filelock import FileLock; held = FileLock(sys.argv[1]); "
         "held.acquire(); print('held', flush=True); time.sleep(120)", str(out / ".lock")],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        before = tree(out)
        assert main(["sweep", "--resume", str(out)]) == 2
        assert f"another sweep is writing in {out}" in one_error_line(capsys.readouterr().err)
        assert tree(out) == before
    finally:
        holder.kill()
        holder.wait()
    assert main(["sweep", "--resume", str(out), "--quiet"]) == 0
    assert load_results(out).complete


# ---- a Dask scheduler answers before anything is written ------------------------------------------


def closed_port() -> int:
    """A local port nothing listens on (it was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def silent_listener(stack: contextlib.ExitStack) -> str:
    """The address of a local port that accepts connections but never says anything (not Dask)."""
    server = stack.enter_context(socket.socket())
    server.bind(("127.0.0.1", 0))
    server.listen()
    return f"tcp://127.0.0.1:{server.getsockname()[1]}"


SCHEDULERS = {
    "closed-port": (lambda stack: f"tcp://127.0.0.1:{closed_port()}", "no Dask scheduler answers at tcp://127.0.0.1:"),
    "not-dask": (silent_listener, "but does not answer as a Dask scheduler within 1 s"),
    "no-port": (lambda stack: "10.0.0.5", "scheduler address '10.0.0.5' is not a Dask scheduler address"),
    "unknown-protocol": (lambda stack: "udp://10.0.0.5:8786", "unknown address scheme 'udp'"),
}


@pytest.mark.slow
@pytest.mark.parametrize("scheduler", list(SCHEDULERS))
def test_a_scheduler_that_does_not_answer_is_refused_before_anything_is_written(
    tmp_path, monkeypatch, capsys, scheduler
):
    pytest.importorskip("distributed")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sim.runs.runner, "SCHEDULER_TIMEOUT", 1.0)
    exp = write(tmp_path / "small.toml", SMALL.format(keep_series="false"))
    address_of, message = SCHEDULERS[scheduler]
    with contextlib.ExitStack() as stack:
        address = address_of(stack)
        before, start = tree(tmp_path), time.monotonic()
        status = main(["sweep", str(exp), "--executor", "dask", "--scheduler", address])
        line = one_error_line(capsys.readouterr().err)
    assert status == 2
    assert message in line and address in line
    assert time.monotonic() - start < 10
    assert tree(tmp_path) == before  # no results folder


def test_resume_with_a_scheduler_that_does_not_answer_is_refused_and_the_folder_unchanged(small_sweep, capsys):
    pytest.importorskip("distributed")
    _, out = small_sweep
    address = f"tcp://127.0.0.1:{closed_port()}"
    before = tree(out)
    assert main(["sweep", "--resume", str(out), "--executor", "dask", "--scheduler", address]) == 2
    assert f"no Dask scheduler answers at {address}" in one_error_line(capsys.readouterr().err)
    assert tree(out) == before  # not even the lock or the manifest's resume time


def test_the_python_api_refuses_a_scheduler_that_does_not_answer_before_writing(tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.chdir(tmp_path)
    exp = write(tmp_path / "small.toml", SMALL.format(keep_series="false"))
    with pytest.raises(ValueError, match=r"no Dask scheduler answers at tcp://127\.0\.0\.1:"):
        sim.sweep(exp, executor="dask", scheduler=f"tcp://127.0.0.1:{closed_port()}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small.toml"]


# ---- the red-team list: each is refused with one line, exit 2, nothing written -----------------------


def damaged_copy(root: Path, done: Path) -> str:
    """A copy of the complete folder ``done`` with its first runs part cut in half."""
    shutil.copytree(done, root / "damaged")
    truncate(root / "damaged" / "parts" / "runs-00000.parquet")
    return "damaged"


def without_experiment_file(root: Path, done: Path) -> str:
    shutil.copytree(done, root / "no-toml")
    (root / "no-toml" / "experiment.toml").unlink()
    return "no-toml"


def port_in_use(stack: contextlib.ExitStack) -> str:
    return silent_listener(stack).rsplit(":", 1)[1]


def long_named(root: Path) -> str:
    """An experiment file whose name (the results folder's) is too long for a file system."""
    write(root / "long.toml", SMALL.format(keep_series="false").replace('name = "small"', f'name = "{LONG}"'))
    return "long.toml"


def closed_address() -> str:
    return f"tcp://127.0.0.1:{closed_port()}"


LONG = "a" * 256
# id: (the arguments, given the folder, a complete sweep folder and an exit stack; part of the error line)
RED_TEAM = {
    "analyze-damaged-part": (lambda root, done, _: ["analyze", damaged_copy(root, done)], "is damaged"),
    "plot-damaged-part": (lambda root, done, _: ["plot", damaged_copy(root, done)], "is damaged"),
    "resume-without-experiment-toml": (
        lambda root, done, _: ["sweep", "--resume", without_experiment_file(root, done)],
        "missing experiment.toml",
    ),
    "sweep-out-dot": (lambda root, done, _: ["sweep", "exp.toml", "--out", "."], "is the current folder"),
    "run-out-dot": (lambda root, done, _: ["run", "--steps", "2", "--out", "."], "is the current folder"),
    "run-out-dot-dot": (lambda root, done, _: ["run", "--steps", "2", "--out", ".."], "is the current folder or one"),
    "sweep-out-name-too-long": (lambda root, done, _: ["sweep", "exp.toml", "--out", LONG], "is 256 bytes long"),
    "run-out-name-too-long": (lambda root, done, _: ["run", "--out", f"x/{LONG}/y"], "is 256 bytes long"),
    "experiment-name-too-long": (lambda root, done, _: ["sweep", long_named(root)], "'name' is 256 bytes long"),
    "scheduler-bad-address": (
        lambda root, done, _: ["sweep", "exp.toml", "--executor", "dask", "--scheduler", "tcp://10.0.0.5"],
        "is not a Dask scheduler address",
    ),
    "scheduler-closed-port": (
        lambda root, done, _: ["sweep", "exp.toml", "--executor", "dask", "--scheduler", closed_address()],
        "no Dask scheduler answers",
    ),
    "app-port-in-use": (lambda root, done, stack: ["app", "--port", port_in_use(stack)], "Address already in use"),
    "params-grep-nomatch": (lambda root, done, _: ["params", "--grep", "nomatch"], "no parameter name contains"),
}


@pytest.mark.parametrize("case", list(RED_TEAM))
def test_red_team_inputs_exit_2_with_one_line_and_write_nothing(shocked_sweep, tmp_path, monkeypatch, capsys, case):
    """The issue's red-team list (``params | head`` is test_cli's closed-pipe test)."""
    if "scheduler" in case:
        pytest.importorskip("distributed")
    _, done = shocked_sweep
    root = tmp_path / "here"  # the current folder: empty but for what a case puts there
    root.mkdir()
    monkeypatch.chdir(root)
    args, message = RED_TEAM[case]
    with contextlib.ExitStack() as stack:
        argv = args(root, done, stack)
        if "exp.toml" in argv:
            write(root / "exp.toml", SMALL.format(keep_series="false"))
        before = tree(tmp_path)
        status = main(argv)
        stdout, err = capsys.readouterr()
    assert status == 2, err
    assert message in one_error_line(err)
    assert stdout == ""
    assert tree(tmp_path) == before
