"""Replay buffer for N parallel environments: a preallocated ring of tensors on the env's device."""

from __future__ import annotations

from typing import NamedTuple

import torch

FIELDS = ("obs", "actions", "rewards", "next_obs", "dones")


class Batch(NamedTuple):
    """A batch of transitions. ``dones`` is 1.0 only at true terminations (no bootstrapping);
    time-outs are stored as 0.0, so the TD target bootstraps through them."""

    obs: torch.Tensor
    actions: torch.Tensor
    rewards: torch.Tensor
    next_obs: torch.Tensor
    dones: torch.Tensor


class ReplayBuffer:
    """Ring buffer of ``capacity`` transitions; ``add`` stores a whole step of all N envs at once."""

    def __init__(self, capacity: int, obs_dim: int, action_dim: int, device: torch.device | str):
        self.capacity = capacity
        self.device = torch.device(device)
        self.obs = torch.zeros(capacity, obs_dim, device=self.device)
        self.actions = torch.zeros(capacity, action_dim, device=self.device)
        self.rewards = torch.zeros(capacity, device=self.device)
        self.next_obs = torch.zeros(capacity, obs_dim, device=self.device)
        self.dones = torch.zeros(capacity, device=self.device)
        self.ptr = 0
        self.size = 0

    def __len__(self) -> int:
        return self.size

    @torch.no_grad()
    def add(
        self,
        obs: torch.Tensor,
        actions: torch.Tensor,
        rewards: torch.Tensor,
        next_obs: torch.Tensor,
        terminated: torch.Tensor,
    ) -> None:
        """Store one transition per env. ``terminated`` must exclude time-outs (they bootstrap)."""
        n = obs.shape[0]
        if n > self.capacity:
            raise ValueError(f"cannot add {n} transitions to a buffer of capacity {self.capacity}")
        idx = (self.ptr + torch.arange(n, device=self.device)) % self.capacity
        self.obs[idx] = obs
        self.actions[idx] = actions
        self.rewards[idx] = rewards
        self.next_obs[idx] = next_obs
        self.dones[idx] = terminated.to(self.dones.dtype)
        self.ptr = (self.ptr + n) % self.capacity
        self.size = min(self.size + n, self.capacity)

    def sample(self, batch_size: int) -> Batch:
        """Uniformly sample ``batch_size`` stored transitions (with replacement)."""
        idx = torch.randint(0, self.size, (batch_size,), device=self.device)
        return Batch(self.obs[idx], self.actions[idx], self.rewards[idx], self.next_obs[idx], self.dones[idx])

    def state_dict(self) -> dict:
        """The filled part as contiguous CPU tensors (copies), which ``torch.save`` writes as they are in memory
        and ``torch.load(..., mmap=True)`` maps back without parsing."""
        return {
            "ptr": self.ptr,
            "size": self.size,
            **{field: getattr(self, field)[: self.size].to("cpu", copy=True) for field in FIELDS},
        }

    def load_state_dict(self, state: dict) -> None:
        """Restore ``state_dict``; raises ``ValueError`` (the buffer unchanged) if it does not fit this buffer."""
        size = state["size"]
        if size > self.capacity:
            raise ValueError(f"the saved replay buffer holds {size} transitions, this one only {self.capacity}")
        for field in FIELDS:
            stored, expected = tuple(state[field].shape), (size, *getattr(self, field).shape[1:])
            if stored != expected:
                raise ValueError(f"saved replay buffer field '{field}' has shape {stored}, this buffer {expected}")
        for field in FIELDS:
            getattr(self, field)[:size] = state[field].to(self.device)
        self.ptr = state["ptr"]
        self.size = size

    def non_finite(self) -> str:
        """Which stored fields hold NaN or infinite values and in how many transitions ('' if none)."""
        counts = {}
        for field in FIELDS:
            values = getattr(self, field)[: self.size]
            bad = ~torch.isfinite(values.reshape(self.size, -1)).all(-1)
            counts[field] = int(bad.sum())
        return ", ".join(f"{field} in {count} of {self.size} transitions" for field, count in counts.items() if count)
