"""An agent-based model of layered security cooperation in Southeast Asia (Mesa 3.3).

``sim.RegionModel`` is the model; ``sim.make_params`` builds validated parameters; ``sim.run``,
``sim.sweep`` and ``sim.analyze`` are the Python API (``sim/api.py``); ``sim.load_results(DIR)`` reads
a sweep's results as tidy tables; ``sim.shipped_experiments()`` lists the experiment files shipped with
the package and ``sim.copy_experiments(DIR)`` copies them to edit. See README.md.

The package is built in floors, each importing only the ones below it (the contracts in
``pyproject.toml`` keep it so):

- ``sim.model``: everything that defines a run (the model, its agents, parameters, data, metrics);
- ``sim.runs``: experiment files and designs, the runner and its executors, the results store;
- ``sim.science``: validation, calibration, analysis, reports and figures;
- the faces on top: ``sim.cli``, ``sim.api``, ``sim.app``, ``sim.ema``.

The names below are loaded when first used, so that ``import sim`` (and the command line's help) does
not pay for Mesa, pandas or pyarrow until something needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: where each public name lives
_EXPORTS = {
    "analyze": "sim.api",
    "run": "sim.api",
    "sweep": "sim.api",
    "RegionModel": "sim.model.region",
    "SCHEDULE": "sim.model.region",
    "SPECS": "sim.model.params",
    "ParameterError": "sim.model.params",
    "Params": "sim.model.params",
    "make_params": "sim.model.params",
    "copy_experiments": "sim.runs.shipped",
    "shipped_experiments": "sim.runs.shipped",
    "Results": "sim.runs.results",
    "load_results": "sim.api",
}
__all__ = [
    "SCHEDULE",
    "SPECS",
    "ParameterError",
    "Params",
    "RegionModel",
    "Results",
    "analyze",
    "copy_experiments",
    "load_results",
    "make_params",
    "run",
    "shipped_experiments",
    "sweep",
]

if TYPE_CHECKING:
    from sim.api import analyze, load_results, run, sweep
    from sim.model.params import SPECS, ParameterError, Params, make_params
    from sim.model.region import SCHEDULE, RegionModel
    from sim.runs.results import Results
    from sim.runs.shipped import copy_experiments, shipped_experiments


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
