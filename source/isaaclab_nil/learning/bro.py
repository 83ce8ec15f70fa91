"""BRO: Bigger, Regularized, Optimistic (Nauman et al., NeurIPS 2024) on top of ``SAC``.

Differences to SAC, each in one place below:
  * Bigger/Regularized: BroNet actor and critics (LayerNorm, residual blocks), AdamW weight decay,
    full parameter resets on a schedule (``SAC.follow_schedules`` with ``BroCfg.reset_steps``), replay
    ratio > 1 (the runner samples a fresh batch for every update).
  * Distributional critics: each critic outputs quantiles trained with the quantile Huber loss (or, with
    ``critic_distribution="categorical"``, a categorical distribution; ``distributional.py``); actor and
    TD target use ``mean - pessimism * std`` over the ensemble (pessimism 0 by default).
  * Optimistic exploration (dual actor): data is collected with ``tanh(N(mu + shift, m * std))``
    where ``shift`` maximises the optimistic value ``mean + optimism * std`` under a KL penalty.
    The optimism and the KL weight are adapted by dual gradient descent towards ``kl_target``.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .config import BroCfg
from .networks import (
    BroNet,
    CriticEnsemble,
    OptimisticShift,
    TanhGaussianActor,
    gaussian_kl,
    orthogonal_init_,
    sample_tanh_gaussian,
)
from .replay_buffer import Batch
from .sac import SAC

# Bounds of the log of the optimism and the KL weight (official code).
LOG_DUAL_MIN, LOG_DUAL_MAX = -10.0, 7.5


def bounded_dual(raw: torch.Tensor) -> torch.Tensor:
    """Positive dual variable ``exp(log_value)`` with ``log_value`` squashed into [LOG_DUAL_MIN, LOG_DUAL_MAX]."""
    return torch.exp(LOG_DUAL_MIN + (LOG_DUAL_MAX - LOG_DUAL_MIN) * 0.5 * (1.0 + torch.tanh(raw)))


def bounded_dual_inverse(value: float) -> float:
    """Raw parameter for which ``bounded_dual`` equals ``value``."""
    return math.atanh((math.log(value) - LOG_DUAL_MIN) / (0.5 * (LOG_DUAL_MAX - LOG_DUAL_MIN)) - 1.0)


class BRO(SAC):
    """BRO learner. See the module docstring; hyperparameters and their sources are in ``BroCfg``."""

    cfg: BroCfg

    def default_target_entropy(self) -> float:
        return -float(self.action_dim) / 2.0

    def make_actor(self) -> TanhGaussianActor:
        cfg = self.cfg
        trunk = BroNet(self.obs_dim, cfg.actor_hidden_dim, cfg.actor_depth)
        actor = TanhGaussianActor(trunk, cfg.actor_hidden_dim, self.action_dim, cfg.log_std_min, cfg.log_std_max)
        orthogonal_init_(actor.mean_head, gain=math.sqrt(2.0))
        orthogonal_init_(actor.log_std_head, gain=1.0)
        return actor

    def make_critic(self) -> CriticEnsemble:
        cfg = self.cfg
        in_dim = self.obs_dim + self.action_dim
        return CriticEnsemble(
            lambda: BroNet(in_dim, cfg.critic_hidden_dim, cfg.critic_depth, self.critic_outputs), cfg.num_critics
        )

    def build(self) -> None:
        """SAC's networks plus the optimistic actor, the optimism and the KL weight, and their optimizers."""
        super().build()
        cfg = self.cfg
        shift = OptimisticShift(self.obs_dim, self.action_dim, cfg.actor_hidden_dim, cfg.actor_depth)
        self.optimistic_shift = shift.to(self.device)
        self.raw_optimism = nn.Parameter(torch.tensor(bounded_dual_inverse(cfg.init_optimism), device=self.device))
        self.raw_kl_weight = nn.Parameter(torch.tensor(bounded_dual_inverse(cfg.init_kl_weight), device=self.device))
        self.optimizers["optimistic_actor"] = self.make_optimizer(shift.parameters(), cfg.actor_lr, cfg.weight_decay)
        self.optimizers["duals"] = torch.optim.Adam(
            [self.raw_optimism, self.raw_kl_weight], lr=cfg.dual_lr, betas=cfg.dual_betas
        )

    @property
    def optimism(self) -> torch.Tensor:
        return bounded_dual(self.raw_optimism)

    @property
    def kl_weight(self) -> torch.Tensor:
        return bounded_dual(self.raw_kl_weight)

    @torch.no_grad()
    def explore(self, obs: torch.Tensor) -> torch.Tensor:
        """Optimistic exploration action ``tanh(u), u ~ N(mean + shift, std_multiplier * std)``."""
        mean, std = self.actor(obs)
        return sample_tanh_gaussian(mean + self.optimistic_shift(obs, mean), std * self.cfg.std_multiplier)[0]

    def update(self, batch: Batch) -> dict[str, torch.Tensor]:
        """SAC's update (critic, target, actor, temperature), then the optimistic actor and the duals."""
        info = super().update(batch)
        info |= self.step("optimistic_actor", batch)
        info |= self.step("duals", info["kl"])
        return info

    def objectives(self) -> dict:
        return super().objectives() | {
            "optimistic_actor": self.optimistic_actor_objective,
            "duals": self.duals_objective,
        }

    def optimistic_actor_objective(self, batch: Batch) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """Maximise the optimistic value ``mean + optimism * std`` minus ``kl_weight * KL`` to the
        conservative policy. The KL is that of the mean shift (both Gaussians with the conservative std)."""
        with torch.no_grad():
            mean, std = self.actor(batch.obs)
        optimistic_mean = mean + self.optimistic_shift(batch.obs, mean).float()
        actions, _ = sample_tanh_gaussian(optimistic_mean, std * self.cfg.std_multiplier)
        q_upper = self.aggregate(self.q_values(self.critic(batch.obs, actions)), self.optimism.detach()).mean(-1)
        kl = gaussian_kl(optimistic_mean, std, mean, std)
        loss = -q_upper.mean() + self.kl_weight.detach() * kl.mean()
        info = {"optimistic_actor_loss": loss.detach(), "q_upper_mean": q_upper.detach().mean()}
        return loss, info | {"kl": kl.detach().mean()}

    def duals_objective(self, kl: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """Dual gradient step with the per-dimension KL: if it exceeds ``kl_target`` the optimism
        decreases and the KL weight increases (and vice versa)."""
        gap = kl / self.action_dim - self.cfg.kl_target
        loss = (self.optimism - self.kl_weight) * gap
        return loss, {"optimism": self.optimism.detach(), "kl_weight": self.kl_weight.detach()}
