"""tools/findings_figures.py: it draws every figure of results/README.md from the committed tables, the
figures read without the code (words and units, not parameter strings; tick labels; no legend in a
panel), and every figure results/README.md shows is committed, in the section it supports."""

from __future__ import annotations

import importlib.util
import re
import subprocess
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from matplotlib.image import imread

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "results"
README = RESULTS / "README.md"


def _tool():
    spec = importlib.util.spec_from_file_location("findings_figures", ROOT / "tools" / "findings_figures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tool():
    return _tool()


@pytest.fixture(scope="module")
def figures(tool):
    drawn = tool.draw_all(RESULTS)
    for fig in drawn.values():
        fig.canvas.draw()
    yield drawn
    for fig in drawn.values():
        plt.close(fig)


def _section(text: str, heading: str) -> str:
    start = text.index("\n" + heading)
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else None]


def test_the_script_writes_every_figure_from_the_committed_tables(tool, tmp_path):
    assert tool.main([str(RESULTS), str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(tool.FIGURES)
    for name in tool.FIGURES:
        image = imread(tmp_path / name)
        height, width = image.shape[:2]
        assert 1000 <= width <= 2000 and 400 <= height <= width, (name, width, height)


def test_every_figure_is_at_most_9_5_inches_wide_with_text_of_9_points_or_more(figures):
    # GitHub shows a README's figure about 900 px wide: a point in the figure is about a point on screen
    for name, fig in figures.items():
        assert fig.get_figwidth() <= 9.5, name
        texts = [t for t in fig.findobj(plt.Text) if t.get_text()]
        small = [(t.get_text(), t.get_fontsize()) for t in texts if t.get_fontsize() < 9]
        assert not small, (name, small)


def test_the_figures_speak_words_and_units_not_parameter_strings(figures):
    raw = re.compile(r"\w=\w|\bTrue\b|\bFalse\b|\de[+-]\d|_mean\b|asean_|\bquad\b")
    for name, fig in figures.items():
        texts = [t.get_text() for t in fig.findobj(plt.Text) if t.get_text()]
        assert not [t for t in texts if raw.search(t)], (name, [t for t in texts if raw.search(t)])
        panels = [ax for ax in fig.get_axes() if ax.get_visible() and ax.axison]
        assert panels, name
        for ax in panels:
            assert ax.get_title(loc="left"), (name, "a panel without a title")
            assert ax.get_xlabel(), (name, ax.get_title(loc="left"), "no x label")
            assert [t.get_text() for t in ax.get_xticklabels() if t.get_text()], (name, ax.get_title(loc="left"))
            assert ax.get_legend() is None, (name, "a legend inside a panel")
        # the settings are named on the first panel of each row of panels
        lefts = {round(ax.get_position().x0, 2) for ax in panels}
        first = [ax for ax in panels if round(ax.get_position().x0, 2) == min(lefts)]
        for ax in first:
            assert [t.get_text() for t in ax.get_yticklabels() if t.get_text()], (name, ax.get_title(loc="left"))


def test_the_contrasts_read_from_the_findings_agree_with_the_levels_tables(tool):
    # posterior-findings.md and posterior_levels.csv come from the same runs: where both give a difference
    # within each draw, they agree (to the three figures the markdown keeps)
    found = tool.contrasts(RESULTS / tool.FINDINGS)
    coordination = tool.levels(RESULTS, "coordination")
    a, b = (tool.ROUTED.format(share=s) for s in (1.0, 0.0))
    for metric in tool.MEASURES:
        md = tool.pick(found, "coordination", {(a, b): "all"}, metric).iloc[0]
        csv = tool.against_baseline(coordination, metric, {a: "all"}).iloc[0]
        for q in ("median", "q05", "q95"):
            assert md[q] == pytest.approx(csv[q], rel=6e-3, abs=2e-5), (metric, q)
    # Japan's programme without knockouts: the levels table has "none minus all four", its mirror image
    mechanisms = tool.levels(RESULTS, "mechanisms")
    for metric in tool.MEASURES:
        md = tool.pick(found, "mechanisms", {("all four layers, none", "none, none"): "x"}, metric).iloc[0]
        csv = tool.against_baseline(mechanisms, metric, {"none, none": "x"}).iloc[0]
        assert md["median"] == pytest.approx(-csv["median"], rel=6e-3, abs=2e-5), metric
        assert md["q05"] == pytest.approx(-csv["q95"], rel=6e-3, abs=2e-5), metric
        assert md["q95"] == pytest.approx(-csv["q05"], rel=6e-3, abs=2e-5), metric


def test_the_figures_show_what_results_readme_quotes(tool):
    found = tool.contrasts(RESULTS / tool.FINDINGS)
    pairs = {(f"all four layers, {k}", f"none, {k}"): k for k in tool.KNOCKOUTS}
    robbery = tool.pick(found, "mechanisms", pairs, "incidents_mean").set_index("label")["median"]
    coercion = tool.pick(found, "mechanisms", pairs, "coercion_mean").set_index("label")["median"]
    # "-0.86 [-2.32, +0.56]" robberies and "+0.146" coercion with no knockout, "+0.081" with China ignoring
    # cooperation (results/README.md, section 1)
    assert round(robbery["none"], 2) == -0.86 and round(coercion["none"], 3) == 0.146
    assert round(coercion["China ignores cooperation"], 3) == 0.081
    # all routed minus none routed: centrality +0.574, offers declined +1.92 (section 3)
    coordination = tool.levels(RESULTS, "coordination")
    routed = {tool.ROUTED.format(share=1.0): "all"}
    assert round(tool.against_baseline(coordination, "asean_centrality_mean", routed)["median"][0], 3) == 0.574
    assert round(tool.against_baseline(coordination, "offers_declined_mean", routed)["median"][0], 2) == 1.92
    # Japan offering nothing has more robberies and less coercion than all four layers (section 2)
    single = tool.levels(RESULTS, "posterior")
    assert tool.against_baseline(single, "incidents_mean", {"none": "nothing"})["median"][0] > 0
    assert tool.against_baseline(single, "coercion_mean", {"none": "nothing"})["median"][0] < 0
    # the threat mix: capacity alone gives the fewest robberies in 70% of draws in the default world
    lowest = tool.lowest_within_worlds(RESULTS / tool.FINDINGS)
    row = lowest[(lowest["world"] == "default") & (lowest["choice"] == "capacity only")]
    assert row.set_index("metric")["share"]["incidents_mean"] == 0.7


def _committed(paths: list[str]) -> set[str]:
    try:
        out = subprocess.run(["git", "ls-files", "--", *paths], cwd=ROOT, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return set(out.stdout.split())


def test_every_figure_results_readme_shows_is_committed_and_each_is_in_its_section(tool):
    text = README.read_text(encoding="utf-8")
    shown = re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", text)
    assert shown, "results/README.md shows no figure"
    paths = [(RESULTS / p).resolve().relative_to(ROOT).as_posix() for p in shown]
    missing = sorted(set(paths) - _committed(paths))
    assert not missing, f"results/README.md shows figures that are not in git: {missing}"
    for name, heading in tool.FIGURES.items():
        assert f"](figures/{name})" in _section(text, heading), f"figures/{name} is not shown in '{heading}...'"


def test_the_figures_are_drawn_from_the_sweeps_results_readme_cites(tool):
    # when the sweeps are re-run and results/README.md links the new folders, the script must follow
    text = README.read_text(encoding="utf-8")
    for experiment, folder in tool.FOLDERS.items():
        assert f"]({folder}/report.md)" in text, f"results/README.md does not cite {folder} ({experiment})"
    findings = (RESULTS / tool.FINDINGS).read_text(encoding="utf-8")
    for experiment in ("mechanisms", "withdrawal", "threat_mix"):  # the sections the figures read from it
        assert f"`results/{tool.FOLDERS[experiment]}`" in findings, experiment
