"""From a sweep's results folder to tables, figures and a report: ``python -m sim analyze | plot DIR``.

What is produced depends on the design (see :func:`plan`): every design gets per-point statistics and
paired differences from the first design point; factorial designs get main effects and interactions;
designs that vary Japan's layers get the layering heatmap; designs that vary Japan's allocation get
the allocation response; designs with shocks get drop, recovery and shock-response curves; Morris and
Sobol designs get sensitivity indices. Every table is tidy CSV in ``DIR/analysis/``, every figure is in
``DIR/figures/``, and ``DIR/report.md`` puts them together with a one-sentence reading of each, written
from the numbers.
"""

from __future__ import annotations

import functools
import math
import os
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from sim.runs.folders import building
from sim.runs.results import Results, ResultsError
from sim.runs.store import id_ranges, load_results, read_id_ranges
from sim.science import analysis as A
from sim.science import plots as P

#: summary metrics reported first, when present
HEADLINE = (
    "stability_index_mean",
    "incidents_mean",
    "coercion_mean",
    "escalations_mean",
    "statements_blocked_mean",
    "offers_declined_mean",
    "asean_centrality_mean",
    "asean_cohesion_mean",
)
FORMATS = ("png", "svg", "pdf")
MAX_POINT_ROWS = 40
MAX_SHOCK_POINTS = 12  # the shock-response figure has a legend entry per point
#: the measurements drawn month by month over posterior draws (one panel each)
POSTERIOR_SERIES = ("stability_index", "incidents", "coercion", "offers_declined")
REPORT_DPI = 110  # readable on screen and in print, and small enough to commit


@dataclass
class Figure:
    """One figure of the standard set: file stem, a caption, a reading, and how to draw it."""

    name: str
    caption: str
    reading: str
    draw: Callable[[], Any] = field(repr=False)


@dataclass
class Plan:
    """The tables, figures and report sections for one results folder."""

    results: Results
    kind: str
    baseline: int | str = 0  # the design point differences are taken from (id or label)
    metrics: tuple[str, ...] = ()  # the summary columns reported first (default: HEADLINE)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    sections: list[tuple[str, str]] = field(default_factory=list)  # (heading, markdown body)
    figures: list[Figure] = field(default_factory=list)


# ---- small helpers -----------------------------------------------------------------------------------


def fmt(x: Any, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if isinstance(x, (int,)) and not isinstance(x, bool):
        return str(x)
    return f"{x:.{digits}f}"


def ci(row: pd.Series, lo: str = "ci_low", hi: str = "ci_high", centre: str = "mean") -> str:
    return f"{fmt(row[centre])} [{fmt(row[lo])}, {fmt(row[hi])}]"


def md_table(frame: pd.DataFrame) -> str:
    """A Markdown table (no external dependency)."""
    head = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    rows = ["| " + " | ".join(str(v).replace("|", "/") for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *rows])


def excludes_zero(row: pd.Series, lo: str = "ci_low", hi: str = "ci_high") -> bool:
    return bool(row[lo] > 0 or row[hi] < 0)


def words(metric: str) -> str:
    return P.metric_label(metric)


def headline(runs: pd.DataFrame, chosen: Sequence[str] = ()) -> list[str]:
    """The summary columns reported first: those ``chosen`` (a measure, e.g. ``coercion``, stands for
    its mean, ``coercion_mean``), else the default HEADLINE; ResultsError for a column the runs lack."""
    columns = A.summary_columns(runs)
    ok = runs[runs["status"] == "ok"] if "status" in runs.columns else runs
    present = [c for c in columns if ok[c].notna().any()]  # a measure that no run has a value of is no headline
    if not present:
        raise ResultsError("no summary measure has a value in any successful run; there is nothing to report")
    if not chosen:
        return [m for m in HEADLINE if m in present] or present[:1]
    picked = [m if m in columns else f"{m}_mean" for m in chosen]
    missing = [(m, c) for m, c in zip(chosen, picked, strict=True) if c not in present]
    if missing:
        name, column = missing[0]
        what = "has no value in any successful run" if column in columns else "is not a summary of these runs"
        raise ResultsError(f"--metric {name!r} {what}; choose from {', '.join(present)}")
    return picked


# ---- what each design gets ---------------------------------------------------------------------------


def plan(results: Results, baseline: int | str = 0, metrics: Sequence[str] = ()) -> Plan:
    """Decide and compute the tables, report sections and figures for a results folder; differences
    are taken from design point ``baseline`` (its id or label), and ``metrics`` are reported first."""
    statuses = results.runs["status"].value_counts().to_dict() if "status" in results.runs.columns else {}
    if results.runs.empty:
        raise ResultsError(f"{results.folder} has no runs to analyze (its runs table is empty)")
    if statuses and not statuses.get("ok", 0):
        raise ResultsError(
            f"{results.folder} has no successful run to analyze: all {len(results.runs)} failed (their errors "
            "are in runs.parquet)"
        )
    kind = A.design_kind(results)
    out = Plan(results=results, kind=kind, baseline=baseline, metrics=tuple(metrics))
    headline(results.runs, out.metrics)  # an unknown metric is refused before anything is computed
    if kind in ("morris", "sobol"):
        _sensitivity(out)
    else:
        _points(out)
        _differences(out)
        if kind == "factorial":
            _factorial(out)
        if kind == "posterior":
            _posterior(out)
        _layering(out)
        _allocation(out)
        _shocks(out)
        _timeseries(out)
    _network(out)
    return out


def _points(out: Plan) -> None:
    r = out.results
    metrics = headline(r.runs, out.metrics)
    stats = A.point_stats(r.runs, r.design, A.summary_columns(r.runs))
    out.tables["point_stats"] = stats
    wide = stats[stats["metric"].isin(metrics)].copy()
    wide["value"] = wide.apply(ci, axis=1)
    table = wide.pivot(index=["point_id", "label"], columns="metric", values="value").reset_index()
    table = table[["point_id", "label", *metrics]].rename(columns={m: words(m) for m in metrics})
    if len(table) > MAX_POINT_ROWS:
        table = table.head(MAX_POINT_ROWS)
    key = metrics[0]
    s = stats[stats["metric"] == key].dropna(subset=["mean"])
    best, worst = s.loc[s["mean"].idxmax()], s.loc[s["mean"].idxmin()]
    reading = (
        f"{words(key).capitalize()} is highest at '{best['label']}' ({ci(best)}) and lowest at "
        f"'{worst['label']}' ({ci(worst)}); each cell is the mean over replications with its 95% t interval."
    )
    note = (
        f"\n\n(first {MAX_POINT_ROWS} of {s.shape[0]} points; all are in analysis/point_stats.csv)"
        if len(s) > MAX_POINT_ROWS
        else ""
    )
    out.sections.append(("Results by design point", reading + "\n\n" + md_table(table) + note))
    if len(s) <= 40 and out.kind != "posterior":  # over the posterior: posterior_levels, pooled by setting
        out.figures.append(
            Figure(
                "point_means",
                f"{words(key).capitalize()} at each design point (mean and 95% interval).",
                reading,
                lambda: P.point_means_plot(stats, key),
            )
        )


def _posterior_level(r: Results) -> str | None:
    """The design column that names a setting in a design over posterior draws (None: not such a design)."""
    factors = [c for c in r.design.columns if c not in ("point_id", "label", "draw") and r.design[c].nunique() > 1]
    named = [c for c in factors if not pd.api.types.is_numeric_dtype(r.design[c])]
    if "draw" not in r.design.columns or not (named or factors):
        return None
    return "setting" if "setting" in named else (named or factors)[0]  # a whole design point, over draws


def _posterior(out: Plan) -> None:
    """Over posterior draws: each level's value with parameter uncertainty, and ranking probabilities."""
    r = out.results
    level = _posterior_level(r)
    if level is None:
        return
    metrics = headline(r.runs, out.metrics)
    levels, pairs = A.posterior_rankings(r.runs, r.design, level, metrics)
    out.tables["posterior_levels"], out.tables["posterior_rankings"] = levels, pairs
    lines = [
        f"Each value is a level's mean over its replicates in one posterior draw; the brackets are the 5% and 95% "
        f"quantiles over {int(levels['draws'].max())} draws, so they carry the parameters' uncertainty as well as "
        f"the runs' randomness. 'Below baseline' is the share of draws in which the level's value is lower than "
        f"at '{levels['baseline'].iloc[0]}'.",
        "",
    ]
    for metric in metrics:
        t = levels[levels["metric"] == metric]
        table = pd.DataFrame({
            "level": t["level"],
            f"{words(metric)} [5%, 95% over draws]": [f"{fmt(m)} [{fmt(a)}, {fmt(b)}]" for m, a, b in
                                                     zip(t["median"], t["q05"], t["q95"], strict=True)],
            "minus baseline [5%, 95%]": [f"{fmt(m)} [{fmt(a)}, {fmt(b)}]" for m, a, b in
                                         zip(t["diff_median"], t["diff_q05"], t["diff_q95"], strict=True)],
            "below baseline": [f"{x:.0%}" for x in t["share_below_baseline"]],
        })  # fmt: skip
        lines += [f"**{words(metric).capitalize()}**", "", md_table(table), ""]
    lines.append("Every ordered pair's ranking probability is in analysis/posterior_rankings.csv.")
    out.sections.append(("Over the posterior: values and ranking probabilities", "\n".join(lines)))
    if levels["level"].nunique() <= MAX_POINT_ROWS:
        out.figures.append(
            Figure(
                "posterior_levels",
                "Over the posterior: each setting's median over draws with the 5-95% range over draws, and the "
                "share of draws in which it is below the baseline.",
                lines[0],
                lambda: P.posterior_levels_plot(levels),
            )
        )


def _differences(out: Plan) -> None:
    r = out.results
    metrics = headline(r.runs, out.metrics)
    diffs = A.paired_differences(r.runs, r.design, out.baseline, A.summary_columns(r.runs))
    out.tables["paired_differences"] = diffs
    base = diffs["baseline_label"].iloc[0] if len(diffs) else "point 0"
    key = metrics[0]
    d = diffs[diffs["metric"] == key].dropna(subset=["mean_diff"])
    sig = d[d.apply(excludes_zero, axis=1)]
    lines = []
    if len(d) == 1:
        only = d.iloc[0]
        lines.append(
            f"Paired over common random numbers (replicate r of every point shares its seed), '{only['label']}' "
            f"minus the baseline '{base}' in {words(key)} is {ci(only, centre='mean_diff')}"
            f"{'' if excludes_zero(only) else ' (the interval includes zero)'}."
        )
    elif len(d):
        top, low = d.loc[d["mean_diff"].idxmax()], d.loc[d["mean_diff"].idxmin()]
        lines.append(
            f"Paired over common random numbers (replicate r of every point shares its seed), {len(sig)} of "
            f"{len(d)} points differ from the baseline '{base}' in {words(key)} with a 95% interval that excludes "
            f"zero; the highest difference is '{top['label']}' ({ci(top, centre='mean_diff')}) and the lowest "
            f"'{low['label']}' ({ci(low, centre='mean_diff')})."
        )
    table = d.sort_values("mean_diff", ascending=False).head(MAX_POINT_ROWS)
    shown = pd.DataFrame(
        {
            "point": table["label"],
            f"{words(key)} minus baseline [95% CI]": table.apply(ci, axis=1, centre="mean_diff"),
            "pairs": table["n_pairs"],
        }
    )
    out.sections.append((f"Paired differences from '{base}'", "\n".join(lines) + "\n\n" + md_table(shown)))
    if 1 < len(d) + 1 <= 40 and out.kind != "posterior":  # over the posterior: pooled in posterior_levels
        out.figures.append(
            Figure(
                "differences",
                f"{words(key).capitalize()} minus the baseline '{base}', paired by replicate.",
                lines[0] if lines else "",
                lambda: P.differences_plot(diffs, key),
            )
        )


def _factorial(out: Plan) -> None:
    r = out.results
    design, factors = A.factorial_design(r)
    metrics = headline(r.runs, out.metrics)
    main, inter = A.factorial_effects(r.runs, design, factors, metrics)
    out.tables["main_effects"], out.tables["interactions"] = main, inter
    key = metrics[0]
    con = main[(main["metric"] == key) & (main["kind"] == "contrast")]
    lines = []
    for _, row in con.iterrows():
        flag = "" if excludes_zero(row) else " (interval includes zero)"
        lines.append(f"- {P.factor_label(row['factor'])} ({row['level']}): {ci(row, centre='effect')}{flag}")
    two_level = set(con["factor"])
    lev = main[(main["metric"] == key) & (main["kind"] == "level") & ~main["factor"].isin(two_level)]
    if len(lev):
        for _, row in lev.iterrows():
            lines.append(
                f"- {P.factor_label(row['factor'])} = {row['level']}: {ci(row, centre='effect')} from the grand mean"
            )
    body = (
        f"Effects on {words(key)}, computed within each replicate and summarised across replicates "
        "(95% t intervals). For two-level factors the contrast is high minus low; otherwise each level's "
        "deviation from the grand mean.\n\n" + "\n".join(lines)
    )
    ic = inter[(inter["metric"] == key) & (inter["kind"] == "contrast")]
    if len(ic):
        strongest = ic.loc[ic["effect"].abs().idxmax()]
        body += (
            f"\n\nThe strongest two-way interaction is {P.factor_label(strongest['factor_a'])} x "
            f"{P.factor_label(strongest['factor_b'])}: {ci(strongest, centre='effect')}"
            f"{'' if excludes_zero(strongest) else ' (interval includes zero)'}."
        )
    out.sections.append(("Main effects and interactions", body))
    reading = lines[0].lstrip("- ") if lines else ""
    out.figures.append(
        Figure("main_effects", f"Main effects on {words(key)}.", reading, lambda: P.main_effects_plot(main, key))
    )
    if len(factors) >= 2:
        a, b = factors[0], factors[1]
        cells = A.cell_means(r.runs, design, [a, b], key)
        out.figures.append(
            Figure(
                "interaction",
                f"{words(key).capitalize()} by {P.factor_label(a)} and {P.factor_label(b)}.",
                "Parallel lines mean no interaction; crossing or diverging lines mean the effect of one "
                "factor depends on the other.",
                lambda: P.interaction_plot(cells, a, b, key, interactions=inter),
            )
        )


def _layering(out: Plan) -> None:
    r = out.results
    design, factors = A.factorial_design(r) if out.kind == "factorial" else (r.design, [])
    switches = [f"policy.JPN.{layer}" for layer in ("quad", "bilateral", "forums", "capacity")]
    if not any(name in design.columns for name in switches):
        return
    key = headline(r.runs, out.metrics)[0]
    table = A.layer_combinations(r.runs, design, key)
    layers = ("quad", "bilateral", "forums", "capacity")
    candidates = [None] + [f for f in factors if f not in switches and f in table.columns]
    separating = [f for f in candidates if not table.duplicated([*layers] + ([f] if f else [])).any()]
    if not separating:  # no single other factor separates the points: the heatmap would mislead
        return
    facet = separating[0]
    out.tables["layer_combinations"] = table
    best = table.loc[table["mean"].idxmax()]
    on = [layer for layer in layers if best[layer]]
    close = table[(table["point_id"] != best["point_id"]) & (table["mean"] >= best["ci_low"])]
    if facet is None:
        where = ""
    elif facet.startswith("policy.") or "." in facet:
        where = f", at {P.factor_label(facet)} = {best[facet]}"
    else:
        where = f", in the '{best[facet]}' {facet} setting"
    reading = f"The highest {words(key)} is {ci(best)}, with Japan's active layers: {', '.join(on) or 'none'}{where}."
    if len(close):
        reading += f" Within its 95% interval are also: {'; '.join(repr(label) for label in close['label'])}."
    out.figures.append(
        Figure(
            "layering_heatmap",
            f"{words(key).capitalize()} by combination of Japan's active layers.",
            reading,
            lambda: P.layering_heatmap(table, key, facet=facet),
        )
    )


def _allocation(out: Plan) -> None:
    r = out.results
    if not any(c.startswith("policy.JPN.allocation.") for c in r.design.columns):
        return
    key = headline(r.runs, out.metrics)[0]
    resp = A.allocation_response(r.runs, r.design, key)
    splits = A.allocation_splits(r.runs, r.design, key)
    out.tables["allocation_response"], out.tables["allocation_splits"] = resp, splits
    shown = splits if len(splits) <= MAX_POINT_ROWS else None  # a panel of every split only when it is legible
    best = splits.loc[splits["mean"].idxmax()]
    worst = splits.loc[splits["mean"].idxmin()]
    body = (
        f"The best split of Japan's budget for {words(key)} is '{best['label']}' ({ci(best)}); the worst is "
        f"'{worst['label']}' ({ci(worst)}). Going from none of the budget to all of it in one layer changes it by:"
    )
    lines = []
    for layer, g in resp.groupby("layer", sort=False):
        g = g.sort_values("share")
        lines.append(f"- {layer}: {fmt(g['mean'].iloc[0])} at share 0 to {fmt(g['mean'].iloc[-1])} at share 1")
    out.sections.append(("Allocation of Japan's budget", body + "\n\n" + "\n".join(lines)))
    out.figures.append(
        Figure(
            "allocation_response",
            f"{words(key).capitalize()} against the share of Japan's budget in each layer.",
            body.split(";")[0] + ".",
            lambda: P.allocation_response(resp, shown, metric=key),
        )
    )


def _shocks(out: Plan) -> None:
    r = out.results
    if not any(c.endswith("_drop") for c in r.runs.columns):
        return
    effects = A.shock_effects(r.runs, r.design)
    out.tables["shock_effects"] = effects
    key = "stability_index"
    e = effects[effects["metric"] == key]
    lines = []
    for _, row in e.iterrows():
        rec = row["recovery_median"]
        rec_text = (
            f"median recovery {fmt(rec, 0)} months" if not pd.isna(rec) else "most runs never recover within the run"
        )
        lines.append(
            f"- '{row['label']}': drop {ci(row, 'drop_ci_low', 'drop_ci_high', 'drop_mean')}; "
            f"{int(row['n_recovered'])} of {int(row['n'])} runs recover; {rec_text}"
        )
    body = (
        f"Drop of the {words(key + '_mean')} after the shock (pre-shock mean minus the worst moving mean after "
        "it, over `metrics.recovery_window` months; positive is worse) and recovery (months until such a mean is "
        "back at the pre-shock level). Compare with the unshocked twin in the figure: the drop is measured "
        "against the run's own pre-shock months, so month-to-month noise alone gives a drop too.\n\n" + "\n".join(lines)
    )
    out.sections.append(("Shock: drop and recovery", body))
    if r.series is not None and r.design["point_id"].nunique() <= MAX_SHOCK_POINTS:
        curves = A.shock_curves(r.series, r.runs, r.design, None, key, window=(24, 60), smooth=12)
        out.tables["shock_curves"] = curves
        out.figures.append(
            Figure(
                "shock_response",
                "Stability around the shock (12-month running mean, 95% band), with each "
                "shocked point's unshocked twin.",
                lines[0].lstrip("- ") if lines else "",
                lambda: P.shock_response_curves(curves, effects),
            )
        )


def _timeseries(out: Plan) -> None:
    r = out.results
    if r.series is None:
        return
    level = _posterior_level(r) if out.kind == "posterior" else None
    if level is not None:  # pooled by setting, with bands over draws: never a panel per draw
        measured = [m for m in POSTERIOR_SERIES if m in r.series.columns]
        table = A.posterior_series(r.series, r.runs, r.design, level, measured, smooth=6)
        shock = A.shock_steps(r.design)
        out.tables["posterior_series"] = table
        if table["label"].nunique() <= MAX_POINT_ROWS:
            out.figures.append(
                Figure(
                    "timeseries",
                    "Over the posterior, by setting: the median over draws of each month's value (6-month running "
                    "mean) and the 5-95% band over draws.",
                    "A draw's value is the mean over its replicates, so the bands carry the parameters' "
                    "uncertainty as well as the runs' randomness.",
                    lambda: P.posterior_timeseries(table, shock_step=min(shock.values()) if shock else None),
                )
            )
        return
    stats = A.series_stats(r.series, r.runs, r.design, "stability_index", smooth=6)
    out.tables["series_stability_index"] = stats
    shock = A.shock_steps(r.design)
    out.figures.append(
        Figure(
            "timeseries",
            "Stability index over time per design point (6-month running mean, 95% band).",
            "The bands show how far replicates of the same point spread month by month.",
            lambda: P.timeseries_bands(stats, "stability_index", shock_step=min(shock.values()) if shock else None),
        )
    )


def _sensitivity(out: Plan) -> None:
    r = out.results
    metrics = headline(r.runs, out.metrics)
    indices = A.sensitivity_indices(r, metrics)
    noise = A.noise_share(r.runs, metrics)
    out.tables["sensitivity"], out.tables["noise_share"] = indices, noise
    score = "mu_star" if out.kind == "morris" else "ST"
    lines = []
    for m in metrics:
        g = indices[(indices["metric"] == m) & indices["rank"].notna()].sort_values("rank").head(3)
        if len(g):
            top = ", ".join(f"{p} ({score} {fmt(v)})" for p, v in zip(g["parameter"], g[score], strict=True))
            lines.append(f"- {words(m)}: {top}")
    what = (
        "mean absolute elementary effect mu* (bootstrap 95% interval in sensitivity.csv)"
        if out.kind == "morris"
        else "total-order Sobol index ST (bootstrap 95% interval in sensitivity.csv)"
    )
    nz = noise.set_index("metric")["share"]
    if int(r.runs.groupby("point_id").size().max()) > 1:
        noise_line = ", ".join(f"{words(m)} {fmt(nz[m], 2)}" for m in metrics if m in nz and not pd.isna(nz[m]))
        noise_text = f"Share of each metric's variance that is run-to-run noise within design points: {noise_line}."
    else:
        noise_text = (
            "With one run per design point, run-to-run noise cannot be told apart from the parameters' effects: "
            "it is part of the variance the indices explain or leave unexplained."
        )
    body = f"The three parameters with the largest {what}, per metric:\n\n" + "\n".join(lines) + "\n\n" + noise_text
    out.sections.append(("Sensitivity", body))
    for m in metrics[:4]:
        first = lines[metrics.index(m)].lstrip("- ") if metrics.index(m) < len(lines) else ""
        out.figures.append(
            Figure(
                f"sensitivity_{m}",
                f"Sensitivity of {words(m)}.",
                first,
                functools.partial(P.sensitivity_bars, indices, m),
            )
        )


def _network(out: Plan) -> None:
    """The cooperation network at the end of the first run of design point 0, re-run from its seed."""
    from sim.model.region import RegionModel
    from sim.runs.experiment import parse_experiment

    r = out.results
    experiment = parse_experiment(tomllib.loads(r.experiment_text), large=True)  # a sweep that was run
    task = experiment.tasks()[0]
    caption = (
        f"Cooperation network in the last 12 months of run 0 ('{experiment.labels[0]}', seed {task.seed}): "
        "edge colour is the layer, width the cooperation members accepted (USD); ASEAN members are marked."
    )

    def draw() -> Any:
        model = RegionModel(rng=task.seed, **task.overrides).run(task.steps)
        return P.cooperation_network(model)

    out.figures.append(Figure("network", caption, "", draw))


# ---- writing ------------------------------------------------------------------------------------------


def draw_figures(p: Plan, folder: Path, fmt_: str = "png") -> list[tuple[Figure, Path]]:
    """Draw every figure of the plan into ``folder`` in the given format."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for fig in p.figures:
        figure = fig.draw()
        path = P.savefig(figure, folder / f"{fig.name}.{fmt_}", dpi=REPORT_DPI)
        plt.close(figure)
        written.append((fig, path))
    return written


def averaged(experiment: dict[str, Any]) -> str:
    """Which months per-run means cover, in words."""
    steps, warmup = experiment.get("steps", 120), experiment.get("warmup", 24)
    return f"means after month {warmup}" if warmup < steps else f"means over all {steps} months"


def code_versions(r: Results) -> list[str]:
    """A line saying which code made which runs, when a resume went on with changed code
    (``--allow-code-change``); no line otherwise."""
    m = r.manifest
    if not m.get("code_changes_allowed"):
        return []
    if not m.get("resumes"):  # resumed before the runs done at each resume were recorded
        when = ", ".join(str(e.get("utc", "?"))[:19] for e in m["code_changes_allowed"])
        return [f"- **made by more than one version of the code**: resumed with changed code at {when} UTC"]
    sessions: list[tuple[Mapping[str, Any], set[int]]] = [(m, set())]
    sessions += [(e, read_id_ranges(e.get("runs_done_before", ""))) for e in m["resumes"]]
    made: dict[tuple[Any, Any], set[int]] = {}
    for k, (who, before) in enumerate(sessions):
        after = sessions[k + 1][1] if k + 1 < len(sessions) else set(r.runs["run_id"])
        made.setdefault((who.get("git_commit"), who.get("code_sha256")), set()).update(after - before)
    made = {key: ids for key, ids in made.items() if ids}
    if len({code for _, code in made}) < 2:
        return []
    versions = "; ".join(f"runs {id_ranges(ids)} by commit `{commit}` (code checksum {str(code)[:12]})"
                         for (commit, code), ids in made.items())  # fmt: skip
    return [f"- **made by more than one version of the code** (resumed with --allow-code-change): {versions}"]


def report_markdown(p: Plan, figures: list[tuple[Figure, Path]]) -> str:
    r = p.results
    m = r.manifest
    experiment = tomllib.loads(r.experiment_text)
    counts = r.runs["status"].value_counts().to_dict()
    lines = [
        f"# {experiment.get('name', r.folder.name)}: results",
        "",
        " ".join(str(experiment.get("description", "")).split()),
        "",
        f"- design: {p.kind}, {len(r.design)} points x {experiment.get('replications', 1)} replications = "
        f"{len(r.runs)} runs ({counts.get('ok', 0)} ok, {counts.get('failed', 0)} failed); "
        f"{experiment.get('steps')} months, {averaged(experiment)}; master seed "
        f"{experiment.get('seed')}",
        f"- made by `{m.get('command', '')}` at commit `{m.get('git_commit')}` ({m.get('started_utc', '')[:19]} UTC); "
        f"tables and figures by `python -m sim analyze {r.folder}`",
        *code_versions(r),
        "- intervals are 95% t intervals over replications; differences and effects are computed within each "
        "replicate (common random numbers) and then summarised. The model is about mechanisms under its stated "
        "assumptions (docs/ODD.md), not a forecast.",
        "",
    ]
    for heading, body in p.sections:
        lines += [f"## {heading}", "", body, ""]
    if figures:
        lines += ["## Figures", ""]
        for fig, path in figures:
            lines += [f"### {fig.caption}", "", f"![{fig.name}](figures/{path.name})", ""]
            if fig.reading:
                lines += [fig.reading, ""]
    lines += ["## Tables", "", "Tidy CSV in `analysis/`: " + ", ".join(f"`{n}.csv`" for n in p.tables) + ".", ""]
    return "\n".join(lines)


def check_writable(folder: Path, outputs: dict[str, bool]) -> None:
    """Refuse (ResultsError, one line) before anything is written: a folder nothing can be written in, or
    one of ``outputs`` (name: whether it is a folder) standing there as the other kind of thing."""
    from sim.runs.folders import try_writing

    try_writing(folder)
    for name, is_folder in outputs.items():
        path = folder / name
        if path.exists() and path.is_dir() != is_folder:
            kind = "a file" if is_folder else "a folder"
            raise ResultsError(f"{path} is {kind}, where the {name} {'folder ' if is_folder else ''}goes; move it away")


def analyze(folder: str | Path, baseline: int | str = 0, metrics: Sequence[str] = ()) -> list[Path]:
    """Write analysis/*.csv, figures/*.png and report.md into a complete sweep folder (see ``plan``)."""
    folder = Path(folder)
    results = load_results(folder)
    check_writable(folder, {"analysis": True, "figures": True, "report.md": False})
    p = plan(results, baseline, metrics)
    with building(folder) as tmp:
        (tmp / "analysis").mkdir()
        written = []
        for name, table in p.tables.items():
            path = tmp / "analysis" / f"{name}.csv"
            table.to_csv(path, index=False)
            written.append(path)
        figures = draw_figures(p, tmp / "figures", "png")
        written += [path for _, path in figures]
        written.append(tmp / "report.md")
        written[-1].write_text(report_markdown(p, figures))
        return move_into(folder, tmp, written)


def plot(folder: str | Path, fmt_: str = "png") -> list[Path]:
    """Draw the standard figures of a complete sweep folder into DIR/figures in the given format."""
    if fmt_ not in FORMATS:
        raise ResultsError(f"--format must be one of {', '.join(FORMATS)}, got {fmt_!r}")
    folder = Path(folder)
    results = load_results(folder)
    check_writable(folder, {"figures": True})
    p = plan(results)
    with building(folder) as tmp:
        written = [path for _, path in draw_figures(p, tmp / "figures", fmt_)]
        return move_into(folder, tmp, written)


def move_into(folder: Path, tmp: Path, written: Sequence[Path]) -> list[Path]:
    """Move each file ``written`` in ``tmp`` to its place in ``folder``, once all were written: a rename
    each, which takes no space, so a full disk while writing leaves the earlier outputs as they were.
    Files of earlier analyses that this one does not write (figures in another format) stay.

    ``tmp`` is a temporary ``.partial-`` folder of :func:`sim.runs.folders.building`, as a new results
    folder's is: locked while it is written, removed however the block ends, and, when a kill left one,
    named by the next analyze or plot of the folder with the command that deletes it."""
    moved = []
    for path in written:
        target = folder / path.relative_to(tmp)
        target.parent.mkdir(exist_ok=True)
        os.replace(path, target)
        moved.append(target)
    return moved
