"""Roll out a trained NIL policy: record an mp4 (RGB | robot mask) and export ONNX + deploy config.

    python scripts/play.py --task NIL-H1-Walk                      # latest run of the task
    python scripts/play.py --task NIL-H1-Walk --checkpoint logs/nil/NIL-H1-Walk/<run>/model_<step>.pt

Also runs as ``isaaclab -p scripts/play.py ...``. Writes play.mp4 and exported/{policy.onnx,deploy.yaml}
next to the checkpoint.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def main(argv: list[str] | None = None) -> Path:
    from isaaclab_nil.workflows import add_common_args, export_for_deploy, latest_run_dir, run_checkpoint

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(parser)
    parser.add_argument("--steps", type=int, default=None, help="control steps to film (default: one episode)")
    args = parser.parse_args(argv)
    checkpoint = args.checkpoint or run_checkpoint(latest_run_dir(args.log_root, args.task))
    if not checkpoint.is_file():
        raise SystemExit(f"no checkpoint at {checkpoint}")

    from isaaclab_nil.envs.factory import make_env, make_env_cfg
    from isaaclab_nil.evaluation.rollout import film, run_episode
    from isaaclab_nil.learning.export import policy_from_checkpoint
    from isaaclab_nil.reference.video_io import write_video

    env_cfg = make_env_cfg(args.task, num_envs=1, device=args.device, overrides=args.overrides)
    if args.bundle is not None:
        env_cfg.commands.reference.bundle = str(args.bundle)
    env = make_env(args.task, cfg=env_cfg)
    obs_dim = env.observation_manager.group_obs_dim["policy"][0]
    policy = policy_from_checkpoint(checkpoint, obs_dim, env.action_manager.total_action_dim)
    rollout = run_episode(env, policy.to(env.device), args.steps or int(env.max_episode_length))
    video = write_video(checkpoint.parent / "play.mp4", film(rollout), fps=env_cfg.commands.reference.fps)
    onnx_path, yaml_path = export_for_deploy(policy, env, checkpoint.parent / "exported")
    print(f"[play] wrote {video}, {onnx_path}, {yaml_path}")
    env.close()
    return video


if __name__ == "__main__":
    main()
