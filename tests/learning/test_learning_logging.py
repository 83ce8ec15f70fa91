"""TensorBoard logging of the runner: losses, temperature, Q values, env extras, episodes, speed."""

from learning_helpers import quiet_runner_cfg, tiny_bro_cfg
from pendulum_env import PendulumEnv
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from isaaclab_nil.learning import OffPolicyRunner


def test_runner_logs_training_env_and_episode_scalars(tmp_path):
    env = PendulumEnv(4, max_episode_length=20)
    runner = OffPolicyRunner(env, quiet_runner_cfg(tiny_bro_cfg(), log_interval=20), tmp_path)
    runner.learn(60)
    events = EventAccumulator(str(tmp_path))
    events.Reload()
    tags = set(events.Tags()["scalars"])
    expected = {
        "train/critic_loss",
        "train/actor_loss",
        "train/entropy",
        "train/temperature",
        "train/q_mean",
        "train/optimism",
        "train/kl_weight",
        "train/kl",
        "Episode_Reward/cost",  # from extras["log"], under its Isaac Lab name
        "episode/return",
        "episode/length",
        "perf/env_steps_per_s",
        "perf/updates_per_s",
    }
    assert expected <= tags, expected - tags
    assert [e.step for e in events.Scalars("episode/length")] == [20, 40, 60]
    assert all(e.value == 20.0 for e in events.Scalars("episode/length"))
