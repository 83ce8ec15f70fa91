"""What ``nil eval`` reports about a rollout: its scores per env, and the media (comparison video, training plots)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from ..reference.bundle import ReferenceBundle
from ..reference.ground_truth import GroundTruth
from ..reference.video_io import write_video
from .metrics import aligned_joint_rmse, dtw_distance, environment_reward, resample, shifted_pair
from .rollout import Rollout

REFERENCE_ONLY, POLICY_ONLY, BOTH = (255, 0, 80), (0, 160, 255), (255, 255, 255)
"""Colours of the mask-overlap panel: reference mask only, policy mask only, both (black: neither)."""


def episode_environment_reward(rollout: Rollout, target_speed: float) -> torch.Tensor:
    """(N,) sum over the steps m = 1..M of :func:`environment_reward` (steps after a fall count 0)."""
    steps = torch.arange(1, rollout.joint_pos.shape[0])
    alive = steps[:, None] < rollout.fall_step[None]
    velocity, gravity = rollout.base_lin_vel[1:, :, 0], rollout.projected_gravity[1:]
    return environment_reward(velocity, gravity, alive, target_speed).sum(dim=0)


def reference_scores(rollout: Rollout, num_frames: int) -> tuple[list[float | None], list[float | None]]:
    """Per env: mean mask IoU and mean video similarity (None without them) over the captured frames inside the
    reference and before a fall; None where there is no such frame. The scores are the reference command's, as
    training computed them (the env's clip for frame f is its masked frames f-7..f, padded with its first)."""
    ious, similarities = [], []
    for env_id in range(rollout.rgb.shape[0]):
        valid = (rollout.frame_ids < num_frames) & (rollout.capture_steps < rollout.fall_step[env_id])
        for scores, values in ((rollout.iou, ious), (rollout.video_similarity, similarities)):
            values.append(float(scores[env_id, valid].mean()) if scores is not None and valid.any() else None)
    return ious, similarities


PER_JOINT_ERRORS = ("joint_rmse_per_joint", "joint_mean_error_per_joint")
"""The per-joint errors of :func:`motion_errors`, as ``nil eval``'s report names them."""


def motion_errors(
    rollout: Rollout, joint_names: list[str], truth: GroundTruth, steps: int
) -> tuple[dict[str, list[float]], dict[str, dict[str, list[float]]]]:
    """Per env, against the ground truth at its frame times over the span the env stayed up: joint RMSE after
    the best time shift within one period, that shift [s], DTW distance, mean |v_x - v_x,truth| [m/s], and the
    fraction of the truth's frames inside the ``steps``-step episode that this span covers (a fall shortens what
    the errors cover: read them with it); then, per env, each joint's RMSE at that shift (the joints the policy
    misses) and its mean error, rollout minus truth (a joint held off to one side, rather than one that misses
    the timing), keyed by the truth's joint names under ``joint_rmse_per_joint`` and
    ``joint_mean_error_per_joint``."""
    order = [joint_names.index(name) for name in truth.joint_names]
    names = ("joint_rmse", "time_shift_s", "dtw", "base_vel_error", "up_fraction")
    errors: dict[str, list[float]] = {name: [] for name in names}
    per_joint = {key: {name: [] for name in truth.joint_names} for key in PER_JOINT_ERRORS}
    episode_end = steps * rollout.step_dt - rollout.reference_start_s  # the episode's end in reference time
    episode_frames = int(np.searchsorted(truth.times, episode_end, side="right"))
    for env_id in range(rollout.joint_pos.shape[1]):
        last_step = min(int(rollout.fall_step[env_id]) - 1, rollout.joint_pos.shape[0] - 1)
        step_times = np.arange(last_step + 1) * rollout.step_dt - rollout.reference_start_s  # reference time
        count = int(np.searchsorted(truth.times, step_times[-1], side="right"))  # frames the rollout covers
        times = truth.times[:count]
        joints = resample(step_times, rollout.joint_pos[: last_step + 1, env_id][:, order].numpy(), times)
        velocity = np.interp(times, step_times, rollout.base_lin_vel[: last_step + 1, env_id, 0].numpy())
        target = truth.joint_pos[:count]
        rmse, shift = aligned_joint_rmse(joints, target, max_shift=round(truth.period * truth.fps))
        errors["joint_rmse"].append(rmse)
        errors["time_shift_s"].append(shift / truth.fps)
        errors["dtw"].append(dtw_distance(joints, target))
        errors["base_vel_error"].append(float(np.mean(np.abs(velocity - truth.base_lin_vel[:count, 0]))))
        errors["up_fraction"].append(count / episode_frames)
        shifted, aligned_truth = shifted_pair(joints, target, shift)
        difference = shifted - aligned_truth
        for key, values in zip(PER_JOINT_ERRORS, (np.sqrt(np.mean(difference**2, axis=0)), difference.mean(axis=0))):
            for name, value in zip(truth.joint_names, values):
                per_joint[key][name].append(float(value))
    return errors, per_joint


def mask_overlap(reference: torch.Tensor, policy: torch.Tensor) -> torch.Tensor:
    """Bool masks (..., H, W) -> uint8 (..., H, W, 3) picture in the REFERENCE_ONLY / POLICY_ONLY / BOTH colours."""
    picture = torch.zeros((*reference.shape, 3), dtype=torch.uint8)
    parts = ((reference & ~policy, REFERENCE_ONLY), (policy & ~reference, POLICY_ONLY), (reference & policy, BOTH))
    for where, colour in parts:
        picture[where] = torch.tensor(colour, dtype=torch.uint8)
    return picture


def comparison_video(path: Path, rollout: Rollout, bundle: ReferenceBundle) -> Path | None:
    """Env 0's episode until a fall as an mp4: reference frame | policy frame | mask overlap; past the reference's
    end the reference panel is black. None if env 0 fell before its first frame."""
    up = rollout.capture_steps < rollout.fall_step[0]
    if not up.any():
        return None
    ids = rollout.frame_ids[up]
    rgb, masks = rollout.rgb[0, up], rollout.masks[0, up]
    inside = ids < bundle.meta.num_frames
    reference, reference_masks = torch.zeros_like(rgb), torch.zeros_like(masks)
    reference[inside], reference_masks[inside] = bundle.frames[ids[inside]], bundle.masks[ids[inside]]
    return write_video(path, torch.cat([reference, rgb, mask_overlap(reference_masks, masks)], dim=2), bundle.meta.fps)


def plot_training_curves(run_dir: Path, out_dir: Path) -> list[Path]:
    """One PNG per ``Episode_Reward/*`` scalar of the tensorboard logs in ``run_dir`` (none: no PNG)."""
    if not any(run_dir.glob("events.out.tfevents.*")):
        return []
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from tensorboard.backend.event_processing.event_accumulator import SCALARS, EventAccumulator

    logs = EventAccumulator(str(run_dir), size_guidance={SCALARS: 0})  # 0: keep every point
    logs.Reload()
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for tag in sorted(tag for tag in logs.Tags()["scalars"] if tag.startswith("Episode_Reward/")):
        events = logs.Scalars(tag)
        figure, axes = plt.subplots(figsize=(6, 3.5))
        axes.plot([event.step for event in events], [event.value for event in events])
        axes.set(title=tag, xlabel="env step", ylabel="episode sum / episode length [1/s]")
        axes.grid(alpha=0.3)
        figure.tight_layout()
        paths.append(out_dir / f"{tag.removeprefix('Episode_Reward/')}.png")
        figure.savefig(paths[-1], dpi=100)
        plt.close(figure)
    return paths


def summary(values: list[float | None]) -> dict:
    """``{"mean": mean of the values that exist (None if none), "per_env": values}``."""
    known = [value for value in values if value is not None]
    return {"mean": float(np.mean(known)) if known else None, "per_env": values}
