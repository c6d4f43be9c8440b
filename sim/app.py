"""The interactive app: a Solara page that runs ``RegionModel`` month by month (``python -m sim app``).

Sidebar: RESET, ▶ PLAY / ❚❚ PAUSE and STEP (one month), with the month shown; the scenario's controls:
Japan's four layers, its allocation weights, ``asean_coordination`` and plan mode; China's ship-days; a
partner's withdrawal (a shock in a chosen month); the seed. Each slider shows its value; changed controls
take effect on Reset, and the page says so until then; every control and button has a line under it
saying what it does (CONTROL_HELP, RUN_HELP). Views (updated every step), one tab each, each figure
shown at its own size on a 1280 x 800 window: a map of the region drawn from Natural Earth's coastlines
shipped in ``sim/model/data/land.json`` (sea areas, disputed features, the states, this month's actions
from the ledger as arrows coloured by layer, China's ship-days at each feature, members coloured by
alignment), with its legend beside it (HTML: map_legend); the main measurements over time; each member's
alignment and patrol vessels, the members named under both charts. All figures are matplotlib, drawn
here (the model never imports this module); the front end is served from the ``solara-assets`` package,
so the app works without an internet connection.

The page is built from this module's own Solara components (see "Solara components" below), with its
own description of a slider (``Slider``) and its own signal that the model has stepped (``stepped``); of
Mesa it uses only the model, never ``mesa.visualization``. It changes nothing in Mesa: other Mesa apps in
the same process keep Mesa's own ``SolaraViz``.

Needs the optional extra: ``pip install -e '.[app]'``. Serve it with ``python -m sim app`` (or
``solara run sim.app``); ``serve()`` is what the command line calls.
"""

from __future__ import annotations

import io
import json
import math
import threading
import traceback
import warnings
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, cast

import matplotlib.patheffects as pe
import numpy as np
import reacton.ipywidgets as rw
import solara
import solara.lab
import solara.server.settings
from matplotlib import colormaps
from matplotlib.collections import PolyCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch

from sim.model.ledger import Action
from sim.model.metrics import BOUNDED
from sim.model.params import LAYERS, MODES, PARTNERS, SPECS, ParameterError, make_params
from sim.model.region import RegionModel
from sim.science.plots import LAYER_COLOURS, LAYER_NAMES, PALETTE, PARTNER_COLOUR, RUN_PANELS, format_value

# The app never phones home: no usage telemetry (the page has no internet connection to send it on).
solara.server.settings.telemetry.mixpanel_enable = False
# Nor does it show Solara's "This website runs on Solara" banner, which covers the bottom right of the page.
solara.server.settings.theme.show_banner = False

TITLE = "Layered security cooperation in Southeast Asia"
INTRO = (
    "Each step is one month, from January 2025. Japan, the US, Australia and India offer the ASEAN members "
    "cooperation in four layers, which each member accepts or declines; China sends coast-guard ship-days to the "
    "disputed features. Change Japan's policy, China's ship-days or a partner's withdrawal on the left, press "
    "RESET to start that scenario, then STEP (one month) or ▶ PLAY (a month after another, until PAUSE). "
    "The tabs below show the map, the measurements and the members; ☰ at the top left hides or shows the controls."
)
DEFAULT_SEED = 42
NO_SHOCK = "none"
DEFAULT_WITHDRAW_MONTH = 24
LAST_WITHDRAW_MONTH = 120
SHIPDAYS_MAX = 720.0  # the slider's top: four times the default (the parameter allows more)

SHORT_LAYER_NAMES: dict[str, str] = {
    "quad": "Quad",
    "bilateral": "bilateral",
    "forums": "forums",
    "capacity": "capacity",
}

# --- the map's geography ----------------------------------------------------------------------------

#: members at their capitals (lon, lat)
CAPITALS: dict[str, tuple[float, float]] = {
    "BRN": (114.94, 4.89),
    "KHM": (104.92, 11.56),
    "IDN": (106.85, -6.21),
    "LAO": (102.63, 17.97),
    "MYS": (101.69, 3.14),
    "MMR": (96.13, 19.75),
    "PHL": (120.98, 14.6),
    "SGP": (103.82, 1.35),
    "THA": (100.5, 13.75),
    "VNM": (105.85, 21.03),
    "TLS": (125.57, -8.56),
}
#: the members' names, for the key under the members' charts
MEMBER_NAMES: dict[str, str] = {
    "BRN": "Brunei", "KHM": "Cambodia", "IDN": "Indonesia", "LAO": "Laos", "MYS": "Malaysia", "MMR": "Myanmar",
    "PHL": "the Philippines", "SGP": "Singapore", "THA": "Thailand", "VNM": "Vietnam", "TLS": "Timor-Leste",
}  # fmt: skip
#: where the partners and China are drawn (lon, lat) and what the place is: their nearest territory in the
#: frame (Okinawa, Darwin, the Andaman Islands), or the edge of the frame toward it (Guam, at 144.8 E)
OUTSIDERS: dict[str, tuple[float, float, str]] = {
    "JPN": (127.68, 26.21, "JPN (Okinawa)"),
    "USA": (134.3, 13.45, "USA (Guam →)"),
    "AUS": (130.84, -12.46, "AUS (Darwin)"),
    "IND": (92.73, 11.62, "IND (Andamans)"),
    "CHN": (109.51, 18.25, "CHN (Sanya)"),
}
#: short names on the map for the sea areas and features of sim/model/data/areas.csv
SHORT_AREA_NAMES: dict[str, str] = {
    "SOMS": "Malacca Str.",
    "IDN": "Indonesian waters",
    "SCS": "South China Sea",
    "SULU_CELEBES": "Sulu-Celebes",
    "PHL": "Philippine waters",
    "VNM": "Vietnamese waters",
    "MYS": "Malaysian waters",
    "THA": "Gulf of Thailand",
    "SCARBOROUGH": "Scarborough",
    "SECOND_THOMAS": "Second Thomas",
    "THITU": "Thitu",
    "VANGUARD": "Vanguard",
    "LUCONIA": "Luconia",
    "NATUNA": "Natuna",
}
SEA_COLOUR = "#eaf2f8"
LAND_COLOUR = "#e3e0d8"
AREA_COLOUR = "#1f3b73"
CHINA_COLOUR = "#a50f15"
OWN_FLEET_COLOUR = "#8c8c8c"
#: members' alignment: red toward China (negative), blue toward the partners (positive)
ALIGNMENT_CMAP = "RdBu"
#: how an offer or delivery of this month is drawn: line style and width
OUTCOME_STYLE: dict[str, tuple[str, float]] = {
    "delivered": ("-", 2.2),
    "accepted": ("--", 1.5),
    "declined": (":", 1.3),
}
OUTCOME_WORDS = {"delivered": "delivered this month", "accepted": "offer accepted", "declined": "offer declined"}
#: curvature of each layer's arrows, so that two layers between the same pair stay apart
LAYER_BEND: dict[str, float] = {"quad": -0.3, "bilateral": -0.12, "forums": 0.12, "capacity": 0.3}
#: marker area (points^2) per ship-day of China's presence at a feature
PRESENCE_SCALE = 6.0
#: how far (degrees) an arrow stops short of the states and features it joins
ARROW_GAP = 0.7
#: the figures' sizes (inches at 100 dpi: the page shows them at about their own size on a 1280 x 800
#: window, so that a point of type is about 1.4 pixels) and their type sizes (points)
MAP_SIZE = (5.2, 4.2)
METRICS_SIZE = (8.3, 4.1)
MEMBERS_SIZE = (8.3, 3.9)
TITLE_PT = 11.0
TEXT_PT = 10.0
SMALL_PT = 8.5


@lru_cache(maxsize=1)
def land() -> dict[str, Any]:
    """Coastlines: ``sim/model/data/land.json`` (Natural Earth 1:110m countries, cut to the region; see
    ``sim/model/data/SOURCES.md``). ``countries`` maps ISO3 to a name and polygons as lists of [lon, lat]."""
    return json.loads(resources.files("sim.model.data").joinpath("land.json").read_text(encoding="utf-8"))


def month_date(month: int, start: str = SPECS["run.start"].default) -> str:
    """The calendar month (YYYY-MM) of outlook month ``month`` (1 = ``start``)."""
    year, first = (int(x) for x in start.split("-"))
    t = year * 12 + first - 1 + int(month) - 1
    return f"{t // 12:04d}-{t % 12 + 1:02d}"


# --- controls -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slider:
    """A slider of the sidebar: its label, starting value, range and step; ``is_float_slider`` picks a
    slider of decimals (Solara's SliderFloat) or of whole numbers (SliderInt). The other controls are
    described by dicts (see model_params)."""

    label: str
    value: float
    min: float
    max: float
    step: float = 1
    is_float_slider: bool = False


def _slider(label: str, name: str, step: float, hi: float | None = None) -> Slider:
    """A float slider over a parameter's allowed range (capped at ``hi``), starting at its default."""
    spec = SPECS[name]
    top = hi if hi is not None else spec.hi
    if spec.lo is None or top is None:
        raise ValueError(f"{name} has no range to slide over")
    return Slider(label, value=float(spec.default), min=float(spec.lo), max=float(top), step=step, is_float_slider=True)


def model_params() -> dict[str, Any]:
    """The sidebar's scenario controls (a ``Slider``, or a dict with ``type``, ``value``, ``label`` and,
    for a Select, ``values``; the form of Mesa's ``model_params``), in the sidebar's order. Keys are
    RegionModel's dotted parameter names, plus ``withdraw`` and ``withdraw_month`` (the shock) and ``rng``
    (the seed); see AppModel."""
    params: dict[str, Any] = {}
    for layer in LAYERS:
        name = f"policy.JPN.{layer}"
        params[name] = {"type": "Checkbox", "value": SPECS[name].default, "label": f"Japan: {LAYER_NAMES[layer]}"}
    for layer in LAYERS:
        name = f"policy.JPN.allocation.{layer}"
        params[name] = _slider(f"JPN weight: {SHORT_LAYER_NAMES[layer]}", name, 0.05)
    params["policy.JPN.asean_coordination"] = _slider("JPN via ASEAN", "policy.JPN.asean_coordination", 0.05)
    params["policy.JPN.mode"] = {
        "type": "Select",
        "value": SPECS["policy.JPN.mode"].default,
        "values": list(MODES),
        "label": "Japan's plan (fixed or adaptive)",
    }
    params["china.shipdays"] = _slider("China ship-days", "china.shipdays", 10.0, hi=SHIPDAYS_MAX)
    params["withdraw"] = {
        "type": "Select",
        "value": NO_SHOCK,
        "values": [NO_SHOCK, *(p for p in PARTNERS if p != "JPN"), "JPN"],
        "label": "Partner that withdraws",
    }
    params["withdraw_month"] = Slider(
        "Withdraws in month", value=DEFAULT_WITHDRAW_MONTH, min=1, max=LAST_WITHDRAW_MONTH, step=1
    )
    params["rng"] = {"type": "InputText", "value": str(DEFAULT_SEED), "label": "Seed"}
    return params


_BUDGET = format_value("policy.JPN.budget", SPECS["policy.JPN.budget"].default)

#: a short explanation shown under each control of the sidebar (class ``sim-help``)
CONTROL_HELP: dict[str, str] = {
    "policy.JPN.quad": "Quad: maritime domain awareness, surveillance data shared with a member.",
    "policy.JPN.bilateral": "Bilateral: exercises and patrols with one member; the most visible to China.",
    "policy.JPN.forums": "ASEAN-led forums: dialogues, hotlines and confidence-building initiatives.",
    "policy.JPN.capacity": "Capacity building: patrol vessels for a member, delivered after about 30 months.",
    "policy.JPN.allocation.quad": f"How Japan splits its budget ({_BUDGET}) over the layers that are on: "
    "the weights count relative to each other. This one: the Quad.",
    "policy.JPN.allocation.bilateral": "Weight of bilateral exercises and patrols in Japan's budget.",
    "policy.JPN.allocation.forums": "Weight of ASEAN-led forums in Japan's budget.",
    "policy.JPN.allocation.capacity": "Weight of capacity building (vessels) in Japan's budget.",
    "policy.JPN.asean_coordination": "Share of Japan's offers sent through ASEAN-led mechanisms (0-1): less "
    f"visible, but {format_value('routing.delay', SPECS['routing.delay'].default)} slower.",
    "policy.JPN.mode": "fixed: Japan keeps the weights above; adaptive: it learns which layers work and "
    "moves its budget toward them.",
    "china.shipdays": "Coast-guard and militia ship-days a month China can send to the disputed features "
    f"(default {format_value('china.shipdays', SPECS['china.shipdays'].default)}).",
    "withdraw": "A partner that ends all its cooperation in the month below ('none': no one withdraws).",
    "withdraw_month": "The month of the run in which it withdraws (its date in brackets).",
    "rng": "The seed of the random numbers: the same seed and scenario give the same run.",
}
#: what each button of the Run card does (shown under the buttons, class ``sim-help``)
RUN_HELP = (
    "RESET: start again at month 0 with the scenario below.",
    "▶ PLAY: one month after another, until ❚❚ PAUSE.",
    "STEP: one month.",
)


def initial_values(params: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The starting value of every control (what the first model of a session is built from)."""
    out = {}
    for name, control in (params or model_params()).items():
        out[name] = control.value if isinstance(control, Slider) else control["value"]
    return out


def control_label(name: str, label: str, value: Any, step: float = 1) -> str:
    """A slider's label with its value (Solara's sliders show it only while dragged): ``JPN via ASEAN:
    0.30``; the withdrawal month also with its date."""
    decimals = max(0, -math.floor(math.log10(step))) if 0 < step < 1 else 0
    text = f"{label}: {float(value):.{decimals}f}"
    if name == "withdraw_month":
        text += f" ({month_date(value)})"
    return text


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
    and a message saying why. The page builds the model when RESET is pressed, where an exception would
    leave the user with nothing but a traceback in the server's log."""
    try:
        kwargs = region_kwargs(**controls)
        make_params({k: v for k, v in kwargs.items() if k != "rng"})
    except (ParameterError, TypeError, ValueError) as err:
        return {"rng": DEFAULT_SEED}, f"{err}. Showing the default scenario (seed {DEFAULT_SEED}) instead."
    return kwargs, None


class AppModel(RegionModel):
    """RegionModel as the app builds it: ``AppModel(**values)`` from the controls of :func:`model_params`.

    This class turns the shock and seed controls into RegionModel's arguments, falls back to the default
    scenario on invalid controls (``input_error`` says why; see checked_kwargs), keeps the controls it was
    built from (``controls``: the page compares them with the sidebar's) and each member's alignment and
    vessels at month 0. ``lock`` is held while the model steps and while it is drawn, so that a view never
    reads a month half-simulated (playing steps the model in a thread of its own). The model itself is
    unchanged.
    """

    def __init__(
        self,
        *,
        rng: Any = DEFAULT_SEED,
        withdraw: str = NO_SHOCK,
        withdraw_month: int = DEFAULT_WITHDRAW_MONTH,
        **kwargs: Any,
    ) -> None:
        controls = {"rng": rng, "withdraw": withdraw, "withdraw_month": withdraw_month, **kwargs}
        region, input_error = checked_kwargs(**controls)
        super().__init__(**region)
        self.controls = controls
        self.input_error = input_error
        self.start_alignment = {m.iso3: m.alignment for m in self.members_list}
        self.start_vessels = {m.iso3: m.vessels for m in self.members_list}
        self.lock = threading.RLock()


# --- what the views show ----------------------------------------------------------------------------


def month_actions(model: RegionModel) -> list[Action]:
    """The ledger's actions of the month just simulated (none before the first step)."""
    if model.steps == 0:
        return []
    return [a for a in model.ledger if a.date == model.date]


def partner_arrows(actions: Iterable[Action]) -> Counter:
    """The month's partner -> member actions by layer, counted by (partner, member, layer, outcome):
    ``delivered`` (an accepted offer arrives: vessels, MDA, an exercise, a forum initiative),
    ``accepted`` and ``declined`` (this month's offers, answered by the member)."""
    out: Counter = Counter()
    for a in actions:
        if a.kind in ("accept", "decline"):
            out[(a.target, a.actor, a.layer, "accepted" if a.kind == "accept" else "declined")] += 1
        elif a.status == "delivered" and a.layer in LAYERS:
            out[(a.actor, a.target, a.layer, "delivered")] += 1
    return out


def china_at_features(actions: Iterable[Action]) -> tuple[dict[str, float], Counter, Counter]:
    """The month's deployments (ship-days by feature), coercion incidents and escalations by feature."""
    days: dict[str, float] = {}
    coercion: Counter = Counter()
    escalation: Counter = Counter()
    for a in actions:
        if a.actor != "CHN" or not a.area:
            continue
        if a.kind == "deployment":
            days[a.area] = days.get(a.area, 0.0) + a.amount
        elif a.kind == "coercion":
            coercion[a.area] += 1
        elif a.kind == "escalation":
            escalation[a.area] += 1
    return days, coercion, escalation


def robberies(actions: Iterable[Action]) -> Counter:
    """The month's robberies by sea area."""
    out: Counter = Counter()
    for a in actions:
        if a.kind == "robbery":
            out[a.area] += int(a.amount)
    return out


def alignments(model: RegionModel) -> dict[str, float]:
    """Each member's alignment: negative toward China, positive toward the partners."""
    return {m.iso3: m.alignment for m in model.members_list}


def alignment_norm(values: Iterable[float]) -> Normalize:
    """The colour scale of alignment: symmetric around 0, to +-0.5 or to the largest value (rounded up)."""
    top = max([0.0, *(abs(v) for v in values)])
    limit = max(0.5, math.ceil(top * 10 - 1e-9) / 10)
    return Normalize(-limit, limit)


def alignment_colours(values: Iterable[float], norm: Normalize | None = None) -> np.ndarray:
    """RGBA colours of alignments (red toward China, blue toward the partners)."""
    values = list(values)
    return colormaps[ALIGNMENT_CMAP]((norm or alignment_norm(values))(np.asarray(values, dtype=float)))


def position(model: RegionModel, state: str) -> tuple[float, float]:
    """Where a state is drawn: members at their capitals, partners and China as in OUTSIDERS."""
    if state in CAPITALS:
        return CAPITALS[state]
    if state in OUTSIDERS:
        return OUTSIDERS[state][:2]
    k = list(model.member_by).index(state)  # a member the map does not know: on a circle in the sea
    return (112.0 + 4 * math.cos(k), 12.0 + 4 * math.sin(k))


def _count(n: int, one: str, many: str | None = None) -> str:
    """``1 offer``, ``2 offers``."""
    return f"{n} {one if n == 1 else many or one + 's'}"


def describe(model: AppModel) -> tuple[str, str]:
    """What is shown, in two lines: the month with its main actions; the scenario the model was built
    with (Japan's policy, China's ship-days, the shock, the seed)."""
    p = model.p
    if model.steps == 0:
        now = f"Month 0 ({model.date}, the end of the spin-up): press STEP or ▶ PLAY"
    else:
        actions = month_actions(model)
        outcomes = Counter(outcome for (*_, outcome), n in partner_arrows(actions).items() for _ in range(n))
        days, coercion, _ = china_at_features(actions)
        stability = model.metrics.get("stability_index", float("nan"))
        now = (
            f"Month {model.steps} ({model.date}) · stability index {stability:.3f} · "
            f"{_count(outcomes['accepted'] + outcomes['declined'], 'offer')} ({outcomes['declined']} declined), "
            f"{_count(outcomes['delivered'], 'delivery', 'deliveries')} · China {sum(days.values()):.0f} ship-days, "
            f"{_count(sum(coercion.values()), 'coercion incident')} · "
            f"{_count(sum(robberies(actions).values()), 'robbery', 'robberies')}"
        )
    active = [layer for layer in LAYERS if p[f"policy.JPN.{layer}"]]
    layers = ", ".join(f"{SHORT_LAYER_NAMES[la]} {p[f'policy.JPN.allocation.{la}']:.2f}" for la in active)
    scenario = [
        f"Japan's layers: {layers or 'none'}",
        f"{p['policy.JPN.asean_coordination']:.0%} via ASEAN",
        f"{p['policy.JPN.mode']} plan",
        f"China {p['china.shipdays']:g} ship-days a month",
    ]
    for shock in p["shocks"]:
        gone = " (withdrawn)" if model.partner_by[shock.state].withdrawn else ""
        scenario.append(
            f"{shock.state} withdraws in month {shock.step} ({month_date(shock.step, p['run.start'])}){gone}"
        )
    scenario.append(f"seed {model.seed}")
    return now, " · ".join(scenario)


def changed_controls(model: AppModel, values: Mapping[str, Any], params: Mapping[str, Any] | None = None) -> list[str]:
    """Labels of the controls whose value in the sidebar (``values``) differs from the one the model was
    built with: they take effect at the next Reset."""
    params = params or model_params()
    built = getattr(model, "controls", {})
    out = []
    for name, control in params.items():
        if name in values and name in built and values[name] != built[name]:
            out.append(control.label if isinstance(control, Slider) else control.get("label", name))
    return out


# --- figures (plain matplotlib Figures, no pyplot: nothing to close) -----------------------------------


def _arrow(ax, start, end, *, colour, style="-", width=1.5, bend=0.0, gid="", alpha=0.95, zorder=4) -> None:
    """An arrow from ``start`` to ``end`` (lon, lat), curved by ``bend``, stopping short of both markers.

    The ends are pulled in here, in degrees, rather than by matplotlib's ``shrinkA``/``shrinkB`` (points),
    which split the curve at every draw and made the map several times slower to render."""
    a, b = np.asarray(start, dtype=float), np.asarray(end, dtype=float)
    length = float(np.hypot(*(b - a)))
    cut = min(ARROW_GAP, 0.3 * length) / max(length, 1e-9)
    a, b = a + cut * (b - a), b - cut * (b - a)
    arrow = FancyArrowPatch(
        tuple(a),
        tuple(b),
        arrowstyle="-|>",
        mutation_scale=9 + 2 * width,
        connectionstyle=f"arc3,rad={bend}",
        color=colour,
        linestyle=style,
        linewidth=width,
        shrinkA=0,
        shrinkB=0,
        alpha=alpha,
        zorder=zorder,
        gid=gid,
    )
    arrow.set_path_effects([pe.withStroke(linewidth=width + 1.6, foreground="white", alpha=0.7)])
    ax.add_patch(arrow)


#: offset (points) and alignment of a label placed at a side of its point
PLACES: dict[str, tuple[tuple[float, float], str, str]] = {
    "above": ((0, 6), "center", "bottom"),
    "below": ((0, -6), "center", "top"),
    "left": ((-6, 0), "right", "center"),
    "right": ((6, 0), "left", "center"),
}
#: where the labels of the sea areas and features go, clear of the capitals and of each other
LABEL_PLACES: dict[str, str] = {
    "SOMS": "left",
    "IDN": "below",
    "SCS": "above",
    "SULU_CELEBES": "below",
    "PHL": "right",
    "VNM": "below",
    "MYS": "below",
    "THA": "below",
    "SCARBOROUGH": "left",
    "LUCONIA": "below",
    "NATUNA": "left",
}


def _label(ax, text: str, xy: tuple[float, float], place: str, **kwargs: Any) -> None:
    """A label at one side of a point, haloed in white so that it reads over land and arrows."""
    offset, ha, va = PLACES[place]
    ax.annotate(
        text, xy, xytext=offset, textcoords="offset points", ha=ha, va=va,
        path_effects=[pe.withStroke(linewidth=2, foreground="white", alpha=0.85)], **kwargs,
    )  # fmt: skip


def map_figure(model: AppModel) -> Figure:
    """The region this month, on Natural Earth's coastlines: members (at their capitals, and their land)
    coloured by alignment; partners and China; the sea areas (robberies this month) and the disputed
    features (China's ship-days as red circles, coercion as stars); this month's actions from the ledger
    as arrows, partner -> member coloured by layer (solid: delivered, dashed: offer accepted, dotted:
    offer declined) and China -> feature for its deployments.

    Artists carry a ``gid`` naming what they show (``land``, ``areas``, ``features``, ``members``,
    ``partners``, ``presence``, ``coercion``, ``action:PARTNER>MEMBER:layer:outcome``, ``deploy:FEATURE``)."""
    geo = land()
    lon0, lat0, lon1, lat1 = geo["bbox"]
    align = alignments(model)
    norm = alignment_norm(align.values())
    fig = Figure(figsize=MAP_SIZE, layout="constrained")
    ax = fig.subplots()
    ax.set_facecolor(SEA_COLOUR)

    rings, fills = [], []
    for iso3, country in geo["countries"].items():
        fill = alignment_colours([align[iso3]], norm)[0] if iso3 in align else LAND_COLOUR
        for ring in country["polygons"]:
            rings.append(ring)
            fills.append(fill)
    ax.add_collection(
        PolyCollection(rings, facecolors=fills, edgecolors="#6f6f6f", linewidths=0.5, alpha=0.8, zorder=0, gid="land")
    )

    actions = month_actions(model)
    records = model.area_records
    areas = [a for a in records if a.kind == "recaap_area"]
    features = [a for a in records if a.kind == "feature"]
    robbed = robberies(actions)
    ax.scatter(
        [a.lon for a in areas],
        [a.lat for a in areas],
        s=[18 + 30 * robbed[a.code] for a in areas],
        marker="D",
        facecolors=["#f0e442" if robbed[a.code] else "none" for a in areas],
        edgecolors=AREA_COLOUR,
        linewidths=0.9,
        zorder=2,
        gid="areas",
    )
    for a in areas:
        text = SHORT_AREA_NAMES.get(a.code, a.code)
        if robbed[a.code]:
            text += f"\n{robbed[a.code]} robber{'y' if robbed[a.code] == 1 else 'ies'}"
        if a.code in model.joint:
            text += "\njoint patrols"
        _label(ax, text, (a.lon, a.lat), LABEL_PLACES.get(a.code, "above"), fontsize=SMALL_PT, style="italic",
               color=AREA_COLOUR, zorder=2)  # fmt: skip

    days, coercion, escalation = china_at_features(actions)
    if not actions:  # before the first step: where China is now
        days = {f: float(d) for f, d in model.china.presence.items()}
    base = OUTSIDERS["CHN"][:2]
    for f in features:
        if days.get(f.code, 0.0) >= 1.0:
            width = 0.4 + 2.5 * min(days[f.code], 80.0) / 80.0
            _arrow(ax, base, (f.lon, f.lat), colour=CHINA_COLOUR, width=width, alpha=0.55, gid=f"deploy:{f.code}")
    ax.scatter(
        [f.lon for f in features],
        [f.lat for f in features],
        s=[PRESENCE_SCALE * days.get(f.code, 0.0) for f in features],
        color=CHINA_COLOUR,
        alpha=0.3,
        edgecolors=CHINA_COLOUR,
        linewidths=0.8,
        zorder=3,
        gid="presence",
    )
    ax.scatter(
        [f.lon for f in features], [f.lat for f in features], s=22, marker="^", color="black", zorder=5, gid="features"
    )
    hit = [f for f in features if coercion[f.code]]
    ax.scatter(
        [f.lon for f in hit],
        [f.lat for f in hit],
        s=[90 + 40 * coercion[f.code] for f in hit],
        marker="*",
        color="#ff3b30",
        edgecolors="black",
        linewidths=0.6,
        zorder=6,
        gid="coercion",
    )
    for f in features:
        text = f"{SHORT_AREA_NAMES.get(f.code, f.code)} {days.get(f.code, 0.0):.0f}d"
        if coercion[f.code]:
            text += f", {coercion[f.code]} coerc." + (f" ({escalation[f.code]} esc.)" if escalation[f.code] else "")
        _label(ax, text, (f.lon, f.lat), LABEL_PLACES.get(f.code, "right"), fontsize=SMALL_PT, zorder=6)

    for (partner, member, layer, outcome), n in sorted(partner_arrows(actions).items()):
        style, width = OUTCOME_STYLE[outcome]
        _arrow(
            ax, position(model, partner), position(model, member), colour=LAYER_COLOURS[layer], style=style,
            width=min(width * (1 + 0.4 * (n - 1)), 5.0), bend=LAYER_BEND[layer],
            gid=f"action:{partner}>{member}:{layer}:{outcome}",
        )  # fmt: skip

    members = list(align)
    xy = np.array([position(model, m) for m in members])
    ax.scatter(
        xy[:, 0], xy[:, 1], color=alignment_colours(align.values(), norm), s=80, edgecolors="black",
        linewidths=0.8, zorder=7, gid="members",
    )  # fmt: skip
    for m, (x, y) in zip(members, xy, strict=True):
        ax.annotate(
            m, (x, y), xytext=(0, -7), textcoords="offset points", ha="center", va="top", fontsize=TEXT_PT,
            fontweight="bold", zorder=7, path_effects=[pe.withStroke(linewidth=2, foreground="white")],
        )  # fmt: skip
    partners = list(PARTNERS)
    gone = [model.partner_by[p].withdrawn for p in partners]
    pxy = np.array([OUTSIDERS[p][:2] for p in partners])
    ax.scatter(
        pxy[:, 0], pxy[:, 1], marker="s", s=110, facecolors=["white" if g else PARTNER_COLOUR for g in gone],
        edgecolors="black", linestyles=["--" if g else "-" for g in gone], linewidths=1.0, zorder=7, gid="partners",
    )  # fmt: skip
    ax.scatter([base[0]], [base[1]], marker="s", s=110, color=CHINA_COLOUR, edgecolors="black", zorder=7, gid="china")
    for state in [*partners, "CHN"]:
        x, y, label = OUTSIDERS[state]
        if state in partners and model.partner_by[state].withdrawn:
            label += "\nwithdrawn"
        right = x > 128
        ax.annotate(
            label, (x, y), xytext=(-8 if right else 8, 0), textcoords="offset points", va="center",
            ha="right" if right else "left", fontsize=SMALL_PT, zorder=7,
            path_effects=[pe.withStroke(linewidth=2, foreground="white")],
        )  # fmt: skip

    ax.set_xlim(lon0, lon1)
    ax.set_ylim(lat0, lat1)
    ax.set_aspect("equal")
    ax.set_xticks(range(90, int(lon1) + 1, 10), [f"{x}°E" for x in range(90, int(lon1) + 1, 10)], fontsize=SMALL_PT)
    ticks = range(-10, int(lat1) + 1, 10)
    ax.set_yticks(ticks, [f"{abs(y)}°{'N' if y >= 0 else 'S'}" if y else "0°" for y in ticks], fontsize=SMALL_PT)
    ax.grid(color="white", lw=0.6, alpha=0.8)
    when = f"month {model.steps} ({model.date})" if model.steps else f"month 0 ({model.date}): press STEP"
    ax.set_title(f"This month's actions, {when}", fontsize=TITLE_PT)
    return fig


def map_legend(model: AppModel) -> str:
    """The map's legend as HTML, shown beside the map (class ``sim-legend``): each layer's colour, each
    outcome's line style, China's marks, the places, and the alignment scale of this month's colours."""

    def line(colour: str, style: str = "solid", width: int = 3) -> str:
        return (f'<span class="sim-swatch" style="display:inline-block;width:26px;margin-right:6px;'
                f'vertical-align:middle;border-top:{width}px {style} {colour}"></span>')  # fmt: skip

    def mark(symbol: str, colour: str) -> str:
        return (f'<span class="sim-swatch" style="display:inline-block;width:26px;margin-right:6px;'
                f'text-align:center;color:{colour}">{symbol}</span>')  # fmt: skip

    styles = {"-": "solid", "--": "dashed", ":": "dotted"}
    rows = [("Arrows from a partner to a member, by layer", "")]
    rows += [(line(LAYER_COLOURS[la]) + LAYER_NAMES[la], "") for la in LAYERS]
    rows += [("Line style: what happened", "")]
    rows += [(line("#555555", styles[OUTCOME_STYLE[o][0]], 2) + w, "") for o, w in OUTCOME_WORDS.items()]
    rows += [("China", "")]
    rows += [
        (line(CHINA_COLOUR) + "China sends ship-days to a feature", ""),
        (mark("●", "#d98c8f") + "its ship-days there this month (d)", ""),
        (mark("★", "#ff3b30") + "coercion at a feature", ""),
        ("Places", ""),
        (mark("▲", "black") + "disputed feature", ""),
        (mark("◆", "#c9b800") + "sea area (yellow: robbed this month)", ""),
        (mark("■", PARTNER_COLOUR) + "partner (white: withdrawn)", ""),
        (mark("●", "#2166ac") + "ASEAN member at its capital", ""),
    ]
    norm = alignment_norm(alignments(model).values())
    cmap = colormaps[ALIGNMENT_CMAP]
    stops = ", ".join("#{:02x}{:02x}{:02x}".format(*(int(255 * c) for c in cmap(k / 8)[:3])) for k in range(9))
    items = []
    for text, _ in rows:
        heading = "sim-swatch" not in text
        style = "font-weight:bold;margin-top:6px" if heading else "margin-left:2px"
        items.append(f'<div style="{style}">{text}</div>')
    items.append('<div style="font-weight:bold;margin-top:8px">Members\' colour: alignment</div>')
    items.append(f'<div style="height:12px;margin-top:4px;background:linear-gradient(to right, {stops})"></div>')
    items.append(
        f'<div style="display:flex;justify-content:space-between"><span>{norm.vmin:+.1f} toward China</span>'
        f"<span>{norm.vmax:+.1f} toward the partners</span></div>"
    )
    return f'<div class="sim-legend-body" style="font-size:13px;line-height:1.35">{"".join(items)}</div>'


def _years(dates: Iterable[str]) -> np.ndarray:
    """YYYY-MM dates as decimal years (the middle of each month)."""
    return np.array([int(d[:4]) + (int(d[5:7]) - 0.5) / 12 for d in dates], dtype=float)


def metrics_figure(model: AppModel) -> Figure:
    """The main measurements (sim.science.plots.RUN_PANELS) from the first month to now, one panel each
    (three a row, each with its own years): the monthly values (thin) and their 12-month moving mean
    (thick), with a dot on this month, y from 0 to a little above the largest value (shares capped at
    1); a dashed line marks a withdrawal."""
    table = model.timeseries()
    x = _years(table["date"])
    start = _years([month_date(1, model.p["run.start"])])[0] - 0.5 / 12
    fig = Figure(figsize=METRICS_SIZE, layout="constrained")
    axes = fig.subplots(2, 3)
    for ax, (metric, label), colour in zip(axes.flat, RUN_PANELS, PALETTE, strict=False):
        y = table[metric].to_numpy(dtype=float)
        ax.plot(x, y, color=colour, lw=0.8, alpha=0.5)
        ax.plot(x, table[metric].rolling(12, min_periods=1).mean().to_numpy(dtype=float), color=colour, lw=2.0)
        ax.plot(x[-1:], y[-1:], "o", color=colour, ms=4.5)
        for shock in model.p["shocks"]:
            ax.axvline(_years([month_date(shock.step, model.p["run.start"])])[0], color="black", lw=0.8, ls="--")
        top = float(np.nanmax(y)) if y.size else 0.0
        ax.set_ylim(0, min(1.02, max(0.1, 1.15 * top)) if metric in BOUNDED else max(1.0, 1.15 * top))
        ax.set_xlim(start, max(start + 1, (x[-1] if x.size else start) + 1 / 12))
        ax.set_title(label, fontsize=TEXT_PT)
        ax.tick_params(labelsize=SMALL_PT)
        ax.grid(alpha=0.3)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_xlabel("year", fontsize=SMALL_PT)
    fig.suptitle("Measurements so far (thin: each month; thick: 12-month mean; dot: this month)", fontsize=TITLE_PT)
    return fig


def members_figure(model: AppModel) -> Figure:
    """Each member, named by its ISO3 code under both panels: its alignment now (bars, coloured as on
    the map) and at month 0 (black ticks); its patrol vessels now: its own fleet and the vessels partners
    have delivered."""
    members = [m.iso3 for m in model.members_list]
    align = np.array([model.member_by[m].alignment for m in members])
    start = np.array([getattr(model, "start_alignment", {}).get(m, np.nan) for m in members])
    norm = alignment_norm([*align, *start[np.isfinite(start)]])
    fig = Figure(figsize=MEMBERS_SIZE, layout="constrained")
    left, right = fig.subplots(1, 2)
    x = np.arange(len(members))
    left.bar(
        x, align, color=alignment_colours(align, norm), edgecolor="black", linewidth=0.4, width=0.7, gid="alignment"
    )
    left.scatter(x, start, marker="_", s=260, color="black", linewidths=1.8, zorder=3, label="month 0", gid="start")
    left.axhline(0, color="black", lw=0.6)
    limit = max(0.1, 1.2 * float(np.nanmax(np.abs([*align, *start]))))
    left.set_ylim(-limit, limit)
    left.set_ylabel("alignment: − toward China, + toward the partners", fontsize=SMALL_PT)
    left.set_title(f"Alignment in month {model.steps} (bars) and month 0 (black ticks)", fontsize=TEXT_PT)

    vessels = np.array([model.member_by[m].vessels for m in members])
    own = np.minimum(np.array([model.member_by[m].own_vessels for m in members]), vessels)
    delivered = vessels - own
    right.bar(x, own, color=OWN_FLEET_COLOUR, width=0.7, label="own fleet", gid="own")
    right.bar(
        x, delivered, bottom=own, color=LAYER_COLOURS["capacity"], width=0.7, label="delivered by partners",
        gid="delivered",
    )  # fmt: skip
    for k, (v, d) in enumerate(zip(vessels, delivered, strict=True)):
        right.annotate(
            f"{v:.0f}" + (f"\n+{d:.0f}" if d >= 0.5 else ""), (k, v), xytext=(0, 2), textcoords="offset points",
            ha="center", va="bottom", fontsize=SMALL_PT,
        )  # fmt: skip
    right.set_ylim(0, max(1.0, 1.45 * float(vessels.max())))  # room for the legend above the bars
    right.set_ylabel("patrol vessels", fontsize=SMALL_PT)
    right.legend(fontsize=SMALL_PT, loc="upper left", ncols=2, frameon=False)
    right.set_title(f"Patrol vessels, month {model.steps}", fontsize=TEXT_PT)
    for ax in (left, right):
        ax.set_xticks(x, members, fontsize=SMALL_PT)
        ax.tick_params(axis="y", labelsize=SMALL_PT)
        ax.grid(axis="y", alpha=0.3)
    return fig


def png(fig: Figure) -> bytes:
    """A figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


# --- Solara components ------------------------------------------------------------------------------
#
# The page is a plain Solara component tree (no SolaraViz): Page holds this session's model and the
# sidebar's control values; RunControls steps, plays and resets the model; ParameterControls edits the
# values; Views shows the introduction and the figures. Every view reads ``stepped``, which a step
# increments (``mark_stepped``), so each month is drawn once.

#: how many months this session's models have stepped: every view reads it, so that a step draws them
#: again. A reactive variable made at import holds one value per browser session (per Solara kernel).
stepped: solara.Reactive[int] = solara.reactive(0)


def mark_stepped() -> int:
    """Signal that the model has stepped (every view is to be drawn again); the new value of ``stepped``."""
    stepped.value += 1
    return stepped.value


#: pause between months while playing (drawing the three figures takes about a second and a half more)
PLAY_PAUSE_S = 0.15

#: the sidebar's small headings, each shown above the control it names
CONTROL_HEADINGS: dict[str, str] = {
    "policy.JPN.quad": "Japan's policy",
    "china.shipdays": "China",
    "withdraw": "A partner's withdrawal",
    "rng": "Random numbers",
}

#: the most height (px) each view's figure may take (see show): its own size (100 dpi)
VIEW_HEIGHT: dict[str, int] = {
    "map": round(100 * MAP_SIZE[1]),
    "metrics": round(100 * METRICS_SIZE[1]),
    "members": round(100 * MEMBERS_SIZE[1]),
}
#: how a control's explanation looks
HELP_STYLE = {"display": "block", "font-size": "12px", "color": "#555555", "line-height": "1.3",
              "margin": "-14px 0 10px 0"}  # fmt: skip


def seed_error(value: Any) -> str | None:
    """What is wrong with the seed typed in, or None (shown under the seed box as it is typed)."""
    try:
        parse_seed(value)
    except ParameterError:
        return "a non-negative whole number"
    return None


def help_text(text: str) -> None:
    """A control's explanation, in small grey type under it."""
    solara.Text(text, classes=["sim-help"], style=HELP_STYLE)


@solara.component
def ParameterControls(params: Mapping[str, Any], values: solara.Reactive[dict[str, Any]]):
    """The scenario's controls (:func:`model_params`), each showing and setting its entry of ``values``;
    each slider's label shows its value. Nothing reaches the model until Reset (see RunControls)."""
    current = values.value
    for name, options in params.items():

        def change(value, name=name):
            values.value = {**values.value, name: value}

        if name in CONTROL_HEADINGS:
            solara.Text(
                CONTROL_HEADINGS[name], classes=["sim-heading"],
                style={"display": "block", "font-weight": "bold", "margin-top": "10px"},
            )  # fmt: skip
        if isinstance(options, Slider):
            value = current.get(name, options.value)
            label = control_label(name, options.label, value, options.step or 1)
            if options.is_float_slider:
                solara.SliderFloat(
                    label, value=value, on_value=change, min=options.min, max=options.max, step=options.step
                )
            else:
                low, high, step = int(options.min), int(options.max), int(options.step)
                solara.SliderInt(label, value=value, on_value=change, min=low, max=high, step=step)
        else:
            label, kind = options.get("label", name), options.get("type")
            value = current.get(name, options.get("value"))
            if kind == "Select":
                solara.Select(label, value=value, on_value=change, values=options.get("values"))
            elif kind == "Checkbox":
                solara.Checkbox(label=label, value=value, on_value=change)
            elif kind == "InputText":
                solara.InputText(label=label, value=value, on_value=change, error=seed_error(value) or False)
            else:
                raise ValueError(f"{kind} is not a supported input type")
        if name in CONTROL_HELP:
            help_text(CONTROL_HELP[name])


class Drawn:
    """The last value of ``stepped`` whose render pass has finished (every view drawn), for the
    thread that plays to wait on: it steps the model only once the previous month is on the page. (A
    render may run in another thread, the one of a click, and would otherwise fall ever further behind.)"""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.counter = -1

    def set(self, counter: int) -> None:
        with self._changed:
            self.counter = max(self.counter, counter)
            self._changed.notify_all()

    def wait(self, counter: int, cancel: threading.Event) -> None:
        """Until ``counter`` is drawn or ``cancel`` is set."""
        with self._changed:
            while self.counter < counter and not cancel.is_set():
                self._changed.wait(0.05)


@solara.component
def RunControls(model: solara.Reactive[AppModel], values: solara.Reactive[dict[str, Any]]):
    """RESET (a new model from the sidebar's values), ▶ PLAY / ❚❚ PAUSE (a month after another, in a
    thread) and STEP (one month), and the month the model is at."""
    counter = stepped.get()
    playing = solara.use_reactive(False)
    error = solara.use_reactive(cast(str | None, None))
    drawn = solara.use_memo(Drawn, [])
    solara.use_effect(lambda: drawn.set(counter), [counter])  # after the render pass: the views are drawn
    current = model.value

    def advance(m: AppModel) -> int:
        """One month of ``m``; then every view is to be drawn again. The counter value of that month."""
        with m.lock:
            m.step()
        return mark_stepped()

    def failed(m: AppModel, err: Exception) -> None:
        traceback.print_exc()
        error.value = f"The model failed in month {m.steps + 1}: {err!r}. Press RESET to start again."
        playing.value = False

    def play(cancel: threading.Event) -> None:
        """While playing: a month, a short pause, and again, until PAUSE or RESET set ``cancel``. The
        model is the one of the render that started the thread: a Reset can never be stepped from here."""
        if not playing.value:
            return
        try:
            while playing.value and not cancel.is_set():
                drawn.wait(advance(current), cancel)
                cancel.wait(PLAY_PAUSE_S)
        except Exception as err:  # the page stays; it says what went wrong
            failed(current, err)

    # intrusive_cancel=False: pausing must never interrupt a step half-way
    solara.use_thread(play, dependencies=[playing.value, current], intrusive_cancel=False)

    def step() -> None:
        try:
            advance(current)
        except Exception as err:
            failed(current, err)

    def reset() -> None:
        playing.value = False
        error.value = None
        model.value = AppModel(**values.value)

    with solara.Row(justify="space-between", classes=["sim-run"]):
        solara.Button(label="Reset", color="primary", on_click=reset)
        solara.Button(
            label="❚❚ Pause" if playing.value else "▶ Play",
            color="primary",
            on_click=lambda: playing.set(not playing.value),
            disabled=error.value is not None,
        )
        solara.Button(label="Step", color="primary", on_click=step, disabled=playing.value or error.value is not None)
    with solara.Column(gap="0px", classes=["sim-run-help"]):
        for text in RUN_HELP:
            solara.Text(text, classes=["sim-help"], style={**HELP_STYLE, "margin": "2px 0 0 0"})
    solara.Text(
        f"Month {current.steps} ({current.date})" + (" · playing" if playing.value else ""),
        classes=["sim-month"],
        style={"display": "block", "margin-top": "10px", "font-weight": "bold"},
    )
    if error.value:
        solara.Error(error.value, dense=True, classes=["sim-run-error"])


def show(image: bytes, view: str) -> None:
    """Add a PNG to the current component: at its own size, or smaller to fit its card (scaled down
    whole, never cropped), at most VIEW_HEIGHT[view] pixels high."""
    layout = {"max_width": "100%", "max_height": f"{VIEW_HEIGHT[view]}px", "object_fit": "contain"}
    classes: dict[str, Any] = {"_dom_classes": ["solara-image", f"sim-{view}"]}  # ipywidgets' own name for CSS classes
    rw.Image(value=image, format="png", layout=layout, **classes)


def use_drawing(model: AppModel, figure) -> bytes:
    """``figure(model)`` as PNG, drawn again only when the model steps or is replaced."""
    counter = stepped.get()

    def draw() -> bytes:
        with model.lock:
            return png(figure(model))

    return solara.use_memo(draw, [model, counter])


@solara.component
def IntroView(model: AppModel, values: solara.Reactive[dict[str, Any]]):
    """What the page is and what to do; the month and scenario shown; a cue while the sidebar's controls
    (``values``) differ from the model's (until Reset); the reason when the controls were not a valid
    scenario."""
    stepped.get()
    pending = changed_controls(model, values.value)
    with model.lock:
        now, scenario = describe(model)
    with solara.Card(margin=0, classes=["sim-intro"]):
        solara.HTML(
            tag="p",
            unsafe_innerHTML=f"<b>How to use this page.</b> {INTRO}",
            style="margin: 0 0 4px 0; font-size: 0.9em",
        )
        if pending:
            solara.Warning(
                f"Changed since the last Reset: {', '.join(pending)}. Press RESET to start the new scenario.",
                dense=True,
                classes=["sim-pending"],
            )
        if model.input_error:
            solara.Error(model.input_error, dense=True, classes=["sim-input-error"])
        solara.Text(now, classes=["sim-status"], style={"font-weight": "bold", "display": "block"})
        solara.Text(scenario, classes=["sim-scenario"], style={"font-size": "0.85em", "display": "block"})


@solara.component
def MapView(model: AppModel):
    """The map of the region with this month's actions, and its legend beside it."""
    image = use_drawing(model, map_figure)
    with model.lock:
        legend = map_legend(model)
    with solara.Card(margin=0), solara.Row(style={"align-items": "flex-start", "flex-wrap": "nowrap"}, gap="12px"):
        show(image, "map")
        solara.HTML(tag="div", unsafe_innerHTML=legend, classes=["sim-legend"], style="min-width: 230px")


@solara.component
def MetricsView(model: AppModel):
    """The main measurements over time."""
    image = use_drawing(model, metrics_figure)
    with solara.Card(margin=0):
        show(image, "metrics")


@solara.component
def MembersView(model: AppModel):
    """Each member's alignment and vessels, and the key to the members' codes under the charts."""
    image = use_drawing(model, members_figure)
    key = " · ".join(f"{m.iso3} {MEMBER_NAMES.get(m.iso3, m.iso3)}" for m in model.members_list)
    with solara.Card(margin=0):
        show(image, "members")
        solara.Text(key, classes=["sim-members-key"], style={"display": "block", "font-size": "13px"})


@solara.component
def Views(model: AppModel, values: solara.Reactive[dict[str, Any]]):
    """The main area: the introduction across the top; below it three tabs, each a view at its own size
    (legible on a 1280 x 800 window): the map with its legend beside it, the measurements over time, and
    the members' alignment and vessels."""
    tab = solara.use_reactive(0)
    with solara.Column(classes=["sim-views"]):
        IntroView(model, values)
        with solara.lab.Tabs(value=tab):
            with solara.lab.Tab("Map of this month", classes=["sim-tab-map"]):
                MapView(model)
            with solara.lab.Tab("Measurements over time", classes=["sim-tab-metrics"]):
                MetricsView(model)
            with solara.lab.Tab("Members", classes=["sim-tab-members"]):
                MembersView(model)


@solara.component
def Page():
    """The app, one per browser session: the title bar; in the sidebar the run controls and the
    scenario's controls; the views. The session's model starts from the controls' starting values."""
    params = solara.use_memo(model_params, [])
    values = solara.use_reactive(solara.use_memo(lambda: initial_values(params), []))
    model: solara.Reactive[AppModel] = solara.use_reactive(
        solara.use_memo(lambda: AppModel(**initial_values(params)), [])
    )
    solara.Title(TITLE)  # the browser tab's
    solara.AppBarTitle(children=[TITLE])  # the title bar's
    with solara.Sidebar(), solara.Column():
        with solara.Card("Run", margin=0, classes=["sim-run-card"]):
            RunControls(model, values)
        with solara.Card("Scenario", margin=0, classes=["sim-scenario-card"]):
            solara.Text("Changes take effect when you press RESET.", style={"font-size": "0.9em"})
            ParameterControls(params, values)
    Views(model.value, values)


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
