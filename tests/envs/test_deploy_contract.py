"""The deploy contract against Isaac Lab: the files in unitree_rl_lab's schema, the observation and the joint targets
a controller builds from them alone equal the env's, and a tampered or mismatched policy folder is refused.

One untrained policy, exported once from the package's H1 env (``h1_env``), serves every test."""

import json
import shutil

import numpy as np
import pytest
import torch
import yaml
from torch import nn

from isaaclab_nil.deploy.contract import (
    CONFIG_FILE,
    POLICY_FILE,
    ContractError,
    joint_targets,
    load_contract,
    observation,
)
from isaaclab_nil.deploy.sim2sim import MujocoRobot
from isaaclab_nil.deploy.trajectory import Trajectory
from isaaclab_nil.learning.export import deterministic_policy
from isaaclab_nil.learning.networks import TanhGaussianActor
from isaaclab_nil.robots.assets import mjcf_path
from isaaclab_nil.workflows import export_for_deploy

H1_SDK_TORSO, H1_UNUSED_MOTOR = 6, 9


def _policy(env, seed: int):
    torch.manual_seed(seed)
    obs_dim = env.observation_manager.group_obs_dim["policy"][0]
    trunk = nn.Sequential(nn.Linear(obs_dim, 16), nn.ELU())
    return deterministic_policy(TanhGaussianActor(trunk, 16, env.action_manager.total_action_dim, -5.0, 2.0))


@pytest.fixture(scope="module")
def policy_dir(h1_env, tmp_path_factory):
    root = tmp_path_factory.mktemp("deploy")
    return export_for_deploy(_policy(h1_env, 0), h1_env, root / "policy", run_dir=root / "run_a")


@pytest.fixture(scope="module")
def contract(policy_dir):
    return load_contract(policy_dir)


def test_deploy_yaml_has_unitree_rl_lab_keys_and_orders(policy_dir, h1_env):
    import onnxruntime

    document = yaml.safe_load((policy_dir / CONFIG_FILE).read_text())
    assert list(document) == [
        "joint_ids_map",
        "step_dt",
        "stiffness",
        "damping",
        "default_joint_pos",
        "actions",
        "observations",
        "nil",
    ]
    assert list(document["observations"]) == [
        "base_ang_vel",
        "projected_gravity",
        "joint_pos_rel",
        "joint_vel_rel",
        "last_action",
        "reference_phase",
    ]
    for term in document["observations"].values():
        assert set(term) == {"params", "clip", "scale", "history_length"} and term["history_length"] == 1
    action = document["actions"]["JointPositionAction"]
    assert set(action) == {"scale", "offset", "clip", "joint_names", "joint_ids"}
    assert action["offset"] == document["default_joint_pos"]  # target = default + scale * action
    # gains in SDK motor order (their controller writes stiffness[i] to motor_cmd[i]); motor 9 drives nothing
    assert len(document["stiffness"]) == 20 and document["stiffness"][H1_UNUSED_MOTOR] == 0.0
    assert document["stiffness"][H1_SDK_TORSO] == 300.0 and document["damping"][H1_SDK_TORSO] == 6.0
    assert document["step_dt"] == pytest.approx(0.02)
    assert document["observations"]["reference_phase"]["params"]["frequencies"] == [1, 2, 4, 8, 16]
    session = onnxruntime.InferenceSession(str(policy_dir / POLICY_FILE))
    obs_dim = h1_env.observation_manager.group_obs_dim["policy"][0]
    assert session.get_inputs()[0].shape == [1, obs_dim]  # Unitree's C++ runner needs a fixed batch of 1
    assert document["nil"]["contract"]["obs_dim"] == obs_dim and document["nil"]["fix_base"] is False


def _set_state(env, action: torch.Tensor) -> None:
    """Env 0: a tilted, spinning base, joints off their default pose, and ``action`` as the last action."""
    robot = env.scene["robot"]
    generator = torch.Generator().manual_seed(1)
    axis_angle = torch.tensor([0.2, -0.15, 0.4])
    angle = axis_angle.norm()
    quat_xyzw = torch.cat([axis_angle / angle * torch.sin(angle / 2), torch.cos(angle / 2)[None]])
    robot.write_root_link_pose_to_sim_index(
        root_pose=torch.cat([torch.tensor([0.3, -0.2, 1.2]), quat_xyzw])[None], env_ids=[0]
    )
    robot.write_root_link_velocity_to_sim_index(
        root_velocity=torch.tensor([[0.1, -0.2, 0.05, 0.3, -0.5, 0.2]]), env_ids=[0]
    )
    default = robot.data.default_joint_pos.torch[:1]
    position = default + 0.2 * (2 * torch.rand(default.shape, generator=generator) - 1)
    velocity = 2 * torch.rand(default.shape, generator=generator) - 1
    robot.write_joint_state_to_sim_index(position=position, velocity=velocity, env_ids=[0])
    env.action_manager.process_action(action)


def _isaac_state(env, joint_names) -> Trajectory:
    data = env.scene["robot"].data
    first = lambda array: array.torch[:1].numpy().astype(float)  # noqa: E731
    return Trajectory(
        joint_names=joint_names,
        step_dt=env.step_dt,
        joint_pos=first(data.joint_pos),
        joint_vel=first(data.joint_vel),
        base_pos=first(data.root_link_pos_w),
        base_quat_wxyz=first(data.root_link_quat_w)[:, [3, 0, 1, 2]],
        base_lin_vel_w=first(data.root_link_lin_vel_w),
        base_ang_vel_b=first(data.root_link_ang_vel_b),
        fall_step=1,
    )


def test_observation_built_from_the_contract_in_mujoco_equals_isaac_labs(h1_env, contract):
    """The Isaac Lab state goes into MuJoCo through the contract's joint names, and the observation the contract
    builds there from the IMU quaternion, gyro and joint encoders is the env's policy observation."""
    action = 2 * torch.rand(h1_env.num_envs, h1_env.action_manager.total_action_dim) - 1
    _set_state(h1_env, action)
    expected = h1_env.observation_manager.compute()["policy"][0].numpy()
    robot = MujocoRobot(contract, mjcf_path(contract.nil["mjcf"]), fix_base=False)
    robot.reset(_isaac_state(h1_env, contract.joint_names))
    step = float(h1_env.command_manager.get_term("reference").time[0]) / contract.step_dt
    built = observation(contract, robot.state(), action[0].numpy(), step)
    assert built.shape == expected.shape
    np.testing.assert_allclose(built, expected, atol=1e-5, rtol=0)
    assert np.abs(expected[3:6] - [0, 0, -1]).max() > 0.1  # the base is tilted: gravity is not trivially (0, 0, -1)


def test_action_to_joint_targets_equals_isaac_labs(h1_env, contract):
    action = 2 * torch.rand(h1_env.num_envs, h1_env.action_manager.total_action_dim) - 1
    h1_env.action_manager.process_action(action)
    h1_env.action_manager.apply_action()
    expected = h1_env.scene["robot"].data.joint_pos_target.torch[0].numpy()
    np.testing.assert_allclose(joint_targets(contract, action[0].numpy()), expected, atol=1e-6, rtol=0)


@pytest.fixture
def copied(policy_dir, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(policy_dir, copy)
    return copy


def _edit(policy_dir, edit) -> None:
    path = policy_dir / CONFIG_FILE
    document = yaml.safe_load(path.read_text())
    edit(document)
    path.write_text(yaml.safe_dump(document, sort_keys=False))


def test_permuted_joint_order_is_refused(copied):
    def swap(document):
        ids = document["joint_ids_map"]
        ids[0], ids[1] = ids[1], ids[0]

    _edit(copied, swap)
    with pytest.raises(ContractError, match="joint_ids_map does not match the robot's SDK motor order"):
        load_contract(copied)


def test_changed_gain_is_refused(copied):
    _edit(copied, lambda document: document["stiffness"].__setitem__(H1_SDK_TORSO, 250.0))
    with pytest.raises(ContractError, match="edited after export"):
        load_contract(copied)


def test_policy_from_another_run_is_refused(copied, h1_env, tmp_path):
    other = export_for_deploy(_policy(h1_env, 1), h1_env, tmp_path / "other", run_dir=tmp_path / "run_b")
    shutil.copy(other / POLICY_FILE, copied / POLICY_FILE)
    with pytest.raises(ContractError, match="not the policy .* from different runs"):
        load_contract(copied)


def test_sim2sim_runs_the_policy_folder_and_films_it(policy_dir, tmp_path):
    from isaaclab_nil.cli import main

    assert main(["sim2sim", str(policy_dir), "--seconds", "0.2", "--video_size", "64", "--out", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "sim2sim.json").read_text())
    assert report["control_steps"] == 10 and report["decimation"] == 10  # Menagerie's H1: 2 ms physics steps
    assert (tmp_path / "sim2sim.mp4").stat().st_size > 0
