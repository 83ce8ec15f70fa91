"""The diffusers image-to-video pipelines stage 1 can run, by name (``nil generate --generator NAME``), and the
default models of stage 1. Plain data, with no import of torch, transformers or diffusers, so that reading
them (``nil --help``) is fast.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import UsageError

DEFAULT_ENCODER = "facebook/timesformer-base-finetuned-k400"
"""The video encoder of the NIL reward (paper sec. 3.3)."""
DEFAULT_SEGMENTER = "facebook/sam2.1-hiera-large"
"""The video segmenter of the reference masks (both segmenter backends load it)."""
SEGMENTER_BACKENDS = {
    "transformers": "transformers' Sam2VideoModel (no extra install)",
    "sam2": "Meta's sam2 package, the reference implementation (the 'sam2' extra)",
}
"""The implementations of SAM 2 stage 1 can segment with (``nil generate --segmenter_backend NAME``)."""
DEFAULT_SEGMENTER_BACKEND = "transformers"
DEFAULT_DETECTOR = "google/owlv2-base-patch16-ensemble"
"""The text-prompted detector that finds the robot in an imported video for the camera fit."""
DEFAULT_GENERATOR = "ltx"


@dataclass(frozen=True)
class Backend:
    """How to call one diffusers image-to-video pipeline, and the settings its model was made for."""

    pipeline: str
    """Class name in ``diffusers``."""
    default_model: str
    size_multiple: int
    """Height and width must be multiples of this."""
    frame_multiple: int
    """Valid frame counts are ``k * frame_multiple + 1``."""
    native_size: tuple[int, int]
    """(height, width) the default model was trained at: the generation size unless ``--size`` says otherwise."""
    native_frames: int
    """Frames generated unless ``--frames`` says otherwise."""
    native_fps: float
    """The model's frame rate: fixed when ``fps_argument`` is ``None``, else the default rate asked of it."""
    fps_argument: str | None = None
    takes_prompt: bool = True
    guidance_argument: str = "guidance_scale"


GENERATOR_BACKENDS: dict[str, Backend] = {}


def register_backend(name: str, backend: Backend) -> None:
    """Make a diffusers image-to-video pipeline available by ``name``."""
    GENERATOR_BACKENDS[name] = backend


# Native settings, from the installed diffusers 0.42 pipelines (signature defaults, docstrings, examples):
# LTX: 480x704 and export at 24 fps in the example, 121 frames = ``self.default_frames``;
# Wan 2.1 I2V 480P: height=480, width=832, num_frames=81, export at 16 fps in the example;
# CogVideoX-5b-I2V: "480 / 720 by default for the best results", num_frames=49 = 6 s * 8 fps + 1;
# SVD-xt: height=576, width=1024, 25 frames ("25 for stable-video-diffusion-img2vid-xt"), fps=7.
register_backend(
    "ltx",
    Backend("LTXImageToVideoPipeline", "Lightricks/LTX-Video", 32, 8, (480, 704), 121, 24, fps_argument="frame_rate"),
)
register_backend(
    "wan", Backend("WanImageToVideoPipeline", "Wan-AI/Wan2.1-I2V-14B-480P-Diffusers", 16, 4, (480, 832), 81, 16)
)
register_backend(
    "cogvideox", Backend("CogVideoXImageToVideoPipeline", "THUDM/CogVideoX-5b-I2V", 16, 8, (480, 720), 49, 8)
)
register_backend(
    "svd",
    Backend(
        "StableVideoDiffusionPipeline",
        "stabilityai/stable-video-diffusion-img2vid-xt",
        64,
        1,
        (576, 1024),
        25,
        7,
        fps_argument="fps",
        takes_prompt=False,
        guidance_argument="max_guidance_scale",
    ),
)


def parse_size(text: str, backend: str) -> tuple[int, int]:
    """``--size WxH`` -> (height, width), refusing a size the backend's pipeline would reject (``UsageError``)."""
    multiple = GENERATOR_BACKENDS[backend].size_multiple
    try:
        width, height = (int(side) for side in text.lower().split("x"))
    except ValueError:
        raise UsageError(f"--size {text}: expected WIDTHxHEIGHT, e.g. 704x480") from None
    if width <= 0 or height <= 0 or width % multiple or height % multiple:
        raise UsageError(f"--size {text}: the {backend} generator needs sides that are multiples of {multiple}")
    return height, width
