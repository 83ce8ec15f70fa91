"""The NIL reward (paper sec. 3.3.1): its math as pure functions, and the reward terms that use it.

Pure functions (no simulator): :func:`mask_iou`, :func:`video_similarity`, and the temporal alignment of
control steps with reference frames (paper sec. 3.4): :func:`frames_per_step`, :func:`frame_of_step`,
:func:`steps_in_frame`. Reward terms: :func:`reference_video_similarity` and :func:`reference_mask_iou`
read the env's :class:`~isaaclab_nil.envs.reference_tracker.ReferenceTracker`; :func:`feet_air_time_bonus`
reads the feet contact sensor. See ``docs/reward.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import torch
import torch.nn.functional as F

from isaaclab.managers import SceneEntityCfg

if TYPE_CHECKING:
    from isaaclab.sensors import ContactSensor

    from ..nil_env import NILEnv
    from ..reference_tracker import ReferenceTracker

Similarity = Literal["l2", "cosine"]
FRAME_EPS = 1e-6
"""Tolerance of the frame index against float error, in frames: 25 * 0.02 * 24 is frame 12, not 11."""


def mask_iou(sim: torch.Tensor, reference: torch.Tensor) -> torch.Tensor:
    """Intersection over union of bool masks (..., H, W) (paper eq. 4): float (...).

    0 where both masks are empty: a robot out of view earns nothing. (Stage 1's
    ``reference.segmentation.mask_iou`` returns 1 there: it measures agreement, not reward.)
    """
    intersection = (sim & reference).flatten(-2).sum(-1)
    union = (sim | reference).flatten(-2).sum(-1)
    return intersection / union.clamp(min=1)


def video_similarity(sim: torch.Tensor, reference: torch.Tensor, kind: Similarity = "l2") -> torch.Tensor:
    """Similarity of clip embeddings (..., D): float (...), largest when they are equal.

    ``"l2"``: the negative Euclidean distance (paper v1, at most 0); ``"cosine"``: the cosine similarity
    (the CVPR version, at most 1).
    """
    if kind == "l2":
        return -torch.linalg.vector_norm(sim - reference, dim=-1)
    if kind == "cosine":
        return F.cosine_similarity(sim, reference, dim=-1)
    raise ValueError(f"similarity must be 'l2' or 'cosine', got {kind!r}")


def frames_per_step(step_dt: float, fps: float) -> float:
    """Reference frames per control step, r = step_dt * fps; at most 1 (the video is not faster than control)."""
    r = step_dt * fps
    if r > 1.0 + FRAME_EPS:
        raise ValueError(
            f"the reference video ({fps} fps) is faster than the control rate ({1.0 / step_dt:g} Hz): "
            "frames would be skipped. Lower env.reference.fps or raise the control rate (smaller sim.dt * decimation)."
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


def reference_video_similarity(env: NILEnv) -> torch.Tensor:
    """Alpha term: S_video of each env's current reference frame, spread over the frame's control steps."""
    tracker = _updated_tracker(env)
    return tracker.similarity * tracker.step_share


def reference_mask_iou(env: NILEnv) -> torch.Tensor:
    """Beta term: IoU of each env's robot mask with the reference mask, spread over the frame's control steps."""
    tracker = _updated_tracker(env)
    return tracker.iou * tracker.step_share


def feet_air_time_bonus(env: NILEnv, sensor_cfg: SceneEntityCfg, threshold: float) -> torch.Tensor:
    """The slight bonus of the paper's P_F for a foot that stayed off the ground long: at each touchdown,
    the air time beyond ``threshold`` [s] (legged_gym's air-time reward without its penalty for short steps)."""
    sensor: ContactSensor = env.scene.sensors[sensor_cfg.name]
    touchdown = sensor.compute_first_contact(env.step_dt).torch[:, sensor_cfg.body_ids]
    air_time = sensor.data.last_air_time.torch[:, sensor_cfg.body_ids]
    return ((air_time - threshold).clamp(min=0.0) * touchdown).sum(dim=1)


def _updated_tracker(env: NILEnv) -> ReferenceTracker:
    """The env's tracker, brought up to this control step (the first reward term to ask does the work)."""
    tracker = env.reference_tracker
    if tracker is None:
        raise RuntimeError("the NIL video and mask rewards need a reference: set env.reference.bundle")
    tracker.update()
    return tracker
