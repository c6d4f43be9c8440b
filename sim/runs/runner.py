"""Running an experiment: every run of its design, in parallel, into a resumable store.

A sweep reads top-down: :class:`Sweep` (``create``, ``run``, ``finish``) holds the experiment, its
:class:`~sim.runs.store.Store` and its :class:`Execution` (executor, workers, scheduler), and owns what
it needs while it runs: the progress it shows (:class:`Progress`), the sink that writes finished runs
in parts (``_Sink``) and the errors that stop it (:class:`SweepInterrupted`, :class:`WorkersLost`). It
calls the store and the experiment's design; neither calls back.

One code path for every executor: runs are submitted through the ``concurrent.futures`` interface
to local processes (default) or to a Dask cluster (``client.get_executor()``; a ``LocalCluster`` when
no scheduler address is given). At most a few runs per worker are in flight, finished runs are
written to the store in parts, and nothing else is kept, so memory stays flat however many runs
there are. Each run depends only on its own seed and parameters, so results are identical, bit for
bit, whatever the executor, the number of workers and the order in which runs finish.

Before runs are added to a folder, every part in it is checked (``check_store``). A local worker
process that dies is replaced and its runs are run again (``_run_tasks``); workers end with the sweep
process, however it ends (``_start_worker``). A Dask scheduler must answer before anything is written
(``check_scheduler``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import contextlib
import logging
import multiprocessing as mp
import os
import socket
import sys
import time
import tomllib
import traceback
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.model.params import InputError
from sim.runs.experiment import Experiment, RunTask, check_design_size, parse_experiment
from sim.runs.extras import extra
from sim.runs.folders import check_new_folder, leftover, try_writing
from sim.runs.provenance import sim_command
from sim.runs.store import Store, cell, id_ranges, new_store, read_manifest, reason, text_sha256

EXECUTORS = ("process", "dask")


class SweepInterrupted(Exception):
    """A sweep stopped by SIGINT (Ctrl-C) or SIGTERM after saving every run it had finished."""

    def __init__(self, folder: Path, saved: int | None, total: int, status: int) -> None:
        what = "every run finished so far is" if saved is None else f"{saved} of {total} runs are"
        super().__init__(f"interrupted: {what} saved in {folder}")
        self.folder, self.saved, self.total, self.status = folder, saved, total, status


class WorkersLost(RuntimeError):
    """Worker processes died ``deaths`` times while the same runs were in flight: one of them probably
    kills its worker (out of memory?), so the sweep stops, its finished runs saved, instead of trying
    for ever."""

    def __init__(
        self, run_ids: list[int], deaths: int, folder: Path | None = None, saved: int = 0, total: int = 0
    ) -> None:
        ids = ", ".join(map(str, run_ids[:10])) + (" ..." if len(run_ids) > 10 else "")
        which = f"run {ids} was" if len(run_ids) == 1 else f"runs {ids} were"
        super().__init__(
            f"worker processes died {deaths} times while {which} in flight (killed, or out of memory?); "
            f"the sweep stopped with {saved} of {total} runs saved in {folder}; once the cause is found, resume "
            f"with: {sim_command('sweep', '--resume', str(folder))}"
        )
        self.run_ids = run_ids


@dataclass(frozen=True)
class Execution:
    """How a sweep's runs are executed: ``kind`` ``process`` (local processes) or ``dask``; ``workers``
    (default: every core); a Dask ``scheduler`` address (default: a LocalCluster on this machine).

    Checked when made, for the command line and the Python API alike: InputError (one line) for an
    unknown executor, workers that are not a whole number >= 1, a scheduler without the Dask executor;
    MissingExtra when Dask is asked for and not installed.
    """

    kind: str = "process"
    workers: int | None = None
    scheduler: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in EXECUTORS:
            raise InputError(f"executor must be one of {', '.join(EXECUTORS)}, got {self.kind!r}")
        if self.workers is not None:
            if isinstance(self.workers, bool) or not isinstance(self.workers, (int, np.integer)):
                raise InputError(f"workers must be a whole number, got {self.workers!r}")
            if self.workers < 1:
                raise InputError(f"workers must be at least 1, got {self.workers}")
        if self.scheduler is not None and self.kind != "dask":
            raise InputError("a scheduler address needs the dask executor")
        if self.kind == "dask":
            with extra("cluster"):
                import distributed  # noqa: F401

    def workers_for(self, runs: int) -> int:
        """Workers to start for ``runs`` runs: as asked (default: every core), but never more than the runs,
        and on this machine (local processes or a LocalCluster) never more than its cores. A remote Dask
        scheduler's workers are its own, so there only the runs cap applies."""
        cores = os.cpu_count() or 1
        workers = self.workers or cores
        if not (self.kind == "dask" and self.scheduler):
            workers = min(workers, cores)
        return max(1, min(workers, runs))


PART_RUNS = 200  # runs per part (at most)
PART_SECONDS = 10.0  # and at least this often while runs finish


@dataclass
class Outcome:
    """What a worker sends back: one row for runs.parquet and, if kept, the monthly series."""

    row: dict[str, Any]
    series: dict[str, np.ndarray] | None = field(default=None)


def run_task(task: RunTask) -> Outcome:
    """Make one run. Never raises: a failure is recorded with its traceback."""
    from sim.model.region import RegionModel

    start = time.perf_counter()
    row: dict[str, Any] = {
        "run_id": task.run_id,
        "point_id": task.point_id,
        "replicate": task.replicate,
        "seed": task.seed,
    }
    try:
        model = RegionModel(rng=task.seed, **task.overrides).run(task.steps)
        summary = model.summary()
        row.update({k: summary.get(k) for k in task.summaries})
        row.update(status="ok", error="")
        series = {k: np.asarray(v) for k, v in model.series().items()} if task.keep_series else None
    except Exception:
        row.update(dict.fromkeys(task.summaries))
        row.update(status="failed", error=traceback.format_exc())
        series = None
    row["duration_s"] = time.perf_counter() - start
    return Outcome(row=row, series=series)


@contextmanager
def _workers_skip_main() -> Iterator[None]:
    """Hide the caller's ``__main__`` (its ``__file__`` and ``__spec__``) while the workers run.

    multiprocessing makes each new worker import the parent's main script or module. A script that calls
    ``sim.sweep`` at its top level (a notebook saved as a script, one fed on standard input, one without an
    ``if __name__ == "__main__"`` guard) would then run its sweep again in every worker, and the workers
    would die. Workers run ``run_task`` from this package and never need the caller's ``__main__``."""
    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    hidden = {name: getattr(main, name) for name in ("__file__", "__spec__") if hasattr(main, name)}
    if "__file__" in hidden:
        del main.__file__  # multiprocessing reads it with getattr(..., None)
    if "__spec__" in hidden:
        main.__spec__ = None  # the import system expects the attribute to exist
    try:
        yield
    finally:
        for name, value in hidden.items():
            setattr(main, name, value)


@contextmanager
def make_executor(kind: str, workers: int, scheduler: str | None = None) -> Iterator[cf.Executor]:
    """A concurrent.futures executor: local processes, or Dask (a scheduler address or a LocalCluster).

    Local processes, and a LocalCluster's, fork from multiprocessing's forkserver, started so that it
    ignores Ctrl-C (:func:`_start_forkserver`): the sweep process alone answers it. A LocalCluster logs
    nothing below CRITICAL: what its workers report (a heartbeat that fails while the machine is busy or
    the cluster closes, with a traceback) is nothing a user can act on, and what matters about the runs
    (a run that fails, workers that die) the sweep says itself.
    """
    if kind == "process":
        if sys.platform == "win32":
            ctx = mp.get_context("spawn")
        else:  # workers fork from a server that has already imported the model (and Mesa)
            ctx = mp.get_context("forkserver")
            ctx.set_forkserver_preload(["sim.model.region", "sim.runs.runner"])
            _start_forkserver()
        with (
            _workers_skip_main(),
            cf.ProcessPoolExecutor(
                max_workers=workers, mp_context=ctx, initializer=_start_worker, initargs=(os.getpid(),)
            ) as pool,
        ):
            yield pool
    elif kind == "dask":
        with extra("cluster"):
            from distributed import Client, LocalCluster

        import dask

        with contextlib.ExitStack() as stack:
            if scheduler is None and sys.platform != "win32":  # (Dask's default, spawn, gives Ctrl-C to each)
                mp.get_context("forkserver").set_forkserver_preload(["sim.model.region", "sim.runs.runner"])
                _start_forkserver()
                stack.enter_context(dask.config.set({"distributed.worker.multiprocessing-method": "forkserver"}))
            with _ctrl_c_held():  # a cluster stopped half started fails to close at exit, with a traceback
                cluster = None
                if scheduler is None:
                    cluster = stack.enter_context(
                        LocalCluster(
                            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                            silence_logs=logging.CRITICAL,
                        )
                    )  # fmt: skip
                client = stack.enter_context(Client(scheduler or cluster))
            yield client.get_executor(pure=False)
    else:
        raise ValueError(f"executor must be one of {', '.join(EXECUTORS)}, got {kind!r}")


#: the warnings filter (``-W``) that keeps multiprocessing's resource tracker quiet about what it cleans up
QUIET_TRACKER = "ignore:resource_tracker:UserWarning"


def _start_forkserver() -> None:
    """Start multiprocessing's forkserver and its resource tracker now, with Ctrl-C ignored.

    Both are started from this process and sit in its process group, so Ctrl-C in the terminal reaches
    them too. The forkserver ignores it only once it has imported the model, a second or more: a Ctrl-C
    before that printed its traceback. Started with SIGINT ignored (inherited across exec, kept by
    Python), it never sees one; the sweep process handles Ctrl-C alone. And when a sweep process is
    killed (SIGKILL, out of memory), the tracker removes the semaphores it leaves and warns about them on
    the terminal, after the fact and with nothing for the user to do: ``-W`` options are passed on to
    these helpers, so the filter added here keeps that warning out.
    """
    import signal
    from multiprocessing import forkserver

    if QUIET_TRACKER not in sys.warnoptions:
        sys.warnoptions.append(QUIET_TRACKER)
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread, where Ctrl-C is not handled anyway
        forkserver.ensure_running()
        return
    # blocked as well as ignored while the forkserver starts: a Ctrl-C then stays pending (Linux keeps a
    # blocked signal even when ignored) and reaches this process once its handler is back, instead of
    # being lost (the sweep went on to the end)
    masked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)
        signal.pthread_sigmask(signal.SIG_SETMASK, masked)


#: seconds a Dask scheduler has to answer before a sweep is refused (nothing written)
SCHEDULER_TIMEOUT = 5.0


def check_scheduler(address: str, timeout: float | None = None) -> None:
    """Refuse (InputError, a ValueError; one line naming the scheduler) a Dask scheduler address that is malformed or
    where no scheduler answers within ``timeout`` seconds (default :data:`SCHEDULER_TIMEOUT`). A sweep
    calls this before it writes anything."""
    with extra("cluster"):
        from distributed.comm.addressing import get_address_host_port, parse_address

    timeout = SCHEDULER_TIMEOUT if timeout is None else timeout
    try:
        scheme, _ = parse_address(address)
        host, port = get_address_host_port(address)
    except ValueError as err:
        raise InputError(
            f"scheduler address {address!r} is not a Dask scheduler address such as tcp://HOST:8786 ({reason(err)})"
        ) from None
    try:
        socket.create_connection((host, port), timeout=timeout).close()  # a closed port says so at once
    except OSError as err:
        raise InputError(
            f"no Dask scheduler answers at {address} within {timeout:g} s ({reason(err)}); nothing was written"
        ) from None
    if scheme == "tcp":  # and what answers must speak Dask's protocol
        try:
            with cf.ThreadPoolExecutor(1) as thread:  # its own event loop, even inside a notebook's
                thread.submit(asyncio.run, _handshake(address, timeout)).result()
        except TimeoutError:
            raise InputError(
                f"something listens at {address} but does not answer as a Dask scheduler within {timeout:g} s; "
                "nothing was written"
            ) from None
        except Exception as err:  # what it said is not a Dask message
            raise InputError(
                f"something listens at {address} but is not a Dask scheduler ({type(err).__name__}); "
                "nothing was written"
            ) from None


async def _handshake(address: str, timeout: float) -> None:
    """Open a Dask connection to ``address`` (its handshake answered) and close it."""
    from distributed.comm import connect

    comm = await asyncio.wait_for(connect(address, timeout=timeout), timeout)
    await comm.close()


def _series_frame(outcomes: list[Outcome]) -> pd.DataFrame | None:
    frames = []
    for o in outcomes:
        if o.series is None:
            continue
        n = len(next(iter(o.series.values())))
        frame = pd.DataFrame(o.series)
        frame.insert(0, "step", np.arange(1, n + 1))
        frame.insert(0, "run_id", o.row["run_id"])
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else None


class Terminated(BaseException):
    """Raised in the sweep process by its SIGTERM handler (``terminate_as_interrupt``)."""


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """While a sweep runs, SIGTERM stops it the way Ctrl-C does (finished runs saved) instead of killing
    it on the spot; the previous handler comes back afterwards."""
    import signal

    def handler(signum: int, frame: Any) -> None:
        raise Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _start_worker(sweep_pid: int) -> None:
    """Worker initialiser. Ctrl-C in the terminal goes to the whole process group: workers leave it to
    the sweep process, which saves what is finished and stops them. And a worker ends when the sweep
    process ends, however it ends (even by SIGKILL): it would otherwise wait for work for ever, and keep
    the forkserver alive with it."""
    import signal
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform != "win32":
        threading.Thread(target=_end_with, args=(sweep_pid,), name="end-with-sweep", daemon=True).start()


def process_alive(pid: int) -> bool:
    """Whether a process with this id exists (on this machine)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _end_with(pid: int) -> None:
    """End this process as soon as process ``pid`` has ended: on Linux by waiting on a pidfd (woken the
    moment it ends), elsewhere by looking every second."""
    import select

    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        os._exit(1)
    except (AttributeError, OSError):  # not Linux 5.3 or later
        while process_alive(pid):
            time.sleep(1.0)
        os._exit(1)
    select.select([fd], [], [])
    os._exit(1)


#: seconds between two progress lines when stderr is not a terminal (nohup, CI, a pipe)
PROGRESS_INTERVAL = 30.0


class Progress:
    """Progress on stderr, unless quiet: on a terminal a bar with rate and time left; elsewhere (nohup,
    CI, a pipe) a plain line every ``interval`` seconds: runs done, rate, time left."""

    def __init__(
        self, total: int, done: int, quiet: bool, interval: float = PROGRESS_INTERVAL, stream: Any = None
    ) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.total, self.done, self.first = total, done, done
        self.interval = interval
        self.start = self.last = time.monotonic()
        self.bar = None
        self.lines = False
        if quiet:
            return
        if self.stream.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=done, unit="run", file=self.stream, smoothing=0.1)
        else:
            self.lines = True

    def update(self, n: int = 1) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
        elif self.lines and time.monotonic() - self.last >= self.interval:
            self.last = time.monotonic()
            self.stream.write(self.line() + "\n")
            self.stream.flush()

    def line(self) -> str:
        """'progress: 120/480 runs (25%), 8.1 runs/s, about 44 s left'."""
        rate = (self.done - self.first) / max(time.monotonic() - self.start, 1e-9)
        left = (self.total - self.done) / rate if rate > 0 else float("inf")
        when = "unknown" if left == float("inf") else (f"{left:.0f} s" if left < 120 else f"{left / 60:.0f} min")
        share = self.done / self.total if self.total else 1.0
        return f"progress: {self.done}/{self.total} runs ({share:.0%}), {rate:.1f} runs/s, about {when} left"

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class Sweep:
    """One sweep: an experiment, the store its runs go into, and how they are executed.

    The sweep owns what it needs while it runs (the progress it shows, the sink that writes finished runs
    in parts, the errors that stop it) and calls the store and the experiment's design, which never call
    back. ``create`` lays out a new store, ``resume`` takes up a stored one; ``finish`` runs what is missing
    and completes the folder, under the folder's lock (held for a whole block with ``with sweep:``)::

        sweep = Sweep.create(load_experiment("experiments/layering.toml"), "out", Execution(workers=2))
        counts = sweep.finish()
    """

    def __init__(self, experiment: Experiment, store: Store, execution: Execution | None = None, quiet: bool = False):
        self.experiment, self.store = experiment, store
        self.execution = Execution() if execution is None else execution
        self.quiet = quiet
        self.resuming = False  # set by resume: finish records the resume in the manifest
        self.allow_code_change = False
        self._lock: contextlib.AbstractContextManager[None] | None = None

    def __enter__(self) -> Sweep:
        """Hold the folder's lock (``Store.lock``) for the block: a sweep already writing there is refused
        (InputError) before anything is printed or written. ``finish`` takes it by itself when not held."""
        lock = self.store.lock()
        lock.__enter__()
        self._lock = lock
        return self

    def __exit__(self, *exc: object) -> None:
        lock, self._lock = self._lock, None
        if lock is not None:
            lock.__exit__(None, None, None)

    @classmethod
    def create(
        cls,
        experiment: Experiment,
        out: str | Path | None = None,
        execution: Execution | None = None,
        *,
        large: bool = False,
        quiet: bool = False,
        argv: list[str] | None = None,
        experiment_file: str = "",
        root: Path = Path("results"),
    ) -> Sweep:
        """A new sweep of ``experiment`` in ``out`` (new or empty; by default ``root/<name>/<UTC stamp>``):
        the experiment file as given, the design table and a manifest (status "running", provenance, the
        workers that will be started).

        Raises InputError (one line), before anything is written: a design past :data:`MAX_RUN_MONTHS`
        run-months unless ``large``, an output folder that is not new or empty, a Dask scheduler that
        does not answer, an experiment without its source text.
        """
        from sim.runs.provenance import provenance, utc_now

        execution = Execution() if execution is None else execution
        if not experiment.source:
            raise InputError("the experiment has no source text to store; load it with load_experiment(path)")
        check_design_size(experiment, large=large)
        if out is not None:
            check_new_folder(Path(out))
        if execution.scheduler:
            check_scheduler(execution.scheduler)
        manifest = {
            "kind": "sweep",
            "experiment": experiment.name,
            "experiment_file": experiment_file,
            "status": "running",
            "points": len(experiment.points),
            "replications": experiment.replications,
            "runs": experiment.n_runs,
            "seed": experiment.seed,
            "steps": experiment.steps,
            "executor": execution.kind,
            "workers": execution.workers_for(experiment.n_runs),
            "started_utc": utc_now().isoformat(),
            "experiment_sha256": text_sha256(experiment.source),
            **provenance(argv),
        }
        store = new_store(
            None if out is None else Path(out), experiment.source, design_table(experiment), manifest,
            parent=root / experiment.name,
        )  # fmt: skip
        return cls(experiment, store, execution, quiet)

    @classmethod
    def resume(
        cls,
        folder: str | Path,
        execution: Execution | None = None,
        *,
        quiet: bool = False,
        allow_code_change: bool = False,
    ) -> Sweep:
        """The sweep stored in ``folder`` (interrupted, or finished: then ``finish`` checks that every run is
        there), to finish with ``finish``.

        Raises InputError (one line), before anything in the folder changes: a folder that is not a
        sweep's, an experiment file edited in it since the sweep started (resuming would remap its runs),
        the model's code changed since (mixing two versions) unless ``allow_code_change`` (``finish``
        records it), a folder nothing can be written in, a Dask scheduler that does not answer.
        """
        folder = Path(folder)
        execution = Execution() if execution is None else execution
        experiment = stored_experiment(folder)
        check_resumable(folder, experiment.source, read_manifest(folder), allow_code_change)
        try_writing(folder)
        if execution.scheduler:
            check_scheduler(execution.scheduler)
        sweep = cls(experiment, Store(folder), execution, quiet)
        sweep.resuming, sweep.allow_code_change = True, allow_code_change
        return sweep

    def run(self, runner: Callable[[RunTask], Outcome] | None = None) -> dict[str, int]:
        """Run every run of the experiment not yet in the store; returns counts by status (this call).

        However the sweep stops (Ctrl-C, SIGTERM, workers that keep dying, an error), the runs it finished
        are written first. ``runner`` is the function each worker calls (default :func:`run_task`; tests
        give one that fails on purpose).
        """
        experiment, store = self.experiment, self.store
        runner = run_task if runner is None else runner
        done = check_store(experiment, store)
        manifest = store.manifest() if self.resuming else {}
        if manifest.get("resumes"):  # which runs were done before: the report says which code made which run
            manifest["resumes"][-1]["runs_done_before"] = id_ranges(done)
            store.write_manifest(manifest)
        workers = self.execution.workers_for(experiment.n_runs - len(done))
        sink = _Sink(store, experiment, Progress(experiment.n_runs, len(done), self.quiet))
        try:
            if experiment.n_runs > len(done):
                queue = TaskQueue(t for t in experiment.iter_tasks() if t.run_id not in done)  # lazily: flat memory
                execution = self.execution
                _run_tasks(
                    queue, lambda: make_executor(execution.kind, workers, execution.scheduler), runner,
                    max(2, 4 * workers), sink,
                )  # fmt: skip
            sink.flush()
        except (KeyboardInterrupt, Terminated) as stop:
            sink.flush()  # (already done when the stop came while runs were in flight)
            status = 143 if isinstance(stop, Terminated) else 130
            raise SweepInterrupted(store.folder, len(done) + sink.recorded, experiment.n_runs, status) from None
        except WorkersLost as lost:
            sink.flush()
            saved = len(done) + sink.recorded
            raise WorkersLost(lost.run_ids, MAX_WORKER_DEATHS, store.folder, saved, experiment.n_runs) from None
        except BaseException:
            sink.flush()
            raise
        finally:
            sink.progress.close()
        return sink.counts

    def finish(self, runner: Callable[[RunTask], Outcome] | None = None) -> dict[str, int]:
        """Run what is missing, merge the parts into ``runs.parquet`` (and the series) and mark the manifest
        complete; returns the counts by status of the whole sweep. The folder's lock is held throughout:
        a second sweep or resume on it is refused (InputError) before anything is written."""
        from sim.runs.provenance import code_sha256, git_commit, utc_now

        with contextlib.ExitStack() as held:
            if self._lock is None:
                held.enter_context(self)
            if self.resuming:
                manifest = self.store.manifest()
                now, code = utc_now().isoformat(), code_sha256()
                manifest.setdefault("resumed_utc", []).append(now)
                made_by = {"utc": now, "git_commit": git_commit(), "code_sha256": code}
                manifest.setdefault("resumes", []).append(made_by)  # ``run`` adds the runs it finds done
                if self.allow_code_change and manifest.get("code_sha256") != code:
                    manifest.setdefault("code_changes_allowed", []).append(made_by)
                manifest["status"] = "running"
                self.store.write_manifest(manifest)
            self.run(runner)
            counts = self.store.consolidate()
            manifest = self.store.manifest()
            manifest.update(status="complete", finished_utc=utc_now().isoformat(), counts=counts)
            self.store.write_manifest(manifest)
        return counts


def stored_experiment(folder: Path) -> Experiment:
    """The experiment stored in a sweep folder; InputError (one line) when the folder is not a sweep's
    (its experiment file, manifest, design table or parts missing) or its experiment file cannot be read."""
    needed = ("experiment.toml", "manifest.json", "design.parquet", "parts")
    missing = [name for name in needed if not (folder / name).exists()]
    if (left := leftover(folder)) is not None:
        raise InputError(left)
    if not folder.is_dir() or missing:
        raise InputError(f"{folder} is not a sweep results folder (missing {', '.join(missing) or 'the folder'})")
    path = folder / "experiment.toml"
    try:
        text = path.read_text(encoding="utf-8")
        return parse_experiment(tomllib.loads(text), source=text, where=str(path), large=True)  # accepted before
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise InputError(f"{path} cannot be read as an experiment: {err}") from None


def check_resumable(folder: Path, experiment_text: str, manifest: Mapping[str, Any], allow_code_change: bool) -> None:
    """Refuse (InputError) a resume that would mix what it cannot: an experiment file edited in the folder
    since the sweep started, or a different version of the model's code (unless allowed, and recorded)."""
    from sim.runs.provenance import code_sha256

    stored = manifest.get("experiment_sha256")
    if stored is not None and stored != text_sha256(experiment_text):
        raise InputError(
            f"{folder / 'experiment.toml'} was edited after the sweep started; resuming would remap its runs. "
            "Start a new sweep with the edited file instead"
        )
    code = manifest.get("code_sha256")
    if code is not None and code != code_sha256() and not allow_code_change:
        raise InputError(
            f"the model's code changed since the sweep in {folder} started (code checksum differs); resuming "
            "would mix results from two versions. Pass --allow-code-change to resume anyway (it is recorded)"
        )


class _Sink:
    """Where finished runs go: counted, shown in the progress, and written in parts (every
    :data:`PART_RUNS` runs, at least every :data:`PART_SECONDS` seconds, and whenever asked)."""

    def __init__(self, store: Store, experiment: Experiment, progress: Progress) -> None:
        self.store, self.progress = store, progress
        self.varying = {
            p: {k: cell(v) for k, v in experiment.point_columns(p).items()} for p in range(len(experiment.points))
        }
        self.counts = {"ok": 0, "failed": 0}
        self.seq = store.next_seq()
        self.buffer: list[Outcome] = []
        self.last_flush = time.monotonic()

    @property
    def recorded(self) -> int:
        return self.counts["ok"] + self.counts["failed"]

    def record(self, outcome: Outcome) -> None:
        self.counts[outcome.row["status"]] += 1
        self.buffer.append(outcome)
        self.progress.update()

    def flush(self, only_if_due: bool = False) -> None:
        """Write the buffered runs as one part (runs and series); ``only_if_due``: only when it is time."""
        if only_if_due and len(self.buffer) < PART_RUNS and time.monotonic() - self.last_flush < PART_SECONDS:
            return
        if self.buffer:
            rows = [{**o.row, **self.varying[o.row["point_id"]]} for o in self.buffer]
            self.store.write_part(self.seq, rows, _series_frame(self.buffer))
            self.seq += 1
            self.buffer = []
        self.last_flush = time.monotonic()


class TaskQueue:
    """The runs still to submit: runs handed back (their worker died) first, then the rest, lazily."""

    def __init__(self, tasks: Iterator[RunTask]) -> None:
        self.back: deque[RunTask] = deque()
        self.rest = tasks

    def pop(self) -> RunTask | None:
        return self.back.popleft() if self.back else next(self.rest, None)

    def hand_back(self, tasks: list[RunTask]) -> None:
        self.back.extendleft(reversed(tasks))


#: a run in flight when worker processes died this many times stops the sweep (WorkersLost)
MAX_WORKER_DEATHS = 3


def _run_tasks(
    queue: TaskQueue, new_pool: Callable[[], Any], runner: Callable[[RunTask], Outcome], window: int, sink: _Sink
) -> None:
    """Run every task of ``queue`` in a pool from ``new_pool``, ``window`` at a time, into ``sink``.

    A worker process that dies (killed, out of memory) breaks a local process pool: the runs that came
    back are kept, the rest are handed back, and a fresh pool takes over. Runs in flight at
    :data:`MAX_WORKER_DEATHS` such deaths raise WorkersLost. Anything else that stops the loop (Ctrl-C,
    SIGTERM, an error) writes the finished runs, cancels the runs not started and goes up.
    """
    deaths: Counter[int] = Counter()
    while True:
        inflight: dict[cf.Future, RunTask] = {}
        with new_pool() as pool:
            try:
                _drain(pool, queue, runner, window, inflight, sink)
                return
            except cf.BrokenExecutor:
                pass  # the pool is shut down on leaving the block; then every future is settled
            except BaseException:
                _salvage(inflight, sink)  # runs that came back, not yet taken (a Dask result may trail an error)
                sink.flush()  # every finished run is saved before anything else happens
                _cancel(pool, inflight)
                raise
        lost = _salvage(inflight, sink)
        sink.flush()
        queue.hand_back(lost)
        deaths.update(t.run_id for t in (lost or list(queue.back)[:1]))  # (a pool that broke on submit)
        doomed = sorted(run_id for run_id, n in deaths.items() if n >= MAX_WORKER_DEATHS)
        if doomed:
            raise WorkersLost(doomed, MAX_WORKER_DEATHS)


def _drain(
    pool: cf.Executor,
    queue: TaskQueue,
    runner: Callable[[RunTask], Outcome],
    window: int,
    inflight: dict[cf.Future, RunTask],
    sink: _Sink,
) -> None:
    """Keep ``window`` runs in flight until ``queue`` is empty and every run is in ``sink``."""
    _top_up(pool, queue, runner, window, inflight)
    while inflight:
        finished, _ = cf.wait(inflight, timeout=PART_SECONDS, return_when=cf.FIRST_COMPLETED)
        for future in sorted(finished, key=_went_wrong):  # the runs that came back first, then any error
            outcome = future.result()  # BrokenProcessPool if its worker died
            del inflight[future]
            sink.record(outcome)
        _top_up(pool, queue, runner, window, inflight)
        sink.flush(only_if_due=True)


def _went_wrong(future: cf.Future) -> bool:
    return future.cancelled() or future.exception() is not None


def _top_up(
    pool: cf.Executor,
    queue: TaskQueue,
    runner: Callable[[RunTask], Outcome],
    window: int,
    inflight: dict[cf.Future, RunTask],
) -> None:
    """Submit runs from ``queue`` until ``window`` are in flight; a run the pool refuses goes back."""
    while len(inflight) < window:
        task = queue.pop()
        if task is None:
            return
        try:
            with _ctrl_c_held():  # a submit may start a worker process
                inflight[pool.submit(runner, task)] = task
        except BaseException:
            queue.hand_back([task])
            raise


@contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """Hold a Ctrl-C that comes during the block until the block ends, then deliver it.

    Stopped half-way through starting a worker process, a sweep would exit while the worker is still
    reading its set-up, and the worker, finding the pool's semaphores removed, would print a traceback.
    """
    import signal

    came: list[int] = []
    try:
        previous = signal.signal(signal.SIGINT, lambda signum, frame: came.append(signum))
    except ValueError:  # not the main thread, where Ctrl-C is not handled anyway
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if came:
            signal.raise_signal(signal.SIGINT)


def _salvage(inflight: dict[cf.Future, RunTask], sink: _Sink) -> list[RunTask]:
    """After a pool broke or the loop stopped: record the runs whose results came back; return the others,
    by run id."""
    lost = []
    for future, task in inflight.items():
        if future.done() and not future.cancelled() and future.exception() is None:
            sink.record(future.result())
        else:
            lost.append(task)
    return sorted(lost, key=lambda t: t.run_id)


def _cancel(pool: cf.Executor, inflight: dict[cf.Future, RunTask]) -> None:
    """Cancel the runs not yet started; those running end with their run (workers ignore Ctrl-C)."""
    for future in inflight:
        future.cancel()
    if isinstance(pool, cf.ProcessPoolExecutor):  # (Dask's executor has no cancel_futures)
        pool.shutdown(wait=False, cancel_futures=True)


def check_store(experiment: Experiment, store: Store) -> set[int]:
    """Check a sweep's folder before runs are added to it; returns the run ids recorded in sound parts.

    Every part is read in full and checked against its pair (:meth:`Store.check_parts`), and the design
    table must read (a damaged one is set aside and written again from the experiment). What was found
    is said in one line on stderr and noted in the manifest; the runs of damaged parts are run again.
    """
    check = store.check_parts(experiment.n_runs, experiment.keep_series, experiment.steps)
    damaged_design = store.check_design(design_table(experiment))
    if damaged_design:
        check.problems.append(damaged_design)
    if check.problems:
        line = check.line(store.folder, experiment.n_runs - len(check.done))
        print(f"warning: {line}", file=sys.stderr)
        store.add_note("repairs", {"utc": _utc(), "found": line})
    return check.done


def _utc() -> str:
    from sim.runs.provenance import utc_now

    return utc_now().isoformat()


def design_table(experiment: Experiment) -> pd.DataFrame:
    """One row per design point: point_id, label, each bundle factor's level, and every varying parameter."""
    rows = [
        {"point_id": p, "label": experiment.labels[p], **{k: cell(v) for k, v in experiment.point_columns(p).items()}}
        for p in range(len(experiment.points))
    ]
    return pd.DataFrame.from_records(rows)
