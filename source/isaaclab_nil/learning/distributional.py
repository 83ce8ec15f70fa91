"""Distributional critics: the losses and targets of quantile (QR-DQN, BRO) and categorical (C51) value heads.

A critic ensemble's output is (critics, batch, K): one value (``"none"``), K quantiles at the midpoints
``taus`` (``"quantile"``) or the logits of a categorical distribution on K fixed atoms (``"categorical"``,
as FastTD3 and holosoma's FastSAC).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

CRITIC_DISTRIBUTIONS = ("none", "quantile", "categorical")


def quantile_huber_loss(q: torch.Tensor, target: torch.Tensor, taus: torch.Tensor, kappa: float = 1.0) -> torch.Tensor:
    """Quantile regression Huber loss (QR-DQN), summed over critics.

    q: predicted quantiles (critics, batch, K); target: target samples (batch, K'); taus: (K,) quantile
    midpoints. Per critic: sum over predicted quantiles i, mean over batch and target samples j of
    ``|tau_i - 1{td_ij < 0}| * huber_kappa(td_ij) / kappa`` with ``td_ij = target_j - q_i``.
    """
    pred, tgt = torch.broadcast_tensors(q.unsqueeze(-1), target[None, :, None, :])  # (critics, batch, K, K')
    huber = F.huber_loss(pred, tgt, reduction="none", delta=kappa)
    weight = (taus[:, None] - (tgt < pred).to(q.dtype)).abs()  # tgt < pred  <=>  td < 0
    return (weight * huber).sum(dim=2).mean(dim=(1, 2)).sum() / kappa


def categorical_mean(logits: torch.Tensor, atoms: torch.Tensor) -> torch.Tensor:
    """Expected value of the categorical distributions ``softmax(logits)`` on ``atoms``, keeping a last dim of 1."""
    return (logits.softmax(-1) * atoms).sum(-1, keepdim=True)


def categorical_projection(probs: torch.Tensor, values: torch.Tensor, atoms: torch.Tensor) -> torch.Tensor:
    """C51 projection: the distribution on ``atoms`` closest to putting mass ``probs[b, i]`` at ``values[b, i]``.

    Each value is clamped into [atoms[0], atoms[-1]] and its mass split between the two atoms around it in
    proportion to its distance to them, so the result is a distribution (it sums to the mass of ``probs``)
    whose mean equals that of the (clamped) values exactly. probs, values: (batch, K'); atoms: (K,) evenly
    spaced; returns (batch, K).
    """
    num_atoms = atoms.numel()
    spacing = (atoms[-1] - atoms[0]) / (num_atoms - 1)
    position = ((values.clamp(atoms[0], atoms[-1]) - atoms[0]) / spacing).clamp(0, num_atoms - 1)
    lower = position.floor().clamp(max=num_atoms - 2)  # the top atom splits into (K-2, K-1) with weights (0, 1)
    upper_weight = position - lower
    index = lower.long()
    projected = torch.zeros(*probs.shape[:-1], num_atoms, dtype=probs.dtype, device=probs.device)
    projected.scatter_add_(-1, index, probs * (1.0 - upper_weight))
    projected.scatter_add_(-1, index + 1, probs * upper_weight)
    return projected


def categorical_loss(logits: torch.Tensor, target_probs: torch.Tensor) -> torch.Tensor:
    """Cross-entropy of the predicted distributions ``softmax(logits)`` (critics, batch, K) to the target
    distributions (batch, K): mean over the batch, summed over critics."""
    return -(target_probs * logits.log_softmax(-1)).sum(-1).mean(-1).sum()
