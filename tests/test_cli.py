"""The command line, called in-process: `run` writes a complete, reproducible result folder; bad input
exits 2 with one line on stderr and writes nothing; `params` lists every parameter."""

import csv
import json
import os
import subprocess
import sys

import matplotlib.pyplot as plt
import pytest

from sim.cli import main
from sim.model.metrics import METRICS
from sim.model.params import SPECS, make_params

STEPS = 12
PNG = b"\x89PNG\r\n\x1a\n"
SHOCK = {"step": 6, "kind": "withdraw", "state": "USA"}


@pytest.fixture(autouse=True)
def _close_figures():
    """cmd_run leaves its figure open (see test_run_closes_its_figure); keep them from piling up here."""
    yield
    plt.close("all")


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Work in an empty temporary folder, so that a default results/ folder lands there."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def read_table(folder):
    with (folder / "timeseries.csv").open(newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def read_manifest(folder):
    return json.loads((folder / "manifest.json").read_text())


def snapshot(root):
    """Every path under root, with the bytes of each file (None for folders)."""
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))}


def run_ok(capsys, *args):
    """main(['run', *args]) must succeed quietly; returns stdout."""
    status = main(["run", *args])
    out, err = capsys.readouterr()
    assert status == 0, err
    assert err == ""
    return out


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    """One default run (seed 5, 12 months), shared by the tests that compare against it."""
    out = tmp_path_factory.mktemp("default") / "run"
    assert main(["run", "--steps", str(STEPS), "--seed", "5", "--out", str(out), "--quiet"]) == 0
    return out


# ---- run: what it writes --------------------------------------------------------------------------


def test_run_writes_timeseries_summary_manifest_and_figure(in_tmp, capsys):
    out = in_tmp / "first"
    printed = run_ok(capsys, "--steps", str(STEPS), "--seed", "5", "--out", str(out))
    assert printed.splitlines()[0] == f"wrote {out}"
    assert "stability_index" in printed

    assert sorted(p.name for p in out.iterdir()) == [
        "actions.csv", "agents.csv", "manifest.json", "metrics.png", "summary.json", "timeseries.csv",
    ]  # fmt: skip
    header, rows = read_table(out)
    assert header == ["step", "date", *METRICS]
    assert rows[0][1] == "2025-01"
    assert len(rows) == STEPS
    assert [int(r[0]) for r in rows] == list(range(1, STEPS + 1))
    assert all(len(r) == len(header) for r in rows)
    float(rows[-1][header.index("stability_index")])  # numbers, not blanks

    summary = json.loads((out / "summary.json").read_text())
    assert isinstance(summary, dict) and summary
    assert 0.0 <= summary["stability_index_mean"] <= 1.0

    manifest = read_manifest(out)
    assert manifest["kind"] == "run"
    assert manifest["seed"] == 5 and manifest["steps"] == STEPS
    assert manifest["params"] == make_params().to_dict()
    assert manifest["changed"] == {}
    assert "git_commit" in manifest and (manifest["git_commit"] is None or isinstance(manifest["git_commit"], str))
    assert isinstance(manifest["command"], str) and manifest["command"]
    assert manifest["packages"]["mesa"] == "3.3.1"
    assert {"numpy", "pandas", "matplotlib", "python"} <= set(manifest["packages"])
    assert manifest["machine"]["cpu"] and manifest["machine"]["blas"] and manifest["machine"]["cpu_count"] >= 1
    assert len(manifest["code_sha256"]) == 64

    assert (out / "metrics.png").read_bytes()[:8] == PNG
    assert [p.name for p in in_tmp.iterdir()] == ["first"]  # no results/ and no leftover .partial- folder


def test_run_without_out_writes_new_stamped_folders(in_tmp, capsys):
    run_ok(capsys, "--steps", "3", "--quiet")
    run_ok(capsys, "--steps", "3", "--quiet")
    folders = sorted((in_tmp / "results" / "run").iterdir())
    assert len(folders) == 2
    assert folders[0].name != folders[1].name
    assert folders[0].name[:8].isdigit() and folders[0].name[8] == "T"  # 20261124T205301Z
    for folder in folders:
        assert (folder / "manifest.json").is_file() and (folder / "timeseries.csv").is_file()
    assert sorted(p.name for p in in_tmp.iterdir()) == ["results"]


def test_run_into_an_existing_empty_folder(in_tmp, capsys):
    (in_tmp / "empty").mkdir()
    run_ok(capsys, "--steps", "3", "--out", "empty", "--quiet")
    assert (in_tmp / "empty" / "manifest.json").is_file()
    assert sorted(p.name for p in in_tmp.iterdir()) == ["empty"]


def test_quiet_prints_nothing(in_tmp, capsys):
    assert run_ok(capsys, "--steps", "2", "--out", "q", "--quiet") == ""


# ---- run: parameters, reproduction and config files -------------------------------------------------


def test_set_changes_the_result(in_tmp, capsys, default_run):
    run_ok(
        capsys, "--steps", str(STEPS), "--seed", "5", "--out", "nocap", "--quiet", "--set", "policy.JPN.capacity=false"
    )
    assert read_manifest(in_tmp / "nocap")["changed"] == {"policy.JPN.capacity": False}
    header, rows = read_table(in_tmp / "nocap")
    default_header, default_rows = read_table(default_run)
    assert header == default_header and len(rows) == len(default_rows)
    assert rows != default_rows


def test_same_seed_same_timeseries(in_tmp, capsys, default_run):
    run_ok(capsys, "--steps", str(STEPS), "--seed", "5", "--out", "again", "--quiet")
    assert (in_tmp / "again" / "timeseries.csv").read_bytes() == (default_run / "timeseries.csv").read_bytes()


def test_from_reruns_a_recorded_run_identically(in_tmp, capsys):
    shock = 'shocks=[{step = 6, kind = "withdraw", state = "USA"}]'
    run_ok(capsys, "--steps", str(STEPS), "--seed", "9", "--set", "member.sovereignty=2", "--set", shock, "--out", "a")
    run_ok(capsys, "--from", "a", "--out", "b", "--quiet")
    first, again = read_manifest(in_tmp / "a"), read_manifest(in_tmp / "b")
    assert first["changed"] == {"member.sovereignty": 2.0, "shocks": [SHOCK]}
    assert (again["seed"], again["steps"], again["params"]) == (first["seed"], first["steps"], first["params"])
    assert (in_tmp / "b" / "timeseries.csv").read_bytes() == (in_tmp / "a" / "timeseries.csv").read_bytes()
    assert (in_tmp / "b" / "summary.json").read_text() == (in_tmp / "a" / "summary.json").read_text()


CONFIG = """\
seed = 7
steps = 12

[params]
"member.sovereignty" = 1.5
shocks = [{ step = 6, kind = "withdraw", state = "USA" }]

[params.policy.JPN]
quad = false
asean_coordination = 0.2
"""
CONFIG_CHANGED = {
    "member.sovereignty": 1.5,
    "shocks": [SHOCK],
    "policy.JPN.quad": False,
    "policy.JPN.asean_coordination": 0.2,
}


def test_config_file_sets_seed_steps_and_nested_params(in_tmp, capsys):
    (in_tmp / "run.toml").write_text(CONFIG)
    run_ok(capsys, "--config", "run.toml", "--out", "cfg", "--quiet")
    manifest = read_manifest(in_tmp / "cfg")
    assert manifest["seed"] == 7 and manifest["steps"] == 12
    assert manifest["changed"] == CONFIG_CHANGED
    assert len(read_table(in_tmp / "cfg")[1]) == 12

    # the same run spelled with --set gives the same numbers
    sets = ["--set", "member.sovereignty=1.5", "--set", "policy.JPN.quad=false"]
    sets += ["--set", "policy.JPN.asean_coordination=0.2", "--set", 'shocks=[{step=6, kind="withdraw", state="USA"}]']
    run_ok(capsys, "--seed", "7", "--steps", "12", *sets, "--out", "sets", "--quiet")
    assert (in_tmp / "sets" / "timeseries.csv").read_bytes() == (in_tmp / "cfg" / "timeseries.csv").read_bytes()


def test_command_line_beats_config_file(in_tmp, capsys):
    (in_tmp / "run.toml").write_text(CONFIG)
    run_ok(
        capsys,
        "--config",
        "run.toml",
        "--steps",
        "3",
        "--seed",
        "8",
        "--set",
        "policy.JPN.quad=true",
        "--out",
        "o",
        "--quiet",
    )
    manifest = read_manifest(in_tmp / "o")
    assert manifest["seed"] == 8 and manifest["steps"] == 3
    assert manifest["changed"] == {k: v for k, v in CONFIG_CHANGED.items() if k != "policy.JPN.quad"}
    assert len(read_table(in_tmp / "o")[1]) == 3


def test_manifest_command_records_the_arguments_given_to_main(in_tmp, capsys):
    run_ok(capsys, "--steps", "2", "--seed", "3", "--out", "c", "--quiet")
    assert "--seed 3" in read_manifest(in_tmp / "c")["command"]


def test_run_closes_its_figure(in_tmp, capsys):
    plt.close("all")
    run_ok(capsys, "--steps", "2", "--out", "f", "--quiet")
    assert plt.get_fignums() == []


# ---- run: bad input ---------------------------------------------------------------------------------

NON_EMPTY = {"full/keep.txt": "keep me\n"}

# id, arguments, files to create first, text the one error line must contain
BAD = [
    (
        "unknown-parameter",
        ["--set", "policy.JPN.quadd=true"],
        {},
        "unknown parameter 'policy.JPN.quadd' (did you mean 'policy.JPN.quad'?)",
    ),
    ("mistyped-bool", ["--set", "policy.JPN.quad=yes"], {}, "'policy.JPN.quad' must be true or false, got 'yes'"),
    ("mistyped-number", ["--set", "member.sovereignty=high"], {}, "must be a number in [0, 10], got 'high'"),
    ("int-given-fraction", ["--set", "metrics.warmup=2.5"], {}, "must be a whole number in [0, 10000], got 2.5"),
    ("bad-choice", ["--set", "policy.JPN.mode=random"], {}, "must be one of 'fixed', 'adaptive'"),
    ("out-of-range", ["--set", "member.sovereignty=11"], {}, "'member.sovereignty' must be in [0, 10], got 11"),
    ("nan", ["--set", "member.sovereignty=nan"], {}, "must be a finite number"),
    (
        "bad-shock",
        ["--set", 'shocks=[{step = 0, kind = "withdraw", state = "USA"}]'],
        {},
        "shocks[0].step must be a whole number of months >= 1, got 0",
    ),
    ("shock-state", ["--set", 'shocks=[{step=3, kind="withdraw", state="CHN"}]'], {}, "shocks[0].state"),
    (
        "combination",
        [
            "--set",
            "metrics.weight.security=0",
            "--set",
            "metrics.weight.coercion=0",
            "--set",
            "metrics.weight.cohesion=0",
        ],
        {},
        "metrics.weight is zero for every component",
    ),
    ("set-without-equals", ["--set", "policy.JPN.quad"], {}, "--set expects NAME=VALUE, got 'policy.JPN.quad'"),
    ("set-without-name", ["--set", "=true"], {}, "--set expects NAME=VALUE"),
    ("missing-config", ["--config", "missing.toml"], {}, "config file not found: missing.toml"),
    ("config-is-folder", ["--config", "full"], NON_EMPTY, "config file is a directory: full"),
    ("malformed-toml", ["--config", "bad.toml"], {"bad.toml": "seed = \nsteps = 3\n"}, "bad.toml is not valid TOML"),
    (
        "unknown-config-key",
        ["--config", "c.toml"],
        {"c.toml": "seed = 1\nsed = 2\n"},
        "config file c.toml: unknown key 'sed'; expected seed, steps, params",
    ),
    (
        "parameter-at-config-top",
        ["--config", "c.toml"],
        {"c.toml": '"member.sovereignty" = 2.0\n'},
        "unknown key 'member.sovereignty'; expected seed, steps, params (parameters go in a [params] table)",
    ),
    (
        "unknown-parameter-in-config",
        ["--config", "c.toml"],
        {"c.toml": "[params.policy.JPN]\nquadd = true\n"},
        "unknown parameter 'policy.JPN.quadd' (did you mean 'policy.JPN.quad'?)",
    ),
    ("config-params-not-table", ["--config", "c.toml"], {"c.toml": "params = 3\n"}, "'params' must be a table"),
    ("config-bad-steps", ["--config", "c.toml"], {"c.toml": "steps = -3\n"}, "'steps' must be a non-negative whole"),
    ("config-steps-zero", ["--config", "c.toml"], {"c.toml": "steps = 0\n"}, "at least 1, got 0"),
    ("config-bad-seed", ["--config", "c.toml"], {"c.toml": "seed = 1.5\n"}, "'seed' must be a non-negative whole"),
    ("steps-zero", ["--steps", "0"], {}, "--steps must be at least 1, got 0"),
    ("steps-huge", ["--steps", "1000000000"], {}, "--steps 1,000,000,000 is past the limit of 10,000,000"),
    ("steps-not-int", ["--steps", "ten"], {}, "argument --steps: invalid int value: 'ten'"),
    ("seed-negative", ["--seed", "-1"], {}, "--seed must be a non-negative whole number, got -1"),
    ("unknown-argument", ["--bogus"], {}, "unrecognized arguments: --bogus"),
    ("out-non-empty", ["--out", "full"], NON_EMPTY, "output folder full already exists and is not empty"),
    ("out-is-a-file", ["--out", "afile"], {"afile": "data\n"}, "output folder afile already exists and is not empty"),
    ("from-without-manifest", ["--from", "full"], NON_EMPTY, "no manifest.json in full"),
    ("from-missing-folder", ["--from", "nowhere"], {}, "no manifest.json in nowhere"),
    ("from-broken-json", ["--from", "old"], {"old/manifest.json": "{"}, "old/manifest.json is not a run manifest"),
    ("from-not-a-manifest", ["--from", "old"], {"old/manifest.json": "{}"}, "old/manifest.json is not a run manifest"),
    (
        "from-bad-parameter",
        ["--from", "old"],
        {"old/manifest.json": json.dumps({"params": {"policy.JPN.quadd": True}, "seed": 1, "steps": 2})},
        "unknown parameter 'policy.JPN.quadd'",
    ),
]


BAD_MORE = [  # cases found in review, each once a bug
    pytest.param(
        ["--from", "afile"],
        {"afile": "x\n"},
        "afile",
        id="from-a-file",
    ),
    pytest.param(
        ["--from", "old"],
        {"old/manifest.json": b"\xff\xfe{}"},
        "manifest",
        id="from-manifest-not-utf8",
    ),
    pytest.param(
        ["--from", "old"],
        {"old/manifest.json": json.dumps({"params": {}, "seed": "x", "steps": 2})},
        "seed",
        id="from-manifest-seed-string",
    ),
    pytest.param(
        ["--from", "old"],
        {"old/manifest.json": json.dumps({"params": {}, "seed": 1, "steps": 2.5})},
        "steps",
        id="from-manifest-steps-float",
    ),
    pytest.param(
        ["--from", "old"],
        {"old/manifest.json": json.dumps({"params": [], "seed": 1, "steps": 2})},
        "params",
        id="from-manifest-params-list",
    ),
    pytest.param(
        ["--set", "member.sovereignty=1" + "0" * 400],
        {},
        "member.sovereignty",
        id="huge-integer",
    ),
    pytest.param(
        ["--out", "afile/sub"],
        {"afile": "x\n"},
        "afile",
        id="out-below-a-file",
    ),
    pytest.param(
        ["--set", "policy.JPN.quadd\nx=true"],
        {},
        "unknown parameter",
        id="newline-in-name",
    ),
    pytest.param(
        ["--config", "c.toml"],
        {"c.toml": '"se\\ned" = 1\n'},
        "unknown key",
        id="newline-in-config-key",
    ),
]


def write_files(root, files):
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)


@pytest.mark.parametrize(
    ("args", "files", "message"),
    [pytest.param(*case[1:], id=case[0]) for case in BAD] + BAD_MORE,
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(in_tmp, capsys, args, files, message):
    write_files(in_tmp, files)
    before = snapshot(in_tmp)
    argv = ["run", *args]
    if "--out" not in args:
        argv += ["--out", "out"]
    if not {"--steps", "--config", "--from"} & set(args):  # keep runs short where steps are not under test
        argv += ["--steps", str(STEPS)]
    status = main(argv)
    out, err = capsys.readouterr()
    assert status == 2, err
    assert err.startswith("error: ")
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert message in err
    assert "Traceback" not in err
    assert out == ""
    assert snapshot(in_tmp) == before  # nothing written: no out/, no results/, existing files untouched


@pytest.mark.parametrize(
    ("argv", "message"),
    [([], "required: command"), (["walk"], "invalid choice: 'walk'"), (["params", "--bogus"], "unrecognized")],
    ids=["no-command", "unknown-command", "params-unknown-argument"],
)
def test_bad_command_exits_2_with_one_line(in_tmp, capsys, argv, message):
    status = main(argv)
    out, err = capsys.readouterr()
    assert status == 2
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err
    assert out == ""
    assert list(in_tmp.iterdir()) == []


def test_python_m_sim_bad_parameter_exits_2_with_one_line(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "sim", "run", "--set", "policy.JPN.quadd=true"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr == "error: unknown parameter 'policy.JPN.quadd' (did you mean 'policy.JPN.quad'?)\n"
    assert done.stdout == ""
    assert list(tmp_path.iterdir()) == []


# ---- params -----------------------------------------------------------------------------------------


def test_params_markdown_has_one_row_per_parameter(in_tmp, capsys):
    assert main(["params", "--markdown"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    lines = out.splitlines()
    assert lines[0] == "| name | default | unit | allowed | source | meaning |"
    assert lines[1] == "|---|---|---|---|---|---|"
    rows = lines[2:]
    assert len(rows) == len(SPECS)
    names = [row.split("|")[1].strip().strip("`") for row in rows]
    assert names == list(SPECS)
    for row in rows:
        assert row.startswith("| `") and row.endswith(" |")
        assert row.count("|") == 7, row  # six cells; any '|' inside a cell is replaced
    row = rows[names.index("member.sovereignty")]
    assert [c.strip() for c in row.split("|")[2:5]] == ["1.2", "utility", "[0, 10]"]
    assert list(in_tmp.iterdir()) == []


def test_params_plain_lists_every_parameter_and_grep_filters(capsys):
    assert main(["params"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list(SPECS)
    assert main(["params", "--grep", "POLICY.jpn.quad"]) == 0
    assert [line.split()[0] for line in capsys.readouterr().out.splitlines()] == ["policy.JPN.quad"]


def test_params_grep_without_a_match_is_bad_input(capsys):
    assert main(["params", "--grep", "nomatch"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip().splitlines() == [
        "error: no parameter name contains 'nomatch'; run 'python -m sim params' for the list"
    ]


def test_params_into_a_closed_pipe_exits_quietly():
    """`python -m sim params | head -1`: the reader has gone; no traceback, exit 0."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first write, so every write meets EPIPE
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "sim", "params"], stdout=write_end, stderr=subprocess.PIPE, timeout=60
        )
    finally:
        os.close(write_end)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stderr == b""


def test_runs_started_in_the_same_second_each_keep_their_results(in_tmp, monkeypatch, capsys):
    monkeypatch.setattr("sim.runs.provenance.utc_stamp", lambda moment=None: "20260101T000000Z")
    assert main(["run", "--steps", "3", "--quiet"]) == 0
    assert main(["run", "--steps", "3", "--seed", "2", "--quiet"]) == 0
    folders = sorted((in_tmp / "results" / "run").iterdir())
    assert [f.name for f in folders] == ["20260101T000000Z", "20260101T000000Z-2"]
    seeds = [json.loads((f / "manifest.json").read_text())["seed"] for f in folders]
    assert sorted(seeds) != [seeds[0]] * 2 and all((f / "timeseries.csv").exists() for f in folders)


def test_a_failed_run_leaves_no_empty_folder(in_tmp, monkeypatch, capsys):
    def boom(*args, **kwargs):
        raise RuntimeError("model broke")

    monkeypatch.setattr("sim.model.region.RegionModel", boom)
    assert main(["run", "--steps", "3", "--quiet"]) == 1
    assert list(in_tmp.iterdir()) == []  # not even results/run
