"""Batched pure-torch Pendulum swing-up (dynamics and cost of Gymnasium's Pendulum-v1) that follows
the Isaac Lab env protocol used by ``OffPolicyRunner``: dict observations, auto-reset inside ``step``,
200-step time-outs reported through ``truncated``, the last observation of finished episodes in
``extras["final_obs"]["policy"]`` and per-episode statistics in ``extras["log"]``.

A uniformly random policy scores about -1200 per episode; a good swing-up policy about -150. A fast
stand-in for the runner's unit tests; the learning proof runs on the Isaac Lab pendulum of ``pendulum_task.py``.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import torch


class PendulumEnv:
    max_speed = 8.0
    max_torque = 2.0
    dt = 0.05
    g = 10.0

    def __init__(
        self,
        num_envs: int,
        seed: int = 0,
        device: str = "cpu",
        final_observation: bool = True,
        max_episode_length: int = 200,
    ):
        self.num_envs = num_envs
        self.max_episode_length = max_episode_length
        self.device = torch.device(device)
        self.provide_final_observation = final_observation
        self.single_action_space = SimpleNamespace(shape=(1,))
        self.generator = torch.Generator(device=self.device).manual_seed(seed)
        self.theta = torch.zeros(num_envs, device=self.device)
        self.theta_dot = torch.zeros(num_envs, device=self.device)
        self.step_count = torch.zeros(num_envs, dtype=torch.long, device=self.device)
        self.episode_cost = torch.zeros(num_envs, device=self.device)

    def _observation(self) -> dict[str, torch.Tensor]:
        obs = torch.stack([torch.cos(self.theta), torch.sin(self.theta), self.theta_dot], dim=-1)
        return {"policy": obs}

    def _reset_idx(self, ids: torch.Tensor) -> None:
        u = torch.rand(2, len(ids), generator=self.generator, device=self.device) * 2.0 - 1.0
        self.theta[ids] = math.pi * u[0]
        self.theta_dot[ids] = u[1]
        self.step_count[ids] = 0
        self.episode_cost[ids] = 0.0

    def reset(self) -> tuple[dict[str, torch.Tensor], dict]:
        self._reset_idx(torch.arange(self.num_envs, device=self.device))
        return self._observation(), {}

    def step(self, action: torch.Tensor):
        torque = action.reshape(self.num_envs).clamp(-self.max_torque, self.max_torque)
        angle = (self.theta + math.pi) % (2.0 * math.pi) - math.pi
        cost = angle**2 + 0.1 * self.theta_dot**2 + 0.001 * torque**2
        self.theta_dot = (self.theta_dot + (3.0 * self.g / 2.0 * torch.sin(self.theta) + 3.0 * torque) * self.dt).clamp(
            -self.max_speed, self.max_speed
        )
        self.theta = self.theta + self.theta_dot * self.dt
        self.step_count += 1
        self.episode_cost += cost

        terminated = torch.zeros(self.num_envs, dtype=torch.bool, device=self.device)
        truncated = self.step_count >= self.max_episode_length
        extras: dict = {}
        done_ids = truncated.nonzero().flatten()
        if len(done_ids) > 0:
            if self.provide_final_observation:
                extras["final_obs"] = {"policy": self._observation()["policy"].clone()}
            extras["log"] = {"Episode_Reward/cost": -self.episode_cost[done_ids].mean()}
            self._reset_idx(done_ids)
        return self._observation(), -cost, terminated, truncated, extras
