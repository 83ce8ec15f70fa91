"""The robot models and what the compiled model says about their actuators; the robot specs' hardware motor order."""

import os
from pathlib import Path

import pytest

from isaaclab_nil.robots.assets import (
    ASSET_ROOT_ENV_VAR,
    DEFAULT_ASSET_ROOT,
    MissingAssetError,
    MjcfModelError,
    mjcf_effort_limits,
    mjcf_path,
    root_at_origin,
)

REPO = Path(__file__).resolve().parents[2]


def write_mjcf(tmp_path, body: str, name: str = "robot.xml") -> Path:
    path = tmp_path / name
    path.write_text(f'<mujoco model="t"><compiler autolimits="true"/>{body}</mujoco>')
    return path


LINKS = """
<worldbody><body name="base"><freejoint/><geom size="0.1"/>
  <body name="a"><joint name="j1" class="{c1}"/><geom size="0.05"/>
    <body name="b"><joint name="j2"/><geom size="0.05"/>
      <body name="c"><joint name="j3"/><geom size="0.05"/>
        <body name="d"><joint name="j4"/><geom size="0.05"/></body></body></body></body></body></worldbody>
"""


def test_default_asset_root_is_the_projects_assets_folder():
    assert DEFAULT_ASSET_ROOT == REPO / "assets" / "mjcf"
    if ASSET_ROOT_ENV_VAR not in os.environ:
        assert mjcf_path("unitree_go2/go2.xml") == DEFAULT_ASSET_ROOT / "unitree_go2" / "go2.xml"


def test_every_task_model_ships_with_its_licence_and_compiles():
    import mujoco

    from isaaclab_nil.envs.factory import registered_cfg
    from isaaclab_nil.tasks import TASKS

    models = {Path(registered_cfg(task).scene.robot.spawn.asset_path) for task in TASKS}
    assert len(models) >= 6
    for model in models:
        assert model.is_relative_to(DEFAULT_ASSET_ROOT) or ASSET_ROOT_ENV_VAR in os.environ, model
        assert (model.parent / "LICENSE").is_file(), model
        assert mujoco.MjModel.from_xml_path(str(model)).nu > 0
        assert mujoco.MjModel.from_xml_path(str(model.parent / "scene.xml")).nu > 0


def test_a_fixed_base_spawns_from_the_model_with_its_root_at_the_origin(tmp_path):
    """Isaac Lab's importer welds a fixed base at the spawn pose plus the root body's MJCF pos; the derived model
    (meshes found from the temporary folder) moves only the root."""
    import mujoco

    source = mjcf_path("unitree_go2/go2.xml")
    derived = root_at_origin(source)
    original, moved = (mujoco.MjModel.from_xml_path(str(path)) for path in (source, derived))
    assert original.body_pos[1].tolist() == [0.0, 0.0, 0.445] and moved.body_pos[1].tolist() == [0.0, 0.0, 0.0]
    assert (moved.nbody, moved.nmeshvert) == (original.nbody, original.nmeshvert)
    assert (moved.body_pos[2:] == original.body_pos[2:]).all()
    assert mjcf_effort_limits(derived) == mjcf_effort_limits(source)
    motor = '<actuator><motor joint="j1" ctrlrange="-1 1"/></actuator>'
    at_origin = write_mjcf(tmp_path, LINKS.format(c1="main") + motor)
    assert root_at_origin(at_origin) == at_origin


def test_motor_limits_come_from_the_compiled_model():
    h1 = mjcf_effort_limits(mjcf_path("unitree_h1/h1.xml"))  # <motor ctrlrange>
    assert len(h1) == 19 and list(h1)[:2] == ["left_hip_yaw", "left_hip_roll"]  # the model's actuator order
    assert h1["left_knee"] == 300.0 and h1["torso"] == 200.0 and h1["right_elbow"] == 18.0
    go2 = mjcf_effort_limits(mjcf_path("unitree_go2/go2.xml"))  # <motor> ctrlrange from class defaults
    assert list(go2)[:3] == ["FR_hip_joint", "FR_thigh_joint", "FR_calf_joint"]
    assert go2["RL_hip_joint"] == pytest.approx(23.7) and go2["FL_calf_joint"] == pytest.approx(45.43)
    talos = mjcf_effort_limits(mjcf_path("pal_talos/talos.xml"))  # the motors inlined, the grippers rigid
    assert len(talos) == 30 and not any(joint.startswith("gripper") for joint in talos)
    assert talos["leg_left_4_joint"] == 400.0 and talos["head_2_joint"] == 4.0


def test_position_actuator_limits_come_from_their_forcerange():
    a1 = mjcf_effort_limits(mjcf_path("unitree_a1/a1.xml"))  # <position forcerange> from a class default
    assert len(a1) == 12 and set(a1.values()) == {33.5}


def test_position_actuators_take_the_joints_actuatorfrcrange():
    g1 = mjcf_effort_limits(mjcf_path("unitree_g1/g1.xml"))
    assert len(g1) == 29
    assert g1["left_knee_joint"] == 139.0 and g1["left_ankle_pitch_joint"] == 50.0 and g1["left_wrist_yaw_joint"] == 5.0
    t1 = mjcf_effort_limits(mjcf_path("booster_t1/t1.xml"))
    assert len(t1) == 23 and t1["Left_Knee_Pitch"] == 60.0 and t1["Right_Ankle_Roll"] == 15.0


def test_class_defaults_general_actuators_and_gears_are_resolved(tmp_path):
    path = write_mjcf(
        tmp_path,
        '<default><default class="strong"><joint actuatorfrcrange="-80 80"/></default>'
        '<motor ctrlrange="-10 10"/></default>' + LINKS.format(c1="strong") + "<actuator>"
        '<position joint="j1" kp="50"/>'  # limit from the joint's class default
        '<position joint="j2" kp="50" forcerange="-30 40"/>'  # the smaller magnitude of an asymmetric range
        '<general joint="j3" gainprm="20" biasprm="0 -20" forcerange="-12 12"/>'
        '<motor joint="j4" gear="3"/>'  # ctrlrange from the default, times the gear
        "</actuator>",
    )
    assert mjcf_effort_limits(path) == {"j1": 80.0, "j2": 30.0, "j3": 12.0, "j4": 30.0}


def test_a_model_with_no_actuated_joint_is_one_clear_error(tmp_path):
    path = write_mjcf(tmp_path, LINKS.format(c1="main"), "no_actuators.xml")
    with pytest.raises(MjcfModelError, match="no actuated joint") as error:
        mjcf_effort_limits(path)
    assert "no_actuators.xml" in str(error.value)


def test_a_joint_with_no_effort_limit_is_one_clear_error(tmp_path):
    path = write_mjcf(tmp_path, LINKS.format(c1="main") + '<actuator><position joint="j2" kp="5"/></actuator>')
    with pytest.raises(MjcfModelError, match="no effort limit for joint.*j2") as error:
        mjcf_effort_limits(path)
    assert "robot.xml" in str(error.value)


def test_a_model_that_does_not_compile_is_one_clear_error(tmp_path):
    path = write_mjcf(tmp_path, '<worldbody><geom type="mesh" mesh="missing"/></worldbody>', "broken.xml")
    with pytest.raises(MjcfModelError, match="broken.xml.*does not compile"):
        mjcf_effort_limits(path)


def test_a_missing_model_is_one_clear_error(monkeypatch):
    monkeypatch.delenv(ASSET_ROOT_ENV_VAR, raising=False)
    with pytest.raises(MissingAssetError, match=ASSET_ROOT_ENV_VAR) as error:
        mjcf_path("unitree_x9/x9.xml")
    assert "unitree_x9/x9.xml" in str(error.value) and "assets/mjcf" in str(error.value)


def test_an_sdk_order_that_misses_a_joint_is_one_clear_error():
    import dataclasses

    from isaaclab_nil.robots.mjcf import check_spec
    from isaaclab_nil.tasks.go2.robot import GO2

    assert len(check_spec(GO2)) == 12
    bad = dataclasses.replace(GO2, sdk_joint_order=GO2.sdk_joint_order[:-1] + ("FR_hip_joint",))
    with pytest.raises(MjcfModelError, match=r"missing \['RL_calf_joint'\].*repeated \['FR_hip_joint'\]"):
        check_spec(bad)


def test_deploy_maps_each_policy_joint_to_its_sdk_motor():
    from isaaclab_nil.deploy.contract import ContractError, sdk_motor_ids
    from isaaclab_nil.tasks.g1.robot import G1
    from isaaclab_nil.tasks.go2.robot import GO2
    from isaaclab_nil.tasks.h1.robot import H1
    from isaaclab_nil.tasks.t1.robot import T1

    # Unitree's H1 motor order (unitree_mujoco h1.xml, unitree_rl_gym deploy_real/configs/h1.yaml)
    assert sdk_motor_ids(["left_hip_yaw", "right_hip_roll", "torso", "left_ankle"], list(H1.sdk_joint_order)) == [
        7,
        0,
        6,
        10,
    ]
    assert H1.sdk_joint_order[9] is None  # motor 9 is not used on the H1
    assert sdk_motor_ids(["FL_hip_joint", "RL_calf_joint"], list(GO2.sdk_joint_order)) == [3, 11]
    # unitree_rl_lab's joint_sdk_names of the G1 (29 DoF) and Booster's T1 motor slots (deploy/configs/T1.yaml)
    g1 = ["left_hip_pitch_joint", "right_hip_pitch_joint", "waist_yaw_joint", "left_shoulder_pitch_joint"]
    assert sdk_motor_ids(g1, list(G1.sdk_joint_order)) == [0, 6, 12, 15]
    assert sdk_motor_ids(["right_wrist_yaw_joint"], list(G1.sdk_joint_order)) == [28]
    t1 = ["AAHead_yaw", "Left_Shoulder_Pitch", "Waist", "Left_Ankle_Pitch", "Right_Ankle_Roll"]
    assert sdk_motor_ids(t1, list(T1.sdk_joint_order)) == [0, 2, 10, 15, 22]
    with pytest.raises(ContractError, match=r"names no motor for joints \['FL_hip_joint'\]"):
        sdk_motor_ids(["FL_hip_joint"], list(H1.sdk_joint_order))
