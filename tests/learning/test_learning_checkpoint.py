"""Checkpointing: exact resume (replay buffer, optimizers, normalizer, RNG, counters), one file per save,
pruning, corrupt-file fallback, atomic writes, determinism on CPU."""

import os

import pytest
import torch
from learning_helpers import quiet_runner_cfg, tiny_bro_cfg, tiny_sac_cfg
from pendulum_env import PendulumEnv

from isaaclab_nil.learning import OffPolicyRunner
from isaaclab_nil.learning import runner as runner_module
from isaaclab_nil.learning.runner import (
    CHECKPOINT_VERSION,
    atomic_write,
    configs_from_checkpoint,
    latest_checkpoint,
    read_checkpoint,
)

EPISODE = 50  # all envs time out together every EPISODE steps


def make_env() -> PendulumEnv:
    return PendulumEnv(num_envs=4, seed=1, max_episode_length=EPISODE)


def make_runner(log_dir, algo_cfg, seed=0, env=None, **runner_overrides):
    env = env if env is not None else make_env()
    return OffPolicyRunner(env, quiet_runner_cfg(algo_cfg, seed=seed, **runner_overrides), log_dir)


def files(folder) -> list[str]:
    """The names in ``folder`` but the tensorboard logs."""
    return sorted(name for name in os.listdir(folder) if not name.startswith("events.out.tfevents"))


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


@pytest.mark.parametrize(
    "algo_cfg",
    [
        tiny_sac_cfg(),
        tiny_bro_cfg(reset_steps=(EPISODE + 20,)),
        tiny_bro_cfg(critic_distribution="categorical", num_atoms=11, v_min=-200.0, v_max=0.0),
    ],
    ids=["sac", "bro", "bro-categorical"],
)
def test_interrupted_run_resumes_to_identical_result(tmp_path, algo_cfg):
    uninterrupted = make_runner(tmp_path / "a", algo_cfg)
    uninterrupted.learn(2 * EPISODE)

    first_half = make_runner(tmp_path / "b", algo_cfg)
    first_half.learn(EPISODE)
    assert first_half.save_checkpoint() == tmp_path / "b" / f"model_{EPISODE}.pt"
    # A fresh process: new env and runner. The env's random stream must continue where the
    # uninterrupted run's auto-reset at step EPISODE drew from, so skip its very first reset.
    env = make_env()
    env.reset()
    resumed = make_runner(tmp_path / "b", algo_cfg, seed=123, env=env)  # another seed: resume must restore RNG
    restored = resumed.resume()
    assert restored.checkpoint == tmp_path / "b" / f"model_{EPISODE}.pt"
    assert (restored.global_step, restored.num_updates) == (EPISODE, first_half.num_updates)
    assert restored.buffer_size == len(first_half.buffer) == 4 * EPISODE and restored.steps_before_update == 0
    assert resumed.global_step == EPISODE and resumed.num_updates == first_half.num_updates
    assert_same_training_state(first_half, resumed)
    assert torch.equal(resumed.buffer.rewards[: 4 * EPISODE], first_half.buffer.rewards[: 4 * EPISODE])
    resumed.learn(2 * EPISODE)

    assert_same_training_state(uninterrupted, resumed)


def test_each_save_writes_one_checkpoint_and_one_replay_buffer_then_prunes(tmp_path, monkeypatch):
    written = []
    write = runner_module.atomic_write
    monkeypatch.setattr(
        runner_module, "atomic_write", lambda path, fill: (written.append(path.name), write(path, fill))
    )
    runner = make_runner(tmp_path, tiny_sac_cfg(), save_interval=10, keep_checkpoints=3)
    runner.learn(60)
    runner.save_checkpoint()  # the step is already saved: nothing is written again
    assert written == [name for step in range(10, 61, 10) for name in (f"replay_buffer_{step}.pt", f"model_{step}.pt")]
    assert files(tmp_path) == ["model_40.pt", "model_50.pt", "model_60.pt", "replay_buffer_60.pt"]
    assert latest_checkpoint(tmp_path) == tmp_path / "model_60.pt"
    # The checkpoint holds no replay buffer, only the name of its file; so it stays small.
    assert read_checkpoint(tmp_path / "model_60.pt")["replay_buffer"] == "replay_buffer_60.pt"
    buffer = torch.load(tmp_path / "replay_buffer_60.pt", weights_only=True, mmap=True)
    assert buffer["size"] == 240 and buffer["obs"].shape == (240, 3)  # only the filled part


def test_all_checkpoints_are_kept_with_keep_checkpoints_zero(tmp_path):
    runner = make_runner(tmp_path, tiny_sac_cfg(), save_interval=10, keep_checkpoints=0, save_replay_buffer=False)
    runner.learn(40)
    assert files(tmp_path) == ["model_10.pt", "model_20.pt", "model_30.pt", "model_40.pt"]


def test_checkpoints_are_saved_by_wall_clock_time(tmp_path):
    runner = make_runner(tmp_path, tiny_sac_cfg(), save_interval_s=1e-9, keep_checkpoints=2)
    runner.learn(5)  # every step is past the interval
    assert files(tmp_path) == ["model_4.pt", "model_5.pt", "replay_buffer_5.pt"]
    hourly = make_runner(tmp_path / "hourly", tiny_sac_cfg(), save_interval_s=3600.0)
    hourly.learn(30)
    assert not list((tmp_path / "hourly").glob("model_*.pt"))


def test_resume_skips_corrupt_checkpoints_and_refills_a_missing_buffer(tmp_path):
    runner = make_runner(tmp_path, tiny_sac_cfg(), save_interval=20)
    runner.learn(60)
    assert files(tmp_path) == ["model_20.pt", "model_40.pt", "model_60.pt", "replay_buffer_60.pt"]
    newest = tmp_path / "model_60.pt"
    newest.write_bytes(newest.read_bytes()[: newest.stat().st_size // 2])  # truncated
    (tmp_path / "model_40.pt").write_bytes(b"not a checkpoint")  # garbage

    fresh = make_runner(tmp_path, tiny_sac_cfg())
    with pytest.warns(UserWarning) as record:
        restored = fresh.resume()
    assert restored.checkpoint == tmp_path / "model_20.pt" and fresh.global_step == 20
    messages = [str(w.message) for w in record]
    assert [m.split(" ")[0] for m in messages] == ["Skipping", "Skipping", "Replay"]
    assert "replay_buffer_20.pt not restored (FileNotFoundError" in messages[2]  # pruned when 40 was saved
    assert restored.buffer_size == 0 and restored.steps_before_update == 20  # learning_starts
    assert str(restored).endswith(
        "model_20.pt at env step 20 (0 updates), no replay buffer; 20 env steps to collect before the next update"
    )


def test_resume_without_valid_checkpoint_starts_from_scratch(tmp_path):
    (tmp_path / "model_10.pt").write_bytes(b"")
    runner = make_runner(tmp_path, tiny_sac_cfg())
    with pytest.warns(UserWarning) as record:
        assert runner.resume() is None
    assert [str(w.message).split(" ")[0] for w in record] == ["Skipping", "No"]
    assert runner.global_step == 0


def test_resume_removes_temporary_files_left_by_a_kill(tmp_path):
    make_runner(tmp_path, tiny_sac_cfg()).save_checkpoint()
    leftovers = [".model_30.pt.x1y2.tmp", ".replay_buffer_30.pt.abcd.tmp"]
    for name in [*leftovers, ".notes.txt.tmp"]:
        (tmp_path / name).write_bytes(b"partial")
    make_runner(tmp_path, tiny_sac_cfg()).resume()
    assert files(tmp_path) == [".notes.txt.tmp", "model_0.pt", "replay_buffer_0.pt"]  # only its own are removed


def test_save_and_load_restore_everything(tmp_path):
    runner = make_runner(tmp_path, tiny_bro_cfg())
    runner.learn(40)
    rng = torch.get_rng_state()
    runner.save(tmp_path / "ckpt.pt", tmp_path / "buffer.pt")
    torch.rand(3)  # moves the RNG on
    other = make_runner(tmp_path, tiny_bro_cfg(), seed=7)
    restored = other.load(tmp_path / "ckpt.pt")
    assert torch.equal(torch.get_rng_state(), rng)
    assert_same_training_state(runner, other)
    assert restored.buffer_size == len(other.buffer) == len(runner.buffer) == 160 and other.buffer.ptr == 160
    for field in ("obs", "actions", "rewards", "next_obs", "dones"):
        assert torch.equal(getattr(other.buffer, field)[:160], getattr(runner.buffer, field)[:160]), field
    assert other.algo.temperature.item() == runner.algo.temperature.item() != 1.0
    assert other.algo.optimism.item() == runner.algo.optimism.item()
    assert other.normalizer.count.item() == 160.0
    with pytest.raises(ValueError, match="must be in the folder"):
        runner.save(tmp_path / "ckpt.pt", tmp_path / "elsewhere" / "buffer.pt")


def test_wrapped_replay_buffer_round_trips(tmp_path):
    runner = make_runner(tmp_path, tiny_sac_cfg(), buffer_size=90)
    runner.learn(30)  # 120 transitions in a ring of 90
    runner.save_checkpoint()
    other = make_runner(tmp_path, tiny_sac_cfg(), buffer_size=90)
    assert other.resume().buffer_size == 90 and other.buffer.ptr == runner.buffer.ptr == 30
    assert torch.equal(other.buffer.obs, runner.buffer.obs)
    smaller = make_runner(tmp_path, tiny_sac_cfg(), buffer_size=50)
    with pytest.warns(UserWarning, match="holds 90 transitions, this one only 50"):
        assert smaller.resume().buffer_size == 0


def test_checkpoint_without_replay_buffer_collects_learning_starts_steps_before_updating(tmp_path):
    runner = make_runner(tmp_path, tiny_sac_cfg(), save_replay_buffer=False)
    runner.learn(30)
    runner.save_checkpoint()
    assert files(tmp_path) == ["model_30.pt"] and read_checkpoint(tmp_path / "model_30.pt")["replay_buffer"] is None
    resumed = make_runner(tmp_path, tiny_sac_cfg())
    restored = resumed.resume()
    assert (restored.buffer_size, restored.steps_before_update, resumed.num_updates) == (0, 20, 10)
    resumed.learn(60)  # 20 env steps refill the buffer (80 transitions), then 1 update per step
    assert resumed.num_updates == 10 + 10 and len(resumed.buffer) == 120


def test_checkpoint_of_another_format_is_refused(tmp_path):
    make_runner(tmp_path, tiny_sac_cfg()).save(tmp_path / "model_0.pt")
    state = torch.load(tmp_path / "model_0.pt", weights_only=True)
    torch.save({**state, "format_version": CHECKPOINT_VERSION - 1}, tmp_path / "old.pt")
    with pytest.raises(ValueError, match=f"format {CHECKPOINT_VERSION - 1}, expected {CHECKPOINT_VERSION}"):
        configs_from_checkpoint(tmp_path / "old.pt")
    with pytest.raises(ValueError, match="has format"):
        make_runner(tmp_path, tiny_sac_cfg()).load(tmp_path / "old.pt")


def test_atomic_write_leaves_no_partial_file(tmp_path, monkeypatch):
    runner = make_runner(tmp_path, tiny_sac_cfg())
    runner.save_checkpoint()
    good = files(tmp_path), (tmp_path / "model_0.pt").read_bytes()

    def crash_midway(obj, f):
        f.write(b"partial data")
        raise KeyboardInterrupt  # e.g. the job is killed while writing

    monkeypatch.setattr(torch, "save", crash_midway)
    with pytest.raises(KeyboardInterrupt):
        runner.save(tmp_path / "model_0.pt")
    runner.global_step = 10
    with pytest.raises(KeyboardInterrupt):
        runner.save_checkpoint()  # dies writing the replay buffer, before the checkpoint
    assert (files(tmp_path), (tmp_path / "model_0.pt").read_bytes()) == good  # intact, no partial or temporary file


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
