"""Small configs and a scripted env for the learning tests."""

from __future__ import annotations

from types import SimpleNamespace

import torch

from isaaclab_nil.learning import BroCfg, OffPolicyRunnerCfg, SacCfg


def tiny_sac_cfg(**overrides) -> SacCfg:
    return SacCfg(**{"actor_hidden_dim": 32, "critic_hidden_dim": 32, "batch_size": 64, **overrides})


def tiny_bro_cfg(**overrides) -> BroCfg:
    defaults = {"actor_hidden_dim": 32, "critic_hidden_dim": 32, "num_quantiles": 8, "batch_size": 64}
    return BroCfg(**{**defaults, "reset_steps": (), **overrides})


def quiet_runner_cfg(algorithm: SacCfg, **overrides) -> OffPolicyRunnerCfg:
    """A runner cfg of ``algorithm`` with a small buffer, a short warm-up and no progress bar or saving."""
    defaults = {
        "learning_starts": 20,
        "save_interval": 0,
        "save_interval_s": 0.0,
        "log_interval": 50,
        "buffer_size": 10_000,
    }
    return OffPolicyRunnerCfg(algorithm=algorithm, **{**defaults, "progress_bar": False, **overrides})


class ScriptedEnv:
    """Two envs with obs = [step, env id, 0]: env 0 terminates and env 1 times out at step 3;
    ``extras["final_obs"]["policy"]`` holds their last observation (last component set to 1)."""

    num_envs = 2
    device = torch.device("cpu")
    action_space = SimpleNamespace(shape=(2, 1))  # (num_envs, action_dim), no single_action_space

    def __init__(self, final_observation: bool = True):
        self.t = torch.zeros(2)
        self.provide_final_observation = final_observation

    def _obs(self, last: float = 0.0) -> torch.Tensor:
        return torch.stack([self.t, torch.tensor([0.0, 1.0]), torch.full((2,), last)], dim=-1)

    def reset(self):
        self.t.zero_()
        return {"policy": self._obs()}, {}

    def step(self, action: torch.Tensor):
        self.t += 1
        reward = torch.tensor([1.0, 2.0])
        terminated = torch.tensor([self.t[0] == 3, False])
        truncated = torch.tensor([False, self.t[1] == 3])
        extras: dict = {}
        if self.t[0] == 3:
            if self.provide_final_observation:
                extras["final_obs"] = {"policy": self._obs(last=1.0)}
            extras["log"] = {"Episode_Reward/alive": torch.tensor(3.0)}
            self.t.zero_()
        return {"policy": self._obs()}, reward, terminated, truncated, extras
