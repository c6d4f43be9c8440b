"""Experiments declared in TOML: what to vary, how often to replicate, and the seeds.

An experiment file (see ``experiments/*.toml``) has these top-level keys::

    name = "layering"                 # folder name under results/
    description = "..."
    steps = 120                       # months per run
    warmup = 24                       # months left out of per-run means (sets metrics.warmup)
    replications = 20                 # runs per design point
    seed = 2026                       # master seed
    keep_series = false               # also store every run's monthly metrics
    summaries = ["stability_index_mean", ...]   # optional: summary columns to keep (default all)
    [base]                            # parameter overrides shared by every point (dotted or nested)
    [design]                          # kind = "factorial" | "list" | "lhs" | "sobol" | "morris" | "posterior"

Designs: ``factorial`` takes ``[design.factors]`` (name = [values]) and runs the full grid; a factor
may also be a *bundle*: any name with a list of labelled tables of overrides, e.g. ``threats =
[{label = "piracy-heavy", "crime.attempt_rate" = 0.9, "china.shipdays" = 90.0}, ...]``, to move
several parameters together. ``list`` takes ``[[design.points]]`` (tables of overrides, with an
optional ``label``); ``lhs``, ``sobol`` and ``morris`` take ``[design.ranges]`` (name = [low, high],
numeric parameters only) and ``samples`` (LHS points; Sobol base sample N, giving N(D+2) points, or
N(2D+2) with ``second_order = true``; Morris trajectories, giving N(D+1) points, with ``levels``,
default 4). Samplers are SALib's, seeded from the master seed. ``posterior`` takes ``posterior`` (a
``posterior.parquet`` written by ``python -m sim calibrate``, its path relative to the working
folder), ``draws`` (parameter sets drawn from it by weight, seeded from the master seed) and
optional ``[design.factors]`` as in ``factorial`` or ``[[design.points]]`` as in ``list``, crossed
with the draws: every finding then carries the parameters' uncertainty. ``over_posterior`` (and
``python -m sim sweep FILE --over-posterior POSTERIOR``) turns a factorial or list experiment into
one over a posterior.

Seeds: replicate r of every design point uses the same seed (common random numbers), the r-th child
of ``numpy.random.SeedSequence(seed)``; so replicates differ and any run can be re-run alone.
"""

from __future__ import annotations

import functools
import itertools
import math
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.model.metrics import SHOCK_METRICS, SUMMARY_METRICS
from sim.model.params import SPECS, InputError, ParameterError, make_params, suggest
from sim.runs.extras import extra
from sim.runs.folders import NAME_MAX

DESIGN_KINDS = ("factorial", "list", "lhs", "sobol", "morris", "posterior")
TOP_KEYS = (
    "name",
    "description",
    "steps",
    "warmup",
    "replications",
    "seed",
    "keep_series",
    "summaries",
    "base",
    "design",
)
DESIGN_KEYS = {
    "factorial": ("kind", "factors"),
    "list": ("kind", "points"),
    "lhs": ("kind", "ranges", "samples"),
    "sobol": ("kind", "ranges", "samples", "second_order"),
    "morris": ("kind", "ranges", "samples", "levels"),
    "posterior": ("kind", "posterior", "draws", "factors", "points"),
}
SUMMARY_COLUMNS: tuple[str, ...] = (
    *(f"{m}_{s}" for m in SUMMARY_METRICS for s in ("mean", "final")),
    *(f"{m}_{s}" for m in SHOCK_METRICS for s in ("drop", "recovery")),
)

#: the most months one run, or one sweep design without ``--large``, may take (runs x months): 10 million
#: run-months is some hours on two cores at the model's measured cost (benchmarks/bench_model.py)
MAX_RUN_MONTHS = 10_000_000
#: the seed and length of a single run when none is given (``python -m sim run``, ``sim.run``)
DEFAULT_SEED = 20251026  # any fixed number; the date Timor-Leste joined ASEAN, to be memorable
DEFAULT_STEPS = 120


class ExperimentError(InputError):
    """An experiment file is not valid; the message is one line naming the file and the problem."""


@dataclass(frozen=True)
class Experiment:
    """A validated experiment: the design points, replications and seeds of a sweep."""

    name: str
    description: str
    steps: int
    replications: int
    seed: int
    base: dict[str, Any]
    design: dict[str, Any]
    keep_series: bool
    summaries: tuple[str, ...]
    points: tuple[dict[str, Any], ...] = field(repr=False)
    labels: tuple[str, ...] = field(repr=False)
    factor_values: tuple[dict[str, Any], ...] = field(repr=False, default=())
    source: str = field(repr=False, default="")

    @functools.cached_property
    def factors(self) -> tuple[str, ...]:
        """Parameters that vary across design points, in order of first appearance."""
        names: dict[str, None] = {}
        for point in self.points:
            names.update(dict.fromkeys(point))
        return tuple(names)

    def point_columns(self, point_id: int) -> dict[str, Any]:
        """What identifies a design point in tables: its bundle labels, then every varying parameter,
        with the value it takes at this point (from the point, else the base, else the default), so that
        every point has the same columns even when bundles set different parameters."""
        extra = self.factor_values[point_id] if self.factor_values else {}
        point = self.points[point_id]
        values = {name: point.get(name, self.base.get(name, SPECS[name].default)) for name in self.factors}
        return {**extra, **values}

    @property
    def n_runs(self) -> int:
        return len(self.points) * self.replications

    def replicate_seed(self, replicate: int) -> int:
        """The seed of one replicate, shared by every design point (common random numbers)."""
        return replicate_seed(self.seed, replicate)

    def replicate_seeds(self) -> list[int]:
        """One seed per replicate, as :meth:`replicate_seed`."""
        return [self.replicate_seed(r) for r in range(self.replications)]

    def iter_tasks(self) -> Iterator[RunTask]:
        """Every run, one at a time: run_id = point_id x replications + replicate."""
        for p, point in enumerate(self.points):
            for r in range(self.replications):
                yield RunTask(
                    run_id=p * self.replications + r,
                    point_id=p,
                    replicate=r,
                    seed=self.replicate_seed(r),
                    overrides={**self.base, **point},
                    steps=self.steps,
                    keep_series=self.keep_series,
                    summaries=self.summaries,
                )

    def tasks(self) -> list[RunTask]:
        """Every run, as a list (see iter_tasks)."""
        return list(self.iter_tasks())


@dataclass(frozen=True)
class RunTask:
    """Everything one worker needs to make one run."""

    run_id: int
    point_id: int
    replicate: int
    seed: int
    overrides: dict[str, Any]
    steps: int
    keep_series: bool
    summaries: tuple[str, ...]


# ---- reading and checking -------------------------------------------------------------------------


def flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested tables to dotted names; lists (such as shocks) are values. A name given twice (once
    nested, once as a dotted key) is an ExperimentError."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        inner = flatten(value, f"{prefix}{key}.") if isinstance(value, Mapping) else {f"{prefix}{key}": value}
        for name, v in inner.items():
            if name in out:
                raise ExperimentError(f"parameter {name!r} is given twice (nested and as a dotted name)")
            out[name] = v
    return out


def _check_no_clash(where: str, factors: Mapping[str, Any], levels: list[list[tuple[str, dict[str, Any]]]]) -> None:
    """A parameter may be moved by one factor only: a factor that a bundle also sets would silently run
    every point at the bundle's value."""
    owner: dict[str, str] = {}
    for name, factor_levels in zip(factors, levels, strict=True):
        for param in {p for _, overrides in factor_levels for p in overrides}:
            if param in owner and owner[param] != name:
                raise ExperimentError(
                    f"{where}.factors: parameter {param!r} is set by both {owner[param]!r} and {name!r}; "
                    "give it to one factor"
                )
            owner[param] = name


def _whole(where: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ExperimentError(f"{where} must be a whole number >= {low}, got {value!r}")
    return value


def _table(where: str, value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ExperimentError(f"{where} must be a table")
    return value


def _check_keys(where: str, table: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    for key in table:
        if key not in allowed:
            raise ExperimentError(f"{where}: unknown key '{key}'{suggest(key, allowed)}; allowed: {', '.join(allowed)}")


def _check_name(where: str, name: str) -> None:
    if name not in SPECS:
        raise ExperimentError(f"{where}: unknown parameter '{name}'{suggest(name)}")


def _ranges(where: str, design: Mapping[str, Any]) -> dict[str, tuple[float, float]]:
    ranges = flatten(_table(f"{where}.ranges", design.get("ranges", {})))
    if not ranges:
        raise ExperimentError(f"{where}.ranges is empty: give at least one parameter = [low, high]")
    out = {}
    for name, bounds in ranges.items():
        _check_name(f"{where}.ranges", name)
        spec = SPECS[name]
        if spec.kind is not float:
            raise ExperimentError(f"{where}.ranges: '{name}' is not a numeric (float) parameter")
        ok = isinstance(bounds, list) and len(bounds) == 2 and all(isinstance(b, (int, float)) for b in bounds)
        if not ok or isinstance(bounds[0], bool) or isinstance(bounds[1], bool):
            raise ExperimentError(f"{where}.ranges.{name} must be [low, high], got {bounds!r}")
        lo, hi = float(bounds[0]), float(bounds[1])
        if not lo < hi:
            raise ExperimentError(f"{where}.ranges.{name}: low {lo:g} must be below high {hi:g}")
        if (spec.lo is not None and lo < spec.lo) or (spec.hi is not None and hi > spec.hi):
            raise ExperimentError(
                f"{where}.ranges.{name} = [{lo:g}, {hi:g}] leaves the allowed {spec.describe_range()}"
            )
        out[name] = (lo, hi)
    return out


def salib_problem(ranges: Mapping[str, tuple[float, float]]) -> dict[str, Any]:
    """The SALib problem dict for these ranges."""
    return {"num_vars": len(ranges), "names": list(ranges), "bounds": [list(b) for b in ranges.values()]}


def design_points(
    design: Mapping[str, Any], seed: int, where: str = "design"
) -> tuple[list[dict[str, Any]], list[str], list[dict[str, Any]]]:
    """The design's points (parameter overrides), a label for each, and each point's bundle labels."""
    kind = design.get("kind")
    if kind not in DESIGN_KINDS:
        raise ExperimentError(f"{where}.kind must be one of {', '.join(DESIGN_KINDS)}, got {kind!r}")
    _check_keys(where, design, DESIGN_KEYS[kind])
    if kind == "posterior":
        return _posterior_points(design, seed, where)
    if kind == "factorial":
        factors = flatten(_table(f"{where}.factors", design.get("factors", {})))
        if not factors:
            raise ExperimentError(f"{where}.factors is empty: give at least one parameter = [values]")
        levels: list[list[tuple[str, dict[str, Any]]]] = []  # per factor: (label, overrides) per level
        bundles = []
        for name, values in factors.items():
            if not isinstance(values, list) or not values:
                raise ExperimentError(f"{where}.factors.{name} must be a non-empty list of values")
            if all(isinstance(v, Mapping) for v in values):
                bundles.append(name)
                levels.append([_bundle(f"{where}.factors.{name}[{k}]", v, k) for k, v in enumerate(values)])
            else:
                _check_name(f"{where}.factors", name)
                levels.append([(f"{name.split('.')[-1]}={v}", {name: v}) for v in values])
            names = [label for label, _ in levels[-1]]
            if name in bundles and len(set(names)) < len(names):
                twice = next(n for n in names if names.count(n) > 1)
                raise ExperimentError(f"{where}.factors.{name}: the label {twice!r} is given to two levels")
        _check_no_clash(where, factors, levels)
        points, labels, tags = [], [], []
        for combo in itertools.product(*levels):
            points.append({k: v for _, overrides in combo for k, v in overrides.items()})
            labels.append(", ".join(label for label, _ in combo))
            tags.append({name: combo[k][0] for k, name in enumerate(factors) if name in bundles})
        return points, labels, tags
    if kind == "list":
        raw = design.get("points")
        if not isinstance(raw, list) or not raw:
            raise ExperimentError(f"{where}.points is empty: give at least one [[design.points]] table")
        points, labels = [], []
        for k, item in enumerate(raw):
            item = dict(_table(f"{where}.points[{k}]", item))
            label = item.pop("label", f"point {k}")
            point = flatten(item)
            for name in point:
                _check_name(f"{where}.points[{k}]", name)
            points.append(point)
            labels.append(str(label))
        return points, labels, [{} for _ in points]
    ranges = _ranges(where, design)
    samples = _whole(f"{where}.samples", design.get("samples"), 1)
    problem = salib_problem(ranges)
    with extra("sweep"):
        from SALib.sample import latin, morris, sobol
    if kind == "lhs":
        matrix = latin.sample(problem, samples, seed=seed)
    elif kind == "sobol":
        second = design.get("second_order", False)
        if not isinstance(second, bool):
            raise ExperimentError(f"{where}.second_order must be true or false")
        if samples & (samples - 1):
            raise ExperimentError(f"{where}.samples must be a power of 2 for Sobol sampling, got {samples}")
        matrix = sobol.sample(problem, samples, calc_second_order=second, seed=seed)
    else:
        n_levels = _whole(f"{where}.levels", design.get("levels", 4), 2)
        matrix = morris.sample(problem, samples, num_levels=n_levels, seed=seed)
    points = [dict(zip(ranges, map(float, row), strict=True)) for row in matrix]
    return points, [f"{kind} {k}" for k in range(len(points))], [{} for _ in points]


def _posterior_points(
    design: Mapping[str, Any], seed: int, where: str
) -> tuple[list[dict[str, Any]], list[str], list[dict[str, Any]]]:
    """Draws from a posterior crossed with the factors (if any); each point is tagged with its draw."""
    import pandas as pd

    from sim.runs.posterior import draw_posterior

    path = design.get("posterior")
    if not isinstance(path, str) or not path:
        raise ExperimentError(f"{where}.posterior must be the path of a posterior.parquet")
    try:
        with extra("sweep"):
            import pyarrow  # noqa: F401  (pandas reads Parquet with it)
        posterior = pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise ExperimentError(f"{where}.posterior: cannot read {path}: {type(exc).__name__}") from None
    params = [c for c in posterior.columns if c not in ("weight", "distance")]
    if "weight" not in posterior.columns or not params:
        raise ExperimentError(f"{where}.posterior: {path} is not a posterior table (parameters and 'weight')")
    for name in params:
        _check_name(f"{where}.posterior", name)
    weights = pd.to_numeric(posterior["weight"], errors="coerce").to_numpy(dtype=float)
    wrong = {
        "missing or not a number": int((~np.isfinite(weights)).sum()),
        "negative": int((weights < 0).sum()),
        "0": len(weights) if np.isfinite(weights).all() and (weights == 0).all() else 0,
    }
    if not len(weights) or any(wrong.values()):
        what = next((f"{n:,} of {len(weights):,} weights {kind}" for kind, n in wrong.items() if n), "no rows")
        raise ExperimentError(f"{where}.posterior: {path} has {what}; weights must be numbers >= 0, not all 0")
    draws = _whole(f"{where}.draws", design.get("draws"), 1)
    sets = draw_posterior(posterior, draws, seed)
    factors, listed = design.get("factors"), design.get("points")
    if factors and listed:
        raise ExperimentError(f"{where}: give factors or points to cross with the draws, not both")
    grid: list[tuple[dict[str, Any], str, dict[str, Any]]] = [({}, "", {})]
    if factors:
        grid = list(zip(*design_points({"kind": "factorial", "factors": factors}, seed, where), strict=True))
    elif listed:
        grid = list(zip(*design_points({"kind": "list", "points": listed}, seed, where), strict=True))
    points, labels, tags = [], [], []
    for d, row in sets.iterrows():
        drawn = {n: (int(np.rint(v)) if SPECS[n].kind is int else float(v)) for n, v in row.items()}
        for point, label, tag in grid:
            points.append({**drawn, **point})  # a factor that sets a drawn parameter pins it
            labels.append(f"draw {d}" + (f", {label}" if label else ""))
            tags.append({**tag, **({"setting": label} if label else {}), "draw": f"draw {d}"})
    return points, labels, tags


def over_posterior(text: str, posterior: str, draws: int, replications: int | None = None) -> str:
    """The text of a factorial or list experiment turned into the same experiment over a posterior:
    its points crossed with ``draws`` parameter sets drawn from ``posterior`` (``kind = "posterior"``),
    named ``<name>-posterior``, optionally with ``replications`` per point. Everything else, comments
    included, is kept, so the stored experiment reads as the original. Raises ExperimentError."""
    raw = tomllib.loads(text)
    kind = raw.get("design", {}).get("kind")
    if kind not in ("factorial", "list"):
        raise ExperimentError(f"only a factorial or list design can be run over a posterior, not {kind!r}")
    lines, out, in_design = text.splitlines(), [], False
    for line in lines:
        head = line.strip()
        if head.startswith("["):
            in_design = head in ("[design]",) or head.startswith(("[design.", "[[design."))
        if head.startswith("name") and head.partition("=")[0].strip() == "name" and not in_design:
            line = f'name = "{raw["name"]}-posterior"'
        elif replications is not None and head.partition("=")[0].strip() == "replications" and not in_design:
            line = f"replications = {replications}"
        elif in_design and head.partition("=")[0].strip() == "kind":
            line = f'kind = "posterior"\nposterior = "{posterior}"\ndraws = {draws}'
        out.append(line)
    result = "\n".join(out) + "\n"
    check = tomllib.loads(result)
    if check["design"].get("posterior") != posterior or (replications and check.get("replications") != replications):
        raise ExperimentError("could not rewrite the experiment over the posterior (write a posterior design by hand)")
    return result


def _bundle(where: str, table: Mapping[str, Any], k: int) -> tuple[str, dict[str, Any]]:
    """One level of a bundle factor: (label, overrides)."""
    overrides = flatten({key: v for key, v in table.items() if key != "label"})
    if not overrides:
        raise ExperimentError(f"{where} sets no parameter")
    for name in overrides:
        _check_name(where, name)
    return str(table.get("label", f"level {k}")), overrides


#: bytes a stored run takes, roughly: its summary row, and each kept month of series
SUMMARY_BYTES, SERIES_BYTES_PER_MONTH = 1_000, 400


def sweep_size(points: int, replications: int, steps: int, keep_series: bool) -> dict[str, int]:
    """What a sweep of ``points`` design points takes: runs, run-months, bytes on disk (roughly)."""
    runs = points * replications
    months = runs * steps
    disk = runs * SUMMARY_BYTES + (months * SERIES_BYTES_PER_MONTH if keep_series else 0)
    return {"runs": runs, "run_months": months, "disk_bytes": disk}


def design_size(experiment: Experiment) -> dict[str, int]:
    """What a sweep of ``experiment`` will take: runs, run-months, disk."""
    return sweep_size(len(experiment.points), experiment.replications, experiment.steps, experiment.keep_series)


def refuse_size(name: str, size: Mapping[str, int], steps: int, large: bool) -> None:
    """Refuse (ExperimentError, one line) a sweep past :data:`MAX_RUN_MONTHS` run-months unless ``large``."""
    if size["run_months"] > MAX_RUN_MONTHS and not large:
        raise ExperimentError(
            f"experiment {name!r} is {size['runs']:,} runs x {steps:,} months = "
            f"{size['run_months']:,} run-months (about {size['disk_bytes'] / 1e9:,.1f} GB on disk), past the "
            f"limit of {MAX_RUN_MONTHS:,}; pass --large (large=True) to run it anyway"
        )


def check_design_size(experiment: Experiment, large: bool = False) -> None:
    """Refuse (ExperimentError, one line) an experiment past :data:`MAX_RUN_MONTHS` unless ``large``."""
    refuse_size(experiment.name, design_size(experiment), experiment.steps, large)


def planned_points(design: Mapping[str, Any]) -> int:
    """How many points ``design`` will have, counted from its table without building them (0 when the
    table is malformed: building it then says what is wrong)."""

    def count(value: Any) -> int:
        return len(value) if isinstance(value, list) else 1

    def whole(value: Any) -> int:
        return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0

    kind = design.get("kind")
    factors = design.get("factors")
    if kind == "factorial" or (kind == "posterior" and factors):
        table = flatten(factors) if isinstance(factors, Mapping) else {}
        grid = math.prod(count(v) for v in table.values()) if table else 0
        return grid * (whole(design.get("draws")) if kind == "posterior" else 1)
    if kind in ("list", "posterior"):
        listed = len(design["points"]) if isinstance(design.get("points"), list) else int(kind == "posterior")
        return listed * (whole(design.get("draws")) if kind == "posterior" else 1)
    ranges = design.get("ranges")
    d = len(ranges) if isinstance(ranges, Mapping) else 0
    samples = whole(design.get("samples"))
    per_sample = {"lhs": 1, "morris": d + 1, "sobol": (2 * d + 2) if design.get("second_order") is True else d + 2}
    return samples * per_sample.get(str(kind), 0)


def parse_experiment(
    raw: Mapping[str, Any], source: str = "", where: str = "experiment", large: bool = False
) -> Experiment:
    """Check an experiment table and build its design. Raises ExperimentError (one line).

    The design is sized from its table before any point is built: past :data:`MAX_RUN_MONTHS` run-months
    it is refused unless ``large`` (``--large``), whatever makes it large (replications, factors' levels,
    samples, draws). Experiments read back from a results folder were accepted when the sweep began and
    are parsed with ``large=True``."""
    _check_keys(where, raw, TOP_KEYS)
    name = raw.get("name")
    if not isinstance(name, str) or not name or not name.replace("_", "").replace("-", "").isalnum():
        raise ExperimentError(f"{where}: 'name' must be a non-empty word (letters, digits, - and _), got {name!r}")
    if len(name.encode()) > NAME_MAX:
        raise ExperimentError(
            f"{where}: 'name' is {len(name.encode()):,} bytes long; it names a folder, so at most {NAME_MAX}"
        )
    steps = _whole(f"{where}: steps", raw.get("steps", 120), 1)
    replications = _whole(f"{where}: replications", raw.get("replications", 1), 1)
    seed = _whole(f"{where}: seed", raw.get("seed", 0), 0)
    keep_series = raw.get("keep_series", False)
    if not isinstance(keep_series, bool):
        raise ExperimentError(f"{where}: keep_series must be true or false")
    base = flatten(_table(f"{where}: base", raw.get("base", {})))
    if "warmup" in raw:
        base["metrics.warmup"] = _whole(f"{where}: warmup", raw["warmup"], 0)
    design = _table(f"{where}: design", raw.get("design", {}))
    refuse_size(str(name), sweep_size(planned_points(design), replications, steps, keep_series), steps, large)
    points, labels, tags = design_points(design, seed, f"{where}: design")
    shocked = bool(base.get("shocks")) or any(point.get("shocks") for point in points)
    default = [c for c in SUMMARY_COLUMNS if shocked or not c.endswith(("_drop", "_recovery"))]
    summaries = raw.get("summaries", default)
    if not isinstance(summaries, list) or not summaries:
        raise ExperimentError(f"{where}: summaries must be a non-empty list of summary names")
    for s in summaries:
        if s not in SUMMARY_COLUMNS:
            raise ExperimentError(f"{where}: unknown summary '{s}'{suggest(str(s), SUMMARY_COLUMNS)}")
    for k, point in enumerate(points):
        try:
            make_params({**base, **point})
        except ParameterError as err:
            raise ExperimentError(f"{where}: design point {k} ({labels[k]}): {err}") from None
    return Experiment(
        name=name,
        description=str(raw.get("description", "")),
        steps=steps,
        replications=replications,
        seed=seed,
        base=base,
        design=dict(design),
        keep_series=keep_series,
        summaries=tuple(summaries),
        points=tuple(points),
        labels=tuple(labels),
        factor_values=tuple(tags),
        source=source,
    )


def replicate_seed(seed: int, replicate: int) -> int:
    """The seed of replicate ``replicate`` under master seed ``seed``: the ``replicate``-th child of
    ``SeedSequence(seed)``, computed alone so a large design stays cheap."""
    child = np.random.SeedSequence(seed, spawn_key=(replicate,))
    return int(child.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def read_toml(path: Path, what: str, error: type[Exception] = ExperimentError) -> tuple[str, dict[str, Any]]:
    """(text, table) of a TOML file; ``error`` with one line naming the file (``what``) and the problem."""
    try:
        text = path.read_text(encoding="utf-8")
        return text, tomllib.loads(text)
    except FileNotFoundError:
        raise error(f"{what} not found: {path}") from None
    except IsADirectoryError:
        raise error(f"{what} is a directory: {path}") from None
    except tomllib.TOMLDecodeError as err:
        raise error(f"{what} {path} is not valid TOML: {err}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise error(f"cannot read {what} {path}: {err}") from None


def check_run(steps: Any, seed: Any, flag: str = "") -> None:
    """Refuse (InputError, one line) a run length or seed that cannot be run: ``steps`` a whole number in
    [1, MAX_RUN_MONTHS], ``seed`` a non-negative whole number. ``flag`` ("--" on the command line) goes
    before the names in the message."""
    for name, value in (("steps", steps), ("seed", seed)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise InputError(f"{flag}{name} must be a whole number, got {value!r}")
    if steps < 1:
        raise InputError(f"{flag}steps must be at least 1, got {steps}")
    if steps > MAX_RUN_MONTHS:
        raise InputError(f"{flag}steps {steps:,} is past the limit of {MAX_RUN_MONTHS:,} months for one run")
    if seed < 0:
        raise InputError(f"{flag}seed must be a non-negative whole number, got {seed}")


def run_length_warnings(params: Mapping[str, Any], steps: int, warmup: bool = True) -> list[str]:
    """What a user should know before running these parameters for ``steps`` months: a shock after the
    last month never happens; with a warm-up as long as the run, per-run means cover every month."""
    out = [f"the shock at month {s.step} is after the last month ({steps}); it will not happen"
           for s in params["shocks"] if s.step > steps]  # fmt: skip
    if warmup and params["metrics.warmup"] >= steps:
        out.append(
            f"the warm-up ({params['metrics.warmup']} months) is not shorter than the run: "
            f"means cover all {steps} months"
        )
    return out


def experiment_warnings(experiment: Experiment) -> list[str]:
    """run_length_warnings over every design point, each message once."""
    seen: dict[str, None] = {}
    for point in experiment.points:
        seen.update(dict.fromkeys(run_length_warnings(make_params({**experiment.base, **point}), experiment.steps)))
    return list(seen)


def load_experiment(
    path: str | Path,
    posterior: str | None = None,
    draws: int = 20,
    replications: int | None = None,
    large: bool = False,
) -> Experiment:
    """Read and check an experiment file; with ``posterior``, the same experiment over ``draws``
    parameter sets from that posterior (``over_posterior``). Raises ExperimentError naming the file
    and the problem, a design past the size limit included unless ``large``."""
    text, raw = read_toml(Path(path), "experiment file")
    if posterior is not None:
        try:
            text = over_posterior(text, posterior, draws, replications)
        except ExperimentError as err:
            raise ExperimentError(f"{path}: {err}") from None
        raw = tomllib.loads(text)
    return parse_experiment(raw, source=text, where=str(path), large=large)
