"""Model speed: the median cost of a default 120-month run, and its ratio to a trivial Mesa floor.

    python benchmarks/bench_model.py [--runs 30] [--steps 120]

The floor is a trivial Mesa 3.3.1 model with the same number of agents (members, partners, China,
ASEAN) and the same number of model reporters, whose agents' step does nothing. The default run
includes its spin-up (``run.spinup`` months that are simulated but not written), because that is what a
run costs, and the floor runs the same number of months (spin-up plus outlook): version 2's benchmark
ran the floor for the outlook's months only, which flattered the model by the ratio of the two (issue
19). Both are timed in CPU time of this process (``time.process_time``), alternately, so that the
machine's noise falls on both; medians are quoted. The old definition's ratio is printed beside the new
one. Target (issues 8 and 19): no more than 50 times the floor.
"""

from __future__ import annotations

import argparse
import statistics
import time

import mesa

from sim import SCHEDULE, RegionModel
from sim.model.metrics import METRICS

TARGET_RATIO = 50.0


class Idle(mesa.Agent):
    def step(self) -> None:
        """Do nothing: the floor measures Mesa's own cost per agent."""


class Trivial(mesa.Model):
    """As many agents and model reporters as RegionModel, doing nothing."""

    def __init__(self, n_agents: int, n_reporters: int, seed: int) -> None:
        super().__init__(rng=seed)
        for _ in range(n_agents):
            Idle(self)
        self.datacollector = mesa.DataCollector(
            model_reporters={f"m{k}": (lambda m: m.steps) for k in range(n_reporters)}
        )

    def step(self) -> None:
        self.agents.do("step")
        self.datacollector.collect(self)


def default_run(seed: int, steps: int) -> float:
    """CPU seconds of a default run of ``steps`` outlook months (its spin-up included)."""
    start = time.process_time()
    RegionModel(rng=seed).run(steps)
    return time.process_time() - start


def floor_run(seed: int, months: int, n_agents: int) -> float:
    """CPU seconds of the trivial model over ``months`` months."""
    start = time.process_time()
    model = Trivial(n_agents, len(METRICS), seed)
    for _ in range(months):
        model.step()
    return time.process_time() - start


def schedule_profile(seed: int, steps: int) -> dict[str, float]:
    """Seconds per schedule step over one run stepped by hand (spin-up excluded)."""
    model = RegionModel(rng=seed)
    spent = dict.fromkeys((s.__name__ for s in SCHEDULE), 0.0)
    for _ in range(steps):
        model.steps += 1  # what Mesa's step wrapper does
        for step in SCHEDULE:
            t = time.perf_counter()
            step(model)
            spent[step.__name__] += time.perf_counter() - t
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--steps", type=int, default=120)
    args = parser.parse_args()
    probe = RegionModel(rng=0)
    n_agents, spinup = len(probe.agents), probe.p["run.spinup"]
    months = args.steps + spinup  # what a default run simulates
    for seed in range(3):  # warm caches and imports
        default_run(seed, args.steps)
        floor_run(seed, months, n_agents)
    model_s, floor_s, short_s = [], [], []
    for seed in range(args.runs):  # alternate, so that the machine's noise falls on both
        model_s.append(default_run(seed, args.steps))
        floor_s.append(floor_run(seed, months, n_agents))
        short_s.append(floor_run(seed, args.steps, n_agents))
    model_ms, floor_ms = statistics.median(model_s) * 1e3, statistics.median(floor_s) * 1e3
    ratio = statistics.median(m / f for m, f in zip(model_s, floor_s, strict=True))
    old_ratio = statistics.median(m / f for m, f in zip(model_s, short_s, strict=True))
    print(f"default run: {args.steps} months + {spinup} months of spin-up = {months}; {args.runs} runs, CPU medians")
    print(f"  default run                 {model_ms:8.1f} ms")
    print(
        f"  trivial Mesa floor          {floor_ms:8.2f} ms   ({months} months, {n_agents} idle agents, "
        f"{len(METRICS)} model reporters)"
    )
    verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
    print(f"  ratio, same months (median of paired)  {ratio:6.1f} x   (target <= {TARGET_RATIO:.0f} x: {verdict})")
    print(f"  ratio, old definition (floor over the outlook's {args.steps} months only)  {old_ratio:6.1f} x")
    print(f"  per simulated month         {model_ms / months * 1e3:8.1f} us")
    profile = schedule_profile(0, args.steps)
    total = sum(profile.values())
    print("  share of time per schedule step (one run, outlook months only):")
    for name, seconds in sorted(profile.items(), key=lambda kv: -kv[1]):
        print(f"    {name:<16} {seconds / total:6.1%}")


if __name__ == "__main__":
    main()
