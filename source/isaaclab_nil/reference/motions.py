"""Scripted leg motions whose right answer is known: the known-answer reference source.

``nil generate --known-answer walk`` plays one of :data:`KNOWN_MOTIONS` on the task's robot kinematically
(``isaaclab_nil.envs.playback``), renders it through the follow camera and writes it as an ordinary bundle,
with the played motion beside it (:mod:`.ground_truth`). This module is the motions' math only (NumPy).
See ``docs/evaluation.md``.

The motions are built from the robot's leg description (:class:`~isaaclab_nil.robots.spec.Legs`, a field of its
spec), not from joint names: each leg's motion is written in flexion angles, the same for every body,

    hip    h > 0 swings the foot forward        knee   k > 0 bends the knee (folds the leg)
    ankle  a > 0 lifts the toes                 arm    s > 0 swings the arm (shoulder pitch) forward

and each joint's offset from the default pose is its sign in the leg description times its flexion. What a
robot offers follows from its legs (:func:`motions_for`): two legs walk, four trot; any legs march or tuck.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import ClassVar

import numpy as np

from ..robots.spec import Leg, Legs
from .errors import KnownAnswerError
from .ground_truth import GROUND_TRUTH_FILE

DEFAULT_DURATION_S = 8.0
"""Default length of a known-answer reference: one 400-step evaluation episode at 50 Hz."""

JOINT_SIGNS = {"hip": "hip_forward", "knee": "knee_bend", "ankle": "ankle_up", "arm": "arm_forward"}
"""Each flexion angle of a leg -> the :class:`Leg` field with the sign of the joint angle that makes it."""


def swing_flexion(phi: np.ndarray, hip_amplitude: float, knee_lift: float, arm_swing: float) -> dict[str, np.ndarray]:
    """The flexion angles [rad] of a stepping leg at its phase ``phi``:

    hip    A sin(phi)                         the foot swings forward while cos(phi) > 0, back in the stance
    knee   knee_lift * max(cos(phi), 0)       the knee bends during the swing only
    ankle  knee - hip                         the sole stays parallel to the ground
    arm    -arm_swing * sin(phi)              the arm on the leg's side swings against it
    """
    hip = hip_amplitude * np.sin(phi)
    knee = knee_lift * np.maximum(np.cos(phi), 0.0)
    return {"hip": hip, "knee": knee, "ankle": knee - hip, "arm": -arm_swing * np.sin(phi)}


@dataclass(frozen=True)
class LegMotion:
    """A periodic motion of the legs (and arms) of ``legs`` as offsets from the default pose, each leg at its own
    phase, started smoothly: the offsets are multiplied by the start-up envelope e(t), which rises from 0 to 1
    over ``start_s`` (e = 3u^2 - 2u^3, u = t / start_s), so the motion starts standing still in the default
    pose, like the env. The base stays upright; it stands still unless a subclass moves it."""

    legs: Legs
    """The robot's legs (its spec's ``legs``)."""
    period: float = 1.0
    """Motion period [s]."""
    start_s: float = 1.0
    """Seconds from standing still to the full motion."""
    leg_counts: ClassVar[tuple[int, ...]] = (2, 4)
    """The numbers of legs the motion is made for."""
    legs_in_phase: ClassVar[bool] = False
    """True: every leg moves at phase 0 (together); False: each at its leg description's phase."""

    def __post_init__(self):
        if len(self.legs) not in self.leg_counts:
            offered = motions_for(self.legs)
            raise KnownAnswerError(
                f"a robot with {len(self.legs)} legs cannot {self.name}; its known-answer motions: {offered}"
            )
        if self.period <= 0 or self.start_s < 0:
            raise KnownAnswerError(f"a motion needs period > 0 and start_s >= 0; got {self.period}, {self.start_s}")

    def flexion(self, phi: np.ndarray) -> dict[str, np.ndarray]:
        """The flexion angles [rad] (hip, knee, ankle, arm: see the module) of a leg at its phase ``phi``."""
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

    def leg_offsets(self, leg: Leg, times: np.ndarray) -> dict[str, np.ndarray]:
        """Offsets [rad] of ``leg``'s joints (by name) at ``times`` [s], before the envelope; the flexions of
        joints the leg does not have (a quadruped's ankle and arm) are dropped."""
        phi = 2 * math.pi * times / self.period + (0.0 if self.legs_in_phase else leg.phase)
        joints = {role: getattr(leg, role) for role in JOINT_SIGNS}
        return {
            joints[role]: getattr(leg, JOINT_SIGNS[role]) * value
            for role, value in self.flexion(phi).items()
            if joints[role] is not None
        }

    def joint_offsets(self, times: np.ndarray, joint_names: list[str]) -> np.ndarray:
        """Offsets from the default pose (T, J) [rad] at ``times`` (T,) [s]; undriven joints stay at 0."""
        offsets = np.zeros((len(times), len(joint_names)))
        envelope = self.envelope(times)
        for leg in self.legs:
            driven = self.leg_offsets(leg, times)
            missing = sorted(set(driven) - set(joint_names))
            if missing:
                raise KnownAnswerError(f"the leg description names joints {missing}; this robot has {joint_names}")
            for name, value in driven.items():
                offsets[:, joint_names.index(name)] = envelope * value
        return offsets

    def driven_joints(self) -> list[str]:
        """The joints the motion moves, leg by leg (the others keep the default pose)."""
        times = np.linspace(0.0, self.period, 16, endpoint=False)
        return [name for leg in self.legs for name, value in self.leg_offsets(leg, times).items() if np.any(value)]

    @property
    def name(self) -> str:
        """Its ``--known-answer`` name."""
        return next(name for name, kind in KNOWN_MOTIONS.items() if kind is type(self))

    def describe(self) -> dict:
        """What ``meta.json`` records as the bundle's source (the robot's legs are its spec's)."""
        parameters = {key: value for key, value in asdict(self).items() if key != "legs"}
        return {"kind": "known_answer", "motion": self.name, **parameters, "ground_truth": GROUND_TRUTH_FILE}


@dataclass(frozen=True)
class WalkGait(LegMotion):
    """A humanoid walking along +x (:func:`swing_flexion`, the legs at their phases: alternating).

    The base velocity is speed * e(t) along +x. The hip amplitude A = speed * period / (4 * leg length) makes
    the stance foot move backwards under the hip at the base speed (no foot slip, to first order).
    """

    speed: float = 0.5
    """Forward speed of the base [m/s]."""
    knee_lift: float = 0.5
    """Extra knee flexion at mid-swing [rad]."""
    arm_swing: float = 0.25
    """Shoulder-pitch amplitude [rad]."""
    max_hip_amplitude: float = 0.5
    """Largest hip swing [rad]; it bounds the speed."""
    leg_counts: ClassVar[tuple[int, ...]] = (2,)

    def __post_init__(self):
        super().__post_init__()
        if not 0.0 <= self.hip_amplitude <= self.max_hip_amplitude:
            fastest = self.max_hip_amplitude * 4 * self.legs.length / self.period
            raise KnownAnswerError(f"the {self.name}'s speed must be in [0, {fastest:.2f}] m/s, got {self.speed}")

    @property
    def hip_amplitude(self) -> float:
        return self.speed * self.period / (4 * self.legs.length)

    def flexion(self, phi: np.ndarray) -> dict[str, np.ndarray]:
        return swing_flexion(phi, self.hip_amplitude, self.knee_lift, self.arm_swing)

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
class Trot(WalkGait):
    """A quadruped trotting along +x: the walk's leg motion and base motion with the legs at their phases, the
    diagonal pairs (FL + RR, FR + RL) in phase and the pairs in antiphase, at a quadruped's stride period."""

    period: float = 0.5
    arm_swing: float = 0.0
    """(A quadruped has no arms.)"""
    leg_counts: ClassVar[tuple[int, ...]] = (4,)


@dataclass(frozen=True)
class MarchGait(LegMotion):
    """The walk's (or trot's) leg and arm motion in place, with a larger swing and no base motion: the robot
    stepping on a gantry (``env.scene.robot.spawn.fix_base=true``), a known answer that needs no balance."""

    hip_swing: float = 0.35
    """Hip-pitch amplitude [rad] (with the knee lift it keeps the H1's ankle, which holds the sole level, inside
    its joint limits)."""
    knee_lift: float = 0.5
    arm_swing: float = 0.5

    def flexion(self, phi: np.ndarray) -> dict[str, np.ndarray]:
        return swing_flexion(phi, self.hip_swing, self.knee_lift, self.arm_swing)


@dataclass(frozen=True)
class LegTuck(LegMotion):
    """All legs lift together, hip and knee flexing, and stretch back, once per ``period``: the robot on a gantry
    tucking its legs. Meant as the cheapest known answer to learn: seen from the side, the legs of a pair (left
    and right) are one silhouette (no left/right ambiguity in the masks), the legs are the largest moving part
    of it, and only their pitch joints move. With lift = (1 - cos phi) / 2, from 0 standing to 1 tucked:

        hip  hip_swing * lift    knee  knee_lift * lift    ankle  knee - hip (sole level)    arm  arm_swing * lift
    """

    period: float = 2.0
    hip_swing: float = 0.5
    knee_lift: float = 0.8
    """(The H1's ankle, which holds the sole level, stays inside its joint limits with these two.)"""
    arm_swing: float = 0.0
    legs_in_phase: ClassVar[bool] = True

    def flexion(self, phi: np.ndarray) -> dict[str, np.ndarray]:
        lift = (1.0 - np.cos(phi)) / 2.0
        hip, knee = self.hip_swing * lift, self.knee_lift * lift
        return {"hip": hip, "knee": knee, "ankle": knee - hip, "arm": self.arm_swing * lift}


KNOWN_MOTIONS: dict[str, type[LegMotion]] = {"walk": WalkGait, "trot": Trot, "march": MarchGait, "tuck": LegTuck}
"""``--known-answer`` name -> motion; a robot offers those made for its number of legs (:func:`motions_for`)."""


def motions_for(legs: Legs) -> list[str]:
    """The known-answer motions a robot with ``legs`` offers."""
    return [name for name, motion in KNOWN_MOTIONS.items() if len(legs) in motion.leg_counts]


def make_motion(name: str, legs: Legs, **parameters) -> LegMotion:
    """Known-answer motion ``name`` on ``legs``, with its ``parameters`` (e.g. ``speed``).

    Raises:
        KnownAnswerError: an unknown motion, one the robot does not offer (naming those it offers), or a bad
            parameter.
    """
    if name not in KNOWN_MOTIONS:
        raise KnownAnswerError(f"no known-answer motion {name!r}; the motions: {list(KNOWN_MOTIONS)}")
    return KNOWN_MOTIONS[name](legs, **parameters)
