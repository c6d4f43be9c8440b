"""docs/tutorial.md must keep working: every command in it runs, and what it shows is what the code has.

- Every line of its ```bash blocks is run, in order, in a scratch folder that links to this repository's
  sim/, docs/, experiments/, tests/ and pyproject.toml, so results go to the scratch folder, never to
  results/ here. A leading ``.venv/bin/python`` is replaced by the Python running the tests. Each command
  must exit with status 0, and every ``results/...`` path the tutorial names must exist afterwards.
- Its ```python blocks are the test file tests/test_tutorial_example.py (exactly) or excerpts of the code,
  copied verbatim from sim/; its ```toml block is docs/examples/targeting.toml (exactly).
- Its reading of the comparison figures holds for the results the commands produced.

If a test here fails after a change to the model, update docs/tutorial.md (and, for the reading of the
figures, look at the new figures first).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.params import SPECS

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "docs" / "tutorial.md"
EXAMPLE = ROOT / "tests" / "test_tutorial_example.py"
EXPERIMENT = ROOT / "docs" / "examples" / "targeting.toml"
LINKED = ("sim", "docs", "experiments", "tests", "pyproject.toml")
PYTHON = ".venv/bin/python"


def blocks(language: str) -> list[str]:
    """The contents of the tutorial's fenced code blocks in ``language``, in order."""
    text = TUTORIAL.read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```\s*$", text, flags=re.M | re.S)


def commands() -> list[str]:
    """Every command of the ```bash blocks (comments and blank lines dropped, continuations joined)."""
    out = []
    for block in blocks("bash"):
        for line in block.replace("\\\n", " ").splitlines():
            if line.strip() and not line.strip().startswith("#"):
                out.append(line.strip())
    return out


COMMANDS = commands()


def argv(command: str) -> list[str]:
    words = shlex.split(command, comments=True)
    assert words[0] == PYTHON, f"tutorial commands must start with {PYTHON}, as the README's do: {command}"
    return [sys.executable, *words[1:]]


@pytest.fixture(scope="module")
def ran(tmp_path_factory) -> tuple[Path, dict[str, subprocess.CompletedProcess]]:
    """Run every command in order in a scratch folder; (the folder, each command's completed process)."""
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
    return work, done


def test_the_tutorial_has_the_commands_it_promises():
    assert len(COMMANDS) == len(set(COMMANDS)), "a command appears twice; the second run would find its folder"
    text = " ".join(COMMANDS)
    for sub in ("sim params", "sim run --set capacity.targeting=need", "pytest", "sim sweep", "sim analyze"):
        assert sub in text, f"no tutorial command contains {sub!r}"
    for command in COMMANDS:
        argv(command)  # each one starts with .venv/bin/python (no make, no shell)


@pytest.mark.parametrize("command", COMMANDS)
def test_command_exits_with_status_0(ran, command):
    result = ran[1][command]
    assert result.returncode == 0, (
        f"`{command}` exited with status {result.returncode}\nstdout:\n{result.stdout[-2000:]}\n"
        f"stderr:\n{result.stderr[-2000:]}"
    )


def test_every_results_path_the_tutorial_names_exists(ran):
    work = ran[0]
    named = set(re.findall(r"`(results/[^`\s]+)`", TUTORIAL.read_text(encoding="utf-8")))
    assert "results/tutorial-targeting/figures/differences.png" in named  # the comparison figure
    missing = sorted(path for path in named if not (work / path).exists())
    assert not missing, f"the tutorial names results that its commands did not write: {missing}"


def test_the_reading_of_the_comparison_holds(ran):
    """Section 4 says: need is about 0.005 above the default in stability, interval right of zero;
    cohesion about 0.016 higher and capacity inequality lower under need, intervals far from zero;
    cohesion (weight 0.2 in the index) accounts for most of the gain."""
    diffs = pd.read_csv(ran[0] / "results/tutorial-targeting/analysis/paired_differences.csv")
    row = diffs[diffs["label"] == "targeting=need"].set_index("metric")
    stability = row.loc["stability_index_mean"]
    assert 0.003 <= stability["mean_diff"] <= 0.007
    assert 0 < stability["ci_low"] < 0.002
    cohesion = row.loc["asean_cohesion_mean"]
    assert cohesion["ci_low"] > 0.005
    assert 0.013 <= cohesion["mean_diff"] <= 0.019
    assert row.loc["capacity_gini_mean", "ci_high"] < -0.005
    weights = {k: spec.default for k, spec in SPECS.items() if k.startswith("metrics.weight.")}
    assert weights["metrics.weight.cohesion"] == 0.2 and sum(weights.values()) == pytest.approx(1.0)
    assert 0.2 * cohesion["mean_diff"] > 0.5 * stability["mean_diff"]


def test_the_example_test_in_the_tutorial_is_the_shipped_file():
    examples = [block for block in blocks("python") if "def test_" in block]
    assert len(examples) == 1, "expected exactly one ```python block with tests in docs/tutorial.md"
    assert examples[0] == EXAMPLE.read_text(encoding="utf-8")


def test_code_shown_in_the_tutorial_is_the_code():
    sources = "\n".join(path.read_text(encoding="utf-8") for path in sorted((ROOT / "sim").glob("*.py")))
    excerpts = [block for block in blocks("python") if "def test_" not in block]
    assert excerpts
    for excerpt in excerpts:
        assert excerpt in sources, f"this excerpt in docs/tutorial.md is not verbatim in sim/*.py:\n{excerpt}"


def test_the_experiment_shown_is_the_file():
    (shown,) = blocks("toml")
    assert shown == EXPERIMENT.read_text(encoding="utf-8")
