"""The scores of ``nil eval``, as pure functions: the environment reward and the motion error against a ground
truth (trajectories (T, J) sampled at the video's frame times). Formulas: ``docs/evaluation.md``."""

from __future__ import annotations

import numpy as np
import torch

TILT_SIGMA = 0.3
"""Width [rad] of the uprightness term: a base tilted by TILT_SIGMA (17 degrees) earns exp(-1) of it."""


def tilt_angle(projected_gravity: torch.Tensor) -> torch.Tensor:
    """Angle [rad] between the base's up axis and the world's, from gravity in the base frame (..., 3)."""
    return torch.atan2(projected_gravity[..., :2].norm(dim=-1), -projected_gravity[..., 2])


def environment_reward(
    forward_velocity: torch.Tensor,
    projected_gravity: torch.Tensor,
    alive: torch.Tensor,
    target_speed: float,
    tilt_sigma: float = TILT_SIGMA,
) -> torch.Tensor:
    """Per-step environment reward in [0, 1]: half for speed, half for staying upright, 0 once fallen.

        r = 0.5 * clip(v_x / v_target, 0, 1) + 0.5 * exp(-(tilt / tilt_sigma)^2)   while alive, else 0

    Args:
        forward_velocity: base velocity along the world's +x (the walking direction) [m/s], shape (...).
        projected_gravity: unit gravity in the base frame, shape (..., 3).
        alive: bool (...), False from the step of a fall on.
        target_speed: v_target [m/s], > 0.
    """
    speed = (forward_velocity / target_speed).clamp(0.0, 1.0)
    upright = torch.exp(-((tilt_angle(projected_gravity) / tilt_sigma) ** 2))
    return torch.where(alive, 0.5 * speed + 0.5 * upright, 0.0)


def joint_rmse(a: np.ndarray, b: np.ndarray) -> float:
    """Root mean square of ``a - b`` over frames and joints [rad]; (T, J) each."""
    return float(np.sqrt(np.mean((a - b) ** 2)))


def shifted_pair(a: np.ndarray, b: np.ndarray, shift: int) -> tuple[np.ndarray, np.ndarray]:
    """The frames where both exist of ``a[f + shift]`` and ``b[f]``."""
    a, b = (a[shift:], b) if shift >= 0 else (a, b[-shift:])
    count = min(len(a), len(b))
    return a[:count], b[:count]


def aligned_joint_rmse(rollout: np.ndarray, truth: np.ndarray, max_shift: int) -> tuple[float, int]:
    """Joint RMSE after the best constant time shift: min over s in [-S, S] of RMSE(rollout[f + s], truth[f]).

    S is ``max_shift`` capped at half the shorter trajectory, so at least half of it is compared.
    Returns (rmse, s); s > 0 means the rollout lags the truth by s frames. Ties go to the smallest |s|.
    """
    limit = min(max_shift, min(len(rollout), len(truth)) // 2)
    rmse, shift = min(
        ((joint_rmse(*shifted_pair(rollout, truth, s)), s) for s in range(-limit, limit + 1)),
        key=lambda pair: (pair[0], abs(pair[1])),
    )
    return rmse, shift


def dtw_distance(rollout: np.ndarray, truth: np.ndarray) -> float:
    """Dynamic time warping distance [rad]: the cheapest monotonic alignment of the two trajectories, with
    the cost of matching frames i and j their RMS joint difference, summed along the path and divided by
    the truth's length. 0 for identical trajectories; c for a constant trajectory off by c in every joint."""
    cost = np.sqrt(np.mean((rollout[:, None] - truth[None]) ** 2, axis=-1))
    total = np.full((len(rollout) + 1, len(truth) + 1), np.inf)
    total[0, 0] = 0.0
    for i in range(1, len(rollout) + 1):
        for j in range(1, len(truth) + 1):
            total[i, j] = cost[i - 1, j - 1] + min(total[i - 1, j - 1], total[i - 1, j], total[i, j - 1])
    return float(total[-1, -1] / len(truth))


def resample(times: np.ndarray, values: np.ndarray, new_times: np.ndarray) -> np.ndarray:
    """Linear interpolation of ``values`` (T, D) at ``times`` (T,) to ``new_times`` (T',): (T', D)."""
    return np.stack([np.interp(new_times, times, column) for column in values.T], axis=-1)
