"""Make a NIL task's env from its id: the one place scripts, tests and benchmarks create envs."""

from __future__ import annotations

from collections.abc import Sequence

import gymnasium as gym

from isaaclab_tasks.utils import parse_env_cfg

from .nil_env import NILEnv
from .nil_env_cfg import NILEnvCfg


def make_env_cfg(
    task: str,
    num_envs: int | None = None,
    device: str = "cpu",
    camera: bool = True,
    overrides: Sequence[str] = (),
) -> NILEnvCfg:
    """The registered config of ``task`` with the common overrides applied.

    Args:
        task: task id, e.g. ``"NIL-H1-Walk"``.
        num_envs: number of parallel envs (None: the task's default).
        device: ``"cpu"`` or ``"cuda:0"``.
        camera: False removes the follow camera (proprioception-only rollouts and benchmarks).
        overrides: Hydra-style ``key=value`` overrides, e.g. ``["env.reference.fps=30"]``.
    """
    cfg: NILEnvCfg = parse_env_cfg(task, device=device, num_envs=num_envs, overrides=overrides)
    if not camera:
        cfg.scene.follow_camera = None
    return cfg


def make_env(task: str, cfg: NILEnvCfg | None = None, **cfg_overrides) -> NILEnv:
    """Create the (unwrapped) env of ``task``; ``cfg_overrides`` go to :func:`make_env_cfg`."""
    import isaaclab_nil  # noqa: F401  (registers the tasks)

    cfg = cfg if cfg is not None else make_env_cfg(task, **cfg_overrides)
    return gym.make(task, cfg=cfg).unwrapped
