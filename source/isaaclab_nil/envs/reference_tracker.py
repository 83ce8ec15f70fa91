"""Per-env state of the NIL video and mask rewards: the reference, each env's frame and its last clip.

:class:`NILEnv` creates one :class:`ReferenceTracker` (``env.reference_tracker``) when
``cfg.reference.bundle`` is set; :func:`load_reference` checks the bundle against the env's config before
the simulation exists, so a wrong bundle fails fast with the bundle's own ``BundleError``. The bundle is the
reference: its fps and length become ``cfg.reference.fps`` and ``num_frames``.

Once per control step, when the first NIL reward term asks (:meth:`ReferenceTracker.update`):

1. each env's reference frame f from its episode step m (``nil_rewards.frame_of_step``);
2. for the envs that reached a new frame, and only then: one render of the follow cameras, the masked frame
   pushed into each env's ring buffer, all their clips embedded in one encoder call, S_video and the mask
   IoU against reference frame f;
3. every step of frame f carries 1/n_f of the frame's values (``nil_rewards.steps_in_frame``), so the
   rewards of a frame's steps sum to the frame's reward; steps past the reference's end carry 0.

Memory: the ring buffer holds the last 8 masked frames per env as uint8 at the encoder's input size S,
channels first: 8 * 3 * S * S bytes, 1.15 MiB per env at TimeSformer-base's S = 224 (4.6 GiB for 4096 envs).
The reference masks and embeddings are shared by all envs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, get_args

import torch

from ..reference.bundle import BundleExpectation, CameraSpec, ReferenceBundle, load_bundle
from ..reference.encoder import VideoEncoder, masked_frames
from ..reference.errors import BundleError
from ..reference.video_io import crop_resize
from .mdp.nil_rewards import (
    Similarity,
    frame_of_step,
    frames_per_step,
    mask_iou,
    steps_in_frame,
    video_similarity,
)

if TYPE_CHECKING:
    from .nil_env import NILEnv
    from .nil_env_cfg import NILEnvCfg


def follow_camera_spec(cfg: NILEnvCfg) -> CameraSpec:
    """The follow camera as a bundle records it (pose relative to the robot, resolution, intrinsics)."""
    camera = cfg.follow_camera
    return CameraSpec.from_focal_length(
        camera.offset, camera.rot, camera.height, camera.width, camera.focal_length, camera.horizontal_aperture
    )


def registered_task(cfg: NILEnvCfg) -> str | None:
    """Id of the registered task whose config class ``cfg`` is; None for an unregistered config."""
    from ..tasks import TASKS

    entry_point = f"{type(cfg).__module__}:{type(cfg).__qualname__}"
    return next((task for task, cfg_entry_point in TASKS.items() if cfg_entry_point == entry_point), None)


def bundle_expectation(cfg: NILEnvCfg) -> BundleExpectation:
    """What a bundle made for this env records: robot (``cfg.reference.embodiment``), task id, camera.

    The encoder is checked separately (:func:`load_reference`), as the bundle names it.
    """
    return BundleExpectation(robot=cfg.reference.embodiment, task=registered_task(cfg), camera=follow_camera_spec(cfg))


def load_reference(cfg: NILEnvCfg) -> tuple[ReferenceBundle, VideoEncoder | None]:
    """Load ``cfg.reference.bundle`` and, when the video term is on (alpha != 0), its encoder, on the env's device.

    Raises ``BundleError`` when the bundle was made for another robot, task, camera or encoder, and
    ``ValueError`` when the env cannot use it (no follow camera, video faster than control).
    """
    reward = cfg.nil_reward
    if cfg.scene.follow_camera is None and (reward.alpha or reward.beta):
        raise ValueError("the NIL video and mask rewards need the follow camera (make the env with camera=True)")
    if reward.similarity not in get_args(Similarity):
        raise ValueError(f"env.nil_reward.similarity must be one of {get_args(Similarity)}, got {reward.similarity!r}")
    bundle = load_bundle(cfg.reference.bundle, bundle_expectation(cfg))
    frames_per_step(cfg.sim.dt * cfg.decimation, bundle.meta.fps)
    if not reward.alpha:
        return bundle, None
    recorded = bundle.meta.encoder
    encoder = VideoEncoder.from_pretrained(
        reward.encoder_path or recorded.id,
        device=cfg.sim.device,
        dtype=getattr(torch, reward.encoder_dtype),
        token=recorded.token,
    )
    loaded = encoder.info
    other_revision = None not in (loaded.revision, recorded.revision) and loaded.revision != recorded.revision
    if loaded.dim != recorded.dim or other_revision:
        raise BundleError(
            f"{bundle.path}: the bundle's embeddings come from encoder {recorded.id!r} (revision {recorded.revision}, "
            f"dim {recorded.dim}) but {loaded.id!r} (revision {loaded.revision}, dim {loaded.dim}) was loaded; "
            "set env.nil_reward.encoder_path to that encoder, or regenerate the bundle with `nil generate`"
        )
    return bundle, encoder


class ReferenceTracker:
    """Where each env is in the reference, the clip of its last 8 rendered frames, and its current rewards.

    Attributes (all on the env's device, one row per env):
        frame: long, the reference frame the env is in; -1 after a reset until its first frame is captured.
        similarity: S_video of the env's current frame (0 when the video term is off).
        iou: mask IoU of the env's current frame.
        step_share: the share of the frame's values this control step carries: 1/n_f, or 0 past the reference.
    """

    def __init__(self, env: NILEnv, bundle: ReferenceBundle, encoder: VideoEncoder | None):
        self.env = env
        self.bundle = bundle.to(env.device)
        self.encoder = encoder
        self.kind = env.cfg.nil_reward.similarity
        self.encoder_batch_size = env.cfg.nil_reward.encoder_batch_size
        self.num_frames = bundle.meta.num_frames
        self.frames_per_step = frames_per_step(env.step_dt, bundle.meta.fps)
        frames = torch.arange(self.num_frames, device=env.device)
        self.steps_per_frame = steps_in_frame(frames, self.frames_per_step).float()

        n = env.num_envs
        self.frame = torch.full((n,), -1, dtype=torch.long, device=env.device)
        self.similarity = torch.zeros(n, device=env.device)
        self.iou = torch.zeros(n, device=env.device)
        self.step_share = torch.zeros(n, device=env.device)
        self.clips: torch.Tensor | None = None
        """uint8 (N, L, 3, S, S) ring buffer, L = 8 clip frames at the encoder's size S; frame f is in slot f % L."""
        if encoder is not None:
            size = encoder.image_size
            self.clips = torch.zeros((n, encoder.num_frames, 3, size, size), dtype=torch.uint8, device=env.device)
        self._updated_at_step = -1

    def update(self) -> None:
        """Bring every env to this control step; later calls in the same step return at once."""
        env = self.env
        if self._updated_at_step == env.common_step_counter:
            return
        self._updated_at_step = env.common_step_counter
        frame = frame_of_step(env.episode_length_buf, self.frames_per_step)
        inside = frame < self.num_frames
        frame = frame.clamp(max=self.num_frames - 1)
        self.step_share = torch.where(inside, 1.0 / self.steps_per_frame[frame], 0.0)
        ids = (inside & (frame != self.frame)).nonzero().squeeze(-1)
        if ids.numel() == 0:
            return
        rgb, mask = env.robot_frames()
        rgb, mask, frame = rgb[ids], mask[ids], frame[ids]  # from here on: the envs at a new frame
        first = self.frame[ids] < 0
        self.frame[ids] = frame
        self.iou[ids] = mask_iou(mask, self.bundle.masks[frame])
        if self.encoder is not None:
            self._push(ids, masked_frames(rgb, mask, self.bundle.meta.mask_background), first)
            embeddings = self.encoder.encode(self.clip(ids), self.encoder_batch_size)
            self.similarity[ids] = video_similarity(embeddings, self.bundle.embeddings[frame], self.kind)

    def clip(self, env_ids: torch.Tensor) -> torch.Tensor:
        """The clips of ``env_ids``, frames f-7 .. f in time order: uint8 (B, 8, 3, S, S), the encoder's input."""
        length = self.clips.shape[1]
        slots = (self.frame[env_ids, None] + 1 + torch.arange(length, device=self.frame.device)) % length
        return self.clips[env_ids[:, None], slots]

    def reset(self, env_ids: torch.Tensor | slice) -> None:
        """Forget the episode of ``env_ids`` (the other envs keep theirs)."""
        self.frame[env_ids] = -1
        self.similarity[env_ids] = 0.0
        self.iou[env_ids] = 0.0
        self.step_share[env_ids] = 0.0
        if self.clips is not None:
            self.clips[env_ids] = 0

    def _push(self, env_ids: torch.Tensor, rgb: torch.Tensor, first: torch.Tensor) -> None:
        """Write masked uint8 (B, H, W, 3) frames, resized to the encoder's input, into the slot of each env's
        current frame; where ``first`` (the first frame after a reset), into all 8 slots: the paper's clip
        padding with frame 0."""
        length, size = self.clips.shape[1], self.clips.shape[-1]
        images = crop_resize(rgb.permute(0, 3, 1, 2).float(), (size, size)).round_().clamp_(0, 255).to(torch.uint8)
        slots = torch.arange(length, device=rgb.device)
        write = ((self.frame[env_ids] % length)[:, None] == slots) | first[:, None]
        self.clips[env_ids] = torch.where(write[:, :, None, None, None], images[:, None], self.clips[env_ids])
