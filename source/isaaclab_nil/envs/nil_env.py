"""The NIL environment: Isaac Lab's manager-based RL env plus the follow camera's frames."""

from __future__ import annotations

import torch

from isaaclab.envs import ManagerBasedRLEnv

from . import mdp
from .nil_env_cfg import NILEnvCfg


class NILEnv(ManagerBasedRLEnv):
    """Manager-based RL env of every NIL task."""

    cfg: NILEnvCfg

    def __init__(self, cfg: NILEnvCfg, render_mode: str | None = None, **kwargs):
        cfg.sync()
        super().__init__(cfg, render_mode, **kwargs)
        self._robot_semantic_id: int | None = None

    @property
    def robot_semantic_id(self) -> int:
        """Id of ``class:robot`` in the follow camera's semantic segmentation."""
        if self._robot_semantic_id is None:
            info = self.scene[mdp.camera.CAMERA_NAME].data.info["semantic_segmentation"]["idToLabels"]
            ids = [int(i) for i, label in info.items() if "robot" in str(label)]
            if len(ids) != 1:
                raise RuntimeError(f"expected one 'class:robot' id in the segmentation, found {info}")
            self._robot_semantic_id = ids[0]
        return self._robot_semantic_id

    def robot_frames(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Latest follow-camera RGB (N, H, W, 3) uint8 and robot mask (N, H, W) bool, on the env's device."""
        return mdp.robot_frames(self)
