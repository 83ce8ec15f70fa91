"""``nil eval``: score a policy against a reference bundle and, for a known-answer bundle, the motion it shows.

One episode of ``steps`` control steps (default 400: 8 s at 50 Hz) in ``num_envs`` parallel envs, whatever
the reference's length: the eval env has no time-out, and a fall ends an env's episode. It reports

* the environment reward (:func:`environment_reward`): forward speed and uprightness, each step in [0, 1];
* the mask IoU and video similarity of the rollout's frames against the bundle's masks and embeddings, over
  the reference frames the episode covers;
* with the ground truth of a known-answer bundle: the joint-angle RMSE after the best constant time shift,
  the DTW distance of the joint trajectories and the forward-velocity error.

It writes ``report.json``, ``comparison.mp4`` (reference | policy | mask overlap, env 0) and, for a
checkpoint whose run folder has tensorboard logs, a plot of every ``Episode_Reward/*`` scalar.
Formulas and choices: ``docs/evaluation.md``.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

from .envs.known_answer import GROUND_TRUTH_FILE, GroundTruth
from .envs.mdp.nil_rewards import frame_of_step, frames_per_step, mask_iou, video_similarity
from .reference.bundle import ReferenceBundle
from .reference.encoder import VideoEncoder, masked_frames
from .reference.video_io import write_video
from .rollout import Policy, random_policy, replay_policy, zero_policy

if TYPE_CHECKING:
    from .envs.nil_env import NILEnv

EVAL_STEPS = 400
"""Control steps of an evaluation episode: 8 s at 50 Hz, the paper's 400-step episode."""
DEFAULT_TARGET_SPEED = 0.5
"""Forward speed [m/s] that earns the full speed reward when there is no ground truth to take it from."""
TILT_SIGMA = 0.3
"""Width [rad] of the uprightness term: a base tilted by TILT_SIGMA (17 degrees) earns exp(-1) of it."""
REPORT_FILE = "report.json"
VIDEO_FILE = "comparison.mp4"
PLOTS_DIR = "plots"
REFERENCE_ONLY, POLICY_ONLY, BOTH = (255, 0, 80), (0, 160, 255), (255, 255, 255)
"""Colours of the mask-overlap panel: reference mask only, policy mask only, both (black: neither)."""


class EvaluationError(Exception):
    """``nil eval`` cannot run with the given inputs (the message says why)."""


# ---------------------------------------------------------------------------------------------------
# The environment reward
# ---------------------------------------------------------------------------------------------------


def tilt_angle(projected_gravity: torch.Tensor) -> torch.Tensor:
    """Angle [rad] between the base's up axis and the world's, from gravity in the base frame (..., 3)."""
    return torch.atan2(projected_gravity[..., :2].norm(dim=-1), -projected_gravity[..., 2])


def environment_reward(
    forward_velocity: torch.Tensor,
    projected_gravity: torch.Tensor,
    alive: torch.Tensor,
    target_speed: float,
    tilt_sigma: float = TILT_SIGMA,
) -> torch.Tensor:
    """Per-step environment reward in [0, 1]: half for speed, half for staying upright, 0 once fallen.

        r = 0.5 * clip(v_x / v_target, 0, 1) + 0.5 * exp(-(tilt / tilt_sigma)^2)   while alive, else 0

    Args:
        forward_velocity: base velocity along the world's +x (the walking direction) [m/s], shape (...).
        projected_gravity: unit gravity in the base frame, shape (..., 3).
        alive: bool (...), False from the step of a fall on.
        target_speed: v_target [m/s], > 0.
    """
    speed = (forward_velocity / target_speed).clamp(0.0, 1.0)
    upright = torch.exp(-((tilt_angle(projected_gravity) / tilt_sigma) ** 2))
    return torch.where(alive, 0.5 * speed + 0.5 * upright, 0.0)


# ---------------------------------------------------------------------------------------------------
# Motion error against a ground truth: trajectories (T, J) sampled at the video frame times
# ---------------------------------------------------------------------------------------------------


def joint_rmse(a: np.ndarray, b: np.ndarray) -> float:
    """Root mean square of ``a - b`` over frames and joints [rad]; (T, J) each."""
    return float(np.sqrt(np.mean((a - b) ** 2)))


def shifted_pair(a: np.ndarray, b: np.ndarray, shift: int) -> tuple[np.ndarray, np.ndarray]:
    """The frames where both exist of ``a[f + shift]`` and ``b[f]``."""
    a, b = (a[shift:], b) if shift >= 0 else (a, b[-shift:])
    count = min(len(a), len(b))
    return a[:count], b[:count]


def aligned_joint_rmse(rollout: np.ndarray, truth: np.ndarray, max_shift: int) -> tuple[float, int]:
    """Joint RMSE after the best constant time shift: min over s in [-S, S] of RMSE(rollout[f + s], truth[f]).

    S is ``max_shift`` capped at half the shorter trajectory, so at least half of it is compared.
    Returns (rmse, s); s > 0 means the rollout lags the truth by s frames. Ties go to the smallest |s|.
    """
    limit = min(max_shift, min(len(rollout), len(truth)) // 2)
    rmse, shift = min(
        ((joint_rmse(*shifted_pair(rollout, truth, s)), s) for s in range(-limit, limit + 1)),
        key=lambda pair: (pair[0], abs(pair[1])),
    )
    return rmse, shift


def dtw_distance(rollout: np.ndarray, truth: np.ndarray) -> float:
    """Dynamic time warping distance [rad]: the cheapest monotonic alignment of the two trajectories, with
    the cost of matching frames i and j their RMS joint difference, summed along the path and divided by
    the truth's length. 0 for identical trajectories; c for a constant trajectory off by c in every joint."""
    cost = np.sqrt(np.mean((rollout[:, None] - truth[None]) ** 2, axis=-1))
    total = np.full((len(rollout) + 1, len(truth) + 1), np.inf)
    total[0, 0] = 0.0
    for i in range(1, len(rollout) + 1):
        for j in range(1, len(truth) + 1):
            total[i, j] = cost[i - 1, j - 1] + min(total[i - 1, j - 1], total[i - 1, j], total[i, j - 1])
    return float(total[-1, -1] / len(truth))


def resample(times: np.ndarray, values: np.ndarray, new_times: np.ndarray) -> np.ndarray:
    """Linear interpolation of ``values`` (T, D) at ``times`` (T,) to ``new_times`` (T',): (T', D)."""
    return np.stack([np.interp(new_times, times, column) for column in values.T], axis=-1)


# ---------------------------------------------------------------------------------------------------
# The rollout
# ---------------------------------------------------------------------------------------------------


@dataclass
class Rollout:
    """One episode of N envs: the robot state after every control step m = 0..M (m = 0: after the reset), and
    the follow camera's frames each time the episode reaches a new reference frame (as the NIL reward renders)."""

    step_dt: float
    joint_pos: torch.Tensor
    """(M + 1, N, J) joint positions [rad], the robot's joint order."""
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


@torch.inference_mode()
def run_episode(env: NILEnv, policy: Policy, steps: int) -> Rollout:
    """Reset ``env`` and run ``policy`` for ``steps`` control steps (fewer if every env falls)."""

    def copy(tensor: torch.Tensor) -> torch.Tensor:  # the sim's buffers are rewritten in place every step
        return tensor.to("cpu", copy=True)

    def state() -> tuple[torch.Tensor, ...]:
        data = env.scene["robot"].data
        return copy(data.joint_pos.torch), copy(data.root_lin_vel_w.torch), copy(data.projected_gravity_b.torch)

    obs, _ = env.reset()
    per_step = frames_per_step(env.step_dt, env.cfg.reference.fps)
    fall_step = torch.full((env.num_envs,), steps + 1, dtype=torch.long)
    states, rgbs, masks, frame_ids, capture_steps = [state()], [], [], [], []
    for step in range(1, steps + 1):
        obs, _, terminated, _, _ = env.step(policy(obs["policy"]))
        fall_step = torch.where(terminated.cpu() & (fall_step > steps), step, fall_step)
        states.append(state())
        frame = int(frame_of_step(torch.tensor(step), per_step))
        if not frame_ids or frame != frame_ids[-1]:
            rgb, mask = env.robot_frames()
            rgbs.append(copy(rgb))
            masks.append(copy(mask))
            frame_ids.append(frame)
            capture_steps.append(step)
        if bool((fall_step <= step).all()):
            break
    joint_pos, base_lin_vel, gravity = (torch.stack(values) for values in zip(*states))
    return Rollout(
        step_dt=env.step_dt,
        joint_pos=joint_pos,
        base_lin_vel=base_lin_vel,
        projected_gravity=gravity,
        fall_step=fall_step,
        frame_ids=torch.tensor(frame_ids),
        capture_steps=torch.tensor(capture_steps),
        rgb=torch.stack(rgbs, dim=1),
        masks=torch.stack(masks, dim=1),
    )


# ---------------------------------------------------------------------------------------------------
# Scores of a rollout
# ---------------------------------------------------------------------------------------------------


def episode_environment_reward(rollout: Rollout, target_speed: float) -> torch.Tensor:
    """(N,) sum over the steps m = 1..M of :func:`environment_reward` (steps after a fall count 0)."""
    steps = torch.arange(1, rollout.joint_pos.shape[0])
    alive = steps[:, None] < rollout.fall_step[None]
    velocity, gravity = rollout.base_lin_vel[1:, :, 0], rollout.projected_gravity[1:]
    return environment_reward(velocity, gravity, alive, target_speed).sum(dim=0)


def reference_scores(
    rollout: Rollout, bundle: ReferenceBundle, encoder: VideoEncoder | None, similarity: str, batch_size: int | None
) -> tuple[list[float | None], list[float | None]]:
    """Per env: mean mask IoU and mean video similarity (None without an encoder) over the captured frames
    inside the reference and before a fall; None where there is no such frame.

    The env's clip for frame f is its masked frames f-7..f, padded with its first capture, as in training.
    """
    ious, similarities = [], []
    for env_id in range(rollout.rgb.shape[0]):
        valid = (rollout.frame_ids < bundle.meta.num_frames) & (rollout.capture_steps < rollout.fall_step[env_id])
        if not valid.any():
            ious.append(None)
            similarities.append(None)
            continue
        ids = rollout.frame_ids[valid]
        ious.append(float(mask_iou(rollout.masks[env_id, valid], bundle.masks[ids]).mean()))
        if encoder is None:
            similarities.append(None)
            continue
        last = int(valid.nonzero().max()) + 1  # a clip needs only the frames up to its own
        clips = masked_frames(rollout.rgb[env_id, :last], rollout.masks[env_id, :last], bundle.meta.mask_background)
        embeddings = encoder.encode_video(clips, batch_size or len(clips))[valid[:last]]
        similarities.append(float(video_similarity(embeddings, bundle.embeddings[ids], similarity).mean()))
    return ious, similarities


def motion_errors(rollout: Rollout, joint_names: list[str], truth: GroundTruth, steps: int) -> dict[str, list[float]]:
    """Per env, against the ground truth at its frame times over the span the env stayed up: joint RMSE after
    the best time shift within one period, that shift [s], DTW distance, mean |v_x - v_x,truth| [m/s], and the
    fraction of the truth's frames inside the ``steps``-step episode that this span covers (a fall shortens what
    the errors cover: read them with it)."""
    order = [joint_names.index(name) for name in truth.joint_names]
    names = ("joint_rmse", "time_shift_s", "dtw", "base_vel_error", "up_fraction")
    errors: dict[str, list[float]] = {name: [] for name in names}
    episode_frames = int(np.searchsorted(truth.times, steps * rollout.step_dt, side="right"))
    for env_id in range(rollout.joint_pos.shape[1]):
        last_step = min(int(rollout.fall_step[env_id]) - 1, rollout.joint_pos.shape[0] - 1)
        step_times = np.arange(last_step + 1) * rollout.step_dt
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
    return errors


# ---------------------------------------------------------------------------------------------------
# Outputs
# ---------------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------------------


def make_eval_env(
    task: str, bundle_dir: Path, num_envs: int, device: str, seed: int, overrides: list[str]
) -> tuple[NILEnv, ReferenceBundle, VideoEncoder | None]:
    """The task's env as trained against ``bundle_dir`` (same checks, fps, phase observation, camera), but
    without a time-out and without the video and mask reward terms: evaluation scores the frames itself.

    Returns the env, the bundle and its encoder (None when the env's ``nil_reward.alpha`` is 0).
    """
    from .envs.factory import make_env, make_env_cfg
    from .envs.reference_tracker import load_reference

    cfg = make_env_cfg(task, num_envs=num_envs, device=device, overrides=overrides)
    cfg.reference.bundle = str(bundle_dir)
    try:
        bundle, encoder = load_reference(cfg)
    except ValueError as error:  # settings the env cannot use (a bad bundle raises BundleError)
        raise EvaluationError(str(error)) from error
    cfg.reference.bundle = None
    cfg.reference.fps, cfg.reference.num_frames = bundle.meta.fps, bundle.meta.num_frames
    cfg.terminations.time_out = None
    cfg.seed = seed
    return make_env(task, cfg=cfg), bundle, encoder


def load_policy(checkpoint: Path, env: NILEnv) -> Policy:
    """The deterministic policy of a ``scripts/train.py`` checkpoint (observation normalization included)."""
    from .learning.export import policy_from_checkpoint

    obs_dim = env.observation_manager.group_obs_dim["policy"][0]
    action_dim = env.action_manager.total_action_dim
    try:
        policy = policy_from_checkpoint(checkpoint, obs_dim, action_dim)
    except Exception as error:  # any unreadable or mismatched file: one message
        raise EvaluationError(
            f"{checkpoint}: not a checkpoint of a policy for this env ({obs_dim} observations, {action_dim} "
            f"actions): {type(error).__name__}: {error}"
        ) from error
    return policy.to(env.device)


def evaluate(args: argparse.Namespace) -> Path:
    """Run ``nil eval``; returns the report's path."""
    if args.steps < 1 or args.num_envs < 1:
        raise EvaluationError(f"--steps and --num_envs must be at least 1, got {args.steps} and {args.num_envs}")
    if args.checkpoint is not None and not args.checkpoint.is_file():
        raise EvaluationError(f"{args.checkpoint}: no such checkpoint")
    truth_path = args.ground_truth or args.bundle / GROUND_TRUTH_FILE
    truth = GroundTruth.load(truth_path) if args.ground_truth or truth_path.is_file() else None
    if args.policy == "replay" and truth is None:
        raise EvaluationError(f"--policy replay plays the known answer, and {truth_path} does not exist")
    target_speed = args.target_speed
    if target_speed is None:
        target_speed = float(truth.base_lin_vel[:, 0].max()) if truth else DEFAULT_TARGET_SPEED
    if target_speed <= 0:
        raise EvaluationError(f"the target speed must be positive, got {target_speed} m/s (set --target_speed)")
    default_out = args.checkpoint.parent / "eval" if args.checkpoint else Path("outputs/eval") / args.task / args.policy
    out = args.out or default_out

    env, bundle, encoder = make_eval_env(args.task, args.bundle, args.num_envs, args.device, args.seed, args.overrides)
    try:
        joint_names = list(env.scene["robot"].joint_names)
        if truth is not None and sorted(truth.joint_names) != sorted(joint_names):
            raise EvaluationError(f"{truth_path}: its joints {truth.joint_names} are not the robot's {joint_names}")
        if args.checkpoint is not None:
            policy = load_policy(args.checkpoint, env)
        elif args.policy == "replay":
            try:
                policy = replay_policy(env, truth)
            except ValueError as error:  # an env whose actions are not joint-position targets
                raise EvaluationError(str(error)) from error
        else:
            policy = zero_policy(env) if args.policy == "zero" else random_policy(env, args.seed)
        rollout = run_episode(env, policy, args.steps)
        reward_cfg = env.cfg.nil_reward
    finally:
        env.close()

    batch_size = reward_cfg.encoder_batch_size
    ious, similarities = reference_scores(rollout, bundle, encoder, reward_cfg.similarity, batch_size)
    fall_step = [int(step) if step <= args.steps else None for step in rollout.fall_step]
    report = {
        "task": args.task,
        "bundle": str(args.bundle),
        "policy": str(args.checkpoint) if args.checkpoint else args.policy,
        "steps": args.steps,
        "step_dt": rollout.step_dt,
        "num_envs": args.num_envs,
        "seed": args.seed,
        "fall_step": fall_step,
        "environment_reward": {
            **summary(episode_environment_reward(rollout, target_speed).tolist()),
            "max": args.steps,
            "target_speed": target_speed,
            "tilt_sigma": TILT_SIGMA,
        },
        "reference": {
            "num_frames": bundle.meta.num_frames,
            "fps": bundle.meta.fps,
            "mask_iou": summary(ious),
            "video_similarity": {**summary(similarities), "kind": reward_cfg.similarity} if encoder else None,
        },
        "ground_truth": str(truth_path) if truth else None,
        "motion": None,
        "files": {},
    }
    if truth is not None:
        errors = motion_errors(rollout, joint_names, truth, args.steps)
        report["motion"] = {name: summary(values) for name, values in errors.items()}
    out.mkdir(parents=True, exist_ok=True)
    video = comparison_video(out / VIDEO_FILE, rollout, bundle)
    plots = plot_training_curves(args.checkpoint.parent, out / PLOTS_DIR) if args.checkpoint else []
    report["files"] = {"video": video.name if video else None, "plots": [str(p.relative_to(out)) for p in plots]}
    path = out / REPORT_FILE
    path.write_text(json.dumps(report, indent=2))
    print(f"[nil eval] environment reward {report['environment_reward']['mean']:.1f} / {args.steps}; wrote {path}")
    return path
