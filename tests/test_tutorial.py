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
    an accepted bilateral offer is delivered three months later. Section 6: one routed through ASEAN, nine
    months later (the lead time plus routing.delay)."""
    visibility = {layer: SPECS[f"instrument.{layer}.visibility"].default for layer in LAYERS}
    assert visibility["bilateral"] == 0.9 == max(visibility.values())
    assert visibility["forums"] == 0.1 == min(visibility.values())
    assert SPECS["instrument.bilateral.lead"].default == 3
    assert SPECS["instrument.bilateral.lead"].default + SPECS["routing.delay"].default == 9
    says("the exercise it brought nine months later (`instrument.bilateral.lead` plus `routing.delay`)")


def bilateral_plans() -> dict[str, float]:
    """Each partner's yearly plan for the bilateral layer at the defaults, USD (budget x its share)."""
    plans = {}
    for iso3 in PARTNERS:
        weights = {layer: SPECS[f"policy.{iso3}.allocation.{layer}"].default for layer in LAYERS}
        plans[iso3] = SPECS[f"policy.{iso3}.budget"].default * weights["bilateral"] / sum(weights.values())
    return plans


def test_when_the_united_states_can_pay_the_switchs_price():
    """Section 6: 1e9 is the upper bound of instrument.bilateral.cost. Unspent money carries over, so what
    matters is what a partner saves: the United States plans the most, USD 38.25 m a year, and from its
    27th January on (USD 1,033 m) its savings pass USD 1 bn, i.e. in runs of more than 312 months (26 years)
    with the spin-up. At most partner.max_pace times the planned pace is offered: USD 9.6 m a month, a
    chance of about 1% a month. The tutorial's runs are longer: a 300-month spin-up from a January and 120
    months make 35 Januaries (USD 1,339 m); the 27th is the outlook's second (January 2026), leaving 108
    months; once one offer is accepted the run is too short to save USD 1 bn again; Japan, next, plans
    USD 20.1 m a year, USD 704 m in 35 Januaries."""
    says(
        "upper bound of USD 1 bn", "USD 38.25 m a year (45% of its USD 85 m)", "From its 27th January on (USD 1,033 m)"
    )
    says("runs longer than 26 years", "the run's months more than 312", "USD 9.6 m a month", "about 1% a month")
    says("`run.spinup`, 300 months (25 years) from a January, so a run of 120 months counts 35 Januaries")
    says("plans USD 1,339 m for exercises", "Its 27th January is the second of the outlook (January 2026)")
    says("in each of the last 108 months of a run", "a run holds at most one such exercise")
    says("Japan, next, plans USD 20.1 m a year: USD 704 m in 35 Januaries")
    says("these runs last 35 years (25 of spin-up, 10 of outlook)", "from the outlook's second January")
    cost = SPECS["instrument.bilateral.cost"].hi
    assert cost == 1e9
    plans = bilateral_plans()
    ranked = sorted(plans, key=plans.get, reverse=True)
    assert ranked[:2] == ["USA", "JPN"] and plans["USA"] == pytest.approx(38.25e6)
    assert SPECS["policy.USA.budget"].default == 85e6 and SPECS["policy.USA.allocation.bilateral"].default == 0.45
    experiment = load_experiment(ROOT / EXPERIMENT)
    spinup = SPECS["run.spinup"].default
    assert spinup == 300 and SPECS["run.start"].default == "2025-01"  # the spin-up starts in a January
    januaries = -(-(spinup + experiment.steps) // 12)
    assert januaries == 35 and round(januaries * plans["USA"] / 1e6) == 1339
    first = next(k for k in range(1, 1000) if k * plans["USA"] >= cost)  # the January its savings pass 1e9
    assert first == 27 and round(first * plans["USA"] / 1e6) == 1033 and (first - 1) * 12 == 312
    assert (first - 1) * 12 - spinup == 12  # the outlook's 13th month: January 2026, its second January
    assert experiment.steps - ((first - 1) * 12 - spinup) == 108
    assert januaries * plans["USA"] - cost < cost  # after one accepted offer it cannot save 1e9 again
    assert round(plans["JPN"] / 1e6, 1) == 20.1 and round(januaries * plans["JPN"] / 1e6) == 704
    assert januaries * plans["JPN"] < cost
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
def test_the_reading_of_the_answers_holds(ran):
    """Section 3: most offers of every kind are accepted; bilateral offers are declined a little more often
    than any other kind (as a share of the offers of that kind): 37 of 263, about one in seven, quad offers
    19 of 148, about one in eight. The Philippines, coerced far more than anyone else, gets about half of
    the bilateral offers and accepts nine in ten of them."""
    says("Most offers of every kind are accepted")
    says("Bilateral offers, the most visible, are declined a little more often than any other kind: 37 of 263,")
    says("about one in seven (quad offers 19 of 148, about one in eight)")
    says("The Philippines, which China coerces far more than anyone else, gets about half of the bilateral offers")
    says("and accepts nine in ten of them")
    actions = pd.read_csv(ran.work / "results" / "tutorial-default" / "actions.csv", keep_default_na=False)
    answers = actions[actions["kind"].isin(["accept", "decline"])]
    declined = (answers["kind"] == "decline").groupby(answers["layer"]).agg(["sum", "count", "mean"])
    assert set(declined.index) == set(LAYERS)
    assert (declined["mean"] < 0.5).all()  # most offers of every kind are accepted
    assert declined["mean"].idxmax() == "bilateral"
    assert declined.loc["bilateral", ["sum", "count"]].tolist() == [37, 263]
    assert declined.loc["quad", ["sum", "count"]].tolist() == [19, 148]
    assert round(1 / declined.loc["bilateral", "mean"]) == 7 and round(1 / declined.loc["quad", "mean"]) == 8
    assert declined["mean"].sort_values().index[-2] == "quad"  # "a little more often" than the next
    bilateral = answers[answers["layer"] == "bilateral"]
    phl = bilateral[bilateral["actor"] == "PHL"]
    assert 0.45 <= len(phl) / len(bilateral) <= 0.55  # about half
    assert round((phl["kind"] == "accept").mean(), 1) == 0.9
    coerced = actions[actions["kind"] == "coercion"].groupby("target").size().sort_values()
    assert coerced.index[-1] == "PHL" and coerced.iloc[-1] > 5 * coerced.iloc[-2]  # far more than anyone else


@pytest.mark.slow
def test_the_switch_lets_through_one_exercise_in_11_of_its_20_runs(ran):
    """Section 6 and the experiment's description: in the sweep's 20 runs of the switch the United States
    makes an offer at USD 1 bn in 12, 11 are accepted, and 11 exercises are held (at most one a run); a run
    at the default holds about 220 (each of the 20 default runs between 200 and 240)."""
    says("the United States makes such an offer in 12 of the 20 runs of the switch, and 11")
    says("are accepted: 11 exercises in 20 runs, where a run at the default holds about 220")
    says("in this sweep 11 of the 20 runs of the second point hold one such exercise, where a run at")
    says("(one exercise in 11 of its 20 runs)", "(11 in its 20 runs, against about 220 in every default run)")
    runs = load_results(ran.work / SWEEP).runs.sort_values("replicate")
    counts: dict[int, list[tuple[int, int, int]]] = {0: [], 1: []}
    for _, run in runs.iterrows():
        model = RegionModel(rng=int(run["seed"]), **({"instrument.bilateral.cost": 1e9} if run["point_id"] else {}))
        model.run(120)
        assert model.summary()["stability_index_mean"] == run["stability_index_mean"]  # the sweep's own run
        ledger = model.ledger
        counts[int(run["point_id"])].append(
            (
                ledger.count(kind="offer", layer="bilateral"),
                ledger.count(kind="accept", layer="bilateral"),
                ledger.count(kind="exercise"),
            )
        )
    switch = pd.DataFrame(counts[1], columns=["offers", "accepted", "exercises"])
    assert len(switch) == 20 and (switch["offers"] > 0).sum() == 12
    assert switch["accepted"].sum() == 11 and switch["exercises"].sum() == 11
    assert switch["exercises"].max() == 1 and (switch["exercises"] > 0).sum() == 11
    default = pd.DataFrame(counts[0], columns=["offers", "accepted", "exercises"])
    assert len(default) == 20 and default["exercises"].between(200, 240).all()
    assert round(default["exercises"].mean(), -1) == 220


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


def test_the_reading_of_the_comparison_holds(ran):
    """Section 6: no exercises is about 0.024 below the default in stability, with an interval clear of zero
    (about -0.039 to -0.008). Coercion at the Philippines' features about 0.46 higher, about a quarter of the
    default's mean (1.75), clear of zero (about 0.28 to 0.64); over all features about 0.42 (0.22 to 0.63)
    and escalations about 0.18 (0.10 to 0.26), about a third of the default's 0.58, both clear of zero; about
    0.07 less at Vietnam's features, Malaysia's and Indonesia's within noise. The coercion part of the index
    takes away about 0.020 (-0.029 to -0.010), some four fifths of the whole. China's ship-days about 5.7
    higher, of 163, clear of zero (3.2 to 8.2): about 3 to 4 more at each of the Philippines' three
    features, fewer at Vietnam's and Indonesia's, Malaysia's within noise. Robberies within noise, about
    0.30 more (-0.44 to 1.04); the robbery part about -0.006, within noise (-0.025 to 0.013). Cohesion about
    0.007 higher, clear of zero (0.003 to 0.011), which (weight 0.3) gives back about 0.002, the only part
    that rises; hedging about 0.003 higher, just clear of zero (0.0005 to 0.006). Forum power about 0.06
    lower, clear of zero (-0.082 to -0.043); ASEAN's agreement 1 (to seven decimals) in every run of both
    points, no statement blocked. The coercion part weighs about nine times as much as the cohesion part."""
    says('"no exercises" is about 0.024 below the default, with an interval clear of zero (from about -0.039 to')
    says("-0.008): on the stability index, these 20 pairs of runs tell the two apart, and without exercises the")
    says("index is lower")
    says("higher by about 0.46 incidents a month, about a quarter of the default's mean (1.75)")
    says("with an interval clear of zero (about 0.28 to 0.64)")
    says("Over all features (`coercion_mean`) coercion is higher by about 0.42 (about 0.22 to 0.63)")
    says("by about 0.18 a month, about a third of the default's 0.58 (about 0.10 to 0.26), both clear of zero")
    says("(about 0.07 a month less at Vietnam's; at Malaysia's and Indonesia's the difference is within noise)")
    says("takes away about 0.020, with an interval clear of zero (about -0.029 to -0.010), some four fifths")
    says("are higher by about 5.7 a month, of the default's 163, with an interval clear of zero (about 3.2 to 8.2)")
    says("in these runs the second weighs more: it sends more ships, and sends them to the Philippines")
    says("about 3 to 4 ship-days a month more at each of the Philippines' three features, and fewer at Vietnam's")
    says("and Indonesia's (at Malaysia's the difference is within noise)")
    says("about 0.30 a month more, with an interval from about -0.44 to 1.04")
    says("The robbery part of the index takes away about 0.006, but within noise (about -0.025 to 0.013)")
    says("is higher by about 0.007, with an interval clear of zero (about 0.003 to 0.011)", "weight 0.3")
    says("so it gives back about 0.002 (0.3 times 0.007): the only part of the index that rises")
    says("is higher by about 0.003, with an interval just clear of zero (about 0.0005 to 0.006)")
    says("is lower by about 0.06, with an interval clear of zero (about -0.082 to -0.043)")
    says("it is 1, to seven decimals, in every run of both points, since no statement is blocked")
    says("the second weighs about nine times as much as the first")
    row = differences(ran)

    def quoted(metric: str, digits: int, mean: float, low: float, high: float) -> None:
        got = row.loc[metric, ["mean_diff", "ci_low", "ci_high"]].round(digits).tolist()
        assert got == [mean, low, high], f"{metric}: {got}"

    quoted("stability_index_mean", 3, -0.024, -0.039, -0.008)
    quoted("coercion_PHL_mean", 2, 0.46, 0.28, 0.64)
    quoted("coercion_mean", 2, 0.42, 0.22, 0.63)
    quoted("escalations_mean", 2, 0.18, 0.10, 0.26)
    quoted("ccg_shipdays_mean", 1, 5.7, 3.2, 8.2)
    quoted("incidents_mean", 2, 0.30, -0.44, 1.04)
    quoted("asean_cohesion_mean", 3, 0.007, 0.003, 0.011)
    quoted("forum_power_mean", 3, -0.063, -0.082, -0.043)
    assert round(row.loc["forum_power_mean", "mean_diff"], 2) == -0.06
    hedging = row.loc["hedging_mean"]
    assert round(hedging["mean_diff"], 3) == 0.003 and round(hedging["ci_low"], 4) == 0.0005
    assert round(hedging["ci_high"], 3) == 0.006
    stats = pd.read_csv(ran.work / SWEEP / "analysis" / "point_stats.csv").set_index(["label", "metric"])
    default_phl = stats.loc[("default", "coercion_PHL_mean"), "mean"]
    assert round(default_phl, 2) == 1.75
    assert 0.22 <= row.loc["coercion_PHL_mean", "mean_diff"] / default_phl <= 0.29  # "about a quarter"
    default_escalations = stats.loc[("default", "escalations_mean"), "mean"]
    assert round(default_escalations, 2) == 0.58
    assert 0.28 <= row.loc["escalations_mean", "mean_diff"] / default_escalations <= 0.38  # "about a third"
    assert round(stats.loc[("default", "ccg_shipdays_mean"), "mean"]) == 163
    runs = load_results(ran.work / SWEEP).runs  # ASEAN always agrees: no statement is blocked
    assert len(runs) == 40 and (runs["asean_agreement_mean"].round(7) == 1.0).all()
    assert (runs["statements_blocked_mean"] == 0.0).all()
    assert round(row.loc["asean_agreement_mean", "mean_diff"], 7) == 0.0
    # the weights of the index's parts
    weights = {k: SPECS[f"metrics.weight.{k}"].default for k in ("security", "coercion", "cohesion")}
    total = sum(spec.default for name, spec in SPECS.items() if name.startswith("metrics.weight."))
    assert weights["coercion"] == weights["cohesion"] == 0.3 and total == pytest.approx(1.0)
    # the stability index, split into its three parts (means over the months, paired by replicate)
    pairs = paired_series(ran)
    parts = {k: t_interval(pairs[f"part_{k}"]) for k in ("security", "coercion", "cohesion")}
    stability = row.loc["stability_index_mean", "mean_diff"]
    assert sum(part["mean"] for part in parts.values()) == pytest.approx(stability)
    cohesion = row.loc["asean_cohesion_mean", "mean_diff"]
    assert parts["cohesion"]["mean"] == pytest.approx(weights["cohesion"] * cohesion)
    assert [round(parts["coercion"][k], 3) for k in ("mean", "ci_low", "ci_high")] == [-0.020, -0.029, -0.010]
    assert 0.75 <= parts["coercion"]["mean"] / stability <= 0.85  # "some four fifths"
    assert [round(parts["security"][k], 3) for k in ("mean", "ci_low", "ci_high")] == [-0.006, -0.025, 0.013]
    assert round(parts["cohesion"]["mean"], 3) == 0.002 and parts["cohesion"]["ci_low"] > 0
    assert [k for k, part in parts.items() if part["mean"] > 0] == ["cohesion"]  # the only part that rises
    assert 8.5 <= -parts["coercion"]["mean"] / parts["cohesion"]["mean"] <= 10  # "about nine times"
    # where the coercion and the ships go
    moved = {c: t_interval(pairs[f"coercion_{c}"]) for c in ("VNM", "MYS", "IDN")}
    assert round(moved["VNM"]["mean"], 2) == -0.07 and moved["VNM"]["ci_high"] < 0
    for country in ("MYS", "IDN"):
        assert moved[country]["ci_low"] < 0 < moved[country]["ci_high"], country
    phl = row.loc["coercion_PHL_mean", "mean_diff"]
    assert 0 < phl - row.loc["coercion_mean", "mean_diff"] < 0.25 * phl  # "little of what ... gain is lost"
    for feature in ("SCARBOROUGH", "SECOND_THOMAS", "THITU"):  # the Philippines' three features
        ships = t_interval(pairs[f"shipdays_{feature}"])
        assert 2.5 <= ships["mean"] <= 4.5 and ships["ci_low"] > 0, feature
    for feature in ("VANGUARD", "NATUNA"):  # Vietnam's and Indonesia's
        assert t_interval(pairs[f"shipdays_{feature}"])["ci_high"] < 0, feature
    luconia = t_interval(pairs["shipdays_LUCONIA"])  # Malaysia's
    assert luconia["ci_low"] < 0 < luconia["ci_high"]


def test_the_reading_of_the_time_series_holds(ran):
    """Section 6: no exercises is below the default in almost every month (113 of 120, 94%), yet the bands
    overlap in every month."""
    says('the "no exercises" mean runs below the default in almost every month (113 of 120, 94%), yet the two')
    says("bands overlap in every month")
    series = pd.read_csv(ran.work / SWEEP / "analysis" / "series_stability_index.csv")
    wide = series.pivot(index="step", columns="label", values=["mean", "ci_low", "ci_high"])
    assert len(wide) == 120
    below = int((wide["mean"]["no exercises"] < wide["mean"]["default"]).sum())
    assert below == 113 and round(100 * below / 120) == 94
    overlap = (wide["ci_low"]["no exercises"] <= wide["ci_high"]["default"]) & (
        wide["ci_low"]["default"] <= wide["ci_high"]["no exercises"]
    )
    assert overlap.all()


def test_the_switch_stands_in_for_the_edit(ran):
    """Section 6: on the same seeds, the edit and the switch move the same way and their intervals overlap in
    stability, cohesion and coercion at the Philippines' features (about -0.024 and -0.024, 0.008 and 0.007,
    0.61 and 0.46); all six intervals are clear of zero, and each difference lies within the other's
    interval; the largest gap, about 0.15 in coercion at the Philippines' features, lies within both; under
    the edit members decline about 5.1 more offers a month, under the switch about 0.4 fewer."""
    says("stability about -0.024 and -0.024, cohesion about 0.008 and 0.007")
    says("coercion at the Philippines' features about 0.61 and 0.46. All six intervals are clear of zero, and")
    says("each difference lies within the other's interval")
    says("The largest gap, about 0.15 in coercion at the Philippines' features, lies within both intervals")
    says("both say that without exercises the stability index falls")
    says("about 5.1 more offers a month", "about 0.4 fewer")
    table = pd.read_csv(ran.work / "results" / "tutorial-edit-vs-switch.csv").set_index(["metric", "minus default"])
    quoted = {
        "stability_index_mean": (3, -0.024, -0.024),
        "asean_cohesion_mean": (3, 0.008, 0.007),
        "coercion_PHL_mean": (2, 0.61, 0.46),
    }
    gaps = {}
    for metric, (digits, edit_mean, switch_mean) in quoted.items():
        edit, switch = table.loc[(metric, "edit")], table.loc[(metric, "switch")]
        assert round(edit["mean"], digits) == edit_mean and round(switch["mean"], digits) == switch_mean, metric
        for one, other in ((edit, switch), (switch, edit)):
            assert one["ci_low"] > 0 or one["ci_high"] < 0, f"an interval in {metric} is no longer clear of zero"
            assert one["ci_low"] <= other["mean"] <= one["ci_high"], f"{metric}: a mean outside the other's interval"
        assert (edit["mean"] > 0) == (switch["mean"] > 0), metric  # the same way
        gaps[metric] = abs(edit["mean"] - switch["mean"])
    assert max(gaps, key=gaps.get) == "coercion_PHL_mean" and round(gaps["coercion_PHL_mean"], 2) == 0.15
    assert table.loc[("stability_index_mean", "edit"), "ci_high"] < 0  # both say the index falls
    declines = table.loc["offers_declined_mean"]
    assert round(declines.loc["edit", "mean"], 1) == 5.1 and declines.loc["edit", "ci_low"] > 0
    assert round(declines.loc["switch", "mean"], 1) == -0.4 and declines.loc["switch", "ci_high"] < 0
    # the switch's rows are the sweep's own paired differences
    diffs = differences(ran)
    for metric in quoted:
        assert table.loc[(metric, "switch"), "mean"] == pytest.approx(diffs.loc[metric, "mean_diff"])
