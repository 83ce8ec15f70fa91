"""Booster T1 humanoid: ``NIL-T1-Walk`` (PD joint-position targets) and ``NIL-T1-Walk-Paper`` (joint torques).

The spec is in :mod:`.robot`, the env configs in :mod:`.env_cfg`; the agents are the shared defaults
(:data:`~isaaclab_nil.tasks.registry.AGENT_ENTRY_POINTS`).
"""

from ..registry import register_task

register_task("NIL-T1-Walk", f"{__name__}.env_cfg:T1WalkEnvCfg")
register_task("NIL-T1-Walk-Paper", f"{__name__}.env_cfg:T1WalkPaperEnvCfg")
