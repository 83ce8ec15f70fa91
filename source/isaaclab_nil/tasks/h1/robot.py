"""The Unitree H1 humanoid (19 joints, torque ``<motor>`` actuators).

- Model: MuJoCo Menagerie ``unitree_h1/h1.xml`` (shipped in ``assets/mjcf``); effort limits from its motors'
  ``ctrlrange`` (hips and torso 200, knees 300, ankles 40, shoulders 40, shoulder yaw and elbows 18 N m).
- Default pose, PD gains, 50 Hz control and the 0.25 rad action scale: Unitree's own H1 locomotion setup,
  ``unitree_rl_gym`` ``legged_gym/envs/h1/h1_config.py`` (``H1RoughCfg``: init pose, ``control.stiffness``,
  ``control.damping``, ``action_scale``); unitree_rl_lab's ``UNITREE_H1_CFG`` uses the same leg and torso gains.
- SDK motor order: the actuator order of Unitree's own H1 model, ``unitree_mujoco`` ``unitree_robots/h1/h1.xml``
  (motor 9 drives nothing there: ``not_use_joint``), which is also unitree_rl_lab's ``joint_sdk_names`` and
  what unitree_rl_gym's ``deploy_real/configs/h1.yaml`` (``leg_joint2motor_idx``) indexes. Menagerie's model
  drops the ``_joint`` suffix of Unitree's names.
- Legs (the known-answer motions): every pitch joint turns about +y, so a positive angle swings the foot (arm)
  back, bends the knee and lowers the toes; 0.8 m from hip to ankle (thigh 0.4 + shank 0.4).
"""

import math

from ...robots.spec import Legs, RobotSpec

H1 = RobotSpec(
    name="Unitree H1 humanoid robot",
    mjcf="unitree_h1/h1.xml",
    base_body="pelvis",
    foot_bodies=".*_ankle_link",
    base_height=1.05,
    default_joint_pos={
        ".*_hip_yaw": 0.0,
        ".*_hip_roll": 0.0,
        ".*_hip_pitch": -0.1,
        ".*_knee": 0.3,
        ".*_ankle": -0.2,
        "torso": 0.0,
        ".*_shoulder_.*": 0.0,
        ".*_elbow": 0.0,
    },
    stiffness={
        ".*_hip_.*": 150.0,
        ".*_knee": 200.0,
        ".*_ankle": 40.0,
        "torso": 300.0,
        ".*_shoulder_.*": 150.0,
        ".*_elbow": 100.0,
    },
    damping={
        ".*_hip_.*": 2.0,
        ".*_knee": 4.0,
        ".*_ankle": 2.0,
        "torso": 6.0,
        ".*_shoulder_.*": 2.0,
        ".*_elbow": 2.0,
    },
    sdk_joint_order=(
        "right_hip_roll",
        "right_hip_pitch",
        "right_knee",
        "left_hip_roll",
        "left_hip_pitch",
        "left_knee",
        "torso",
        "left_hip_yaw",
        "right_hip_yaw",
        None,  # motor 9: not used on the H1
        "left_ankle",
        "right_ankle",
        "right_shoulder_pitch",
        "right_shoulder_roll",
        "right_shoulder_yaw",
        "right_elbow",
        "left_shoulder_pitch",
        "left_shoulder_roll",
        "left_shoulder_yaw",
        "left_elbow",
    ),
    legs=Legs.named(
        0.8,  # hip to ankle: thigh 0.4 + shank 0.4
        {"left": 0.0, "right": math.pi},
        hip="{leg}_hip_pitch",
        hip_forward=-1.0,
        knee="{leg}_knee",
        knee_bend=1.0,
        ankle="{leg}_ankle",
        ankle_up=-1.0,
        arm="{leg}_shoulder_pitch",
        arm_forward=-1.0,
    ),
    action_scale=0.25,
    min_base_height=0.6,
    max_tilt=1.0,
    camera_offset=(0.0, -3.0, 1.0),  # 3 m to the side, 1 m up: the 1.8 m robot fills ~70% of the frame's height
)
