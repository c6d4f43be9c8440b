"""The fixed facts of the region, read once from ``sim/data`` and turned into arrays.

A :class:`World` holds what does not change during a run: which states exist, their memberships,
economies, coastlines and documented ties. Tests build tiny worlds by hand with :meth:`World.build`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from sim.params import DOMAINS, PARTNERS, Params

FORUMS: tuple[str, ...] = ("arf", "admm_plus", "eas")
#: tie kinds that make a bilateral dyad (exercises, access, commitments); all kinds count for alignment
BILATERAL_KINDS = frozenset({"access_agreement", "treaty_ally", "bilateral_partnership"})


@dataclass(frozen=True)
class StateRecord:
    """One row of ``sim/data/states.csv``, with the fields the model uses."""

    iso3: str
    name: str
    asean: bool
    forums: tuple[bool, bool, bool]  # ARF, ADMM-Plus, EAS
    recaap: bool
    gdp_usd: float
    milex_usd_million: float
    coastline_km: float


def _flag(text: str) -> bool:
    """A membership cell: '1' is a member; '0' or empty (no source found) is treated as not a member."""
    return text.strip() == "1"


@lru_cache(maxsize=1)
def load_states() -> tuple[StateRecord, ...]:
    """The 15 states of ``sim/data/states.csv``."""
    text = resources.files("sim.data").joinpath("states.csv").read_text(encoding="utf-8")
    return tuple(
        StateRecord(
            iso3=row["iso3"],
            name=row["state"],
            asean=_flag(row["asean_member"]),
            forums=(_flag(row["arf_member"]), _flag(row["admm_plus_member"]), _flag(row["eas_member"])),
            recaap=_flag(row["recaap_contracting_party"]),
            gdp_usd=float(row["gdp_current_usd"]),
            milex_usd_million=float(row["milex_current_usd_million"]),
            coastline_km=float(row["coastline_km"]),
        )
        for row in csv.DictReader(text.splitlines())
    )


@lru_cache(maxsize=1)
def load_ties() -> tuple[tuple[str, str, str], ...]:
    """Documented partner-member ties of ``sim/data/ties.csv`` as (partner, member, kind)."""
    text = resources.files("sim.data").joinpath("ties.csv").read_text(encoding="utf-8")
    return tuple((r["partner"], r["member"], r["kind"]) for r in csv.DictReader(text.splitlines()))


@dataclass(frozen=True, eq=False)
class World:
    """Arrays over partners (index p, in PARTNERS order) and ASEAN members (index i).

    Attributes:
        members: ISO3 codes of the ASEAN members in the run.
        exposure: (members, domains) share of each domain's regional arrivals falling on each member;
            every column sums to 1 (or 0 when no member is exposed).
        ties: (partners, members) number of documented ties.
        dyads: (partners, members) True where a bilateral dyad exists.
        forum_members: (channels, members) and forum_partners: (channels, partners) membership.
        recaap: (members,) True for ReCAAP contracting parties.
        milex_weight: (members,) sqrt of military spending relative to the largest member, in [0, 1].
        absorption: (members,) effort a member can absorb per month.
        dyad_share: (partners, members) share of a partner's bilateral effort each dyad member gets
            (split evenly over its dyads).
        forum_share: (channels, partners) share of a partner's forum effort each channel gets (split
            evenly over the channels it belongs to).
    """

    members: tuple[str, ...]
    names: tuple[str, ...]
    exposure: np.ndarray
    ties: np.ndarray
    dyads: np.ndarray
    forum_members: np.ndarray
    forum_partners: np.ndarray
    recaap: np.ndarray
    milex_weight: np.ndarray
    absorption: np.ndarray
    dyad_share: np.ndarray
    forum_share: np.ndarray

    @property
    def n(self) -> int:
        """Number of ASEAN members."""
        return len(self.members)

    @classmethod
    def from_data(cls, params: Params) -> World:
        """The region as recorded in ``sim/data``, with the parameter-dependent scalings applied."""
        records = [r for r in load_states() if r.asean]
        if not params["world.include_timor_leste"]:
            records = [r for r in records if r.iso3 != "TLS"]
        by_iso = {r.iso3: r for r in load_states()}
        return cls.build(
            members=[r.iso3 for r in records],
            names=[r.name for r in records],
            coastline_km=[r.coastline_km for r in records],
            gdp_usd=[r.gdp_usd for r in records],
            milex=[r.milex_usd_million for r in records],
            recaap=[r.recaap for r in records],
            forum_members=[r.forums for r in records],
            forum_partners=[by_iso[p].forums for p in PARTNERS],
            ties=load_ties(),
            params=params,
        )

    @classmethod
    def build(
        cls,
        *,
        members: list[str],
        coastline_km: list[float],
        gdp_usd: list[float],
        milex: list[float],
        params: Params,
        names: list[str] | None = None,
        recaap: list[bool] | None = None,
        forum_members: list[tuple[bool, bool, bool]] | None = None,
        forum_partners: list[tuple[bool, bool, bool]] | None = None,
        ties: tuple[tuple[str, str, str], ...] = (),
    ) -> World:
        """Build a world from plain lists (by default everyone is in every forum and in ReCAAP).

        Exposure: maritime arrivals fall on members in proportion to coastline_km ** exponent
        (landlocked states get none); other domains fall equally on every member.
        """
        n = len(members)
        coast = np.asarray(coastline_km, dtype=float)
        k = params["threats.coastline_exponent"]
        maritime = np.where(coast > 0, coast**k, 0.0)
        exposure = np.ones((n, len(DOMAINS))) / n
        exposure[:, 0] = maritime / maritime.sum() if maritime.sum() > 0 else 0.0
        tie_counts = np.zeros((len(PARTNERS), n))
        dyads = np.zeros((len(PARTNERS), n), dtype=bool)
        for partner, member, kind in ties:
            if member in members and partner in PARTNERS:
                p, i = PARTNERS.index(partner), members.index(member)
                tie_counts[p, i] += 1
                dyads[p, i] |= kind in BILATERAL_KINDS
        gdp = np.asarray(gdp_usd, dtype=float)
        spend = np.asarray(milex, dtype=float)
        fm = np.ones((n, 3), dtype=bool) if forum_members is None else np.asarray(forum_members, dtype=bool)
        fp = (
            np.ones((len(PARTNERS), 3), dtype=bool)
            if forum_partners is None
            else np.asarray(forum_partners, dtype=bool)
        )
        if params["forums.channels"] == "one":
            fm, fp = fm.any(axis=1, keepdims=True), fp.any(axis=1, keepdims=True)
        fm, fp = fm.T.copy(), fp.T.copy()  # (channels, members), (channels, partners)
        return cls(
            members=tuple(members),
            names=tuple(names or members),
            exposure=exposure,
            ties=tie_counts,
            dyads=dyads,
            forum_members=fm,
            forum_partners=fp,
            recaap=np.ones(n, dtype=bool) if recaap is None else np.asarray(recaap, dtype=bool),
            milex_weight=np.sqrt(spend / spend.max()),
            absorption=params["capacity.absorption"] * np.sqrt(gdp / gdp.max()),
            dyad_share=dyads / np.maximum(dyads.sum(axis=1, keepdims=True), 1),
            forum_share=fp / np.maximum(fp.sum(axis=0, keepdims=True), 1),
        )
