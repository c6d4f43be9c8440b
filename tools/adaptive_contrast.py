"""Adaptive against fixed partners: the contrast quoted in docs/ODD.md (section 1.2).

Run from the project root: ``python tools/adaptive_contrast.py [seeds]`` (default 20). For seeds 0..n-1 it runs
the default outlook (120 months) twice, with every partner in fixed mode (the default) and in adaptive mode
(``policy.<ISO3>.mode = "adaptive"``), the same seed for both (paired), and prints for each measurement the
mean of the paired differences (adaptive minus fixed) in run-to-run standard deviations of a run's mean (the
two settings' SDs, pooled). Nothing is written.
"""

from __future__ import annotations

import sys

import numpy as np

from sim import RegionModel
from sim.model.params import PARTNERS

MEASURES = ("offers", "asean_centrality", "asean_cohesion", "coercion", "incidents", "stability_index")
MONTHS = 120


def run_means(seed: int, mode: str) -> dict[str, float]:
    """Each measurement's mean over the outlook of one run."""
    modes = {f"policy.{iso3}.mode": mode for iso3 in PARTNERS}
    series = RegionModel(rng=seed, params=modes).run(MONTHS).series()
    return {m: float(np.mean(series[m])) for m in MEASURES}


def main(seeds: int) -> None:
    fixed = [run_means(seed, "fixed") for seed in range(seeds)]
    adaptive = [run_means(seed, "adaptive") for seed in range(seeds)]
    print(f"adaptive minus fixed partners, {seeds} paired seeds, {MONTHS} outlook months, in run SDs:")
    for m in MEASURES:
        a, f = np.array([r[m] for r in adaptive]), np.array([r[m] for r in fixed])
        sd = np.sqrt((a.var(ddof=1) + f.var(ddof=1)) / 2)
        print(f"  {m}: {(a - f).mean() / sd:+.2f} SDs (fixed {f.mean():.3g}, adaptive {a.mean():.3g})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
