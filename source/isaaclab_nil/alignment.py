"""Temporal alignment of control steps with reference-video frames (paper sec. 3.4). Pure PyTorch.

Control runs at 1 / step_dt (50 Hz), the reference at ``fps`` (e.g. 24): with r = step_dt * fps frames per
control step, control step m (m >= 1 steps since the reset) ends in frame f(m) = floor(m * r), and frame f
lasts n_f control steps. The NIL reward spreads each frame's value over its n_f steps. See ``docs/reward.md``.
"""

from __future__ import annotations

import math

import torch

FRAME_EPS = 1e-6
"""Tolerance of the frame index against float error, in frames: 25 * 0.02 * 24 is frame 12, not 11."""


def frames_per_step(step_dt: float, fps: float) -> float:
    """Reference frames per control step, r = step_dt * fps; at most 1 (the video is not faster than control)."""
    r = step_dt * fps
    if r > 1.0 + FRAME_EPS:
        raise ValueError(
            f"the reference video ({fps} fps) is faster than the control rate ({1.0 / step_dt:g} Hz): "
            "frames would be skipped. Lower the video's fps or raise the control rate (smaller sim.dt * decimation)."
        )
    return r


def frame_of_step(step: torch.Tensor, frames_per_step: float) -> torch.Tensor:
    """Reference frame f = floor(m * r) of control step m (steps since the reset, m >= 1): long, like ``step``.

    Step m ends at episode time m * step_dt, which falls in frame f's display interval [f / fps, (f + 1) / fps).
    """
    return torch.floor(step.double() * frames_per_step + FRAME_EPS).long()


def steps_in_frame(frame: torch.Tensor, frames_per_step: float) -> torch.Tensor:
    """n_f: how many control steps m >= 1 have :func:`frame_of_step` f; long, like ``frame``.

    The first step of frame f is the smallest m >= 1 with m * r + eps >= f, so n_f = first(f + 1) - first(f).
    Example: 24 fps at 50 Hz (r = 0.48) gives 2, 2, ..., 2 for frames 0-11 and 3 for frame 12 (steps 25-27);
    25 fps at 50 Hz (r = 0.5) gives 1 for frame 0 (step 1) and 2 for every later frame.
    """

    def first_step(f: torch.Tensor) -> torch.Tensor:
        return torch.ceil((f.double() - FRAME_EPS) / frames_per_step).long().clamp(min=1)

    return first_step(frame + 1) - first_step(frame)


def episode_steps(num_frames: int, fps: float, step_dt: float) -> int:
    """Control steps until the reference's last frame has been shown in full: ceil(num_frames / fps / step_dt),
    the episode length of a task trained against a reference of ``num_frames`` frames (Isaac Lab's
    ``max_episode_length`` for ``episode_length_s = num_frames / fps``)."""
    return math.ceil(num_frames / fps / step_dt)
