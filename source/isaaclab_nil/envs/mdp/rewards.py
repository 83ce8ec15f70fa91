"""Reward terms of the NIL reward (paper sec. 3.3.1) beyond Isaac Lab's stock ones; see ``docs/reward.md``.

The reference terms read the env's :class:`~isaaclab_nil.envs.mdp.commands.ReferenceCommand` by
``command_name``: each reference frame's value is spread over the frame's control steps (``step_share``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from isaaclab.managers import ManagerTermBase, RewardTermCfg, SceneEntityCfg
from isaaclab.utils import configclass

from ...metrics import SIMILARITIES, Similarity, video_similarity
from .commands import ReferenceCommand

if TYPE_CHECKING:
    from isaaclab.envs import ManagerBasedRLEnv
    from isaaclab.sensors import ContactSensor


class reference_video_similarity(ManagerTermBase):
    """Alpha term: S_video of each env's current clip against the reference clip of its frame, spread over the
    frame's control steps, with the similarity of its :class:`VideoSimilarityTermCfg`.

    When its weight is not 0 it asks the reference command to embed clips (and so to load the encoder); a
    weight of 0 (Table 1's "w/o video similarity") loads and runs no encoder.
    """

    cfg: VideoSimilarityTermCfg

    def __init__(self, cfg: VideoSimilarityTermCfg, env: ManagerBasedRLEnv):
        super().__init__(cfg, env)
        check_similarity(cfg.similarity)
        self.command: ReferenceCommand = env.command_manager.get_term(cfg.params.get("command_name", "reference"))
        if cfg.weight != 0:
            self.command.embed_clips()

    def __call__(self, env: ManagerBasedRLEnv, command_name: str = "reference"):
        command = self.command
        command.update()
        if command.embedding is None:  # no bundle: nothing to compare with
            return torch.zeros(env.num_envs, device=env.device)
        reference = command.bundle.embeddings[command.frame.clamp(min=0)]
        return video_similarity(command.embedding, reference, self.cfg.similarity) * command.step_share


@configclass
class VideoSimilarityTermCfg(RewardTermCfg):
    """The alpha term's config: a reward term with the similarity of its clip embeddings."""

    func: type = reference_video_similarity
    similarity: Similarity = "cosine"
    """``"cosine"`` (the CVPR revision, the default: in [-1, 1], so an episode that stays up and imitates earns more
    than one that falls; ``docs/reward.md``) or ``"neg_l2"`` (the negative L2 distance, paper v1)."""


def check_similarity(similarity: str) -> None:
    """Raise ``ValueError`` unless ``similarity`` names a video similarity."""
    if similarity not in SIMILARITIES:
        raise ValueError(f"env.rewards.video_similarity.similarity must be one of {SIMILARITIES}, got {similarity!r}")


def reference_mask_iou(env: ManagerBasedRLEnv, command_name: str = "reference") -> torch.Tensor:
    """Beta term: IoU of each env's robot mask with the reference mask, spread over the frame's control steps."""
    command: ReferenceCommand = env.command_manager.get_term(command_name)
    command.update()
    return command.iou * command.step_share


def feet_air_time_bonus(env: ManagerBasedRLEnv, sensor_cfg: SceneEntityCfg, threshold: float) -> torch.Tensor:
    """The slight bonus of the paper's P_F for a foot that stayed off the ground long: at each touchdown,
    the air time beyond ``threshold`` [s] (legged_gym's air-time reward without its penalty for short steps)."""
    sensor: ContactSensor = env.scene.sensors[sensor_cfg.name]
    touchdown = sensor.compute_first_contact(env.step_dt).torch[:, sensor_cfg.body_ids]
    air_time = sensor.data.last_air_time.torch[:, sensor_cfg.body_ids]
    return ((air_time - threshold).clamp(min=0.0) * touchdown).sum(dim=1)
