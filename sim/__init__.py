"""An agent-based model of layered security cooperation in Southeast Asia (Mesa 3.3).

``sim.RegionModel`` is the model; ``sim.make_params`` builds validated parameters; see README.md.
"""

from sim.model import PHASES, RegionModel
from sim.params import SPECS, ParameterError, Params, make_params

__all__ = ["PHASES", "SPECS", "ParameterError", "Params", "RegionModel", "make_params"]
__version__ = "0.1.0"
