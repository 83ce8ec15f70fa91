"""Roll out a trained NIL policy: record an mp4 (RGB | robot mask) and the joint trajectory, export ONNX + deploy
config.

    python scripts/play.py --task NIL-H1-Walk                      # latest run of the task
    python scripts/play.py --task NIL-H1-Walk --checkpoint logs/nil/NIL-H1-Walk/<run>/model_<step>.pt

Also runs as ``isaaclab -p scripts/play.py ...``. The env is the one the run trained in: its reference bundle and
``env.*`` overrides come from the run's record (``run.json``), and extra ``env.*`` overrides go after them. A
bundle other than the run's is refused unless ``--other_bundle``. Writes ``play.mp4``, ``trajectory.npz`` (env 0's
states, for ``nil sim2sim --compare``) and the policy folder ``exported/policy.onnx`` + ``params/deploy.yaml`` to
``<run>/play/<checkpoint>/`` (or ``--out``), never over the training's own export, and refuses to overwrite an
earlier play unless ``--overwrite``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    from isaaclab_nil.cli import report_errors
    from isaaclab_nil.workflows import add_common_args

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(parser)
    parser.add_argument("--steps", type=int, default=None, help="control steps to film (default: one episode)")
    parser.add_argument("--out", type=Path, help="output folder (default: <run>/play/<checkpoint name>)")
    parser.add_argument("--overwrite", action="store_true", help="replace the files of an earlier play in --out")
    parser.add_argument("--other_bundle", action="store_true", help="play on a --bundle the run did not train on")
    args = parser.parse_args(argv)
    return report_errors("play", lambda: play(args), args.debug)


def play(args: argparse.Namespace) -> Path:
    from isaaclab_nil.console import isaaclab_output, save_output
    from isaaclab_nil.deploy.trajectory import rollout_trajectory
    from isaaclab_nil.envs.factory import make_env, make_env_cfg
    from isaaclab_nil.errors import UsageError
    from isaaclab_nil.evaluation.rollout import film, run_episode
    from isaaclab_nil.learning.export import policy_from_checkpoint
    from isaaclab_nil.reference.bundle import bundle_digest
    from isaaclab_nil.reference.video_io import write_video
    from isaaclab_nil.robots.mjcf import mjcf_joint_names
    from isaaclab_nil.workflows import export_for_deploy, latest_run_dir, read_run_record, run_checkpoint

    checkpoint = args.checkpoint or run_checkpoint(latest_run_dir(args.log_root, args.task))
    if not checkpoint.is_file():
        raise UsageError(f"no checkpoint at {checkpoint}")
    record = read_run_record(checkpoint.parent) or {"overrides": [], "bundle": None, "bundle_digest": None}
    bundle = str(args.bundle) if args.bundle is not None else record["bundle"]
    if args.bundle is not None and record["bundle_digest"] and not args.other_bundle:
        if bundle_digest(args.bundle) != record["bundle_digest"]:
            raise UsageError(
                f"{args.bundle} is not the reference this run trained on ({record['bundle']}); "
                "leave --bundle out to play on that one, or pass --other_bundle"
            )
    out = args.out or checkpoint.parent / "play" / checkpoint.stem
    if out.exists() and any(out.iterdir()) and not args.overwrite:
        raise UsageError(f"{out} holds an earlier play: pass --overwrite to replace it, or --out another folder")

    overrides = [item for item in record["overrides"] if item.startswith("env.")] + list(args.overrides)
    with isaaclab_output(args.verbose) as setup_log:
        env_cfg = make_env_cfg(args.task, num_envs=1, device=args.device, overrides=overrides)
        env_cfg.commands.reference.bundle = bundle
        env = make_env(args.task, cfg=env_cfg)
    save_output(setup_log, out)
    obs_dim = env.observation_manager.group_obs_dim["policy"][0]
    policy = policy_from_checkpoint(checkpoint, obs_dim, env.action_manager.total_action_dim)
    rollout = run_episode(env, policy.to(env.device), args.steps or int(env.max_episode_length), progress="[play]")
    video = write_video(out / "play.mp4", film(rollout), fps=env_cfg.commands.reference.fps)
    joint_names = mjcf_joint_names(env_cfg.scene.robot.spawn.asset_path, env.scene["robot"].joint_names)
    trajectory = rollout_trajectory(rollout, joint_names).save(out / "trajectory.npz")
    export_for_deploy(policy, env, out, checkpoint.parent, checkpoint)
    print(f"[play] wrote {video}, {trajectory} and the policy folder {out} (exported/, params/)")
    env.close()
    return out


if __name__ == "__main__":
    sys.exit(main())
