"""Termination terms of the NIL tasks."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from isaaclab.managers import SceneEntityCfg

if TYPE_CHECKING:
    from isaaclab.envs import ManagerBasedRLEnv


def nonfinite_state(env: ManagerBasedRLEnv, asset_cfg: SceneEntityCfg = SceneEntityCfg("robot")) -> torch.Tensor:
    """Terminate envs whose robot state holds a NaN or Inf, so that one diverged env is reset
    instead of poisoning the batch (the count is logged by the termination manager)."""
    data = env.scene[asset_cfg.name].data
    state = torch.cat(
        (data.root_pos_w.torch, data.root_quat_w.torch, data.joint_pos.torch, data.joint_vel.torch), dim=-1
    )
    return ~torch.isfinite(state).all(dim=-1)
