"""``python -m sim analyze`` and ``python -m sim plot``: the report and figures of a finished sweep."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sim.cli.common import Interrupted
from sim.runs.provenance import sim_command


def add_parser(sub: Any) -> None:
    analyze = sub.add_parser("analyze", help="statistics, figures and report.md of a finished sweep folder")
    analyze.add_argument("folder", metavar="DIR", help="results/<experiment>/<UTC stamp>")
    analyze.add_argument(
        "--baseline", default="0", metavar="POINT", help="the design point (id or label) differences are taken from"
    )
    analyze.add_argument(
        "--metric", action="append", metavar="NAME", help="a measure to report first (e.g. coercion); repeatable"
    )
    analyze.add_argument("--quiet", action="store_true")
    analyze.set_defaults(func=cmd_analyze)
    plot = sub.add_parser("plot", help="the standard figures of a finished sweep folder")
    plot.add_argument("folder", metavar="DIR", help="results/<experiment>/<UTC stamp>")
    plot.add_argument("--format", default="png", help="png (default), svg or pdf")
    plot.add_argument("--quiet", action="store_true")
    plot.set_defaults(func=cmd_plot)


def cmd_analyze(args: argparse.Namespace) -> int:
    """Tables, figures and report.md for a finished sweep folder."""
    from sim.science.report import analyze

    baseline = int(args.baseline) if args.baseline.isdigit() else args.baseline
    with _interrupted_says_again(args, "report and figures"):
        written = analyze(Path(args.folder), baseline=baseline, metrics=args.metric or ())
    if not args.quiet:
        print(f"wrote {len(written)} files; report: {Path(args.folder) / 'report.md'}")
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    """The standard figures of a finished sweep folder."""
    from sim.science.report import plot

    with _interrupted_says_again(args, "figures"):
        written = plot(Path(args.folder), args.format)
    if not args.quiet:
        print(f"wrote {len(written)} figures to {Path(args.folder) / 'figures'}")
    return 0


@contextlib.contextmanager
def _interrupted_says_again(args: argparse.Namespace, what: str) -> Iterator[None]:
    """Ctrl-C in the block: say that the ``what`` of the folder is not complete and how to write it."""
    try:
        yield
    except KeyboardInterrupt:
        raise Interrupted(
            f"interrupted: the {what} in {args.folder} are not complete (the results are untouched)\n"
            f"write them again with: {sim_command(*args.argv)}"
        ) from None
