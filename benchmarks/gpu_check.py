"""The GPU check: every figure a GPU should give, in one run of under 10 minutes, into one JSON.

    bash benchmarks/gpu_check.sh              # on a GPU: cuda:0, writes benchmarks/results/gpu_check_<gpu>.json
    bash benchmarks/gpu_check.sh --smoke --out /tmp/gpu_check_smoke.json  # every stage on the CPU, tiny settings
    bash benchmarks/gpu_check.sh --stages encoder learner                 # some stages only

Stages, each the project's own benchmark script in its own process under its own time limit (at the limit it gets
SIGINT, then SIGKILL after a grace period), a failing or late stage recorded in the JSON and the next one run:

* ``env_<reward>_<N>``: NIL-H1-Walk env-steps/s at 256, 1024 and 4096 envs with the reward off and with the full
  reward (``benchmarks/bench_reward.py``; random TimeSformer-base saved and loaded with ``from_pretrained``, 224 px
  camera and clips);
* ``encoder``: TimeSformer-base clips/s, eager against fused, fp32 and bf16, and SAM 2 (``bench_encoder.py``);
* ``learner``: SAC and BRO updates/s, small recipe against the large one at 4096 envs (``bench_learner.py``'s table);
* ``train``: ``scripts/train.py`` at 1024 envs on the built-in reference, stopped by SIGINT after its time (it
  saves and exports as on Ctrl+C), and its curve read from its tensorboard log (episode return against time).

``--smoke`` runs the same stages on the CPU with a few envs, a tiny encoder and seconds per stage, to check the
script end to end where there is no GPU.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"
GRACE_S = 20.0
"""Seconds a stage has to finish after its SIGINT (train saves and exports then) before it is killed."""
BUDGET_S = 600.0
"""The whole check on a GPU must fit in 10 minutes: the stages' limits and graces add up to at most this."""


@dataclass(frozen=True)
class Settings:
    """What the stages run: the GPU check's sizes, or the smoke test's."""

    device: str
    env_counts: tuple[int, ...]
    env_steps: dict[str, dict[int, int]]
    """Reward case -> envs -> control steps measured (after bench_reward's 10 warm-up steps)."""
    env_limit_s: dict[str, dict[int, float]]
    env_args: tuple[str, ...]
    encoder_args: tuple[str, ...]
    encoder_limit_s: float
    learner_args: tuple[str, ...]
    learner_limit_s: float
    train_envs: int
    train_s: float
    """Seconds of training before the SIGINT (the curve's length, start-up included)."""
    train_args: tuple[str, ...] = ()


GPU = Settings(
    device="cuda:0",
    env_counts=(256, 1024, 4096),
    env_steps={"off": {256: 100, 1024: 100, 4096: 100}, "full": {256: 40, 1024: 30, 4096: 20}},
    env_limit_s={"off": {256: 45, 1024: 20, 4096: 30}, "full": {256: 30, 1024: 40, 4096: 60}},  # the first compiles
    env_args=("--camera_sizes", "224", "--encoder", "base"),
    encoder_args=("--models", "base", "--repeats", "1"),
    encoder_limit_s=80,
    learner_args=("--num_envs", "4096", "--seconds", "1"),  # the large recipe's batch for 4096 envs
    learner_limit_s=40,  # its compiled rows compile first
    train_envs=1024,
    train_s=200,
    train_args=("agent.learning_starts=50",),
)
SMOKE = Settings(
    device="cpu",
    env_counts=(2,),
    env_steps={"off": {2: 5}, "full": {2: 5}},
    env_limit_s={"off": {2: 240}, "full": {2: 240}},
    env_args=("--camera_sizes", "32", "--encoder_size", "32"),
    encoder_args=("--models", "tiny", "--repeats", "1"),
    encoder_limit_s=120,
    # One torch thread (two, on a 2-core machine busy with other work, ran 25 times slower) and "--compile" with no
    # learner: no compiled row on the CPU, where Inductor takes a minute or two (the GPU check compiles, as CUDA does)
    learner_args=("--num_envs", "16", "--seconds", "0.5", "--threads", "1", "--compile"),
    learner_limit_s=120,
    train_envs=2,
    train_s=150,
    train_args=(
        "env.scene.follow_camera.width=32",
        "env.scene.follow_camera.height=32",
        "agent.learning_starts=5",
        "agent.log_interval=5",
    ),
)


@dataclass(frozen=True)
class Stage:
    name: str
    command: list[str]
    limit_s: float
    read: Callable[[Path, str], dict]
    """(the stage's output prefix, its log) -> its result; raises if the stage gave none."""
    ends_by_interrupt: bool = False
    """The stage runs until its limit (training): the SIGINT is its normal end."""


def read_json(prefix: Path, log: str) -> dict:
    return json.loads(prefix.with_suffix(".json").read_text())


def read_table(prefix: Path, log: str) -> dict:
    """The rows of the last markdown table in ``log``, as dicts by its header."""
    rows = [line for line in log.splitlines() if line.startswith("|")]
    tables, current = [], []
    for line in rows:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if all(re.fullmatch(r":?-+:?", cell) for cell in cells):
            continue
        if current and len(cells) != len(current[0]):
            tables.append(current)
            current = []
        current.append(cells)
    tables.append(current)
    if not tables[-1]:
        raise ValueError("no table in the stage's output")
    header, *body = tables[-1]
    return {"rows": [dict(zip(header, cells)) for cells in body]}


def read_curve(prefix: Path, log: str) -> dict:
    """Training's scalars from its tensorboard log: each tag's (seconds since the first, env step, value)."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = sorted(prefix.glob("**/events.out.tfevents.*"))
    if not events:
        raise FileNotFoundError(f"no tensorboard log under {prefix}")
    accumulator = EventAccumulator(str(events[-1].parent), size_guidance={"scalars": 0})
    accumulator.Reload()
    tags = accumulator.Tags()["scalars"]
    scalars = {tag: accumulator.Scalars(tag) for tag in tags}
    start = min(event.wall_time for values in scalars.values() for event in values)
    curve = {
        tag: [[round(e.wall_time - start, 2), e.step, e.value] for e in values]
        for tag, values in scalars.items()
        if tag.startswith(("episode/", "perf/", "train/num_updates", "Episode_Reward/"))
    }
    return {"run_dir": str(events[-1].parent), "columns": ["seconds", "env_step", "value"], "curve": curve}


def stages(settings: Settings, work: Path) -> list[Stage]:
    """The check's stages in the order they run; outputs go under ``work``."""
    python, device = sys.executable, ("--device", settings.device)
    result = []
    for case in ("off", "full"):
        for n in settings.env_counts:
            name = f"env_{case}_{n}"
            command = [python, str(BENCHMARKS / "bench_reward.py"), *device, "--num_envs", str(n)]
            command += ["--cases", case, "--steps", str(settings.env_steps[case][n]), *settings.env_args]
            command += ["--out", str(work / name)]
            result.append(Stage(name, command, settings.env_limit_s[case][n], read_json))
    command = [python, str(BENCHMARKS / "bench_encoder.py"), *device, *settings.encoder_args, "--out"]
    result.append(Stage("encoder", [*command, str(work / "encoder")], settings.encoder_limit_s, read_json))
    command = [python, str(BENCHMARKS / "bench_learner.py"), *device, *settings.learner_args]
    result.append(Stage("learner", command, settings.learner_limit_s, read_table))
    command = [python, str(ROOT / "scripts" / "train.py"), "--task", "NIL-H1-Walk", *device]
    command += ["--num_envs", str(settings.train_envs), "--max_steps", "100000000", "--eval_steps", "0"]
    command += ["--log_root", str(work / "train"), *settings.train_args]
    result.append(Stage("train", command, settings.train_s, read_curve, ends_by_interrupt=True))
    return result


def stop(process: subprocess.Popen) -> int:
    """SIGINT the stage's process group, then SIGKILL it after ``GRACE_S``; its exit code."""
    os.killpg(process.pid, signal.SIGINT)
    try:
        return process.wait(GRACE_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        return process.wait()


def run_stage(stage: Stage, work: Path) -> dict:
    """Run one stage under its limit; its record: status (ok, failed, timeout), seconds, exit code, its result, and
    on failure the error and the end of its log."""
    log_file = work / f"{stage.name}.log"
    paths = [str(ROOT / "source"), *filter(None, [os.environ.get("PYTHONPATH")])]  # this checkout's package
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    start = time.monotonic()
    with open(log_file, "w") as log:
        process = subprocess.Popen(
            stage.command, stdout=log, stderr=subprocess.STDOUT, env=environment, start_new_session=True
        )
        try:
            returncode, timed_out = process.wait(stage.limit_s), False
        except subprocess.TimeoutExpired:
            returncode, timed_out = stop(process), True
    record = {"status": "ok", "seconds": round(time.monotonic() - start, 1), "returncode": returncode}
    record["command"] = " ".join(stage.command)
    text = log_file.read_text(errors="replace")
    try:
        record["result"] = stage.read(work / stage.name, text)
    except Exception as error:  # any stage's failure is recorded, and the check goes on
        record["status"], record["error"] = "failed", f"{type(error).__name__}: {error}"
    if timed_out and not stage.ends_by_interrupt:
        record["status"] = "timeout"
    elif returncode and not stage.ends_by_interrupt:
        record["status"] = "failed"
    if record["status"] != "ok":
        record["log_tail"] = text[-3000:]
    return record


def commit() -> str:
    """This checkout's commit (with ``-dirty`` for uncommitted changes), or ``unknown`` outside git."""
    try:
        described = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty", "--abbrev=12"], capture_output=True, text=True
        )
    except OSError:
        return "unknown"
    return described.stdout.strip() or "unknown"


def device_name(device: str) -> str:
    import torch

    if device.startswith("cuda"):
        return torch.cuda.get_device_name(torch.device(device)) if torch.cuda.is_available() else "no CUDA device"
    return "cpu"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="every stage on the CPU at tiny settings")
    parser.add_argument("--stages", nargs="+", help="run only these stages (names as in the JSON)")
    parser.add_argument("--out", type=Path, help="the JSON (default: benchmarks/results/gpu_check_<device>.json)")
    parser.add_argument("--list", action="store_true", help="print the stages, their limits and commands, and exit")
    args = parser.parse_args(argv)
    settings = SMOKE if args.smoke or os.environ.get("GPU_CHECK_SMOKE") == "1" else GPU

    with tempfile.TemporaryDirectory(prefix="gpu_check_") as folder:
        work = Path(folder)
        selected = stages(settings, work)
        unknown = set(args.stages or ()) - {stage.name for stage in selected}
        if unknown:
            parser.error(f"unknown stages {sorted(unknown)}; the stages: {[stage.name for stage in selected]}")
        selected = [stage for stage in selected if not args.stages or stage.name in args.stages]
        if args.list:
            for stage in selected:
                print(f"{stage.name} ({stage.limit_s:.0f} s): {' '.join(stage.command)}")
            return 0
        name = device_name(settings.device)
        record = {
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "device": settings.device,
            "device_name": name,
            "commit": commit(),
            "smoke": settings is SMOKE,
            "stages": {},
        }
        out = args.out or BENCHMARKS / "results" / f"gpu_check_{re.sub(r'[^a-z0-9]+', '_', name.lower())}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        for stage in selected:
            print(f"[gpu_check] {stage.name} (at most {stage.limit_s:.0f} s) ...", flush=True)
            record["stages"][stage.name] = stage_record = run_stage(stage, work)
            print(f"[gpu_check] {stage.name}: {stage_record['status']} in {stage_record['seconds']} s", flush=True)
            out.write_text(json.dumps(record, indent=2) + "\n")  # after each stage: a kill keeps what was done
    failed = [name for name, stage in record["stages"].items() if stage["status"] != "ok"]
    print(f"[gpu_check] wrote {out}" + (f"; not ok: {', '.join(failed)}" if failed else "; every stage ok"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
