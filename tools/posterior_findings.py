"""The numbers results/README.md quotes from the shipped experiments run over the posterior.

Run from the project root after the sweeps (``python -m sim sweep experiments/NAME.toml --over-posterior
POSTERIOR --analyze``): ``python tools/posterior_findings.py [results]``. For each experiment it reads
the newest ``results/<name>-posterior/<stamp>`` folder and writes ``results/posterior-findings.md``:

- every setting's value of each measure: the median over posterior draws of the setting's mean over
  its replicates, with the 5% and 95% quantiles over draws (parameter uncertainty and randomness);
- contrasts named below (a minus b within each draw): the median difference, its 5-95% range over
  draws, and the share of draws in which a is below b (the probability that the ranking holds);
- for each measure, the share of draws in which each setting is the lowest of its experiment.

Nothing here runs the model; it only reads stored runs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

import sim

MEASURES = {
    "incidents_mean": "robberies a month",
    "kidnappings_mean": "kidnappings a month",
    "coercion_mean": "coercion incidents a month",
    "escalations_mean": "escalations a month",
    "statements_blocked_mean": "ASEAN statements blocked a month",
    "offers_declined_mean": "offers declined a month",
    "asean_centrality_mean": "ASEAN centrality (share)",
    "asean_cohesion_mean": "ASEAN cohesion (0-1)",
    "hedging_mean": "members' hedging (0-1)",
    "stability_index_mean": "stability index (0-1)",
}
ALL, NONE = "all four layers", "none"


def _layers(quad: int, bilateral: int, forums: int, capacity: int) -> str:
    """The label of a layering point."""
    on = {"quad": quad, "bilateral": bilateral, "forums": forums, "capacity": capacity}
    return ", ".join(f"{k}={bool(v)}" for k, v in on.items())


def _split(quad: float, bilateral: float, forums: float, capacity: float) -> str:
    """The label of an allocation point."""
    return f"quad {quad:.2f} / bilateral {bilateral:.2f} / forums {forums:.2f} / capacity {capacity:.2f}"


KNOCKOUTS = ("none", "members accept all", "China ignores cooperation", "China ignores alignment")
#: (experiment, a, b): "a minus b" in each draw
CONTRASTS = {
    "mechanisms": [(f"{ALL}, {k}", f"{NONE}, {k}") for k in KNOCKOUTS],
    "layering": [
        (_layers(1, 1, 1, 1), _layers(0, 0, 0, 0)),
        (_layers(0, 0, 0, 1), _layers(1, 0, 0, 0)),
        (_layers(0, 0, 1, 0), _layers(1, 1, 1, 1)),
    ],
    "allocation": [
        (_split(0, 0, 0, 1), _split(0.25, 0.25, 0.25, 0.25)),
        (_split(0, 0, 1, 0), _split(0.25, 0.25, 0.25, 0.25)),
        (_split(0, 0, 0, 1), _split(0, 0, 1, 0)),
    ],
    "coordination": [
        (
            "asean_coordination=1.0, quad=True, bilateral=True",
            "asean_coordination=0.0, quad=True, bilateral=True",
        ),
    ],
    "withdrawal": [
        (f"{s}, {m}, USA in 2030-01", f"{s}, {m}, none")
        for s in ("diversified", "concentrated")
        for m in ("fixed", "adaptive")
    ],
}


def newest(root: Path, name: str, suffix: str = "-posterior") -> Path | None:
    """The newest finished sweep in ``results/<name><suffix>/``, or None."""
    folders = sorted((root / f"{name}{suffix}").glob("*/runs.parquet"))
    return folders[-1].parent if folders else None


def per_draw(folder: Path) -> pd.DataFrame:
    """One row per draw and setting: the mean over replicates of every measure."""
    r = sim.load_results(folder, series=False)
    runs = r.runs[r.runs["status"] == "ok"]
    missing = [c for c in ("draw", "setting") if c not in runs.columns]
    runs = runs.merge(r.design[["point_id", *missing]], on="point_id") if missing else runs
    return runs.groupby(["draw", "setting"], sort=False)[list(MEASURES)].mean().reset_index()


def q(values: pd.Series | np.ndarray) -> str:
    v = np.asarray(values, dtype=float)
    return f"{np.median(v):.3g} [{np.quantile(v, 0.05):.3g}, {np.quantile(v, 0.95):.3g}]"


def section(name: str, folder: Path) -> list[str]:
    table = per_draw(folder)
    settings = list(dict.fromkeys(table["setting"]))
    draws = table["draw"].nunique()
    lines = [f"## {name}", "", f"`{folder.as_posix()}`: {draws} posterior draws.", ""]
    header = "| setting | " + " | ".join(MEASURES.values()) + " |"
    lines += [header, "|---" * (len(MEASURES) + 1) + "|"]
    for s in settings:
        rows = table[table["setting"] == s]
        lines.append(f"| {s} | " + " | ".join(q(rows[m]) for m in MEASURES) + " |")
    wide = {m: table.pivot(index="draw", columns="setting", values=m)[settings] for m in MEASURES}
    lines += ["", "Share of draws in which each setting is the lowest:", ""]
    lines += ["| setting | " + " | ".join(MEASURES.values()) + " |", "|---" * (len(MEASURES) + 1) + "|"]
    lowest = {m: wide[m].idxmin(axis=1).value_counts(normalize=True) for m in MEASURES}
    for s in settings:
        lines.append(f"| {s} | " + " | ".join(f"{lowest[m].get(s, 0.0):.0%}" for m in MEASURES) + " |")
    for a, b in CONTRASTS.get(name, []):
        lines += ["", f"**{a}** minus **{b}** (median [5%, 95%] over draws; share of draws below zero):", ""]
        for m, words in MEASURES.items():
            d = (wide[m][a] - wide[m][b]).dropna()
            lines.append(f"- {words}: {q(d)}; below zero in {(d < 0).mean():.0%}")
    if name == "threat_mix":
        for world in dict.fromkeys(x.split(", ")[0] for x in settings):
            group = [x for x in settings if x.startswith(f"{world}, ")]
            lines += [
                "",
                f"Within the {world} world, share of draws in which each of Japan's choices is the lowest:",
                "",
            ]
            lines += ["| choice | " + " | ".join(MEASURES.values()) + " |", "|---" * (len(MEASURES) + 1) + "|"]
            low = {m: wide[m][group].idxmin(axis=1).value_counts(normalize=True) for m in MEASURES}
            for x in group:
                lines.append(f"| {x} | " + " | ".join(f"{low[m].get(x, 0.0):.0%}" for m in MEASURES) + " |")
    if name == "mechanisms":
        lines += [
            "",
            "The programme's effect (all four layers minus none) under each knockout against the effect without",
            "knockouts (median [5%, 95%] over draws), and the share of draws in which the knockout makes it smaller:",
            "",
        ]
        effect = {k: {m: wide[m][f"{ALL}, {k}"] - wide[m][f"{NONE}, {k}"] for m in MEASURES} for k in KNOCKOUTS}
        for k in KNOCKOUTS[1:]:
            lines.append(f"*{k}*:")
            for m, words in MEASURES.items():
                base, under = effect["none"][m], effect[k][m]
                smaller = (under.abs() < base.abs()).mean()
                lines.append(f"- {words}: {q(under)} against {q(base)}; smaller in {smaller:.0%} of draws")
            lines.append("")
    return [*lines, ""]


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else Path("results")
    intro = (
        "Written by `python tools/posterior_findings.py` from the newest sweep of each shipped experiment over "
        "the posterior. A value is a setting's mean over its replicates in one draw; brackets are the 5% and 95% "
        "quantiles over draws, so they carry parameter uncertainty as well as randomness."
    )
    out = ["# Findings over the posterior: the numbers", "", intro, ""]
    for name in ("posterior", "mechanisms", "knockouts", "layering", "allocation", "coordination", "withdrawal",
                 "threat_mix"):  # fmt: skip
        folder = newest(root, name, suffix="" if name == "posterior" else "-posterior")
        if folder is not None and "setting" in sim.load_results(folder, series=False).design.columns:
            out += section(name, folder)
    (root / "posterior-findings.md").write_text("\n".join(out), encoding="utf-8")
    print(f"wrote {root / 'posterior-findings.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
