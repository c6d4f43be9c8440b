"""What every subcommand shares: one-line errors, --set values, and the options that say where runs are
executed."""

from __future__ import annotations

import argparse
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

RESULTS = Path("results")


class UsageError(Exception):
    """Bad input from the command line or a file; the message is one line."""


class Interrupted(Exception):
    """Ctrl-C (or SIGTERM) turned into what a subcommand saved and the command that goes on: at most two
    lines; exit status 130 (143 for SIGTERM)."""

    def __init__(self, message: str, status: int = 130) -> None:
        super().__init__(message)
        self.status = status


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
