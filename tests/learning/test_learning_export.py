"""ONNX export of the deterministic policy (normalisation folded in); the deploy config: tests/envs/."""

import onnx
import onnxruntime
import pytest
import torch
from learning_helpers import quiet_runner_cfg, tiny_bro_cfg, tiny_sac_cfg
from pendulum_env import PendulumEnv

from isaaclab_nil.learning import BRO, OffPolicyRunner, check_onnx_parity, export_policy_onnx
from isaaclab_nil.learning.networks import ObsNormalizer


@pytest.fixture
def runner(tmp_path):
    runner = OffPolicyRunner(PendulumEnv(4), quiet_runner_cfg(tiny_sac_cfg()), tmp_path)
    runner.normalizer.update(torch.randn(500, 3) * torch.tensor([3.0, 0.2, 5.0]) + torch.tensor([1.0, -2.0, 0.5]))
    return runner


def run_onnx(path, obs: torch.Tensor) -> torch.Tensor:
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return torch.from_numpy(session.run(None, {"obs": obs.numpy()})[0])


def test_onnx_matches_normalised_deterministic_actor(runner, tmp_path):
    path = export_policy_onnx(runner, None, tmp_path / "policy.onnx")
    assert check_onnx_parity(path, runner) <= 1e-5

    obs = 4.0 * torch.randn(33, 3)
    actor, normalizer = runner.algo.actor, runner.normalizer
    with torch.no_grad():  # written out: tanh(mean_head(trunk((obs - mean) / std clipped)))
        normalized = ((obs - normalizer.mean) / torch.sqrt(normalizer.var + 1e-8)).clamp(-10.0, 10.0)
        expected = torch.tanh(actor.mean_head(actor.trunk(normalized)))
        assert not torch.allclose(expected, actor.deterministic(obs), atol=1e-3)  # normalisation matters
    actions = run_onnx(path, obs)
    assert torch.allclose(actions, expected, atol=1e-5)
    assert torch.equal(actions, run_onnx(path, obs))  # deterministic


def test_onnx_has_dynamic_batch_and_is_self_contained(runner, tmp_path):
    path = export_policy_onnx(runner, None, tmp_path / "policy.onnx")
    model = onnx.load(str(path))
    onnx.checker.check_model(model)
    (graph_input,) = model.graph.input
    assert graph_input.name == "obs" and graph_input.type.tensor_type.shape.dim[0].dim_param
    assert [o.name for o in model.graph.output] == ["actions"]
    assert sorted(p.name for p in tmp_path.iterdir() if "onnx" in p.name) == ["policy.onnx"]  # no external data
    for batch in (1, 7, 256):
        obs = torch.randn(batch, 3)
        assert run_onnx(path, obs).shape == (batch, 1)
        assert check_onnx_parity(path, runner, obs=obs) <= 1e-5


def test_export_bare_bro_actor_with_explicit_normaliser(tmp_path):
    algo = BRO(tiny_bro_cfg(), obs_dim=5, action_dim=3)
    normalizer = ObsNormalizer(5)
    normalizer.update(torch.randn(64, 5) * 2.0 + 1.0)
    path = export_policy_onnx(algo.actor, normalizer, tmp_path / "bro.onnx")
    obs = torch.randn(10, 5)
    with torch.no_grad():
        expected = algo.act(normalizer(obs))
    assert torch.allclose(run_onnx(path, obs), expected, atol=1e-5)
    assert check_onnx_parity(path, algo.actor, normalizer) <= 1e-5


def test_parity_check_fails_loudly_on_mismatch(runner, tmp_path):
    path = export_policy_onnx(runner, None, tmp_path / "policy.onnx")
    with torch.no_grad():
        runner.algo.actor.mean_head.bias.add_(1.0)
    with pytest.raises(RuntimeError, match="differs"):
        check_onnx_parity(path, runner)


def test_export_with_a_fixed_batch_of_one_for_unitree_controllers(runner, tmp_path):
    """unitree_rl_lab's C++ runner sizes its input tensor from the model's input shape: it needs batch 1."""
    path = export_policy_onnx(runner, None, tmp_path / "policy.onnx", batch=1)
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert session.get_inputs()[0].shape == [1, 3] and session.get_outputs()[0].shape == [1, 1]
    assert check_onnx_parity(path, runner) <= 1e-5  # row by row
