"""Command line: ``python -m sim run | sweep | analyze | plot | app | params | experiments``.

Exit status: 0 on success; 2 on bad input (one line on stderr naming the problem, nothing written);
1 when a run fails.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import os
import shutil
import socket
import sys
import tempfile
import textwrap
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

from sim.experiment import (
    DEFAULT_SEED,
    DEFAULT_STEPS,
    MAX_RUN_MONTHS,
    ExperimentError,
    experiment_warnings,
    flatten,
    read_toml,
    run_length_warnings,
)
from sim.history import HISTORY_MONTHS, PERIODS
from sim.params import SPECS, ParameterError, make_params
from sim.store import ResultsError, SweepInterrupted, WorkersLost

RESULTS = Path("results")


class UsageError(Exception):
    """Bad input from the command line or a file; the message is one line."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors as one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


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


RUN_CONFIG_KEYS = ("seed", "steps", "params")


def read_run_config(path: Path) -> tuple[dict[str, Any], int | None, int | None]:
    """A run config: optional ``seed`` and ``steps``, and a ``[params]`` table (nested or dotted names)."""
    raw = read_toml(path, "config file", UsageError)[1]
    for key in raw:
        if key not in RUN_CONFIG_KEYS:
            hint = " (parameters go in a [params] table)" if key in SPECS or key.split(".")[0] in _TOP else ""
            raise UsageError(f"config file {path}: unknown key {key!r}; expected {', '.join(RUN_CONFIG_KEYS)}{hint}")
    params = raw.get("params", {})
    if not isinstance(params, Mapping):
        raise UsageError(f"config file {path}: 'params' must be a table")
    return flatten(params), _whole(raw.get("seed"), "seed", path), _whole(raw.get("steps"), "steps", path)


_TOP = {name.split(".")[0] for name in SPECS}


def _whole(value: Any, what: str, path: Path) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise UsageError(f"config file {path}: '{what}' must be a non-negative whole number, got {value!r}")
    return value


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest.json of an earlier run folder."""
    path = folder / "manifest.json"
    if not folder.is_dir() or not path.is_file():
        raise UsageError(f"no manifest.json in {folder} (--from needs a run folder)")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        params, seed, steps = manifest["params"], manifest["seed"], manifest["steps"]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as err:
        raise UsageError(f"{path} is not a run manifest: {type(err).__name__}: {err}") from None
    if not isinstance(params, dict):
        raise UsageError(f"{path} is not a run manifest: 'params' must be a table")
    for what, value, low in (("seed", seed, 0), ("steps", steps, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise UsageError(f"{path} is not a run manifest: '{what}' must be a whole number >= {low}")
    return {"params": params, "seed": seed, "steps": steps}


def sweep_run_inputs(folder: Path, run_id: int) -> tuple[dict[str, Any], int, int]:
    """Parameters, seed and steps of run ``run_id`` of the sweep stored in ``folder``."""
    from sim.experiment import parse_experiment
    from sim.store import load_results

    results = load_results(folder, series=False, allow_partial=True)
    experiment = parse_experiment(tomllib.loads(results.experiment_text), where=str(folder / "experiment.toml"))
    tasks = experiment.tasks()
    if not 0 <= run_id < len(tasks):
        raise UsageError(f"--run-id must be in [0, {len(tasks) - 1}] for {folder}, got {run_id}")
    task = tasks[run_id]
    return dict(task.overrides), task.seed, task.steps


# ---- writing output -----------------------------------------------------------------------------


def new_results_folder(kind: str) -> Path:
    """results/<kind>/<UTC stamp>, claimed (created empty); a suffix keeps it new if the stamp is taken."""
    from sim.engine import results_folder

    return results_folder(RESULTS, kind)


def check_out_folder(out: Path) -> None:
    """--out must be a new or empty folder: results are never overwritten."""
    from sim.engine import check_new_folder

    try:
        check_new_folder(out)
    except ValueError as err:
        raise UsageError(str(err)) from None


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


# ---- commands -----------------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    """Run one scenario and write timeseries.csv, agents.csv, actions.csv, summary.json, manifest.json
    and metrics.png."""
    overrides: dict[str, Any] = {}
    seed = steps = None
    if args.run_id is not None and not args.from_dir:
        raise UsageError("--run-id needs --from DIR (a sweep results folder)")
    if args.from_dir and args.run_id is not None:
        overrides, seed, steps = sweep_run_inputs(Path(args.from_dir), args.run_id)
    elif args.from_dir:
        if (Path(args.from_dir) / "design.parquet").exists():
            raise UsageError(f"{args.from_dir} is a sweep folder: choose one of its runs with --run-id K")
        manifest = read_manifest(Path(args.from_dir))
        overrides, seed, steps = manifest["params"], manifest["seed"], manifest["steps"]
    if args.config:
        cfg, cfg_seed, cfg_steps = read_run_config(Path(args.config))
        overrides.update(cfg)
        seed = cfg_seed if cfg_seed is not None else seed
        steps = cfg_steps if cfg_steps is not None else steps
    overrides.update(parse_sets(args.set))
    if args.period is not None:
        overrides["run.period"] = args.period
    if overrides.get("run.period", "outlook") != "outlook" and steps is None:
        steps = HISTORY_MONTHS  # the whole history period, 2007-01 to 2024-12
    seed = args.seed if args.seed is not None else (seed if seed is not None else DEFAULT_SEED)
    steps = args.steps if args.steps is not None else (steps if steps is not None else DEFAULT_STEPS)
    if steps < 1:
        raise UsageError(f"--steps must be at least 1, got {steps}")
    if steps > MAX_RUN_MONTHS:
        raise UsageError(f"--steps {steps:,} is past the limit of {MAX_RUN_MONTHS:,} months for one run")
    if seed < 0:
        raise UsageError(f"--seed must be a non-negative whole number, got {seed}")
    params = make_params(overrides)  # raises ParameterError before anything is written
    if not args.quiet:
        for warning in run_length_warnings(params, steps, warmup=False):  # the summary line says it
            print(f"warning: {warning}", file=sys.stderr)
    out = Path(args.out) if args.out else new_results_folder("run")
    check_out_folder(out)
    try:
        return _run_into(args, out, params, seed, steps)
    finally:  # a run that failed or was interrupted leaves no empty folder behind
        if out.is_dir() and not any(out.iterdir()):
            out.rmdir()


def _run_into(args: argparse.Namespace, out: Path, params, seed: int, steps: int) -> int:
    """Run the model and publish its tables, manifest and figure into ``out`` (new or empty)."""
    from sim.model import RegionModel
    from sim.provenance import provenance, utc_now

    started = utc_now()
    model = RegionModel(rng=seed, params=params).run(steps)
    table = model.timeseries()
    manifest = {
        "kind": "run",
        "seed": seed,
        "steps": steps,
        "params": params.to_dict(),
        "changed": params.changed(),
        "started_utc": started.isoformat(),
        "finished_utc": utc_now().isoformat(),
        **provenance(args.argv),
    }
    import matplotlib.pyplot as plt

    from sim.plots import plot_run

    with publishing(out) as tmp:
        model.write_tables(tmp)  # timeseries.csv, agents.csv, actions.csv
        (tmp / "summary.json").write_text(json.dumps(model.summary(), indent=2) + "\n")
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n")
        changed = ", ".join(f"{k}={v}" for k, v in params.changed().items() if k != "shocks") or "defaults"
        fig = plot_run(table, title=f"seed {seed}; {changed}")
        fig.savefig(tmp / "metrics.png", dpi=120)
        plt.close(fig)
    summary = model.summary()
    if not args.quiet:
        print(f"wrote {out}")
        print(
            f"a month: {summary['incidents_mean']:.2f} robberies, {summary['coercion_mean']:.2f} coercion incidents, "
            f"{summary['offers_mean']:.1f} offers ({summary['offers_declined_mean']:.1f} declined); "
            f"stability_index {summary['stability_index_mean']:.3f} "
            + (
                f"(means after month {params['metrics.warmup']})"
                if 0 < params["metrics.warmup"] < steps
                else f"(means over all {steps} months)"
            )
        )
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run every run of an experiment into a new results folder, or finish an interrupted one."""
    with contextlib.ExitStack() as guard:  # holds the folder's lock until the sweep ends, however it ends
        return _sweep(args, guard)


def _sweep(args: argparse.Namespace, guard: contextlib.ExitStack) -> int:
    """The body of ``cmd_sweep``; locks taken go on ``guard``."""
    from sim.engine import EXECUTORS, check_design_size, create_sweep, finish_sweep, terminate_as_interrupt
    from sim.experiment import load_experiment
    from sim.provenance import code_sha256, utc_now
    from sim.store import Store

    if args.workers is not None and args.workers < 1:
        raise UsageError(f"--workers must be at least 1, got {args.workers}")
    if args.executor not in EXECUTORS:
        raise UsageError(f"--executor must be one of {', '.join(EXECUTORS)}, got {args.executor!r}")
    if args.scheduler and args.executor != "dask":
        raise UsageError("--scheduler needs --executor dask")
    if args.executor == "dask":
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise UsageError(
                "--executor dask needs the cluster extra: pip install 'sea-layering-sim[cluster]'"
            ) from None
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
        manifest = read_stored_manifest(folder)
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
        store = create_sweep(
            experiment, folder, executor=args.executor, workers=args.workers, scheduler=args.scheduler,
            argv=args.argv, experiment_file=str(args.experiment),
        )  # fmt: skip
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
        counts = finish_sweep(
            experiment, store, executor=args.executor, workers=args.workers, scheduler=args.scheduler, quiet=args.quiet
        )
    total = sum(counts.values())
    failed = int(counts.get("failed", 0))
    if not args.quiet:
        print(f"wrote {folder}: {total} runs, {counts.get('ok', 0)} ok, {failed} failed")
    if args.analyze and not failed:
        from sim.report import analyze

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
    from sim.engine import check_scheduler

    if address:
        try:
            check_scheduler(address)
        except ValueError as err:
            raise UsageError(str(err)) from None


def read_stored_experiment(folder: Path):
    """The experiment stored in a sweep folder, checked before anything in it is changed."""
    from sim.experiment import parse_experiment

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
    from sim.provenance import code_sha256
    from sim.store import text_sha256

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


def read_stored_manifest(folder: Path) -> dict[str, Any]:
    """A sweep folder's manifest.json, or UsageError when it is damaged."""
    path = folder / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise UsageError(f"{path} is not a sweep manifest: {err}") from None
    if not isinstance(manifest, dict):
        raise UsageError(f"{path} is not a sweep manifest: expected a table")
    return manifest


def cmd_validate(args: argparse.Namespace) -> int:
    """Run both history variants with replications and judge them against the criteria file."""
    from sim import validate as V
    from sim.provenance import provenance, utc_now

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
    workers = max(1, min(args.workers or os.cpu_count() or 1, 2 * args.replications))
    out = Path(args.out) if args.out else new_results_folder("validation")
    check_out_folder(out)
    started = utc_now()
    made_by = provenance(args.argv)  # the code as it was when the runs started
    try:
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
        with publishing(out) as tmp:
            table = V.write_outputs(tmp, criteria, runs, header)
            (tmp / "manifest.json").write_text(json.dumps(header, indent=2, default=str) + "\n")
    finally:
        if out.is_dir() and not any(out.iterdir()):
            out.rmdir()
    if not args.quiet:
        judged = table[table["passed"].notna()]
        passed = int((judged["passed"] == True).sum())  # noqa: E712
        print(f"wrote {out}: {passed} of {len(judged)} criteria passed (see {out / 'report.md'})")
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Fit the config's parameters to the observed patterns by ABC-SMC and write the posterior,
    diagnostics, a posterior predictive check and a report."""
    from sim import calibrate as C
    from sim import validate as V
    from sim.engine import EXECUTORS, make_executor
    from sim.provenance import provenance, utc_now

    try:
        config = C.load_config(args.config)
    except C.CalibrationError as err:
        raise UsageError(str(err)) from None
    if args.executor not in EXECUTORS:
        raise UsageError(f"--executor must be one of {', '.join(EXECUTORS)}, got {args.executor!r}")
    workers = max(1, args.workers or os.cpu_count() or 1)
    out = Path(args.out) if args.out else new_results_folder(f"calibration-{config.name}")
    check_out_folder(out)
    say = None if args.quiet else (lambda line: print(line, file=sys.stderr, flush=True))
    started = utc_now()
    made_by = provenance(args.argv)  # the code as it was when the runs started
    try:
        with make_executor(args.executor, workers, args.scheduler) as pool:
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
            "months_per_run": HISTORY_MONTHS + make_params({**config.fixed, "run.period": config.period})["run.spinup"],
            "criteria_sha256": V.checksum(V.criteria_text()),
            "started_utc": started.isoformat(),
            "finished_utc": utc_now().isoformat(),
            **made_by,
        }
        with publishing(out) as tmp:
            C.write_calibration(tmp, config, gens, scale, predictive, header, coverage)
            (tmp / "config.toml").write_text(config.source, encoding="utf-8")
            (tmp / "manifest.json").write_text(json.dumps(header, indent=2, default=str) + "\n")
    finally:
        if out.is_dir() and not any(out.iterdir()):
            out.rmdir()
    if not args.quiet:
        print(f"wrote {out} ({simulations:,} simulations, {len(gens)} generations)")
    return 0


def cmd_analyze(args: argparse.Namespace) -> int:
    """Tables, figures and report.md for a finished sweep folder."""
    from sim.report import analyze

    baseline = int(args.baseline) if args.baseline.isdigit() else args.baseline
    written = analyze(Path(args.folder), baseline=baseline, metrics=args.metric or ())
    if not args.quiet:
        print(f"wrote {len(written)} files; report: {Path(args.folder) / 'report.md'}")
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    """The standard figures of a finished sweep folder."""
    from sim.report import plot

    written = plot(Path(args.folder), args.format)
    if not args.quiet:
        print(f"wrote {len(written)} figures to {Path(args.folder) / 'figures'}")
    return 0


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
    from sim.shipped import copy_experiments, select, shipped_folder

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


def cmd_app(args: argparse.Namespace) -> int:
    """Serve the interactive app (Mesa SolaraViz) on localhost until interrupted."""
    if not 0 < args.port < 65536:
        raise UsageError(f"--port must be in [1, 65535], got {args.port}")
    check_can_listen(args.host, args.port)
    try:
        from sim.app import serve
    except ImportError as err:
        raise UsageError(f"the app needs the optional extra: pip install -e '.[app]' ({err})") from None
    print(f"serving the app on http://{args.host}:{args.port} (Ctrl-C to stop)", file=sys.stderr)
    serve(host=args.host, port=args.port)
    return 0


def check_can_listen(host: str, port: int) -> None:
    """UsageError (one line) unless a server can listen on host:port: a port another program uses, or a
    host that is not an address of this machine, is refused before the app is loaded."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError) as err:
        raise UsageError(f"--host {host!r} is not an address of this machine ({err})") from None
    with socket.socket(family, kind, proto) as probe:
        if sys.platform != "win32":  # as the server does, so that a port just freed counts as free
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as err:
            hint = "; another program uses it: choose another with --port N" if err.errno == errno.EADDRINUSE else ""
            raise UsageError(f"cannot serve the app on {host}:{port}: {err.strerror}{hint}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m sim", description="Layered security cooperation in Southeast Asia (Mesa ABM).")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = sub.add_parser("run", help="run one scenario and write its results and figure")
    run.add_argument("--config", metavar="FILE.toml", help="seed, steps and a [params] table")
    run.add_argument("--set", metavar="NAME=VALUE", action="append", default=[], help="a parameter (repeatable)")
    run.add_argument("--steps", type=int, help=f"months to simulate (default {DEFAULT_STEPS})")
    run.add_argument("--seed", type=int, help=f"run seed (default {DEFAULT_SEED})")
    run.add_argument("--out", metavar="DIR", help="new or empty folder (default: results/run/<UTC stamp>)")
    run.add_argument("--from", dest="from_dir", metavar="DIR", help="re-run the run recorded in DIR (a run folder)")
    run.add_argument("--run-id", type=int, metavar="K", help="with --from a sweep folder: re-run its run K alone")
    run.add_argument(
        "--period",
        choices=PERIODS,
        help="outlook (default: from run.start), history (2007-2024 with the documented events) or history-free",
    )
    run.add_argument("--quiet", action="store_true", help="print nothing on success")
    run.set_defaults(func=cmd_run)
    sweep = sub.add_parser("sweep", help="run an experiment file's design into a resumable results folder")
    sweep.add_argument("experiment", nargs="?", help="experiments/NAME.toml")
    sweep.add_argument("--workers", type=int, help="parallel workers (default: number of cores)")
    sweep.add_argument("--executor", default="process", help="process (default) or dask")
    sweep.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address (default: a LocalCluster)")
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
    app = sub.add_parser("app", help="serve the interactive app in the browser (needs the [app] extra)")
    app.add_argument("--port", type=int, default=8765, help="port on localhost (default 8765)")
    app.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    app.set_defaults(func=cmd_app)
    validate = sub.add_parser("validate", help="run the history period and judge it against the patterns V1-V6")
    validate.add_argument("--replications", type=int, default=20, help="runs of each variant (default 20)")
    validate.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"seed (default {DEFAULT_SEED})")
    validate.add_argument("--workers", type=int, help="parallel workers (default: number of cores)")
    validate.add_argument("--criteria", metavar="FILE.toml", help="criteria file (default: sim/data/criteria.toml)")
    validate.add_argument("--set", metavar="NAME=VALUE", action="append", default=[], help="a parameter (repeatable)")
    validate.add_argument("--out", metavar="DIR", help="new or empty folder (default: results/validation/<UTC stamp>)")
    validate.add_argument("--quiet", action="store_true", help="print nothing on success")
    validate.set_defaults(func=cmd_validate)

    calibrate = sub.add_parser("calibrate", help="fit parameters to the observed patterns (ABC-SMC)")
    calibrate.add_argument("config", metavar="CONFIG.toml", help="calibration/NAME.toml")
    calibrate.add_argument("--workers", type=int, help="parallel workers (default: number of cores)")
    calibrate.add_argument("--executor", default="process", help="process (default) or dask")
    calibrate.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address (default: a LocalCluster)")
    calibrate.add_argument(
        "--out", metavar="DIR", help="new or empty folder (default: results/calibration-NAME/<stamp>)"
    )
    calibrate.add_argument("--quiet", action="store_true", help="no progress lines")
    calibrate.set_defaults(func=cmd_calibrate)

    params = sub.add_parser("params", help="list every parameter with its default, unit and source")
    params.add_argument("--markdown", action="store_true", help="as a Markdown table")
    params.add_argument("--grep", metavar="TEXT", help="only names containing TEXT")
    params.set_defaults(func=cmd_params)
    shipped = sub.add_parser("experiments", help="list the experiment files shipped with the package, or copy them")
    shipped.add_argument("names", nargs="*", metavar="NAME", help="only these experiments (default: all)")
    shipped.add_argument("--copy", metavar="DIR", help="copy them into DIR to edit (never over an existing file)")
    shipped.set_defaults(func=cmd_experiments)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    try:
        argv = list(sys.argv[1:] if argv is None else argv)
        args = build_parser().parse_args(argv)
        args.argv = argv
        return args.func(args)
    except BrokenPipeError:  # the reader went away (`params | head`): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 0
    except (UsageError, ParameterError, ExperimentError, ResultsError) as err:
        print(f"error: {one_line(err)}", file=sys.stderr)
        return 2
    except SweepInterrupted as stop:
        print(f"{stop}; resume with: python -m sim sweep --resume {stop.folder}", file=sys.stderr)
        return stop.status
    except WorkersLost as err:
        print(f"error: {one_line(err)}", file=sys.stderr)
        return 1
    except Exception as err:  # a run that fails: say so in one line, status 1
        print(f"error: run failed: {type(err).__name__}: {one_line(err)}", file=sys.stderr)
        return 1


def one_line(err: Exception) -> str:
    """An error message on one line, whatever a user-supplied name contained."""
    return str(err).replace("\r", "\\r").replace("\n", "\\n")


if __name__ == "__main__":
    sys.exit(main())
