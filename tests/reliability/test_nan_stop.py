"""scripts/train.py whose learner meets a NaN stops with one clear line and exit code 1, the last good state
saved as a checkpoint, no NaN saved and nothing exported. The NaN: rewards scaled past float32's range
(``agent.reward_scale=1e39``) are infinite, and so are the TD targets and the critic loss (inf or nan)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import torch

from isaaclab_nil.learning.runner import checkpoint_paths, read_checkpoint

REPO = Path(__file__).resolve().parents[2]


def test_nan_in_the_learner_stops_training_with_the_last_good_state_saved(tmp_path):
    command = [sys.executable, str(REPO / "scripts" / "train.py"), "--task", "NIL-H1-Walk", "--agent", "sac"]
    command += ["--num_envs", "2", "--max_steps", "50", "--log_root", str(tmp_path), "agent.reward_scale=1e39"]
    command += ["agent.learning_starts=5", "agent.progress_bar=false", "agent.algorithm.batch_size=16"]
    command += ["agent.algorithm.actor_hidden_dim=32", "agent.algorithm.critic_hidden_dim=32"]
    command += ["env.commands.reference.builtin_motion=null"]  # no reference to make: this is about the learner
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=600, env={**os.environ, "OMP_NUM_THREADS": "1"}
    )
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    (run_dir,) = (tmp_path / "NIL-H1-Walk").iterdir()
    # The first update (after 5 env steps of warm-up, at step 6) meets the NaN rewards, before any optimizer step.
    last_line = result.stderr.splitlines()[-1]
    assert re.fullmatch(
        r"train: error: the critic loss is (nan|inf) at env step 6 \(after 0 updates\): stopped; saved the last good "
        rf"state as {re.escape(str(run_dir / 'model_6.pt'))}, without the replay buffer \(non-finite rewards in "
        r"\d+ of 12 transitions\)",
        last_line,
    ), last_line
    assert checkpoint_paths(run_dir) == [run_dir / "model_6.pt"] and not list(run_dir.glob("replay_buffer_*"))
    state = read_checkpoint(run_dir / "model_6.pt")
    assert state["replay_buffer"] is None
    assert all(torch.isfinite(value).all() for value in state["algo"]["modules"].values())
    assert not (run_dir / "exported").exists()
