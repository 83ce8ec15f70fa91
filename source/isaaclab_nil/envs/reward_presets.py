"""The paper's Table 1 ablations as named presets of the NIL reward: which reward terms each one switches off.

Pure Python (no Isaac Lab), so that scripts can build command lines from it::

    python scripts/train.py --task NIL-H1-Walk $(python -c "from isaaclab_nil.envs.reward_presets import *; \\
        print(' '.join(ablation_overrides('iou_only')))")

A preset sets the weights of its terms to 0 (``env.rewards.<term>.weight=0``); the others keep theirs.
"""

from __future__ import annotations

VIDEO_TERM = "video_similarity"
IOU_TERM = "mask_iou"
REGULARIZATION_TERMS = ("joint_torques", "action_rate", "joint_vel", "feet_slip", "feet_air_time", "torso_tilt")
"""The reward terms of the regularization P."""

REWARD_ABLATIONS: dict[str, tuple[str, ...]] = {
    "full": (),
    "no_iou": (IOU_TERM,),
    "no_video": (VIDEO_TERM,),
    "no_reg": REGULARIZATION_TERMS,
    "video_only": (IOU_TERM, *REGULARIZATION_TERMS),
    "iou_only": (VIDEO_TERM, *REGULARIZATION_TERMS),
    "reg_only": (VIDEO_TERM, IOU_TERM),
}
"""Preset name -> the reward terms it switches off (paper Table 1: without IoU, video similarity or
regularization, and each alone)."""


def ablation_overrides(name: str) -> list[str]:
    """The ``env.rewards.<term>.weight=0`` overrides of preset ``name``."""
    if name not in REWARD_ABLATIONS:
        raise KeyError(f"unknown reward preset {name!r}; known: {', '.join(REWARD_ABLATIONS)}")
    return [f"env.rewards.{term}.weight=0" for term in REWARD_ABLATIONS[name]]
