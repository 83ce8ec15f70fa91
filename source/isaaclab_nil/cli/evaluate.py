"""``nil eval``: score a policy against a reference bundle (and its known answer); see ``evaluation.command``."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..evaluation import DEFAULT_TARGET_SPEED, EVAL_STEPS

HELP = "score a policy against a reference bundle (and its known answer)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--task", required=True, help="task id, e.g. NIL-H1-Walk")
    parser.add_argument("--bundle", type=Path, required=True, help="reference bundle folder")
    policy = parser.add_mutually_exclusive_group(required=True)
    policy.add_argument("--checkpoint", type=Path, help="trained checkpoint (a run's model_<step>.pt)")
    policy.add_argument(
        "--policy",
        choices=("zero", "random", "replay"),
        help="a baseline instead of a checkpoint: zero actions, uniform random ones, or (known answer) the "
        "ground truth's joint positions as targets, the ceiling of a policy's scores",
    )
    parser.add_argument("--steps", type=int, default=EVAL_STEPS, help="control steps of the episode")
    parser.add_argument("--num_envs", type=int, default=1, help="episodes, run in parallel envs")
    parser.add_argument("--device", default="cpu", help="simulation, policy and encoder device")
    parser.add_argument("--seed", type=int, default=0, help="seed of the reset noise and the random policy")
    parser.add_argument(
        "--target_speed",
        type=float,
        help="forward speed [m/s] that earns the full speed reward "
        f"(default: the ground truth's top speed, else {DEFAULT_TARGET_SPEED})",
    )
    parser.add_argument(
        "--ground_truth", type=Path, help="known motion (default: the bundle's ground_truth.npz, if any)"
    )
    parser.add_argument("--out", type=Path, help="output folder (default: <run>/eval, or outputs/eval/<task>/<policy>)")
    parser.add_argument("overrides", nargs="*", help="env overrides as in training, env.<field>=<value>")


def check(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    pass


def run(args: argparse.Namespace) -> Path:
    from ..evaluation.command import evaluate

    return evaluate(args)
