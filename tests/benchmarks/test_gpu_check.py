"""The GPU check (``benchmarks/gpu_check.sh``) without a GPU: its stages fit 10 minutes and measure what issue 20
asks, their arguments parse, a failing or late stage is recorded while the others run, and the stages that need no
simulation run end to end in smoke mode (the env and training stages build simulations: about 5 minutes in smoke
mode on 2 cores, too long for CI; run ``bash benchmarks/gpu_check.sh --smoke`` for them)."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def load(path: Path, monkeypatch):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def gpu_check(monkeypatch):
    return load(BENCHMARKS / "gpu_check.py", monkeypatch)


def test_the_gpu_check_fits_ten_minutes_and_measures_every_figure(gpu_check, tmp_path):
    stages = gpu_check.stages(gpu_check.GPU, tmp_path)
    envs = [f"env_{case}_{n}" for case in ("off", "full") for n in (256, 1024, 4096)]
    assert [stage.name for stage in stages] == [*envs, "encoder", "learner", "train"]
    assert sum(stage.limit_s for stage in stages) + gpu_check.GRACE_S <= gpu_check.BUDGET_S == 600
    for stage in stages:
        assert stage.command[stage.command.index("--device") + 1] == "cuda:0"
    full = next(stage for stage in stages if stage.name == "env_full_4096").command
    assert ["--encoder", "base"] == full[full.index("--encoder") :][:2] and "224" in full
    assert ["--models", "base"] == (encoder := stages[-3].command)[encoder.index("--models") :][:2]
    train = stages[-1]
    assert train.ends_by_interrupt and train.limit_s >= 200


@pytest.mark.parametrize("smoke", [False, True])
def test_the_stage_arguments_parse(gpu_check, tmp_path, monkeypatch, smoke):
    """Each stage's command line is one its script accepts (bench_learner is checked by the smoke run below)."""
    bench_reward = load(BENCHMARKS / "bench_reward.py", monkeypatch)
    train = load(BENCHMARKS.parent / "scripts" / "train.py", monkeypatch)
    parsed = []
    monkeypatch.setattr(train, "train", parsed.append)
    for stage in gpu_check.stages(gpu_check.SMOKE if smoke else gpu_check.GPU, tmp_path):
        script, argv = Path(stage.command[1]).name, stage.command[2:]
        if script == "bench_reward.py":
            args = bench_reward.parse_args(argv)
            assert args.num_envs == [int(stage.name.split("_")[-1])] and args.cases == [stage.name.split("_")[1]]
        elif script == "train.py":
            assert train.main(argv) == 0
            assert parsed[-1].num_envs == (gpu_check.SMOKE if smoke else gpu_check.GPU).train_envs
            assert parsed[-1].eval_steps == 0 and parsed[-1].overrides


def test_a_failing_or_late_stage_is_recorded_and_the_rest_run(gpu_check, tmp_path, monkeypatch):
    python = sys.executable
    table = "print('| learner | batch | updates/s |'); print('|---|---:|---:|'); print('| SAC | 64 | 12.5 |')"
    stages = [
        gpu_check.Stage("broken", [python, "-c", "import sys; sys.exit('no GPU')"], 30, gpu_check.read_table),
        gpu_check.Stage("late", [python, "-c", "import time; time.sleep(60)"], 1, gpu_check.read_table),
        gpu_check.Stage("fine", [python, "-c", table], 30, gpu_check.read_table),
    ]
    monkeypatch.setattr(gpu_check, "stages", lambda settings, work: stages)
    out = tmp_path / "check.json"
    assert gpu_check.main(["--smoke", "--out", str(out)]) == 1
    record = json.loads(out.read_text())
    assert {key: record[key] for key in ("device", "device_name", "smoke")} == {
        "device": "cpu",
        "device_name": "cpu",
        "smoke": True,
    }
    assert record["date"] and record["commit"]
    results = record["stages"]
    assert results["broken"]["status"] == "failed" and "no GPU" in results["broken"]["log_tail"]
    assert results["late"]["status"] == "timeout" and results["late"]["seconds"] < 30
    assert results["fine"]["status"] == "ok"
    assert results["fine"]["result"]["rows"] == [{"learner": "SAC", "batch": "64", "updates/s": "12.5"}]


def test_the_smoke_check_runs_the_encoder_and_learner_stages(gpu_check, tmp_path):
    out = tmp_path / "check.json"
    assert gpu_check.main(["--smoke", "--stages", "encoder", "learner", "--out", str(out)]) == 0
    stages = json.loads(out.read_text())["stages"]
    assert set(stages) == {"encoder", "learner"}
    encoder = stages["encoder"]["result"]["encoder"]
    assert {row["batch"] for row in encoder} == {1, 8, 32} and all(row["fused_clips_per_s"] > 0 for row in encoder)
    learners = {row["learner"] for row in stages["learner"]["result"]["rows"]}
    assert {"SAC", "BRO"} <= learners
