"""Figures. Plot functions take tables and return matplotlib Figures; the model never imports this.

The tables come from ``sim.science.analysis`` (one function per figure is named in each docstring). Every
figure uses one style (:data:`STYLE`), the Okabe-Ito colour-blind-safe :data:`PALETTE`, axis labels
with units, and legends in words. Save with :func:`savefig`.
"""

from __future__ import annotations

import functools
import math
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from cycler import cycler
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.model.metrics import BOUNDED, METRICS
from sim.model.params import LAYERS, PARTNERS, SPECS
from sim.runs.results import ResultsError

# Okabe-Ito colour-blind-safe palette
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")

RUN_PANELS: tuple[tuple[str, str], ...] = (
    ("incidents", "robberies a month"),
    ("coercion", "coercion incidents a month"),
    ("ccg_shipdays", "China's ship-days at the features"),
    ("offers_declined", "offers declined a month"),
    ("asean_centrality", "share taken through ASEAN (0-1)"),
    ("stability_index", "stability index (0-1)"),
)


def plot_run(timeseries: pd.DataFrame, title: str = "") -> Figure:
    """The main measurements of one run over time, one panel each; a 12-month moving mean over the
    monthly values (x axis: the calendar year)."""
    fig, axes = plt.subplots(2, 3, figsize=(11, 5.5), sharex=True, layout="constrained")
    parts = timeseries["date"].str.split("-", n=1, expand=True).astype(int)
    when = parts[0] + (parts[1] - 1) / 12  # any year the model runs, not only those pandas can date
    for ax, (metric, label), colour in zip(axes.flat, RUN_PANELS, PALETTE, strict=False):
        ax.plot(when, timeseries[metric], color=colour, lw=0.6, alpha=0.45)
        ax.plot(when, timeseries[metric].rolling(12, min_periods=1).mean(), color=colour, lw=1.6)
        ax.set_title(label, fontsize=10)
        ax.set_ylim(bottom=0, top=1.02 if metric in BOUNDED else None)
        ax.grid(alpha=0.3)
    years = list(range(math.ceil(when.min()), math.floor(when.max()) + 1)) if len(when) else []
    ticks, labels = years[:: max(1, -(-len(years) // 6))], None  # every year, or every second...: at most six
    if not ticks and len(when):  # a run that never reaches a January: its first month
        ticks, labels = [when.iloc[0]], [timeseries["date"].iloc[0]]
    for ax in axes.flat:  # every panel has its years, not only the bottom row
        ax.set_xticks(ticks, labels=labels or [str(y) for y in ticks])
        ax.xaxis.set_tick_params(labelbottom=True)
    for ax in axes[1]:
        ax.set_xlabel("year")
    if title:
        fig.suptitle(title)
    return fig


# ---- style and words ----------------------------------------------------------------------------

#: matplotlib settings shared by every figure below (applied only while a figure is drawn)
STYLE: dict[Any, Any] = {  # (Any keys: matplotlib types rcParams names as literals)
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "font.size": 9.5,
    "axes.titlesize": 10.5,
    "axes.labelsize": 9.5,
    "legend.fontsize": 8.5,
    "legend.title_fontsize": 8.5,
    "figure.titlesize": 12,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.prop_cycle": cycler(color=PALETTE),
}

#: tie and layer colours (Okabe-Ito, as in sim/app.py)
LAYER_COLOURS: dict[str, str] = {"quad": "#0072B2", "bilateral": "#D55E00", "forums": "#009E73", "capacity": "#E69F00"}
LAYER_NAMES: dict[str, str] = {
    "quad": "Quad",
    "bilateral": "bilateral",
    "forums": "ASEAN-led forums",
    "capacity": "capacity building",
}
PARTNER_NAMES: dict[str, str] = {"JPN": "Japan", "USA": "the US", "AUS": "Australia", "IND": "India"}
MEMBER_COLOUR = "#56B4E9"
PARTNER_COLOUR = "#4d4d4d"
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES = ("-", "--", "-.", ":")

#: each metric in words, with its unit
METRIC_LABELS: dict[str, str] = {
    "incidents": "robberies per month",
    "coercion": "coercion incidents per month",
    "ccg_shipdays": "China's ship-days at the features per month",
    "escalations": "escalations per month",
    "statements_sought": "ASEAN statements sought per month",
    "statements_blocked": "ASEAN statements blocked per month",
    "offers": "offers per month",
    "offers_declined": "offers declined per month",
    "offers_routed": "offers routed via ASEAN per month",
    "offers_direct": "direct offers per month",
    "joint_patrol_areas": "sea areas patrolled jointly",
    "stability_index": "stability index (0-1)",
    "asean_cohesion": "ASEAN cohesion (0-1)",
    "asean_centrality": "share of cooperation taken via ASEAN (0-1)",
    "asean_agreement": "ASEAN's record of agreeing (0-1)",
    "hedging": "hedging (0-1)",
    "forum_power": "forum power (0-1)",
}
SUMMARY_WORDS: dict[str, str] = {
    "_mean": "mean after warm-up",
    "_final": "final month",
    "_drop": "drop after the shock (positive = worse)",
}


# ---- values in their units ------------------------------------------------------------------------

#: a parameter's unit (sim/model/params.py) in words, for axis labels: "USD/year" -> "USD a year"
_PER = {"month": "a month", "year": "a year", "member-year": "a member a year", "exercise": "an exercise",
        "initiative": "an initiative", "vessel": "a vessel"}  # fmt: skip


def unit_words(unit: str) -> str:
    """A parameter's unit in words: 'USD/year' -> 'USD a year', 'ship-days/month' -> 'ship-days a month',
    'raids/fighter/month' -> 'raids per fighter a month', '1/month' -> 'per month', 'share' -> 'share
    (0-1)'; other units as they are."""
    if unit == "share":
        return "share (0-1)"
    head, *pers = unit.split("/")
    if not pers:
        return unit
    words = [_PER.get(per, f"per {per}") for per in pers]
    if head == "1":
        return " ".join(w if w.startswith("per ") else "per " + w.split(" ", 1)[1] for w in words[:1]) + (
            " " + " ".join(words[1:]) if len(words) > 1 else ""
        )
    return " ".join([head, *words])


def usd(value: float) -> str:
    """An amount of US dollars as a reader says it: 'USD 268 m', 'USD 4.5 m', 'USD 950 k', 'USD 1.2 bn'."""
    v = abs(float(value))
    sign = "-" if value < 0 else ""
    for size, word in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if v >= size:
            number = v / size
            text = f"{number:.0f}" if number >= 100 or number == round(number) else f"{number:.3g}"
            return f"USD {sign}{text} {word}"
    return f"USD {sign}{v:g}"


def _unit_of(name: str) -> str | None:
    """The unit of a parameter given by its dotted name or by its last part ('budget' ->
    'USD/year'), when that part names parameters of one unit only."""
    if name in SPECS:
        return SPECS[name].unit
    units = {spec.unit for key, spec in SPECS.items() if key.rsplit(".", 1)[-1] == name}
    return units.pop() if len(units) == 1 else None


def format_value(name: str, value: Any) -> str:
    """A parameter's value in its unit, as a reader says it, e.g. ('policy.JPN.budget', 268e6) ->
    'USD 268 m a year'; ('china.shipdays', 180.0) -> '180 ship-days a month'; switches as on/off;
    shares as percentages. ``name`` may be the dotted name or its last part ('budget'); a value of a
    name without a known unit is written with %g."""
    unit = _unit_of(name) or ""
    if isinstance(value, (bool, np.bool_)) or unit == "switch":
        text = str(value)
        return "on" if text == "True" else "off" if text == "False" else text
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if unit.startswith("USD"):
        per = unit.partition("/")[2]
        return usd(v) + (f" {_PER.get(per, 'per ' + per)}" if per else "")
    if unit == "share":
        return f"{100 * v:.3g}%"
    if unit in ("", "choice", "weight", "utility", "exponent", "multiple", "probability", "traffic"):
        return f"{v:g}"
    return f"{v:g} {unit_words(unit)}"


def usd_axis(axis: Any) -> None:
    """Tick labels of an axis in USD as a reader says them ('USD 67 m', not '6.7e+07')."""
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: usd(v) if v else "0"))


# ---- legends that cover no data ---------------------------------------------------------------------

#: the places inside the axes a legend is tried in, in order, before it goes outside
LEGEND_PLACES = ("upper left", "upper right", "lower left", "lower right", "upper center", "lower center",
                 "center left", "center right")  # fmt: skip


def data_points(ax: Any, per_segment: int = 20) -> np.ndarray:
    """What is drawn in an axes, as points in display coordinates: the vertices of lines (with
    ``per_segment`` points along each segment), the markers of scatters and error bars, the corners of
    bars and the outlines of bands. Reference lines spanning the axes (axhline, axvline) are left out."""
    parts: list[np.ndarray] = []
    for line in ax.get_lines():
        xy = np.asarray(line.get_xydata(), dtype=float)
        if not line.get_visible() or len(xy) == 0:
            continue
        if line.get_transform() != ax.transData:  # axhline / axvline: in axes coordinates on one side
            continue
        xy = line.get_transform().transform(xy)
        if len(xy) > 1 and line.get_linestyle() not in ("None", "", " "):
            t = np.linspace(0, 1, per_segment, endpoint=False)[:, None, None]
            xy = np.vstack([(xy[:-1] + t * (xy[1:] - xy[:-1])).reshape(-1, 2), xy[-1:]])
        parts.append(xy)
    for coll in ax.collections:
        if not coll.get_visible():
            continue
        offsets = np.asarray(coll.get_offsets(), dtype=float)
        if len(offsets) and coll.get_offset_transform() is not None and len(coll.get_paths()) <= 1:
            parts.append(coll.get_offset_transform().transform(offsets))
        for path in coll.get_paths():
            vertices = path.vertices
            if len(vertices):
                parts.append(coll.get_transform().transform(vertices))
    for patch in ax.patches:
        if patch.get_visible():
            parts.append(patch.get_transform().transform(patch.get_path().vertices))
    if not parts:
        return np.empty((0, 2))
    points = np.vstack(parts)
    return points[np.isfinite(points).all(axis=1)]


def covers(bbox: Any, points: np.ndarray, pad: float = 2.0) -> bool:
    """Whether a box in display coordinates (a legend's window extent) contains any of the points."""
    if len(points) == 0:
        return False
    x, y = points[:, 0], points[:, 1]
    inside = (x >= bbox.x0 - pad) & (x <= bbox.x1 + pad) & (y >= bbox.y0 - pad) & (y <= bbox.y1 + pad)
    return bool(inside.any())


def place_legend(ax: Any, handles: Sequence[Any] | None = None, **kwargs: Any) -> Any:
    """A legend in the first place inside the axes (:data:`LEGEND_PLACES`) where it covers nothing
    drawn (:func:`data_points`); outside the axes on the right when every place covers something (the
    figure is then made wider by the legend's width). Labels given twice are shown once."""
    fig = ax.figure
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    else:
        labels = [h.get_label() for h in handles]
    unique = dict(zip(labels, handles, strict=True))  # the last handle of each label
    handles, labels = list(unique.values()), list(unique.keys())
    fig.canvas.draw()  # the layout settles first: points and legend in their final places
    points = data_points(ax)
    renderer = fig.canvas.get_renderer()
    for loc in LEGEND_PLACES:
        legend = ax.legend(handles, labels, loc=loc, **kwargs)
        if not covers(legend.get_window_extent(renderer), points):
            return legend
        legend.remove()
    legend = ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, **kwargs)
    width = legend.get_window_extent(renderer).width / fig.dpi  # the figure grows by it: the axes keep their width
    fig.set_figwidth(fig.get_figwidth() + width + 0.1)
    return legend


def _base_metric(column: str) -> tuple[str, str]:
    """(metric, summary suffix) of a column: 'capacity_mean_final' -> ('capacity_mean', '_final')."""
    if column in METRICS:
        return column, ""
    for suffix in ("_mean", "_final", "_drop", "_recovery"):
        if column.endswith(suffix) and column[: -len(suffix)] in METRICS:
            return column[: -len(suffix)], suffix
    return column, ""


def metric_label(column: str) -> str:
    """A metric or summary column in words with its unit, e.g. 'stability index (0-1), mean after warm-up'."""
    base, suffix = _base_metric(column)
    words = METRIC_LABELS.get(base)
    if words is None:
        words = re.sub(r"^(incidents|coercion)_(\w+)$", r"\1 in \2 per month", base).replace("_", " ")
        words = words.replace("incidents in", "robberies in")
    if suffix == "_recovery":
        return f"months for {words.split(' (')[0]} to recover after the shock"
    return f"{words}, {SUMMARY_WORDS[suffix]}" if suffix else words


def factor_label(name: str) -> str:
    """A design factor in words: 'policy.JPN.quad' -> "Japan's Quad layer"; other parameters by name
    with their unit; bundle factors as named."""
    m = re.fullmatch(r"policy\.([A-Z]{3})\.(\w+)(?:\.(\w+))?", name)
    if m:
        who = PARTNER_NAMES.get(m.group(1), m.group(1))
        field, sub = m.group(2), m.group(3)
        if field in LAYERS and sub is None:
            return f"{who}'s {LAYER_NAMES[field]} layer"
        if field == "allocation" and sub in LAYERS:
            return f"{who}'s weight on the {LAYER_NAMES[sub]} layer"
        if field == "asean_coordination":
            return f"{who}'s share of offers routed via ASEAN (0-1)"
        if field == "budget":
            return f"{who}'s budget (USD a year)"
    if name in SPECS:
        return f"{name} ({unit_words(SPECS[name].unit)})"
    return name.replace("_", " ")


def level_label(level: Any, name: str | None = None) -> str:
    """A factor level in words: switches as on/off; with the factor's ``name``, a number in its unit
    (:func:`format_value`: 'USD 268 m a year'); other numbers with %g."""
    if name is not None and _unit_of(name) is not None:
        if not isinstance(level, str):
            return format_value(name, level)
        parts = level.split(" - ")  # a contrast, 'high - low'
        if all(re.fullmatch(r"[-+0-9.eE]+|True|False", p) for p in parts):
            return " - ".join(format_value(name, p == "True" if p in ("True", "False") else float(p)) for p in parts)
    text = str(level)
    text = re.sub(r"\bTrue\b", "on", re.sub(r"\bFalse\b", "off", text))
    if isinstance(level, (float, np.floating)):
        return f"{level:g}"
    return text


def _part_label(part: str) -> str:
    """One 'name=value' part of a design point's label in words: 'budget=268000000.0' -> 'budget
    USD 268 m a year', 'quad=True' -> 'quad on'; other parts as they are."""
    m = re.fullmatch(r"([\w.]+)=(.+)", part)
    if not m or _unit_of(m.group(1)) is None:
        return part
    name, raw = m.groups()
    value: Any = raw
    if raw in ("True", "False"):
        value = raw == "True"
    else:
        try:
            value = float(raw)
        except ValueError:
            return part
    return f"{name.replace('_', ' ')} {format_value(name, value)}"


def short_label(label: str, width: int = 34) -> str:
    """A design point's label made readable: 'quad=True, bilateral=False' -> 'quad on, bilateral off'
    (with three switches or more, only what is on is listed), numbers in their units ('budget=268000000.0'
    -> 'budget USD 268 m a year'), wrapped at ``width`` characters."""
    parts = [p.strip() for p in str(label).split(",")]
    switches = [re.fullmatch(r"([\w.]+)=(True|False)", p) for p in parts]
    others = [_part_label(p) for p, m in zip(parts, switches, strict=True) if not m]
    found = [m for m in switches if m]
    if len(found) >= 3:
        on = [m.group(1) for m in found if m.group(2) == "True"]
        summary = ("on: " + ", ".join(on)) if on else "none on"
        if len(on) == len(found):
            summary = "all on: " + ", ".join(on)
        text = ", ".join([*others, summary])
    else:
        text = ", ".join(f"{m.group(1)} {'on' if m.group(2) == 'True' else 'off'}" if m else _part_label(p)
                         for p, m in zip(parts, switches, strict=True))  # fmt: skip
    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=False)) or text


def _wrap(text: str, width: int = 40) -> str:
    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=False))


def _cap(text: str) -> str:
    """Sentence case for titles: the first letter upper case."""
    return text[:1].upper() + text[1:]


def _metric_words(metric: str) -> str:
    """A metric's name in words without the summary suffix, for titles."""
    base = _base_metric(metric)[0]
    return METRIC_LABELS.get(base, base.replace("_", " "))


def styled(func: Callable[..., Figure]) -> Callable[..., Figure]:
    """Draw the figure with :data:`STYLE`."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Figure:
        with plt.rc_context(STYLE):
            return func(*args, **kwargs)

    return wrapper


def savefig(fig: Figure, path: str | Path, dpi: int = 150) -> Path:
    """Save a figure (PNG, PDF or SVG by the suffix) with the house style's resolution and tight bounds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with plt.rc_context(STYLE):
        fig.savefig(path, dpi=dpi, bbox_inches="tight")
    return path


def _pick_metric(table: pd.DataFrame, metric: str | None, column: str = "metric") -> tuple[pd.DataFrame, str]:
    """The rows of one metric: the one given, or the only one in the table."""
    if column not in table.columns:
        raise ResultsError(f"the table has no {column!r} column")
    if metric is None:
        found = list(dict.fromkeys(table[column]))
        if len(found) != 1:
            raise ResultsError(f"the table holds {len(found)} metrics ({', '.join(map(str, found[:5]))}); give metric=")
        metric = found[0]
    rows = table[table[column] == metric]
    if rows.empty:
        raise ResultsError(f"the table has no rows for metric {metric!r}")
    return rows, str(metric)


def _need(table: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ResultsError(f"{what}: the table has no column {', '.join(map(repr, missing))}")


def _err(rows: pd.DataFrame, centre: str = "mean") -> np.ndarray:
    """Asymmetric error bar lengths from ci_low/ci_high (0 where the interval is undefined)."""
    lo = (rows[centre] - rows["ci_low"]).to_numpy(dtype=float)
    hi = (rows["ci_high"] - rows[centre]).to_numpy(dtype=float)
    return np.nan_to_num(np.vstack([lo, hi]), nan=0.0)


# ---- over time ----------------------------------------------------------------------------------


@styled
def timeseries_bands(
    table: pd.DataFrame,
    metric: str | None = None,
    *,
    title: str | None = None,
    shock_step: int | None = None,
    max_lines: int = 8,
) -> Figure:
    """A metric over the months of the runs: mean (line) and 95% band per design point or group.

    Args:
        table: ``sim.science.analysis.series_stats`` (columns label, step, mean, ci_low, ci_high, metric).
        shock_step: draws a dashed line at this month.
        max_lines: more groups than this are drawn as small multiples, one panel each, over the mean of
            all groups in grey.
    """
    rows, metric = _pick_metric(table, metric)
    _need(rows, ["label", "step", "mean", "ci_low", "ci_high"], "timeseries_bands")
    known = ("point_id", "label", "metric", "step", "n", "mean", "sd", "ci_low", "ci_high")
    by = None if "point_id" in rows.columns else next((c for c in rows.columns if c not in known), None)
    if by is not None:  # grouped by a design column (series_stats(by=...)): say which, in words
        rows = rows.assign(label=[level_label(v, by) for v in rows[by]])
    groups = list(dict.fromkeys(rows["label"]))
    ylabel = metric_label(metric)
    legend_title = "design point (mean and 95% band)" if by is None else f"{factor_label(by)} (mean and 95% band)"
    if len(groups) <= max_lines:
        fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
        axes = [ax]
        for k, g in enumerate(groups):
            r = rows[rows["label"] == g]
            colour = PALETTE[k % len(PALETTE)]
            ax.fill_between(r["step"], r["ci_low"], r["ci_high"], color=colour, alpha=0.18, lw=0)
            ax.plot(
                r["step"], r["mean"], color=colour, lw=1.6, ls=LINESTYLES[k // len(PALETTE) % 4], label=short_label(g)
            )
        ax.set_xlabel("month of the run")
        ax.set_ylabel(ylabel)
        if _base_metric(metric)[0] in BOUNDED:  # a 0-1 measure: its bands are cut at what it can reach
            ax.set_ylim(0, 1.02)
        place_legend(ax, title=_wrap(legend_title, 50), frameon=False)
    else:
        ncols = 4
        nrows = -(-len(groups) // ncols)
        fig, grid = plt.subplots(
            nrows, ncols, figsize=(12, 2.3 * nrows + 0.8), sharex=True, sharey=True, layout="constrained", squeeze=False
        )
        overall = rows.groupby("step")["mean"].mean()
        axes = list(grid.flat)
        for ax, g in zip(axes, groups, strict=False):
            r = rows[rows["label"] == g]
            ax.plot(overall.index, overall.to_numpy(), color="#999999", lw=1.0, label="mean of all points")
            ax.fill_between(r["step"], r["ci_low"], r["ci_high"], color=PALETTE[0], alpha=0.25, lw=0)
            ax.plot(r["step"], r["mean"], color=PALETTE[0], lw=1.4, label="this point (mean, 95% band)")
            ax.set_title(short_label(g, 30), fontsize=8.5)
        for ax in axes[len(groups) :]:
            ax.set_visible(False)
        for ax in grid[:, 0]:
            ax.set_ylabel(_wrap(ylabel, 28))
        for ax in axes[: len(groups)]:  # every panel has its months and values, not only the bottom row
            ax.xaxis.set_tick_params(labelbottom=True)
            ax.yaxis.set_tick_params(labelleft=True)
        for k in range(max(0, len(groups) - ncols), len(groups)):  # the lowest visible panel of each column
            axes[k].set_xlabel("month of the run")
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncols=2, frameon=False)
        title = title or f"{_cap(_metric_words(metric))} over time, one panel per design point"
    if shock_step is not None:
        for ax in axes:
            if ax.get_visible():
                ax.axvline(shock_step, color="black", lw=0.9, ls="--")
        axes[0].annotate(
            "shock", (shock_step, 1), xycoords=("data", "axes fraction"), xytext=(3, -10), textcoords="offset points"
        )
    fig.suptitle(title or f"{_cap(_metric_words(metric))} over time")
    return fig


@styled
def shock_response_curves(
    curves: pd.DataFrame, effects: pd.DataFrame | None = None, *, metric: str | None = None, title: str | None = None
) -> Figure:
    """A metric in the months around a shock: mean and 95% band per design point, month 0 the shock.

    Args:
        curves: ``sim.science.analysis.shock_curves``.
        effects: optional ``sim.science.analysis.shock_effects``; its drop and share recovered are added to the
            legend of the shocked points.
    """
    rows, metric = _pick_metric(curves, metric)
    _need(rows, ["label", "month", "mean", "ci_low", "ci_high"], "shock_response_curves")
    fig, ax = plt.subplots(figsize=(9, 6), layout="constrained")
    eff = {}
    if effects is not None and len(effects):
        sel = effects[effects["metric"] == _base_metric(metric)[0]]
        eff = {r.point_id: r for r in sel.itertuples()}
    colours: dict[Any, str] = {}
    for point_id, r in rows.groupby("point_id", sort=True):
        pair = r["pair"].iloc[0] if "pair" in r.columns and not pd.isna(r["pair"].iloc[0]) else ("point", point_id)
        colour = colours.setdefault(pair, PALETTE[len(colours) % len(PALETTE)])
        label = short_label(r["label"].iloc[0], 50)
        e = eff.get(point_id)
        if e is not None:
            ci = "" if np.isnan(e.drop_ci_low) else f" (95% CI {e.drop_ci_low:+.3g} to {e.drop_ci_high:+.3g})"
            label += f"\ndrop {e.drop_mean:+.3g}{ci};\nrecovered in {e.n_recovered} of {e.n} runs"
        shocked = bool(r["shocked"].iloc[0]) if "shocked" in r.columns else (e is not None or not eff)
        ax.fill_between(r["month"], r["ci_low"], r["ci_high"], color=colour, alpha=0.15 if shocked else 0.07, lw=0)
        ax.plot(r["month"], r["mean"], color=colour, lw=1.8 if shocked else 1.3, ls="-" if shocked else "--",
                label=label + ("" if shocked else " (no shock)"))  # fmt: skip
    ax.axvline(0, color="black", lw=0.9, ls=":")
    ax.annotate("shock", (0, 1), xycoords=("data", "axes fraction"), xytext=(3, -10), textcoords="offset points")
    ax.set_xlabel("months since the shock (0 = the month it happens)")
    ax.set_ylabel(metric_label(metric))
    if _base_metric(metric)[0] in BOUNDED:  # a 0-1 measure: its bands are cut at what it can reach
        ax.set_ylim(0, 1.02)
    legend_title = (
        "design point: mean and 95% band over replications\ndashed, same colour: the same design without the shock"
    )
    if eff:
        legend_title += "\ndrop = pre-shock level minus the worst window mean after it (positive = worse)"
    ax.legend(title=legend_title, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=2, frameon=False)
    smooth = int(rows["smooth"].iloc[0]) if "smooth" in rows.columns else 1
    note = f" ({smooth}-month running mean)" if smooth > 1 else ""
    ax.set_title(title or f"{_cap(_metric_words(metric))} around the shock{note}")
    return fig


# ---- design points and comparisons ----------------------------------------------------------------


@styled
def point_means_plot(stats: pd.DataFrame, metric: str | None = None, *, title: str | None = None) -> Figure:
    """Each design point's mean of a metric with its 95% interval (``sim.science.analysis.point_stats``), sorted."""
    rows, metric = _pick_metric(stats, metric)
    rows = rows.sort_values("mean")
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.32 * len(rows)), layout="constrained")
    y = np.arange(len(rows))
    ax.errorbar(rows["mean"], y, xerr=_err(rows), fmt="o", color=PALETTE[0], ms=4, capsize=2, lw=1)
    ax.set_yticks(y, [short_label(v, 60) for v in rows["label"]])
    ax.set_xlabel(metric_label(metric))
    ax.grid(axis="y", alpha=0)
    ax.set_title(title or f"{_cap(metric_label(metric))}: by design point (mean, 95% CI)")
    return fig


@styled
def differences_plot(diffs: pd.DataFrame, metric: str | None = None, *, title: str | None = None) -> Figure:
    """Each design point minus the baseline, paired by replicate (``sim.science.analysis.paired_differences``):
    mean difference and 95% interval, sorted; a line at zero (no difference)."""
    rows, metric = _pick_metric(diffs, metric)
    _need(rows, ["label", "mean_diff", "ci_low", "ci_high"], "differences_plot")
    rows = rows.sort_values("mean_diff")
    fig, ax = plt.subplots(figsize=(8, 1.4 + 0.32 * len(rows)), layout="constrained")
    y = np.arange(len(rows))
    ax.axvline(0, color="black", lw=0.8)
    ax.errorbar(rows["mean_diff"], y, xerr=_err(rows, "mean_diff"), fmt="o", color=PALETTE[3], ms=4, capsize=2, lw=1)
    ax.set_yticks(y, [short_label(v, 60) for v in rows["label"]])
    ax.grid(axis="y", alpha=0)
    ax.set_xlabel(f"difference in {metric_label(metric)}\n(point minus baseline, same seeds)")
    base = f"\nbaseline: {short_label(rows['baseline_label'].iloc[0], 80)}" if "baseline_label" in rows.columns else ""
    ax.set_title(title or f"{_cap(_metric_words(metric))}: difference from the baseline (mean, 95% CI){base}")
    return fig


# ---- factorial designs ----------------------------------------------------------------------------


@styled
def main_effects_plot(main_effects: pd.DataFrame, metric: str | None = None, *, title: str | None = None) -> Figure:
    """Main effects (``sim.science.analysis.factorial_effects``, first table): for each factor, each level's mean
    minus the mean of all design points, with 95% intervals; the high-minus-low contrast is written in
    the panel of each two-level factor."""
    rows, metric = _pick_metric(main_effects, metric)
    _need(rows, ["factor", "level", "kind", "effect", "ci_low", "ci_high"], "main_effects_plot")
    factors = list(dict.fromkeys(rows["factor"]))
    ncols = min(4, len(factors))
    nrows = -(-len(factors) // ncols)
    fig, grid = plt.subplots(
        nrows, ncols, figsize=(3.2 * ncols + 0.8, 3.4 * nrows + 0.6), sharey=True, layout="constrained", squeeze=False
    )
    for ax, f in zip(grid.flat, factors, strict=False):
        r = rows[(rows["factor"] == f) & (rows["kind"] == "level")]
        x = np.arange(len(r))
        ax.axhline(0, color="black", lw=0.8)
        ax.plot(x, r["effect"], color=PALETTE[0], lw=1, alpha=0.5)
        ax.errorbar(x, r["effect"], yerr=_err(r, "effect"), fmt="o", color=PALETTE[0], capsize=3, ms=5)
        labels = [level_label(v, f) for v in r["level"]]
        long = max((len(s) for s in labels), default=0) > 8 or len(labels) > 4
        ax.set_xticks(x, [_wrap(s, 16) for s in labels], rotation=30 if long else 0, ha="right" if long else "center")
        ax.set_xlim(-0.5, len(r) - 0.5)
        ax.set_title(_wrap(factor_label(f), 30))
        c = rows[(rows["factor"] == f) & (rows["kind"] == "contrast")]
        if len(c):
            c = c.iloc[0]
            ci = "" if np.isnan(c["ci_low"]) else f"\n(95% CI {c['ci_low']:+.3g} to {c['ci_high']:+.3g})"
            ax.set_xlabel(f"{level_label(c['level'], f).replace(' - ', ' minus ')}: {c['effect']:+.3g}{ci}")
    for ax in list(grid.flat)[len(factors) :]:
        ax.set_visible(False)
    for ax in list(grid.flat)[: len(factors)]:  # shared values, but each panel shows them
        ax.yaxis.set_tick_params(labelleft=True)
    for ax in grid[:, 0]:
        ax.set_ylabel(_wrap("level mean minus the mean of all design points", 30))
    fig.suptitle(title or f"Main effects on {metric_label(metric)}\n(mean and 95% CI over replications)")
    return fig


@styled
def interaction_plot(
    cells: pd.DataFrame,
    x: str,
    lines: str | Sequence[str],
    metric: str | None = None,
    *,
    interactions: pd.DataFrame | None = None,
    title: str | None = None,
) -> Figure:
    """Cell means of two (or more) factors (``sim.science.analysis.cell_means``): the levels of ``x`` along the
    axis, one line per level (or combination of levels) of ``lines``, with 95% intervals. Parallel lines
    mean no interaction. With ``interactions`` (``factorial_effects``, second table), the 2x2 interaction
    contrast is written on the figure."""
    rows, metric = _pick_metric(cells, metric)
    lines = [lines] if isinstance(lines, str) else list(lines)
    _need(rows, [x, *lines, "mean", "ci_low", "ci_high"], "interaction_plot")
    xs = list(dict.fromkeys(rows[x]))
    pos = {v: k for k, v in enumerate(xs)}
    fig, ax = plt.subplots(figsize=(7.5, 4.6), layout="constrained")
    combos = rows[lines].drop_duplicates()
    for k, (_, combo) in enumerate(combos.iterrows()):
        mask = np.logical_and.reduce([(rows[f] == combo[f]).to_numpy() for f in lines])
        r = rows[mask]
        offset = (k - (len(combos) - 1) / 2) * 0.06
        label = ", ".join(
            f"{LAYER_NAMES.get(f.rsplit('.', 1)[-1], factor_label(f))} {level_label(combo[f], f)}"
            if f.startswith("policy.") and f.rsplit(".", 1)[-1] in LAYERS
            else f"{factor_label(f)}: {level_label(combo[f], f)}"
            for f in lines
        )
        ax.errorbar(
            [pos[v] + offset for v in r[x]], r["mean"], yerr=_err(r), color=PALETTE[k % len(PALETTE)],
            marker=MARKERS[k % len(MARKERS)], ls=LINESTYLES[k // len(PALETTE) % 4], capsize=3, ms=5, lw=1.4,
            label=label,
        )  # fmt: skip
    ax.set_xticks(range(len(xs)), [level_label(v, x) for v in xs])
    ax.set_xlabel(factor_label(x))
    ax.set_ylabel(metric_label(metric))
    ax.legend(
        title=_wrap(" and ".join(factor_label(f) for f in lines), 36),
        frameon=False,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
    )
    subtitle = "bars: 95% CI over replications; parallel lines mean no interaction"
    if interactions is not None and len(lines) == 1:
        sel = interactions[
            (interactions["metric"] == metric)
            & (interactions["kind"] == "contrast")
            & (
                ((interactions["factor_a"] == x) & (interactions["factor_b"] == lines[0]))
                | ((interactions["factor_a"] == lines[0]) & (interactions["factor_b"] == x))
            )
        ]
        if len(sel):
            c = sel.iloc[0]
            ci = "" if np.isnan(c["ci_low"]) else f" (95% CI {c['ci_low']:+.3g} to {c['ci_high']:+.3g})"
            la, lb = (c["level_a"], c["level_b"]) if c["factor_a"] == x else (c["level_b"], c["level_a"])
            high_b, _, low_b = level_label(lb).partition(" - ")
            subtitle = (
                f"interaction: the effect of {factor_label(x)} ({level_label(la).replace(' - ', ' minus ')}) "
                f"changes by {c['effect']:+.3g}{ci}\nwhen {factor_label(lines[0])} goes from {low_b} to {high_b}; "
                "parallel lines mean no interaction"
            )
    ax.set_title(subtitle, fontsize=8.5)
    fig.suptitle(
        title
        or _wrap(
            f"{_cap(metric_label(metric))}, by {', '.join(factor_label(f) for f in [x, *lines])}",
            90,
        )
    )
    return fig


# ---- Japan's layers ---------------------------------------------------------------------------------

ROW_COMBOS = ((True, True), (True, False), (False, True), (False, False))


SHORT_LAYER: dict[str, str] = {"quad": "Quad", "bilateral": "bilateral", "forums": "forums", "capacity": "capacity"}


def _onoff(a: str, va: bool, b: str, vb: bool) -> str:
    return f"{SHORT_LAYER[a]} {'on' if va else 'off'}\n{SHORT_LAYER[b]} {'on' if vb else 'off'}"


@styled
def layering_heatmap(
    table: pd.DataFrame,
    metric: str | None = None,
    *,
    facet: str | None = None,
    partner: str = "JPN",
    title: str | None = None,
    cmap: str = "viridis",
) -> Figure:
    """A metric at every combination of a partner's active layers (``sim.science.analysis.layer_combinations``):
    a 4 x 4 grid, Quad and bilateral switches in rows, forums and capacity switches in columns, each cell
    annotated with the mean and the half-width of its 95% interval. Combinations not run are grey; the
    all-layers-on cell is outlined. ``facet`` draws one grid per level of that column (e.g. a threat mix).
    """
    rows, metric = _pick_metric(table, metric)
    _need(rows, [*LAYERS, "mean", "ci_low", "ci_high"], "layering_heatmap")
    facets = [None] if facet is None else list(dict.fromkeys(rows[facet]))
    keyed = rows.assign(_f=None if facet is None else rows[facet])
    if keyed.duplicated(["_f", *LAYERS]).any():
        others = [c for c in rows.columns if c not in (*LAYERS, "point_id", "label", "metric", "n_layers")]
        raise ResultsError(
            "several design points share a layer combination; give facet= one of the other columns: "
            + ", ".join(c for c in others if c not in ("n", "mean", "sd", "ci_low", "ci_high"))
        )
    low, high = float(np.nanmin(rows["mean"])), float(np.nanmax(rows["mean"]))
    norm = Normalize(low - 1e-9, high + 1e-9) if low == high else Normalize(low, high)
    colormap = plt.get_cmap(cmap)
    ncols = min(2, len(facets))
    nrows = -(-len(facets) // ncols)
    fig, grid = plt.subplots(
        nrows, ncols, figsize=(6.6 * ncols + 0.8, 5.4 * nrows + 0.4), layout="constrained", squeeze=False
    )
    for ax, fv in zip(grid.flat, facets, strict=False):
        sub = keyed if fv is None else keyed[keyed["_f"] == fv]
        values = np.full((4, 4), np.nan)
        text = [["" for _ in range(4)] for _ in range(4)]
        for r in sub.itertuples():
            i = ROW_COMBOS.index((bool(r.quad), bool(r.bilateral)))
            j = ROW_COMBOS.index((bool(r.forums), bool(r.capacity)))
            values[i, j] = r.mean
            half = (r.ci_high - r.ci_low) / 2
            text[i][j] = f"{r.mean:.3f}" + ("" if np.isnan(half) else f"\n±{half:.3f}")
        ax.imshow(np.ma.masked_invalid(values), cmap=colormap, norm=norm, aspect="auto")
        ax.set_facecolor("#dddddd")
        for i in range(4):
            for j in range(4):
                if np.isnan(values[i, j]):
                    ax.text(j, i, "not run", ha="center", va="center", fontsize=8, color="#555555")
                    continue
                red, green, blue, _ = colormap(norm(values[i, j]))
                dark = 0.299 * red + 0.587 * green + 0.114 * blue < 0.5
                ax.text(j, i, text[i][j], ha="center", va="center", fontsize=9, color="white" if dark else "black")
        ax.add_patch(Rectangle((-0.5, -0.5), 1, 1, fill=False, lw=2.5, ec="black"))
        ax.set_xticks(range(4), [_onoff("forums", a, "capacity", b) for a, b in ROW_COMBOS])
        ax.set_yticks(range(4), [_onoff("quad", a, "bilateral", b) for a, b in ROW_COMBOS])
        ax.tick_params(length=0)
        ax.grid(False)
        for spine in ax.spines.values():
            spine.set_visible(False)
        who = PARTNER_NAMES.get(partner, partner)
        ax.set_xlabel(f"{who}'s forum and capacity-building layers")
        ax.set_ylabel(f"{who}'s Quad and bilateral layers")
        if facet is not None and fv is not None:
            ax.set_title(f"{factor_label(facet)}: {level_label(fv, facet)}")
    for ax in list(grid.flat)[len(facets) :]:
        ax.set_visible(False)
    sm = plt.cm.ScalarMappable(norm=norm, cmap=colormap)
    fig.colorbar(sm, ax=grid.ravel().tolist(), label=_wrap(metric_label(metric), 40), shrink=0.8)
    who = PARTNER_NAMES.get(partner, partner)
    fig.suptitle(
        title
        or f"{_cap(_metric_words(metric))} by {who}'s active layers\n"
        "cells: mean over replications ± half-width of the 95% CI; outlined: all four layers on"
    )
    return fig


@styled
def allocation_response(
    response: pd.DataFrame,
    splits: pd.DataFrame | None = None,
    *,
    metric: str | None = None,
    partner: str = "JPN",
    title: str | None = None,
) -> Figure:
    """The response to a partner's budget split.

    Left: for each layer, the metric against the share of the budget in that layer, averaged over the splits
    of the rest (``sim.science.analysis.allocation_response``), with 95% bands. Right, when ``splits``
    (``sim.science.analysis.allocation_splits``) is given: every split tried, sorted by its mean, with 95%
    intervals; the even split is highlighted.
    """
    rows, metric = _pick_metric(response, metric)
    _need(rows, ["layer", "share", "mean", "ci_low", "ci_high"], "allocation_response")
    who = PARTNER_NAMES.get(partner, partner)
    if splits is not None:
        srows, _ = _pick_metric(splits, metric)
        fig, (ax, ax2) = plt.subplots(
            1, 2, figsize=(13, max(5.0, 1.4 + 0.24 * len(srows))), layout="constrained", width_ratios=(1, 1.1)
        )
    else:
        fig, ax = plt.subplots(figsize=(7, 4.8), layout="constrained")
    for k, layer in enumerate(LAYERS):
        r = rows[rows["layer"] == layer].sort_values("share")
        if r.empty:
            continue
        colour = LAYER_COLOURS[layer]
        xs = r["share"].to_numpy(dtype=float) + (k - 1.5) * 0.012
        ax.errorbar(xs, r["mean"], yerr=_err(r), color=colour, marker=MARKERS[k], ls=LINESTYLES[k], lw=1.5, ms=5,
                    capsize=2, label=LAYER_NAMES[layer])  # fmt: skip
    ax.set_xlabel(f"share of {who}'s budget in the layer (0-1)")
    ax.set_ylabel(metric_label(metric))
    ax.legend(title="layer", frameon=False, loc="upper left", bbox_to_anchor=(0.0, -0.12), ncols=2)
    ax.set_title(_wrap("each layer's share, averaged over the splits of the rest (mean, 95% CI)", 60))
    if splits is not None:
        srows = srows.sort_values("mean")
        y = np.arange(len(srows))
        even = np.isclose(srows[list(LAYERS)].to_numpy(dtype=float), 0.25).all(axis=1)
        for yy, (_, r), is_even in zip(y, srows.iterrows(), even, strict=True):
            colour = PALETTE[3] if is_even else PALETTE[0]
            ax2.errorbar(r["mean"], yy, xerr=_err(r.to_frame().T), fmt="D" if is_even else "o", color=colour,
                         ms=5 if is_even else 4, capsize=2, lw=1)  # fmt: skip
            if is_even:
                ax2.annotate("even split", (r["ci_high"], yy), xytext=(6, 0), textcoords="offset points",
                             va="center", color=colour, fontsize=8)  # fmt: skip
        names = {"quad": "Q", "bilateral": "B", "forums": "F", "capacity": "C"}
        ax2.set_yticks(
            y,
            ["  ".join(f"{names[layer]} {r[layer]:.2f}" for layer in LAYERS) for _, r in srows.iterrows()],
            fontsize=7.5,
            family="monospace",
        )
        ax2.grid(axis="y", alpha=0)
        ax2.set_xlabel(metric_label(metric))
        ax2.set_title(_wrap("every split tried, sorted (shares: Q Quad, B bilateral, F forums, C capacity)", 60))
    fig.suptitle(title or f"{_cap(_metric_words(metric))} and {who}'s split of its budget (95% CI)")
    return fig


# ---- sensitivity ------------------------------------------------------------------------------------


@styled
def sensitivity_bars(
    indices: pd.DataFrame, metric: str | None = None, *, top: int | None = 15, title: str | None = None
) -> Figure:
    """Sensitivity indices of one metric (``sim.science.analysis.sensitivity_indices``), most influential on top.

    Morris: bars of mu* (mean absolute elementary effect) with 95% bootstrap intervals, and sigma (spread
    of the effects: non-linearity or interactions) as diamonds. Sobol: first-order (S1) and total (ST)
    indices side by side with 95% bootstrap intervals.
    """
    rows, metric = _pick_metric(indices, metric)
    morris = "mu_star" in rows.columns
    needed = ("mu_star", "mu_star_conf", "sigma") if morris else ("S1", "S1_conf", "ST", "ST_conf")
    _need(rows, ["parameter", *needed], "sensitivity_bars")
    key = "mu_star" if morris else "ST"
    rows = rows.sort_values(key, ascending=False, na_position="last")
    shown = rows if top is None else rows.head(top)
    shown = shown.iloc[::-1]
    y = np.arange(len(shown))
    fig, ax = plt.subplots(figsize=(8.5, 1.4 + 0.34 * len(shown)), layout="constrained")
    base = _metric_words(metric)
    if morris:
        ax.barh(y, shown["mu_star"], xerr=np.nan_to_num(shown["mu_star_conf"].to_numpy(dtype=float)),
                color=PALETTE[0], capsize=2, label="μ*: mean |elementary effect| (95% CI)")  # fmt: skip
        ax.scatter(shown["sigma"], y, marker="D", color=PALETTE[1], zorder=3, s=22,
                   label="σ: spread of the effects (non-linearity, interactions)")  # fmt: skip
        ax.set_xlabel(f"effect on {metric_label(metric)}\nover the parameter's full range")
        heading = f"Morris screening: what moves {base}"
    else:
        h = 0.38
        ax.barh(y + h / 2, shown["S1"], height=h, xerr=np.nan_to_num(shown["S1_conf"].to_numpy(dtype=float)),
                color=PALETTE[0], capsize=2, label="S1: first-order (the parameter alone)")  # fmt: skip
        ax.barh(y - h / 2, shown["ST"], height=h, xerr=np.nan_to_num(shown["ST_conf"].to_numpy(dtype=float)),
                color=PALETTE[1], capsize=2, label="ST: total (with interactions)")  # fmt: skip
        ax.axvline(0, color="black", lw=0.8)
        ax.set_xlabel(f"share of the variance of {metric_label(metric)}")
        heading = f"Sobol indices: what drives the variance of {base}"
    ax.set_yticks(y, shown["parameter"])
    ax.grid(axis="y", alpha=0)
    place_legend(ax, frameon=False)
    more = "" if top is None or len(rows) <= top else f" (top {top} of {len(rows)})"
    ax.set_title(title or heading + more)
    return fig


# ---- the cooperation network --------------------------------------------------------------------------


def ledger_ties(actions: Any, members: Sequence[str], since: str = "") -> np.ndarray:
    """USD of cooperation members accepted, by (layer, partner, member), from a ledger (or any
    iterable of actions) from month ``since`` (YYYY-MM) on."""
    ties = np.zeros((len(LAYERS), len(PARTNERS), len(members)))
    index = {m: i for i, m in enumerate(members)}
    for a in actions:
        if a.kind == "accept" and a.date >= since and a.actor in index and a.target in PARTNERS:
            ties[LAYERS.index(a.layer), PARTNERS.index(a.target), index[a.actor]] += a.amount
    return ties


@styled
def cooperation_network(
    model_or_ties: Any,
    world: Any = None,
    *,
    title: str | None = None,
    threshold: float = 1.0,
    seed: int = 7,
    withdrawn: Sequence[bool] | None = None,
) -> Figure:
    """The cooperation network of the last 12 months: states as nodes (partners as dark squares, ASEAN
    members as light-blue circles), partner-member ties coloured by layer, line width proportional to
    the cooperation members accepted (USD); ties under ``threshold`` USD are left out. Layout: partners fixed on
    an inner ring, members start on an outer ring and settle by networkx's spring layout with a fixed
    ``seed`` (ties pull a member toward the partners that support it, in proportion to the support).

    Args:
        model_or_ties: a RegionModel after a run (its ledger), or a (layer, partner, member) array
            of USD, as :func:`ledger_ties` makes.
        world: the members' ISO3 codes, when ties are given as an array.
        withdrawn: which partners have withdrawn (taken from the model when one is given).
    """
    import networkx as nx

    month = None
    if hasattr(model_or_ties, "ledger") and hasattr(model_or_ties, "member_by"):
        model = model_or_ties
        members = tuple(model.member_by)
        ties = ledger_ties(model.ledger, members, since=model.dates[-12] if len(model.dates) >= 12 else "")
        withdrawn = [model.partner_by[p].withdrawn for p in PARTNERS] if withdrawn is None else withdrawn
        month = model.dates[-1] if model.dates else None
    else:
        if world is None:
            raise ResultsError("cooperation_network: give the members' ISO3 codes with a ties array")
        ties = np.asarray(model_or_ties, dtype=float)
        members = tuple(world)
    if ties.shape != (len(LAYERS), len(PARTNERS), len(members)):
        raise ResultsError(
            f"cooperation_network: ties must be (layers, partners, members) = "
            f"({len(LAYERS)}, {len(PARTNERS)}, {len(members)}), got {ties.shape}"
        )
    withdrawn = [False] * len(PARTNERS) if withdrawn is None else [bool(w) for w in withdrawn]
    graph = nx.Graph()
    graph.add_nodes_from(PARTNERS, kind="partner")
    graph.add_nodes_from(members, kind="member")
    total = ties.sum(axis=0)
    for p, partner in enumerate(PARTNERS):
        for i, member in enumerate(members):
            if total[p, i] >= threshold:
                graph.add_edge(partner, member, weight=float(total[p, i]))
    start = nx.shell_layout(graph, nlist=[list(PARTNERS), list(members)], scale=1.0)
    start.update({p: 0.42 * np.asarray(xy) for p, xy in nx.circular_layout(list(PARTNERS)).items()})
    pos = nx.spring_layout(
        graph, pos=start, fixed=list(PARTNERS), seed=seed, weight="weight", k=0.9, iterations=40, center=(0, 0)
    )
    fig, ax = plt.subplots(figsize=(8.5, 7.2), layout="constrained")
    wmax = float(ties.max()) if ties.size and ties.max() > 0 else 1.0
    bends = {"quad": -0.18, "bilateral": -0.06, "forums": 0.06, "capacity": 0.18}
    for k, layer in enumerate(LAYERS):
        edges, widths = [], []
        for p, partner in enumerate(PARTNERS):
            for i, member in enumerate(members):
                if ties[k, p, i] >= threshold:
                    edges.append((partner, member))
                    widths.append(0.6 + 5.4 * ties[k, p, i] / wmax)
        if edges:
            nx.draw_networkx_edges(
                graph, pos, edgelist=edges, width=widths, edge_color=LAYER_COLOURS[layer], ax=ax, arrows=True,
                arrowstyle="-", connectionstyle=f"arc3,rad={bends[layer]}", alpha=0.35 if layer == "forums" else 0.8,
                node_size=700,
            )  # fmt: skip
    nx.draw_networkx_nodes(graph, pos, nodelist=list(members), node_color=MEMBER_COLOUR, node_shape="o",
                           node_size=650, edgecolors="black", linewidths=0.8, ax=ax)  # fmt: skip
    active = [p for p, w in zip(PARTNERS, withdrawn, strict=True) if not w]
    gone = [p for p, w in zip(PARTNERS, withdrawn, strict=True) if w]
    if active:
        nx.draw_networkx_nodes(graph, pos, nodelist=active, node_color=PARTNER_COLOUR, node_shape="s",
                               node_size=900, edgecolors="black", linewidths=0.8, ax=ax)  # fmt: skip
    if gone:
        nx.draw_networkx_nodes(graph, pos, nodelist=gone, node_color="white", node_shape="s", node_size=900,
                               edgecolors="black", linewidths=1.2, ax=ax).set_linestyle("--")  # fmt: skip
    nx.draw_networkx_labels(graph, pos, labels={m: m for m in members}, font_size=8, ax=ax)
    nx.draw_networkx_labels(graph, pos, labels={p: p for p in active}, font_size=8, font_color="white", ax=ax)
    nx.draw_networkx_labels(graph, pos, labels={p: f"{p}\n(out)" for p in gone}, font_size=7, ax=ax)
    handles: list[Any] = [
        Line2D([], [], color=LAYER_COLOURS[layer], lw=3, label=LAYER_NAMES[layer]) for layer in LAYERS
    ]
    handles += [
        Line2D([], [], color="#777777", lw=0.6 + 5.4, label=f"USD {wmax / 1e6:.1f} m over 12 months"),
        Line2D([], [], color="#777777", lw=0.6 + 5.4 / 4, label=f"USD {wmax / 4e6:.1f} m"),
        Line2D([], [], marker="s", ls="", ms=11, mfc=PARTNER_COLOUR, mec="black", label="partner (Quad state)"),
        Line2D([], [], marker="o", ls="", ms=11, mfc=MEMBER_COLOUR, mec="black", label="ASEAN member"),
    ]
    if gone:
        handles.append(Patch(facecolor="white", edgecolor="black", ls="--", label="partner that withdrew"))
    ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False,
              title="ties by layer; width = support")  # fmt: skip
    ax.set_axis_off()
    when = f", month {month}" if month else ""
    ax.set_title(title or f"Cooperation network{when}: who supports whom, by layer")
    return fig


# --- validation (sim/science/validate.py) -----------------------------------------------------------


def _envelope(ax: Any, years: Sequence[int], runs: np.ndarray, colour: str, label: str) -> None:
    """A simulated 5-95% band and median over runs (rows) by year (columns)."""
    lo, mid, hi = np.quantile(runs, [0.05, 0.5, 0.95], axis=0)
    ax.fill_between(years, lo, hi, color=colour, alpha=0.25, linewidth=0)
    ax.plot(years, mid, color=colour, label=f"{label}: median, 5-95% band")


@styled
def validation_envelopes(
    yearly: Mapping[str, Sequence[pd.DataFrame]],
    observed: Mapping[str, pd.Series],
    columns: Sequence[str],
    *,
    titles: Sequence[str],
    ylabel: str,
    years: tuple[int, int] = (2007, 2024),
) -> Figure:
    """Observed yearly series (points) against the simulated envelopes of each variant, one panel per
    entry of ``columns`` (a column, or ``"total"`` for the sum of the areas), at most three panels a row,
    each with its own years and values. ``yearly`` maps a variant to its runs' yearly tables
    (``sim.science.validate.run_one``); ``observed`` maps a column to a series. One panel: the legend in a
    corner that covers no data, or beside the panel; several: the legend below them all."""
    n = len(columns)
    ncols = min(3, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.4 * ncols, 3.5 * nrows + 0.5), squeeze=False,
                             layout="constrained")  # fmt: skip
    for ax, column, title in zip(axes.flat, columns, titles, strict=False):
        for (variant, runs), colour in zip(yearly.items(), PALETTE, strict=False):
            frames = [r.loc[years[0] : years[1]] for r in runs]
            span = frames[0].index.to_numpy()
            matrix = np.array([f[column].to_numpy() for f in frames], dtype=float)
            _envelope(ax, span, matrix, colour, variant)
        obs = observed.get(column)
        if obs is not None:
            obs = obs.loc[years[0] : years[1]].dropna()
            ax.plot(obs.index, obs.to_numpy(), "o", color="black", markersize=4, label="observed (ReCAAP)")
        ax.set_title(title)
        ax.set_xlabel("year")
        ax.set_ylabel(ylabel)
        ax.set_ylim(bottom=0)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    if n == 1:
        place_legend(axes[0][0], fontsize=8, frameon=True, framealpha=0.9)
    else:
        handles, labels = axes[0][0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncols=len(labels), frameon=False)
    return fig


@styled
def feature_shares(simulated: Mapping[str, Sequence[float]], observed: Mapping[str, float], *, title: str) -> Figure:
    """Shares of China's presence by claimant: observed (AMTI) beside the simulated median and 5-95%
    range of each variant."""
    claimants = list(observed)
    fig, ax = plt.subplots(figsize=(6.4, 3.6), layout="constrained")
    width = 0.8 / (1 + len(simulated))
    x = np.arange(len(claimants))
    ax.bar(x, [observed[c] for c in claimants], width, color="black", label="observed (AMTI, 2022-2023)")
    for k, ((variant, shares), colour) in enumerate(zip(simulated.items(), PALETTE, strict=False)):
        values = np.array(shares, dtype=float)  # runs x claimants
        mid = np.median(values, axis=0)
        lo, hi = np.quantile(values, [0.05, 0.95], axis=0)
        ax.bar(x + (k + 1) * width, mid, width, color=colour, label=f"{variant}: median, 5-95% of runs")
        ax.errorbar(x + (k + 1) * width, mid, yerr=[mid - lo, hi - mid], fmt="none", color="black", capsize=2)
    ax.set_xticks(x + width * len(simulated) / 2, claimants)
    ax.set_xlabel("claimant whose features China's coast guard visits")
    ax.set_ylabel(_wrap("share of China's ship-days at the five AMTI features (0-1)", 34))
    ax.set_title(title)
    place_legend(ax, fontsize=8, frameon=True, framealpha=0.9)
    return fig


@styled
def posterior_marginals(
    posterior: pd.DataFrame, priors: Sequence[tuple[str, float, float]], *, title: str | None = None
) -> Figure:
    """Each calibrated parameter: its posterior (a weighted histogram as a probability density) over the
    flat prior (a dashed line at 1 / (high - low)), with the posterior median and 90% interval; the x axis
    is the parameter's prior range in its unit (sim/model/params.py), the y axis the probability density."""
    n = len(priors)
    cols = min(4, n)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 2.9 * rows + 0.6), squeeze=False, layout="constrained")
    weights = posterior["weight"].to_numpy(dtype=float)
    for ax, (name, low, high) in zip(axes.flat, priors, strict=False):
        values = posterior[name].to_numpy(dtype=float)
        ax.hist(values, bins=20, range=(low, high), weights=weights, density=True, color=PALETTE[0], alpha=0.75,
                label="posterior")  # fmt: skip
        ax.hlines(1.0 / (high - low), low, high, color=PALETTE[1], lw=2, ls="--", label="prior (flat)")
        order = np.argsort(values)
        cdf = np.cumsum(weights[order]) / weights.sum()
        q05, q50, q95 = (float(values[order][np.searchsorted(cdf, q)]) for q in (0.05, 0.5, 0.95))
        ax.axvspan(q05, q95, color=PALETTE[2], alpha=0.08, lw=0, zorder=0, label="posterior 90% interval")
        ax.axvline(q50, color=PALETTE[2], lw=1.6, label="posterior median")
        unit = _unit_of(name) or ""
        ax.set_title(name, fontsize=9.5)
        ax.set_xlabel(unit_words(unit) if unit else "value")
        ax.set_xlim(low, high)
        ax.set_ylabel("probability density")
        if unit.startswith("USD"):
            usd_axis(ax.xaxis)
        ax.xaxis.set_major_locator(MaxNLocator(5))
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=4, frameon=False)
    fig.suptitle(title or "Calibrated parameters: the posterior against the flat prior over each range")
    return fig


# ---- over posterior draws ------------------------------------------------------------------------


def _settings(table: pd.DataFrame, baseline: str | None) -> tuple[list[str], str]:
    settings = [str(s) for s in dict.fromkeys(table["label"])]
    base = baseline if baseline is not None else settings[0]
    return settings, base


def _shock_lines(axes: Sequence[Any], shock_step: int | None) -> None:
    """A dashed line at the shock's month in every visible panel, named in the first."""
    if shock_step is None:
        return
    shown = [ax for ax in axes if ax.get_visible()]
    for ax in shown:
        ax.axvline(shock_step, color="black", lw=0.9, ls="--")
    shown[0].annotate("shock", (shock_step, 1), xycoords=("data", "axes fraction"), xytext=(3, -10),
                      textcoords="offset points")  # fmt: skip


@styled
def posterior_timeseries(
    table: pd.DataFrame,
    *,
    baseline: str | None = None,
    max_lines: int = 6,
    shock_step: int | None = None,
    title: str | None = None,
) -> Figure:
    """Metrics over the months of a sweep over posterior draws, pooled by setting: each setting's median
    over draws (line) and the 5-95% range over draws (band), where a draw's value is the mean over its
    replicates. Up to ``max_lines`` settings: one panel per metric, a line per setting. More: one panel per
    setting for the first metric, each over the baseline's median in grey. The figure's size depends on the
    metrics and settings, never on the number of draws.

    Args:
        table: ``sim.science.analysis.posterior_series`` (label, metric, step, median, q05, q95, draws).
        baseline: the setting drawn in grey beside the others (default: the first).
        shock_step: draws a dashed line at this month.
    """
    _need(table, ["label", "metric", "step", "median", "q05", "q95", "draws"], "posterior_timeseries")
    settings, base = _settings(table, baseline)
    metrics = list(dict.fromkeys(table["metric"]))
    draws = int(table["draws"].max())
    band = f"median over {draws} posterior draws, 5-95% band over draws"
    if len(settings) <= max_lines:
        ncols = min(2, len(metrics))
        nrows = -(-len(metrics) // ncols)
        fig, grid = plt.subplots(nrows, ncols, figsize=(5.6 * ncols, 3.4 * nrows + 1.0), squeeze=False,
                                 layout="constrained")  # fmt: skip
        for ax, metric in zip(grid.flat, metrics, strict=False):
            rows = table[table["metric"] == metric]
            for k, setting in enumerate(settings):
                r = rows[rows["label"].astype(str) == setting]
                colour = PALETTE[k % len(PALETTE)]
                ax.fill_between(r["step"], r["q05"], r["q95"], color=colour, alpha=0.15, lw=0)
                ax.plot(r["step"], r["median"], color=colour, lw=1.7, ls=LINESTYLES[k % 4],
                        label=short_label(setting, 40))  # fmt: skip
            ax.set_title(_wrap(_cap(_metric_words(metric)), 50))
            ax.set_xlabel("month of the run")
            ax.set_ylabel(_wrap(metric_label(metric), 32))
            if _base_metric(metric)[0] in BOUNDED:
                ax.set_ylim(0, 1.02)
        for ax in list(grid.flat)[len(metrics) :]:
            ax.set_visible(False)
        _shock_lines(list(grid.flat), shock_step)
        handles, labels = grid[0][0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside right upper", frameon=False, title=_wrap(f"setting ({band})", 30))
        fig.suptitle(title or "Over the posterior: the measurements month by month, by setting")
        return fig
    metric = metrics[0]
    rows = table[table["metric"] == metric]
    ncols = 4
    nrows = -(-len(settings) // ncols)
    fig, grid = plt.subplots(nrows, ncols, figsize=(12, 2.4 * nrows + 1.0), sharex=True, sharey=True,
                             squeeze=False, layout="constrained")  # fmt: skip
    axes = list(grid.flat)
    reference = rows[rows["label"].astype(str) == base]
    for ax, setting in zip(axes, settings, strict=False):
        r = rows[rows["label"].astype(str) == setting]
        ax.plot(
            reference["step"],
            reference["median"],
            color="#999999",
            lw=1.0,
            label=f"baseline ({short_label(base, 60)}): median",
        )
        ax.fill_between(
            r["step"], r["q05"], r["q95"], color=PALETTE[0], alpha=0.25, lw=0, label="this setting: 5-95% over draws"
        )
        ax.plot(r["step"], r["median"], color=PALETTE[0], lw=1.4, label="this setting: median over draws")
        ax.set_title(short_label(setting, 30), fontsize=8.5)
        ax.xaxis.set_tick_params(labelbottom=True)
        ax.yaxis.set_tick_params(labelleft=True)
    for ax in axes[len(settings) :]:
        ax.set_visible(False)
    for ax in grid[:, 0]:
        ax.set_ylabel(_wrap(metric_label(metric), 28))
    for k in range(max(0, len(settings) - ncols), len(settings)):
        axes[k].set_xlabel("month of the run")
    _shock_lines(axes, shock_step)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=3, frameon=False)
    fig.suptitle(
        title or f"Over the posterior: {_metric_words(metric)} month by month, one panel per setting ({draws} draws)"
    )
    return fig


@styled
def posterior_levels_plot(
    levels: pd.DataFrame, *, metrics: Sequence[str] | None = None, title: str | None = None
) -> Figure:
    """The findings over posterior draws: for each metric (one panel each, at most four), each setting's
    median over draws (dot) with the 5-95% range over draws (bar), where a draw's value is the mean over its
    replicates; the baseline setting's median is the dashed line, and the share of draws in which a setting
    is below the baseline is written beside it.

    Args:
        levels: ``sim.science.analysis.posterior_rankings`` (first table).
    """
    _need(levels, ["metric", "level", "median", "q05", "q95", "share_below_baseline", "baseline", "draws"],
          "posterior_levels_plot")  # fmt: skip
    chosen = list(metrics) if metrics is not None else list(dict.fromkeys(levels["metric"]))[:4]
    names = [str(v) for v in dict.fromkeys(levels["level"])]
    base = str(levels["baseline"].iloc[0])
    y = np.arange(len(names))[::-1]
    fig, axes = plt.subplots(1, len(chosen), figsize=(2.0 + 3.6 * len(chosen), 1.6 + 0.36 * len(names)),
                             sharey=True, squeeze=False, layout="constrained")  # fmt: skip
    for ax, metric in zip(axes[0], chosen, strict=True):
        rows = levels[levels["metric"] == metric].set_index(levels[levels["metric"] == metric]["level"].astype(str))
        rows = rows.loc[names]
        mid = rows["median"].to_numpy(dtype=float)
        err = np.vstack([mid - rows["q05"].to_numpy(dtype=float), rows["q95"].to_numpy(dtype=float) - mid])
        is_base = np.array([n == base for n in names])
        for chosen_rows, colour in ((~is_base, PALETTE[0]), (is_base, PALETTE[3])):
            ax.errorbar(mid[chosen_rows], y[chosen_rows], xerr=np.clip(err[:, chosen_rows], 0, None), fmt="o",
                        color=colour, ms=4.5, capsize=2, lw=1.2)  # fmt: skip
        ax.axvline(rows.loc[base, "median"], color=PALETTE[3], lw=0.9, ls="--")
        for yy, n, share in zip(y, names, rows["share_below_baseline"], strict=True):
            if n != base:
                ax.annotate(f"{share:.0%}", (1.0, yy), xycoords=("axes fraction", "data"), xytext=(3, 0),
                            textcoords="offset points", va="center", fontsize=7.5, color="#555555")  # fmt: skip
        ax.annotate("draws\nbelow", (1.0, 1.0), xycoords="axes fraction", xytext=(3, 2), textcoords="offset points",
                    va="bottom", fontsize=7.5, color="#555555")  # fmt: skip
        ax.set_xlabel(_wrap(metric_label(metric), 34))
        ax.set_title(_wrap(_cap(_metric_words(metric)), 34))
        ax.grid(axis="y", alpha=0)
    axes[0][0].set_yticks(y, [short_label(n, 40) for n in names])
    draws = int(levels["draws"].max())
    fig.suptitle(
        title
        or _wrap(
            f"Over the posterior: each setting's median over {draws} draws and 5-95% range (red: the baseline, "
            f"'{short_label(base, 60)}'); at the right of each panel, the share of draws below the baseline",
            110,
        )
    )
    return fig
