"""The same pipeline on a GPU: collect, update, checkpoint, resume and export (skipped without CUDA)."""

import pytest
import torch
from learning_helpers import quiet_runner_cfg, tiny_bro_cfg, tiny_sac_cfg
from pendulum_env import PendulumEnv

from isaaclab_nil.agents.off_policy_cfg import NILBroLargeRunnerCfg, NILSacLargeRunnerCfg
from isaaclab_nil.learning import OffPolicyRunner, check_onnx_parity, export_policy_onnx

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


@pytest.mark.parametrize("make_cfg", [tiny_sac_cfg, tiny_bro_cfg], ids=["sac", "bro"])
def test_runner_on_cuda(tmp_path, make_cfg):
    env = PendulumEnv(16, device="cuda", max_episode_length=50)
    runner = OffPolicyRunner(env, quiet_runner_cfg(make_cfg(), save_interval=50), tmp_path)
    assert runner.device.type == "cuda" and runner.buffer.obs.device.type == "cuda"
    runner.learn(100)
    assert runner.num_updates == 80 * runner.cfg.algorithm.replay_ratio
    assert all(torch.isfinite(p).all() for p in runner.algo.parameters())

    env = PendulumEnv(16, device="cuda", max_episode_length=50)
    resumed = OffPolicyRunner(env, quiet_runner_cfg(make_cfg()), tmp_path)
    restored = resumed.resume()
    assert restored.checkpoint == tmp_path / "model_100.pt" and resumed.global_step == 100
    assert restored.buffer_size == 1600 and torch.equal(resumed.buffer.obs, runner.buffer.obs)
    resumed.learn(120)

    path = export_policy_onnx(resumed, None, tmp_path / "policy.onnx")
    assert check_onnx_parity(path, resumed) <= 1e-5


@pytest.mark.parametrize("runner_class", [NILSacLargeRunnerCfg, NILBroLargeRunnerCfg], ids=["sac", "bro"])
def test_large_recipe_with_bf16_on_cuda(tmp_path, runner_class):
    """The large recipe's categorical critic under bf16 autocast (not compiled: that takes minutes): finite
    float32 parameters, a finite loss, and an exported policy that matches."""
    cfg = runner_class(progress_bar=False, save_interval_s=0.0)
    cfg.algorithm = cfg.algorithm.replace(actor_hidden_dim=32, critic_hidden_dim=32, compile="off")
    runner = OffPolicyRunner(PendulumEnv(64, device="cuda", max_episode_length=50), cfg, tmp_path)
    assert runner.batch_size == 1024 and runner.algo.cfg.amp
    runner.learn(30)
    assert all(p.dtype == torch.float32 and torch.isfinite(p).all() for p in runner.algo.parameters())
    path = export_policy_onnx(runner, None, tmp_path / "policy.onnx")
    assert check_onnx_parity(path, runner) <= 1e-5
