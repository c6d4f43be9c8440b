"""The app's wiring without a browser: controls -> model, the figures' contents, the Solara components,
and the server (it starts, serves the page and Solara's front-end files locally, then stops).

The browser itself is driven in tests/test_browser.py."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

if os.environ.get("CI") != "true":
    pytest.importorskip("solara", reason="the app needs the optional extra: pip install -e '.[app]'")

import ipywidgets
import solara
from matplotlib.collections import LineCollection
from matplotlib.colors import to_hex

from sim import app
from sim.metrics import METRICS
from sim.model import RegionModel
from sim.params import DOMAINS, LAYERS, PARTNERS, SPECS, ParameterError, make_params
from sim.plots import RUN_PANELS

ROOT = Path(__file__).resolve().parents[1]
APP_CONTROLS = {"withdraw", "withdraw_month", "rng"}


def controls(**changes):
    """The app's controls at their starting values, with ``changes`` (dotted names allowed)."""
    return {**app.initial_values(), **changes}


def build(steps=0, **changes):
    return app.AppModel(**controls(**changes)).run(steps)


# --- controls -> model --------------------------------------------------------------------------------


def test_controls_cover_the_issue_and_name_real_parameters():
    params = app.model_params()
    wanted = {f"policy.JPN.{layer}" for layer in LAYERS}
    wanted |= {f"policy.JPN.allocation.{layer}" for layer in LAYERS}
    wanted |= {"policy.JPN.asean_coordination", "challenger.intensity"}
    wanted |= {f"threats.mix.{d}" for d in DOMAINS}
    assert set(params) == wanted | APP_CONTROLS
    assert set(params) - APP_CONTROLS <= set(SPECS)


def test_controls_start_at_the_defaults_and_stay_in_range():
    params = app.model_params()
    for name, value in app.initial_values(params).items():
        if name in SPECS:
            assert value == SPECS[name].default, name
        control = params[name]
        if isinstance(control, app.Slider) and name in SPECS:
            assert SPECS[name].lo <= control.min <= control.value <= control.max <= SPECS[name].hi, name
            assert control.is_float_slider, name


def test_default_controls_build_the_default_model_with_seed_42():
    model = build(steps=5)
    reference = RegionModel(rng=42).run(5)
    assert model.p == make_params({}) and model.seed == app.DEFAULT_SEED == 42
    assert model.input_error is None
    for metric in METRICS:
        assert np.array_equal(model.series()[metric], reference.series()[metric]), metric


def test_mesa_accepts_the_controls_for_the_app_model_only():
    """Why AppModel exists: SolaraViz refuses dotted names unless __init__'s catch-all is **kwargs."""
    params = app.model_params()
    app.solara_viz._check_model_params(app.AppModel.__init__, params)  # no error
    with pytest.raises(ValueError, match="model parameter"):
        app.solara_viz._check_model_params(RegionModel.__init__, params)


def test_a_layer_switched_off_reaches_the_model():
    on, off = build(steps=3), build(steps=3, **{"policy.JPN.capacity": False})
    jpn, cap = PARTNERS.index("JPN"), LAYERS.index("capacity")
    assert off.p["policy.JPN.capacity"] is False
    assert on.layer_effort[jpn, cap] > 0 and off.layer_effort[jpn, cap] == 0
    assert on.state.ties[cap, jpn].sum() > 0 and off.state.ties[cap, jpn].sum() == 0


def test_sliders_reach_the_model():
    model = build(
        **{"policy.JPN.allocation.quad": 0.8, "policy.JPN.asean_coordination": 0.1, "challenger.intensity": 2.5},
        **{"threats.mix.cyber": 3.0},
    )
    assert model.p["policy.JPN.allocation.quad"] == 0.8
    assert model.p["policy.JPN.asean_coordination"] == 0.1
    assert model.p["challenger.intensity"] == 2.5 == model.state.pressure
    assert model.domain_rates[DOMAINS.index("cyber")] == 3.0 * SPECS["threats.cyber.rate"].default


def test_withdrawal_control_becomes_a_shock():
    assert build().p["shocks"] == ()
    model = build(steps=4, withdraw="USA", withdraw_month=3)
    (shock,) = model.p["shocks"]
    assert (shock.step, shock.kind, shock.state) == (3, "withdraw", "USA")
    assert model.state.withdrawn.tolist() == [p == "USA" for p in PARTNERS]


@pytest.mark.parametrize(("text", "seed"), [("7", 7), (" 12 ", 12), (0, 0), ("123456789012", 123456789012)])
def test_seed_text_is_parsed(text, seed):
    assert app.parse_seed(text) == seed
    assert build(rng=text).seed == seed


@pytest.mark.parametrize("text", ["abc", "-1", "1.5", ""])
def test_bad_seed_is_refused(text):
    with pytest.raises(ParameterError, match="seed"):
        app.parse_seed(text)


def test_invalid_controls_fall_back_to_the_default_scenario_with_a_message():
    """Mesa builds the model inside its Reset button: raising there would replace the page by a traceback."""
    bad_seed = build(rng="abc", **{"policy.JPN.quad": False})
    assert bad_seed.seed == 42 and bad_seed.p == make_params({})
    assert "seed" in bad_seed.input_error and "default scenario" in bad_seed.input_error
    zero = {f"policy.JPN.allocation.{layer}": 0.0 for layer in LAYERS}
    no_weight = build(**zero)
    assert no_weight.p == make_params({}) and "policy.JPN.allocation" in no_weight.input_error


# --- what the views show -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def run24():
    return app.AppModel(**controls(withdraw="AUS", withdraw_month=10)).run(24)


def test_network_ties_are_coloured_by_layer_and_follow_the_model(run24):
    fig = app.network_figure(run24)
    collections = [c for c in fig.axes[0].collections if isinstance(c, LineCollection)]
    drawn = [to_hex(c.get_colors()[0]) for c in collections]
    assert drawn == [app.LAYER_COLOURS[layer].lower() for layer in LAYERS]  # one per layer, in its colour
    for layer in LAYERS:
        curves, weights = app.tie_segments(run24, layer)
        ties = run24.state.ties[LAYERS.index(layer)]
        assert len(curves) == int((ties >= 0.01).sum()) == len(weights)
        assert np.allclose(np.sort(weights), np.sort(ties[ties >= 0.01]))
    # AUS withdrew at month 10: no tie of any layer leaves it
    aus = PARTNERS.index("AUS")
    assert run24.state.ties[:, aus].sum() == 0
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert "AUS\n(withdrawn)" in labels and set(run24.world.members) <= set(labels)


def test_a_switched_off_layer_draws_no_ties_from_japan():
    model = build(steps=2, **{"policy.JPN.bilateral": False})
    jpn = np.array(app.POSITIONS["JPN"])
    curves, _ = app.tie_segments(model, "bilateral")
    assert curves and not any(np.allclose(curve[0], jpn) for curve in curves)  # the US still has ties
    curves_on, _ = app.tie_segments(build(steps=2), "bilateral")
    assert any(np.allclose(curve[0], jpn) for curve in curves_on)


@pytest.mark.parametrize("colour_by", list(app.NODE_COLOURINGS))
def test_member_nodes_are_coloured_by_the_chosen_quantity(run24, colour_by):
    fig = app.network_figure(run24, colour_by)
    members = fig.axes[0].collections[len(LAYERS)]  # after the four tie collections: the member nodes
    values = app.node_values(run24, colour_by)
    assert np.allclose(members.get_array(), values)
    assert values.shape == (run24.world.n,) and ((values >= 0) & (values <= 1)).all()
    assert fig.axes[1].get_ylabel() == f"members: {app.NODE_COLOURINGS[colour_by][0]}"  # the colour bar
    if colour_by == "capacity":
        assert np.allclose(values, run24.state.capacity.mean(axis=1))
    elif colour_by.startswith("alignment"):
        assert np.allclose(values, run24.state.alignment[:, PARTNERS.index(colour_by[-3:])])


def test_unknown_colouring_is_refused(run24):
    with pytest.raises(ValueError, match="unknown node colouring"):
        app.node_values(run24, "wealth")


def test_metrics_figure_plots_the_series_so_far(run24):
    fig = app.metrics_figure(run24)
    assert [ax.get_title() for ax in fig.axes] == [label for _, label in RUN_PANELS]
    for ax, (metric, _) in zip(fig.axes, RUN_PANELS, strict=True):
        line, now, shock = ax.get_lines()
        assert np.array_equal(line.get_xdata(), np.arange(1, 25))
        assert np.allclose(line.get_ydata(), run24.series()[metric])
        assert now.get_ydata()[0] == run24.series()[metric][-1]
        assert list(shock.get_xdata()) == [10, 10]  # the withdrawal month


def test_metrics_figure_before_the_first_step_is_empty_but_drawn():
    fig = app.metrics_figure(build())
    assert all(len(ax.get_lines()[0].get_xdata()) == 0 for ax in fig.axes)
    assert app.png(fig).startswith(b"\x89PNG")


def test_capacity_figure_shows_each_member_now_and_at_the_start(run24):
    fig = app.capacity_figure(run24)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == list(run24.world.members)
    assert np.allclose([bar.get_height() for bar in ax.patches], run24.state.capacity.mean(axis=1))
    start = ax.collections[0].get_offsets()[:, 1]
    assert np.allclose(start, build().state.capacity.mean(axis=1))
    assert not np.allclose(start, run24.state.capacity.mean(axis=1))  # capacity moved in 24 months


def test_describe_states_the_scenario_in_use(run24):
    now, scenario = app.describe(run24)
    assert now == f"Month 24 · stability index {run24.series()['stability_index'][-1]:.3f}"
    assert "Quad 0.25, bilateral 0.25, forums 0.25, capacity 0.25" in scenario
    assert "AUS withdraws in month 10 (withdrawn)" in scenario and "seed 42" in scenario
    _, off = app.describe(build(**{"policy.JPN.capacity": False, "policy.JPN.forums": False}))
    assert "Japan's layers: Quad 0.25, bilateral 0.25 ·" in off


# --- Solara components -----------------------------------------------------------------------------------


def test_views_render_the_figures_as_images(run24):
    for view, figure, name in [
        (app.NetworkView, app.network_figure, "network"),
        (app.MetricsView, app.metrics_figure, "metrics"),
        (app.CapacityView, app.capacity_figure, "capacity"),
    ]:
        _, rc = solara.render(view(run24), handle_error=False)
        image = rc.find(ipywidgets.Image).widget
        assert image.value == app.png(figure(run24))
        assert f"sim-{name}" in image._dom_classes
        assert image.layout.max_height == f"{app.VIEW_HEIGHT[name]}px"
        rc.close()


def test_page_shows_the_three_views_in_the_app_layout():
    _, rc = solara.render(app.Page(), handle_error=False)
    images = rc.find(ipywidgets.Image).widgets
    assert sorted(c for w in images for c in w._dom_classes if c.startswith("sim-")) == [
        "sim-capacity",
        "sim-metrics",
        "sim-network",
    ]
    rc.close()


def test_grid_layout_cells_do_not_overlap_and_other_apps_keep_mesas():
    cells = app.grid_layout(len(app.COMPONENTS))
    assert [c["i"] for c in cells] == list(range(len(app.COMPONENTS)))
    occupied = set()
    for c in cells:
        squares = {(x, y) for x in range(c["x"], c["x"] + c["w"]) for y in range(c["y"], c["y"] + c["h"])}
        assert not squares & occupied and all(0 <= x < 12 for x, _ in squares)
        occupied |= squares
    assert app.solara_viz.make_initial_grid_layout is app.grid_layout
    assert app.grid_layout(2) == app._mesa_grid_layout(2)


# --- the server ------------------------------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=5.0):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read()


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
