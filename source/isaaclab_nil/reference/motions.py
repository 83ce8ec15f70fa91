"""Scripted motions of the Unitree H1 whose right answer is known: the known-answer reference source.

``nil generate --known-answer walk`` plays one of :data:`KNOWN_MOTIONS` on the task's robot kinematically
(``isaaclab_nil.envs.playback``), renders it through the follow camera and writes it as an ordinary bundle,
with the played motion beside it (:mod:`.ground_truth`). This module is the motions' math only (NumPy).
See ``docs/evaluation.md``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import ClassVar

import numpy as np

from .errors import KnownAnswerError
from .ground_truth import GROUND_TRUTH_FILE

DEFAULT_DURATION_S = 8.0
"""Default length of a known-answer reference: one 400-step evaluation episode at 50 Hz."""


def swing_offsets(phi: np.ndarray, hip_amplitude: float, knee_lift: float, arm_swing: float) -> dict[str, np.ndarray]:
    """One side's offsets [rad] of a stepping leg at its phase ``phi``:

    hip pitch  -A sin(phi)                         the leg swings forward while cos(phi) > 0
    knee       knee_lift * max(cos(phi), 0)        the knee bends during the swing only
    ankle      -(hip + knee offsets)               the sole stays parallel to the ground
    shoulder   arm_swing * sin(phi)                each arm swings against the leg on its side
    """
    hip = -hip_amplitude * np.sin(phi)
    knee = knee_lift * np.maximum(np.cos(phi), 0.0)
    return {"hip_pitch": hip, "knee": knee, "ankle": -(hip + knee), "shoulder_pitch": arm_swing * np.sin(phi)}


@dataclass(frozen=True)
class LegMotion:
    """A periodic motion of the legs and arms as offsets from the default pose, the same on both sides up to
    a phase shift, started smoothly: the offsets are multiplied by the start-up envelope e(t), which rises from
    0 to 1 over ``start_s`` (e = 3u^2 - 2u^3, u = t / start_s), so the motion starts standing still in the
    default pose, like the env. The base stays upright; it stands still unless a subclass moves it."""

    period: float = 1.0
    """Motion period [s]."""
    start_s: float = 1.0
    """Seconds from standing still to the full motion."""
    right_leg_shift: ClassVar[float] = math.pi
    """Phase of the right leg after the left one [rad]: pi, the legs alternate."""

    def __post_init__(self):
        if self.period <= 0 or self.start_s < 0:
            raise KnownAnswerError(f"a motion needs period > 0 and start_s >= 0; got {self.period}, {self.start_s}")

    def leg_offsets(self, phi: np.ndarray) -> dict[str, np.ndarray]:
        """Offsets [rad] of one side's driven joints (names without the side) at its leg phase ``phi``."""
        raise NotImplementedError

    def envelope(self, times: np.ndarray) -> np.ndarray:
        """e(t): 0 at the start, 1 from ``start_s`` on."""
        u = np.clip(times / self.start_s, 0.0, 1.0) if self.start_s else np.ones_like(times)
        return u * u * (3 - 2 * u)

    def forward_velocity(self, times: np.ndarray) -> np.ndarray:
        """Base velocity along +x [m/s] at ``times`` [s]."""
        return np.zeros_like(times)

    def forward_position(self, times: np.ndarray) -> np.ndarray:
        """Base x [m] at ``times`` [s], from 0 at t = 0."""
        return np.zeros_like(times)

    def joint_offsets(self, times: np.ndarray, joint_names: list[str]) -> np.ndarray:
        """Offsets from the default pose (T, J) [rad] at ``times`` (T,) [s]; undriven joints stay at 0."""
        offsets = np.zeros((len(times), len(joint_names)))
        envelope = self.envelope(times)
        for side, phase_shift in (("left", 0.0), ("right", self.right_leg_shift)):
            phi = 2 * math.pi * times / self.period + phase_shift
            driven = {f"{side}_{joint}": value for joint, value in self.leg_offsets(phi).items()}
            missing = sorted(set(driven) - set(joint_names))
            if missing:
                raise KnownAnswerError(f"the motion drives the H1 joints {missing}; this robot has {joint_names}")
            for name, value in driven.items():
                offsets[:, joint_names.index(name)] = envelope * value
        return offsets

    def describe(self) -> dict:
        """What ``meta.json`` records as the bundle's source."""
        motion = next(name for name, kind in KNOWN_MOTIONS.items() if kind is type(self))
        return {"kind": "known_answer", "motion": motion, **asdict(self), "ground_truth": GROUND_TRUTH_FILE}


@dataclass(frozen=True)
class WalkGait(LegMotion):
    """A periodic walk of the Unitree H1 along +x (:func:`swing_offsets`, the legs alternating).

    The base velocity is speed * e(t) along +x. The hip amplitude A = speed * period / (4 * leg_length) makes
    the stance foot move backwards under the hip at the base speed (no foot slip, to first order).
    """

    speed: float = 0.5
    """Forward speed of the base [m/s]."""
    knee_lift: float = 0.5
    """Extra knee flexion at mid-swing [rad]."""
    arm_swing: float = 0.25
    """Shoulder-pitch amplitude [rad]."""
    leg_length: float = 0.8
    """Hip to ankle [m] (H1: thigh 0.4 + shank 0.4)."""
    max_hip_amplitude: float = 0.5
    """Largest hip swing [rad]; it bounds the speed."""

    def __post_init__(self):
        super().__post_init__()
        if self.leg_length <= 0:
            raise KnownAnswerError(f"the walk needs leg_length > 0, got {self.leg_length}")
        if not 0.0 <= self.hip_amplitude <= self.max_hip_amplitude:
            fastest = self.max_hip_amplitude * 4 * self.leg_length / self.period
            raise KnownAnswerError(f"the walk's speed must be in [0, {fastest:.2f}] m/s, got {self.speed}")

    @property
    def hip_amplitude(self) -> float:
        return self.speed * self.period / (4 * self.leg_length)

    def leg_offsets(self, phi: np.ndarray) -> dict[str, np.ndarray]:
        return swing_offsets(phi, self.hip_amplitude, self.knee_lift, self.arm_swing)

    def forward_velocity(self, times: np.ndarray) -> np.ndarray:
        return self.speed * self.envelope(times)

    def forward_position(self, times: np.ndarray) -> np.ndarray:
        """The integral of :meth:`forward_velocity`."""
        if not self.start_s:
            return self.speed * times
        u = np.clip(times / self.start_s, 0.0, 1.0)
        rise = self.start_s * (u**3 - u**4 / 2)  # the integral of e up to min(t, start_s)
        return self.speed * (rise + np.maximum(times - self.start_s, 0.0))


@dataclass(frozen=True)
class MarchGait(LegMotion):
    """The walk's leg and arm motion in place, with a larger swing and no base motion: the H1 marching on a
    gantry (``env.scene.robot.spawn.fix_base=true``), a known answer that needs no balance."""

    hip_swing: float = 0.35
    """Hip-pitch amplitude [rad] (with the knee lift it keeps the ankle, which holds the sole level, inside
    the H1's joint limits)."""
    knee_lift: float = 0.5
    arm_swing: float = 0.5

    def leg_offsets(self, phi: np.ndarray) -> dict[str, np.ndarray]:
        return swing_offsets(phi, self.hip_swing, self.knee_lift, self.arm_swing)


@dataclass(frozen=True)
class LegTuck(LegMotion):
    """Both legs lift together, hip and knee flexing, and stretch back, once per ``period``: the H1 on a gantry
    tucking its legs. Meant as the cheapest known answer to learn: seen from the side both legs are one silhouette
    (no left/right ambiguity in the masks), the legs are the largest moving part of it, and only their six joints
    move. With lift = (1 - cos phi) / 2, from 0 standing to 1 tucked, the offsets are

        hip pitch  -hip_swing * lift    knee  knee_lift * lift    ankle  -(hip + knee)    shoulder  -arm_swing * lift
    """

    period: float = 2.0
    hip_swing: float = 0.5
    knee_lift: float = 0.8
    """(The ankle, which holds the sole level, stays inside the H1's joint limits with these two.)"""
    arm_swing: float = 0.0
    right_leg_shift: ClassVar[float] = 0.0

    def leg_offsets(self, phi: np.ndarray) -> dict[str, np.ndarray]:
        lift = (1.0 - np.cos(phi)) / 2.0
        hip, knee = -self.hip_swing * lift, self.knee_lift * lift
        return {"hip_pitch": hip, "knee": knee, "ankle": -(hip + knee), "shoulder_pitch": -self.arm_swing * lift}


KNOWN_MOTIONS: dict[str, type[LegMotion]] = {"walk": WalkGait, "march": MarchGait, "tuck": LegTuck}
"""``--known-answer`` name -> motion."""
