"""The Booster T1 humanoid (23 joints, ``<position>`` actuators).

- Model: MuJoCo Menagerie ``booster_t1/t1.xml`` (from Booster's ``T1_serial.urdf``; shipped in ``assets/mjcf``);
  effort limits from its joints' ``actuatorfrcrange`` (head 7, arms 18, waist 30, hip pitch 45, hip roll and yaw
  30, knee 60, ankle pitch 20, ankle roll 15 N m). The tasks drive the joints with their own PD gains, not the
  model's ``kp``.
- Default pose and PD gains: Booster's deployment config, booster_gym ``deploy/configs/T1.yaml``
  (``common.default_qpos``, ``common.stiffness``, ``common.damping``, in SDK order); its leg gains are those of
  booster_gym's training config ``envs/T1.yaml`` (``control``: hip and knee 200 / 5, ankle 50), which damps the
  ankles with 1 where the robot runs 3. Base height 0.72 m and the 1.0 action scale: ``envs/T1.yaml``
  (``init_state.pos``, ``control.action_scale``; Booster's policy outputs clipped at 1, so leg targets within
  1 rad of the default pose); 50 Hz control as there (``dt`` 2 ms, ``decimation`` 10).
- SDK motor order: Booster's SDK, ``booster_robotics_sdk`` ``b1_api_const.hpp`` ``JointIndex`` (head yaw, pitch
  0-1; left arm 2-5, right arm 6-9, shoulder pitch, roll, elbow pitch, yaw; waist 10; left leg 11-16, right leg
  17-22, hip pitch, roll, yaw, knee, then the ankle's two crank motors, which booster_gym's deploy maps onto
  ankle pitch and roll: ``parallel_mech_indexes`` 15, 16, 21, 22); ``deploy/configs/T1.yaml`` lists its gains
  and pose in this order, which is also the actuator order of Menagerie's t1.xml.
- Legs (the known-answer motions): as the H1's, every pitch joint turns about +y (a positive angle swings the
  foot back, bends the knee, lowers the toes); 0.52 m from hip to ankle.
"""

import math

from ...robots.spec import Legs, RobotSpec

_ARM = ("Shoulder_Pitch", "Shoulder_Roll", "Elbow_Pitch", "Elbow_Yaw")
_LEG = ("Hip_Pitch", "Hip_Roll", "Hip_Yaw", "Knee_Pitch", "Ankle_Pitch", "Ankle_Roll")

T1 = RobotSpec(
    name="Booster T1 humanoid robot",
    mjcf="booster_t1/t1.xml",
    base_body="Trunk",
    foot_bodies=".*_foot_link",
    base_height=0.72,
    default_joint_pos={
        ".*_Shoulder_Pitch": 0.2,
        "Left_Shoulder_Roll": -1.35,
        "Right_Shoulder_Roll": 1.35,
        "Left_Elbow_Yaw": -0.5,
        "Right_Elbow_Yaw": 0.5,
        ".*_Hip_Pitch": -0.2,
        ".*_Knee_Pitch": 0.4,
        ".*_Ankle_Pitch": -0.25,
        ".*": 0.0,
    },
    stiffness={
        "AAHead_yaw|Head_pitch": 20.0,
        ".*_(Shoulder|Elbow)_.*": 20.0,
        "Waist": 200.0,
        ".*_(Hip|Knee)_.*": 200.0,
        ".*_Ankle_.*": 50.0,
    },
    damping={
        "AAHead_yaw|Head_pitch": 0.2,
        ".*_(Shoulder|Elbow)_.*": 0.5,
        "Waist": 5.0,
        ".*_(Hip|Knee)_.*": 5.0,
        ".*_Ankle_.*": 3.0,
    },
    sdk_joint_order=(
        "AAHead_yaw",
        "Head_pitch",
        *(f"{side}_{j}" for side in ("Left", "Right") for j in _ARM),
        "Waist",
        *(f"{side}_{j}" for side in ("Left", "Right") for j in _LEG),
    ),
    legs=Legs.named(
        0.52,  # hip to ankle (hip-pitch to ankle-pitch axes in the MJCF)
        {"Left": 0.0, "Right": math.pi},
        hip="{leg}_Hip_Pitch",
        hip_forward=-1.0,
        knee="{leg}_Knee_Pitch",
        knee_bend=1.0,
        ankle="{leg}_Ankle_Pitch",
        ankle_up=-1.0,
        arm="{leg}_Shoulder_Pitch",
        arm_forward=-1.0,
    ),
    action_scale=1.0,
    min_base_height=0.35,
    max_tilt=1.0,
    camera_offset=(0.0, -2.0, 0.6),
)
