"""One rank of a distributed training run on the batched torch pendulum, for ``test_learning_distributed.py``:

    python -m torch.distributed.run --nproc_per_node=2 distributed_worker.py OUT RUN_DIR MAX_STEPS [--resume] [--bro]

Joins the gloo process group as ``scripts/train.py --distributed --device cpu`` does, trains SAC (or a small BRO
with a full reset at 3/4 of the run, ``--bro``) with seed
``SEED + rank`` on its own envs (resuming the latest checkpoint of RUN_DIR with ``--resume``), saves at the end and
writes ``OUT/rank<r>.pt``: the learner's state, what was restored, and the returns of its last episodes. At the
start it writes ``OUT/pid<r>`` (for a test to kill it).
"""

import argparse
import os
from pathlib import Path

import torch
from learning_helpers import quiet_runner_cfg, tiny_bro_cfg, tiny_sac_cfg
from pendulum_env import PendulumEnv

from isaaclab_nil.learning import OffPolicyRunner, distributed

SEED = 0
NUM_ENVS = 8
SAVE_INTERVAL = 10
ALGORITHM = {"actor_hidden_dim": 64, "critic_hidden_dim": 64, "batch_size": 128, "replay_ratio": 2}
FAST_LR = {"actor_lr": 1e-3, "critic_lr": 1e-3, "temperature_lr": 1e-3}


class FullTorquePendulum(PendulumEnv):
    """The torch pendulum with actions scaled to its torque limit (as the Isaac Lab pendulum of ``pendulum_task.py``):
    a swing-up in fewer updates than with half of it."""

    def step(self, action: torch.Tensor):
        return super().step(action * self.max_torque)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("max_steps", type=int)
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--bro", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    device = distributed.init("cpu")
    rank = distributed.rank()
    (args.out / f"pid{rank}").write_text(str(os.getpid()))

    env = FullTorquePendulum(NUM_ENVS, seed=SEED + rank, device=str(device))
    if args.bro:
        algorithm = tiny_bro_cfg(reset_steps=(args.max_steps * 3 // 4,))
    else:
        algorithm = tiny_sac_cfg(**ALGORITHM, **FAST_LR)
    cfg = quiet_runner_cfg(
        algorithm,
        seed=SEED + rank,
        learning_starts=100,
        save_interval=SAVE_INTERVAL,
        keep_checkpoints=2,
    )
    runner = OffPolicyRunner(env, cfg, args.run_dir, device=device)
    restored = runner.resume() if args.resume else None
    runner.learn(args.max_steps)
    runner.save_checkpoint()
    result = {
        "algo": runner.algo.state_dict(),
        "optimizers": {name: optimizer.state_dict() for name, optimizer in runner.algo.optimizers.items()},
        "normalizer": runner.normalizer.state_dict(),
        "num_updates": runner.num_updates,
        "restored": (restored.global_step, restored.buffer_size) if restored else None,
        "returns": list(runner.completed_returns)[-NUM_ENVS:],  # the last round of episodes (all end together)
        "first_rewards": runner.buffer.rewards[:NUM_ENVS].clone(),
        "observations": runner.buffer.obs[: len(runner.buffer)].clone(),  # all it saw, while the buffer is not full
    }
    torch.save(result, args.out / f"rank{rank}.pt")
    distributed.shutdown()


if __name__ == "__main__":
    main()
