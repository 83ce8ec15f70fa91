"""SAM 2 robot segmentation prompted with the simulator mask, through both backends: transformers' port and
Meta's sam2 package, each a tiny random model loaded from a local folder like real weights."""

import shutil

import pytest
import torch

from isaaclab_nil.metrics import mask_iou
from isaaclab_nil.reference.backends import SEGMENTER_BACKENDS
from isaaclab_nil.reference.errors import ModelLoadError
from isaaclab_nil.reference.segmentation import (
    SEGMENTERS,
    RobotSegmenter,
    Sam2PackageSegmenter,
    first_frame_iou,
    load_segmenter,
    mask_box,
)


def _moving(rgb: torch.Tensor, num_frames: int = 5) -> torch.Tensor:
    return torch.stack([rgb.roll(shifts=2 * t, dims=1) for t in range(num_frames)])


def test_segment_every_frame_and_keep_the_prompt_as_frame_zero(any_segmenter, scene):
    rgb, mask = scene
    masks = any_segmenter.segment(_moving(rgb), mask)
    assert masks.shape == (5, *mask.shape) and masks.dtype == torch.bool
    assert torch.equal(masks[0], mask)


def test_the_model_returns_the_mask_prompt_on_the_prompted_frame(any_segmenter, scene):
    """SAM 2 feeds a mask prompt through as its output on that frame (``use_mask_input_as_output_without_sam``):
    the model's own frame 0 is the prompt up to resampling through its grid, whatever its random weights."""
    rgb, mask = scene
    masks = any_segmenter.propagate(_moving(rgb), mask)
    assert masks.shape == (5, *mask.shape) and masks.dtype == torch.bool
    assert mask_iou(masks[0], mask) > 0.9
    assert mask_iou(masks[0], ~mask) < 0.1  # the prompt's object, not its background


def test_segment_refuses_a_mask_of_another_size(any_segmenter, scene):
    rgb, mask = scene
    with pytest.raises(ValueError, match="first_mask"):
        any_segmenter.segment(rgb.unsqueeze(0), mask[:10])


def test_mask_iou_and_box_by_hand():
    a = torch.zeros(4, 4, dtype=torch.bool)
    b = torch.zeros(4, 4, dtype=torch.bool)
    a[0:2, 0:2] = True  # 4 pixels
    b[1:3, 1:3] = True  # 4 pixels, 1 shared
    assert mask_iou(a, b).item() == pytest.approx(1 / 7)
    assert mask_iou(torch.stack([a, a]), torch.stack([a, b])).tolist() == pytest.approx([1.0, 1 / 7])
    assert mask_iou(torch.zeros(3, 3, dtype=torch.bool), torch.zeros(3, 3, dtype=torch.bool)).item() == 0.0
    assert mask_box(b) == (1, 1, 3, 3)


def test_first_frame_iou_compares_sam_box_prompt_with_the_sim_mask(any_segmenter, scene):
    rgb, mask = scene
    predicted = any_segmenter.segment_frame_from_box(rgb, mask_box(mask))
    assert predicted.shape == mask.shape and predicted.dtype == torch.bool
    iou = first_frame_iou(any_segmenter, rgb, mask)
    assert iou == pytest.approx(float(mask_iou(predicted, mask)))


def test_each_backend_loads_by_name_and_says_so_in_the_bundle(model_dirs, sam2_package_dir):
    assert set(SEGMENTERS) == set(SEGMENTER_BACKENDS)
    folders = {"transformers": model_dirs["segmenter"], "sam2": sam2_package_dir}
    for backend, kind in (("transformers", RobotSegmenter), ("sam2", Sam2PackageSegmenter)):
        segmenter = load_segmenter(backend, str(folders[backend]))
        assert isinstance(segmenter, kind)
        assert segmenter.describe() == {"backend": backend, "id": str(folders[backend]), "revision": None}


def test_the_sam2_backend_runs_in_bfloat16_under_autocast(sam2_package_dir, scene):
    rgb, mask = scene
    segmenter = Sam2PackageSegmenter.from_pretrained(str(sam2_package_dir), dtype=torch.bfloat16)
    masks = segmenter.propagate(_moving(rgb, 3), mask)
    assert masks.shape == (3, *mask.shape) and mask_iou(masks[0], mask) > 0.9


@pytest.mark.parametrize("backend", sorted(SEGMENTERS))
def test_a_segmenter_that_cannot_be_loaded_says_how_to_provide_it(backend):
    if backend == "sam2":
        pytest.importorskip("sam2", reason="Meta's sam2 package (the 'sam2' extra)")
    for name in ("nil-tests/no-such-sam2", "facebook/sam2.1-hiera-tiny"):  # unknown; known to sam2 but not cached
        with pytest.raises(ModelLoadError, match="HF_HUB_OFFLINE=1"):
            load_segmenter(backend, name)


def test_a_sam2_folder_without_its_checkpoint_or_with_another_model_is_refused(sam2_package_dir, tmp_path):
    (tmp_path / "config_only").mkdir()
    shutil.copy(sam2_package_dir / "sam2_tiny.yaml", tmp_path / "config_only")
    with pytest.raises(ModelLoadError, match=r"one checkpoint \(\*\.pt\); its \*\.pt files: none"):
        Sam2PackageSegmenter.from_pretrained(str(tmp_path / "config_only"))
    mismatched = shutil.copytree(sam2_package_dir, tmp_path / "mismatched")
    config = (mismatched / "sam2_tiny.yaml").read_text()
    (mismatched / "sam2_tiny.yaml").write_text(config.replace("num_maskmem: 3", "num_maskmem: 2"))
    with pytest.raises(ModelLoadError, match="does not fit the model of sam2_tiny.yaml"):
        Sam2PackageSegmenter.from_pretrained(str(mismatched))
    # the package's own configs still load by name after a folder's
    assert Sam2PackageSegmenter.from_pretrained(str(sam2_package_dir)).predictor.image_size == 64
