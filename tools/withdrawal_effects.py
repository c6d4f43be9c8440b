"""What a partner's withdrawal changes after it happens: the figures of docs/ODD.md (section 1.2).

Run from the project root after ``python -m sim sweep experiments/withdrawal.toml --analyze``:
``python tools/withdrawal_effects.py [folder]`` (default: the newest withdrawal sweep). For each support
structure it prints the withdrawal's effect on the means of the months after it (months 61-120), withdrawal
minus its no-withdrawal twin in each replicate (same seeds, so the months before it are identical), with a
95% t interval over replicates. Nothing is written; nothing runs the model.
"""

from __future__ import annotations

import sys
from pathlib import Path

from knockout_table import interval, newest

import sim

MEASURES = ("offers", "incidents", "coercion", "asean_cohesion", "stability_index")
AFTER = 60  # the withdrawal is in outlook month 61 (January 2030)


def main(folder: Path) -> None:
    r = sim.load_results(folder, series=True)
    runs = r.runs.merge(r.design[["point_id", "label"]].drop_duplicates(), on="point_id")
    if r.series is None:
        raise SystemExit(f"{folder} has no monthly series (keep_series = true in withdrawal.toml keeps them)")
    series = r.series.merge(runs[["run_id", "label", "replicate"]], on="run_id")
    late = series[series.step > AFTER].groupby(["label", "replicate"]).mean(numeric_only=True)
    print(f"{folder}: withdrawal minus none, means of months {AFTER + 1}-120, 95% t intervals over replicates")
    for label in dict.fromkeys(runs["label"]):
        if not label.endswith(", none"):
            continue
        structure = label.removesuffix(", none")
        shocked = next(x for x in dict.fromkeys(runs["label"]) if x.startswith(structure) and x != label)
        cells = []
        for m in MEASURES:
            mean, low, high = interval((late.loc[shocked, m] - late.loc[label, m]).to_numpy(dtype=float))
            cells.append(f"{m} {mean:+.3g} [{low:+.3g}, {high:+.3g}]")
        print(f"  {structure}: " + "; ".join(cells))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else newest(Path("results"), "withdrawal"))
