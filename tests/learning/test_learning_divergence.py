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


class BadValueAtStepEnv(PendulumEnv):
    """Pendulum whose reward (or observation) of env 1 is ``value`` at one env step."""

    def __init__(self, bad_step: int, value: float, what: str = "reward"):
        super().__init__(num_envs=4, seed=1, max_episode_length=50)
        self.bad_step, self.value, self.what, self.steps = bad_step, value, what, 0

    def step(self, action):
        obs, reward, terminated, truncated, extras = super().step(action)
        self.steps += 1
        if self.steps == self.bad_step:
            (obs["policy"] if self.what == "obs" else reward)[1] = self.value
        return obs, reward, terminated, truncated, extras


def saved_files(folder) -> list[str]:
    return sorted(name for name in os.listdir(folder) if name.endswith((".pt", ".tmp")))


def all_finite(state: dict) -> bool:
    return all(torch.isfinite(value).all() for value in state.values())


@pytest.mark.parametrize("make_cfg", [tiny_sac_cfg, tiny_bro_cfg], ids=["sac", "bro"])
def test_a_non_finite_loss_stops_training_with_the_last_good_state_saved(tmp_path, make_cfg):
    """A finite reward that the reward scale turns infinite (a setting, not a diverged env) reaches the loss."""
    runner_cfg = quiet_runner_cfg(make_cfg(), save_interval=10, reward_scale=1e10)
    runner = OffPolicyRunner(BadValueAtStepEnv(bad_step=25, value=1e30), runner_cfg, tmp_path)
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
        r"the critic loss is (?:nan|inf) at env step (\d+) \(after (\d+) updates\): stopped; saved the last good "
        r"state as (.*), without the replay buffer \(non-finite rewards in 1 of (\d+) transitions\)",
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


@pytest.mark.parametrize("what", ["obs", "reward"])
def test_a_nan_from_the_env_is_dropped_and_training_goes_on(tmp_path, what):
    """A diverged env's NaN (its observation or reward) is not learned from: the transitions that hold it are not
    stored, the observation statistics never see it, and training runs to its end."""
    runner = OffPolicyRunner(
        BadValueAtStepEnv(bad_step=30, value=float("nan"), what=what), quiet_runner_cfg(tiny_sac_cfg()), tmp_path
    )
    runner.learn(60)
    # a NaN reward: one transition; a NaN observation: the policy's action is NaN too, and this pendulum (unlike a
    # NIL env, which ends a diverged env's episode at once) keeps the NaN state until its time-out at step 50
    dropped = {"reward": 1, "obs": 50 - 30 + 1}[what]
    assert runner.nonfinite_transitions == dropped and runner.buffer.size == 4 * 60 - dropped
    stored = (runner.buffer.obs, runner.buffer.rewards, runner.buffer.next_obs)
    assert all(torch.isfinite(values[: runner.buffer.size]).all() for values in stored)
    assert all_finite(runner.normalizer.state_dict()) and runner.num_updates > 0


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
