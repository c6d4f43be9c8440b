"""Do coordinated patrols form without an event? The figures of docs/ODD.md (section 1.2, joint patrols).

Run from the project root: ``python tools/joint_patrols.py [seeds]`` (default 10). For seeds 0..n-1 it runs
the default outlook (240 months from the default start) and the ``history-free`` period (2007-2024, no
documented events: the agents decide everything) at the defaults, and prints, for each period, in how many
runs some sea area was patrolled jointly by all its littoral members in some month, and for each such run
the months it happened in. Nothing is written.
"""

from __future__ import annotations

import sys

from sim import RegionModel
from sim.model.history import HISTORY_MONTHS

PERIODS = {"outlook": 240, "history-free": HISTORY_MONTHS}


def joint_months(seed: int, period: str) -> list[str]:
    """The months of one run in which at least one area was patrolled jointly."""
    model = RegionModel(rng=seed, params={"run.period": period})
    months = []
    for _ in range(PERIODS[period]):
        model.step()
        if model.metrics["joint_patrol_areas"] > 0:
            months.append(model.date)
    return months


def main(seeds: int) -> None:
    for period in PERIODS:
        runs = {seed: joint_months(seed, period) for seed in range(seeds)}
        formed = {seed: months for seed, months in runs.items() if months}
        print(f"{period}: joint patrols formed in {len(formed)} of {seeds} runs")
        for seed, months in formed.items():
            print(f"  seed {seed}: {len(months)} months, first {months[0]}, last {months[-1]}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
