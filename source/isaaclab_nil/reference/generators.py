"""Where the reference video comes from: an image-to-video model, or a video file the user brings.

Every source gives uint8 (T, H, W, 3) frames at the camera resolution and the video's frame rate.

Generated videos: each backend runs at its model's native settings unless asked otherwise
(``Backend.native_size``, ``native_frames``, ``native_fps``; ``nil generate --size/--frames/--fps``). The
background-removed first frame (robot on white) is fitted into the generation size keeping its aspect, on a
white canvas (letterbox, not re-rendered: the rendered pixels are what the model sees); the same box is cut
out of every generated frame and resized back to the camera resolution, so the camera geometry is exactly
preserved whatever the model's aspect, and the box is recorded in the bundle's ``source.fit``. Frame 0 is
then replaced by the exact first frame that was given: the paper treats frame 0 of the generated video as
the rendered frame (sec. 3.2), and SAM 2 is prompted on frame 0 with the simulator's mask, which only fits
that exact image.

Backends, by name in ``backends.GENERATOR_BACKENDS`` (add more with :func:`.backends.register_backend`):
``ltx`` (LTX-Video, the default), ``wan`` (Wan 2.1 I2V), ``cogvideox`` (CogVideoX I2V) and ``svd`` (Stable
Video Diffusion, no text prompt). Their native settings, frame counts, size multiples and frame rates are in
each :class:`.backends.Backend` and in docs/reference_pipeline.md.

Models with a fixed frame rate return that rate whatever ``fps`` was asked for.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass
from pathlib import Path

import diffusers
import torch
from PIL import Image

from .backends import GENERATOR_BACKENDS
from .bundle import sha256_file
from .hub import hub_revision, load_pretrained
from .video_check import check_length, frame_stride
from .video_io import letterbox, read_video, resize_frames, unletterbox


@dataclass(frozen=True)
class SourceVideo:
    """A reference video at the camera's resolution, generated or imported, with what the bundle records of it."""

    frames: torch.Tensor
    """uint8 (T, H, W, 3) at the camera's resolution."""
    fps: float
    description: dict

    def describe(self) -> dict:
        """What ``meta.json`` records as the bundle's source."""
        return self.description


class VideoGenerator(ABC):
    """Turns (first frame, prompt) into a reference video."""

    @abstractmethod
    def generate(
        self, first_frame: torch.Tensor, prompt: str, num_frames: int | None, fps: float | None, seed: int
    ) -> SourceVideo:
        """``first_frame`` uint8 (H, W, 3) -> uint8 (num_frames, H, W, 3) frames on the CPU with frame 0 ==
        ``first_frame``, and their frames per second. ``None`` frames or fps: the generator's native ones."""


@dataclass(frozen=True)
class GenerationOptions:
    """How to run a diffusers image-to-video pipeline."""

    steps: int = 50
    guidance: float | None = None
    """Classifier-free guidance scale; ``None`` keeps the pipeline's default."""
    size: tuple[int, int] | None = None
    """Generation (height, width); ``None``: the backend's native size (``Backend.native_size``)."""
    negative_prompt: str | None = None


class DiffusersVideoGenerator(VideoGenerator):
    """A diffusers image-to-video pipeline behind the :class:`VideoGenerator` interface."""

    def __init__(
        self,
        pipeline: diffusers.DiffusionPipeline,
        backend: str,
        model_id: str,
        revision: str | None = None,
        options: GenerationOptions = GenerationOptions(),
    ):
        self.pipeline = pipeline
        self.backend_name = backend
        self.backend = GENERATOR_BACKENDS[backend]
        self.model_id = model_id
        self.revision = revision
        self.options = options

    @classmethod
    def from_pretrained(
        cls,
        backend: str = "ltx",
        name_or_path: str | None = None,
        device: str | torch.device = "cpu",
        dtype: torch.dtype = torch.float32,
        cpu_offload: bool = False,
        **options,
    ) -> DiffusersVideoGenerator:
        """Load the backend's pipeline from a hub id or local folder (default: the backend's model).

        ``options`` are :class:`GenerationOptions` fields (steps, guidance, size, negative_prompt).
        ``cpu_offload`` (CUDA only) keeps each sub-model on the CPU until it runs
        (``enable_model_cpu_offload``, needs the ``accelerate`` package). A missing model raises
        ``ModelLoadError``.
        """
        if backend not in GENERATOR_BACKENDS:
            raise ValueError(f"unknown video generator '{backend}', known: {sorted(GENERATOR_BACKENDS)}")
        spec = GENERATOR_BACKENDS[backend]
        model_id = name_or_path or spec.default_model
        load = getattr(diffusers, spec.pipeline).from_pretrained
        pipeline = load_pretrained(load, f"{backend} video generator", model_id, dtype=dtype)
        if cpu_offload and torch.device(device).type == "cuda":
            pipeline.enable_model_cpu_offload(device=device)
        else:
            pipeline.to(device)
        return cls(pipeline, backend, model_id, hub_revision(model_id), GenerationOptions(**options))

    def describe(self) -> dict:
        """Model id, revision and options, for the bundle's meta.json."""
        return {
            "kind": "generated",
            "backend": self.backend_name,
            "pipeline": self.backend.pipeline,
            "id": self.model_id,
            "revision": self.revision,
            **asdict(self.options),
        }

    def pipeline_arguments(
        self, first_frame: torch.Tensor, prompt: str, num_frames: int | None, fps: float | None, seed: int
    ) -> tuple[dict, tuple[int, int, int, int]]:
        """The keyword arguments :meth:`generate` calls the pipeline with (the backend's native size, frame
        count and fps where not given) and the letterbox box of the first frame in the generation size."""
        spec, options = self.backend, self.options
        num_frames = num_frames or spec.native_frames
        size = options.size or spec.native_size
        image, box = letterbox(first_frame.cpu(), size)
        call = {
            "image": Image.fromarray(image.numpy()),
            "height": size[0],
            "width": size[1],
            "num_frames": _round_up(num_frames - 1, spec.frame_multiple) + 1,
            "num_inference_steps": options.steps,
            "generator": torch.Generator("cpu").manual_seed(seed),
            "output_type": "pt",
        }
        if spec.takes_prompt:
            call["prompt"] = prompt
            if options.negative_prompt is not None:
                call["negative_prompt"] = options.negative_prompt
        if spec.fps_argument:
            call[spec.fps_argument] = round(fps or spec.native_fps)
        if options.guidance is not None:
            call[spec.guidance_argument] = options.guidance
        return call, box

    def generate(
        self, first_frame: torch.Tensor, prompt: str, num_frames: int | None, fps: float | None, seed: int
    ) -> SourceVideo:
        spec = self.backend
        call, box = self.pipeline_arguments(first_frame, prompt, num_frames, fps, seed)
        video = self.pipeline(**call).frames[0][: num_frames or spec.native_frames]  # float (T, 3, h, w) in [0, 1]
        frames = (video.float().clamp(0, 1) * 255).round().to(torch.uint8).permute(0, 2, 3, 1).cpu()
        frames = unletterbox(frames, box, first_frame.shape[:2])
        frames[0] = first_frame.cpu()
        rate = float((fps or spec.native_fps) if spec.fps_argument else spec.native_fps)
        fit = {
            "method": "letterbox",
            "fill": "white",
            "generated_size": [call["height"], call["width"]],
            "box": list(box),
        }
        return SourceVideo(frames, rate, {**self.describe(), "generated_frames": call["num_frames"], "fit": fit})


@dataclass(frozen=True)
class ImportedVideo(SourceVideo):
    """A video file read for a reference (:meth:`VideoFileSource.read`); ``fps`` is the file's divided by
    ``stride``."""

    stride: int = 1
    """Every ``stride``-th frame of the file was kept (1: all)."""
    file_size: tuple[int, int] | None = None
    """(height, width) of the file's frames, before they were cropped and resized to the camera's."""


class VideoFileSource:
    """A reference video the user brings (``nil generate --video FILE``), e.g. made with Kling or Veo.

    The video is centre-cropped to the camera's aspect and resized to its resolution. Its frame rate is
    kept unless it is faster than the env's control rate: then every k-th frame is kept
    (:func:`~.video_check.frame_stride`). Its frame 0 should show the rendered first frame (same camera and
    pose): the pipeline checks this with SAM 2 and warns when it does not.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def read(self, size: tuple[int, int], num_frames: int | None = None, max_fps: float | None = None) -> ImportedVideo:
        """The video at ``size`` = (H, W): every k-th frame when it is faster than ``max_fps`` (None: any rate),
        then at most ``num_frames`` frames (all when ``None``).

        Raises ``VideoReadError`` for a missing, corrupt or truncated file, a still image, or a video of fewer
        frames than one clip (after the stride and ``num_frames``).
        """
        frames, fps = read_video(self.path)
        check_length(self.path, len(frames))
        stride = frame_stride(fps, max_fps) if max_fps is not None else 1
        frames = frames[::stride][:num_frames]
        notes = ([f"one frame in {stride}"] if stride > 1 else []) + ([f"--frames {num_frames}"] if num_frames else [])
        check_length(self.path, len(frames), f" ({', '.join(notes)})" if notes else "")
        source = {"kind": "imported", "path": str(self.path.resolve()), "sha256": sha256_file(self.path)}
        if stride > 1:
            source.update(file_fps=fps, stride=stride)
        return ImportedVideo(resize_frames(frames, size), fps / stride, source, stride, tuple(frames.shape[1:3]))


def _round_up(value: int, multiple: int) -> int:
    return max(multiple, math.ceil(value / multiple) * multiple)
