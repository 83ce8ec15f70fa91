"""How alike a robot's frames are to the reference's: mask IoU and video similarity. Pure PyTorch.

The NIL reward, the first-frame check of an imported video and ``nil eval`` all use these two functions.
"""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn.functional as F

Similarity = Literal["cosine", "neg_l2"]
"""S_video: ``"cosine"``, the cosine similarity of clip embeddings (the CVPR revision, the default), or
``"neg_l2"``, their negative Euclidean distance (paper v1)."""
SIMILARITIES: tuple[Similarity, ...] = ("cosine", "neg_l2")


def mask_iou(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Intersection over union of bool masks (..., H, W) (paper eq. 4): float32 (...).

    0 where both masks are empty: no robot in view is never a match (a robot out of the camera earns no
    reward, and an empty segmentation never passes a check).
    """
    intersection = (a & b).flatten(-2).sum(-1)
    union = (a | b).flatten(-2).sum(-1)
    return intersection / union.clamp(min=1)


def video_similarity(sim: torch.Tensor, reference: torch.Tensor, kind: Similarity = "cosine") -> torch.Tensor:
    """Similarity of clip embeddings (..., D): float (...), largest when they are equal.

    ``"cosine"``: the cosine similarity (the CVPR revision, in [-1, 1]); ``"neg_l2"``: the negative Euclidean
    distance (paper v1, at most 0, unbounded below: tens for TimeSformer-base, see ``docs/reward.md``).
    """
    if kind == "cosine":
        return F.cosine_similarity(sim, reference, dim=-1)
    if kind == "neg_l2":
        return -torch.linalg.vector_norm(sim - reference, dim=-1)
    raise ValueError(f"similarity must be one of {SIMILARITIES}, got {kind!r}")
