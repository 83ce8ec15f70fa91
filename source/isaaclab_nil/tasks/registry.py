"""The registry of NIL tasks: :func:`register_task` registers one with Gymnasium and records it in :data:`TASKS`.

Each robot folder (``isaaclab_nil/tasks/<robot>/__init__.py``) calls it for its tasks; importing the registry
and registering imports Gymnasium only, nothing from Isaac Lab.
"""

import gymnasium as gym

ENV_ENTRY_POINT = "isaaclab_nil.envs.factory:create_env"
"""A plain Isaac Lab ManagerBasedRLEnv, made after the reference bundle has shaped its config."""

AGENT_ENTRY_POINTS = {
    "sac_cfg_entry_point": "isaaclab_nil.agents.off_policy_cfg:NILSacRunnerCfg",
    "bro_cfg_entry_point": "isaaclab_nil.agents.off_policy_cfg:NILBroRunnerCfg",
    "rsl_rl_cfg_entry_point": "isaaclab_nil.agents.rsl_rl_ppo_cfg:NILPPORunnerCfg",
}
"""The agent configs every task registers unless its robot folder gives its own."""

TASKS: dict[str, str] = {}
"""Task id -> env config class (``"module:Class"``), in registration order."""


def register_task(task_id: str, env_cfg_entry_point: str, **agent_entry_points: str) -> None:
    """Register ``task_id`` (``NIL-<Robot>-<Skill>``) with Gymnasium.

    Args:
        task_id: the task id.
        env_cfg_entry_point: its env config class, ``"module:Class"``.
        agent_entry_points: agent configs that replace or add to :data:`AGENT_ENTRY_POINTS`, e.g.
            ``bro_cfg_entry_point="isaaclab_nil.tasks.go2.agents:Go2BroRunnerCfg"``.
    """
    if task_id in TASKS:
        raise ValueError(f"task {task_id} is registered twice ({TASKS[task_id]}, {env_cfg_entry_point})")
    TASKS[task_id] = env_cfg_entry_point
    gym.register(
        id=task_id,
        entry_point=ENV_ENTRY_POINT,
        disable_env_checker=True,
        kwargs={"env_cfg_entry_point": env_cfg_entry_point, **AGENT_ENTRY_POINTS, **agent_entry_points},
    )
