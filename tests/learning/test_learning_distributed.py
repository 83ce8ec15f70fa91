"""Distributed training (``isaaclab_nil.learning.distributed``) on the CPU with the gloo backend: two processes
started by ``torch.distributed.run`` train one SAC learner on the batched torch pendulum, each rank with its own 8
envs, seed and replay buffer (``distributed_worker.py``).

One run for the module: it is killed (SIGKILL, every process, as a crash) after a checkpoint past the warm-up and
resumed with ``--resume`` to the end; the tests check what it left. Its budget, 1600 env steps x 8 envs x 2 ranks
with 2 updates per env step, swings the pendulum up in a single process (last round of episodes about -400; a
uniformly random policy scores about -1200). About 2 minutes on 2 shared cores, both launches' start-up included.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from distributed_worker import NUM_ENVS, SAVE_INTERVAL

from isaaclab_nil.learning.runner import checkpoint_paths, read_checkpoint

WORKER = Path(__file__).with_name("distributed_worker.py")
RANKS = 2
MAX_STEPS = 1600
KILL_AFTER = 600
"""The first launch is killed once it has saved a checkpoint at or past this env step."""
THRESHOLD = -700.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(out: Path, run_dir: Path, log: Path, *options: str, max_steps: int = MAX_STEPS) -> subprocess.Popen:
    """``torch.distributed.run`` of the worker on RANKS processes with ``options``, output into ``log``."""
    command = [
        *(sys.executable, "-m", "torch.distributed.run", f"--nproc_per_node={RANKS}"),
        *("--master_addr=127.0.0.1", f"--master_port={free_port()}"),
        *(str(WORKER), str(out), str(run_dir), str(max_steps), *options),
    ]
    with log.open("w") as output:
        return subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, env={**os.environ, "OMP_NUM_THREADS": "1"}
        )


def newest_step(run_dir: Path) -> int:
    paths = checkpoint_paths(run_dir) if run_dir.is_dir() else []
    return int(paths[-1].stem.split("_")[1]) if paths else 0


def kill_all(process: subprocess.Popen, out: Path) -> None:
    """SIGKILL the workers (torchrun starts each in a session of its own) and torchrun itself."""
    for rank in range(RANKS):
        os.kill(int((out / f"pid{rank}").read_text()), signal.SIGKILL)
    process.kill()
    process.wait()


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The killed and resumed run: its folder, the step of its last checkpoint before the kill, each rank's result."""
    root = tmp_path_factory.mktemp("distributed")
    out, run_dir = root / "out", root / "run"
    out.mkdir()
    first = launch(out, run_dir, root / "first.log")
    deadline = time.monotonic() + 300
    while newest_step(run_dir) < KILL_AFTER:
        assert first.poll() is None, (root / "first.log").read_text()[-3000:]
        assert time.monotonic() < deadline, (root / "first.log").read_text()[-3000:]
        time.sleep(0.05)
    kill_all(first, out)
    killed_at = newest_step(run_dir)
    assert not list(out.glob("rank*.pt"))  # killed before the end

    resumed = launch(out, run_dir, root / "resumed.log", "--resume")
    assert resumed.wait(timeout=600) == 0, (root / "resumed.log").read_text()[-3000:]
    results = [torch.load(out / f"rank{rank}.pt", weights_only=False) for rank in range(RANKS)]
    return run_dir, killed_at, results


def test_killed_run_resumes_every_rank_from_its_last_checkpoint(run):
    run_dir, killed_at, results = run
    assert killed_at % SAVE_INTERVAL == 0 and KILL_AFTER <= killed_at < MAX_STEPS
    for result in results:  # the same checkpoint, and each rank its own full replay buffer
        assert result["restored"] == (killed_at, NUM_ENVS * killed_at)
    assert read_checkpoint(checkpoint_paths(run_dir)[-1])["global_step"] == MAX_STEPS
    buffers = sorted(path.name for path in run_dir.glob("replay_buffer_*"))
    assert buffers == [f"replay_buffer_{MAX_STEPS}.pt", f"replay_buffer_{MAX_STEPS}_rank1.pt"]
    assert not list(run_dir.glob(".*.tmp"))  # the kill's temporary files were removed on resume


def assert_one_learner(rank0: dict, rank1: dict) -> None:
    assert rank0["num_updates"] == rank1["num_updates"] > 0
    for key, value in rank0["algo"].items():  # networks, target networks, temperature
        assert torch.equal(value, rank1["algo"][key]), key
    for name, optimizer in rank0["optimizers"].items():  # Adam's moments: the same averaged gradients
        for index, state in optimizer["state"].items():
            for key, value in state.items():
                assert torch.equal(value, rank1["optimizers"][name]["state"][index][key]), (name, index, key)
    for key, value in rank0["normalizer"].items():
        assert torch.equal(value, rank1["normalizer"][key]), key
    assert not torch.equal(rank0["first_rewards"], rank1["first_rewards"])  # each rank collected its own data


def test_ranks_hold_one_learner(run):
    _, _, (rank0, rank1) = run
    assert_one_learner(rank0, rank1)
    assert rank0["normalizer"]["count"] == RANKS * NUM_ENVS * MAX_STEPS  # statistics of both ranks' observations


def test_bro_ranks_stay_one_learner_through_a_full_reset(tmp_path):
    """BRO's optimistic actor and duals are averaged too, the networks a full reset draws (from each rank's own RNG)
    are rank 0's on every rank, and the observation statistics are those of both ranks' observations together."""
    process = launch(tmp_path, tmp_path / "run", tmp_path / "bro.log", "--bro", max_steps=200)
    assert process.wait(timeout=300) == 0, (tmp_path / "bro.log").read_text()[-3000:]
    results = [torch.load(tmp_path / f"rank{rank}.pt", weights_only=False) for rank in range(RANKS)]
    assert_one_learner(*results)
    seen = torch.cat([result["observations"] for result in results])  # both ranks' observations, 200 steps each
    normalizer = results[0]["normalizer"]
    assert normalizer["count"] == len(seen) == RANKS * NUM_ENVS * 200
    assert torch.allclose(normalizer["mean"], seen.mean(0), atol=1e-5)
    assert torch.allclose(normalizer["var"], seen.var(0, unbiased=False), rtol=1e-4)


def test_pendulum_learns_with_two_ranks(run):
    _, _, results = run
    returns = [value for result in results for value in result["returns"]]
    score = sum(returns) / len(returns)
    print(f"\n2 ranks: mean return of the last {len(returns)} episodes {score:.1f} after {MAX_STEPS} env steps")
    assert len(returns) == RANKS * NUM_ENVS and score > THRESHOLD


def test_distributed_training_outside_torchrun_is_one_clear_error(monkeypatch, capsys):
    import importlib.util

    monkeypatch.delenv("LOCAL_RANK", raising=False)
    spec = importlib.util.spec_from_file_location("train", Path(__file__).parents[2] / "scripts" / "train.py")
    train = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(train)
    assert train.main(["--distributed", "--task", "NIL-H1-Walk"]) == 2
    err = capsys.readouterr().err.strip()
    assert (
        err.startswith("train: error: --distributed runs one process per GPU, started by torchrun")
        and len(err.splitlines()) == 1
    )
