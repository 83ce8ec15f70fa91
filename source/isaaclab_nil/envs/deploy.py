"""What a real-robot controller needs to run a policy trained in a NIL env (the deploy config)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from isaaclab.envs.mdp import JointEffortAction
from isaaclab.utils.string import resolve_matching_names_values

from ..reference.bundle import bundle_digest
from ..robots.mjcf import mjcf_joint_names

if TYPE_CHECKING:
    from isaaclab.envs import ManagerBasedRLEnv


OBSERVATION_MEANINGS = {
    "base_ang_vel": "base (IMU) angular velocity in the base frame [rad/s]",
    "projected_gravity": "unit gravity vector in the base frame",
    "joint_pos": "joint positions minus default_joint_pos [rad], in joint_names order",
    "joint_vel": "joint velocities [rad/s], in joint_names order",
    "actions": "the policy's previous output (raw, before action_scale)",
    "reference_phase": "sin(2*pi*k*p) for each k in phase_frequencies, then cos(2*pi*k*p) for each k, then p; "
    "p = time since start / reference_duration_s, clipped to 1",
}
"""What each policy observation term is, for the controller that rebuilds it on the robot."""


def deploy_info(env: ManagerBasedRLEnv) -> dict:
    """Joint order, default pose, PD gains, action mapping, observation layout and control period.

    Joint names are the MJCF (hardware) names, in the policy's action and observation order; ``joint_ids_map``
    gives each one's motor index in the hardware's SDK order.
    Actions map to ``target = action_offset + action_scale * action`` (joint positions [rad]), or to
    joint torques [N m] when ``action_type`` is ``joint_effort`` (the paper preset).
    """
    robot = env.scene["robot"]
    action_term = env.action_manager.get_term("joints")
    action = action_term.IO_descriptor
    reference = env.command_manager.get_term("reference").cfg
    observations = [
        {"name": name, "dim": int(shape[-1]), "meaning": OBSERVATION_MEANINGS.get(name, "see the task config")}
        for name, shape in zip(
            env.observation_manager.active_terms["policy"], env.observation_manager.group_obs_term_dim["policy"]
        )
    ]
    joint_names = mjcf_joint_names(env.cfg.scene.robot.spawn.asset_path, robot.joint_names)
    return {
        "robot": reference.embodiment,
        "joint_names": joint_names,
        "joint_ids_map": sdk_motor_ids(joint_names, env.cfg.robot_sdk_joint_order),
        "default_joint_pos": _rounded(robot.data.default_joint_pos.torch[0]),
        **nominal_drives(env),
        "action_type": "joint_effort" if isinstance(action_term, JointEffortAction) else "joint_position",
        "action_scale": _per_joint(action.scale, action_term.action_dim),
        "action_offset": _per_joint(action.offset, action_term.action_dim),
        "observations": observations,
        "observation_scales": "none: observations are raw; the exported ONNX policy normalizes them",
        "control_dt": env.step_dt,
        "reference_duration_s": reference.num_frames / reference.fps,
        "reference": {
            "bundle": reference.bundle,
            "bundle_digest": bundle_digest(reference.bundle) if reference.bundle else None,
            "num_frames": reference.num_frames,
            "fps": reference.fps,
        },
        "phase_frequencies": list(reference.phase_frequencies),
    }


def nominal_drives(env: ManagerBasedRLEnv) -> dict[str, list[float]]:
    """Each joint's PD ``stiffness``, ``damping`` and ``effort_limit`` as the robot's config sets them, in the
    policy's joint order: what the real robot's drives are set to. The simulator's own values are not: the
    hardware preset randomizes them per env."""
    joint_names = env.scene["robot"].joint_names
    actuator = env.cfg.scene.robot.actuators["joints"]
    drives = {}
    for key, value in (
        ("stiffness", actuator.stiffness),
        ("damping", actuator.damping),
        ("effort_limit", actuator.joint_effort_limit),
    ):
        if isinstance(value, dict):
            ids, _, values = resolve_matching_names_values(value, joint_names)
            value = [values[ids.index(i)] for i in range(len(joint_names))]
        drives[key] = _per_joint(value, len(joint_names))
    return drives


def sdk_motor_ids(joint_names: list[str], sdk_joint_order: list[str | None]) -> list[int] | None:
    """Entry i: the SDK motor index of policy joint i (unitree_rl_lab's ``joint_ids_map``); None when the
    robot gives no motor order."""
    if not sdk_joint_order:
        return None
    return [sdk_joint_order.index(name) for name in joint_names]


def _rounded(values: torch.Tensor) -> list[float]:
    return [round(v, 6) for v in values.tolist()]


def _per_joint(value: float | list[float] | torch.Tensor, num_joints: int) -> list[float]:
    """An action term's scale or offset (a float, a list per joint, or one row per env) as one value per joint."""
    if isinstance(value, torch.Tensor):
        return _rounded(value[0])
    if isinstance(value, list):
        return [round(float(v), 6) for v in value]
    return [float(value)] * num_joints
