"""Stage 1 after the first frame: video -> masks -> clip embeddings -> reference bundle."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import torch

from .bundle import BundleSource, CameraSpec, write_bundle
from .encoder import VideoEncoder, masked_frames
from .generators import ImportedVideo, VideoGenerator
from .segmentation import Segmenter, first_frame_iou


@dataclass(frozen=True)
class ReferenceSpec:
    """What the caller (``nil generate``) knows about the reference to make."""

    robot: str
    task: str
    prompt: str
    camera: CameraSpec
    num_frames: int | None = None
    """Frames to generate (``None``: the generator's native count), or the most to keep of an imported video
    (``None``: all)."""
    fps: float | None = None
    """Asked of the generator (``None``: its native rate); models with a fixed rate, and imported videos, keep
    their own."""
    seed: int = 0
    camera_fit: dict | None = None
    """How ``camera`` was fitted to an imported video (``nil generate --fit-camera``), for ``meta.json``."""


def build_reference_bundle(
    first_frame_rgb: torch.Tensor,
    first_frame_mask: torch.Tensor,
    spec: ReferenceSpec,
    source: VideoGenerator | ImportedVideo,
    segmenter: Segmenter,
    encoder: VideoEncoder,
    out_dir: str | Path,
    batch_size: int = 16,
    min_first_frame_iou: float = 0.5,
) -> Path:
    """Make and save the reference bundle; returns its folder.

    ``first_frame_rgb`` is the rendered uint8 (H, W, 3) first frame and ``first_frame_mask`` the simulator's
    bool (H, W) robot mask, at the camera resolution. The generator gets the robot on a white background.
    An imported video is checked against the simulator mask (:func:`first_frame_iou`); below
    ``min_first_frame_iou`` a warning says the reference will likely be wrong.
    ``batch_size`` is the number of clips per encoder call.
    """
    resolution = spec.camera.resolution
    for name, array, dtype, shape in (
        ("first_frame_rgb", first_frame_rgb, torch.uint8, (*resolution, 3)),
        ("first_frame_mask", first_frame_mask, torch.bool, resolution),
    ):
        if array.dtype != dtype or tuple(array.shape) != shape:
            raise ValueError(f"{name} must be {dtype} {shape} (the camera's), got {array.dtype} {tuple(array.shape)}")
    if not first_frame_mask.any():
        raise ValueError("first_frame_mask is empty: the robot is not in the camera's view")
    first_mask = first_frame_mask.cpu()
    first_frame = masked_frames(first_frame_rgb.cpu(), first_mask, "white")  # what the generator is given

    iou = None
    if isinstance(source, ImportedVideo):
        video = source
        iou = first_frame_iou(segmenter, video.frames[0], first_mask)
        if iou < min_first_frame_iou:
            advice = (
                "check that the box that prompted SAM 2 (--robot-box, or the detector's) holds the robot, and that "
                "the video starts in the task's start pose"
                if spec.camera_fit
                else "fit the follow camera to the video (`nil generate --fit-camera`), or make the video from the "
                "rendered first frame, with the camera's aspect ratio and no crop"
            )
            warnings.warn(
                f"{source.describe()['path']}: its first frame does not show the robot where the simulator renders it "
                f"(SAM 2 mask vs simulator mask IoU {iou:.2f} < {min_first_frame_iou}). The reference masks "
                f"start from the simulator mask and will likely be wrong: {advice}.",
                stacklevel=2,
            )
    else:
        video = source.generate(first_frame, spec.prompt, spec.num_frames, spec.fps, spec.seed)

    masks = segmenter.segment(video.frames, first_mask)
    info = BundleSource(
        robot=spec.robot,
        task=spec.task,
        prompt=spec.prompt,
        camera=spec.camera,
        fps=video.fps,
        seed=spec.seed,
        source=video.describe(),
        segmenter=segmenter.describe(),
        first_frame_iou=iou,
        camera_fit=spec.camera_fit,
    )
    return write_bundle(out_dir, info, video.frames, masks, encoder, (first_frame_rgb, first_mask), batch_size)
