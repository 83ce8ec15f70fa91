"""Throughput of the video encoder with eager against fused attention, side by side (clips/s), and of SAM 2.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_encoder.py --threads 1 --clock cpu  # CPU shared with others
    .venv/bin/python benchmarks/bench_encoder.py --out benchmarks/results/encoder_cpu  # also <out>.json and .md
    .venv/bin/python benchmarks/bench_encoder.py --device cuda:0

Each row times one ``VideoEncoder.encode`` call on uint8 clips already on the device (preprocessing included,
as in the stage-2 hot path) twice on the same random weights: with transformers' eager attention and with
the fused SDPA attention (:mod:`isaaclab_nil.reference.fused_attention`), and gives the largest difference
between their embeddings. CPU: a tiny TimeSformer (64 px, hidden 64, 2 layers) at batch 1/8/32 and
TimeSformer-base (the K400 architecture: 224 px, 12 layers, hidden 768; seconds per clip here) at batch 1/2.
CUDA: base at batch 1/32/128/512 in float32, bf16 autocast and bf16 weights, and SAM 2 (hiera-tiny
architecture) propagating a mask through a 32-frame video. Random weights run exactly as fast as trained ones.

The physical limit beside it: base size is about 0.39 TFLOP (matrix multiplies) per 8 x 224 x 224 clip, so an
H100's 989 dense bf16 TFLOP/s caps it near 2,500 clips/s; each row gives the TFLOP/s it reached.
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import torch
import transformers
from results_io import provenance, publish

from isaaclab_nil.reference.encoder import K400_MEAN, K400_STD, Attention, EncoderInfo, VideoEncoder
from isaaclab_nil.reference.segmentation import RobotSegmenter

SEED = 0
GPU_BATCHES = (1, 32, 128, 512)
H100_BF16_TFLOPS = 989.0
"""Dense bf16 tensor-core peak of an H100 SXM [TFLOP/s] (the H200 has the same)."""

TINY = transformers.TimesformerConfig(
    image_size=64,
    patch_size=16,
    num_frames=8,
    hidden_size=64,
    num_hidden_layers=2,
    num_attention_heads=2,
    intermediate_size=128,
)
BASE = transformers.TimesformerConfig()
"""The K400 architecture: 224 px, 16 px patches, 8 frames, 12 layers, 12 heads, hidden 768 (121M parameters)."""


def flops_per_clip(config: transformers.TimesformerConfig) -> float:
    """Matrix-multiply FLOPs (2 per multiply-add) of one clip through a divided space-time TimeSformer."""
    d, frames, mlp = config.hidden_size, config.num_frames, config.intermediate_size
    patches = (config.image_size // config.patch_size) ** 2
    tokens = frames * patches
    temporal = tokens * (3 * d * d + 2 * d * d) + 2 * patches * frames * frames * d  # qkv, out + dense, q k^T + p v
    spatial = frames * (patches + 1) * 4 * d * d + 2 * frames * (patches + 1) ** 2 * d
    layer = temporal + spatial + (tokens + 1) * 2 * d * mlp
    embedding = tokens * d * 3 * config.patch_size**2
    return 2.0 * (embedding + config.num_hidden_layers * layer)


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
"""``cpu``: the CPU seconds of this process alone (all its threads), for a CPU shared with other work."""


def timed(function: Callable[[], torch.Tensor], device: torch.device, repeats: int, clock: str = "wall"):
    """Median time of ``function`` on ``clock`` over at least ``repeats`` calls and one second, after one
    warm-up call, and the warm-up call's result."""
    result = function()
    times, now = [], CLOCKS[clock]
    while len(times) < repeats or sum(times) < 1.0:
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        start = now()
        function()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        times.append(now() - start)
    return sorted(times)[len(times) // 2], result


def make_encoder(model, attention: Attention, autocast_dtype: torch.dtype | None) -> VideoEncoder:
    precision = str(autocast_dtype or model.dtype).removeprefix("torch.")
    info = EncoderInfo("random", None, "cls", model.config.hidden_size, precision, K400_MEAN, K400_STD)
    return VideoEncoder(model, info, autocast_dtype=autocast_dtype, attention=attention)


def bench_encoder(name, config, device, dtype, autocast_dtype, batches, repeats, clock) -> list[dict]:
    """Eager and fused clips/s of ``VideoEncoder.encode`` on uint8 (batch, 8, 3, S, S) clips, S the model's size."""
    torch.manual_seed(SEED)
    model = transformers.TimesformerModel(config).to(device=device, dtype=dtype)
    encoders = {
        "eager": make_encoder(copy.deepcopy(model), "eager", autocast_dtype),
        "fused": make_encoder(model, "fused", autocast_dtype),
    }
    precision = "bf16 autocast" if autocast_dtype else str(dtype).removeprefix("torch.")
    flops = flops_per_clip(config)
    rows = []
    for batch in batches:
        size = config.image_size
        clips = torch.randint(0, 256, (batch, 8, 3, size, size), dtype=torch.uint8, device=device)
        seconds, embeddings = {}, {}
        for attention, encoder in encoders.items():
            seconds[attention], embeddings[attention] = timed(partial(encoder.encode, clips), device, repeats, clock)
        row = {"model": name, "device": device.type, "precision": precision, "batch": batch}
        row |= {f"{attention}_clips_per_s": batch / s for attention, s in seconds.items()}
        row["speedup"] = seconds["eager"] / seconds["fused"]
        row["fused_tflops"] = flops * batch / seconds["fused"] / 1e12
        row["max_abs_diff"] = float((embeddings["fused"] - embeddings["eager"]).abs().max())
        rows.append(row)
        rates = f"eager {row['eager_clips_per_s']:.2f}, fused {row['fused_clips_per_s']:.2f} clips/s"
        print(f"{name}, {precision}, batch {batch}: {rates}", file=sys.stderr)
    return rows


def bench_base(device: torch.device, repeats: int, clock: str) -> tuple[list[dict], list[dict]]:
    """TimeSformer-base's rows (CUDA: GPU batches in float32, bf16 autocast and bf16 weights; CPU: batch 1 and 2)
    and, on CUDA, SAM 2's."""
    if device.type != "cuda":
        return bench_encoder("TimeSformer base", BASE, device, torch.float32, None, (1, 2), repeats, clock), []
    rows = []
    for dtype, autocast_dtype in ((torch.float32, None), (torch.float32, torch.bfloat16), (torch.bfloat16, None)):
        rows += bench_encoder("TimeSformer base", BASE, device, dtype, autocast_dtype, GPU_BATCHES, repeats, clock)
    return rows, [bench_sam2(device, frames=32, size=512, repeats=max(1, repeats // 2))]


def bench_sam2(device: torch.device, frames: int, size: int, repeats: int) -> dict:
    """frames/s of SAM 2 (random hiera-tiny) propagating one mask through a ``frames``-frame video."""
    model = transformers.Sam2VideoModel(transformers.Sam2VideoConfig()).to(device)
    processor = transformers.Sam2VideoProcessor(
        image_processor=transformers.Sam2ImageProcessor(), video_processor=transformers.Sam2VideoVideoProcessor()
    )
    segmenter = RobotSegmenter(model, processor, name="random hiera-tiny")
    video = torch.randint(0, 256, (frames, size, size, 3), dtype=torch.uint8)
    mask = torch.zeros(size, size, dtype=torch.bool)
    mask[size // 4 : 3 * size // 4, size // 3 : 2 * size // 3] = True
    seconds, _ = timed(partial(segmenter.segment, video, mask), device, repeats)
    return {"model": "SAM 2 hiera-tiny", "device": device.type, "frames": frames, "frames_per_s": frames / seconds}


def markdown(record: dict) -> str:
    lines = [
        f"Command: `{record['command']}` (seed {record['seed']}, {record['date']}, {record['machine']}, "
        f"torch {record['torch']} on {record['threads']} CPU thread(s), transformers {record['transformers']}, "
        f"{record['clock']} clock, "
        f"1-min load average {record['load_average'][0]:.1f} at the start, {record['load_average'][1]:.1f} at the end)",
        "",
        "| model | device | precision | batch | eager clips/s | fused clips/s | fused / eager | fused TFLOP/s "
        "| max abs diff |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in record["encoder"]:
        lines.append(
            f"| {row['model']} | {row['device']} | {row['precision']} | {row['batch']} "
            f"| {row['eager_clips_per_s']:.2f} | {row['fused_clips_per_s']:.2f} | {row['speedup']:.2f} "
            f"| {row['fused_tflops']:.3f} | {row['max_abs_diff']:.1e} |"
        )
    for row in record["sam2"]:
        lines += ["", f"{row['model']} on {row['device']}: {row['frames_per_s']:.1f} frames/s, {row['frames']} frames"]
    base = record["flops_per_clip"]["TimeSformer base"]
    lines += [
        "",
        f"Physical limit: TimeSformer-base is {base / 1e12:.3f} TFLOP per 8 x 224 x 224 clip (matrix multiplies), "
        f"so an H100's {H100_BF16_TFLOPS:.0f} dense bf16 TFLOP/s caps it at "
        f"{H100_BF16_TFLOPS * 1e12 / base:,.0f} clips/s. Tiny: {record['flops_per_clip']['TimeSformer tiny']:.3g} "
        "FLOP per clip. max abs diff: largest difference between the fused and eager CLS embeddings.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cuda:0" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--repeats", type=int, default=3, help="timed calls per row, after one warm-up")
    parser.add_argument("--clock", choices=CLOCKS, default="wall", help="cpu: CPU seconds of this process")
    parser.add_argument("--threads", type=int, help="CPU threads for torch (on a busy machine 1 avoids contention)")
    parser.add_argument("--out", type=Path, help="also write the results as <out>.json and <out>.md")
    parser.add_argument("--models", nargs="+", choices=("tiny", "base"), default=["tiny", "base"], help="sizes")
    args = parser.parse_args()
    device = torch.device(args.device)
    if args.threads:
        torch.set_num_threads(args.threads)

    load_before = os.getloadavg()[0]
    rows, sam2 = [], []
    if "tiny" in args.models:
        rows += bench_encoder(
            "TimeSformer tiny", TINY, device, torch.float32, None, (1, 8, 32), args.repeats, args.clock
        )
    if "base" in args.models:
        base_rows, sam2 = bench_base(device, args.repeats, args.clock)
        rows += base_rows

    record = {
        **provenance("bench_encoder.py", SEED, device, args.clock, load_before),
        "transformers": transformers.__version__,
        "flops_per_clip": {"TimeSformer tiny": flops_per_clip(TINY), "TimeSformer base": flops_per_clip(BASE)},
        "encoder": rows,
        "sam2": sam2,
    }
    publish(record, markdown(record), args.out)


if __name__ == "__main__":
    main()
