"""PAL Talos humanoid: ``NIL-Talos-Walk`` (PD joint-position targets) and ``NIL-Talos-Walk-Paper`` (joint torques).

The spec is in :mod:`.robot`, the env configs in :mod:`.env_cfg`; the agents are the shared defaults
(:data:`~isaaclab_nil.tasks.registry.AGENT_ENTRY_POINTS`).
"""

from ..registry import register_task

register_task("NIL-Talos-Walk", f"{__name__}.env_cfg:TalosWalkEnvCfg")
register_task("NIL-Talos-Walk-Paper", f"{__name__}.env_cfg:TalosWalkPaperEnvCfg")
