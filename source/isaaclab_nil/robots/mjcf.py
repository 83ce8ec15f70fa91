"""Build Isaac Lab articulation configs from MJCF robot models (MuJoCo Menagerie)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import isaaclab.sim as sim_utils
from isaaclab.actuators import IdealPDActuatorCfg, ImplicitActuatorCfg
from isaaclab.assets import ArticulationCfg

from .assets import mjcf_effort_limits, mjcf_path


@dataclass
class RobotSpec:
    """What NIL needs to know about a robot, beyond its MJCF file.

    Gains are keyed by joint-name regular expressions, as in Isaac Lab actuator configs.
    """

    name: str
    """Embodiment name used in prompts, e.g. ``"Unitree H1 robot"``."""
    mjcf: str
    """Model file, relative to the asset root."""
    base_body: str
    """Name of the floating-base body (root of the kinematic tree)."""
    foot_bodies: str
    """Regular expression matching the foot bodies."""
    base_height: float
    """Spawn height of the base [m]."""
    default_joint_pos: dict[str, float]
    """Default (standing) joint positions; also the centre of joint-position actions."""
    stiffness: dict[str, float]
    """PD stiffness [N m/rad] of the joint-position drives."""
    damping: dict[str, float]
    """PD damping [N m s/rad] of the joint-position drives."""
    action_scale: float = 0.25
    """Joint-position action scale [rad]: target = default + scale * action."""
    min_base_height: float = 0.5
    """Below this base height [m] the robot counts as fallen."""
    camera_offset: tuple[float, float, float] = (0.0, -3.0, 1.0)
    """Follow-camera position relative to the base (x, y) and the ground (z) [m]; see FollowCameraCfg."""


def _per_joint(pattern_values: dict[str, float], joints: list[str], what: str) -> dict[str, float]:
    """Resolve regex-keyed values for every MJCF joint, keyed by a pattern that also matches the
    imported joint's name (the USD importer appends ``_1``, ``_2``... where a name clashes)."""
    resolved = {}
    for joint in joints:
        value = next((v for p, v in pattern_values.items() if re.fullmatch(p, joint)), None)
        if value is None:
            raise KeyError(f"no {what} given for joint '{joint}'")
        resolved[re.escape(joint) + "(_[0-9]+)?"] = value
    return resolved


def joint_effort_limits(spec: RobotSpec) -> dict[str, float]:
    """Effort limit [N m] of every actuated joint, from the MJCF, keyed by joint-name pattern."""
    effort_limits = mjcf_effort_limits(mjcf_path(spec.mjcf))
    return _per_joint(effort_limits, list(effort_limits), "effort limit")


def robot_cfg(spec: RobotSpec, control: str = "position") -> ArticulationCfg:
    """Articulation config for ``spec``.

    Args:
        spec: the robot.
        control: ``"position"`` — PD joint-position drives with the spec's gains (what Unitree
            deploys); ``"torque"`` — no drives, the policy's torques are applied directly and
            clipped at the MJCF effort limits (the paper's setting).
    """
    path = mjcf_path(spec.mjcf)
    joints = list(mjcf_effort_limits(path))
    limits = joint_effort_limits(spec)
    if control == "position":
        actuator = ImplicitActuatorCfg(
            joint_names_expr=list(limits),
            joint_effort_limit=limits,
            stiffness=_per_joint(spec.stiffness, joints, "stiffness"),
            damping=_per_joint(spec.damping, joints, "damping"),
        )
    elif control == "torque":
        actuator = IdealPDActuatorCfg(
            joint_names_expr=list(limits),
            actuator_effort_limit=limits,
            joint_effort_limit=limits,
            stiffness=0.0,
            damping=0.0,
        )
    else:
        raise ValueError(f"control must be 'position' or 'torque', got {control!r}")
    return ArticulationCfg(
        prim_path="{ENV_REGEX_NS}/Robot",
        spawn=sim_utils.MjcfFileCfg(
            asset_path=str(path),
            activate_contact_sensors=True,
            semantic_tags=[("class", "robot")],
        ),
        init_state=ArticulationCfg.InitialStateCfg(
            pos=(0.0, 0.0, spec.base_height),
            joint_pos=_per_joint(spec.default_joint_pos, joints, "default position"),
            joint_vel={".*": 0.0},
        ),
        soft_joint_pos_limit_factor=0.95,
        actuators={"joints": actuator},
    )


def mjcf_joint_names(mjcf_file: str, sim_joint_names: list[str]) -> list[str]:
    """The MJCF (hardware) name of each simulated joint, undoing the importer's ``_1``-style suffixes."""
    mjcf_joints = set(mjcf_effort_limits(Path(mjcf_file)))
    return [name if name in mjcf_joints else re.sub(r"_[0-9]+$", "", name) for name in sim_joint_names]
