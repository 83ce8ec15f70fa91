"""Making a NIL task's env: its configs from the command line, the gym entry point, and the helpers scripts and
tests use.

:func:`resolve_cfgs` is the one way every command turns a task id, ``env.*``/``agent.*`` overrides, a number of
envs and a device into configs: each is checked before anything is built (an unknown task, a misspelled or
ill-typed override, ``num_envs < 1``, a device this machine lacks are one clear error).

``gym.make("NIL-H1-Walk", cfg=cfg)`` calls :func:`create_env`: :func:`apply_reference` writes what the
reference bundle decides into the config, then a plain Isaac Lab ``ManagerBasedRLEnv`` is made from it. That is
the one place where a bundle shapes an env; any Isaac Lab tool or wrapper takes the env as it is.
"""

from __future__ import annotations

from collections.abc import Sequence

import gymnasium as gym
from isaaclab.envs import ManagerBasedRLEnv
from isaaclab_tasks.utils import resolve_task_config
from isaaclab_tasks.utils.hydra import resolve_presets
from isaaclab_tasks.utils.parse_cfg import load_cfg_from_registry

from ..alignment import frames_per_step
from ..errors import ConfigError, UsageError
from ..overrides import check_overrides
from ..reference.bundle import CameraSpec, read_bundle_meta
from ..reference.errors import BundleError
from .mdp.commands import reference_expectation
from .nil_env_cfg import NILEnvCfg


def apply_reference(cfg: NILEnvCfg) -> NILEnvCfg:
    """Write what the reference decides into ``cfg`` (in place) and check that the env can use it.

    With a bundle (``cfg.commands.reference.bundle``), the bundle's fps, frame count and follow camera (pose,
    resolution, focal length) replace the config's, since the reference video was filmed with that camera at
    that rate. In every case the episode lasts the reference: ``episode_length_s = num_frames / fps``.
    Only the bundle's ``meta.json`` is read here, before any simulator exists, so that a bundle for another
    robot or task, or a video faster than the control rate, fails at once.

    Raises:
        BundleError: the bundle is missing or unreadable, or was made for another robot or task.
        ConfigError: the reference's fps is above the control rate.
    """
    reference = cfg.commands.reference
    if reference.bundle is not None:
        meta = read_bundle_meta(reference.bundle, reference_expectation(cfg))
        reference.fps, reference.num_frames = meta.fps, meta.num_frames
        _set_follow_camera(cfg, meta.camera, reference.bundle)
    try:
        frames_per_step(cfg.sim.dt * cfg.decimation, reference.fps)
    except ValueError as error:
        raise ConfigError(str(error)) from error
    cfg.episode_length_s = reference.num_frames / reference.fps
    return cfg


def _set_follow_camera(cfg: NILEnvCfg, spec: CameraSpec, bundle: str) -> None:
    """Make the scene's follow camera the one a bundle records (square pixels, principal point at the centre)."""
    camera = cfg.scene.follow_camera
    if camera is None:
        return
    if abs(spec.fx - spec.fy) > 1e-6 * spec.fx or (spec.cx, spec.cy) != (spec.width / 2, spec.height / 2):
        raise BundleError(
            f"{bundle}: its camera (fx {spec.fx}, fy {spec.fy}, cx {spec.cx}, cy {spec.cy}) has non-square pixels "
            "or an off-centre principal point, which the follow camera cannot render"
        )
    camera.width, camera.height = spec.width, spec.height
    camera.spawn.focal_length = spec.fx * camera.spawn.horizontal_aperture / spec.width
    camera.offset.pos, camera.offset.rot = tuple(spec.pos), tuple(spec.rot_xyzw)


def create_env(cfg: NILEnvCfg, render_mode: str | None = None, **kwargs) -> ManagerBasedRLEnv:
    """The gym entry point of every NIL task: :func:`apply_reference`, then ``ManagerBasedRLEnv(cfg)``. A preset
    not chosen yet (a config made as ``H1WalkEnvCfg()`` rather than by :func:`resolve_cfgs`) takes its default."""
    return ManagerBasedRLEnv(apply_reference(resolve_presets(cfg)), render_mode, **kwargs)


def registered_cfg(task: str, entry_point: str = "env_cfg_entry_point"):
    """The config a task registers under ``entry_point`` (its env config, or an agent's); an unknown task id is
    a ``UsageError`` that lists the NIL tasks and suggests the closest."""
    import difflib

    from ..tasks import TASKS

    if task not in gym.registry:
        close = difflib.get_close_matches(task, TASKS, n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        raise UsageError(f"unknown task {task!r}; {hint}NIL tasks: {', '.join(TASKS)}")
    return load_cfg_from_registry(task, entry_point)


def check_device(device: str) -> None:
    """Refuse a device this machine does not have (``UsageError``), before any simulator starts."""
    import torch

    try:
        parsed = torch.device(device)
    except RuntimeError as error:
        raise UsageError(f"--device {device!r} is not a device; use cpu or cuda:N") from error
    if parsed.type == "cuda":
        count = torch.cuda.device_count()
        if count == 0 or (parsed.index or 0) >= count:
            raise UsageError(f"--device {device}: this machine has {count} CUDA device(s); use --device cpu")
    elif parsed.type != "cpu":
        raise UsageError(f"--device {device}: NIL runs on cpu or cuda:N")


def resolve_cfgs(
    task: str,
    overrides: Sequence[str] = (),
    agent_entry_point: str | None = None,
    num_envs: int | None = None,
    device: str = "cpu",
):
    """The env config (and the agent config registered under ``agent_entry_point``) of ``task`` with the
    command line applied, every part of it checked first.

    Args:
        task: task id, e.g. ``"NIL-H1-Walk"``.
        overrides: ``env.<field>=<value>`` (and ``agent.<field>=<value>``) overrides, Isaac Lab's Hydra syntax.
        agent_entry_point: e.g. ``"sac_cfg_entry_point"``; None: the env config only (the agent's is None).
        num_envs: parallel envs (None: the task's default), at least 1.
        device: simulation device, ``"cpu"`` or ``"cuda:N"``.

    Returns:
        ``(env_cfg, agent_cfg)``.

    Raises:
        UsageError: an unknown task, a bad override (``OverrideError``), ``num_envs < 1`` or a missing device.
    """
    sections = {"env": registered_cfg(task)}
    if agent_entry_point is not None:
        sections["agent"] = registered_cfg(task, agent_entry_point)
    check_overrides(overrides, sections)
    if num_envs is not None and num_envs < 1:
        raise UsageError(f"--num_envs must be at least 1, got {num_envs}")
    check_device(device)
    env_cfg, agent_cfg = resolve_task_config(task, agent_entry_point, overrides=list(overrides))
    env_cfg.sim.device = device
    if num_envs is not None:
        env_cfg.scene.num_envs = num_envs
    return env_cfg, agent_cfg


def make_env_cfg(
    task: str,
    num_envs: int | None = None,
    device: str = "cpu",
    camera: bool = True,
    overrides: Sequence[str] = (),
) -> NILEnvCfg:
    """The env config of ``task`` with the command line applied (:func:`resolve_cfgs`).

    Args:
        camera: False removes the follow camera and the reference rewards that read it (proprioception-only
            rollouts and benchmarks).
    """
    cfg, _ = resolve_cfgs(task, overrides, num_envs=num_envs, device=device)
    if not camera:
        cfg.scene.follow_camera = None
        cfg.rewards.video_similarity = None
        cfg.rewards.mask_iou = None
    return cfg


def make_env(task: str, cfg: NILEnvCfg | None = None, **cfg_overrides) -> ManagerBasedRLEnv:
    """Create the (unwrapped) env of ``task``; ``cfg_overrides`` go to :func:`make_env_cfg`."""
    import isaaclab_nil  # noqa: F401  (registers the tasks)

    cfg = cfg if cfg is not None else make_env_cfg(task, **cfg_overrides)
    return gym.make(task, cfg=cfg).unwrapped
