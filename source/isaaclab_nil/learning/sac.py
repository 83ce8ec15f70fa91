"""Soft Actor-Critic, also the base class of BRO (which is SAC plus the changes in ``bro.py``).

One ``update`` = one gradient step of the critics on a batch, a Polyak step of the target critics,
one gradient step of the actor and one of the temperature, all on that same batch.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable
from typing import Any

import torch
from torch import nn

from ..errors import ConfigError
from .config import SacCfg
from .distributed import all_finite, all_reduce_gradients
from .distributional import (
    CRITIC_DISTRIBUTIONS,
    categorical_loss,
    categorical_mean,
    categorical_projection,
    quantile_huber_loss,
)
from .networks import CriticEnsemble, TanhGaussianActor, mlp, sample_tanh_gaussian
from .replay_buffer import Batch

COMPILE_CHOICES = ("off", "cuda", "always")


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
        self.early_target_entropy = (
            cfg.target_entropy if cfg.target_entropy is not None else self.default_target_entropy()
        )
        self.target_entropy = self.early_target_entropy
        """The target entropy in force (``follow_schedules``)."""
        if cfg.critic_distribution not in CRITIC_DISTRIBUTIONS:
            raise ConfigError(f"critic_distribution is {cfg.critic_distribution!r}; one of {CRITIC_DISTRIBUTIONS}")
        if cfg.compile not in COMPILE_CHOICES:
            raise ConfigError(f"compile is {cfg.compile!r}; one of {COMPILE_CHOICES}")
        self.taus = (torch.arange(cfg.num_quantiles, device=self.device) + 0.5) / cfg.num_quantiles
        """Quantile midpoints of a quantile critic."""
        self.atoms = torch.linspace(cfg.v_min, cfg.v_max, cfg.num_atoms, device=self.device)
        """Support of a categorical critic."""
        self.build()
        objectives = self.objectives()
        if cfg.compile == "always" or (cfg.compile == "cuda" and self.device.type == "cuda"):
            objectives = {name: torch.compile(fn, mode=cfg.compile_mode) for name, fn in objectives.items()}
        self.compiled_objectives = objectives

    # ----------------------------------------------------------------------------------------------
    # Construction (overridden by BRO)
    # ----------------------------------------------------------------------------------------------

    def default_target_entropy(self) -> float:
        return -float(self.action_dim)

    def make_actor(self) -> TanhGaussianActor:
        cfg = self.cfg
        trunk = mlp(self.obs_dim, cfg.actor_hidden_dim, cfg.actor_depth, layer_norm=cfg.layer_norm)
        return TanhGaussianActor(trunk, cfg.actor_hidden_dim, self.action_dim, cfg.log_std_min, cfg.log_std_max)

    @property
    def critic_outputs(self) -> int:
        """Outputs of each critic: one value, ``num_quantiles`` quantiles or ``num_atoms`` logits."""
        return {"quantile": self.cfg.num_quantiles, "categorical": self.cfg.num_atoms}.get(
            self.cfg.critic_distribution, 1
        )

    def make_critic(self) -> CriticEnsemble:
        cfg = self.cfg
        in_dim = self.obs_dim + self.action_dim
        return CriticEnsemble(
            lambda: mlp(in_dim, cfg.critic_hidden_dim, cfg.critic_depth, self.critic_outputs, cfg.layer_norm),
            cfg.num_critics,
        )

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

    def follow_schedules(self, env_step: int) -> bool:
        """Take the target entropy in force at ``env_step`` (``late_target_entropy``) and make a full parameter
        reset (networks, temperature, optimizers) if ``env_step`` is in ``reset_steps``; True after a reset."""
        cfg = self.cfg
        late = cfg.late_target_entropy is not None and env_step >= cfg.late_target_entropy_from
        self.target_entropy = cfg.late_target_entropy if late else self.early_target_entropy
        if env_step not in cfg.reset_steps:
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

    def q_values(self, critic_output: torch.Tensor) -> torch.Tensor:
        """The critics' values (critics, batch, K) from their output: the mean of a categorical
        distribution (K = 1), else the output itself (one value, or the quantiles)."""
        if self.cfg.critic_distribution == "categorical":
            return categorical_mean(critic_output, self.atoms)
        return critic_output

    @torch.no_grad()
    def td_target(self, batch: Batch) -> torch.Tensor:
        """Soft TD target: next actions are sampled at the NEXT observations, and the bootstrap is masked only
        by true terminations (``dones``), not by time-outs. A value (batch, 1) or quantiles (batch, K) per
        sample, or for a categorical critic the projected target distribution (batch, num_atoms)."""
        next_actions, next_log_prob = sample_tanh_gaussian(*self.actor(batch.next_obs))
        next_output = self.target_critic(batch.next_obs, next_actions)
        discount = self.cfg.gamma * (1.0 - batch.dones).unsqueeze(-1)
        entropy_bonus = self.temperature * next_log_prob.unsqueeze(-1)
        if self.cfg.critic_distribution == "categorical":
            probs = next_output.softmax(-1)
            if self.cfg.pessimism > 0:  # clipped double-Q: the distribution of the lowest mean, per sample
                lowest = self.q_values(next_output).argmin(0)  # (batch, 1)
                probs = probs.gather(0, lowest.expand(-1, probs.shape[-1]).unsqueeze(0)).squeeze(0)
            else:
                probs = probs.mean(0)
            values = batch.rewards.unsqueeze(-1) + discount * (self.atoms - entropy_bonus)
            return categorical_projection(probs, values, self.atoms)
        next_q = self.aggregate(next_output, -self.cfg.pessimism)
        return batch.rewards.unsqueeze(-1) + discount * (next_q - entropy_bonus)

    def critic_loss(self, output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Summed over critics: the mean squared TD error of scalar critics, the quantile Huber loss of
        quantile critics, the cross-entropy to the target distribution of categorical ones."""
        distribution = self.cfg.critic_distribution
        if distribution == "quantile":
            return quantile_huber_loss(output, target, self.taus)
        if distribution == "categorical":
            return categorical_loss(output, target)
        return ((output - target) ** 2).mean(dim=(1, 2)).sum()

    def update(self, batch: Batch) -> dict[str, torch.Tensor]:
        """One gradient update on ``batch``; returns detached scalars for logging."""
        info = self.step("critic", batch)
        self.update_target()
        info |= self.step("actor", batch)
        info |= self.step("temperature", info["entropy"])
        return info

    def objectives(self) -> dict[str, Callable[..., tuple[torch.Tensor, dict[str, torch.Tensor]]]]:
        """Per optimizer, the function of the update's inputs that gives its loss and the scalars to log."""
        return {
            "critic": self.critic_objective,
            "actor": self.actor_objective,
            "temperature": self.temperature_objective,
        }

    def step(self, name: str, *inputs: Any) -> dict[str, torch.Tensor]:
        """Compute the loss of optimizer ``name`` (compiled as ``cfg.compile`` says, under bf16 autocast with
        ``cfg.amp`` on CUDA) and take its optimizer step; returns the scalars to log."""
        with torch.autocast("cuda", torch.bfloat16, enabled=self.cfg.amp and self.device.type == "cuda"):
            loss, info = self.compiled_objectives[name](*inputs)
        self.optimize(name, loss)
        return info

    def critic_objective(self, batch: Batch) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        target = self.td_target(batch)
        output = self.critic(batch.obs, batch.actions)
        loss = self.critic_loss(output, target)
        target_mean = (target * self.atoms).sum(-1) if self.cfg.critic_distribution == "categorical" else target
        info = {"critic_loss": loss.detach(), "q_mean": self.q_values(output).detach().mean()}
        return loss, info | {"q_target_mean": target_mean.mean()}

    @torch.no_grad()
    def update_target(self) -> None:
        """Polyak averaging: target <- (1 - tau) * target + tau * online."""
        torch._foreach_lerp_(*self.polyak_params, self.cfg.tau)

    def actor_objective(self, batch: Batch) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        mean, std = self.actor(batch.obs)
        actions, log_prob = sample_tanh_gaussian(mean, std)
        q = self.aggregate(self.q_values(self.critic(batch.obs, actions)), -self.cfg.pessimism).mean(-1)
        loss = (self.temperature.detach() * log_prob - q).mean()
        info = {"actor_loss": loss.detach(), "entropy": -log_prob.detach().mean()}
        return loss, info | {"policy_std": std.detach().mean()}

    def temperature_objective(self, entropy: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """Dual step on the temperature: it grows when the entropy is below the target."""
        loss = self.temperature * (entropy - self.target_entropy)
        return loss, {"temperature": self.temperature.detach(), "temperature_loss": loss.detach()}

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
