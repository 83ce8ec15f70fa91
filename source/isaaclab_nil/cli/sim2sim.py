"""``nil sim2sim``: run an exported policy folder in plain MuJoCo; see :mod:`isaaclab_nil.deploy.sim2sim`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HELP = "run an exported policy (policy.onnx + deploy.yaml) in plain MuJoCo and compare with Isaac Lab"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "policy_dir", type=Path, help="policy folder: exported/policy.onnx + params/deploy.yaml (a run or a play)"
    )
    parser.add_argument("--mjcf", type=Path, help="another model of the robot (default: the contract's, asset root)")
    parser.add_argument("--seconds", type=float, default=10.0, help="simulated time [s] (less if the robot falls)")
    parser.add_argument(
        "--compare",
        type=Path,
        help="an Isaac Lab rollout of the same policy (scripts/play.py's trajectory.npz): start from its first state "
        "and report the joint-trajectory RMSE between the simulators",
    )
    parser.add_argument("--zero_actions", action="store_true", help="hold the default pose (actions 0) instead")
    parser.add_argument("--video_size", type=int, default=320, help="mp4 frame size [px]; 0: no video")
    parser.add_argument("--out", type=Path, help="output folder (default: <policy_dir>/sim2sim)")


def check(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.seconds <= 0:
        parser.error("--seconds must be positive")


def run(args: argparse.Namespace) -> Path:
    from ..deploy import sim2sim
    from ..deploy.contract import load_contract
    from ..deploy.trajectory import Trajectory
    from ..reference.video_io import write_video
    from ..robots.assets import mjcf_path

    contract = load_contract(args.policy_dir)
    start = Trajectory.load(args.compare).in_order(contract.joint_names) if args.compare else None
    model = args.mjcf or mjcf_path(contract.nil["mjcf"])
    robot = sim2sim.MujocoRobot(contract, model, fix_base=contract.nil["fix_base"])
    result = sim2sim.run(contract, robot, args.seconds, start, args.zero_actions, args.video_size or None)
    report = {
        "policy_dir": str(args.policy_dir),
        "mjcf": str(model),
        "fix_base": contract.nil["fix_base"],
        "zero_actions": args.zero_actions,
        "physics_dt": robot.model.opt.timestep,
        "decimation": robot.decimation,
        **result.summary(),
        "comparison": sim2sim.compare(result, start) if start is not None else None,
    }
    out = args.out or args.policy_dir / "sim2sim"
    out.mkdir(parents=True, exist_ok=True)
    (out / "sim2sim.json").write_text(json.dumps(report, indent=2))
    if result.frames:
        import numpy as np
        import torch

        write_video(out / "sim2sim.mp4", torch.from_numpy(np.stack(result.frames)), fps=1.0 / contract.step_dt)
    print(json.dumps({k: v for k, v in report.items() if k != "comparison"}, indent=2))
    if report["comparison"]:
        summary = {k: v for k, v in report["comparison"].items() if k != "per_joint_rmse_rad"}
        print(f"[sim2sim] against {args.compare}: {json.dumps(summary)}")
    print(f"[sim2sim] wrote {out}")
    return out
