"""The reference bundle: everything stage 2 needs from stage 1, in one folder, checked when loaded.

Layout::

    <bundle>/
      meta.json               what, how and from which models; sha256 + size of every other file
      frames.npz              uint8 (T, H, W, 3) RGB reference frames, lossless (zlib)
      masks.npz               bool (T, H, W) robot masks, lossless (zlib)
      embeddings.safetensors  float32 (T, D) clip embeddings, key "embeddings"
      first_frame.png         the rendered first frame, RGBA, transparent where the simulator mask is off
      video.mp4               H.264 copy of the frames, for people to watch only

The training data are ``masks.npz`` and ``embeddings.safetensors``. ``frames.npz`` is the exact RGB (H.264
is lossy, so the mp4 is never read back): stage 2 can re-embed it with another encoder, and previews
come from it. :func:`load_bundle` raises one ``BundleError`` for anything wrong: a missing, truncated or
corrupt file, a hash mismatch, or a bundle made for another robot, task (variants such as ``-Paper`` share
references), camera, resolution or encoder.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import safetensors
import safetensors.torch
import torch
from PIL import Image

from .encoder import MASK_BACKGROUND, EncoderInfo, VideoEncoder, masked_frames
from .errors import BundleError
from .video_io import write_video

SCHEMA_VERSION = 2
"""2: the encoder's precision and input normalisation are recorded (``EncoderInfo.dtype``, ``mean``, ``std``)."""
META_FILE = "meta.json"
FRAMES_FILE = "frames.npz"
MASKS_FILE = "masks.npz"
EMBEDDINGS_FILE = "embeddings.safetensors"
FIRST_FRAME_FILE = "first_frame.png"
VIDEO_FILE = "video.mp4"
DATA_FILES = (FRAMES_FILE, MASKS_FILE, EMBEDDINGS_FILE, FIRST_FRAME_FILE, VIDEO_FILE)


@dataclass(frozen=True)
class CameraSpec:
    """The follow camera: pose relative to the robot it follows, resolution, pinhole intrinsics in pixels."""

    pos: tuple[float, float, float]
    rot_xyzw: tuple[float, float, float, float]
    """Orientation quaternion, (x, y, z, w) order."""
    height: int
    width: int
    fx: float
    fy: float
    cx: float
    cy: float

    @classmethod
    def from_focal_length(
        cls,
        pos: tuple[float, float, float],
        rot_xyzw: tuple[float, float, float, float],
        height: int,
        width: int,
        focal_length: float,
        horizontal_aperture: float,
    ) -> CameraSpec:
        """From a USD / Isaac Lab pinhole camera: focal length and horizontal aperture in one unit, square
        pixels, principal point at the image centre."""
        f = focal_length * width / horizontal_aperture
        return cls(tuple(pos), tuple(rot_xyzw), height, width, f, f, width / 2, height / 2)

    @property
    def resolution(self) -> tuple[int, int]:
        return self.height, self.width


@dataclass
class BundleMeta:
    """Contents of ``meta.json``."""

    robot: str
    task: str
    prompt: str
    camera: CameraSpec
    fps: float
    num_frames: int
    seed: int
    source: dict
    """Where the video came from: ``VideoGenerator.describe()`` or ``VideoFileSource.describe()``."""
    encoder: EncoderInfo
    segmenter: dict
    mask_background: str
    """Colour of non-robot pixels in the encoder's masked frames; stage 2 must mask the same way."""
    first_frame_iou: float | None = None
    """Imported videos: IoU of SAM 2's box-prompted first-frame mask with the simulator mask."""
    camera_fit: dict | None = None
    """Imported videos with ``--fit-camera``: how ``camera`` was fitted to the video (the task's camera it started
    from, the box that prompted SAM 2, the IoU of the rendered mask with the video's); None: the task's camera."""
    schema_version: int = SCHEMA_VERSION
    created: str = ""
    files: dict[str, dict] = field(default_factory=dict)
    """File name -> {"sha256": hex, "bytes": size}; filled by :func:`save_bundle`."""

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> BundleMeta:
        """Parse ``meta.json``; KeyError / TypeError / ValueError on missing or malformed fields."""
        names = {f.name for f in fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise KeyError(f"unknown fields {sorted(unknown)}")
        camera = dict(data["camera"])
        camera["pos"], camera["rot_xyzw"] = tuple(camera["pos"]), tuple(camera["rot_xyzw"])
        encoder = dict(data["encoder"])
        encoder["mean"], encoder["std"] = tuple(encoder["mean"]), tuple(encoder["std"])
        return cls(**{**data, "camera": CameraSpec(**camera), "encoder": EncoderInfo(**encoder)})


@dataclass(frozen=True)
class BundleExpectation:
    """What the caller (stage 2) needs the bundle to be; ``None`` fields are not checked."""

    robot: str | None = None
    task: str | None = None
    camera: CameraSpec | None = None
    encoder: EncoderInfo | None = None


@dataclass
class ReferenceBundle:
    """A loaded bundle. Tensors are on the CPU; :meth:`to` moves them to a device."""

    path: Path
    meta: BundleMeta
    frames: torch.Tensor
    """uint8 (T, H, W, 3) RGB, exactly the saved frames."""
    masks: torch.Tensor
    """bool (T, H, W)."""
    embeddings: torch.Tensor
    """float32 (T, D); row t embeds the masked clip ending at frame t."""
    first_frame: torch.Tensor
    """uint8 (H, W, 4) RGBA."""

    def to(self, device: str | torch.device) -> ReferenceBundle:
        return ReferenceBundle(
            self.path,
            self.meta,
            self.frames.to(device),
            self.masks.to(device),
            self.embeddings.to(device),
            self.first_frame.to(device),
        )


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class BundleSource:
    """What a producer of a bundle knows about it beyond its frames: the fields of ``meta.json`` that
    :func:`write_bundle` cannot derive."""

    robot: str
    task: str
    prompt: str
    camera: CameraSpec
    fps: float
    seed: int
    source: dict
    """Where the video came from (a generator, a video file, a known-answer motion, a simulator rollout)."""
    segmenter: dict
    """What made the masks (SAM 2's id and revision, or the simulator)."""
    first_frame_iou: float | None = None
    camera_fit: dict | None = None


def write_bundle(
    out_dir: str | Path,
    source: BundleSource,
    frames: torch.Tensor,
    masks: torch.Tensor,
    encoder: VideoEncoder,
    first_frame: tuple[torch.Tensor, torch.Tensor] | None = None,
    batch_size: int = 16,
) -> Path:
    """Embed the masked clip ending at every frame and write the bundle folder: what every producer of a bundle
    (the video pipeline, the known-answer source, tests and benchmarks) calls.

    Args:
        frames: uint8 (T, H, W, 3) RGB; masks: bool (T, H, W) robot masks.
        first_frame: the rendered first frame given to a video generator and its simulator mask, (H, W, 3)
            uint8 and (H, W) bool; None: frame 0 and its mask.
        batch_size: clips per encoder call.
    """
    first_rgb, first_mask = first_frame if first_frame is not None else (frames[0], masks[0])
    first_rgb, first_mask = first_rgb.cpu(), first_mask.cpu()
    embeddings = encoder.encode_video(masked_frames(frames, masks, MASK_BACKGROUND), batch_size)
    meta = BundleMeta(
        **{f.name: getattr(source, f.name) for f in fields(BundleSource)},
        num_frames=frames.shape[0],
        encoder=encoder.info,
        mask_background=MASK_BACKGROUND,
    )
    alpha = first_mask.to(torch.uint8).mul(255).unsqueeze(-1)
    first_frame_rgba = torch.cat([masked_frames(first_rgb, first_mask, "white"), alpha], dim=-1)
    return save_bundle(out_dir, meta, frames, masks, embeddings, first_frame_rgba)


def save_bundle(
    out_dir: str | Path,
    meta: BundleMeta,
    frames: torch.Tensor,
    masks: torch.Tensor,
    embeddings: torch.Tensor,
    first_frame_rgba: torch.Tensor,
) -> Path:
    """Write the files of a bundle whose meta and arrays are complete (:func:`write_bundle` makes them from a
    producer's frames; this re-saves a loaded bundle). The folder is created if needed; files of an older
    bundle there are replaced.

    The saved meta gets ``files`` (hashes) and ``created`` filled in. meta.json is written last, so an
    interrupted save leaves a folder that fails to load instead of a silently inconsistent one.
    """
    out = Path(out_dir)
    problem = _array_problem(meta, frames, masks, embeddings, first_frame_rgba)
    if problem:
        raise ValueError(problem)

    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out / FRAMES_FILE, frames=frames.cpu().numpy())
    np.savez_compressed(out / MASKS_FILE, masks=masks.cpu().numpy())
    safetensors.torch.save_file(
        {"embeddings": embeddings.detach().cpu().contiguous()},
        out / EMBEDDINGS_FILE,
        metadata={"encoder": meta.encoder.id},
    )
    Image.fromarray(first_frame_rgba.cpu().numpy()).save(out / FIRST_FRAME_FILE)
    write_video(out / VIDEO_FILE, frames, meta.fps)

    files = {name: {"sha256": sha256_file(out / name), "bytes": (out / name).stat().st_size} for name in DATA_FILES}
    created = datetime.now(UTC).isoformat(timespec="seconds")
    meta = replace(meta, files=files, created=created)
    temporary = out / (META_FILE + ".tmp")
    temporary.write_text(json.dumps(meta.to_dict(), indent=2))
    os.replace(temporary, out / META_FILE)
    return out


def bundle_digest(path: str | Path) -> str:
    """The sha256 of a bundle's ``meta.json``: it lists every data file's hash and the time it was made, so two
    bundles with the same digest are the same reference."""
    return sha256_file(Path(path) / META_FILE)


def read_bundle_meta(path: str | Path, expect: BundleExpectation | None = None) -> BundleMeta:
    """Read and check a bundle's ``meta.json`` only (no data file is read): fast, for checks before a simulator
    starts. Any problem raises one ``BundleError`` naming the file or field."""
    path = Path(path)
    meta = _read_meta(path)
    if expect is not None:
        _check_expectation(path, meta, expect)
    return meta


def load_bundle(path: str | Path, expect: BundleExpectation | None = None) -> ReferenceBundle:
    """Load and check a bundle; any problem raises one ``BundleError`` naming the file or field."""
    path = Path(path)
    meta = read_bundle_meta(path, expect)
    for name in DATA_FILES:
        _check_file(path, name, meta.files.get(name))
    try:
        with np.load(path / FRAMES_FILE) as data:
            frames = torch.from_numpy(data["frames"])
        with np.load(path / MASKS_FILE) as data:
            masks = torch.from_numpy(data["masks"])
        embeddings = safetensors.torch.load_file(path / EMBEDDINGS_FILE)["embeddings"]
        with Image.open(path / FIRST_FRAME_FILE) as image:
            first_frame = torch.from_numpy(np.array(image.convert("RGBA")))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, safetensors.SafetensorError) as error:
        raise BundleError(f"{path}: a data file cannot be read ({type(error).__name__}: {error})") from error

    problem = _array_problem(meta, frames, masks, embeddings, first_frame)
    if problem:
        raise BundleError(f"{path}: {problem}")
    return ReferenceBundle(path, meta, frames, masks, embeddings, first_frame)


def _read_meta(path: Path) -> BundleMeta:
    if not path.is_dir():
        raise BundleError(f"{path}: no reference bundle folder here (run `nil generate` first)")
    meta_path = path / META_FILE
    if not meta_path.is_file():
        raise BundleError(f"{path}: {META_FILE} is missing (not a bundle, or its creation was interrupted)")
    try:
        data = json.loads(meta_path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BundleError(f"{meta_path}: not valid JSON, the file is corrupt ({error})") from error
    if not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION:
        found = data.get("schema_version") if isinstance(data, dict) else None
        raise BundleError(
            f"{meta_path}: schema_version is {found!r}, this version of isaaclab_nil reads {SCHEMA_VERSION}; "
            "make the bundle again with `nil generate`"
        )
    try:
        return BundleMeta.from_dict(data)
    except (KeyError, TypeError, ValueError) as error:
        problem = f"{type(error).__name__}: {error}"
        raise BundleError(f"{meta_path}: missing or malformed field ({problem})") from error


def robot_and_skill(task: str) -> str:
    """``NIL-<Robot>-<Skill>`` of a task id without its variant suffix (``NIL-H1-Walk-Paper`` -> ``NIL-H1-Walk``):
    variants differ in their actions only, so they share references."""
    return "-".join(task.split("-")[:3])


def _check_expectation(path: Path, meta: BundleMeta, expect: BundleExpectation) -> None:
    def mismatch(name: str, found, expected) -> BundleError:
        remake = f"`nil generate --task {expect.task}`" if expect.task else "`nil generate`"
        return BundleError(
            f"{path}: {name} is {found!r} in the bundle but {expected!r} is expected; this bundle was made for "
            f"{meta.task}: use it with that task, or make one for this task with {remake}"
        )

    if expect.robot is not None and meta.robot != expect.robot:
        raise mismatch("robot", meta.robot, expect.robot)
    if expect.task is not None and robot_and_skill(meta.task) != robot_and_skill(expect.task):
        raise mismatch("task", meta.task, expect.task)
    if expect.camera is not None:
        if meta.camera.resolution != expect.camera.resolution:
            raise mismatch("resolution (height, width)", meta.camera.resolution, expect.camera.resolution)
        for name in ("pos", "rot_xyzw", "fx", "fy", "cx", "cy"):
            found, expected = getattr(meta.camera, name), getattr(expect.camera, name)
            if np.shape(found) != np.shape(expected) or not np.allclose(found, expected, rtol=1e-5, atol=1e-6):
                raise mismatch(f"camera.{name}", found, expected)
    if expect.encoder is not None:
        for name in ("id", "token", "dim", "dtype"):
            found, expected = getattr(meta.encoder, name), getattr(expect.encoder, name)
            if found != expected:
                raise mismatch(f"encoder.{name}", found, expected)
        for name in ("mean", "std"):
            found, expected = getattr(meta.encoder, name), getattr(expect.encoder, name)
            if not np.allclose(found, expected, rtol=1e-6):
                raise mismatch(f"encoder.{name}", found, expected)
        found, expected = meta.encoder.revision, expect.encoder.revision
        if None not in (found, expected) and found != expected:  # a local folder has no revision
            raise mismatch("encoder.revision", found, expected)


def _check_file(path: Path, name: str, recorded: dict | None) -> None:
    file = path / name
    if recorded is None:
        raise BundleError(f"{path / META_FILE}: no hash recorded for {name} (incomplete meta.json)")
    if not file.is_file():
        raise BundleError(f"{file}: missing")
    size = file.stat().st_size
    if size != recorded["bytes"]:
        raise BundleError(f"{file}: {size} bytes but meta.json records {recorded['bytes']} (truncated or replaced)")
    digest = sha256_file(file)
    if digest != recorded["sha256"]:
        raise BundleError(
            f"{file}: sha256 is {digest} but meta.json records {recorded['sha256']} (corrupt or modified)"
        )


def _array_problem(
    meta: BundleMeta, frames: torch.Tensor, masks: torch.Tensor, embeddings: torch.Tensor, first_frame: torch.Tensor
) -> str | None:
    """What is wrong with the bundle's arrays given the sizes in meta, or ``None``."""
    count, (height, width) = meta.num_frames, meta.camera.resolution
    expected = {
        FRAMES_FILE: (frames, torch.uint8, (count, height, width, 3)),
        MASKS_FILE: (masks, torch.bool, (count, height, width)),
        EMBEDDINGS_FILE: (embeddings, torch.float32, (count, meta.encoder.dim)),
        FIRST_FRAME_FILE: (first_frame, torch.uint8, (height, width, 4)),
    }
    for name, (array, dtype, shape) in expected.items():
        if array.dtype != dtype or tuple(array.shape) != shape:
            return f"{name} holds {array.dtype} {tuple(array.shape)} but meta implies {dtype} {shape}"
    return None
