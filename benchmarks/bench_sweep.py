"""Sweep engine benchmark: throughput, parallel efficiency, against mesa.batch_run, and memory.

    python benchmarks/bench_sweep.py [--quick]

1. Throughput: one factorial design (8 points x 10 replicates = 80 runs of 120 months, per-step
   metrics kept) run by this engine with 1 and 2 workers, and by ``mesa.batch_run`` with 1 and 2
   processes collecting every step (``data_collection_period=1``). Each timing is the median of
   ``--repeats`` repeats; parallel efficiency = (runs/s with 2 workers) / (2 x runs/s with 1).
2. Memory: summary-only sweeps of 5,000 and 20,000 runs of 12 months through the command line;
   the peak resident memory (VmHWM) of the sweep process and of its largest worker is read from
   /proc while it runs.
Targets (issue 3): efficiency >= 0.9 at 2 workers; >= 2x batch_run's throughput; peak memory that
does not grow with the number of runs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import mesa

from sim import RegionModel
from sim.runs.experiment import parse_experiment
from sim.runs.runner import Execution, Sweep, design_table
from sim.runs.store import Store

FACTORS = {"policy.JPN.quad": [True, False], "policy.JPN.capacity": [True, False], "china.shipdays": [180.0, 360.0]}


def throughput_experiment(replications: int, steps: int):
    raw = {
        "name": "bench",
        "steps": steps,
        "replications": replications,
        "seed": 1,
        "keep_series": True,
        "design": {"kind": "factorial", "factors": FACTORS},
    }
    return parse_experiment(raw)


def engine_seconds(experiment, workers: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "out")
        store.create("", design_table(experiment), {"status": "running"})
        start = time.perf_counter()
        Sweep(experiment, store, Execution(workers=workers), quiet=True).run()
        store.consolidate()
        return time.perf_counter() - start


def batch_run_seconds(experiment, processes: int) -> float:
    seeds = experiment.replicate_seeds()
    start = time.perf_counter()
    rows = mesa.batch_run(
        RegionModel,
        parameters={"rng": seeds, **FACTORS},
        max_steps=experiment.steps - 1,  # batch_run runs one step more than max_steps
        number_processes=processes,
        data_collection_period=1,
        display_progress=False,
    )
    assert len(rows) == experiment.n_runs * experiment.steps
    return time.perf_counter() - start


def vm_hwm_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue
    return out


def memory_run(runs: int, workers: int) -> tuple[int, int, float]:
    """Peak RSS (MiB) of the sweep process and of its largest descendant, and wall seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        exp = Path(tmp) / "mem.toml"
        exp.write_text(
            f'name = "mem"\nsteps = 12\nwarmup = 0\nreplications = {runs // 2}\nseed = 3\n'
            '[design]\nkind = "factorial"\n[design.factors]\n"policy.JPN.quad" = [true, false]\n'
        )
        cmd = [sys.executable, "-m", "sim", "sweep", str(exp), "--out", str(Path(tmp) / "out"), "--quiet"]
        start = time.perf_counter()
        proc = subprocess.Popen([*cmd, "--workers", str(workers)])
        parent = worker = 0
        while proc.poll() is None:
            parent = max(parent, vm_hwm_kib(proc.pid))
            stack = children(proc.pid)
            while stack:
                pid = stack.pop()
                worker = max(worker, vm_hwm_kib(pid))
                stack += children(pid)
            time.sleep(0.2)
        assert proc.returncode == 0, proc.returncode
        return parent // 1024, worker // 1024, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller designs, one repeat (a smoke test)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    reps, repeats = (2, 1) if args.quick else (10, args.repeats)
    experiment = throughput_experiment(reps, 120)
    n = experiment.n_runs
    print(f"throughput: {n} runs x {experiment.steps} months, per-step metrics kept; median of {repeats}")
    timings = {}
    for label, fn, k in (
        ("engine, 1 worker", engine_seconds, 1),
        ("engine, 2 workers", engine_seconds, 2),
        ("batch_run, 1 process", batch_run_seconds, 1),
        ("batch_run, 2 processes", batch_run_seconds, 2),
    ):
        timings[label] = statistics.median(fn(experiment, k) for _ in range(repeats))
        print(f"  {label:24s} {timings[label]:7.2f} s   {n / timings[label]:7.1f} runs/s")
    eff = timings["engine, 1 worker"] / (2 * timings["engine, 2 workers"])
    print(f"  parallel efficiency at 2 workers: {eff:.2f}   (target >= 0.9)")
    one = timings["batch_run, 1 process"] / timings["engine, 1 worker"]
    two = timings["batch_run, 2 processes"] / timings["engine, 2 workers"]
    print(f"  engine / batch_run throughput, 1 worker each:  {one:.2f}x")
    print(f"  engine / batch_run throughput, 2 workers each: {two:.2f}x   (target >= 2x)")
    sizes = (500, 2000) if args.quick else (5000, 20000)
    print("memory: summary-only sweeps of 12 months, 2 workers")
    peaks = []
    for runs in sizes:
        parent, worker, wall = memory_run(runs, 2)
        peaks.append(parent)
        print(f"  {runs:6d} runs: sweep process peak {parent:5d} MiB, largest worker {worker:5d} MiB, {wall:6.1f} s")
    print(f"  peak ratio {sizes[1]} / {sizes[0]} runs: {peaks[1] / peaks[0]:.2f}   (target: about 1)")


if __name__ == "__main__":
    main()
