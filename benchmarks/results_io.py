"""What the benchmarks share about their results: the machine they ran on, and writing a record as JSON + markdown."""

from __future__ import annotations

import json
import platform
from pathlib import Path

import torch


def machine(device: torch.device) -> str:
    """The platform, CPU model and, on CUDA, the GPU."""
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if "model name" in line), "?")
    gpu = f", {torch.cuda.get_device_name(device)}" if device.type == "cuda" else ""
    return f"{platform.platform()}, {cpu}{gpu}"


def publish(record: dict, text: str, out: Path | None) -> None:
    """Print the markdown ``text``; with ``out``, also write ``out``.json (the record) and ``out``.md (the text)."""
    print(text)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.with_suffix(".json").write_text(json.dumps(record, indent=2) + "\n")
        out.with_suffix(".md").write_text(text)
