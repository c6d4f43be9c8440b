"""Version 2 of the model (issue 8): agents that decide and exchange actions in a sea of areas.

Work in progress beside version 1 (``sim/model.py``), which the CLI, experiments and app still use
until version 2 replaces it. ``RegionModel`` is in ``sim/region/model.py``; each kind of agent has
its module: ``partners.py``, ``members.py``, ``china.py``, ``asean.py``.
"""

from sim.region.model import RegionModel

__all__ = ["RegionModel"]
