"""``nil generate``: stage 1, a reference bundle for a task.

From an image-to-video model or a video made elsewhere (the pipeline of ``isaaclab_nil.reference``), or from a
scripted motion played on the robot (``--known-answer``, a reference whose right answer is known).
"""

from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path

from ..console import isaaclab_output, save_output
from ..reference.backends import (
    DEFAULT_DETECTOR,
    DEFAULT_ENCODER,
    DEFAULT_GENERATOR,
    DEFAULT_SEGMENTER,
    DEFAULT_SEGMENTER_BACKEND,
    GENERATOR_BACKENDS,
    SEGMENTER_BACKENDS,
    parse_size,
)
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
    fit = parser.add_argument_group("fitting the follow camera to a --video")
    fit.add_argument(
        "--fit-camera",
        action="store_true",
        help="find the follow camera (offset, yaw, pitch, focal length) under which the robot in its start pose "
        "covers the robot's pixels in the video's first frame, and make the bundle with it (the env then films "
        "with that camera)",
    )
    fit.add_argument(
        "--robot-box",
        metavar="X0,Y0,X1,Y1",
        help="a box around the robot in the video's first frame, in the file's pixels, that prompts SAM 2 "
        "(default: the box the --detector finds for 'robot')",
    )
    fit.add_argument(
        "--detector",
        default=DEFAULT_DETECTOR,
        help="OWLv2 detector hub id or local folder that finds the robot when no --robot-box is given",
    )
    parser.add_argument("--speed", type=float, help="--known-answer walk or trot: forward speed [m/s] (default 0.5)")
    parser.add_argument("--model", help="generator hub id or local folder (default: the backend's model)")
    parser.add_argument(
        "--segmenter",
        default=DEFAULT_SEGMENTER,
        help="SAM 2 hub id or local folder (the sam2 backend's: one config .yaml and one checkpoint .pt)",
    )
    parser.add_argument(
        "--segmenter_backend",
        choices=sorted(SEGMENTER_BACKENDS),
        default=DEFAULT_SEGMENTER_BACKEND,
        help="what runs SAM 2: " + "; ".join(f"{name}: {what}" for name, what in SEGMENTER_BACKENDS.items()),
    )
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
    if (args.robot_box is not None or args.detector != DEFAULT_DETECTOR) and not args.fit_camera:
        parser.error("--robot-box and --detector go with --fit-camera")
    if args.fit_camera and args.video is None:
        parser.error("--fit-camera goes with --video (a generated video starts from the follow camera's own frame)")
    if args.robot_box is not None:
        args.robot_box = parse_box(parser, args.robot_box)
    if args.video is not None:
        check_video_file(args.video)


def parse_box(parser: argparse.ArgumentParser, text: str) -> tuple[int, int, int, int]:
    """``--robot-box X0,Y0,X1,Y1`` as four pixel coordinates with x0 < x1 and y0 < y1."""
    try:
        x0, y0, x1, y1 = (int(value) for value in text.split(","))
    except ValueError:
        parser.error(f"--robot-box {text!r}: give four whole pixel coordinates X0,Y0,X1,Y1")
    if not (0 <= x0 < x1 and 0 <= y0 < y1):
        parser.error(f"--robot-box {text!r}: the box needs 0 <= X0 < X1 and 0 <= Y0 < Y1 (top-left, then bottom-right)")
    return x0, y0, x1, y1


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
    from ..envs.mdp.camera import robot_frames, set_follow_camera
    from ..envs.mdp.commands import follow_camera_spec
    from ..reference.encoder import VideoEncoder
    from ..reference.generators import DiffusersVideoGenerator
    from ..reference.pipeline import ReferenceSpec, build_reference_bundle
    from ..reference.segmentation import load_segmenter

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
    segmenter = load_segmenter(args.segmenter_backend, args.segmenter, args.device, dtype)
    encoder = VideoEncoder.from_pretrained(args.encoder, args.device, getattr(torch, args.encoder_dtype))
    fit, prompt = fit_video_camera(args, cfg, source, segmenter, camera) if args.fit_camera else (None, None)
    with isaaclab_output(args.verbose) as setup_log:
        env = nominal_env(args.task, args.sim_device, args.overrides)
        try:
            env.reset()
            if fit is not None:
                set_follow_camera(env, fit.camera)
            rgb, mask = (x[0].cpu() for x in robot_frames(env))
        finally:
            env.close()
    camera_fit = None
    if fit is not None:
        camera_fit = {**describe_camera_fit(fit, mask), "prompt": prompt, "start": asdict(camera)}
        camera = fit.camera
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
        camera_fit=camera_fit,
    )
    out = args.out or Path("outputs/references") / args.task
    bundle = build_reference_bundle(rgb, mask, spec, source, segmenter, encoder, out, batch_size=args.batch_size)
    save_output(setup_log, bundle)
    return bundle


def fit_video_camera(args: argparse.Namespace, cfg, video, segmenter, camera):
    """``--fit-camera``, before the simulator starts: the robot's mask in the video's first frame (SAM 2 prompted
    with ``--robot-box``, or with the box the detector finds for "robot"), then the follow camera fitted to it
    from the task's ``camera`` (:func:`~isaaclab_nil.reference.camera_fit.fit_camera`). Returns the
    :class:`~isaaclab_nil.reference.camera_fit.CameraFit` and what prompted SAM 2."""
    from ..reference.camera_fit import fit_camera, start_pose_silhouette
    from ..reference.errors import CameraFitError
    from ..reference.video_io import crop_resize_box

    frame = video.frames[0]
    if args.robot_box is not None:
        box = crop_resize_box(args.robot_box, video.file_size, camera.resolution)
        if box is None:
            raise CameraFitError(
                f"--robot-box {args.robot_box} lies outside the part of the {video.file_size[1]}x"
                f"{video.file_size[0]} video that is kept (its centre, cropped to the camera's aspect)"
            )
        prompt = {"robot_box": list(args.robot_box), "box": list(box)}
    else:
        from ..reference.detection import RobotDetector

        detector = RobotDetector.from_pretrained(args.detector, args.device)
        box, score = detector.detect(frame)
        prompt = {"detector": detector.describe(), "query": "robot", "score": round(score, 4), "box": list(box)}
        print(
            f"[nil generate] the detector finds the robot at {box} (score {score:.2f}, in the "
            f"{camera.width}x{camera.height} frame); if that is wrong, give --robot-box X0,Y0,X1,Y1"
        )
    video_mask = segmenter.segment_frame_from_box(frame, box)
    if not video_mask.any():
        raise CameraFitError(
            f"{args.video}: SAM 2 finds no robot in the box {box} of the first frame; give --robot-box around it"
        )
    print("[nil generate] fitting the follow camera to the robot's mask in the video's first frame ...")
    return fit_camera(start_pose_silhouette(cfg), video_mask, camera), prompt


def describe_camera_fit(fit, rendered_mask) -> dict:
    """Print the fitted camera and how well its real render matches the video's mask; what ``meta.json``
    records of it."""
    import numpy as np
    from scipy.spatial.transform import Rotation

    from ..metrics import mask_iou

    iou = float(mask_iou(rendered_mask, fit.target))
    yaw, pitch, _ = np.degrees(Rotation.from_quat(fit.camera.rot_xyzw).as_euler("ZYX"))
    print(
        f"[nil generate] fitted the follow camera to the video: offset {np.round(fit.camera.pos, 2).tolist()} m, "
        f"yaw {yaw:.1f} deg, pitch {pitch:.1f} deg, focal length {fit.camera.fx:.0f} px; the rendered robot mask "
        f"matches the video's with IoU {iou:.2f}"
    )
    return {**fit.describe(), "rendered_iou": round(iou, 4)}


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
