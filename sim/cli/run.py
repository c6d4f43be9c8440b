"""``python -m sim run``: one scenario, its tables, summary, manifest and figure."""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sim.cli.common import RESULTS, UsageError, parse_sets
from sim.model.history import HISTORY_MONTHS, PERIODS
from sim.model.params import SPECS, Params, make_params
from sim.runs.experiment import DEFAULT_SEED, DEFAULT_STEPS, check_run, flatten, read_toml, run_length_warnings
from sim.runs.folders import building, check_new_folder, publish


def add_parser(sub: Any) -> None:
    run = sub.add_parser("run", help="run one scenario and write its results and figure")
    run.add_argument("--config", metavar="FILE.toml", help="seed, steps and a [params] table")
    run.add_argument("--set", metavar="NAME=VALUE", action="append", default=[], help="a parameter (repeatable)")
    run.add_argument("--steps", type=int, help=f"months to simulate (default {DEFAULT_STEPS})")
    run.add_argument("--seed", type=int, help=f"run seed (default {DEFAULT_SEED})")
    run.add_argument("--out", metavar="DIR", help="new or empty folder (default: results/run/<UTC stamp>)")
    run.add_argument("--from", dest="from_dir", metavar="DIR", help="re-run the run recorded in DIR (a run folder)")
    run.add_argument("--run-id", type=int, metavar="K", help="with --from a sweep folder: re-run its run K alone")
    run.add_argument(
        "--allow-code-change", action="store_true", help="with --from: re-run although the code changed (recorded)"
    )
    run.add_argument(
        "--period",
        choices=PERIODS,
        help="outlook (default: from run.start), history (2007-2024 with the documented events) or history-free",
    )
    run.add_argument("--quiet", action="store_true", help="print nothing on success")
    run.set_defaults(func=cmd_run)


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


def read_run_manifest(folder: Path) -> dict[str, Any]:
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
    return {"params": params, "seed": seed, "steps": steps, **made_by(manifest)}


def made_by(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """The code a recorded run was made by: its commit and code checksum, as its manifest says."""
    return {"git_commit": manifest.get("git_commit"), "code_sha256": manifest.get("code_sha256")}


def check_same_code(folder: str, recorded: Mapping[str, Any], allow: bool) -> dict[str, Any]:
    """Refuse (UsageError) to re-run what was made by other code (its numbers would differ) unless
    ``allow``; returns what the new manifest records of it (nothing when the code is the same)."""
    from sim.runs.provenance import code_sha256

    if recorded.get("code_sha256") in (None, code_sha256()):
        return {}
    if not allow:
        raise UsageError(
            f"the model's code changed since {folder} was made (commit {recorded.get('git_commit')}; the code "
            "checksum differs), so a re-run would not give its numbers. Pass --allow-code-change to run it anyway "
            "(it is recorded)"
        )
    return {"rerun_of": {"folder": folder, **recorded}}


def sweep_run_inputs(folder: Path, run_id: int) -> tuple[dict[str, Any], int, int, dict[str, Any]]:
    """Parameters, seed and steps of run ``run_id`` of the sweep stored in ``folder``, and the code that
    made the sweep (see :func:`made_by`)."""
    from sim.runs.experiment import parse_experiment
    from sim.runs.store import load_results

    results = load_results(folder, series=False, allow_partial=True)
    text, where = results.experiment_text, str(folder / "experiment.toml")
    experiment = parse_experiment(tomllib.loads(text), where=where, large=True)  # a sweep that was run
    tasks = experiment.tasks()
    if not 0 <= run_id < len(tasks):
        raise UsageError(f"--run-id must be in [0, {len(tasks) - 1}] for {folder}, got {run_id}")
    task = tasks[run_id]
    return dict(task.overrides), task.seed, task.steps, made_by(results.manifest)


def cmd_run(args: argparse.Namespace) -> int:
    """Run one scenario and write timeseries.csv, agents.csv, actions.csv, summary.json, manifest.json
    and metrics.png."""
    overrides: dict[str, Any] = {}
    seed = steps = None
    rerun: dict[str, Any] = {}
    if args.run_id is not None and not args.from_dir:
        raise UsageError("--run-id needs --from DIR (a sweep results folder)")
    if args.allow_code_change and not args.from_dir:
        raise UsageError("--allow-code-change goes with --from DIR")
    if args.from_dir and args.run_id is not None:
        overrides, seed, steps, code = sweep_run_inputs(Path(args.from_dir), args.run_id)
        rerun = check_same_code(args.from_dir, code, args.allow_code_change)
    elif args.from_dir:
        if (Path(args.from_dir) / "design.parquet").exists():
            raise UsageError(f"{args.from_dir} is a sweep folder: choose one of its runs with --run-id K")
        manifest = read_run_manifest(Path(args.from_dir))
        overrides, seed, steps = manifest["params"], manifest["seed"], manifest["steps"]
        rerun = check_same_code(args.from_dir, made_by(manifest), args.allow_code_change)
    if args.config:
        cfg, cfg_seed, cfg_steps = read_run_config(Path(args.config))
        overrides.update(cfg)
        seed = cfg_seed if cfg_seed is not None else seed
        steps = cfg_steps if cfg_steps is not None else steps
    overrides.update(parse_sets(args.set))
    if args.period is not None:
        if overrides.get("run.period", args.period) != args.period:
            raise UsageError(
                f"--period {args.period} contradicts run.period = {overrides['run.period']!r} (from --set, --config "
                "or --from); give one of them"
            )
        overrides["run.period"] = args.period
    if overrides.get("run.period", "outlook") != "outlook" and steps is None:
        steps = HISTORY_MONTHS  # the whole history period, 2007-01 to 2024-12
    seed = args.seed if args.seed is not None else (seed if seed is not None else DEFAULT_SEED)
    steps = args.steps if args.steps is not None else (steps if steps is not None else DEFAULT_STEPS)
    check_run(steps, seed, flag="--")
    params = make_params(overrides)  # raises ParameterError before anything is written
    if not args.quiet:
        for warning in run_length_warnings(params, steps, warmup=False):  # the summary line says it
            print(f"warning: {warning}", file=sys.stderr)
    if rerun and not args.quiet:
        print(
            f"warning: the code changed since {args.from_dir} was made (commit {rerun['rerun_of']['git_commit']}); "
            "the numbers may differ from it (recorded in manifest.json as rerun_of)",
            file=sys.stderr,
        )
    out = Path(args.out) if args.out is not None else None
    if out is not None:
        check_new_folder(out)
    return _run_into(args, out, params, seed, steps, rerun)


def _run_into(args: argparse.Namespace, out: Path | None, params: Params, seed: int, steps: int, rerun: dict) -> int:
    """Run the model and publish its tables, manifest and figure as ``out`` (new or empty; by default
    results/run/<UTC stamp>), whole or not at all."""
    from sim.model.region import RegionModel
    from sim.runs.provenance import provenance, utc_now

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
        **rerun,
    }
    import matplotlib.pyplot as plt

    from sim.science.plots import plot_run

    with building(RESULTS / "run" if out is None else out.parent) as tmp:
        model.write_tables(tmp)  # timeseries.csv, agents.csv, actions.csv
        (tmp / "summary.json").write_text(json.dumps(model.summary(), indent=2) + "\n")
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n")
        changed = ", ".join(f"{k}={v}" for k, v in params.changed().items() if k != "shocks") or "defaults"
        fig = plot_run(table, title=f"seed {seed}; {changed}")
        fig.savefig(tmp / "metrics.png", dpi=120)
        plt.close(fig)
        out = publish(tmp, out)
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
