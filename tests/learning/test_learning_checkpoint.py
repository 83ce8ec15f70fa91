"""Checkpointing: exact resume, corrupt-file fallback, atomic writes, determinism on CPU."""

import os

import pytest
import torch
from learning_helpers import quiet_runner_cfg, tiny_bro_cfg, tiny_sac_cfg
from pendulum_env import PendulumEnv

from isaaclab_nil.learning import OffPolicyRunner
from isaaclab_nil.learning.runner import CHECKPOINT_VERSION, atomic_write, configs_from_checkpoint

EPISODE = 50  # all envs time out together every EPISODE steps


def make_env() -> PendulumEnv:
    return PendulumEnv(num_envs=4, seed=1, max_episode_length=EPISODE)


def make_runner(log_dir, algo_cfg, seed=0, env=None, **runner_overrides):
    env = env if env is not None else make_env()
    runner_cfg = quiet_runner_cfg(algo_cfg, seed=seed, save_replay_buffer=True, **runner_overrides)
    return OffPolicyRunner(env, runner_cfg, log_dir)


def assert_same_training_state(a: OffPolicyRunner, b: OffPolicyRunner):
    assert (a.global_step, a.num_updates) == (b.global_step, b.num_updates)
    for (key, x), (_, y) in zip(a.algo.state_dict().items(), b.algo.state_dict().items()):
        assert torch.equal(x, y), key
    for name, optimizer in a.algo.optimizers.items():
        state_a, state_b = optimizer.state_dict()["state"], b.algo.optimizers[name].state_dict()["state"]
        assert state_a.keys() == state_b.keys()
        for index in state_a:
            for key in state_a[index]:
                assert torch.equal(state_a[index][key], state_b[index][key]), (name, index, key)
    for (key, x), (_, y) in zip(a.normalizer.state_dict().items(), b.normalizer.state_dict().items()):
        assert torch.equal(x, y), key


@pytest.mark.parametrize("algo_cfg", [tiny_sac_cfg(), tiny_bro_cfg(reset_steps=(EPISODE + 20,))], ids=["sac", "bro"])
def test_interrupted_run_resumes_to_identical_result(tmp_path, algo_cfg):
    uninterrupted = make_runner(tmp_path / "a", algo_cfg)
    uninterrupted.learn(2 * EPISODE)

    first_half = make_runner(tmp_path / "b", algo_cfg)
    first_half.learn(EPISODE)
    first_half.save_checkpoint()
    # A fresh process: new env and runner. The env's random stream must continue where the
    # uninterrupted run's auto-reset at step EPISODE drew from, so skip its very first reset.
    env = make_env()
    env.reset()
    resumed = make_runner(tmp_path / "b", algo_cfg, seed=123, env=env)  # another seed: resume must restore RNG
    assert resumed.resume() == tmp_path / "b" / "last.pt"
    assert resumed.global_step == EPISODE and resumed.num_updates == first_half.num_updates
    assert_same_training_state(first_half, resumed)
    resumed.learn(2 * EPISODE)

    assert_same_training_state(uninterrupted, resumed)


def test_resume_skips_corrupt_checkpoints(tmp_path):
    runner = make_runner(tmp_path, tiny_sac_cfg(), save_interval=20)
    runner.learn(60)
    assert sorted(p.name for p in tmp_path.glob("*.pt")) == ["last.pt", "model_20.pt", "model_40.pt", "model_60.pt"]
    last = tmp_path / "last.pt"
    last.write_bytes(last.read_bytes()[: last.stat().st_size // 2])  # truncated
    (tmp_path / "model_60.pt").write_bytes(b"not a checkpoint")  # garbage

    fresh = make_runner(tmp_path, tiny_sac_cfg())
    with pytest.warns(UserWarning, match="Skipping unreadable checkpoint") as record:
        loaded = fresh.resume()
    assert loaded == tmp_path / "model_40.pt" and fresh.global_step == 40
    assert len([w for w in record if "Skipping" in str(w.message)]) == 2


def test_resume_without_valid_checkpoint_starts_from_scratch(tmp_path):
    (tmp_path / "last.pt").write_bytes(b"")
    runner = make_runner(tmp_path, tiny_sac_cfg())
    with pytest.warns(UserWarning) as record:
        assert runner.resume() is None
    assert [str(w.message).split(" ")[0] for w in record] == ["Skipping", "No"]
    assert runner.global_step == 0


def test_save_and_load_restore_everything(tmp_path):
    runner = make_runner(tmp_path, tiny_bro_cfg())
    runner.learn(40)
    runner.save(tmp_path / "ckpt.pt")
    other = make_runner(tmp_path, tiny_bro_cfg(), seed=7)
    other.load(tmp_path / "ckpt.pt")
    assert_same_training_state(runner, other)
    assert len(other.buffer) == len(runner.buffer) == 160
    assert torch.equal(other.buffer.obs[:160], runner.buffer.obs[:160])
    assert other.algo.temperature.item() == runner.algo.temperature.item() != 1.0
    assert other.algo.optimism.item() == runner.algo.optimism.item()


def test_replay_buffer_is_saved_only_on_request(tmp_path):
    runner = make_runner(tmp_path, tiny_sac_cfg())
    runner.learn(30)
    runner.save(tmp_path / "small.pt", save_replay_buffer=False)
    assert torch.load(tmp_path / "small.pt", weights_only=True)["replay_buffer"] is None


def test_checkpoint_of_another_format_is_refused(tmp_path):
    make_runner(tmp_path, tiny_sac_cfg()).save(tmp_path / "last.pt")
    state = torch.load(tmp_path / "last.pt", weights_only=True)
    torch.save({**state, "format_version": CHECKPOINT_VERSION - 1}, tmp_path / "old.pt")
    with pytest.raises(ValueError, match=f"format {CHECKPOINT_VERSION - 1}, expected {CHECKPOINT_VERSION}"):
        configs_from_checkpoint(tmp_path / "old.pt")
    with pytest.raises(ValueError, match="has format"):
        make_runner(tmp_path, tiny_sac_cfg()).load(tmp_path / "old.pt")


def test_atomic_write_leaves_no_partial_file(tmp_path, monkeypatch):
    runner = make_runner(tmp_path, tiny_sac_cfg())
    runner.save(tmp_path / "last.pt")
    good = (tmp_path / "last.pt").read_bytes()

    def crash_midway(obj, f):
        f.write(b"partial data")
        raise KeyboardInterrupt  # e.g. the job is killed while writing

    monkeypatch.setattr(torch, "save", crash_midway)
    with pytest.raises(KeyboardInterrupt):
        runner.save(tmp_path / "last.pt")
    with pytest.raises(KeyboardInterrupt):
        runner.save(tmp_path / "model_10.pt")
    assert (tmp_path / "last.pt").read_bytes() == good  # the previous checkpoint is intact
    assert sorted(os.listdir(tmp_path)) == ["last.pt"]  # no partial or temporary file


def test_atomic_write_replaces_whole_file(tmp_path):
    path = tmp_path / "sub" / "file.bin"
    atomic_write(path, lambda f: f.write(b"first version, long"))
    atomic_write(path, lambda f: f.write(b"second"))
    assert path.read_bytes() == b"second" and os.listdir(path.parent) == ["file.bin"]


@pytest.mark.parametrize("make_cfg", [tiny_sac_cfg, tiny_bro_cfg], ids=["sac", "bro"])
def test_same_seed_gives_identical_parameters_on_cpu(tmp_path, make_cfg):
    # Runners share torch's global RNG (as the env does): build and train them one after the other.
    runners = []
    for log_dir, seed in (("a", 0), ("b", 0), ("c", 1)):
        runners.append(make_runner(tmp_path / log_dir, make_cfg(), seed=seed))
        runners[-1].learn(80)
    a, b, c = runners
    assert_same_training_state(a, b)
    assert not torch.equal(a.algo.actor.mean_head.weight, c.algo.actor.mean_head.weight)
