"""No transient in the outlook (issue 19): the spin-up (``run.spinup``) lets the fleets and the robbery
they suppress settle, so the default outlook starts from a steady state. The first 36 outlook months and
36 later months in which the same states chair ASEAN, compared in run-to-run standard deviations of a
36-month mean, stay within +-1 for robberies, coercion, the stability index and statements blocked.

Why the same chairs, not simply the last 36 months of 240 against the first 36 (the issue's wording): the
chair is a dated input (the real order, then the rotation), and coercion depends on it (a claimant in the
chair lowers it: 2.3 to 2.45 a month in claimant-chaired years against 2.6 to 3.1 otherwise, 40 seeds), so
windows with different chairs differ without any transient. Measured on 7 December 2026 (docs/ODD.md 5.3)
at ``run.spinup`` 480: seeds 0-19 last-minus-first coercion +1.02, robberies -0.46, index -0.09; with the
same chairs coercion +0.88, robberies +0.04, index -0.47. At 300 months the same-chairs figures were
robberies +1.12 and index -1.03 (seeds 0-19): robbery was still recovering from the trough it falls into
while the fleets grow, and a spin-up of 600 months gave the first 36 months the later months' level.

Twenty seeds, not the issue's ten: with ten, the statistic's own noise is about +-0.45 SD (sqrt(2/10)), so a
stationary model fails +-1 in a few per cent of seed sets. Version 2, with a 120-month spin-up, drifted by
+3.3 SDs in coercion, +3.1 in statements blocked and -2.2 in robberies."""

from __future__ import annotations

import numpy as np
import pytest

from sim import RegionModel
from sim.model.agents.asean import ROTATION, chair_of
from sim.model.params import SPECS

METRICS = ("incidents", "coercion", "stability_index", "statements_blocked")
WINDOW, MONTHS, SEEDS = 36, 240, range(20)
START = int(SPECS["run.start"].default[:4])  # the outlook's first year (it starts in January)


def same_chair_years(first: int, months: int = MONTHS) -> list[int]:
    """For each of the outlook's first WINDOW / 12 years, the first year at least ten years later, within
    ``months``, in which the same state chairs ASEAN (years counted from the outlook's first, 0)."""
    later = []
    for y in range(WINDOW // 12):
        chair = chair_of(first + y, ROTATION)
        match = next(k for k in range(y + 10, months // 12) if chair_of(first + k, ROTATION) == chair)
        later.append(match)
    return later


def paired_windows(series: dict[str, list[float]], later: list[int]) -> dict[str, list[float]]:
    """Each metric's first WINDOW months followed by its months in the years ``later``: the form
    :func:`drift` reads (first window, then the window it is compared with)."""

    def months(values, years):
        return [v for y in years for v in values[12 * y : 12 * y + 12]]

    return {m: months(series[m], range(WINDOW // 12)) + months(series[m], later) for m in METRICS}


def drift(series: list[dict[str, list[float]]], metric: str) -> float:
    """Mean over runs of (last window mean - first window mean), in run-to-run SDs of a window mean (the
    SDs of the first and of the last windows, pooled)."""
    first = np.array([np.mean(s[metric][:WINDOW]) for s in series])
    last = np.array([np.mean(s[metric][-WINDOW:]) for s in series])
    sd = np.sqrt((first.var(ddof=1) + last.var(ddof=1)) / 2)
    change = float((last - first).mean())
    if sd == 0.0:  # the same value in every run and both windows (no statement blocked, say): no drift
        return 0.0 if change == 0.0 else float("inf")
    return change / sd


def test_drift_is_measured_in_run_to_run_sds():
    rising = [{"x": list(np.r_[np.full(WINDOW, k), np.full(WINDOW, k + 2.0)])} for k in (0.0, 1.0, 2.0)]
    assert drift(rising, "x") == pytest.approx(2.0)  # a rise of 2 where window means differ by SD 1
    flat = [{"x": [k] * (2 * WINDOW)} for k in (0.0, 1.0, 2.0)]
    assert drift(flat, "x") == 0.0
    never = [{"x": [0.0] * (2 * WINDOW)} for _ in range(3)]
    assert drift(never, "x") == 0.0
    jump = [{"x": [0.0] * WINDOW + [1.0] * WINDOW} for _ in range(3)]
    assert drift(jump, "x") == float("inf")


def test_the_later_window_has_the_same_chairs():
    later = same_chair_years(START)
    assert later == [10, 12, 13]  # 2035, 2037, 2038: Malaysia, the Philippines, Singapore again (docs/ODD.md 5.3)
    assert [chair_of(START + y, ROTATION) for y in later] == [chair_of(START + y, ROTATION) for y in range(3)]
    windows = paired_windows({m: list(range(MONTHS)) for m in METRICS}, later)  # month k holds k
    assert windows["coercion"][:WINDOW] == list(range(WINDOW))
    assert windows["coercion"][WINDOW:] == [v for y in later for v in range(12 * y, 12 * y + 12)]


def test_the_spinup_outlasts_a_delivered_vessel():
    needed = (SPECS["instrument.capacity.lifetime"].default + SPECS["instrument.capacity.lead"].default
              + SPECS["routing.delay"].default)  # fmt: skip
    assert SPECS["run.spinup"].default >= needed


@pytest.mark.slow
def test_the_default_outlook_is_stationary():
    later = same_chair_years(START)
    series = [paired_windows(RegionModel(rng=seed).run(MONTHS).series(), later) for seed in SEEDS]
    drifts = {metric: drift(series, metric) for metric in METRICS}
    assert all(abs(d) <= 1.0 for d in drifts.values()), drifts
