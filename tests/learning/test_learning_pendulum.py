"""Proof of learning: SAC and BRO swing up the batched Pendulum within a fixed budget and seed.

A uniformly random policy scores about -1200 per episode, a good swing-up policy about -150; the
threshold is the mean return of the last 16 episodes (the last two rounds of all 8 envs) > -300.
Networks are small (width 64) so that each run takes well under a minute or so on one CPU core.
"""

import time

import torch
from learning_helpers import quiet_runner_cfg, tiny_bro_cfg, tiny_sac_cfg
from pendulum_env import PendulumEnv

from isaaclab_nil.learning import OffPolicyRunner

NUM_ENVS = 8
THRESHOLD = -300.0


def train(tmp_path, algo_cfg, num_env_steps: int) -> float:
    env = PendulumEnv(NUM_ENVS, seed=0)
    runner_cfg = quiet_runner_cfg(seed=0, learning_starts=100, action_scale=2.0, log_interval=200)
    runner = OffPolicyRunner(env, algo_cfg, runner_cfg, tmp_path)
    start = time.perf_counter()
    runner.learn(num_env_steps)
    recent = list(runner.completed_returns)[-2 * NUM_ENVS :]
    score = sum(recent) / len(recent)
    seconds = time.perf_counter() - start
    print(
        f"\n{type(runner.algo).__name__}: mean return of last {len(recent)} episodes {score:.1f} after "
        f"{num_env_steps} env steps x {NUM_ENVS} envs, {runner.num_updates} updates, {seconds:.1f} s"
    )
    return score


def test_random_policy_fails_the_threshold():
    env = PendulumEnv(NUM_ENVS, seed=0)
    env.reset()
    total = torch.zeros(NUM_ENVS)
    for _ in range(env.max_episode_length):
        _, reward, _, _, _ = env.step(4.0 * torch.rand(NUM_ENVS, 1) - 2.0)
        total += reward
    assert total.mean() < -900.0


def test_sac_learns_pendulum(tmp_path):
    cfg = tiny_sac_cfg(
        actor_hidden_dim=64, critic_hidden_dim=64, batch_size=256, actor_lr=1e-3, critic_lr=1e-3, temperature_lr=1e-3
    )
    assert train(tmp_path, cfg, num_env_steps=4000) > THRESHOLD


def test_bro_learns_pendulum(tmp_path):
    cfg = tiny_bro_cfg(actor_hidden_dim=64, critic_hidden_dim=64, num_quantiles=16, batch_size=128)
    assert train(tmp_path, cfg, num_env_steps=2000) > THRESHOLD
