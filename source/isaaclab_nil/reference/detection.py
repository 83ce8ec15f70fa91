"""Finding the robot in a video's first frame by text (transformers ``Owlv2ForObjectDetection``, prompt "robot"):
the box that prompts SAM 2 for the camera fit when the user gives none (``nil generate --robot-box``)."""

from __future__ import annotations

import torch
import transformers

from .backends import DEFAULT_DETECTOR
from .hub import hub_revision, load_pretrained


class RobotDetector:
    """OWLv2 open-vocabulary detection of one object, by a text query."""

    def __init__(self, model: transformers.Owlv2ForObjectDetection, processor: transformers.Owlv2Processor, name: str):
        self.model = model.eval().requires_grad_(False)
        self.processor = processor
        self.name = name
        self.revision = hub_revision(name)

    @classmethod
    def from_pretrained(cls, name_or_path: str = DEFAULT_DETECTOR, device: str | torch.device = "cpu") -> RobotDetector:
        """Load model and processor by hub id or local folder (``ModelLoadError`` when missing)."""
        model = load_pretrained(transformers.Owlv2ForObjectDetection.from_pretrained, "OWLv2 detector", name_or_path)
        processor = load_pretrained(transformers.Owlv2Processor.from_pretrained, "OWLv2 processor", name_or_path)
        return cls(model.to(device), processor, name_or_path)

    @torch.inference_mode()
    def detect(self, frame: torch.Tensor, query: str = "robot") -> tuple[tuple[int, int, int, int], float]:
        """The highest-scoring box (x0, y0, x1, y1) [px] of ``query`` in a uint8 (H, W, 3) frame, and its score.

        OWLv2 pads the image to a square at its bottom and right before resizing it, so its boxes are in the
        padded square's pixels: they are clipped to the frame (at least one pixel wide and high).
        """
        height, width = frame.shape[:2]
        inputs = self.processor(text=[[query]], images=frame.cpu().numpy(), return_tensors="pt").to(self.model.device)
        outputs = self.model(**inputs)
        side = max(height, width)
        found = self.processor.post_process_grounded_object_detection(
            outputs, threshold=0.0, target_sizes=[(side, side)]
        )
        best = int(found[0]["scores"].argmax())
        x0, y0, x1, y1 = found[0]["boxes"][best].tolist()
        return _clip_box((x0, y0, x1, y1), height, width), float(found[0]["scores"][best])

    def describe(self) -> dict:
        return {"id": self.name, "revision": self.revision}


def _clip_box(box: tuple[float, ...], height: int, width: int) -> tuple[int, int, int, int]:
    """``box`` rounded and clipped into a (height, width) image, keeping at least one pixel."""
    x0, y0 = min(max(0, round(box[0])), width - 1), min(max(0, round(box[1])), height - 1)
    return x0, y0, max(x0 + 1, min(width, round(box[2]))), max(y0 + 1, min(height, round(box[3])))
