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

Every table is written with page checksums. Before a sweep goes on, every part is read in full and
checked against its pair (:meth:`Store.check_parts`); a part that is damaged, or whose pair is missing
or does not match, is moved to ``parts/damaged/`` and its runs are run again. Reading a folder
(:func:`load_results`) refuses a damaged table with one line.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.runs.extras import extra
from sim.runs.folders import building, leftover, publish
from sim.runs.provenance import sim_command
from sim.runs.results import Results, ResultsError

with extra("sweep"):
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

CONSOLIDATE_BLOCK = 5000  # run ids merged at a time when writing runs.parquet
PART = re.compile(r"^(runs|series)-(\d{5,})\.parquet$")
PART_PREFIX = re.compile(r"^(runs|series)-(\d{5,})\.parquet")  # also parts set aside as NAME.1, NAME.missing
DAMAGED = "damaged"  # parts/damaged/: parts set aside by check_parts
#: what reading a damaged Parquet file raises (truncated, not Parquet, a page checksum that fails)
UNREADABLE = (pa.ArrowException, OSError)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def atomic_write_table(path: Path, table: pa.Table) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, tmp, write_page_checksum=True)
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)


def read_table(path: Path, columns: Sequence[str] | None = None) -> pa.Table:
    """A Parquet file read in full, its page checksums verified (files written before checksums were
    added are read without them)."""
    return pq.read_table(path, columns=columns, page_checksum_verification=True)


def reason(err: BaseException) -> str:
    """The first line of an error's message without the file's name, shortened: why a file cannot be read."""
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    text = re.sub(r"^Could not open Parquet input source '.*?': ", "", text)
    return text if len(text) <= 100 else text[:97] + "..."


def write_json(path: Path, obj: Any) -> None:
    atomic_write_bytes(path, (json.dumps(obj, indent=2, default=str) + "\n").encode())


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def id_ranges(ids: Iterable[int]) -> str:
    """Run ids written short, as ranges: ``0-11, 14, 16-19``."""
    spans: list[list[int]] = []
    for k in sorted(ids):
        if spans and k == spans[-1][1] + 1:
            spans[-1][1] = k
        else:
            spans.append([k, k])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


def read_id_ranges(text: str) -> set[int]:
    """The run ids of :func:`id_ranges`'s text."""
    ids: set[int] = set()
    for span in filter(None, (part.strip() for part in text.split(","))):
        a, _, b = span.partition("-")
        ids.update(range(int(a), int(b or a) + 1))
    return ids


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
        """Lay out a new store in this folder (new or empty), whole or not at all (see :func:`new_store`)."""
        new_store(self.folder, experiment_text, design, manifest)

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold ``.lock`` while a sweep writes here: a second sweep or resume on the same folder is refused.
        The lock is the operating system's (``filelock``, an advisory ``flock`` on Unix), so it is freed the
        moment its holder ends, however it ends (even by SIGKILL), and no process id can be mistaken for it."""
        with extra("sweep"):
            from filelock import FileLock, Timeout

        held = FileLock(self.folder / ".lock", timeout=0)
        try:
            held.acquire()
        except Timeout:
            raise ResultsError(
                f"another sweep is writing in {self.folder} (it holds {self.folder / '.lock'}); wait for it or stop it"
            ) from None
        try:
            yield
        finally:
            held.release()

    def manifest(self) -> dict[str, Any]:
        return read_manifest(self.folder)

    def write_manifest(self, manifest: Mapping[str, Any]) -> None:
        write_json(self.folder / "manifest.json", manifest)

    def _parts(self, kind: str, where: Path | None = None) -> dict[int, Path]:
        """Parts of one kind ("runs" or "series") in ``parts/`` (or ``where``), by sequence number."""
        where = self.parts if where is None else where
        out = {}
        for path in where.iterdir() if where.is_dir() else ():
            m = PART.match(path.name)
            if m and m.group(1) == kind:
                out[int(m.group(2))] = path
        return dict(sorted(out.items()))

    @property
    def damaged(self) -> Path:
        """``parts/damaged/``: where :meth:`check_parts` sets aside the parts it cannot trust."""
        return self.parts / DAMAGED

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
            done.update(read_table(path, columns=["run_id"]).column("run_id").to_pylist())
        return done

    def next_seq(self) -> int:
        """The number of the next part: after every part written, including those set aside."""
        seqs = [*self._parts("runs"), *self._parts("series"), *self._damaged_seqs()]
        return max(seqs) + 1 if seqs else 0

    def _damaged_seqs(self) -> set[int]:
        """Numbers of the parts set aside in ``parts/damaged/`` (or recorded there as missing)."""
        names = (p.name for p in self.damaged.iterdir()) if self.damaged.is_dir() else ()
        return {int(m.group(2)) for m in map(PART_PREFIX.match, names) if m}

    # -- checking parts before a sweep goes on --------------------------------------------------
    def check_parts(self, n_runs: int, keep_series: bool, steps: int) -> PartsCheck:
        """Check every part before a sweep goes on, and return the runs recorded in sound parts.

        A runs part must read in full (page checksums verified) and hold run ids of this sweep that no
        earlier part holds; when series are kept, its series part must read in full and hold ``steps``
        months of exactly its ok runs. A pair that fails is moved to ``parts/damaged/``, so its runs are
        run again and never trusted. A runs part missing from the numbering is reported (its runs are
        not done, so they run again). What a crash leaves (temporary files, a last series part without
        its runs part) is removed as before.
        """
        lost = self._lost_runs_parts()
        for seq in lost:  # its series part, if any, is set aside; a note keeps the number taken
            self._set_aside(seq)
            (self.damaged / f"runs-{seq:05d}.parquet.missing").write_text("this runs part was missing\n")
        check = PartsCheck(done=set(), problems=[f"runs-{seq:05d}.parquet is missing" for seq in lost])
        self.clean_partial()
        series = self._parts("series")
        for seq, path in self._parts("runs").items():
            problem, ids = self._check_pair(path, series.get(seq), n_runs, keep_series, steps, check.done)
            if problem:
                check.problems.append(problem)
                self._set_aside(seq)
            else:
                check.done.update(ids)
        return check

    def _lost_runs_parts(self) -> list[int]:
        """Numbers of runs parts missing from the numbering (parts are numbered 0, 1, 2... as they are
        written; those in ``parts/damaged/`` are accounted for). A last series part alone is a crash's
        leftover, not a loss."""
        runs = set(self._parts("runs")) | self._damaged_seqs()
        series = set(self._parts("series"))
        top = max(runs | series, default=-1)
        leftover = top if top in series and top not in runs else None
        return [seq for seq in range(top + 1) if seq not in runs and seq != leftover]

    def _check_pair(
        self, runs: Path, series: Path | None, n_runs: int, keep_series: bool, steps: int, done: set[int]
    ) -> tuple[str | None, list[int]]:
        """(what is wrong with this runs part and its series part, or None; the run ids it records)."""
        try:
            table = read_table(runs)
            ids, status = table.column("run_id").to_pylist(), table.column("status").to_pylist()
        except (*UNREADABLE, KeyError) as err:
            return f"{runs.name} cannot be read ({reason(err)})", []
        if len(set(ids)) != len(ids) or not all(isinstance(i, int) and 0 <= i < n_runs for i in ids) or done & set(ids):
            return f"{runs.name} holds run ids that are not its own (repeated, or not in this sweep)", []
        ok = {i for i, s in zip(ids, status, strict=True) if s == "ok"}
        if not keep_series or not ok:
            return None, ids
        if series is None:
            return f"{runs.name.replace('runs-', 'series-')} is missing", []
        try:
            months = pc.value_counts(read_table(series).column("run_id")).to_pylist()
        except (*UNREADABLE, KeyError) as err:
            return f"{series.name} cannot be read ({reason(err)})", []
        if {m["values"]: m["counts"] for m in months} != dict.fromkeys(ok, steps):
            return f"{series.name} does not hold {steps} months of each ok run of {runs.name}", []
        return None, ids

    def _set_aside(self, seq: int) -> None:
        """Move the runs and series parts numbered ``seq`` to ``parts/damaged/`` (never overwriting)."""
        self.damaged.mkdir(exist_ok=True)
        for path in (self.parts / f"runs-{seq:05d}.parquet", self.parts / f"series-{seq:05d}.parquet"):
            if path.exists():
                target, k = self.damaged / path.name, 1
                while target.exists():
                    target, k = self.damaged / f"{path.name}.{k}", k + 1
                os.replace(path, target)

    def check_design(self, design: pd.DataFrame) -> str | None:
        """Read ``design.parquet`` in full; when it cannot be read, set it aside in ``parts/damaged/`` and
        write ``design`` in its place. Returns what was found (None when the table was sound)."""
        path = self.folder / "design.parquet"
        try:
            read_table(path)
            return None
        except UNREADABLE as err:
            self.damaged.mkdir(exist_ok=True)
            if path.exists():
                os.replace(path, self.damaged / "design.parquet")
            atomic_write_table(path, pa.Table.from_pandas(design, preserve_index=False))
            return f"design.parquet cannot be read ({reason(err)}; written again from experiment.toml)"

    def add_note(self, key: str, entry: Any) -> None:
        """Append ``entry`` to the list ``key`` of the manifest (what a resume found, for example)."""
        manifest = self.manifest()
        manifest.setdefault(key, []).append(entry)
        self.write_manifest(manifest)

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
            ids = read_table(path, columns=["run_id"]).column("run_id")
            if len(ids):
                parts.append((path, pc.min(ids).as_py(), pc.max(ids).as_py()))
        target = self.folder / "runs.parquet"
        if not parts:
            atomic_write_table(target, pa.table({}))
            return {}
        schema = pa.unify_schemas([pq.read_schema(p) for p, _, _ in parts], promote_options="permissive")
        counts: dict[str, int] = {}
        tmp = target.with_name(f".{target.name}.tmp")
        with pq.ParquetWriter(tmp, schema, write_page_checksum=True) as writer:
            for start in range(0, max(hi for _, _, hi in parts) + 1, block):
                stop = start + block
                chunks = []
                for path, lo, hi in parts:
                    if lo < stop and hi >= start:
                        table = read_table(path)
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


def new_store(
    out: Path | None,
    experiment_text: str,
    design: pd.DataFrame,
    manifest: Mapping[str, Any],
    *,
    parent: Path = Path("results"),
) -> Store:
    """Lay out a new store, whole or not at all, and return it: built in a temporary folder and renamed to
    ``out`` (new or empty), or with no ``out`` to ``parent/<UTC stamp>`` (see :mod:`sim.runs.folders`).
    InputError (one line) when ``out`` was filled by another process meanwhile."""
    with building(parent if out is None else Path(out).parent) as tmp:
        (tmp / "parts").mkdir()
        atomic_write_bytes(tmp / "experiment.toml", experiment_text.encode())
        atomic_write_table(tmp / "design.parquet", pa.Table.from_pandas(design, preserve_index=False))
        write_json(tmp / "manifest.json", manifest)
        return Store(publish(tmp, None if out is None else Path(out)))


@dataclass
class PartsCheck:
    """What :meth:`Store.check_parts` found: the run ids recorded in sound parts, and each problem."""

    done: set[int]
    problems: list[str]

    def line(self, folder: Path, to_run: int) -> str:
        """One line: what was found, and that its runs will be run again."""
        folder, shown = Path(folder), "; ".join(self.problems[:3])
        if len(self.problems) > 3:
            shown += f"; and {len(self.problems) - 3} more"
        return (
            f"checked {folder} before going on: {shown}; the runs of damaged or missing parts are not trusted "
            f"and will be run again ({to_run} runs to run; damaged files are kept in {folder / 'parts' / DAMAGED})"
        )


def load_results(folder: str | Path, *, series: bool = True, allow_partial: bool = False) -> Results:
    """The tables of a sweep's results folder (see :class:`Results`).

    A folder still running or interrupted raises ResultsError unless ``allow_partial``; then the runs
    recorded so far are returned. An experiment file edited since the sweep ran raises ResultsError (the
    runs do not match it). A damaged table (one that cannot be read in full, or kept series that
    do not cover every ok run) raises ResultsError naming it; resuming the sweep repairs the folder.
    """
    folder = Path(folder)
    store = Store(folder)
    _check_is_sweep_folder(folder)
    manifest = read_manifest(folder)
    complete = manifest.get("status") == "complete" and (folder / "runs.parquet").is_file()
    if not complete and not allow_partial:
        raise ResultsError(
            f"{folder} holds a sweep that did not finish; complete it with: {sim_command('sweep', '--resume', folder)}"
        )
    for path in store.runs_paths() + store.series_paths():  # every part is whole, even those not read here
        _read_frame(path, folder, metadata_only=True)
    if complete:
        runs = _read_frame(folder / "runs.parquet", folder)
    else:
        parts = [_read_frame(p, folder) for p in store.runs_paths()]
        runs = (
            pd.concat(parts, ignore_index=True).sort_values("run_id").reset_index(drop=True)
            if parts
            else pd.DataFrame()
        )
    experiment_text = _read_text(folder / "experiment.toml", folder)
    stored = manifest.get("experiment_sha256")
    if stored is not None and stored != text_sha256(experiment_text):
        raise ResultsError(
            f"{folder / 'experiment.toml'} was edited after the sweep ran (its checksum differs from the "
            "manifest's); its runs were made by the experiment as it was: put that file back, or run the edited "
            "one as a new sweep"
        )
    table = _read_series(store, runs, experiment_text) if series else None
    return Results(
        folder=folder,
        runs=runs,
        design=_read_frame(folder / "design.parquet", folder),
        series=table,
        manifest=manifest,
        experiment_text=experiment_text,
    )


def _check_is_sweep_folder(folder: Path) -> None:
    """ResultsError (one line) unless ``folder`` looks like a sweep's results folder with its tables."""
    if not folder.is_dir():
        raise ResultsError(f"results folder not found: {folder}")
    if (left := leftover(folder)) is not None:
        raise ResultsError(left)
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


def read_manifest(folder: Path) -> dict[str, Any]:
    """A sweep folder's ``manifest.json``; ResultsError (one line) when it cannot be read as one."""
    path = folder / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ResultsError(f"{path} cannot be read as a manifest ({reason(err)})") from None
    if not isinstance(manifest, dict):
        raise ResultsError(f"{path} cannot be read as a manifest (expected a table)")
    return manifest


def _read_text(path: Path, folder: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ResultsError(f"{path} cannot be read ({reason(err)}); {folder} is not a whole results folder") from None


def _read_frame(path: Path, folder: Path, metadata_only: bool = False) -> pd.DataFrame:
    """A Parquet table of a results folder, read in full with its page checksums (or only its footer);
    ResultsError (one line, with the way to repair it) when the file is damaged."""
    try:
        if metadata_only:
            pq.read_metadata(path)
            return pd.DataFrame()
        return pd.read_parquet(path, page_checksum_verification=True)
    except UNREADABLE as err:
        raise ResultsError(
            f"{path} is damaged ({reason(err)}); {sim_command('sweep', '--resume', folder)} sets damaged parts aside "
            "and runs their runs again"
        ) from None


def _read_series(store: Store, runs: pd.DataFrame, experiment_text: str) -> pd.DataFrame | None:
    """The kept series of ``runs``, one row per run and month; ResultsError when an ok run has none (a
    series part lost or damaged)."""
    try:
        keep = tomllib.loads(experiment_text).get("keep_series", False) is True
    except tomllib.TOMLDecodeError:
        keep = bool(store.series_paths())
    if not keep and not store.series_paths():
        return None
    parts = [_read_frame(p, store.folder) for p in store.series_paths()]
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({"run_id": [], "step": []})
    if len(runs):
        table = table[table["run_id"].isin(runs["run_id"])]
        lost = set(runs.loc[runs["status"] == "ok", "run_id"]) - set(table["run_id"])
        if lost:
            raise ResultsError(
                f"{len(lost)} ok runs of {store.folder} have no series (a series part is missing or damaged); "
                f"{sim_command('sweep', '--resume', store.folder)} runs them again"
            )
    if not parts:
        return None
    return table.sort_values(["run_id", "step"], kind="stable").reset_index(drop=True)
