"""Segmenting the robot in every frame of the reference video with SAM 2 (transformers ``Sam2VideoModel``).

SAM 2 is prompted on frame 0 with the simulator's exact robot mask and propagates it through the video
with its memory. Frame 0 of the result is the prompt mask itself: it is the simulator's ground truth, and
SAM 2 only reproduces it up to resampling (the prompt goes through the model's 1024 x 1024 grid).
"""

from __future__ import annotations

import torch
import transformers

from ..metrics import mask_iou
from .backends import DEFAULT_SEGMENTER
from .hub import hub_revision, load_pretrained


class RobotSegmenter:
    """SAM 2 video segmentation of one object (the robot)."""

    def __init__(
        self,
        model: transformers.Sam2VideoModel,
        processor: transformers.Sam2VideoProcessor,
        name: str,
        revision: str | None = None,
        offload_video_to_cpu: bool = False,
    ):
        self.model = model.eval().requires_grad_(False)
        self.processor = processor
        self.name = name
        self.revision = revision
        self.offload_video_to_cpu = offload_video_to_cpu

    @classmethod
    def from_pretrained(
        cls,
        name_or_path: str = DEFAULT_SEGMENTER,
        device: str | torch.device = "cpu",
        dtype: torch.dtype = torch.float32,
        offload_video_to_cpu: bool = False,
    ) -> RobotSegmenter:
        """Load model and processor by hub id or local folder (``ModelLoadError`` when missing).

        ``offload_video_to_cpu`` keeps the preprocessed frames (3 x 1024 x 1024 floats each) in CPU memory
        instead of on the device: slower, but long videos then fit on small GPUs.
        """
        load = transformers.Sam2VideoModel.from_pretrained
        model = load_pretrained(load, "SAM 2 segmenter", name_or_path, dtype=dtype)
        processor = load_pretrained(transformers.Sam2VideoProcessor.from_pretrained, "SAM 2 processor", name_or_path)
        return cls(model.to(device), processor, name_or_path, hub_revision(name_or_path), offload_video_to_cpu)

    def describe(self) -> dict:
        """What goes into the bundle's meta.json."""
        return {"id": self.name, "revision": self.revision}

    @torch.inference_mode()
    def segment(self, frames: torch.Tensor, first_mask: torch.Tensor) -> torch.Tensor:
        """Robot masks of every frame: bool (T, H, W) on the CPU.

        ``frames`` is uint8 (T, H, W, 3); ``first_mask`` is the simulator's bool (H, W) robot mask of frame 0,
        which is the prompt and is returned unchanged as frame 0.
        """
        num_frames, height, width = frames.shape[:3]
        if tuple(first_mask.shape) != (height, width):
            raise ValueError(f"first_mask is {tuple(first_mask.shape)}, the frames are {height}x{width}")
        device = self.model.device
        session = self.processor.init_video_session(
            video=frames,
            inference_device=device,
            video_storage_device="cpu" if self.offload_video_to_cpu else device,
            dtype=self.model.dtype,
        )
        self.processor.add_inputs_to_inference_session(session, frame_idx=0, obj_ids=1, input_masks=first_mask.cpu())
        masks = torch.empty((num_frames, height, width), dtype=torch.bool)
        for output in self.model.propagate_in_video_iterator(session, start_frame_idx=0):
            masks[output.frame_idx] = self._to_video_size(output.pred_masks, height, width)
        masks[0] = first_mask.cpu()
        return masks

    @torch.inference_mode()
    def segment_frame_from_box(self, frame: torch.Tensor, box: tuple[int, int, int, int]) -> torch.Tensor:
        """SAM 2's own mask of one uint8 (H, W, 3) frame prompted with a box (x0, y0, x1, y1): bool (H, W)."""
        height, width = frame.shape[:2]
        session = self.processor.init_video_session(
            video=frame.unsqueeze(0), inference_device=self.model.device, dtype=self.model.dtype
        )
        self.processor.add_inputs_to_inference_session(session, frame_idx=0, obj_ids=1, input_boxes=[[list(box)]])
        output = self.model(inference_session=session, frame_idx=0)
        return self._to_video_size(output.pred_masks, height, width)

    def _to_video_size(self, pred_masks: torch.Tensor, height: int, width: int) -> torch.Tensor:
        """Low-resolution mask logits (1, 1, h, w) -> bool (H, W) on the CPU."""
        return self.processor.post_process_masks([pred_masks.float()], original_sizes=[[height, width]])[0][0, 0].cpu()


def mask_box(mask: torch.Tensor) -> tuple[int, int, int, int]:
    """Bounding box (x0, y0, x1, y1) of a non-empty bool (H, W) mask, in pixels, x1/y1 exclusive."""
    rows = torch.nonzero(mask.any(dim=1)).flatten()
    cols = torch.nonzero(mask.any(dim=0)).flatten()
    if rows.numel() == 0:
        raise ValueError("the mask is empty")
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def first_frame_iou(segmenter: RobotSegmenter, frame: torch.Tensor, sim_mask: torch.Tensor) -> float:
    """How well an imported video's first frame shows the robot where the simulator renders it.

    Prompting SAM 2 with the simulator mask itself would just return that mask, so this prompts it with
    the mask's bounding box only and compares SAM 2's own mask of the robot with the simulator mask.
    A low IoU means the video does not start from the rendered first frame (other camera, crop or pose).
    """
    predicted = segmenter.segment_frame_from_box(frame, mask_box(sim_mask))
    return float(mask_iou(predicted, sim_mask.cpu()))
