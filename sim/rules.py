"""The rules of the model, one small function each, in the order a month runs them.

Every phase function takes the model and changes ``model.state`` (see ``sim/state.py``). The order is
fixed in :data:`sim.model.PHASES`. Each docstring states its rule in plain words; ``docs/ODD.md`` gives
the same rules as equations. Randomness comes only from the model's named streams.

Notation in comments: i = ASEAN member, p = partner, d = threat domain (maritime first), c = forum channel.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from sim.params import LAYERS, PARTNERS

if TYPE_CHECKING:
    from sim.model import RegionModel

MARITIME = 0
QUAD, BILATERAL, FORUMS, CAPACITY = range(len(LAYERS))


def saturate(x: np.ndarray | float, scale: float) -> np.ndarray | float:
    """Diminishing returns: 1 - exp(-x / scale), 0 at x = 0, 63% at x = scale, approaching 1."""
    return -np.expm1(-x / scale)


def raise_toward(level: np.ndarray, ceiling: float | np.ndarray, push: np.ndarray | float) -> np.ndarray:
    """Raise ``level`` toward ``ceiling`` by the share ``push`` (in [0, 1]) of the gap that is left;
    a level already above the ceiling stays where it is (an action never lowers what others built)."""
    return level + np.maximum(ceiling - level, 0.0) * push


def normalise(weights: np.ndarray) -> np.ndarray:
    """Weights scaled to sum to 1; all zeros stay all zeros."""
    total = weights.sum()
    return weights / total if total > 0 else weights


# ---- 0. a new month --------------------------------------------------------------------------------


def begin_month(model: RegionModel) -> None:
    """Monthly counts start from zero, and each member can again absorb up to its absorptive
    capacity of new support (capacity.absorption, scaled by the square root of GDP)."""
    model.state.reset_tallies()
    model.state.absorb_left = model.world.absorption.copy()


def shocks_take_effect(model: RegionModel) -> None:
    """A partner with a 'withdraw' shock at this month stops all its activity from now on."""
    for shock in model.p["shocks"]:
        if shock.step == model.steps and shock.kind == "withdraw":
            model.state.withdrawn[PARTNERS.index(shock.state)] = True


# ---- 1. threats arrive ----------------------------------------------------------------------------


def threats_arrive(model: RegionModel) -> None:
    """Incidents arrive per member and domain as Poisson draws.

    A domain's regional rate (threats.<d>.rate x threats.mix.<d>) is spread over members by exposure.
    Maritime arrivals are cut by deterrence (up to threats.deterrence_effect at full deterrence) and
    raised by the near-repeat excitation of recent incidents; grey-zone coercion arrives on top, at
    challenger.base_rate x pressure, spread by the challenger's target weights and also cut by deterrence.
    After the draw, each maritime incident adds near-repeat excitation that fades with
    threats.near_repeat.memory; threats.near_repeat.boost is the expected number of follow-on incidents.
    """
    s, p, rng = model.state, model.p, model.streams["threats"]
    rates = model.world.exposure * model.domain_rates
    protection = 1.0 - p["threats.deterrence_effect"] * s.deterrence
    rates[:, MARITIME] = rates[:, MARITIME] * protection + s.near_repeat
    s.arrivals = rng.poisson(rates)
    grey_rate = p["challenger.base_rate"] * s.pressure * s.target_weights * protection
    s.grey_zone = rng.poisson(grey_rate)
    s.arrivals[:, MARITIME] += s.grey_zone
    memory = p["threats.near_repeat.memory"]
    s.near_repeat = memory * s.near_repeat + p["threats.near_repeat.boost"] * (1 - memory) * s.arrivals[:, MARITIME]


# ---- 2. detection and response --------------------------------------------------------------------


def detect_and_respond(model: RegionModel) -> None:
    """Each incident is resolved with a chance built from three independent sources of help.

    own capacity C[i, d]; for maritime incidents also shared awareness (Quad and intra-ASEAN);
    and partner assistance, which grows with the trust-weighted support a member has recently
    received, up to response.partner_assist. Resolved incidents are a binomial draw.
    """
    s, p = model.state, model.p
    awareness = 1.0 - (1.0 - s.awareness_quad) * (1.0 - s.awareness_asean)
    engagement = (s.trust * s.support).sum(axis=1)
    assist = p["response.partner_assist"] * saturate(engagement, p["response.assist_scale"])
    miss = (1.0 - s.capacity) * (1.0 - assist)[:, None]
    miss[:, MARITIME] *= 1.0 - awareness
    s.resolved = model.streams["response"].binomial(s.arrivals, 1.0 - miss)


# ---- 3. escalation ---------------------------------------------------------------------------------


def member_forum_damping(model: RegionModel) -> np.ndarray:
    """How much forums cut a member's escalation chance: the channels a member sits in act as
    independent chances to defuse, 1 - prod_c (1 - power_c), times forums.damping_max."""
    s, w = model.state, model.world
    undamped = np.prod(np.where(w.forum_members, 1.0 - s.forum_power[:, None], 1.0), axis=0)
    return model.p["forums.damping_max"] * (1.0 - undamped)


def escalate(model: RegionModel) -> None:
    """Unresolved incidents may escalate, and both raise tension; forums damp escalation.

    Chance of escalation = escalation.base.<d> x (1 + escalation.tension_amplifies x tension)
    x (1 - forum damping), capped at 1. Tension moves toward 1 by the share
    1 - exp(-(a x unresolved + b x escalations)).
    """
    s, p = model.state, model.p
    unresolved = s.arrivals - s.resolved
    chance = model.escalation_base[None, :] * (1.0 + p["escalation.tension_amplifies"] * s.tension)[:, None]
    chance *= (1.0 - member_forum_damping(model))[:, None]
    s.escalations = model.streams["escalation"].binomial(unresolved, np.minimum(chance, 1.0))
    a, b = p["escalation.tension_per_unresolved"], p["escalation.tension_per_escalation"]
    push = a * unresolved.sum(axis=1) + b * s.escalations.sum(axis=1)
    s.tension = raise_toward(s.tension, 1.0, -np.expm1(-push))


# ---- 4. partners act --------------------------------------------------------------------------------
#
# Every layer effect has the form "move toward a ceiling by the share 1 - exp(-effort / scale)".
# Applying two partners one after the other is therefore exactly the same as applying their summed
# effort once, so the layer actions below take all partners' effort at once (arrays over partners).
# Order matters only where partners compete for something: members' absorptive capacity in capacity
# building, which donors use one at a time in a random order each month (absorb_in_turn).


def partners_act(model: RegionModel) -> None:
    """Partners act on their policies: effort per layer is budget x allocation (normalised over the
    active layers; nothing once withdrawn). Each partner's preference over members is fixed at the
    start of the month. The four layer actions follow in layer order."""
    s = model.state
    s.preference = normalise_rows(model.world.ties + s.alignment.T)
    effort = model.layer_effort * ~s.withdrawn[:, None]
    quad_act(model, effort[:, QUAD])
    bilateral_act(model, effort[:, BILATERAL])
    forums_act(model, effort[:, FORUMS])
    capacity_act(model, effort[:, CAPACITY])


def normalise_rows(weights: np.ndarray, fallback: np.ndarray | None = None) -> np.ndarray:
    """Each row scaled to sum to 1; a row of zeros becomes ``fallback`` (default: an even spread)."""
    totals = weights.sum(axis=1, keepdims=True)
    if fallback is None:
        fallback = np.full(weights.shape[1], 1.0 / weights.shape[1])
    out = np.broadcast_to(fallback, weights.shape).copy()
    return np.divide(weights, totals, out=out, where=totals > 0)


def route(model: RegionModel, effort: np.ndarray | float, coordination: np.ndarray | float) -> tuple:
    """Split each partner's effort into a share routed through ASEAN-led mechanisms and a direct share.

    The routed share is policy.<p>.asean_coordination (``coordination``, per partner); the share
    coordination.efficiency_cost of it is lost on the way. Returns (routed effort that arrives,
    direct effort), shaped like ``effort``. All of it
    counts toward the month's cooperation volume, the routed share toward ASEAN centrality.
    """
    s = model.state
    routed = effort * coordination
    s.volume_total += float(effort.sum())
    s.volume_routed += float(routed.sum())
    return routed * (1.0 - model.p["coordination.efficiency_cost"]), effort - routed


def visibility(model: RegionModel, effort: np.ndarray) -> float:
    """Military activity the challenger sees: direct effort in full, routed effort discounted by
    coordination.visibility (exercises under an ASEAN-led framework provoke less)."""
    routed = effort * model.coordination
    return float((effort - routed).sum() + model.p["coordination.visibility"] * routed.sum())


def quad_active_partners(model: RegionModel) -> int:
    """Number of partners whose Quad layer is on and who have not withdrawn."""
    return int((model.layer_on[:, QUAD] & ~model.state.withdrawn).sum())


def quad_act(model: RegionModel, effort: np.ndarray) -> None:
    """Quad: maritime domain awareness sharing and coordinated patrols.

    Needs quad.min_partners active Quad partners, else nothing happens and no effort is used.
    quad.patrol_share of the effort patrols, the rest shares awareness. Routed effort is spread over
    members by maritime exposure; direct effort by exposure x the partner's preference (by exposure
    alone if the partner prefers only landlocked members). Patrols raise
    deterrence toward quad.patrol_deterrence_max; awareness rises toward quad.awareness_max (only if
    quad.mda_to_asean). Patrols are visible to the challenger.
    """
    if not effort.any() or quad_active_partners(model) < model.p["quad.min_partners"]:
        return
    s, p = model.state, model.p
    routed, direct = route(model, effort, model.coordination)
    exposure = model.world.exposure[:, MARITIME]
    aim = normalise_rows(exposure * s.preference, fallback=normalise(exposure))  # where each partner patrols
    x = np.outer(routed, exposure) + direct[:, None] * aim  # (p, i)
    total = x.sum(axis=0)
    patrol = p["quad.patrol_share"]
    s.deterrence = raise_toward(
        s.deterrence, p["quad.patrol_deterrence_max"], saturate(patrol * total, p["quad.scale"])
    )
    if p["quad.mda_to_asean"]:
        push = saturate((1.0 - patrol) * total, p["quad.scale"])
        s.awareness_quad = raise_toward(s.awareness_quad, p["quad.awareness_max"], push)
    s.visible += patrol * visibility(model, effort)
    s.support += x.T
    s.ties[QUAD] += x


def bilateral_act(model: RegionModel, effort: np.ndarray) -> None:
    """Bilateral: exercises, access and commitments between a partner and its dyads.

    A partner's effort is split evenly over its dyads (a partner with none uses no effort). Each dyad
    member gains deterrence (toward bilateral.deterrence_max) and trust in the patron; the direct share
    also pulls its alignment toward the patron (bilateral.alignment_pull), which is what polarises
    ASEAN. All of it is visible to the challenger.
    """
    per_dyad = model.world.dyad_share  # (p, i), rows sum to 1, or 0 for a partner without dyads
    effort = effort * model.world.dyads.any(axis=1)
    if not effort.any():
        return
    s, p = model.state, model.p
    routed, direct = route(model, effort, model.coordination)
    x = (routed + direct)[:, None] * per_dyad
    pull = direct[:, None] * per_dyad
    s.deterrence = raise_toward(
        s.deterrence, p["bilateral.deterrence_max"], saturate(x.sum(axis=0), p["bilateral.scale"])
    )
    s.trust = raise_toward(s.trust, 1.0, -np.expm1(-p["bilateral.trust_gain"] * x.T))
    s.alignment = raise_toward(s.alignment, 1.0, -np.expm1(-p["bilateral.alignment_pull"] * pull.T))
    s.visible += visibility(model, effort)
    s.support += x.T
    s.ties[BILATERAL] += x


def forums_act(model: RegionModel, effort: np.ndarray) -> None:
    """Forums: dialogue and confidence building in the ASEAN-led channels each partner belongs to.

    A partner's effort is split evenly over its channels and added to their investment stock; all of
    it counts as routed through ASEAN. Trust between the partner and the channels' members rises with
    the effort that reaches them (forums.trust_gain). Forum power is recomputed in institutions_update.
    """
    w, s, p = model.world, model.state, model.p
    effort = effort * w.forum_partners.any(axis=0)
    if not effort.any():
        return
    per_channel = w.forum_share * effort  # (c, p)
    s.forum_stock += per_channel.sum(axis=1)
    used = float(effort.sum())
    s.volume_total += used
    s.volume_routed += used
    reached = per_channel.T @ w.forum_members  # (p, i)
    s.trust = raise_toward(s.trust, 1.0, -np.expm1(-p["forums.trust_gain"] * reached.T))
    s.ties[FORUMS] += reached


# -- capacity building: who gets it is a rule of its own, chosen by capacity.targeting --------------
# A targeting rule returns one row of weights over members per donor (rows sum to 1).


def target_closest_partners(model: RegionModel) -> np.ndarray:
    """Default: each donor favours members it has ties with or that stand close to it, in proportion
    to (ties + alignment) x absorptive capacity."""
    return normalise_rows(model.state.preference * model.world.absorption)


def target_neediest(model: RegionModel) -> np.ndarray:
    """Alternative: every donor favours members with the least capacity, in proportion to
    (1 - focus-weighted capacity) x absorptive capacity, whoever they stand close to."""
    gap = 1.0 - model.state.capacity @ model.capacity_focus
    return normalise_rows(np.tile(gap * model.world.absorption, (len(PARTNERS), 1)))


CAPACITY_TARGETING: dict[str, Callable[[RegionModel], np.ndarray]] = {
    "partnership": target_closest_partners,
    "need": target_neediest,
}


def absorb_in_turn(model: RegionModel, offered: np.ndarray) -> np.ndarray:
    """Donors use members' absorptive capacity one at a time, in a random order each month.

    A member with absorptive capacity A left takes in A (1 - exp(-x / A)) of an offer x, and has that
    much less left for the next donor. Returns what each donor got absorbed, (p, i).
    """
    s = model.state
    absorbed = np.zeros_like(offered)
    room = s.absorb_left
    for k in model.streams["partner_order"].permutation(offered.shape[0]):
        if offered[k].any():
            kept = np.exp(-offered[k] / np.maximum(room, 1e-300))
            absorbed[k] = room * (1.0 - kept)
            room = room * kept
    s.absorb_left = room
    return absorbed


def capacity_act(model: RegionModel, effort: np.ndarray) -> None:
    """Capacity building: vessels, radars and training for ASEAN members.

    A donor's direct share goes where the targeting rule (capacity.targeting) says; its routed share
    is pooled by ASEAN and goes to the neediest. Members absorb offers donor by donor (absorb_in_turn).
    Absorbed effort raises capacity in each domain by the share
    1 - exp(-capacity.effectiveness x absorbed x focus_d). The direct part of what a member absorbs
    from a donor (in proportion to the direct part of that donor's offer to it) pulls its alignment
    toward the donor (bilateral.alignment_pull). Support is recorded as offered.
    """
    if not effort.any():
        return
    s, p = model.state, model.p
    routed, direct = route(model, effort, model.coordination)
    offered_direct = direct[:, None] * CAPACITY_TARGETING[p["capacity.targeting"]](model)
    offered = routed[:, None] * target_neediest(model) + offered_direct
    absorbed = absorb_in_turn(model, offered)
    gain = -np.expm1(np.multiply.outer(-p["capacity.effectiveness"] * absorbed.sum(axis=0), model.capacity_focus))
    s.capacity = raise_toward(s.capacity, 1.0, gain)
    direct_share = np.divide(offered_direct, offered, out=np.zeros_like(offered), where=offered > 0)
    pull = p["bilateral.alignment_pull"] * direct_share * absorbed
    s.alignment = raise_toward(s.alignment, 1.0, -np.expm1(-pull.T))
    s.support += offered.T
    s.ties[CAPACITY] += offered


# ---- 5. ASEAN members act --------------------------------------------------------------------------


def members_invest(model: RegionModel) -> None:
    """Each member invests its own resources: capacity rises by the share
    1 - exp(-capacity.own_investment x milex_weight x share_d), where share_d splits effort across
    domains in proportion to this month's incidents plus the capacity focus weights."""
    s = model.state
    need = s.arrivals + model.capacity_focus[None, :]
    share = need / need.sum(axis=1, keepdims=True)
    gain = model.p["capacity.own_investment"] * model.world.milex_weight[:, None] * share
    s.capacity = raise_toward(s.capacity, 1.0, -np.expm1(-gain))


def asean_cohesion(alignment: np.ndarray) -> float:
    """1 - normalised dispersion of alignments: 1 minus the mean over partners of the standard
    deviation across members, divided by 0.5 (the largest standard deviation of values in [0, 1])."""
    n = alignment.shape[0]
    if n < 2:
        return 1.0
    dev = alignment - alignment.sum(axis=0) / n
    std = np.sqrt((dev * dev).sum(axis=0) / n)
    return float(1.0 - std.sum() / (0.5 * std.size))


def members_update_alignment(model: RegionModel) -> None:
    """Members drift toward the ASEAN average alignment, in proportion to cohesion (boosted by forum
    power via forums.cohesion_gain), and back toward neutrality (alignment.neutral_pull): hedging.
    The cohesion that results is what the later phases and the metrics of the month use."""
    s, p = model.state, model.p
    boost = 1.0 + p["forums.cohesion_gain"] * float(s.forum_power.sum()) / max(1, s.forum_power.size)
    pull = min(1.0, p["alignment.consensus_pull"] * asean_cohesion(s.alignment) * boost)
    s.alignment += pull * (s.alignment.sum(axis=0) / s.alignment.shape[0] - s.alignment)
    s.alignment *= 1.0 - p["alignment.neutral_pull"]
    s.cohesion = asean_cohesion(s.alignment)


def members_share_information(model: RegionModel) -> None:
    """ReCAAP parties pool maritime information: each gains detection
    asean.info_sharing x cohesion x the mean maritime capacity of the ReCAAP parties; others gain none."""
    s, w = model.state, model.world
    if not w.recaap.any():
        s.awareness_asean = np.zeros(w.n)
        return
    pooled = model.p["asean.info_sharing"] * s.cohesion * s.capacity[w.recaap, MARITIME].mean()
    s.awareness_asean = np.where(w.recaap, pooled, 0.0)


# ---- 6. the challenger adapts ----------------------------------------------------------------------


def challenger_adapts(model: RegionModel) -> None:
    """The challenger moves its pressure toward intensity x (1 + reaction x visible cooperation this
    month) at challenger.adaptation per month (security dilemma), and aims it at maritime-exposed
    members in proportion to exposure x exp(-displacement x (deterrence + maritime capacity))."""
    s, p = model.state, model.p
    target = p["challenger.intensity"] * (1.0 + p["challenger.reaction"] * s.visible)
    s.pressure += p["challenger.adaptation"] * (target - s.pressure)
    protection = s.deterrence + s.capacity[:, MARITIME]
    s.target_weights = normalise(model.world.exposure[:, MARITIME] * np.exp(-p["challenger.displacement"] * protection))


# ---- 7. institutions update, then decay ------------------------------------------------------------


def institutions_update(model: RegionModel) -> None:
    """ASEAN centrality and forum power are recomputed.

    Centrality is remembered like support (decay.support_memory) and moves toward this month's routed
    share of cooperation. A channel's power = participation x cohesion^forums.cohesion_power x
    (1 - w + w x centrality) x (1 - exp(-stock / forums.scale)), with w = forums.centrality_weight;
    participation is the share of the channel's members present (ASEAN members always are; a partner
    is when its forums layer is on and it has not withdrawn).
    """
    s, p, w = model.state, model.p, model.world
    memory = p["decay.support_memory"]
    if s.volume_total > 0:
        s.centrality = memory * s.centrality + (1 - memory) * s.volume_routed / s.volume_total
    else:
        s.centrality = memory * s.centrality
    present = model.layer_on[:, FORUMS] & ~s.withdrawn
    seats = w.forum_members.sum(axis=1) + w.forum_partners.sum(axis=1)
    filled = w.forum_members.sum(axis=1) + (w.forum_partners & present[None, :]).sum(axis=1)
    participation = np.divide(filled, seats, out=np.zeros(len(seats)), where=seats > 0)
    cw = p["forums.centrality_weight"]
    s.forum_power = (
        participation
        * s.cohesion ** p["forums.cohesion_power"]
        * (1.0 - cw + cw * s.centrality)
        * saturate(s.forum_stock, p["forums.scale"])
    )


def decay(model: RegionModel) -> None:
    """Everything that is not renewed fades: capacity depreciates, tension, deterrence, awareness and
    trust decay, and forum investment and support received are partly forgotten."""
    s, p = model.state, model.p
    s.capacity *= 1.0 - p["capacity.depreciation"]
    s.tension *= 1.0 - p["escalation.tension_decay"]
    s.deterrence *= 1.0 - p["decay.deterrence"]
    s.awareness_quad *= 1.0 - p["decay.awareness"]
    s.trust *= 1.0 - p["decay.trust"]
    s.forum_stock *= p["forums.memory"]
    s.support *= p["decay.support_memory"]
