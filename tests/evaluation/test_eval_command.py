"""`nil eval`: end to end with a baseline policy on the known-answer bundle; checkpoints, plots and errors."""

import json
import math
import shutil

import numpy as np
import pytest
import torch

from isaaclab_nil.cli import main
from isaaclab_nil.evaluation.command import REPORT_FILE, VIDEO_FILE, load_policy
from isaaclab_nil.evaluation.report import plot_training_curves
from isaaclab_nil.evaluation.rollout import replay_policy
from isaaclab_nil.learning import OffPolicyRunner, OffPolicyRunnerCfg, SacCfg
from isaaclab_nil.learning.export import deterministic_policy
from isaaclab_nil.reference.ground_truth import GROUND_TRUTH_FILE, GroundTruth
from isaaclab_nil.reference.video_io import read_video

from .conftest import TASK, run_nil

STEPS = 110
"""Past the two-second reference (100 steps): the eval episode does not end with it."""


def test_zero_policy_runs_end_to_end_and_writes_the_report_and_video(known_answer_bundle, tmp_path):
    out = tmp_path / "eval"
    result = run_nil(
        "eval",
        "--task",
        TASK,
        "--bundle",
        str(known_answer_bundle),
        "--policy",
        "zero",
        "--steps",
        str(STEPS),
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((out / REPORT_FILE).read_text())
    assert report["policy"] == "zero" and report["steps"] == STEPS and report["num_envs"] == 1
    reward = report["environment_reward"]
    assert 0.0 < reward["mean"] <= STEPS and reward["max"] == STEPS
    assert reward["target_speed"] == pytest.approx(0.5)  # the known answer's walking speed
    reference = report["reference"]
    assert 0.2 < reference["mask_iou"]["mean"] <= 1.0
    assert reference["video_similarity"]["kind"] == "cosine" and reference["video_similarity"]["mean"] <= 1.0
    per_joint = report["motion"].pop("joint_rmse_per_joint")
    mean_error = report["motion"].pop("joint_mean_error_per_joint")
    assert sorted(mean_error) == sorted(per_joint)
    assert all(abs(mean_error[name]["mean"]) <= per_joint[name]["mean"] + 1e-9 for name in per_joint)
    motion = {name: values["mean"] for name, values in report["motion"].items()}
    assert sorted(per_joint) == sorted(GroundTruth.load(known_answer_bundle / GROUND_TRUTH_FILE).joint_names)
    joints_rms = math.sqrt(sum(values["mean"] ** 2 for values in per_joint.values()) / len(per_joint))  # one env
    assert joints_rms == pytest.approx(motion["joint_rmse"])  # the same errors, joint by joint
    assert motion["joint_rmse"] > 0.02 and motion["dtw"] > 0.0  # standing is not walking
    assert motion["base_vel_error"] > 0.2
    assert abs(motion["time_shift_s"]) <= 1.0  # within one stride period
    assert 0.5 < motion["up_fraction"] <= 1.0
    assert motion["up_fraction"] == 1.0 or report["fall_step"][0] is not None  # below 1 only after a fall
    assert report["ground_truth"].endswith("ground_truth.npz")
    video, fps = read_video(out / VIDEO_FILE)
    assert fps == 24.0 and video.shape[1:] == (224, 3 * 224, 3) and len(video) > 40  # reference | policy | overlap
    assert report["files"] == {"video": VIDEO_FILE, "plots": []}


def test_the_replay_policy_aims_at_the_ground_truth_at_each_steps_end(known_answer_bundle, nominal_h1_env):
    env = nominal_h1_env
    truth = GroundTruth.load(known_answer_bundle / GROUND_TRUTH_FILE)
    action = env.action_manager.get_term("joints").IO_descriptor
    policy = replay_policy(env, truth)
    columns = [truth.joint_names.index(name) for name in action.joint_names]
    scale, offset = (torch.as_tensor(value) for value in (action.scale, action.offset))
    command, counter = env.command_manager.get_term("reference"), env.common_step_counter
    try:
        command.start[:] = 0  # the reference started with the clock: its time is the clock's, step * step_dt
        for step in (0, 30, 1000):  # the first step, between two frames, past the end (the last frame is held)
            env.common_step_counter = step
            targets = policy(torch.zeros(1)) * scale + offset
            time = (step + 1) * env.step_dt
            expected = [np.interp(time, truth.times, truth.joint_pos[:, column]) for column in columns]
            np.testing.assert_allclose(targets[0].cpu().numpy(), expected, atol=1e-5)
    finally:
        env.common_step_counter = counter
        env.reset()


@pytest.fixture(scope="module")
def trained_run(nominal_h1_env, tmp_path_factory):
    """A few real training steps: a checkpoint and tensorboard logs with one finished episode."""
    run_dir = tmp_path_factory.mktemp("run")
    agent_cfg = OffPolicyRunnerCfg(
        algorithm=SacCfg(actor_hidden_dim=32, critic_hidden_dim=32),
        buffer_size=256,
        learning_starts=1000,
        log_interval=10,
        save_interval=0,
        progress_bar=False,
    )
    runner = OffPolicyRunner(nominal_h1_env, agent_cfg, run_dir)
    runner.learn(60)  # the env's episodes last 50 steps
    runner.save(run_dir / "model_60.pt")
    return runner, run_dir


def test_a_checkpoint_loads_as_the_runners_deterministic_policy(trained_run, nominal_h1_env):
    runner, run_dir = trained_run
    policy = load_policy(run_dir / "model_60.pt", nominal_h1_env)
    obs = 3.0 * torch.randn(8, policy.obs_dim)
    torch.testing.assert_close(policy(obs), deterministic_policy(runner)(obs))


def test_training_curves_are_plotted_per_episode_reward_term(trained_run, tmp_path):
    _, run_dir = trained_run
    paths = plot_training_curves(run_dir, tmp_path / "plots")
    assert {"torso_tilt.png", "action_rate.png", "joint_torques.png"} <= {path.name for path in paths}
    assert all(path.stat().st_size > 1000 for path in paths)
    assert plot_training_curves(tmp_path, tmp_path / "none") == []  # no logs, no plots


def test_bad_inputs_are_one_clear_error(known_answer_bundle, tmp_path, capsys):
    common = ["eval", "--task", TASK, "--bundle", str(known_answer_bundle)]
    assert main([*common, "--checkpoint", str(tmp_path / "missing.pt")]) == 1
    assert "no such checkpoint" in capsys.readouterr().err
    assert main([*common, "--policy", "zero", "--steps", "0"]) == 1
    assert "--steps and --num_envs must be at least 1" in capsys.readouterr().err
    assert main([*common, "--policy", "zero", "agent.batch_size=64"]) == 2
    assert "must look like env.<field>=<value>" in capsys.readouterr().err
    without_truth = tmp_path / "without_truth"
    shutil.copytree(known_answer_bundle, without_truth, ignore=shutil.ignore_patterns(GROUND_TRUTH_FILE))
    assert main(["eval", "--task", TASK, "--bundle", str(without_truth), "--policy", "replay"]) == 1
    assert "--policy replay plays the known answer" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # a policy is required
        main(common)
