"""What users meet when their input or their machine is at fault: a folder that cannot be written, a full
disk, a damaged or edited results folder, a calibration config that is wrong or too large, a re-run on
changed code. Each is refused in one line with exit status 2 (exit 1 is for runs that fail), and
nothing is written, lost or overwritten.

The sweeps here run in threads of this process (``threads`` below), so that none needs worker processes.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import errno
import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import sim
import sim.runs.provenance
import sim.science.plots
from sim.cli import main
from sim.model.params import InputError
from sim.runs.experiment import load_experiment
from sim.runs.store import id_ranges, read_id_ranges
from sim.science import calibrate as C

ROOT = Path(__file__).resolve().parents[1]
SMOKE = ROOT / "calibration" / "smoke.toml"
TINY = """name = "tiny"
steps = 3
warmup = 0
replications = 2
seed = 5
[design]
kind = "factorial"
[design.factors]
"policy.JPN.capacity" = [true, false]
"""


def one_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    return err


def tree(root: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))}


@contextlib.contextmanager
def _threads(kind: str, workers: int, scheduler: str | None = None):
    with cf.ThreadPoolExecutor(workers) as pool:
        yield pool


@pytest.fixture
def threads(monkeypatch):
    """Sweeps run in threads of this process instead of worker processes."""
    monkeypatch.setattr("sim.runs.runner.make_executor", _threads)


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    """A finished sweep of four three-month runs, made once; tests take a copy (``sweep_copy``)."""
    tmp = tmp_path_factory.mktemp("finished")
    (tmp / "tiny.toml").write_text(TINY)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sim.runs.runner.make_executor", _threads)
        assert main(["sweep", str(tmp / "tiny.toml"), "--out", str(tmp / "done"), "--workers", "1", "--quiet"]) == 0
    return tmp / "done"


@pytest.fixture
def sweep_copy(finished, tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(finished, tmp_path / "done")
    return tmp_path / "done"


def edit_runs(folder: Path, change) -> None:
    runs = pd.read_parquet(folder / "runs.parquet")
    change(runs).to_parquet(folder / "runs.parquet", index=False)


# ---- folders that cannot be written ---------------------------------------------------------------

COMMANDS = {
    "run": ["run", "--steps", "2"],
    "sweep": ["sweep", "tiny.toml", "--workers", "1"],
    "validate": ["validate", "--replications", "2"],
    "calibrate": ["calibrate", str(SMOKE)],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_output_folder_under_proc_is_refused_before_anything_runs(tmp_path, monkeypatch, capsys, command):
    if not Path("/proc/self").exists():
        pytest.skip("no /proc here")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tiny.toml").write_text(TINY)
    assert main([*COMMANDS[command], "--out", "/proc/x", "--quiet"]) == 2
    assert "cannot write in /proc: " in one_line(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.toml"]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_output_folder_that_links_to_nothing_is_refused(tmp_path, monkeypatch, capsys, command):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tiny.toml").write_text(TINY)
    (tmp_path / "out").symlink_to(tmp_path / "missing")
    assert main([*COMMANDS[command], "--out", "out", "--quiet"]) == 2
    assert f"output folder out is a link to {tmp_path / 'missing'}, which does not exist" in one_line(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "tiny.toml"] and not (tmp_path / "missing").exists()


@pytest.fixture
def read_only(monkeypatch):
    """Folders named ``ro`` refuse new entries, as a read-only folder does (permission bits cannot
    show it: the tests may run as root)."""
    real = sim.runs.folders.tempfile.mkdtemp

    def mkdtemp(*args, dir=None, **kwargs):
        if dir is not None and Path(dir).name == "ro":
            raise PermissionError(errno.EACCES, "Permission denied", str(dir))
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(sim.runs.folders.tempfile, "mkdtemp", mkdtemp)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_new_folder_in_a_read_only_folder_is_refused(tmp_path, monkeypatch, capsys, read_only, command):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tiny.toml").write_text(TINY)
    (tmp_path / "ro").mkdir()
    assert main([*COMMANDS[command], "--out", "ro/new", "--quiet"]) == 2
    assert "cannot write in ro: Permission denied" in one_line(capsys)
    assert tree(tmp_path) == {"ro": None, "tiny.toml": TINY.encode()}


@pytest.mark.parametrize("argv", [["sweep", "--resume"], ["analyze"], ["plot"]], ids=lambda a: a[-1])
def test_a_read_only_results_folder_is_refused_before_anything_is_written(sweep_copy, capsys, read_only, threads, argv):
    folder = sweep_copy.rename(sweep_copy.with_name("ro"))
    before = tree(folder)
    assert main([*argv, "ro", "--quiet"]) == 2
    assert "cannot write in ro: Permission denied" in one_line(capsys)
    assert tree(folder) == before


def test_the_api_refuses_the_same_folders_before_it_creates_anything(sweep_copy, read_only):
    Path("tiny.toml").write_text(TINY)
    Path("link").symlink_to("missing")
    Path("ro").mkdir()
    before = tree(Path.cwd())
    with pytest.raises(InputError, match="output folder link is a link to missing, which does not exist"):
        sim.sweep("tiny.toml", out="link")
    with pytest.raises(InputError, match="cannot write in ro: Permission denied"):
        sim.sweep("tiny.toml", out="ro/new")
    assert tree(Path.cwd()) == before
    Path("ro").rmdir()
    sweep_copy.rename("ro")
    before = tree(Path.cwd())
    with pytest.raises(InputError, match="cannot write in ro: Permission denied"):
        sim.analyze("ro")
    assert tree(Path.cwd()) == before


# ---- a full disk ------------------------------------------------------------------------------------


def no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device", "manifest.json")


def test_a_full_disk_stops_a_new_sweep_in_one_line_and_leaves_no_half_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tiny.toml").write_text(TINY)
    monkeypatch.setattr("sim.runs.store.write_json", no_space)  # the manifest: the last file a new sweep lays out
    assert main(["sweep", "tiny.toml", "--out", "out", "--quiet"]) == 2
    # the folder is laid out under .partial- (sim.runs.folders.building), which is removed: no file to name
    assert one_line(capsys) == "error: cannot write results into .: No space left on device; nothing was kept\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.toml"]
    assert main(["sweep", "tiny.toml", "--quiet"]) == 2  # the folder it claims under results/ goes too
    one_line(capsys)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [tmp_path / "tiny.toml"]


def test_a_full_disk_while_a_sweep_runs_is_exit_2_and_the_sweep_can_be_resumed(tmp_path, monkeypatch, capsys, threads):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tiny.toml").write_text(TINY)
    monkeypatch.setattr("sim.runs.store.Store.write_part", lambda *args: no_space())
    assert main(["sweep", "tiny.toml", "--out", "out", "--workers", "1", "--quiet"]) == 2
    assert one_line(capsys) == "error: cannot write manifest.json: No space left on device\n"
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["status"] == "running"
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sim.runs.runner.make_executor", _threads)
    assert main(["sweep", "--resume", "out", "--quiet"]) == 0
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["counts"] == {"ok": 4}


def test_a_full_disk_stops_a_run_in_one_line_and_leaves_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    real = Path.write_text

    def write_text(self, *args, **kwargs):
        return no_space() if self.name == "manifest.json" else real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", write_text)
    assert main(["run", "--steps", "2", "--out", "out", "--quiet"]) == 2
    assert one_line(capsys) == "error: cannot write results into .: No space left on device; nothing was kept\n"
    assert list(tmp_path.iterdir()) == []


# ---- analyze and plot: what there is to report, and where it goes ----------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda runs: runs.iloc[:0], "has no runs to analyze (its runs table is empty)"),
        (lambda runs: runs.assign(status="failed"), "has no successful run to analyze: all 4 failed"),
        (
            lambda runs: runs.assign(**{c: float("nan") for c in runs.columns if c.endswith(("_mean", "_final"))}),
            "no summary measure has a value in any successful run",
        ),
    ],
    ids=["empty", "all-failed", "all-nan"],
)
@pytest.mark.parametrize("command", ["analyze", "plot"])
def test_nothing_to_report_is_said_in_one_line(sweep_copy, capsys, change, message, command):
    edit_runs(sweep_copy, change)
    before = tree(sweep_copy)
    assert main([command, str(sweep_copy), "--quiet"]) == 2
    assert message in one_line(capsys)
    assert tree(sweep_copy) == before


def test_a_metric_without_a_value_is_refused_with_those_that_have_one(sweep_copy, capsys):
    edit_runs(sweep_copy, lambda runs: runs.assign(coercion_mean=float("nan")))
    before = tree(sweep_copy)
    assert main(["analyze", str(sweep_copy), "--metric", "coercion", "--quiet"]) == 2
    err = one_line(capsys)
    assert "--metric 'coercion' has no value in any successful run; choose from " in err
    assert "stability_index_mean" in err and "coercion_mean" not in err
    assert tree(sweep_copy) == before


@pytest.mark.parametrize(
    ("command", "name", "is_folder", "message"),
    [
        ("analyze", "figures", False, "figures is a file, where the figures folder goes"),
        ("analyze", "analysis", False, "analysis is a file, where the analysis folder goes"),
        ("analyze", "report.md", True, "report.md is a folder, where the report.md goes"),
        ("plot", "figures", False, "figures is a file, where the figures folder goes"),
    ],
)
def test_an_output_in_the_way_is_found_before_anything_is_written(
    sweep_copy, capsys, command, name, is_folder, message
):
    path = sweep_copy / name
    path.mkdir() if is_folder else path.write_text("mine\n")
    before = tree(sweep_copy)
    assert main([command, str(sweep_copy), "--quiet"]) == 2
    assert message in one_line(capsys)
    assert tree(sweep_copy) == before


@pytest.mark.parametrize("command", ["analyze", "plot"])
def test_a_full_disk_while_analysing_leaves_the_folder_as_it_was(sweep_copy, monkeypatch, capsys, command):
    assert main(["plot", str(sweep_copy), "--format", "svg", "--quiet"]) == 0  # an earlier analysis's figures
    before = tree(sweep_copy)
    real = sim.science.plots.savefig
    drawn = []

    def savefig(fig, path, dpi=150):
        drawn.append(path)
        return no_space() if len(drawn) == 2 else real(fig, path, dpi)

    monkeypatch.setattr(sim.science.plots, "savefig", savefig)
    assert main([command, str(sweep_copy), "--quiet"]) == 2
    said = f"error: cannot write results into {sweep_copy}: No space left on device; nothing was kept\n"
    assert one_line(capsys) == said  # (the file it names was in the temporary folder, removed)
    assert len(drawn) == 2 and tree(sweep_copy) == before


def test_an_analysis_keeps_the_figures_it_does_not_draw(sweep_copy):
    assert main(["plot", str(sweep_copy), "--format", "svg", "--quiet"]) == 0
    svg = sorted(p.name for p in (sweep_copy / "figures").iterdir())
    assert svg and all(name.endswith(".svg") for name in svg)
    assert main(["analyze", str(sweep_copy), "--quiet"]) == 0
    figures = sorted(p.name for p in (sweep_copy / "figures").iterdir())
    assert set(svg) < set(figures) and any(name.endswith(".png") for name in figures)
    assert not list(sweep_copy.glob(".partial-*"))


@pytest.mark.parametrize("command", ["analyze", "plot"])
def test_what_a_killed_analysis_left_is_named_by_the_next(sweep_copy, capsys, command):
    left = sweep_copy / ".partial-killed"  # the temporary folder of an analysis killed while it wrote
    (left / "figures").mkdir(parents=True)
    assert main([command, str(sweep_copy), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"warning: {left} was left when making a results folder")
    assert err.endswith(f"delete it with rm -r {left}\n")
    assert [p.name for p in sweep_copy.glob(".partial-*")] == [left.name]  # named, not deleted


@pytest.mark.parametrize("command", ["analyze", "plot"])
def test_an_experiment_file_edited_after_the_sweep_is_refused(sweep_copy, capsys, command):
    toml = sweep_copy / "experiment.toml"
    toml.write_text(toml.read_text().replace("replications = 2", "replications = 20"))
    before = tree(sweep_copy)
    assert main([command, str(sweep_copy), "--quiet"]) == 2
    assert "experiment.toml was edited after the sweep ran" in one_line(capsys)
    assert tree(sweep_copy) == before


def test_a_run_that_starts_in_year_0_is_run_and_drawn(tmp_path, monkeypatch, capsys):
    """The figure's axis counts years itself: any month the model accepts can be drawn."""
    monkeypatch.chdir(tmp_path)
    for start in ("0000-01", "9999-12"):
        assert main(["run", "--steps", "3", "--set", f"run.start={start}", "--out", start, "--quiet"]) == 0
        assert (tmp_path / start / "metrics.png").stat().st_size > 0


# ---- a sweep over a posterior ----------------------------------------------------------------------

POSTERIOR = pd.DataFrame({"crime.arrest": [0.1, 0.2, 0.3], "weight": [0.2, 0.3, 0.5], "distance": [1.0, 2.0, 3.0]})


def test_a_posterior_without_distances_can_be_swept(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tiny.toml").write_text(TINY)
    POSTERIOR.drop(columns="distance").to_parquet("p.parquet")
    experiment = load_experiment(tmp_path / "tiny.toml", "p.parquet", 3)
    assert len(experiment.points) == 6 and {p["crime.arrest"] for p in experiment.points} <= {0.1, 0.2, 0.3}


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ([0.0, 0.0, 0.0], "3 of 3 weights 0"),
        ([0.5, -0.1, 0.6], "1 of 3 weights negative"),
        ([0.5, float("nan"), 0.6], "1 of 3 weights missing or not a number"),
        ([], "has no rows"),
    ],
    ids=["zero", "negative", "nan", "empty"],
)
def test_posterior_weights_that_cannot_be_drawn_from_are_refused(tmp_path, monkeypatch, capsys, weights, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tiny.toml").write_text(TINY)
    POSTERIOR.iloc[: len(weights)].assign(weight=weights).to_parquet("p.parquet")
    before = tree(tmp_path)
    assert main(["sweep", "tiny.toml", "--over-posterior", "p.parquet", "--draws", "2", "--quiet"]) == 2
    err = one_line(capsys)
    assert message in err and "weights must be numbers >= 0, not all 0" in err
    assert tree(tmp_path) == before


# ---- calibration configs ------------------------------------------------------------------------------


def smoke(old: str, new: str) -> str:
    text = SMOKE.read_text()
    assert old in text
    return text.replace(old, new)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (smoke("seed = 7", "seed = 7\nsed = 8"), "unknown key 'sed'; expected name, description, period, seed,"),
        (smoke("batch = 8", "batch = 8\npopulaton = 9"), "[abc]: unknown key 'populaton'; expected population,"),
        (smoke('name = "kidnap', 'nam = "kidnap'), "prior 2: unknown key 'nam'; expected name, low, high, reason"),
        (smoke("datasets = 2", "dataset = 2"), "[coverage]: unknown key 'dataset'; expected datasets, population,"),
        (smoke("predictive = 3", 'predictive = "3"'), "[abc]: 'predictive' must be int, got '3'"),
        (smoke("quantile = 0.5", 'quantile = "half"'), "[abc]: 'quantile' must be a number, got 'half'"),
    ],
    ids=["top", "abc", "prior", "coverage", "type", "quantile"],
)
def test_a_calibration_config_names_its_wrong_key_and_the_keys_there_are(tmp_path, monkeypatch, capsys, text, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.toml").write_text(text)
    assert main(["calibrate", "c.toml", "--quiet"]) == 2
    assert message in one_line(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.toml"]


def test_a_binary_calibration_config_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.toml").write_bytes(bytes(range(256)))
    assert main(["calibrate", "c.toml", "--quiet"]) == 2
    assert "cannot read calibration config c.toml: 'utf-8' codec can't decode" in one_line(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.toml"]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("population = 8", "population = 1_000_000_000_000"),
        ("generations = 2", "generations = 1_000_000_000_000"),
        ("batch = 8", "batch = 1_000_000_000_000"),
        ("predictive = 3", "predictive = 1_000_000_000_000"),
        ("datasets = 2", "datasets = 1_000_000_000_000"),
        ("population = 4", "population = 1_000_000_000_000"),
        ("generations = 1", "generations = 1_000_000_000_000"),
    ],
    ids=["population", "generations", "batch", "predictive", "coverage-datasets", "coverage-population",
         "coverage-generations"],
)  # fmt: skip
def test_a_calibration_too_large_is_refused_before_anything_is_allocated(tmp_path, monkeypatch, capsys, old, new):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.toml").write_text(smoke(old, new))
    assert main(["calibrate", "c.toml", "--quiet"]) == 2
    assert "past the limit of 10,000,000; pass --large to run it anyway" in one_line(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.toml"]


@pytest.mark.parametrize("path", sorted((ROOT / "calibration").glob("*.toml")), ids=lambda p: p.stem)
def test_the_shipped_calibrations_are_within_the_limit(path):
    config = C.load_config(path)
    C.check_size(config)
    assert C.planned_runs(config) >= config.population * config.generations + 2 * config.predictive


def test_calibration_sizes_count_the_fit_the_predictive_and_the_coverage_check():
    config = C.load_config(SMOKE)  # population 8, generations 2, batch 8, predictive 3; coverage 2 x (4, 1)
    assert C.planned_runs(config) == (8 + 8) + 2 * 3 + 2 * (1 + 4)
    assert C.months_per_run(config) == 216 + 24  # the history period after its spin-up


def test_a_calibration_with_a_malformed_scheduler_leaves_no_folder(tmp_path, monkeypatch, capsys):
    pytest.importorskip("distributed")
    monkeypatch.chdir(tmp_path)
    assert main(["calibrate", str(SMOKE), "--executor", "dask", "--scheduler", "nonsense", "--quiet"]) == 2
    assert "scheduler address 'nonsense' is not a Dask scheduler address" in one_line(capsys)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["sweep", "tiny.toml", "--allow-code-change"], "--allow-code-change goes with --resume DIR"),
        (["run", "--allow-code-change"], "--allow-code-change goes with --from DIR"),
    ],
)
def test_allow_code_change_goes_with_what_it_allows(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tiny.toml").write_text(TINY)
    assert main([*argv, "--quiet"]) == 2
    assert message in one_line(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.toml"]


# ---- re-runs and resumes on changed code ----------------------------------------------------------


def changed_code(monkeypatch) -> None:
    monkeypatch.setattr(sim.runs.provenance, "code_sha256", lambda: "0" * 64)  # as if the model had changed


@pytest.mark.parametrize("source", ["run", "sweep"])
def test_a_rerun_on_changed_code_is_refused_unless_allowed_and_then_recorded(sweep_copy, monkeypatch, capsys, source):
    if source == "run":
        assert main(["run", "--steps", "2", "--out", "first", "--quiet"]) == 0
        argv = ["run", "--from", "first"]
    else:
        argv = ["run", "--from", str(sweep_copy), "--run-id", "1"]
    made = json.loads(((Path("first") if source == "run" else sweep_copy) / "manifest.json").read_text())
    changed_code(monkeypatch)
    before = tree(Path.cwd())
    assert main([*argv, "--out", "again", "--quiet"]) == 2
    err = one_line(capsys)
    assert "the model's code changed since" in err and "Pass --allow-code-change" in err
    assert tree(Path.cwd()) == before
    assert main([*argv, "--out", "again", "--allow-code-change"]) == 0
    assert "warning: the code changed since" in capsys.readouterr().err
    manifest = json.loads(Path("again/manifest.json").read_text())
    assert manifest["code_sha256"] == "0" * 64
    assert manifest["rerun_of"]["code_sha256"] == made["code_sha256"]
    assert manifest["rerun_of"]["git_commit"] == made["git_commit"]


def test_a_resume_on_changed_code_records_its_commit_and_the_report_says_which_runs_each_code_made(
    sweep_copy, monkeypatch, capsys, threads
):
    """Cut the finished sweep back to runs 0 and 1 (as if stopped), resume it on changed code: the
    manifest records the commit and the runs already done, and the report names both versions."""
    for part in sorted((sweep_copy / "parts").glob("runs-*.parquet")):  # how runs fell into parts varies
        table = pq.read_table(part)
        kept = table.filter(pd.Series(table.column("run_id").to_pylist()).isin([0, 1]).to_numpy())
        if kept.num_rows:
            pq.write_table(kept, part)
        else:
            part.unlink()
    (sweep_copy / "runs.parquet").unlink()
    manifest = json.loads((sweep_copy / "manifest.json").read_text())
    (sweep_copy / "manifest.json").write_text(json.dumps({**manifest, "status": "running"}))
    changed_code(monkeypatch)
    assert main(["sweep", "--resume", str(sweep_copy), "--allow-code-change", "--quiet"]) == 0
    after = json.loads((sweep_copy / "manifest.json").read_text())
    [resume] = after["resumes"]
    assert resume["runs_done_before"] == "0-1" and resume["code_sha256"] == "0" * 64
    assert resume["git_commit"] == manifest["git_commit"]  # the commit, whatever it is (None outside git)
    [allowed] = after["code_changes_allowed"]
    assert set(allowed) == {"utc", "git_commit", "code_sha256"}
    assert main(["analyze", str(sweep_copy), "--quiet"]) == 0
    report = (sweep_copy / "report.md").read_text()
    assert "**made by more than one version of the code** (resumed with --allow-code-change): " in report
    assert f"runs 0-1 by commit `{manifest['git_commit']}` (code checksum {manifest['code_sha256'][:12]})" in report
    assert f"runs 2-3 by commit `{manifest['git_commit']}` (code checksum {'0' * 12})" in report


def test_a_report_on_one_version_of_the_code_says_nothing_of_versions(sweep_copy):
    assert main(["analyze", str(sweep_copy), "--quiet"]) == 0
    assert "version of the code" not in (sweep_copy / "report.md").read_text()


def test_run_ids_are_written_as_ranges_and_read_back():
    ids = {0, 1, 2, 5, 7, 8, 9}
    assert id_ranges(ids) == "0-2, 5, 7-9"
    assert read_id_ranges(id_ranges(ids)) == ids and read_id_ranges("") == set()


def test_a_file_system_fault_inside_a_subcommand_is_exit_2_and_other_faults_exit_1(monkeypatch, capsys):
    """The safety net of ``main``: what the file system says of the user's folders is status 2; any other
    error (a run that fails) is status 1."""
    monkeypatch.setattr("sim.cli.build_parser", lambda: _Parser(no_space))
    assert main([]) == 2
    assert one_line(capsys) == "error: cannot write manifest.json: No space left on device\n"
    monkeypatch.setattr("sim.cli.build_parser", lambda: _Parser(lambda: 1 / 0))
    assert main([]) == 1
    assert one_line(capsys) == "error: run failed: ZeroDivisionError: division by zero\n"


class _Parser:
    """A parser whose one command does ``action``."""

    def __init__(self, action) -> None:
        self.action = action

    def parse_args(self, argv):
        return type("Args", (), {"func": staticmethod(lambda args: self.action())})()
