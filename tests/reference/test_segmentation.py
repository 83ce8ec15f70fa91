"""SAM 2 robot segmentation prompted with the simulator mask."""

import pytest
import torch

from isaaclab_nil.metrics import mask_iou
from isaaclab_nil.reference.errors import ModelLoadError
from isaaclab_nil.reference.segmentation import RobotSegmenter, first_frame_iou, mask_box


def test_segment_every_frame_and_keep_the_prompt_as_frame_zero(segmenter, scene):
    rgb, mask = scene
    frames = torch.stack([rgb.roll(shifts=2 * t, dims=1) for t in range(5)])
    masks = segmenter.segment(frames, mask)
    assert masks.shape == (5, *mask.shape) and masks.dtype == torch.bool
    assert torch.equal(masks[0], mask)


def test_segment_refuses_a_mask_of_another_size(segmenter, scene):
    rgb, mask = scene
    with pytest.raises(ValueError, match="first_mask"):
        segmenter.segment(rgb.unsqueeze(0), mask[:10])


def test_mask_iou_and_box_by_hand():
    a = torch.zeros(4, 4, dtype=torch.bool)
    b = torch.zeros(4, 4, dtype=torch.bool)
    a[0:2, 0:2] = True  # 4 pixels
    b[1:3, 1:3] = True  # 4 pixels, 1 shared
    assert mask_iou(a, b).item() == pytest.approx(1 / 7)
    assert mask_iou(torch.stack([a, a]), torch.stack([a, b])).tolist() == pytest.approx([1.0, 1 / 7])
    assert mask_iou(torch.zeros(3, 3, dtype=torch.bool), torch.zeros(3, 3, dtype=torch.bool)).item() == 0.0
    assert mask_box(b) == (1, 1, 3, 3)


def test_first_frame_iou_compares_sam_box_prompt_with_the_sim_mask(segmenter, scene):
    rgb, mask = scene
    iou = first_frame_iou(segmenter, rgb, mask)
    assert 0.0 <= iou <= 1.0


def test_a_segmenter_that_cannot_be_loaded_says_how_to_provide_it():
    with pytest.raises(ModelLoadError, match="HF_HUB_OFFLINE=1"):
        RobotSegmenter.from_pretrained("nil-tests/no-such-sam2")
