"""sim.science.plots: every figure function returns a Figure with the expected panels, titles, labels and
legends, from hand-made tables and from the tables of tiny real sweeps (run here, not read from disk)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from sim.model.params import LAYERS, PARTNERS
from sim.model.region import RegionModel
from sim.runs.store import ResultsError
from sim.science import analysis as A
from sim.science import plots as P
from tests.test_analysis import factorial_tables, known_function_results, sweep

LAYERING = """
name = "layering"
steps = 12
warmup = 2
replications = 2
seed = 21
keep_series = true
[design]
kind = "factorial"
[design.factors]
"policy.JPN.quad" = [true, false]
"policy.JPN.bilateral" = [true, false]
"policy.JPN.forums" = [true, false]
"policy.JPN.capacity" = [true, false]
"""

WITHDRAWAL = """
name = "withdrawal"
steps = 12
warmup = 2
replications = 2
seed = 22
keep_series = true
[design]
kind = "factorial"
[design.factors]
"policy.JPN.quad" = [true, false]
withdrawal = [
  { label = "none", shocks = [] },
  { label = "USA at month 6", shocks = [{ step = 6, kind = "withdraw", state = "USA" }] },
]
"""

ALLOCATION = """
name = "allocation"
steps = 12
warmup = 2
replications = 2
seed = 23
[design]
kind = "list"
[[design.points]]
label = "all quad"
"policy.JPN.allocation.quad" = 1.0
"policy.JPN.allocation.bilateral" = 0.0
"policy.JPN.allocation.forums" = 0.0
"policy.JPN.allocation.capacity" = 0.0
[[design.points]]
label = "even"
"policy.JPN.allocation.quad" = 0.25
"policy.JPN.allocation.bilateral" = 0.25
"policy.JPN.allocation.forums" = 0.25
"policy.JPN.allocation.capacity" = 0.25
[[design.points]]
label = "half quad, half capacity"
"policy.JPN.allocation.quad" = 0.5
"policy.JPN.allocation.bilateral" = 0.0
"policy.JPN.allocation.forums" = 0.0
"policy.JPN.allocation.capacity" = 0.5
"""

MORRIS = """
name = "morris"
steps = 12
warmup = 2
replications = 1
seed = 24
[design]
kind = "morris"
samples = 3
[design.ranges]
"china.challenge_value" = [0.25, 0.75]
"china.escalation_cost" = [0.04, 0.12]
"crime.detection" = [0.075, 0.225]
"""

SOBOL = (
    MORRIS.replace('name = "morris"', 'name = "sobol"')
    .replace('kind = "morris"', 'kind = "sobol"')
    .replace("samples = 3", "samples = 4")
)

M = "stability_index_mean"
LAYER_FACTORS = [f"policy.JPN.{layer}" for layer in LAYERS]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def layering(tmp_path_factory):
    return sweep(tmp_path_factory.mktemp("layering") / "out", LAYERING)


@pytest.fixture(scope="module")
def withdrawal(tmp_path_factory):
    return sweep(tmp_path_factory.mktemp("withdrawal") / "out", WITHDRAWAL)


@pytest.fixture(scope="module")
def allocation(tmp_path_factory):
    return sweep(tmp_path_factory.mktemp("allocation") / "out", ALLOCATION)


@pytest.fixture(scope="module")
def screening(tmp_path_factory):
    root = tmp_path_factory.mktemp("screening")
    return sweep(root / "morris", MORRIS), sweep(root / "sobol", SOBOL)


def texts(fig: Figure) -> str:
    """Every piece of text on a figure (titles, labels, tick labels, legends, annotations), joined."""
    parts = [fig.get_suptitle()] if fig.get_suptitle() else []
    for ax in fig.axes:
        parts += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        parts += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
        parts += [t.get_text() for t in ax.texts]
        legend = ax.get_legend()
        if legend is not None:
            parts += [legend.get_title().get_text(), *(t.get_text() for t in legend.get_texts())]
    return "\n".join(parts)


def flat(text: str) -> str:
    """Wrapped text on one line."""
    return text.replace("\n", " ")


def legend_texts(ax) -> list[str]:
    legend = ax.get_legend()
    assert legend is not None
    return [t.get_text() for t in legend.get_texts()]


# ---- words ------------------------------------------------------------------------------------------


def test_metric_factor_and_point_labels_in_words():
    assert P.metric_label("stability_index_mean") == "stability index (0-1), mean after warm-up"
    assert P.metric_label("asean_cohesion_final") == "ASEAN cohesion (0-1), final month"
    assert P.metric_label("incidents_drop") == "robberies per month, drop after the shock (positive = worse)"
    assert P.metric_label("stability_index_recovery") == "months for stability index to recover after the shock"
    assert P.metric_label("incidents_SOMS") == "robberies in SOMS per month"
    assert P.factor_label("policy.JPN.quad") == "Japan's Quad layer"
    assert P.factor_label("policy.USA.budget") == "the US's budget (USD a year)"
    assert P.factor_label("china.challenge_value").startswith("china.challenge_value (")
    assert P.factor_label("threats") == "threats"
    assert P.short_label("quad=True, bilateral=False, forums=True, capacity=False") == "on: quad, forums"
    assert P.short_label("quad=False, bilateral=False, forums=False") == "none on"
    assert P.short_label("asean_coordination=0.2, quad=True") == "asean coordination 20%, quad on"
    assert P.level_label("True - False") == "on - off"


# ---- hand-made tables ---------------------------------------------------------------------------


def test_main_effects_and_interaction_plots_from_a_hand_made_2x2():
    runs, design = factorial_tables()
    main, inter = A.factorial_effects(runs, design, ["policy.JPN.quad", "B"], M)
    fig = P.main_effects_plot(main)
    assert isinstance(fig, Figure)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["Japan's Quad layer", "B"]
    assert [t.get_text() for t in visible[0].get_xticklabels()] == ["off", "on"]
    assert visible[0].get_xlabel().startswith("on minus off: +3")
    assert visible[1].get_xlabel().startswith("hi minus lo: +4")
    assert "mean of all design points" in flat(visible[0].get_ylabel())
    assert "Main effects on stability index (0-1), mean after warm-up" in fig.get_suptitle()
    cells = A.cell_means(runs, design, ["policy.JPN.quad", "B"], M)
    fig = P.interaction_plot(cells, "B", "policy.JPN.quad", interactions=inter)
    ax = fig.axes[0]
    assert legend_texts(ax) == ["Quad off", "Quad on"]
    assert ax.get_legend().get_title().get_text() == "Japan's Quad layer"
    assert ax.get_xlabel() == "B" and ax.get_ylabel() == P.metric_label(M)
    assert "interaction" in ax.get_title() and "+2" in ax.get_title()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["lo", "hi"]


def test_a_table_with_several_metrics_needs_one_named():
    runs, design = factorial_tables()
    runs = runs.assign(coercion_mean=runs[M] / 100)
    main, _ = A.factorial_effects(runs, design, ["policy.JPN.quad"], [M, "coercion_mean"])
    with pytest.raises(ResultsError, match="give metric="):
        P.main_effects_plot(main)
    assert "coercion incidents per month" in P.main_effects_plot(main, "coercion_mean").get_suptitle()


def hand_layer_table() -> pd.DataFrame:
    rows = []
    for k, combo in enumerate([(True, True, True, True), (False, True, True, False), (False, False, False, False)]):
        for mix in ("default", "cyber-heavy"):
            mean = 0.8 + 0.01 * k + (0.05 if mix == "default" else 0.0)
            rows.append({"point_id": len(rows), "label": f"p{len(rows)}", **dict(zip(LAYERS, combo, strict=True)),
                         "threats": mix, "metric": M, "n": 3, "mean": mean, "sd": 0.01, "ci_low": mean - 0.02,
                         "ci_high": mean + 0.02})  # fmt: skip
    return pd.DataFrame(rows)


def test_layering_heatmap_from_a_hand_made_table_with_facets():
    table = hand_layer_table()
    with pytest.raises(ResultsError, match="facet="):
        P.layering_heatmap(table)
    fig = P.layering_heatmap(table, facet="threats")
    panels = [ax for ax in fig.axes if ax.get_title().startswith("threats: ")]
    assert [ax.get_title() for ax in panels] == ["threats: default", "threats: cyber-heavy"]
    cells = [t.get_text() for t in panels[0].texts]
    assert "0.850\n±0.020" in cells and "0.870\n±0.020" in cells
    assert cells.count("not run") == 13
    assert panels[0].get_ylabel() == "Japan's Quad and bilateral layers"
    assert panels[0].get_xlabel() == "Japan's forum and capacity-building layers"
    assert panels[0].get_yticklabels()[0].get_text() == "Quad on\nbilateral on"
    assert panels[0].get_xticklabels()[-1].get_text() == "forums off\ncapacity off"
    colourbar = [ax.get_ylabel() for ax in fig.axes if ax not in panels and ax.get_visible()]
    assert colourbar == ["stability index (0-1), mean after\nwarm-up"]


def test_sensitivity_bars_from_known_functions():
    morris = A.sensitivity_indices(known_function_results("morris", "samples = 6"), M)
    fig = P.sensitivity_bars(morris)
    ax = fig.axes[0]
    # most influential at the top: tick labels run bottom to top
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "china.condemnation_cost",
        "china.escalation_cost",
        "china.challenge_value",
    ]
    assert ax.get_title().startswith("Morris screening")
    assert any("μ*" in t for t in legend_texts(ax)) and any("σ" in t for t in legend_texts(ax))
    assert "full range" in ax.get_xlabel()
    sobol = A.sensitivity_indices(known_function_results("sobol", "samples = 16"), M)
    ax = P.sensitivity_bars(sobol, top=2).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["china.escalation_cost", "china.challenge_value"]
    assert "top 2 of 3" in ax.get_title()
    assert [t.split(":")[0] for t in legend_texts(ax)] == ["S1", "ST"]
    assert ax.get_xlabel().startswith("share of the variance")


def test_savefig_writes_an_image(tmp_path):
    runs, design = factorial_tables()
    fig = P.point_means_plot(A.point_stats(runs, design, M))
    path = P.savefig(fig, tmp_path / "figs" / "points.png")
    assert path.is_file() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ---- tiny real sweeps ------------------------------------------------------------------------------


@pytest.mark.slow
def test_timeseries_bands_small_multiples_and_groups(layering):
    res = layering
    per_point = A.series_stats(res.series, res.runs, res.design, "stability_index")
    fig = P.timeseries_bands(per_point)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == 16
    assert panels[0].get_title() == "all on: quad, bilateral,\nforums, capacity"
    assert panels[-1].get_title() == "none on"
    assert panels[-1].get_xlabel() == "month of the run"
    assert panels[0].get_ylabel() == "stability index (0-1)"
    assert fig.get_suptitle() == "Stability index (0-1) over time, one panel per design point"
    five = P.timeseries_bands(
        A.series_stats(res.series, res.runs, res.design, "coercion", points=range(5)), max_lines=4
    )
    shown = [ax for ax in five.axes if ax.get_visible()]
    assert len(shown) == 5
    assert [ax.get_xlabel() for ax in shown] == [""] + ["month of the run"] * 4  # lowest panel of each column
    grouped = A.series_stats(res.series, res.runs, res.design, "coercion", by="policy.JPN.capacity")
    fig = P.timeseries_bands(grouped, shock_step=6)
    ax = fig.axes[0]
    assert legend_texts(ax) == ["off", "on"]
    assert ax.get_legend().get_title().get_text().startswith("Japan's capacity building layer")
    assert len(ax.get_lines()) == 3  # two means and the shock line
    assert ax.get_ylabel() == "coercion incidents per month"


def test_layering_heatmap_main_effects_and_interactions(layering):
    res = layering
    table = A.layer_combinations(res.runs, res.design, M)
    fig = P.layering_heatmap(table)
    ax = fig.axes[0]
    cells = [t.get_text() for t in ax.texts]
    assert len(cells) == 16 and "not run" not in cells
    all_on = table[table[list(LAYERS)].all(axis=1)].iloc[0]
    assert cells[0] == f"{all_on['mean']:.3f}\n±{(all_on['ci_high'] - all_on['ci_low']) / 2:.3f}"
    assert "Japan's active layers" in fig.get_suptitle()
    design, factors = A.factorial_design(res)
    main, inter = A.factorial_effects(res.runs, design, factors, M)
    fig = P.main_effects_plot(main)
    assert [flat(ax.get_title()) for ax in fig.axes] == [P.factor_label(f) for f in LAYER_FACTORS]
    assert all(ax.get_xlabel().startswith("on minus off") for ax in fig.axes)
    cells = A.cell_means(res.runs, design, ["policy.JPN.forums", "policy.JPN.capacity"], M)
    fig = P.interaction_plot(cells, "policy.JPN.forums", "policy.JPN.capacity", interactions=inter)
    assert legend_texts(fig.axes[0]) == ["capacity building off", "capacity building on"]
    assert "when Japan's capacity building layer goes from off to on" in fig.axes[0].get_title()
    cells = A.cell_means(res.runs, design, LAYER_FACTORS[:3], M)
    fig = P.interaction_plot(cells, LAYER_FACTORS[0], LAYER_FACTORS[1:3])
    assert len(legend_texts(fig.axes[0])) == 4  # one line per combination of the two other switches


def test_differences_and_point_means(layering):
    res = layering
    diffs = A.paired_differences(res.runs, res.design, 0, M)
    fig = P.differences_plot(diffs)
    ax = fig.axes[0]
    assert len(ax.get_yticklabels()) == 15
    assert "baseline: all on: quad, bilateral, forums, capacity" in ax.get_title()
    assert "same seeds" in ax.get_xlabel()
    fig = P.point_means_plot(A.point_stats(res.runs, res.design, M))
    assert len(fig.axes[0].get_yticklabels()) == 16
    assert fig.axes[0].get_xlabel() == P.metric_label(M)


def test_shock_response_curves(withdrawal):
    res = withdrawal
    curves = A.shock_curves(res.series, res.runs, res.design, None, "stability_index", window=(4, 6), smooth=2)
    effects = A.shock_effects(res.runs, res.design)
    fig = P.shock_response_curves(curves, effects)
    ax = fig.axes[0]
    labels = legend_texts(ax)
    assert len(labels) == 4
    assert sum("no shock" in t for t in labels) == 2
    assert sum("drop " in t and "recovered in" in t and "of 2 runs" in t for t in labels) == 2
    assert ax.get_xlabel().startswith("months since the shock")
    assert ax.get_ylabel() == "stability index (0-1)"
    assert "2-month running mean" in ax.get_title()
    lines = [line for line in ax.get_lines() if list(line.get_xdata()) == [0, 0]]
    assert lines, "the shock is marked at month 0"
    colours = {line.get_label(): line.get_color() for line in ax.get_lines()}
    # each shocked point shares its colour with its counterfactual
    shocked = [t for t in labels if "drop " in t]
    assert len({colours[t] for t in labels}) == 2 and len({colours[t] for t in shocked}) == 2
    assert set(curves["month"]) == set(range(-4, 7))


def test_allocation_response(allocation):
    res = allocation
    response = A.allocation_response(res.runs, res.design, M)
    splits = A.allocation_splits(res.runs, res.design, M)
    fig = P.allocation_response(response, splits)
    left, right = fig.axes
    assert legend_texts(left) == [P.LAYER_NAMES[layer] for layer in LAYERS]
    assert left.get_xlabel() == "share of Japan's budget in the layer (0-1)"
    assert left.get_ylabel() == P.metric_label(M)
    assert len(right.get_yticklabels()) == 3
    assert "Q 0.25  B 0.25  F 0.25  C 0.25" in [t.get_text() for t in right.get_yticklabels()]
    assert "even split" in [t.get_text() for t in right.texts]
    assert len(P.allocation_response(response).axes) == 1


@pytest.mark.slow
def test_sensitivity_bars_from_real_screening(screening):
    morris, sobol = screening
    fig = P.sensitivity_bars(A.sensitivity_indices(morris, M))
    assert {t.get_text() for t in fig.axes[0].get_yticklabels()} == {
        "china.challenge_value",
        "china.escalation_cost",
        "crime.detection",
    }
    fig = P.sensitivity_bars(A.sensitivity_indices(sobol, M))
    assert fig.axes[0].get_title().startswith("Sobol indices")


# ---- the cooperation network --------------------------------------------------------------------


def test_cooperation_network_from_a_model_after_a_run():
    model = RegionModel(rng=3, shocks=[{"step": 2, "kind": "withdraw", "state": "USA"}]).run(4)
    fig = P.cooperation_network(model)
    ax = fig.axes[0]
    assert isinstance(fig, Figure)
    assert ax.get_title().startswith("Cooperation network, month 2025-04")
    labels = legend_texts(ax)
    for layer in LAYERS:
        assert P.LAYER_NAMES[layer] in labels
    assert "ASEAN member" in labels and "partner that withdrew" in labels
    names = {t.get_text() for t in ax.texts}
    assert set(model.member_by) <= names
    assert "USA\n(out)" in names and {"JPN", "AUS", "IND"} <= names
    # ties in the legend are scaled to the largest cooperation accepted over the last 12 months
    largest = P.ledger_ties(model.ledger, tuple(model.member_by)).max()
    assert largest > 0 and f"USD {largest / 1e6:.1f} m over 12 months" in labels


def test_cooperation_network_from_a_ties_array_is_deterministic():
    model = RegionModel(rng=5).run(3)
    members = tuple(model.member_by)
    ties = P.ledger_ties(model.ledger, members)
    assert ties.sum() == sum(a.amount for a in model.ledger if a.kind == "accept")
    first = P.cooperation_network(ties, members)
    second = P.cooperation_network(ties.copy(), list(members))

    def node_positions(fig):
        return sorted((t.get_text(), *np.round(t.get_position(), 9)) for t in fig.axes[0].texts)

    assert node_positions(first) == node_positions(second)
    assert "partner that withdrew" not in legend_texts(first.axes[0])
    with pytest.raises(ResultsError, match="ties must be"):
        P.cooperation_network(np.zeros((len(LAYERS), len(PARTNERS), 3)), members)
    with pytest.raises(ResultsError, match="give the members"):
        P.cooperation_network(ties)


# ---- units, legends, tick labels (issue 20) ------------------------------------------------------------


def test_values_are_written_in_their_units_from_the_parameter_table():
    assert P.format_value("policy.JPN.budget", 268e6) == "USD 268 m a year"
    assert P.format_value("budget", 10.6e6) == "USD 10.6 m a year"  # the last part of the name is enough
    assert P.format_value("instrument.quad.cost", 4e6) == "USD 4 m a member a year"
    assert P.format_value("china.shipdays", 180.0) == "180 ship-days a month"
    assert P.format_value("member.tolerance", 2.0) == "2 incidents a month"
    assert P.format_value("instrument.capacity.lead", 30) == "30 months"
    assert P.format_value("policy.JPN.asean_coordination", 0.3) == "30%"
    assert P.format_value("policy.JPN.quad", True) == "on"
    assert P.format_value("not_a_parameter", 2.5) == "2.5"
    assert P.usd(6.7e7) == "USD 67 m" and P.usd(1.25e9) == "USD 1.25 bn" and P.usd(950e3) == "USD 950 k"
    assert P.unit_words("raids/fighter/month") == "raids per fighter a month"
    assert P.short_label("budget=268000000.0, quad=True") == "budget USD 268 m a year, quad on"
    assert P.level_label(85e6, "policy.USA.budget") == "USD 85 m a year"
    assert P.factor_label("china.shipdays") == "china.shipdays (ship-days a month)"


def test_a_budget_factor_is_labelled_in_usd_on_the_axes_and_in_the_legend():
    runs, design = factorial_tables()
    design = design.assign(**{"policy.JPN.budget": design["B"].map({"lo": 67e6, "hi": 268e6})})
    main, _ = A.factorial_effects(runs, design, ["policy.JPN.quad", "policy.JPN.budget"], M)
    fig = P.main_effects_plot(main)
    ticks = [t.get_text() for t in fig.axes[1].get_xticklabels()]
    assert ticks == ["USD 67 m a year", "USD 268 m a year"]
    assert "e+" not in texts(fig)
    cells = A.cell_means(runs, design, ["policy.JPN.quad", "policy.JPN.budget"], M)
    fig = P.interaction_plot(cells, "policy.JPN.quad", "policy.JPN.budget")
    assert legend_texts(fig.axes[0]) == ["Japan's budget (USD a year): USD 67 m a year",
                                         "Japan's budget (USD a year): USD 268 m a year"]  # fmt: skip


def plotted_points(ax) -> np.ndarray:
    """The data points of an axes in display coordinates: line vertices and scatter/bar markers."""
    parts = [ax.transData.transform(line.get_xydata()) for line in ax.get_lines() if len(line.get_xydata())
             and line.get_transform() == ax.transData]  # fmt: skip
    parts += [c.get_offset_transform().transform(c.get_offsets()) for c in ax.collections if len(c.get_offsets())]
    points = np.vstack(parts)
    return points[np.isfinite(points).all(axis=1)]


def legend_clear(fig: Figure) -> None:
    """No legend of the figure contains a plotted data point of any of its axes."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None] + list(fig.legends)
    assert legends, "the figure has no legend"
    for legend in legends:
        box = legend.get_window_extent(renderer)
        for ax in fig.axes:
            if ax.get_visible():
                xy = plotted_points(ax)
                inside = (xy[:, 0] >= box.x0) & (xy[:, 0] <= box.x1) & (xy[:, 1] >= box.y0) & (xy[:, 1] <= box.y1)
                assert not inside.any(), f"the legend covers {inside.sum()} points of {ax.get_title()!r}"


def straits(envelope: float, observed: dict[int, float]):
    years = np.arange(2010, 2021)
    rng = np.random.default_rng(0)
    runs = [pd.DataFrame({"SOMS": rng.normal(envelope, 5, len(years))}, index=years) for _ in range(20)]
    return P.validation_envelopes({"history": runs}, {"SOMS": pd.Series(observed)}, ["SOMS"],
                                  titles=["The Straits around the 2015 crackdown"], ylabel="incidents a year",
                                  years=(2010, 2020))  # fmt: skip


def test_the_legend_never_hides_an_observed_point():
    # the committed figure's case: 104 in 2015 under a legend in the upper left
    observed = {2013: 14, 2014: 49, 2015: 104, 2016: 2, 2017: 9, 2018: 8, 2019: 31, 2020: 34}
    legend_clear(straits(25, observed))
    # data in every place inside: the legend goes beside the axes, and covers nothing either
    fig, ax = plt.subplots(figsize=(4, 3))
    grid = np.mgrid[0:1:15j, 0:1:15j].reshape(2, -1)
    ax.plot(grid[0], grid[1], "o", ms=2, label="data everywhere")
    P.place_legend(ax)
    legend_clear(fig)
    renderer = fig.canvas.get_renderer()
    assert ax.get_legend().get_window_extent(renderer).x0 >= ax.get_window_extent(renderer).x1  # outside, right


def test_several_panels_share_one_legend_below_them_with_each_label_once():
    years = np.arange(2007, 2025)
    runs = {v: [pd.DataFrame({"A": np.full(len(years), 5.0), "B": np.full(len(years), 9.0)}, index=years)]
            for v in ("history", "history-free")}  # fmt: skip
    fig = P.validation_envelopes(runs, {"A": pd.Series({2010: 3.0}), "B": pd.Series({2010: 8.0})}, ["A", "B"],
                                 titles=["a", "b"], ylabel="incidents a year")  # fmt: skip
    assert [ax.get_legend() for ax in fig.axes] == [None, None] and len(fig.legends) == 1
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["history: median, 5-95% band", "history-free: median, 5-95% band", "observed (ReCAAP)"]
    legend_clear(fig)
    for ax in fig.axes:  # every panel has its own years and values
        assert all(t.get_visible() for t in ax.get_xticklabels()) and ax.get_xticklabels()
        assert ax.get_ylabel() == "incidents a year"


def test_place_legend_shows_a_label_given_twice_once():
    _, ax = plt.subplots()
    for k in range(3):
        ax.plot([0, 1], [k, k + 1], color="C0", label="a draw")
    ax.plot([0, 1], [5, 5], color="C1", label="the median")
    P.place_legend(ax)
    assert legend_texts(ax) == ["a draw", "the median"]


def test_every_panel_of_a_run_has_its_tick_labels():
    fig = P.plot_run(RegionModel(rng=3).run(12).timeseries())
    fig.canvas.draw()
    for ax in fig.axes:
        shown = [t.get_text() for t in ax.get_xticklabels() if t.get_visible() and t.get_text()]
        assert shown, ax.get_title()


def test_posterior_marginals_draw_prior_and_posterior_with_axes_and_units():
    rng = np.random.default_rng(2)
    posterior = pd.DataFrame({"crime.attempt_rate": rng.uniform(0.1, 0.4, 200), "policy.JPN.budget":
                              rng.uniform(50e6, 300e6, 200), "weight": np.full(200, 1 / 200)})  # fmt: skip
    fig = P.posterior_marginals(posterior, [("crime.attempt_rate", 0.1, 0.8), ("policy.JPN.budget", 0.0, 4e8)])
    fig.canvas.draw()
    rate, budget = fig.axes[:2]
    assert rate.get_ylabel() == budget.get_ylabel() == "probability density"
    assert rate.get_xlabel() == "attempts per member a month" and budget.get_xlabel() == "USD a year"
    assert any(t.get_text() for t in rate.get_yticklabels())  # a y axis with values
    assert any(t.get_text().startswith("USD ") for t in budget.get_xticklabels())
    assert "e+" not in texts(fig)
    prior = [c for c in rate.collections if c.get_label() == "prior (flat)"]
    assert len(prior) == 1 and prior[0].get_segments()[0][0][1] == pytest.approx(1 / 0.7)
    heights = [p.get_height() for p in rate.containers[0]]  # a density: the bars integrate to one
    assert sum(heights) * 0.7 / 20 == pytest.approx(1.0)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["posterior", "prior (flat)", "posterior 90% interval", "posterior median"]


def hand_posterior_series(settings: int, draws: int) -> pd.DataFrame:
    """A design over ``draws`` posterior draws x ``settings`` settings, 2 replicates, 3 months, 2 metrics."""
    pairs = [(d, s) for d in range(draws) for s in range(settings)]
    design = pd.DataFrame([{"point_id": k, "draw": f"draw {d}", "setting": f"s{s}"} for k, (d, s) in enumerate(pairs)])
    runs = pd.DataFrame([{"run_id": 2 * p + r, "point_id": p, "replicate": r, "status": "ok"}
                         for p in design["point_id"] for r in range(2)])  # fmt: skip
    series = pd.DataFrame([{"run_id": run, "step": t, "incidents": float(run % 7 + t), "stability_index": 0.5}
                           for run in runs["run_id"] for t in (1, 2, 3)])  # fmt: skip
    return A.posterior_series(series, runs, design, "setting", ["stability_index", "incidents"])


def test_posterior_series_pools_draws_by_setting():
    design = pd.DataFrame({"point_id": range(6), "draw": ["d0", "d0", "d1", "d1", "d2", "d2"],
                           "setting": ["a", "b"] * 3})  # fmt: skip
    runs = pd.DataFrame([{"run_id": 2 * p + r, "point_id": p, "replicate": r, "status": "ok"}
                         for p in range(6) for r in range(2)])  # fmt: skip
    # draw values of "a" in month 1: means over the two replicates, 1.0, 3.0 and 11.0
    value = {0: 0.0, 1: 2.0, 4: 2.0, 5: 4.0, 8: 10.0, 9: 12.0}
    series = pd.DataFrame([{"run_id": run, "step": 1, "incidents": value.get(run, 7.0)} for run in range(12)])
    table = A.posterior_series(series, runs, design, "setting", "incidents")
    a = table[table["label"] == "a"].iloc[0]
    assert a["median"] == 3.0 and a["draws"] == 3
    assert a["q05"] == pytest.approx(1.2) and a["q95"] == pytest.approx(10.2)
    assert list(table["label"]) == ["a", "b"]


def test_a_posterior_time_series_is_pooled_by_setting_and_its_size_does_not_grow_with_draws():
    few, many = hand_posterior_series(3, 4), hand_posterior_series(3, 80)
    small, large = P.posterior_timeseries(few), P.posterior_timeseries(many)
    assert tuple(small.get_size_inches()) == tuple(large.get_size_inches())
    panels = [ax for ax in large.axes if ax.get_visible()]
    assert len(panels) == 2  # one panel per metric
    assert [ax.get_title() for ax in panels] == ["Stability index (0-1)", "Robberies per month"]
    assert len(panels[1].get_lines()) == 3 and len(panels[1].collections) == 3  # a line and a band per setting
    assert [t.get_text() for t in large.legends[0].get_texts()] == ["s0", "s1", "s2"]
    assert "80 posterior draws" in flat(large.legends[0].get_title().get_text())
    width, height = large.get_size_inches()
    assert width * height < 150  # square inches: about 1,600 x 1,000 px at the report's resolution
    # more settings than lines: a panel per setting, still bounded
    crowd = P.posterior_timeseries(hand_posterior_series(16, 50))
    assert len([ax for ax in crowd.axes if ax.get_visible()]) == 16
    assert crowd.get_size_inches()[1] < 14
    for ax in crowd.axes:
        assert [t for t in ax.get_xticklabels() if t.get_visible()], "every panel has its months"


def test_the_posterior_findings_have_a_figure():
    levels = pd.DataFrame([{"metric": m, "level": s, "median": v, "q05": v - 1, "q95": v + 1, "diff_median": 0.0,
                            "diff_q05": 0.0, "diff_q95": 0.0, "share_below_baseline": share, "baseline": "all",
                            "draws": 20}
                           for m in ("incidents_mean", "coercion_mean")
                           for s, v, share in (("all", 5.0, 0.0), ("none", 6.0, 0.25),
                                               ("budget=268000000.0", 4.0, 0.9))])  # fmt: skip
    fig = P.posterior_levels_plot(levels)
    assert len(fig.axes) == 2
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["all", "none", "budget USD 268 m a year"]
    assert [ax.get_title() for ax in fig.axes] == ["Robberies per month", "Coercion incidents per month"]
    assert "25%" in texts(fig) and "90%" in texts(fig)
    assert "20 draws" in fig.get_suptitle()


def test_a_sweep_over_the_posterior_gets_pooled_figures_in_its_report(tmp_path):
    from sim.science import report as R

    pd.DataFrame({"crime.attempt_rate": [0.2, 0.4, 0.3], "weight": [0.3, 0.3, 0.4], "distance": [1.0] * 3}).to_parquet(
        tmp_path / "posterior.parquet"
    )
    text = f"""
name = "tiny-posterior"
steps = 6
warmup = 0
replications = 1
seed = 5
keep_series = true
[design]
kind = "posterior"
posterior = "{tmp_path / "posterior.parquet"}"
draws = 5
[design.factors]
"policy.JPN.capacity" = [true, false]
"""
    plan = R.plan(sweep(tmp_path / "out", text, workers=1))
    figures = {f.name: f for f in plan.figures}
    assert {"posterior_levels", "timeseries"} <= set(figures)
    assert not {"point_means", "differences"} & set(figures)  # no figure with a row per draw x setting
    series = plan.tables["posterior_series"]
    assert set(series["label"]) == {"capacity=True", "capacity=False"} and set(series["draws"]) == {5}
    fig = figures["timeseries"].draw()
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in panels][:2] == ["Stability index (0-1)", "Robberies per month"]
    assert len(panels) == len(R.POSTERIOR_SERIES)  # one panel per metric, not one per draw x setting
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["capacity on", "capacity off"]
    levels = figures["posterior_levels"].draw()
    assert [t.get_text() for t in levels.axes[0].get_yticklabels()] == ["capacity on", "capacity off"]
