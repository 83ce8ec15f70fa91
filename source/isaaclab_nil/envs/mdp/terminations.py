"""Termination terms of the NIL tasks."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from isaaclab.managers import SceneEntityCfg

from .commands import ReferenceCommand

if TYPE_CHECKING:
    from isaaclab.envs import ManagerBasedRLEnv


def reference_finished(env: ManagerBasedRLEnv, command_name: str = "reference") -> torch.Tensor:
    """The episode has shown the reference's last frame (a time-out: learners bootstrap from it)."""
    command: ReferenceCommand = env.command_manager.get_term(command_name)
    return command.finished


ROBOT = SceneEntityCfg("robot")


def nonfinite_state(env: ManagerBasedRLEnv, asset_cfg: SceneEntityCfg = ROBOT) -> torch.Tensor:
    """Terminate envs whose robot state holds a NaN or Inf, so that one diverged env is reset
    instead of poisoning the batch (the count is logged by the termination manager); its reset also clears what
    the divergence left in the solver (:func:`~isaaclab_nil.envs.mdp.events.clear_diverged_solver_data`)."""
    data = env.scene[asset_cfg.name].data
    state = torch.cat(
        (data.root_pos_w.torch, data.root_quat_w.torch, data.joint_pos.torch, data.joint_vel.torch), dim=-1
    )
    return ~torch.isfinite(state).all(dim=-1)
