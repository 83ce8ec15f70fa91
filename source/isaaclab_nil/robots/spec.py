"""What NIL needs to know about a robot, beyond its MJCF file: one :class:`RobotSpec` per robot folder
(``isaaclab_nil/tasks/<robot>/robot.py``). Plain data: reading a spec imports nothing from Isaac Lab."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)  # slots: no __dict__, which Isaac Lab's configclass would write into
class Leg:
    """One leg, as the known-answer motions (:mod:`isaaclab_nil.reference.motions`) drive it: its joints in the
    sagittal plane, each with the sign of the joint angle that moves it the named way (read off the MJCF joint
    axes: e.g. a joint about +y with the leg hanging down swings the foot backwards for a positive angle, so its
    forward sign is -1), and its phase in the robot's gait."""

    hip: str
    """Hip pitch joint (a quadruped's thigh joint)."""
    hip_forward: float
    """+1 or -1: the sign of a hip angle that swings the foot forward."""
    knee: str
    """Knee joint (a quadruped's calf joint)."""
    knee_bend: float
    """+1 or -1: the sign of a knee angle that bends the knee (folds the leg: the foot comes closer to the hip)."""
    phase: float = 0.0
    """The leg's phase in the walk or trot [rad]: the legs at pi step half a period after those at 0."""
    ankle: str | None = None
    """Ankle pitch joint (None: the leg ends in a point foot, like a quadruped's)."""
    ankle_up: float = 1.0
    """+1 or -1: the sign of an ankle angle that lifts the toes."""
    arm: str | None = None
    """A humanoid's shoulder pitch joint on this leg's side (None: no arm swings with this leg)."""
    arm_forward: float = 1.0
    """+1 or -1: the sign of a shoulder angle that swings the arm forward."""


@dataclass(frozen=True, slots=True)
class Legs:
    """A robot's legs for the known-answer motions: two make a humanoid (it walks), four a quadruped (it trots)."""

    length: float
    """Hip pitch axis to the foot [m] in the default pose (a humanoid's ankle, a quadruped's foot centre): the
    radius the foot swings on, which turns a hip swing into a stride."""
    legs: tuple[Leg, ...]

    def __post_init__(self):
        signs = [sign for leg in self.legs for sign in (leg.hip_forward, leg.knee_bend, leg.ankle_up, leg.arm_forward)]
        if self.length <= 0 or not self.legs or any(abs(sign) != 1.0 for sign in signs):
            raise ValueError(f"legs need a length > 0, at least one leg and signs of +1 or -1; got {self}")

    @classmethod
    def named(cls, length: float, phases: dict[str, float], **joints: str | float | None) -> Legs:
        """Legs whose joint names differ only by the leg's name, with the same signs: ``joints`` are :class:`Leg`'s
        fields with ``{leg}`` in the joint names, ``phases`` maps each leg's name to its phase. E.g. the H1's
        ``Legs.named(0.8, {"left": 0.0, "right": math.pi}, hip="{leg}_hip_pitch", hip_forward=-1.0, ...)``."""

        def leg(name: str, phase: float) -> Leg:
            fields = {key: value.format(leg=name) if isinstance(value, str) else value for key, value in joints.items()}
            return Leg(phase=phase, **fields)

        return cls(length, tuple(leg(name, phase) for name, phase in phases.items()))

    def __iter__(self):
        return iter(self.legs)

    def __len__(self) -> int:
        return len(self.legs)


@dataclass(frozen=True)
class RobotSpec:
    """A robot: its model, bodies, standing pose, drives, fall limits, camera framing and hardware motor order.

    Per-joint values (pose, gains) are keyed by joint-name regular expressions over the MJCF joint names, as in
    Isaac Lab actuator configs; every actuated joint must match one key.

    The legs (:class:`Legs`) decide the known-answer motions the robot offers (a humanoid walks, a quadruped
    trots; both march and tuck on a gantry). To describe a robot's legs: name each leg's hip pitch and knee (and
    ankle pitch and shoulder pitch, where it has them), read from each joint's MJCF axis the sign that swings the
    foot (or arm) forward, bends the knee and lifts the toes (``tests/evaluation/test_motions.py`` checks these
    by forward kinematics), give the legs that step together the same phase (a humanoid's left 0 and right pi;
    a quadruped's trot pairs FL + RR at 0 and FR + RL at pi) and the hip-to-foot length, e.g. the H1's::

        legs=Legs.named(
            0.8, {"left": 0.0, "right": math.pi},
            hip="{leg}_hip_pitch", hip_forward=-1.0, knee="{leg}_knee", knee_bend=1.0,
            ankle="{leg}_ankle", ankle_up=-1.0, arm="{leg}_shoulder_pitch", arm_forward=-1.0,
        )
    """

    name: str
    """Embodiment name used in prompts: ``"The {name} agent is walking forward, ..."``, e.g.
    ``"Unitree Go2 quadruped robot"``."""
    mjcf: str
    """Model file, relative to the asset root (``assets/mjcf`` or ``$NIL_ASSET_ROOT``)."""
    base_body: str
    """Name of the floating-base body (root of the kinematic tree)."""
    foot_bodies: str
    """Regular expression matching the foot bodies (contact sensor, foot-slip and air-time terms)."""
    base_height: float
    """Spawn height of the base [m]: the feet just above the ground in the default pose."""
    default_joint_pos: dict[str, float]
    """Default (standing) joint positions [rad]; also the centre of joint-position actions."""
    stiffness: dict[str, float]
    """PD stiffness [N m/rad] of the joint-position drives."""
    damping: dict[str, float]
    """PD damping [N m s/rad] of the joint-position drives."""
    sdk_joint_order: tuple[str | None, ...]
    """The hardware's motor order: entry i is the MJCF joint driven by SDK motor i (None: a motor slot the robot
    does not use). For Unitree robots, the actuator order of Unitree's own MJCF (``unitree_mujoco``), which its
    sim-to-sim bridge maps one to one onto the SDK's ``motor_cmd``."""
    legs: Legs
    """The legs the known-answer motions drive (see above)."""
    action_scale: float = 0.25
    """Joint-position action scale [rad]: target = default + scale * action."""
    min_base_height: float = 0.5
    """Below this base height [m] the robot counts as fallen."""
    max_tilt: float = 1.0
    """Above this angle [rad] between the base's up axis and the world's, the robot counts as fallen."""
    camera_offset: tuple[float, float, float] = (0.0, -3.0, 1.0)
    """Follow-camera position relative to the base (x, y) and the ground (z) [m], looking along +Y (a side view,
    see :mod:`isaaclab_nil.envs.mdp.camera`): far enough for the whole robot to be in frame, at its mid-height."""
