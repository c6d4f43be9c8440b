"""Make a committed calibration's posterior medians the model's defaults.

Run from the project root: ``python tools/adopt_calibration.py results/calibration-NAME/STAMP``. It
reads the folder's ``summary.csv`` (each fitted parameter's posterior median and 5% and 95%
quantiles) and ``manifest.json`` (the command that produced it) and writes
``sim/model/data/calibrated.csv``, which ``sim/model/params.py`` reads: each listed parameter gets its posterior
median (three significant digits) as its default and the interval, the command, the folder and the commit
of the model it was fitted to as its source (``python -m sim params`` shows them). Parameters the
calibration did not fit are untouched and keep their own sources. The file is replaced whole, so it always
describes one calibration.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "sim" / "model" / "data" / "calibrated.csv"
COLUMNS = ("parameter", "median", "q05", "q95", "command", "folder", "commit")


def rows(folder: Path) -> list[dict[str, str]]:
    """One row per fitted parameter of the calibration in ``folder``."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    command = "python -m sim calibrate " + str(manifest["config"])
    where = folder.resolve().relative_to(ROOT).as_posix()
    commit = str(manifest.get("git_commit", ""))[:7]  # the model the posterior was fitted to
    with (folder / "summary.csv").open(encoding="utf-8", newline="") as f:
        return [{"parameter": r["parameter"], "median": r["median"], "q05": r["q05"], "q95": r["q95"],
                 "command": command, "folder": where, "commit": commit} for r in csv.DictReader(f)]  # fmt: skip


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not (Path(argv[0]) / "summary.csv").is_file():
        print(
            "usage: python tools/adopt_calibration.py results/calibration-NAME/STAMP (a folder with summary.csv)",
            file=sys.stderr,
        )
        return 2
    table = rows(Path(argv[0]))
    with OUT.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(table)
    print(f"wrote {OUT.relative_to(ROOT)}: {len(table)} calibrated parameters")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
