"""The ``nil`` command.

    nil generate --task NIL-H1-Walk --generator ltx [--model ID_OR_DIR] [--out DIR]
    nil generate --task NIL-H1-Walk --video my_kling_video.mp4

``generate`` is stage 1: render the task's first frame, get a video of the robot doing the skill
(from an image-to-video model, or a video made elsewhere), segment the robot in every frame with
SAM 2, embed 8-frame clips, and write a validated reference bundle plus a contact sheet.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


def render_first_frame(task: str, device: str = "cpu", overrides=()) -> tuple[torch.Tensor, torch.Tensor, object]:
    """Reset ``task``'s env at its nominal start (no reset noise) and render the follow camera.

    Returns the RGB frame uint8 (H, W, 3), the simulator's robot mask bool (H, W), both on the CPU,
    and the env config (camera, reference and robot settings for the bundle).
    """
    from isaaclab_nil.envs.factory import make_env, make_env_cfg

    cfg = make_env_cfg(task, num_envs=1, device=device, overrides=overrides)
    cfg.events.reset_base = None
    cfg.events.reset_joints = None
    env = make_env(task, cfg=cfg)
    try:
        env.reset()
        rgb, mask = env.robot_frames()
        return rgb[0].cpu(), mask[0].cpu(), env.cfg
    finally:
        env.close()


def generate(args: argparse.Namespace) -> Path:
    """Run stage 1 for ``args.task``; returns the bundle folder."""
    from isaaclab_nil.reference.bundle import CameraSpec, load_bundle
    from isaaclab_nil.reference.encoder import VideoEncoder
    from isaaclab_nil.reference.generators import DiffusersVideoGenerator, VideoFileSource
    from isaaclab_nil.reference.pipeline import ReferenceSpec, build_reference_bundle
    from isaaclab_nil.reference.preview import contact_sheet, overlay_video
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
    rgb, mask, cfg = render_first_frame(args.task, args.sim_device)
    reference, camera = cfg.reference, cfg.follow_camera
    if args.embodiment:
        reference.embodiment = args.embodiment
    if args.skill:
        reference.skill = args.skill
    spec = ReferenceSpec(
        robot=reference.embodiment,
        task=args.task,
        prompt=args.prompt or reference.prompt,
        camera=CameraSpec.from_focal_length(
            camera.offset, camera.rot, camera.height, camera.width, camera.focal_length, camera.horizontal_aperture
        ),
        num_frames=args.frames,
        fps=args.fps or reference.fps,
        seed=args.seed,
    )
    out = args.out or Path("outputs/references") / args.task
    bundle = build_reference_bundle(rgb, mask, spec, source, segmenter, encoder, out, batch_size=args.batch_size)
    loaded = load_bundle(bundle)
    sheet = contact_sheet(bundle / "contact_sheet.png", loaded.frames, loaded.masks)
    overlay = overlay_video(bundle / "masks_overlay.mp4", loaded.frames, loaded.masks, loaded.meta.fps)
    print(f"[nil generate] wrote the reference bundle {bundle}\n  to look at: {sheet}, {overlay}")
    return bundle


def build_parser() -> argparse.ArgumentParser:
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
    gen.add_argument("--model", help="generator hub id or local folder (default: the backend's model)")
    gen.add_argument("--segmenter", default=DEFAULT_SEGMENTER, help="SAM 2 hub id or local folder")
    gen.add_argument("--encoder", default=DEFAULT_ENCODER, help="TimeSformer hub id or local folder")
    gen.add_argument("--out", type=Path, help="bundle folder (default: outputs/references/<task>)")
    gen.add_argument("--frames", type=int, help="frames to generate / most frames to keep of --video")
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
    return parser


def main(argv: list[str] | None = None) -> int:
    from isaaclab_nil.reference.errors import ReferencePipelineError

    args = build_parser().parse_args(argv)
    try:
        generate(args)
    except ReferencePipelineError as error:  # one clear message, no traceback
        print(f"nil {args.command}: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
