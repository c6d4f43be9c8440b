"""The figures of results/README.md, drawn from the committed tables of the sweeps over the posterior.

Run from the project root: ``python tools/findings_figures.py [results [out]]``. It writes five PNG files
(:data:`FIGURES`) into ``results/figures/`` and reads only what is committed (the raw runs are not in git):

- ``analysis/posterior_levels.csv`` of the sweeps results/README.md cites (:data:`FOLDERS`): each
  setting's median over posterior draws with the 5% and 95% quantiles over draws, and each setting's
  difference from the sweep's first setting (its baseline), taken within each draw;
- ``results/posterior-findings.md`` (written by ``tools/posterior_findings.py`` from the same runs) for
  what the levels tables cannot give: differences within each draw between two settings neither of which
  is the sweep's baseline (Japan's programme under each knockout, the US withdrawal under each support
  structure; quantiles of a difference are not differences of quantiles), and the share of draws in which
  each of Japan's choices is the lowest within its world (the threat mix).

Every figure shows a median over draws (dot or line) and the 5-95% range over draws (bar or band),
where a draw's value is a setting's mean over its replicates; differences are taken within each draw
(same parameters, same seeds). Nothing here runs the model.
"""

from __future__ import annotations

import math
import re
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.science.plots import PALETTE, STYLE

#: the sweeps results/README.md cites, by experiment (the folders its report links name)
FOLDERS = {
    "posterior": "posterior/20261202T192107Z",
    "mechanisms": "mechanisms-posterior/20261202T190759Z",
    "allocation": "allocation-posterior/20261202T191736Z",
    "coordination": "coordination-posterior/20261202T191357Z",
    "withdrawal": "withdrawal-posterior/20261202T191239Z",
    "threat_mix": "threat_mix-posterior/20261202T191601Z",
}
FINDINGS = "posterior-findings.md"

#: each measurement: its panel title, its short name, the unit of its axis and the unit after a level
MEASURES: dict[str, tuple[str, str, str, str]] = {
    "incidents_mean": ("Robberies at sea", "robberies", "robberies a month", " a month"),
    "coercion_mean": ("Coercion incidents", "coercion", "incidents a month", " a month"),
    "escalations_mean": ("Escalations", "escalations", "escalations a month", " a month"),
    "statements_blocked_mean": ("ASEAN statements blocked", "statements blocked", "statements a month", " a month"),
    "offers_declined_mean": ("Offers members decline", "offers declined", "offers a month", " a month"),
    "asean_cohesion_mean": ("ASEAN cohesion", "ASEAN cohesion", "index (0-1)", ""),
    "asean_centrality_mean": ("ASEAN centrality", "ASEAN centrality", "share via ASEAN (0-1)", ""),
    "stability_index_mean": ("Stability index", "stability index", "index (0-1)", ""),
}
#: the measurements' names in posterior-findings.md
FINDINGS_WORDS = {
    "robberies a month": "incidents_mean",
    "kidnappings a month": "kidnappings_mean",
    "coercion incidents a month": "coercion_mean",
    "escalations a month": "escalations_mean",
    "ASEAN statements blocked a month": "statements_blocked_mean",
    "offers declined a month": "offers_declined_mean",
    "ASEAN centrality (share)": "asean_centrality_mean",
    "ASEAN cohesion (0-1)": "asean_cohesion_mean",
    "members' hedging (0-1)": "hedging_mean",
    "stability index (0-1)": "stability_index_mean",
}

#: the figures' style: the house style, with every text at least 9.5 points in a figure 9 inches wide
FIGURE_STYLE = {**STYLE, "font.size": 10, "axes.titlesize": 10.5, "axes.labelsize": 10, "xtick.labelsize": 9.5,
                "ytick.labelsize": 10, "legend.fontsize": 10, "figure.titlesize": 11.5}  # fmt: skip
WIDTH = 9.0  # inches; GitHub shows a README's figure about 900 px wide, so a point is about a point
DPI = 150
DOT, BASE = PALETTE[0], "#333333"


# ---- reading the committed tables -----------------------------------------------------------------


def levels(root: Path, experiment: str) -> pd.DataFrame:
    """A sweep's ``analysis/posterior_levels.csv`` (one row per measurement and setting)."""
    path = root / FOLDERS[experiment] / "analysis" / "posterior_levels.csv"
    table = pd.read_csv(path)
    missing = {"metric", "level", "median", "q05", "q95", "diff_median", "diff_q05", "diff_q95", "baseline",
               "draws"} - set(table.columns)  # fmt: skip
    if missing:
        raise ValueError(f"{path}: no column {sorted(missing)}")
    return table


def against_baseline(table: pd.DataFrame, metric: str, names: dict[str, str]) -> pd.DataFrame:
    """The settings ``names`` (as stored -> as shown) of one measurement: their difference from the sweep's
    baseline within each draw (median, 5%, 95% over draws)."""
    rows = table[table["metric"] == metric].set_index("level")
    absent = [n for n in names if n not in rows.index]
    if absent:
        raise ValueError(f"no setting {absent} for {metric} (settings: {list(rows.index)})")
    out = []
    for name, label in names.items():
        r = rows.loc[name]
        out.append({"label": label, "median": float(r["diff_median"]), "q05": float(r["diff_q05"]),
                    "q95": float(r["diff_q95"]), "draws": int(r["draws"])})  # fmt: skip
    return pd.DataFrame(out)


_SECTION = re.compile(r"^## (\S+)\s*$", re.M)
_CONTRAST = re.compile(r"^\*\*(.+?)\*\* minus \*\*(.+?)\*\*", re.M)
_ITEM = re.compile(r"^- (.+?): (\S+) \[(\S+), (\S+)\]; below zero in (\d+)%$")


def _sections(text: str) -> dict[str, str]:
    parts = _SECTION.split(text)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def contrasts(path: Path) -> pd.DataFrame:
    """Every contrast of posterior-findings.md ("a minus b" within each draw): one row per experiment,
    pair and measurement, with the median, 5% and 95% quantiles over draws and the share below zero."""
    rows = []
    for experiment, body in _sections(path.read_text(encoding="utf-8")).items():
        stated = re.search(r"(\d+) posterior draws", body)
        draws = int(stated.group(1)) if stated else 0
        heads = list(_CONTRAST.finditer(body))
        ends = [h.start() for h in heads[1:]] + [len(body)] * bool(heads)
        for head, end in zip(heads, ends, strict=True):
            block = body[head.end() : end]
            for line in block.splitlines():
                m = _ITEM.match(line.strip())
                if m and m.group(1) in FINDINGS_WORDS:
                    rows.append({"experiment": experiment, "a": head.group(1), "b": head.group(2),
                                 "metric": FINDINGS_WORDS[m.group(1)], "median": float(m.group(2)),
                                 "q05": float(m.group(3)), "q95": float(m.group(4)),
                                 "share_below": int(m.group(5)) / 100, "draws": draws})  # fmt: skip
    return pd.DataFrame(rows)


def lowest_within_worlds(path: Path) -> pd.DataFrame:
    """The threat mix's "share of draws in which each of Japan's choices is the lowest" within each world
    (posterior-findings.md): one row per world, choice and measurement."""
    body = _sections(path.read_text(encoding="utf-8"))["threat_mix"]
    rows = []
    for block in re.split(r"^Within the ", body, flags=re.M)[1:]:
        world = block.split(" world", 1)[0]
        table = [line for line in block.splitlines() if line.startswith("|")]
        header = [c.strip() for c in table[0].strip("|").split("|")]
        for line in table[2:]:
            cells = [c.strip() for c in line.strip("|").split("|")]
            for words, cell in zip(header[1:], cells[1:], strict=True):
                rows.append({"world": world, "choice": cells[0].split(", ", 1)[1],
                             "metric": FINDINGS_WORDS[words], "share": int(cell.rstrip("%")) / 100})  # fmt: skip
    return pd.DataFrame(rows)


def pick(table: pd.DataFrame, experiment: str, pairs: dict[tuple[str, str], str], metric: str) -> pd.DataFrame:
    """The contrasts ``pairs`` ((a, b) -> label shown) of one experiment and measurement, in that order."""
    rows = table[(table["experiment"] == experiment) & (table["metric"] == metric)].set_index(["a", "b"])
    absent = [p for p in pairs if p not in rows.index]
    if absent:
        raise ValueError(f"posterior-findings.md has no contrast {absent} for {metric} in {experiment}")
    picked = rows.loc[list(pairs)].reset_index()
    picked["label"] = list(pairs.values())
    return picked


# ---- drawing ----------------------------------------------------------------------------------------


def _signed(ax: Axes, axis: str = "x") -> None:
    """Signed tick labels without exponents ('+0.1', '0', '-0.05'): three or four ticks inside the limits
    where a locator gives that many, else the fewest it gives (never five crowded labels)."""
    which = ax.xaxis if axis == "x" else ax.yaxis
    lo, hi = ax.get_xlim() if axis == "x" else ax.get_ylim()

    def inside(bins: int) -> list[float]:
        return [v for v in MaxNLocator(nbins=bins, steps=[1, 2, 2.5, 5, 10]).tick_values(lo, hi) if lo <= v <= hi]

    bins = next((b for b in (3, 4, 5) if 3 <= len(inside(b)) <= 4), 3)
    ticks = inside(bins)
    which.set_major_locator(MaxNLocator(nbins=bins, steps=[1, 2, 2.5, 5, 10]))
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    exponent = math.floor(math.log10(step) + 1e-9)
    decimals = max(0, -exponent + (1 if round(step / 10**exponent, 6) == 2.5 else 0))
    which.set_major_formatter(FuncFormatter(lambda v, _pos: "0" if abs(v) < step / 1e6 else f"{v:+.{decimals}f}"))


def _whiskers(ax: Axes, rows: pd.DataFrame, title: str, xlabel: str, labels: bool) -> None:
    """One dot-and-whisker panel: each row's median (dot) and 5-95% range over draws (bar), and zero."""
    y = np.arange(len(rows))[::-1]
    mid = rows["median"].to_numpy(dtype=float)
    err = np.vstack([mid - rows["q05"].to_numpy(dtype=float), rows["q95"].to_numpy(dtype=float) - mid])
    ax.axvline(0.0, color=BASE, lw=0.9, zorder=1)
    ax.errorbar(mid, y, xerr=np.clip(err, 0, None), fmt="o", color=DOT, ms=5.5, capsize=2.5, lw=1.6, zorder=3)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    span = max(abs(rows["q05"].min()), abs(rows["q95"].max()), 1e-9)
    lo, hi = min(rows["q05"].min(), 0.0), max(rows["q95"].max(), 0.0)
    ax.set_xlim(lo - 0.08 * span, hi + 0.08 * span)
    _signed(ax)
    ax.set_yticks(y, list(rows["label"]) if labels else [])
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="y", alpha=0)
    ax.set_title(title, loc="left")
    ax.set_xlabel(xlabel)


def _note(ax: Axes, text: str) -> None:
    """A reading key in an empty panel: it covers no data."""
    ax.axis("off")
    ax.text(0.0, 0.96, text, transform=ax.transAxes, va="top", ha="left", fontsize=9.5, color="#333333")


def _panels(fig: Figure | SubFigure, metrics: Sequence[str], ncols: int) -> list[Axes]:
    nrows = -(-len(metrics) // ncols)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    return list(axes.flat)


def _dot_panels(
    fig: Figure | SubFigure,
    tables: dict[str, pd.DataFrame],
    titles: dict[str, str],
    ncols: int,
    note: str | None = None,
    xlabel: str = "change, {unit}",
) -> list[Axes]:
    """One dot-and-whisker panel per measurement (``tables``: metric -> rows); tick labels of the
    settings on the first panel of each row of panels; a reading key in the first empty panel."""
    metrics = list(tables)
    axes = _panels(fig, metrics, ncols)
    for k, (ax, metric) in enumerate(zip(axes, metrics, strict=False)):
        _whiskers(ax, tables[metric], titles[metric], xlabel.format(unit=MEASURES[metric][2]), labels=k % ncols == 0)
    for k, ax in enumerate(axes[len(metrics) :]):
        if k == 0 and note:
            _note(ax, note)
        else:
            ax.set_visible(False)
    return axes


def _level(value: float) -> str:
    """A level as results/README.md writes it: three significant figures, two below 0.1."""
    return f"{value:.2g}" if abs(value) < 0.1 else f"{value:.3g}"


def _figure(height: float) -> Figure:
    return plt.figure(figsize=(WIDTH, height), layout="constrained")


def _key(draws: int) -> str:
    """The reading key of a dot-and-whisker figure, wrapped to fit a panel."""
    return "\n".join(
        textwrap.fill(line, 30)
        for line in (f"Dot: the median over {draws} posterior draws of the change within each draw (same "
                     "parameters, same seeds).", "Bar: its 5-95% range over draws.", "Vertical line: no change.")
    )  # fmt: skip


# ---- the figures ---------------------------------------------------------------------------------------

KNOCKOUTS = {
    "none": "no knockout",
    "China ignores cooperation": "China ignores cooperation",
    "China ignores alignment": "China ignores alignment",
    "members accept all": "members accept every offer",
}
MECHANISM_METRICS = ("incidents_mean", "coercion_mean", "escalations_mean", "statements_blocked_mean",
                     "asean_cohesion_mean", "asean_centrality_mean", "stability_index_mean")  # fmt: skip


def programme_figure(found: pd.DataFrame, mechanisms: pd.DataFrame) -> Figure:
    """Section 1: Japan's whole programme (all four layers minus none) under no knockout and each knockout,
    one panel per measurement; each title gives the value without Japan's programme and without knockout."""
    pairs = {(f"all four layers, {k}", f"none, {k}"): words for k, words in KNOCKOUTS.items()}
    tables = {m: pick(found, "mechanisms", pairs, m) for m in MECHANISM_METRICS}
    without = mechanisms[mechanisms["level"] == "none, none"].set_index("metric")["median"]
    titles = {m: f"{MEASURES[m][0]}\n{_level(without[m])}{MEASURES[m][3]} without Japan" for m in MECHANISM_METRICS}
    draws = int(next(iter(tables.values()))["draws"].iloc[0])
    fig = _figure(7.4)
    _dot_panels(fig, tables, titles, ncols=3, note=_key(draws))
    fig.suptitle("What Japan's whole programme (USD 134 m a year, four layers) changes, with each decision of "
                 "China's\nor the members switched off in turn (knockouts): all four layers minus none",
                 ha="left", x=0.01)  # fmt: skip
    return fig


SINGLE = {"none": "nothing", "Quad only": "Quad only", "bilateral only": "bilateral only",
          "forums only": "forums only", "capacity only": "capacity building only"}  # fmt: skip
_SPLIT = "quad 0.00 / bilateral 0.00 / forums {f:.2f} / capacity {c:.2f}"
SPLITS = {
    **{_SPLIT.format(f=f, c=1 - f): f"{f:.0%} forums, {1 - f:.0%} capacity" for f in (0.25, 0.5, 0.75)},
    _SPLIT.format(f=1.0, c=0.0): "all in forums",
    "quad 0.25 / bilateral 0.25 / forums 0.25 / capacity 0.25": "even split (25% each)",
}
LAYER_METRICS = ("incidents_mean", "coercion_mean", "asean_cohesion_mean", "stability_index_mean")


def layers_figure(single: pd.DataFrame, split: pd.DataFrame) -> Figure:
    """Section 2: Japan's whole budget in one layer against all four layers (top), and splits of the
    budget against everything in capacity building (bottom); one panel per measurement, the reference
    setting's levels in each half's title."""
    fig = _figure(6.9)
    grid = fig.add_gridspec(2, 1, hspace=0.06)
    halves = [fig.add_subfigure(grid[k]) for k in range(2)]
    for sub, table, names, what, ref in (
        (halves[0], single, SINGLE, "Japan's whole budget (USD 134 m a year) in one layer", "all four layers"),
        (halves[1], split, SPLITS, "Japan's budget split between layers", "all in capacity building"),
    ):
        tables = {m: against_baseline(table, m, names) for m in LAYER_METRICS}
        base = table[table["level"] == table["baseline"].iloc[0]].set_index("metric")["median"]
        _dot_panels(sub, tables, {m: MEASURES[m][0] for m in LAYER_METRICS}, ncols=4, xlabel="{unit}")
        values = ", ".join(f"{MEASURES[m][1]} {_level(base[m])}{MEASURES[m][3]}"
                           for m in LAYER_METRICS)  # fmt: skip
        sub.suptitle(f"{what}, minus {ref} ({int(table['draws'].max())} posterior draws)\n"
                     f"With {ref}: {values}", ha="left", x=0.01, fontsize=10.5)  # fmt: skip
    fig.supxlabel("Dot: the median over posterior draws of the difference within each draw (same parameters, same "
                  "seeds);\nbar: its 5-95% range over draws; vertical line: no difference.", fontsize=9.5,
                  color="#333333", x=0.01, ha="left")  # fmt: skip
    return fig


ROUTED = "asean_coordination={share}, quad=True, bilateral=True"
ROUTING_METRICS = ("asean_centrality_mean", "asean_cohesion_mean", "coercion_mean", "escalations_mean",
                   "incidents_mean", "offers_declined_mean", "stability_index_mean")  # fmt: skip


def routing_figure(coordination: pd.DataFrame) -> Figure:
    """Section 3: the share of Japan's cooperation routed through ASEAN-led mechanisms (x) against none
    routed (Quad and bilateral layers on): median over draws (line) and 5-95% over draws (band)."""
    kept = {x for x in coordination["level"] if x.endswith(", quad=True, bilateral=True")}
    shares = sorted(float(x.split(",")[0].split("=")[1]) for x in kept)
    names = {ROUTED.format(share=s): f"{s:g}" for s in shares}
    fig = _figure(5.8)
    axes = _panels(fig, ROUTING_METRICS, 4)
    for ax, metric in zip(axes, ROUTING_METRICS, strict=False):
        rows = against_baseline(coordination, metric, names)
        ax.axhline(0.0, color=BASE, lw=0.9)
        ax.fill_between(shares, rows["q05"], rows["q95"], color=DOT, alpha=0.22, lw=0)
        ax.plot(shares, rows["median"], color=DOT, lw=1.8, marker="o", ms=4)
        ax.set_title(MEASURES[metric][0], loc="left")
        ax.set_ylabel(f"change, {MEASURES[metric][2]}")
        ax.set_xticks([0, 0.5, 1], ["0", "0.5", "1"])
        ax.set_xlim(-0.04, 1.04)
        ax.set_xlabel("share routed via ASEAN")
        lo, hi = min(rows["q05"].min(), 0.0), max(rows["q95"].max(), 0.0)
        ax.set_ylim(lo - 0.08 * (hi - lo), hi + 0.08 * (hi - lo))
        _signed(ax, "y")
    draws = int(coordination["draws"].max())
    _note(axes[-1], f"The change against\nrouting none, within\neach draw.\n\nLine: the median over\n{draws} "
                    "posterior draws.\nBand: the 5-95% range\nover draws.")  # fmt: skip
    fig.suptitle("Routing Japan's cooperation through ASEAN-led mechanisms: the change against routing none of "
                 "it\n(Quad and bilateral layers on; share routed from 0 to 1)", ha="left", x=0.01)  # fmt: skip
    return fig


STRUCTURES = {
    ("diversified", "fixed"): "diversified support,\nfixed partners",
    ("diversified", "adaptive"): "diversified support,\nadaptive partners",
    ("concentrated", "fixed"): "support concentrated\non the US, fixed partners",
    ("concentrated", "adaptive"): "support concentrated\non the US, adaptive partners",
}
WITHDRAWAL_METRICS = ("offers_declined_mean", "incidents_mean", "coercion_mean", "asean_cohesion_mean",
                      "stability_index_mean")  # fmt: skip


def withdrawal_figure(found: pd.DataFrame) -> Figure:
    """Section 4: the effect of a US withdrawal in January 2030 (withdrawal minus none) under each
    support structure, one panel per measurement."""
    pairs = {(f"{s}, {m}, USA in 2030-01", f"{s}, {m}, none"): words for (s, m), words in STRUCTURES.items()}
    tables = {m: pick(found, "withdrawal", pairs, m) for m in WITHDRAWAL_METRICS}
    titles = {m: MEASURES[m][0] for m in WITHDRAWAL_METRICS}
    draws = int(next(iter(tables.values()))["draws"].iloc[0])
    fig = _figure(5.6)
    _dot_panels(fig, tables, titles, ncols=3, note=_key(draws))
    fig.suptitle("What a US withdrawal in January 2030 changes, under each support structure: withdrawal minus "
                 "none", ha="left", x=0.01)  # fmt: skip
    return fig


WORLDS = {"default": ("default world", "o"), "piracy-heavy": ("piracy-heavy world", "s"),
          "coercion-heavy": ("coercion-heavy world", "^")}  # fmt: skip
CHOICES = {"all four layers": "all four layers", "quad only": "Quad only", "bilateral only": "bilateral only",
           "forums only": "forums only", "capacity only": "capacity building only"}  # fmt: skip
THREAT_METRICS = {"incidents_mean": "Fewest robberies", "coercion_mean": "Least coercion",
                  "escalations_mean": "Fewest escalations"}  # fmt: skip


def threat_figure(lowest: pd.DataFrame, draws: int) -> Figure:
    """Section 5: in each world, the share of draws in which each of Japan's choices gives the lowest value
    of a measurement (one panel per measurement; one marker per world)."""
    fig = plt.figure(figsize=(WIDTH, 3.9), layout=ConstrainedLayoutEngine(wspace=0.06))  # room after '100%'
    axes = fig.subplots(1, len(THREAT_METRICS), sharey=True)
    y = np.arange(len(CHOICES))[::-1]
    offsets = dict(zip(WORLDS, (0.22, 0.0, -0.22), strict=True))
    for ax, metric in zip(axes, THREAT_METRICS, strict=True):
        for (world, (words, marker)), colour in zip(WORLDS.items(), (PALETTE[0], PALETTE[1], PALETTE[3]), strict=True):
            rows = lowest[(lowest["world"] == world) & (lowest["metric"] == metric)].set_index("choice")
            share = rows.loc[list(CHOICES), "share"].to_numpy(dtype=float)
            yy = y + offsets[world]
            ax.hlines(yy, 0, 100 * share, color=colour, lw=1.4)
            ax.plot(100 * share, yy, marker, color=colour, ms=6, label=words, ls="none")
        ax.set_xlim(-3, 103)
        ax.set_xticks([0, 25, 50, 75, 100], ["0", "25%", "50%", "75%", "100%"])
        ax.set_ylim(-0.6, len(CHOICES) - 0.4)
        ax.set_title(THREAT_METRICS[metric], loc="left")
        ax.set_xlabel("share of draws")
        ax.grid(axis="y", alpha=0)
        ax.tick_params(axis="y", length=0)
    axes[0].set_yticks(y, list(CHOICES.values()))
    handles = [Line2D([], [], marker=mk, color=c, ls="none", ms=6, label=w)
               for (w, mk), c in zip(WORLDS.values(), (PALETTE[0], PALETTE[1], PALETTE[3]), strict=True)]  # fmt: skip
    fig.legend(handles=handles, loc="outside lower center", ncols=3, frameon=False)
    fig.suptitle(f"Which of Japan's choices gives the lowest value, within each world: the share of {draws} "
                 "posterior draws\nin which it does", ha="left", x=0.01)  # fmt: skip
    return fig


#: each figure's file in results/figures/ and the heading of the section of results/README.md it belongs in
FIGURES = {
    "programme-and-knockouts.png": "## 1. ",
    "layers-and-split.png": "## 2. ",
    "routing.png": "## 3. ",
    "withdrawal.png": "## 4. ",
    "threat-mix.png": "## 5. ",
}


def draw_all(root: Path) -> dict[str, Figure]:
    """Every figure, by file name (:data:`FIGURES`), from the committed tables under ``root`` (the
    results folder)."""
    found = contrasts(root / FINDINGS)
    lowest = lowest_within_worlds(root / FINDINGS)
    with plt.rc_context(FIGURE_STYLE):
        return {
            "programme-and-knockouts.png": programme_figure(found, levels(root, "mechanisms")),
            "layers-and-split.png": layers_figure(levels(root, "posterior"), levels(root, "allocation")),
            "routing.png": routing_figure(levels(root, "coordination")),
            "withdrawal.png": withdrawal_figure(found),
            "threat-mix.png": threat_figure(lowest, int(levels(root, "threat_mix")["draws"].max())),
        }


def main(argv: list[str]) -> int:
    """``[results [out]]``: read the tables under ``results`` (default ``results``), write the figures into
    ``out`` (default ``results/figures``)."""
    root = Path(argv[0]) if argv else Path("results")
    out = Path(argv[1]) if len(argv) > 1 else root / "figures"
    out.mkdir(parents=True, exist_ok=True)
    for name, fig in draw_all(root).items():
        with plt.rc_context(FIGURE_STYLE):
            fig.savefig(out / name, dpi=DPI, bbox_inches="tight", pad_inches=0.08)
        plt.close(fig)
        print(f"wrote {out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
