"""scripts/train.py and scripts/play.py on NIL-H1-Walk (CPU, 2 envs, tiny networks): a training run
killed mid-way resumes from its last checkpoint, then play films the policy and exports it."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import onnxruntime
import torch

from isaaclab_nil.deploy.contract import CONFIG_FILE, load_contract
from isaaclab_nil.deploy.trajectory import Trajectory

REPO = Path(__file__).resolve().parents[2]
TINY = [
    "--task",
    "NIL-H1-Walk",
    "--agent",
    "sac",
    "--num_envs",
    "2",
    "agent.learning_starts=5",
    "agent.save_interval=10",
    "agent.progress_bar=false",
    "agent.algorithm.batch_size=16",
    "agent.algorithm.actor_hidden_dim=32",
    "agent.algorithm.critic_hidden_dim=32",
]


def _script(name, *args, **kwargs):
    return subprocess.Popen(
        [sys.executable, str(REPO / "scripts" / name), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        **kwargs,
    )


def test_killed_run_resumes_then_play_exports(tmp_path):
    log_root = tmp_path / "logs"
    first = _script("train.py", *TINY, "--max_steps", "100000", "--log_root", str(log_root))
    deadline = time.monotonic() + 600
    while not list(log_root.glob("NIL-H1-Walk/*/model_20.pt")):
        assert first.poll() is None, first.stdout.read()[-3000:]
        assert time.monotonic() < deadline, "training never wrote model_20.pt"
        time.sleep(1)
    os.killpg(first.pid, signal.SIGKILL)  # as a crash or a preempted job would
    first.wait()
    run_dir = next(log_root.glob("NIL-H1-Walk/*"))
    saved = max(int(p.stem.split("_")[1]) for p in run_dir.glob("model_*.pt"))

    resumed = _script("train.py", *TINY, "--max_steps", str(saved + 10), "--log_root", str(log_root), "--resume")
    out, _ = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, out[-3000:]
    assert f"model_{saved}.pt at env step {saved} (" in out and f"replay buffer of {2 * saved} transitions" in out
    last = torch.load(run_dir / f"model_{saved + 10}.pt", weights_only=True)
    assert last["global_step"] == saved + 10
    assert len(list(log_root.glob("NIL-H1-Walk/*"))) == 1  # the same run continued

    trained_export = (run_dir / CONFIG_FILE).read_bytes()
    play = _script("play.py", "--task", "NIL-H1-Walk", "--log_root", str(log_root), "--steps", "20")
    out, _ = play.communicate(timeout=600)
    assert play.returncode == 0, out[-3000:]
    played = run_dir / "play" / f"model_{saved + 10}"  # the newest checkpoint
    assert (played / "play.mp4").stat().st_size > 0
    assert (run_dir / CONFIG_FILE).read_bytes() == trained_export  # play never overwrites it
    again = _script("play.py", "--task", "NIL-H1-Walk", "--log_root", str(log_root), "--steps", "20")
    out, _ = again.communicate(timeout=600)
    assert again.returncode == 2 and "holds an earlier play: pass --overwrite" in out, out[-3000:]
    contract = load_contract(played)  # the play folder is a policy folder: its ONNX file and config agree
    assert contract.joint_names[10] == "torso" and len(contract.joint_names) == 19
    assert contract.step_dt == 0.02 and contract.action_type == "JointPositionAction"
    assert contract.observations[-1].name == "reference_phase" and contract.observations[-1].dim == 11
    assert contract.record["run"] == str(run_dir) and contract.record["checkpoint"] == f"model_{saved + 10}.pt"
    assert contract.nil["reference"]["bundle"] is None  # the run trained without one, and play used the same
    session = onnxruntime.InferenceSession(str(contract.onnx_path))
    (actions,) = session.run(["actions"], {"obs": torch.zeros(1, contract.obs_dim).numpy()})
    assert actions.shape == (1, 19)
    trajectory = Trajectory.load(played / "trajectory.npz")
    assert trajectory.joint_names == contract.joint_names and trajectory.joint_pos.shape[1] == 19
