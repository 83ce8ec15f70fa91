"""Unitree robots.

H1 gains, default pose and action scale follow Unitree's own H1 locomotion setup
(``unitree_rl_gym``: legs/torso PD gains, 0.25 rad action scale, 50 Hz control).
"""

from .mjcf import RobotSpec

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
    action_scale=0.25,
    min_base_height=0.6,
)
