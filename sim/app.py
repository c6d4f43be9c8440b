"""The interactive app: a Mesa ``SolaraViz`` page for ``RegionModel`` (``python -m sim app``).

Controls (sidebar): Japan's four layers, its effort allocation and ``asean_coordination``; the
challenger's intensity; the threat mix; a partner withdrawal shock; the seed. Changed controls take
effect on Reset. Views (updated every step): the cooperation network, the main stability metrics over
time, and each ASEAN member's capacity. All figures are matplotlib, drawn here (the model never
imports this module); the front end is served from the ``solara-assets`` package, so the app works
without an internet connection.

Needs the optional extra: ``pip install -e '.[app]'``. Serve it with ``python -m sim app`` (or
``solara run sim.app``); ``serve()`` is what the command line calls.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import reacton.ipywidgets as rw
import solara
import solara.server.settings
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.model import RegionModel
from sim.params import DOMAINS, LAYERS, PARTNERS, SPECS, ParameterError, make_params
from sim.plots import LAYER_COLOURS, LAYER_NAMES, PALETTE, PARTNER_COLOUR, RUN_PANELS

with warnings.catch_warnings():
    # Mesa 3.3.1's own ComponentsView trips Solara's rules-of-hooks check at import; harmless, not ours.
    warnings.filterwarnings("ignore", message=".*ComponentsView.*", category=UserWarning)
    from mesa.visualization import Slider, SolaraViz, solara_viz
    from mesa.visualization.utils import update_counter

# The app never phones home: no usage telemetry (the page has no internet connection to send it on).
solara.server.settings.telemetry.mixpanel_enable = False

TITLE = "Layered security cooperation in Southeast Asia"
DEFAULT_SEED = 42
NO_SHOCK = "none"
DEFAULT_WITHDRAW_MONTH = 60

SHORT_LAYER_NAMES: dict[str, str] = {
    "quad": "Quad",
    "bilateral": "bilateral",
    "forums": "forums",
    "capacity": "capacity",
}

#: what member nodes can be coloured by: label -> (colour bar title, colour map, top of the scale). Alignment
#: and tension rarely pass 0.3, so their scale ends at 0.5 (higher values get the top colour)
NODE_COLOURINGS: dict[str, tuple[str, str, float]] = {
    "capacity": ("mean capacity (0-1)", "viridis", 1.0),
    **{f"alignment with {p}": (f"alignment with {p} (0: neutral)", "cividis", 0.5) for p in PARTNERS},
    "tension": ("tension (0-1)", "Reds", 0.5),
}

#: schematic map positions (longitude, latitude): members at their capitals, partners off the edges
POSITIONS: dict[str, tuple[float, float]] = {
    "BRN": (114.9, 4.9),
    "KHM": (104.9, 11.6),
    "IDN": (106.8, -6.2),
    "LAO": (102.6, 18.0),
    "MYS": (101.7, 3.1),
    "MMR": (96.1, 19.8),
    "PHL": (121.0, 14.6),
    "SGP": (103.8, 0.4),
    "THA": (100.5, 13.8),
    "VNM": (105.8, 21.0),
    "TLS": (125.6, -8.6),
    "JPN": (131.0, 25.0),
    "USA": (133.0, 8.0),
    "AUS": (120.0, -16.0),
    "IND": (88.0, 10.0),
}
#: curvature of each layer's ties, so that two layers between the same pair stay apart
LAYER_BEND: dict[str, float] = {"quad": -0.12, "bilateral": -0.04, "forums": 0.04, "capacity": 0.12}
#: support (effort units in the month) drawn at full line width
FULL_WIDTH_SUPPORT = 0.4


# --- controls -------------------------------------------------------------------------------------


def _slider(label: str, name: str, step: float, hi: float | None = None) -> Slider:
    """A float slider over a parameter's allowed range (capped at ``hi``), starting at its default."""
    spec = SPECS[name]
    return Slider(
        label, value=float(spec.default), min=float(spec.lo), max=float(hi or spec.hi), step=step, dtype=float
    )


def model_params() -> dict[str, Any]:
    """The sidebar controls, in Mesa's ``model_params`` format. Keys are RegionModel's dotted parameter
    names, plus ``withdraw`` and ``withdraw_month`` (the shock) and ``rng`` (the seed); see AppModel.
    Labels are short: Mesa's sliders share their row with the label."""
    params: dict[str, Any] = {}
    for layer in LAYERS:
        name = f"policy.JPN.{layer}"
        params[name] = {"type": "Checkbox", "value": SPECS[name].default, "label": f"Japan: {LAYER_NAMES[layer]}"}
    for layer in LAYERS:
        name = f"policy.JPN.allocation.{layer}"
        params[name] = _slider(f"JPN weight: {SHORT_LAYER_NAMES[layer]}", name, 0.05)
    params["policy.JPN.asean_coordination"] = _slider("JPN via ASEAN", "policy.JPN.asean_coordination", 0.05)
    params["challenger.intensity"] = _slider("Challenger", "challenger.intensity", 0.1)
    for d in DOMAINS:
        params[f"threats.mix.{d}"] = _slider(f"Threats: {d}", f"threats.mix.{d}", 0.1, hi=4.0)
    params["withdraw"] = {
        "type": "Select",
        "value": NO_SHOCK,
        "values": [NO_SHOCK, *PARTNERS],
        "label": "Partner that withdraws",
    }
    params["withdraw_month"] = Slider("Withdraws in month", value=DEFAULT_WITHDRAW_MONTH, min=1, max=240, step=1)
    params["rng"] = {"type": "InputText", "value": str(DEFAULT_SEED), "label": "Seed"}
    return params


def initial_values(params: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The starting value of every control (what Mesa passes to the model before anything is changed)."""
    out = {}
    for name, control in (params or model_params()).items():
        out[name] = control.value if isinstance(control, Slider) else control["value"]
    return out


def parse_seed(value: Any) -> int:
    """The seed typed into the app: a non-negative whole number (text or int)."""
    text = str(value).strip()
    if not text.isdigit():
        raise ParameterError(f"the seed must be a non-negative whole number, got {text!r}")
    return int(text)


def region_kwargs(
    *, rng: Any = DEFAULT_SEED, withdraw: str = NO_SHOCK, withdraw_month: int = DEFAULT_WITHDRAW_MONTH, **params: Any
) -> dict[str, Any]:
    """RegionModel's keyword arguments from the app's controls: the seed as an int, the withdrawal as a
    ``shocks`` list, every other control passed through by its dotted name."""
    kwargs: dict[str, Any] = {"rng": parse_seed(rng), **params}
    if withdraw != NO_SHOCK:
        kwargs["shocks"] = [{"step": int(withdraw_month), "kind": "withdraw", "state": withdraw}]
    return kwargs


def checked_kwargs(**controls: Any) -> tuple[dict[str, Any], str | None]:
    """RegionModel's keyword arguments from the controls, and None; or, when the controls are not a valid
    scenario (a seed that is not a whole number, zero weight on every active layer), the default scenario
    and a message saying why. Mesa rebuilds the model inside its Reset button, where an exception would
    replace the whole page with a traceback."""
    try:
        kwargs = region_kwargs(**controls)
        make_params({k: v for k, v in kwargs.items() if k != "rng"})
    except ParameterError as err:
        return {"rng": DEFAULT_SEED}, f"{err}. Showing the default scenario (seed {DEFAULT_SEED}) instead."
    return kwargs, None


class AppModel(RegionModel):
    """RegionModel as the app builds it: from the controls of :func:`model_params`.

    Mesa's SolaraViz rebuilds the model on Reset as ``type(model)(**controls)`` and checks the control
    names against ``__init__``'s signature (it accepts unknown names only when the catch-all is called
    ``**kwargs``). This class turns the shock and seed controls into RegionModel's arguments, falls back
    to the default scenario on invalid controls (``input_error`` says why; see checked_kwargs) and keeps
    each member's starting capacity for the capacity view. The model itself is unchanged.
    """

    def __init__(
        self,
        *,
        rng: Any = DEFAULT_SEED,
        withdraw: str = NO_SHOCK,
        withdraw_month: int = DEFAULT_WITHDRAW_MONTH,
        **kwargs: Any,
    ) -> None:
        region, self.input_error = checked_kwargs(rng=rng, withdraw=withdraw, withdraw_month=withdraw_month, **kwargs)
        super().__init__(**region)
        self.initial_capacity = member_capacity(self)


# --- what the views show ----------------------------------------------------------------------------


def member_capacity(model: RegionModel) -> np.ndarray:
    """Each ASEAN member's mean capacity across threat domains, in [0, 1]."""
    return model.state.capacity.mean(axis=1)


def node_values(model: RegionModel, colour_by: str) -> np.ndarray:
    """The value each member node is coloured by (see NODE_COLOURINGS)."""
    if colour_by == "capacity":
        return member_capacity(model)
    if colour_by == "tension":
        return model.state.tension.copy()
    if colour_by.startswith("alignment with "):
        return model.state.alignment[:, PARTNERS.index(colour_by.removeprefix("alignment with "))].copy()
    raise ValueError(f"unknown node colouring {colour_by!r}; one of {', '.join(NODE_COLOURINGS)}")


def positions(model: RegionModel) -> dict[str, tuple[float, float]]:
    """Node positions: the schematic map for the region's states, a circle for any other member."""
    members = model.world.members
    out = {p: POSITIONS[p] for p in PARTNERS}
    others = [m for m in members if m not in POSITIONS]
    for k, m in enumerate(others):
        angle = 2 * np.pi * k / max(len(others), 1)
        out[m] = (108.0 + 8.0 * np.cos(angle), 8.0 + 8.0 * np.sin(angle))
    out.update({m: POSITIONS[m] for m in members if m in POSITIONS})
    return out


def tie_segments(model: RegionModel, layer: str, threshold: float = 0.01) -> tuple[list[np.ndarray], np.ndarray]:
    """This month's ties of one layer, partner to member, as curves (arrays of points) and supports.

    A tie is drawn when the partner gave the member at least ``threshold`` effort units this month in
    that layer (``model.state.ties``)."""
    ties = model.state.ties[LAYERS.index(layer)]
    pos = positions(model)
    curves, weights = [], []
    t = np.linspace(0.0, 1.0, 16)[:, None]
    for p, partner in enumerate(PARTNERS):
        for i, member in enumerate(model.world.members):
            w = float(ties[p, i])
            if w < threshold:
                continue
            a, b = np.array(pos[partner]), np.array(pos[member])
            normal = np.array([-(b - a)[1], (b - a)[0]])
            control = (a + b) / 2 + LAYER_BEND[layer] * normal
            curves.append((1 - t) ** 2 * a + 2 * (1 - t) * t * control + t**2 * b)
            weights.append(w)
    return curves, np.array(weights)


def describe(model: RegionModel) -> list[str]:
    """What is being shown, in two lines: the month and stability index; the scenario the model was
    built with (Japan's active layers and their weights, routing, challenger, threat mix, shock, seed).
    Mesa's sliders do not show their values: this is where the values in use can be read."""
    p = model.p
    now = f"Month {model.steps}"
    if model.steps:
        now += f" · stability index {model.current_metrics['stability_index']:.3f}"
    active = [layer for layer in LAYERS if p[f"policy.JPN.{layer}"]]
    layers = ", ".join(f"{SHORT_LAYER_NAMES[la]} {p[f'policy.JPN.allocation.{la}']:.2f}" for la in active)
    scenario = [
        f"Japan's layers: {layers or 'none'}",
        f"{p['policy.JPN.asean_coordination']:.0%} via ASEAN",
        f"challenger x{p['challenger.intensity']:.1f}",
        "threats x" + "/".join(f"{p[f'threats.mix.{d}']:g}" for d in DOMAINS),
    ]
    for shock in p["shocks"]:
        gone = " (withdrawn)" if model.state.withdrawn[PARTNERS.index(shock.state)] else ""
        scenario.append(f"{shock.state} withdraws in month {shock.step}{gone}")
    scenario.append(f"seed {model.seed}")
    return [now, " · ".join(scenario)]


# --- figures (plain matplotlib Figures, no pyplot: nothing to close) -----------------------------------


def network_figure(model: RegionModel, colour_by: str = "capacity") -> Figure:
    """The cooperation network this month: states as nodes (members on a schematic map, partners at its
    edges), partner-member ties coloured by layer with width by support, members coloured by
    ``colour_by`` (see NODE_COLOURINGS). Withdrawn partners are drawn hollow."""
    title, cmap, top = NODE_COLOURINGS[colour_by]
    pos = positions(model)
    fig = Figure(figsize=(6.4, 5.6), layout="constrained")
    ax = fig.subplots()
    for layer in LAYERS:
        curves, weights = tie_segments(model, layer)
        if curves:
            widths = 0.4 + 4.0 * np.minimum(weights, FULL_WIDTH_SUPPORT) / FULL_WIDTH_SUPPORT
            alpha = 0.2 if layer == "forums" else 0.8  # forum ties reach every member: kept faint
            ax.add_collection(
                LineCollection(curves, colors=LAYER_COLOURS[layer], linewidths=widths, alpha=alpha, zorder=1)
            )
    members = model.world.members
    xy = np.array([pos[m] for m in members])
    nodes = ax.scatter(
        xy[:, 0],
        xy[:, 1],
        c=node_values(model, colour_by),
        cmap=cmap,
        vmin=0.0,
        vmax=top,
        s=260,
        edgecolors="black",
        linewidths=0.8,
        zorder=3,
    )
    for m, (x, y) in zip(members, xy, strict=True):
        ax.annotate(m, (x, y), xytext=(0, -14), textcoords="offset points", ha="center", va="top", fontsize=8)
    for k, partner in enumerate(PARTNERS):
        x, y = pos[partner]
        gone = bool(model.state.withdrawn[k])
        ax.scatter(
            [x],
            [y],
            marker="s",
            s=420,
            zorder=3,
            linewidths=1.2,
            facecolors="white" if gone else PARTNER_COLOUR,
            edgecolors="black",
            linestyles="--" if gone else "-",
        )
        label = partner + ("\n(withdrawn)" if gone else "")
        ax.annotate(label, (x, y), xytext=(0, -16), textcoords="offset points", ha="center", va="top", fontsize=8)
    fig.colorbar(nodes, ax=ax, label=f"members: {title}", shrink=0.7, pad=0.01, extend="max" if top < 1 else "neither")
    handles = [Line2D([], [], color=LAYER_COLOURS[layer], lw=2.5, label=LAYER_NAMES[layer]) for layer in LAYERS]
    ax.legend(handles=handles, loc="lower left", fontsize=8, title="ties this month", title_fontsize=8, frameon=False)
    ax.set_xlim(84, 137)
    ax.set_ylim(-21, 29)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(f"Cooperation network, month {model.steps}", fontsize=11)
    return fig


def metrics_figure(model: RegionModel) -> Figure:
    """The main stability metrics (sim.plots.RUN_PANELS) from month 1 to now, one panel each; a dashed
    line marks a withdrawal shock."""
    series = model.series()
    fig = Figure(figsize=(6.4, 4.4), layout="constrained")
    axes = fig.subplots(3, 2, sharex=True)
    months = np.arange(1, model.steps + 1)
    for ax, (metric, label), colour in zip(axes.flat, RUN_PANELS, PALETTE, strict=False):
        values = series.get(metric, [])[: len(months)]
        ax.plot(months, values, color=colour, lw=1.4)
        ax.plot(months[-1:], values[-1:], "o", color=colour, ms=3.5)  # this month (visible from month 1)
        for shock in model.p["shocks"]:
            ax.axvline(shock.step, color="black", lw=0.8, ls="--")
        ax.set_title(label, fontsize=9)
        ax.set_ylim(0, 1.02)
        ax.set_xlim(0, max(model.steps, 12) + 0.5)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    for ax in axes[-1]:
        ax.set_xlabel("month", fontsize=8)
    fig.suptitle("Stability metrics over time", fontsize=11)
    return fig


def capacity_figure(model: RegionModel) -> Figure:
    """Each ASEAN member's mean capacity now (bars) and at month 0 (black ticks)."""
    members = model.world.members
    now = member_capacity(model)
    start = getattr(model, "initial_capacity", None)
    fig = Figure(figsize=(6.4, 2.9), layout="constrained")
    ax = fig.subplots()
    x = np.arange(len(members))
    ax.bar(x, now, color=PALETTE[0], width=0.7, label=f"month {model.steps}")
    if start is not None:
        ax.scatter(x, start, marker="_", s=400, color="black", linewidths=2, zorder=3, label="month 0")
    ax.set_xticks(x, members, fontsize=8)
    ax.set_ylim(0, 1)
    ax.set_ylabel("mean capacity (0-1)", fontsize=9)
    ax.tick_params(axis="y", labelsize=8)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, loc="upper right", frameon=False)
    ax.set_title("ASEAN members' capacity (chance of resolving an incident alone)", fontsize=10)
    return fig


def png(fig: Figure) -> bytes:
    """A figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


# --- Solara components ------------------------------------------------------------------------------


def show(fig: Figure, view: str) -> None:
    """Add a figure to the current component: as wide as its card, at most VIEW_HEIGHT[view] pixels
    high (scaled down whole, never cropped), so that it stays inside its grid cell at any window width."""
    layout = {"width": "100%", "max_height": f"{VIEW_HEIGHT[view]}px", "object_fit": "contain"}
    rw.Image(value=png(fig), format="png", layout=layout, _dom_classes=["solara-image", f"sim-{view}"])


@solara.component
def NetworkView(model: RegionModel):
    """The cooperation network, with a choice of what member nodes are coloured by."""
    update_counter.get()
    colour_by, set_colour_by = solara.use_state("capacity")
    with solara.Card(margin=0):
        if getattr(model, "input_error", None):
            solara.Error(model.input_error, classes=["sim-input-error"])
        solara.Select("colour members by", values=list(NODE_COLOURINGS), value=colour_by, on_value=set_colour_by)
        show(network_figure(model, colour_by), "network")
        now, scenario = describe(model)
        solara.Text(now, classes=["sim-status"])
        solara.Text(scenario, classes=["sim-scenario"], style={"font-size": "0.85em", "display": "block"})


@solara.component
def MetricsView(model: RegionModel):
    """The main stability metrics over time."""
    update_counter.get()
    with solara.Card(margin=0):
        show(metrics_figure(model), "metrics")


@solara.component
def CapacityView(model: RegionModel):
    """Each ASEAN member's capacity."""
    update_counter.get()
    with solara.Card(margin=0):
        show(capacity_figure(model), "capacity")


COMPONENTS = [(NetworkView, 0), (MetricsView, 0), (CapacityView, 0)]

#: where the views sit in Mesa's draggable grid (12 columns; a row is 30 px plus a 10 px gap): the
#: network on the left, the metrics and the capacity bars on the right
GRID_LAYOUT: tuple[dict[str, Any], ...] = (
    {"i": 0, "x": 0, "y": 0, "w": 6, "h": 15, "moved": False},
    {"i": 1, "x": 6, "y": 0, "w": 6, "h": 9, "moved": False},
    {"i": 2, "x": 6, "y": 9, "w": 6, "h": 6, "moved": False},
)
#: the most height (px) each view's figure may take inside its grid cell (see show)
VIEW_HEIGHT: dict[str, int] = {"network": 440, "metrics": 310, "capacity": 190}


def grid_layout(num_components: int) -> list[dict[str, Any]]:
    """The app's grid layout for its three views; Mesa's default (every view 6 x 10) for anything else.

    Mesa 3.3's SolaraViz has no option for the layout: it calls ``solara_viz.make_initial_grid_layout``,
    which this module replaces by this function (see below). Its default cells are too short for the
    network view, which would overlap the view below it."""
    if num_components == len(GRID_LAYOUT):
        return [dict(cell) for cell in GRID_LAYOUT]
    return _mesa_grid_layout(num_components)


_mesa_grid_layout = solara_viz.make_initial_grid_layout
solara_viz.make_initial_grid_layout = grid_layout


@solara.component
def Page():
    """The app: Mesa's SolaraViz around a fresh model for each browser session."""
    params = solara.use_memo(model_params, [])
    model = solara.use_memo(lambda: AppModel(**initial_values(params)), [])
    SolaraViz(model, components=COMPONENTS, model_params=params, name=TITLE, play_interval=150)


#: what ``solara run sim.app`` serves
page = Page


def serve(host: str = "127.0.0.1", port: int = 8765, open_browser: bool = False) -> None:
    """Serve the app on http://host:port until interrupted (blocks).

    Runs Solara's server in production mode, without its version check, start-up check or telemetry, so
    nothing is fetched from the internet: the front end comes from the ``solara-assets`` package.
    """
    from solara.__main__ import run

    # Solara warns on every page load that a cookie cannot be SameSite=None over plain http unless the host
    # is called "localhost"; it falls back to SameSite=Lax, which is right for a local app.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https", category=UserWarning)
    args = ["sim.app", "--host", host, "--port", str(port), "--production", "--no-check-version"]
    args.append("--open" if open_browser else "--no-open")
    run.main(args, standalone_mode=False)
