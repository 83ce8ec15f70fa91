"""Unitree G1 humanoid: ``NIL-G1-Walk`` (PD joint-position targets) and ``NIL-G1-Walk-Paper`` (joint torques).

The spec is in :mod:`.robot`, the env configs in :mod:`.env_cfg`; the agents are the shared defaults
(:data:`~isaaclab_nil.tasks.registry.AGENT_ENTRY_POINTS`).
"""

from ..registry import register_task

register_task("NIL-G1-Walk", f"{__name__}.env_cfg:G1WalkEnvCfg")
register_task("NIL-G1-Walk-Paper", f"{__name__}.env_cfg:G1WalkPaperEnvCfg")
