"""Clip construction and frame masking (paper sec. 3.3), checked by hand."""

import pytest
import torch

from isaaclab_nil.reference.encoder import build_clips, clip_indices, masked_frames


def test_clip_indices_pad_with_frame_zero_then_follow_in_order():
    assert clip_indices([0, 1, 2, 6, 7, 8, 12]).tolist() == [
        [0, 0, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 0, 1],
        [0, 0, 0, 0, 0, 0, 1, 2],
        [0, 0, 1, 2, 3, 4, 5, 6],
        [0, 1, 2, 3, 4, 5, 6, 7],
        [1, 2, 3, 4, 5, 6, 7, 8],
        [5, 6, 7, 8, 9, 10, 11, 12],
    ]


def test_build_clips_gathers_frames_in_order():
    frames = torch.arange(10).view(10, 1, 1, 1).expand(10, 2, 3, 3)  # frame t is filled with t
    clips = build_clips(frames, torch.tensor([3, 9]))
    assert clips.shape == (2, 8, 2, 3, 3)
    assert clips[:, :, 0, 0, 0].tolist() == [[0, 0, 0, 0, 0, 1, 2, 3], [2, 3, 4, 5, 6, 7, 8, 9]]


def test_build_clips_rejects_a_clip_past_the_end():
    with pytest.raises(IndexError, match="past the last frame"):
        build_clips(torch.zeros(4, 2, 2, 3), [4])


def test_masked_frames_paint_the_background():
    rgb = torch.full((2, 2, 2, 3), 7, dtype=torch.uint8)
    mask = torch.tensor([[[True, False], [False, False]], [[False, False], [False, True]]])
    white = masked_frames(rgb, mask)
    assert white[0, 0, 0].tolist() == [7, 7, 7] and white[0, 0, 1].tolist() == [255, 255, 255]
    assert white[1, 1, 1].tolist() == [7, 7, 7] and white[1, 0, 0].tolist() == [255, 255, 255]
    black = masked_frames(rgb, mask, background="black")
    assert black[0, 1, 1].tolist() == [0, 0, 0] and black[0, 0, 0].tolist() == [7, 7, 7]
