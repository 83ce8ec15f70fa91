"""Stage 2: train a policy for a NIL task with an off-policy learner (SAC or BRO).

    python scripts/train.py --task NIL-H1-Walk --agent bro --num_envs 64 --device cuda:0 --max_steps 200000
    python scripts/train.py --task NIL-H1-Walk --resume                  # continue the latest run
    python scripts/train.py --task NIL-H1-Walk env.rewards.mask_iou.weight=0 agent.algorithm.batch_size=512
    torchrun --nproc_per_node=4 scripts/train.py --task NIL-H1-Walk --num_envs 1024 --device cuda --distributed

The env and agent configs are the task's registered ones (the agent's: its ``sac_cfg_entry_point`` or
``bro_cfg_entry_point``, or with ``--recipe large``, the default from 256 envs on, ``sac_large_cfg_entry_point`` or
``bro_large_cfg_entry_point``), resolved by Isaac Lab with the ``env.<field>=<value>`` and ``agent.<field>=<value>``
overrides; ``--num_envs``, ``--device`` and ``--seed`` are applied after them.

Also runs as ``isaaclab -p scripts/train.py ...``. A run writes tensorboard logs and checkpoints
(``model_<step>.pt``, the newest with its ``replay_buffer_<step>.pt``) to logs/nil/<task>/<time>_<agent>/;
Ctrl+C saves a checkpoint first; ``--resume`` continues from the last valid checkpoint of a run (the latest,
or --run_dir), with its replay buffer. At the end the policy is exported into the run
folder as exported/policy.onnx + params/deploy.yaml (the policy folder unitree_rl_lab's controller and
``nil sim2sim`` load). A NaN in the learner stops the run (exit code 1) with the last good state saved.

``--distributed`` (under torchrun, also across nodes with its ``--nnodes``/``--rdzv_endpoint`` flags) trains one
learner with one process per GPU, ``cuda:LOCAL_RANK`` (or the CPU with gloo for ``--device cpu``), each with
``--num_envs`` envs, its own replay buffer and seed ``--seed`` + rank (see ``isaaclab_nil.learning.distributed``).
Rank 0 alone prints, logs, checkpoints, exports and evaluates; every rank saves its replay buffer with the
checkpoints, so ``--resume`` (with the same number of processes) continues each rank's buffer. The run folder must
be on a filesystem all nodes share. Ctrl+C (torchrun then stops its processes) saves nothing: the run resumes from
its last periodic checkpoint.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    from isaaclab_nil.cli import report_errors
    from isaaclab_nil.evaluation import EVAL_STEPS
    from isaaclab_nil.tasks.registry import LARGE_RECIPE_MIN_ENVS, RECIPES
    from isaaclab_nil.workflows import add_common_args

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(parser)
    parser.add_argument("--agent", choices=("bro", "sac"), default="bro", help="off-policy learner")
    parser.add_argument(
        "--recipe",
        choices=RECIPES,
        default="auto",
        help=f"agent config: small (the papers'), large (massively parallel) or auto (large from "
        f"{LARGE_RECIPE_MIN_ENVS} envs on)",
    )
    parser.add_argument("--max_steps", type=int, default=2_000, help="env steps to train for (in total, when resuming)")
    parser.add_argument("--resume", action="store_true", help="continue a run from its last valid checkpoint")
    parser.add_argument("--run_dir", type=Path, help="run folder to resume (default: the latest of the task)")
    parser.add_argument(
        "--eval_steps",
        type=int,
        default=EVAL_STEPS,
        help="after training, `nil eval` of the policy against its reference for this many control steps (0: none)",
    )
    parser.add_argument(
        "--distributed", action="store_true", help="one process per GPU (or CPU process) under torchrun, one learner"
    )
    args = parser.parse_args(argv)
    return report_errors("train", lambda: train(args), args.debug)


def train(args: argparse.Namespace) -> Path:
    from isaaclab_nil.console import isaaclab_output, save_output
    from isaaclab_nil.learning import distributed
    from isaaclab_nil.tasks.registry import recipe_entry_point
    from isaaclab_nil.workflows import (
        evaluate_run,
        export_for_deploy,
        latest_run_dir,
        new_run_dir,
        reference_bundle,
        write_run_record,
    )

    if args.distributed:
        args.device = str(distributed.init(args.device))  # this rank's GPU (or the CPU)
    main = distributed.is_main_process()
    if not main:
        quiet_stdout()
    with isaaclab_output(args.verbose) as config_log:  # importing Isaac Lab prints too (Warp's device notes)
        from isaaclab_nil.envs.factory import make_env, resolve_cfgs
        from isaaclab_nil.learning import OffPolicyRunner, latest_checkpoint

        env_cfg, agent_cfg = resolve_cfgs(
            args.task,
            args.overrides,
            recipe_entry_point(args.agent, args.num_envs, args.recipe),
            num_envs=args.num_envs,
            device=args.device,
        )
    env_cfg.seed = agent_cfg.seed = args.seed + distributed.rank()
    # Rank 0 makes the built-in reference (once) and picks the run folder; every rank uses its choices.
    bundle = distributed.from_main(reference_bundle(args, env_cfg) if main else None)
    env_cfg.commands.reference.bundle = bundle
    run_dir = (args.run_dir or latest_run_dir(args.log_root, args.task)) if args.resume else None
    run_dir = distributed.from_main(run_dir or new_run_dir(args.log_root, args.task, args.agent))

    with isaaclab_output(args.verbose) as env_log:
        env = make_env(args.task, cfg=env_cfg)
    if main:
        write_run_record(run_dir, args, bundle)
    setup_log = save_output(config_log + env_log, run_dir) if main else None
    runner = OffPolicyRunner(env, agent_cfg, run_dir, device=args.device)
    if args.checkpoint is not None:
        print(f"[train] starting from {runner.load(args.checkpoint)}")
    elif args.resume:
        restored = runner.resume(run_dir)
        print(f"[train] resuming from {restored}" if restored else f"[train] no checkpoint in {run_dir}: from scratch")
    ranks = f" x {distributed.world_size()} processes" if args.distributed else ""
    print(
        f"[train] {args.task} with {args.agent} on {args.device}, {env.num_envs} envs{ranks}, {args.max_steps} env "
        f"steps -> {run_dir}" + (f" (Isaac Lab's output: {setup_log.name})" if setup_log else "")
    )
    interrupted = False
    try:
        runner.learn(args.max_steps)  # TrainingDiverged: the runner saved its last good state, one line, exit 1
    except KeyboardInterrupt:
        interrupted = True
        saving = "keeping the last checkpoint" if args.distributed else "saving a checkpoint"
        print(f"[train] interrupted: {saving} (and no evaluation)")
    finally:
        # Ranks save together, at one step: not after Ctrl+C, which stops each where it is.
        synchronous = not (interrupted and args.distributed)
        checkpoint = (runner.save_checkpoint() if synchronous else None) or latest_checkpoint(run_dir)
    if main and synchronous:
        export_for_deploy(runner, env, run_dir, run_dir, checkpoint)
        print(f"[train] exported the policy and its deploy config into {run_dir} (exported/, params/)")
    env.close()
    distributed.shutdown()
    if main and bundle is not None and args.eval_steps > 0 and not interrupted:
        evaluate_run(args, bundle, run_dir)
    return run_dir


def quiet_stdout() -> None:
    """Send this process's standard output (Python's and C's) to /dev/null: in distributed training the ranks but 0
    print only warnings and errors (standard error)."""
    sys.stdout.flush()
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)


if __name__ == "__main__":
    sys.exit(main())
