"""What each knockout does on its own: the table of docs/ODD.md section 1.3, from the newest knockouts sweep.

Run from the project root after ``python -m sim sweep experiments/knockouts.toml --analyze``:
``python tools/knockout_effects.py [folder]``. It prints a markdown table: for each measurement, its run mean
over the outlook under "none" with a 95% t interval over replicates, and each knockout's paired difference
from "none" (replicate r of every point shares its seed) with its 95% t interval; **bold** when the interval
excludes 0. Statements blocked and ASEAN's record of agreeing are left out: at version 3's defaults no
statement is blocked in any of these runs, so both are constant. Nothing runs the model; nothing is written.
"""

from __future__ import annotations

import sys
from pathlib import Path

from knockout_table import fmt, interval, newest

import sim

MEASURES = {
    "incidents": "robberies a month",
    "kidnappings": "kidnappings a month",
    "coercion": "coercion incidents a month",
    "coercion_PHL": "coercion incidents a month at the Philippines' features",
    "ccg_shipdays": "China's ship-days a month at the features",
    "escalations": "escalations a month",
    "statements_sought": "statements sought a month",
    "offers": "offers a month",
    "offers_declined": "offers declined a month",
    "offers_routed": "routed offers a month",
    "asean_centrality": "ASEAN centrality (members' behaviour, 0-1)",
    "asean_cohesion": "cohesion",
    "hedging": "hedging",
    "forum_power": "forum power",
    "joint_patrol_areas": "jointly patrolled areas",
    "stability_index": "stability index",
}
NONE = "none"


def main(folder: Path) -> None:
    r = sim.load_results(folder, series=False)
    runs = r.runs[r.runs["status"] == "ok"].merge(r.design[["point_id", "label"]].drop_duplicates(), on="point_id")
    labels = list(dict.fromkeys(runs["label"]))
    by = {label: runs[runs["label"] == label].set_index("replicate").sort_index() for label in labels}
    others = [label for label in labels if label != NONE]
    print(f"| measurement (run mean, outlook) | {NONE}: mean [95% CI] | " + " | ".join(others) + " |")
    print("|---" * (len(others) + 2) + "|")
    for m, words in MEASURES.items():
        column = f"{m}_mean"
        base = by[NONE][column]
        mean, low, high = interval(base.to_numpy(dtype=float))
        cells = [f"{mean:.3g} [{low:.3g}, {high:.3g}]"]
        for label in others:
            both = base.index.intersection(by[label].index)
            cells.append(fmt(*interval((by[label].loc[both, column] - base.loc[both]).to_numpy(dtype=float))))
        print(f"| {words} (`{m}`) | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else newest(Path("results"), "knockouts"))
