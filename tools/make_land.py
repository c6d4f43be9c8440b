"""Cut sim/model/data/land.json from Natural Earth 1:110m Admin 0 countries (geopandas 0.14.4's naturalearth_lowres).

Run once, offline from the package (pyshp and shapely are not dependencies of it)::

    pip download geopandas==0.14.4 --no-deps -d /tmp/gpd
    cd /tmp/gpd && unzip -o -q geopandas-0.14.4-py3-none-any.whl 'geopandas/datasets/*' && cd -
    python -m venv /tmp/landvenv && /tmp/landvenv/bin/pip install pyshp shapely
    /tmp/landvenv/bin/python tools/make_land.py \
        /tmp/gpd/geopandas/datasets/naturalearth_lowres/naturalearth_lowres.shp sim/model/data/land.json
"""

import json
import sys

import shapefile  # pyshp
from shapely.geometry import box, shape

SHP, OUT = sys.argv[1], sys.argv[2]
BBOX = (89.0, -13.0, 136.0, 27.0)  # lon_min, lat_min, lon_max, lat_max
TOLERANCE = 0.03  # degrees, shapely simplify (preserve_topology)

clip = box(*BBOX)
countries = {}
for sr in shapefile.Reader(SHP).iterShapeRecords():
    rec = sr.record.as_dict()
    geom = shape(sr.shape.__geo_interface__)
    if not geom.intersects(clip):
        continue
    cut = geom.intersection(clip).simplify(TOLERANCE, preserve_topology=True)
    parts = [cut] if cut.geom_type == "Polygon" else [g for g in getattr(cut, "geoms", []) if g.geom_type == "Polygon"]
    polygons = []
    for part in parts:
        if part.is_empty or part.area < 1e-3:
            continue
        ring = [[round(x, 2), round(y, 2)] for x, y in part.exterior.coords]
        polygons.append(ring)
    if polygons:
        countries[rec["iso_a3"]] = {"name": rec["name"], "polygons": polygons}

doc = {
    "source": "Natural Earth 1:110m Cultural Vectors, Admin 0 - Countries (public domain), as shipped in the "
    "geopandas 0.14.4 wheel (geopandas/datasets/naturalearth_lowres)",
    "cut": f"clipped to lon {BBOX[0]:g}..{BBOX[2]:g}, lat {BBOX[1]:g}..{BBOX[3]:g}; simplified with shapely "
    f"(tolerance {TOLERANCE:g} degrees, topology preserved); outer rings only; parts under 0.001 square degrees "
    "dropped; coordinates rounded to 0.01 degree",
    "bbox": list(BBOX),
    "countries": dict(sorted(countries.items())),
}
with open(OUT, "w", encoding="utf-8") as fh:
    json.dump(doc, fh, separators=(",", ":"))
    fh.write("\n")
print({k: len(v["polygons"]) for k, v in countries.items()})
