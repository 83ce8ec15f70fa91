"""Action terms of the NIL tasks beyond Isaac Lab's stock ones."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from isaaclab.envs.mdp import JointPositionAction, JointPositionActionCfg
from isaaclab.utils import configclass

if TYPE_CHECKING:
    from collections.abc import Sequence

    from isaaclab.envs import ManagerBasedEnv


class DelayedJointPositionAction(JointPositionAction):
    """Joint-position targets that reach the drives 0 to ``max_delay`` control steps late: the latency between
    a real robot's sensing and its motors. Each env draws its delay at every reset; until an env has acted for
    ``delay`` steps, its drives hold the default pose (the target of a zero action)."""

    cfg: DelayedJointPositionActionCfg

    def __init__(self, cfg: DelayedJointPositionActionCfg, env: ManagerBasedEnv):
        super().__init__(cfg, env)
        # the latest max_delay + 1 processed actions, newest first
        self._history = torch.zeros(self.num_envs, cfg.max_delay + 1, self.action_dim, device=self.device)
        self.delay = torch.zeros(self.num_envs, dtype=torch.long, device=self.device)
        """Each env's delay [control steps]."""
        self._envs = torch.arange(self.num_envs, device=self.device)

    def process_actions(self, actions: torch.Tensor):
        super().process_actions(actions)
        self._history = torch.cat((self._processed_actions.unsqueeze(1), self._history[:, :-1]), dim=1)

    @property
    def applied_actions(self) -> torch.Tensor:
        """The joint-position targets sent to the drives: each env's processed action of ``delay`` steps ago."""
        return self._history[self._envs, self.delay]

    def apply_actions(self):
        self._asset.set_joint_position_target_index(target=self.applied_actions, joint_ids=self._joint_ids)

    def reset(self, env_ids: Sequence[int] | None = None) -> None:
        super().reset(env_ids)
        env_ids = self._envs[slice(None) if env_ids is None else env_ids]
        idle = torch.zeros_like(self._raw_actions).add_(self._offset)  # the target of a zero action
        self._history[env_ids] = idle[env_ids].unsqueeze(1)
        self.delay[env_ids] = torch.randint(0, self.cfg.max_delay + 1, (len(env_ids),), device=self.device)


@configclass
class DelayedJointPositionActionCfg(JointPositionActionCfg):
    """:class:`DelayedJointPositionAction`: joint-position targets with a random per-env latency."""

    class_type: type = DelayedJointPositionAction
    max_delay: int = 1
    """The largest delay [control steps]; each env's delay is uniform in 0..max_delay."""
