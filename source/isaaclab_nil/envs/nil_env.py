"""The NIL environment: Isaac Lab's manager-based RL env plus the follow camera's frames and the reference."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from isaaclab.envs import ManagerBasedRLEnv

from . import mdp
from .nil_env_cfg import NILEnvCfg

if TYPE_CHECKING:
    from .reference_tracker import ReferenceTracker


class NILEnv(ManagerBasedRLEnv):
    """Manager-based RL env of every NIL task."""

    cfg: NILEnvCfg

    def __init__(self, cfg: NILEnvCfg, render_mode: str | None = None, **kwargs):
        self.reference_tracker: ReferenceTracker | None = None
        """Per-env state of the NIL video and mask rewards; None without a reference bundle."""
        bundle = None
        if cfg.reference.bundle is not None:
            from .reference_tracker import ReferenceTracker, load_reference  # the encoder pulls in transformers

            bundle, encoder = load_reference(cfg)  # before the simulation exists: a wrong bundle fails fast
            cfg.reference.fps, cfg.reference.num_frames = bundle.meta.fps, bundle.meta.num_frames
        cfg.sync()
        super().__init__(cfg, render_mode, **kwargs)
        self._robot_semantic_id: int | None = None
        if bundle is not None:
            self.reference_tracker = ReferenceTracker(self, bundle, encoder)

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

    def _reset_idx(self, env_ids: torch.Tensor | slice):
        super()._reset_idx(env_ids)
        if self.reference_tracker is not None:
            self.reference_tracker.reset(env_ids)
