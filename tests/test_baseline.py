"""A fixed-seed run's summaries must match the stored baseline (update: `make baseline`)."""

import json

import pytest

from tests import baseline


def test_summaries_match_stored_baseline():
    stored = json.loads(baseline.PATH.read_text())
    assert stored["seed"] == baseline.SEED and stored["steps"] == baseline.STEPS
    current = baseline.compute()
    assert set(current) == set(stored["summaries"])
    for scenario, summary in current.items():
        expected = stored["summaries"][scenario]
        assert set(summary) == set(expected), scenario
        for key, value in summary.items():
            if value is None or expected[key] is None:
                assert value == expected[key], f"{scenario}: {key}"
            else:
                assert value == pytest.approx(expected[key], rel=1e-9, abs=1e-12), (
                    f"{scenario}: {key} is {value}, baseline {expected[key]}; "
                    "if this change is intended, run `make baseline` and commit tests/baseline.json"
                )


def test_baseline_scenarios_differ_from_each_other():
    """The stored scenarios must not all be the same run (the baseline would then check little)."""
    stored = json.loads(baseline.PATH.read_text())["summaries"]
    values = {name: round(s["stability_index_mean"], 12) for name, s in stored.items()}
    assert len(set(values.values())) == len(values)
