"""The one place where the model works around Mesa 3.3.1, each workaround with the Mesa issue it answers.

Both workarounds keep finished models collectable: a sweep makes thousands of models in one worker,
and Mesa 3.3.1 holds on to each of them through class-level state. They touch nothing else of Mesa
and change no result. Mesa is pinned (``pyproject.toml``); on another version this module refuses to
load, so that whoever upgrades checks each workaround against the new Mesa (both issues are fixed
upstream after 3.3.1) and deletes the ones it no longer needs.
"""

from __future__ import annotations

import mesa
from mesa.discrete_space import Cell

#: the Mesa version these workarounds were written for and tested on
WRITTEN_FOR = "3.3.1"

if mesa.__version__ != WRITTEN_FOR:
    raise ImportError(
        f"sim/model/mesa_compat.py works around Mesa {WRITTEN_FOR}, but Mesa {mesa.__version__} is installed: "
        "check each workaround against it (mesa#3179, mesa#3061) and update the pin in pyproject.toml"
    )


def forget_model_ids(model: mesa.Model) -> None:
    """Drop ``model`` from ``mesa.Agent._ids``, the class-level counter of agent ids keyed by model, which
    would otherwise keep every model of a sweep alive (mesa#3179, fixed by mesa#3180 after 3.3.1).
    Agents created afterwards must be given their ids by the model (``World.new_id``)."""
    mesa.Agent._ids.pop(model, None)


def neighbours(cell: Cell) -> list[Cell]:
    """A cell's direct neighbours, from its ``connections``. ``Cell.neighborhood`` would give the same
    cells, but Mesa 3.3.1 computes it through ``Cell.get_neighborhood``, a ``functools.cache`` on the
    class that keeps every cell, and so every space and model, alive (mesa#3061)."""
    return list(cell.connections.values())
