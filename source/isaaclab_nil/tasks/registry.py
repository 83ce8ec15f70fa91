"""The registry of NIL tasks: :func:`register_task` registers one with Gymnasium and records it in :data:`TASKS`.

Each robot folder (``isaaclab_nil/tasks/<robot>/__init__.py``) calls it for its tasks; importing the registry
and registering imports Gymnasium only, nothing from Isaac Lab.
"""

import gymnasium as gym

from ..errors import UsageError

ENV_ENTRY_POINT = "isaaclab_nil.envs.factory:create_env"
"""A plain Isaac Lab ManagerBasedRLEnv, made after the reference bundle has shaped its config."""

AGENT_ENTRY_POINTS = {
    "sac_cfg_entry_point": "isaaclab_nil.agents.off_policy_cfg:NILSacRunnerCfg",
    "bro_cfg_entry_point": "isaaclab_nil.agents.off_policy_cfg:NILBroRunnerCfg",
    "sac_large_cfg_entry_point": "isaaclab_nil.agents.off_policy_cfg:NILSacLargeRunnerCfg",
    "bro_large_cfg_entry_point": "isaaclab_nil.agents.off_policy_cfg:NILBroLargeRunnerCfg",
    "rsl_rl_cfg_entry_point": "isaaclab_nil.agents.rsl_rl_ppo_cfg:NILPPORunnerCfg",
}
"""The agent configs every task registers unless its robot folder gives its own."""

LARGE_RECIPE_MIN_ENVS = 256
"""From this many envs on, the small recipes learn from fewer transitions than they collect (SAC: 1 update of 256
per env step, BRO: 2 of 128: each collected transition is sampled less than once): the large recipe takes over."""
RECIPES = ("auto", "small", "large")


def recipe_entry_point(agent: str, num_envs: int | None, recipe: str = "auto") -> str:
    """The agent config entry point of ``agent`` ("sac" or "bro") for ``recipe``: "small" (the SAC and BRO papers'
    settings), "large" (the massively parallel ``*LargeRunnerCfg``) or "auto": large from ``LARGE_RECIPE_MIN_ENVS``
    envs on (``num_envs`` None is the task's default, a few envs: small)."""
    if recipe not in RECIPES:
        raise UsageError(f"unknown recipe {recipe!r}; one of {', '.join(RECIPES)}")
    large = recipe == "large" or (recipe == "auto" and (num_envs or 0) >= LARGE_RECIPE_MIN_ENVS)
    return f"{agent}_large_cfg_entry_point" if large else f"{agent}_cfg_entry_point"


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
