"""``python -m sim params`` and ``python -m sim experiments``: what can be set, and what is shipped."""

from __future__ import annotations

import argparse
import json
import textwrap
from typing import Any

from sim.cli.common import UsageError
from sim.model.params import SPECS


def add_parser(sub: Any) -> None:
    params = sub.add_parser("params", help="list every parameter with its default, unit and source")
    params.add_argument("--markdown", action="store_true", help="as a Markdown table")
    params.add_argument("--grep", metavar="TEXT", help="only names containing TEXT")
    params.set_defaults(func=cmd_params)
    shipped = sub.add_parser("experiments", help="list the experiment files shipped with the package, or copy them")
    shipped.add_argument("names", nargs="*", metavar="NAME", help="only these experiments (default: all)")
    shipped.add_argument("--copy", metavar="DIR", help="copy them into DIR to edit (never over an existing file)")
    shipped.set_defaults(func=cmd_experiments)


def cmd_params(args: argparse.Namespace) -> int:
    """Print every parameter with its default, unit, allowed values and source."""
    rows = [("name", "default", "unit", "allowed", "source", "meaning")]
    for name, spec in SPECS.items():
        if args.grep and args.grep.lower() not in name.lower():
            continue
        default = json.dumps(spec.default) if not isinstance(spec.default, str) else spec.default
        rows.append((name, default, spec.unit, spec.describe_range(), spec.source, spec.doc))
    if len(rows) == 1:
        raise UsageError(f"no parameter name contains {args.grep!r}; run 'python -m sim params' for the list")
    if args.markdown:
        print("| " + " | ".join(rows[0]) + " |")
        print("|" + "---|" * len(rows[0]))
        for row in rows[1:]:
            print(
                "| "
                + " | ".join(f"`{row[0]}`" if k == 0 else str(c).replace("|", "/") for k, c in enumerate(row))
                + " |"
            )
    else:
        widths = [max(len(str(r[k])) for r in rows[1:]) for k in range(4)]
        for row in rows[1:]:
            print("  ".join(str(c).ljust(w) for c, w in zip(row[:4], widths, strict=True)) + "  " + row[4])
    return 0


def cmd_experiments(args: argparse.Namespace) -> int:
    """List the experiments shipped with the package (name, points x replications, first sentence of
    the description), or copy them into a folder to edit, never over an existing file."""
    from sim.runs.shipped import copy_experiments, select, shipped_folder

    if args.copy:
        try:
            written = copy_experiments(args.copy, args.names)
        except OSError as err:
            raise UsageError(str(err)) from None
        print(f"copied {len(written)} experiment file(s) to {args.copy}; run one: python -m sim sweep {written[0]}")
        return 0
    items = select(args.names)
    width = max(len(item.name) for item in items)
    for item in items:
        head = f"{item.name:<{width}}  {item.points:>5} x {item.replications:<3} "
        print(textwrap.fill(item.summary, width=110, initial_indent=head, subsequent_indent=" " * len(head)))
    print(
        f"({len(items)} experiment(s) in {shipped_folder()}: name, design points x replications, what it does; "
        "copy them to edit with: python -m sim experiments --copy DIR)"
    )
    return 0
