"""The Unitree A1 quadruped (12 joints, ``<position>`` actuators).

- Model: MuJoCo Menagerie ``unitree_a1/a1.xml`` (shipped in ``assets/mjcf/unitree_a1``, see its README note);
  effort limits from its position actuators' ``forcerange`` (33.5 N m on every joint). The tasks drive the
  joints with their own PD gains, not the model's ``kp``.
- Default pose, PD gains (25 / 0.5) and the 0.25 rad action scale: Isaac Lab's ``UNITREE_A1_CFG``
  (``isaaclab_assets/robots/unitree.py``).
- SDK motor order: Unitree's own MuJoCo models no longer include the A1; its SDK, ``unitree_legged_sdk``
  (``quadruped.h``, ``LeggedType::A1``: ``FR_0 = 0`` ... ``RL_2 = 11``), orders the motors FR, FL, RR, RL legs,
  hip, thigh, calf, which is also the actuator order of Menagerie's a1.xml.
- Feet: the foot spheres are geoms of the calf bodies, so the calves are the contact bodies.
- Legs (the known-answer motions): thigh and calf turn about +y, so a negative angle swings the foot forward and
  bends the knee; 0.29 m from the thigh axis to the foot sphere's centre in the default pose (forward kinematics).
"""

import math

from ...robots.spec import Legs, RobotSpec

A1 = RobotSpec(
    name="Unitree A1 quadruped robot",
    mjcf="unitree_a1/a1.xml",
    base_body="trunk",
    foot_bodies=".*_calf",
    base_height=0.32,  # the feet 0.302 m below the base in the default pose; it settles at about 0.28 m
    default_joint_pos={
        ".*L_hip_joint": 0.1,
        ".*R_hip_joint": -0.1,
        "F[LR]_thigh_joint": 0.8,
        "R[LR]_thigh_joint": 1.0,
        ".*_calf_joint": -1.5,
    },
    stiffness={".*_joint": 25.0},
    damping={".*_joint": 0.5},
    sdk_joint_order=tuple(
        f"{leg}_{part}_joint" for leg in ("FR", "FL", "RR", "RL") for part in ("hip", "thigh", "calf")
    ),
    legs=Legs.named(
        0.29,  # 0.291 m front, 0.282 m rear
        {"FL": 0.0, "RR": 0.0, "FR": math.pi, "RL": math.pi},  # the trot's diagonal pairs
        hip="{leg}_thigh_joint",
        hip_forward=-1.0,
        knee="{leg}_calf_joint",
        knee_bend=-1.0,
    ),
    action_scale=0.25,
    min_base_height=0.15,
    max_tilt=1.0,
    camera_offset=(0.0, -1.2, 0.2),  # 1.2 m to the side at mid-height: the 0.6 m long robot fills ~60% of the width
)
