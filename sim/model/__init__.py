"""Everything that defines a run: ``RegionModel`` (``region.py``) and its schedule, the agents
(``agents/``, one module a kind), the sea areas (``areas.py``) and the Mesa space built from them
(``sea.py``), the ledger of actions (``ledger.py``), the
measurements (``metrics.py``), the parameters with units and sources (``params.py``) and their data
(``data/``), the documented events of 2007-2024 (``history.py``), the named random streams
(``streams.py``), the calendar, switches and ids the agents use (``world.py``), and the one place that
works around Mesa 3.3.1 (``mesa_compat.py``).

This floor imports nothing of ``sim`` outside itself. ``RegionModel`` is loaded when first asked for, so
that reading the parameters (``sim.model.params``) does not import Mesa.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.model.region import SCHEDULE, RegionModel

__all__ = ["SCHEDULE", "RegionModel"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from sim.model import region

        return getattr(region, name)
    raise AttributeError(f"module 'sim.model' has no attribute {name!r}")
