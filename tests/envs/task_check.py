"""Build one registered NIL task and measure what the registry tests check (one simulation per process).

    python tests/envs/task_check.py NIL-Go2-Walk result.json [picture.png [camera_px]]

Writes a JSON report: joint and observation sizes, 200 random steps (finite, never a diverged physics state),
2 s under zero actions (base height and uprightness over time, terminations), the follow camera's robot mask
(area, centroid, bounding box, and where the robot's bodies project into the image), and for joint-position
variants a short known-answer bundle made in this env and loaded back. The test asserts on it.
With a picture path, also saves the follow camera's RGB | mask of the robot settled on its feet (0.3 s into the
zero-action stand), at ``camera_px`` (default 64) shown twice its size.
"""

from __future__ import annotations

import json
import math
import sys
import time

import torch

NUM_ENVS = 2
CAMERA_PX = 64
RANDOM_STEPS = 200
STAND_STEPS = 100  # 2 s at 50 Hz
BUNDLE_FRAMES = 12  # more than one 8-frame clip
PICTURE_STEP = 15  # 0.3 s into the stand: settled on its feet, before a humanoid on open-loop gains tips over


def project(points: torch.Tensor, cam_pos: torch.Tensor, cam_rot_xyzw: tuple, cfg) -> torch.Tensor:
    """Pixel (u, v) of world points (P, 3) in a pinhole camera at ``cam_pos`` with orientation ``cam_rot_xyzw``
    ("world" convention: forward +X, up +Z of the camera frame)."""
    x, y, z, w = cam_rot_xyzw
    rot = torch.tensor(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
            [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
            [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
        ]
    )
    forward, up = rot[:, 0], rot[:, 2]
    right = torch.linalg.cross(forward, up)
    rel = points - cam_pos
    depth = rel @ forward
    focal_px = cfg.spawn.focal_length / cfg.spawn.horizontal_aperture * cfg.width
    u = cfg.width / 2 + focal_px * (rel @ right) / depth
    v = cfg.height / 2 - focal_px * (rel @ up) / depth
    return torch.stack((u, v), dim=-1)


def save_picture(rgb: torch.Tensor, mask: torch.Tensor, path: str) -> None:
    """RGB | mask side by side, at twice the camera's resolution."""
    import numpy as np
    from PIL import Image

    tile = np.concatenate([rgb.cpu().numpy(), np.repeat(mask[..., None].cpu().numpy() * 255, 3, -1)], 1)
    height, width = mask.shape
    Image.fromarray(tile.astype(np.uint8)).resize((4 * width, 2 * height)).save(path)


def known_answer_bundle(env, task: str) -> dict:
    """Make a short known-answer bundle of the robot's first motion in this env (env 0, a tiny random encoder) and
    load it back as the task loads a bundle: what the robot offers, and the bundle's sizes."""
    import tempfile

    from isaaclab_nil.envs.mdp.commands import reference_expectation
    from isaaclab_nil.envs.playback import write_known_answer_bundle
    from isaaclab_nil.reference.bundle import load_bundle
    from isaaclab_nil.reference.encoder import VideoEncoder, save_random_encoder
    from isaaclab_nil.reference.motions import make_motion, motions_for

    motions = motions_for(env.cfg.robot_legs)
    with tempfile.TemporaryDirectory() as tmp:
        save_random_encoder(f"{tmp}/encoder")
        encoder = VideoEncoder.from_pretrained(f"{tmp}/encoder")
        motion = make_motion(motions[0], env.cfg.robot_legs)
        fps = env.cfg.commands.reference.fps
        out = write_known_answer_bundle(env, task, motion, BUNDLE_FRAMES, fps, encoder, f"{tmp}/bundle")
        bundle = load_bundle(out, reference_expectation(env.cfg))
        return {
            "motions": motions,
            "bundle_frames": int(bundle.frames.shape[0]),
            "bundle_mask_areas": bundle.masks.flatten(1).float().mean(1).tolist(),
            "bundle_embeddings": list(bundle.embeddings.shape),
            "bundle_task": bundle.meta.task,
            "bundle_motion": bundle.meta.source["motion"],
        }


def main(task: str, out_path: str, picture: str | None = None, camera_px: str = str(CAMERA_PX)) -> None:
    started = time.perf_counter()
    from isaaclab_nil.envs.factory import make_env
    from isaaclab_nil.envs.mdp.camera import follow_camera_pose, robot_frames
    from isaaclab_nil.robots.assets import mjcf_effort_limits
    from isaaclab_nil.robots.mjcf import mjcf_joint_names

    size = int(camera_px)
    overrides = [f"env.scene.follow_camera.width={size}", f"env.scene.follow_camera.height={size}"]
    env = make_env(task, num_envs=NUM_ENVS, device="cpu", overrides=overrides)
    env.seed(0)
    report: dict = {"task": task, "build_s": time.perf_counter() - started}
    robot = env.scene["robot"]
    mjcf_file = env.cfg.scene.robot.spawn.asset_path
    obs, _ = env.reset()
    report.update(
        mjcf_joints=list(mjcf_effort_limits(mjcf_file)),
        sim_joints=mjcf_joint_names(mjcf_file, robot.joint_names),
        action_dim=env.action_manager.total_action_dim,
        obs_dim=int(obs["policy"].shape[-1]),
        control=type(env.action_manager.get_term("joints")).__name__,
        min_base_height=env.cfg.terminations.base_height.params["minimum_height"],
        prompt=env.cfg.commands.reference.prompt,
        sdk_joint_order=env.cfg.robot_sdk_joint_order,
    )

    # 200 random steps: finite observations and rewards, never a diverged physics state
    step_started = time.perf_counter()
    generator = torch.Generator().manual_seed(0)
    finite, diverged = True, 0
    for _ in range(RANDOM_STEPS):
        action = 0.5 * (2 * torch.rand(NUM_ENVS, report["action_dim"], generator=generator) - 1)
        obs, reward, *_ = env.step(action)
        finite &= bool(torch.isfinite(obs["policy"]).all() and torch.isfinite(reward).all())
        diverged += int(env.termination_manager.get_term("nonfinite_state").sum())
    report.update(random_finite=finite, random_diverged=diverged, random_step_s=time.perf_counter() - step_started)

    # 2 s under zero actions from the default pose (joint-position variants: zero is the default pose)
    env.reset()
    zero = torch.zeros(NUM_ENVS, report["action_dim"])
    heights, uprights, terminations = [], [], []
    stand_steps = STAND_STEPS if report["control"] == "JointPositionAction" else 1
    for step in range(stand_steps):
        _, _, terminated, _, _ = env.step(zero)
        if picture and step == min(PICTURE_STEP, stand_steps - 1):
            save_picture(*(frame[0] for frame in robot_frames(env)), picture)
        terminations.append(terminated.tolist())
        heights.append(robot.data.root_pos_w.torch[:, 2].tolist())
        uprights.append((-robot.data.projected_gravity_b.torch[:, 2]).tolist())
    report.update(
        spawn_height=env.cfg.scene.robot.init_state.pos[2],
        stand_heights=heights,
        stand_upright=uprights,
        stand_terminated=terminations,
    )

    # the follow camera's mask of the standing robot
    rgb, mask = robot_frames(env)
    cam_pos, _ = follow_camera_pose(env)
    cam_cfg = env.cfg.scene.follow_camera
    masks = []
    for i in range(NUM_ENVS):
        m = mask[i]
        rows, cols = m.any(dim=1).nonzero().squeeze(-1), m.any(dim=0).nonzero().squeeze(-1)
        ys, xs = m.nonzero(as_tuple=True)
        bodies = project(robot.data.body_pos_w.torch[i], cam_pos[i], cam_cfg.offset.rot, cam_cfg)
        near = torch.nn.functional.max_pool2d(m[None, None].float(), 5, stride=1, padding=2)[0, 0] > 0
        px = bodies.round().long().clamp(0, size - 1)
        masks.append(
            {
                "area": float(m.float().mean()),
                "centroid": [float(xs.float().mean()), float(ys.float().mean())] if len(xs) else None,
                "bbox": [int(cols.min()), int(rows.min()), int(cols.max()), int(rows.max())] if len(xs) else None,
                "bodies_px": bodies.tolist(),
                "bodies_on_mask": float(near[px[:, 1], px[:, 0]].float().mean()),
            }
        )
    report.update(size=size, masks=masks)
    if report["control"] == "JointPositionAction":
        report.update(known_answer_bundle(env, task))
    report["total_s"] = time.perf_counter() - started
    with open(out_path, "w") as f:
        json.dump(report, f, indent=1, default=lambda v: None if isinstance(v, float) and math.isnan(v) else str(v))
    env.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
