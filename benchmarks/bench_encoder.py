"""Throughput of the stage-1 / stage-2 video encoder (clips/s) and of SAM 2 (frames/s), random weights.

    .venv/bin/python benchmarks/bench_encoder.py            # CPU: tiny TimeSformer at batch 1/8/32
    .venv/bin/python benchmarks/bench_encoder.py --threads 1   # CPU shared with other work
    .venv/bin/python benchmarks/bench_encoder.py --device cuda:0

On CUDA it also times TimeSformer-base (the K400 architecture, 224 px, random weights) in float32, with
bf16 autocast and with bf16 weights at batch 1/32/128, and SAM 2 (hiera-tiny architecture, the
``Sam2VideoConfig`` default) propagating a mask through a 32-frame video. Timings are in the same units
as the stage-2 hot path: one ``VideoEncoder.encode`` call on uint8 camera clips, preprocessing included.
Random weights run exactly as fast as trained ones.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import torch
import transformers

from isaaclab_nil.reference.encoder import K400_MEAN, K400_STD, EncoderInfo, VideoEncoder
from isaaclab_nil.reference.segmentation import RobotSegmenter


def seconds_per_call(function: Callable[[], object], device: torch.device, repeats: int) -> float:
    """Median wall time of ``function`` after one warm-up call."""
    function()
    times = []
    for _ in range(repeats):
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        start = time.perf_counter()
        function()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def make_encoder(config: transformers.TimesformerConfig, device, dtype, autocast_dtype) -> VideoEncoder:
    model = transformers.TimesformerModel(config).to(device=device, dtype=dtype)
    precision = str(autocast_dtype or dtype).removeprefix("torch.")
    info = EncoderInfo("random", None, "cls", config.hidden_size, precision, K400_MEAN, K400_STD)
    return VideoEncoder(model, info, autocast_dtype=autocast_dtype)


def bench_encoder(name, config, device, dtype, autocast_dtype, batches, side, repeats) -> list[tuple]:
    """clips/s of ``VideoEncoder.encode`` on uint8 (batch, 8, 3, side, side) clips already on the device."""
    encoder = make_encoder(config, device, dtype, autocast_dtype)
    precision = "bf16 autocast" if autocast_dtype else str(dtype).removeprefix("torch.")
    rows = []
    for batch in batches:
        clips = torch.randint(0, 256, (batch, 8, 3, side, side), dtype=torch.uint8, device=device)
        seconds = seconds_per_call(lambda clips=clips: encoder.encode(clips), device, repeats)
        rows.append((name, device.type, precision, batch, batch / seconds, 1000 * seconds / batch))
    return rows


def bench_sam2(device: torch.device, frames: int, size: int, repeats: int) -> tuple:
    model = transformers.Sam2VideoModel(transformers.Sam2VideoConfig()).to(device)
    processor = transformers.Sam2VideoProcessor(
        image_processor=transformers.Sam2ImageProcessor(), video_processor=transformers.Sam2VideoVideoProcessor()
    )
    segmenter = RobotSegmenter(model, processor, name="random hiera-tiny")
    video = torch.randint(0, 256, (frames, size, size, 3), dtype=torch.uint8)
    mask = torch.zeros(size, size, dtype=torch.bool)
    mask[size // 4 : 3 * size // 4, size // 3 : 2 * size // 3] = True
    seconds = seconds_per_call(lambda: segmenter.segment(video, mask), device, repeats)
    return ("SAM 2 hiera-tiny", device.type, "float32", f"{frames} frames", frames / seconds, 1000 * seconds / frames)


def print_table(rows: list[tuple]) -> None:
    header = ("model", "device", "precision", "batch", "per s", "ms each")
    print(f"{header[0]:<22} {header[1]:<6} {header[2]:<14} {header[3]:>10} {header[4]:>10} {header[5]:>9}")
    for model, device, precision, batch, rate, ms in rows:
        print(f"{model:<22} {device:<6} {precision:<14} {batch!s:>10} {rate:>10.1f} {ms:>9.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cuda:0" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--camera_px", type=int, default=64, help="side of the square uint8 input frames")
    parser.add_argument("--threads", type=int, help="CPU threads for torch (on a busy machine 1 avoids contention)")
    args = parser.parse_args()
    device = torch.device(args.device)
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    repeats = args.repeats

    tiny = transformers.TimesformerConfig(
        image_size=64,
        patch_size=16,
        num_frames=8,
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=128,
    )
    rows = bench_encoder("TimeSformer tiny", tiny, device, torch.float32, None, (1, 8, 32), args.camera_px, repeats)
    if device.type == "cuda":
        base = transformers.TimesformerConfig()  # base size: 224 px, 12 layers, hidden 768 (121M parameters)
        precisions = ((torch.float32, None), (torch.float32, torch.bfloat16), (torch.bfloat16, None))
        for dtype, autocast_dtype in precisions:
            rows += bench_encoder("TimeSformer base", base, device, dtype, autocast_dtype, (1, 32, 128), 224, repeats)
        rows.append(bench_sam2(device, frames=32, size=512, repeats=max(1, repeats // 2)))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads, device {device}")
    print_table(rows)


if __name__ == "__main__":
    main()
