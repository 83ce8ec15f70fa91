"""Unitree Go2 quadruped: ``NIL-Go2-Walk`` (PD joint-position targets) and ``NIL-Go2-Walk-Paper`` (joint torques).

The spec is in :mod:`.robot`, the env configs in :mod:`.env_cfg`; the agents are the shared defaults
(:data:`~isaaclab_nil.tasks.registry.AGENT_ENTRY_POINTS`).
"""

from ..registry import register_task

register_task("NIL-Go2-Walk", f"{__name__}.env_cfg:Go2WalkEnvCfg")
register_task("NIL-Go2-Walk-Paper", f"{__name__}.env_cfg:Go2WalkPaperEnvCfg")
