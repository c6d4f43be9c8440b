"""docs/ODD.md must not drift from the code: parameters, schedule, metrics, decisions and knockouts.

If one of these tests fails after a change to the model, update docs/ODD.md (for the parameter table:
paste the output of ``python -m sim params --markdown`` into section 9).
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from sim import cli
from sim.model import metrics
from sim.model.agents.asean import Asean
from sim.model.agents.china import China
from sim.model.agents.members import Member
from sim.model.agents.partners import Partner
from sim.model.params import SPECS
from sim.model.region import SCHEDULE

ODD = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"


@pytest.fixture(scope="module")
def odd() -> str:
    return ODD.read_text(encoding="utf-8")


def section(text: str, number: int) -> str:
    """The body of the level-2 heading ``## <number> ...``, up to the next level-2 heading."""
    match = re.search(rf"^## {number} .*?$(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
    assert match, f"docs/ODD.md has no section '## {number} ...'"
    return match.group(1)


def backticked(text: str) -> set[str]:
    return set(re.findall(r"`([^`\n]+)`", text))


# ---- (a) parameters -----------------------------------------------------------------------------


@pytest.fixture
def params_markdown(capsys) -> list[str]:
    """The lines printed by ``python -m sim params --markdown`` (sim.cli.main, output captured)."""
    capsys.readouterr()
    assert cli.main(["params", "--markdown"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(SPECS) + 2  # header, separator, one row per parameter
    return lines


def test_every_parameter_row_is_in_the_odd_verbatim(odd, params_markdown):
    lines = set(odd.splitlines())
    missing = [row for row in params_markdown if row not in lines]
    assert not missing, "rows of `sim params --markdown` missing from docs/ODD.md:\n" + "\n".join(missing)


def test_every_parameter_has_a_row_with_its_default(odd, params_markdown):
    rows = {}
    for line in section(odd, 9).splitlines():
        if line.startswith("| `"):
            rows[line.split(" | ")[0].removeprefix("| `").removesuffix("`")] = line
    for name in SPECS:
        assert name in rows, f"parameter {name} has no row in section 9 of docs/ODD.md"
        generated = next(r for r in params_markdown if r.startswith(f"| `{name}` |"))
        documented_default, default = rows[name].split(" | ")[1], generated.split(" | ")[1]
        assert documented_default == default, f"{name}: docs/ODD.md says default {documented_default}, code {default}"
        assert rows[name] == generated, f"row of {name} differs from `sim params --markdown`"


def test_no_stale_parameter_rows(odd, params_markdown):
    documented = {line for line in section(odd, 9).splitlines() if line.startswith("| `")}
    stale = documented - set(params_markdown)
    assert not stale, "section 9 of docs/ODD.md has rows that `sim params --markdown` does not print:\n" + "\n".join(
        sorted(stale)
    )


# ---- (b) schedule -------------------------------------------------------------------------------


def phase_names() -> list[str]:
    return [phase.__name__ for phase in SCHEDULE]


def test_schedule_code_block_lists_steps_in_order(odd):
    listed = re.findall(r"^\s*RegionModel\.(\w+),\s*$", section(odd, 3), flags=re.M)
    assert listed == phase_names()


def test_schedule_table_lists_steps_in_order(odd):
    rows = re.findall(r"^\|\s*\d+\s*\|\s*`(\w+)`", section(odd, 3), flags=re.M)
    assert rows == phase_names()


# ---- (c) metrics --------------------------------------------------------------------------------


def test_every_metric_is_in_the_observation_section(odd):
    names = backticked(section(odd, 8))
    missing = [name for name in metrics.METRICS if name not in names]
    assert not missing, f"metrics missing from section 8 of docs/ODD.md: {missing}"


def test_every_metric_has_a_definition_row(odd):
    rows = re.findall(r"^\|\s*`(\w+)`\s*\|", section(odd, 8), flags=re.M)
    assert set(rows) >= set(metrics.METRICS)
    unknown = set(rows) - set(metrics.METRICS)
    assert not unknown, f"section 8 defines metrics the code does not have: {sorted(unknown)}"


def test_summary_and_shock_metrics_are_named(odd):
    names = backticked(section(odd, 8))
    for name in (*metrics.SUMMARY_METRICS, *metrics.SHOCK_METRICS):
        assert name in names


# ---- every decision is a documented submodel ----------------------------------------------------


def decisions() -> list[str]:
    """Every public method defined on an agent class: the agents' decisions and their state helpers."""
    out = []
    for cls in (Partner, Member, China, Asean):
        for name, fn in vars(cls).items():
            if inspect.isfunction(fn) and not name.startswith("_"):
                out.append(f"{cls.__name__}.{name}")
    return out


def test_every_decision_is_in_the_submodels_section(odd):
    assert len(decisions()) >= 15
    text = section(odd, 7)
    missing = [name for name in decisions() if f"`{name}`" not in text]
    assert not missing, f"decisions not described in section 7 of docs/ODD.md: {missing}"


def test_every_schedule_step_is_in_the_submodels_section(odd):
    text = section(odd, 7)
    missing = [name for name in phase_names() if f"`{name}`" not in text]
    assert not missing, f"schedule steps not described in section 7 of docs/ODD.md: {missing}"


def test_every_knockout_is_reported(odd):
    text = section(odd, 1)
    knockouts = [name for name in SPECS if name.startswith("knockout.")]
    assert knockouts
    missing = [name for name in knockouts if f"`{name}`" not in text]
    assert not missing, f"knockouts without their results in section 1 of docs/ODD.md: {missing}"
