"""ONNX export of the deterministic policy (normalisation folded in) and the deploy YAML."""

import numpy as np
import onnx
import onnxruntime
import pytest
import torch
import yaml
from learning_helpers import quiet_runner_cfg, tiny_bro_cfg, tiny_sac_cfg
from pendulum_env import PendulumEnv

from isaaclab_nil.learning import BRO, OffPolicyRunner, check_onnx_parity, export_policy_onnx, write_deploy_config
from isaaclab_nil.learning.export import REQUIRED_DEPLOY_KEYS
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


def deploy_info() -> dict:
    return {
        "joint_names": ["hip", "knee"],
        "default_joint_pos": torch.tensor([0.1, -0.2]),
        "stiffness": [20.0, 20.0],
        "damping": (0.5, 0.5),
        "action_scale": 0.25,
        "action_offset": np.array([0.1, -0.2]),
        "observations": [{"name": "joint_pos", "dim": 2}, {"name": "joint_vel", "dim": 2}],
        "control_dt": 0.02,
    }


def test_write_deploy_config_round_trip(tmp_path):
    path = write_deploy_config(tmp_path / "deploy.yaml", deploy_info())
    loaded = yaml.safe_load(path.read_text())
    assert loaded["schema_version"] == 1
    assert set(REQUIRED_DEPLOY_KEYS) <= set(loaded)
    assert loaded["default_joint_pos"] == pytest.approx([0.1, -0.2]) and loaded["damping"] == [0.5, 0.5]
    assert loaded["action_offset"] == pytest.approx([0.1, -0.2]) and loaded["observations"][1]["name"] == "joint_vel"


@pytest.mark.parametrize("missing", REQUIRED_DEPLOY_KEYS)
def test_write_deploy_config_names_missing_key(tmp_path, missing):
    info = deploy_info()
    del info[missing]
    with pytest.raises(ValueError, match=f"'{missing}'"):
        write_deploy_config(tmp_path / "deploy.yaml", info)
    assert not (tmp_path / "deploy.yaml").exists()
