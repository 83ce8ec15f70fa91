"""Gradient updates per second of SAC and BRO (paper-size networks) at several batch sizes.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_learner.py                 # CPU, batch 256 and 4096
    .venv/bin/python benchmarks/bench_learner.py --device cuda:0 --batch 256 4096 16384

One update = critic, actor and temperature steps (and BRO's optimism/KL duals) on one random batch,
with NIL-H1-Walk's sizes (66 observations, 19 actions).
"""

from __future__ import annotations

import argparse
import time

import torch

from isaaclab_nil.learning import BRO, SAC, BroCfg, SacCfg
from isaaclab_nil.learning.replay_buffer import Batch

OBS_DIM, ACTION_DIM = 66, 19


def updates_per_second(algo_class, cfg, batch_size: int, device: str, seconds: float) -> float:
    algo = algo_class(cfg.replace(batch_size=batch_size), OBS_DIM, ACTION_DIM, device)
    batch = Batch(
        torch.randn(batch_size, OBS_DIM, device=device),
        torch.rand(batch_size, ACTION_DIM, device=device) * 2 - 1,
        torch.randn(batch_size, device=device),
        torch.randn(batch_size, OBS_DIM, device=device),
        torch.zeros(batch_size, device=device),
    )
    algo.update(batch)  # warm-up
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        algo.update(batch)
        count += 1
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batch", type=int, nargs="+", default=[256, 4096])
    parser.add_argument("--seconds", type=float, default=5.0, help="measuring time per case")
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {args.device}")
    print("| learner | networks | batch | updates/s |\n|---|---|---:|---:|")
    for name, algo_class, cfg in (("SAC", SAC, SacCfg()), ("BRO", BRO, BroCfg())):
        critics = f"{cfg.num_critics}x {cfg.critic_hidden_dim}x{cfg.critic_depth}"
        nets = f"actor {cfg.actor_hidden_dim}x{cfg.actor_depth}, critics {critics}"
        for batch_size in args.batch:
            rate = updates_per_second(algo_class, cfg, batch_size, args.device, args.seconds)
            print(f"| {name} | {nets} | {batch_size} | {rate:.1f} |")


if __name__ == "__main__":
    main()
