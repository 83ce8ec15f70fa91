"""Previews for people: the reference frames with the robot mask overlaid in a colour."""

from __future__ import annotations

from pathlib import Path

import torch
from PIL import Image

from .video_io import write_video


def overlay_masks(
    frames: torch.Tensor, masks: torch.Tensor, color: tuple[int, int, int] = (255, 0, 80), alpha: float = 0.5
) -> torch.Tensor:
    """Blend ``color`` into uint8 (T, H, W, 3) frames where bool (T, H, W) masks are set; uint8 out."""
    tint = torch.tensor(color, dtype=torch.float32, device=frames.device)
    blended = frames.float() * (1 - alpha) + tint * alpha
    return torch.where(masks.unsqueeze(-1), blended.round().to(torch.uint8), frames)


def contact_sheet(
    path: str | Path,
    frames: torch.Tensor,
    masks: torch.Tensor,
    count: int = 8,
    columns: int = 4,
    color: tuple[int, int, int] = (255, 0, 80),
) -> Path:
    """Save ``count`` evenly spaced frames (first and last included) with overlays as one PNG grid."""
    picks = torch.linspace(0, frames.shape[0] - 1, min(count, frames.shape[0])).round().long()
    tiles = overlay_masks(frames[picks], masks[picks], color).cpu()
    rows = -(-len(tiles) // columns)
    height, width = tiles.shape[1:3]
    sheet = torch.full((rows * height, columns * width, 3), 255, dtype=torch.uint8)
    for index, tile in enumerate(tiles):
        row, column = divmod(index, columns)
        sheet[row * height : (row + 1) * height, column * width : (column + 1) * width] = tile
    Image.fromarray(sheet.numpy()).save(path)
    return Path(path)


def overlay_video(
    path: str | Path, frames: torch.Tensor, masks: torch.Tensor, fps: float, color: tuple[int, int, int] = (255, 0, 80)
) -> Path:
    """Save the frames with mask overlays as an mp4."""
    return write_video(path, overlay_masks(frames, masks, color), fps)
