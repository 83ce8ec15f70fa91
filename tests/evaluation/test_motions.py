"""The known-answer motions' math (NumPy only, no simulator)."""

import importlib
import pkgutil
import re

import mujoco
import numpy as np
import pytest

from isaaclab_nil import tasks
from isaaclab_nil.reference.errors import KnownAnswerError
from isaaclab_nil.reference.motions import JOINT_SIGNS, LegTuck, MarchGait, WalkGait, make_motion, motions_for
from isaaclab_nil.robots.assets import mjcf_path
from isaaclab_nil.robots.spec import RobotSpec
from isaaclab_nil.tasks.h1.robot import H1

H1_COLUMNS = [
    "left_hip_pitch",
    "left_knee",
    "left_ankle",
    "left_shoulder_pitch",
    "right_hip_pitch",
    "right_knee",
    "right_ankle",
    "right_shoulder_pitch",
]
PINNED_TIMES = np.array([0.0, 0.3, 0.77, 1.25, 2.6, 3.1])
PINNED_H1_OFFSETS = {
    "walk": [
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [-0.032098157, 0.0, 0.032098157, 0.051357052, 0.032098157, 0.033373835, -0.065471993, -0.051357052],
        [0.134188784, 0.054246354, -0.188435138, -0.214702054, -0.134188784, 0.0, 0.134188784, 0.214702054],
        [-0.15625, 0.0, 0.15625, 0.25, 0.15625, 0.0, -0.15625, -0.25],
        [0.091841446, 0.0, -0.091841446, -0.146946313, -0.091841446, 0.404508497, -0.312667052, 0.146946313],
        [-0.091841446, 0.404508497, -0.312667052, 0.146946313, 0.091841446, 0.0, -0.091841446, -0.146946313],
    ],
    "march": [
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [-0.071899873, 0.0, 0.071899873, 0.102714104, 0.071899873, 0.033373835, -0.105273708, -0.102714104],
        [0.300582876, 0.054246354, -0.35482923, -0.429404109, -0.300582876, 0.0, 0.300582876, 0.429404109],
        [-0.35, 0.0, 0.35, 0.5, 0.35, 0.0, -0.35, -0.5],
        [0.205724838, 0.0, -0.205724838, -0.293892626, -0.205724838, 0.404508497, -0.198783659, 0.293892626],
        [-0.205724838, 0.404508497, -0.198783659, 0.293892626, 0.205724838, 0.0, -0.205724838, -0.293892626],
    ],
    "tuck": [
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [-0.022259596, 0.035615354, -0.013355758, 0.0, -0.022259596, 0.035615354, -0.013355758, 0.0],
        [-0.378738911, 0.605982258, -0.227243347, 0.0, -0.378738911, 0.605982258, -0.227243347, 0.0],
        [-0.426776695, 0.682842712, -0.256066017, 0.0, -0.426776695, 0.682842712, -0.256066017, 0.0],
        [-0.327254249, 0.523606798, -0.196352549, 0.0, -0.327254249, 0.523606798, -0.196352549, 0.0],
        [-0.487764129, 0.780422607, -0.292658477, 0.0, -0.487764129, 0.780422607, -0.292658477, 0.0],
    ],
}
"""The H1's offsets [rad] before the motions were built from leg descriptions (commit ffffb84), to 9 decimals."""


@pytest.mark.parametrize(
    "name, motion", [("walk", WalkGait(H1.legs)), ("march", MarchGait(H1.legs)), ("tuck", LegTuck(H1.legs))]
)
def test_the_h1_motions_keep_their_offsets(name, motion):
    offsets = motion.joint_offsets(PINNED_TIMES, H1_COLUMNS)
    np.testing.assert_allclose(offsets, PINNED_H1_OFFSETS[name], rtol=0, atol=1e-9)


def test_the_h1_walk_keeps_its_base_motion():
    walk = WalkGait(H1.legs)
    np.testing.assert_allclose(walk.forward_position(PINNED_TIMES), [0.0, 0.011475, 0.1403838975, 0.375, 1.05, 1.3])
    np.testing.assert_allclose(walk.forward_velocity(PINNED_TIMES), [0.0, 0.108, 0.432817, 0.5, 0.5, 0.5])


def robot_specs() -> list[RobotSpec]:
    """The spec of every robot folder (``isaaclab_nil/tasks/<robot>/robot.py``)."""
    specs = []
    for folder in pkgutil.iter_modules(tasks.__path__):
        if folder.ispkg:
            robot = importlib.import_module(f"{tasks.__name__}.{folder.name}.robot")
            specs += [value for value in vars(robot).values() if isinstance(value, RobotSpec)]
    return specs


SPECS = robot_specs()


def compiled(spec: RobotSpec) -> tuple[mujoco.MjModel, mujoco.MjData, dict[str, float]]:
    """The spec's compiled model, its data in the default pose, and that pose by joint name."""
    model = mujoco.MjModel.from_xml_path(str(mjcf_path(spec.mjcf)))
    names = [model.joint(j).name for j in range(model.njnt) if model.jnt_type[j] != mujoco.mjtJoint.mjJNT_FREE]
    pose = {name: next(v for p, v in spec.default_joint_pos.items() if re.fullmatch(p, name)) for name in names}
    return model, posed(model, mujoco.MjData(model), pose), pose


def posed(model: mujoco.MjModel, data: mujoco.MjData, pose: dict[str, float]) -> mujoco.MjData:
    data.qpos[:] = model.qpos0
    for name, value in pose.items():
        data.qpos[model.jnt_qposadr[model.joint(name).id]] = value
    mujoco.mj_kinematics(model, data)
    return data


def lowest_geom(model: mujoco.MjModel, data: mujoco.MjData, joint: str) -> int:
    """The lowest geom that ``joint`` moves: the foot below a knee, the hand below a shoulder."""
    top = model.jnt_bodyid[model.joint(joint).id]
    return min(
        (g for g in range(model.ngeom) if below(model, model.geom_bodyid[g], top)), key=lambda g: data.geom_xpos[g][2]
    )


def below(model: mujoco.MjModel, body: int, top: int) -> bool:
    while body not in (top, 0):
        body = model.body_parentid[body]
    return body == top


def leg_state(model: mujoco.MjModel, data: mujoco.MjData, leg, foot: int, hand: int | None) -> dict:
    """What ``leg``'s joints move, in the pose of ``data``: the foot's x [m] and its distance from the hip [m] (the
    foot: the ankle joint, or the ``foot`` geom for a leg without one), the ``foot`` geom's orientation, and the
    ``hand`` geom's x [m]."""
    hip = data.xanchor[model.joint(leg.hip).id]
    point = data.xanchor[model.joint(leg.ankle).id] if leg.ankle else data.geom_xpos[foot]
    state = {"hip": point[0], "knee": np.linalg.norm(point - hip), "ankle": data.geom_xmat[foot].reshape(3, 3).copy()}
    if hand is not None:
        state["arm"] = data.geom_xpos[hand][0]
    return state


def named_change(role: str, start: dict, moved: dict) -> float:
    """How far a joint moved its leg the way its role names: the foot (hand) forward [m], the leg shorter [m],
    the toes up (the sine of the foot's rotation about -y)."""
    if role == "ankle":
        return -(moved["ankle"] @ start["ankle"].T)[0, 2]
    if role == "knee":
        return start["knee"] - moved["knee"]
    return moved[role] - start[role]


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.name)
def test_the_leg_signs_move_each_joint_the_way_they_say(spec):
    """By forward kinematics, 0.1 rad from the default pose in each joint's named direction: hip forward moves the
    foot forward, knee bend brings it closer to the hip, ankle up turns the toes up, arm forward moves the hand
    forward."""
    model, data, pose = compiled(spec)
    least = {"hip": 0.01, "knee": 0.002, "ankle": 0.05, "arm": 0.01}
    for leg in spec.legs:
        geoms = lowest_geom(model, data, leg.knee), leg.arm and lowest_geom(model, data, leg.arm)
        start = leg_state(model, data, leg, *geoms)
        for role, sign in JOINT_SIGNS.items():
            joint = getattr(leg, role)
            if joint is not None:
                flexed = posed(model, data, {**pose, joint: pose[joint] + 0.1 * getattr(leg, sign)})
                change = named_change(role, start, leg_state(model, flexed, leg, *geoms))
                assert change > least[role], (joint, change)
        posed(model, data, pose)


def motions(spec: RobotSpec) -> list:
    return [make_motion(name, spec.legs) for name in motions_for(spec.legs)]


@pytest.mark.parametrize(
    "spec, motion",
    [(spec, motion) for spec in SPECS for motion in motions(spec)],
    ids=lambda value: value.name,
)
def test_every_motion_stays_inside_the_joint_limits(spec, motion):
    model, _, pose = compiled(spec)
    names = list(pose)
    times = np.arange(8 * 24) / 24  # the default reference, at 24 fps
    joints = np.array(list(pose.values())) + motion.joint_offsets(times, names)
    ranges = np.array([model.jnt_range[model.joint(name).id] for name in names])
    assert (joints >= ranges[:, 0]).all() and (joints <= ranges[:, 1]).all()
    assert np.ptp(joints, axis=0).max() > 0.3  # a visible motion


def test_a_quadruped_trots_in_diagonal_pairs_and_a_humanoid_cannot():
    from isaaclab_nil.tasks.go2.robot import GO2

    assert motions_for(H1.legs) == ["walk", "march", "tuck"] and motions_for(GO2.legs) == ["trot", "march", "tuck"]
    with pytest.raises(
        KnownAnswerError, match=r"2 legs cannot trot; its known-answer motions: \['walk', 'march', 'tuck'\]"
    ):
        make_motion("trot", H1.legs)
    with pytest.raises(KnownAnswerError, match="4 legs cannot walk"):
        make_motion("walk", GO2.legs)
    trot = make_motion("trot", GO2.legs)
    joints = [f"{leg}_{joint}_joint" for leg in ("FL", "RR", "FR", "RL") for joint in ("thigh", "calf")]
    offsets = trot.joint_offsets(np.arange(48) / 24, joints)[:, ::2]  # the thighs
    np.testing.assert_allclose(offsets[:, 0], offsets[:, 1])  # FL and RR together
    np.testing.assert_allclose(offsets[:, 2], offsets[:, 3])  # FR and RL together
    np.testing.assert_allclose(offsets[:, 0], -offsets[:, 2], atol=1e-12)  # the pairs in antiphase (the hip swing)
    assert np.ptp(offsets[24:, 0]) > 0.3  # after the start-up, the hips swing
    np.testing.assert_allclose(trot.forward_velocity(np.array([2.0])), [0.5])


def test_a_tuck_drives_the_leg_pitch_joints_only():
    from isaaclab_nil.tasks.go2.robot import GO2

    assert LegTuck(H1.legs).driven_joints() == [
        f"{side}_{joint}" for side in ("left", "right") for joint in ("hip_pitch", "knee", "ankle")
    ]
    assert sorted(LegTuck(GO2.legs).driven_joints()) == sorted(
        f"{leg}_{joint}_joint" for leg in ("FL", "FR", "RL", "RR") for joint in ("thigh", "calf")
    )
    assert "left_shoulder_pitch" in MarchGait(H1.legs).driven_joints()
