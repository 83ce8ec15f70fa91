"""Replay buffer, bootstrapping through time-outs (not terminations), observation normaliser."""

import pytest
import torch
from learning_helpers import ScriptedEnv, quiet_runner_cfg, tiny_bro_cfg, tiny_sac_cfg

from isaaclab_nil.learning import OffPolicyRunner
from isaaclab_nil.learning.networks import ObsNormalizer
from isaaclab_nil.learning.replay_buffer import Batch, ReplayBuffer
from isaaclab_nil.learning.runner import algorithm_class, get_action_dim


def test_ring_buffer_wraps_and_samples_stored_rows():
    buffer = ReplayBuffer(capacity=5, obs_dim=1, action_dim=1, device="cpu")
    for step in range(3):  # 3 x 2 envs = 6 > capacity: the oldest row is overwritten
        obs = torch.tensor([[10.0 * step], [10.0 * step + 1]])
        buffer.add(obs, obs, obs[:, 0], obs + 1, torch.zeros(2, dtype=torch.bool))
    assert len(buffer) == 5 and buffer.ptr == 1
    assert sorted(buffer.obs[:, 0].tolist()) == [1.0, 10.0, 11.0, 20.0, 21.0]
    batch = buffer.sample(256)
    assert batch.obs.shape == (256, 1) and batch.rewards.shape == (256,) and batch.dones.shape == (256,)
    assert torch.equal(batch.next_obs, batch.obs + 1) and torch.equal(batch.rewards, batch.obs[:, 0])
    assert set(batch.obs[:, 0].tolist()) <= {1.0, 10.0, 11.0, 20.0, 21.0}


def test_runner_stores_terminations_as_done_and_time_outs_as_not_done(tmp_path):
    env = ScriptedEnv()
    runner = OffPolicyRunner(env, quiet_runner_cfg(tiny_sac_cfg(), learning_starts=100), tmp_path)
    runner.learn(3)
    buffer = runner.buffer
    assert len(buffer) == 6
    # Rows 4 and 5 are the third step of env 0 (terminated) and env 1 (timed out).
    assert buffer.dones[:6].tolist() == [0.0, 0.0, 0.0, 0.0, 1.0, 0.0]
    # next_obs of finished episodes is the final observation, not the auto-reset one.
    assert buffer.next_obs[4].tolist() == [3.0, 0.0, 1.0] and buffer.next_obs[5].tolist() == [3.0, 1.0, 1.0]
    assert runner.obs[:, 0].tolist() == [0.0, 0.0]
    assert list(runner.completed_returns) == [3.0, 6.0] and list(runner.completed_lengths) == [3.0, 3.0]


def test_reward_scale_applies_to_the_learner_not_to_the_logged_returns(tmp_path):
    runner_cfg = quiet_runner_cfg(tiny_sac_cfg(), learning_starts=100, reward_scale=50.0)
    runner = OffPolicyRunner(ScriptedEnv(), runner_cfg, tmp_path)
    runner.learn(3)
    assert runner.buffer.rewards[:6].tolist() == [50.0, 100.0] * 3
    assert list(runner.completed_returns) == [3.0, 6.0]


def test_runner_warns_once_without_final_observation(tmp_path):
    runner = OffPolicyRunner(ScriptedEnv(final_observation=False), quiet_runner_cfg(tiny_sac_cfg()), tmp_path)
    with pytest.warns(UserWarning, match="final_obs") as record:
        runner.learn(9)  # three episode ends, one warning
    assert sum("final_obs" in str(w.message) for w in record) == 1
    assert runner.buffer.next_obs[4].tolist() == [0.0, 0.0, 0.0]  # documented limitation: reset obs


@pytest.mark.parametrize("make_cfg", [tiny_sac_cfg, tiny_bro_cfg])
def test_td_target_bootstraps_time_outs_but_not_terminations(make_cfg):
    cfg = make_cfg(gamma=0.9)
    algo = algorithm_class(cfg)(cfg, obs_dim=3, action_dim=1)
    outputs = algo.critic_outputs

    class ConstantCritic(torch.nn.Module):
        def forward(self, obs, action):
            return torch.full((cfg.num_critics, obs.shape[0], outputs), 5.0)

    algo.target_critic = ConstantCritic()
    with torch.no_grad():
        algo.log_temperature.fill_(-100.0)  # no entropy bonus: the target is r + gamma * (1 - done) * 5
    rewards, dones = torch.tensor([1.0, 2.0]), torch.tensor([1.0, 0.0])
    batch = Batch(torch.randn(2, 3), torch.zeros(2, 1), rewards, torch.randn(2, 3), dones)
    target = algo.td_target(batch)
    assert target.shape == (2, outputs)
    assert torch.allclose(target[0], torch.tensor(1.0))  # terminated: no bootstrap
    assert torch.allclose(target[1], torch.tensor(2.0 + 0.9 * 5.0))  # timed out: bootstrap


def test_obs_normalizer_matches_dataset_statistics_and_freezes():
    data = torch.randn(1000, 3) * torch.tensor([1.0, 5.0, 0.1]) + torch.tensor([2.0, -1.0, 0.0])
    normalizer = ObsNormalizer(3)
    for chunk in data.split(128):
        normalizer.update(chunk)
    assert torch.allclose(normalizer.mean, data.mean(0), atol=1e-5)
    assert torch.allclose(normalizer.var, data.var(0, unbiased=False), rtol=1e-4)
    expected = ((data - data.mean(0)) / data.std(0, unbiased=False)).clamp(-10, 10)
    assert torch.allclose(normalizer(data), expected, atol=1e-4)
    normalizer.frozen = True
    normalizer.update(data + 100.0)
    assert torch.allclose(normalizer.mean, data.mean(0), atol=1e-5)
    assert torch.equal(ObsNormalizer(3, enabled=False)(data), data)


def test_action_dim_from_single_action_space_or_action_space():
    from pendulum_env import PendulumEnv

    assert get_action_dim(PendulumEnv(3)) == 1  # Isaac Lab style: single_action_space
    assert get_action_dim(ScriptedEnv()) == 1  # batched action_space (num_envs, action_dim)
