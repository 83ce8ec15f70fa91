"""The ``nil`` command.

    nil generate --task NIL-H1-Walk --generator ltx [--model ID_OR_DIR] [--out DIR]
    nil generate --task NIL-H1-Walk --video my_kling_video.mp4
    nil generate --task NIL-H1-Walk --known-answer walk [--speed 0.5] [env.<field>=<value> ...]
    nil eval --task NIL-H1-Walk --bundle DIR (--checkpoint FILE | --policy zero|random|replay) [--steps 400]

``generate`` is stage 1: render the task's first frame, get a video of the robot doing the skill
(from an image-to-video model, or a video made elsewhere), segment the robot in every frame with
SAM 2, embed 8-frame clips, and write a validated reference bundle plus a contact sheet.
``--known-answer`` instead plays a scripted motion on the robot in the simulator and also saves the
motion, so that a policy trained on the bundle can be scored against it.

``eval`` rolls a policy out against a bundle and reports the environment reward, mask IoU, video
similarity and, with a known-answer bundle, the motion error; see ``docs/evaluation.md``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import torch

if TYPE_CHECKING:
    from isaaclab_nil.envs.nil_env import NILEnv

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


def nominal_env(task: str, device: str = "cpu", overrides=()) -> NILEnv:
    """``task``'s env with one robot that resets exactly into its default pose (no reset noise).

    The reset events stay, with empty ranges: without them the robot keeps its spawn state, whose base
    height is the spawn height plus the MJCF's own base offset (2.11 m instead of 1.05 m for the H1).
    """
    from isaaclab_nil.envs.factory import make_env, make_env_cfg

    cfg = make_env_cfg(task, num_envs=1, device=device, overrides=overrides)
    cfg.events.reset_base.params.update(pose_range={}, velocity_range={})
    cfg.events.reset_joints.params.update(position_range=(0.0, 0.0), velocity_range=(0.0, 0.0))
    return make_env(task, cfg=cfg)


def render_first_frame(task: str, device: str = "cpu", overrides=()) -> tuple[torch.Tensor, torch.Tensor, object]:
    """Reset ``task``'s env at its nominal start (:func:`nominal_env`) and render the follow camera.

    Returns the RGB frame uint8 (H, W, 3), the simulator's robot mask bool (H, W), both on the CPU,
    and the env config (camera, reference and robot settings for the bundle).
    """
    env = nominal_env(task, device, overrides)
    try:
        env.reset()
        rgb, mask = env.robot_frames()
        return rgb[0].cpu(), mask[0].cpu(), env.cfg
    finally:
        env.close()


def generate(args: argparse.Namespace) -> Path:
    """Run stage 1 for ``args.task``; returns the bundle folder."""
    if args.known_answer:
        return generate_known_answer(args)
    from isaaclab_nil.envs.reference_tracker import follow_camera_spec
    from isaaclab_nil.reference.encoder import VideoEncoder
    from isaaclab_nil.reference.generators import DiffusersVideoGenerator, VideoFileSource
    from isaaclab_nil.reference.pipeline import ReferenceSpec, build_reference_bundle
    from isaaclab_nil.reference.segmentation import RobotSegmenter

    # models first: a missing model fails in a second, before the simulator starts
    dtype = DTYPES[args.dtype]
    if args.video:
        source = VideoFileSource(args.video)
    else:
        options = {"steps": args.steps}
        if args.guidance is not None:
            options["guidance"] = args.guidance
        source = DiffusersVideoGenerator.from_pretrained(
            args.generator, args.model, args.device, dtype, cpu_offload=args.cpu_offload, **options
        )
    segmenter = RobotSegmenter.from_pretrained(args.segmenter, args.device, dtype)
    encoder = VideoEncoder.from_pretrained(args.encoder, args.device, dtype)
    rgb, mask, cfg = render_first_frame(args.task, args.sim_device, args.overrides)
    reference = cfg.reference
    if args.embodiment:
        reference.embodiment = args.embodiment
    if args.skill:
        reference.skill = args.skill
    spec = ReferenceSpec(
        robot=reference.embodiment,
        task=args.task,
        prompt=args.prompt or reference.prompt,
        camera=follow_camera_spec(cfg),
        num_frames=args.frames,
        fps=args.fps or reference.fps,
        seed=args.seed,
    )
    out = args.out or Path("outputs/references") / args.task
    bundle = build_reference_bundle(rgb, mask, spec, source, segmenter, encoder, out, batch_size=args.batch_size)
    return write_previews(bundle)


def generate_known_answer(args: argparse.Namespace) -> Path:
    """Stage 1 with a known answer: play ``args.known_answer`` on the robot, save the bundle and the motion."""
    from isaaclab_nil.envs.known_answer import (
        DEFAULT_DURATION_S,
        KNOWN_MOTIONS,
        record_known_answer,
        save_known_answer,
    )
    from isaaclab_nil.reference.encoder import VideoEncoder

    gait = KNOWN_MOTIONS[args.known_answer](**({} if args.speed is None else {"speed": args.speed}))
    encoder = VideoEncoder.from_pretrained(args.encoder, args.device, DTYPES[args.dtype])
    env = nominal_env(args.task, args.sim_device, args.overrides)
    try:
        fps = args.fps or env.cfg.reference.fps
        num_frames = args.frames if args.frames is not None else round(DEFAULT_DURATION_S * fps)
        frames, masks, truth = record_known_answer(env, gait, num_frames, fps)
        cfg = env.cfg
    finally:
        env.close()
    out = args.out or Path("outputs/references") / f"{args.task}-known-{args.known_answer}"
    save_known_answer(out, cfg, frames, masks, truth, gait, encoder, args.batch_size)
    return write_previews(out)


def write_previews(bundle: Path) -> Path:
    """Load (and so validate) a written bundle, save its contact sheet and mask-overlay video beside it."""
    from isaaclab_nil.reference.bundle import load_bundle
    from isaaclab_nil.reference.preview import contact_sheet, overlay_video

    loaded = load_bundle(bundle)
    sheet = contact_sheet(bundle / "contact_sheet.png", loaded.frames, loaded.masks)
    overlay = overlay_video(bundle / "masks_overlay.mp4", loaded.frames, loaded.masks, loaded.meta.fps)
    print(f"[nil generate] wrote the reference bundle {bundle}\n  to look at: {sheet}, {overlay}")
    return bundle


def build_parser() -> argparse.ArgumentParser:
    from isaaclab_nil.envs.known_answer import KNOWN_MOTIONS
    from isaaclab_nil.evaluation import DEFAULT_TARGET_SPEED, EVAL_STEPS
    from isaaclab_nil.reference.encoder import DEFAULT_ENCODER
    from isaaclab_nil.reference.generators import GENERATOR_BACKENDS
    from isaaclab_nil.reference.segmentation import DEFAULT_SEGMENTER

    parser = argparse.ArgumentParser(prog="nil", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate", help="stage 1: write a reference bundle for a task")
    gen.add_argument("--task", required=True, help="task id, e.g. NIL-H1-Walk")
    source = gen.add_mutually_exclusive_group()
    source.add_argument("--generator", choices=sorted(GENERATOR_BACKENDS), default="ltx", help="image-to-video backend")
    source.add_argument("--video", type=Path, help="use a video made elsewhere instead of generating one")
    source.add_argument(
        "--known-answer",
        choices=sorted(KNOWN_MOTIONS),
        help="play this scripted motion on the robot instead (a reference whose right answer is known; "
        "also saves the motion as ground_truth.npz in the bundle folder, for `nil eval`)",
    )
    gen.add_argument("--speed", type=float, help="--known-answer walk: forward speed [m/s] (default 0.5)")
    gen.add_argument("--model", help="generator hub id or local folder (default: the backend's model)")
    gen.add_argument("--segmenter", default=DEFAULT_SEGMENTER, help="SAM 2 hub id or local folder")
    gen.add_argument("--encoder", default=DEFAULT_ENCODER, help="TimeSformer hub id or local folder")
    gen.add_argument("--out", type=Path, help="bundle folder (default: outputs/references/<task>)")
    gen.add_argument(
        "--frames", type=int, help="frames to generate / most frames to keep of --video (--known-answer: default 8 s)"
    )
    gen.add_argument("--fps", type=float, help="frame rate asked of the generator (default: the task's)")
    gen.add_argument("--steps", type=int, default=50, help="denoising steps")
    gen.add_argument("--guidance", type=float, help="guidance scale (default: the pipeline's)")
    gen.add_argument("--seed", type=int, default=0)
    gen.add_argument("--prompt", help="full prompt (default: the task's template)")
    gen.add_argument("--embodiment", help="embodiment in the prompt (default: the task's robot)")
    gen.add_argument("--skill", help="skill in the prompt (default: the task's skill)")
    gen.add_argument("--device", default="cuda:0" if torch.cuda.is_available() else "cpu", help="models' device")
    gen.add_argument("--dtype", choices=sorted(DTYPES), default="float32", help="models' dtype")
    gen.add_argument("--cpu_offload", action="store_true", help="keep generator parts on the CPU until used (CUDA)")
    gen.add_argument("--sim_device", default="cpu", help="device of the simulation that renders the first frame")
    gen.add_argument("--batch_size", type=int, default=16, help="clips per encoder call")
    gen.add_argument(
        "overrides", nargs="*", help="env overrides, env.<field>=<value>, e.g. env.follow_camera.width=96 (train with the same)"
    )

    ev = commands.add_parser("eval", help="score a policy against a reference bundle (and its known answer)")
    ev.add_argument("--task", required=True, help="task id, e.g. NIL-H1-Walk")
    ev.add_argument("--bundle", type=Path, required=True, help="reference bundle folder")
    policy = ev.add_mutually_exclusive_group(required=True)
    policy.add_argument("--checkpoint", type=Path, help="trained checkpoint (model_<step>.pt or last.pt of a run)")
    policy.add_argument(
        "--policy",
        choices=("zero", "random", "replay"),
        help="a baseline instead of a checkpoint: zero actions, uniform random ones, or (known answer) the "
        "ground truth's joint positions as targets, the ceiling of a policy's scores",
    )
    ev.add_argument("--steps", type=int, default=EVAL_STEPS, help="control steps of the episode")
    ev.add_argument("--num_envs", type=int, default=1, help="episodes, run in parallel envs")
    ev.add_argument("--device", default="cpu", help="simulation, policy and encoder device")
    ev.add_argument("--seed", type=int, default=0, help="seed of the reset noise and the random policy")
    ev.add_argument(
        "--target_speed",
        type=float,
        help="forward speed [m/s] that earns the full speed reward "
        f"(default: the ground truth's top speed, else {DEFAULT_TARGET_SPEED})",
    )
    ev.add_argument("--ground_truth", type=Path, help="known motion (default: the bundle's ground_truth.npz, if any)")
    ev.add_argument("--out", type=Path, help="output folder (default: <run>/eval, or outputs/eval/<task>/<policy>)")
    ev.add_argument("overrides", nargs="*", help="env overrides as in training, env.<field>=<value>")
    return parser


def main(argv: list[str] | None = None) -> int:
    from isaaclab_nil.evaluation import EvaluationError, evaluate
    from isaaclab_nil.reference.errors import ReferencePipelineError

    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "generate" and args.speed is not None and args.known_answer != "walk":
        parser.error("--speed goes with --known-answer walk")
    bad = [item for item in args.overrides if not item.startswith("env.")]
    if bad:
        print(f"nil {args.command}: error: overrides must look like env.<field>=<value>, got {bad}", file=sys.stderr)
        return 1
    try:
        {"generate": generate, "eval": evaluate}[args.command](args)
    except (ReferencePipelineError, EvaluationError) as error:  # one clear message, no traceback
        print(f"nil {args.command}: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
