"""The NIL tasks, registered with Gymnasium as ``NIL-<Robot>-<Skill>``.

Each task is a thin subclass of :class:`~isaaclab_nil.envs.nil_env_cfg.NILEnvCfg` in a module per
robot. Variants suffixed ``-Paper`` use the paper's torque actions instead of joint-position targets.
"""

import gymnasium as gym

_ENV_ENTRY_POINT = "isaaclab_nil.envs.factory:create_env"
"""A plain Isaac Lab ManagerBasedRLEnv, made after the reference bundle has shaped its config."""

TASKS = {
    "NIL-H1-Walk": "isaaclab_nil.tasks.h1:H1WalkEnvCfg",
    "NIL-H1-Walk-Paper": "isaaclab_nil.tasks.h1:H1WalkPaperEnvCfg",
}
"""Task id -> env config class."""

for _task_id, _cfg_entry_point in TASKS.items():
    gym.register(
        id=_task_id,
        entry_point=_ENV_ENTRY_POINT,
        disable_env_checker=True,
        kwargs={
            "env_cfg_entry_point": _cfg_entry_point,
            "sac_cfg_entry_point": "isaaclab_nil.agents.off_policy_cfg:NILSacRunnerCfg",
            "bro_cfg_entry_point": "isaaclab_nil.agents.off_policy_cfg:NILBroRunnerCfg",
            "rsl_rl_cfg_entry_point": "isaaclab_nil.agents.rsl_rl_ppo_cfg:NILPPORunnerCfg",
        },
    )
