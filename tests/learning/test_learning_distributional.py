"""Distributional critics (categorical C51 and quantile), bf16 autocast, torch.compile and the large recipe's rule."""

import functools

import pytest
import torch
from learning_helpers import quiet_runner_cfg, tiny_bro_cfg, tiny_sac_cfg
from pendulum_env import PendulumEnv

from isaaclab_nil.agents.off_policy_cfg import NILBroLargeRunnerCfg, NILSacLargeRunnerCfg
from isaaclab_nil.errors import ConfigError, UsageError
from isaaclab_nil.learning import OffPolicyRunner, check_onnx_parity, export_policy_onnx
from isaaclab_nil.learning.distributional import categorical_loss, categorical_mean, categorical_projection
from isaaclab_nil.learning.networks import sample_tanh_gaussian
from isaaclab_nil.learning.replay_buffer import Batch
from isaaclab_nil.learning.runner import algorithm_class
from isaaclab_nil.tasks.registry import LARGE_RECIPE_MIN_ENVS, recipe_entry_point

ATOMS = torch.linspace(-10.0, 10.0, 21)  # spacing 1
CATEGORICAL = {"critic_distribution": "categorical", "num_atoms": 21, "v_min": -10.0, "v_max": 10.0}
LEARNERS = [(tiny_sac_cfg, 1.0), (tiny_bro_cfg, 0.0)]  # with their default pessimism: clipped double-Q, none


def make_algo(make_cfg, **overrides):
    cfg = make_cfg(**overrides)
    return algorithm_class(cfg)(cfg, obs_dim=3, action_dim=2)


def random_batch(size: int = 16) -> Batch:
    dones = (torch.rand(size) < 0.3).float()
    return Batch(torch.randn(size, 3), torch.rand(size, 2) * 2 - 1, torch.randn(size), torch.randn(size, 3), dones)


def test_projection_hand_example():
    """Mass 1 at 2.25 splits 3:1 between atoms 2 and 3; mass beyond the support goes to its end atoms."""
    probs = torch.tensor([[0.5, 0.3, 0.2]])
    values = torch.tensor([[2.25, 42.0, -42.0]])
    projected = categorical_projection(probs, values, ATOMS)
    expected = torch.zeros(1, 21)
    expected[0, 12], expected[0, 13], expected[0, 20], expected[0, 0] = 0.375, 0.125, 0.3, 0.2
    assert torch.allclose(projected, expected)


def test_projection_is_a_distribution_with_the_mean_of_its_values():
    torch.manual_seed(0)
    probs = torch.rand(64, 21).softmax(-1)
    values = torch.randn(64, 21) * 4.0  # some beyond [-10, 10]: their mean is that of the clamped values
    projected = categorical_projection(probs, values, ATOMS)
    assert (projected >= 0).all() and torch.allclose(projected.sum(-1), torch.ones(64))
    clamped_mean = (probs * values.clamp(-10.0, 10.0)).sum(-1)
    assert torch.allclose((projected * ATOMS).sum(-1), clamped_mean, atol=1e-5)
    on_atoms = categorical_projection(probs, ATOMS.expand(64, -1), ATOMS)  # values on the atoms: unchanged
    assert torch.allclose(on_atoms, probs, atol=1e-6)


@pytest.mark.parametrize("make_cfg, pessimism", LEARNERS, ids=["sac", "bro"])
def test_categorical_critic_shapes_and_target_mean_is_the_scalar_td_target(make_cfg, pessimism):
    # Small rewards and temperature keep every atom's target, r + 0.9 * (z - alpha * log pi), inside the support.
    algo = make_algo(make_cfg, gamma=0.9, init_temperature=0.01, **CATEGORICAL)
    batch = random_batch()
    batch = batch._replace(rewards=batch.rewards.clamp(-0.5, 0.5))
    assert algo.critic(batch.obs, batch.actions).shape == (2, 16, 21)
    assert algo.q_values(algo.critic(batch.obs, batch.actions)).shape == (2, 16, 1)
    torch.manual_seed(1)
    target = algo.td_target(batch)
    assert target.shape == (16, 21) and torch.allclose(target.sum(-1), torch.ones(16))

    torch.manual_seed(1)  # the same next actions
    with torch.no_grad():
        next_actions, next_log_prob = sample_tanh_gaussian(*algo.actor(batch.next_obs))
        next_q = categorical_mean(algo.target_critic(batch.next_obs, next_actions), ATOMS)
    next_q = next_q.min(0).values if pessimism > 0 else next_q.mean(0)
    soft_value = next_q.squeeze(-1) - algo.temperature.detach() * next_log_prob
    scalar_target = batch.rewards + 0.9 * (1 - batch.dones) * soft_value
    assert torch.allclose((target * ATOMS).sum(-1), scalar_target, atol=1e-4)  # bin width 1


def test_categorical_critic_learns_a_constant_return():
    """With gamma 0 the target is the reward: the critic's mean moves to it (and the loss to its minimum, 0)."""
    torch.manual_seed(0)
    algo = make_algo(tiny_sac_cfg, gamma=0.0, critic_lr=3e-3, **CATEGORICAL)
    batch = random_batch(64)._replace(rewards=torch.full((64,), 3.0))
    first = algo.update(batch)["critic_loss"]
    for _ in range(300):
        info = algo.update(batch)
    assert abs(info["q_mean"].item() - 3.0) < 0.1 and info["critic_loss"] < 0.05 * first
    target = categorical_projection(torch.ones(1, 1), torch.full((1, 1), 3.0), ATOMS)
    assert categorical_loss(torch.log(target + 1e-12)[None], target).item() < 1e-6


def test_unknown_critic_distribution_or_compile_is_refused():
    with pytest.raises(ConfigError, match="critic_distribution"):
        make_algo(tiny_sac_cfg, critic_distribution="gaussian")
    with pytest.raises(ConfigError, match="compile"):
        make_algo(tiny_sac_cfg, compile="yes")


def test_the_large_recipe_compiles_on_cuda_only(monkeypatch):
    compiled = []
    monkeypatch.setattr(torch, "compile", lambda fn, mode: compiled.append(fn) or fn)
    make_algo(NILSacLargeRunnerCfg().algorithm.replace)  # on the CPU
    assert not compiled
    make_algo(tiny_sac_cfg, compile="always")
    assert len(compiled) == 3  # critic, actor, temperature


@pytest.mark.parametrize("make_cfg", [tiny_sac_cfg, tiny_bro_cfg], ids=["sac", "bro"])
def test_amp_is_a_no_op_on_the_cpu(make_cfg):
    results = []
    for amp in (False, True):
        torch.manual_seed(0)
        algo = make_algo(make_cfg, amp=amp, **CATEGORICAL)
        torch.manual_seed(1)
        algo.update(random_batch())
        results.append(algo.state_dict())
    for key, value in results[0].items():
        assert torch.equal(value, results[1][key]), key


def parameters_after_two_updates(compile: str) -> torch.Tensor:
    torch.manual_seed(0)
    algo = make_algo(tiny_sac_cfg, compile=compile, actor_hidden_dim=8, critic_hidden_dim=8, **CATEGORICAL)
    torch.manual_seed(1)
    for _ in range(2):
        algo.update(random_batch())
    return torch.cat([p.detach().flatten() for p in algo.parameters()])


def test_compiled_update_matches_the_eager_one(monkeypatch):
    """TorchDynamo captures the objectives and AOTAutograd differentiates them as eager does (the "aot_eager"
    backend: seconds, where Inductor's code generation takes minutes on the CPU, the slow test below)."""
    monkeypatch.setattr(torch, "compile", functools.partial(torch.compile, backend="aot_eager"))
    assert torch.allclose(parameters_after_two_updates("always"), parameters_after_two_updates("off"), atol=1e-6)


@pytest.mark.slow
def test_inductor_compiled_update_matches_the_eager_one(monkeypatch):
    """As above with Inductor, the default backend (2.5 min on 2 shared CPU cores); its random numbers as eager's."""
    monkeypatch.setattr(torch._inductor.config, "fallback_random", True)
    assert torch.allclose(parameters_after_two_updates("always"), parameters_after_two_updates("off"), atol=1e-5)


def test_the_large_recipe_scales_batch_and_buffer_with_the_envs():
    cfg = NILBroLargeRunnerCfg()
    assert [cfg.batch_size(n) for n in (16, 256, 1024, 4096, 16384)] == [1024, 2048, 8192, 32768, 32768]
    assert cfg.replay_capacity(4096) == 4096 * 1024 and cfg.algorithm.replay_ratio == 4
    small = quiet_runner_cfg(tiny_bro_cfg())
    assert small.batch_size(4096) == 64 and small.replay_capacity(4096) == small.buffer_size
    for large in (NILSacLargeRunnerCfg(), cfg):
        assert large.algorithm.critic_distribution == "categorical" and large.algorithm.amp


def test_the_recipe_is_chosen_by_the_number_of_envs():
    assert recipe_entry_point("bro", None) == "bro_cfg_entry_point"
    assert recipe_entry_point("bro", LARGE_RECIPE_MIN_ENVS - 1) == "bro_cfg_entry_point"
    assert recipe_entry_point("sac", LARGE_RECIPE_MIN_ENVS) == "sac_large_cfg_entry_point"
    assert recipe_entry_point("sac", 4096, "small") == "sac_cfg_entry_point"
    assert recipe_entry_point("bro", 4, "large") == "bro_large_cfg_entry_point"
    with pytest.raises(UsageError, match="recipe"):
        recipe_entry_point("bro", 4, "huge")


def test_a_large_recipe_runner_trains_saves_resumes_and_exports(tmp_path):
    """The large SAC recipe (small widths, no compile) with 4 envs: batch and buffer by its rule, a resume
    restores the exact state, and its layer-norm actor exports to ONNX."""
    algorithm = NILSacLargeRunnerCfg().algorithm.replace(
        actor_hidden_dim=16, critic_hidden_dim=16, compile="off", batch_size=8
    )
    cfg = NILSacLargeRunnerCfg(algorithm=algorithm, progress_bar=False, save_interval_s=0.0, log_interval=20)
    runner = OffPolicyRunner(PendulumEnv(4, seed=1), cfg, tmp_path)
    assert runner.batch_size == 32 and runner.buffer.capacity == 4 * 1024
    runner.learn(30)
    assert runner.num_updates == 4 * (30 - cfg.learning_starts)
    path = runner.save_checkpoint()
    resumed = OffPolicyRunner(PendulumEnv(4, seed=1), cfg, tmp_path)
    resumed.resume()
    for key, value in runner.algo.state_dict().items():
        assert torch.equal(value, resumed.algo.state_dict()[key]), key
    onnx = export_policy_onnx(resumed.algo.actor, resumed.normalizer, tmp_path / "policy.onnx")
    assert check_onnx_parity(onnx, resumed.algo.actor, resumed.normalizer) <= 1e-5
    assert path.exists() and not list(tmp_path.glob("replay_buffer_*.pt"))  # the large recipe saves no buffer
