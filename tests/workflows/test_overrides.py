"""The agent configs of the NIL tasks: ``agent.<field>=<value>`` overrides reach them through Isaac Lab's
``resolve_task_config`` (config resolution only, no simulator), and checkpoints give them back exactly."""

from types import SimpleNamespace

import pytest
import torch
from isaaclab_tasks.utils import resolve_task_config

import isaaclab_nil  # noqa: F401  (registers the tasks)
from isaaclab_nil.agents.off_policy_cfg import (
    NILBroLargeRunnerCfg,
    NILBroRunnerCfg,
    NILSacLargeRunnerCfg,
    NILSacRunnerCfg,
)
from isaaclab_nil.learning import BroCfg, OffPolicyRunner, SacCfg
from isaaclab_nil.learning.runner import configs_from_checkpoint

TASK = "NIL-H1-Walk"
AGENTS = [("sac_cfg_entry_point", NILSacRunnerCfg, SacCfg), ("bro_cfg_entry_point", NILBroRunnerCfg, BroCfg)]
LARGE_AGENTS = [
    ("sac_large_cfg_entry_point", NILSacLargeRunnerCfg),
    ("bro_large_cfg_entry_point", NILBroLargeRunnerCfg),
]
OVERRIDES = [
    "agent.algorithm.batch_size=512",
    "agent.learning_starts=50",
    "agent.algorithm.reset_steps=[1000,2000]",
    "agent.algorithm.target_entropy=-3.5",
    "agent.algorithm.late_target_entropy=-7",
    "agent.algorithm.late_target_entropy_from=300",
    "env.scene.num_envs=3",
]


class ResetOnlyEnv:
    """All an ``OffPolicyRunner`` needs to be built and saved: one env, 3 observations, 2 actions."""

    num_envs = 1
    device = torch.device("cpu")
    single_action_space = SimpleNamespace(shape=(2,))

    def reset(self):
        return {"policy": torch.zeros(1, 3)}, {}


@pytest.mark.parametrize("entry_point, runner_class, algorithm_class", AGENTS, ids=["sac", "bro"])
def test_agent_overrides_reach_the_runner_and_algorithm_configs(entry_point, runner_class, algorithm_class):
    env_cfg, agent_cfg = resolve_task_config(TASK, entry_point, overrides=OVERRIDES)
    assert type(agent_cfg) is runner_class and type(agent_cfg.algorithm) is algorithm_class
    assert agent_cfg.algorithm.batch_size == 512 and agent_cfg.learning_starts == 50
    assert tuple(agent_cfg.algorithm.reset_steps) == (1000, 2000)
    assert agent_cfg.algorithm.target_entropy == -3.5
    assert agent_cfg.algorithm.late_target_entropy == -7.0 and agent_cfg.algorithm.late_target_entropy_from == 300
    assert env_cfg.scene.num_envs == 3
    assert agent_cfg.replace(algorithm=algorithm_class()) == runner_class(learning_starts=50)  # nothing else moved


@pytest.mark.parametrize("entry_point, runner_class, algorithm_class", AGENTS, ids=["sac", "bro"])
def test_the_registered_agent_configs_are_the_learners_defaults(entry_point, runner_class, algorithm_class):
    _, agent_cfg = resolve_task_config(TASK, entry_point, overrides=[])
    assert agent_cfg == runner_class() and agent_cfg.algorithm == algorithm_class()


@pytest.mark.parametrize("entry_point, runner_class, algorithm_class", AGENTS, ids=["sac", "bro"])
def test_a_checkpoint_gives_back_the_exact_agent_config(tmp_path, entry_point, runner_class, algorithm_class):
    _, agent_cfg = resolve_task_config(TASK, entry_point, overrides=OVERRIDES)
    agent_cfg.algorithm.actor_hidden_dim = agent_cfg.algorithm.critic_hidden_dim = 16  # a small file
    OffPolicyRunner(ResetOnlyEnv(), agent_cfg, tmp_path).save(tmp_path / "last.pt")
    loaded = configs_from_checkpoint(tmp_path / "last.pt")
    assert loaded == agent_cfg and type(loaded) is runner_class and type(loaded.algorithm) is algorithm_class


@pytest.mark.parametrize("entry_point, runner_class", LARGE_AGENTS, ids=["sac", "bro"])
def test_the_large_recipes_are_registered_and_overridable(tmp_path, entry_point, runner_class):
    _, agent_cfg = resolve_task_config(TASK, entry_point, overrides=["agent.batch_size_per_env=4"])
    assert type(agent_cfg) is runner_class and agent_cfg == runner_class(batch_size_per_env=4)
    agent_cfg.algorithm.actor_hidden_dim = agent_cfg.algorithm.critic_hidden_dim = 16  # a small file
    OffPolicyRunner(ResetOnlyEnv(), agent_cfg, tmp_path).save(tmp_path / "last.pt")
    assert configs_from_checkpoint(tmp_path / "last.pt") == agent_cfg
