"""The video encoder, clip builder and frame masking shared by stage 1 (reference) and stage 2 (reward).

Both stages embed masked 8-frame clips with the same :class:`VideoEncoder`, so the reference embeddings
and the simulator's embeddings are directly comparable (paper sec. 3.3).

Conventions
-----------
* Frames are RGB, ``uint8`` (or float in [0, 1]), channels-last (T, H, W, 3) as cameras and video files
  give them; :meth:`VideoEncoder.encode` takes channels-first clips (B, 8, 3, H, W), the layout of
  ``TimesformerModel`` (``clips.permute(0, 1, 4, 2, 3)`` converts, as a view).
* Masked frames keep the robot and paint everything else white (:data:`MASK_BACKGROUND`). White matches the
  background-removed first frame given to the video generator, so generated frames and their masked
  versions differ only where the generator drew something besides the robot.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Literal, get_args

import torch
import transformers

from .backends import DEFAULT_ENCODER
from .errors import ModelLoadError
from .fused_attention import use_fused_attention
from .hub import hub_revision, load_pretrained
from .video_check import CLIP_LENGTH
from .video_io import crop_resize

K400_MEAN = (0.45, 0.45, 0.45)
K400_STD = (0.225, 0.225, 0.225)
"""Normalisation of ``facebook/timesformer-base-finetuned-k400`` (its preprocessor_config.json), written by
:func:`save_random_encoder`; a loaded encoder takes its own folder's."""

EmbeddingToken = Literal["cls", "mean"]
Background = Literal["white", "black"]
Attention = Literal["fused", "eager"]
MASK_BACKGROUND: Background = "white"


@dataclass(frozen=True)
class EncoderInfo:
    """What identifies an encoder's embedding space; stored in every bundle and checked when loading: the model,
    which token, the precision of its forward pass and the normalisation of its input."""

    id: str
    revision: str | None
    token: EmbeddingToken
    dim: int
    dtype: str
    """Precision of the forward pass (``"float32"``, ``"bfloat16"``, ``"float16"``): the weights' dtype, or the
    autocast dtype when there is one."""
    mean: tuple[float, ...]
    std: tuple[float, ...]
    """Per-channel normalisation of the [0, 1] input (from the model's ``preprocessor_config.json``)."""


class VideoEncoder:
    """TimeSformer clip encoder: (B, 8, 3, H, W) clips -> (B, D) float32 embeddings.

    The embedding is taken from ``last_hidden_state`` (after the final LayerNorm), the "last hidden states"
    of the paper. ``token`` picks which part:

    * ``"cls"`` (default): the CLS token. It is the token the K400 classification head reads, i.e. the
      one the checkpoint was trained to make a summary of the whole clip's action; in divided space-time
      attention it attends to every patch of every frame. It is also the cheapest to compare (one vector).
    * ``"mean"``: the mean of the 8 x (S/16)^2 patch tokens; more sensitive to where things are in the
      frame, less to the action. Offered for experiments.

    Preprocessing runs on the encoder's device: uint8 -> [0, 1], centre crop to a square and antialiased
    bilinear resize to the model's ``image_size`` (what the K400 processor's shortest-edge resize + centre
    crop does), then the mean/std of ``info``.

    ``attention="fused"`` (default) swaps the model's attention for torch's fused SDPA kernels in place
    (:mod:`.fused_attention`; same weights, equal embeddings); ``"eager"`` keeps transformers' own.
    """

    def __init__(
        self,
        model: transformers.TimesformerModel,
        info: EncoderInfo,
        autocast_dtype: torch.dtype | None = None,
        attention: Attention = "fused",
    ):
        if attention not in get_args(Attention):
            raise ValueError(f"attention must be one of {get_args(Attention)}, got {attention!r}")
        self.model = (use_fused_attention(model) if attention == "fused" else model).eval().requires_grad_(False)
        self.info = info
        self.autocast_dtype = autocast_dtype
        self.device = model.device
        self.dtype = model.dtype
        self.num_frames: int = model.config.num_frames
        self.image_size: int = model.config.image_size
        self.mean = torch.tensor(info.mean, device=self.device).view(3, 1, 1)
        self.std = torch.tensor(info.std, device=self.device).view(3, 1, 1)

    @classmethod
    def from_pretrained(
        cls,
        name_or_path: str = DEFAULT_ENCODER,
        device: str | torch.device = "cpu",
        dtype: torch.dtype = torch.float32,
        token: EmbeddingToken = "cls",
        autocast_dtype: torch.dtype | None = None,
        attention: Attention = "fused",
    ) -> VideoEncoder:
        """Load a TimeSformer by hub id or local folder, with its ``preprocessor_config.json``.

        ``dtype`` is the weights' dtype; ``autocast_dtype`` (e.g. ``torch.bfloat16``) runs the forward pass
        under autocast with float32 weights. A model that cannot be loaded, or has no preprocessor config,
        raises ``ModelLoadError`` saying how to provide it offline.
        """
        load = transformers.TimesformerModel.from_pretrained
        model = load_pretrained(load, "video encoder", name_or_path, dtype=dtype)
        mean, std = input_normalization(name_or_path)
        precision = str(autocast_dtype or dtype).removeprefix("torch.")
        info = EncoderInfo(
            name_or_path, hub_revision(name_or_path), token, model.config.hidden_size, precision, mean, std
        )
        return cls(model.to(device), info, autocast_dtype=autocast_dtype, attention=attention)

    @torch.inference_mode()
    def encode(self, clips: torch.Tensor, batch_size: int | None = None) -> torch.Tensor:
        """Embed clips (B, 8, 3, H, W), uint8 or float in [0, 1], any device and size.

        Returns float32 (B, D) on the encoder's device. ``batch_size`` bounds how many clips go through
        the model at once: TimeSformer-base takes tens of MB of activations per clip in float32 (its
        1569 x 3072 MLP activations; eager attention adds 8 x 12 x 197 x 197 score tensors), so chunk
        thousands of envs, e.g. 256. The result does not depend on it beyond float rounding.
        """
        if clips.ndim != 5 or clips.shape[1] != self.num_frames or clips.shape[2] != 3:
            raise ValueError(
                f"clips must be (B, {self.num_frames}, 3, H, W), got {tuple(clips.shape)}; "
                "channels-last frames convert with clips.permute(0, 1, 4, 2, 3)"
            )
        chunks = clips.split(batch_size) if batch_size else (clips,)
        return torch.cat([self._encode(chunk) for chunk in chunks])

    def _encode(self, clips: torch.Tensor) -> torch.Tensor:
        batch, frames = clips.shape[:2]
        images = clips.flatten(0, 1).to(self.device, torch.float32, non_blocking=True, copy=True)  # normalised in place
        if clips.dtype == torch.uint8:
            images.div_(255)
        images = crop_resize(images, (self.image_size, self.image_size))
        images = images.sub_(self.mean).div_(self.std).unflatten(0, (batch, frames)).to(self.dtype)
        autocast = torch.autocast(self.device.type, self.autocast_dtype) if self.autocast_dtype else nullcontext()
        with autocast:
            hidden = self.model(pixel_values=images).last_hidden_state  # (B, 1 + frames * patches, D)
        embedding = hidden[:, 0] if self.info.token == "cls" else hidden[:, 1:].mean(dim=1)
        return embedding.float()

    def encode_video(self, frames: torch.Tensor, batch_size: int = 16) -> torch.Tensor:
        """Embed the clip ending at every frame of masked uint8 (T, H, W, 3) frames: float32 (T, D) on the CPU."""
        steps = torch.arange(frames.shape[0])
        return torch.cat(
            [
                self.encode(build_clips(frames, chunk, self.num_frames).permute(0, 1, 4, 2, 3)).cpu()
                for chunk in steps.split(batch_size)
            ]
        )


def input_normalization(name_or_path: str) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The mean and std of the encoder's ``preprocessor_config.json`` (hub id or local folder).

    No config is an error, not a silent K400 default: the embeddings' meaning depends on it, and the reference
    and the reward must normalise alike. ``save_random_encoder`` writes one; a copy of a hub model has its own.
    """
    try:
        processor, _ = transformers.VideoMAEImageProcessor.get_image_processor_dict(name_or_path)
        return tuple(processor["image_mean"]), tuple(processor["image_std"])
    except (OSError, KeyError) as error:
        raise ModelLoadError(
            f"the video encoder {name_or_path!r} has no preprocessor_config.json with image_mean and image_std "
            f"({type(error).__name__}: {error}); its input normalisation must be stated: copy the model's own, or "
            "for K400's write transformers.VideoMAEImageProcessor(image_mean=[0.45] * 3, image_std=[0.225] * 3)"
            ".save_pretrained(folder)"
        ) from error


def clip_indices(t_indices: torch.Tensor | Sequence[int], clip_length: int = CLIP_LENGTH) -> torch.Tensor:
    """Frame indices of the clips ending at ``t_indices``: long (len, clip_length).

    Clip t is frames t-7 .. t in order; for t < 7 the missing frames before the start are frame 0
    (paper sec. 3.3), i.e. index ``max(t - 7 + i, 0)`` for i = 0..7. Example: t=2 -> [0,0,0,0,0,0,1,2].
    """
    t = torch.as_tensor(t_indices, dtype=torch.long)
    offsets = torch.arange(clip_length - 1, -1, -1, device=t.device)
    return (t.unsqueeze(-1) - offsets).clamp_(min=0)


def build_clips(
    frames: torch.Tensor, t_indices: torch.Tensor | Sequence[int], clip_length: int = CLIP_LENGTH
) -> torch.Tensor:
    """Gather the clips ending at ``t_indices`` from frames (T, ...): (len, clip_length, ...), one indexing op."""
    index = clip_indices(t_indices, clip_length).to(frames.device)
    if index.numel() and int(index.max()) >= frames.shape[0]:
        raise IndexError(f"clip end {int(index.max())} is past the last frame {frames.shape[0] - 1}")
    return frames[index]


def masked_frames(rgb: torch.Tensor, mask: torch.Tensor, background: Background = MASK_BACKGROUND) -> torch.Tensor:
    """Keep the masked pixels of uint8 (..., H, W, 3) ``rgb`` and paint the rest ``background``.

    ``mask`` is bool (..., H, W), True on the robot. Works batched and on any device.
    """
    fill = torch.tensor(255 if background == "white" else 0, dtype=rgb.dtype, device=rgb.device)
    return torch.where(mask.unsqueeze(-1), rgb, fill)


def save_random_encoder(folder, config: transformers.TimesformerConfig | None = None, seed: int = 0) -> None:
    """Save a randomly initialised TimeSformer and K400's preprocessor config to ``folder`` with
    ``save_pretrained``, to load like real weights with :meth:`VideoEncoder.from_pretrained`.

    ``config``: None, a small one (32 px, 8 px patches, width 32, 2 layers); ``transformers.TimesformerConfig()``
    is TimeSformer-base's architecture (224 px). For offline runs where no pretrained weights can be had (tests,
    benchmarks on CPU): its embeddings are a fixed random function of the masked clips, not of the action they show.
    """
    if config is None:
        config = transformers.TimesformerConfig(
            image_size=32,
            patch_size=8,
            num_frames=CLIP_LENGTH,
            hidden_size=32,
            num_hidden_layers=2,
            num_attention_heads=2,
            intermediate_size=64,
        )
    torch.manual_seed(seed)
    transformers.TimesformerModel(config).save_pretrained(folder)
    size = {"height": config.image_size, "width": config.image_size}
    transformers.VideoMAEImageProcessor(
        size={"shortest_edge": config.image_size}, crop_size=size, image_mean=K400_MEAN, image_std=K400_STD
    ).save_pretrained(folder)
