"""Stored baseline: fixed-seed summaries of a few scenarios, compared by tests/test_baseline.py.

The baseline changes only through this explicit command, after a change you meant to make:

    make baseline        # or: python -m tests.baseline --update

Review the diff of tests/baseline.json before committing it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from sim import RegionModel

PATH = Path(__file__).with_name("baseline.json")
SEED = 12345
STEPS = 96

#: scenario name -> parameter overrides
SCENARIOS: dict[str, dict[str, Any]] = {
    "default": {},
    "japan_without_capacity_building": {"policy.JPN.capacity": False},
    "all_bypass_asean": {f"policy.{p}.asean_coordination": 0.0 for p in ("JPN", "USA", "AUS", "IND")},
    "usa_withdraws_at_48": {"shocks": [{"step": 48, "kind": "withdraw", "state": "USA"}]},
    "asean10_adaptive_partners": {
        "asean.include_timor_leste": False,
        **{f"policy.{p}.mode": "adaptive" for p in ("JPN", "USA", "AUS", "IND")},
    },
    "knockout_members_accept_all": {"knockout.members_accept_all": True},
}


def compute() -> dict[str, dict[str, Any]]:
    """Summaries of every scenario at the fixed seed."""
    return {name: RegionModel(rng=SEED, **overrides).run(STEPS).summary() for name, overrides in SCENARIOS.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite tests/baseline.json")
    args = parser.parse_args()
    if not args.update:
        parser.error("pass --update to rewrite the stored baseline")
    PATH.write_text(json.dumps({"seed": SEED, "steps": STEPS, "summaries": compute()}, indent=1, sort_keys=True) + "\n")
    print(f"wrote {PATH}")


if __name__ == "__main__":
    main()
