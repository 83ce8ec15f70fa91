"""Proof of learning: SAC and BRO swing up an Isaac Lab pendulum (``pendulum_task.py``: an MJCF pendulum
imported offline, Newton physics on the CPU) within a fixed budget (2000 env steps x 16 envs) and seed.

The score is the mean return of the last 32 episodes (the last two rounds of all 16 envs); the threshold
is -300. A uniformly random policy scores about -1100 to -1300, a good swing-up policy about -150.
Measured on one CPU core, seed 0 (seeds 1 and 2 in brackets): SAC -177.5 (-209.0, -173.5) in 35 s,
BRO -156.1 (-139.6, -155.6) in 62 s; SAC with a categorical critic -166.8, in the time of SAC (115 s against
SAC's 132 s, both on a loaded CPU); the whole module, env creation included, about 3 minutes.
"""

import time

import pytest
import torch
from learning_helpers import quiet_runner_cfg, tiny_bro_cfg, tiny_sac_cfg

from isaaclab_nil.learning import OffPolicyRunner

NUM_ENVS = 16
SEED = 0
THRESHOLD = -300.0
FAST_LR = {"actor_lr": 1e-3, "critic_lr": 1e-3, "temperature_lr": 1e-3}


@pytest.fixture(scope="module")
def env():
    """One pendulum env for the module: Isaac Lab runs one simulation per process at a time."""
    from pendulum_task import make_pendulum_env

    env = make_pendulum_env(NUM_ENVS, seed=SEED)
    yield env
    env.close()


def train(env, tmp_path, algo_cfg, num_env_steps: int) -> float:
    """Mean return of the last two rounds of episodes after ``num_env_steps`` env steps."""
    runner_cfg = quiet_runner_cfg(algo_cfg, seed=SEED, learning_starts=100, log_interval=200)
    runner = OffPolicyRunner(env, runner_cfg, tmp_path)  # resets the env
    start = time.perf_counter()
    runner.learn(num_env_steps)
    recent = list(runner.completed_returns)[-2 * NUM_ENVS :]
    score = sum(recent) / len(recent)
    print(
        f"\n{type(runner.algo).__name__}: mean return of last {len(recent)} episodes {score:.1f} after "
        f"{num_env_steps} env steps x {NUM_ENVS} envs, {runner.num_updates} updates, "
        f"{time.perf_counter() - start:.1f} s"
    )
    return score


def test_random_policy_fails_the_threshold(env):
    torch.manual_seed(SEED)
    env.reset()
    total = torch.zeros(NUM_ENVS)
    for _ in range(env.max_episode_length):
        _, reward, _, _, _ = env.step(torch.rand(NUM_ENVS, 1) * 2.0 - 1.0)
        total += reward
    print(f"\nrandom policy: mean return {total.mean():.1f}")
    assert total.mean() < 3 * THRESHOLD


def test_sac_learns_pendulum(env, tmp_path):
    cfg = tiny_sac_cfg(actor_hidden_dim=64, critic_hidden_dim=64, batch_size=256, replay_ratio=2, **FAST_LR)
    assert train(env, tmp_path, cfg, num_env_steps=2000) > THRESHOLD


def test_bro_learns_pendulum(env, tmp_path):
    cfg = tiny_bro_cfg(actor_hidden_dim=64, critic_hidden_dim=64, num_quantiles=16, batch_size=128, **FAST_LR)
    assert train(env, tmp_path, cfg, num_env_steps=2000) > THRESHOLD


def test_sac_with_a_categorical_critic_learns_pendulum(env, tmp_path):
    """FastTD3's critic on SAC: 101 atoms on [-1000, 0], which holds the pendulum's discounted returns."""
    categorical = {"critic_distribution": "categorical", "num_atoms": 101, "v_min": -1000.0, "v_max": 0.0}
    cfg = tiny_sac_cfg(
        actor_hidden_dim=64, critic_hidden_dim=64, batch_size=256, replay_ratio=2, **FAST_LR, **categorical
    )
    assert train(env, tmp_path, cfg, num_env_steps=2000) > THRESHOLD
