"""The reference command: the reference video a NIL env imitates, as an Isaac Lab command term.

:class:`ReferenceCommand` owns the reference bundle for the env (``cfg.commands.reference``). It loads and
checks the bundle when the env is made, keeps each env's reference frame and its clip of the last 8 rendered
frames, and resets with the episode. Its command is the reference phase (Fourier features of the fraction of
the reference elapsed), the policy's phase observation. The reward terms ``reference_video_similarity`` and
``reference_mask_iou`` and the termination ``reference_finished`` read it by ``command_name``.

One frame clock for every env (:mod:`~isaaclab_nil.alignment`): the clock frame F(g) of the env's control step g
(``common_step_counter``), and per env the clock frame K at which its reference started (``start``: the next
clock frame after its reset). Its reference frame is f = F(g) - K, so every env reaches a new frame on the same
steps, and the cameras render only on those steps (24 of every 50 at 24 fps and 50 Hz control). Once per control
step, when the first reference reward term asks (:meth:`ReferenceCommand.update`):

1. each env's reference frame f (the first steps of an episode, before its reference starts, have none);
2. on a step that starts a clock frame, for the envs inside the reference: one render of the follow cameras,
   the mask IoU against reference frame f, and, when the video-similarity term is on, the masked frame pushed
   into each env's clip and all their clips embedded in one encoder call;
3. every step of clock frame F carries 1/n_F of the frame's values (``step_share``), so the rewards of a frame's
   steps sum to the frame's reward; steps outside the reference carry 0.

What a bundle decides about the env (its fps, length and camera) is written into the env config by
:func:`~isaaclab_nil.envs.factory.apply_reference` when the env is made (``gym.make``); the command checks that
it was. Memory: the clips hold the last 8 masked frames per env as uint8 at the encoder's input size S,
channels first: 8 * 3 * S * S bytes, 1.15 MiB per env at TimeSformer-base's S = 224 (4.6 GiB for 4096 envs).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import MISSING
from typing import Literal

import numpy as np
import torch
from isaaclab.managers import CommandTerm, CommandTermCfg
from isaaclab.utils import configclass

from ...alignment import frame_of_step, frames_per_step, reference_start, steps_in_frame
from ...metrics import mask_iou
from ...reference.bundle import BundleExpectation, BundleMeta, CameraSpec, ReferenceBundle, load_bundle
from ...reference.encoder import Attention, VideoEncoder, input_normalization, masked_frames
from ...reference.errors import BundleError
from ...reference.video_io import crop_resize
from .camera import robot_frames

PHASE_FREQUENCIES = (1, 2, 4, 8, 16)
"""Cycles per reference of the phase's Fourier features: up to 16, a gait's steps in a few-second video."""


class ReferenceCommand(CommandTerm):
    """Where each env is in the reference, the clip of its last 8 rendered frames, and its current frame's scores.

    Attributes (on the env's device, one row per env):
        start: long, the clock frame K at which the env's reference started (its frame is F(g) - K).
        frame: long, the reference frame the env is in; -1 after a reset until its first frame is captured.
        iou: mask IoU of the env's current frame (0 without a bundle).
        embedding: float (N, D), the clip embedding of the env's current frame; None when no term needs it.
        step_share: the share of the frame's values this control step carries: 1/n of its clock frame, or 0 outside
            the reference.
    """

    cfg: ReferenceCommandCfg

    def __init__(self, cfg: ReferenceCommandCfg, env):
        super().__init__(cfg, env)
        self.frames_per_step = frames_per_step(env.step_dt, cfg.fps)
        self.bundle: ReferenceBundle | None = None
        if cfg.bundle is not None:
            self.bundle = load_bundle(cfg.bundle, reference_expectation(env.cfg)).to(self.device)
            if (self.bundle.meta.fps, self.bundle.meta.num_frames) != (cfg.fps, cfg.num_frames):
                raise BundleError(
                    f"{cfg.bundle}: the env config has not taken the bundle's fps and length; make the env with "
                    "gym.make, or call isaaclab_nil.envs.factory.apply_reference(cfg) before ManagerBasedRLEnv(cfg)"
                )
        self.frequencies = torch.tensor(cfg.phase_frequencies, device=self.device, dtype=torch.float32)

        n = self.num_envs
        self.start = torch.zeros(n, dtype=torch.long, device=self.device)
        self.frame = torch.full((n,), -1, dtype=torch.long, device=self.device)
        self.iou = torch.zeros(n, device=self.device)
        self.step_share = torch.zeros(n, device=self.device)
        self.encoder: VideoEncoder | None = None
        self.embedding: torch.Tensor | None = None
        self.clips: torch.Tensor | None = None
        """uint8 (N, L, 3, S, S) ring buffer, L = 8 clip frames at the encoder's size S; frame f is in slot f % L."""
        self._updated_at_step = -1

    def __str__(self) -> str:
        source = self.cfg.bundle or "none (the reference rewards are 0)"
        return f"ReferenceCommand: bundle {source}, {self.cfg.num_frames} frames at {self.cfg.fps} fps"

    @property
    def command(self) -> torch.Tensor:
        """The reference phase (N, 2K + 1): ``sin 2 pi k p`` for each of the K ``phase_frequencies``, then
        ``cos 2 pi k p``, then p = t / T in [0, 1], the fraction of the reference elapsed.

        A motion repeats many times in a reference (a march at 1 s per cycle, 8 cycles in 8 s): with one cycle
        only, the policy's MLP would have to build that fast oscillation of p itself, which it learns slowly;
        the higher frequencies hand it over.
        """
        phase = (self.time / (self.cfg.num_frames / self.cfg.fps)).clamp(0.0, 1.0)
        angles = 2.0 * math.pi * phase.unsqueeze(-1) * self.frequencies
        return torch.cat((torch.sin(angles), torch.cos(angles), phase.unsqueeze(-1)), dim=-1)

    @property
    def clock_frame(self) -> int:
        """F(g): the clock frame of the env's latest control step."""
        return int(frame_of_step(torch.tensor(self._env.common_step_counter), self.frames_per_step))

    @property
    def time(self) -> torch.Tensor:
        """float (N): each env's time in its reference at the end of the latest control step [s], g * step_dt -
        K / fps (negative before its reference starts)."""
        return self._env.common_step_counter * self._env.step_dt - self.start.float() / self.cfg.fps

    @property
    def finished(self) -> torch.Tensor:
        """bool (N): the env has shown the reference's last frame (its episode ends)."""
        return self.clock_frame - self.start >= self.cfg.num_frames

    def embed_clips(self) -> None:
        """Load the bundle's video encoder and keep each env's clip from now on (the video-similarity term
        asks for it when the env is made; without that term the encoder is never loaded)."""
        if self.bundle is None or self.encoder is not None:
            return
        self.encoder = load_encoder(self.bundle, self.cfg, self.device)
        size, length = self.encoder.image_size, self.encoder.num_frames
        self.clips = torch.zeros((self.num_envs, length, 3, size, size), dtype=torch.uint8, device=self.device)
        self.embedding = torch.zeros(self.num_envs, self.encoder.info.dim, device=self.device)

    def update(self) -> None:
        """Bring every env to this control step; later calls in the same step return at once."""
        env = self._env
        if self.bundle is None or self._updated_at_step == env.common_step_counter:
            return
        self._updated_at_step = env.common_step_counter
        clock_frame = self.clock_frame
        frame = clock_frame - self.start
        inside = (frame >= 0) & (frame < self.cfg.num_frames)
        frame = frame.clamp(0, self.cfg.num_frames - 1)
        steps = float(steps_in_frame(torch.tensor(clock_frame), self.frames_per_step))
        self.step_share = torch.where(inside, 1.0 / steps, 0.0)
        ids = (inside & (frame != self.frame)).nonzero().squeeze(-1)
        if ids.numel() == 0:
            return
        rgb, mask = robot_frames(env)
        if ids.numel() < self.num_envs:  # from here on: the envs at a new frame (no copy when that is all)
            rgb, mask = rgb[ids], mask[ids]
        frame = frame[ids]
        first = self.frame[ids] < 0
        self.frame[ids] = frame
        self.iou[ids] = mask_iou(mask, self.bundle.masks[frame])
        if self.encoder is not None:
            self._push(ids, masked_frames(rgb, mask, self.bundle.meta.mask_background), first)
            self._embed(ids)

    def _embed(self, env_ids: torch.Tensor) -> None:
        """Embed the clips of ``env_ids`` into ``embedding``, gathering one encoder batch of clips at a time: the
        time-ordered copy of the clips is one batch's, never the whole ring's (4.6 GiB at 4096 envs)."""
        batch = self.cfg.encoder_batch_size or len(env_ids)
        for chunk in env_ids.split(batch):
            self.embedding[chunk] = self.encoder.encode(self.clip(chunk))

    def clip(self, env_ids: torch.Tensor) -> torch.Tensor:
        """The clips of ``env_ids``, frames f-7 .. f in time order: uint8 (B, 8, 3, S, S), the encoder's input."""
        length = self.clips.shape[1]
        slots = (self.frame[env_ids, None] + 1 + torch.arange(length, device=self.device)) % length
        return self.clips[env_ids[:, None], slots]

    def reset(self, env_ids: Sequence[int] | slice | None = None) -> dict[str, torch.Tensor]:
        """Forget the episode of ``env_ids`` (the other envs keep theirs)."""
        env_ids = slice(None) if env_ids is None else env_ids
        reset_step = torch.tensor(self._env.common_step_counter, device=self.device)
        self.start[env_ids] = reference_start(reset_step, self.frames_per_step)
        self.frame[env_ids] = -1
        self.iou[env_ids] = 0.0
        self.step_share[env_ids] = 0.0
        if self.clips is not None:
            self.clips[env_ids] = 0
            self.embedding[env_ids] = 0.0
        return super().reset(env_ids)

    def _push(self, env_ids: torch.Tensor, rgb: torch.Tensor, first: torch.Tensor) -> None:
        """Write masked uint8 (B, H, W, 3) frames, resized to the encoder's input, into the slot of each env's
        current frame (one slot per env); where ``first`` (the episode's frame 0), into all 8 slots: the paper's clip
        padding with frame 0. Frames at the encoder's size go into the ring as they are, with no float copy."""
        length, size = self.clips.shape[1], self.clips.shape[-1]
        images = rgb.permute(0, 3, 1, 2)
        if images.shape[-2:] != (size, size):
            images = crop_resize(images.float(), (size, size)).round_().clamp_(0, 255).to(torch.uint8)
        self.clips[env_ids, self.frame[env_ids] % length] = images
        self.clips[env_ids[first]] = images[first, None]

    # The command never resamples: the reference is the whole episode.
    def _resample_command(self, env_ids: Sequence[int] | slice) -> None:
        pass

    def _update_command(self) -> None:
        pass

    def _update_metrics(self) -> None:
        pass


@configclass
class ReferenceCommandCfg(CommandTermCfg):
    """The reference video a task imitates: stage 1 writes it (``nil generate``), stage 2 trains against it."""

    class_type: type = ReferenceCommand
    resampling_time_range: tuple[float, float] = (1.0e9, 1.0e9)
    """Never: the reference lasts the whole episode."""
    bundle: str | None = None
    """Reference bundle folder (written by ``nil generate``); None: none yet, and the reference rewards are 0.
    When the env is made, the bundle's fps, length and camera replace the settings here and the scene's
    (:func:`~isaaclab_nil.envs.factory.apply_reference`)."""
    fps: float = 24.0
    """Frame rate of the reference video [frames/s], at most the control rate. With a bundle: the bundle's."""
    num_frames: int = 120
    """Frames in the reference; an episode lasts ``num_frames / fps`` seconds. With a bundle: the bundle's."""
    phase_frequencies: tuple[int, ...] = PHASE_FREQUENCIES
    """Cycles per reference of the phase command's Fourier features."""
    skill: str = MISSING
    """Skill in the prompt, e.g. ``"walking forward"``."""
    embodiment: str = MISSING
    """Embodiment in the prompt, e.g. ``"Unitree H1 humanoid robot"``; a bundle must be made for it."""
    prompt_template: str = "The {embodiment} agent is {skill}, camera follows the agent."
    """Prompt template (paper eq. 1)."""
    builtin_motion: str | None = "walk"
    """The known-answer motion (``reference.motions.KNOWN_MOTIONS``) of the task's built-in reference, which
    training imitates when no bundle is given (``isaaclab_nil.reference.builtin``); None: the task has none, and
    training without a bundle rewards the regularization terms only."""
    encoder_path: str | None = None
    """Where to load the bundle's video encoder from (hub id or local folder); None: the id the bundle records."""
    encoder_dtype: Literal["float32", "bfloat16", "float16"] = "float32"
    """Dtype of the encoder's weights; must be the precision the bundle's embeddings were computed in (its
    ``encoder.dtype``, float32 unless ``nil generate --encoder_dtype`` said otherwise), checked when the env is made."""
    encoder_attention: Attention = "fused"
    """``"fused"``: torch's SDPA kernels, equal to transformers' ``"eager"`` attention within float rounding."""
    encoder_batch_size: int | None = 256
    """Most clips per encoder forward pass (bounds its memory with thousands of envs); None: all at once."""

    @property
    def prompt(self) -> str:
        return self.prompt_template.format(embodiment=self.embodiment, skill=self.skill)


def follow_camera_spec(env_cfg) -> CameraSpec:
    """The follow camera of an env config as a bundle records it (pose relative to the robot, resolution,
    pinhole intrinsics)."""
    camera = env_cfg.scene.follow_camera
    return CameraSpec.from_focal_length(
        camera.offset.pos,
        camera.offset.rot,
        camera.height,
        camera.width,
        camera.spawn.focal_length,
        camera.spawn.horizontal_aperture,
    )


def registered_task(env_cfg) -> str | None:
    """Id of the registered task whose config class ``env_cfg`` is; None for an unregistered config."""
    from ...tasks import TASKS

    entry_point = f"{type(env_cfg).__module__}:{type(env_cfg).__qualname__}"
    return next((task for task, cfg_entry_point in TASKS.items() if cfg_entry_point == entry_point), None)


def reference_expectation(env_cfg) -> BundleExpectation:
    """What a bundle made for this env records: its robot (the command's embodiment) and task id."""
    return BundleExpectation(robot=env_cfg.commands.reference.embodiment, task=registered_task(env_cfg))


def check_reference_encoder(meta: BundleMeta, cfg: ReferenceCommandCfg) -> None:
    """Check, before any simulator exists, that the encoder stage 2 will load (``cfg.encoder_path`` or the one the
    bundle names, in ``cfg.encoder_dtype``) computes its embeddings as the bundle's were: in the same precision and
    with the same input normalisation (its ``preprocessor_config.json``).

    Raises ``BundleError`` naming the setting on a mismatch, ``ModelLoadError`` if the encoder has no
    preprocessor config.
    """
    recorded, name = meta.encoder, cfg.encoder_path or meta.encoder.id
    if cfg.encoder_dtype != recorded.dtype:
        raise BundleError(
            f"{cfg.bundle}: the bundle's embeddings were computed in {recorded.dtype} but "
            f"env.commands.reference.encoder_dtype is {cfg.encoder_dtype}: the reward's embeddings would not be "
            f"comparable; set it to {recorded.dtype}, or make the bundle with `nil generate --encoder_dtype "
            f"{cfg.encoder_dtype}`"
        )
    mean, std = input_normalization(name)
    if not (np.allclose(mean, recorded.mean, rtol=1e-6) and np.allclose(std, recorded.std, rtol=1e-6)):
        raise BundleError(
            f"{cfg.bundle}: the bundle's embeddings were made with input mean {recorded.mean} and std "
            f"{recorded.std} but the encoder {name!r} normalises with mean {mean} and std {std} (its "
            "preprocessor_config.json); use the encoder the bundle was made with, or make the bundle again"
        )


def load_encoder(bundle: ReferenceBundle, cfg: ReferenceCommandCfg, device: str | torch.device) -> VideoEncoder:
    """The encoder the bundle's embeddings come from (``cfg.encoder_path`` or the id the bundle records).

    Raises ``BundleError`` when the loaded encoder is another one (embedding size or hub revision differ).
    """
    recorded = bundle.meta.encoder
    encoder = VideoEncoder.from_pretrained(
        cfg.encoder_path or recorded.id,
        device=device,
        dtype=getattr(torch, cfg.encoder_dtype),
        token=recorded.token,
        attention=cfg.encoder_attention,
    )
    loaded = encoder.info
    other_revision = None not in (loaded.revision, recorded.revision) and loaded.revision != recorded.revision
    if loaded.dim != recorded.dim or other_revision:
        raise BundleError(
            f"{bundle.path}: the bundle's embeddings come from encoder {recorded.id!r} (revision {recorded.revision}, "
            f"dim {recorded.dim}) but {loaded.id!r} (revision {loaded.revision}, dim {loaded.dim}) was loaded; "
            "set env.commands.reference.encoder_path to that encoder, or regenerate the bundle with `nil generate`"
        )
    return encoder
