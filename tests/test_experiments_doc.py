"""Every example in docs/experiments.md is a valid experiment file, and the page names every key."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from sim.runs.experiment import DESIGN_KINDS, TOP_KEYS, parse_experiment

DOC = Path(__file__).resolve().parents[1] / "docs" / "experiments.md"
EXAMPLES = re.findall(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_the_page_has_an_example_of_every_design_kind():
    kinds = {tomllib.loads(text)["design"]["kind"] for text in EXAMPLES}
    assert kinds == set(DESIGN_KINDS)


@pytest.mark.parametrize("text", EXAMPLES, ids=[tomllib.loads(t)["name"] for t in EXAMPLES])
def test_every_example_parses_into_an_experiment(text, tmp_path, monkeypatch):
    design = tomllib.loads(text)["design"]
    if design["kind"] == "posterior":  # a posterior table like the one `python -m sim calibrate` writes
        monkeypatch.chdir(tmp_path)
        pd.DataFrame({"crime.attempt_rate": [0.2, 0.3], "weight": [0.5, 0.5], "distance": [1.0, 2.0]}).to_parquet(
            design["posterior"]
        )
    exp = parse_experiment(tomllib.loads(text), source=text, where="docs/experiments.md")
    assert exp.n_runs == len(exp.points) * exp.replications >= 2


def test_every_top_level_key_is_documented():
    page = DOC.read_text(encoding="utf-8")
    missing = [key for key in TOP_KEYS if f"`{key}`" not in page and f"`[{key}]`" not in page]
    assert not missing, f"docs/experiments.md does not document: {missing}"


def test_a_bundle_that_omits_a_parameter_takes_the_base_value_at_that_point():
    text = next(t for t in EXAMPLES if 'name = "picked"' in t)
    exp = parse_experiment(tomllib.loads(text), source=text)
    assert [t.overrides["policy.JPN.mode"] for t in exp.tasks()] == ["adaptive"] * exp.n_runs
