"""A reference whose right answer is known: a scripted motion played kinematically on the task's robot.

``nil generate --known-answer walk`` plays :class:`WalkGait` in the task's env: at every video frame time
t_f = f / fps it writes the robot's state (base pose, joint positions) into the simulator, updates the
kinematics without stepping physics, and renders the follow camera. The frames, the renderer's robot masks
and their clip embeddings become a reference bundle written exactly like a generated one
(:func:`~isaaclab_nil.reference.bundle.save_bundle`); the motion that was played is saved beside them as
``<bundle>/ground_truth.npz`` (:class:`GroundTruth`). That file is not listed in the bundle's ``meta.json``
and training never reads it: it is for ``nil eval``, which scores a trained policy against it.
See ``docs/evaluation.md``.
"""

from __future__ import annotations

import math
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import torch

from ..reference.bundle import BundleMeta, save_bundle
from ..reference.encoder import MASK_BACKGROUND, VideoEncoder, masked_frames
from ..reference.errors import ReferencePipelineError
from .mdp.nil_rewards import frames_per_step
from .reference_tracker import bundle_expectation

if TYPE_CHECKING:
    from .nil_env import NILEnv
    from .nil_env_cfg import NILEnvCfg

GROUND_TRUTH_FILE = "ground_truth.npz"
"""The played motion, in the bundle folder but not in its ``meta.json`` files: training never reads it."""
DEFAULT_DURATION_S = 8.0
"""Default length of a known-answer reference: one 400-step evaluation episode at 50 Hz."""
SETTLE_S = 0.5
"""Seconds the robot stands under zero actions to find where its feet rest (:func:`standing_height`)."""


class KnownAnswerError(ReferencePipelineError):
    """A known-answer reference cannot be made or read (bad settings, wrong robot, bad ground-truth file)."""


@dataclass(frozen=True)
class WalkGait:
    """A periodic walk of the Unitree H1 along +x, as offsets from its default pose.

    Each leg has the phase phi = 2 pi t / period (+ pi for the right leg); the offsets are

        hip pitch  -A sin(phi)                         the leg swings forward while cos(phi) > 0
        knee       knee_lift * max(cos(phi), 0)        the knee bends during the swing only
        ankle      -(hip + knee offsets)               the sole stays parallel to the ground
        shoulder   arm_swing * sin(phi)                each arm swings against the leg on its side

    times the start-up envelope e(t), which rises smoothly from 0 to 1 over ``start_s`` (e = 3u^2 - 2u^3,
    u = t / start_s): the motion starts standing still in the default pose, like the env, and the base
    velocity is speed * e(t) along +x. A = speed * period / (4 * leg_length) makes the stance foot move
    backwards under the hip at the base speed (no foot slip, to first order). The base stays upright.
    """

    speed: float = 0.5
    """Forward speed of the base [m/s]."""
    period: float = 1.0
    """Stride period [s] (two steps)."""
    knee_lift: float = 0.5
    """Extra knee flexion at mid-swing [rad]."""
    arm_swing: float = 0.25
    """Shoulder-pitch amplitude [rad]."""
    leg_length: float = 0.8
    """Hip to ankle [m] (H1: thigh 0.4 + shank 0.4)."""
    start_s: float = 1.0
    """Seconds from standing still to the full walk."""
    max_hip_amplitude: float = 0.5
    """Largest hip swing [rad]; it bounds the speed."""
    right_leg_shift: ClassVar[float] = math.pi
    """Phase of the right leg after the left one [rad]: the legs alternate."""

    def __post_init__(self):
        if self.period <= 0 or self.leg_length <= 0 or self.start_s < 0:
            raise KnownAnswerError(
                f"the walk needs period > 0, leg_length > 0, start_s >= 0; got {self.period}, {self.leg_length}, "
                f"{self.start_s}"
            )
        if not 0.0 <= self.hip_amplitude <= self.max_hip_amplitude:
            fastest = self.max_hip_amplitude * 4 * self.leg_length / self.period
            raise KnownAnswerError(f"the walk's speed must be in [0, {fastest:.2f}] m/s, got {self.speed}")

    @property
    def hip_amplitude(self) -> float:
        return self.speed * self.period / (4 * self.leg_length)

    def envelope(self, times: np.ndarray) -> np.ndarray:
        """e(t): 0 at the start, 1 from ``start_s`` on."""
        u = np.clip(times / self.start_s, 0.0, 1.0) if self.start_s else np.ones_like(times)
        return u * u * (3 - 2 * u)

    def forward_velocity(self, times: np.ndarray) -> np.ndarray:
        """Base velocity along +x [m/s] at ``times`` [s]."""
        return self.speed * self.envelope(times)

    def forward_position(self, times: np.ndarray) -> np.ndarray:
        """Base x [m] at ``times`` [s], from 0 at t = 0: the integral of :meth:`forward_velocity`."""
        if not self.start_s:
            return self.speed * times
        u = np.clip(times / self.start_s, 0.0, 1.0)
        rise = self.start_s * (u**3 - u**4 / 2)  # the integral of e up to min(t, start_s)
        return self.speed * (rise + np.maximum(times - self.start_s, 0.0))

    def leg_offsets(self, phi: np.ndarray) -> dict[str, np.ndarray]:
        """Offsets [rad] of one side's driven joints (names without the side) at its leg phase ``phi``."""
        hip = -self.hip_amplitude * np.sin(phi)
        knee = self.knee_lift * np.maximum(np.cos(phi), 0.0)
        return {"hip_pitch": hip, "knee": knee, "ankle": -(hip + knee), "shoulder_pitch": self.arm_swing * np.sin(phi)}

    def joint_offsets(self, times: np.ndarray, joint_names: list[str]) -> np.ndarray:
        """Offsets from the default pose (T, J) [rad] at ``times`` (T,) [s]; undriven joints stay at 0."""
        offsets = np.zeros((len(times), len(joint_names)))
        envelope = self.envelope(times)
        for side, phase_shift in (("left", 0.0), ("right", self.right_leg_shift)):
            phi = 2 * math.pi * times / self.period + phase_shift
            driven = {f"{side}_{joint}": value for joint, value in self.leg_offsets(phi).items()}
            missing = sorted(set(driven) - set(joint_names))
            if missing:
                raise KnownAnswerError(f"the motion drives the H1 joints {missing}; this robot has {joint_names}")
            for name, value in driven.items():
                offsets[:, joint_names.index(name)] = envelope * value
        return offsets

    def describe(self) -> dict:
        """What ``meta.json`` records as the bundle's source."""
        motion = next(name for name, kind in KNOWN_MOTIONS.items() if kind is type(self))
        return {"kind": "known_answer", "motion": motion, **asdict(self), "ground_truth": GROUND_TRUTH_FILE}


@dataclass(frozen=True)
class MarchGait(WalkGait):
    """The walk's leg and arm motion in place, with a larger swing and no base motion: the H1 marching on a
    gantry (``env.scene.robot.spawn.fix_base=true``), the cheapest known answer to learn, since it needs no
    balance. The hip swing is ``hip_swing`` instead of following from the speed."""

    speed: float = 0.0
    hip_swing: float = 0.35
    """Hip-pitch amplitude [rad] (with the knee lift it keeps the ankle, which holds the sole level, inside
    the H1's joint limits)."""
    arm_swing: float = 0.5

    @property
    def hip_amplitude(self) -> float:
        return self.hip_swing


@dataclass(frozen=True)
class LegTuck(MarchGait):
    """Both legs lift together, hip and knee flexing, and stretch back, once per ``period``: the H1 on a gantry
    tucking its legs. Meant as the cheapest known answer to learn: seen from the side both legs are one silhouette (no
    left/right ambiguity in the masks), the legs are the largest moving part of it, and only their six joints
    move. With lift = (1 - cos phi) / 2, from 0 standing to 1 tucked, the offsets are

        hip pitch  -hip_swing * lift    knee  knee_lift * lift    ankle  -(hip + knee)    shoulder  -arm_swing * lift
    """

    period: float = 2.0
    hip_swing: float = 0.5
    knee_lift: float = 0.8
    """(The ankle, which holds the sole level, stays inside the H1's joint limits with these two.)"""
    arm_swing: float = 0.0
    right_leg_shift: ClassVar[float] = 0.0

    def leg_offsets(self, phi: np.ndarray) -> dict[str, np.ndarray]:
        lift = (1.0 - np.cos(phi)) / 2.0
        hip, knee = -self.hip_swing * lift, self.knee_lift * lift
        return {"hip_pitch": hip, "knee": knee, "ankle": -(hip + knee), "shoulder_pitch": -self.arm_swing * lift}


KNOWN_MOTIONS = {"walk": WalkGait, "march": MarchGait, "tuck": LegTuck}
"""``--known-answer`` name -> motion."""


@dataclass
class GroundTruth:
    """The motion a known-answer reference shows, at its video frame times t_f = f / fps (f = 0..T-1)."""

    fps: float
    period: float
    """The motion's period [s] (``nil eval`` looks for the best time shift within one period)."""
    joint_names: list[str]
    joint_pos: np.ndarray
    """(T, J) joint positions [rad], columns in ``joint_names`` order."""
    base_pos: np.ndarray
    """(T, 3) base position [m] relative to the env origin."""
    base_lin_vel: np.ndarray
    """(T, 3) base linear velocity [m/s] in the world frame."""

    @property
    def times(self) -> np.ndarray:
        return np.arange(len(self.joint_pos)) / self.fps

    def save(self, path: str | Path) -> Path:
        np.savez_compressed(
            path,
            fps=self.fps,
            period=self.period,
            joint_names=np.array(self.joint_names),
            joint_pos=self.joint_pos,
            base_pos=self.base_pos,
            base_lin_vel=self.base_lin_vel,
        )
        return Path(path)

    @classmethod
    def load(cls, path: str | Path) -> GroundTruth:
        """Read a ground-truth file; a missing, corrupt or incomplete one raises ``KnownAnswerError``."""
        try:
            with np.load(path, allow_pickle=False) as data:
                truth = cls(
                    fps=float(data["fps"]),
                    period=float(data["period"]),
                    joint_names=[str(name) for name in data["joint_names"]],
                    joint_pos=data["joint_pos"],
                    base_pos=data["base_pos"],
                    base_lin_vel=data["base_lin_vel"],
                )
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
            problem = f"{type(error).__name__}: {error}"
            raise KnownAnswerError(f"{path}: not a readable ground-truth file ({problem})") from error
        count, joints = len(truth.joint_pos), len(truth.joint_names)
        shapes = {"joint_pos": (count, joints), "base_pos": (count, 3), "base_lin_vel": (count, 3)}
        for name, shape in shapes.items():
            if getattr(truth, name).shape != shape:
                raise KnownAnswerError(f"{path}: {name} is {getattr(truth, name).shape}, expected {shape}")
        return truth


def standing_height(env: NILEnv, seconds: float = SETTLE_S) -> float:
    """Base height [m] above the env origin at which env 0's robot, upright in its exact default pose, has its
    feet (its lowest bodies) where they rest when it stands: found by standing under zero actions for
    ``seconds``, then posing the default pose kinematically."""
    env.reset()
    zero = torch.zeros(env.num_envs, env.action_manager.total_action_dim, device=env.device)
    for _ in range(round(seconds / env.step_dt)):
        _, _, terminated, _, _ = env.step(zero)
        if terminated[0]:
            raise KnownAnswerError(
                "the robot fell while standing in its default pose under zero actions; a known-answer reference "
                "needs a joint-position task (e.g. NIL-H1-Walk, not a torque task)"
            )
    robot = env.scene["robot"]
    resting_feet = float(robot.data.body_pos_w.torch[0, :, 2].min())
    base = robot.data.root_pos_w.torch[0] - env.scene.env_origins[0]
    play_kinematic(env, robot.data.default_joint_pos.torch[:1].clone(), base[None].clone())
    posed_feet = float(robot.data.body_pos_w.torch[0, :, 2].min())
    return float(base[2]) + resting_feet - posed_feet


def play_kinematic(env: NILEnv, joint_pos: torch.Tensor, base_pos: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Put env 0's robot in each pose and render it: no physics step, only the kinematics are updated.

    Args:
        joint_pos: (T, J) joint positions [rad] in the robot's joint order.
        base_pos: (T, 3) base positions [m] relative to the env origin; the base stays upright, facing +x.

    Returns:
        The follow camera's RGB uint8 (T, H, W, 3) and robot masks bool (T, H, W), on the CPU.
    """
    robot = env.scene["robot"]
    upright = torch.tensor([0.0, 0.0, 0.0, 1.0], device=env.device)  # xyzw
    origin = env.scene.env_origins[0]
    frames, masks = [], []
    for q, p in zip(joint_pos.to(env.device, torch.float32), base_pos.to(env.device, torch.float32)):
        robot.write_root_pose_to_sim_index(root_pose=torch.cat([origin + p, upright])[None], env_ids=[0])
        robot.write_joint_position_to_sim_index(position=q[None], env_ids=[0])
        env.sim.forward()  # body poses from the new joint positions
        env.scene.update(dt=env.step_dt)  # refresh the asset data; the camera re-renders when read
        rgb, mask = env.robot_frames()  # views of the camera's buffers: copy before the next render
        frames.append(rgb[0].to("cpu", copy=True))
        masks.append(mask[0].to("cpu", copy=True))
    return torch.stack(frames), torch.stack(masks)


def record_known_answer(
    env: NILEnv, gait: WalkGait, num_frames: int, fps: float
) -> tuple[torch.Tensor, torch.Tensor, GroundTruth]:
    """Play ``gait`` on env 0 of a single-robot env at ``fps`` for ``num_frames`` frames.

    The base starts at the env origin, at the height where the default pose stands (:func:`standing_height`).
    Returns RGB frames uint8 (T, H, W, 3), robot masks bool (T, H, W) and the motion played.
    """
    if num_frames < 1:
        raise KnownAnswerError(f"a reference needs at least one frame, got {num_frames}")
    try:
        frames_per_step(env.step_dt, fps)
    except ValueError as error:
        raise KnownAnswerError(str(error)) from error
    robot = env.scene["robot"]
    height = standing_height(env)
    times = np.arange(num_frames) / fps
    zeros = np.zeros_like(times)
    default = robot.data.default_joint_pos.torch[0].cpu().numpy()
    truth = GroundTruth(
        fps=fps,
        period=gait.period,
        joint_names=list(robot.joint_names),
        joint_pos=(default + gait.joint_offsets(times, list(robot.joint_names))).astype(np.float32),
        base_pos=np.stack([gait.forward_position(times), zeros, np.full_like(times, height)], -1).astype(np.float32),
        base_lin_vel=np.stack([gait.forward_velocity(times), zeros, zeros], -1).astype(np.float32),
    )
    frames, masks = play_kinematic(env, torch.from_numpy(truth.joint_pos), torch.from_numpy(truth.base_pos))
    return frames, masks, truth


def save_known_answer(
    out_dir: str | Path,
    env_cfg: NILEnvCfg,
    frames: torch.Tensor,
    masks: torch.Tensor,
    truth: GroundTruth,
    gait: WalkGait,
    encoder: VideoEncoder,
    batch_size: int = 16,
) -> Path:
    """Write the bundle of ``env_cfg``'s task (as ``nil generate`` writes a generated one) and ``ground_truth.npz``
    beside its data; ``batch_size`` is the number of clips per encoder call."""
    expected = bundle_expectation(env_cfg)
    meta = BundleMeta(
        robot=expected.robot,
        task=expected.task,
        prompt=env_cfg.reference.prompt,
        camera=expected.camera,
        fps=truth.fps,
        num_frames=frames.shape[0],
        seed=0,
        source=gait.describe(),
        encoder=encoder.info,
        segmenter={"kind": "simulator", "what": "the renderer's semantic segmentation of class:robot"},
        mask_background=MASK_BACKGROUND,
    )
    embeddings = encoder.encode_video(masked_frames(frames, masks, MASK_BACKGROUND), batch_size)
    alpha = masks[0].to(torch.uint8).mul(255).unsqueeze(-1)
    first_frame = torch.cat([masked_frames(frames[0], masks[0], "white"), alpha], dim=-1)
    bundle = save_bundle(out_dir, meta, frames, masks, embeddings, first_frame)
    truth.save(bundle / GROUND_TRUTH_FILE)
    return bundle
