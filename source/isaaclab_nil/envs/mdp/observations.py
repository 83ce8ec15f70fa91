"""Observation terms of the NIL tasks."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import torch

if TYPE_CHECKING:
    from isaaclab.envs import ManagerBasedRLEnv


def reference_phase(env: ManagerBasedRLEnv) -> torch.Tensor:
    """Where each env is in the reference video: ``(sin 2*pi*p, cos 2*pi*p, p)`` with p = t / T in [0, 1]."""
    phase = (env.episode_length_buf.float() * env.step_dt / env.max_episode_length_s).clamp(0.0, 1.0)
    angle = 2.0 * math.pi * phase
    return torch.stack((torch.sin(angle), torch.cos(angle), phase), dim=-1)
