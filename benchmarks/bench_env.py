"""Env creation time and env-steps/s of a NIL task on this machine, camera on and off.

    .venv/bin/python benchmarks/bench_env.py                       # NIL-H1-Walk, CPU, 4 and 16 envs
    .venv/bin/python benchmarks/bench_env.py --num_envs 64 256 --device cuda:0

Each case runs in a fresh process (Isaac Lab keeps one simulation per process). The first case
runs with an empty Warp kernel cache (what a first run on a new machine pays), the others with the
cache. Steps use zero actions; with the camera on, the follow camera renders at the reference fps
and every frame is read, as the NIL reward will.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time


def run_case(task: str, num_envs: int, device: str, camera: bool, steps: int) -> dict:
    """Create the env, step it, and return the timings (runs inside the child process)."""
    import torch

    start = time.perf_counter()
    from isaaclab_nil.envs.factory import make_env

    env = make_env(task, num_envs=num_envs, device=device, camera=camera)
    env.reset()
    created_s = time.perf_counter() - start
    action = torch.zeros(env.num_envs, env.action_manager.total_action_dim, device=env.device)
    for _ in range(5):  # warm-up
        env.step(action)
        if camera:
            env.robot_frames()
    start = time.perf_counter()
    for _ in range(steps):
        env.step(action)
        if camera:
            env.robot_frames()
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    elapsed = time.perf_counter() - start
    env.close()
    return {"created_s": created_s, "env_steps_per_s": steps * num_envs / elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", default="NIL-H1-Walk")
    parser.add_argument("--num_envs", type=int, nargs="+", default=[4, 16])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--case", help=argparse.SUPPRESS)  # internal: run one case, print JSON
    args = parser.parse_args()

    if args.case:
        num_envs, camera = args.case.split(",")
        result = run_case(args.task, int(num_envs), args.device, camera == "on", args.steps)
        print("RESULT " + json.dumps(result))
        return

    rows = []
    with tempfile.TemporaryDirectory() as empty_cache:
        cases = [(n, cam) for n in args.num_envs for cam in ("off", "on")]
        for i, (num_envs, camera) in enumerate(cases):
            env = dict(os.environ)
            if i == 0:
                env["WARP_CACHE_PATH"] = empty_cache
            cmd = [
                sys.executable,
                __file__,
                "--task",
                args.task,
                "--device",
                args.device,
                "--steps",
                str(args.steps),
                "--case",
                f"{num_envs},{camera}",
            ]
            out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
            result = json.loads(next(line for line in out.splitlines() if line.startswith("RESULT "))[7:])
            cache = "empty (first run)" if i == 0 else "warm"
            rows.append((num_envs, camera, cache, result["created_s"], result["env_steps_per_s"]))

    print(f"\n{args.task} on {args.device}, {args.steps} steps per case, zero actions")
    print("| envs | camera | kernel cache | env creation [s] | env-steps/s |")
    print("|---:|---|---|---:|---:|")
    for num_envs, camera, cache, created_s, sps in rows:
        print(f"| {num_envs} | {camera} | {cache} | {created_s:.1f} | {sps:.0f} |")


if __name__ == "__main__":
    main()
