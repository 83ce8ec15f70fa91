"""The follow camera: it tracks each robot's base in x and y at a fixed height and orientation
(the paper's "camera follows the agent"), and gives the latest RGB frame and binary robot mask.

Its pose relative to the robot is the scene camera's ``offset`` (``pos``: base x and y + pos x and y, env-origin
height + pos z; ``rot`` (x, y, z, w) in the "world" convention, forward +X, up +Z).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

if TYPE_CHECKING:
    from isaaclab.envs import ManagerBasedRLEnv

CAMERA_NAME = "follow_camera"
"""Scene name of the follow camera."""
ROBOT_LABEL = "robot"
"""Semantic label of the robot (its spawn is tagged ``class:robot``)."""


def follow_camera_pose(env: ManagerBasedRLEnv) -> tuple[torch.Tensor, torch.Tensor]:
    """World position (N, 3) and orientation (N, 4, xyzw, "world" convention) of each env's follow camera."""
    offset = env.scene[CAMERA_NAME].cfg.offset
    base = env.scene["robot"].data.root_pos_w.torch
    pos = torch.tensor(offset.pos, device=env.device)
    position = torch.empty_like(base)
    position[:, :2] = base[:, :2] + pos[:2]
    position[:, 2] = env.scene.env_origins[:, 2] + pos[2]
    orientation = torch.tensor(offset.rot, device=env.device).expand(env.num_envs, 4)
    return position, orientation


def robot_semantic_id(env: ManagerBasedRLEnv) -> int:
    """Id of ``class:robot`` in the follow camera's semantic segmentation."""
    info = env.scene[CAMERA_NAME].data.info["semantic_segmentation"]["idToLabels"]
    ids = [int(i) for i, label in info.items() if ROBOT_LABEL in str(label)]
    if len(ids) != 1:
        raise RuntimeError(f"expected one 'class:{ROBOT_LABEL}' id in the segmentation, found {info}")
    return ids[0]


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
    return rgb, segmentation == robot_semantic_id(env)
