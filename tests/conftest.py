"""Shared helpers: a model at its first month, to test one decision on a situation you set by hand
(copy these to test your own rule changes).

Usage in a test::

    def test_something(fresh_model):
        model = fresh_model(**{"member.sovereignty": 3.0})   # parameters by dotted name
        model.threat["SOMS"] = 5.0                            # set the situation
        model.member_by["IDN"].patrol_areas()                 # call one decision
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import settings

from sim.model.region import RegionModel

# Property tests draw the same examples on every run and keep no database: a test run is repeatable
# (same code, same result and about the same time), and leaves no .hypothesis folder behind. Some random
# draws make runs with thousands of syndicates, which take minutes; with fixed draws none of those
# surprises a test run (run `pytest --hypothesis-profile=explore` to search afresh).
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False, database=None)
settings.load_profile("repeatable")


def build_fresh_model(*, rng: int = 1, **overrides: Any) -> RegionModel:
    """A RegionModel before its first month, without a spin-up: partners have no plan yet
    (call ``plan_year``), nobody has patrolled (call ``patrol``), the ledger is empty."""
    return RegionModel(rng=rng, **{"run.spinup": 0, **overrides})


@pytest.fixture
def fresh_model():
    """The factory ``fresh_model(*, rng=1, **overrides)``."""
    return build_fresh_model


# ---- slow tests ----------------------------------------------------------------------------------
# A test is slow (left out of `make check`, run by `make test`) when it is marked so, or when it uses one
# of these fixtures, each of which runs sweeps in worker processes or builds the package.

SLOW_FIXTURES = frozenset(
    {
        "small_sweep", "shocked_sweep", "parted_sweep", "big_reference",  # tests/test_sweep.py
        "layering", "withdrawal", "allocation", "screening",  # tests/test_plots.py
        "folders",  # tests/test_report.py
        "weights_results",  # tests/test_analysis.py
        "built",  # tests/test_packaging.py: the sdist and the wheel
        "ran",  # tests/test_tutorial.py: the tutorial's commands
    }
)  # fmt: skip


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


# ---- a test run that says where it is -------------------------------------------------------------
# Slow tests (marked ``slow``: process pools, Dask, calibrations, the app server, the browser, the
# notebook) can run for minutes. So that a long wait is never a silent stall, the process that reports
# (the only one, or xdist's controller) names, every STILL_RUNNING seconds, each test that has been
# running for longer than that.

STILL_RUNNING = 30.0


class _Watch:
    """Tests that have started and not finished, by node id, with the time each started."""

    def __init__(self, config: pytest.Config) -> None:
        import threading

        self.config = config
        self.started: dict[str, float] = {}
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.loop, name="still-running", daemon=True)
        self.thread.start()

    def loop(self) -> None:
        import time

        while not self.done.wait(STILL_RUNNING):
            now = time.monotonic()
            with self.lock:
                long = [(now - t, node) for node, t in self.started.items() if now - t >= STILL_RUNNING]
            reporter = self.config.pluginmanager.get_plugin("terminalreporter")
            for seconds, node in sorted(long, reverse=True):
                if reporter is not None:
                    reporter.write_line(f"  ... still running after {seconds:.0f} s: {node}", yellow=True)


_WATCH: list[_Watch] = []  # the watch of this process, when it is the one that reports


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # not an xdist worker
        _WATCH.append(_Watch(config))


def pytest_unconfigure(config: pytest.Config) -> None:
    while _WATCH:
        _WATCH.pop().done.set()


def pytest_runtest_logstart(nodeid: str, location: tuple[str, int | None, str]) -> None:
    import time

    watch = _WATCH[0] if _WATCH else None
    if watch is not None:
        with watch.lock:
            watch.started[nodeid] = time.monotonic()


def pytest_runtest_logfinish(nodeid: str, location: tuple[str, int | None, str]) -> None:
    watch = _WATCH[0] if _WATCH else None
    if watch is not None:
        with watch.lock:
            watch.started.pop(nodeid, None)
