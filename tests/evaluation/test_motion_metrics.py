"""The motion-error metrics of `nil eval` on hand-made joint trajectories."""

import math

import numpy as np
import pytest

from isaaclab_nil.evaluation.metrics import aligned_joint_rmse, dtw_distance, joint_rmse, resample

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
