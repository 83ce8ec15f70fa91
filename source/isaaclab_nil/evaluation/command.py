"""``nil eval``: score a policy against a reference bundle and, for a known-answer bundle, the motion it shows.

One episode of ``steps`` control steps (default 400: 8 s at 50 Hz) in ``num_envs`` parallel envs, whatever
the reference's length: the eval env does not end at the reference's end, and a fall ends an env's episode.
It reports

* the environment reward (:func:`~.metrics.environment_reward`): forward speed and uprightness, each step in [0, 1];
* the mask IoU and video similarity of the rollout's frames against the bundle's masks and embeddings, over
  the reference frames the episode covers (the reference command's scores, as in training);
* with the ground truth of a known-answer bundle: the joint-angle RMSE after the best constant time shift,
  the DTW distance of the joint trajectories and the forward-velocity error.

It writes ``report.json``, ``comparison.mp4`` (reference | policy | mask overlap, env 0) and, for a
checkpoint whose run folder has tensorboard logs, a plot of every ``Episode_Reward/*`` scalar.
Formulas and choices: ``docs/evaluation.md``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from isaaclab.envs import ManagerBasedRLEnv

from ..console import isaaclab_output, save_output
from ..envs.factory import make_env, make_env_cfg
from ..reference.ground_truth import GROUND_TRUTH_FILE, GroundTruth
from . import DEFAULT_TARGET_SPEED, EvaluationError
from .metrics import TILT_SIGMA
from .report import (
    comparison_video,
    episode_environment_reward,
    motion_errors,
    plot_training_curves,
    reference_scores,
    summary,
)
from .rollout import Policy, random_policy, replay_policy, run_episode, zero_policy

REPORT_FILE = "report.json"
VIDEO_FILE = "comparison.mp4"
PLOTS_DIR = "plots"


def make_eval_env(
    task: str, bundle_dir: Path, num_envs: int, device: str, seed: int, overrides: list[str]
) -> ManagerBasedRLEnv:
    """The task's env as trained against ``bundle_dir`` (same checks, fps, phase observation, camera, reward
    terms), but without the end at the reference's end: one episode lasts as many steps as evaluation asks."""
    cfg = make_env_cfg(task, num_envs=num_envs, device=device, overrides=overrides)
    cfg.commands.reference.bundle = str(bundle_dir)
    cfg.terminations.reference_finished = None
    cfg.seed = seed
    return make_env(task, cfg=cfg)


def load_policy(checkpoint: Path, env: ManagerBasedRLEnv) -> Policy:
    """The deterministic policy of a ``scripts/train.py`` checkpoint (observation normalization included)."""
    from ..learning.export import policy_from_checkpoint

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

    with isaaclab_output(args.verbose) as setup_log:
        env = make_eval_env(args.task, args.bundle, args.num_envs, args.device, args.seed, args.overrides)
    save_output(setup_log, out)
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
        rollout = run_episode(env, policy, args.steps, progress="[nil eval] rollout")
        bundle = env.command_manager.get_term("reference").bundle.to("cpu")
        video_term = env.cfg.rewards.video_similarity
    finally:
        env.close()

    ious, similarities = reference_scores(rollout, bundle.meta.num_frames)
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
            "video_similarity": (
                {**summary(similarities), "kind": video_term.similarity}
                if rollout.video_similarity is not None
                else None
            ),
        },
        "ground_truth": str(truth_path) if truth else None,
        "motion": None,
        "files": {},
    }
    if truth is not None:
        errors, per_joint = motion_errors(rollout, joint_names, truth, args.steps)
        report["motion"] = {name: summary(values) for name, values in errors.items()}
        for key, joints in per_joint.items():
            report["motion"][key] = {name: summary(values) for name, values in joints.items()}
    out.mkdir(parents=True, exist_ok=True)
    video = comparison_video(out / VIDEO_FILE, rollout, bundle)
    plots = plot_training_curves(args.checkpoint.parent, out / PLOTS_DIR) if args.checkpoint else []
    report["files"] = {"video": video.name if video else None, "plots": [str(p.relative_to(out)) for p in plots]}
    path = out / REPORT_FILE
    path.write_text(json.dumps(report, indent=2))
    print(f"[nil eval] {headline(report)}\n  report: {path}")
    if video:
        print(f"  comparison video (reference | policy | overlap): {video}")
    if plots:
        print(f"  training curves: {out / PLOTS_DIR}/ ({len(plots)} plots)")
    return path


def headline(report: dict) -> str:
    """The report's main scores in one line."""
    iou, motion = report["reference"]["mask_iou"]["mean"], report["motion"]
    line = f"environment reward {report['environment_reward']['mean']:.1f} / {report['steps']}"
    if iou is not None:
        line += f", mask IoU {iou:.2f}"
    if motion is not None and motion["joint_rmse"]["mean"] is not None:
        line += f", joint RMSE {motion['joint_rmse']['mean']:.3f} rad against the known answer"
    return line
