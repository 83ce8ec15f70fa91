"""What NIL needs to know about a robot, beyond its MJCF file: one :class:`RobotSpec` per robot folder
(``isaaclab_nil/tasks/<robot>/robot.py``). Plain data: reading a spec imports nothing from Isaac Lab."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RobotSpec:
    """A robot: its model, bodies, standing pose, drives, fall limits, camera framing and hardware motor order.

    Per-joint values (pose, gains) are keyed by joint-name regular expressions over the MJCF joint names, as in
    Isaac Lab actuator configs; every actuated joint must match one key.
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
    action_scale: float = 0.25
    """Joint-position action scale [rad]: target = default + scale * action."""
    min_base_height: float = 0.5
    """Below this base height [m] the robot counts as fallen."""
    max_tilt: float = 1.0
    """Above this angle [rad] between the base's up axis and the world's, the robot counts as fallen."""
    camera_offset: tuple[float, float, float] = (0.0, -3.0, 1.0)
    """Follow-camera position relative to the base (x, y) and the ground (z) [m], looking along +Y (a side view,
    see :mod:`isaaclab_nil.envs.mdp.camera`): far enough for the whole robot to be in frame, at its mid-height."""
