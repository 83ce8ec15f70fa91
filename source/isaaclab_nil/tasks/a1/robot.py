"""The Unitree A1 quadruped (12 joints, ``<position>`` actuators).

- Model: MuJoCo Menagerie ``unitree_a1/a1.xml`` (shipped in ``assets/mjcf/unitree_a1``, see its README note);
  effort limits from its position actuators' ``forcerange`` (33.5 N m on every joint). The tasks drive the
  joints with their own PD gains, not the model's ``kp``.
- Default pose, PD gains (25 / 0.5) and the 0.25 rad action scale: Isaac Lab's ``UNITREE_A1_CFG``
  (``isaaclab_assets/robots/unitree.py``), the same as its ``UNITREE_GO2_CFG``.
- SDK motor order: Unitree's own MuJoCo models no longer include the A1; its SDK, ``unitree_legged_sdk``
  (``quadruped.h``, ``LeggedType::A1``: ``FR_0 = 0`` ... ``RL_2 = 11``), orders the motors FR, FL, RR, RL legs,
  hip, thigh, calf, which is also the actuator order of Menagerie's a1.xml and the Go2's order.
- Feet: the foot spheres are geoms of the calf bodies, so the calves are the contact bodies.
- Legs (the known-answer motions): thigh and calf turn about +y, so a negative angle swings the foot forward and
  bends the knee; 0.29 m from the thigh axis to the foot sphere's centre in the default pose (forward kinematics).

Everything not set here is the Go2's (:data:`~isaaclab_nil.tasks.go2.robot.GO2`): the joint names are the same and
Isaac Lab gives both robots the same pose, gains and action scale.
"""

from dataclasses import replace

from ..go2.robot import GO2

A1 = replace(
    GO2,
    name="Unitree A1 quadruped robot",
    mjcf="unitree_a1/a1.xml",
    base_body="trunk",
    base_height=0.32,  # the feet 0.302 m below the base in the default pose; it settles at about 0.28 m
    legs=replace(GO2.legs, length=0.29),  # 0.291 m front, 0.282 m rear; the same joints, signs and trot
    camera_offset=(0.0, -1.2, 0.2),  # 1.2 m to the side at mid-height: the 0.6 m long robot fills ~60% of the width
)
