"""The hardware preset (``presets=hardware``): each domain-randomization term changes what it should and nothing
else, for a quadruped and a humanoid. Each task is built once, in its own process (``hardware_check.py``: 2 envs,
no camera, 40 control steps); the tests assert on its report. The ranges are the config's."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from isaaclab_nil.overrides import OverrideError

CHECK = Path(__file__).parent / "hardware_check.py"


@pytest.fixture(scope="module", params=["NIL-Go2-Walk", "NIL-H1-Walk"])
def report(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(request.param) / "report.json"
    cmd = [sys.executable, str(CHECK), request.param, str(out)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0 and out.is_file(), result.stdout[-2000:] + result.stderr[-4000:]
    return json.loads(out.read_text())


def test_default_and_paper_tasks_have_no_randomization():
    from isaaclab_nil.envs.factory import resolve_cfgs

    cfg, _ = resolve_cfgs("NIL-H1-Walk")
    assert set(cfg.events.to_dict()) == {"reset_base", "reset_joints", "hold_default_pose", "clear_diverged_solver"}
    assert not cfg.observations.policy.enable_corruption
    assert type(cfg.actions.joints).__name__ == "JointPositionActionCfg"
    assert cfg.scene.ground.spawn.physics_material.static_friction == 1.0
    with pytest.raises(OverrideError, match="no preset 'hardware'"):
        resolve_cfgs("NIL-H1-Walk-Paper", ["presets=hardware"])


def test_every_joint_position_task_has_the_hardware_preset():
    from isaaclab_nil.envs.factory import resolve_cfgs
    from isaaclab_nil.tasks import TASKS

    for task in (task for task in TASKS if not task.endswith("-Paper")):
        cfg, _ = resolve_cfgs(task, ["presets=hardware"])
        assert cfg.observations.policy.enable_corruption, task
        assert cfg.events.push_robot.interval_range_s == (4.0, 6.0)
        assert not cfg.events.push_robot.resample_interval_on_reset  # runs across the short NIL episodes
        assert type(cfg.actions.joints).__name__ == "DelayedJointPositionActionCfg", task


def test_friction_changes_the_contacts_and_not_the_masses(report):
    assert report["ground_friction"] == pytest.approx([0.3])  # MuJoCo takes the larger: the robot's decides
    friction = torch.tensor(report["robot_friction"])
    assert ((friction >= 0.3) & (friction <= 1.0)).all() and friction.std() > 0.1
    assert not torch.equal(friction[0], friction[1])  # drawn per env
    mass_change = torch.tensor(report["mass_change"])
    others = [i for i in range(mass_change.shape[1]) if i not in report["base_index"]]
    assert mass_change[:, others].abs().max() < 1e-5


def test_the_solver_uses_the_randomized_values(report):
    """The friction, gains and effort limits MuJoCo-Warp computes with are the randomized ones (per world), and
    each contact's friction is the robot's: MuJoCo takes the larger of the two geoms' frictions."""
    solver = report["solver"]
    for env in (0, 1):
        assert solver["ground_friction"][env] == pytest.approx([0.3] * len(solver["ground_friction"][env]))
        sampled = torch.tensor(report["robot_friction"][env])  # Newton's shapes; MuJoCo has a geom for each collider
        assert all((sampled - value).abs().min() < 1e-6 for value in solver["robot_friction"][env])
        assert min(solver["robot_friction"][env]) >= max(solver["ground_friction"][env]) - 1e-6
        for key in ("stiffness", "damping", "effort_limits"):
            assert solver[key][env] == pytest.approx(sorted(report[key][env]), rel=1e-5), key


def test_base_mass_changes_the_base_only(report):
    base = torch.tensor(report["mass_change"])[:, report["base_index"]]
    assert ((base >= -1.0) & (base <= 3.0)).all() and base[0] != base[1]


def test_gains_and_motor_strength_within_ten_percent(report):
    for key in ("stiffness_ratio", "damping_ratio", "effort_ratio"):
        ratio = torch.tensor(report[key])
        assert ((ratio >= 0.9 - 1e-6) & (ratio <= 1.1 + 1e-6)).all(), key
        assert (ratio - 1).abs().max() > 0.05 and not torch.equal(ratio[0], ratio[1]), key


def test_pushes_change_the_horizontal_base_velocity_at_the_interval_only(report):
    pushes = report["pushes"]
    for env in (0, 1):
        steps = [push["step"] for push in pushes if env in push["env_ids"]]
        assert len(steps) >= 4
        # every 0.10-0.16 s (the check's interval): 5 to 8 control steps apart
        assert all(5 <= b - a <= 8 for a, b in zip(steps, steps[1:])), steps
    for push in pushes:
        change = torch.tensor(push["change"])
        others = [i for i in range(len(change)) if i not in push["env_ids"]]
        assert change[others].abs().sum() == 0  # an env whose timer has not run out is not pushed
        pushed = change[push["env_ids"]]
        assert pushed[:, :2].abs().max() <= 0.5 and pushed[:, :2].abs().max() > 0  # x and y, up to 0.5 m/s
        assert pushed[:, 2:].abs().max() == 0  # no vertical or angular velocity


def test_noise_on_the_policy_sensors_only_within_range(report):
    noise = report["noise"]
    assert report["obs_groups"] == ["policy"]  # no critic group: the learners' critics read this one too
    for term, bound in (("base_ang_vel", 0.2), ("projected_gravity", 0.05), ("joint_pos", 0.01), ("joint_vel", 1.5)):
        assert 0.3 * bound < noise[term]["max"] <= bound + 1e-6 and noise[term]["resampled"], term
    for term in ("actions", "reference_phase"):
        assert noise[term] == {"max": 0.0, "resampled": False}, term
    assert report["state_unchanged_by_noise"]  # rewards read the robot's state, which noise leaves alone


def test_latency_delays_the_applied_targets_by_zero_or_one_step(report):
    assert report["action_term"] == "DelayedJointPositionAction"
    assert set(report["reset_delays"]) == {0, 1}  # drawn per env at each reset
    processed, targets, resets = (torch.tensor(report[k]) for k in ("processed", "targets", "resets"))
    assert not resets.any(), "an env reset during the check"
    assert torch.allclose(targets[:, 0], processed[:, 0])  # env 0: delay 0
    assert torch.allclose(targets[1:, 1], processed[:-1, 1])  # env 1: delay 1
    assert torch.allclose(targets[0, 1], torch.tensor(report["idle_target"][1]))  # the default pose before that
    assert not torch.allclose(processed[1:, 1], processed[:-1, 1])  # the actions do change


def test_the_deploy_config_gives_the_nominal_drives(report):
    """A real robot runs its nominal gains and limits, not those of the env the config was exported from."""
    for key, nominal in report["nominal_drives"].items():
        assert report["deploy_drives"][key] == pytest.approx(nominal, rel=1e-5), key
