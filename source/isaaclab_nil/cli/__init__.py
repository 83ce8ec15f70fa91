"""The ``nil`` command: one entry point, a subcommand per stage, one way to give env overrides.

    nil generate --task NIL-H1-Walk --generator ltx [--model ID_OR_DIR] [--out DIR]
    nil generate --task NIL-H1-Walk --video my_kling_video.mp4
    nil generate --task NIL-H1-Walk --known-answer walk [--speed 0.5] [env.<field>=<value> ...]
    nil eval --task NIL-H1-Walk --bundle DIR (--checkpoint FILE | --policy zero|random|replay) [--steps 400]
    nil sim2sim POLICY_DIR [--mjcf FILE] [--seconds 10] [--compare trajectory.npz] [--zero_actions]

``generate`` is stage 1: render the task's first frame, get a video of the robot doing the skill
(from an image-to-video model, or a video made elsewhere), segment the robot in every frame with
SAM 2, embed 8-frame clips, and write a validated reference bundle plus a contact sheet.
``--known-answer`` instead plays a scripted motion on the robot in the simulator and also saves the
motion, so that a policy trained on the bundle can be scored against it.

``eval`` rolls a policy out against a bundle and reports the environment reward, mask IoU, video
similarity and, with a known-answer bundle, the motion error; see ``docs/evaluation.md``.

``sim2sim`` runs an exported policy folder (``exported/policy.onnx`` + ``params/deploy.yaml``) in plain MuJoCo from
its deploy contract alone, and compares it with an Isaac Lab rollout; see ``docs/deploy.md``.

Training and playing are ``scripts/train.py`` and ``scripts/play.py`` (``isaaclab -p scripts/train.py ...``).
Building the parser imports neither torch, diffusers nor Isaac Lab: ``nil --help`` answers at once; each
subcommand imports what it needs when it runs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from . import evaluate, generate, sim2sim

SUBCOMMANDS = {"generate": generate, "eval": evaluate, "sim2sim": sim2sim}
"""Subcommand -> module with ``HELP``, ``add_arguments(parser)``, ``check(parser, args)`` and ``run(args)``."""


def report_errors(command: str, run: Callable[[], object], debug: bool = False) -> int:
    """Run ``run()`` and return the exit code: 0, or for a problem with the user's input (``NILError``) one line
    ``<command>: error: <message>`` on stderr and 2 for bad usage, 1 otherwise. ``debug`` re-raises instead."""
    from ..errors import NILError, UsageError

    try:
        run()
    except NILError as error:
        if debug:
            raise
        print(f"{command}: error: {error}", file=sys.stderr)
        return 2 if isinstance(error, UsageError) else 1
    return 0


def add_output_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error instead of one line")
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="show Isaac Lab's start-up output (manager tables, timers) instead of keeping it in isaaclab.log",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nil", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, module in SUBCOMMANDS.items():
        subparser = commands.add_parser(name, help=module.HELP)
        module.add_arguments(subparser)
        add_output_arguments(subparser)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    module = SUBCOMMANDS[args.command]

    def run() -> None:
        module.check(parser, args)  # first: the subcommand's own checks import neither torch nor Isaac Lab
        if hasattr(args, "overrides"):  # a subcommand that makes an env
            from ..console import isaaclab_output
            from ..overrides import check_overrides

            with isaaclab_output(args.verbose):  # importing Isaac Lab prints (config notes, Warp's device notes)
                from ..envs.factory import registered_cfg

                env_cfg = registered_cfg(args.task)
            check_overrides(args.overrides, {"env": env_cfg})  # before any model or simulator
        module.run(args)

    return report_errors(f"nil {args.command}", run, args.debug)


if __name__ == "__main__":
    sys.exit(main())
