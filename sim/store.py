"""The results store of a sweep: an add-only folder that survives a crash.

Layout of ``results/<experiment>/<UTC stamp>/``::

    experiment.toml     the experiment file as run
    design.parquet      one row per design point: point_id, label, every varying parameter
    manifest.json       provenance, start and end, counts by status (rewritten atomically)
    parts/              runs-NNNNN.parquet and series-NNNNN.parquet, written as runs finish
    runs.parquet        all runs, sorted by run_id (written when the sweep completes)

Each part is written to a temporary name and renamed into place, so a part is either complete or
absent. A run counts as done once its row is in a runs part; its series part (same NNNNN) is written
first, and series parts without a runs part are discarded on resume. A sweep killed at any moment,
even by SIGKILL, therefore loses at most the runs that were not yet in a part.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

CONSOLIDATE_BLOCK = 5000  # run ids merged at a time when writing runs.parquet
PART = re.compile(r"^(runs|series)-(\d{5,})\.parquet$")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def atomic_write_table(path: Path, table: pa.Table) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, tmp)
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)


def write_json(path: Path, obj: Any) -> None:
    atomic_write_bytes(path, (json.dumps(obj, indent=2, default=str) + "\n").encode())


def _alive(pid: int) -> bool:
    """Whether a process with this id exists (on this machine)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def cell(value: Any) -> Any:
    """Parameter values as table cells: lists and tables (shocks) become JSON text."""
    return json.dumps(value, sort_keys=True) if isinstance(value, (list, tuple, dict)) else value


class Store:
    """One sweep's folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.parts = self.folder / "parts"

    # -- creating and reading -------------------------------------------------------------------
    def create(self, experiment_text: str, design: pd.DataFrame, manifest: Mapping[str, Any]) -> None:
        """Lay out a new store in a new or empty folder; creating ``parts/`` is the claim on it."""
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            self.parts.mkdir()
        except FileExistsError:
            raise ResultsError(
                f"output folder {self.folder} was taken by another sweep; results are never overwritten"
            ) from None
        atomic_write_bytes(self.folder / "experiment.toml", experiment_text.encode())
        atomic_write_table(self.folder / "design.parquet", pa.Table.from_pandas(design, preserve_index=False))
        write_json(self.folder / "manifest.json", manifest)

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold ``.lock`` (this process's id) while a sweep writes here: a second sweep or resume on the
        same folder is refused. A lock whose process is gone (killed) is taken over."""
        path = self.folder / ".lock"
        for _ in range(2):
            try:
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                holder = path.read_text().strip()
                if holder.isdigit() and _alive(int(holder)):
                    raise ResultsError(
                        f"another sweep (process {holder}) is writing in {self.folder}; wait for it or stop it"
                    ) from None
                path.unlink(missing_ok=True)  # stale: its process is gone
                continue
            with os.fdopen(fd, "w") as fh:
                fh.write(str(os.getpid()))
            break
        try:
            yield
        finally:
            path.unlink(missing_ok=True)

    def manifest(self) -> dict[str, Any]:
        return json.loads((self.folder / "manifest.json").read_text())

    def write_manifest(self, manifest: Mapping[str, Any]) -> None:
        write_json(self.folder / "manifest.json", manifest)

    def _parts(self, kind: str) -> dict[int, Path]:
        out = {}
        for path in self.parts.iterdir() if self.parts.is_dir() else ():
            m = PART.match(path.name)
            if m and m.group(1) == kind:
                out[int(m.group(2))] = path
        return dict(sorted(out.items()))

    def clean_partial(self) -> None:
        """Remove what a crash can leave: temporary files and series parts without a runs part."""
        for path in self.parts.glob(".*.tmp"):
            path.unlink()
        runs = self._parts("runs")
        for seq, path in self._parts("series").items():
            if seq not in runs:
                path.unlink()

    def done_run_ids(self) -> set[int]:
        """Run ids already recorded in a runs part."""
        done: set[int] = set()
        for path in self._parts("runs").values():
            done.update(pq.read_table(path, columns=["run_id"]).column("run_id").to_pylist())
        return done

    def next_seq(self) -> int:
        seqs = list(self._parts("runs")) + list(self._parts("series"))
        return max(seqs) + 1 if seqs else 0

    # -- writing parts --------------------------------------------------------------------------
    def write_part(self, seq: int, rows: Sequence[Mapping[str, Any]], series: pd.DataFrame | None) -> None:
        """Write one batch of finished runs: the series part first, then the runs part (the record)."""
        if series is not None and len(series):
            atomic_write_table(
                self.parts / f"series-{seq:05d}.parquet", pa.Table.from_pandas(series, preserve_index=False)
            )
        runs = pd.DataFrame.from_records(list(rows))
        atomic_write_table(self.parts / f"runs-{seq:05d}.parquet", pa.Table.from_pandas(runs, preserve_index=False))

    def consolidate(self, block: int = CONSOLIDATE_BLOCK) -> dict[str, int]:
        """Write runs.parquet: every runs part, sorted by run_id. Returns the number of runs by status.

        Runs are merged ``block`` run ids at a time, reading only the parts whose run ids overlap the
        block (parts hold nearly consecutive ids) and streaming each sorted block to the file, so
        memory is bounded by the block, not by the number of runs.
        """
        parts = []
        for path in self._parts("runs").values():
            ids = pq.read_table(path, columns=["run_id"]).column("run_id")
            if len(ids):
                parts.append((path, pc.min(ids).as_py(), pc.max(ids).as_py()))
        target = self.folder / "runs.parquet"
        if not parts:
            atomic_write_table(target, pa.table({}))
            return {}
        schema = pa.unify_schemas([pq.read_schema(p) for p, _, _ in parts], promote_options="permissive")
        counts: dict[str, int] = {}
        tmp = target.with_name(f".{target.name}.tmp")
        with pq.ParquetWriter(tmp, schema) as writer:
            for start in range(0, max(hi for _, _, hi in parts) + 1, block):
                stop = start + block
                chunks = []
                for path, lo, hi in parts:
                    if lo < stop and hi >= start:
                        table = pq.read_table(path)
                        ids = table.column("run_id")
                        keep = pc.and_(pc.greater_equal(ids, start), pc.less(ids, stop))
                        chunks.append(table.filter(keep).cast(schema))
                if not chunks:
                    continue
                rows = pa.concat_tables(chunks).sort_by("run_id")
                writer.write_table(rows)
                for c in rows.column("status").value_counts().to_pylist():
                    counts[c["values"]] = counts.get(c["values"], 0) + c["counts"]
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, target)
        return counts

    def runs_paths(self) -> list[Path]:
        return list(self._parts("runs").values())

    def series_paths(self) -> list[Path]:
        return list(self._parts("series").values())


@dataclass
class Results:
    """A sweep's tables, tidy: one row per run (``runs``), per design point (``design``) and, when
    kept, per run and month (``series``)."""

    folder: Path
    runs: pd.DataFrame
    design: pd.DataFrame
    series: pd.DataFrame | None
    manifest: dict[str, Any]
    experiment_text: str

    @property
    def complete(self) -> bool:
        return self.manifest.get("status") == "complete"


class SweepInterrupted(Exception):
    """A sweep stopped by SIGINT (Ctrl-C) or SIGTERM after saving every run it had finished."""

    def __init__(self, folder: Path, saved: int, total: int, status: int) -> None:
        super().__init__(f"interrupted: {saved} of {total} runs are saved in {folder}")
        self.folder, self.saved, self.total, self.status = folder, saved, total, status


class ResultsError(ValueError):
    """A folder is not a (complete) results folder; one-line message."""


def load_results(folder: str | Path, *, series: bool = True, allow_partial: bool = False) -> Results:
    """The tables of a sweep's results folder (see :class:`Results`).

    A folder still running or interrupted raises ResultsError unless ``allow_partial``; then the runs
    recorded so far are returned.
    """
    folder = Path(folder)
    store = Store(folder)
    if not folder.is_dir():
        raise ResultsError(f"results folder not found: {folder}")
    if not (folder / "manifest.json").is_file():
        raise ResultsError(f"{folder} is not a sweep results folder (it has no manifest.json)")
    if (folder / "timeseries.csv").is_file() and not (folder / "design.parquet").is_file():
        raise ResultsError(
            f"{folder} is a single run's folder, not a sweep results folder (results/<experiment>/<stamp>)"
        )
    if not (folder / "design.parquet").is_file():
        raise ResultsError(
            f"{folder} is not a sweep results folder with its tables (no design.parquet; raw tables are not kept "
            "in git: run the sweep again to get them)"
        )
    manifest = store.manifest()
    complete = manifest.get("status") == "complete" and (folder / "runs.parquet").is_file()
    if not complete and not allow_partial:
        raise ResultsError(
            f"{folder} holds a sweep that did not finish; complete it with: python -m sim sweep --resume {folder}"
        )
    if complete:
        runs = pd.read_parquet(folder / "runs.parquet")
    else:
        parts = [pd.read_parquet(p) for p in store.runs_paths()]
        runs = (
            pd.concat(parts, ignore_index=True).sort_values("run_id").reset_index(drop=True)
            if parts
            else pd.DataFrame()
        )
    table = None
    if series and store.series_paths():
        table = pd.concat([pd.read_parquet(p) for p in store.series_paths()], ignore_index=True)
        if len(runs):
            table = table[table["run_id"].isin(runs["run_id"])]
        table = table.sort_values(["run_id", "step"], kind="stable").reset_index(drop=True)
    return Results(
        folder=folder,
        runs=runs,
        design=pd.read_parquet(folder / "design.parquet"),
        series=table,
        manifest=manifest,
        experiment_text=(folder / "experiment.toml").read_text(),
    )
