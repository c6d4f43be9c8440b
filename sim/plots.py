"""Figures. Plot functions take tables and return matplotlib Figures; the model never imports this."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

# Okabe-Ito colour-blind-safe palette
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")

RUN_PANELS: tuple[tuple[str, str], ...] = (
    ("stability_index", "stability index (0-1)"),
    ("tension", "mean tension (0-1)"),
    ("resolution_rate", "incidents resolved (share)"),
    ("asean_cohesion", "ASEAN cohesion (0-1)"),
    ("asean_centrality", "routed via ASEAN (share)"),
    ("capacity_mean", "mean member capacity (0-1)"),
)


def plot_run(timeseries: pd.DataFrame, title: str = "") -> Figure:
    """The main stability metrics of one run over time, one panel each (x axis: month)."""
    fig, axes = plt.subplots(2, 3, figsize=(11, 5.5), sharex=True, layout="constrained")
    for ax, (metric, label), colour in zip(axes.flat, RUN_PANELS, PALETTE, strict=False):
        ax.plot(timeseries["step"], timeseries[metric], color=colour, lw=1.4)
        ax.set_title(label, fontsize=10)
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
    for ax in axes[1]:
        ax.set_xlabel("month")
    if title:
        fig.suptitle(title)
    return fig
