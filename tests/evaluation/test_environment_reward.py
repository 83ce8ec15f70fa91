"""The environment reward of `nil eval` on hand-made states."""

import math

import pytest
import torch

from isaaclab_nil.evaluation.metrics import TILT_SIGMA, environment_reward, tilt_angle

UPRIGHT = torch.tensor([0.0, 0.0, -1.0])


def tilted(angle: float) -> torch.Tensor:
    """Gravity in the frame of a base pitched by ``angle``."""
    return torch.tensor([math.sin(angle), 0.0, -math.cos(angle)])


def reward(velocity: float, gravity: torch.Tensor, alive: bool = True, target: float = 0.5) -> float:
    return float(environment_reward(torch.tensor(velocity), gravity, torch.tensor(alive), target))


def test_tilt_angle():
    assert float(tilt_angle(UPRIGHT)) == 0.0
    assert float(tilt_angle(tilted(0.4))) == pytest.approx(0.4)
    assert float(tilt_angle(torch.tensor([0.0, 0.0, 1.0]))) == pytest.approx(math.pi)  # upside down


def test_upright_at_the_target_speed_earns_one_and_standing_still_half():
    assert reward(0.5, UPRIGHT) == pytest.approx(1.0)
    assert reward(0.0, UPRIGHT) == pytest.approx(0.5)
    assert reward(0.25, UPRIGHT) == pytest.approx(0.75)


def test_speed_is_capped_at_the_target_and_walking_backwards_earns_nothing_for_speed():
    assert reward(2.0, UPRIGHT) == pytest.approx(1.0)
    assert reward(-0.5, UPRIGHT) == pytest.approx(0.5)


def test_tilt_lowers_the_reward_and_a_fall_zeroes_it():
    assert reward(0.5, tilted(TILT_SIGMA)) == pytest.approx(0.5 + 0.5 * math.exp(-1.0))
    assert reward(0.5, torch.tensor([0.0, 0.0, 1.0])) == pytest.approx(0.5, abs=1e-6)
    assert reward(0.5, UPRIGHT, alive=False) == 0.0


def test_a_400_step_episode_sums_to_at_most_400_and_counts_nothing_after_a_fall():
    steps = 400
    alive = torch.arange(1, steps + 1) < 301  # fell at step 301
    rewards = environment_reward(torch.full((steps,), 0.5), UPRIGHT.expand(steps, 3), alive, target_speed=0.5)
    assert float(rewards.sum()) == pytest.approx(300.0)
    assert rewards.shape == (steps,) and float(rewards.max()) <= 1.0
