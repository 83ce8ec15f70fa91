"""The deploy config of a NIL env: what a real-robot controller needs, in unitree_rl_lab's ``deploy.yaml`` schema
(see :mod:`isaaclab_nil.deploy.contract` for the keys and ``docs/deploy.md`` for the controller's side)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import torch
from isaaclab.envs.mdp import JointEffortAction
from isaaclab.utils.string import resolve_matching_names_values

from ..deploy.contract import PHASE_TERM, SCHEMA_VERSION, sdk_motor_ids
from ..errors import ConfigError
from ..reference.bundle import bundle_digest
from ..robots.assets import asset_root
from ..robots.mjcf import mjcf_joint_names
from . import mdp
from .mdp.commands import registered_task

if TYPE_CHECKING:
    from isaaclab.envs import ManagerBasedRLEnv

OBSERVATION_TERMS = {
    mdp.base_ang_vel: "base_ang_vel",
    mdp.projected_gravity: "projected_gravity",
    mdp.joint_pos_rel: "joint_pos_rel",
    mdp.joint_vel_rel: "joint_vel_rel",
    mdp.last_action: "last_action",
    mdp.generated_commands: PHASE_TERM,
}
"""Each policy observation function and its term name in the deploy config: unitree_rl_lab's controller names
its terms after Isaac Lab's functions; ``reference_phase`` is NIL's (the reference command)."""


def deploy_document(env: ManagerBasedRLEnv, run: str | None = None, checkpoint: str | None = None) -> dict:
    """The deploy config of ``env``'s policy, ``nil.contract`` without its digests (``write_contract`` adds them).

    Joint names are the MJCF (hardware) names, in the policy's order (the articulation's); ``joint_ids_map`` gives
    each one's motor in the robot's SDK order (``robot_sdk_joint_order``; the policy order when a robot gives
    none), and the gains are written in that motor order, as unitree_rl_lab's controller reads them.
    """
    robot = env.scene["robot"]
    robot_cfg = env.cfg.scene.robot
    joint_names = mjcf_joint_names(robot_cfg.spawn.asset_path, robot.joint_names)
    sdk_order = list(env.cfg.robot_sdk_joint_order) or joint_names
    motor_ids = sdk_motor_ids(joint_names, sdk_order)
    observations = _observations(env)
    action_name, action = _action(env, joint_names)
    reference = env.command_manager.get_term("reference").cfg
    drives = nominal_drives(env)
    height, tilt = env.cfg.terminations.base_height, env.cfg.terminations.base_tilt
    return {
        "joint_ids_map": motor_ids,
        "step_dt": env.step_dt,
        "stiffness": _in_motor_order(drives["stiffness"], motor_ids, len(sdk_order)),
        "damping": _in_motor_order(drives["damping"], motor_ids, len(sdk_order)),
        "default_joint_pos": _rounded(robot.data.default_joint_pos.torch[0]),
        "actions": {action_name: action},
        "observations": observations,
        "nil": {
            "schema_version": SCHEMA_VERSION,
            "robot": reference.embodiment,
            "mjcf": _model_path(robot_cfg.spawn.asset_path),
            "joint_names": joint_names,
            "sdk_joint_order": sdk_order,
            "effort_limit": drives["effort_limit"],
            "fix_base": bool(getattr(robot_cfg.spawn, "fix_base", False)),
            "start": {"base_pos": list(robot_cfg.init_state.pos), "base_quat_wxyz": _wxyz(robot_cfg.init_state.rot)},
            "fall": {
                "min_base_height": height.params["minimum_height"] if height is not None else None,
                "max_tilt": tilt.params["limit_angle"] if tilt is not None else None,
            },
            "physics_dt": env.cfg.sim.dt,
            "reference": {
                "bundle": reference.bundle,
                "bundle_digest": bundle_digest(reference.bundle) if reference.bundle else None,
                "num_frames": reference.num_frames,
                "fps": reference.fps,
            },
            "contract": {
                "run": run,
                "checkpoint": checkpoint,
                "task": registered_task(env.cfg),
                "obs_dim": int(env.observation_manager.group_obs_dim["policy"][0]),
                "action_dim": int(env.action_manager.total_action_dim),
            },
        },
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
        drives[key] = _per_value(value, len(joint_names))
    return drives


def _observations(env: ManagerBasedRLEnv) -> dict:
    """``observations.<term>`` in the policy's order: params, clip, one scale per value, history length."""
    group = env.cfg.observations.policy
    reference = env.command_manager.get_term("reference").cfg
    terms = {}
    names = env.observation_manager.active_terms["policy"]
    for name, shape in zip(names, env.observation_manager.group_obs_term_dim["policy"]):
        term = getattr(group, name)
        deploy_name = OBSERVATION_TERMS.get(term.func)
        if deploy_name is None or term.params.get("command_name", "reference") != "reference":
            raise ConfigError(
                f"policy observation '{name}' ({term.func.__name__}) has no deploy meaning: a controller could not "
                f"compute it (deployable terms: {sorted(OBSERVATION_TERMS.values())})"
            )
        dim = int(shape[-1])
        params = {"frequencies": list(reference.phase_frequencies), "duration_s": reference.num_frames / reference.fps}
        terms[deploy_name] = {
            "params": params if deploy_name == PHASE_TERM else {},
            "clip": list(term.clip) if term.clip is not None else None,
            "scale": _per_value(term.scale if term.scale is not None else 1.0, dim),
            "history_length": max(int(term.history_length), 1),
        }
    return terms


def _action(env: ManagerBasedRLEnv, joint_names: list[str]) -> tuple[str, dict]:
    """``actions.<Term>``: unitree_rl_lab's term name, then scale, offset, clip and the action's joints."""
    term = env.action_manager.get_term("joints")
    action = term.IO_descriptor
    joint_ids = term._joint_ids if not isinstance(term._joint_ids, slice) else range(len(joint_names))
    joint_ids = [int(i) for i in joint_ids]
    clip = term._clip[0].tolist() if getattr(term, "_clip", None) is not None else None
    name = "JointEffortAction" if isinstance(term, JointEffortAction) else "JointPositionAction"
    return name, {
        "clip": clip,
        "joint_names": [joint_names[i] for i in joint_ids],
        "scale": _per_value(action.scale, term.action_dim),
        "offset": _per_value(action.offset, term.action_dim),
        "joint_ids": joint_ids,
    }


def _model_path(asset_path: str) -> str:
    """The robot model relative to the asset root (absolute when it is elsewhere)."""
    path, root = Path(asset_path).resolve(), asset_root().resolve()
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def _wxyz(xyzw) -> list[float]:
    x, y, z, w = (float(v) for v in xyzw)
    return [w, x, y, z]


def _in_motor_order(values: list[float], motor_ids: list[int], num_motors: int) -> list[float]:
    """Per-joint values in SDK motor order, 0 on the motors no policy joint drives."""
    ordered = [0.0] * num_motors
    for value, motor in zip(values, motor_ids):
        ordered[motor] = value
    return ordered


def _rounded(values: torch.Tensor) -> list[float]:
    return [round(v, 6) for v in values.tolist()]


def _per_value(value: float | list[float] | tuple | torch.Tensor, size: int) -> list[float]:
    """A scale or offset (a float, a list per value, or one row per env) as ``size`` floats."""
    if isinstance(value, torch.Tensor):
        return _rounded(value[0] if value.dim() > 1 else value)
    if isinstance(value, (list, tuple)):
        return [round(float(v), 6) for v in value]
    return [float(value)] * size
