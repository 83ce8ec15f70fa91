"""The one rollout that evaluation, recording and play share, and the baseline policies.

:func:`run_episode` resets a NIL env, runs a policy and keeps the robot state after every control step and the
follow camera's frames each time the episode reaches a new reference frame (as the NIL reward renders), with the
reference command's scores of those frames (mask IoU, clip embedding): exactly what training computed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from isaaclab.envs import ManagerBasedRLEnv
from isaaclab.envs.mdp import JointPositionAction
from tqdm.auto import tqdm

from ..envs.mdp.camera import robot_frames
from ..metrics import video_similarity
from ..reference.ground_truth import GroundTruth

Policy = Callable[[torch.Tensor], torch.Tensor]
"""Policy observations (num_envs, obs_dim) -> actions (num_envs, action_dim)."""


def zero_policy(env: ManagerBasedRLEnv) -> Policy:
    """Hold the default pose."""
    return lambda obs: torch.zeros(env.num_envs, env.action_manager.total_action_dim, device=env.device)


def random_policy(env: ManagerBasedRLEnv, seed: int = 0) -> Policy:
    """Uniform actions in [-1, 1]."""
    generator = torch.Generator(device=env.device).manual_seed(seed)
    shape = (env.num_envs, env.action_manager.total_action_dim)
    return lambda obs: 2.0 * torch.rand(shape, generator=generator, device=env.device) - 1.0


def replay_policy(env: ManagerBasedRLEnv, truth: GroundTruth) -> Policy:
    """Play a known answer's joint targets (``truth.replay_targets``) as the joint-position action's targets: the
    motion itself through the actuators and the physics, the ceiling of a policy's scores (its actions, unlike
    these, stay in [-1, 1]). A simulated known answer was made by this very policy, so a fresh env reset into the
    default pose replays it exactly.

    The action of each env's next control step aims at the truth at the step's end, at the env's reference time
    (the reference command's ``time`` + step_dt), interpolated linearly between frames (the first frame before
    the reference starts, the last after it ends).
    """
    term = env.action_manager.get_term("joints")
    if type(term) is not JointPositionAction:
        raise ValueError(f"replaying a known answer needs absolute joint-position actions, not {type(term).__name__}")
    action = term.IO_descriptor
    columns = [truth.joint_names.index(name) for name in action.joint_names]
    targets = torch.as_tensor(truth.replay_targets[:, columns], dtype=torch.float32, device=env.device)  # (T, A)
    offset = torch.as_tensor(action.offset, dtype=torch.float32, device=env.device)
    scale = torch.as_tensor(action.scale, dtype=torch.float32, device=env.device)
    command = env.command_manager.get_term("reference")

    def policy(obs: torch.Tensor) -> torch.Tensor:
        frame = ((command.time + env.step_dt) * truth.fps).clamp(0, len(targets) - 1)
        before = frame.floor().long()
        after = (before + 1).clamp(max=len(targets) - 1)
        weight = (frame - before).unsqueeze(-1)
        target = (1 - weight) * targets[before] + weight * targets[after]
        return (target - offset) / scale

    return policy


@dataclass
class Rollout:
    """One episode of N envs: the robot state after every control step m = 0..M (m = 0: after the reset), and
    the follow camera's frames each time the episode reaches a new reference frame, with their scores."""

    step_dt: float
    reference_start_s: float
    """Time from the reset to the reference's start [s]: the episode starts its reference at the next frame of the
    env's frame clock, within one frame period (0 for an env's first episode, 1 / fps at r = 1)."""
    joint_pos: torch.Tensor
    """(M + 1, N, J) joint positions [rad], the robot's joint order."""
    joint_vel: torch.Tensor
    """(M + 1, N, J) joint velocities [rad/s]."""
    base_state: torch.Tensor
    """(M + 1, N, 13) base (root link) position [m] and quaternion (x, y, z, w) in the world, linear velocity
    [m/s] in the world and angular velocity [rad/s] in the base frame: where a second simulator starts from."""
    base_lin_vel: torch.Tensor
    """(M + 1, N, 3) base linear velocity [m/s], world frame."""
    projected_gravity: torch.Tensor
    """(M + 1, N, 3) gravity in the base frame."""
    fall_step: torch.Tensor
    """(N,) long: the step at which the env fell (its state from then on is another episode's); M + 1 if never."""
    frame_ids: torch.Tensor
    """(K,) long: the reference frame of each capture."""
    capture_steps: torch.Tensor
    """(K,) long: the control step of each capture."""
    rgb: torch.Tensor
    """(N, K, H, W, 3) uint8."""
    masks: torch.Tensor
    """(N, K, H, W) bool robot masks."""
    iou: torch.Tensor | None
    """(N, K) mask IoU with the reference frame (captures past the reference: 0); None without a reference."""
    video_similarity: torch.Tensor | None
    """(N, K) S_video against the reference clip; None without a reference or with the video term off."""


@torch.inference_mode()
def run_episode(env: ManagerBasedRLEnv, policy: Policy, steps: int, progress: str | None = None) -> Rollout:
    """Reset ``env`` and run ``policy`` for ``steps`` control steps (fewer if every env falls); ``progress``: the
    label of a progress bar on stderr (None: no bar)."""
    command = env.command_manager.get_term("reference")
    term = env.cfg.rewards.video_similarity
    kind = term.similarity if term is not None else "cosine"

    def copy(tensor: torch.Tensor) -> torch.Tensor:  # the sim's buffers are rewritten in place every step
        return tensor.to("cpu", copy=True)

    def state() -> tuple[torch.Tensor, ...]:
        data = env.scene["robot"].data
        base = (data.root_link_pos_w, data.root_link_quat_w, data.root_link_lin_vel_w, data.root_link_ang_vel_b)
        return (
            copy(data.joint_pos.torch),
            copy(data.joint_vel.torch),
            torch.cat([copy(value.torch) for value in base], dim=-1),
            copy(data.root_lin_vel_w.torch),
            copy(data.projected_gravity_b.torch),
        )

    obs, _ = env.reset()
    start = int(command.start[0])  # every env starts its reference at this clock frame
    reference_start_s = start / command.cfg.fps - env.common_step_counter * env.step_dt
    fall_step = torch.full((env.num_envs,), steps + 1, dtype=torch.long)
    states, captures, ious, similarities, frame_ids, capture_steps = [state()], [], [], [], [], []
    for step in tqdm(range(1, steps + 1), desc=progress, unit="step", disable=progress is None):
        obs, _, terminated, _, _ = env.step(policy(obs["policy"]))
        fall_step = torch.where(terminated.cpu() & (fall_step > steps), step, fall_step)
        states.append(state())
        frame = command.clock_frame - start
        if frame >= 0 and (not frame_ids or frame != frame_ids[-1]):
            command.update()  # the scores of this frame, if no reward term asked for them
            captures.append(tuple(copy(x) for x in robot_frames(env)))
            ious.append(copy(command.iou))
            if command.embedding is not None:
                reference = command.bundle.embeddings[command.frame.clamp(min=0)]
                similarities.append(copy(video_similarity(command.embedding, reference, kind)))
            frame_ids.append(frame)
            capture_steps.append(step)
        if bool((fall_step <= step).all()):
            break
    joint_pos, joint_vel, base_state, base_lin_vel, gravity = (torch.stack(values) for values in zip(*states))
    rgb, masks = (torch.stack(values, dim=1) for values in zip(*captures))
    frame_ids = torch.tensor(frame_ids)
    inside = frame_ids < command.cfg.num_frames
    return Rollout(
        step_dt=env.step_dt,
        reference_start_s=reference_start_s,
        joint_pos=joint_pos,
        joint_vel=joint_vel,
        base_state=base_state,
        base_lin_vel=base_lin_vel,
        projected_gravity=gravity,
        fall_step=fall_step,
        frame_ids=frame_ids,
        capture_steps=torch.tensor(capture_steps),
        rgb=rgb,
        masks=masks,
        iou=torch.stack(ious, dim=1) * inside if command.bundle is not None else None,
        video_similarity=torch.stack(similarities, dim=1) * inside if similarities else None,
    )


def film(rollout: Rollout, env_id: int = 0) -> torch.Tensor:
    """Env ``env_id``'s captures as pictures, RGB | robot mask side by side: uint8 (K, H, 2W, 3)."""
    rgb, mask = rollout.rgb[env_id], rollout.masks[env_id]
    mask_rgb = (mask.to(torch.uint8) * 255).unsqueeze(-1).expand(*mask.shape, 3)
    return torch.cat((rgb, mask_rgb), dim=2)
