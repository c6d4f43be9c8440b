"""Parameter sets drawn from a calibration's posterior: what a ``posterior`` design runs over, and what the
calibration's predictive check runs. It lives below both (experiment files here, calibration in
``sim/science/``) so neither has to import the other."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd


def draw_posterior(posterior: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """``n`` parameter sets drawn by weight (with replacement) from a posterior table (one column per
    parameter, plus ``weight`` and, from a calibration, ``distance``), numbered 0 to n - 1."""
    rng = np.random.default_rng(seed)
    w = posterior["weight"].to_numpy()
    idx = rng.choice(len(posterior), size=n, p=w / w.sum())
    return posterior.drop(columns=["weight", "distance"], errors="ignore").iloc[idx].reset_index(drop=True)
