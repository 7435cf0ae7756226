"""The signalling's view of the line: which train is ahead of which on each track, where each
one is, and how far the train ahead lets the one behind run (the end of its movement authority).

The separation rule is the capacity layer's (`SeparationRule`, one source of truth): under moving
block the authority ends at the leader's tail less the safety margin; under fixed block at the
signal before the block the leader's tail is in. A train is on its direction's track from the
departure at its trip's first stop to the arrival at its last; trains keep their order on a
track (no overtaking), and a train starts onto a track only where moving block lets it in.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from lrtsim.model.direction import DIRECTIONS, Direction
from lrtsim.simulation.tracks import DirectionTrack
from lrtsim.simulation.trains import Train
from lrtsim.simulation.trajectory import points

FloatArray = npt.NDArray[np.float64]


class LineOrder:
    """The trains on each direction's track, front first, and what they show each other."""

    def __init__(self, tracks: dict[Direction, DirectionTrack], visit_x: FloatArray) -> None:
        self.tracks = tracks
        self.visit_x = visit_x
        """Each stop visit's position, metres along its direction."""
        self.order: dict[Direction, list[Train]] = {d: [] for d in DIRECTIONS}

    def _track(self, train: Train) -> DirectionTrack:
        assert train.direction is not None
        return self.tracks[train.direction]

    def position_m(self, train: Train, t: float) -> float:
        """Where the train's head is at t (metres along its direction)."""
        if train.running and train.piece is not None:
            track = self._track(train)
            piece = train.piece
            if piece.j is None:  # read the free run's profile, without copying it
                f = piece.free
                times = f.profile.time_s[f.offset : f.offset + f.b - f.a + 1]
                local = (t - piece.t0) * f.stretch + float(times[0])
                return float(np.interp(local, times, track.x[f.a : f.b + 1]))
            assert piece.t is not None
            return float(np.interp(t, piece.t, track.x[piece.j]))
        return float(self.visit_x[train.visit])

    def speed_mps(self, train: Train, t: float) -> float:
        """The train's speed at t (0 standing)."""
        if not train.running or train.piece is None:
            return 0.0
        _j, tt, w = points(train.piece, self._track(train))
        return float(np.interp(t, tt, np.sqrt(np.maximum(w, 0.0))))

    def can_join(self, direction: Direction, x: float, now: float) -> bool:
        """May a train start onto the track at x now: the train ahead's tail at least the margin
        beyond it, and the train behind able to stop short of its tail (moving block)?"""
        track = self.tracks[direction]
        back = track.rule.train_length_m + track.rule.safety_margin_m
        for other in self.order[direction]:
            pos = self.position_m(other, now)
            if pos >= x and pos - back < x - 1e-6:
                return False
            if pos < x:
                reach = pos + float(track.rule.braking_distance_m(self.speed_mps(other, now)))
                return reach <= x - back + 1e-6
        return True

    def join(self, train: Train, x: float, now: float) -> Train | None:
        """Put the train on its direction's track at x, in order; return the train now behind
        it (its authority just shrank), if any."""
        line = self.order[self._track(train).direction]
        i = len(line)
        while i > 0 and self.position_m(line[i - 1], now) < x:
            i -= 1
        line.insert(i, train)
        train.on_track = True
        return self.behind(train)

    def leave(self, train: Train) -> Train | None:
        """Take the train off its track; return the train that was behind it, if any."""
        behind = self.behind(train)
        self.order[self._track(train).direction].remove(train)
        train.on_track = False
        return behind

    def ahead(self, train: Train) -> Train | None:
        """The train in front on the same track."""
        line = self.order[self._track(train).direction]
        i = line.index(train)
        return line[i - 1] if i > 0 else None

    def behind(self, train: Train) -> Train | None:
        """The train behind on the same track."""
        line = self.order[self._track(train).direction]
        i = line.index(train)
        return line[i + 1] if i + 1 < len(line) else None

    def leader_line(self, leader: Train, now: float) -> tuple[FloatArray, FloatArray]:
        """The leader's tail less the margin from now on: a polyline in time, standing at its
        last point after it (what is known of its future)."""
        track = self._track(leader)
        back = track.rule.train_length_m + track.rule.safety_margin_m
        if leader.running and leader.piece is not None:
            j, t, _w = points(leader.piece, track)
            q = max(int(np.searchsorted(t, now, side="right")) - 1, 0)
            return np.ascontiguousarray(t[q:]), np.ascontiguousarray(track.x[j[q:]] - back)
        return np.array([now]), np.array([float(self.visit_x[leader.visit]) - back])

    def authority_m(self, leader: Train, now: float, at_least: float = np.inf) -> float:
        """End of movement authority the leader gives now (its tail less the margin, floored to
        a signal under fixed block); a lower bound once that already reaches `at_least`."""
        track = self._track(leader)
        back = track.rule.train_length_m + track.rule.safety_margin_m
        if leader.running and leader.piece is not None and not track.blocks_m.size:
            start = float(track.x[leader.piece.free.a]) - back
            if start >= at_least:  # it is at least where its run started
                return start
        a = self.position_m(leader, now) - back
        blocks = track.blocks_m
        if blocks.size:
            i = int(np.searchsorted(blocks, a, side="right")) - 1
            a = float(blocks[i]) if i >= 0 else -np.inf
        return a
