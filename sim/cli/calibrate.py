"""``python -m sim calibrate``: fit parameters to the observed patterns (ABC-SMC)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from sim.cli.common import RESULTS, executor_options
from sim.runs.folders import building, check_new_folder, publish


def add_parser(sub: Any) -> None:
    calibrate = sub.add_parser(
        "calibrate", parents=[executor_options()], help="fit parameters to the observed patterns (ABC-SMC)"
    )
    calibrate.add_argument("config", metavar="CONFIG.toml", help="calibration/NAME.toml")
    calibrate.add_argument(
        "--out", metavar="DIR", help="new or empty folder (default: results/calibration-NAME/<stamp>)"
    )
    calibrate.add_argument("--large", action="store_true", help="confirm a calibration past 10 million run-months")
    calibrate.add_argument("--quiet", action="store_true", help="no progress lines")
    calibrate.set_defaults(func=cmd_calibrate)


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Fit the config's parameters to the observed patterns by ABC-SMC and write the posterior,
    diagnostics, a posterior predictive check and a report."""
    from sim.runs.provenance import provenance, utc_now
    from sim.runs.runner import Execution, check_scheduler, make_executor
    from sim.science import calibrate as C
    from sim.science import validate as V

    config = C.load_config(args.config)  # CalibrationError: one line, exit 2
    C.check_size(config, args.large)  # before a population is allocated
    execution = Execution(args.executor, args.workers, args.scheduler)  # checked as a sweep's are
    if execution.scheduler:
        check_scheduler(execution.scheduler)  # it answers before anything is written
    workers = execution.workers or os.cpu_count() or 1
    out = Path(args.out) if args.out is not None else None
    if out is not None:
        check_new_folder(out)
    say = None if args.quiet else (lambda line: print(line, file=sys.stderr, flush=True))
    started = utc_now()
    made_by = provenance(args.argv)  # the code as it was when the runs started
    with make_executor(execution.kind, workers, execution.scheduler) as pool:
        gens, scale, simulations = C.abc_smc(config, pool.map, progress=say)
        posterior = C.posterior_table(config, gens[-1])
        predictive = C.posterior_predictive(config, posterior, pool.map, seed=config.seed)
        coverage = C.coverage_check(config, pool.map, progress=say) if config.coverage else None
    header = {
        "kind": "calibration",
        "config": str(args.config),
        "workers": workers,
        "executor": args.executor,
        "simulations": simulations,
        "seed": config.seed,
        "overrides": "",
        "parameters": "drawn from the posterior",
        "months_per_run": C.months_per_run(config),
        "criteria_sha256": V.checksum(V.criteria_text()),
        "started_utc": started.isoformat(),
        "finished_utc": utc_now().isoformat(),
        **made_by,
    }
    with building(RESULTS / f"calibration-{config.name}" if out is None else out.parent) as tmp:
        C.write_calibration(tmp, config, gens, scale, predictive, header, coverage)
        (tmp / "config.toml").write_text(config.source, encoding="utf-8")
        (tmp / "manifest.json").write_text(json.dumps(header, indent=2, default=str) + "\n")
        out = publish(tmp, out)
    if not args.quiet:
        print(f"wrote {out} ({simulations:,} simulations, {len(gens)} generations)")
    return 0
