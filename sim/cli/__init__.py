"""The command line, ``python -m sim SUBCOMMAND``: one module a subcommand (``run``, ``sweep``, ``analyze``
and ``plot``, ``validate``, ``calibrate``, ``params`` and ``experiments``, ``app``), what they share in
``common.py``.

Exit status: 0 on success; 2 on bad input, a missing optional extra or a folder or disk that cannot be
written (one line on stderr naming the problem, nothing written);
1 when a run fails; 130 on Ctrl-C, at any moment (143 on SIGTERM during a sweep's runs): at most two
lines say what was saved and the command that goes on. Each subcommand imports what it needs when it
runs, so ``--help`` and ``params`` start without pandas or Mesa.
"""

from __future__ import annotations

import argparse
import errno
import os
import signal
import sys
from collections.abc import Sequence

from sim.cli import analyze, app, calibrate, params, run, sweep, validate
from sim.cli.common import Interrupted, Parser, UsageError, one_line
from sim.model.params import InputError
from sim.runs.extras import MissingExtra
from sim.runs.provenance import sim_command

#: what the file system answers when the user's folder, disk or permissions are at fault: exit 2
FILE_SYSTEM = frozenset(
    {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.ENOENT, errno.ENOTDIR,
     errno.EISDIR, errno.EEXIST, errno.ENAMETOOLONG, errno.ELOOP}
)  # fmt: skip

#: the subcommands, in the order ``--help`` lists them
SUBCOMMANDS = (run, sweep, analyze, app, validate, calibrate, params)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="python -m sim", description="Layered security cooperation in Southeast Asia (Mesa ABM).")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for module in SUBCOMMANDS:
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    from_command_line = argv is None  # the process is ours (not a test's or a notebook's)
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
        args.argv = argv
        return int(args.func(args))
    except Interrupted as stop:
        print(stop, file=sys.stderr)
        return stop.status
    except KeyboardInterrupt:  # before anything was written, or what was being written was removed
        if from_command_line:  # a second Ctrl-C, or one still pending, cannot cut the exit short
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        print(f"interrupted: nothing was written; to start again: {sim_command(*argv)}", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`params | head`): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 0
    except (UsageError, InputError, MissingExtra) as err:
        print(f"error: {one_line(err)}", file=sys.stderr)
        return 2
    except OSError as err:
        if err.errno not in FILE_SYSTEM:
            return failed(err)
        where = " -> ".join(str(name) for name in (err.filename, err.filename2) if name is not None)
        where = (where or "the results").replace("\n", "\\n")
        print(f"error: cannot write {where}: {err.strerror}", file=sys.stderr)
        return 2
    except Exception as err:
        return failed(err)


def failed(err: BaseException) -> int:
    """A run that fails: say so in one line, status 1."""
    print(f"error: run failed: {type(err).__name__}: {one_line(err)}", file=sys.stderr)
    return 1


__all__ = ["build_parser", "main"]
