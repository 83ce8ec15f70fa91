"""Soft Actor-Critic, also the base class of BRO (which is SAC plus the changes in ``bro.py``).

One ``update`` = one gradient step of the critics on a batch, a Polyak step of the target critics,
one gradient step of the actor and one of the temperature, all on that same batch.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable

import torch
from torch import nn

from .config import SacCfg
from .distributed import all_finite, all_reduce_gradients
from .networks import CriticEnsemble, TanhGaussianActor, mlp, sample_tanh_gaussian
from .replay_buffer import Batch


class NonFiniteLossError(ArithmeticError):
    """A loss was NaN or infinite. Raised before that loss's optimizer step, so every parameter still holds
    the value of the last step taken on a finite loss."""


class SAC(nn.Module):
    """SAC with a critic ensemble (twin critics by default), target critics and learned temperature.

    As an ``nn.Module`` its ``state_dict`` holds all networks, target networks and the temperature;
    ``optimizers`` holds the optimizers. Both are rebuilt by ``build`` (used by full resets).
    """

    def __init__(self, cfg: SacCfg, obs_dim: int, action_dim: int, device: torch.device | str = "cpu"):
        super().__init__()
        self.cfg = cfg
        self.obs_dim = obs_dim
        self.action_dim = action_dim
        self.device = torch.device(device)
        self.target_entropy = cfg.target_entropy if cfg.target_entropy is not None else self.default_target_entropy()
        self.build()

    # ----------------------------------------------------------------------------------------------
    # Construction (overridden by BRO)
    # ----------------------------------------------------------------------------------------------

    def default_target_entropy(self) -> float:
        return -float(self.action_dim)

    def make_actor(self) -> TanhGaussianActor:
        cfg = self.cfg
        trunk = mlp(self.obs_dim, cfg.actor_hidden_dim, cfg.actor_depth)
        return TanhGaussianActor(trunk, cfg.actor_hidden_dim, self.action_dim, cfg.log_std_min, cfg.log_std_max)

    def make_critic(self) -> CriticEnsemble:
        cfg = self.cfg
        in_dim = self.obs_dim + self.action_dim
        return CriticEnsemble(lambda: mlp(in_dim, cfg.critic_hidden_dim, cfg.critic_depth, 1), cfg.num_critics)

    def build(self) -> None:
        """(Re-)create all networks, the temperature and the optimizers from the global torch RNG."""
        cfg = self.cfg
        self.actor = self.make_actor().to(self.device)
        self.critic = self.make_critic().to(self.device)
        self.target_critic = copy.deepcopy(self.critic).requires_grad_(False)
        self.polyak_params = (list(self.target_critic.parameters()), list(self.critic.parameters()))
        self.log_temperature = nn.Parameter(torch.tensor(math.log(cfg.init_temperature), device=self.device))
        self.optimizers = {
            "actor": self.make_optimizer(self.actor.parameters(), cfg.actor_lr, cfg.weight_decay),
            "critic": self.make_optimizer(self.critic.parameters(), cfg.critic_lr, cfg.weight_decay),
            "temperature": torch.optim.Adam([self.log_temperature], lr=cfg.temperature_lr, betas=cfg.temperature_betas),
        }

    def make_optimizer(self, params: Iterable[nn.Parameter], lr: float, weight_decay: float) -> torch.optim.Optimizer:
        return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay, fused=True)

    def maybe_reset(self, env_step: int) -> bool:
        """Full parameter reset (networks, temperature, optimizers) if ``env_step`` is in the schedule."""
        if env_step not in self.cfg.reset_steps:
            return False
        self.build()
        return True

    # ----------------------------------------------------------------------------------------------
    # Acting
    # ----------------------------------------------------------------------------------------------

    @property
    def temperature(self) -> torch.Tensor:
        return self.log_temperature.exp()

    @torch.no_grad()
    def explore(self, obs: torch.Tensor) -> torch.Tensor:
        """Stochastic action in [-1, 1] used for data collection."""
        return sample_tanh_gaussian(*self.actor(obs))[0]

    @torch.no_grad()
    def act(self, obs: torch.Tensor) -> torch.Tensor:
        """Deterministic action ``tanh(mean)`` in [-1, 1] used for evaluation and export."""
        return self.actor.deterministic(obs)

    # ----------------------------------------------------------------------------------------------
    # Learning
    # ----------------------------------------------------------------------------------------------

    def aggregate(self, q: torch.Tensor, beta: float | torch.Tensor) -> torch.Tensor:
        """``mean + beta * std`` over the ensemble dim 0 (population std, so two critics give
        ``mean - std = min``). beta < 0 is pessimistic, beta > 0 optimistic."""
        mean = q.mean(0)
        # The clamp keeps the gradient finite where all critics agree exactly (sqrt'(0) is infinite).
        std = (q - mean).pow(2).mean(0).clamp_min(1e-12).sqrt()
        return mean + beta * std

    @torch.no_grad()
    def td_target(self, batch: Batch) -> torch.Tensor:
        """Soft TD target (batch, num_outputs): next actions are sampled at the NEXT observations, and
        the bootstrap is masked only by true terminations (``dones``), not by time-outs."""
        next_actions, next_log_prob = sample_tanh_gaussian(*self.actor(batch.next_obs))
        next_q = self.aggregate(self.target_critic(batch.next_obs, next_actions), -self.cfg.pessimism)
        soft_next_value = next_q - self.temperature * next_log_prob.unsqueeze(-1)
        not_done = (1.0 - batch.dones).unsqueeze(-1)
        return batch.rewards.unsqueeze(-1) + self.cfg.gamma * not_done * soft_next_value

    def critic_loss(self, q: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Sum over critics of the mean squared TD error; q: (critics, batch, 1), target: (batch, 1)."""
        return ((q - target) ** 2).mean(dim=(1, 2)).sum()

    def update(self, batch: Batch) -> dict[str, torch.Tensor]:
        """One gradient update on ``batch``; returns detached scalars for logging."""
        info = self.update_critic(batch)
        self.update_target()
        info |= self.update_actor(batch)
        info |= self.update_temperature(info["entropy"])
        return info

    def update_critic(self, batch: Batch) -> dict[str, torch.Tensor]:
        target = self.td_target(batch)
        q = self.critic(batch.obs, batch.actions)
        loss = self.critic_loss(q, target)
        self.optimize("critic", loss)
        return {"critic_loss": loss.detach(), "q_mean": q.detach().mean(), "q_target_mean": target.mean()}

    @torch.no_grad()
    def update_target(self) -> None:
        """Polyak averaging: target <- (1 - tau) * target + tau * online."""
        torch._foreach_lerp_(*self.polyak_params, self.cfg.tau)

    def update_actor(self, batch: Batch) -> dict[str, torch.Tensor]:
        mean, std = self.actor(batch.obs)
        actions, log_prob = sample_tanh_gaussian(mean, std)
        q = self.aggregate(self.critic(batch.obs, actions), -self.cfg.pessimism).mean(-1)
        loss = (self.temperature.detach() * log_prob - q).mean()
        self.optimize("actor", loss)
        return {"actor_loss": loss.detach(), "entropy": -log_prob.detach().mean(), "policy_std": std.detach().mean()}

    def update_temperature(self, entropy: torch.Tensor) -> dict[str, torch.Tensor]:
        """Dual step on the temperature: it grows when the entropy is below the target."""
        loss = self.temperature * (entropy - self.target_entropy)
        self.optimize("temperature", loss)
        return {"temperature": self.temperature.detach(), "temperature_loss": loss.detach()}

    def optimize(self, name: str, loss: torch.Tensor) -> None:
        """Backpropagate ``loss`` into the parameters of optimizer ``name`` only (e.g. the actor loss
        leaves the critic's gradients alone) and take an optimizer step. Raises ``NonFiniteLossError``
        instead if the loss is not finite (the check waits for the loss on a GPU: one sync per loss)."""
        if not all_finite(loss):  # on every rank (distributed training): all ranks stop together
            raise NonFiniteLossError(f"the {name} loss is {loss.detach().float().mean().item()}")
        optimizer = self.optimizers[name]
        params = [p for group in optimizer.param_groups for p in group["params"]]
        optimizer.zero_grad(set_to_none=True)
        loss.backward(inputs=params)
        all_reduce_gradients(params)  # averaged over the ranks in distributed training
        optimizer.step()

    # ----------------------------------------------------------------------------------------------
    # Checkpointing
    # ----------------------------------------------------------------------------------------------

    def checkpoint(self) -> dict:
        return {"modules": self.state_dict(), "optimizers": {k: o.state_dict() for k, o in self.optimizers.items()}}

    def load_checkpoint(self, state: dict) -> None:
        self.load_state_dict(state["modules"])
        for name, optimizer in self.optimizers.items():
            optimizer.load_state_dict(state["optimizers"][name])
