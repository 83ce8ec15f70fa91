"""What a video made elsewhere must be to become a reference, checked with PyAV alone (no torch, no models, no
simulator), so that ``nil generate --video`` refuses a bad file in a second; and the frame rate it is played at.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import av

from .errors import VideoReadError

CLIP_LENGTH = 8
"""Frames per clip: TimeSformer-base K400 is trained on 8-frame clips (paper sec. 3.3). A reference needs one."""
RATE_EPS = 1e-6


def decode_video[T](path: str | Path, convert: Callable[[av.VideoFrame], T]) -> tuple[list[T], float]:
    """``convert`` of every frame of the file's first video stream, and its frame rate: the one place a video
    file is opened and decoded (:func:`check_video_file` counts the frames, ``video_io.read_video`` keeps them).

    Raises ``VideoReadError`` (naming the file and the problem) for a missing, truncated, corrupt or non-video
    file, one with no decodable frame or one with no frame rate.
    """
    path = Path(path)
    if not path.is_file():
        raise VideoReadError(f"{path}: no such file")
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise VideoReadError(f"{path}: the file has no video stream")
            stream = container.streams.video[0]
            rate = stream.average_rate or stream.base_rate or stream.guessed_rate
            frames = [convert(frame) for frame in container.decode(stream)]
    except av.error.FFmpegError as error:
        problem = f"cannot be decoded as a video, it is corrupt, truncated or not a video ({error})"
        raise VideoReadError(f"{path}: {problem}") from error
    if not frames:
        raise VideoReadError(f"{path}: the video stream holds no decodable frame (truncated or corrupt)")
    if not rate or rate <= 0:
        raise VideoReadError(f"{path}: the video stream has no frame rate")
    return frames, float(rate)


def check_video_file(path: str | Path) -> tuple[int, float]:
    """``(frames, fps)`` of a video file that can be a reference: it decodes, has a frame rate and at least one
    clip of frames. Raises ``VideoReadError`` naming the file and the problem (missing, corrupt or truncated, a
    still image, shorter than one clip)."""
    frames, rate = decode_video(path, lambda frame: None)  # decoded, not converted: only counted
    check_length(path, len(frames))
    return len(frames), rate


def check_length(path: str | Path, count: int, kept: str = "") -> None:
    """Refuse a video of ``count`` frames (``kept``: how they were chosen) shorter than one clip."""
    if count == 1 and not kept:
        raise VideoReadError(f"{path}: a still image (one frame), not a video; give a video of {CLIP_LENGTH}+ frames")
    if count < CLIP_LENGTH:
        raise VideoReadError(f"{path}: {count} frames{kept}, fewer than one {CLIP_LENGTH}-frame clip of the encoder")


def frame_stride(fps: float, max_fps: float) -> int:
    """Keep every k-th frame of a ``fps`` video so that it plays at most at ``max_fps`` (the control rate, since
    each reference frame needs a control step): the smallest such k, 1 when it already does."""
    return max(1, math.ceil(fps / max_fps - RATE_EPS))
