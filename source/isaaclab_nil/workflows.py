"""Pieces shared by ``scripts/train.py`` and ``scripts/play.py``: arguments, run folders, checkpoints and the
deploy export."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

LOG_ROOT = Path("logs") / "nil"


def add_common_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--task", default="NIL-H1-Walk", help="task id")
    parser.add_argument("--num_envs", type=int, default=None, help="parallel envs (default: the task's)")
    parser.add_argument("--device", default="cpu", help="simulation and learner device, e.g. cpu or cuda:0")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--bundle", type=Path, help="reference bundle folder (from `nil generate`)")
    parser.add_argument("--log_root", type=Path, default=LOG_ROOT, help="runs go to LOG_ROOT/<task>/<time>")
    parser.add_argument("--checkpoint", type=Path, help="checkpoint file to load")
    parser.add_argument(
        "overrides",
        nargs="*",
        help="Isaac Lab/Hydra config overrides: env.<field>=<value> (e.g. env.scene.num_envs=8) and, for training, "
        "agent.<field>=<value> (e.g. agent.learning_starts=100, agent.algorithm.batch_size=512)",
    )


def new_run_dir(log_root: Path, task: str, agent: str) -> Path:
    return log_root / task / f"{datetime.now():%Y-%m-%d_%H-%M-%S}_{agent}"


def latest_run_dir(log_root: Path, task: str) -> Path:
    """The most recent run folder of ``task``; SystemExit with a clear message when there is none."""
    runs = sorted(p for p in (log_root / task).glob("*") if p.is_dir())
    if not runs:
        raise SystemExit(f"no runs of {task} under {log_root / task}: train one first, or pass --checkpoint")
    return runs[-1]


def run_checkpoint(run_dir: Path) -> Path:
    """The newest checkpoint (``model_<step>.pt`` of the highest step) of a run folder; SystemExit with a clear
    message when there is none."""
    from .learning.runner import latest_checkpoint

    checkpoint = latest_checkpoint(run_dir)
    if checkpoint is None:
        raise SystemExit(f"no checkpoint (model_<step>.pt) in {run_dir}: train first, or pass --checkpoint")
    return checkpoint


def export_for_deploy(policy, env, out_dir: Path) -> tuple[Path, Path]:
    """Write ``policy.onnx`` (observation normalization folded in, parity checked with onnxruntime) and
    ``deploy.yaml`` (joint order, default pose, PD gains, action mapping, observation layout, rate).
    ``policy`` is a training runner or an assembled policy (``learning.export.PolicySource``)."""
    from .envs.deploy import deploy_info
    from .learning import check_onnx_parity, export_policy_onnx, write_deploy_config

    out_dir.mkdir(parents=True, exist_ok=True)
    onnx_path = export_policy_onnx(policy, None, out_dir / "policy.onnx")
    error = check_onnx_parity(onnx_path, policy)
    info = deploy_info(env)
    info["onnx"] = {"file": onnx_path.name, "input": "obs", "output": "actions", "parity_max_abs_error": error}
    yaml_path = write_deploy_config(out_dir / "deploy.yaml", info)
    return onnx_path, yaml_path
