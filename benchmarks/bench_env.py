"""Env creation time and env-steps/s of NIL tasks on this machine, camera on and off.

    .venv/bin/python benchmarks/bench_env.py                       # NIL-H1-Walk, CPU, 4 and 16 envs
    .venv/bin/python benchmarks/bench_env.py --num_envs 64 256 --device cuda:0
    .venv/bin/python benchmarks/bench_env.py --task NIL-H1-Walk NIL-G1-Walk --num_envs 16 --out results/envs

Each case runs in a fresh process (Isaac Lab keeps one simulation per process). The first case
runs with an empty Warp kernel cache (what a first run on a new machine pays), the others with the
cache. Steps use zero actions; with the camera on, the follow camera renders at the reference fps
and every frame is read, as the NIL reward will.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_case(task: str, num_envs: int, device: str, camera: bool, steps: int, seed: int) -> dict:
    """Create the env, step it, and return the timings (runs inside the child process)."""
    import torch

    start = time.perf_counter()
    from isaaclab_nil.envs.factory import make_env
    from isaaclab_nil.envs.mdp.camera import robot_frames

    env = make_env(task, num_envs=num_envs, device=device, camera=camera)
    env.seed(seed)
    env.reset()
    created_s = time.perf_counter() - start
    action = torch.zeros(env.num_envs, env.action_manager.total_action_dim, device=env.device)
    for _ in range(5):  # warm-up
        env.step(action)
        if camera:
            robot_frames(env)
    start = time.perf_counter()
    for _ in range(steps):
        env.step(action)
        if camera:
            robot_frames(env)
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    elapsed = time.perf_counter() - start
    env.close()
    return {"created_s": created_s, "env_steps_per_s": steps * num_envs / elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", nargs="+", default=["NIL-H1-Walk"])
    parser.add_argument("--num_envs", type=int, nargs="+", default=[4, 16])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help="also write the results as <out>.json and <out>.md")
    parser.add_argument("--case", help=argparse.SUPPRESS)  # internal: run one case, print JSON
    args = parser.parse_args()

    if args.case:
        task, num_envs, camera = args.case.split(",")
        result = run_case(task, int(num_envs), args.device, camera == "on", args.steps, args.seed)
        print("RESULT " + json.dumps(result))
        return

    rows = []
    with tempfile.TemporaryDirectory() as empty_cache:
        cases = [(task, n, cam) for task in args.task for n in args.num_envs for cam in ("off", "on")]
        for i, (task, num_envs, camera) in enumerate(cases):
            env = dict(os.environ)
            if i == 0:
                env["WARP_CACHE_PATH"] = empty_cache
            cmd = [sys.executable, __file__, "--device", args.device, "--steps", str(args.steps)]
            cmd += ["--seed", str(args.seed), "--case", f"{task},{num_envs},{camera}"]
            child = subprocess.run(cmd, env=env, capture_output=True, text=True)
            if child.returncode:
                sys.exit(f"case {task}, {num_envs} envs, camera {camera} failed:\n{child.stderr[-3000:]}")
            result = json.loads(next(line for line in child.stdout.splitlines() if line.startswith("RESULT "))[7:])
            cache = "empty (first run)" if i == 0 else "warm"
            rows.append({"task": task, "num_envs": num_envs, "camera": camera, "kernel_cache": cache, **result})

    lines = [
        f"On {args.device}, {args.steps} steps per case, zero actions, seed {args.seed}",
        "",
        "| task | envs | camera | kernel cache | env creation [s] | env-steps/s |",
        "|---|---:|---|---|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['task']} | {row['num_envs']} | {row['camera']} | {row['kernel_cache']} "
            f"| {row['created_s']:.1f} | {row['env_steps_per_s']:.0f} |"
        )
    print("\n" + "\n".join(lines))
    if args.out:
        threads = os.environ.get("OMP_NUM_THREADS")
        command = (f"OMP_NUM_THREADS={threads} " if threads else "") + ".venv/bin/python benchmarks/bench_env.py "
        command += " ".join(sys.argv[1:])
        record = {"command": command, "seed": args.seed, "date": time.strftime("%Y-%m-%d")}
        record.update(machine=platform.platform(), cpus=os.cpu_count(), rows=rows)
        args.out.with_suffix(".json").write_text(json.dumps(record, indent=2))
        header = f"Command: `{command}` ({record['date']}, {record['machine']}, {os.cpu_count()} CPUs)\n\n"
        args.out.with_suffix(".md").write_text(header + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
