"""Networks of the off-policy learners: plain MLP, BroNet, tanh-Gaussian actor, critic ensemble."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from .distributed import batch_moments


def mlp(
    in_dim: int, hidden_dim: int, depth: int, out_dim: int | None = None, layer_norm: bool = False
) -> nn.Sequential:
    """Plain SAC MLP: ``depth`` x (Linear -> [LayerNorm] -> ReLU), then an optional linear output layer."""
    layers: list[nn.Module] = []
    for i in range(depth):
        layers.append(nn.Linear(in_dim if i == 0 else hidden_dim, hidden_dim))
        layers += [nn.LayerNorm(hidden_dim), nn.ReLU()] if layer_norm else [nn.ReLU()]
    if out_dim is not None:
        layers.append(nn.Linear(hidden_dim, out_dim))
    return nn.Sequential(*layers)


class BroBlock(nn.Module):
    """BroNet residual block: ``x + LN(Dense(ReLU(LN(Dense(x)))))``."""

    def __init__(self, dim: int):
        super().__init__()
        self.residual = nn.Sequential(
            nn.Linear(dim, dim), nn.LayerNorm(dim), nn.ReLU(), nn.Linear(dim, dim), nn.LayerNorm(dim)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.residual(x)


class BroNet(nn.Module):
    """BroNet (BRO paper, Fig. 4): Dense -> LN -> ReLU stem, ``num_blocks`` residual blocks, optional head.

    All dense layers use orthogonal initialisation with gain sqrt(2) and zero bias, as the official code.
    """

    def __init__(self, in_dim: int, hidden_dim: int, num_blocks: int, out_dim: int | None = None):
        super().__init__()
        self.stem = nn.Sequential(nn.Linear(in_dim, hidden_dim), nn.LayerNorm(hidden_dim), nn.ReLU())
        self.blocks = nn.Sequential(*[BroBlock(hidden_dim) for _ in range(num_blocks)])
        self.head = nn.Linear(hidden_dim, out_dim) if out_dim is not None else nn.Identity()
        orthogonal_init_(self, gain=math.sqrt(2.0))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.blocks(self.stem(x)))


def orthogonal_init_(module: nn.Module, gain: float) -> None:
    """Orthogonal weights with ``gain`` and zero biases for every Linear layer inside ``module``."""
    for layer in module.modules():
        if isinstance(layer, nn.Linear):
            nn.init.orthogonal_(layer.weight, gain)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)


class TanhGaussianActor(nn.Module):
    """Gaussian policy squashed by tanh; ``forward`` returns the pre-tanh mean and std."""

    def __init__(self, trunk: nn.Module, trunk_dim: int, action_dim: int, log_std_min: float, log_std_max: float):
        super().__init__()
        self.trunk = trunk
        self.mean_head = nn.Linear(trunk_dim, action_dim)
        self.log_std_head = nn.Linear(trunk_dim, action_dim)
        self.log_std_min = log_std_min
        self.log_std_max = log_std_max

    def forward(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean and std in float32 (also under bf16 autocast: log-probabilities need the precision)."""
        features = self.trunk(obs)
        # Smoothly squash log-std into [log_std_min, log_std_max] (as the official BRO code).
        log_std = torch.tanh(self.log_std_head(features).float())
        log_std = self.log_std_min + 0.5 * (self.log_std_max - self.log_std_min) * (log_std + 1.0)
        return self.mean_head(features).float(), log_std.exp()

    def deterministic(self, obs: torch.Tensor) -> torch.Tensor:
        """Deterministic action ``tanh(mean)`` in [-1, 1] (evaluation and export)."""
        return torch.tanh(self.mean_head(self.trunk(obs)))


def sample_tanh_gaussian(mean: torch.Tensor, std: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Reparameterised sample ``a = tanh(u), u ~ N(mean, std)`` and its log-probability (summed over dims).

    ``log pi(a) = log N(u) - sum log(1 - tanh(u)^2)`` with the stable identity
    ``log(1 - tanh(u)^2) = 2 * (log 2 - u - softplus(-2u))``.
    """
    noise = torch.randn_like(mean)
    u = mean + std * noise
    log_prob = -0.5 * noise**2 - torch.log(std) - 0.5 * math.log(2.0 * math.pi)
    log_prob = log_prob - 2.0 * (math.log(2.0) - u - F.softplus(-2.0 * u))
    return torch.tanh(u), log_prob.sum(-1)


def gaussian_kl(mean_p: torch.Tensor, std_p: torch.Tensor, mean_q: torch.Tensor, std_q: torch.Tensor) -> torch.Tensor:
    """KL(N(mean_p, std_p) || N(mean_q, std_q)) of diagonal Gaussians, summed over the last dim."""
    kl = torch.log(std_q / std_p) + (std_p**2 + (mean_p - mean_q) ** 2) / (2.0 * std_q**2) - 0.5
    return kl.sum(-1)


class OptimisticShift(nn.Module):
    """BRO's optimistic actor: a BroNet on (obs, conservative mean) predicting a mean shift.

    The exploration policy is ``tanh(N(mean + shift, std_multiplier * std))``. The shift head has no
    bias and a small orthogonal init (gain 0.01), so exploration starts close to the conservative policy.
    """

    def __init__(self, obs_dim: int, action_dim: int, hidden_dim: int, num_blocks: int):
        super().__init__()
        self.trunk = BroNet(obs_dim + action_dim, hidden_dim, num_blocks)
        self.head = nn.Linear(hidden_dim, action_dim, bias=False)
        nn.init.orthogonal_(self.head.weight, 0.01)

    def forward(self, obs: torch.Tensor, mean: torch.Tensor) -> torch.Tensor:
        return self.head(self.trunk(torch.cat([obs, mean], dim=-1)))


class CriticEnsemble(nn.Module):
    """Independent Q-networks on (obs, action); output shape (num_critics, batch, num_outputs).

    ``num_outputs`` is 1 for scalar critics, else the quantiles or atoms of a distributional critic. The
    output is float32, also under bf16 autocast.
    """

    def __init__(self, make_critic: Callable[[], nn.Module], num_critics: int):
        super().__init__()
        self.critics = nn.ModuleList([make_critic() for _ in range(num_critics)])

    def forward(self, obs: torch.Tensor, action: torch.Tensor) -> torch.Tensor:
        x = torch.cat([obs, action], dim=-1)
        return torch.stack([critic(x) for critic in self.critics]).float()


class ObsNormalizer(nn.Module):
    """Running mean/variance observation normaliser (parallel Welford/Chan update), clipped output.

    ``update`` is a no-op when ``frozen``; a disabled normaliser is the identity.
    """

    def __init__(self, obs_dim: int, enabled: bool = True, clip: float = 10.0, eps: float = 1e-8):
        super().__init__()
        self.enabled = enabled
        self.clip = clip
        self.eps = eps
        self.frozen = False
        self.register_buffer("mean", torch.zeros(obs_dim))
        self.register_buffer("var", torch.ones(obs_dim))
        self.register_buffer("count", torch.zeros((), dtype=torch.float64))

    @torch.no_grad()
    def update(self, obs: torch.Tensor) -> None:
        if not self.enabled or self.frozen:
            return
        batch_count, batch_mean, batch_var = batch_moments(obs)  # over all ranks in distributed training
        total = self.count + batch_count
        delta = batch_mean - self.mean
        new_mean = self.mean + delta * (batch_count / total).float()
        m2 = self.var * self.count.float() + batch_var * batch_count
        m2 = m2 + delta**2 * (self.count * batch_count / total).float()
        self.mean.copy_(new_mean)
        self.var.copy_(m2 / total.float())
        self.count.copy_(total)

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        if not self.enabled:
            return obs
        return ((obs - self.mean) / torch.sqrt(self.var + self.eps)).clamp(-self.clip, self.clip)
