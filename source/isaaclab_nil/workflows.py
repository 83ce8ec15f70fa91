"""Pieces shared by ``scripts/train.py`` and ``scripts/play.py``: arguments, run folders and the record of a run,
the reference a run trains against and its evaluation, checkpoints and the deploy export."""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from .cli import add_output_arguments

LOG_ROOT = Path("logs") / "nil"
RUN_RECORD = "run.json"
"""What a run was trained with (task, agent, overrides, reference), in the run folder, for play and export."""


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
    add_output_arguments(parser)


def write_run_record(run_dir: Path, args: argparse.Namespace, bundle: str | None) -> Path:
    """Record in ``run_dir`` what the run trains with: task, agent, seed, overrides and the reference bundle
    (its path and :func:`~isaaclab_nil.reference.bundle.bundle_digest`)."""
    from .reference.bundle import bundle_digest

    record = {
        "task": args.task,
        "agent": args.agent,
        "seed": args.seed,
        "overrides": list(args.overrides),
        "bundle": bundle,
        "bundle_digest": bundle_digest(bundle) if bundle else None,
    }
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / RUN_RECORD
    path.write_text(json.dumps(record, indent=2))
    return path


def read_run_record(run_dir: Path) -> dict | None:
    """The record :func:`write_run_record` left in ``run_dir``; None for a run made before records existed."""
    path = run_dir / RUN_RECORD
    return json.loads(path.read_text()) if path.is_file() else None


def new_run_dir(log_root: Path, task: str, agent: str) -> Path:
    return log_root / task / f"{datetime.now():%Y-%m-%d_%H-%M-%S}_{agent}"


def latest_run_dir(log_root: Path, task: str) -> Path:
    """The most recent run folder of ``task``; a ``UsageError`` when there is none."""
    from .errors import UsageError

    runs = sorted(p for p in (log_root / task).glob("*") if p.is_dir())
    if not runs:
        raise UsageError(f"no runs of {task} under {log_root / task}: train one first, or pass --checkpoint")
    return runs[-1]


def run_checkpoint(run_dir: Path) -> Path:
    """The newest checkpoint (``model_<step>.pt`` of the highest step) of a run folder; a ``UsageError`` when there
    is none."""
    from .errors import UsageError
    from .learning.runner import latest_checkpoint

    checkpoint = latest_checkpoint(run_dir)
    if checkpoint is None:
        raise UsageError(f"no checkpoint (model_<step>.pt) in {run_dir}: train first, or pass --checkpoint")
    return checkpoint


def export_for_deploy(policy, env, policy_dir: Path, run_dir: Path, checkpoint: Path | None = None) -> Path:
    """Write ``policy_dir/exported/policy.onnx`` (observation normalization folded in, batch 1, parity checked with
    onnxruntime) and ``policy_dir/params/deploy.yaml`` (unitree_rl_lab's schema plus NIL's section, sealed with the
    ONNX file's hash: see :mod:`isaaclab_nil.deploy.contract`), the layout Unitree's controller loads as its
    ``policy_dir``. ``policy`` is a training runner or an assembled policy (``learning.export.PolicySource``);
    ``run_dir`` and ``checkpoint`` go into the contract record. Returns ``policy_dir``."""
    from .deploy.contract import POLICY_FILE, write_contract
    from .envs.deploy import deploy_document
    from .learning import check_onnx_parity, export_policy_onnx

    onnx_path = export_policy_onnx(policy, None, policy_dir / POLICY_FILE, batch=1)
    check_onnx_parity(onnx_path, policy)
    document = deploy_document(env, run=str(run_dir), checkpoint=checkpoint.name if checkpoint else None)
    write_contract(policy_dir, document)
    return policy_dir


def reference_bundle(args: argparse.Namespace, env_cfg) -> str | None:
    """The reference a run trains against: ``--bundle``, else the config's (``env.commands.reference.bundle``),
    else the task's built-in one (:mod:`.reference.builtin`, made now if needed), each time saying so in one line;
    None when the task has no built-in reference."""
    from .envs.mdp.commands import follow_camera_spec
    from .reference.builtin import builtin_reference

    reference, task = env_cfg.commands.reference, args.task
    if args.bundle is not None or reference.bundle is not None:
        return str(args.bundle) if args.bundle is not None else reference.bundle
    real = (
        f"make a real one with `nil generate --task {task} --video FILE` (a video made elsewhere) or "
        "`--generator ltx` (an image-to-video model), and a real TimeSformer with `--encoder`; pass it as --bundle DIR"
    )
    if reference.builtin_motion is None:
        print(f"[train] no --bundle, and {task} has no built-in reference: only regularization is rewarded; {real}")
        return None
    builtin = builtin_reference(
        task, reference.builtin_motion, env_cfg.robot_legs, follow_camera_spec(env_cfg), args.overrides, args.device
    )
    state = "reused" if builtin.exists() else "making it now, once"
    print(
        f"[train] no --bundle: training against {task}'s built-in reference, its known-answer "
        f"{reference.builtin_motion} filmed by the follow camera and embedded by a small random TimeSformer "
        f"({builtin.path}, {state}); {real}"
    )
    return str(builtin.make())


def evaluate_run(args: argparse.Namespace, bundle: str, run_dir: Path) -> None:
    """``nil eval`` of the run's newest checkpoint against ``bundle`` with the run's ``env.*`` overrides, in its own
    process (Isaac Lab runs one simulation per process): report, comparison video and plots in ``<run>/eval/``."""
    from .errors import NILError

    eval_args = [
        *("eval", "--task", args.task, "--bundle", bundle, "--checkpoint", str(run_checkpoint(run_dir))),
        *("--steps", str(args.eval_steps), "--device", args.device, "--seed", str(args.seed)),
        *(["--verbose"] if args.verbose else []),
        *(item for item in args.overrides if item.startswith("env.")),
    ]
    print(f"[train] evaluating the policy: nil {shlex.join(eval_args)}", flush=True)
    result = subprocess.run([sys.executable, "-m", "isaaclab_nil.cli", *eval_args])
    if result.returncode != 0:
        raise NILError(f"the evaluation failed (exit {result.returncode}); the policy is saved and exported")
