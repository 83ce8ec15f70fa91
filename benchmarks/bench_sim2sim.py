"""Sim-to-sim evidence: the same policy in Isaac Lab (Newton / MuJoCo-Warp) and in plain MuJoCo from its deploy
contract alone, with the cross-simulator joint RMSE and fall times.

    python scripts/play.py --task NIL-H1-Walk --checkpoint <run>/model_<step>.pt --out PLAY   # Isaac Lab rollout
    .venv/bin/python benchmarks/bench_sim2sim.py --play_dir PLAY --zero_task NIL-Go2-Walk --out benchmarks/results

1. ``--play_dir``: a trained policy's play folder (``trajectory.npz`` + the policy folder ``scripts/play.py``
   writes): MuJoCo starts from the Isaac Lab rollout's first state and runs the policy as long as it did;
2. ``--zero_task``: a free-base robot under zero actions (the default pose held by PD) for ``--seconds`` in both
   simulators: Isaac Lab here (one env, a 64 px camera, reference long enough not to end the episode), its
   contract exported with an untrained policy (zero actions never call it), then MuJoCo from the same start
   (the Isaac Lab half is kept from an earlier run in ``--out``).

Writes ``sim2sim.json`` and ``sim2sim.md`` (command, date, machine, every number) in ``--out``; the zero-action
policy folder and rollout go to ``--work``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import sys
import time
from pathlib import Path

SEED = 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--play_dir", type=Path, help="play folder of a trained policy (scripts/play.py --out)")
    parser.add_argument("--second_mjcf", type=Path, help="another model of the --play_dir robot to run it on too")
    parser.add_argument("--zero_task", help="free-base task to hold under zero actions, e.g. NIL-Go2-Walk")
    parser.add_argument("--seconds", type=float, default=10.0, help="zero-action rollout length [s]")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"), help="report folder")
    parser.add_argument("--work", type=Path, default=Path("outputs/sim2sim"), help="rollouts and policy folders")
    parser.add_argument("--name", default="sim2sim", help="report file name (without extension)")
    args = parser.parse_args()
    report = {
        "command": shlex.join([Path(sys.executable).name, *sys.argv]),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{cpu_model()} ({os.cpu_count()} CPUs), Python {platform.python_version()}",
        "seed": SEED,
    }
    if args.play_dir:
        report["trained"] = trained(args.play_dir)
    if args.second_mjcf:
        report["trained_second_model"] = trained(args.play_dir, args.second_mjcf)
    if args.zero_task:
        report["zero_policy"] = zero_policy(args.zero_task, args.seconds, args.work / args.zero_task)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.name}.json").write_text(json.dumps(report, indent=2))
    (args.out / f"{args.name}.md").write_text(markdown(report))
    print(markdown(report))
    return 0


def cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.is_file() else []
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), platform.machine())


def sim2sim(policy_dir: Path, trajectory: Path, seconds: float, zero_actions: bool, mjcf: Path | None = None) -> dict:
    from isaaclab_nil.deploy import sim2sim as s2s
    from isaaclab_nil.deploy.contract import load_contract
    from isaaclab_nil.deploy.trajectory import Trajectory
    from isaaclab_nil.robots.assets import mjcf_path

    contract = load_contract(policy_dir)
    start = Trajectory.load(trajectory).in_order(contract.joint_names)
    mjcf = mjcf or mjcf_path(contract.nil["mjcf"])
    robot = s2s.MujocoRobot(contract, mjcf, fix_base=contract.nil["fix_base"])
    result = s2s.run(contract, robot, seconds, start, zero_actions=zero_actions)
    return {
        "policy_dir": str(policy_dir),
        "task": contract.record["task"],
        "run": contract.record["run"],
        "checkpoint": contract.record["checkpoint"],
        "fix_base": contract.nil["fix_base"],
        "mjcf": str(mjcf),
        "mujoco_physics_dt": robot.model.opt.timestep,
        "isaac_physics_dt": contract.nil["physics_dt"],
        "mujoco": result.summary(),
        "comparison": s2s.compare(result, start),
    }


def trained(play_dir: Path, mjcf: Path | None = None) -> dict:
    from isaaclab_nil.deploy.trajectory import Trajectory

    isaac = Trajectory.load(play_dir / "trajectory.npz")
    seconds = (len(isaac.joint_pos) - 1) * isaac.step_dt
    return sim2sim(play_dir, play_dir / "trajectory.npz", seconds, zero_actions=False, mjcf=mjcf)


def zero_policy(task: str, seconds: float, out: Path) -> dict:
    """The Isaac Lab half in this process (one simulation; kept when ``out`` holds it from an earlier run), then
    MuJoCo from its first state."""
    if not (out / "trajectory.npz").is_file():
        isaac_zero_rollout(task, seconds, out)
    result = sim2sim(out, out / "trajectory.npz", seconds, zero_actions=True)
    falls = result["comparison"]["other_fall_time_s"], result["comparison"]["mujoco_fall_time_s"]
    result["agree_on_fall"] = (falls[0] is None) == (falls[1] is None)
    return result


def isaac_zero_rollout(task: str, seconds: float, out: Path) -> None:
    """``task``'s contract (exported with an untrained policy) and its Isaac Lab rollout under zero actions."""
    import torch
    from torch import nn

    from isaaclab_nil.deploy.trajectory import rollout_trajectory
    from isaaclab_nil.envs.factory import make_env, make_env_cfg
    from isaaclab_nil.evaluation.rollout import run_episode
    from isaaclab_nil.evaluation.rollout import zero_policy as zero
    from isaaclab_nil.learning.export import deterministic_policy
    from isaaclab_nil.learning.networks import TanhGaussianActor
    from isaaclab_nil.robots.mjcf import mjcf_joint_names
    from isaaclab_nil.workflows import export_for_deploy

    steps = round(seconds / 0.02)
    overrides = [
        f"env.commands.reference.num_frames={int(seconds * 24) + 48}",  # the reference outlasts the rollout
        "env.scene.follow_camera.width=64",
        "env.scene.follow_camera.height=64",
    ]
    cfg = make_env_cfg(task, num_envs=1, overrides=overrides)
    cfg.seed = SEED
    env = make_env(task, cfg=cfg)
    torch.manual_seed(SEED)
    obs_dim, action_dim = env.observation_manager.group_obs_dim["policy"][0], env.action_manager.total_action_dim
    untrained = TanhGaussianActor(nn.Sequential(nn.Linear(obs_dim, 16), nn.ELU()), 16, action_dim, -5.0, 2.0)
    export_for_deploy(deterministic_policy(untrained), env, out, run_dir=out)
    rollout = run_episode(env, zero(env), steps)
    joint_names = mjcf_joint_names(cfg.scene.robot.spawn.asset_path, env.scene["robot"].joint_names)
    rollout_trajectory(rollout, joint_names).save(out / "trajectory.npz")
    env.close()


def markdown(report: dict) -> str:
    lines = [
        "# Sim-to-sim: Isaac Lab (Newton, MuJoCo-Warp) against plain MuJoCo",
        "",
        f"`{report['command']}`, {report['date']}, {report['machine']}, seed {report['seed']}.",
        "",
        "| rollout | task | base | steps compared | joint RMSE [rad] | max abs [rad] | fall Isaac Lab [s] | "
        "fall MuJoCo [s] | MuJoCo tracking RMSE [rad] |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name in ("trained", "trained_second_model", "zero_policy"):
        if name not in report:
            continue
        row, comparison = report[name], report[name]["comparison"]
        model = "/".join(Path(row["mjcf"]).parts[-2:])
        lines.append(
            f"| {name} ({model}) | {row['task']} | {'fixed (gantry)' if row['fix_base'] else 'free'} | "
            f"{comparison['compared_steps']} | {comparison['joint_rmse_rad']:.4f} | "
            f"{comparison['joint_max_abs_error_rad']:.4f} | {comparison['other_fall_time_s']} | "
            f"{comparison['mujoco_fall_time_s']} | {row['mujoco']['joint_tracking_rmse_rad']:.4f} |"
        )
    if "trained" in report:
        row = report["trained"]
        lines += [
            "",
            f"trained: the Isaac Lab rollout is `{row['policy_dir']}/trajectory.npz`, from `scripts/play.py --task "
            f"{row['task']} --checkpoint {row['run']}/{row['checkpoint']} --out {row['policy_dir']}`; MuJoCo starts "
            "from its first state.",
        ]
    if "zero_policy" in report:
        agree = "yes" if report["zero_policy"]["agree_on_fall"] else "NO"
        lines += ["", f"Zero policy on the free base: the simulators agree on fall or no fall: **{agree}**."]
    lines += [
        "",
        "Fall: the training's terminations (base below its height limit or tilted past its limit); None: never.",
        "MuJoCo runs the MJCF's own options and timestep with the contract's PD law applied as joint torques;",
        "Isaac Lab runs implicit PD drives at its 5 ms step. Per-joint RMSE and all settings: the JSON beside this.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
