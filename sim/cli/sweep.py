"""``python -m sim sweep``: every run of an experiment file into a resumable results folder."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from sim.cli.common import RESULTS, Interrupted, UsageError, executor_options, one_line
from sim.runs.experiment import experiment_warnings
from sim.runs.provenance import sim_command

if TYPE_CHECKING:
    from sim.runs.runner import Sweep


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
    stopped by Ctrl-C (at any moment) or SIGTERM says what it saved and how to resume (status 130 or
    143); one whose workers keep dying says which runs were in flight (status 1)."""
    from sim.runs.runner import SweepInterrupted, WorkersLost

    try:
        return _sweep(args)
    except SweepInterrupted as stop:
        resume = sim_command("sweep", "--resume", stop.folder)
        raise Interrupted(f"{stop}\nresume with: {resume}", stop.status) from None
    except WorkersLost as err:
        print(f"error: {one_line(err)}", file=sys.stderr)
        return 1


def _sweep(args: argparse.Namespace) -> int:
    """The body of ``cmd_sweep``."""
    from sim.runs.experiment import load_experiment
    from sim.runs.runner import Execution, Sweep

    execution = Execution(args.executor, args.workers, args.scheduler)  # checked: one line, exit 2
    if args.resume:
        if args.over_posterior is not None:
            raise UsageError("--over-posterior starts a new sweep; resume one with --resume DIR alone")
        if args.out:
            raise UsageError("give either --out or --resume, not both")
        sweep = Sweep.resume(args.resume, execution, quiet=args.quiet, allow_code_change=args.allow_code_change)
        if args.experiment and load_experiment(args.experiment, large=True).source != sweep.experiment.source:
            raise UsageError(
                f"{args.experiment} differs from the experiment stored in {args.resume}; resume with the same file"
            )
    else:
        if not args.experiment:
            raise UsageError("give an experiment file (experiments/*.toml) or --resume DIR")
        if args.allow_code_change:
            raise UsageError("--allow-code-change goes with --resume DIR")
        if args.over_posterior is None and (args.draws is not None or args.replications is not None):
            raise UsageError("--draws and --replications go with --over-posterior")
        if any(v is not None and v < 1 for v in (args.draws, args.replications)):
            raise UsageError("--draws and --replications must be at least 1")
        experiment = load_experiment(
            args.experiment, args.over_posterior, args.draws or 20, args.replications, large=args.large
        )  # fmt: skip
        sweep = Sweep.create(
            experiment, args.out, execution, large=args.large, quiet=args.quiet, argv=args.argv,
            experiment_file=str(args.experiment), root=RESULTS,
        )  # fmt: skip
    counts = _finish(sweep, args)
    folder = sweep.store.folder
    total = sum(counts.values())
    failed = int(counts.get("failed", 0))
    analyzing = args.analyze and not failed
    try:  # from the line saying the runs are written (a Ctrl-C may follow it at once)
        if not args.quiet:
            print(f"wrote {folder}: {total} runs, {counts.get('ok', 0)} ok, {failed} failed")
        if analyzing:
            from sim.science.report import analyze

            analyze(folder)
            if not args.quiet:
                print(f"report: {folder / 'report.md'} (figures in {folder / 'figures'})")
    except KeyboardInterrupt:
        if not analyzing:
            raise Interrupted(f"interrupted: the sweep in {folder} is complete") from None
        raise Interrupted(
            f"interrupted while writing the report; the sweep in {folder} is complete\n"
            f"write the report with: {sim_command('analyze', folder)}"
        ) from None
    if failed:
        print(
            f"error: {failed} of {total} runs failed; see status and error in {folder / 'runs.parquet'}",
            file=sys.stderr,
        )
        return 1
    return 0


def _finish(sweep: Sweep, args: argparse.Namespace) -> dict[str, int]:
    """Finish ``sweep`` under its folder's lock; a Ctrl-C or SIGTERM at any moment (checking the folder,
    running, merging) is a SweepInterrupted, which says what is saved."""
    from sim.runs.runner import SweepInterrupted, Terminated, terminate_as_interrupt

    experiment, folder = sweep.experiment, sweep.store.folder
    try:
        with sweep:  # the folder's lock, before anything is said: a sweep already writing there is refused
            if not args.quiet:
                if args.resume and sweep.store.manifest().get("status") == "complete":
                    print(f"{folder} is already complete; checking that every run is there", file=sys.stderr)
                for warning in experiment_warnings(experiment):
                    print(f"warning: {warning}", file=sys.stderr)
                print(
                    f"{experiment.name}: {experiment.n_runs} runs ({len(experiment.points)} points x "
                    f"{experiment.replications} replications) -> {folder}",
                    file=sys.stderr,
                )
            with terminate_as_interrupt():
                return sweep.finish()
    except (KeyboardInterrupt, Terminated) as stop:  # (during the runs, Sweep.run says how many are saved)
        raise SweepInterrupted(folder, None, experiment.n_runs, 143 if isinstance(stop, Terminated) else 130) from None
