"""Reading, writing and resizing videos.

Frames are ``torch.uint8`` tensors of shape (T, H, W, 3), RGB, on any device. Files are read and written
with PyAV (FFmpeg). mp4 files are H.264 (``libx264``, which the PyAV wheel ships); if an FFmpeg build lacks
it, MPEG-4 part 2 (``mpeg4``) is used instead. Both are lossy: an mp4 is for people to watch, never
training data.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import torch
import torch.nn.functional as F

from .video_check import decode_video

MP4_ENCODERS = ("libx264", "mpeg4")
"""Encoders tried in order when writing mp4."""


def read_video(path: str | Path) -> tuple[torch.Tensor, float]:
    """Decode every frame of a video file: ``(uint8 (T, H, W, 3) RGB on the CPU, frames per second)``.

    Raises ``VideoReadError`` (naming the file and the problem) for a missing, truncated, corrupt or
    non-video file (:func:`~.video_check.decode_video`).
    """
    frames, rate = decode_video(path, lambda frame: frame.to_ndarray(format="rgb24"))
    return torch.from_numpy(np.stack(frames)), rate


def write_video(path: str | Path, frames: torch.Tensor, fps: float) -> Path:
    """Write uint8 (T, H, W, 3) RGB frames to an mp4 (H.264, yuv420p; odd sizes are padded by one pixel)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    array = frames.cpu().numpy()
    pad_h, pad_w = array.shape[1] % 2, array.shape[2] % 2  # yuv420p needs even sizes
    if pad_h or pad_w:
        array = np.pad(array, ((0, 0), (0, pad_h), (0, pad_w), (0, 0)), mode="edge")
    codec = next(name for name in MP4_ENCODERS if name in av.codecs_available)
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream(codec, rate=Fraction(fps).limit_denominator(1001))
        stream.height, stream.width = array.shape[1:3]
        stream.pix_fmt = "yuv420p"
        if codec == "libx264":
            stream.options = {"crf": "18"}
        for index, image in enumerate(array):
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return path


def crop_resize(images: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Centre-crop float (N, C, H, W) images to the aspect of ``size`` = (height, width), then resize to it.

    Bilinear with antialiasing, so downscaling does not alias. The one resize used everywhere: video
    import, generator output and the encoder's input.
    """
    top, left, crop_h, crop_w = centre_crop(tuple(images.shape[-2:]), size)
    images = images[..., top : top + crop_h, left : left + crop_w]
    if tuple(images.shape[-2:]) == tuple(size):
        return images
    return F.interpolate(images, size=size, mode="bilinear", antialias=True, align_corners=False)


def centre_crop(in_size: tuple[int, int], size: tuple[int, int]) -> tuple[int, int, int, int]:
    """The centred crop (top, left, height, width) of an ``in_size`` image with the aspect of ``size``."""
    (in_h, in_w), (height, width) = in_size, size
    if in_h * width > in_w * height:  # too tall for the target aspect: crop rows
        crop_h = round(in_w * height / width)
        return (in_h - crop_h) // 2, 0, crop_h, in_w
    if in_h * width < in_w * height:  # too wide: crop columns
        crop_w = round(in_h * width / height)
        return 0, (in_w - crop_w) // 2, in_h, crop_w
    return 0, 0, in_h, in_w


def crop_resize_box(
    box: tuple[int, int, int, int], in_size: tuple[int, int], size: tuple[int, int]
) -> tuple[int, int, int, int] | None:
    """Where a box (x0, y0, x1, y1) on an ``in_size`` image lands after :func:`crop_resize` to ``size``, clipped
    to the result; None when nothing of it is left."""
    top, left, crop_h, crop_w = centre_crop(in_size, size)
    scale_y, scale_x = size[0] / crop_h, size[1] / crop_w
    x0, y0 = max(0, round((box[0] - left) * scale_x)), max(0, round((box[1] - top) * scale_y))
    x1, y1 = min(size[1], round((box[2] - left) * scale_x)), min(size[0], round((box[3] - top) * scale_y))
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def letterbox(
    image: torch.Tensor, size: tuple[int, int], fill: int = 255
) -> tuple[torch.Tensor, tuple[int, int, int, int]]:
    """Fit a uint8 (H, W, 3) image inside ``size`` = (height, width) keeping its aspect, centred on a
    ``fill`` canvas. Returns (canvas, box) with box = (top, left, height, width) of the image on it.

    Cropping ``box`` out of a frame of the canvas size and resizing it to (H, W) is the exact inverse.
    """
    height, width = size
    scale = min(height / image.shape[0], width / image.shape[1])
    box_h, box_w = round(image.shape[0] * scale), round(image.shape[1] * scale)
    top, left = (height - box_h) // 2, (width - box_w) // 2
    canvas = torch.full((height, width, 3), fill, dtype=torch.uint8, device=image.device)
    canvas[top : top + box_h, left : left + box_w] = resize_frames(image.unsqueeze(0), (box_h, box_w))[0]
    return canvas, (top, left, box_h, box_w)


def unletterbox(frames: torch.Tensor, box: tuple[int, int, int, int], size: tuple[int, int]) -> torch.Tensor:
    """The inverse of :func:`letterbox` for a video: cut ``box`` = (top, left, height, width) out of uint8
    (T, h, w, 3) frames of the canvas size and resize it to ``size`` = (H, W)."""
    top, left, height, width = box
    return resize_frames(frames[:, top : top + height, left : left + width], size).contiguous()


def resize_frames(frames: torch.Tensor, size: tuple[int, int], chunk: int = 32) -> torch.Tensor:
    """Centre-crop and resize uint8 (T, H, W, 3) frames to ``size`` = (height, width); uint8 out, same device."""
    if tuple(frames.shape[1:3]) == tuple(size):
        return frames
    out = torch.empty((frames.shape[0], *size, 3), dtype=torch.uint8, device=frames.device)
    for start in range(0, frames.shape[0], chunk):  # bounds the float copy of long, large videos
        images = frames[start : start + chunk].permute(0, 3, 1, 2).float()
        resized = crop_resize(images, size).round_().clamp_(0, 255)
        out[start : start + chunk] = resized.permute(0, 2, 3, 1).to(torch.uint8)
    return out
