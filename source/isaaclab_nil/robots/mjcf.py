"""Build Isaac Lab articulation configs from a robot's spec and its MJCF model."""

from __future__ import annotations

import re
from pathlib import Path

import isaaclab.sim as sim_utils
from isaaclab.actuators import IdealPDActuatorCfg, ImplicitActuatorCfg
from isaaclab.assets import ArticulationCfg

from .assets import MjcfModelError, mjcf_effort_limits, mjcf_path, root_at_origin
from .spec import RobotSpec

__all__ = ["RobotSpec", "check_spec", "joint_effort_limits", "mjcf_joint_names", "robot_cfg", "spawn_robot"]


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


def check_spec(spec: RobotSpec) -> list[str]:
    """The actuated joints of ``spec``'s model, after checking that its SDK motor order names each exactly once.

    Raises:
        MjcfModelError: naming the model, when the SDK order misses a joint, repeats one or names another.
    """
    joints = list(mjcf_effort_limits(mjcf_path(spec.mjcf)))
    named = [joint for joint in spec.sdk_joint_order if joint is not None]
    if sorted(named) != sorted(joints):
        missing, extra = sorted(set(joints) - set(named)), sorted(set(named) - set(joints))
        repeated = sorted({joint for joint in named if named.count(joint) > 1})
        raise MjcfModelError(
            f"{spec.mjcf}: sdk_joint_order of {spec.name} must name every actuated joint once "
            f"(missing {missing}, not actuated {extra}, repeated {repeated})"
        )
    return joints


def spawn_robot(prim_path: str, cfg: sim_utils.MjcfFileCfg, *args, **kwargs):
    """Isaac Lab's ``spawn_from_mjcf``, a fixed base (``cfg.fix_base``) from the model with its root body at the
    origin (:func:`~isaaclab_nil.robots.assets.root_at_origin`): the base is welded at the spawn pose, where
    the articulation's root pose says it is. ``cfg.asset_path`` stays the robot's own model."""
    if cfg.fix_base:
        cfg = cfg.replace(asset_path=str(root_at_origin(cfg.asset_path)))
    return sim_utils.spawn_from_mjcf(prim_path, cfg, *args, **kwargs)


def robot_cfg(spec: RobotSpec, control: str = "position") -> ArticulationCfg:
    """Articulation config for ``spec``.

    Args:
        spec: the robot.
        control: ``"position"`` — PD joint-position drives with the spec's gains (what Unitree
            deploys); ``"torque"`` — no drives, the policy's torques are applied directly and
            clipped at the MJCF effort limits (the paper's setting).
    """
    path = mjcf_path(spec.mjcf)
    joints = check_spec(spec)
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
            func=spawn_robot,
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
