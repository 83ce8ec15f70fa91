"""The diffusers image-to-video pipelines stage 1 can run, by name (``nil generate --generator NAME``), and the
default models of stage 1. Plain data, with no import of torch, transformers or diffusers, so that reading
them (``nil --help``) is fast.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_ENCODER = "facebook/timesformer-base-finetuned-k400"
"""The video encoder of the NIL reward (paper sec. 3.3)."""
DEFAULT_SEGMENTER = "facebook/sam2.1-hiera-large"
"""The video segmenter of the reference masks."""
DEFAULT_GENERATOR = "ltx"


@dataclass(frozen=True)
class Backend:
    """How to call one diffusers image-to-video pipeline."""

    pipeline: str
    """Class name in ``diffusers``."""
    default_model: str
    size_multiple: int
    """Height and width must be multiples of this."""
    frame_multiple: int
    """Valid frame counts are ``k * frame_multiple + 1``."""
    native_fps: float | None = None
    """The model's fixed frame rate; ``None`` when the frame rate is an input (``fps_argument``)."""
    fps_argument: str | None = None
    takes_prompt: bool = True
    guidance_argument: str = "guidance_scale"


GENERATOR_BACKENDS: dict[str, Backend] = {}


def register_backend(name: str, backend: Backend) -> None:
    """Make a diffusers image-to-video pipeline available by ``name``."""
    GENERATOR_BACKENDS[name] = backend


register_backend("ltx", Backend("LTXImageToVideoPipeline", "Lightricks/LTX-Video", 32, 8, fps_argument="frame_rate"))
register_backend(
    "wan", Backend("WanImageToVideoPipeline", "Wan-AI/Wan2.1-I2V-14B-480P-Diffusers", 16, 4, native_fps=16)
)
register_backend("cogvideox", Backend("CogVideoXImageToVideoPipeline", "THUDM/CogVideoX-5b-I2V", 16, 8, native_fps=8))
register_backend(
    "svd",
    Backend(
        "StableVideoDiffusionPipeline",
        "stabilityai/stable-video-diffusion-img2vid-xt",
        64,
        1,
        fps_argument="fps",
        takes_prompt=False,
        guidance_argument="max_guidance_scale",
    ),
)
