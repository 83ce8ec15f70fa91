"""`nil generate --known-answer walk|march|tuck` on the H1: a bundle like a generated one, and the motion beside it."""

import json

import numpy as np
import pytest
import torch

from isaaclab_nil.cli import main
from isaaclab_nil.envs.playback import play_kinematic
from isaaclab_nil.metrics import mask_iou
from isaaclab_nil.reference.bundle import META_FILE, BundleExpectation, load_bundle
from isaaclab_nil.reference.errors import KnownAnswerError
from isaaclab_nil.reference.ground_truth import GROUND_TRUTH_FILE, GroundTruth
from isaaclab_nil.reference.motions import LegTuck, WalkGait
from isaaclab_nil.tasks.h1.robot import H1

from .conftest import BUNDLE_FRAMES, TASK, run_nil


@pytest.fixture(scope="module")
def bundle(known_answer_bundle):
    return load_bundle(known_answer_bundle, BundleExpectation(robot="Unitree H1 humanoid robot", task=TASK))


@pytest.fixture(scope="module")
def truth(known_answer_bundle):
    return GroundTruth.load(known_answer_bundle / GROUND_TRUTH_FILE)


def test_the_bundle_validates_and_records_the_scripted_motion(bundle, known_answer_bundle):
    assert bundle.frames.shape == (BUNDLE_FRAMES, 224, 224, 3) and bundle.masks.shape == (BUNDLE_FRAMES, 224, 224)
    assert bundle.meta.fps == 24.0
    source = bundle.meta.source
    assert source["kind"] == "known_answer" and source["motion"] == "walk" and source["speed"] == 0.5
    # the ground truth is beside the data, not part of the bundle: training reads only meta.json's files
    assert (known_answer_bundle / GROUND_TRUTH_FILE).is_file()
    assert GROUND_TRUTH_FILE not in json.loads((known_answer_bundle / META_FILE).read_text())["files"]
    # frame 0 is the default pose standing still, like the env's first frame
    assert bundle.first_frame[..., 3].bool().equal(bundle.masks[0])


def test_the_robot_walks_forward_while_the_camera_keeps_it_centred(bundle, truth):
    gait = WalkGait(H1.legs)
    np.testing.assert_allclose(truth.base_pos[:, 0], gait.forward_position(truth.times), atol=1e-6)
    assert truth.base_pos[-1, 0] > 0.6  # 2 s: the start-up (0.25 m) and a stride at 0.5 m/s
    np.testing.assert_allclose(truth.base_lin_vel[-1], [0.5, 0.0, 0.0])
    columns = torch.stack([mask.nonzero()[:, 1].float().mean() for mask in bundle.masks])
    assert float(columns.max() - columns.min()) < 10  # pixels: the follow camera moves with the base
    assert abs(float(columns.mean()) - 112) < 10
    # the legs move: the masks of the last stride differ from the standing first frame and from each other
    assert float(mask_iou(bundle.masks[24:], bundle.masks[:1]).min()) < 0.8
    assert not bundle.frames[30].equal(bundle.frames[42])


def test_replaying_the_ground_truth_renders_the_bundle(nominal_h1_env, bundle, truth):
    robot = nominal_h1_env.scene["robot"]
    assert truth.joint_names == list(robot.joint_names)
    default = robot.data.default_joint_pos.torch[0].cpu().numpy()
    offsets = WalkGait(H1.legs).joint_offsets(truth.times, truth.joint_names)
    np.testing.assert_allclose(truth.joint_pos - default, offsets, atol=1e-6)
    nominal_h1_env.reset()
    _, masks = play_kinematic(nominal_h1_env, torch.from_numpy(truth.joint_pos), torch.from_numpy(truth.base_pos))
    assert float(mask_iou(masks, bundle.masks).min()) > 0.99


def test_bad_settings_are_one_clear_error(tmp_path, capsys):
    with pytest.raises(KnownAnswerError, match=r"speed must be in \[0, 1.60\] m/s"):
        WalkGait(H1.legs, speed=3.0)
    with pytest.raises(SystemExit):
        main(["generate", "--task", TASK, "--speed", "0.5"])
    assert "--speed goes with --known-answer walk or trot" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["generate", "--task", TASK, "--simulated"])
    assert "--simulated goes with --known-answer" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["generate", "--task", TASK, "--known-answer", "walk", "--simulated", "--frames", "7"])
    assert "--simulated needs at least one clip, --frames 8" in capsys.readouterr().err
    assert main(["generate", "--task", "NIL-Go2-Walk", "--known-answer", "walk"]) == 1  # before any simulator
    assert (
        "a robot with 4 legs cannot walk; its known-answer motions: ['trot', 'march', 'tuck']"
        in capsys.readouterr().err
    )
    assert main(["generate", "--task", TASK, "--known-answer", "march", "agent.batch_size=64"]) == 2
    assert "must look like env.<field>=<value>" in capsys.readouterr().err
    bad = tmp_path / GROUND_TRUTH_FILE
    bad.write_bytes(b"not an npz")
    with pytest.raises(KnownAnswerError, match="not a readable ground-truth file"):
        GroundTruth.load(bad)


def test_the_tuck_moves_both_legs_together_and_nothing_else():
    names = [
        "left_hip_pitch",
        "left_knee",
        "left_ankle",
        "right_hip_pitch",
        "right_knee",
        "right_ankle",
        "torso",
        "left_shoulder_pitch",
        "right_shoulder_pitch",
    ]
    tuck = LegTuck(H1.legs)
    offsets = tuck.joint_offsets(
        np.array([0.0, 2.0, 3.0, 4.0, 5.0]), names
    )  # start, standing, tucked, standing, tucked
    np.testing.assert_allclose(offsets[:, :3], offsets[:, 3:6])
    np.testing.assert_allclose(offsets[:, 6:], 0.0)
    np.testing.assert_allclose(offsets[[0, 1, 3]], 0.0, atol=1e-12)
    np.testing.assert_allclose(offsets[2, :3], [-0.5, 0.8, -0.3])  # hip flexed, knee bent, sole level
    np.testing.assert_allclose(offsets[4], offsets[2])


def test_env_overrides_reach_the_known_answer_bundle(tmp_path, tiny_encoder_dir):
    """The benchmark's CPU setting: a robot on a gantry (fixed base), filmed at 64 px. The Go2's MJCF puts its root
    body 0.445 m up, which Isaac Lab's importer adds to a fixed base's spawn height: the base must be held where the
    task spawns it, so that the follow camera frames the whole robot as it does the free one."""
    out = tmp_path / "march"
    result = run_nil(
        "generate",
        "--task",
        "NIL-Go2-Walk",
        "--known-answer",
        "march",
        "--frames",
        "12",
        "--encoder",
        str(tiny_encoder_dir),
        "--out",
        str(out),
        "env.scene.robot.spawn.fix_base=true",
        "env.scene.follow_camera.width=64",
        "env.scene.follow_camera.height=64",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    bundle = load_bundle(out)
    assert bundle.frames.shape == (12, 64, 64, 3) and bundle.meta.camera.width == 64
    assert bundle.meta.source["motion"] == "march"
    truth = GroundTruth.load(out / GROUND_TRUTH_FILE)
    assert not truth.base_lin_vel.any() and np.ptp(truth.base_pos, axis=0).max() == 0.0
    rows = bundle.masks[0].any(dim=1).nonzero().squeeze(1).tolist()  # image rows the robot covers
    assert 0 < rows[0] and rows[-1] < 63 and abs((rows[0] + rows[-1]) / 2 - 32) < 0.15 * 64, rows
