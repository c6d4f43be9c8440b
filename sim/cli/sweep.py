"""``python -m sim sweep``: every run of an experiment file into a resumable results folder."""

from __future__ import annotations

import argparse
import contextlib
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sim.cli.common import (
    UsageError,
    check_executor_options,
    check_out_folder,
    executor_options,
    new_results_folder,
    one_line,
)
from sim.runs.experiment import Experiment, experiment_warnings


def add_parser(sub: Any) -> None:
    sweep = sub.add_parser(
        "sweep", parents=[executor_options()], help="run an experiment file's design into a resumable results folder"
    )
    sweep.add_argument("experiment", nargs="?", help="experiments/NAME.toml")
    sweep.add_argument("--out", metavar="DIR", help="new or empty folder (default: results/<experiment>/<UTC stamp>)")
    sweep.add_argument("--resume", metavar="DIR", help="complete the interrupted sweep in DIR")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar or messages")
    sweep.add_argument("--analyze", action="store_true", help="then write the report and figures (as `analyze`)")
    sweep.add_argument("--large", action="store_true", help="confirm a design past 10 million run-months")
    sweep.add_argument(
        "--over-posterior",
        metavar="PARQUET",
        help="run a factorial or list experiment over parameter sets drawn from a posterior.parquet",
    )
    sweep.add_argument("--draws", type=int, help="with --over-posterior: parameter sets to draw (default 20)")
    sweep.add_argument("--replications", type=int, help="with --over-posterior: replications per point and draw")
    sweep.add_argument(
        "--allow-code-change", action="store_true", help="with --resume: resume although the code changed (recorded)"
    )
    sweep.set_defaults(func=cmd_sweep)


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run every run of an experiment into a new results folder, or finish an interrupted one. A sweep
    stopped by Ctrl-C or SIGTERM says how to resume (status 130 or 143); one whose workers keep dying
    says which runs were in flight (status 1)."""
    from sim.runs.runner import SweepInterrupted, WorkersLost

    try:
        with contextlib.ExitStack() as guard:  # holds the folder's lock until the sweep ends, however it ends
            return _sweep(args, guard)
    except SweepInterrupted as stop:
        print(f"{stop}; resume with: python -m sim sweep --resume {stop.folder}", file=sys.stderr)
        return stop.status
    except WorkersLost as err:
        print(f"error: {one_line(err)}", file=sys.stderr)
        return 1


def _sweep(args: argparse.Namespace, guard: contextlib.ExitStack) -> int:
    """The body of ``cmd_sweep``; locks taken go on ``guard``."""
    from sim.runs.experiment import load_experiment
    from sim.runs.provenance import code_sha256, utc_now
    from sim.runs.runner import Execution, Sweep, check_design_size, terminate_as_interrupt
    from sim.runs.store import Store, read_manifest

    check_executor_options(args)
    execution = Execution(args.executor, args.workers, args.scheduler)
    if args.resume:
        if args.over_posterior is not None:
            raise UsageError("--over-posterior starts a new sweep; resume one with --resume DIR alone")
        folder = Path(args.resume)
        stored = read_stored_experiment(folder)
        if args.experiment:
            given = load_experiment(args.experiment)
            if given.source != stored.source:
                raise UsageError(
                    f"{args.experiment} differs from the experiment stored in {folder}; resume with the same file"
                )
        if args.out:
            raise UsageError("give either --out or --resume, not both")
        experiment, store = stored, Store(folder)
        manifest = read_manifest(folder)
        check_resumable(folder, stored.source, manifest, args.allow_code_change)
        contact_scheduler(args.scheduler)
        guard.enter_context(store.lock())  # before anything is written: a live sweep there is refused
        if manifest.get("status") == "complete" and not args.quiet:
            print(f"{folder} is already complete; checking that every run is there", file=sys.stderr)
        manifest.setdefault("resumed_utc", []).append(utc_now().isoformat())
        code = code_sha256()
        if args.allow_code_change and manifest.get("code_sha256") != code:
            manifest.setdefault("code_changes_allowed", []).append({"utc": utc_now().isoformat(), "code_sha256": code})
        manifest["status"] = "running"
        store.write_manifest(manifest)
    else:
        if not args.experiment:
            raise UsageError("give an experiment file (experiments/*.toml) or --resume DIR")
        if args.over_posterior is None and (args.draws is not None or args.replications is not None):
            raise UsageError("--draws and --replications go with --over-posterior")
        if any(v is not None and v < 1 for v in (args.draws, args.replications)):
            raise UsageError("--draws and --replications must be at least 1")
        experiment = load_experiment(
            args.experiment, args.over_posterior, args.draws or 20, args.replications
        )  # fmt: skip
        try:
            check_design_size(experiment, large=args.large)
        except ValueError as err:
            raise UsageError(str(err)) from None
        if args.out:
            check_out_folder(Path(args.out))
        contact_scheduler(args.scheduler)
        folder = Path(args.out) if args.out else new_results_folder(experiment.name)
        sweep = Sweep.create(
            experiment, folder, execution, quiet=args.quiet, argv=args.argv, experiment_file=str(args.experiment)
        )
        store = sweep.store
        guard.enter_context(store.lock())
    if not args.quiet:
        for warning in experiment_warnings(experiment):
            print(f"warning: {warning}", file=sys.stderr)
        print(
            f"{experiment.name}: {experiment.n_runs} runs ({len(experiment.points)} points x "
            f"{experiment.replications} replications) -> {folder}",
            file=sys.stderr,
        )
    with terminate_as_interrupt():
        counts = Sweep(experiment, store, execution, args.quiet).finish()
    total = sum(counts.values())
    failed = int(counts.get("failed", 0))
    if not args.quiet:
        print(f"wrote {folder}: {total} runs, {counts.get('ok', 0)} ok, {failed} failed")
    if args.analyze and not failed:
        from sim.science.report import analyze

        analyze(folder)
        if not args.quiet:
            print(f"report: {folder / 'report.md'} (figures in {folder / 'figures'})")
    if failed:
        print(
            f"error: {failed} of {total} runs failed; see status and error in {folder / 'runs.parquet'}",
            file=sys.stderr,
        )
        return 1
    return 0


def contact_scheduler(address: str | None) -> None:
    """A Dask scheduler given with --scheduler must answer before anything is written (UsageError)."""
    from sim.runs.runner import check_scheduler

    if address:
        try:
            check_scheduler(address)
        except ValueError as err:
            raise UsageError(str(err)) from None


def read_stored_experiment(folder: Path) -> Experiment:
    """The experiment stored in a sweep folder, checked before anything in it is changed."""
    from sim.runs.experiment import parse_experiment

    needed = ("experiment.toml", "manifest.json", "design.parquet", "parts")
    missing = [name for name in needed if not (folder / name).exists()]
    if not folder.is_dir() or missing:
        raise UsageError(f"{folder} is not a sweep results folder (missing {', '.join(missing) or 'the folder'})")
    path = folder / "experiment.toml"
    try:
        text = path.read_text(encoding="utf-8")
        return parse_experiment(tomllib.loads(text), source=text, where=str(path))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise UsageError(f"{path} cannot be read as an experiment: {err}") from None


def check_resumable(folder: Path, experiment_text: str, manifest: Mapping[str, Any], allow_code_change: bool) -> None:
    """Refuse (UsageError) a resume that would mix what it cannot: an experiment file edited in the folder
    since the sweep started, or a different version of the model's code (unless allowed, and recorded)."""
    from sim.runs.provenance import code_sha256
    from sim.runs.store import text_sha256

    stored = manifest.get("experiment_sha256")
    if stored is not None and stored != text_sha256(experiment_text):
        raise UsageError(
            f"{folder / 'experiment.toml'} was edited after the sweep started; resuming would remap its runs. "
            "Start a new sweep with the edited file instead"
        )
    code = manifest.get("code_sha256")
    if code is not None and code != code_sha256() and not allow_code_change:
        raise UsageError(
            f"the model's code changed since the sweep in {folder} started (code checksum differs); resuming "
            "would mix results from two versions. Pass --allow-code-change to resume anyway (it is recorded)"
        )
