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
from sim.model.agents.members import Member, Offer
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
    chance of about 1% a month. The tutorial's runs are longer: a 480-month spin-up from a January and 120
    months make 50 Januaries (USD 1,912.5 m); the 27th comes 168 months (14 years) before the outlook, in the
    spin-up (January 2011 on the model's calendar), leaving 288 months; once one offer is accepted the run is
    too short to save USD 1 bn again. Japan, next, plans USD 20.1 m a year, USD 1,005 m in 50 Januaries: from
    its 50th, the outlook's last (January 2034), it can pay that price too, offering at most USD 5.0 m a
    month (about 0.5% a month); Australia and India never can."""
    says(
        "upper bound of USD 1 bn", "USD 38.25 m a year (45% of its USD 85 m)", "From its 27th January on (USD 1,033 m)"
    )
    says("runs longer than 26 years", "the run's months more than 312", "USD 9.6 m a month", "about 1% a month")
    says("`run.spinup`, 480 months (40 years) from a January, so a run of 120 months counts 50 Januaries")
    says("plans USD 1,912.5 m for exercises", "Its 27th January comes 168 months before the outlook, in the spin-up")
    says("in each of the last 288 months of a run (the spin-up's last 168 and the outlook's 120)")
    says("so a run holds at most one such exercise of the United States")
    says("Japan, next, plans USD 20.1 m a year: USD 1,005 m in 50 Januaries, so from its 50th January, the outlook's")
    says("last (January 2034), it may offer one too (at most USD 5.0 m a month, a chance of about 0.5% a month)")
    says("Australia and India never save that much")
    says("these runs last 50 years (40 of spin-up, 10 of outlook): from 14 years before the outlook")
    says(
        "and from the outlook's last January so may Japan", "it could pay that price from January 2011, in the spin-up"
    )
    cost = SPECS["instrument.bilateral.cost"].hi
    assert cost == 1e9
    plans = bilateral_plans()
    ranked = sorted(plans, key=plans.get, reverse=True)
    assert ranked[:2] == ["USA", "JPN"] and plans["USA"] == pytest.approx(38.25e6)
    assert SPECS["policy.USA.budget"].default == 85e6 and SPECS["policy.USA.allocation.bilateral"].default == 0.45
    experiment = load_experiment(ROOT / EXPERIMENT)
    spinup = SPECS["run.spinup"].default
    assert spinup == 480 and SPECS["run.start"].default == "2025-01"  # the spin-up starts in a January
    assert spinup // 12 == 40 and (spinup + experiment.steps) // 12 == 50  # 40 years of spin-up, 50 in all
    januaries = -(-(spinup + experiment.steps) // 12)
    assert januaries == 50 and januaries * plans["USA"] / 1e6 == pytest.approx(1912.5)
    first = next(k for k in range(1, 1000) if k * plans["USA"] >= cost)  # the January its savings pass 1e9
    assert first == 27 and round(first * plans["USA"] / 1e6) == 1033 and (first - 1) * 12 == 312
    before = spinup - (first - 1) * 12  # months from that January to the outlook's first
    assert before == 168 == 14 * 12  # in the spin-up, 14 years before the outlook
    assert 2025 - before // 12 == 2011  # January 2011 on the model's calendar
    assert before + experiment.steps == 288
    assert januaries * plans["USA"] - cost < cost  # after one accepted offer it cannot save 1e9 again
    assert round(plans["JPN"] / 1e6, 1) == 20.1 and round(januaries * plans["JPN"] / 1e6) == 1005
    japan = next(k for k in range(1, 1000) if k * plans["JPN"] >= cost)
    assert japan == januaries  # only its last January: the outlook's tenth
    assert 2025 - spinup // 12 + (japan - 1) == 2034
    japan_pace = SPECS["partner.max_pace"].default * plans["JPN"] / 12
    assert round(japan_pace / 1e6, 1) == 5.0 and 0.004 < japan_pace / cost < 0.006  # about 0.5% a month
    assert all(januaries * plans[iso3] < cost for iso3 in ("AUS", "IND"))
    pace = SPECS["partner.max_pace"].default * plans["USA"] / 12
    assert round(pace / 1e6, 1) == 9.6 and 0.005 < pace / cost < 0.015  # the chance of an offer a month


def test_the_switch_holds_up_to_26_years_and_not_beyond():
    """Section 6: within 312 months (spin-up included) no bilateral offer is made under the switch, and every
    partner's bilateral money is all still in its purse; in a longer run the United States' savings pass
    USD 1 bn and it can offer an exercise at that price (this seed does, and an exercise is held)."""
    switch = {"instrument.bilateral.cost": 1e9}
    within = RegionModel(rng=1, **switch, **{"run.spinup": 312 - 120}).run(120)
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
    """Section 3: most offers of every kind are accepted, and no kind is declined much more often than
    another (as a share of the offers of that kind): bilateral offers, the most visible, are not the most
    declined, 37 of 262, about one in seven, as are quad offers (23 of 154) and forum offers (62 of 416);
    capacity offers, the fewest, a little less often, 8 of 60, one in seven and a half. The Philippines,
    coerced far more than anyone else, gets about half of the bilateral offers (129 of 262) and accepts all
    but five of them (124). The ledger's first rows: deliveries, then in row 8 ASEAN's allocation of a
    routed offer of Japan's, then in rows 9 to 11 Japan's first offer, a bilateral one that Brunei chooses
    to take through ASEAN and declines."""
    says("Most offers of every kind are accepted, and in this run no kind is declined much more often than")
    says("Bilateral offers, the most visible, are not the most declined: 37 of 262, about one in seven,")
    says("as are quad offers (23 of 154) and forum offers (62 of 416)")
    says("capacity offers, the fewest, are declined a little less often, 8 of 60, about one in seven and a half")
    says("The Philippines, which China coerces far more than anyone else, gets about half of the bilateral offers")
    says("(129 of 262) and accepts all but five of them (124)")
    says("in row 8, ASEAN's mechanism choosing who receives an offer Japan routed to it")
    says("in rows 9 to 11, Japan's first offer of the month, a bilateral one, in the same three steps (Brunei")
    says("chooses to take it through ASEAN, then declines it)")
    actions = pd.read_csv(ran.work / "results" / "tutorial-default" / "actions.csv", keep_default_na=False)
    first = actions.loc[:11]
    assert (first.loc[:7, "status"] == "delivered").all()
    assert first.loc[8, ["actor", "kind", "channel"]].tolist() == ["ASEAN", "allocate", "routed"]
    routed = actions.loc[9:16]
    routed = routed[(routed["actor"] == "JPN") & (routed["kind"] == "offer") & (routed["channel"] == "routed")]
    assert first.loc[8, ["target", "layer"]].tolist() in routed[["target", "layer"]].values.tolist()  # Japan's
    assert first.loc[9:11, "kind"].tolist() == ["offer", "choose_channel", "decline"]
    assert first.loc[9, ["actor", "target", "layer"]].tolist() == ["JPN", "BRN", "bilateral"]
    assert (first.loc[10:11, "actor"] == "BRN").all() and (first.loc[10:11, "channel"] == "routed").all()
    answers = actions[actions["kind"].isin(["accept", "decline"])]
    declined = (answers["kind"] == "decline").groupby(answers["layer"]).agg(["sum", "count", "mean"])
    assert set(declined.index) == set(LAYERS)
    assert (declined["mean"] < 0.5).all()  # most offers of every kind are accepted
    assert declined["mean"].idxmax() != "bilateral"
    assert declined.loc["bilateral", ["sum", "count"]].tolist() == [37, 262]
    assert declined.loc["quad", ["sum", "count"]].tolist() == [23, 154]
    assert declined.loc["forums", ["sum", "count"]].tolist() == [62, 416]
    assert declined.loc["capacity", ["sum", "count"]].tolist() == [8, 60]
    for layer in ("bilateral", "quad", "forums"):  # about one in seven
        assert round(1 / declined.loc[layer, "mean"]) == 7, layer
    assert 1 / declined.loc["capacity", "mean"] == 7.5  # one in seven and a half
    assert declined["count"].idxmin() == "capacity" and declined["mean"].idxmin() == "capacity"  # fewest, least
    assert declined["mean"].max() - declined["mean"].min() < 0.05  # "no kind ... much more often"
    bilateral = answers[answers["layer"] == "bilateral"]
    phl = bilateral[bilateral["actor"] == "PHL"]
    assert 0.45 <= len(phl) / len(bilateral) <= 0.55  # about half
    assert (len(phl), int((phl["kind"] == "accept").sum())) == (129, 124)  # all but five
    coerced = actions[actions["kind"] == "coercion"].groupby("target").size().sort_values()
    assert coerced.index[-1] == "PHL" and coerced.iloc[-1] > 5 * coerced.iloc[-2]  # far more than anyone else


@pytest.mark.slow
def test_the_switch_lets_through_one_exercise_in_18_of_its_20_runs(ran, monkeypatch):
    """Section 6 and the experiment's description: in the sweep's 20 runs of the switch the United States'
    exercise at USD 1 bn is accepted during the spin-up in 16, and held there, before the outlook, in 15.
    In the outlook the ledgers show 5 offers at that price in 4 runs, 4 accepted, two of them (both Japan's)
    too late for their exercise to be held before the run ends, and 3 exercises in 3 runs, one of them in
    the outlook's first month from an offer accepted in the spin-up. So 18 of the 20 runs hold one such
    exercise (none holds two), 15 of them in the spin-up; a run at the default holds about 220 in its
    outlook (each of the 20 default runs between 200 and 240). The single run of the switch makes no such
    offer in its spin-up; its one offer is the United States' in August 2031, accepted."""
    says("the United States' exercise at USD 1 bn is accepted during the spin-up in 16 of the 20 runs of")
    says("the switch, and held there, years before the outlook, in 15 of them. In the outlook, the ledgers show")
    says("5 offers at that price in 4 runs, and 4 of them accepted, two (both Japan's) too late for their")
    says("exercise to be held before the run ends: 3 exercises in 20 runs (one, in the outlook's first month,")
    says("from an offer accepted in the spin-up), where a run at the default holds about 220")
    says("in this sweep 18 of the 20 runs of the second point hold one such exercise, 15 of them in the spin-up,")
    says("(one exercise in 18 of its 20 runs, 15 of them in the spin-up)")
    says("(one in 18 of its 20 runs, 15 of them held in the spin-up, years before the outlook; 3 in its 20")
    says("outlooks, against about 220 in every default run's)")
    says("the United States' at USD 1 bn in August 2031", "but in this run made no such offer before")
    spinup = SPECS["run.spinup"].default
    lead, delay = SPECS["instrument.bilateral.lead"].default, SPECS["routing.delay"].default
    # every bilateral offer's answer, spin-up included (the spin-up keeps no ledger): its month, the partner, the
    # month its exercise is due (its lead, plus the routing delay, as RegionModel.offers has it), accepted or not
    answered: list[tuple[int, str, int, bool]] = []
    consider = Member.consider

    def recorded(member: Member, offer: Offer) -> bool:
        accepted = consider(member, offer)
        if offer.layer == "bilateral":
            due = member.model.t + max(1, lead + (delay if offer.channel == "routed" else 0))
            answered.append((member.model.t, offer.partner, due, accepted))
        return accepted

    monkeypatch.setattr(Member, "consider", recorded)
    switch = {"instrument.bilateral.cost": 1e9}
    # the single run of section 6: no offer at USD 1 bn in its spin-up, one in the outlook (August 2031)
    seed = json.loads((ran.work / "results" / "tutorial-no-exercises" / "manifest.json").read_text())["seed"]
    RegionModel(rng=seed, **switch).run(120)
    assert [(t - spinup, p, a) for t, p, _, a in answered] == [(12 * 6 + 7, "USA", True)]  # 2031-08
    runs = load_results(ran.work / SWEEP).runs.sort_values("replicate")
    rows: dict[int, list[dict[str, int]]] = {0: [], 1: []}
    for _, run in runs.iterrows():
        answered.clear()
        model = RegionModel(rng=int(run["seed"]), **(switch if run["point_id"] else {}))
        model.run(120)
        assert model.summary()["stability_index_mean"] == run["stability_index_mean"]  # the sweep's own run
        ledger, last = model.ledger, model.t
        accepted = [(t, p, due) for t, p, due, a in answered if a]
        in_outlook = [(t, p, due) for t, p, due in accepted if spinup <= due <= last]
        assert ledger.count(kind="exercise") == len(in_outlook)  # what the ledger shows is what was due
        assert ledger.count(kind="offer", layer="bilateral") == sum(t >= spinup for t, *_ in answered)
        rows[int(run["point_id"])].append(
            {
                "spinup_accepted": sum(t < spinup for t, _, _ in accepted),
                "spinup_held": sum(due < spinup for _, _, due in accepted),
                "usa_in_spinup": all(p == "USA" for t, p, _ in accepted if t < spinup),
                "offers": ledger.count(kind="offer", layer="bilateral"),
                "accepted": ledger.count(kind="accept", layer="bilateral"),
                "late": sum(due > last for _, _, due in accepted),
                "japan_late": sum(due > last and p == "JPN" for _, p, due in accepted),
                "exercises": ledger.count(kind="exercise"),
                "first_month": ledger.count(kind="exercise", date=SPECS["run.start"].default),
                "from_spinup": sum(t < spinup <= due <= last for t, _, due in accepted),
            }
        )
    switched = pd.DataFrame(rows[1])
    assert len(switched) == 20 and switched["usa_in_spinup"].all()
    assert (switched["spinup_accepted"] > 0).sum() == 16 and switched["spinup_accepted"].max() == 1
    assert switched["spinup_held"].sum() == 15 and (switched["spinup_held"] > 0).sum() == 15
    assert switched["offers"].sum() == 5 and (switched["offers"] > 0).sum() == 4
    assert switched["accepted"].sum() == 4 and switched["late"].sum() == 2 == switched["japan_late"].sum()
    assert switched["exercises"].sum() == 3 and switched["exercises"].max() == 1
    assert switched["from_spinup"].sum() == 1 == switched[switched["from_spinup"] > 0]["first_month"].sum()
    held = switched["spinup_held"] + switched["exercises"]  # exercises at USD 1 bn held in the whole run
    assert held.max() == 1 and (held == 1).sum() == 18
    default = pd.DataFrame(rows[0])
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
    """Section 6: no exercises is about 0.023 below the default in stability, with an interval clear of zero
    (about -0.036 to -0.009). Coercion at the Philippines' features about 0.65 higher, nearly two fifths of
    the default's mean (1.69), clear of zero (about 0.46 to 0.85); over all features about 0.53 (0.37 to
    0.70) and escalations about 0.19 (0.11 to 0.28), about three tenths of the default's 0.61, both clear of
    zero; about a fifth of the Philippines' gain is offset at the others' features, where the differences
    (Vietnam's, Malaysia's, Indonesia's) are within noise, each at most about 0.05 fewer. The coercion part
    of the index takes away about 0.022 (-0.030 to -0.014), nearly all of the whole. China's ship-days about
    4.7 higher, of 164, clear of zero (2.5 to 6.9): about 3 to 5 more at each of the Philippines' three
    features and about 2 to 3 fewer at each of Vietnam's, Malaysia's and Indonesia's, all clear of zero.
    Robberies within noise, about 0.09 more (-0.49 to 0.68); the robbery part about -0.002, within noise
    (-0.017 to 0.013). Cohesion about 0.004 higher, within noise (-0.001 to 0.008); its part (weight 0.3)
    about 0.001, within noise, the only part whose mean rises; hedging about 0.001 higher, within noise
    (-0.002 to 0.004). Forum power about 0.06 lower, clear of zero (-0.080 to -0.049); ASEAN's agreement 1
    (to seven decimals) in every run of both points, no statement blocked. The coercion part weighs about
    twenty times as much as the cohesion part."""
    says('"no exercises" is about 0.023 below the default, with an interval clear of zero (from about -0.036 to')
    says("-0.009): on the stability index, these 20 pairs of runs tell the two apart, and without exercises the")
    says("index is lower")
    says("higher by about 0.65 incidents a month, nearly two fifths of the default's mean (1.69)")
    says("with an interval clear of zero (about 0.46 to 0.85)")
    says("Over all features (`coercion_mean`) coercion is higher by about 0.53 (about 0.37 to 0.70)")
    says("by about 0.19 a month, about three tenths of the default's 0.61 (about 0.11 to 0.28), both clear of zero")
    says("about a fifth of what the Philippines' features gain is offset at the others'")
    says("(at Vietnam's, Malaysia's and Indonesia's the differences, each at most about 0.05 a month fewer, are")
    says("within noise)", "This is nearly all of the difference in the index")
    says("takes away about 0.022, with an interval clear of zero (about -0.030 to -0.014)")
    says("are higher by about 4.7 a month, of the default's 164, with an interval clear of zero (about 2.5 to 6.9)")
    says("in these runs the second weighs more: it sends more ships, and sends them to the Philippines")
    says("about 3 to 5 ship-days a month more at each of the Philippines' three features, and about 2 to 3 fewer")
    says("at each of Vietnam's, Malaysia's and Indonesia's, all with intervals clear of zero")
    says("about 0.09 a month more, with an interval from about -0.49 to 0.68")
    says("The robbery part of the index takes away about 0.002, but within noise (about -0.017 to 0.013)")
    says("is higher by about 0.004, but within noise (about -0.001 to 0.008)", "weight 0.3")
    says("these 20 pairs of runs cannot tell the rise from none")
    says("about 0.001 (0.3 times 0.004), within noise too: the only part of the index whose mean rises")
    says("is higher by about 0.001, also within noise (about -0.002 to 0.004)")
    says("is lower by about 0.06, with an interval clear of zero (about -0.080 to -0.049)")
    says("it is 1, to seven decimals, in every run of both points, since no statement is blocked")
    says("ASEAN's cohesion rises a little, but these runs cannot tell its rise from none")
    says("the coercion part weighs about twenty times as much as the cohesion part")
    row = differences(ran)

    def quoted(metric: str, digits: int, mean: float, low: float, high: float) -> None:
        got = row.loc[metric, ["mean_diff", "ci_low", "ci_high"]].round(digits).tolist()
        assert got == [mean, low, high], f"{metric}: {got}"

    def within_noise(metric: str) -> None:
        assert row.loc[metric, "ci_low"] < 0 < row.loc[metric, "ci_high"], f"{metric} is no longer within noise"

    quoted("stability_index_mean", 3, -0.023, -0.036, -0.009)
    quoted("coercion_PHL_mean", 2, 0.65, 0.46, 0.85)
    quoted("coercion_mean", 2, 0.53, 0.37, 0.70)
    quoted("escalations_mean", 2, 0.19, 0.11, 0.28)
    quoted("ccg_shipdays_mean", 1, 4.7, 2.5, 6.9)
    quoted("incidents_mean", 2, 0.09, -0.49, 0.68)
    quoted("asean_cohesion_mean", 3, 0.004, -0.001, 0.008)
    quoted("forum_power_mean", 3, -0.064, -0.080, -0.049)
    assert round(row.loc["forum_power_mean", "mean_diff"], 2) == -0.06
    quoted("hedging_mean", 3, 0.001, -0.002, 0.004)
    for metric in ("incidents_mean", "asean_cohesion_mean", "hedging_mean"):
        within_noise(metric)
    stats = pd.read_csv(ran.work / SWEEP / "analysis" / "point_stats.csv").set_index(["label", "metric"])
    default_phl = stats.loc[("default", "coercion_PHL_mean"), "mean"]
    assert round(default_phl, 2) == 1.69
    assert 0.36 <= row.loc["coercion_PHL_mean", "mean_diff"] / default_phl < 0.4  # "nearly two fifths"
    default_escalations = stats.loc[("default", "escalations_mean"), "mean"]
    assert round(default_escalations, 2) == 0.61
    assert 0.27 <= row.loc["escalations_mean", "mean_diff"] / default_escalations <= 0.33  # "about three tenths"
    assert round(stats.loc[("default", "ccg_shipdays_mean"), "mean"]) == 164
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
    assert [round(parts["coercion"][k], 3) for k in ("mean", "ci_low", "ci_high")] == [-0.022, -0.030, -0.014]
    assert 0.9 <= parts["coercion"]["mean"] / stability < 1  # "nearly all"
    assert [round(parts["security"][k], 3) for k in ("mean", "ci_low", "ci_high")] == [-0.002, -0.017, 0.013]
    assert round(parts["cohesion"]["mean"], 3) == 0.001 and parts["cohesion"]["ci_low"] < 0  # within noise
    assert [k for k, part in parts.items() if part["mean"] > 0] == ["cohesion"]  # the only part whose mean rises
    assert 18 <= -parts["coercion"]["mean"] / parts["cohesion"]["mean"] <= 22  # "about twenty times"
    # where the coercion and the ships go
    moved = {c: t_interval(pairs[f"coercion_{c}"]) for c in ("VNM", "MYS", "IDN")}
    for country in ("VNM", "MYS", "IDN"):  # within noise, each at most about 0.05 a month fewer
        assert moved[country]["ci_low"] < 0 < moved[country]["ci_high"], country
        assert -0.055 < moved[country]["mean"] < 0, country
    phl = row.loc["coercion_PHL_mean", "mean_diff"]
    offset = (phl - row.loc["coercion_mean", "mean_diff"]) / phl
    assert 0.15 <= offset <= 0.25  # "about a fifth of what the Philippines' features gain is offset"
    for feature in ("SCARBOROUGH", "SECOND_THOMAS", "THITU"):  # the Philippines' three features
        ships = t_interval(pairs[f"shipdays_{feature}"])
        assert 2.5 <= ships["mean"] <= 5.5 and ships["ci_low"] > 0, feature
    for feature in ("VANGUARD", "LUCONIA", "NATUNA"):  # Vietnam's, Malaysia's and Indonesia's
        ships = t_interval(pairs[f"shipdays_{feature}"])
        assert -3.5 <= ships["mean"] <= -1.5 and ships["ci_high"] < 0, feature


def test_the_reading_of_the_time_series_holds(ran):
    """Section 6: no exercises is below the default in most months (108 of 120, 90%), yet the bands overlap
    in all but 3 months (83, 85 and 86, where the "no exercises" band lies wholly below)."""
    says('the "no exercises" mean runs below the default in most months (108 of 120, 90%), yet the two bands')
    says('overlap in all but 3 months (months 83, 85 and 86, where the "no exercises" band lies wholly below)')
    series = pd.read_csv(ran.work / SWEEP / "analysis" / "series_stability_index.csv")
    wide = series.pivot(index="step", columns="label", values=["mean", "ci_low", "ci_high"])
    assert len(wide) == 120
    below = int((wide["mean"]["no exercises"] < wide["mean"]["default"]).sum())
    assert below == 108 and round(100 * below / 120) == 90
    overlap = (wide["ci_low"]["no exercises"] <= wide["ci_high"]["default"]) & (
        wide["ci_low"]["default"] <= wide["ci_high"]["no exercises"]
    )
    apart = wide.index[~overlap]
    assert list(apart) == [83, 85, 86]
    assert (wide["ci_high"]["no exercises"][apart] < wide["ci_low"]["default"][apart]).all()  # wholly below


def test_the_switch_stands_in_for_the_edit(ran):
    """Section 6: on the same seeds, the edit and the switch move the same way and their intervals overlap in
    stability, cohesion and coercion at the Philippines' features (about -0.015 and -0.023, 0.005 and 0.004,
    0.57 and 0.65); three of the six intervals are clear of zero (both in coercion, the switch's in the
    index); the edit's in the index just crosses it (about -0.030 to 0.000), both in cohesion cross it;
    each difference lies within the other's interval; the largest gap, about 0.08 in coercion at the
    Philippines' features, lies within both, and the gaps in the other two are larger in proportion (the
    switch's fall in the index about 1.5 times the edit's, its rise in cohesion about 0.7 times); under the
    edit members decline about 5.2 more offers a month, under the switch about 0.4 fewer."""
    says("stability about -0.015 and -0.023, cohesion about 0.005 and 0.004")
    says("coercion at the Philippines' features about 0.57 and 0.65. Three of the six intervals are clear of")
    says("zero: both in coercion at the Philippines' features, and the switch's in the index; the edit's in the")
    says("index just crosses it (about -0.030 to 0.000), and both in cohesion cross it")
    says("Each difference lies within the other's interval")
    says("The largest gap, about 0.08 in coercion at the Philippines' features, lies within both intervals")
    says("the switch's fall in the index is about 1.5 times the edit's, its rise in cohesion about 0.7 times")
    says("both say that without exercises coercion at the Philippines' features rises")
    says("On the index the switch says more than the edit: its fall is clear of zero, the edit's only just not")
    says("on cohesion neither can be told from no change")
    says("about 5.2 more offers a month", "about 0.4 fewer")
    table = pd.read_csv(ran.work / "results" / "tutorial-edit-vs-switch.csv").set_index(["metric", "minus default"])
    quoted = {
        "stability_index_mean": (3, -0.015, -0.023),
        "asean_cohesion_mean": (3, 0.005, 0.004),
        "coercion_PHL_mean": (2, 0.57, 0.65),
    }
    gaps = {}
    for metric, (digits, edit_mean, switch_mean) in quoted.items():
        edit, switch = table.loc[(metric, "edit")], table.loc[(metric, "switch")]
        assert round(edit["mean"], digits) == edit_mean and round(switch["mean"], digits) == switch_mean, metric
        for one, other in ((edit, switch), (switch, edit)):
            assert one["ci_low"] <= other["mean"] <= one["ci_high"], f"{metric}: a mean outside the other's interval"
        assert (edit["mean"] > 0) == (switch["mean"] > 0), metric  # the same way
        gaps[metric] = abs(edit["mean"] - switch["mean"])
    clear = {
        (metric, name): table.loc[(metric, name), "ci_low"] > 0 or table.loc[(metric, name), "ci_high"] < 0
        for metric in quoted
        for name in ("edit", "switch")
    }
    assert [key for key, is_clear in clear.items() if is_clear] == [
        ("stability_index_mean", "switch"),
        ("coercion_PHL_mean", "edit"),
        ("coercion_PHL_mean", "switch"),
    ]
    index = table.loc[("stability_index_mean", "edit")]
    assert [round(index["ci_low"], 3), round(index["ci_high"], 3)] == [-0.030, 0.000] and index["ci_high"] > 0
    assert max(gaps, key=gaps.get) == "coercion_PHL_mean" and round(gaps["coercion_PHL_mean"], 2) == 0.08
    ratio = {m: table.loc[(m, "switch"), "mean"] / table.loc[(m, "edit"), "mean"] for m in quoted}
    assert round(ratio["stability_index_mean"], 1) == 1.5 and round(ratio["asean_cohesion_mean"], 1) == 0.7
    proportion = {m: gaps[m] / abs(table.loc[(m, "edit"), "mean"]) for m in quoted}  # each gap, of the edit's
    assert proportion["coercion_PHL_mean"] < min(proportion["stability_index_mean"], proportion["asean_cohesion_mean"])
    declines = table.loc["offers_declined_mean"]
    assert round(declines.loc["edit", "mean"], 1) == 5.2 and declines.loc["edit", "ci_low"] > 0
    assert round(declines.loc["switch", "mean"], 1) == -0.4 and declines.loc["switch", "ci_high"] < 0
    # the switch's rows are the sweep's own paired differences
    diffs = differences(ran)
    for metric in quoted:
        assert table.loc[(metric, "switch"), "mean"] == pytest.approx(diffs.loc[metric, "mean_diff"])
