"""The Python API beside the command line: one run, a sweep, its analysis.

    import sim

    model = sim.run(seed=1, steps=120, **{"policy.JPN.mode": "adaptive"})   # a RegionModel, in memory
    model.timeseries(); model.agent_table(); model.ledger.rows()

    res = sim.sweep("experiments/layering.toml", workers=2)                 # results/layering/<stamp>/
    res.runs                                                                # one row per run (pandas)
    report = sim.analyze(res)                                               # tables, figures, report.md

The sweep is the command line's (``python -m sim sweep``): the same folder layout, manifest, seeds and
results, resumable with ``python -m sim sweep --resume DIR``. It works from scripts, notebooks and
standard input (``python - < script.py``): the workers import only the package, never the caller's
``__main__``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.model.region import RegionModel
from sim.runs.experiment import DEFAULT_SEED, DEFAULT_STEPS, Experiment, load_experiment
from sim.runs.results import Results, ResultsError


def run(*, seed: int = DEFAULT_SEED, steps: int = DEFAULT_STEPS, params: Any = None, **overrides: Any) -> RegionModel:
    """One run of ``steps`` outlook months; returns the model (its tables: ``timeseries()``,
    ``agent_table()``, ``ledger``; ``write_tables(folder)`` writes them as ``python -m sim run`` does).

    Raises:
        ParameterError: an unknown parameter, a wrong type or a value out of range (one line).
    """
    return RegionModel(rng=seed, params=params, **overrides).run(steps)


def sweep(
    experiment: str | Path | Experiment,
    *,
    out: str | Path | None = None,
    workers: int | None = None,
    executor: str = "process",
    scheduler: str | None = None,
    large: bool = False,
    quiet: bool = True,
) -> Results:
    """Run every run of an experiment (a TOML file, or an ``Experiment`` loaded from one) into a new
    results folder (``out``, new or empty; default ``results/<name>/<UTC stamp>``) and return its results.

    Raises:
        ExperimentError: the experiment file is invalid.
        ValueError: the design is past the size limit (pass ``large=True``), the folder is not empty, or no
            Dask scheduler answers at ``scheduler``.
    """
    from sim.runs.folders import check_new_folder, results_folder
    from sim.runs.runner import Execution, Sweep, check_design_size, check_scheduler

    execution = Execution(executor, workers, scheduler)  # an unknown executor is refused here
    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
    check_design_size(exp, large=large)
    if out is not None:
        check_new_folder(Path(out))
    if scheduler:
        check_scheduler(scheduler)  # it answers before anything is written
    folder = results_folder(Path("results"), exp.name) if out is None else Path(out)
    source = "" if isinstance(experiment, Experiment) else str(experiment)
    from sim.runs.store import load_results

    Sweep.create(exp, folder, execution, quiet=quiet, argv=["(python api)"], experiment_file=source).finish()
    return load_results(folder)


def analyze(results: Results | str | Path, *, baseline: int | str = 0, metrics: tuple[str, ...] = ()) -> Path:
    """Write the tables (``analysis/*.csv``), figures and ``report.md`` of a finished sweep, with
    differences from design point ``baseline`` (id or label) and ``metrics`` reported first; returns the
    report's path."""
    from sim.science.report import analyze as write_analysis

    folder = Path(results.folder) if isinstance(results, Results) else Path(results)
    if not folder.is_dir():
        raise ResultsError(f"results folder not found: {folder}")
    write_analysis(folder, baseline=baseline, metrics=metrics)
    return folder / "report.md"
