"""Calibration by approximate Bayesian computation: ``python -m sim calibrate CONFIG.toml``.

The algorithm is ABC-SMC in the population Monte Carlo form of Beaumont, Cornuet, Marin & Robert
(2009, Biometrika 96:983), with each generation's tolerance the ``quantile`` of the previous
generation's accepted distances (Drovandi & Pettitt 2011) and a Gaussian perturbation kernel whose
covariance is twice the weighted covariance of the previous population: the scheme pyabc's ABCSMC
uses by default. It is written here rather than taken from pyabc because pyabc's parallel samplers
reseed NumPy from the operating system in every worker, so its results cannot be reproduced; this
one draws every candidate and every run seed from ``SeedSequence(seed)`` before the runs, evaluates
them in batches through the project's executors (local processes, or Dask) whose ``map`` keeps the
order, and accepts in candidate order. The same config and seed give the same posterior, bit for
bit, with one worker or many.

Distance: the Euclidean distance between simulated and observed statistics (``sim/science/validate.py``),
each divided by its median absolute deviation over the first generation (prior predictive), a scale
fixed once. A run whose statistic cannot be computed is rejected.
"""

from __future__ import annotations

import math
import time
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.model.params import SPECS, InputError, ParameterError, make_params
from sim.runs.posterior import draw_posterior


class CalibrationError(InputError):
    """A calibration config is malformed. The message is one line naming the problem."""


@dataclass(frozen=True)
class Prior:
    """A uniform prior on one parameter, with the reason for its range."""

    name: str
    low: float
    high: float
    reason: str


@dataclass(frozen=True)
class Config:
    name: str
    description: str
    period: str
    seed: int
    priors: tuple[Prior, ...]
    statistics: tuple[str, ...]
    population: int
    generations: int
    quantile: float
    min_epsilon: float
    max_simulations: int
    batch: int
    fixed: Mapping[str, Any] = field(default_factory=dict)
    predictive: int = 20
    holdout: tuple[str, ...] = ()
    coverage: Mapping[str, int] = field(default_factory=dict)
    source: str = ""


def _need(table: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in table:
        raise CalibrationError(f"{where}: missing {key!r}")
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, kind):
        raise CalibrationError(f"{where}: {key!r} must be {getattr(kind, '__name__', 'a number')}, got {value!r}")
    return value


#: the keys a calibration config may have, at the top and in each table
KEYS = {
    "": ("name", "description", "period", "seed", "fixed", "abc", "prior", "statistics", "holdout", "coverage"),
    "abc": ("population", "generations", "quantile", "min_epsilon", "max_simulations", "batch", "predictive"),
    "prior": ("name", "low", "high", "reason"),
    "statistics": ("names",),
    "holdout": ("names",),
    "coverage": ("datasets", "population", "generations"),
}


def _known(table: Any, section: str, where: str) -> Mapping[str, Any]:
    """``table`` when it is a table of known keys; CalibrationError naming the first unknown key and
    listing the keys there are otherwise."""
    if not isinstance(table, Mapping):
        raise CalibrationError(f"{where}: expected a table, got {table!r}")
    unknown = [key for key in table if key not in KEYS[section]]
    if unknown:
        raise CalibrationError(f"{where}: unknown key {unknown[0]!r}; expected {', '.join(KEYS[section])}")
    return table


def parse_config(text: str, where: str = "config") -> Config:
    """Parse and check a calibration config; CalibrationError names the first problem."""
    from sim.science.validate import STATISTICS

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CalibrationError(f"{where} is not valid TOML: {exc}") from None
    _known(raw, "", where)
    for section in ("abc", "statistics", "holdout", "coverage"):
        _known(raw.get(section, {}), section, f"{where} [{section}]")
    abc = raw.get("abc", {})
    priors = []
    if not isinstance(raw.get("prior", []), list):
        raise CalibrationError(f"{where}: priors are [[prior]] tables")
    for k, p in enumerate(raw.get("prior", [])):
        at = f"{where}: prior {k + 1}"
        _known(p, "prior", at)
        name = _need(p, "name", str, at)
        spec = SPECS.get(name)
        if spec is None or spec.kind not in (int, float):
            raise CalibrationError(f"{at}: {name!r} is not a numeric parameter")
        low, high = float(_need(p, "low", (int, float), at)), float(_need(p, "high", (int, float), at))
        if not low < high:
            raise CalibrationError(f"{at}: low {low} must be below high {high}")
        if (spec.lo is not None and low < spec.lo) or (spec.hi is not None and high > spec.hi):
            raise CalibrationError(f"{at}: [{low}, {high}] leaves {name}'s allowed range {spec.describe_range()}")
        priors.append(Prior(name, low, high, _need(p, "reason", str, at)))
    if not priors:
        raise CalibrationError(f"{where}: no [[prior]]")
    if len({p.name for p in priors}) != len(priors):
        raise CalibrationError(f"{where}: a parameter has two priors")
    stats = tuple(raw.get("statistics", {}).get("names", []))
    unknown = [s for s in stats if s not in STATISTICS]
    if not stats or unknown:
        raise CalibrationError(
            f"{where}: statistics.names must list statistics of sim/science/validate.py, got {unknown or stats}"
        )
    holdout = tuple(raw.get("holdout", {}).get("names", []))
    if [s for s in holdout if s not in STATISTICS]:
        raise CalibrationError(f"{where}: holdout.names must list statistics of sim/science/validate.py")
    coverage = dict(raw.get("coverage", {}))
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in coverage.values()):
        raise CalibrationError(f"{where} [coverage]: datasets, population and generations, whole numbers >= 1")
    fixed = dict(raw.get("fixed", {}))
    clash = set(fixed) & {p.name for p in priors}
    if clash:
        raise CalibrationError(f"{where}: {sorted(clash)[0]} is both fixed and calibrated")
    period = raw.get("period", "history")
    try:
        make_params({**fixed, "run.period": period})
    except ParameterError as err:
        raise CalibrationError(f"{where}: {err}") from None
    at = f"{where} [abc]"
    population = int(_need(abc, "population", int, at))
    config = Config(
        name=_need(raw, "name", str, where),
        description=raw.get("description", ""),
        period=period,
        seed=int(_need(raw, "seed", int, where)),
        priors=tuple(priors),
        statistics=stats,
        population=population,
        generations=int(_need(abc, "generations", int, at)),
        quantile=float(_need({"quantile": 0.5, **abc}, "quantile", (int, float), at)),
        min_epsilon=float(_need({"min_epsilon": 0.0, **abc}, "min_epsilon", (int, float), at)),
        max_simulations=int(_need({"max_simulations": 100_000, **abc}, "max_simulations", int, at)),
        batch=int(_need({"batch": population, **abc}, "batch", int, at)),
        fixed=fixed,
        predictive=int(_need({"predictive": 20, **abc}, "predictive", int, at)),
        holdout=holdout,
        coverage=coverage,
        source=text,
    )
    if config.population < 4 or config.generations < 1 or not 0 < config.quantile < 1 or config.batch < 1:
        raise CalibrationError(f"{where} [abc]: population >= 4, generations >= 1, 0 < quantile < 1, batch >= 1")
    if config.max_simulations < 1 or config.predictive < 1:
        raise CalibrationError(f"{where} [abc]: max_simulations and predictive must be at least 1")
    return config


def load_config(path: str | Path) -> Config:
    from sim.runs.experiment import read_toml

    text, _ = read_toml(Path(path), "calibration config", CalibrationError)
    return parse_config(text, where=str(path))


def months_per_run(config: Config) -> int:
    """The months one simulation of ``config`` runs: its spin-up, then the history period."""
    from sim.model.history import HISTORY_MONTHS

    return HISTORY_MONTHS + make_params({**config.fixed, "run.period": config.period})["run.spinup"]


def _fit_runs(population: int, generations: int, batch: int, max_simulations: int) -> int:
    """The runs one ABC-SMC fit plans: its first generation, then a population (or at least a batch) for
    each further one, as far as ``max_simulations`` (which the last batch can pass) lets it."""
    later = (generations - 1) * max(population, batch)
    return population + min(later, max(0, max_simulations - population) + batch - 1 if later else 0)


def planned_runs(config: Config) -> int:
    """The runs a calibration plans, counted from its config before anything is allocated: the fit, the
    posterior predictive check (both history variants) and the coverage check (one run and one smaller
    fit for each dataset). A fit that accepts few candidates can use up to ``max_simulations``."""
    cov = config.coverage
    datasets = cov.get("datasets", 0)
    small = _fit_runs(
        cov.get("population", config.population), cov.get("generations", config.generations),
        cov.get("population", config.population), config.max_simulations,
    )  # fmt: skip
    fit = _fit_runs(config.population, config.generations, config.batch, config.max_simulations)
    return fit + 2 * config.predictive + datasets * (1 + small)


def check_size(config: Config, large: bool = False) -> None:
    """Refuse (CalibrationError, one line) a calibration past the sweeps' limit of run-months unless
    ``large``: the same limit and escape as ``sim.runs.experiment.refuse_size``."""
    from sim.runs.experiment import MAX_RUN_MONTHS

    runs, months = planned_runs(config), months_per_run(config)
    if runs * months > MAX_RUN_MONTHS and not large:
        raise CalibrationError(
            f"calibration {config.name!r} plans {runs:,} runs x {months:,} months = {runs * months:,} run-months "
            f"(fit, predictive check and coverage check), past the limit of {MAX_RUN_MONTHS:,}; pass --large "
            "to run it anyway"
        )


# --- the simulator ------------------------------------------------------------------------------------


def simulate(task: tuple[str, int, dict[str, Any], tuple[str, ...]]) -> list[float]:
    """One run of the model at a particle's parameters: the statistics named in the config."""
    from sim.science.validate import run_one

    period, seed, overrides, names = task
    stats = run_one((period, seed, overrides))["stats"]
    return [stats[n] for n in names]


def observed_vector(names: Sequence[str]) -> np.ndarray:
    from sim.science.validate import observed_statistics

    obs = observed_statistics()
    return np.array([obs[n] for n in names], dtype=float)


def distance(sim: np.ndarray, obs: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Scaled Euclidean distance of each row of ``sim`` from ``obs``; a row with a missing statistic is
    infinitely far."""
    d = np.sqrt((((sim - obs) / scale) ** 2).sum(axis=1))
    return np.where(np.isnan(d), np.inf, d)


def mad_scale(sims: np.ndarray) -> np.ndarray:
    """Median absolute deviation of each statistic over runs (1 where it is zero or undefined)."""
    med = np.nanmedian(sims, axis=0)
    mad = np.nanmedian(np.abs(sims - med), axis=0)
    return np.where(np.isfinite(mad) & (mad > 0), mad, 1.0)


# --- ABC-SMC ------------------------------------------------------------------------------------------


@dataclass
class Generation:
    """One generation's population and its diagnostics."""

    t: int
    epsilon: float
    particles: np.ndarray  # population x parameters
    weights: np.ndarray
    distances: np.ndarray
    simulations: int
    seconds: float

    @property
    def acceptance(self) -> float:
        return len(self.particles) / self.simulations

    @property
    def ess(self) -> float:
        return float(1.0 / np.sum(self.weights**2))


def _in_support(theta: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    return np.all((theta >= low) & (theta <= high), axis=-1)


def _propose(rng: np.random.Generator, prev: Generation, cov: np.ndarray, n: int, low, high) -> np.ndarray:
    """``n`` candidates: particles drawn by weight from the previous population and perturbed by the
    Gaussian kernel, redrawn until inside the prior's support."""
    out = np.empty((0, prev.particles.shape[1]))
    while len(out) < n:
        idx = rng.choice(len(prev.particles), size=n, p=prev.weights)
        cand = prev.particles[idx] + rng.multivariate_normal(np.zeros(len(cov)), cov, size=n)
        out = np.vstack([out, cand[_in_support(cand, low, high)]])
    return out[:n]


def _weights(theta: np.ndarray, prev: Generation, cov: np.ndarray) -> np.ndarray:
    """Importance weights under a uniform prior: 1 / sum_j w_j K(theta | theta_j), normalised."""
    inv = np.linalg.inv(cov)
    diff = theta[:, None, :] - prev.particles[None, :, :]
    kernel = np.exp(-0.5 * np.einsum("ijk,kl,ijl->ij", diff, inv, diff))
    w = 1.0 / (kernel @ prev.weights)
    return w / w.sum()


def abc_smc(
    config: Config,
    mapper: Callable[[Callable, Iterable], Iterator],
    *,
    simulator: Callable[[tuple], list[float]] = simulate,
    observed: np.ndarray | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[list[Generation], np.ndarray, int]:
    """Run ABC-SMC; returns the generations, the statistics' scale and the number of simulations made
    (those of a last generation that the budget cut short included). ``mapper`` is a ``map`` that
    keeps order (an executor's). ``observed`` defaults to the data's statistics (tests and the
    coverage check pass synthetic ones)."""
    names = config.statistics
    obs = observed_vector(names) if observed is None else np.asarray(observed, dtype=float)
    low = np.array([p.low for p in config.priors])
    high = np.array([p.high for p in config.priors])
    seeds = np.random.SeedSequence(config.seed)
    rng = np.random.default_rng(seeds.spawn(1)[0])
    run_seeds = np.random.default_rng(seeds.spawn(1)[0])
    total = 0

    def evaluate(thetas: np.ndarray) -> np.ndarray:
        nonlocal total
        tasks = [
            (config.period, int(run_seeds.integers(2**62)), {**config.fixed, **_overrides(config, th)}, names)
            for th in thetas
        ]
        total += len(tasks)
        return np.array(list(mapper(simulator, tasks)), dtype=float).reshape(len(tasks), len(names))

    started = time.perf_counter()
    theta0 = low + (high - low) * rng.random((config.population, len(low)))
    sims0 = evaluate(theta0)
    scale = mad_scale(sims0)
    d0 = distance(sims0, obs, scale)
    gens = [Generation(0, math.inf, theta0, np.full(len(theta0), 1 / len(theta0)), d0, len(theta0), 0.0)]
    gens[0].seconds = time.perf_counter() - started
    _say(progress, gens[0])
    for t in range(1, config.generations):
        prev = gens[-1]
        finite = prev.distances[np.isfinite(prev.distances)]
        if finite.size == 0:
            break
        eps = float(np.quantile(finite, config.quantile))
        if eps <= config.min_epsilon or total >= config.max_simulations:
            break
        cov = 2.0 * np.atleast_2d(np.cov(prev.particles.T, aweights=prev.weights))
        cov += np.eye(len(cov)) * 1e-12 * np.maximum(1.0, np.abs(np.diag(cov)).max())
        started, used = time.perf_counter(), 0
        kept_theta: list[np.ndarray] = []
        kept_d: list[float] = []
        while len(kept_theta) < config.population and total < config.max_simulations:
            cand = _propose(rng, prev, cov, config.batch, low, high)
            d = distance(evaluate(cand), obs, scale)
            used += len(cand)
            for th, di in zip(cand, d, strict=True):
                if di <= eps and len(kept_theta) < config.population:
                    kept_theta.append(th)
                    kept_d.append(di)
        if len(kept_theta) < config.population:
            break  # the simulation budget ran out inside the generation: keep the last full one
        theta = np.array(kept_theta)
        gen = Generation(t, eps, theta, _weights(theta, prev, cov), np.array(kept_d), used, 0.0)
        gen.seconds = time.perf_counter() - started
        gens.append(gen)
        _say(progress, gen)
    return gens, scale, total


def _overrides(config: Config, theta: np.ndarray) -> dict[str, Any]:
    out = {}
    for prior, value in zip(config.priors, theta, strict=True):
        out[prior.name] = int(np.rint(value)) if SPECS[prior.name].kind is int else float(value)
    return out


def _say(progress: Callable[[str], None] | None, gen: Generation) -> None:
    if progress:
        eps = "inf" if math.isinf(gen.epsilon) else f"{gen.epsilon:.3g}"
        progress(
            f"generation {gen.t}: epsilon {eps}, {gen.simulations} simulations, acceptance {gen.acceptance:.2f}, "
            f"ESS {gen.ess:.0f}, {gen.seconds:.0f} s"
        )


# --- outputs ------------------------------------------------------------------------------------------


def posterior_table(config: Config, gen: Generation) -> pd.DataFrame:
    """The last generation as weighted particles: one column per parameter, ``weight``, ``distance``."""
    table = pd.DataFrame(gen.particles, columns=[p.name for p in config.priors])
    table["weight"] = gen.weights
    table["distance"] = gen.distances
    return table


def diagnostics_table(gens: Sequence[Generation]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"generation": g.t, "epsilon": g.epsilon, "simulations": g.simulations, "acceptance": g.acceptance,
             "ess": g.ess, "seconds": g.seconds}
            for g in gens
        ]
    )  # fmt: skip


def summary_table(config: Config, posterior: pd.DataFrame) -> pd.DataFrame:
    """Each parameter's prior range and posterior median and 90% interval (weighted)."""
    rows = []
    for p in config.priors:
        q = weighted_quantiles(posterior[p.name].to_numpy(), posterior["weight"].to_numpy(), [0.05, 0.5, 0.95])
        rows.append({"parameter": p.name, "prior_low": p.low, "prior_high": p.high, "q05": q[0], "median": q[1],
                     "q95": q[2], "default": SPECS[p.name].default, "reason": p.reason})  # fmt: skip
    return pd.DataFrame(rows)


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs: Sequence[float]) -> list[float]:
    order = np.argsort(values)
    v, w = values[order], weights[order]
    cum = np.cumsum(w) - 0.5 * w
    cum /= w.sum()
    return [float(np.interp(q, cum, v)) for q in qs]


def coverage_check(config: Config, mapper: Callable, progress: Callable[[str], None] | None = None) -> pd.DataFrame:
    """Does the posterior cover the truth at the advertised rate? For each of ``coverage.datasets``
    parameter sets drawn from the prior, one run of the model makes synthetic observed statistics,
    and ABC-SMC (with ``coverage.population`` and ``coverage.generations``) fits them. One row per
    dataset and parameter: the true value, the posterior's 5, 25, 50, 75 and 95% quantiles, and
    whether the 50% and 90% intervals hold the truth."""
    cov = config.coverage
    rng = np.random.default_rng(np.random.SeedSequence([config.seed, 2]))
    low = np.array([p.low for p in config.priors])
    high = np.array([p.high for p in config.priors])
    small = replace(
        config,
        population=cov.get("population", config.population),
        generations=cov.get("generations", config.generations),
        batch=cov.get("population", config.population),
    )
    rows = []
    for k in range(cov.get("datasets", 0)):
        truth = low + (high - low) * rng.random(len(low))
        task = (
            config.period,
            int(rng.integers(2**62)),
            {**config.fixed, **_overrides(config, truth)},
            config.statistics,
        )
        synthetic = np.array(next(iter(mapper(simulate, [task]))), dtype=float)
        gens, _, _ = abc_smc(replace(small, seed=config.seed + 1 + k), mapper, observed=synthetic)
        post = posterior_table(config, gens[-1])
        for j, p in enumerate(config.priors):
            q = weighted_quantiles(post[p.name].to_numpy(), post["weight"].to_numpy(), [0.05, 0.25, 0.5, 0.75, 0.95])
            rows.append({"dataset": k, "parameter": p.name, "truth": truth[j], "q05": q[0], "q25": q[1],
                         "median": q[2], "q75": q[3], "q95": q[4], "in_50": q[1] <= truth[j] <= q[3],
                         "in_90": q[0] <= truth[j] <= q[4]})  # fmt: skip
        if progress:
            progress(f"coverage: dataset {k + 1} of {cov['datasets']} fitted")
    return pd.DataFrame(rows)


def posterior_predictive(
    config: Config, posterior: pd.DataFrame, mapper: Callable, *, seed: int
) -> list[dict[str, Any]]:
    """Runs of both history variants at ``config.predictive`` parameter sets drawn from the posterior,
    in the shape ``sim.science.validate.judge`` reads."""
    from sim.science.validate import VARIANTS, run_one

    draws = draw_posterior(posterior, config.predictive, seed)
    seeds = np.random.SeedSequence([seed, 1]).generate_state(config.predictive, dtype=np.uint32)
    tasks = [
        (variant, int(s), {**config.fixed, **_overrides(config, row.to_numpy())})
        for variant in VARIANTS
        for s, (_, row) in zip(seeds, draws.iterrows(), strict=True)
    ]
    return list(mapper(run_one, tasks))


def write_calibration(
    folder: Path,
    config: Config,
    gens: Sequence[Generation],
    scale: np.ndarray,
    predictive: Sequence[Mapping[str, Any]],
    header: Mapping[str, Any],
    coverage: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """posterior.parquet, populations.parquet, diagnostics.csv, summary.csv, the posterior predictive
    check (predictive.csv and figures) and report.md; returns the parameter summary."""
    import matplotlib.pyplot as plt

    from sim.science import plots as P
    from sim.science import validate as V

    posterior = posterior_table(config, gens[-1])
    posterior.to_parquet(folder / "posterior.parquet", index=False)
    pd.concat([posterior_table(config, g).assign(generation=g.t) for g in gens]).to_parquet(
        folder / "populations.parquet", index=False
    )
    diagnostics = diagnostics_table(gens)
    diagnostics.to_csv(folder / "diagnostics.csv", index=False)
    summary = summary_table(config, posterior)
    summary.to_csv(folder / "summary.csv", index=False)
    criteria = V.load_criteria(V.criteria_text())
    (folder / "predictive").mkdir()
    check = V.write_outputs(folder / "predictive", criteria, predictive, {**header, "replications": config.predictive})
    fig = P.posterior_marginals(posterior, [(p.name, p.low, p.high) for p in config.priors])
    fig.savefig(folder / "posterior.png", dpi=130)
    plt.close(fig)
    if coverage is not None and not coverage.empty:
        coverage.to_csv(folder / "coverage.csv", index=False)
    text = report_text(config, diagnostics, summary, check, scale, header)
    text += holdout_text(config, predictive) + coverage_text(coverage)
    (folder / "report.md").write_text(text, encoding="utf-8")
    return summary


def holdout_text(config: Config, predictive: Sequence[Mapping[str, Any]]) -> str:
    """Out of sample: statistics not fitted, observed against the posterior predictive (history runs)."""
    if not config.holdout:
        return ""
    from sim.science.validate import observed_statistics

    obs = observed_statistics()
    lines = ["", "## Out of sample: statistics not used in the fit", "",
             "Observed against the posterior predictive runs of the `history` variant.", "",
             "| statistic | observed | posterior predictive median [5%, 95%] | observed inside |",
             "|---|---|---|---|"]  # fmt: skip
    for name in config.holdout:
        v = np.array([r["stats"][name] for r in predictive if r["variant"] == "history"], dtype=float)
        v = v[~np.isnan(v)]
        if v.size == 0:
            lines.append(f"| `{name}` | {obs[name]:.3g} | - | no |")
            continue
        lo, mid, hi = np.quantile(v, [0.05, 0.5, 0.95])
        inside = "yes" if lo <= obs[name] <= hi else "no"
        lines.append(f"| `{name}` | {obs[name]:.3g} | {mid:.3g} [{lo:.3g}, {hi:.3g}] | {inside} |")
    return "\n".join(lines) + "\n"


def coverage_text(coverage: pd.DataFrame | None) -> str:
    """The coverage check in words and a table: the share of true values inside the 50% and 90% intervals."""
    if coverage is None or coverage.empty:
        return ""
    n = coverage["dataset"].nunique()
    by = coverage.groupby("parameter")[["in_50", "in_90"]].mean()
    lines = ["", "## Does the posterior cover the truth? (coverage on synthetic data)", "",
             f"{n} synthetic datasets, each made by one run at parameters drawn from the prior and fitted by the "
             "same method (smaller population; see the config's `[coverage]`). Share of true values inside the "
             f"posterior's intervals: 50% interval {coverage['in_50'].mean():.2f} (advertised 0.50), 90% interval "
             f"{coverage['in_90'].mean():.2f} (advertised 0.90). By parameter (`coverage.csv` has every value):", "",
             "| parameter | inside 50% | inside 90% |", "|---|---|---|"]  # fmt: skip
    for name, r in by.iterrows():
        lines.append(f"| `{name}` | {r['in_50']:.2f} | {r['in_90']:.2f} |")
    return "\n".join(lines) + "\n"


#: fewer predictive draws than this make a weak check (see _weak_check)
FEW_DRAWS = 20


def _weak_check(draws: int) -> list[str]:
    """A warning when the posterior predictive check has too few draws to mean much: with n draws the 5-95%
    range is close to the range of the n values, so "observed within the range" passes where the draws
    merely disagree with each other."""
    if draws >= FEW_DRAWS:
        return []
    return [
        "",
        f"**A weak check**: with {draws} draws the 5-95% range is nearly the range of {draws} values, so an "
        "observed value falls inside it when the draws merely disagree with each other; a pass here says "
        f"little (use `predictive = {FEW_DRAWS}` or more).",
    ]


def report_text(
    config: Config,
    diagnostics: pd.DataFrame,
    summary: pd.DataFrame,
    check: pd.DataFrame,
    scale: np.ndarray,
    header: Mapping[str, Any],
) -> str:
    sims = int(header.get("simulations", diagnostics["simulations"].sum()))
    seconds = float(diagnostics["seconds"].sum())
    months = header["months_per_run"]
    judged = check[check["passed"].notna()]
    passed = int((judged["passed"] == True).sum())  # noqa: E712
    lines = [
        f"# Calibration `{config.name}`",
        "",
        config.description.strip(),
        "",
        f"ABC-SMC (population Monte Carlo; see `sim/science/calibrate.py`), population {config.population}, "
        f"{len(diagnostics)} generations, tolerance each generation the {config.quantile:g} quantile of the "
        f"previous distances; period `{config.period}`; seed {config.seed}. Command: `{header['command']}`; "
        f"code: git {header.get('git_commit') or 'unknown'}.",
        "",
        f"Cost: {sims:,} simulations of {months} months each (spin-up included) in {seconds:,.0f} s on "
        f"{header['workers']} workers: {1000 * seconds / max(1, sims * months):.2f} ms of wall time per simulated "
        "month"
        + (
            f" ({sims - int(diagnostics['simulations'].sum()):,} of the simulations belong to a last generation "
            "that the simulation budget cut short; the posterior is the last full generation)."
            if sims > diagnostics["simulations"].sum()
            else "."
        ),
        "",
        "## Parameters: prior, posterior median and 90% interval",
        "",
        "| parameter | prior | posterior median [5%, 95%] | default | why this prior |",
        "|---|---|---|---|---|",
    ]
    for r in summary.itertuples():
        lines.append(
            f"| `{r.parameter}` | [{r.prior_low:g}, {r.prior_high:g}] | {r.median:.4g} [{r.q05:.4g}, {r.q95:.4g}] "
            f"| {r.default:g} | {r.reason} |"
        )
    lines += ["", "## Generations", "", "| generation | epsilon | simulations | acceptance | ESS | seconds |",
              "|---|---|---|---|---|---|"]  # fmt: skip
    for r in diagnostics.itertuples():
        lines.append(
            f"| {r.generation} | {r.epsilon:.3g} | {r.simulations} | {r.acceptance:.2f} | {r.ess:.0f} "
            f"| {r.seconds:.0f} |"
        )
    lines += [
        "",
        "Statistics fitted (scaled by their prior-predictive median absolute deviation): "
        + ", ".join(f"`{n}` ({s:.3g})" for n, s in zip(config.statistics, scale, strict=True))
        + ".",
        "",
        "## Posterior predictive check against every pattern",
        "",
        f"{config.predictive} parameter sets drawn from the posterior, each run once in both history variants, "
        f"judged by `sim/model/data/criteria.toml`: **{passed} of {len(judged)} judged criteria pass** "
        "(details, figures and every run in `predictive/`).",
        *_weak_check(config.predictive),
        "",
        "| pattern | statistic | variant | observed | simulated median [5%, 95%] | passed |",
        "|---|---|---|---|---|---|",
    ]
    for r in judged.itertuples():
        lines.append(
            f"| {r.pattern} | {r.statistic} | {r.variant} | {r.observed:.3g} | {r.simulated_median:.3g} "
            f"[{r.simulated_low:.3g}, {r.simulated_high:.3g}] | {'yes' if r.passed else '**no**'} |"
        )
    lines += ["", "![Posterior marginals](posterior.png)", ""]
    return "\n".join(lines)
