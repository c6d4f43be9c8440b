"""The knockout tables of docs/ODD.md (section 1.2) from the newest mechanisms, routing, layers and
threat_layers sweeps.

Run from the project root after ``python -m sim sweep experiments/mechanisms.toml --analyze`` and the same
for ``routing.toml``, ``layers.toml`` and ``threat_layers.toml``: ``python tools/knockout_table.py
[results]``. It writes ``results/knockout-tables.md``.

For each experiment, a policy factor (Japan's four layers, one layer alone, or none; every partner routing
its share through ASEAN or bypassing it) is crossed with knockouts. The effect of the policy within a
knockout is the difference between its two settings in each replicate (the same seeds: paired), summarised
by its mean and 95% t interval over replicates; "change" is that effect under the knockout minus the effect
without any (again paired by replicate), and "remains" the ratio of the two mean effects. An effect that
shrinks under a knockout runs through the decision it switches off; one that survives does not.

Nothing here runs the model; it only reads stored runs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from scipy import stats

import sim

MEASURES = {
    "incidents_mean": "robberies a month",
    "coercion_mean": "coercion incidents a month",
    "coercion_PHL_mean": "coercion at the Philippines' features a month",
    "ccg_shipdays_mean": "China's ship-days a month at the features",
    "escalations_mean": "escalations a month",
    "statements_blocked_mean": "statements blocked a month",
    "offers_declined_mean": "offers declined a month",
    "asean_centrality_mean": "ASEAN centrality (0-1)",
    "asean_cohesion_mean": "cohesion (0-1)",
    "joint_patrol_areas_mean": "jointly patrolled areas",
    "stability_index_mean": "stability index (0-1)",
}
#: experiment -> (policy factor, the settings whose effects are measured, the setting they are measured against)
POLICIES = {
    "mechanisms": ("japan", ("all four layers",), "none"),
    "routing": ("routing", ("as planned (0.3)",), "bypass (0)"),
    "layers": ("japan", ("Quad only", "bilateral only", "forums only"), "none"),
    "threat_layers": ("japan", ("bilateral only",), "capacity only"),
}
#: experiments with one more factor: a table for each of its levels
WITHIN = {"threat_layers": "threats"}
NO_KNOCKOUT = "none"


def newest(root: Path, name: str) -> Path:
    folders = sorted((root / name).glob("*/runs.parquet"))
    if not folders:
        raise SystemExit(f"no finished sweep in {root / name}; run python -m sim sweep experiments/{name}.toml")
    return folders[-1].parent


def interval(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and 95% t interval over replicates."""
    n = len(values)
    mean = float(values.mean())
    half = float(stats.t.ppf(0.975, n - 1) * values.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
    return mean, mean - half, mean + half


def fmt(mean: float, low: float, high: float) -> str:
    text = f"{mean:+.3g} [{low:+.3g}, {high:+.3g}]"
    return f"**{text}**" if low > 0 or high < 0 else text


def effects(
    folder: Path, factor: str, setting: str, reference: str, within: tuple[str, str] | None = None
) -> dict[str, dict[str, np.ndarray]]:
    """knockout -> measure -> the policy's effect in each replicate (only the runs at ``within``'s level:
    (factor, level), if given)."""
    r = sim.load_results(folder, series=False)
    runs = r.runs[r.runs["status"] == "ok"]
    design = r.design.drop_duplicates("point_id")
    wanted = (factor, "knockout", *(within[:1] if within else ()))
    missing = [c for c in wanted if c not in runs.columns]
    runs = runs.merge(design[["point_id", *missing]], on="point_id") if missing else runs
    if within:
        runs = runs[runs[within[0]] == within[1]]
    out: dict[str, dict[str, np.ndarray]] = {}
    for knockout in dict.fromkeys(design["knockout"]):
        cell = runs[runs["knockout"] == knockout]
        a = cell[cell[factor] == setting].set_index("replicate").sort_index()
        b = cell[cell[factor] == reference].set_index("replicate").sort_index()
        both = a.index.intersection(b.index)
        out[knockout] = {m: (a.loc[both, m] - b.loc[both, m]).to_numpy(dtype=float) for m in MEASURES}
    return out


def section(name: str, folder: Path, setting: str, within: tuple[str, str] | None = None) -> list[str]:
    factor, _, reference = POLICIES[name]
    table = effects(folder, factor, setting, reference, within)
    knockouts = list(table)
    n = len(table[NO_KNOCKOUT][next(iter(MEASURES))])
    where = f" ({within[0]}: {within[1]})" if within else ""
    lines = [
        f"### {name}: {setting} minus {reference}{where}",
        "",
        f"`{folder.as_posix()}`: {n} paired replicates. Each cell: the effect under that knockout, mean [95% CI]; "
        "below it, the change from the effect without a knockout and the share of it that remains. **Bold**: "
        "the interval excludes 0.",
        "",
        "| measurement | " + " | ".join(f"knockout: {k}" for k in knockouts) + " |",
        "|---" * (len(knockouts) + 1) + "|",
    ]
    for m, words in MEASURES.items():
        base = table[NO_KNOCKOUT][m]
        cells = []
        for k in knockouts:
            eff = table[k][m]
            text = fmt(*interval(eff))
            if k != NO_KNOCKOUT:
                same = min(len(eff), len(base))
                change = fmt(*interval(eff[:same] - base[:same]))
                share = f"{eff.mean() / base.mean():.0%}" if abs(base.mean()) > 1e-12 else "-"
                text += f"<br>change {change}; remains {share}"
            cells.append(text)
        lines.append(f"| {words} (`{m}`) | " + " | ".join(cells) + " |")
    return [*lines, ""]


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("results")
    lines = ["# Knockout tables of version 3 (written by tools/knockout_table.py)", ""]
    for name, (_, settings, _) in POLICIES.items():
        folder = newest(root, name)
        levels: list[tuple[str, str] | None] = [None]
        if name in WITHIN:
            design = sim.load_results(folder, series=False).design
            levels = [(WITHIN[name], level) for level in dict.fromkeys(design[WITHIN[name]])]
        for setting in settings:
            for within in levels:
                lines += section(name, folder, setting, within)
    out = root / "knockout-tables.md"
    out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
