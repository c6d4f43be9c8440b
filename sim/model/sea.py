"""The sea as a Mesa network space, built from the area records of ``sim/model/areas.py``.

Each cell of the :class:`~mesa.discrete_space.Network` is a :class:`SeaArea`; edges join areas that share
a sea boundary: displacement of criminal groups and the reach of a patrol follow them. The model
(``sim/model/region.py``) places members' patrols, robbery and China's presence on this space.
"""

from __future__ import annotations

from random import Random

import networkx as nx
from mesa.discrete_space import Cell, Network

from sim.model.areas import AreaRecord, load_areas


class SeaArea(Cell):
    """A cell of the sea: a ReCAAP area or a disputed feature. Its facts are in ``self.area``."""

    area: AreaRecord


def build_sea(records: tuple[AreaRecord, ...] | None = None, random: Random | None = None) -> Network:
    """The sea as a Mesa network space whose cells are :class:`SeaArea`, keyed by area code.

    Args:
        records: the areas (default: the shipped ones). Tests pass tiny hand-built seas.
        random: the model's ``random`` (Mesa's convention), so cell-level draws are seeded.
    """
    records = load_areas() if records is None else records
    graph = nx.Graph()
    graph.add_nodes_from(r.code for r in records)
    graph.add_edges_from((r.code, n) for r in records for n in r.neighbours)
    sea = Network(graph, random=random, cell_klass=SeaArea)
    for r in records:
        sea[r.code].area = r
    return sea


def features(sea: Network) -> list[SeaArea]:
    """The disputed features of a sea, in file order."""
    return [cell for cell in sea.all_cells if cell.area.kind == "feature"]


def recaap_areas(sea: Network) -> list[SeaArea]:
    """The ReCAAP sea areas of a sea, in file order."""
    return [cell for cell in sea.all_cells if cell.area.kind == "recaap_area"]
