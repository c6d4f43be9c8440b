"""docs/tutorial.md must keep working: every command in it runs, and what it shows is what the code has.

- Every line of its ```bash blocks is run, in order, in a scratch folder that links to this repository's
  sim/, docs/, experiments/, tests/ and pyproject.toml, so results go to the scratch folder, never to
  results/ here. A leading ``.venv/bin/python`` is replaced by the Python running the tests. Each command
  must exit with status 0, and every ``results/...`` path the tutorial names must exist afterwards.
- Its ```pycon blocks are Python sessions, run after the commands in the same folder as one doctest: each
  output must be the one shown (up to spacing).
- The word after a block's language names the file it shows: ```python sim/... blocks are excerpts,
  verbatim in that file; ```python tests/test_tutorial_example.py and ```toml docs/examples/... are those
  files, exactly; ```diff sim/... is an edit that applies to that file, and the edited model does what
  the tutorial says it does.
- Its table of the agents lists every decision of each agent class, and the files, methods and
  parameters it names exist.
- Its reading of the comparison holds for the results the commands produced.

If a test here fails after a change to the model, update docs/tutorial.md: for a session, paste the
output the failure shows (and check the text around it); for the reading of the comparison, look at the
new figures and tables first.
"""

from __future__ import annotations

import inspect
import json
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from sim import load_results
from sim.cli.run import read_run_config
from sim.model.agents.asean import Asean
from sim.model.agents.china import China
from sim.model.agents.members import Member
from sim.model.agents.partners import Partner
from sim.model.params import LAYERS, PARTNERS, SPECS, make_params
from sim.model.region import RegionModel
from sim.runs.experiment import load_experiment
from sim.science.analysis import t_interval

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "docs" / "tutorial.md"
EXAMPLE = "tests/test_tutorial_example.py"
EXPERIMENT = "docs/examples/declining_members.toml"
SWEEP = "results/tutorial-declining"
LINKED = ("sim", "docs", "experiments", "tests", "pyproject.toml")
PYTHON = ".venv/bin/python"
AGENTS = {cls.__name__: cls for cls in (Partner, Member, China, Asean)}

#: readings the tutorial quotes that were measured before commit 7bf2ea1 (joint patrols' sovereignty
#: cost) and no longer hold; strict, so each fails the suite again as soon as its reading is re-measured
#: and the test passes (then remove the mark). The tutorial says so at its top.
STALE_READING = pytest.mark.xfail(strict=True, reason="reading measured before commit 7bf2ea1; to be re-measured")
#: readings that held until version 3 (issue 19: a 300-month spin-up, ASEAN's allocation, members' channel
#: choice, China's challenges) and no longer do; the tutorial is re-measured once version 3 has settled
STALE_SINCE_V3 = pytest.mark.xfail(strict=True, reason="reading measured before version 3; to be re-measured")


@dataclass(frozen=True)
class Block:
    """A fenced code block of the tutorial: its language, the file it names (or ""), its text."""

    language: str
    path: str
    text: str


def text() -> str:
    return TUTORIAL.read_text(encoding="utf-8")


def blocks(language: str | None = None) -> list[Block]:
    """The tutorial's fenced code blocks, in order (only those in ``language`` when given)."""
    found = re.findall(r"^```(\w+)(?:[ \t]+(\S+))?[ \t]*\n(.*?)^```[ \t]*$", text(), flags=re.M | re.S)
    return [Block(*b) for b in found if language is None or b[0] == language]


def commands() -> list[str]:
    """Every command of the ```bash blocks (comments and blank lines dropped, continuations joined)."""
    out = []
    for block in blocks("bash"):
        for line in block.text.replace("\\\n", " ").splitlines():
            if line.strip() and not line.strip().startswith("#"):
                out.append(line.strip())
    return out


COMMANDS = commands()


def argv(command: str) -> list[str]:
    words = shlex.split(command, comments=True)
    assert words[0] == PYTHON, f"tutorial commands must start with {PYTHON}, as the README's do: {command}"
    return [sys.executable, *words[1:]]


@dataclass
class Ran:
    """What running the tutorial gave: the scratch folder, each command's process, the sessions' doctest."""

    work: Path
    commands: dict[str, subprocess.CompletedProcess]
    sessions: subprocess.CompletedProcess


@pytest.fixture(scope="module")
def ran(tmp_path_factory) -> Ran:
    """Run every command in order in a scratch folder, then every Python session as one doctest."""
    work = tmp_path_factory.mktemp("tutorial")
    for name in LINKED:
        (work / name).symlink_to(ROOT / name)
    env = {**os.environ, "MPLBACKEND": "Agg"}
    env.pop("PYTEST_ADDOPTS", None)
    done = {}
    for command in COMMANDS:
        done[command] = subprocess.run(
            argv(command), cwd=work, env=env, capture_output=True, text=True, timeout=600, check=False
        )
    sessions = work / "tutorial_sessions.txt"
    sessions.write_text("\n".join(block.text for block in blocks("pycon")), encoding="utf-8")
    doctest = subprocess.run(
        [sys.executable, "-m", "doctest", "-o", "NORMALIZE_WHITESPACE", sessions.name],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return Ran(work, done, doctest)


# ---- the commands and sessions run --------------------------------------------------------------


def test_the_tutorial_has_the_commands_it_promises():
    assert len(COMMANDS) == len(set(COMMANDS)), "a command appears twice; the second run would find its folder"
    joined = " ".join(COMMANDS)
    for sub in (
        "sim params --grep member.",
        "sim run --out results/tutorial-default",
        "sim run --set instrument.bilateral.cost=1e9",
        "pytest -q tests/test_tutorial_example.py",
        f"sim sweep {EXPERIMENT} --out {SWEEP}",
        f"sim analyze {SWEEP}",
    ):
        assert sub in joined, f"no tutorial command contains {sub!r}"
    for command in COMMANDS:
        argv(command)  # each one starts with .venv/bin/python (no make, no shell)


@pytest.mark.slow
@pytest.mark.parametrize("command", COMMANDS)
def test_command_exits_with_status_0(ran, command):
    result = ran.commands[command]
    assert result.returncode == 0, (
        f"`{command}` exited with status {result.returncode}\nstdout:\n{result.stdout[-2000:]}\n"
        f"stderr:\n{result.stderr[-2000:]}"
    )


def test_the_params_command_lists_the_members_parameters(ran):
    listed = ran.commands[f"{PYTHON} -m sim params --grep member."].stdout
    assert "member.sovereignty" in listed and "member.retaliation" in listed
    assert "china.shipdays" not in listed


@STALE_READING
def test_the_python_sessions_give_the_output_shown(ran):
    assert len(blocks("pycon")) >= 3
    assert ran.sessions.returncode == 0, (
        "a Python session in docs/tutorial.md does not give the output shown (doctest):\n"
        f"{ran.sessions.stdout[-6000:]}\n{ran.sessions.stderr[-2000:]}"
    )


def test_every_results_path_the_tutorial_names_exists(ran):
    named = set(re.findall(r"`(results/[^`\s]+)`", text()))
    assert f"{SWEEP}/figures/differences.png" in named  # the comparison figure
    assert "results/tutorial-default/actions.csv" in named  # who did what to whom
    missing = sorted(path for path in named if not (ran.work / path).exists())
    assert not missing, f"the tutorial names results that its commands did not write: {missing}"


# ---- the code shown is the code -----------------------------------------------------------------


def test_every_code_block_names_an_existing_file():
    for block in blocks():
        if block.language in ("bash", "pycon"):
            assert not block.path, f"a ```{block.language} block names a file: {block.path}"
            continue
        assert block.path, f"a ```{block.language} block does not say which file it shows:\n{block.text[:300]}"
        assert (ROOT / block.path).is_file(), f"docs/tutorial.md shows {block.path}, which does not exist"


def test_excerpts_are_verbatim_in_the_files_they_name():
    excerpts = [b for b in blocks("python") if b.path.startswith("sim/")]
    assert {b.path for b in excerpts} >= {"sim/model/region.py", "sim/model/agents/members.py"}
    for block in excerpts:
        source = (ROOT / block.path).read_text(encoding="utf-8")
        assert block.text in source, f"this excerpt in docs/tutorial.md is not verbatim in {block.path}:\n{block.text}"


def test_the_rule_the_tutorial_reads_is_member_consider_in_full():
    (shown,) = [b.text for b in blocks("python") if "def consider(" in b.text]
    assert shown == inspect.getsource(Member.consider)


def test_the_example_test_in_the_tutorial_is_the_shipped_file():
    examples = [b for b in blocks("python") if b.path == EXAMPLE]
    assert len(examples) == 1, f"expected exactly one ```python {EXAMPLE} block in docs/tutorial.md"
    assert examples[0].text == (ROOT / EXAMPLE).read_text(encoding="utf-8")


def test_the_experiment_shown_is_the_file():
    (shown,) = blocks("toml")
    assert shown.path == EXPERIMENT
    assert shown.text == (ROOT / EXPERIMENT).read_text(encoding="utf-8")


def edit() -> tuple[str, str, str]:
    """The tutorial's ```diff block: (the file it edits, the lines it replaces, the lines it puts instead)."""
    (block,) = blocks("diff")
    lines = block.text.splitlines()
    assert lines and all(line[:1] in (" ", "+", "-") for line in lines), "every diff line starts with ' ', + or -"
    old = "".join(line[1:] + "\n" for line in lines if line[:1] in " -")
    new = "".join(line[1:] + "\n" for line in lines if line[:1] in " +")
    return block.path, old, new


def test_the_edit_applies_to_the_rule_and_does_what_the_tutorial_says(tmp_path):
    path, old, new = edit()
    source = (ROOT / path).read_text(encoding="utf-8")
    assert source.count(old) == 1, f"the edit in docs/tutorial.md no longer fits {path}: its context changed"
    shutil.copytree(ROOT / "sim", tmp_path / "sim", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / path).write_text(source.replace(old, new), encoding="utf-8")
    script = (
        "import json, sim\n"
        "from sim.model.region import RegionModel\n"
        "ledger = RegionModel(rng=1, **{'run.spinup': 0}).run(24).ledger\n"
        "print(json.dumps({'file': sim.__file__, 'offers': ledger.count(kind='offer', layer='bilateral'),\n"
        "    'accepted': ledger.count(kind='accept', layer='bilateral'), 'exercises': ledger.count(kind='exercise'),\n"
        "    'quad': ledger.count(kind='accept', layer='quad')}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    counts = json.loads(result.stdout)
    assert Path(counts["file"]).resolve().is_relative_to(tmp_path.resolve())  # the edited copy ran
    assert counts["offers"] > 0 and counts["accepted"] == 0 and counts["exercises"] == 0
    assert counts["quad"] > 0  # the other layers go on


# ---- what the tutorial names exists -------------------------------------------------------------


def test_the_table_of_agents_lists_every_decision():
    rows = [line for line in text().splitlines() if line.startswith("|") and "`sim/model/agents/" in line]
    listed = {}
    for row in rows:
        cells = row.strip("|").split("|")
        (name,) = [n for n in re.findall(r"`(\w+)`", cells[1]) if n in AGENTS]
        listed[name] = set(re.findall(r"`(\w+)`", cells[2]))
    assert set(listed) == set(AGENTS), "the table in section 1 must have one row per agent class"
    for name, cls in AGENTS.items():
        public = {n for n, fn in vars(cls).items() if inspect.isfunction(fn) and not n.startswith("_")}
        assert listed[name] == public, f"the row of {name} in docs/tutorial.md lists {listed[name]}, not {public}"


def test_files_methods_and_parameters_the_tutorial_names_exist():
    named = set(re.findall(r"`([^`\s]+)`", text()))
    files = {n for n in named if re.fullmatch(r"(sim|tests|docs|experiments)/[\w/.-]+\.\w+", n)}
    assert "sim/model/agents/members.py" in files
    assert [f for f in sorted(files) if not (ROOT / f).is_file()] == []
    classes = {**AGENTS, "RegionModel": RegionModel}
    methods = {n for n in named if re.fullmatch(r"[A-Z]\w*\.\w+", n) and n.split(".")[0] in classes}
    assert "Member.consider" in methods
    assert [m for m in sorted(methods) if not hasattr(classes[m.split(".")[0]], m.split(".")[1])] == []
    prefixes = {name.split(".")[0] for name in SPECS}
    params = {
        n
        for n in named
        if re.fullmatch(r"[a-z]+\.[\w.]+", n)
        and n.split(".")[0] in prefixes
        and not re.search(r"\.(png|svg|pdf|csv|json|toml|md|py)$", n)  # metrics.png is a file
    }
    assert "instrument.bilateral.cost" in params and "knockout.members_accept_all" in params
    assert [p for p in sorted(params) if p not in SPECS] == []


def test_the_example_files_are_valid_for_this_version():
    files = sorted((ROOT / "docs" / "examples").glob("*.toml"))
    assert files
    for path in files:
        if "[params" in path.read_text(encoding="utf-8"):  # a run config (python -m sim run --config)
            make_params(read_run_config(path)[0])
        else:  # an experiment (python -m sim sweep)
            load_experiment(path)
    experiment = load_experiment(ROOT / EXPERIMENT)
    assert (len(experiment.points), experiment.replications, experiment.steps) == (2, 20, 120)  # as the text says


def test_the_parameter_values_the_text_quotes():
    """Sections 2 and 3: a bilateral exercise (0.9) is the most visible, a forum initiative (0.1) the least;
    an accepted bilateral offer is delivered three months later."""
    visibility = {layer: SPECS[f"instrument.{layer}.visibility"].default for layer in LAYERS}
    assert visibility["bilateral"] == 0.9 == max(visibility.values())
    assert visibility["forums"] == 0.1 == min(visibility.values())
    assert SPECS["instrument.bilateral.lead"].default == 3


def bilateral_plans() -> dict[str, float]:
    """Each partner's yearly plan for the bilateral layer at the defaults, USD (budget x its share)."""
    plans = {}
    for iso3 in PARTNERS:
        weights = {layer: SPECS[f"policy.{iso3}.allocation.{layer}"].default for layer in LAYERS}
        plans[iso3] = SPECS[f"policy.{iso3}.budget"].default * weights["bilateral"] / sum(weights.values())
    return plans


@STALE_SINCE_V3
def test_no_partner_saves_the_switchs_price_in_the_tutorials_runs():
    """Section 6: 1e9 is the upper bound of instrument.bilateral.cost. Unspent money carries over, so what
    matters is what a partner saves: the United States plans the most, USD 38.25 m a year, and in 20
    Januaries (10 years of spin-up, 10 of outlook) saves USD 765 m; from its 27th January on (USD 1,033 m)
    its savings pass USD 1 bn, i.e. in runs of more than 312 months (26 years) with the spin-up. At most
    partner.max_pace times the planned pace is offered: USD 9.6 m a month, a chance of about 1% a month."""
    says("upper bound of USD 1 bn", "USD 38.25 m a year (45% of its USD 85 m)", "20 Januaries")
    says("adds up to USD 765 m", "From its 27th January on (USD 1,033 m)", "runs longer than 26 years")
    says("the run's months more than 312", "USD 9.6 m a month", "about 1% a month")
    cost = SPECS["instrument.bilateral.cost"].hi
    assert cost == 1e9
    plans = bilateral_plans()
    most = max(plans, key=plans.get)
    assert most == "USA" and plans["USA"] == pytest.approx(38.25e6)
    experiment = load_experiment(ROOT / EXPERIMENT)
    spinup = SPECS["run.spinup"].default
    assert SPECS["run.start"].default.endswith("-01") and spinup % 12 == 0  # the spin-up starts in a January
    januaries = -(-(spinup + experiment.steps) // 12)
    assert januaries == 20 and januaries * plans["USA"] == pytest.approx(765e6) and januaries * plans["USA"] < cost
    first = next(k for k in range(1, 1000) if k * plans["USA"] >= cost)  # the January its savings pass 1e9
    assert first == 27 and round(first * plans["USA"] / 1e6) == 1033 and (first - 1) * 12 == 312
    pace = SPECS["partner.max_pace"].default * plans["USA"] / 12
    assert round(pace / 1e6, 1) == 9.6 and 0.005 < pace / cost < 0.015  # the chance of an offer a month


def test_the_switch_holds_up_to_26_years_and_not_beyond():
    """Section 6: within 312 months (spin-up included) no bilateral offer is made under the switch, and every
    partner's bilateral money is all still in its purse; in a longer run the United States' savings pass
    USD 1 bn and it can offer an exercise at that price (this seed does, and an exercise is held)."""
    switch = {"instrument.bilateral.cost": 1e9}
    within = RegionModel(rng=1, **switch).run(312 - SPECS["run.spinup"].default)
    assert within.ledger.count(kind="offer", layer="bilateral") == 0
    for partner in within.partner_by.values():
        assert partner.purse["bilateral"] == pytest.approx(26 * partner.plan["bilateral"])
        assert partner.purse["bilateral"] < 1e9
    beyond = RegionModel(rng=1, **switch, **{"run.spinup": 600}).run(120)
    assert beyond.ledger.count(kind="offer", layer="bilateral") > 0
    assert beyond.ledger.count(kind="exercise") > 0


# ---- the reading of the comparison --------------------------------------------------------------


def says(*phrases: str) -> None:
    """The tutorial's text contains each phrase (spacing and line breaks aside): the numbers it quotes
    are the numbers these tests check."""
    flat = " ".join(text().split())
    for phrase in phrases:
        assert phrase in flat, f"docs/tutorial.md no longer says {phrase!r}; update the test with the text"


def differences(ran: Ran) -> pd.DataFrame:
    diffs = pd.read_csv(ran.work / SWEEP / "analysis" / "paired_differences.csv")
    return diffs[diffs["label"] == "no exercises"].set_index("metric")


@pytest.mark.slow
@STALE_SINCE_V3
def test_the_reading_of_the_answers_holds(ran):
    """Section 3: bilateral offers are declined more often than any other kind (as a share of the offers of
    that kind), and more often than they are accepted."""
    says("Bilateral offers are declined more often than any other kind, and more often than they are accepted")
    actions = pd.read_csv(ran.work / "results" / "tutorial-default" / "actions.csv", keep_default_na=False)
    answers = actions[actions["kind"].isin(["accept", "decline"])]
    declined = (answers["kind"] == "decline").groupby(answers["layer"]).mean()
    assert set(declined.index) == set(LAYERS)
    assert declined.idxmax() == "bilateral" and declined.drop("bilateral").max() < declined["bilateral"]
    assert declined["bilateral"] > 0.5


def paired_series(ran: Ran) -> pd.DataFrame:
    """Each run's mean over its months of every monthly series the sweep kept, "no exercises" minus
    "default" within each pair of runs that share a replicate (one row per pair)."""
    results = load_results(ran.work / SWEEP)
    series = results.series.merge(results.runs[["run_id", "point_id", "replicate"]], on="run_id")
    p = make_params({})
    parts = {
        "security": p["metrics.weight.security"] * (-series["incidents"] / p["metrics.incident_scale"]).map(math.exp),
        "coercion": p["metrics.weight.coercion"]
        * (-(series["coercion"] + 2.0 * series["escalations"]) / p["metrics.coercion_scale"]).map(math.exp),
        "cohesion": p["metrics.weight.cohesion"] * series["asean_cohesion"],
    }
    total = sum(p[f"metrics.weight.{k}"] for k in parts)
    for name, part in parts.items():
        series[f"part_{name}"] = part / total
    assert (series[[f"part_{k}" for k in parts]].sum(axis=1) - series["stability_index"]).abs().max() < 1e-9
    means = series.drop(columns=["run_id", "step"]).groupby(["point_id", "replicate"]).mean()
    return means.loc[1] - means.loc[0]


@STALE_READING
def test_the_reading_of_the_comparison_holds(ran):
    """Section 6: no exercises is about 0.015 above the default in stability, with an interval clear of zero
    (about 0.004 to 0.026); cohesion about 0.027 higher, clear of zero (about 0.019 to 0.036), which (weight
    0.3) raises the index by about 0.008, about half of the whole difference; the robbery part adds about as
    much again (0.008), within noise, with robberies about 0.25 lower (about -0.71 to 0.20); the coercion
    part takes a little away (0.001). Hedging about 0.017 higher, clear of zero (about 0.010 to 0.025);
    coercion at the Philippines' features about 0.070 higher, about a quarter of the default's mean (0.27),
    clear of zero (about 0.042 to 0.099); China's ship-days within noise, about 0.4 more (about -0.14 to
    0.88) of about 165, moved from the others' features to the Philippines' (about 5 to 6 more at each of
    its three); total coercion, escalations and robberies within noise, most of the coercion gained at the
    Philippines' features lost at the others', chiefly Vietnam's and Indonesia's; forum power about 0.03
    lower, clear of zero (about -0.057 to -0.010); ASEAN's agreement about 0.02 lower, within noise (about
    -0.068 to 0.026)."""
    says('"no exercises" is about 0.015 above the default, with an interval clear of zero (from about 0.004 to 0.026)')
    says("these 20 pairs of runs tell the two apart, if not by much")
    says("higher by about 0.027, with an interval clear of zero (about 0.019 to 0.036)", "weight 0.3")
    says("it alone raises the index by about 0.008 (0.3 times 0.027), about half of the whole difference")
    says("The robbery part of the index adds about as much again (about 0.008)")
    says("robberies are lower by about 0.25 a month, but within noise (about -0.71 to 0.20)")
    says("The coercion part of the index takes a little away (about 0.001).")
    says("is higher by about 0.017, with an interval clear of zero (about 0.010 to 0.025)")
    says("higher by about 0.070 incidents a month, about a quarter of the default's mean (0.27)")
    says("with an interval clear of zero (about 0.042 to 0.099)")
    says("about 0.4 a month more, with an interval from about -0.14 to 0.88, of the default's 165 a month")
    says("it does not send fewer ships, it sends them elsewhere")
    says("about 5 to 6 ship-days a month more at each of the Philippines' three features")
    says("and fewer at Vietnam's, Malaysia's and Indonesia's")
    says("most of what it gains at the Philippines' features, it loses at the others', chiefly Vietnam's and")
    says("is lower by about 0.03, with an interval clear of zero (about -0.057 to -0.010)")
    says("is lower by about 0.02, but its interval (about -0.068 to 0.026) includes zero")
    row = differences(ran)
    stability = row.loc["stability_index_mean"]
    assert 0.013 <= stability["mean_diff"] <= 0.017
    assert 0.002 <= stability["ci_low"] <= 0.006 and 0.023 <= stability["ci_high"] <= 0.029  # clear of zero
    cohesion = row.loc["asean_cohesion_mean"]
    assert 0.024 <= cohesion["mean_diff"] <= 0.030 and 0.016 <= cohesion["ci_low"] <= 0.022
    assert 0.033 <= cohesion["ci_high"] <= 0.039
    weight = SPECS["metrics.weight.cohesion"].default
    total = sum(spec.default for name, spec in SPECS.items() if name.startswith("metrics.weight."))
    assert weight == 0.3 and total == pytest.approx(1.0)
    assert round(weight * cohesion["mean_diff"], 3) == 0.008
    assert 0.45 <= weight * cohesion["mean_diff"] / stability["mean_diff"] <= 0.6  # "about half"
    robberies = row.loc["incidents_mean"]
    assert -0.3 <= robberies["mean_diff"] <= -0.2
    assert -0.76 <= robberies["ci_low"] <= -0.66 and 0.15 <= robberies["ci_high"] <= 0.25  # within noise
    # the stability index, split into its three parts (means over the months, paired by replicate)
    pairs = paired_series(ran)
    parts = {k: t_interval(pairs[f"part_{k}"]) for k in ("security", "coercion", "cohesion")}
    assert sum(part["mean"] for part in parts.values()) == pytest.approx(stability["mean_diff"])
    assert parts["cohesion"]["mean"] == pytest.approx(weight * cohesion["mean_diff"])
    assert round(parts["security"]["mean"], 3) == 0.008  # "about as much again"
    assert parts["security"]["ci_low"] < 0 < parts["security"]["ci_high"]  # "may be no more than noise"
    assert round(parts["coercion"]["mean"], 3) == -0.001  # "takes a little away"
    hedging = row.loc["hedging_mean"]
    assert 0.014 <= hedging["mean_diff"] <= 0.020
    assert 0.007 <= hedging["ci_low"] <= 0.013 and 0.022 <= hedging["ci_high"] <= 0.028  # clear of zero
    phl = row.loc["coercion_PHL_mean"]
    assert 0.06 <= phl["mean_diff"] <= 0.08 and 0.032 <= phl["ci_low"] <= 0.052 and 0.089 <= phl["ci_high"] <= 0.109
    stats = pd.read_csv(ran.work / SWEEP / "analysis" / "point_stats.csv").set_index(["label", "metric"])
    default_phl = stats.loc[("default", "coercion_PHL_mean"), "mean"]
    assert round(default_phl, 2) == 0.27
    assert 0.22 <= phl["mean_diff"] / default_phl <= 0.29  # "about a quarter"
    shipdays = row.loc["ccg_shipdays_mean"]
    assert 0.3 <= shipdays["mean_diff"] <= 0.5 and shipdays["ci_low"] < 0 < shipdays["ci_high"]  # within noise
    assert -0.19 <= shipdays["ci_low"] <= -0.09 and 0.83 <= shipdays["ci_high"] <= 0.93
    assert round(stats.loc[("default", "ccg_shipdays_mean"), "mean"]) == 165
    for feature in ("SCARBOROUGH", "SECOND_THOMAS", "THITU"):  # the Philippines' three features
        moved = t_interval(pairs[f"shipdays_{feature}"])
        assert 4.5 <= moved["mean"] <= 6.5 and moved["ci_low"] > 0, feature
    for feature in ("VANGUARD", "LUCONIA", "NATUNA"):  # Vietnam's, Malaysia's and Indonesia's
        assert t_interval(pairs[f"shipdays_{feature}"])["ci_high"] < 0, feature
    for metric in ("coercion_mean", "escalations_mean", "incidents_mean"):
        assert row.loc[metric, "ci_low"] < 0 < row.loc[metric, "ci_high"], f"{metric} is no longer within noise"
    lost = {c: t_interval(pairs[f"coercion_{c}"]) for c in ("VNM", "MYS", "IDN")}
    assert lost["VNM"]["ci_high"] < 0 and lost["IDN"]["ci_high"] < 0  # coercion falls at their features...
    assert lost["MYS"]["mean"] > max(lost["VNM"]["mean"], lost["IDN"]["mean"])  # ...less at Malaysia's
    assert 0.5 * phl["mean_diff"] < -sum(c["mean"] for c in lost.values()) < phl["mean_diff"]  # "most of" it
    agreement, forums = row.loc["asean_agreement_mean"], row.loc["forum_power_mean"]
    assert -0.03 <= agreement["mean_diff"] <= -0.015 and agreement["ci_low"] < 0 < agreement["ci_high"]
    assert -0.073 <= agreement["ci_low"] <= -0.063 and 0.021 <= agreement["ci_high"] <= 0.031
    assert -0.04 <= forums["mean_diff"] <= -0.025 and forums["ci_high"] < 0
    assert -0.062 <= forums["ci_low"] <= -0.052 and -0.015 <= forums["ci_high"] <= -0.005


@STALE_READING
def test_the_reading_of_the_time_series_holds(ran):
    """Section 6: no exercises is above the default in about three quarters of the months (76%); the bands
    overlap in every month but two (months 55 and 56, where no exercises is higher)."""
    says("above the default in about three quarters of the months (76%)")
    says('the two bands overlap in every month but two (months 55 and 56, where "no exercises" is higher)')
    series = pd.read_csv(ran.work / SWEEP / "analysis" / "series_stability_index.csv")
    wide = series.pivot(index="step", columns="label", values=["mean", "ci_low", "ci_high"])
    assert len(wide) == 120
    above = (wide["mean"]["no exercises"] > wide["mean"]["default"]).mean()
    assert round(above, 2) == 0.76
    overlap = (wide["ci_low"]["no exercises"] <= wide["ci_high"]["default"]) & (
        wide["ci_low"]["default"] <= wide["ci_high"]["no exercises"]
    )
    apart = list(wide.index[~overlap])
    assert apart == [55, 56]
    assert (wide["ci_low"]["no exercises"][apart] > wide["ci_high"]["default"][apart]).all()


@STALE_READING
def test_the_switch_stands_in_for_the_edit(ran):
    """Section 6: on the same seeds, the edit and the switch move the same way and their intervals overlap in
    stability, cohesion and coercion at the Philippines' features (about 0.002 and 0.015, 0.018 and 0.027,
    0.077 and 0.070); both intervals are clear of zero in cohesion and coercion at the Philippines' features;
    in stability the switch's is (its lower end 0.004) and the edit's is not (about -0.010 to 0.015), and
    neither difference lies in the other's interval; under the edit members decline about 3.8 more offers a
    month, under the switch about 1.7 fewer."""
    says("stability about 0.002 and 0.015, cohesion about 0.018 and 0.027")
    says("coercion at the Philippines' features about 0.077 and 0.070")
    says("On cohesion and on coercion at the Philippines' features, the intervals of both are clear of zero")
    says("the switch's interval is clear of zero (its lower end is 0.004), while the edit's crosses it")
    says("(from about -0.010 to 0.015), and neither difference lies within the other's interval")
    says("these 20 pairs of runs do not settle whether the index rises at all")
    says("about 3.8 more offers a month", "about 1.7 fewer")
    table = pd.read_csv(ran.work / "results" / "tutorial-edit-vs-switch.csv").set_index(["metric", "minus default"])
    for metric in ("stability_index_mean", "asean_cohesion_mean", "coercion_PHL_mean"):
        edit, switch = table.loc[(metric, "edit")], table.loc[(metric, "switch")]
        assert edit["ci_low"] <= switch["ci_high"] and switch["ci_low"] <= edit["ci_high"], metric  # overlap
        assert edit["mean"] > 0 and switch["mean"] > 0, metric  # the same way
        assert switch["ci_low"] > 0, f"the switch's difference in {metric} is no longer clear of zero"
    for metric in ("asean_cohesion_mean", "coercion_PHL_mean"):
        assert table.loc[(metric, "edit"), "ci_low"] > 0, (
            f"the edit's difference in {metric} is no longer clear of zero"
        )
    edit, switch = table.loc[("stability_index_mean", "edit")], table.loc[("stability_index_mean", "switch")]
    assert round(switch["ci_low"], 3) == 0.004
    assert round(edit["ci_low"], 3) == -0.010 and round(edit["ci_high"], 3) == 0.015  # crosses zero
    assert not edit["ci_low"] <= switch["mean"] <= edit["ci_high"]  # neither lies within the other's interval
    assert not switch["ci_low"] <= edit["mean"] <= switch["ci_high"]
    for metric, edit, switch in (
        ("stability_index_mean", 0.002, 0.015),
        ("asean_cohesion_mean", 0.018, 0.027),
        ("coercion_PHL_mean", 0.077, 0.070),
    ):
        assert round(table.loc[(metric, "edit"), "mean"], 3) == edit, metric
        assert round(table.loc[(metric, "switch"), "mean"], 3) == switch, metric
    declines = table.loc["offers_declined_mean"]
    assert round(declines.loc["edit", "mean"], 1) == 3.8 and declines.loc["edit", "ci_low"] > 0
    assert round(declines.loc["switch", "mean"], 1) == -1.7 and declines.loc["switch", "ci_high"] < 0
    # the switch's row is the sweep's own paired difference
    sweep = differences(ran).loc["stability_index_mean", "mean_diff"]
    assert table.loc[("stability_index_mean", "switch"), "mean"] == pytest.approx(sweep)
