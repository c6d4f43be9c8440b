"""An agent-based model of layered security cooperation in Southeast Asia (Mesa 3.3).

``sim.RegionModel`` is the model; ``sim.make_params`` builds validated parameters; ``sim.run``,
``sim.sweep`` and ``sim.analyze`` are the Python API (``sim/api.py``); ``sim.load_results(DIR)`` reads
a sweep's results as tidy tables; ``sim.shipped_experiments()`` lists the experiment files shipped with
the package and ``sim.copy_experiments(DIR)`` copies them to edit. See README.md.
"""

from sim.api import analyze, run, sweep
from sim.model import SCHEDULE, RegionModel
from sim.params import SPECS, ParameterError, Params, make_params
from sim.shipped import copy_experiments, shipped_experiments
from sim.store import Results, load_results

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
__version__ = "0.1.0"
