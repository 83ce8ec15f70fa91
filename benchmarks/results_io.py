"""What the benchmarks share about their results: the machine they ran on, and writing a record as JSON + markdown."""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

import torch


def machine(device: torch.device) -> str:
    """The platform, CPU model and, on CUDA, the GPU."""
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if "model name" in line), "?")
    gpu = f", {torch.cuda.get_device_name(device)}" if device.type == "cuda" else ""
    return f"{platform.platform()}, {cpu}{gpu}"


def provenance(script: str, seed: int, device: torch.device, clock: str, load_before: float) -> dict:
    """What a CPU/GPU timing record states about its run: the command (with ``OMP_NUM_THREADS``), seed, date,
    machine, threads, clock, load average before and now, and torch's version."""
    omp = [f"OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}"] if "OMP_NUM_THREADS" in os.environ else []
    return {
        "command": " ".join([*omp, ".venv/bin/python", f"benchmarks/{script}", *sys.argv[1:]]),
        "seed": seed,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine(device),
        "threads": torch.get_num_threads(),
        "clock": clock,
        "load_average": [load_before, os.getloadavg()[0]],
        "torch": torch.__version__,
    }


def publish(record: dict, text: str, out: Path | None) -> None:
    """Print the markdown ``text``; with ``out``, also write ``out``.json (the record) and ``out``.md (the text)."""
    print(text)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.with_suffix(".json").write_text(json.dumps(record, indent=2) + "\n")
        out.with_suffix(".md").write_text(text)
