"""``RegionModel``: the Mesa model of layered security cooperation in Southeast Asia.

One step is one month, and runs these phases in this order (each is a function in ``sim/rules.py``):

 0. begin_month               monthly counts reset; absorptive capacity refilled
    shocks_take_effect        scheduled withdrawals happen
 1. threats_arrive            incidents arrive per member and domain (Poisson; near-repeat; grey zone)
 2. detect_and_respond        own capacity, shared awareness and partner assistance resolve incidents
 3. escalate                  unresolved incidents may escalate; tension rises; forums damp it
 4. partners_act              partners act on their policies, layer by layer; capacity donors take
                              turns in a random order (the only place where partners' order matters)
 5. members_invest            ASEAN members invest their own resources in capacity
    members_update_alignment  alignment drifts toward the ASEAN consensus and toward neutrality
    members_share_information ReCAAP parties pool maritime information
 6. challenger_adapts         pressure reacts to visible cooperation and shifts to weak targets
 7. institutions_update       ASEAN centrality and forum power are recomputed
    decay                     capacity, tension, deterrence, awareness, trust and memory fade
 8. collect_metrics           the month's metrics go to Mesa's DataCollector
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import mesa
import numpy as np

from sim import rules
from sim.agents import AseanMember, Challenger, PartnerState
from sim.metrics import reporters, step_metrics, summarise
from sim.params import DOMAINS, LAYERS, PARTNERS, ParameterError, Params, make_params
from sim.state import RegionState
from sim.streams import Streams
from sim.world import World

PHASES: tuple[Callable[[RegionModel], None], ...] = (
    rules.begin_month,
    rules.shocks_take_effect,
    rules.threats_arrive,
    rules.detect_and_respond,
    rules.escalate,
    rules.partners_act,
    rules.members_invest,
    rules.members_update_alignment,
    rules.members_share_information,
    rules.challenger_adapts,
    rules.institutions_update,
    rules.decay,
)


def resolve_seed(seed: Any) -> int:
    """The run's integer seed: an int is used as is; None draws fresh entropy (recorded on the model);
    a numpy Generator gives one draw."""
    if seed is None:
        return int(np.random.SeedSequence().entropy % (2**63))
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(2**63))
    if isinstance(seed, (bool, float)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ParameterError(f"seed must be a non-negative whole number, got {seed!r}")
    return int(seed)


class RegionModel(mesa.Model):
    """Japan, the Quad partners and the ASEAN members exchanging cooperation across four layers.

    Build it from keyword arguments, so that ``mesa.batch_run`` and ``SolaraViz`` can drive it::

        RegionModel(rng=42, **{"policy.JPN.capacity": False, "challenger.intensity": 2.0})

    Args:
        rng: the run seed (an int; ``seed`` is accepted as a synonym). None draws one and records it
            as ``model.seed``. Every random draw comes from named streams derived from it.
        params: a ``Params`` (or a mapping of overrides) to start from.
        world: a hand-built ``World`` (tests); by default the region from ``sim/data``.
        **overrides: parameters by dotted name (see ``sim/params.py``).

    Raises:
        ParameterError: an unknown parameter, a wrong type or a value out of range.
    """

    def __init__(
        self,
        *,
        rng: Any = None,
        seed: Any = None,
        params: Params | Mapping[str, Any] | None = None,
        world: World | None = None,
        **overrides: Any,
    ) -> None:
        if rng is not None and seed is not None:
            raise ParameterError("give either rng or seed, not both")
        run_seed = resolve_seed(rng if rng is not None else seed)
        base = params.to_dict() if isinstance(params, Params) else dict(params or {})
        base.update(overrides)
        self.p: Params = make_params(base)
        super().__init__(rng=run_seed)
        self.seed = run_seed
        self.streams = Streams(run_seed)
        self.world = world if world is not None else World.from_data(self.p)
        self._prepare_policy()
        self.state = RegionState.initial(self.world, self.p)
        self.partner_agents = [PartnerState(self, iso3, k) for k, iso3 in enumerate(PARTNERS)]
        self.members = [AseanMember(self, iso3, k) for k, iso3 in enumerate(self.world.members)]
        self.challenger = Challenger(self)
        # Mesa 3.3.1 keeps every model alive in the class-level counter of agent ids (mesa issue
        # #3179, fixed after 3.3.1), so a sweep's workers would grow by every model they run. All our
        # agents exist by now and none is added later, so the counter's entry is no longer needed.
        mesa.Agent._ids.pop(self, None)
        self.current_metrics: dict[str, float] = {}
        self.datacollector = mesa.DataCollector(model_reporters=reporters())

    def _prepare_policy(self) -> None:
        """Turn parameters used every month into arrays once: domain rates, layer switches and the
        effort per partner and layer (budget x allocation, normalised over the active layers)."""
        p = self.p
        self.domain_rates = np.array([p[f"threats.{d}.rate"] * p[f"threats.mix.{d}"] for d in DOMAINS])
        self.escalation_base = np.array([p[f"escalation.base.{d}"] for d in DOMAINS])
        focus = np.array([p[f"capacity.focus.{d}"] for d in DOMAINS])
        self.capacity_focus = focus / focus.sum()
        self.coordination = np.array([p[f"policy.{c}.asean_coordination"] for c in PARTNERS])
        self.layer_on = np.array([[p[f"policy.{c}.{layer}"] for layer in LAYERS] for c in PARTNERS], dtype=bool)
        weights = (
            np.array([[p[f"policy.{c}.allocation.{layer}"] for layer in LAYERS] for c in PARTNERS]) * self.layer_on
        )
        totals = weights.sum(axis=1, keepdims=True)
        shares = np.divide(weights, totals, out=np.zeros_like(weights), where=totals > 0)
        self.layer_effort = shares * np.array([p[f"policy.{c}.budget"] for c in PARTNERS])[:, None]

    def step(self) -> None:
        """One month: every phase of PHASES in order, then the month's metrics are collected."""
        for phase in PHASES:
            phase(self)
        self.collect_metrics()

    def collect_metrics(self) -> None:
        """Compute the month's metrics once and hand them to Mesa's DataCollector."""
        self.current_metrics = step_metrics(self)
        self.datacollector.collect(self)

    def run(self, steps: int) -> RegionModel:
        """Advance ``steps`` months; returns the model."""
        for _ in range(steps):
            self.step()
        return self

    def series(self) -> dict[str, list[float]]:
        """Every metric's monthly values so far (month 1 first)."""
        return self.datacollector.model_vars

    def summary(self) -> dict[str, Any]:
        """Per-run summaries of the months simulated so far (see ``sim.metrics.summarise``)."""
        return summarise(self.series(), self.p)
