"""Event terms of the NIL tasks beyond Isaac Lab's stock ones."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import TYPE_CHECKING

import torch
import warp as wp
from isaaclab.managers import EventTermCfg, ManagerTermBase, SceneEntityCfg
from isaaclab.utils.math import sample_uniform

if TYPE_CHECKING:
    from isaaclab.envs import ManagerBasedEnv


class randomize_motor_strength(ManagerTermBase):
    """Scale each joint's effort limit (its motor's peak torque) by a factor drawn uniformly from
    ``scale_range`` per env and joint, from the limits the robot was built with.

    Isaac Lab's events randomize PD gains (``randomize_actuator_gains``) but no effort limit; legged_gym's
    ``motor_strength`` scales the PD torque, which the gain randomization already covers, so this term
    randomizes the part the gains cannot: how much torque a motor can give.
    """

    def __init__(self, cfg: EventTermCfg, env: ManagerBasedEnv):
        super().__init__(cfg, env)
        self.asset = env.scene[cfg.params["asset_cfg"].name]
        self.nominal = self.asset.data.joint_effort_limits.torch.clone()

    def __call__(
        self,
        env: ManagerBasedEnv,
        env_ids: torch.Tensor | None,
        asset_cfg: SceneEntityCfg,
        scale_range: tuple[float, float],
    ):
        if env_ids is None:
            env_ids = torch.arange(env.num_envs, device=env.device)
        scale = sample_uniform(*scale_range, (len(env_ids), self.nominal.shape[1]), device=env.device)
        self.asset.write_joint_effort_limit_to_sim_index(limits=self.nominal[env_ids] * scale, env_ids=env_ids)


def hold_default_pose(env: ManagerBasedEnv, env_ids: torch.Tensor, asset_cfg: SceneEntityCfg):
    """Aim every joint's position target at the default pose.

    The action term sets the targets of the joints it drives at every step; the others keep theirs, which Isaac
    Lab starts at zero, not at the default pose: a G1 driving only its legs would let its elbows fall to zero
    (0.97 rad from its default). The deploy contract holds those joints at their default position
    (:func:`~isaaclab_nil.deploy.contract.joint_targets`), and so does the simulator with this term at each reset.
    """
    asset = env.scene[asset_cfg.name]
    default = asset.data.default_joint_pos.torch[env_ids]
    asset.actuators.target_command.set_position_index(value=default, env_ids=env_ids)


def clear_diverged_solver_data(env: ManagerBasedEnv, env_ids: torch.Tensor | slice, term_name: str = "nonfinite_state"):
    """Zero the NaN and Inf a diverged world left anywhere in MuJoCo-Warp's data, for the envs that ``term_name``
    (:func:`~isaaclab_nil.envs.mdp.nonfinite_state`) ends, so that a reset world starts clean.

    Newton's reset (``SolverMuJoCo.reset``, run by Isaac Lab at the next step) zeroes only the warm start, the
    controls and the applied forces; the next step recomputes the rest, but only in the rows it uses. The
    constraint rows past the new constraint count keep the diverged step's NaN (``efc.J``), and the dense Newton
    solver builds its Hessian from 16-row tiles of them with the unused rows weighted by zero, and 0 * NaN = NaN:
    the reset world diverged again whenever its constraint count ended inside such a tile (after a touchdown,
    often for a whole episode). Finite stale values are harmless under those zero weights and are left alone.
    """
    data = getattr(getattr(env.sim.physics_manager, "_solver", None), "mjw_data", None)  # None: not MuJoCo-Warp
    envs = torch.arange(env.num_envs, device=env.device)[env_ids]
    diverged = envs[env.termination_manager.get_term(term_name)[envs]]
    if data is None or len(diverged) == 0:
        return
    for array in _per_world_arrays(data):
        values = wp.to_torch(array)
        if values.is_floating_point():
            values[diverged] = torch.nan_to_num(values[diverged], nan=0.0, posinf=0.0, neginf=0.0)


def _per_world_arrays(data) -> Iterator[wp.array]:
    """The arrays of a MuJoCo-Warp ``Data`` (and of its ``efc``) that it declares per world: first dim "nworld"."""
    for field in dataclasses.fields(data):
        value = getattr(data, field.name)
        if dataclasses.is_dataclass(value):
            yield from _per_world_arrays(value)
        elif isinstance(value, wp.array) and value.size and getattr(field.type, "shape", ())[:1] == ("nworld",):
            yield value
