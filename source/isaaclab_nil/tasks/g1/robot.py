"""The Unitree G1 humanoid (29 joints, ``<position>`` actuators).

- Model: MuJoCo Menagerie ``unitree_g1/g1.xml`` (Unitree's ``g1_29dof_rev_1_0``, without hands; shipped in
  ``assets/mjcf``); effort limits from its joints' ``actuatorfrcrange`` (hip pitch, hip yaw and waist yaw 88,
  hip roll and knee 139, ankles and waist roll/pitch 50, shoulders and elbows 25, wrist roll 25, wrist pitch and
  yaw 5 N m). The tasks drive the joints with their own PD gains, not the model's ``kp``.
- Default pose, PD gains and base height: unitree_rl_lab's ``UNITREE_G1_29DOF_CFG``
  (``source/unitree_rl_lab/unitree_rl_lab/assets/robots/unitree.py``: ``init_state``, the ``legs``, ``feet``
  and ``arms`` actuators); the 0.25 rad action scale and 50 Hz control: its G1 29-DoF velocity task
  (``tasks/locomotion/robots/g1/29dof/velocity_env_cfg.py``, ``JointPositionActionCfg(scale=0.25)``).
- SDK motor order: unitree_rl_lab's ``joint_sdk_names`` for ``UNITREE_G1_29DOF_CFG`` (legs left then right, hip
  pitch, roll, yaw, knee, ankle pitch, roll; waist yaw, roll, pitch; arms left then right, shoulder pitch, roll,
  yaw, elbow, wrist roll, pitch, yaw), which is also the actuator order of Unitree's ``unitree_mujoco``
  ``unitree_robots/g1/g1_29dof.xml`` and of Menagerie's g1.xml.
- Legs (the known-answer motions): as the H1's, every pitch joint turns about +y (a positive angle swings the
  foot back, bends the knee, lowers the toes); 0.64 m from hip to ankle (thigh 0.34 + shank 0.30).
"""

import math

from ...robots.spec import Legs, RobotSpec

_LEG = ("hip_pitch", "hip_roll", "hip_yaw", "knee", "ankle_pitch", "ankle_roll")
_ARM = ("shoulder_pitch", "shoulder_roll", "shoulder_yaw", "elbow", "wrist_roll", "wrist_pitch", "wrist_yaw")

G1 = RobotSpec(
    name="Unitree G1 humanoid robot",
    mjcf="unitree_g1/g1.xml",
    base_body="pelvis",
    foot_bodies=".*_ankle_roll_link",
    base_height=0.8,
    default_joint_pos={
        ".*_hip_pitch_joint": -0.1,
        ".*_knee_joint": 0.3,
        ".*_ankle_pitch_joint": -0.2,
        ".*_shoulder_pitch_joint": 0.3,
        "left_shoulder_roll_joint": 0.25,
        "right_shoulder_roll_joint": -0.25,
        ".*_elbow_joint": 0.97,
        "left_wrist_roll_joint": 0.15,
        "right_wrist_roll_joint": -0.15,
        ".*": 0.0,
    },
    stiffness={
        ".*_hip_.*": 100.0,
        ".*_knee_joint": 150.0,
        "waist_.*": 200.0,
        ".*_ankle_.*": 40.0,
        ".*_(shoulder|elbow|wrist)_.*": 40.0,
    },
    damping={
        ".*_hip_.*": 2.0,
        ".*_knee_joint": 4.0,
        "waist_.*": 5.0,
        ".*_ankle_.*": 2.0,
        ".*_(shoulder|elbow|wrist)_.*": 10.0,
    },
    sdk_joint_order=(
        *(f"{side}_{j}_joint" for side in ("left", "right") for j in _LEG),
        "waist_yaw_joint",
        "waist_roll_joint",
        "waist_pitch_joint",
        *(f"{side}_{j}_joint" for side in ("left", "right") for j in _ARM),
    ),
    legs=Legs.named(
        0.64,  # hip to ankle: thigh 0.34 + shank 0.30
        {"left": 0.0, "right": math.pi},
        hip="{leg}_hip_pitch_joint",
        hip_forward=-1.0,
        knee="{leg}_knee_joint",
        knee_bend=1.0,
        ankle="{leg}_ankle_pitch_joint",
        ankle_up=-1.0,
        arm="{leg}_shoulder_pitch_joint",
        arm_forward=-1.0,
    ),
    action_scale=0.25,
    min_base_height=0.4,
    max_tilt=1.0,
    camera_offset=(0.0, -2.2, 0.65),
)
