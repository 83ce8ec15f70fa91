"""How alike a robot's frames are to the reference's: mask IoU and video similarity. Pure PyTorch.

The NIL reward, the first-frame check of an imported video and ``nil eval`` all use these two functions.
"""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn.functional as F

Similarity = Literal["l2", "cosine"]
"""S_video: ``"l2"``, the negative Euclidean distance of clip embeddings (paper v1), or ``"cosine"`` (CVPR)."""


def mask_iou(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Intersection over union of bool masks (..., H, W) (paper eq. 4): float32 (...).

    0 where both masks are empty: no robot in view is never a match (a robot out of the camera earns no
    reward, and an empty segmentation never passes a check).
    """
    intersection = (a & b).flatten(-2).sum(-1)
    union = (a | b).flatten(-2).sum(-1)
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
