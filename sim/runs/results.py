"""What a sweep's results folder holds, as tables (``Results``), and the error for a folder that is not one.
Reading a folder is the store's (``sim/runs/store.py``, which needs the ``sweep`` extra); this module needs
only pandas, so the figures of a single run can name the error without the store."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.model.params import InputError

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class Results:
    """A sweep's tables, tidy: one row per run (``runs``), per design point (``design``) and, when
    kept, per run and month (``series``)."""

    folder: Path
    runs: pd.DataFrame
    design: pd.DataFrame
    series: pd.DataFrame | None
    manifest: dict[str, Any]
    experiment_text: str

    @property
    def complete(self) -> bool:
        return self.manifest.get("status") == "complete"


class ResultsError(InputError):
    """A folder is not a (complete) results folder; one-line message."""
