"""A NaN stops training with a clear message and a checkpoint of the last good state, never a saved NaN."""

import copy
import os
import re

import pytest
import torch
from learning_helpers import quiet_runner_cfg, tiny_bro_cfg, tiny_sac_cfg
from pendulum_env import PendulumEnv

from isaaclab_nil.learning import OffPolicyRunner
from isaaclab_nil.learning.runner import TrainingDiverged, read_checkpoint
from isaaclab_nil.learning.sac import SAC, NonFiniteLossError


class NanAtStepEnv(PendulumEnv):
    """Pendulum whose reward (or observation) of env 1 is NaN at one env step."""

    def __init__(self, nan_step: int, what: str = "reward"):
        super().__init__(num_envs=4, seed=1, max_episode_length=50)
        self.nan_step, self.what, self.steps = nan_step, what, 0

    def step(self, action):
        obs, reward, terminated, truncated, extras = super().step(action)
        self.steps += 1
        if self.steps == self.nan_step:
            value = obs["policy"] if self.what == "obs" else reward
            value[1] = float("nan")
        return obs, reward, terminated, truncated, extras


def saved_files(folder) -> list[str]:
    return sorted(name for name in os.listdir(folder) if name.endswith((".pt", ".tmp")))


def all_finite(state: dict) -> bool:
    return all(torch.isfinite(value).all() for value in state.values())


@pytest.mark.parametrize("make_cfg", [tiny_sac_cfg, tiny_bro_cfg], ids=["sac", "bro"])
def test_nan_reward_stops_training_with_the_last_good_state_saved(tmp_path, make_cfg):
    runner_cfg = quiet_runner_cfg(make_cfg(), save_interval=10)
    runner = OffPolicyRunner(NanAtStepEnv(nan_step=25), runner_cfg, tmp_path)
    good_states = []  # the learner's state after each update, as the run went
    update = runner.algo.update

    def recording_update(batch):
        info = update(batch)
        good_states.append(copy.deepcopy(runner.algo.state_dict()))
        return info

    runner.algo.update = recording_update
    with pytest.raises(TrainingDiverged) as error:
        runner.learn(200)
    message = str(error.value)
    match = re.fullmatch(
        r"the critic loss is nan at env step (\d+) \(after (\d+) updates\): stopped; saved the last good state as "
        r"(.*), without the replay buffer \(non-finite rewards in 1 of (\d+) transitions\)",
        message,
    )
    assert match, message
    step, updates, path, size = int(match[1]), int(match[2]), match[3], int(match[4])
    assert 25 <= step < 200 and updates == len(good_states) == runner.num_updates and size == 4 * step
    assert path == str(tmp_path / f"model_{step}.pt")

    saved = read_checkpoint(path)
    assert (saved["global_step"], saved["num_updates"], saved["replay_buffer"]) == (step, updates, None)
    assert all_finite(saved["algo"]["modules"]) and all_finite(saved["normalizer"])
    for key, value in good_states[-1].items():  # the parameters of the last finite update
        assert torch.equal(saved["algo"]["modules"][key], value), key
    assert not list(tmp_path.glob("replay_buffer_*.pt"))  # the buffer with the NaN is not kept
    files = saved_files(tmp_path)
    assert runner.save_checkpoint() is None and saved_files(tmp_path) == files  # nothing saved after it


def test_nan_observation_is_never_saved(tmp_path):
    # During the warm-up no loss is computed: the NaN reaches the observation statistics, and the next
    # save refuses them. The checkpoint before the NaN stays the last one.
    runner = OffPolicyRunner(
        NanAtStepEnv(nan_step=6, what="obs"), quiet_runner_cfg(tiny_sac_cfg(), save_interval=4), tmp_path
    )
    with pytest.raises(TrainingDiverged) as error:
        runner.learn(100)
    assert str(error.value) == (
        "non-finite values in normalizer.mean, normalizer.var at env step 8 (after 0 updates): stopped; "
        f"nothing saved, the last checkpoint is {tmp_path / 'model_4.pt'}"
    )
    assert saved_files(tmp_path) == ["model_4.pt", "replay_buffer_4.pt"]


def test_a_non_finite_state_is_not_saved(tmp_path):
    runner = OffPolicyRunner(PendulumEnv(2), quiet_runner_cfg(tiny_bro_cfg()), tmp_path)
    with torch.no_grad():
        runner.algo.critic.critics[0].head.bias[0] = float("inf")
    with pytest.warns(UserWarning, match=r"Not saving a checkpoint at env step 0: non-finite values in algo\.critic\."):
        assert runner.save_checkpoint() is None
    assert saved_files(tmp_path) == []


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_optimizer_step_is_refused_on_a_non_finite_loss(bad):
    algo = SAC(tiny_sac_cfg(), obs_dim=3, action_dim=1)
    before = copy.deepcopy(algo.state_dict())
    loss = bad * sum(p.abs().sum() for p in algo.actor.parameters())
    with pytest.raises(NonFiniteLossError, match=f"the actor loss is {bad}$"):
        algo.optimize("actor", loss)
    assert all(torch.equal(value, before[key]) for key, value in algo.state_dict().items())
    assert algo.optimizers["actor"].state_dict()["state"] == {}  # no step taken
