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

    from ...reference.bundle import CameraSpec

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


def set_follow_camera(env: ManagerBasedRLEnv, spec: CameraSpec) -> None:
    """Give every env's follow camera the pose and focal length of ``spec`` (at the camera's resolution) in a
    running env: the camera fit's confirming render. (An env made from a bundle takes its camera from the config
    instead: :func:`~isaaclab_nil.envs.factory.apply_reference`.)"""
    camera = env.scene[CAMERA_NAME]
    if spec.resolution != (camera.cfg.height, camera.cfg.width):
        raise ValueError(f"the camera renders {camera.cfg.height}x{camera.cfg.width}, not {spec.resolution}")
    camera.cfg.offset.pos, camera.cfg.offset.rot = tuple(spec.pos), tuple(spec.rot_xyzw)
    matrix = torch.tensor([[spec.fx, 0.0, spec.cx], [0.0, spec.fy, spec.cy], [0.0, 0.0, 1.0]], device=env.device)
    focal_length = spec.fx * camera.cfg.spawn.horizontal_aperture / spec.width
    camera.set_intrinsic_matrices(matrix.expand(env.num_envs, 3, 3).contiguous(), focal_length=focal_length)
    camera.reset()  # marks its frames outdated: the next read renders through the new camera


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
