"""Control strategies, each a small rule the train simulation asks at a stop (`operations.control`).

- `none`: a train leaves a stop when its dwell is done; only a trip's first stop is dispatched
  at its published time (the trip is defined by it).
- `holding`, at timepoints (the terminals unless named): `schedule` mode holds an early train to
  its published departure; `headway` mode holds a train until its headway ahead departs from the
  published one as much as the headway behind does — with equal published headways, midway
  between its leader's departure and its follower's expected arrival, the mean of the headways
  ahead and behind (Fu & Yang, "Design and implementation of bus-holding control strategies
  with real-time information", TRR 1791, 2002; Daganzo, "A headway-based approach to eliminate
  bus bunching", Transp. Res. B 43, 2009). Either hold is capped at `max_hold_s`.
- `short_turn`: a trip that would start into a blocked interstation while it stays blocked turns
  back at the last crossover before it; its train takes up its next trip there (the stops beyond
  the crossover are not served). Trains already past the crossover queue at the blockage.
"""

from __future__ import annotations

from collections.abc import Sequence

from lrtsim.model.schema import Control


def hold_until_s(
    control: Control,
    *,
    ready_s: float,
    planned_departure_s: float,
    leader: tuple[float, float] | None,
    follower: tuple[float, float] | None,
) -> float:
    """When a train ready to leave a timepoint at `ready_s` may leave it (≥ ready).

    `leader` is (actual, published) departure of the train before from this stop, `follower`
    (expected, published) arrival of the train after. Headway mode holds until the headway
    ahead departs from its published value as much as the one behind:
    (t − L) − (P − Lp) = (F − t) − (Fp − P), so t = P + ((L − Lp) + (F − Fp)) / 2 — the mean of
    the neighbours' delays; with equal published headways it is the midpoint between leader
    and follower. A train on time between trains on time is not held."""
    if control.strategy != "holding":
        return ready_s
    if control.mode == "schedule":
        target = planned_departure_s
    elif leader is None or follower is None:
        return ready_s
    else:
        target = planned_departure_s + 0.5 * ((leader[0] - leader[1]) + (follower[0] - follower[1]))
    return ready_s + min(max(target - ready_s, 0.0), control.max_hold_s)


def short_turn_at(
    control: Control,
    running_stops: Sequence[int],
    blocked_from: Sequence[int],
    crossovers: Sequence[int],
) -> int | None:
    """The running index of the stop a trip turns back at, or None.

    `running_stops` are the trip's stops (running indices, ascending), `blocked_from` the
    interstations k → k + 1 blocked ahead of it (running indices), `crossovers` the stops with a
    crossover. The turn is at the last crossover stop at or before the first blockage on its
    path, if the trip serves it after its first stop."""
    if control.strategy != "short_turn" or not blocked_from:
        return None
    ahead = [k for k in blocked_from if running_stops[0] <= k < running_stops[-1]]
    if not ahead:
        return None
    first_block = min(ahead)
    stops = [s for s in running_stops if s in crossovers and running_stops[0] < s <= first_block]
    return max(stops) if stops else None
