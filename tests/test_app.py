"""The app's wiring without a browser: controls -> model, the figures' contents, the Solara components,
and the server (it starts, serves the page and Solara's front-end files locally, then stops).

The browser itself is driven in tests/test_browser.py."""

from __future__ import annotations

import importlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

if os.environ.get("CI") != "true":
    pytest.importorskip("solara", reason="the app needs the optional extra: pip install -e '.[app]'")

import ipyvuetify
import ipywidgets
import matplotlib.text
import solara
import solara.widgets
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_hex, to_rgba
from matplotlib.patches import FancyArrowPatch

from sim import app
from sim.model.metrics import BOUNDED, METRICS
from sim.model.params import LAYERS, MODES, PARTNERS, SPECS, ParameterError, Shock, make_params
from sim.model.region import RegionModel
from sim.science.plots import LAYER_COLOURS, RUN_PANELS

ROOT = Path(__file__).resolve().parents[1]
APP_CONTROLS = {"withdraw", "withdraw_month", "rng"}


def controls(**changes):
    """The app's controls at their starting values, with ``changes`` (dotted names allowed)."""
    return {**app.initial_values(), **changes}


def build(steps=0, **changes):
    return app.AppModel(**controls(**changes)).run(steps)


def by_gid(fig, gid):
    """The artist of the map's axes (collections and patches) whose gid is ``gid``."""
    ax = fig.axes[0]
    (artist,) = [a for a in [*ax.collections, *ax.patches] if a.get_gid() == gid]
    return artist


def arrows(fig, prefix):
    """The map's arrows whose gid starts with ``prefix``, by the rest of their gid."""
    return {
        p.get_gid().removeprefix(prefix): p
        for p in fig.axes[0].patches
        if isinstance(p, FancyArrowPatch) and p.get_gid().startswith(prefix)
    }


# --- controls -> model --------------------------------------------------------------------------------


def test_controls_cover_the_issue_and_name_real_parameters():
    params = app.model_params()
    wanted = {f"policy.JPN.{layer}" for layer in LAYERS}
    wanted |= {f"policy.JPN.allocation.{layer}" for layer in LAYERS}
    wanted |= {"policy.JPN.asean_coordination", "policy.JPN.mode", "china.shipdays"}
    assert set(params) == wanted | APP_CONTROLS
    assert set(params) - APP_CONTROLS <= set(SPECS)


def test_controls_start_at_the_defaults_and_stay_in_range():
    params = app.model_params()
    values = app.initial_values(params)
    for name in set(params) - APP_CONTROLS:
        assert values[name] == SPECS[name].default, name
        control = params[name]
        if isinstance(control, app.Slider):
            assert SPECS[name].lo <= control.min <= control.value <= control.max <= SPECS[name].hi, name
            assert control.is_float_slider == (SPECS[name].kind is float), name
    assert params["policy.JPN.mode"]["values"] == list(MODES)
    assert values["withdraw"] == app.NO_SHOCK and set(params["withdraw"]["values"]) == {app.NO_SHOCK, *PARTNERS}
    assert values["rng"] == "42" and not params["withdraw_month"].is_float_slider


def test_default_controls_build_the_default_model_with_seed_42():
    model = build(steps=5)
    reference = RegionModel(rng=42).run(5)
    assert model.p == make_params({}) and model.seed == app.DEFAULT_SEED == 42
    assert model.input_error is None and model.controls == controls()
    for metric in METRICS:
        assert np.array_equal(model.series()[metric], reference.series()[metric]), metric


def test_a_layer_switched_off_reaches_the_model():
    on, off = build(steps=24), build(steps=24, **{"policy.JPN.capacity": False})
    assert off.p["policy.JPN.capacity"] is False and on.p["policy.JPN.capacity"] is True
    assert off.partner_by["JPN"].plan["capacity"] == 0 < on.partner_by["JPN"].plan["capacity"]
    assert on.ledger.count(actor="JPN", kind="offer", layer="capacity") > 0
    assert off.ledger.count(actor="JPN", kind="offer", layer="capacity") == 0


def test_sliders_and_choices_reach_the_model():
    model = build(**{"policy.JPN.allocation.quad": 0.8, "policy.JPN.asean_coordination": 0.1, "china.shipdays": 360.0})
    jpn = model.partner_by["JPN"]
    assert model.p["policy.JPN.allocation.quad"] == 0.8 == jpn.weights["quad"]  # a fixed plan keeps its weights
    assert model.p["policy.JPN.asean_coordination"] == 0.1 == jpn.routed_share
    assert model.p["china.shipdays"] == 360.0  # the 2022 fleet's; China's ship-days follow its fleet
    assert model.china.shipdays > 360.0  # the outlook's fleet (2025 on) is larger than 2022's
    adaptive = build(**{"policy.JPN.mode": "adaptive"}).partner_by["JPN"]
    assert adaptive.mode == "adaptive" and adaptive.weights != build().partner_by["JPN"].weights  # learned


def test_withdrawal_control_becomes_a_shock():
    assert build().p["shocks"] == ()
    shocked, calm = build(steps=5, withdraw="USA", withdraw_month=3), build(steps=5)
    assert shocked.p["shocks"] == (Shock(step=3, kind="withdraw", state="USA"),)
    assert [shocked.partner_by[p].withdrawn for p in PARTNERS] == [p == "USA" for p in PARTNERS]

    def usa_offers_from_march(model):
        return model.ledger.count([a for a in model.ledger if a.date >= "2025-03"], actor="USA", kind="offer")

    assert usa_offers_from_march(shocked) == 0 < usa_offers_from_march(calm)
    assert app.control_label("withdraw_month", "Withdraws in month", 24) == "Withdraws in month: 24 (2026-12)"


@pytest.mark.parametrize(("text", "seed"), [("7", 7), (" 12 ", 12), (0, 0), ("123456789012", 123456789012)])
def test_seed_text_is_parsed(text, seed):
    assert app.parse_seed(text) == seed
    assert build(rng=text).seed == seed


@pytest.mark.parametrize("text", ["abc", "-1", "1.5", ""])
def test_bad_seed_is_refused(text):
    with pytest.raises(ParameterError, match="seed"):
        app.parse_seed(text)


def test_invalid_controls_fall_back_to_the_default_scenario_with_a_message():
    """The page builds the model inside the Reset button's handler: raising there would leave a dead button."""
    bad_seed = build(rng="abc", **{"policy.JPN.quad": False})
    assert bad_seed.seed == 42 and bad_seed.p == make_params({})
    assert "seed" in bad_seed.input_error and "default scenario" in bad_seed.input_error
    no_weight = build(**{f"policy.JPN.allocation.{layer}": 0.0 for layer in LAYERS})
    assert no_weight.p == make_params({}) and "policy.JPN.allocation" in no_weight.input_error
    nobody = build(withdraw="CHN")
    assert nobody.p["shocks"] == () and "partner" in nobody.input_error
    assert build(rng="7").input_error is None


# --- the coastlines -----------------------------------------------------------------------------------------


def test_land_is_shipped_data_inside_its_box():
    text = resources.files("sim.model.data").joinpath("land.json").read_text(encoding="utf-8")
    assert len(text) < 50_000 and json.loads(text) == app.land()
    lon0, lat0, lon1, lat1 = app.land()["bbox"]
    countries = app.land()["countries"]
    points = np.array([pt for c in countries.values() for ring in c["polygons"] for pt in ring])
    assert ((points[:, 0] >= lon0) & (points[:, 0] <= lon1) & (points[:, 1] >= lat0) & (points[:, 1] <= lat1)).all()
    assert {"IDN", "MYS", "PHL", "VNM", "THA", "BRN", "CHN", "AUS"} <= set(countries)
    assert "Natural Earth" in app.land()["source"]
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert "*.json" in package_data["sim.model.data"]
    assert "land.json" in (ROOT / "sim" / "model" / "data" / "SOURCES.md").read_text(encoding="utf-8")


# --- what the views show -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def run24():
    return app.AppModel(**controls(withdraw="USA", withdraw_month=10)).run(24)


@pytest.fixture(scope="module")
def map24(run24):
    return app.map_figure(run24)


def test_map_draws_land_areas_features_and_states_at_their_lon_lat(run24, map24):
    ax = map24.axes[0]
    assert (*ax.get_xlim(), *ax.get_ylim()) == tuple(np.array(app.land()["bbox"])[[0, 2, 1, 3]])
    land = by_gid(map24, "land")
    assert isinstance(land, PolyCollection)
    assert len(land.get_paths()) == sum(len(c["polygons"]) for c in app.land()["countries"].values())
    for gid, kind in (("areas", "recaap_area"), ("features", "feature")):
        where = [(a.lon, a.lat) for a in run24.area_records if a.kind == kind]
        assert np.allclose(by_gid(map24, gid).get_offsets(), where), gid
    members = [m.iso3 for m in run24.members_list]
    assert np.allclose(by_gid(map24, "members").get_offsets(), [app.CAPITALS[m] for m in members])
    assert np.allclose(by_gid(map24, "partners").get_offsets(), [app.OUTSIDERS[p][:2] for p in PARTNERS])
    labels = {t.get_text() for t in ax.texts}
    assert set(members) <= labels and "USA (Guam →)\nwithdrawn" in labels
    usa = by_gid(map24, "partners").get_facecolors()[PARTNERS.index("USA")]
    assert to_hex(usa) == "#ffffff"  # withdrawn in month 10: drawn hollow


def test_map_arrows_are_the_months_ledger_actions_coloured_by_layer(run24, map24):
    expected, outcome = {}, {"accept": "accepted", "decline": "declined"}
    for a in run24.ledger:
        if a.date == run24.date and a.kind in outcome:
            expected[f"{a.target}>{a.actor}:{a.layer}:{outcome[a.kind]}"] = a.layer
        elif a.date == run24.date and a.status == "delivered":
            expected[f"{a.actor}>{a.target}:{a.layer}:delivered"] = a.layer
    drawn = arrows(map24, "action:")
    assert expected and set(drawn) == set(expected)
    for key, arrow in drawn.items():
        assert to_hex(arrow.get_edgecolor()) == LAYER_COLOURS[expected[key]].lower(), key
        assert arrow.get_linestyle() == {"delivered": "-", "accepted": "--", "declined": ":"}[key.rsplit(":", 1)[1]]
    assert "USA" not in {key.split(">")[0] for key in drawn if not key.endswith("delivered")}  # withdrawn: no offers


def test_map_shows_chinas_presence_and_coercion_at_the_features():
    model = build(steps=1, **{"china.shipdays": 720.0})
    for _ in range(24):  # a month with coercion (about one a month at four times the default ship-days)
        if model.month["coercion"]:
            break
        model.step()
    fig = app.map_figure(model)
    features = [a for a in model.area_records if a.kind == "feature"]
    sizes = by_gid(fig, "presence").get_sizes()
    assert np.allclose(sizes, [app.PRESENCE_SCALE * model.china.presence[f.code] for f in features])
    assert set(arrows(fig, "deploy:")) == {f for f, days in model.china.presence.items() if days >= 1}
    coerced = [
        (a.lon, a.lat) for a in features if model.ledger.count(app.month_actions(model), area=a.code, kind="coercion")
    ]
    assert coerced and np.allclose(by_gid(fig, "coercion").get_offsets(), coerced)


def test_map_follows_the_model_month_by_month():
    model = build(steps=1)
    first = set(arrows(app.map_figure(model), "action:"))
    assert first == {f"{p}>{m}:{la}:{o}" for p, m, la, o in app.partner_arrows(app.month_actions(model))}
    model.step()
    second = set(arrows(app.map_figure(model), "action:"))
    assert second == {f"{p}>{m}:{la}:{o}" for p, m, la, o in app.partner_arrows(app.month_actions(model))}
    assert first != second
    off = build(**{"policy.JPN.bilateral": False})
    on = build()
    seen_off, seen_on = set(), set()
    for _ in range(12):
        off.step(), on.step()
        seen_off |= {(p, la) for p, _, la, _ in app.partner_arrows(app.month_actions(off))}
        seen_on |= {(p, la) for p, _, la, _ in app.partner_arrows(app.month_actions(on))}
    assert ("JPN", "bilateral") in seen_on and ("JPN", "bilateral") not in seen_off
    assert ("USA", "bilateral") in seen_off  # the other partners' bilateral layers go on


def test_members_are_coloured_by_alignment_red_toward_china_blue_toward_the_partners(run24, map24):
    align = app.alignments(run24)
    values = np.array(list(align.values()))
    norm = app.alignment_norm(values)
    assert norm.vmin == -norm.vmax and norm.vmax >= np.abs(values).max()
    colours = by_gid(map24, "members").get_facecolors()
    assert np.allclose(colours, app.alignment_colours(values, norm))
    for value, (r, _, b, _) in zip(values, colours, strict=True):
        if value < -0.05:
            assert r > b, value  # toward China: red
        elif value > 0.05:
            assert b > r, value  # toward the partners: blue
    assert (values < -0.05).any() and (values > 0.05).any()
    land = by_gid(map24, "land")
    countries = app.land()["countries"]
    k = sum(len(c["polygons"]) for iso3, c in countries.items() if iso3 < "PHL")  # PHL's first polygon
    assert np.allclose(land.get_facecolors()[k][:3], app.alignment_colours([align["PHL"]], norm)[0][:3])
    assert app.alignment_norm([0.73, -0.2]).vmax == pytest.approx(0.8)


def test_members_figure_shows_alignment_and_vessels_and_names_the_members_in_both(run24):
    fig = app.members_figure(run24)
    top, bottom = fig.axes
    members = [m.iso3 for m in run24.members_list]
    bars = top.containers[0]
    fig.canvas.draw()
    for ax in (top, bottom):  # each chart names the members under its bars
        assert [t.get_text() for t in ax.get_xticklabels() if t.get_visible()] == members
    assert np.allclose([b.get_height() for b in bars], [run24.member_by[m].alignment for m in members])
    now, start = list(app.alignments(run24).values()), list(run24.start_alignment.values())
    norm = app.alignment_norm([*now, *start])
    assert np.allclose([to_rgba(b.get_facecolor()) for b in bars], app.alignment_colours(now, norm))
    (ticks,) = [c for c in top.collections if c.get_gid() == "start"]
    assert np.allclose(ticks.get_offsets()[:, 1], list(build().start_alignment.values())) and start != now
    own, delivered = bottom.containers
    total = [a.get_height() + b.get_height() for a, b in zip(own, delivered, strict=True)]
    assert np.allclose(total, [run24.member_by[m].vessels for m in members])
    assert bottom.get_ylim()[1] <= 1.45 * max(total)  # scaled to the data, with room for the legend


def test_metrics_figure_plots_the_timeseries_so_far(run24):
    fig = app.metrics_figure(run24)
    table = run24.timeseries()
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == [label for _, label in RUN_PANELS]
    for ax, (metric, _) in zip(axes, RUN_PANELS, strict=True):
        monthly, mean, now, shock = ax.get_lines()
        assert np.allclose(monthly.get_ydata(), table[metric]) and len(monthly.get_xdata()) == 24
        assert np.allclose(mean.get_ydata(), table[metric].rolling(12, min_periods=1).mean())
        assert now.get_ydata()[0] == table[metric].iloc[-1]
        assert shock.get_xdata()[0] == pytest.approx(2025 + 9.5 / 12)  # the withdrawal, October 2025
        bottom, top = ax.get_ylim()
        assert bottom == 0 and table[metric].max() <= top <= max(1.0, 1.2 * table[metric].max()), metric
        if metric in BOUNDED:
            assert top <= 1.02
    assert axes[2].get_ylim()[1] > 100  # China's ship-days: scaled to the data, not to 0-1


def test_figures_before_the_first_step_are_drawn():
    model = build()
    fig = app.metrics_figure(model)
    assert all(len(ax.get_lines()[0].get_xdata()) == 0 for ax in fig.axes)
    assert app.png(fig).startswith(b"\x89PNG") and app.png(app.map_figure(model)).startswith(b"\x89PNG")
    assert app.month_actions(model) == [] and not arrows(app.map_figure(model), "action:")


def test_describe_states_the_month_and_the_scenario_in_use(run24):
    now, scenario = app.describe(run24)
    assert now.startswith(f"Month 24 (2026-12) · stability index {run24.series()['stability_index'][-1]:.3f} · ")
    assert "Quad 0.15, bilateral 0.15, forums 0.15, capacity 0.55" in scenario and "30% via ASEAN" in scenario
    assert "USA withdraws in month 10 (2025-10) (withdrawn)" in scenario and "seed 42" in scenario
    assert "China 180 ship-days a month" in scenario and "fixed plan" in scenario
    _, off = app.describe(build(**{"policy.JPN.capacity": False, "policy.JPN.forums": False}))
    assert "Japan's layers: Quad 0.15, bilateral 0.15 ·" in off


def test_changed_controls_are_listed_until_reset():
    model = build()
    values = controls(**{"policy.JPN.capacity": False, "rng": "7"})
    assert app.changed_controls(model, values) == ["Japan: capacity building", "Seed"]
    assert app.changed_controls(model, controls()) == []
    assert app.changed_controls(app.AppModel(**values), values) == []  # after Reset


def test_slider_labels_show_their_values():
    assert app.control_label("policy.JPN.asean_coordination", "JPN via ASEAN", 0.35000000000000003, 0.05) == (
        "JPN via ASEAN: 0.35"
    )
    assert app.control_label("china.shipdays", "China ship-days", 180.0, 10.0) == "China ship-days: 180"


# --- Mesa is left alone -----------------------------------------------------------------------------------

#: run in a fresh interpreter: every attribute of every loaded Mesa module, before and after importing sim.app.
#: Mesa's visualization (another Mesa app's SolaraViz) is loaded first where it can be: it needs altair,
#: which the app does not
MESA_SNAPSHOT = """
import json, sys, types, warnings
import mesa
try:
    with warnings.catch_warnings():  # Mesa 3.3.1's ComponentsView trips Solara's rules-of-hooks check
        warnings.simplefilter("ignore")
        import mesa.visualization, mesa.visualization.utils
    visualization = True
except ImportError:
    visualization = False

def snapshot():
    return {
        name: {k: v for k, v in vars(module).items() if not k.startswith("__")}
        for name, module in list(sys.modules.items())
        if name == "mesa" or name.startswith("mesa.")
    }

before = snapshot()
import sim.app
after = snapshot()
changed = [
    f"{name}.{k}" for name, attrs in before.items() for k, v in attrs.items() if after[name].get(k, v) is not v
]
added = [
    f"{name}.{k}" for name, attrs in before.items() for k, v in after[name].items()
    if k not in attrs and not isinstance(v, types.ModuleType)  # a submodule imported for the first time is fine
]
print(json.dumps({
    "changed": changed, "added": added, "modules": len(before), "visualization": visualization,
}))
"""


def test_importing_the_app_changes_nothing_in_mesa():
    """Other Mesa apps in the same process keep Mesa's own SolaraViz: importing sim.app changes no attribute of
    any Mesa module loaded before it (tests/test_architecture.py reads the sources of sim/ for such
    assignments)."""
    result = subprocess.run([sys.executable, "-c", MESA_SNAPSHOT], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert (report["changed"], report["added"]) == ([], [])
    assert report["modules"] > 10  # Mesa's modules were loaded, so the comparison meant something
    assert report["visualization"] == importable("altair")  # with altair, Mesa's visualization was among them


def importable(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True


def test_the_app_uses_nothing_of_mesas_visualization():
    """The app has its own slider description (Slider) and its own signal that the model stepped (stepped):
    importing it, in a fresh interpreter with every warning an error, loads no module of mesa.visualization
    (nor altair, which mesa.visualization imports)."""
    code = (
        "import sys, sim.app\n"
        "print(sorted(m for m in sys.modules if m.startswith('mesa.visualization') or m.split('.')[0] == 'altair'))"
    )
    result = subprocess.run([sys.executable, "-W", "error", "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
    slider = app.model_params()["withdraw_month"]
    with pytest.raises(AttributeError):
        slider.value = 1  # frozen: model_params' descriptions are never changed in place


# --- Solara components -----------------------------------------------------------------------------------


def text_of(rc, class_):
    """The text of the one widget with this CSS class."""
    return rc.find(class_=class_).widget.children[0]


def test_controls_show_their_values_and_set_the_sidebars_values():
    values = solara.reactive(app.initial_values())
    _, rc = solara.render(app.ParameterControls(app.model_params(), values), handle_error=False)
    headings = [w.children[0] for w in rc.find(class_="sim-heading").widgets]
    assert headings == ["Japan's policy", "China", "A partner's withdrawal", "Random numbers"]
    sliders = {w.widget.label.split(":")[0]: w.widget for w in rc.find(ipyvuetify.Slider)}
    assert sliders["JPN via ASEAN"].label == "JPN via ASEAN: 0.30"
    assert sliders["Withdraws in month"].label == "Withdraws in month: 24 (2026-12)"
    sliders["JPN via ASEAN"].v_model = 0.55
    rc.find(ipyvuetify.Slider, label="JPN via ASEAN: 0.55").assert_single()
    assert values.value == controls(**{"policy.JPN.asean_coordination": 0.55})
    rc.find(ipyvuetify.Checkbox, label="Japan: capacity building").widget.v_model = False
    assert values.value["policy.JPN.capacity"] is False
    seed = rc.find(ipyvuetify.TextField, label="Seed").widget
    assert seed.v_model == "42" and not seed.error and seed.messages == []
    values.value = {**values.value, "rng": "4.5"}
    assert seed.v_model == "4.5" and seed.error and seed.messages == ["a non-negative whole number"]
    rc.close()


def test_intro_says_what_changed_until_reset_and_why_a_scenario_was_refused():
    values = solara.reactive(controls())
    _, rc = solara.render(app.IntroView(build(), values), handle_error=False)
    assert rc.find(class_="sim-pending").widgets == [] and rc.find(class_="sim-input-error").widgets == []
    assert rc.find(tag="p").widget.unsafe_innerHTML.startswith("<b>How to use this page.</b> Each step")
    values.value = controls(**{"china.shipdays": 400.0})
    (cue,) = rc.find(class_="sim-pending").widget.children
    assert cue == "Changed since the last Reset: China ship-days. Press RESET to start the new scenario."
    rc.close()
    _, rc = solara.render(app.IntroView(build(rng="x"), solara.reactive(controls(rng="x"))), handle_error=False)
    assert "default scenario" in text_of(rc, "sim-input-error")
    rc.close()


@pytest.mark.slow
def test_views_render_the_figures_as_images(run24):
    for view, figure, name in [
        (app.MapView, app.map_figure, "map"),
        (app.MetricsView, app.metrics_figure, "metrics"),
        (app.MembersView, app.members_figure, "members"),
    ]:
        _, rc = solara.render(view(run24), handle_error=False)
        image = rc.find(ipywidgets.Image).widget
        assert image.value == app.png(figure(run24))
        assert f"sim-{name}" in image._dom_classes
        assert image.layout.max_height == f"{app.VIEW_HEIGHT[name]}px"
        rc.close()


@pytest.fixture
def page():
    """The whole page, in Solara's app layout (the title bar and the sidebar are shown through it)."""
    _, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    yield rc
    if rc.find(ipyvuetify.Btn, children=["❚❚ Pause"]).widgets:
        click(rc, "❚❚ Pause")  # stop the thread that plays
    rc.close()


def button(rc, label):
    return rc.find(ipyvuetify.Btn, children=[label]).widget


def click(rc, label):
    button(rc, label).click()


def images(rc):
    """The views' images by name (map, metrics, members), in the page's order."""
    return {c.removeprefix("sim-"): w for w in rc.find(ipywidgets.Image).widgets for c in w._dom_classes[1:]}


def test_page_has_the_run_controls_the_scenario_and_the_views_in_their_places(page):
    assert page.find(ipyvuetify.ToolbarTitle).widget.children == [app.TITLE]
    buttons = [w.children[0] for w in page.find(ipyvuetify.Btn).widgets]
    assert buttons == ["Reset", "▶ Play", "Step"]
    assert text_of(page, "sim-month") == "Month 0 (2024-12)"
    assert len(page.find(class_="sim-heading").widgets) == len(app.CONTROL_HEADINGS)
    assert "How to use this page" in page.find(tag="p").widget.unsafe_innerHTML
    assert text_of(page, "sim-status").startswith("Month 0 (2024-12")
    # the views in three tabs, in this order, the map's legend beside the map in its tab
    tabs = [w.children[0] for w in page.find(ipyvuetify.Tab).widgets]
    assert tabs == ["Map of this month", "Measurements over time", "Members"]
    assert set(images(page)) == {"map", "metrics", "members"}
    (legend,) = [w for w in page.find(solara.widgets.HTML).widgets if w.attributes.get("class") == "sim-legend"]
    assert "toward the partners" in legend.unsafe_innerHTML


@pytest.mark.slow
def test_step_draws_the_next_month_and_reset_starts_the_changed_scenario(page):
    before = {name: w.value for name, w in images(page).items()}
    click(page, "Step")
    assert text_of(page, "sim-month") == "Month 1 (2025-01)"
    assert text_of(page, "sim-status").startswith("Month 1 (2025-01) · stability index 0.")
    assert all(w.value != before[name] for name, w in images(page).items())
    step1 = images(page)["map"].value

    page.find(ipyvuetify.Checkbox, label="Japan: capacity building").widget.v_model = False
    assert "Japan: capacity building" in text_of(page, "sim-pending")
    assert "capacity 0.55" in text_of(page, "sim-scenario")  # the model: not yet changed
    click(page, "Reset")
    assert text_of(page, "sim-month") == "Month 0 (2024-12)"
    assert page.find(class_="sim-pending").widgets == []
    assert "Japan's layers: Quad 0.15, bilateral 0.15, forums 0.15 · 30% via ASEAN" in text_of(page, "sim-scenario")
    click(page, "Step")
    assert text_of(page, "sim-month") == "Month 1 (2025-01)"
    assert images(page)["map"].value != step1  # same seed, same month, one layer fewer


def month_shown(rc) -> int:
    return int(text_of(rc, "sim-month").split()[1])


def wait_for(condition, seconds=60.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.mark.slow
def test_play_steps_month_after_month_until_pause(page):
    month0 = images(page)["map"].value
    click(page, "▶ Play")
    assert text_of(page, "sim-month").endswith("· playing")
    assert button(page, "Step").disabled  # while playing
    wait_for(lambda: month_shown(page) >= 3)
    click(page, "❚❚ Pause")
    # the page answers once the month being drawn is on it (the thread that plays is drawing it)
    wait_for(lambda: not text_of(page, "sim-month").endswith("· playing"), seconds=10)
    paused = month_shown(page)
    time.sleep(3 * (app.PLAY_PAUSE_S + 1))  # a month under way when Pause was pressed may still finish
    settled = month_shown(page)
    assert settled - paused <= 1
    time.sleep(3 * (app.PLAY_PAUSE_S + 1))
    assert month_shown(page) == settled  # stopped
    assert button(page, "▶ Play") and not button(page, "Step").disabled
    assert images(page)["map"].value != month0
    assert text_of(page, "sim-status").startswith(f"Month {settled} (")


# --- the server ------------------------------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=5.0):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read()


@pytest.mark.slow
def test_serve_serves_the_page_and_solaras_files_from_this_machine():
    """serve() answers on the port given; the front end's files come from the solara-assets package
    (if one were missing, Solara would try to fetch it from a CDN, and this machine has no internet)."""
    port = free_port()
    code = f"from sim.app import serve; serve(port={port})"
    server = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline, page = time.monotonic() + 30, None
        while page is None and time.monotonic() < deadline:
            assert server.poll() is None, server.stdout.read().decode()
            try:
                page = get(f"http://127.0.0.1:{port}/")
            except OSError:
                time.sleep(0.2)
        assert page is not None, "the server did not answer within 30 s"
        status, html = page
        assert status == 200 and b"solara" in html
        assert b"https://solara.dev/static/public/success.html" not in html  # no start-up check
        assets = re.findall(r'(?:src|href)="(/_solara/cdn/[^"]+)"', html.decode())
        assert any("solara-vuetify-app" in a for a in assets) and any("require" in a for a in assets)
        for asset in assets:
            status, body = get(f"http://127.0.0.1:{port}{asset}")
            assert status == 200 and len(body) > 1000, asset
    finally:
        server.terminate()
        server.wait(timeout=10)


# --- what a student sees: every control explained, text legible, members named (issue 20) -------------


def test_every_control_has_a_short_explanation_under_it():
    params = app.model_params()
    assert set(app.CONTROL_HELP) == set(params)  # no control without one, none for a control that is gone
    assert all(10 < len(text) <= 160 for text in app.CONTROL_HELP.values())
    values = solara.reactive(app.initial_values())
    _, rc = solara.render(app.ParameterControls(params, values), handle_error=False)
    shown = [w.children[0] for w in rc.find(class_="sim-help").widgets]
    assert shown == [app.CONTROL_HELP[name] for name in params]
    assert "USD 134 m a year" in app.CONTROL_HELP["policy.JPN.allocation.quad"]  # the budget in its unit
    rc.close()


def test_the_run_buttons_are_explained(run24):
    _, rc = solara.render(app.RunControls(solara.reactive(run24), solara.reactive(controls())), handle_error=False)
    shown = [w.children[0] for w in rc.find(class_="sim-help").widgets]
    assert shown == list(app.RUN_HELP)
    for button in ("RESET", "PLAY", "STEP"):
        assert any(text.startswith(button) or f" {button}" in text for text in shown), button
    rc.close()


@pytest.mark.parametrize("figure", ["map_figure", "metrics_figure", "members_figure"])
def test_the_figures_type_is_large_enough_to_read_at_their_own_size(run24, figure):
    """At 100 dpi and shown at their own size (see the browser test at 1280 x 800), 8.5 pt is 11.8 px."""
    fig = getattr(app, figure)(run24)
    fig.canvas.draw()
    sizes = {t.get_text(): t.get_fontsize() for t in fig.findobj(matplotlib.text.Text) if t.get_text().strip()}
    small = {text: size for text, size in sizes.items() if size < app.SMALL_PT}
    assert sizes and not small
    assert round(fig.get_size_inches()[0] * 100) <= 830  # fits the main area of a 1280 px window beside the sidebar


def test_the_maps_legend_names_every_mark_and_the_alignment_scale(run24, map24):
    legend = app.map_legend(run24)
    marks = [
        "coercion",
        "disputed feature",
        "sea area",
        "partner",
        "ASEAN member",
        "toward China",
        "toward the partners",
    ]
    for words in [*(app.LAYER_NAMES[layer] for layer in LAYERS), *app.OUTCOME_WORDS.values(), *marks]:
        assert words in legend, words
    assert map24.legends == [] and len(map24.axes) == 1  # no legend or colour bar inside the map's image


def test_the_members_view_names_each_member_under_its_charts(run24):
    _, rc = solara.render(app.MembersView(run24), handle_error=False)
    key = text_of(rc, "sim-members-key")
    for m in run24.members_list:
        assert f"{m.iso3} {app.MEMBER_NAMES[m.iso3]}" in key
    rc.close()
