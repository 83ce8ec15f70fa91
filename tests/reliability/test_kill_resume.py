"""scripts/train.py killed (SIGKILL, as a crash or a preempted job) at 5 seeded random moments of a short
NIL-H1-Walk run (CPU, 2 envs, tiny SAC) resumes each time from its last checkpoint, with its replay buffer,
and finishes: every checkpoint loads, no temporary file is left, the run reaches ``max_steps`` and exports.

A moment is an env step (the first checkpoint at or past it) plus a random delay of up to half a second, so
that the kills land anywhere in the collect / update / save / prune cycle, at whatever speed the machine runs.
"""

import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import torch

from isaaclab_nil.deploy.contract import load_contract
from isaaclab_nil.learning.runner import checkpoint_paths, latest_checkpoint, read_checkpoint

REPO = Path(__file__).resolve().parents[2]
NUM_ENVS, MAX_STEPS, SAVE_INTERVAL, KEEP = 2, 80, 2, 3
TINY = [
    "--task",
    "NIL-H1-Walk",
    "--agent",
    "sac",
    "--num_envs",
    str(NUM_ENVS),
    "--max_steps",
    str(MAX_STEPS),
    "agent.learning_starts=5",
    f"agent.save_interval={SAVE_INTERVAL}",
    f"agent.keep_checkpoints={KEEP}",
    "agent.progress_bar=false",
    "agent.algorithm.batch_size=16",
    "agent.algorithm.actor_hidden_dim=32",
    "agent.algorithm.critic_hidden_dim=32",
    "env.scene.follow_camera.width=32",
    "env.scene.follow_camera.height=32",
    "env.commands.reference.builtin_motion=null",  # no reference to make: this is about checkpoints
]
RESUMED = re.compile(
    r"\[train\] resuming from (\S+) at env step (\d+) \((\d+) updates\), replay buffer of (\d+) transitions"
)


def start_training(log_root: Path, log: Path, resume: bool) -> subprocess.Popen:
    command = [sys.executable, str(REPO / "scripts" / "train.py"), *TINY, "--log_root", str(log_root)]
    with log.open("w") as out:  # a file, not a pipe: nothing blocks however much the run prints
        return subprocess.Popen(
            command + (["--resume"] if resume else []),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, killed as a whole
            env={**os.environ, "OMP_NUM_THREADS": "1"},
        )


def step_of(path: Path) -> int:
    return int(path.stem.split("_")[1])


def newest_step(run_dir: Path | None) -> int:
    steps = [step_of(path) for path in checkpoint_paths(run_dir)] if run_dir else []
    return max(steps, default=0)


def check_checkpoints(run_dir: Path) -> None:
    """Every checkpoint loads; the newest one's replay buffer loads and holds all its transitions."""
    paths = checkpoint_paths(run_dir)
    assert 1 <= len(paths) <= KEEP + 1  # a kill may land between a save and the pruning of the oldest
    for path in paths:
        state = read_checkpoint(path)
        assert state["global_step"] == step_of(path)
    newest = read_checkpoint(paths[-1])
    buffer = torch.load(run_dir / newest["replay_buffer"], weights_only=True, mmap=True)
    assert buffer["size"] == NUM_ENVS * newest["global_step"] == len(buffer["rewards"])


def test_training_killed_at_random_moments_resumes_and_finishes(tmp_path):
    rng = random.Random(20240611)
    moments = [(step, rng.uniform(0.0, 0.5)) for step in sorted(rng.sample(range(6, 60, SAVE_INTERVAL), 5))]
    log_root = tmp_path / "logs"
    run_dir = None
    for kill, (target, delay) in enumerate(moments):
        resumed_from = newest_step(run_dir)
        log = tmp_path / f"train_{kill}.log"
        process = start_training(log_root, log, resume=run_dir is not None)
        deadline = time.monotonic() + 300
        while newest_step(run_dir) < max(target, resumed_from + SAVE_INTERVAL):  # this process has saved
            assert process.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, f"no checkpoint at step {target}: " + log.read_text()[-3000:]
            time.sleep(0.05)
            run_dir = run_dir or next(iter((log_root / "NIL-H1-Walk").glob("*")), None)
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        output = log.read_text()
        if kill > 0:  # the step counter and the buffer restored are the last checkpoint's
            match = RESUMED.search(output)
            assert match, output[-3000:]
            path, step, buffer_size = Path(match[1]), int(match[2]), int(match[4])
            assert (path, step, buffer_size) == (run_dir / f"model_{resumed_from}.pt", resumed_from, 2 * step)
        check_checkpoints(run_dir)

    resumed_from = newest_step(run_dir)
    final = start_training(log_root, tmp_path / "train_final.log", resume=True)
    assert final.wait(timeout=600) == 0, (tmp_path / "train_final.log").read_text()[-3000:]
    output = (tmp_path / "train_final.log").read_text()
    assert RESUMED.search(output)[2] == str(resumed_from)
    assert [p.name for p in (log_root / "NIL-H1-Walk").iterdir()] == [run_dir.name]  # one run, continued
    check_checkpoints(run_dir)
    assert latest_checkpoint(run_dir) == run_dir / f"model_{MAX_STEPS}.pt"
    assert [step_of(p) for p in checkpoint_paths(run_dir)] == [MAX_STEPS - 4, MAX_STEPS - 2, MAX_STEPS]
    assert sorted(p.name for p in run_dir.glob("replay_buffer_*")) == [f"replay_buffer_{MAX_STEPS}.pt"]
    assert not [p for p in run_dir.rglob("*") if p.name.endswith(".tmp")]  # those of the kills were removed
    assert (run_dir / "exported" / "policy.onnx").stat().st_size > 0
    assert load_contract(run_dir).record["checkpoint"] == f"model_{MAX_STEPS}.pt"  # the policy folder is the run
