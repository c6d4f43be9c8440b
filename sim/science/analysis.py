"""Statistics of a sweep's results: pure functions from the tables of ``sim.load_results`` to tidy tables.

Nothing here plots or writes files (figures are in ``sim/science/plots.py``). Conventions:

- Only runs with ``status == "ok"`` count. A run's summary value that is missing (NaN or None) is left out.
- Intervals are 95% Student-t intervals: mean +- t(0.975, n - 1) x sd / sqrt(n), with sd the sample
  standard deviation (n - 1 in the denominator). With n = 1 the sd and both bounds are NaN.
- Replicate r of every design point shares its seed (common random numbers), so comparisons between
  points are made within a replicate first (differences, effects), then summarised across replicates.
- A table that lacks what a function needs raises :class:`sim.runs.store.ResultsError` with one line.
"""

from __future__ import annotations

import json
import tomllib
import warnings
from collections.abc import Iterable, Mapping, Sequence
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.model.metrics import SHOCK_METRICS
from sim.model.params import LAYERS, SPECS, month_number
from sim.runs.experiment import SUMMARY_COLUMNS, ExperimentError, flatten, parse_experiment, salib_problem
from sim.runs.extras import extra
from sim.runs.results import Results, ResultsError

LEVEL = 0.95  # confidence level of every interval
STAT_COLUMNS = ("n", "mean", "sd", "ci_low", "ci_high")


# ---- small helpers --------------------------------------------------------------------------------


def t_interval(values: Iterable[float], level: float = LEVEL) -> dict[str, float]:
    """n, mean, sample sd and the t interval of the values that are not NaN (NaN bounds when n < 2)."""
    x = np.asarray([v for v in values if v is not None], dtype=float)
    x = x[~np.isnan(x)]
    n = int(x.size)
    mean = float(x.mean()) if n else np.nan
    sd = float(x.std(ddof=1)) if n > 1 else np.nan
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * sd / np.sqrt(n)) if n > 1 else np.nan
    return {"n": n, "mean": mean, "sd": sd, "ci_low": mean - half, "ci_high": mean + half}


def _describe(grouped: Any) -> pd.DataFrame:
    """n, mean, sd, ci_low, ci_high of each group (vectorised t_interval)."""
    out = grouped.agg(["count", "mean", "std"]).rename(columns={"count": "n", "std": "sd"})
    n = out["n"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        tq = np.where(n > 1, stats.t.ppf(0.5 + LEVEL / 2, np.maximum(n - 1, 1)), np.nan)
        half = tq * out["sd"].to_numpy(dtype=float) / np.sqrt(n)
    out["sd"] = np.where(n > 1, out["sd"], np.nan)
    out["ci_low"] = out["mean"] - half
    out["ci_high"] = out["mean"] + half
    out["n"] = out["n"].astype(int)
    return out


def _require(table: pd.DataFrame | None, columns: Sequence[str], what: str) -> None:
    if table is None:
        raise ResultsError(f"{what}: no table given")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ResultsError(f"{what}: the table has no column {', '.join(map(repr, missing))}")


def _ok(runs: pd.DataFrame) -> pd.DataFrame:
    """The runs that finished (status ok)."""
    _require(runs, ["point_id"], "runs table")
    return runs[runs["status"] == "ok"] if "status" in runs.columns else runs


def _num(column: pd.Series) -> pd.Series:
    """A summary column as floats: None and anything non-numeric become NaN."""
    return pd.to_numeric(column, errors="coerce").astype(float)


def summary_columns(runs: pd.DataFrame) -> list[str]:
    """The per-run summary columns present in ``runs`` (``<metric>_mean``, ``_final``, ``_drop``,
    ``_recovery``), in the order of ``sim.runs.experiment.SUMMARY_COLUMNS``."""
    return [c for c in SUMMARY_COLUMNS if c in runs.columns]


def _metrics(runs: pd.DataFrame, metrics: str | Sequence[str] | None, what: str) -> list[str]:
    """The metric columns to analyse: those given, or by default every ``_mean`` and ``_final`` column."""
    if metrics is None:
        cols = [c for c in summary_columns(runs) if c.endswith(("_mean", "_final"))]
        if not cols:
            raise ResultsError(f"{what}: the runs table has no summary metric columns (<metric>_mean)")
        return cols
    cols = [metrics] if isinstance(metrics, str) else list(metrics)
    for c in cols:
        if c not in runs.columns:
            raise ResultsError(f"{what}: no column {c!r} in the runs table; summary columns: {summary_columns(runs)}")
    return cols


def _labels(design: pd.DataFrame) -> pd.DataFrame:
    _require(design, ["point_id", "label"], "design table")
    return design[["point_id", "label"]].drop_duplicates("point_id").sort_values("point_id")


def _point_id(design: pd.DataFrame, point: int | str) -> int:
    """A design point given by point_id or by label."""
    labels = _labels(design)
    if isinstance(point, str):
        hit = labels.loc[labels["label"] == point, "point_id"]
        if hit.empty:
            known = [str(label) for label in labels["label"]]
            shown = ", ".join(repr(label) for label in known[:8]) + (
                f" and {len(known) - 8} more" if len(known) > 8 else ""
            )
            raise ResultsError(f"no design point labelled {point!r}; the labels are {shown} (or give a point id)")
        return int(hit.iloc[0])
    if int(point) not in set(labels["point_id"]):
        raise ResultsError(f"no design point {point!r}; point ids run from 0 to {labels['point_id'].max()}")
    return int(point)


def _replicate_matrix(runs: pd.DataFrame, design: pd.DataFrame, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """(point ids, matrix replicates x points) of one metric, keeping only the replicates in which every
    design point has an ok run with a value."""
    ok = _ok(runs)
    _require(ok, ["replicate", metric], "runs table")
    points = _labels(design)["point_id"].to_numpy()
    table = ok[["replicate", "point_id"]].assign(value=_num(ok[metric]))
    if table.duplicated(["replicate", "point_id"]).any():
        raise ResultsError("runs table has more than one ok run for a (point_id, replicate) pair")
    wide = table.pivot(index="replicate", columns="point_id", values="value").reindex(columns=points)
    wide = wide.dropna(axis=0, how="any")
    return points, wide.to_numpy(dtype=float)


# ---- per design point -----------------------------------------------------------------------------


def point_stats(runs: pd.DataFrame, design: pd.DataFrame, metrics: str | Sequence[str] | None = None) -> pd.DataFrame:
    """Mean of each metric at each design point over its ok replications, with sd and 95% t interval.

    Args:
        runs: ``Results.runs``.
        design: ``Results.design``.
        metrics: summary columns (default: every ``<metric>_mean`` and ``<metric>_final`` column).

    Returns:
        One row per point and metric: point_id, label, metric, n, mean, sd, ci_low, ci_high. n counts the
        ok runs with a value; n = 1 gives NaN sd and bounds, n = 0 a NaN mean.
    """
    cols = _metrics(runs, metrics, "point_stats")
    ok = _ok(runs)
    long = ok[["point_id"]].join(ok[cols].apply(_num)).melt(id_vars="point_id", var_name="metric", value_name="v")
    table = _describe(long.groupby(["point_id", "metric"])["v"])
    labels = _labels(design)
    index = pd.MultiIndex.from_product([labels["point_id"], cols], names=["point_id", "metric"])
    table = table.reindex(index).reset_index()
    table["n"] = table["n"].fillna(0).astype(int)
    table = table.merge(labels, on="point_id", how="left")
    return table[["point_id", "label", "metric", *STAT_COLUMNS]]


def paired_differences(
    runs: pd.DataFrame,
    design: pd.DataFrame,
    baseline: int | str = 0,
    metrics: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Each design point minus a baseline point, run by run: the difference of the two runs that share
    a replicate (and so a seed), summarised by its mean, sd and 95% t interval across replicates.

    Only replicates where both runs are ok and both values present count (n_pairs).

    Args:
        baseline: the baseline point, by point_id or label.

    Returns:
        One row per other point and metric: point_id, label, metric, baseline (its point_id),
        baseline_label, n_pairs, mean_diff, sd_diff, ci_low, ci_high, paired (always True).
    """
    cols = _metrics(runs, metrics, "paired_differences")
    base_id = _point_id(design, baseline)
    ok = _ok(runs)
    _require(ok, ["replicate"], "paired_differences")
    values = ok[["point_id", "replicate"]].join(ok[cols].apply(_num))
    if values.duplicated(["point_id", "replicate"]).any():
        raise ResultsError("runs table has more than one ok run for a (point_id, replicate) pair")
    base = values[values["point_id"] == base_id].drop(columns="point_id")
    other = values[values["point_id"] != base_id]
    merged = other.merge(base, on="replicate", suffixes=("", "__base"))
    diffs = pd.DataFrame({"point_id": merged["point_id"]})
    for c in cols:
        diffs[c] = merged[c] - merged[f"{c}__base"]
    long = diffs.melt(id_vars="point_id", var_name="metric", value_name="d")
    table = _describe(long.groupby(["point_id", "metric"])["d"])
    labels = _labels(design)
    others = labels[labels["point_id"] != base_id]
    index = pd.MultiIndex.from_product([others["point_id"], cols], names=["point_id", "metric"])
    table = table.reindex(index).reset_index().merge(labels, on="point_id", how="left")
    table = table.rename(columns={"n": "n_pairs", "mean": "mean_diff", "sd": "sd_diff"})
    table["n_pairs"] = table["n_pairs"].fillna(0).astype(int)
    table["baseline"] = base_id
    table["baseline_label"] = labels.set_index("point_id")["label"].get(base_id)
    table["paired"] = True
    return table[["point_id", "label", "metric", "baseline", "baseline_label", "n_pairs", "mean_diff", "sd_diff",
                  "ci_low", "ci_high", "paired"]]  # fmt: skip


# ---- factorial designs ----------------------------------------------------------------------------


def _level_order(values: pd.Series) -> list[Any]:
    """Levels of a factor: booleans False then True, numbers ascending, anything else in design order."""
    unique = list(dict.fromkeys(values.tolist()))
    if all(isinstance(v, (bool, np.bool_)) for v in unique):
        return sorted(unique)
    if all(isinstance(v, (int, float, np.number)) for v in unique):
        return sorted(unique)
    return unique


def level_text(value: Any) -> str:
    """A factor level as text: numbers with %g, everything else with str."""
    if isinstance(value, (float, np.floating)):
        return f"{value:g}"
    return str(value)


def _factor_levels(design: pd.DataFrame, factors: Sequence[str], what: str) -> dict[str, list[Any]]:
    _require(design, ["point_id", *factors], what)
    levels = {f: _level_order(design[f]) for f in factors}
    sizes = design.groupby(list(factors), dropna=False).size()
    expected = int(np.prod([len(v) for v in levels.values()]))
    if len(sizes) != expected or sizes.nunique() != 1:
        raise ResultsError(
            f"{what}: {', '.join(factors)} do not form a balanced full factorial in the design "
            f"({len(sizes)} of {expected} level combinations present)"
        )
    return levels


def factorial_effects(
    runs: pd.DataFrame,
    design: pd.DataFrame,
    factors: str | Sequence[str],
    metrics: str | Sequence[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Main effects and two-way interactions of the factors of a balanced factorial design.

    Everything is computed within each replicate r first, from y(p, r), the metric of design point p in
    replicate r, and then summarised across replicates (mean and 95% t interval; n is the number of
    replicates in which every design point has an ok run).

    Main effect of level a of factor A, in replicate r: (mean of y over the points with A = a) minus
    (mean of y over all points). For a two-level factor there is also the contrast high minus low:
    (mean at the high level) - (mean at the low level), with True high for switches, the larger number
    high for numbers, and otherwise the level listed second in the design high.

    Interaction of factors A and B at levels (a, b), in replicate r: m(a, b) - m(a, .) - m(., b) + m(., .),
    where m averages y over the points with those levels (a dot: over every level), i.e. how far the cell
    mean departs from adding the two main effects. When both factors have two levels there is also the
    contrast (m(hi, hi) - m(lo, hi)) - (m(hi, lo) - m(lo, lo)): how much more A's high-minus-low effect is
    when B is high than when B is low (4 times the interaction term of the (hi, hi) cell).

    Args:
        factors: design columns (parameter names or bundle-factor names).

    Returns:
        (main_effects, interactions).
        main_effects: factor, level, metric, kind ("level" or "contrast"), n, mean (level mean; NaN for a
        contrast), effect, ci_low, ci_high. A contrast row's level reads "<high> - <low>".
        interactions: factor_a, level_a, factor_b, level_b, metric, kind ("cell" or "contrast"), n, effect,
        ci_low, ci_high.
    """
    factors = [factors] if isinstance(factors, str) else list(factors)
    if not factors:
        raise ResultsError("factorial_effects: give at least one factor")
    cols = _metrics(runs, metrics, "factorial_effects")
    levels = _factor_levels(design, factors, "factorial_effects")
    d = design.drop_duplicates("point_id").set_index("point_id")
    main_rows, inter_rows = [], []
    for metric in cols:
        points, y = _replicate_matrix(runs, design, metric)
        fac = d.loc[points, factors]
        grand = y.mean(axis=1)

        def mean_where(mask: np.ndarray, y: np.ndarray = y) -> np.ndarray:
            return y[:, mask].mean(axis=1)

        level_means: dict[tuple[str, Any], np.ndarray] = {}
        for f in factors:
            for v in levels[f]:
                m = mean_where((fac[f] == v).to_numpy())
                level_means[f, v] = m
                s = t_interval(m - grand)
                main_rows.append(
                    {"factor": f, "level": level_text(v), "metric": metric, "kind": "level", "n": s["n"],
                     "mean": float(m.mean()) if m.size else np.nan, "effect": s["mean"],
                     "ci_low": s["ci_low"], "ci_high": s["ci_high"]}
                )  # fmt: skip
            if len(levels[f]) == 2:
                lo, hi = levels[f]
                s = t_interval(level_means[f, hi] - level_means[f, lo])
                main_rows.append(
                    {"factor": f, "level": f"{level_text(hi)} - {level_text(lo)}", "metric": metric,
                     "kind": "contrast", "n": s["n"], "mean": np.nan, "effect": s["mean"],
                     "ci_low": s["ci_low"], "ci_high": s["ci_high"]}
                )  # fmt: skip
        for a, b in combinations(factors, 2):
            cell: dict[tuple[Any, Any], np.ndarray] = {}
            for va in levels[a]:
                for vb in levels[b]:
                    cell[va, vb] = mean_where(((fac[a] == va) & (fac[b] == vb)).to_numpy())
                    term = cell[va, vb] - level_means[a, va] - level_means[b, vb] + grand
                    s = t_interval(term)
                    inter_rows.append(
                        {"factor_a": a, "level_a": level_text(va), "factor_b": b, "level_b": level_text(vb),
                         "metric": metric, "kind": "cell", "n": s["n"], "effect": s["mean"],
                         "ci_low": s["ci_low"], "ci_high": s["ci_high"]}
                    )  # fmt: skip
            if len(levels[a]) == 2 and len(levels[b]) == 2:
                (la, ha), (lb, hb) = levels[a], levels[b]
                s = t_interval(cell[ha, hb] - cell[la, hb] - cell[ha, lb] + cell[la, lb])
                inter_rows.append(
                    {"factor_a": a, "level_a": f"{level_text(ha)} - {level_text(la)}", "factor_b": b,
                     "level_b": f"{level_text(hb)} - {level_text(lb)}", "metric": metric, "kind": "contrast",
                     "n": s["n"], "effect": s["mean"], "ci_low": s["ci_low"], "ci_high": s["ci_high"]}
                )  # fmt: skip
    main = pd.DataFrame(main_rows, columns=["factor", "level", "metric", "kind", "n", "mean", "effect", "ci_low",
                                            "ci_high"])  # fmt: skip
    inter = pd.DataFrame(inter_rows, columns=["factor_a", "level_a", "factor_b", "level_b", "metric", "kind", "n",
                                              "effect", "ci_low", "ci_high"])  # fmt: skip
    return main, inter


def _experiment(results: Results) -> Any:
    try:
        text = results.experiment_text
        return parse_experiment(tomllib.loads(text), source=text, large=True)  # a sweep that was run
    except (ExperimentError, tomllib.TOMLDecodeError) as err:
        raise ResultsError(f"{results.folder}: the stored experiment.toml is not valid: {err}") from None


def factorial_design(results: Results) -> tuple[pd.DataFrame, list[str]]:
    """The design table of a factorial experiment with one column per factor, and the factor names.

    Factors are named as in the experiment file (a parameter's dotted name, or a bundle factor's name);
    a bundle factor's column holds each point's level label. Results written before bundle labels were
    stored get those columns rebuilt from the stored experiment.
    """
    kind = design_kind(results)
    if kind != "factorial":
        raise ResultsError(f"factorial effects need a factorial design; this experiment's design is {kind!r}")
    exp = _experiment(results)
    factors = list(flatten(exp.design["factors"]))
    design = results.design.copy()
    if len(design) != len(exp.points):
        raise ResultsError(f"the design table has {len(design)} points; the experiment has {len(exp.points)}")
    design = design.sort_values("point_id").reset_index(drop=True)
    for f in factors:
        if f not in design.columns:
            design[f] = [exp.point_columns(int(p)).get(f) for p in design["point_id"]]
    return design, factors


def cell_means(runs: pd.DataFrame, design: pd.DataFrame, factors: str | Sequence[str], metric: str) -> pd.DataFrame:
    """Mean of a metric for each combination of levels of ``factors``, averaged over the other factors:
    within each replicate the points of the combination are averaged, then the mean and 95% t interval
    are taken across the complete replicates (those where every design point has an ok run).

    Returns:
        One row per combination: the factor columns (original values), metric, n, mean, sd, ci_low, ci_high.
    """
    factors = [factors] if isinstance(factors, str) else list(factors)
    _metrics(runs, metric, "cell_means")
    _require(design, ["point_id", *factors], "cell_means")
    levels = {f: _level_order(design[f]) for f in factors}
    points, y = _replicate_matrix(runs, design, metric)
    fac = design.drop_duplicates("point_id").set_index("point_id").loc[points, factors]
    rows = []
    combos = fac.drop_duplicates()
    order = {f: {v: k for k, v in enumerate(levels[f])} for f in factors}
    combos = combos.assign(_k=[tuple(order[f][r[f]] for f in factors) for _, r in combos.iterrows()])
    for _, combo in combos.sort_values("_k").iterrows():
        mask = np.logical_and.reduce([(fac[f] == combo[f]).to_numpy() for f in factors])
        rows.append({**{f: combo[f] for f in factors}, "metric": metric, **t_interval(y[:, mask].mean(axis=1))})
    return pd.DataFrame(rows, columns=[*factors, "metric", *STAT_COLUMNS])


# ---- sensitivity analysis -------------------------------------------------------------------------


def design_kind(results: Results) -> str:
    """The design kind of the stored experiment: factorial, list, lhs, sobol or morris."""
    try:
        kind = tomllib.loads(results.experiment_text).get("design", {}).get("kind")
    except tomllib.TOMLDecodeError as err:
        raise ResultsError(f"{results.folder}: experiment.toml is not valid TOML: {err}") from None
    if not isinstance(kind, str):
        raise ResultsError(f"{results.folder}: experiment.toml has no design.kind")
    return kind


def sensitivity_indices(
    results: Results, metrics: str | Sequence[str] | None = None, num_resamples: int = 1000
) -> pd.DataFrame:
    """Global sensitivity indices of a Morris or Sobol experiment, computed with SALib.

    The metric is first averaged over the ok replicates of each design point; SALib then analyses these
    point means in design-point order, with the problem (parameter names and ranges) rebuilt from the
    stored experiment and its bootstrap resampling seeded with the experiment's master seed, so the
    numbers are reproducible.

    Morris (elementary effects): mu is the mean effect, mu_star the mean absolute effect (how much the
    parameter matters), mu_star_conf the half-width of its 95% bootstrap interval, sigma the standard
    deviation of the effects (non-linearity or interactions); effects are in the metric's units per
    full range of the parameter. Sobol: S1 the share of the metric's variance due to the parameter
    alone, ST the share it takes part in (with interactions), each with its 95% bootstrap half-width.

    Args:
        metrics: summary columns (default: every ``<metric>_mean`` column).

    Returns:
        Morris: parameter, metric, mu, mu_star, mu_star_conf, sigma, rank. Sobol: parameter, metric, S1,
        S1_conf, ST, ST_conf, rank. rank 1 is the most influential parameter for that metric, by
        mu_star (Morris) or ST (Sobol); a metric that never varies gets NaN indices and no rank.
    """
    kind = design_kind(results)
    if kind not in ("morris", "sobol"):
        raise ResultsError(f"sensitivity indices need a morris or sobol design; this experiment's design is {kind!r}")
    exp = _experiment(results)
    ranges = {k: (float(v[0]), float(v[1])) for k, v in flatten(exp.design["ranges"]).items()}
    problem = salib_problem(ranges)
    names = problem["names"]
    runs, design = results.runs, results.design
    if metrics is None:
        cols = [c for c in summary_columns(runs) if c.endswith("_mean")]
        if not cols:
            raise ResultsError("sensitivity_indices: the runs table has no <metric>_mean columns")
    else:
        cols = _metrics(runs, metrics, "sensitivity_indices")
    _require(design, ["point_id", *names], "sensitivity_indices (design table)")
    design = design.drop_duplicates("point_id").sort_values("point_id")
    if len(design) != len(exp.points) or list(design["point_id"]) != list(range(len(exp.points))):
        raise ResultsError(
            f"sensitivity_indices: the design table has {len(design)} points; the experiment has {len(exp.points)}"
        )
    x = design[names].to_numpy(dtype=float)
    ok = _ok(runs)
    rows = []
    for metric in cols:
        y = ok.assign(v=_num(ok[metric])).groupby("point_id")["v"].mean().reindex(design["point_id"]).to_numpy()
        if np.isnan(y).any():
            raise ResultsError(
                f"sensitivity_indices: {int(np.isnan(y).sum())} design points have no ok run with {metric}; "
                "SALib needs every point (resume or re-run the sweep)"
            )
        flat = bool(np.ptp(y) == 0)
        with extra("sweep"):
            from SALib.analyze import morris, sobol
        if kind == "morris":
            res = morris.analyze(
                problem, x, y, num_resamples=num_resamples, conf_level=LEVEL, print_to_console=False,
                num_levels=int(exp.design.get("levels", 4)), seed=exp.seed,
            )  # fmt: skip
            table = pd.DataFrame(
                {"parameter": names, "metric": metric, "mu": res["mu"], "mu_star": res["mu_star"],
                 "mu_star_conf": res["mu_star_conf"], "sigma": res["sigma"]}
            )  # fmt: skip
            key = "mu_star"
        else:
            if flat:
                res = {k: np.full(len(names), np.nan) for k in ("S1", "S1_conf", "ST", "ST_conf")}
            else:
                with warnings.catch_warnings(), np.errstate(all="ignore"):
                    warnings.simplefilter("ignore")
                    res = sobol.analyze(
                        problem, y, calc_second_order=bool(exp.design.get("second_order", False)),
                        num_resamples=num_resamples, conf_level=LEVEL, print_to_console=False, seed=exp.seed,
                    )  # fmt: skip
            table = pd.DataFrame(
                {"parameter": names, "metric": metric, "S1": res["S1"], "S1_conf": res["S1_conf"], "ST": res["ST"],
                 "ST_conf": res["ST_conf"]}
            )  # fmt: skip
            key = "ST"
        score = table[key].astype(float)
        table["rank"] = (
            pd.Series(pd.NA, index=table.index, dtype="Int64") if flat else score.rank(ascending=False, method="min")
        ).astype("Int64")
        rows.append(table.sort_values(["rank", "parameter"], na_position="last"))
    return pd.concat(rows, ignore_index=True)


def noise_share(runs: pd.DataFrame, metrics: str | Sequence[str] | None = None) -> pd.DataFrame:
    """How much of a metric's spread over the ok runs is run-to-run noise: the sum of squared deviations
    from each run's design-point mean divided by the sum of squared deviations from the grand mean (a
    one-way analysis of variance). 1: the design points do not differ at all beyond noise; 0: no noise.

    Returns:
        One row per metric: metric, n_points, n_runs, within_var (pooled variance within points),
        total_var (variance over all runs), share (NaN when the metric never varies).
    """
    cols = _metrics(runs, metrics, "noise_share")
    ok = _ok(runs)
    rows = []
    for c in cols:
        v = ok[["point_id"]].assign(v=_num(ok[c])).dropna()
        dev_within = v["v"] - v.groupby("point_id")["v"].transform("mean")
        ss_within = float((dev_within**2).sum())
        ss_total = float(((v["v"] - v["v"].mean()) ** 2).sum())
        n, k = len(v), v["point_id"].nunique()
        rows.append(
            {"metric": c, "n_points": k, "n_runs": n,
             "within_var": ss_within / (n - k) if n > k else np.nan,
             "total_var": ss_total / (n - 1) if n > 1 else np.nan,
             "share": ss_within / ss_total if ss_total > 0 else np.nan}
        )  # fmt: skip
    return pd.DataFrame(rows, columns=["metric", "n_points", "n_runs", "within_var", "total_var", "share"])


# ---- shocks ---------------------------------------------------------------------------------------


def shock_effects(runs: pd.DataFrame, design: pd.DataFrame, metrics: str | Sequence[str] | None = None) -> pd.DataFrame:
    """How far each metric fell after the shock and whether it came back, per shocked design point.

    Drop and recovery per run are those of ``sim.model.metrics.shock_response`` (drop > 0: worse than before
    the shock, in the metric's units; recovery: months, counted in recovery-window means, until the
    metric is back at its pre-shock level; missing = never within the run). Points without a shock
    (no drop recorded) are left out.

    Args:
        metrics: names from ``sim.model.metrics.SHOCK_METRICS`` (default: all with columns in ``runs``).

    Returns:
        One row per shocked point and metric: point_id, label, metric, direction (+1 higher is better,
        -1 lower is better), n, drop_mean, drop_sd, drop_ci_low, drop_ci_high (95% t interval),
        n_recovered, recovered_share (runs that recovered / n), recovery_median (median months to
        recover over all n runs, counting a run that never recovered as slower than any that did; NaN
        when half or more never recovered), recovery_median_recovered (median over the runs that did).
    """
    present = [m for m in SHOCK_METRICS if f"{m}_drop" in runs.columns and f"{m}_recovery" in runs.columns]
    if not present:
        raise ResultsError("runs has no shock columns (<metric>_drop, <metric>_recovery): the experiment has no shocks")
    if metrics is None:
        names = present
    else:
        given = [metrics] if isinstance(metrics, str) else list(metrics)
        names = [m.removesuffix("_drop").removesuffix("_recovery") for m in given]
        for m in names:
            if m not in present:
                raise ResultsError(f"shock_effects: no shock columns for {m!r}; present: {', '.join(present)}")
    ok = _ok(runs)
    labels = _labels(design).set_index("point_id")["label"]
    rows = []
    for point_id, group in ok.groupby("point_id", sort=True):
        for m in names:
            drop, rec = _num(group[f"{m}_drop"]), _num(group[f"{m}_recovery"])
            shocked = drop.notna()
            if not shocked.any():
                continue
            drop, rec = drop[shocked], rec[shocked]
            s = t_interval(drop)
            times = np.sort(np.where(rec.isna(), np.inf, rec.to_numpy()))
            med = float(np.median(times))
            recovered = rec.dropna()
            rows.append(
                {"point_id": int(point_id), "label": labels.get(point_id), "metric": m, "direction": SHOCK_METRICS[m],
                 "n": s["n"], "drop_mean": s["mean"], "drop_sd": s["sd"], "drop_ci_low": s["ci_low"],
                 "drop_ci_high": s["ci_high"], "n_recovered": int(recovered.size),
                 "recovered_share": recovered.size / s["n"], "recovery_median": med if np.isfinite(med) else np.nan,
                 "recovery_median_recovered": float(recovered.median()) if recovered.size else np.nan}
            )  # fmt: skip
    columns = ["point_id", "label", "metric", "direction", "n", "drop_mean", "drop_sd", "drop_ci_low", "drop_ci_high",
               "n_recovered", "recovered_share", "recovery_median", "recovery_median_recovered"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def _shock_step(shock: Mapping[str, Any], start: str) -> int:
    """A shock's outlook month: its ``step``, or its ``date`` counted from ``run.start``."""
    if "step" in shock:
        return int(shock["step"])
    return month_number(shock["date"]) - month_number(start) + 1


def shock_steps(design: pd.DataFrame) -> dict[int, int]:
    """The month of the earliest shock at each design point that has one (from the design's shocks column)."""
    if "shocks" not in design.columns:
        return {}
    out = {}
    starts = design["run.start"] if "run.start" in design.columns else [SPECS["run.start"].default] * len(design)
    for point_id, cell, start in zip(design["point_id"], design["shocks"], starts, strict=True):
        shocks = json.loads(cell) if isinstance(cell, str) else cell
        steps = [_shock_step(s, start) for s in shocks or [] if isinstance(s, Mapping) and ("step" in s or "date" in s)]
        if steps:
            out[int(point_id)] = min(steps)
    return out


def shock_pairs(design: pd.DataFrame) -> dict[int, int | None]:
    """For each design point with a shock, the point without one that has the same values of every
    other varying parameter (its counterfactual), or None when there is no such point."""
    shocked = shock_steps(design)
    params = [c for c in design.columns if c in SPECS and c != "shocks"]
    key = design.set_index("point_id")[params].astype(str).agg("|".join, axis=1) if params else None
    out: dict[int, int | None] = {}
    for p in shocked:
        match = [
            int(q) for q in design["point_id"] if int(q) not in shocked and (key is None or key.loc[q] == key.loc[p])
        ]
        out[p] = match[0] if len(match) == 1 else None
    return out


def series_stats(
    series: pd.DataFrame | None,
    runs: pd.DataFrame,
    design: pd.DataFrame,
    metric: str,
    by: str | None = None,
    points: Sequence[int] | None = None,
    smooth: int = 1,
) -> pd.DataFrame:
    """Mean of a metric month by month with its 95% t interval across replicates, per design point or,
    with ``by``, per level of a design column (within each replicate the group's points are averaged
    first, so n counts replicates).

    Args:
        smooth: each run's series is first replaced by its trailing running mean over this many months
            (the month and the ones before it; fewer at the start); 1 leaves it as it is.

    Returns:
        One row per group and month: point_id (or the ``by`` column), label, metric, step, n, mean, sd,
        ci_low, ci_high. label is the point's label, or the group's level as text.
    """
    if series is None:
        raise ResultsError("no monthly series in these results: the experiment did not keep them (keep_series)")
    _require(series, ["run_id", "step", metric], "series table")
    ok = _ok(runs)
    _require(ok, ["run_id", "replicate"], "runs table")
    if points is not None:
        ok = ok[ok["point_id"].isin(list(points))]
    table = series[["run_id", "step", metric]].merge(ok[["run_id", "point_id", "replicate"]], on="run_id")
    table = table.rename(columns={metric: "v"}).sort_values(["run_id", "step"])
    table["v"] = _num(table["v"])
    if smooth > 1:
        table["v"] = table.groupby("run_id")["v"].transform(lambda v: v.rolling(smooth, min_periods=1).mean())
    labels = _labels(design)
    if by is None:
        out = _describe(table.groupby(["point_id", "step"])["v"]).reset_index()
        out = out.merge(labels, on="point_id", how="left")
        key = "point_id"
    else:
        _require(design, [by], "series_stats")
        table = table.merge(design[["point_id", by]], on="point_id")
        per_rep = table.groupby([by, "replicate", "step"], sort=False)["v"].mean().reset_index()
        out = _describe(per_rep.groupby([by, "step"])["v"]).reset_index()
        out["label"] = out[by].map(level_text)
        key = by
    out["metric"] = metric
    return out[[key, "label", "metric", "step", *STAT_COLUMNS]].sort_values([key, "step"]).reset_index(drop=True)


def shock_curves(
    series: pd.DataFrame | None,
    runs: pd.DataFrame,
    design: pd.DataFrame,
    shock_step: int | None,
    metric: str,
    window: int | tuple[int, int] | None = 24,
    smooth: int = 1,
) -> pd.DataFrame:
    """A metric month by month around a shock: mean and 95% t interval across replicates, per design
    point (points without the shock are kept as the counterfactual, on the same calendar months).

    Args:
        shock_step: month of the shock (None: the earliest shock in the design's shocks column).
        window: months shown before and after the shock: an int for both, (before, after), or None for
            the whole run.
        smooth: trailing running mean over this many months, per run, before the statistics (see
            series_stats); recorded in the ``smooth`` column.

    Returns:
        point_id, label, metric, month (months since the shock; 0 is the month it happens), step, n,
        mean, sd, ci_low, ci_high, shocked (the point has a shock), pair (a shocked point's own point_id,
        shared by its counterfactual, see shock_pairs; missing for a point without a shock and without a
        shocked twin), smooth.
    """
    if shock_step is None:
        steps = shock_steps(design)
        if not steps:
            raise ResultsError("shock_curves: no shock in the design; give shock_step")
        shock_step = min(steps.values())
    out = series_stats(series, runs, design, metric, smooth=smooth)
    out.insert(3, "month", out["step"] - int(shock_step))
    if window is not None:
        before, after = (window, window) if isinstance(window, int) else window
        out = out[(out["month"] >= -before) & (out["month"] <= after)]
    steps = shock_steps(design)
    pairs = shock_pairs(design)
    partner = {**{q: p for p, q in pairs.items() if q is not None}, **{p: p for p in pairs}}
    out = out.assign(
        shocked=out["point_id"].isin(list(steps)),
        pair=out["point_id"].map(partner).astype("Int64"),
        smooth=int(smooth),
    )
    return out.reset_index(drop=True)


# ---- Japan's layers and its budget split ----------------------------------------------------------


def _layer_values(design: pd.DataFrame, partner: str, field: str, base: Mapping[str, Any] | None) -> pd.DataFrame:
    """One column per layer: the design's value of policy.<partner>.<field><layer>, or, for a layer the
    design does not vary, its value in ``base`` or the parameter default."""
    out = pd.DataFrame({"point_id": design["point_id"].to_numpy()})
    for layer in LAYERS:
        name = f"policy.{partner}.{field}{layer}"
        if name in design.columns:
            out[layer] = design[name].to_numpy()
        else:
            out[layer] = (base or {}).get(name, SPECS[name].default)
    return out


def layer_combinations(
    runs: pd.DataFrame, design: pd.DataFrame, metric: str, partner: str = "JPN", base: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """A metric at each combination of a partner's active layers: the point statistics (mean and 95%
    t interval over replications) with the four layer switches as columns.

    Layers that the design does not vary take their value from ``base`` (the experiment's base
    overrides) or else the parameter default.

    Returns:
        One row per design point: point_id, label, quad, bilateral, forums, capacity (bool), n_layers,
        then the design's other varying columns, then metric, n, mean, sd, ci_low, ci_high.
    """
    names = [f"policy.{partner}.{layer}" for layer in LAYERS]
    if not any(n in design.columns for n in names):
        raise ResultsError(f"layer_combinations: the design does not vary any of {', '.join(names)}")
    _metrics(runs, metric, "layer_combinations")
    switches = _layer_values(design, partner, "", base)
    for layer in LAYERS:
        switches[layer] = switches[layer].astype(bool)
    switches["n_layers"] = switches[list(LAYERS)].sum(axis=1).astype(int)
    other = [c for c in design.columns if c not in ("point_id", "label", *names)]
    table = point_stats(runs, design, metric)
    out = table.merge(switches, on="point_id").merge(design[["point_id", *other]], on="point_id")
    return out[["point_id", "label", *LAYERS, "n_layers", *other, "metric", *STAT_COLUMNS]]


def _shares(design: pd.DataFrame, partner: str, base: Mapping[str, Any] | None) -> pd.DataFrame:
    names = [f"policy.{partner}.allocation.{layer}" for layer in LAYERS]
    if not any(n in design.columns for n in names):
        raise ResultsError(f"allocation: the design does not vary any of {', '.join(names)}")
    weights = _layer_values(design, partner, "allocation.", base).set_index("point_id").astype(float)
    on = _layer_values(design, partner, "", base).set_index("point_id").astype(bool)
    weights = weights * on
    total = weights.sum(axis=1)
    return weights.div(total.where(total > 0), axis=0).fillna(0.0).round(9)


def allocation_splits(
    runs: pd.DataFrame, design: pd.DataFrame, metric: str, partner: str = "JPN", base: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """A metric at each of a partner's budget splits: point statistics with the share of the partner's
    budget in each layer (allocation weight x switch, divided by the sum over layers).

    Returns:
        One row per design point: point_id, label, quad, bilateral, forums, capacity (shares, summing to 1),
        metric, n, mean, sd, ci_low, ci_high.
    """
    _metrics(runs, metric, "allocation_splits")
    shares = _shares(design, partner, base).reset_index()
    out = point_stats(runs, design, metric).merge(shares, on="point_id")
    return out[["point_id", "label", *LAYERS, "metric", *STAT_COLUMNS]]


def allocation_response(
    runs: pd.DataFrame, design: pd.DataFrame, metric: str, partner: str = "JPN", base: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """The response of a metric to the share of a partner's budget in each layer: for each layer and
    share level, the metric averaged over the design points with that share (whatever the split of the
    rest), within each replicate, then the mean and 95% t interval across complete replicates.

    On a simplex lattice the other layers' shares shrink as one layer's grows, so a layer's curve is
    its share's effect together with the loss of the others'.

    Returns:
        One row per layer and share: layer, share, n_points, metric, n, mean, sd, ci_low, ci_high.
    """
    _metrics(runs, metric, "allocation_response")
    shares = _shares(design, partner, base)
    points, y = _replicate_matrix(runs, design, metric)
    shares = shares.loc[points]
    rows = []
    for layer in LAYERS:
        for share in sorted(shares[layer].unique()):
            mask = (shares[layer] == share).to_numpy()
            rows.append(
                {"layer": layer, "share": float(share), "n_points": int(mask.sum()), "metric": metric,
                 **t_interval(y[:, mask].mean(axis=1))}
            )  # fmt: skip
    return pd.DataFrame(rows, columns=["layer", "share", "n_points", "metric", *STAT_COLUMNS])


def posterior_rankings(
    runs: pd.DataFrame, design: pd.DataFrame, level: str, metrics: Sequence[str], baseline: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """For a design over posterior draws (a ``draw`` column) crossed with one factor ``level``:

    - ``levels``: each level's value per draw (the mean over its replicates), summarised over draws
      by the median and the 5% and 95% quantiles (parameter uncertainty and randomness together),
      and, against ``baseline`` (default: the first level), the median difference, its 5-95% range
      and the share of draws in which the level is lower than the baseline;
    - ``pairs``: for every ordered pair of levels (a, b), the share of draws in which a's value is
      lower than b's (the probability that the ranking "a below b" holds over the posterior)."""
    ok = runs[runs["status"] == "ok"]
    missing = [c for c in ("draw", level) if c not in ok.columns]  # stored runs carry the design's columns
    if missing:
        ok = ok.merge(design[["point_id", *missing]], on="point_id")
    levels = list(dict.fromkeys(design[level]))
    base = baseline if baseline is not None else levels[0]
    level_rows, pair_rows = [], []
    for metric in metrics:
        by = ok.groupby(["draw", level])[metric].mean().unstack(level)[levels]
        for name in levels:
            v = by[name].dropna().to_numpy()
            d = (by[name] - by[base]).dropna().to_numpy()
            level_rows.append({"metric": metric, "level": name, "median": float(np.median(v)),
                               "q05": float(np.quantile(v, 0.05)), "q95": float(np.quantile(v, 0.95)),
                               "diff_median": float(np.median(d)), "diff_q05": float(np.quantile(d, 0.05)),
                               "diff_q95": float(np.quantile(d, 0.95)), "share_below_baseline": float((d < 0).mean()),
                               "baseline": base, "draws": len(v)})  # fmt: skip
        for a in levels:
            for b in levels:
                if a != b:
                    both = by[[a, b]].dropna()
                    below = float((both[a] < both[b]).mean())
                    pair_rows.append({"metric": metric, "a": a, "b": b, "share_a_below_b": below, "draws": len(both)})
    return pd.DataFrame(level_rows), pd.DataFrame(pair_rows)


def posterior_series(
    series: pd.DataFrame | None,
    runs: pd.DataFrame,
    design: pd.DataFrame,
    level: str,
    metrics: str | Sequence[str],
    smooth: int = 1,
) -> pd.DataFrame:
    """For a design over posterior draws (a ``draw`` column) crossed with a factor ``level`` (a setting):
    each metric month by month, pooled by setting. A draw's value in a month is the mean over its
    replicates; the rows give the median over draws and the 5% and 95% quantiles over draws (parameter
    uncertainty and randomness together), as :func:`posterior_rankings` does for the runs' means.

    Args:
        smooth: each run's series is first replaced by its trailing running mean over this many months.

    Returns:
        One row per setting, metric and month: label (the setting as text), metric, step, median, q05,
        q95, draws.
    """
    if series is None:
        raise ResultsError("no monthly series in these results: the experiment did not keep them (keep_series)")
    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    _require(series, ["run_id", "step", *metrics], "series table")
    _require(design, ["point_id", "draw", level], "posterior_series")
    ok = _ok(runs)[["run_id", "point_id"]].merge(design[["point_id", "draw", level]], on="point_id")
    table = series[["run_id", "step", *metrics]].merge(ok, on="run_id").sort_values(["run_id", "step"])
    frames = []
    for metric in metrics:
        values = _num(table[metric])
        if smooth > 1:
            values = values.groupby(table["run_id"]).transform(lambda v: v.rolling(smooth, min_periods=1).mean())
        per_draw = table.assign(v=values).groupby([level, "draw", "step"], sort=False)["v"].mean().reset_index()
        grouped = per_draw.groupby([level, "step"], sort=False)["v"]
        out = grouped.median().rename("median").to_frame()
        out["q05"] = grouped.quantile(0.05)
        out["q95"] = grouped.quantile(0.95)
        out["draws"] = grouped.count()
        out = out.reset_index()
        out["metric"] = metric
        frames.append(out)
    out = pd.concat(frames, ignore_index=True)
    order = {
        level: {v: k for k, v in enumerate(dict.fromkeys(design[level]))},
        "metric": {m: k for k, m in enumerate(metrics)},
    }
    out = out.sort_values([level, "metric", "step"], key=lambda c: c.map(order[c.name]) if c.name in order else c)
    out["label"] = out[level].map(level_text)
    return out[["label", "metric", "step", "median", "q05", "q95", "draws"]].reset_index(drop=True)
