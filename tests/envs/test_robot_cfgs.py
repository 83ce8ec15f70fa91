"""Robot configs from MJCF: the torque preset, the position preset's gains, the asset-root error."""

import pytest

from isaaclab_nil.robots.assets import ASSET_ROOT_ENV_VAR, MissingAssetError


def test_paper_preset_applies_torques_scaled_to_the_effort_limits():
    from isaaclab.envs.mdp import JointEffortActionCfg

    from isaaclab_nil.tasks.h1.env_cfg import H1WalkPaperEnvCfg

    cfg = H1WalkPaperEnvCfg()
    assert isinstance(cfg.actions.joints, JointEffortActionCfg)
    assert cfg.actions.joints.scale["left_knee(_[0-9]+)?"] == 300.0
    actuator = cfg.scene.robot.actuators["joints"]
    assert actuator.stiffness == 0.0 and actuator.damping == 0.0


def test_position_preset_uses_unitree_gains():
    from isaaclab_nil.tasks.h1.env_cfg import H1WalkEnvCfg

    actuator = H1WalkEnvCfg().scene.robot.actuators["joints"]
    assert actuator.stiffness["left_knee(_[0-9]+)?"] == 200.0
    assert actuator.damping["torso(_[0-9]+)?"] == 6.0
    assert actuator.joint_effort_limit["left_hip_pitch(_[0-9]+)?"] == 200.0


def test_missing_asset_root_gives_one_clear_error(monkeypatch, tmp_path):
    from isaaclab_nil.tasks.h1.env_cfg import H1WalkEnvCfg

    monkeypatch.setenv(ASSET_ROOT_ENV_VAR, str(tmp_path / "nowhere"))
    with pytest.raises(MissingAssetError, match=ASSET_ROOT_ENV_VAR) as error:
        H1WalkEnvCfg()
    assert "unitree_h1/h1.xml" in str(error.value)
