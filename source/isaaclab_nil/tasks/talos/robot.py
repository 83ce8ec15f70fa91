"""The PAL Talos humanoid (30 joints, torque ``<motor>`` actuators).

- Model: MuJoCo Menagerie ``pal_talos`` (from PAL's ``talos_description`` URDF), shipped in ``assets/mjcf`` as
  one file: ``talos.xml`` with the torque motors of Menagerie's ``talos_motor.xml`` inlined and the grippers
  made rigid (see the folder's README note). Effort limits from the motors' ``ctrlrange`` (torso 200, head 8 and
  4, arms 100, 100, 70, 70, 20, 8, 8, legs 100, 160, 160, 400 at the knee, 160, 100 N m).
- No public locomotion config (PAL's or a published RL setup) with joint gains was found, so the PD gains are
  derived from Menagerie's position model, ``talos_position.xml``: its ``kp`` (torso 2000 and 500, head 200 and
  1000, arms 100, hips and knees 1000) and, for the damping, the ``kv`` MuJoCo compiles from its
  ``dampratio="1"`` (critical damping at the model's reference pose), rounded. One change: that model's ankles
  have kp 10000, tuned at its 1 ms timestep; at the tasks' 5 ms they saturate the ankle motors and the robot hops
  and falls within 1.4 s (plain MuJoCo), so the ankles take the other leg joints' 1000, with the critical
  damping scaled by sqrt(1/10) (10 and 6.3).
- Default pose and base height (1.03 m): that model's ``walk_pose`` keyframe (torso pitched 0.15 rad forward, arms
  bent, legs 0, 0, -0.4, 0.8, -0.4, 0; hip yaw, roll, pitch, knee, ankle pitch, roll). Action scale 0.25 rad
  and 50 Hz control: the Isaac Lab / Unitree humanoid convention.
- SDK motor order: PAL's controller order was not found; this is the MJCF actuator order (torso, head, left arm,
  right arm, left leg, right leg).
- Legs (the known-answer motions): as the H1's, every pitch joint turns about +y (a positive angle swings the
  foot back, bends the knee, lowers the toes); 0.705 m from hip to ankle;
  no arm swing (the Talos's first arm joint is no shoulder pitch).
"""

import math

from ...robots.spec import Legs, RobotSpec

_ARM_KD = (10.0, 24.0, 2.1, 11.0, 1.4, 3.0, 3.0)  # arm_*_1 ... arm_*_7
_LEG_KD = (24.0, 108.0, 107.0, 42.0, 10.0, 6.3)  # leg_*_1 ... leg_*_6

TALOS = RobotSpec(
    name="PAL Talos humanoid robot",
    mjcf="pal_talos/talos.xml",
    base_body="base_link",
    foot_bodies=".*leg_.*_6_link",  # also matched against prim paths, which run down the leg (.../leg_left_5_link/...)
    base_height=1.03,
    default_joint_pos={
        "torso_2_joint": 0.15,
        "arm_left_1_joint": 0.3,
        "arm_right_1_joint": -0.3,
        "arm_left_2_joint": 0.4,
        "arm_right_2_joint": -0.4,
        "arm_left_3_joint": -0.5,
        "arm_right_3_joint": 0.5,
        "arm_.*_4_joint": -1.5,
        "leg_.*_3_joint": -0.4,
        "leg_.*_4_joint": 0.8,
        "leg_.*_5_joint": -0.4,
        ".*": 0.0,
    },
    stiffness={
        "torso_1_joint": 2000.0,
        "torso_2_joint": 500.0,
        "head_1_joint": 200.0,
        "head_2_joint": 1000.0,
        "arm_.*": 100.0,
        "leg_.*": 1000.0,
    },
    damping={
        "torso_1_joint": 140.0,
        "torso_2_joint": 69.0,
        "head_1_joint": 5.8,
        "head_2_joint": 4.9,
        **{f"arm_.*_{i}_joint": kd for i, kd in enumerate(_ARM_KD, 1)},
        **{f"leg_.*_{i}_joint": kd for i, kd in enumerate(_LEG_KD, 1)},
    },
    sdk_joint_order=(
        "torso_1_joint",
        "torso_2_joint",
        "head_1_joint",
        "head_2_joint",
        *(f"arm_{side}_{i}_joint" for side in ("left", "right") for i in range(1, 8)),
        *(f"leg_{side}_{i}_joint" for side in ("left", "right") for i in range(1, 7)),
    ),
    legs=Legs.named(
        0.705,  # hip to ankle: leg_*_3 (hip pitch) to leg_*_5 (ankle pitch) axes in the MJCF
        {"left": 0.0, "right": math.pi},
        hip="leg_{leg}_3_joint",
        hip_forward=-1.0,
        knee="leg_{leg}_4_joint",
        knee_bend=1.0,
        ankle="leg_{leg}_5_joint",
        ankle_up=-1.0,
    ),
    action_scale=0.25,
    min_base_height=0.55,
    max_tilt=1.0,
    camera_offset=(0.0, -3.0, 0.9),
)
