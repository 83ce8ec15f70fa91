"""The tiny reference the reward tests train against: settings, a tiny TimeSformer and the reference rollout."""

import torch

from isaaclab_nil.alignment import frame_of_step, frames_per_step
from isaaclab_nil.envs.mdp.camera import robot_frames

NUM_ENVS = 2
NUM_FRAMES = 16
"""Frames of the reference bundle (the env's default reference is longer: the bundle sets the episode)."""
SIZE = 32
"""Camera resolution = the tiny encoder's input size."""
SEED = 0
OVERRIDES = [f"env.scene.follow_camera.width={SIZE}", f"env.scene.follow_camera.height={SIZE}"]


def zero_action(env) -> torch.Tensor:
    return torch.zeros(env.num_envs, env.action_manager.total_action_dim, device=env.device)


def render_reference(env, num_frames: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Env 0's frames and masks at the reference frame times of a seeded zero-action rollout."""
    env.seed(SEED)
    env.reset()
    r = frames_per_step(env.step_dt, env.cfg.commands.reference.fps)
    frames, masks, step = [], [], 0
    while len(frames) < num_frames:
        env.step(zero_action(env))
        step += 1
        if int(frame_of_step(torch.tensor(step), r)) == len(frames):
            rgb, mask = robot_frames(env)
            frames.append(rgb[0].clone())
            masks.append(mask[0].clone())
    return torch.stack(frames), torch.stack(masks)


def bundle_overrides(bundle_dir, *extra: str) -> list[str]:
    return [*OVERRIDES, f"env.commands.reference.bundle={bundle_dir}", *extra]
