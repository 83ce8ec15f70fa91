"""What each choice of the training recipe buys: learner updates/s and transitions learned per second, side by side.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_learner.py --threads 1 --clock cpu  # CPU shared with others
    .venv/bin/python benchmarks/bench_learner.py --out benchmarks/results/learner_cpu       # also <out>.json and .md
    .venv/bin/python benchmarks/bench_learner.py --device cuda:0 --num_envs 4096

Rows, for SAC and BRO: the small recipe (``NIL*RunnerCfg``, the papers' settings), then the large one
(``NIL*LargeRunnerCfg``) at the batch its rule gives for ``--num_envs``, step by step: with the small recipe's
critic (SAC: one value; BRO: 100 quantiles), with its categorical critic, on CUDA with bf16 autocast, and with
``torch.compile`` (the large recipe as registered; on the CPU only for the learners in ``--compile``, as Inductor
takes minutes there). One update = critic, actor and temperature steps (and BRO's optimism/KL duals) on one
random batch with NIL-H1-Walk's sizes (74 observations, 19 actions); sampling the replay buffer is not included.

Columns: updates/s; transitions learned per second (updates/s x batch); and the env steps per second of
``--num_envs`` envs the learner keeps up with at the recipe's updates per env step (updates/s / replay_ratio x
num_envs transitions collected per second). A compiled row also gives its compile time (the 2 warm-up updates,
wall clock).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import torch
from results_io import provenance, publish

from isaaclab_nil.agents.off_policy_cfg import (
    NILBroLargeRunnerCfg,
    NILBroRunnerCfg,
    NILSacLargeRunnerCfg,
    NILSacRunnerCfg,
)
from isaaclab_nil.learning import OffPolicyRunnerCfg
from isaaclab_nil.learning.replay_buffer import Batch
from isaaclab_nil.learning.runner import algorithm_class

SEED = 0
ACTION_DIM = 19  # the H1's joints
# base ang. vel., gravity, joint pos., vel. and last action, and the reference phase: sin and cos of the five
# envs.mdp.commands.PHASE_FREQUENCIES and the fraction (written out: importing it loads Isaac Lab, 13 s)
OBS_DIM = 3 + 3 + 3 * ACTION_DIM + 2 * 5 + 1
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
"""``cpu``: the CPU seconds of this process alone (all its threads), for a CPU shared with other work."""
RECIPES = {"SAC": (NILSacRunnerCfg, NILSacLargeRunnerCfg), "BRO": (NILBroRunnerCfg, NILBroLargeRunnerCfg)}
SMALL_CRITIC = {"SAC": "none", "BRO": "quantile"}


def variants(learner: str, device: torch.device, compile_learners: list[str]) -> list[tuple[str, str, dict]]:
    """(recipe, variant, overrides of the algorithm config) of the rows of one learner."""
    small_critic = {"none": "scalar critic", "quantile": "quantile critic"}[SMALL_CRITIC[learner]]
    no_extras = {"amp": False, "compile": "off"}
    rows = [
        ("small", "as registered", {}),
        ("large", small_critic, {**no_extras, "critic_distribution": SMALL_CRITIC[learner]}),
        ("large", "categorical critic", no_extras),
    ]
    if device.type == "cuda":
        rows.append(("large", "categorical + bf16", {"compile": "off"}))
    if device.type == "cuda" or learner in compile_learners:
        if device.type == "cuda":
            rows.append(("large", "as registered (+ compile)", {}))
        else:
            rows.append(("large", "categorical + compile", {"compile": "always"}))
    return rows


def batch_of(size: int, device: torch.device) -> Batch:
    return Batch(
        torch.randn(size, OBS_DIM, device=device),
        torch.rand(size, ACTION_DIM, device=device) * 2 - 1,
        torch.randn(size, device=device),
        torch.randn(size, OBS_DIM, device=device),
        torch.zeros(size, device=device),
    )


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def bench_row(cfg: OffPolicyRunnerCfg, num_envs: int, device: torch.device, seconds: float, clock: str) -> dict:
    """Updates/s of the learner of ``cfg`` at the batch its rule gives for ``num_envs``, after 2 warm-up updates
    (a compiled learner compiles in them; timed on the wall clock); at least 3 timed updates and ``seconds``."""
    torch.manual_seed(SEED)
    algo_cfg = cfg.algorithm
    algo = algorithm_class(algo_cfg)(algo_cfg, OBS_DIM, ACTION_DIM, device)
    batch_size = cfg.batch_size(num_envs)
    batch = batch_of(batch_size, device)
    start = time.perf_counter()  # on the wall clock: Inductor compiles in worker processes
    for _ in range(2):
        algo.update(batch)
    synchronize(device)
    warmup = time.perf_counter() - start
    now = CLOCKS[clock]
    count, start = 0, now()
    while count < 3 or now() - start < seconds:
        algo.update(batch)
        count += 1
        if count % 10 == 0:
            synchronize(device)
    synchronize(device)
    rate = count / (now() - start)
    return {
        "batch": batch_size,
        "replay_ratio": algo_cfg.replay_ratio,
        "critic": algo_cfg.critic_distribution,
        "amp": algo_cfg.amp and device.type == "cuda",
        "compile": algo_cfg.compile == "always" or (algo_cfg.compile == "cuda" and device.type == "cuda"),
        "updates_per_s": rate,
        "transitions_learned_per_s": rate * batch_size,
        "env_steps_per_s_kept_up": rate / algo_cfg.replay_ratio,
        "transitions_collected_per_s_kept_up": rate / algo_cfg.replay_ratio * num_envs,
        "warmup_s": warmup,
    }


def markdown(record: dict) -> str:
    lines = [
        f"Command: `{record['command']}` (seed {record['seed']}, {record['date']}, {record['machine']}, "
        f"torch {record['torch']} on {record['threads']} thread(s), {record['clock']} clock, "
        f"1-min load average {record['load_average'][0]:.1f} at the start, {record['load_average'][1]:.1f} at the end)",
        "",
        f"{record['num_envs']} envs; NIL-H1-Walk's sizes ({OBS_DIM} observations, {ACTION_DIM} actions).",
        "",
        "| learner | recipe | variant | batch | updates / env step | updates/s | transitions learned/s "
        "| env steps/s kept up | transitions collected/s kept up | compile s |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in record["rows"]:
        compile_s = f"{row['warmup_s']:.0f}" if row["compile"] else ""
        lines.append(
            f"| {row['learner']} | {row['recipe']} | {row['variant']} | {row['batch']} | {row['replay_ratio']} "
            f"| {row['updates_per_s']:.2f} | {row['transitions_learned_per_s']:,.0f} "
            f"| {row['env_steps_per_s_kept_up']:.2f} | {row['transitions_collected_per_s_kept_up']:,.0f} "
            f"| {compile_s} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cuda:0" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--num_envs", type=int, default=256, help="envs the large recipe's batch is sized for")
    parser.add_argument("--seconds", type=float, default=3.0, help="measuring time per row, after the warm-up")
    parser.add_argument(
        "--compile", nargs="*", default=["SAC"], choices=list(RECIPES), help="learners compiled on the CPU"
    )
    parser.add_argument("--clock", choices=CLOCKS, default="wall", help="cpu: CPU seconds of this process")
    parser.add_argument("--threads", type=int, help="CPU threads for torch (on a busy machine 1 avoids contention)")
    parser.add_argument("--out", type=Path, help="also write the results as <out>.json and <out>.md")
    args = parser.parse_args()
    device = torch.device(args.device)
    if args.threads:
        torch.set_num_threads(args.threads)

    load_before = os.getloadavg()[0]
    rows = []
    for learner, (small, large) in RECIPES.items():
        for recipe, variant, overrides in variants(learner, device, args.compile):
            cfg = small() if recipe == "small" else large()
            cfg = cfg.replace(algorithm=cfg.algorithm.replace(**overrides))
            row = bench_row(cfg, args.num_envs, device, args.seconds, args.clock)
            rows.append({"learner": learner, "recipe": recipe, "variant": variant, **row})
            print(f"{learner} {recipe} {variant}: {row['updates_per_s']:.2f} updates/s", flush=True)

    record = {
        **provenance("bench_learner.py", SEED, device, args.clock, load_before),
        "device": str(device),
        "num_envs": args.num_envs,
        "rows": rows,
    }
    publish(record, markdown(record), args.out)


if __name__ == "__main__":
    main()
