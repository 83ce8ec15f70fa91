"""Env-steps/s of a NIL task with the full NIL reward against the reward off, on this machine.

    .venv/bin/python benchmarks/bench_reward.py                     # NIL-H1-Walk, CPU, 4 envs
    .venv/bin/python benchmarks/bench_reward.py --num_envs 64 256 --device cuda:0

On a small CPU shared with other work, ``OMP_NUM_THREADS=1`` keeps torch's threads from fighting over the
cores (the tiny encoder's time otherwise varies tenfold from call to call).

Same env, follow camera on, in every case; only the reward changes:

* ``off``:  every reward term at weight 0, no reference (nothing reads the camera, so it never renders);
* ``reg``:  the regularization P only (Table 1's ``reg_only`` preset);
* ``iou``:  P and the mask IoU (``no_video``): renders the camera at each new reference frame, no encoder;
* ``full``: every term: also embeds the new clips with the video encoder, one call per step.

The reference is a synthetic bundle made for the env (random masks; timing does not depend on their content)
and the encoder a random TimeSformer saved and loaded with ``from_pretrained``: by default a tiny one
(``--encoder_size`` px, 2 layers, width 64), which measures the env's side of the reward; ``--encoder base`` is
TimeSformer-base's architecture (224 px, 12 layers, width 768), the reward's real cost on a GPU. Each case
runs in a fresh process (Isaac Lab keeps one simulation per process), with random actions after a warm-up, the
envs spread over the episode as in training (each env reaches a new reference frame about every other step, at its
own time).
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

from isaaclab_nil.envs.reward_presets import REWARD_ABLATIONS, ablation_overrides

CASES = {
    "off": [f"env.rewards.{term}.weight=0" for term in {*REWARD_ABLATIONS["reg_only"], *REWARD_ABLATIONS["no_reg"]}],
    "reg": ablation_overrides("reg_only"),
    "iou": ablation_overrides("no_video"),
    "full": [],
}
"""Case -> overrides; every case but ``off`` also gets the bundle."""


def encoder_config(encoder: str, encoder_size: int):
    """The TimeSformer config of ``--encoder``: ``tiny`` at ``encoder_size`` px, or ``base`` (224 px)."""
    from transformers import TimesformerConfig

    if encoder == "base":
        return TimesformerConfig()
    return TimesformerConfig(
        image_size=encoder_size,
        patch_size=16,
        num_frames=8,
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=128,
    )


def make_reference(task: str, folder: Path, config, overrides: list[str], device: str = "cpu") -> Path:
    """Save a random encoder of ``config`` and a synthetic bundle matching ``task``'s env into ``folder`` (its
    embeddings computed on ``device``); return the bundle."""
    import torch

    from isaaclab_nil.envs.factory import make_env_cfg
    from isaaclab_nil.envs.mdp.commands import follow_camera_spec
    from isaaclab_nil.reference.bundle import BundleSource, write_bundle
    from isaaclab_nil.reference.encoder import VideoEncoder, save_random_encoder

    save_random_encoder(folder / "encoder", config)
    encoder = VideoEncoder.from_pretrained(str(folder / "encoder"), device=device)

    cfg = make_env_cfg(task, overrides=overrides)
    reference, camera = cfg.commands.reference, follow_camera_spec(cfg)
    source = BundleSource(
        robot=reference.embodiment,
        task=task,
        prompt=reference.prompt,
        camera=camera,
        fps=reference.fps,
        seed=0,
        source={"kind": "synthetic (benchmark)"},
        segmenter={"kind": "synthetic (benchmark)"},
    )
    count, (height, width) = reference.num_frames, camera.resolution
    masks = torch.rand(count, height, width) < 0.1
    frames = torch.full((count, height, width, 3), 255, dtype=torch.uint8)
    return write_bundle(folder / "bundle", source, frames, masks, encoder)


def run_case(task: str, num_envs: int, device: str, overrides: list[str], steps: int) -> dict:
    """Create the env, step it, and return env-steps/s and the encoder calls (runs in the child process)."""
    import torch

    from isaaclab_nil.envs.factory import make_env
    from isaaclab_nil.envs.mdp import commands

    env = make_env(task, num_envs=num_envs, device=device, overrides=overrides)
    env.seed(0)
    env.reset()
    command, encoded, renders = env.command_manager.get_term("reference"), [], []
    frames = command.cfg.num_frames  # envs at different frames of the reference, as in training:
    command.start = command.clock_frame + 1 - torch.randint(0, frames, (env.num_envs,), device=env.device)
    render = commands.robot_frames

    def counting_render(env):
        renders.append(env.common_step_counter)
        return render(env)

    commands.robot_frames = counting_render
    if command.encoder is not None:
        encode = command.encoder.encode

        def counting_encode(clips, *args):
            encoded.append(len(clips))
            return encode(clips, *args)

        command.encoder.encode = counting_encode

    def action() -> torch.Tensor:
        return 0.3 * (2 * torch.rand(env.num_envs, env.action_manager.total_action_dim, device=env.device) - 1)

    for _ in range(10):  # warm-up
        env.step(action())
    encoded.clear()
    renders.clear()
    start = time.perf_counter()
    for _ in range(steps):
        env.step(action())
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    elapsed = time.perf_counter() - start
    env.close()
    return {
        "env_steps_per_s": steps * num_envs / elapsed,
        "renders": len(renders),
        "encoder_calls": len(encoded),
        "clips": sum(encoded),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", default="NIL-H1-Walk")
    parser.add_argument("--num_envs", type=int, nargs="+", default=[4])
    parser.add_argument("--camera_sizes", type=int, nargs="+", default=[224], help="follow-camera sizes [px]")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--encoder", choices=("tiny", "base"), default="tiny", help="random TimeSformer's size")
    parser.add_argument("--encoder_size", type=int, default=64, help="input size [px] of the tiny encoder")
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES), help="reward cases to run")
    parser.add_argument("--out", type=Path, help="also write the results as <out>.json and <out>.md")
    parser.add_argument("--case", help=argparse.SUPPRESS)  # internal: run one case, print JSON
    return parser.parse_args(argv)


def main() -> None:
    args = parse_args()

    if args.case:
        case = json.loads(args.case)
        result = run_case(args.task, case["num_envs"], args.device, case["overrides"], args.steps)
        print("RESULT " + json.dumps(result))
        return

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for size in args.camera_sizes:
            camera = [f"env.scene.follow_camera.width={size}", f"env.scene.follow_camera.height={size}"]
            reference = []
            if set(args.cases) - {"off"}:  # every case but off needs a bundle
                config = encoder_config(args.encoder, args.encoder_size)
                bundle = make_reference(args.task, Path(folder) / str(size), config, camera, args.device)
                reference = [f"env.commands.reference.bundle={bundle}"]
            for num_envs in args.num_envs:
                for name in args.cases:
                    overrides = CASES[name]
                    case = {
                        "num_envs": num_envs,
                        "overrides": camera + overrides + (reference if name != "off" else []),
                    }
                    cmd = [sys.executable, __file__, "--task", args.task, "--device", args.device]
                    cmd += ["--steps", str(args.steps), "--case", json.dumps(case)]
                    child = subprocess.run(cmd, capture_output=True, text=True)
                    if child.returncode:
                        sys.exit(f"case {name} with {num_envs} envs failed:\n{child.stderr[-3000:]}")
                    out = child.stdout
                    result = json.loads(next(line for line in out.splitlines() if line.startswith("RESULT "))[7:])
                    rows.append({"camera": size, "num_envs": num_envs, "reward": name, **result})

    encoder = "TimeSformer-base at 224 px" if args.encoder == "base" else f"tiny encoder at {args.encoder_size} px"
    lines = [
        f"{args.task} on {args.device}, {args.steps} steps per case, random actions, envs at random reference "
        f"frames, random {encoder}",
        "",
        "| camera [px] | envs | reward | env-steps/s | vs off | renders / 100 steps | encoder calls | clips encoded |",
        "|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        off = [r for r in rows if (r["camera"], r["num_envs"], r["reward"]) == (row["camera"], row["num_envs"], "off")]
        sps = row["env_steps_per_s"]
        vs_off = f"{sps / off[0]['env_steps_per_s']:.2f}" if off else "-"
        lines.append(
            f"| {row['camera']} | {row['num_envs']} | {row['reward']} | {sps:.1f} | {vs_off} "
            f"| {100 * row['renders'] / args.steps:.0f} | {row['encoder_calls']} | {row['clips']} |"
        )
    print("\n" + "\n".join(lines))
    if args.out:
        command = "OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_reward.py " + " ".join(sys.argv[1:])
        record = {"command": command, "date": time.strftime("%Y-%m-%d"), "machine": platform.platform()}
        record.update(encoder=encoder, rows=rows)
        args.out.with_suffix(".json").write_text(json.dumps(record, indent=2))
        header = f"Command: `{command}` ({record['date']}, {record['machine']}, {os.cpu_count()} CPUs)\n\n"
        args.out.with_suffix(".md").write_text(header + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
