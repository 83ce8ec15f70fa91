"""The text-prompted robot detector (OWLv2) with a tiny random model: what it returns, not where (random weights)."""

import pytest
import torch

from isaaclab_nil.reference.detection import RobotDetector
from isaaclab_nil.reference.errors import ModelLoadError


def test_the_detector_gives_one_box_inside_the_frame_and_its_score(owlv2_dir):
    detector = RobotDetector.from_pretrained(str(owlv2_dir))
    frame = torch.randint(0, 256, (48, 80, 3), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    (x0, y0, x1, y1), score = detector.detect(frame)
    assert 0 <= x0 < x1 <= 80 and 0 <= y0 < y1 <= 48 and 0.0 <= score <= 1.0
    assert detector.describe() == {"id": str(owlv2_dir), "revision": None}


def test_a_detector_that_cannot_be_loaded_says_how_to_provide_it():
    with pytest.raises(ModelLoadError, match="OWLv2 detector 'nil-tests/no-such-owlv2'"):
        RobotDetector.from_pretrained("nil-tests/no-such-owlv2")
