"""Segmenting the robot in every frame of the reference video with SAM 2.

SAM 2 is prompted on frame 0 with the simulator's exact robot mask and propagates it through the video
with its memory. Frame 0 of the result is the prompt mask itself: it is the simulator's ground truth, and
SAM 2 only reproduces it up to resampling (the prompt goes through the model's 1024 x 1024 grid).

Two backends run the same model and prompt (:data:`SEGMENTERS`, ``nil generate --segmenter_backend``):
:class:`RobotSegmenter`, transformers' port (``Sam2VideoModel``), and :class:`Sam2PackageSegmenter`, Meta's
``sam2`` package (``SAM2VideoPredictor``), the reference implementation, installed as the ``sam2`` extra.
"""

from __future__ import annotations

import importlib.util
import tempfile
from abc import ABC, abstractmethod
from pathlib import Path

import torch
import transformers
from PIL import Image

from ..metrics import mask_iou
from .backends import DEFAULT_SEGMENTER, DEFAULT_SEGMENTER_BACKEND
from .errors import ModelLoadError, model_load_error
from .hub import hub_revision, load_pretrained


class Segmenter(ABC):
    """SAM 2 video segmentation of one object (the robot), whichever implementation runs it."""

    backend: str
    """Its name in :data:`SEGMENTERS`."""

    def __init__(self, name: str, revision: str | None):
        self.name = name
        self.revision = revision

    def describe(self) -> dict:
        """What goes into the bundle's meta.json."""
        return {"backend": self.backend, "id": self.name, "revision": self.revision}

    @torch.inference_mode()
    def segment(self, frames: torch.Tensor, first_mask: torch.Tensor) -> torch.Tensor:
        """Robot masks of every frame: bool (T, H, W) on the CPU.

        ``frames`` is uint8 (T, H, W, 3); ``first_mask`` is the simulator's bool (H, W) robot mask of frame 0,
        which is the prompt and is returned unchanged as frame 0.
        """
        if tuple(first_mask.shape) != tuple(frames.shape[1:3]):
            raise ValueError(f"first_mask is {tuple(first_mask.shape)}, the frames are {tuple(frames.shape[1:3])}")
        masks = self.propagate(frames, first_mask.cpu())
        masks[0] = first_mask.cpu()
        return masks

    @abstractmethod
    def propagate(self, frames: torch.Tensor, first_mask: torch.Tensor) -> torch.Tensor:
        """SAM 2's own masks of every frame, bool (T, H, W) on the CPU, prompted with the CPU ``first_mask`` on
        frame 0 (whose own mask is the prompt up to resampling)."""

    @abstractmethod
    def segment_frame_from_box(self, frame: torch.Tensor, box: tuple[int, int, int, int]) -> torch.Tensor:
        """SAM 2's own mask of one uint8 (H, W, 3) frame prompted with a box (x0, y0, x1, y1): bool (H, W)."""


class RobotSegmenter(Segmenter):
    """SAM 2 through transformers (``Sam2VideoModel``): the ``transformers`` backend."""

    backend = "transformers"

    def __init__(
        self,
        model: transformers.Sam2VideoModel,
        processor: transformers.Sam2VideoProcessor,
        name: str,
        revision: str | None = None,
        offload_video_to_cpu: bool = False,
    ):
        super().__init__(name, revision)
        self.model = model.eval().requires_grad_(False)
        self.processor = processor
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

    @torch.inference_mode()
    def propagate(self, frames: torch.Tensor, first_mask: torch.Tensor) -> torch.Tensor:
        num_frames, height, width = frames.shape[:3]
        device = self.model.device
        session = self.processor.init_video_session(
            video=frames,
            inference_device=device,
            video_storage_device="cpu" if self.offload_video_to_cpu else device,
            dtype=self.model.dtype,
        )
        self.processor.add_inputs_to_inference_session(session, frame_idx=0, obj_ids=1, input_masks=first_mask)
        masks = torch.empty((num_frames, height, width), dtype=torch.bool)
        for output in self.model.propagate_in_video_iterator(session, start_frame_idx=0):
            masks[output.frame_idx] = self._to_video_size(output.pred_masks, height, width)
        return masks

    @torch.inference_mode()
    def segment_frame_from_box(self, frame: torch.Tensor, box: tuple[int, int, int, int]) -> torch.Tensor:
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


class Sam2PackageSegmenter(Segmenter):
    """SAM 2 through Meta's ``sam2`` package (``SAM2VideoPredictor``): the ``sam2`` backend.

    The package reads a video only as a folder of JPEG frames named by index (its demo's input), so each
    call writes the frames there (quality 95) first. Weights stay float32; a ``dtype`` of bfloat16 or
    float16 runs the model under ``torch.autocast``, as Meta's examples do.
    """

    backend = "sam2"

    def __init__(
        self,
        predictor,
        name: str,
        revision: str | None = None,
        dtype: torch.dtype = torch.float32,
        offload_video_to_cpu: bool = False,
    ):
        super().__init__(name, revision)
        self.predictor = predictor.eval().requires_grad_(False)
        self.dtype = dtype
        self.offload_video_to_cpu = offload_video_to_cpu

    @classmethod
    def from_pretrained(
        cls,
        name_or_path: str = DEFAULT_SEGMENTER,
        device: str | torch.device = "cpu",
        dtype: torch.dtype = torch.float32,
        offload_video_to_cpu: bool = False,
    ) -> Sam2PackageSegmenter:
        """Load one of the hub ids the package knows (``facebook/sam2.1-hiera-large``, ...) or a local folder
        holding one model config ``*.yaml`` and one checkpoint ``*.pt`` (``{"model": state_dict}``), as in those
        hub repos (``ModelLoadError`` when missing)."""
        sam2_predictor = _import_sam2_predictor()
        folder = Path(name_or_path)
        if folder.is_dir():
            predictor = load_pretrained(_build_from_folder, "SAM 2 segmenter", name_or_path, device=str(device))
        else:
            from sam2.build_sam import HF_MODEL_ID_TO_FILENAMES

            if name_or_path not in HF_MODEL_ID_TO_FILENAMES:
                known = ", ".join(HF_MODEL_ID_TO_FILENAMES)
                cause = ValueError(f"neither a local folder nor one of the hub ids the sam2 package knows ({known})")
                raise model_load_error("SAM 2 segmenter", name_or_path, cause)
            load = sam2_predictor.from_pretrained
            predictor = load_pretrained(load, "SAM 2 segmenter", name_or_path, device=str(device))
        if importlib.util.find_spec("sam2._C") is None:
            # built without its CUDA extension (SAM2_BUILD_CUDA=0, see scripts/setup.sh) sam2 cannot fill the
            # small holes (up to 8 low-resolution pixels) it fills in each mask, and warns about it every frame
            predictor.fill_hole_area = 0
        return cls(predictor, name_or_path, hub_revision(name_or_path), dtype, offload_video_to_cpu)

    @torch.inference_mode()
    def propagate(self, frames: torch.Tensor, first_mask: torch.Tensor) -> torch.Tensor:
        num_frames, height, width = frames.shape[:3]
        masks = torch.empty((num_frames, height, width), dtype=torch.bool)
        with self._autocast():
            state = self._init_state(frames)
            self.predictor.add_new_mask(state, frame_idx=0, obj_id=1, mask=first_mask)
            for frame_idx, _, logits in self.predictor.propagate_in_video(state):
                masks[frame_idx] = logits[0, 0].cpu() > 0.0
        return masks

    @torch.inference_mode()
    def segment_frame_from_box(self, frame: torch.Tensor, box: tuple[int, int, int, int]) -> torch.Tensor:
        with self._autocast():
            state = self._init_state(frame.unsqueeze(0))
            _, _, logits = self.predictor.add_new_points_or_box(state, frame_idx=0, obj_id=1, box=list(box))
        return logits[0, 0].cpu() > 0.0

    def _init_state(self, frames: torch.Tensor) -> dict:
        """The predictor's inference state of uint8 (T, H, W, 3) ``frames``, read from a temporary JPEG folder."""
        with tempfile.TemporaryDirectory(prefix="nil_sam2_") as folder:
            for index, frame in enumerate(frames.cpu().numpy()):
                Image.fromarray(frame).save(Path(folder) / f"{index:05d}.jpg", quality=95)
            return self.predictor.init_state(folder, offload_video_to_cpu=self.offload_video_to_cpu)

    def _autocast(self) -> torch.autocast:
        device_type = self.predictor.device.type
        return torch.autocast(device_type, dtype=self.dtype, enabled=self.dtype != torch.float32)


def _import_sam2_predictor():
    """``sam2.sam2_video_predictor.SAM2VideoPredictor``, or one ``ModelLoadError`` saying how to install it."""
    try:
        from sam2.sam2_video_predictor import SAM2VideoPredictor
    except ImportError as error:
        raise ModelLoadError(
            f"The sam2 segmenter backend needs Meta's sam2 package ({error}): `bash scripts/setup.sh` installs it, "
            "or by hand `SAM2_BUILD_CUDA=0 pip install --no-build-isolation -e '.[sam2]'` after torch."
        ) from error
    return SAM2VideoPredictor


def _build_from_folder(folder: str, device: str):
    """``build_sam2_video_predictor`` on the one ``*.yaml`` and the one ``*.pt`` in ``folder``.

    The package composes its config with Hydra, which it points at its own bundled configs on import: Hydra
    looks in ``folder`` instead while building, then at the package's configs again.
    """
    from hydra import initialize_config_dir, initialize_config_module
    from hydra.core.global_hydra import GlobalHydra
    from sam2.build_sam import build_sam2_video_predictor

    config, checkpoint = (_the_one_file(Path(folder), pattern) for pattern in ("*.yaml", "*.pt"))
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(config.parent.resolve()), version_base="1.2"):
            return build_sam2_video_predictor(config.name, str(checkpoint), device=device)
    except RuntimeError as error:  # sam2 logs the missing or unexpected keys, then raises a bare RuntimeError
        cause = RuntimeError(f"the checkpoint {checkpoint.name} does not fit the model of {config.name} ({error})")
        raise model_load_error("SAM 2 segmenter", folder, cause) from error
    finally:
        GlobalHydra.instance().clear()
        initialize_config_module("sam2", version_base="1.2")


def _the_one_file(folder: Path, pattern: str) -> Path:
    """The file matching ``pattern`` in ``folder``; ``FileNotFoundError`` (an ``OSError``) unless exactly one."""
    found = sorted(folder.glob(pattern))
    if len(found) != 1:
        raise FileNotFoundError(
            f"a sam2 model folder holds one model config (*.yaml) and one checkpoint (*.pt); its {pattern} files: "
            f"{[path.name for path in found] or 'none'}"
        )
    return found[0]


SEGMENTERS: dict[str, type[Segmenter]] = {"transformers": RobotSegmenter, "sam2": Sam2PackageSegmenter}
"""The segmenter backends by name (their descriptions: ``backends.SEGMENTER_BACKENDS``)."""


def load_segmenter(
    backend: str = DEFAULT_SEGMENTER_BACKEND,
    name_or_path: str = DEFAULT_SEGMENTER,
    device: str | torch.device = "cpu",
    dtype: torch.dtype = torch.float32,
) -> Segmenter:
    """The ``backend`` segmenter loaded by hub id or local folder (``ModelLoadError`` when missing)."""
    return SEGMENTERS[backend].from_pretrained(name_or_path, device, dtype)


def mask_box(mask: torch.Tensor) -> tuple[int, int, int, int]:
    """Bounding box (x0, y0, x1, y1) of a non-empty bool (H, W) mask, in pixels, x1/y1 exclusive."""
    rows = torch.nonzero(mask.any(dim=1)).flatten()
    cols = torch.nonzero(mask.any(dim=0)).flatten()
    if rows.numel() == 0:
        raise ValueError("the mask is empty")
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def first_frame_iou(segmenter: Segmenter, frame: torch.Tensor, sim_mask: torch.Tensor) -> float:
    """How well an imported video's first frame shows the robot where the simulator renders it.

    Prompting SAM 2 with the simulator mask itself would just return that mask, so this prompts it with
    the mask's bounding box only and compares SAM 2's own mask of the robot with the simulator mask.
    A low IoU means the video does not start from the rendered first frame (other camera, crop or pose).
    """
    predicted = segmenter.segment_frame_from_box(frame, mask_box(sim_mask))
    return float(mask_iou(predicted, sim_mask.cpu()))
