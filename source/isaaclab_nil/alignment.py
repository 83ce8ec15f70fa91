"""Temporal alignment of control steps with reference-video frames (paper sec. 3.4): one frame clock. Pure PyTorch.

Control runs at 1 / step_dt (50 Hz), the reference at ``fps`` (e.g. 24): with r = step_dt * fps frames per
control step, the env's control step g (g >= 1, counted from the env's creation: Isaac Lab's
``common_step_counter``) ends in clock frame F(g) = floor(g * r), and clock frame k lasts n_k control steps.
Every env follows this one clock: an env whose episode starts after step g_r starts its reference at the next
clock frame, K = F(g_r) + 1 (K = F(1) for the episode that starts with the env), so its reference frame at step g
is F(g) - K and all envs change frames on the same steps, the only steps on which the cameras render. The NIL
reward spreads each frame's value over that frame's n_k steps. See ``docs/reward.md``.
"""

from __future__ import annotations

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
    """Clock frame F = floor(g * r) of control step g (g >= 1): long, like ``step``.

    Step g ends at time g * step_dt, which falls in frame F's display interval [F / fps, (F + 1) / fps).
    """
    return torch.floor(step.double() * frames_per_step + FRAME_EPS).long()


def reference_start(reset_step: torch.Tensor, frames_per_step: float) -> torch.Tensor:
    """The clock frame K at which an episode that starts after step ``reset_step`` starts its reference: the
    next one, F(reset_step) + 1, and for ``reset_step`` 0 (the env's first episode) the clock frame of step 1,
    F(1): 0, or 1 at r = 1, where step 1 already ends in frame 1 and clock frame 0 has no step.

    So every episode's first step inside the reference is in its frame 0, and its first clip pads with its own
    frame 0, as the reference's clips pad with theirs (paper sec. 3.3). The episode's first steps before clock
    frame K begins (at most n_{K-1} - 1 of them) are outside the reference."""
    first_episode = frame_of_step(torch.ones_like(reset_step), frames_per_step)
    return torch.where(reset_step > 0, frame_of_step(reset_step, frames_per_step) + 1, first_episode)


def steps_in_frame(frame: torch.Tensor, frames_per_step: float) -> torch.Tensor:
    """n_k: how many control steps g >= 1 have :func:`frame_of_step` k; long, like ``frame``.

    The first step of frame k is the smallest g >= 1 with g * r + eps >= k, so n_k = first(k + 1) - first(k).
    Example: 24 fps at 50 Hz (r = 0.48) gives 2, 2, ..., 2 for frames 0-11 and 3 for frame 12 (steps 25-27);
    25 fps at 50 Hz (r = 0.5) gives 1 for frame 0 (step 1) and 2 for every later frame.
    """
    return first_step(frame + 1, frames_per_step) - first_step(frame, frames_per_step)


def first_step(frame: torch.Tensor, frames_per_step: float) -> torch.Tensor:
    """The first control step g >= 1 of clock frame ``frame``: long, like ``frame``."""
    return torch.ceil((frame.double() - FRAME_EPS) / frames_per_step).long().clamp(min=1)
