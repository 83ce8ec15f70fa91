"""NIL-H1-Walk on CPU: registration, shapes, stable stepping, and a mask that is the robot."""

import math
import re
import subprocess
import sys

import pytest
import torch
import warp as wp

from isaaclab_nil.alignment import reference_start
from isaaclab_nil.envs.mdp import push_by_setting_velocity
from isaaclab_nil.envs.mdp.camera import robot_frames, robot_semantic_id
from isaaclab_nil.robots.assets import mjcf_effort_limits, mjcf_path
from isaaclab_nil.robots.mjcf import mjcf_joint_names

from .conftest import NUM_ENVS

H1_JOINTS = list(mjcf_effort_limits(mjcf_path("unitree_h1/h1.xml")))


def _zero_action(env):
    return torch.zeros(env.num_envs, env.action_manager.total_action_dim)


def test_isaaclab_lists_the_task():
    """Isaac Lab's own ``list_envs`` finds the task through the isaaclab.tasks entry point."""
    out = subprocess.run(
        [sys.executable, "-m", "isaaclab", "list_envs", "--keyword", "NIL-"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    assert re.search(r"\| NIL-H1-Walk\s+\|", out), out
    assert "isaaclab_nil.envs.factory:create_env" in out


def test_observation_and_action_shapes_match_the_robot(h1_env):
    robot = h1_env.scene["robot"]
    assert mjcf_joint_names(str(mjcf_path("unitree_h1/h1.xml")), robot.joint_names) == H1_JOINTS
    n = len(H1_JOINTS)
    assert h1_env.action_manager.total_action_dim == n
    obs, _ = h1_env.reset()
    # base ang vel 3, projected gravity 3, joint pos n, joint vel n, last action n, phase: sin and cos of k
    # cycles per reference for k = 1, 2, 4, 8, 16, then the fraction p
    assert obs["policy"].shape == (h1_env.num_envs, 3 + 3 + 3 * n + 11)


def test_phase_observation_is_fourier_features_of_the_reference_fraction(h1_env):
    """The phase is the reference command's: p = t / T, t the env's time in its reference on the frame clock
    (the clock frame its reference started at, K, is at most one frame after the reset)."""
    h1_env.reset()
    command = h1_env.command_manager.get_term("reference")
    reset_step, steps = h1_env.common_step_counter, 10
    for _ in range(steps):
        obs, *_ = h1_env.step(_zero_action(h1_env))
    phase = obs["policy"][:, -11:]
    torch.testing.assert_close(phase, h1_env.command_manager.get_command("reference"))
    start = reference_start(torch.tensor(reset_step), command.frames_per_step)
    assert (command.start == start).all()
    fps = h1_env.cfg.commands.reference.fps
    p = ((reset_step + steps) * h1_env.step_dt - float(start) / fps) / h1_env.max_episode_length_s
    assert steps * h1_env.step_dt - 1 / fps <= p * h1_env.max_episode_length_s <= steps * h1_env.step_dt
    angles = 2 * math.pi * p * torch.tensor([1.0, 2.0, 4.0, 8.0, 16.0])
    expected = torch.cat((angles.sin(), angles.cos(), torch.tensor([p])))
    torch.testing.assert_close(phase, expected.expand_as(phase), atol=1e-5, rtol=0)


def test_episode_lasts_the_reference(h1_env):
    ref = h1_env.cfg.commands.reference
    assert h1_env.max_episode_length_s == pytest.approx(ref.num_frames / ref.fps)
    assert h1_env.step_dt == pytest.approx(0.02)  # 50 Hz control


def test_hundreds_of_steps_without_nan(h1_env):
    h1_env.reset()
    generator = torch.Generator().manual_seed(0)
    for _ in range(300):
        action = 0.5 * (
            2 * torch.rand(h1_env.num_envs, h1_env.action_manager.total_action_dim, generator=generator) - 1
        )
        obs, reward, terminated, truncated, _ = h1_env.step(action)
        assert torch.isfinite(obs["policy"]).all()
        assert torch.isfinite(reward).all()


def test_zero_action_holds_the_standing_pose_at_first(h1_env):
    """PD drives hold the default pose: after 0.5 s with zero actions the robot still stands."""
    h1_env.reset()
    for _ in range(25):
        h1_env.step(_zero_action(h1_env))
    height = h1_env.scene["robot"].data.root_pos_w.torch[:, 2]
    assert (height > 0.9).all(), height


def test_reset_randomizes_the_start_slightly(h1_env):
    h1_env.reset()
    joint_pos = h1_env.scene["robot"].data.joint_pos.torch
    default = h1_env.scene["robot"].data.default_joint_pos.torch
    offset = (joint_pos - default).abs()
    assert (offset <= 0.03 + 1e-5).all()
    assert not torch.allclose(joint_pos[0], joint_pos[1])


def test_reset_aims_every_joint_at_the_default_pose(h1_env):
    """A joint the action does not drive keeps the target it had; the reset sets it to the default pose (Isaac
    Lab starts targets at zero), as the deploy contract holds such joints on the robot."""
    h1_env.reset()
    h1_env.step(torch.ones(h1_env.num_envs, h1_env.action_manager.total_action_dim))
    robot = h1_env.scene["robot"]
    assert not torch.allclose(robot.data.joint_pos_target.torch, robot.data.default_joint_pos.torch)
    h1_env.reset()
    torch.testing.assert_close(robot.data.joint_pos_target.torch, robot.data.default_joint_pos.torch)


def _expected_robot_height_px(env, robot_height_m=1.8):
    cam = env.cfg.scene.follow_camera
    focal_px = cam.spawn.focal_length / cam.spawn.horizontal_aperture * cam.width
    return focal_px * robot_height_m / abs(cam.offset.pos[1])


def test_mask_is_the_robot_and_follows_it(h1_env):
    """While the robots are pushed sideways across the ground, each mask stays centred, keeps the
    robot's projected size, and never includes the ground."""
    h1_env.reset()
    start = h1_env.scene["robot"].data.root_pos_w.torch[:, 0].clone()
    width, height = h1_env.cfg.scene.follow_camera.width, h1_env.cfg.scene.follow_camera.height
    expected_px = _expected_robot_height_px(h1_env)
    for step in range(40):
        if step % 5 == 0:
            push_by_setting_velocity(h1_env, torch.arange(h1_env.num_envs), {"x": (1.0, 1.0)})
        h1_env.step(_zero_action(h1_env))
        rgb, mask = robot_frames(h1_env)
        assert rgb.shape == (h1_env.num_envs, height, width, 3) and rgb.dtype == torch.uint8
        assert mask.shape == (h1_env.num_envs, height, width) and mask.dtype == torch.bool
        area = mask.float().mean(dim=(1, 2))
        assert ((area > 0.005) & (area < 0.15)).all(), area
        cols = torch.arange(width).float()
        centroid_x = (mask.float().sum(dim=1) * cols).sum(dim=1) / mask.float().sum(dim=(1, 2))
        assert ((centroid_x - width / 2).abs() < 0.15 * width).all(), centroid_x
        rows = mask.any(dim=2)
        for env_rows in rows:
            idx = env_rows.nonzero().squeeze(-1)
            span = idx.max() - idx.min() + 1
            assert 0.6 * expected_px < span < 1.2 * expected_px, (span, expected_px)
        segmentation = h1_env.scene["follow_camera"].data.output["semantic_segmentation"].torch[..., 0]
        ground = segmentation != robot_semantic_id(h1_env)
        assert not (mask & ground).any()
        assert ground.float().mean() > 0.5  # the ground and sky are in view, just not in the mask
    moved = h1_env.scene["robot"].data.root_pos_w.torch[:, 0] - start
    assert (moved > 0.3).all(), moved


def _nonfinite_solver_arrays(env, world: int) -> list[str]:
    """The names of MuJoCo-Warp's per-world arrays (its ``Data`` and constraint rows) with a NaN or Inf in ``world``."""
    data = env.sim.physics_manager._solver.mjw_data
    arrays = [*vars(data).items(), *((f"efc.{name}", value) for name, value in vars(data.efc).items())]
    return [
        name
        for name, value in arrays
        if isinstance(value, wp.array)
        and value.size
        and value.shape[0] == data.nworld
        and not torch.isfinite(wp.to_torch(value)[world].double()).all()
    ]


def test_a_nan_in_one_env_resets_that_env_and_spares_the_others(h1_env):
    """A diverged env (NaN in its state) ends its episode through ``nonfinite_state`` and restarts from a finite
    state with no NaN left in the solver's data, so it does not diverge again; the other env goes on with its
    episode. The NaN comes while the robot stands (many contact constraint rows): the rows its reset no longer uses
    kept the NaN, and MuJoCo-Warp's solver read them at each touchdown until ``clear_diverged_solver_data``."""
    h1_env.reset()
    for _ in range(25):
        h1_env.step(_zero_action(h1_env))
    robot = h1_env.scene["robot"]
    position = robot.data.joint_pos.torch[:1].clone()
    position[0, 0] = float("nan")
    robot.write_joint_position_to_sim_index(position=position, env_ids=[0])
    obs, reward, terminated, _, extras = h1_env.step(_zero_action(h1_env))
    assert terminated.tolist() == [True, False]
    assert extras["log"]["Episode_Termination/nonfinite_state"] > 0  # logged as the cause
    assert _nonfinite_solver_arrays(h1_env, world=0) == []
    for _ in range(40):
        obs, reward, terminated, _, _ = h1_env.step(_zero_action(h1_env))
        assert torch.isfinite(obs["policy"]).all() and torch.isfinite(reward).all()
        assert not terminated.any()  # the reset env does not diverge again; the other is untouched
    assert h1_env.episode_length_buf.tolist() == [40, 66]


def test_deploy_config_maps_each_joint_to_its_unitree_motor(h1_env):
    from isaaclab_nil.envs.deploy import deploy_document

    info = deploy_document(h1_env)
    assert info["nil"]["joint_names"] == H1_JOINTS  # the policy's order
    assert info["joint_ids_map"][H1_JOINTS.index("torso")] == 6 and info["joint_ids_map"][0] == 7  # left_hip_yaw
    assert sorted(info["joint_ids_map"]) == [i for i in range(20) if i != 9]  # motor 9 is not used on the H1


def test_the_pd_gains_are_in_the_simulation_despite_the_importers_notes(h1_env):
    """The MJCF importer notes that it creates no drive gains for the H1's <motor> actuators
    (``console.explain_gain_notes``): the task's actuator config writes the spec's gains into the Newton model."""
    from isaaclab.sim import SimulationContext

    from isaaclab_nil.tasks.h1.robot import H1

    robot = h1_env.scene["robot"]
    names = mjcf_joint_names(str(mjcf_path("unitree_h1/h1.xml")), robot.joint_names)

    def expected(gains):
        return torch.tensor([next(v for p, v in gains.items() if re.fullmatch(p, name)) for name in names])

    stiffness, damping = expected(H1.stiffness), expected(H1.damping)
    assert stiffness.min() >= 40.0  # no joint left without a drive
    torch.testing.assert_close(robot.data.joint_stiffness.torch[0].cpu(), stiffness)
    torch.testing.assert_close(robot.data.joint_damping.torch[0].cpu(), damping)
    model = SimulationContext.instance().physics_manager.get_model()  # what the solver runs with
    ke = torch.as_tensor(model.joint_target_ke.numpy()).view(NUM_ENVS, -1)[0, -len(names) :]
    torch.testing.assert_close(ke, stiffness)
