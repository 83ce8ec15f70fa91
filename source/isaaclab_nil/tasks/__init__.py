"""The NIL tasks, registered with Gymnasium as ``NIL-<Robot>-<Skill>``.

A robot is a folder here (``tasks/<robot>/``): its spec (``robot.py``), its env configs (``env_cfg.py``: thin
subclasses of :class:`~isaaclab_nil.envs.nil_env_cfg.NILEnvCfg`) and its registration (``__init__.py``, which
calls :func:`~isaaclab_nil.tasks.registry.register_task`). Every such folder is found and imported here, so that
adding a robot edits no shared file. Variants suffixed ``-Paper`` use the paper's torque actions instead of
joint-position targets.
"""

import importlib
import pkgutil

from .registry import TASKS

__all__ = ["TASKS"]

for _robot in pkgutil.iter_modules(__path__):
    if _robot.ispkg:
        importlib.import_module(f"{__name__}.{_robot.name}")
