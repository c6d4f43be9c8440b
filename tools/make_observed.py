"""Copy the observed series that validation uses from the project's validation data into sim/model/data/.

Run from the project root: ``python tools/make_observed.py [PATH-TO-shared/data/validation]``. It
writes three small tables, each row keeping its source, and changes nothing else:

- ``sim/model/data/observed_incidents.csv``: ReCAAP incidents (actual + attempted) by SE Asian area and
  year, 2013-2023 from the ReCAAP ISC portal list, 2024 from ReCAAP's published area figures (the
  portal stops at 25 Nov 2024);
- ``sim/model/data/observed_abductions.csv``: every abduction of crew in the Sulu-Celebes Seas that ReCAAP
  recorded (date, crew abducted);
- ``sim/model/data/observed_ccg.csv``: AMTI's counts of days with a China Coast Guard vessel at each feature.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

AREAS = ("SOMS", "IDN", "SCS", "SULU_CELEBES", "PHL", "VNM", "MYS", "THA")
FEATURES = {
    "Scarborough Shoal": "SCARBOROUGH",
    "Second Thomas Shoal": "SECOND_THOMAS",
    "Thitu Island reefs": "THITU",
    "Vanguard Bank": "VANGUARD",
    "Luconia Shoals": "LUCONIA",
}
OUT = Path(__file__).resolve().parents[1] / "sim" / "model" / "data"


def incidents(src: Path) -> list[dict[str, object]]:
    rows = []
    for r in csv.DictReader((src / "piracy_by_area_year.csv").open(encoding="utf-8")):
        if r["measure"] != "all_incidents" or r["area_code"] not in AREAS:
            continue
        year = int(r["year"])
        portal = r["dataset"].startswith("ReCAAP ISC portal") and 2013 <= year <= 2023
        published = r["dataset"].startswith("ReCAAP ISC annual") and year == 2024
        if portal or published:
            rows.append({"year": year, "area": r["area_code"], "incidents": int(r["count"]), "source": r["source"]})
    have = {(r["year"], r["area"]) for r in rows}
    for area in AREAS:  # ReCAAP's 2024 figures name only the areas with incidents; the rest had none
        if (2024, area) not in have:
            rows.append({"year": 2024, "area": area, "incidents": 0, "source": "none listed in ReCAAP's 2024 figures"})
    return sorted(rows, key=lambda r: (r["year"], AREAS.index(r["area"])))


def abductions(src: Path) -> list[dict[str, object]]:
    rows = []
    for r in csv.DictReader((src / "sulu_kidnappings.csv").open(encoding="utf-8")):
        if r["record"] == "incident" and r["incident_type"] == "Kidnap":
            rows.append({"date": r["date"], "crew_abducted": int(r["crew_abducted"]), "source": r["source"]})
    return sorted(rows, key=lambda r: r["date"])


def ccg(src: Path) -> list[dict[str, object]]:
    rows = []
    for r in csv.DictReader((src / "scs_coercion.csv").open(encoding="utf-8")):
        feature = FEATURES.get(r["feature_or_area"])
        if feature and r["indicator"].startswith("CCG calendar days") and r["value"].isdigit():
            rows.append({"feature": feature, "period": r["period"], "days": int(r["value"]), "source": r["source"]})
    return rows


def write(name: str, rows: list[dict[str, object]]) -> None:
    with (OUT / name).open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote sim/model/data/{name} ({len(rows)} rows)")


def main() -> None:
    src = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/validation")
    write("observed_incidents.csv", incidents(src))
    write("observed_abductions.csv", abductions(src))
    write("observed_ccg.csv", ccg(src))


if __name__ == "__main__":
    main()
