"""``nil generate``: stage 1, a reference bundle for a task.

From an image-to-video model or a video made elsewhere (the pipeline of ``isaaclab_nil.reference``), or from a
scripted motion played on the robot (``--known-answer``, a reference whose right answer is known).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..console import isaaclab_output, save_output
from ..reference.backends import DEFAULT_ENCODER, DEFAULT_GENERATOR, DEFAULT_SEGMENTER, GENERATOR_BACKENDS, parse_size
from ..reference.motions import DEFAULT_DURATION_S, KNOWN_MOTIONS, WalkGait

HELP = "stage 1: write a reference bundle for a task"
DTYPES = ("float32", "bfloat16", "float16")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--task", required=True, help="task id, e.g. NIL-H1-Walk")
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--generator", choices=sorted(GENERATOR_BACKENDS), default=DEFAULT_GENERATOR, help="image-to-video backend"
    )
    source.add_argument("--video", type=Path, help="use a video made elsewhere instead of generating one")
    source.add_argument(
        "--known-answer",
        choices=sorted(KNOWN_MOTIONS),
        help="play this scripted motion on the robot instead (a reference whose right answer is known; "
        "also saves the motion as ground_truth.npz in the bundle folder, for `nil eval`): a humanoid offers walk, "
        "march and tuck, a quadruped trot, march and tuck",
    )
    parser.add_argument(
        "--simulated",
        action="store_true",
        help="--known-answer: play the motion's joint positions as targets through PD and physics from the reset "
        "and film what the robot does (the reference a replay reproduces, also on a free base; stops at a fall) "
        "instead of posing it without physics",
    )
    parser.add_argument("--speed", type=float, help="--known-answer walk or trot: forward speed [m/s] (default 0.5)")
    parser.add_argument("--model", help="generator hub id or local folder (default: the backend's model)")
    parser.add_argument("--segmenter", default=DEFAULT_SEGMENTER, help="SAM 2 hub id or local folder")
    parser.add_argument("--encoder", default=DEFAULT_ENCODER, help="TimeSformer hub id or local folder")
    parser.add_argument("--out", type=Path, help="bundle folder (default: outputs/references/<task>)")
    parser.add_argument(
        "--frames",
        type=int,
        help="frames to generate (default: the backend's native count) / most frames to keep of --video "
        "(--known-answer: default 8 s)",
    )
    parser.add_argument(
        "--fps",
        type=float,
        help="frame rate asked of the generator (default: its native one; --known-answer: the task's)",
    )
    parser.add_argument(
        "--size",
        help="generation size WIDTHxHEIGHT (default: the backend's native size); the first frame is letterboxed "
        "into it and the video cut back to the camera's size",
    )
    parser.add_argument("--steps", type=int, default=50, help="denoising steps")
    parser.add_argument("--guidance", type=float, help="guidance scale (default: the pipeline's)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--prompt", help="full prompt (default: the task's template)")
    parser.add_argument("--embodiment", help="embodiment in the prompt (default: the task's robot)")
    parser.add_argument("--skill", help="skill in the prompt (default: the task's skill)")
    parser.add_argument("--device", default="auto", help="models' device (auto: cuda:0 if there is one, else cpu)")
    parser.add_argument("--dtype", choices=DTYPES, default="float32", help="the generator's and SAM 2's dtype")
    parser.add_argument(
        "--encoder_dtype",
        choices=DTYPES,
        default="float32",
        help="the video encoder's dtype, recorded in the bundle: stage 2 must embed its clips in the same "
        "(env.commands.reference.encoder_dtype, float32 by default)",
    )
    parser.add_argument("--cpu_offload", action="store_true", help="keep generator parts on the CPU until used (CUDA)")
    parser.add_argument("--sim_device", default="cpu", help="device of the simulation that renders the first frame")
    parser.add_argument("--batch_size", type=int, default=16, help="clips per encoder call")
    parser.add_argument(
        "overrides",
        nargs="*",
        help="env overrides, env.<field>=<value>, e.g. env.scene.follow_camera.width=96 (the bundle records the "
        "camera)",
    )


def check(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse bad arguments and a bad ``--video`` (missing, corrupt, a still image, shorter than a clip) at once."""
    from ..reference.video_check import CLIP_LENGTH, check_video_file

    gaits = [name for name, motion in KNOWN_MOTIONS.items() if issubclass(motion, WalkGait)]
    if args.speed is not None and args.known_answer not in gaits:
        parser.error(f"--speed goes with --known-answer {' or '.join(gaits)}")
    if args.simulated and not args.known_answer:
        parser.error("--simulated goes with --known-answer")
    if args.simulated and args.frames is not None and args.frames < CLIP_LENGTH:
        parser.error(f"--simulated needs at least one clip, --frames {CLIP_LENGTH}")
    if args.size is not None:
        if args.video is not None or args.known_answer:
            parser.error("--size goes with --generator")
        args.size = parse_size(args.size, args.generator)
    if args.video is not None:
        check_video_file(args.video)


def run(args: argparse.Namespace) -> Path:
    """Run stage 1 for ``args.task``; returns the bundle folder."""
    import torch

    if args.device == "auto":
        args.device = "cuda:0" if torch.cuda.is_available() else "cpu"
    bundle = generate_known_answer(args) if args.known_answer else generate_from_video(args)
    return write_previews(bundle)


def nominal_cfg(task: str, device: str = "cpu", overrides=()):
    """``task``'s env config with one robot that resets exactly into its default pose (no reset noise).

    The reset events stay, with empty ranges: without them the robot keeps its spawn state, whose base
    height is the spawn height plus the MJCF's own base offset (2.11 m instead of 1.05 m for the H1).
    """
    from ..envs.factory import make_env_cfg

    cfg = make_env_cfg(task, num_envs=1, device=device, overrides=overrides)
    cfg.events.reset_base.params.update(pose_range={}, velocity_range={})
    cfg.events.reset_joints.params.update(position_range=(0.0, 0.0), velocity_range=(0.0, 0.0))
    return cfg


def nominal_env(task: str, device: str = "cpu", overrides=()):
    """The env of :func:`nominal_cfg`."""
    from ..envs.factory import make_env

    return make_env(task, cfg=nominal_cfg(task, device, overrides))


def generate_from_video(args: argparse.Namespace) -> Path:
    """Stage 1 from an image-to-video model (``--generator``) or a video file (``--video``)."""
    import torch

    from ..envs.factory import make_env_cfg
    from ..envs.mdp.camera import robot_frames
    from ..envs.mdp.commands import follow_camera_spec
    from ..reference.encoder import VideoEncoder
    from ..reference.generators import DiffusersVideoGenerator
    from ..reference.pipeline import ReferenceSpec, build_reference_bundle
    from ..reference.segmentation import RobotSegmenter

    # the video and the models first: a bad file or a missing model fails before the simulator starts
    cfg = make_env_cfg(args.task, num_envs=1, device=args.sim_device, overrides=args.overrides)
    camera = follow_camera_spec(cfg)
    dtype = getattr(torch, args.dtype)
    if args.video:
        source = read_imported_video(args.video, camera.resolution, args.frames, 1.0 / (cfg.sim.dt * cfg.decimation))
    else:
        options = {"steps": args.steps, "size": args.size}
        if args.guidance is not None:
            options["guidance"] = args.guidance
        source = DiffusersVideoGenerator.from_pretrained(
            args.generator, args.model, args.device, dtype, cpu_offload=args.cpu_offload, **options
        )
    segmenter = RobotSegmenter.from_pretrained(args.segmenter, args.device, dtype)
    encoder = VideoEncoder.from_pretrained(args.encoder, args.device, getattr(torch, args.encoder_dtype))
    with isaaclab_output(args.verbose) as setup_log:
        env = nominal_env(args.task, args.sim_device, args.overrides)
        try:
            env.reset()
            rgb, mask = (x[0].cpu() for x in robot_frames(env))
        finally:
            env.close()
    reference = cfg.commands.reference
    reference.embodiment = args.embodiment or reference.embodiment
    reference.skill = args.skill or reference.skill
    spec = ReferenceSpec(
        robot=reference.embodiment,
        task=args.task,
        prompt=args.prompt or reference.prompt,
        camera=camera,
        num_frames=args.frames,
        fps=args.fps,
        seed=args.seed,
    )
    out = args.out or Path("outputs/references") / args.task
    bundle = build_reference_bundle(rgb, mask, spec, source, segmenter, encoder, out, batch_size=args.batch_size)
    save_output(setup_log, bundle)
    return bundle


def read_imported_video(path: Path, size: tuple[int, int], num_frames: int | None, control_rate: float):
    """``--video``, read at the camera's ``size`` and played at most at the ``control_rate``, saying so when it
    had to drop frames for that."""
    from ..reference.generators import VideoFileSource

    video = VideoFileSource(path).read(size, num_frames, max_fps=control_rate)
    if video.stride > 1:
        print(
            f"[nil generate] {path} plays at {video.describe()['file_fps']:g} fps, faster than the env's "
            f"{control_rate:g} Hz control: keeping one frame in {video.stride}, {video.fps:g} fps"
        )
    return video


def generate_known_answer(args: argparse.Namespace) -> Path:
    """Stage 1 with a known answer: play ``args.known_answer`` on the robot, save the bundle and the motion."""
    import torch

    from ..envs.factory import make_env
    from ..envs.playback import write_known_answer_bundle
    from ..reference.encoder import VideoEncoder
    from ..reference.motions import make_motion

    cfg = nominal_cfg(args.task, args.sim_device, args.overrides)
    motion = make_motion(args.known_answer, cfg.robot_legs, **({} if args.speed is None else {"speed": args.speed}))
    encoder = VideoEncoder.from_pretrained(args.encoder, args.device, getattr(torch, args.encoder_dtype))
    fps = args.fps or cfg.commands.reference.fps
    num_frames = args.frames if args.frames is not None else round(DEFAULT_DURATION_S * fps)
    if args.simulated:  # filmed on the env's frame clock, in one episode as long as the reference
        cfg.commands.reference.fps, cfg.commands.reference.num_frames = fps, num_frames
    with isaaclab_output(args.verbose) as setup_log:
        env = make_env(args.task, cfg=cfg)
    try:
        out = args.out or Path("outputs/references") / f"{args.task}-known-{args.known_answer}"
        bundle = write_known_answer_bundle(
            env, args.task, motion, num_frames, fps, encoder, out, args.batch_size, args.simulated
        )
    finally:
        env.close()
    save_output(setup_log, bundle)
    return bundle


def write_previews(bundle: Path) -> Path:
    """Load (and so validate) a written bundle, save its contact sheet and mask-overlay video beside it."""
    from ..reference.bundle import load_bundle
    from ..reference.preview import contact_sheet, overlay_video

    loaded = load_bundle(bundle)
    sheet = contact_sheet(bundle / "contact_sheet.png", loaded.frames, loaded.masks)
    overlay = overlay_video(bundle / "masks_overlay.mp4", loaded.frames, loaded.masks, loaded.meta.fps)
    print(f"[nil generate] wrote the reference bundle {bundle}\n  to look at: {sheet}, {overlay}")
    return bundle
