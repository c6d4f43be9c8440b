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
from sim.runs.experiment import DEFAULT_SEED, DEFAULT_STEPS, Experiment, check_run, load_experiment
from sim.runs.results import Results, ResultsError


def run(*, seed: int = DEFAULT_SEED, steps: int = DEFAULT_STEPS, params: Any = None, **overrides: Any) -> RegionModel:
    """One run of ``steps`` outlook months; returns the model (its tables: ``timeseries()``,
    ``agent_table()``, ``ledger``; ``write_tables(folder)`` writes them as ``python -m sim run`` does).

    Raises:
        ParameterError: an unknown parameter, a wrong type or a value out of range (one line).
        InputError: ``steps`` or ``seed`` that the command line would refuse too (one line).
    """
    check_run(steps, seed)  # as the command line does
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
    from sim.runs.runner import Execution, Sweep

    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment, large=large)
    source = "" if isinstance(experiment, Experiment) else str(experiment)
    execution = Execution(executor, workers, scheduler)
    run = Sweep.create(exp, out, execution, large=large, quiet=quiet, argv=["(python api)"], experiment_file=source)
    run.finish()
    folder = run.store.folder
    return load_results(folder)


def load_results(folder: str | Path, *, series: bool = True, allow_partial: bool = False) -> Results:
    """The tables of a sweep's results folder (``runs``, ``design``, ``series``; see
    :func:`sim.runs.store.load_results`, which reads them). Needs the ``sweep`` extra.

    Raises:
        ResultsError: not a (complete) results folder, or a damaged table (one line).
    """
    from sim.runs.store import load_results as read

    return read(folder, series=series, allow_partial=allow_partial)


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
