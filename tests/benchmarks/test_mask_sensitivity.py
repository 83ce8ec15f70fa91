"""The mask-sensitivity benchmark's bookkeeping: which env offsets which joint, and which loss is whose."""

import importlib
from pathlib import Path

import torch

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def test_each_joint_is_offset_both_ways_in_its_own_pair_of_envs_and_scored_from_them(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    bench = importlib.import_module("bench_mask_sensitivity")
    action_joints = ["a", "b", "c"]  # the action term's order; the policy drives c and a
    offsets = bench.offset_actions(["c", "a"], action_joints, delta=0.3, scale=0.5)
    assert torch.equal(
        offsets,
        torch.tensor([[0, 0, 0], [0, 0, 0.6], [0, 0, -0.6], [0.6, 0, 0], [-0.6, 0, 0]], dtype=torch.float32),
    )
    outside = torch.zeros(5, 1)  # a step outside the reference scores 0 in every env and is left out
    iou = torch.cat((outside, torch.tensor([[0.9, 0.8], [0.7, 0.6], [0.9, 0.9], [0.8, 0.8], [0.5, 0.5]])), dim=1)
    replay_iou, losses = bench.iou_losses(iou, ["c", "a"])
    assert abs(replay_iou - 0.85) < 1e-6 and list(losses) == ["c", "a"]
    assert torch.allclose(torch.tensor([losses["c"], losses["a"]]), torch.tensor([[0.2, -0.05], [0.05, 0.35]]))


def test_the_report_names_the_camera_it_filmed_through_and_every_joint(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    bench = importlib.import_module("bench_mask_sensitivity")
    record = {
        "task": "NIL-Go2-Walk",
        "motion": "tuck",
        "preset": "go2-gantry",
        "command": "bench_mask_sensitivity.py",
        "date": "today",
        "commit": "abc",
        "machine": "cpu",
        "camera": {
            "pos": [0.0, -1.3, 0.2],
            "rot_xyzw": [0.0, 0.0, 0.7071, 0.7071],
            "height": 96,
            "width": 96,
            "fx": 110.0,
            "fy": 110.0,
            "cx": 48.0,
            "cy": 48.0,
        },
        "delta_rad": 0.3,
        "steps": 200,
        "replay_iou": 0.9,
        "iou_loss": {"FL_calf_joint": [0.03, 0.04], "FR_calf_joint": [0.07, 0.06]},
    }
    text = bench.markdown(record)
    assert "offset (0, -1.3, 0.2) m, rotation (0, 0, 0.707, 0.707)" in text and "96x96 px" in text
    assert "| FL_calf_joint | 0.030 | 0.040 |" in text and "| FR_calf_joint | 0.070 | 0.060 |" in text
