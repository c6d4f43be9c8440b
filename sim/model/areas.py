"""The sea's areas as data: ReCAAP's sea areas and the disputed features, read and checked.

An area is a ReCAAP area (where robbery happens and littoral states patrol) or a disputed feature
(where China's coast guard and a claimant meet); its neighbours share a sea boundary with it. The facts
come from ``sim/model/data/areas.csv``; ``sim/model/data/SOURCES.md`` says where each column comes from
and which are assumptions. ``sim/model/sea.py`` builds the Mesa space from these records.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

AREA_KINDS = ("recaap_area", "feature")


@dataclass(frozen=True)
class AreaRecord:
    """One row of ``sim/model/data/areas.csv``.

    Attributes:
        code: ReCAAP's area code (``SOMS``, ``SULU_CELEBES``...) or a feature's name (``SCARBOROUGH``).
        label: the name a reader knows.
        kind: ``recaap_area`` or ``feature``.
        lon, lat: where the app draws it, in degrees (a drawing position, not a boundary).
        littoral: ISO3 codes of the states that may patrol it.
        claimants: for a feature, the ASEAN states whose claim China's presence challenges.
        neighbours: codes of the areas that share a sea boundary with it.
    """

    code: str
    label: str
    kind: str
    lon: float
    lat: float
    littoral: tuple[str, ...]
    claimants: tuple[str, ...]
    neighbours: tuple[str, ...]


class AreaDataError(ValueError):
    """``areas.csv`` contradicts itself (an unknown neighbour, a one-way edge, a bad value)."""


def _codes(cell: str) -> tuple[str, ...]:
    return tuple(code for code in cell.split(";") if code)


def parse_areas(text: str) -> tuple[AreaRecord, ...]:
    """Parse and check the text of an areas file; raise :class:`AreaDataError` naming the problem."""
    records = []
    for line, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        try:
            record = AreaRecord(
                code=row["code"],
                label=row["label"],
                kind=row["kind"],
                lon=float(row["lon"]),
                lat=float(row["lat"]),
                littoral=_codes(row["littoral"]),
                claimants=_codes(row["claimants"]),
                neighbours=_codes(row["neighbours"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise AreaDataError(f"areas file line {line}: {exc}") from None
        if record.kind not in AREA_KINDS:
            raise AreaDataError(f"areas file line {line}: kind {record.kind!r} is not one of {AREA_KINDS}")
        if not (-180 <= record.lon <= 180 and -90 <= record.lat <= 90):
            raise AreaDataError(f"areas file line {line}: position {record.lon}, {record.lat} is off the globe")
        if record.kind == "feature" and not record.claimants:
            raise AreaDataError(f"areas file line {line}: feature {record.code} has no claimant")
        records.append(record)
    by_code = {r.code: r for r in records}
    if len(by_code) != len(records):
        raise AreaDataError("areas file: an area code appears twice")
    for r in records:
        for n in r.neighbours:
            if n not in by_code:
                raise AreaDataError(f"areas file: {r.code} names unknown neighbour {n}")
            if r.code not in by_code[n].neighbours:
                raise AreaDataError(f"areas file: {r.code} lists {n} as a neighbour but not the reverse")
    return tuple(records)


@lru_cache(maxsize=1)
def load_areas() -> tuple[AreaRecord, ...]:
    """The sea areas and features of ``sim/model/data/areas.csv``, checked."""
    return parse_areas(resources.files("sim.model.data").joinpath("areas.csv").read_text(encoding="utf-8"))
