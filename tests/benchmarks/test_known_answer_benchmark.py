"""The known-answer benchmark shows learning: a policy trained on the reference's video alone moves much closer
to the known motion than the zero-action and random policies (``benchmarks/bench_known_answer.py``, CPU preset).

The learning test is slow (about an hour on a CPU): CI skips it; run it with ``.venv/bin/python -m pytest -m slow
tests/benchmarks``. The fast one checks that each reward variant trains with the weights its report states.
"""

import argparse
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_known_answer.py"


@pytest.mark.slow
def test_trained_policy_beats_zero_and_random_policies(tmp_path):
    result = subprocess.run([sys.executable, str(BENCHMARK), "--out", str(tmp_path)], capture_output=True, text=True)
    report_file = tmp_path / "report.json"
    assert report_file.is_file(), result.stdout[-3000:] + result.stderr[-3000:]
    check = json.loads(report_file.read_text())["learning_check"]
    assert check["passed"], check["detail"]
    assert result.returncode == 0


def load_benchmark(monkeypatch):
    spec = importlib.util.spec_from_file_location("bench_known_answer", BENCHMARK)
    bench = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, bench)  # dataclasses look their module up there
    spec.loader.exec_module(bench)
    return bench


def test_each_variant_trains_with_the_weights_it_reports(tmp_path, monkeypatch):
    from isaaclab_nil.envs.nil_env_cfg import RewardsCfg
    from isaaclab_nil.envs.reward_presets import REGULARIZATION_TERMS

    bench = load_benchmark(monkeypatch)
    commands = []
    monkeypatch.setattr(bench, "run_logged", lambda command, log: commands.append(command) or 0.0)
    args = argparse.Namespace(agent="sac", num_envs=None, device="cpu", seed=0, max_steps=None, overrides=[])
    preset = bench.PRESETS["cpu-gantry"]
    for variant, weights in {
        "full": "a=1, b=1, g=0.1",
        "no_reg": "a=1, b=1, g=0",
        "reg_only": "a=0, b=0, g=0.1",
    }.items():
        (tmp_path / "runs" / variant / preset.task / "run").mkdir(parents=True)
        bench.train(args, preset, tmp_path / "reference", variant, tmp_path)
        trained = {
            arg.split(".")[2]: float(arg.split("=")[1])
            for arg in commands[-1]
            if arg.startswith("env.rewards.") and ".weight=" in arg
        }
        assert "env.rewards.video_similarity.similarity=neg_l2" in commands[-1]  # as its committed results
        assert bench.reward_label(preset, variant) == f"{variant} ({weights})"
        alpha, beta, gamma = (float(part.split("=")[1]) for part in weights.split(", "))
        assert trained["video_similarity"] == alpha and trained["mask_iou"] == beta
        for term in REGULARIZATION_TERMS:  # each P term at gamma times the task's weight
            assert trained[term] == pytest.approx(gamma * getattr(RewardsCfg(), term).weight, rel=1e-12)


def test_the_cpu_presets_drive_the_joints_their_motion_moves(monkeypatch):
    """Each robot's preset is the one CPU recipe, its driven joints read from the robot's legs; the H1's
    ``cpu-gantry`` drives the six leg-pitch joints it always has, at the target entropy it always had."""
    bench = load_benchmark(monkeypatch)

    def settings(name):
        preset = bench.resolve(bench.PRESETS[name])
        overrides = dict(item.split("=", 1) for item in (*preset.env_overrides, *preset.train_overrides))
        return json.loads(overrides.pop("env.actions.joints.joint_names")), overrides

    h1_joints, h1 = settings("cpu-gantry")
    assert sorted(h1_joints) == sorted(
        f"{side}_{joint}" for side in ("left", "right") for joint in ("hip_pitch", "knee", "ankle")
    )
    assert h1 == {
        "env.scene.robot.spawn.fix_base": "true",
        "env.scene.follow_camera.width": "96",
        "env.scene.follow_camera.height": "96",
        "env.scene.follow_camera.spawn.focal_length": "30.0",
        "env.actions.joints.scale": "1.0",
        "env.rewards.video_similarity.similarity": "neg_l2",  # what its committed results were made with
        "agent.algorithm.replay_ratio": "16",
        "agent.algorithm.gamma": "0.9",
        "agent.algorithm.init_temperature": "0.01",
        "agent.algorithm.target_entropy": "3",
        "agent.reward_scale": "50",
    }
    go2_joints, go2 = settings("go2-gantry")
    assert sorted(go2_joints) == sorted(
        f"{leg}_{joint}_joint" for leg in ("FL", "FR", "RL", "RR") for joint in ("thigh", "calf")
    )
    assert go2["agent.algorithm.target_entropy"] == "4" and "env.scene.follow_camera.spawn.focal_length" not in go2
    # the quadrupeds' last 2000 of 6000 env steps at SAC's default target entropy, -1 per joint
    assert go2["agent.algorithm.late_target_entropy"] == "-8"
    assert go2["agent.algorithm.late_target_entropy_from"] == "4000"
    assert bench.PRESETS["go2-gantry"].max_steps == 6000 and "agent.algorithm.late_target_entropy" not in h1
    assert settings("a1-gantry") == (go2_joints, go2)  # the Go2's recipe on the A1 (the same joint names)
    trot_joints, trot = settings("go2-trot")
    assert trot_joints == go2_joints and "env.scene.robot.spawn.fix_base" not in trot
    assert "env.rewards.video_similarity.similarity" not in trot  # free, it can fall: the bounded default


def test_the_report_names_the_joints_missed_most_with_their_mean_error(monkeypatch):
    """A joint held off to one side (mean error close to its RMSE) reads apart from one that misses the timing."""
    bench = load_benchmark(monkeypatch)
    joints = {"a": (0.30, 0.28), "b": (0.10, -0.01), "c": (0.20, -0.05), "d": (0.05, 0.0), "e": (0.25, 0.0)}
    motion = {key: {"mean": 0.2} for key in ("joint_rmse", "dtw", "base_vel_error", "up_fraction")}
    motion["joint_rmse_per_joint"] = {name: {"mean": rmse} for name, (rmse, _) in joints.items()}
    motion["joint_mean_error_per_joint"] = {name: {"mean": error} for name, (_, error) in joints.items()}
    eval_report = {
        "motion": motion,
        "reference": {"mask_iou": {"mean": 0.8}, "video_similarity": None},
        "environment_reward": {"mean": 200.0},
    }
    scores = bench.scores(eval_report)
    assert list(scores["worst_joints"]) == ["a", "e", "c", "b"]  # the four worst, worst first
    assert scores["worst_joints_mean_error"] == {"a": 0.28, "e": 0.0, "c": -0.05, "b": -0.01}
    report = json.loads((BENCHMARK.parents[1] / "benchmarks/results/known_answer_cpu-gantry_seed0.json").read_text())
    report["policies"]["full"]["scores"] = scores
    line = "misses most (RMSE [rad] (mean error, rollout minus truth)): a 0.300 (+0.280), e 0.250 (+0.000), c 0.200"
    assert line in bench.markdown(report)
