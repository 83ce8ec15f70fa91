"""Playback of a scripted motion on a robot, filmed with the follow camera: the known-answer reference source.

``nil generate --known-answer`` uses it. :func:`record_motion` poses a scripted motion
(``isaaclab_nil.reference.motions``) on env 0 without physics at the video's frame times; :func:`record_simulated`
plays the same motion's joint positions as targets through PD and physics from the reset, on the env's frame clock,
and keeps the state the physics reached (the reference a replay reproduces, on a free base too). Both return the
frames, the renderer's robot masks and the motion shown (its ground truth); :func:`write_known_answer_bundle`
writes them as a reference bundle with the motion beside it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from isaaclab.envs import ManagerBasedRLEnv

from ..alignment import frames_per_step
from ..reference.bundle import BundleSource, write_bundle
from ..reference.encoder import VideoEncoder
from ..reference.errors import KnownAnswerError
from ..reference.ground_truth import GROUND_TRUTH_FILE, GroundTruth
from ..reference.motions import LegMotion
from ..reference.video_check import CLIP_LENGTH
from .mdp.camera import robot_frames
from .mdp.commands import follow_camera_spec

SETTLE_S = 0.5
"""Seconds the robot stands under zero actions to find where its feet rest (:func:`standing_height`)."""


def standing_height(env: ManagerBasedRLEnv, seconds: float = SETTLE_S) -> float:
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


def play_kinematic(
    env: ManagerBasedRLEnv, joint_pos: torch.Tensor, base_pos: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
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
        rgb, mask = robot_frames(env)  # views of the camera's buffers: copy before the next render
        frames.append(rgb[0].to("cpu", copy=True))
        masks.append(mask[0].to("cpu", copy=True))
    return torch.stack(frames), torch.stack(masks)


def record_motion(
    env: ManagerBasedRLEnv, motion: LegMotion, num_frames: int, fps: float
) -> tuple[torch.Tensor, torch.Tensor, GroundTruth]:
    """Play ``motion`` on env 0 of a single-robot env at ``fps`` for ``num_frames`` frames.

    The base starts at the env origin, at the height where the default pose stands (:func:`standing_height`).
    Returns RGB frames uint8 (T, H, W, 3), robot masks bool (T, H, W) and the motion played.
    """
    if num_frames < 1:
        raise KnownAnswerError(f"a reference needs at least one frame, got {num_frames}")
    try:
        frames_per_step(env.step_dt, fps)
    except ValueError as error:
        raise KnownAnswerError(str(error)) from error
    height = standing_height(env)
    times = np.arange(num_frames) / fps
    zeros = np.zeros_like(times)
    truth = GroundTruth(
        fps=fps,
        period=motion.period,
        joint_names=list(env.scene["robot"].joint_names),
        joint_pos=motion_joint_pos(env, motion, times),
        base_pos=np.stack([motion.forward_position(times), zeros, np.full_like(times, height)], -1).astype(np.float32),
        base_lin_vel=np.stack([motion.forward_velocity(times), zeros, zeros], -1).astype(np.float32),
    )
    frames, masks = play_kinematic(env, torch.from_numpy(truth.joint_pos), torch.from_numpy(truth.base_pos))
    return frames, masks, truth


def motion_joint_pos(env: ManagerBasedRLEnv, motion: LegMotion, times: np.ndarray) -> np.ndarray:
    """(T, J) float32 joint positions [rad] of ``motion`` at ``times`` [s]: env 0's default pose plus its offsets."""
    robot = env.scene["robot"]
    default = robot.data.default_joint_pos.torch[0].cpu().numpy()
    return (default + motion.joint_offsets(times, list(robot.joint_names))).astype(np.float32)


def record_simulated(
    env: ManagerBasedRLEnv, motion: LegMotion, num_frames: int, fps: float
) -> tuple[torch.Tensor, torch.Tensor, GroundTruth]:
    """Play ``motion``'s joint positions as env 0's joint-position targets through PD and physics and film it.

    From a reset of a fresh env (in the default pose exactly when its reset events have no noise: ``nil generate``'s
    nominal env), the targets are replayed as ``replay_policy`` plays a known answer, and frame f is filmed at the
    control step that starts it on the env's frame clock, as the NIL reward films an episode: so a replay in a fresh
    nominal env reproduces the frames. The ground truth is the state the physics reached at those steps (up to one
    control step after the frame time f / fps), with the targets played as its ``joint_targets``. A fall or the
    episode's end stops the recording: it keeps the frames filmed so far if they fill one clip.

    Returns RGB frames uint8 (T, H, W, 3), robot masks bool (T, H, W) and the motion shown, T <= ``num_frames``.
    """
    from ..evaluation.rollout import replay_policy

    command = env.command_manager.get_term("reference")
    if num_frames < CLIP_LENGTH:
        raise KnownAnswerError(f"a simulated known answer needs at least one clip, {CLIP_LENGTH} frames")
    if fps != command.cfg.fps:
        raise KnownAnswerError(
            f"a simulated known answer is filmed on the env's frame clock, at its reference's {command.cfg.fps:g} "
            f"fps, not {fps:g}: set env.commands.reference.fps"
        )
    robot, origin = env.scene["robot"], env.scene.env_origins[0]
    times = np.arange(num_frames) / fps
    targets = motion_joint_pos(env, motion, times)
    zeros = np.zeros((num_frames, 3), dtype=np.float32)
    played = GroundTruth(fps, motion.period, list(robot.joint_names), targets, zeros, zeros)
    obs, _ = env.reset()
    policy = replay_policy(env, played)
    frames, masks, states = [], [], []
    while len(frames) < num_frames:
        obs, _, terminated, truncated, _ = env.step(policy(obs["policy"]))
        if bool(terminated[0] | truncated[0]):
            break
        if command.clock_frame - int(command.start[0]) == len(frames):  # the step that starts the next frame
            rgb, mask = robot_frames(env)
            frames.append(rgb[0].to("cpu", copy=True))
            masks.append(mask[0].to("cpu", copy=True))
            data = robot.data  # views of the simulator's buffers: copy
            state = (data.joint_pos.torch[0], data.root_pos_w.torch[0] - origin, data.root_lin_vel_w.torch[0])
            states.append([x.to("cpu", copy=True) for x in state])
    count = len(frames)
    if count < CLIP_LENGTH:
        raise KnownAnswerError(
            f"the robot fell {count} frames into the simulated {motion.name} (fewer than a clip, {CLIP_LENGTH}): "
            "its joint targets do not keep it up through PD and physics; try a slower motion (--speed)"
        )
    if count < num_frames:
        print(f"[nil generate] the robot fell at frame {count} of the simulated {motion.name}: keeping {count} frames")
    joint_pos, base_pos, base_lin_vel = (
        torch.stack([state[k] for state in states]).numpy().astype(np.float32) for k in range(3)
    )
    truth = GroundTruth(fps, motion.period, played.joint_names, joint_pos, base_pos, base_lin_vel, targets[:count])
    return torch.stack(frames), torch.stack(masks), truth


def write_known_answer_bundle(
    env: ManagerBasedRLEnv,
    task: str,
    motion: LegMotion,
    num_frames: int,
    fps: float,
    encoder: VideoEncoder,
    out: Path,
    batch_size: int = 16,
    simulated: bool = False,
) -> Path:
    """Play ``motion`` on env 0 (:func:`record_motion`, or :func:`record_simulated` if ``simulated``) and write it
    as ``task``'s reference bundle in ``out``, embedded by ``encoder``, with the motion shown beside it
    (``ground_truth.npz``); returns the bundle folder."""
    record = record_simulated if simulated else record_motion
    frames, masks, truth = record(env, motion, num_frames, fps)
    reference = env.cfg.commands.reference
    source = BundleSource(
        robot=reference.embodiment,
        task=task,
        prompt=reference.prompt,
        camera=follow_camera_spec(env.cfg),
        fps=fps,
        seed=0,
        source=motion.describe() | {"played": "simulated" if simulated else "kinematic"},
        segmenter={"kind": "simulator", "what": "the renderer's semantic segmentation of class:robot"},
    )
    bundle = write_bundle(out, source, frames, masks, encoder, batch_size=batch_size)
    truth.save(bundle / GROUND_TRUTH_FILE)
    return bundle
