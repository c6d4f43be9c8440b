"""What every subcommand shares: one-line errors, --set values, output folders written whole, and the
options that say where runs are executed."""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import tempfile
import tomllib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

RESULTS = Path("results")


class UsageError(Exception):
    """Bad input from the command line or a file; the message is one line."""


class Parser(argparse.ArgumentParser):
    """argparse that reports errors as one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def one_line(err: BaseException) -> str:
    """An error message on one line, whatever a user-supplied name contained."""
    return str(err).replace("\r", "\\r").replace("\n", "\\n")


# ---- reading input ------------------------------------------------------------------------------


def parse_value(text: str) -> Any:
    """A --set value as TOML: true, 0.5, "need", [{step = 60, kind = "withdraw", state = "USA"}];
    anything that is not valid TOML is taken as a plain string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def parse_sets(items: Sequence[str]) -> dict[str, Any]:
    """NAME=VALUE pairs from --set."""
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--set expects NAME=VALUE, got {item!r}")
        out[name.strip()] = parse_value(value.strip())
    return out


def executor_options() -> argparse.ArgumentParser:
    """The options saying where runs are executed, shared by the subcommands that run many (argparse
    parent)."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--workers", type=int, help="parallel workers (default: number of cores)")
    parent.add_argument("--executor", default="process", help="process (default) or dask")
    parent.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address (default: a LocalCluster)")
    return parent


# ---- writing output -----------------------------------------------------------------------------


def new_results_folder(kind: str) -> Path:
    """results/<kind>/<UTC stamp>, claimed (created empty); a suffix keeps it new if the stamp is taken."""
    from sim.runs.folders import results_folder

    return results_folder(RESULTS, kind)


def publish(tmp: Path, out: Path) -> None:
    """Move a finished temporary folder into place in one rename.

    An empty ``out`` (a claimed or user-made folder) is replaced by the rename itself, atomically (POSIX
    rename onto an empty directory), so no other process can take the name in between.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    mask = os.umask(0)
    os.umask(mask)
    tmp.chmod(0o777 & ~mask)  # mkdtemp makes it private; a results folder gets the user's usual mode
    os.replace(tmp, out)


@contextlib.contextmanager
def publishing(out: Path) -> Iterator[Path]:
    """A temporary folder beside ``out`` to write into: published as ``out`` in one rename when the
    block ends without error (see :func:`publish`), removed otherwise."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".partial-", dir=out.parent))
    try:
        yield tmp
        publish(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
