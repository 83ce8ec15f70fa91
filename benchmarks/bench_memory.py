"""Memory of what a NIL task keeps per env, measured on the real buffers and given per 1024 envs.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_memory.py --out benchmarks/results/memory

Builds NIL-H1-Walk at a few envs on the CPU with its 224 px follow camera and the full reward (a synthetic bundle
and a random one-layer TimeSformer with TimeSformer-base's input and output sizes: 224 px clips, 768-wide
embeddings; the buffers do not depend on its depth), steps it until the camera has rendered and
the reward has filled its clips, then adds up the bytes (``element_size() * nelement()``) of the tensors the env
really holds: the camera's output buffers and the renderer's segmentation scratch, the reference command's clip
ring and embeddings. These are (num_envs, ...) tensors, so their bytes scale exactly with the envs; the table gives
them per 1024 envs. The replay buffer is built for real too (:class:`~isaaclab_nil.learning.ReplayBuffer`, the
runner's, with the task's observation and action sizes and its agents' capacity at 1024 envs); its capacity is in
transitions shared by all envs, so its size does not grow with them.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_reward import make_reference  # noqa: E402
from gpu_check import commit  # noqa: E402
from results_io import machine, publish  # noqa: E402

PER = 1024
"""The env count the table is given for."""
AGENTS = ("sac", "bro")
MIB = 2**20


def tensor_bytes(tensor: torch.Tensor) -> int:
    return tensor.element_size() * tensor.nelement()


def row(buffer: str, tensor: torch.Tensor, num_envs: int | None) -> dict:
    """One measured buffer; ``num_envs``: the envs of its first dimension (None: one buffer for all envs)."""
    if num_envs is not None and tensor.shape[0] != num_envs:
        raise ValueError(f"{buffer}: expected {num_envs} envs in its first dimension, got {tuple(tensor.shape)}")
    measured = tensor_bytes(tensor)
    return {
        "buffer": buffer,
        "dtype": str(tensor.dtype).removeprefix("torch."),
        "shape": list(tensor.shape),
        "bytes": measured,
        "per_env": num_envs is not None,
        f"bytes_per_{PER}_envs": measured * PER // num_envs if num_envs is not None else measured,
    }


def camera_rows(env) -> list[dict]:
    """The follow camera's output buffers (each storage once: ``rgb`` is a view of ``rgba``) and the Newton Warp
    renderer's shape-index image, which it renders segmentation into before mapping it to the output."""
    import warp as wp

    camera, rows, seen = env.scene["follow_camera"], [], set()
    for name, value in camera.data.output.items():
        tensor = value.torch if hasattr(value, "torch") else value
        if tensor.untyped_storage().data_ptr() not in seen:
            seen.add(tensor.untyped_storage().data_ptr())
            rows.append(row(f"camera output `{name}`", tensor, env.num_envs))
    scratch = camera._render_data.outputs.shape_index_image
    if scratch is not None:
        rows.append(row("renderer's shape-index image", wp.to_torch(scratch), env.num_envs))
    return rows


def reward_rows(env) -> list[dict]:
    command = env.command_manager.get_term("reference")
    return [
        row("reward clip ring (8 frames, channels first)", command.clips, env.num_envs),
        row("reward clip embeddings", command.embedding, env.num_envs),
    ]


def replay_rows(task: str, obs_dim: int, action_dim: int) -> list[dict]:
    """The runner's replay buffer for each agent, at the capacity its registered config gives 1024 envs."""
    from isaaclab_nil.envs.factory import resolve_cfgs
    from isaaclab_nil.learning.replay_buffer import FIELDS, ReplayBuffer

    rows = []
    for agent in AGENTS:
        _, agent_cfg = resolve_cfgs(task, (), f"{agent}_cfg_entry_point", num_envs=PER)
        buffer = ReplayBuffer(agent_cfg.buffer_size, obs_dim, action_dim, "cpu")
        measured = sum(tensor_bytes(getattr(buffer, field)) for field in FIELDS)
        rows.append(
            {
                "buffer": f"replay buffer ({agent}, {agent_cfg.buffer_size:,} transitions for all envs)",
                "dtype": "float32",
                "shape": {field: list(getattr(buffer, field).shape) for field in FIELDS},
                "bytes": measured,
                "per_env": False,
                f"bytes_per_{PER}_envs": measured,
                "bytes_per_transition": measured // agent_cfg.buffer_size,
            }
        )
        del buffer
    return rows


def base_sized_encoder(size: int):
    """A one-layer TimeSformer config with TimeSformer-base's clip size and width: the same ring and embeddings."""
    from transformers import TimesformerConfig

    return TimesformerConfig(image_size=size, num_hidden_layers=1)


def measure(task: str, num_envs: int, camera: int, encoder_size: int, folder: Path) -> dict:
    from isaaclab_nil.envs.factory import make_env

    overrides = [f"env.scene.follow_camera.width={camera}", f"env.scene.follow_camera.height={camera}"]
    overrides.append("env.commands.reference.num_frames=16")  # a short synthetic reference: quick to embed
    bundle = make_reference(task, folder, base_sized_encoder(encoder_size), overrides)
    env = make_env(
        task, num_envs=num_envs, device="cpu", overrides=[*overrides, f"env.commands.reference.bundle={bundle}"]
    )
    try:
        env.reset()
        action = torch.zeros(env.num_envs, env.action_manager.total_action_dim)
        for _ in range(4):  # past the first reference frame: rendered, pushed into the clips and embedded
            env.step(action)
        obs_dim = env.observation_manager.group_obs_dim["policy"][0]
        action_dim = env.action_manager.total_action_dim
        rows = camera_rows(env) + reward_rows(env)
    finally:
        env.close()
    rows += replay_rows(task, obs_dim, action_dim)
    return {"obs_dim": obs_dim, "action_dim": action_dim, "rows": rows}


def markdown(record: dict) -> str:
    lines = [
        f"Command: `{record['command']}` ({record['date']}, commit {record['commit']}, {record['machine']})",
        "",
        f"{record['task']}: {record['obs_dim']} observations, {record['action_dim']} actions, "
        f"{record['camera']} px follow camera, clips at {record['encoder_size']} px; built at {record['num_envs']} "
        "envs on the CPU, bytes of the real tensors, per-env buffers scaled to 1024 envs.",
        "",
        f"| buffer | dtype | shape at {record['num_envs']} envs | per env | per {PER} envs [MiB] |",
        "|---|---|---|---|---:|",
    ]
    for item in record["rows"]:
        shape = item["shape"]
        shape = ", ".join(f"{k} {tuple(v)}" for k, v in shape.items()) if isinstance(shape, dict) else tuple(shape)
        per_env = "yes" if item["per_env"] else "no (fixed)"
        lines.append(
            f"| {item['buffer']} | {item['dtype']} | {shape} | {per_env} | {item[f'bytes_per_{PER}_envs'] / MIB:,.1f} |"
        )
    per_env = sum(item[f"bytes_per_{PER}_envs"] for item in record["rows"] if item["per_env"])
    lines += ["", f"Per-env buffers in all: {per_env / MIB:,.1f} MiB per {PER} envs."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", default="NIL-H1-Walk")
    parser.add_argument("--num_envs", type=int, default=2, help="envs to build (the figures scale to 1024)")
    parser.add_argument("--camera", type=int, default=224, help="follow-camera size [px]")
    parser.add_argument("--encoder_size", type=int, default=224, help="clip size [px] (TimeSformer-base: 224)")
    parser.add_argument("--out", type=Path, help="also write the results as <out>.json and <out>.md")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        measured = measure(args.task, args.num_envs, args.camera, args.encoder_size, Path(folder))
    omp = f"OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']} " if "OMP_NUM_THREADS" in os.environ else ""
    record = {
        "command": omp + ".venv/bin/python benchmarks/bench_memory.py " + " ".join(sys.argv[1:]),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "commit": commit(),
        "machine": machine(torch.device("cpu")),
        "task": args.task,
        "num_envs": args.num_envs,
        "camera": args.camera,
        "encoder_size": args.encoder_size,
        **measured,
    }
    publish(record, markdown(record), args.out)


if __name__ == "__main__":
    main()
