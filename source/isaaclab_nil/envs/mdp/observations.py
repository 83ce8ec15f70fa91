"""Observation terms of the NIL tasks."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import torch

if TYPE_CHECKING:
    from isaaclab.envs import ManagerBasedRLEnv

PHASE_FREQUENCIES = (1, 2, 4, 8, 16)
"""Cycles per reference of the phase's Fourier features: up to 16, a gait's steps in a few-second video."""


def reference_phase(env: ManagerBasedRLEnv, frequencies: tuple[int, ...] = PHASE_FREQUENCIES) -> torch.Tensor:
    """Where each env is in the reference video, p = t / T in [0, 1], as Fourier features:
    ``(sin 2*pi*k*p, cos 2*pi*k*p)`` for each k in ``frequencies``, then p.

    A motion repeats many times in a reference (a march at 1 s per cycle, 8 cycles in 8 s): with
    one cycle only, the policy's MLP would have to build that fast oscillation of p itself, which
    it learns slowly; the higher frequencies hand it over.
    """
    phase = (env.episode_length_buf.float() * env.step_dt / env.max_episode_length_s).clamp(0.0, 1.0)
    angles = 2.0 * math.pi * phase.unsqueeze(-1) * torch.tensor(frequencies, device=phase.device)
    return torch.cat((torch.sin(angles), torch.cos(angles), phase.unsqueeze(-1)), dim=-1)
