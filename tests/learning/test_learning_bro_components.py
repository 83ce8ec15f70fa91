"""BRO (and shared SAC) pieces against hand-computed values."""

import math

import pytest
import torch
import torch.nn.functional as F
from isaaclab.utils import configclass
from learning_helpers import ScriptedEnv, quiet_runner_cfg, tiny_bro_cfg, tiny_sac_cfg

from isaaclab_nil.learning import BRO, SAC, BroCfg, OffPolicyRunner, SacCfg
from isaaclab_nil.learning.bro import bounded_dual
from isaaclab_nil.learning.distributional import quantile_huber_loss
from isaaclab_nil.learning.networks import BroBlock, BroNet, gaussian_kl, sample_tanh_gaussian
from isaaclab_nil.learning.replay_buffer import Batch
from isaaclab_nil.learning.runner import algorithm_class


def random_batch(n: int = 16, obs_dim: int = 3, action_dim: int = 1) -> Batch:
    obs, next_obs = torch.randn(n, obs_dim), torch.randn(n, obs_dim)
    return Batch(obs, torch.rand(n, action_dim) * 2 - 1, torch.randn(n), next_obs, torch.zeros(n))


def test_quantile_huber_loss_hand_example():
    # One critic, one sample, quantiles tau = (0.25, 0.75) predicted at (0, 1), target samples (0.5, 3).
    # td_ij = target_j - q_i:  i=0: (0.5, 3.0)   i=1: (-0.5, 2.0)
    # huber (kappa=1):         i=0: (0.125, 2.5) i=1: (0.125, 1.5)
    # |tau_i - 1{td<0}|:       i=0: (0.25, 0.25) i=1: (0.25, 0.75)
    # sum over i per j: (0.03125 + 0.03125, 0.625 + 1.125) = (0.0625, 1.75); mean over j: 0.90625
    q = torch.tensor([[[0.0, 1.0]]])
    target = torch.tensor([[0.5, 3.0]])
    taus = torch.tensor([0.25, 0.75])
    assert quantile_huber_loss(q, target, taus).item() == pytest.approx(0.90625)
    # Summed over critics:
    assert quantile_huber_loss(q.repeat(2, 1, 1), target, taus).item() == pytest.approx(2 * 0.90625)
    # kappa = 2: every |td| <= 2 is quadratic, |td| = 3 gives 2 * (3 - 1) = 4; all divided by kappa.
    # i=0: (0.125 * 0.25, 4 * 0.25)  i=1: (0.125 * 0.25, 2 * 0.75) -> (0.0625, 2.5) / 2, mean over j: 0.640625
    assert quantile_huber_loss(q, target, taus, kappa=2.0).item() == pytest.approx(0.640625)


def test_bro_quantile_midpoints():
    algo = BRO(tiny_bro_cfg(num_quantiles=4), obs_dim=3, action_dim=1)
    assert algo.taus.tolist() == [0.125, 0.375, 0.625, 0.875]


def test_bro_residual_block_is_x_plus_ln_dense_relu_ln_dense():
    torch.manual_seed(0)
    block = BroBlock(4)
    dense1, ln1, relu, dense2, ln2 = block.residual
    expected_types = [torch.nn.Linear, torch.nn.LayerNorm, torch.nn.ReLU, torch.nn.Linear, torch.nn.LayerNorm]
    assert [type(m) for m in block.residual] == expected_types
    with torch.no_grad():  # non-trivial LayerNorm affine parameters so that they must be applied
        for ln in (ln1, ln2):
            ln.weight.uniform_(0.5, 1.5)
            ln.bias.uniform_(-0.5, 0.5)
    x = torch.randn(5, 4)
    h = F.relu(F.layer_norm(F.linear(x, dense1.weight, dense1.bias), (4,), ln1.weight, ln1.bias))
    f = F.layer_norm(F.linear(h, dense2.weight, dense2.bias), (4,), ln2.weight, ln2.bias)
    assert torch.allclose(block(x), x + f, atol=1e-6)
    with torch.no_grad():  # zero residual branch -> identity (no activation after the skip connection)
        ln2.weight.zero_()
        ln2.bias.zero_()
    assert torch.equal(block(x), x)


def test_bronet_stem_blocks_head():
    net = BroNet(in_dim=3, hidden_dim=8, num_blocks=2, out_dim=5)
    assert [type(m) for m in net.stem] == [torch.nn.Linear, torch.nn.LayerNorm, torch.nn.ReLU]
    assert len(net.blocks) == 2 and all(isinstance(b, BroBlock) for b in net.blocks)
    x = torch.randn(7, 3)
    assert torch.allclose(net(x), net.head(net.blocks[1](net.blocks[0](net.stem(x)))))
    assert net(x).shape == (7, 5)


def adam_first_step(value: float, grad_sign: float, lr: float) -> float:
    """Adam's first step moves each parameter by lr against the sign of its gradient."""
    return value - lr * grad_sign


def dual_value(raw: float) -> float:
    """exp(log value squashed into [-10, 7.5]), written out independently of the code."""
    return math.exp(-10.0 + 17.5 * 0.5 * (1.0 + math.tanh(raw)))


@pytest.mark.parametrize("kl_per_dim, direction", [(0.15, -1.0), (0.01, 1.0)])
def test_dual_update_direction_and_magnitude(kl_per_dim, direction):
    """KL above target (0.05): optimism decreases, KL weight increases; below target: the reverse.
    Both raw parameters move by exactly the Adam learning rate 3e-5 on the first step."""
    action_dim = 2
    algo = BRO(tiny_bro_cfg(), obs_dim=3, action_dim=action_dim)
    assert algo.optimism.item() == pytest.approx(1.0) and algo.kl_weight.item() == pytest.approx(0.25)
    raw_optimism, raw_kl_weight = algo.raw_optimism.item(), algo.raw_kl_weight.item()
    optimism_before, kl_weight_before = algo.optimism.item(), algo.kl_weight.item()

    algo.step("duals", torch.tensor(kl_per_dim * action_dim))  # the KL summed over action dims

    lr = 3e-5
    expected_raw_optimism = adam_first_step(raw_optimism, -direction, lr)
    expected_raw_kl_weight = adam_first_step(raw_kl_weight, direction, lr)
    assert algo.raw_optimism.item() == pytest.approx(expected_raw_optimism, abs=2e-8)
    assert algo.raw_kl_weight.item() == pytest.approx(expected_raw_kl_weight, abs=2e-8)
    # In value space (float32, hence rel=3e-3): d value / d raw = value * 8.75 * (1 - tanh(raw)^2).
    optimism_change = algo.optimism.item() - optimism_before
    expected_change = dual_value(expected_raw_optimism) - dual_value(raw_optimism)
    assert optimism_change == pytest.approx(expected_change, rel=3e-3)
    assert math.copysign(1.0, optimism_change) == direction
    slope = 1.0 * 8.75 * (1.0 - math.tanh(raw_optimism) ** 2)
    assert abs(optimism_change) == pytest.approx(lr * slope, rel=3e-3)
    assert math.copysign(1.0, algo.kl_weight.item() - kl_weight_before) == -direction


def test_bounded_dual_is_positive_and_bounded():
    raw = torch.tensor([-100.0, 0.0, 100.0])
    assert torch.allclose(bounded_dual(raw), torch.tensor([math.exp(-10.0), math.exp(-1.25), math.exp(7.5)]))


def test_gaussian_kl_matches_torch_distributions():
    mean_p, mean_q = torch.randn(4, 3), torch.randn(4, 3)
    std_p, std_q = torch.rand(4, 3) + 0.1, torch.rand(4, 3) + 0.1
    expected = torch.distributions.kl_divergence(
        torch.distributions.Normal(mean_p, std_p), torch.distributions.Normal(mean_q, std_q)
    ).sum(-1)
    assert torch.allclose(gaussian_kl(mean_p, std_p, mean_q, std_q), expected, atol=1e-5)


def test_tanh_gaussian_log_prob_matches_torch_distributions():
    torch.manual_seed(0)
    mean, std = torch.randn(1000, 3, dtype=torch.float64), torch.rand(1000, 3, dtype=torch.float64) + 0.2
    actions, log_prob = sample_tanh_gaussian(mean, std)
    distribution = torch.distributions.TransformedDistribution(
        torch.distributions.Normal(mean, std), torch.distributions.TanhTransform()
    )
    assert actions.abs().max() < 1.0
    assert torch.allclose(log_prob, distribution.log_prob(actions).sum(-1), atol=1e-6)


def test_optimistic_exploration_is_tanh_of_shifted_mean():
    # A near-zero std makes sampling deterministic: explore(obs) = tanh(mean + shift).
    algo = BRO(tiny_bro_cfg(log_std_min=-20.0, log_std_max=-19.0), obs_dim=3, action_dim=2)
    with torch.no_grad():
        algo.optimistic_shift.head.weight.fill_(0.05)
    obs = torch.randn(6, 3)
    mean, _ = algo.actor(obs)
    shift = algo.optimistic_shift(obs, mean)
    assert shift.abs().min() > 1e-3
    assert torch.allclose(algo.explore(obs), torch.tanh(mean + shift), atol=1e-6)
    assert torch.allclose(algo.act(obs), torch.tanh(mean))  # evaluation uses the conservative mean


def test_config_subclasses_pick_their_algorithm():
    @configclass
    class MyBroCfg(BroCfg):
        critic_hidden_dim: int = 1024

    assert algorithm_class(MyBroCfg()) is BRO and algorithm_class(BroCfg()) is BRO and algorithm_class(SacCfg()) is SAC


def test_target_entropy_defaults():
    assert SAC(tiny_sac_cfg(), obs_dim=3, action_dim=4).target_entropy == -4.0
    assert BRO(tiny_bro_cfg(), obs_dim=3, action_dim=4).target_entropy == -2.0
    assert BRO(tiny_bro_cfg(target_entropy=-1.5), obs_dim=3, action_dim=4).target_entropy == -1.5


def test_late_target_entropy_takes_over_at_its_env_step():
    cfg = tiny_sac_cfg(target_entropy=2.0, late_target_entropy=-4.0, late_target_entropy_from=5)
    algo = SAC(cfg, obs_dim=3, action_dim=4)
    targets = []
    for step in (1, 4, 5, 9, 2):  # a resumed run may start anywhere
        algo.follow_schedules(step)
        targets.append(algo.target_entropy)
    assert targets == [2.0, 2.0, -4.0, -4.0, 2.0]
    algo.follow_schedules(5)  # below the late target the temperature loss lowers the temperature
    loss, _ = algo.temperature_objective(torch.tensor(-1.0))
    assert loss.item() > 0.0
    assert SAC(tiny_sac_cfg(target_entropy=2.0), obs_dim=3, action_dim=4).follow_schedules(10**6) is False


def test_bro_paper_defaults():
    cfg = BroCfg()
    assert (cfg.critic_hidden_dim, cfg.critic_depth, cfg.actor_hidden_dim, cfg.actor_depth) == (512, 2, 256, 1)
    assert (cfg.replay_ratio, cfg.batch_size, cfg.num_quantiles, cfg.num_critics) == (2, 128, 100, 2)
    assert (cfg.kl_target, cfg.std_multiplier, cfg.init_optimism, cfg.init_kl_weight) == (0.05, 0.75, 1.0, 0.25)
    assert (cfg.tau, cfg.gamma, cfg.pessimism, cfg.weight_decay, cfg.reset_steps) == (0.005, 0.99, 0.0, 1e-4, (15_000,))


def test_sac_pessimism_one_is_min_of_twin_critics():
    algo = SAC(tiny_sac_cfg(), obs_dim=3, action_dim=1)
    q = torch.randn(2, 10, 1)
    assert torch.allclose(algo.aggregate(q, -1.0), q.min(0).values, atol=1e-6)


class Recorder(torch.nn.Module):
    """Wraps a module and records the first argument of every call."""

    def __init__(self, module: torch.nn.Module):
        super().__init__()
        self.module = module
        self.inputs: list[torch.Tensor] = []

    def forward(self, obs, *args):
        self.inputs.append(obs.clone())
        return self.module(obs, *args)


@pytest.mark.parametrize("algo_cls, make_cfg", [(SAC, tiny_sac_cfg), (BRO, tiny_bro_cfg)])
def test_td_target_samples_next_actions_at_next_observations(algo_cls, make_cfg):
    algo = algo_cls(make_cfg(), obs_dim=3, action_dim=1)
    algo.actor = Recorder(algo.actor)
    algo.target_critic = Recorder(algo.target_critic)
    batch = random_batch()
    algo.td_target(batch)
    assert len(algo.actor.inputs) == 1 and torch.equal(algo.actor.inputs[0], batch.next_obs)
    assert len(algo.target_critic.inputs) == 1 and torch.equal(algo.target_critic.inputs[0], batch.next_obs)


@pytest.mark.parametrize("make_cfg", [tiny_sac_cfg, tiny_bro_cfg])
def test_every_update_gets_a_fresh_batch(tmp_path, make_cfg):
    runner = OffPolicyRunner(ScriptedEnv(), quiet_runner_cfg(make_cfg(replay_ratio=3), learning_starts=4), tmp_path)
    sampled, updated = [], []
    sample, update = runner.buffer.sample, runner.algo.update

    def spy_sample(batch_size):
        sampled.append(sample(batch_size))
        return sampled[-1]

    def spy_update(batch):
        updated.append(batch)
        return update(batch)

    runner.buffer.sample, runner.algo.update = spy_sample, spy_update
    runner.learn(10)
    assert len(sampled) == 3 * (10 - 4) == runner.num_updates
    assert len(updated) == len(sampled)
    assert len({id(b) for b in updated}) == len(updated)  # a new batch object for every update
    for first, second in zip(sampled, sampled[1:]):  # ... with newly drawn transitions
        assert not torch.equal(first.actions, second.actions)


def test_reset_schedule_reinitialises_everything():
    algo = BRO(tiny_bro_cfg(reset_steps=(3, 7)), obs_dim=3, action_dim=1)
    for _ in range(3):
        algo.update(random_batch())
    before = {k: v.clone() for k, v in algo.state_dict().items()}
    resets = [step for step in range(1, 11) if algo.follow_schedules(step)]
    assert resets == [3, 7]
    after = algo.state_dict()
    for key in ("actor.mean_head.weight", "critic.critics.0.head.weight", "optimistic_shift.head.weight"):
        assert not torch.equal(before[key], after[key]), key
    assert all(not optimizer.state for optimizer in algo.optimizers.values())  # fresh optimizers
    assert algo.temperature.item() == pytest.approx(1.0)
    assert algo.optimism.item() == pytest.approx(1.0) and algo.kl_weight.item() == pytest.approx(0.25)
    for target, online in zip(algo.target_critic.parameters(), algo.critic.parameters()):
        assert torch.equal(target, online)


def test_runner_resets_at_scheduled_env_steps(tmp_path):
    runner_cfg = quiet_runner_cfg(tiny_bro_cfg(reset_steps=(5, 8)), learning_starts=2)
    runner = OffPolicyRunner(ScriptedEnv(), runner_cfg, tmp_path)
    builds: list[int] = []
    build = runner.algo.build

    def spy_build():
        builds.append(runner.global_step)
        build()

    runner.algo.build = spy_build
    runner.learn(10)
    assert builds == [5, 8]
