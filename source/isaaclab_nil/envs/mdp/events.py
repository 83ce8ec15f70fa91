"""Event terms of the NIL tasks beyond Isaac Lab's stock ones."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
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
