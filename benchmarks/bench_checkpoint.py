"""Size on disk and save / resume time of an ``OffPolicyRunner`` checkpoint (paper-size SAC and BRO networks,
NIL-H1-Walk's 74 observations and 19 actions), with replay buffers of several fills.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_checkpoint.py                      # 0, 10k, 100k, 1M
    .venv/bin/python benchmarks/bench_checkpoint.py --transitions 0 1000000 --agent bro

No simulator: a stub env gives the observation and action sizes, the buffer is filled with random transitions.
One update is taken first (Adam's moments exist from then on). A save is ``save_checkpoint`` (``model_<step>.pt``
and ``replay_buffer_<step>.pt``, fsynced); a resume is ``resume`` into a fresh runner (the buffer file memory-mapped
and copied into the preallocated buffer; the file was just written, so it is read from the page cache: a cold read
from disk takes longer).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import torch

from isaaclab_nil.learning import BroCfg, OffPolicyRunner, OffPolicyRunnerCfg, SacCfg

OBS_DIM, ACTION_DIM, NUM_ENVS = 74, 19, 1_000


class StubEnv:
    """Only what the runner's constructor reads: sizes and a reset."""

    num_envs = NUM_ENVS
    device = torch.device("cpu")
    single_action_space = SimpleNamespace(shape=(ACTION_DIM,))

    def reset(self):
        return {"policy": torch.zeros(NUM_ENVS, OBS_DIM)}, {}


def fill(runner: OffPolicyRunner, transitions: int) -> None:
    for start in range(0, transitions, NUM_ENVS):
        n = min(NUM_ENVS, transitions - start)
        obs = torch.randn(n, OBS_DIM)
        runner.buffer.add(obs, torch.rand(n, ACTION_DIM), torch.randn(n), obs, torch.zeros(n, dtype=torch.bool))
    runner.global_step = transitions // NUM_ENVS


def measure(agent: str, transitions: int, buffer_size: int, folder: Path) -> dict:
    algorithm = BroCfg() if agent == "bro" else SacCfg()
    cfg = OffPolicyRunnerCfg(algorithm=algorithm, buffer_size=buffer_size, progress_bar=False)
    runner = OffPolicyRunner(StubEnv(), cfg, folder)
    fill(runner, max(transitions, algorithm.batch_size))
    runner.update()  # the optimizers' moment estimates exist from the first step on
    runner.buffer.ptr = runner.buffer.size = 0
    fill(runner, transitions)
    start = time.perf_counter()
    checkpoint = runner.save_checkpoint()
    save_s = time.perf_counter() - start
    fresh = OffPolicyRunner(StubEnv(), cfg, folder)
    start = time.perf_counter()
    restored = fresh.resume()
    resume_s = time.perf_counter() - start
    assert restored.buffer_size == transitions
    buffer_file = folder / f"replay_buffer_{runner.global_step}.pt"
    return {
        "model_mb": checkpoint.stat().st_size / 1e6,
        "buffer_mb": buffer_file.stat().st_size / 1e6,
        "save_s": save_s,
        "resume_s": resume_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agent", choices=("bro", "sac"), nargs="+", default=["bro", "sac"])
    parser.add_argument("--transitions", type=int, nargs="+", default=[0, 10_000, 100_000, 1_000_000])
    parser.add_argument("--buffer_size", type=int, default=OffPolicyRunnerCfg().buffer_size, help="buffer capacity")
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {OBS_DIM} observations, {ACTION_DIM} actions, capacity {args.buffer_size}")
    print("| learner | transitions | model_<step>.pt [MB] | replay_buffer_<step>.pt [MB] | save [s] | resume [s] |")
    print("|---|---:|---:|---:|---:|---:|")
    for agent in args.agent:
        for transitions in args.transitions:
            with tempfile.TemporaryDirectory() as folder:
                r = measure(agent, transitions, args.buffer_size, Path(folder))
            print(
                f"| {agent.upper()} | {transitions:,} | {r['model_mb']:.1f} | {r['buffer_mb']:.1f} "
                f"| {r['save_s']:.2f} | {r['resume_s']:.2f} |"
            )


if __name__ == "__main__":
    main()
