"""The motion-error metrics of `nil eval` on hand-made joint trajectories."""

import math
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from isaaclab_nil.evaluation.metrics import aligned_joint_rmse, dtw_distance, joint_rmse, resample
from isaaclab_nil.evaluation.report import PER_JOINT_ERRORS, motion_errors
from isaaclab_nil.reference.ground_truth import GroundTruth

FPS = 24.0
PERIOD_FRAMES = 24


def walk_like(num_frames: int, delay_frames: int = 0) -> np.ndarray:
    """(T, 3) sinusoids of different phases, delayed by ``delay_frames``."""
    t = (np.arange(num_frames) - delay_frames)[:, None] / PERIOD_FRAMES
    return np.sin(2 * math.pi * t + np.array([0.0, 1.0, 2.5])) * np.array([0.3, 0.5, 0.2])


def test_rmse_is_zero_for_identical_and_the_offset_for_a_constant_offset():
    truth = walk_like(96)
    assert joint_rmse(truth, truth) == 0.0
    assert joint_rmse(truth + 0.1, truth) == pytest.approx(0.1)
    assert aligned_joint_rmse(truth, truth, PERIOD_FRAMES) == (0.0, 0)
    rmse, shift = aligned_joint_rmse(truth + 0.1, truth, PERIOD_FRAMES)
    assert rmse == pytest.approx(0.1) and shift == 0


def test_rmse_of_one_joint_off_by_c_is_c_over_root_j():
    truth = walk_like(48)
    rollout = truth.copy()
    rollout[:, 1] += 0.3
    assert joint_rmse(rollout, truth) == pytest.approx(0.3 / math.sqrt(3))


@pytest.mark.parametrize("delay", [5, -7])
def test_time_shift_alignment_recovers_a_shifted_copy(delay):
    truth = walk_like(96)
    late = walk_like(96, delay_frames=delay)  # late[f + delay] == truth[f]
    assert joint_rmse(late, truth) > 0.1
    rmse, shift = aligned_joint_rmse(late, truth, PERIOD_FRAMES)
    assert shift == delay and rmse == pytest.approx(0.0, abs=1e-12)


def test_shift_search_stays_within_the_limit():
    truth = walk_like(96)
    late = walk_like(96, delay_frames=10)
    _, shift = aligned_joint_rmse(late, truth, max_shift=4)
    assert abs(shift) <= 4
    # never beyond half the shorter trajectory, so at least half of it is compared
    _, shift = aligned_joint_rmse(late[:12], truth, max_shift=PERIOD_FRAMES)
    assert abs(shift) <= 6


def test_dtw_is_zero_for_identical_and_the_offset_for_constant_trajectories():
    truth = walk_like(40)
    assert dtw_distance(truth, truth) == 0.0
    still = np.zeros((30, 4))
    assert dtw_distance(still + 0.2, still) == pytest.approx(0.2)


def test_dtw_forgives_a_time_warp_that_rmse_does_not():
    truth = walk_like(96)
    slow_start = np.concatenate([truth[:1].repeat(6, axis=0), truth[:-6]])  # waits 6 frames, then the same motion
    assert dtw_distance(slow_start, truth) < 0.2 * joint_rmse(slow_start, truth)


def test_resample_interpolates_each_column_linearly():
    times = np.array([0.0, 0.02, 0.04])
    values = np.array([[0.0, 1.0], [2.0, 1.0], [4.0, -1.0]])
    resampled = resample(times, values, np.array([0.0, 0.01, 0.03, 0.04]))
    np.testing.assert_allclose(resampled, [[0.0, 1.0], [1.0, 1.0], [3.0, 0.0], [4.0, -1.0]], atol=1e-12)


def test_motion_errors_tell_a_joint_held_to_one_side_from_one_out_of_time():
    """Per joint, the RMSE of a joint held 0.2 rad off and of one half a period late are both large, its mean
    error only for the first (signed: rollout minus truth)."""
    truth_pos = walk_like(96)
    truth = GroundTruth(
        fps=FPS,
        period=PERIOD_FRAMES / FPS,
        joint_names=["a", "b", "c"],
        joint_pos=truth_pos,
        base_pos=np.zeros((96, 3)),
        base_lin_vel=np.zeros((96, 3)),
    )
    played = truth_pos.copy()
    played[:, 0] -= 0.2  # held to one side
    played[:, 2] = walk_like(96, delay_frames=PERIOD_FRAMES // 2)[:, 2]  # half a period late
    steps = 95  # one control step per frame, the robot's joints in another order
    rollout = SimpleNamespace(
        step_dt=1.0 / FPS,
        reference_start_s=0.0,
        joint_pos=torch.tensor(played[:, [2, 0, 1]], dtype=torch.float32)[:, None],
        base_lin_vel=torch.zeros(96, 1, 3),
        fall_step=torch.tensor([steps + 1]),
    )
    _, per_joint = motion_errors(rollout, ["c", "a", "b"], truth, steps)
    rmse, mean_error = (per_joint[key] for key in PER_JOINT_ERRORS)
    assert rmse["a"][0] == pytest.approx(0.2, abs=1e-6) and mean_error["a"][0] == pytest.approx(-0.2, abs=1e-6)
    assert rmse["c"][0] > 0.2 and abs(mean_error["c"][0]) < 0.02
