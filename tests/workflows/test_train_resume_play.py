"""scripts/train.py and scripts/play.py on NIL-H1-Walk (CPU, 2 envs, tiny networks, 64 px camera), the whole loop
out of the box: with no bundle the first run makes the task's built-in reference, and is killed mid-way; the
resumed run reuses that reference, finishes, exports and evaluates the policy; then play films it and exports it.
The default output is a few readable lines; --verbose shows Isaac Lab's manager tables."""

import json
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
    "env.scene.follow_camera.width=64",
    "env.scene.follow_camera.height=64",
]
MANAGER_TABLE = "Active Reward Terms"
GAIN_NOTE = "stiffness and damping"


def _script(name, *args, **kwargs):
    return subprocess.Popen(  # in the test's folder: the built-in reference goes to its outputs/
        [sys.executable, str(REPO / "scripts" / name), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        **kwargs,
    )


def test_killed_run_resumes_then_play_exports(tmp_path):
    log_root = tmp_path / "logs"
    first = _script("train.py", *TINY, "--max_steps", "100000", "--log_root", str(log_root), cwd=tmp_path)
    deadline = time.monotonic() + 900
    while not list(log_root.glob("NIL-H1-Walk/*/model_20.pt")):
        assert first.poll() is None, first.stdout.read()[-3000:]
        assert time.monotonic() < deadline, "training never wrote model_20.pt"
        time.sleep(1)
    os.killpg(first.pid, signal.SIGKILL)  # as a crash or a preempted job would
    first.wait()
    out = first.stdout.read()
    (reference,) = (tmp_path / "outputs" / "references" / "builtin").glob("NIL-H1-Walk-walk-*")
    assert (
        "built-in reference, its known-answer walk filmed by the follow camera and embedded by a small random "
        f"TimeSformer (outputs/references/builtin/{reference.name}, making it now, once)"
    ) in out
    assert "nil generate --task NIL-H1-Walk --video FILE" in out  # how to use a real video instead
    assert MANAGER_TABLE not in out and out.count(GAIN_NOTE) == 0 and "Isaac Lab's output: isaaclab.log" in out
    assert len(out.strip().splitlines()) <= 3, out  # what runs, where it goes; then the (disabled) progress
    run_dir = next(log_root.glob("NIL-H1-Walk/*"))
    assert MANAGER_TABLE in (run_dir / "isaaclab.log").read_text()
    saved = max(int(p.stem.split("_")[1]) for p in run_dir.glob("model_*.pt"))

    resumed = _script(
        "train.py", *TINY, "--max_steps", str(saved + 10), "--log_root", str(log_root), "--resume", "--verbose",
        "--eval_steps", "30", cwd=tmp_path,
    )  # fmt: skip
    out, _ = resumed.communicate(timeout=900)
    assert resumed.returncode == 0, out[-3000:]
    assert f"model_{saved}.pt at env step {saved} (" in out and f"replay buffer of {2 * saved} transitions" in out
    assert f"({reference.relative_to(tmp_path)}, reused)" in out
    # the tables, and one line on the gains (in each process: training, then nil eval) instead of one per joint
    assert MANAGER_TABLE in out and out.count(GAIN_NOTE) == 0 and out.count("writes its PD gains") == 2
    last = torch.load(run_dir / f"model_{saved + 10}.pt", weights_only=True)
    assert last["global_step"] == saved + 10
    assert len(list(log_root.glob("NIL-H1-Walk/*"))) == 1  # the same run continued
    report = json.loads((run_dir / "eval" / "report.json").read_text())  # nil eval of the policy, then
    assert report["steps"] == 30 and report["motion"]["joint_rmse"]["mean"] > 0.0
    assert report["policy"].endswith(f"model_{saved + 10}.pt") and report["bundle"].endswith(reference.name)
    assert f"comparison video (reference | policy | overlap): {run_dir / 'eval' / 'comparison.mp4'}" in out

    trained_export = (run_dir / CONFIG_FILE).read_bytes()
    play = _script("play.py", "--task", "NIL-H1-Walk", "--log_root", str(log_root), "--steps", "20", cwd=tmp_path)
    out, _ = play.communicate(timeout=600)
    assert play.returncode == 0, out[-3000:]
    played = run_dir / "play" / f"model_{saved + 10}"  # the newest checkpoint
    assert (played / "play.mp4").stat().st_size > 0
    assert (run_dir / CONFIG_FILE).read_bytes() == trained_export  # play never overwrites it
    again = _script("play.py", "--task", "NIL-H1-Walk", "--log_root", str(log_root), "--steps", "20", cwd=tmp_path)
    out, _ = again.communicate(timeout=600)
    assert again.returncode == 2 and "holds an earlier play: pass --overwrite" in out, out[-3000:]
    contract = load_contract(played)  # the play folder is a policy folder: its ONNX file and config agree
    assert contract.joint_names[10] == "torso" and len(contract.joint_names) == 19
    assert contract.step_dt == 0.02 and contract.action_type == "JointPositionAction"
    assert contract.observations[-1].name == "reference_phase" and contract.observations[-1].dim == 11
    assert contract.record["run"] == str(run_dir) and contract.record["checkpoint"] == f"model_{saved + 10}.pt"
    assert contract.nil["reference"]["bundle"] == str(reference.relative_to(tmp_path))  # the run's, which play used
    session = onnxruntime.InferenceSession(str(contract.onnx_path))
    (actions,) = session.run(["actions"], {"obs": torch.zeros(1, contract.obs_dim).numpy()})
    assert actions.shape == (1, 19)
    trajectory = Trajectory.load(played / "trajectory.npz")
    assert trajectory.joint_names == contract.joint_names and trajectory.joint_pos.shape[1] == 19
