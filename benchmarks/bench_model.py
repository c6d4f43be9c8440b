"""Model speed: median time per 120-month run and per step, and the share spent collecting metrics.

    python benchmarks/bench_model.py [--runs 40] [--steps 120]

Target (issue 2): a 120-step default run in 20 ms or less. This machine is shared and noisy, so the
script reports medians over many runs, and the collection share from the same runs.
"""

from __future__ import annotations

import argparse
import statistics
import time

from sim import PHASES, RegionModel

TARGET_MS = 20.0


def timed_run(seed: int, steps: int) -> tuple[float, float, dict[str, float]]:
    """One run stepped by hand: (total seconds, seconds in metric collection, seconds per phase)."""
    start = time.perf_counter()
    model = RegionModel(rng=seed)
    collect = 0.0
    phases = dict.fromkeys((p.__name__ for p in PHASES), 0.0)
    for _ in range(steps):
        model.steps += 1  # what Mesa's step wrapper does
        for phase in PHASES:
            t = time.perf_counter()
            phase(model)
            phases[phase.__name__] += time.perf_counter() - t
        t = time.perf_counter()
        model.collect_metrics()
        collect += time.perf_counter() - t
    return time.perf_counter() - start, collect, phases


def plain_run(seed: int, steps: int) -> float:
    """One run through the public API (construction included), in seconds."""
    start = time.perf_counter()
    RegionModel(rng=seed).run(steps)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--steps", type=int, default=120)
    args = parser.parse_args()
    for seed in range(3):  # warm caches and imports
        plain_run(seed, args.steps)
    plain = [plain_run(seed, args.steps) for seed in range(args.runs)]
    timed = [timed_run(seed, args.steps) for seed in range(args.runs)]
    run_ms = statistics.median(plain) * 1e3
    share = statistics.median(c / t for t, c, _ in timed)
    print(f"default scenario, {args.steps} monthly steps, {args.runs} runs (medians)")
    print(f"  time per run              {run_ms:8.2f} ms   (target <= {TARGET_MS:.0f} ms: {run_ms / TARGET_MS:.2f}x)")
    print(f"  time per step             {run_ms / args.steps * 1e3:8.1f} us")
    print(f"  metric collection share   {share:8.1%}   (step_metrics + Mesa DataCollector.collect)")
    print("  time per phase (us/step, from the hand-stepped runs):")
    for name in timed[0][2]:
        us = statistics.median(p[name] for _, _, p in timed) / args.steps * 1e6
        print(f"    {name:28s} {us:7.1f}")


if __name__ == "__main__":
    main()
