"""The follow camera: it tracks each robot's base in x and y at a fixed height and orientation
(the paper's "camera follows the agent"), and gives the latest RGB frame and binary robot mask."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

if TYPE_CHECKING:
    from isaaclab.envs import ManagerBasedRLEnv

CAMERA_NAME = "follow_camera"
"""Scene name of the follow camera."""


def follow_camera_pose(env: ManagerBasedRLEnv) -> tuple[torch.Tensor, torch.Tensor]:
    """World position (N, 3) and orientation (N, 4, xyzw, "world" convention) of each env's follow camera."""
    cfg = env.cfg.follow_camera
    base = env.scene["robot"].data.root_pos_w.torch
    offset = torch.tensor(cfg.offset, device=env.device)
    position = torch.empty_like(base)
    position[:, :2] = base[:, :2] + offset[:2]
    position[:, 2] = env.scene.env_origins[:, 2] + offset[2]
    orientation = torch.tensor(cfg.rot, device=env.device).expand(env.num_envs, 4)
    return position, orientation


def robot_frames(env: ManagerBasedRLEnv) -> tuple[torch.Tensor, torch.Tensor]:
    """The follow camera's latest frame for every env.

    Moves each camera to its robot first, so the view is current whenever the camera renders
    (it renders at most once per camera period, when its data is read).

    Returns:
        rgb: (N, H, W, 3) uint8 on the env's device.
        mask: (N, H, W) bool, True on the robot's pixels (the renderer's semantic segmentation).
    """
    camera = env.scene[CAMERA_NAME]
    position, orientation = follow_camera_pose(env)
    camera.set_world_poses(position, orientation, convention="world")
    output = camera.data.output
    rgb = output["rgb"].torch[..., :3]
    segmentation = output["semantic_segmentation"].torch[..., 0]
    return rgb, segmentation == env.robot_semantic_id
