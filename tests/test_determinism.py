"""Same seed, same result, bit for bit (also in another process); different seeds differ."""

import concurrent.futures as cf
import multiprocessing as mp

import numpy as np

from sim import RegionModel, make_params
from sim.model.metrics import AREAS, METRICS
from sim.model.streams import Streams

OVERRIDES = {"policy.JPN.asean_coordination": 0.2, "shocks": [{"step": 10, "kind": "withdraw", "state": "AUS"}]}


def series(seed, steps=30, **overrides):
    model = RegionModel(rng=seed, **overrides).run(steps)
    return {k: np.asarray(v) for k, v in model.series().items()}


def run_in_child(seed):
    return series(seed, **OVERRIDES)


def assert_identical(a, b):
    assert a.keys() == b.keys() == METRICS.keys()
    for k in a:
        assert np.array_equal(a[k], b[k]), k


def test_same_seed_gives_identical_series():
    assert_identical(series(7, **OVERRIDES), series(7, **OVERRIDES))


def test_different_seeds_differ():
    a, b = series(7), series(8)
    assert not np.array_equal(a["incidents"], b["incidents"])


def test_seed_synonym_and_recorded_seed():
    assert_identical(series(5), {k: np.asarray(v) for k, v in RegionModel(seed=5).run(30).series().items()})
    assert RegionModel(rng=None).seed != RegionModel(rng=None).seed  # fresh entropy, recorded on the model


def test_rerun_from_recorded_parameters_is_identical():
    """What a manifest stores (seed + every resolved parameter) reproduces the run."""
    first = RegionModel(rng=11, **OVERRIDES).run(30)
    again = RegionModel(rng=first.seed, params=make_params(first.p.to_dict())).run(30)
    assert_identical(
        {k: np.asarray(v) for k, v in first.series().items()}, {k: np.asarray(v) for k, v in again.series().items()}
    )


def test_identical_in_a_spawned_process():
    with cf.ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn")) as pool:
        child = pool.submit(run_in_child, 3).result(timeout=120)
    assert_identical(series(3, **OVERRIDES), child)


def test_named_streams_are_independent_of_use_order():
    """Drawing from one stream does not shift another: adding a rule leaves other draws unchanged."""
    a, b = Streams(99), Streams(99)
    b["some_new_rule"].random(1000)
    assert np.array_equal(a["threats"].random(10), b["threats"].random(10))
    assert not np.array_equal(Streams(99)["threats"].random(10), Streams(99)["response"].random(10))


def test_a_parameter_change_leaves_robbery_of_month_one_unchanged():
    """Common random numbers: without a spin-up, month 1's robberies meet the same patrols whatever
    China does, and are drawn from their own stream, so a change to China leaves them unchanged."""
    a = series(21, steps=1, **{"run.spinup": 0})
    b = series(21, steps=1, **{"run.spinup": 0, "china.shipdays": 400.0, "escalation.climb": 0.9})
    assert all(a[f"incidents_{area}"][0] == b[f"incidents_{area}"][0] for area in AREAS)
    assert a["ccg_shipdays"][0] != b["ccg_shipdays"][0]


def test_a_finished_model_is_freed():
    """No global registry keeps a model alive (mesa 3.3.1's Agent._ids did: mesa issue #3179), so a
    sweep worker's memory does not grow with the number of runs it makes."""
    import gc
    import weakref

    model = RegionModel(rng=2).run(3)
    ref = weakref.ref(model)
    del model
    gc.collect()
    assert ref() is None
