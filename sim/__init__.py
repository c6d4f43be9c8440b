"""An agent-based model of layered security cooperation in Southeast Asia (Mesa 3.3).

``sim.RegionModel`` is the model; ``sim.make_params`` builds validated parameters; ``sim.run``,
``sim.sweep`` and ``sim.analyze`` are the Python API (``sim/api.py``); ``sim.load_results(DIR)`` reads
a sweep's results as tidy tables. See README.md.
"""

from sim.api import analyze, run, sweep
from sim.model import SCHEDULE, RegionModel
from sim.params import SPECS, ParameterError, Params, make_params
from sim.store import Results, load_results

__all__ = [
    "SCHEDULE",
    "SPECS",
    "ParameterError",
    "Params",
    "RegionModel",
    "Results",
    "analyze",
    "load_results",
    "make_params",
    "run",
    "sweep",
]
__version__ = "0.1.0"
