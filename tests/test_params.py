"""Parameters: every bad input gets a one-line ParameterError naming the problem; good input is frozen and typed."""

import json
import math
import pickle
import re
from pathlib import Path

import numpy as np
import pytest

import sim
from sim import RegionModel
from sim.model.params import LAYERS, PARTNERS, SPECS, ParameterError, Params, make_params

DATA = Path(sim.__file__).parent / "model" / "data"


def shock(**fields):
    """A valid shock with some fields replaced (a field set to None is left out)."""
    out = {"step": 5, "kind": "withdraw", "state": "USA"}
    out.update(fields)
    return {k: v for k, v in out.items() if v is not None}


def exact(message):
    """A pytest.raises(match=...) pattern for exactly this message."""
    return "^" + re.escape(message) + "$"


# (overrides, the whole message); id first for readable test names
BAD = [
    # --- names ---------------------------------------------------------------------------------
    (
        "unknown-with-suggestion",
        {"policy.JPN.quadd": True},
        "unknown parameter 'policy.JPN.quadd' (did you mean 'policy.JPN.quad'?)",
    ),
    (
        "unknown-dotted-suggestion",
        {"member.sovereignity": 1.0},
        "unknown parameter 'member.sovereignity' (did you mean 'member.sovereignty'?)",
    ),
    ("unknown-no-close-match", {"zzz.nothing": 1}, "unknown parameter 'zzz.nothing'"),
    # --- bool ----------------------------------------------------------------------------------
    ("bool-given-int", {"policy.JPN.quad": 1}, "parameter 'policy.JPN.quad' must be true or false, got 1"),
    (
        "bool-given-zero",
        {"asean.include_timor_leste": 0},
        "parameter 'asean.include_timor_leste' must be true or false, got 0",
    ),
    (
        "bool-given-string",
        {"policy.JPN.quad": "true"},
        "parameter 'policy.JPN.quad' must be true or false, got 'true'",
    ),
    # --- float ---------------------------------------------------------------------------------
    (
        "float-given-string",
        {"member.sovereignty": "2"},
        "parameter 'member.sovereignty' must be a number in [0, 10], got '2'",
    ),
    (
        "float-given-bool",
        {"member.sovereignty": True},
        "parameter 'member.sovereignty' must be a number in [0, 10], got True",
    ),
    (
        "float-given-none",
        {"member.sovereignty": None},
        "parameter 'member.sovereignty' must be a number in [0, 10], got None",
    ),
    (
        "float-given-nan",
        {"member.sovereignty": math.nan},
        "parameter 'member.sovereignty' must be a finite number in [0, 10], got nan",
    ),
    (
        "float-given-inf",
        {"member.sovereignty": math.inf},
        "parameter 'member.sovereignty' must be a finite number in [0, 10], got inf",
    ),
    (
        "float-given-minus-inf",
        {"crime.capacity": -math.inf},
        "parameter 'crime.capacity' must be a finite number in [1, 10000], got -inf",
    ),
    (
        "float-below-lo",
        {"member.sovereignty": -0.1},
        "parameter 'member.sovereignty' must be in [0, 10], got -0.1",
    ),
    (
        "float-above-hi",
        {"member.sovereignty": 10.5},
        "parameter 'member.sovereignty' must be in [0, 10], got 10.5",
    ),
    (
        "float-below-positive-lo",
        {"member.noise": 0.001},
        "parameter 'member.noise' must be in [0.01, 10], got 0.001",
    ),
    (
        "float-int-above-hi",
        {"policy.USA.budget": 3e9},
        "parameter 'policy.USA.budget' must be in [0, 2e+09], got 3e+09",
    ),
    # --- int -----------------------------------------------------------------------------------
    (
        "int-given-fraction",
        {"metrics.warmup": 2.5},
        "parameter 'metrics.warmup' must be a whole number in [0, 10000], got 2.5",
    ),
    (
        "int-given-bool",
        {"china.memory": True},
        "parameter 'china.memory' must be a whole number in [1, 120], got True",
    ),
    (
        "int-given-string",
        {"china.memory": "2"},
        "parameter 'china.memory' must be a whole number in [1, 120], got '2'",
    ),
    (
        "int-given-nan",
        {"metrics.warmup": math.nan},
        "parameter 'metrics.warmup' must be a whole number in [0, 10000], got nan",
    ),
    ("int-below-lo", {"metrics.recovery_window": 0}, "parameter 'metrics.recovery_window' must be in [1, 120], got 0"),
    ("int-above-hi", {"china.memory": 121}, "parameter 'china.memory' must be in [1, 120], got 121"),
    # --- choices -------------------------------------------------------------------------------
    (
        "choice-bad",
        {"policy.JPN.mode": "random"},
        "parameter 'policy.JPN.mode' must be one of 'fixed', 'adaptive', got 'random'",
    ),
    (
        "choice-not-string",
        {"policy.USA.mode": 3},
        "parameter 'policy.USA.mode' must be one of 'fixed', 'adaptive', got 3",
    ),
    # --- shocks --------------------------------------------------------------------------------
    ("shocks-not-list-str", {"shocks": "withdraw USA"}, None),
    ("shocks-not-list-dict", {"shocks": shock()}, None),
    ("shock-not-table", {"shocks": [5]}, "shocks[0] must be a table with keys step, kind, state; got 5"),
    (
        "shock-unknown-key",
        {"shocks": [shock(step=None, stpe=5)]},
        "shocks[0] has unknown key 'stpe' (did you mean 'step'?)",
    ),
    ("shock-unknown-key-no-match", {"shocks": [shock(zzz=1)]}, "shocks[0] has unknown key 'zzz'"),
    ("shock-missing-key", {"shocks": [shock(state=None)]}, "shocks[0] is missing key 'state'"),
    (
        "shock-step-0",
        {"shocks": [shock(step=0)]},
        "shocks[0].step must be a whole number of months >= 1, got 0",
    ),
    (
        "shock-step-negative",
        {"shocks": [shock(step=-1)]},
        "shocks[0].step must be a whole number of months >= 1, got -1",
    ),
    (
        "shock-step-bool",
        {"shocks": [shock(step=True)]},
        "shocks[0].step must be a whole number of months >= 1, got True",
    ),
    (
        "shock-step-fraction",
        {"shocks": [shock(step=2.5)]},
        "shocks[0].step must be a whole number of months >= 1, got 2.5",
    ),
    (
        "shock-second-bad",
        {"shocks": [shock(), shock(step="60")]},
        "shocks[1].step must be a whole number of months >= 1, got '60'",
    ),
    ("shock-bad-kind", {"shocks": [shock(kind="join")]}, "shocks[0].kind must be one of 'withdraw', got 'join'"),
    (
        "shock-bad-state",
        {"shocks": [shock(state="CHN")]},
        "shocks[0].state must be a partner, one of JPN, USA, AUS, IND, got 'CHN'",
    ),
    (
        "shock-date-and-step",
        {"shocks": [shock(date="2030-01")]},
        "shocks[0] needs either 'step' or 'date' (YYYY-MM), not both or neither",
    ),
    (
        "shock-date-before-start",
        {"shocks": [shock(step=None, date="2024-12")]},
        "shocks[0].date 2024-12 is before run.start 2025-01",
    ),
    (
        "shock-bad-date",
        {"shocks": [shock(step=None, date="2030-13")]},
        "parameter 'shocks[0].date' must be a month like '2025-01', got '2030-13'",
    ),
    ("run-start-bad", {"run.start": "2025/01"}, "parameter 'run.start' must be a month like '2025-01', got '2025/01'"),
    # --- combinations --------------------------------------------------------------------------
    (
        "allocation-zero-all-layers",
        {f"policy.USA.allocation.{layer}": 0.0 for layer in LAYERS},
        "policy.USA.allocation is zero for every active layer (quad, bilateral, forums, capacity); "
        "give one a positive weight",
    ),
    (
        "allocation-only-on-inactive-layer",  # a switched-off layer's weight does not count
        {
            "policy.AUS.bilateral": False,
            "policy.AUS.allocation.quad": 0.0,
            "policy.AUS.allocation.bilateral": 1.0,
            "policy.AUS.allocation.forums": 0.0,
            "policy.AUS.allocation.capacity": 0.0,
        },
        "policy.AUS.allocation is zero for every active layer (quad, forums, capacity); give one a positive weight",
    ),
    (
        "metrics-weight-all-zero",
        {f"metrics.weight.{k}": 0 for k in ("security", "coercion", "cohesion")},
        "metrics.weight is zero for every component; give one a positive weight",
    ),
]


@pytest.mark.parametrize(("overrides", "message"), [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_bad_input_gets_its_message(overrides, message):
    pattern = exact(message) if message else r"^parameter 'shocks' must be a list of tables"
    with pytest.raises(ParameterError, match=pattern) as err:
        make_params(overrides)
    assert "\n" not in str(err.value) and "\r" not in str(err.value)


@pytest.mark.parametrize(("overrides", "message"), [case[1:] for case in BAD[:3]], ids=[case[0] for case in BAD[:3]])
def test_model_keywords_are_checked_the_same_way(overrides, message):
    with pytest.raises(ParameterError, match=exact(message)):
        RegionModel(rng=1, **overrides)


def test_parameter_error_is_a_value_error():
    with pytest.raises(ValueError, match="unknown parameter"):
        make_params({"nope": 1})


def test_shocks_not_a_list_message_reads_well():
    with pytest.raises(ParameterError) as err:
        make_params({"shocks": "withdraw USA"})
    assert "like , e.g." not in str(err.value)


@pytest.mark.parametrize("name", ["member.sovereignty", "metrics.warmup"])
def test_huge_integer_is_a_parameter_error(name):
    with pytest.raises(ParameterError, match=name):
        make_params({name: 10**400})


@pytest.mark.parametrize(
    "overrides", [{"policy.JPN.quadd\n": True}, {"shocks": [shock(**{"x\ny": 1})]}], ids=["name", "shock-key"]
)
def test_message_is_one_line_even_for_odd_names(overrides):
    with pytest.raises(ParameterError) as err:
        make_params(overrides)
    assert "\n" not in str(err.value)


# ---- good input ----------------------------------------------------------------------------------


def test_defaults_are_valid():
    p = make_params()
    assert isinstance(p, Params)
    assert set(p) == set(SPECS)
    assert len(p) == len(SPECS)
    for name, spec in SPECS.items():
        if name == "shocks":
            assert p[name] == ()
        else:
            assert p[name] == spec.default, name
            assert type(p[name]) is type(spec.default), name
    assert p.changed() == {}
    assert make_params({}).to_dict() == make_params(None).to_dict() == p.to_dict()


def test_params_is_frozen():
    p = make_params({"shocks": [shock()]})
    with pytest.raises((AttributeError, TypeError), match="frozen"):
        p.x = 1
    with pytest.raises(TypeError, match="frozen"):
        p["member.sovereignty"] = 2.0
    with pytest.raises(TypeError, match="frozen"):
        p["brand.new"] = 2.0
    with pytest.raises(TypeError, match="frozen"):
        del p["member.sovereignty"]
    for change in (
        lambda: p.update({"member.sovereignty": 2.0}),
        lambda: p.pop("member.sovereignty"),
        lambda: p.popitem(),
        lambda: p.setdefault("brand.new", 1),
        lambda: p.clear(),
    ):
        with pytest.raises(TypeError, match="frozen"):
            change()
    with pytest.raises(TypeError, match="frozen"):
        p |= {"member.sovereignty": 2.0}
    with pytest.raises(AttributeError):  # shocks are frozen records
        p["shocks"][0].step = 6
    assert isinstance(p["shocks"], tuple)
    assert p["member.sovereignty"] == 1.2 and p["shocks"][0].step == 5 and "brand.new" not in p
    assert len(p) == len(SPECS)


def test_params_survive_pickling_still_frozen():
    p = make_params({"shocks": [shock()], "member.sovereignty": 2.0})
    back = pickle.loads(pickle.dumps(p))
    assert isinstance(back, Params) and back == p and back.to_dict() == p.to_dict()
    with pytest.raises(TypeError, match="frozen"):
        back["member.sovereignty"] = 3.0


def test_overrides_are_copied_not_shared():
    overrides = {"member.sovereignty": 2.0, "shocks": [shock()]}
    p = make_params(overrides)
    overrides["member.sovereignty"] = 3.0
    overrides["shocks"][0]["step"] = 99
    assert p["member.sovereignty"] == 2.0 and p.to_dict()["shocks"] == [shock()]


def test_ints_accepted_for_float_params_and_stored_as_float():
    p = make_params({"member.sovereignty": 2, "policy.JPN.budget": 0})
    assert p["member.sovereignty"] == 2.0 and type(p["member.sovereignty"]) is float
    assert type(p["policy.JPN.budget"]) is float


def test_whole_floats_accepted_for_int_params_and_stored_as_int():
    p = make_params({"metrics.warmup": 12.0})
    assert p["metrics.warmup"] == 12 and type(p["metrics.warmup"]) is int


@pytest.mark.parametrize(
    "overrides",
    [
        {"member.block_norm": 0.0},
        {"member.sovereignty": 0.0, "escalation.climb": 1.0},  # bounds are inclusive
        {**{f"policy.JPN.{layer}": False for layer in LAYERS}, **{f"policy.JPN.allocation.{x}": 0.0 for x in LAYERS}},
        {"metrics.weight.security": 0.0},
        {"shocks": ()},
        {"shocks": [shock(step=1, state=s) for s in PARTNERS]},
    ],
    ids=["min-equals-max", "inclusive-bounds", "all-layers-off", "some-weights-zero", "empty-shocks", "four-shocks"],
)
def test_edge_values_are_accepted(overrides):
    p = make_params(overrides)
    assert set(p.changed()) <= set(overrides)
    for name, value in overrides.items():
        if name == "shocks":
            assert p.to_dict()["shocks"] == [dict(s) for s in value]
        else:
            assert p[name] == value


def test_changed_lists_only_overrides_that_differ():
    p = make_params(
        {
            "member.sovereignty": 2.0,
            "policy.JPN.quad": True,  # the default: not a change
            "metrics.warmup": 0,  # the default: not a change
            "policy.JPN.mode": "adaptive",
            "shocks": [shock()],
        }
    )
    assert p.changed() == {"member.sovereignty": 2.0, "policy.JPN.mode": "adaptive", "shocks": [shock()]}
    assert make_params({"shocks": []}).changed() == {}


def test_to_dict_is_json_serialisable_and_round_trips():
    p = make_params({"shocks": [shock(), shock(step=30, state="JPN")], "policy.AUS.quad": False})
    d = p.to_dict()
    assert set(d) == set(SPECS)
    text = json.dumps(d)
    back = json.loads(text)
    assert back == d
    assert back["shocks"] == [shock(), shock(step=30, state="JPN")]
    assert make_params(back).to_dict() == d


def test_policy_gives_one_partners_fields():
    p = make_params({"policy.IND.budget": 2.0})
    pol = p.policy("IND")
    assert pol["budget"] == 2.0 and pol["allocation.quad"] == 0.40
    assert set(pol) == {k[len("policy.IND.") :] for k in SPECS if k.startswith("policy.IND.")}


# ---- the table of specs itself ---------------------------------------------------------------------


@pytest.mark.parametrize("name", list(SPECS))
def test_spec_has_unit_source_and_doc(name):
    spec = SPECS[name]
    assert spec.unit.strip(), f"{name} has no unit"
    assert spec.doc.strip(), f"{name} has no doc"
    source = spec.source.strip()
    assert source, f"{name} has no source"
    if source not in ("assumption", "scenario"):
        files = re.findall(r"\b(?:sim/model|shared)/data/[\w./-]+\.csv\b", source)
        assert files, f"{name}: source {source!r} is neither 'assumption', 'scenario' nor a data citation"
        for f in files:
            if f.startswith("sim/model/data/"):
                assert (DATA / f.removeprefix("sim/model/data/")).is_file(), f"{name} cites missing {f}"


@pytest.mark.parametrize("name", [n for n, s in SPECS.items() if s.kind in (int, float)])
def test_numeric_default_lies_in_its_own_range(name):
    spec = SPECS[name]
    assert spec.lo is not None and spec.hi is not None, name
    assert spec.lo <= spec.default <= spec.hi, f"{name}: {spec.default} not in {spec.describe_range()}"
    if spec.kind is int:
        assert float(spec.lo).is_integer() and float(spec.hi).is_integer()


@pytest.mark.parametrize("name", [n for n, s in SPECS.items() if s.kind is str and s.choices])
def test_choice_default_is_one_of_its_choices(name):
    assert SPECS[name].choices and SPECS[name].default in SPECS[name].choices


def test_every_spec_kind_is_known():
    assert {s.kind for s in SPECS.values()} == {bool, int, float, str, list}
    assert all(s.choices is None for s in SPECS.values() if s.kind is not str)


# ---- the model's keyword arguments -----------------------------------------------------------------


def test_region_model_rejects_unknown_keyword_with_suggestion():
    with pytest.raises(ParameterError, match=re.escape("did you mean 'policy.JPN.quad'")):
        RegionModel(**{"policy.JPN.quadd": True})


@pytest.mark.parametrize("seed", [-1, 1.5, True, "7"])
def test_region_model_rejects_bad_seed(seed):
    with pytest.raises(ParameterError, match=r"^seed must be a non-negative whole number"):
        RegionModel(rng=seed)


def test_region_model_rejects_rng_and_seed_together():
    with pytest.raises(ParameterError, match="either rng or seed"):
        RegionModel(rng=1, seed=2)


def test_region_model_keywords_override_params():
    model = RegionModel(rng=1, params=make_params({"member.sovereignty": 2.0}), **{"policy.JPN.quad": False})
    assert model.p["member.sovereignty"] == 2.0 and model.p["policy.JPN.quad"] is False
    assert model.p.changed() == {"member.sovereignty": 2.0, "policy.JPN.quad": False}


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("policy.JPN.quad", np.bool_(False), False),
        ("policy.JPN.budget", np.float64(1.5), 1.5),
    ],
)
def test_numpy_scalars_are_accepted_as_python_values(name, value, expected):
    """batch_run over np.arange or np.linspace hands the model NumPy scalars."""
    stored = make_params({name: value})[name]
    assert stored == expected
    assert type(stored) is type(expected)


def test_numpy_integer_is_accepted_for_an_int_parameter():
    name = next(n for n, spec in SPECS.items() if spec.kind is int)
    value = SPECS[name].default
    stored = make_params({name: np.int64(value)})[name]
    assert stored == value and type(stored) is int


def test_numpy_scalars_are_still_range_checked():
    with pytest.raises(ParameterError, match=r"'policy\.JPN\.budget' must be in"):
        make_params({"policy.JPN.budget": np.float64(-1.0)})


def test_a_dated_shock_gets_its_step_from_run_start_and_keeps_its_date():
    p = make_params({"run.start": "2026-01", "shocks": [{"date": "2030-01", "kind": "withdraw", "state": "USA"}]})
    assert p["shocks"][0].step == 49  # January 2030 is the 49th month from January 2026
    assert p.to_dict()["shocks"] == [{"date": "2030-01", "kind": "withdraw", "state": "USA"}]


# ---- calibrated parameters --------------------------------------------------------------------------


def test_a_calibrated_parameter_takes_its_posterior_median_and_cites_the_calibration():
    from sim.model.params import apply_calibration

    specs = dict(SPECS)
    text = (
        "parameter,median,q05,q95,command,folder\n"
        "crime.attempt_rate,0.27176,0.12,0.68,python -m sim calibrate calibration/history.toml,results/c/1\n"
        "crime.split_size,13.6,9,20,python -m sim calibrate calibration/history.toml,results/c/1\n"
    )
    apply_calibration(specs, text)
    assert specs["crime.attempt_rate"].default == 0.272  # three significant digits
    assert specs["crime.split_size"].default == 14 and specs["crime.split_size"].kind is int
    source = specs["crime.attempt_rate"].source
    assert source.startswith("calibrated: posterior median 0.272, 90% interval [0.12, 0.68]")
    assert "calibration/history.toml" in source and "results/c/1" in source
    assert specs["crime.detection"] == SPECS["crime.detection"]  # not listed: untouched


def test_every_shipped_calibrated_default_is_the_median_of_a_committed_calibration():
    import csv

    rows = list(csv.DictReader((DATA / "calibrated.csv").read_text(encoding="utf-8").splitlines()))
    assert len(rows) >= 10  # the adopted calibration of calibration/history.toml fits ten parameters
    for row in rows:
        summary = DATA.parents[2] / row["folder"] / "summary.csv"
        assert summary.is_file(), f"{row['parameter']} cites {row['folder']}, which has no summary.csv"
        fitted = {r["parameter"]: r for r in csv.DictReader(summary.read_text(encoding="utf-8").splitlines())}
        assert float(fitted[row["parameter"]]["median"]) == float(row["median"])
        assert SPECS[row["parameter"]].default == pytest.approx(float(row["median"]), rel=5e-3)
        assert SPECS[row["parameter"]].source.startswith("calibrated:")
