"""Making a NIL task's env: the gym entry point of every task, and the helpers scripts and tests use.

``gym.make("NIL-H1-Walk", cfg=cfg)`` calls :func:`create_env`: :func:`apply_reference` writes what the
reference bundle decides into the config, then a plain Isaac Lab ``ManagerBasedRLEnv`` is made from it. That is
the one place where a bundle shapes an env; any Isaac Lab tool or wrapper takes the env as it is.
"""

from __future__ import annotations

from collections.abc import Sequence

import gymnasium as gym
from isaaclab.envs import ManagerBasedRLEnv
from isaaclab_tasks.utils import parse_env_cfg

from ..alignment import frames_per_step
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
        ValueError: the reference's fps is above the control rate.
    """
    reference = cfg.commands.reference
    if reference.bundle is not None:
        meta = read_bundle_meta(reference.bundle, reference_expectation(cfg))
        reference.fps, reference.num_frames = meta.fps, meta.num_frames
        _set_follow_camera(cfg, meta.camera, reference.bundle)
    frames_per_step(cfg.sim.dt * cfg.decimation, reference.fps)
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
    """The gym entry point of every NIL task: :func:`apply_reference`, then ``ManagerBasedRLEnv(cfg)``."""
    return ManagerBasedRLEnv(apply_reference(cfg), render_mode, **kwargs)


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
        camera: False removes the follow camera and the reference rewards that read it (proprioception-only
            rollouts and benchmarks).
        overrides: Hydra-style ``key=value`` overrides, e.g. ``["env.commands.reference.fps=30"]``.
    """
    cfg: NILEnvCfg = parse_env_cfg(task, device=device, num_envs=num_envs, overrides=overrides)
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
