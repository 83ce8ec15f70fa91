"""The Unitree Go2 quadruped (12 joints, torque ``<motor>`` actuators).

- Model: Unitree's own ``unitree_mujoco`` ``unitree_robots/go2/go2.xml`` (shipped in ``assets/mjcf/unitree_go2``,
  see its README note); effort limits from its motors' ``ctrlrange`` (hip and thigh 23.7, calf 45.43 N m).
- Default pose, PD gains (25 / 0.5) and the 0.25 rad action scale: Isaac Lab's ``UNITREE_GO2_CFG``
  (``isaaclab_assets/robots/unitree.py``) and unitree_rl_lab's ``UNITREE_GO2_CFG``, which agree.
- SDK motor order: the actuator order of Unitree's go2.xml (FR, FL, RR, RL legs; hip, thigh, calf), the same as
  unitree_rl_lab's ``joint_sdk_names`` for the Go2.
- Feet: the foot spheres are geoms of the calf bodies (``*_foot`` bodies carry no geometry), so the calves are
  the contact bodies.
- Legs (the known-answer motions): thigh and calf turn about +y, so a negative angle swings the foot forward and
  bends the knee; 0.31 m from the thigh axis to the foot sphere's centre in the default pose (forward kinematics).
"""

import math

from ...robots.spec import Legs, RobotSpec

GO2 = RobotSpec(
    name="Unitree Go2 quadruped robot",
    mjcf="unitree_go2/go2.xml",
    base_body="base_link",
    foot_bodies=".*_calf",
    base_height=0.34,  # the feet 0.324 m below the base in the default pose; it settles at about 0.29 m
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
        0.31,  # 0.311 m front, 0.302 m rear
        {"FL": 0.0, "RR": 0.0, "FR": math.pi, "RL": math.pi},  # the trot's diagonal pairs
        hip="{leg}_thigh_joint",
        hip_forward=-1.0,
        knee="{leg}_calf_joint",
        knee_bend=-1.0,
    ),
    action_scale=0.25,
    min_base_height=0.15,
    max_tilt=1.0,
    camera_offset=(0.0, -1.3, 0.2),  # 1.3 m to the side at mid-height: the 0.7 m long robot fills ~60% of the width
)
