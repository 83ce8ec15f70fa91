"""Roll a policy out in a NIL env and film it: RGB | robot mask, one picture per reference-video frame."""

from __future__ import annotations

from collections.abc import Callable

import torch

from isaaclab.envs.mdp import JointPositionAction

from .envs.known_answer import GroundTruth
from .envs.mdp.nil_rewards import frame_of_step, frames_per_step
from .envs.nil_env import NILEnv

Policy = Callable[[torch.Tensor], torch.Tensor]
"""Policy observations (num_envs, obs_dim) -> actions (num_envs, action_dim)."""


def zero_policy(env: NILEnv) -> Policy:
    """Hold the default pose."""
    return lambda obs: torch.zeros(env.num_envs, env.action_manager.total_action_dim, device=env.device)


def random_policy(env: NILEnv, seed: int = 0) -> Policy:
    """Uniform actions in [-1, 1]."""
    generator = torch.Generator(device=env.device).manual_seed(seed)
    shape = (env.num_envs, env.action_manager.total_action_dim)
    return lambda obs: 2.0 * torch.rand(shape, generator=generator, device=env.device) - 1.0


def replay_policy(env: NILEnv, truth: GroundTruth) -> Policy:
    """Play a known answer's joint positions as the joint-position action's targets: the motion itself through
    the actuators and the physics, the ceiling of a policy's scores (its actions, unlike these, stay in [-1, 1]).

    The action of each env's control step m (its ``episode_length_buf`` is m - 1 when the policy is asked) aims
    at the truth at the step's end, t = m * step_dt, interpolated linearly between frames (held after the last).
    """
    term = env.action_manager.get_term("joint_pos")
    if type(term) is not JointPositionAction:
        raise ValueError(f"replaying a known answer needs absolute joint-position actions, not {type(term).__name__}")
    columns = [truth.joint_names.index(name) for name in term._joint_names]
    targets = torch.as_tensor(truth.joint_pos[:, columns], dtype=torch.float32, device=env.device)  # (T, A)

    def policy(obs: torch.Tensor) -> torch.Tensor:
        frame = ((env.episode_length_buf + 1) * env.step_dt * truth.fps).clamp(max=len(targets) - 1)
        before = frame.floor().long()
        after = (before + 1).clamp(max=len(targets) - 1)
        weight = (frame - before).unsqueeze(-1)
        target = (1 - weight) * targets[before] + weight * targets[after]
        return (target - term._offset) / term._scale

    return policy


def side_by_side(rgb: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """(H, W, 3) uint8 RGB and (H, W) bool mask -> (H, 2W, 3) uint8 picture."""
    mask_rgb = (mask.to(torch.uint8) * 255).unsqueeze(-1).expand(*mask.shape, 3)
    return torch.cat((rgb, mask_rgb), dim=1)


@torch.inference_mode()
def film_rollout(env: NILEnv, policy: Policy, steps: int) -> torch.Tensor:
    """Reset, run ``policy`` for ``steps`` control steps and return env 0's film: uint8 (T, H, 2W, 3) on
    the CPU, one picture each time the episode reaches a new frame of the reference video's rate."""
    obs, _ = env.reset()
    per_step = frames_per_step(env.step_dt, env.cfg.reference.fps)
    pictures, last_frame = [], -1
    for _ in range(steps):
        obs, *_ = env.step(policy(obs["policy"]))
        frame = int(frame_of_step(env.episode_length_buf[:1], per_step))
        if frame != last_frame:
            rgb, mask = env.robot_frames()
            pictures.append(side_by_side(rgb[0], mask[0]).cpu())
            last_frame = frame
    return torch.stack(pictures)
