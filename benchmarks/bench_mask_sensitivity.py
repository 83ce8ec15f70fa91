"""How much the follow camera's robot mask sees each joint a policy drives: a check of where the camera stands.

    .venv/bin/python benchmarks/bench_mask_sensitivity.py --preset go2-gantry \\
        --bundle outputs/benchmarks/known_answer_go2-gantry/reference --out benchmarks/results/mask_sensitivity_go2

The known answer of a ``bench_known_answer.py`` run (its ``reference`` folder, made with the same ``--preset``) is
played through the actuators as ``nil eval --policy replay`` plays it, in 1 + 2 x J envs for the J driven joints:
env 0 as it is, and in each further pair one joint's target offset by +``--delta`` and -``--delta`` rad. The
figure of a joint is the mask IoU against the reference that its offset envs lose against env 0, averaged over
the episode. A joint whose offset loses little IoU is one the mask reward barely sees (a leg hidden behind its
twin, a thin link at a few pixels): a policy can miss it at little cost in reward.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import torch
from bench_known_answer import PRESETS, driven_joints, resolve
from results_io import machine, publish


def offset_actions(driven: list[str], action_joints: list[str], delta: float, scale: float) -> torch.Tensor:
    """(1 + 2 J, A) action offsets: row 0 none, rows 2k+1 and 2k+2 +``delta`` and -``delta`` rad on ``driven[k]``."""
    offsets = torch.zeros(1 + 2 * len(driven), len(action_joints))
    for k, joint in enumerate(driven):
        column = action_joints.index(joint)
        offsets[1 + 2 * k, column], offsets[2 + 2 * k, column] = delta / scale, -delta / scale
    return offsets


def iou_losses(iou: torch.Tensor, driven: list[str]) -> tuple[float, dict[str, list[float]]]:
    """From ``iou`` (envs, steps; zero outside the reference): env 0's mean IoU, and each driven joint -> [IoU lost
    at +delta, at -delta]."""
    mean = iou[:, iou[0] > 0].mean(dim=1)
    return float(mean[0]), {
        joint: [float(mean[0] - mean[1 + 2 * k]), float(mean[0] - mean[2 + 2 * k])] for k, joint in enumerate(driven)
    }


def markdown(record: dict) -> str:
    """The report of a run's ``record``: its command, the camera it filmed through and each joint's IoU lost."""
    camera, delta = record["camera"], record["delta_rad"]
    pos, rot = (", ".join(f"{v:.3g}" for v in camera[key]) for key in ("pos", "rot_xyzw"))
    lines = [
        f"# Mask sensitivity: {record['task']}, `{record['motion']}` (preset `{record['preset']}`)",
        "",
        f"Command: `{record['command']}` ({record['date']}, commit {record['commit']}, {record['machine']})",
        "",
        f"Follow camera (the bundle's): offset ({pos}) m, rotation ({rot}) (x, y, z, w, world convention), "
        f"{camera['height']}x{camera['width']} px, focal length {camera['fx']:.1f} px.",
        "",
        f"The known answer replayed: mask IoU {record['replay_iou']:.3f}. IoU lost with one joint's target offset by "
        f"+{delta:g} / -{delta:g} rad, over {record['steps']} control steps:",
        "",
        "| joint | IoU lost at + | at - |",
        "|---|---:|---:|",
        *(f"| {joint} | {plus:.3f} | {minus:.3f} |" for joint, (plus, minus) in record["iou_loss"].items()),
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    driving_some_joints = sorted(name for name, preset in PRESETS.items() if preset.motion_joints_only)
    parser.add_argument("--preset", choices=driving_some_joints, required=True)
    parser.add_argument("--bundle", type=Path, required=True, help="the known-answer reference of that preset")
    parser.add_argument("--delta", type=float, default=0.3, help="target offset [rad]")
    parser.add_argument("--steps", type=int, default=200, help="control steps (200: two tuck periods)")
    parser.add_argument("--out", type=Path, help="write <out>.json and <out>.md")
    args = parser.parse_args(argv)
    if not (args.bundle / "ground_truth.npz").is_file():
        parser.error(f"{args.bundle} is no known-answer reference (no ground_truth.npz; bench_known_answer makes one)")
    preset = PRESETS[args.preset]
    overrides = list(resolve(preset).env_overrides)
    driven = driven_joints(preset)

    from isaaclab_nil.envs.mdp.commands import follow_camera_spec
    from isaaclab_nil.evaluation.command import make_eval_env
    from isaaclab_nil.evaluation.rollout import replay_policy, run_episode
    from isaaclab_nil.reference.ground_truth import GroundTruth

    env = make_eval_env(preset.task, args.bundle, 1 + 2 * len(driven), "cpu", 0, overrides)
    replay = replay_policy(env, GroundTruth.load(args.bundle / "ground_truth.npz"))
    action_joints = list(env.action_manager.get_term("joints").IO_descriptor.joint_names)
    offsets = offset_actions(driven, action_joints, args.delta, float(env.cfg.actions.joints.scale))
    rollout = run_episode(env, lambda obs: replay(obs) + offsets, args.steps)
    replay_iou, losses = iou_losses(rollout.iou, driven)

    record = {
        "command": shlex.join([".venv/bin/python", "benchmarks/bench_mask_sensitivity.py", *sys.argv[1:]]),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=Path(__file__).parents[1]
        ).stdout.strip(),
        "machine": machine(torch.device("cpu")),
        "preset": args.preset,
        "task": preset.task,
        "motion": preset.motion,
        "env_overrides": overrides,
        "camera": asdict(follow_camera_spec(env.cfg)),  # the bundle's: an env made from one films through its camera
        "delta_rad": args.delta,
        "steps": args.steps,
        "replay_iou": replay_iou,
        "iou_loss": losses,
    }
    publish(record, markdown(record), args.out)
    env.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
