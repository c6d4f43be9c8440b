"""``python -m sim validate``: the history period, judged against the patterns V1-V6."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from sim.cli.common import RESULTS, UsageError, parse_sets
from sim.model.params import make_params
from sim.runs.experiment import DEFAULT_SEED
from sim.runs.folders import building, check_new_folder, publish


def add_parser(sub: Any) -> None:
    validate = sub.add_parser("validate", help="run the history period and judge it against the patterns V1-V6")
    validate.add_argument("--replications", type=int, default=20, help="runs of each variant (default 20)")
    validate.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"seed (default {DEFAULT_SEED})")
    validate.add_argument("--workers", type=int, help="parallel workers (default: number of cores)")
    validate.add_argument(
        "--criteria", metavar="FILE.toml", help="criteria file (default: sim/model/data/criteria.toml)"
    )
    validate.add_argument("--set", metavar="NAME=VALUE", action="append", default=[], help="a parameter (repeatable)")
    validate.add_argument("--out", metavar="DIR", help="new or empty folder (default: results/validation/<UTC stamp>)")
    validate.add_argument("--quiet", action="store_true", help="print nothing on success")
    validate.set_defaults(func=cmd_validate)


def cmd_validate(args: argparse.Namespace) -> int:
    """Run both history variants with replications and judge them against the criteria file."""
    from sim.runs.provenance import provenance, utc_now
    from sim.runs.runner import Execution
    from sim.science import validate as V

    if args.replications < 2:
        raise UsageError(f"--replications must be at least 2, got {args.replications}")
    if args.replications > 10_000:
        raise UsageError(f"--replications {args.replications:,} is past the limit of 10,000")
    if args.seed < 0:
        raise UsageError(f"--seed must be a non-negative whole number, got {args.seed}")
    try:
        text = V.criteria_text(args.criteria)
        criteria = V.load_criteria(text)
    except V.ValidationError as err:
        raise UsageError(str(err)) from None
    overrides = parse_sets(args.set)
    make_params({**overrides, "run.period": "history"})  # a bad parameter is refused before anything runs
    Execution("process", args.workers)  # workers checked as a sweep's and a calibration's are
    workers = max(1, min(args.workers or os.cpu_count() or 1, 2 * args.replications))
    out = Path(args.out) if args.out is not None else None
    if out is not None:
        check_new_folder(out)
    started = utc_now()
    made_by = provenance(args.argv)  # the code as it was when the runs started
    runs = V.run_all(args.replications, seed=args.seed, workers=workers, overrides=overrides)
    header = {
        "kind": "validation",
        "replications": args.replications,
        "seed": args.seed,
        "overrides": overrides,
        "criteria_sha256": V.checksum(text),
        "started_utc": started.isoformat(),
        "finished_utc": utc_now().isoformat(),
        **made_by,
    }
    with building(RESULTS / "validation" if out is None else out.parent) as tmp:
        table = V.write_outputs(tmp, criteria, runs, header)
        (tmp / "manifest.json").write_text(json.dumps(header, indent=2, default=str) + "\n")
        out = publish(tmp, out)
    if not args.quiet:
        judged = table[table["passed"].notna()]
        passed = int((judged["passed"] == True).sum())  # noqa: E712
        print(f"wrote {out}: {passed} of {len(judged)} criteria passed (see {out / 'report.md'})")
    return 0
