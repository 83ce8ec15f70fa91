"""Every registered NIL task, as Isaac Lab's own environment test walks every task: it is discovered from its
robot folder, its config builds, and in its own simulation (one process per task, 2 envs, a 64 px camera) it
takes 200 random steps without NaN, stands 2 s under zero actions (joint-position variants; 0.8 s upright where the
ankles are too soft to hold the robot, see :func:`ankles_too_soft`), renders a mask that
covers its robot and is centred, has observation and action sizes that match its joints, and (joint-position
variants) makes and loads a known-answer bundle of the robot's own first motion."""

import json
import re
import subprocess
import sys
from pathlib import Path

import gymnasium as gym
import pytest

import isaaclab_nil  # noqa: F401  (registers the tasks)
from isaaclab_nil.tasks import TASKS
from isaaclab_nil.tasks.registry import AGENT_ENTRY_POINTS

TASKS_DIR = Path(isaaclab_nil.__file__).parent / "tasks"
CHECK = Path(__file__).parent / "task_check.py"
PHASE_DIM = 11  # sin and cos of 5 frequencies, then the fraction
STAND_S = 2.0  # how long a robot stands under zero actions where its ankles (or four feet) hold it
TIPPING_STAND_S = 0.8
"""How long a robot whose ankles cannot hold it (:func:`ankles_too_soft`) must stay upright
under zero actions: it tips over its ankles slowly, it does not collapse; a policy balances it."""


def ankle_stiffness_and_gravity_stiffness(task: str) -> tuple[float, float] | None:
    """The summed PD stiffness of a robot's ankle pitch joints and the m g h of its body above their axes in the
    default pose [N m/rad] (None: point feet, no ankles). On its feet under zero actions the robot is an
    inverted pendulum on its ankle springs, which stands only if the stiffness exceeds m g h: the H1, G1 and T1
    on their makers' gains (2 x 40, 2 x 40, 2 x 50 against 469, 208, 168) tip after about a second, the same in
    plain MuJoCo; the Talos (2 x 1000 against 743) and the quadrupeds (standing on four points) stand."""
    import mujoco

    from isaaclab_nil.envs.factory import registered_cfg

    cfg = registered_cfg(task)
    ankles = [leg.ankle for leg in cfg.robot_legs if leg.ankle is not None]
    if not ankles:
        return None
    model = mujoco.MjModel.from_xml_path(cfg.scene.robot.spawn.asset_path)
    data = mujoco.MjData(model)

    def value(per_joint: dict[str, float], joint: str) -> float:
        return next(v for pattern, v in per_joint.items() if re.fullmatch(pattern, joint))

    for joint in range(model.njnt):
        if model.jnt_type[joint] == mujoco.mjtJoint.mjJNT_FREE:
            base = model.jnt_bodyid[joint]
        else:
            data.qpos[model.jnt_qposadr[joint]] = value(cfg.scene.robot.init_state.joint_pos, model.joint(joint).name)
    mujoco.mj_forward(model, data)
    com_height = data.subtree_com[base][2]
    ankle_height = sum(data.xanchor[model.joint(ankle).id][2] for ankle in ankles) / len(ankles)
    stiffness = cfg.scene.robot.actuators["joints"].stiffness
    mgh = model.body_subtreemass[base] * 9.81 * (com_height - ankle_height)
    return float(sum(value(stiffness, ankle) for ankle in ankles)), float(mgh)


def ankles_too_soft(task: str) -> bool:
    """Whether ``task``'s robot tips over its ankles under zero actions (their stiffness below its m g h)."""
    pendulum = ankle_stiffness_and_gravity_stiffness(task)
    return pendulum is not None and pendulum[0] < pendulum[1]


def test_every_robot_folder_registers_its_tasks():
    robots = sorted(p.name for p in TASKS_DIR.iterdir() if (p / "__init__.py").is_file())
    assert {"h1", "g1", "talos", "t1", "go2", "a1"} <= set(robots)
    for task, entry_point in TASKS.items():
        module = entry_point.split(":")[0]
        assert module.startswith("isaaclab_nil.tasks.") and module.split(".")[2] in robots, entry_point
        kwargs = gym.spec(task).kwargs
        assert kwargs["env_cfg_entry_point"] == entry_point
        assert AGENT_ENTRY_POINTS.items() <= kwargs.items()
    for robot in robots:
        assert any(entry_point.split(".")[2] == robot for entry_point in TASKS.values()), robot
    assert {"NIL-H1-Walk", "NIL-H1-Walk-Paper", "NIL-Go2-Walk", "NIL-Go2-Walk-Paper"} <= set(TASKS)
    for robot in ("A1", "G1", "Talos", "T1"):
        assert {f"NIL-{robot}-Walk", f"NIL-{robot}-Walk-Paper"} <= set(TASKS)


def test_registering_the_tasks_imports_no_isaaclab():
    code = "import sys, isaaclab_nil\nprint(sorted({m.split('.')[0] for m in sys.modules} & {'isaaclab', 'torch'}))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


def test_only_humanoids_on_soft_ankles_are_let_tip():
    walks = [task for task in TASKS if task.endswith("-Walk")]
    pendulums = {task.split("-")[1]: ankle_stiffness_and_gravity_stiffness(task) for task in walks}
    assert pendulums["Go2"] is None and pendulums["A1"] is None
    assert {task.split("-")[1] for task in walks if ankles_too_soft(task)} == {"H1", "G1", "T1"}
    assert pendulums["H1"][0] == 80.0 and 400 < pendulums["H1"][1] < 550  # 51 kg, its centre of mass 0.93 m up


@pytest.mark.parametrize("task", list(TASKS))
def test_config_maps_back_to_its_task_and_names_the_robot(task):
    from isaaclab_nil.envs.factory import registered_cfg
    from isaaclab_nil.envs.mdp.commands import registered_task

    cfg = registered_cfg(task)
    assert registered_task(cfg) == task
    robot = task.split("-")[1]
    maker = {"Talos": "PAL", "T1": "Booster"}.get(robot, "Unitree")
    kind = "quadruped" if robot in ("Go2", "A1") else "humanoid"
    embodiment = f"{maker} {robot} {kind} robot"
    assert cfg.commands.reference.prompt == f"The {embodiment} agent is walking forward, camera follows the agent."
    assert cfg.robot_sdk_joint_order  # the hardware's motor order travels to the deploy config


@pytest.fixture(scope="module", params=list(TASKS))
def report(request, tmp_path_factory):
    """The measurements of one task, made in its own process (Isaac Lab runs one simulation per process)."""
    task = request.param
    out = tmp_path_factory.mktemp(task) / "report.json"
    result = subprocess.run([sys.executable, str(CHECK), task, str(out)], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0 and out.is_file(), result.stdout[-2000:] + result.stderr[-4000:]
    return json.loads(out.read_text())


def test_sizes_match_the_joints(report):
    joints = report["mjcf_joints"]
    assert sorted(report["sim_joints"]) == sorted(joints)
    assert report["action_dim"] == len(joints)
    # base ang vel 3, projected gravity 3, joint pos, joint vel, last action, the reference phase
    assert report["obs_dim"] == 3 + 3 + 3 * len(joints) + PHASE_DIM
    assert sorted(j for j in report["sdk_joint_order"] if j is not None) == sorted(joints)


def test_random_steps_stay_finite(report):
    assert report["random_finite"]
    assert report["random_diverged"] == 0  # never a non-finite physics state that had to be reset


def test_stands_under_zero_actions(report):
    if report["control"] != "JointPositionAction":
        pytest.skip("torque variant: zero torque is no standing controller")
    steps = round((TIPPING_STAND_S if ankles_too_soft(report["task"]) else STAND_S) / 0.02)
    heights, upright = report["stand_heights"][:steps], report["stand_upright"][:steps]
    assert not any(any(step) for step in report["stand_terminated"][:steps]), "fell (a termination)"
    assert min(min(step) for step in upright) > 0.9, "tilted"
    assert min(heights[-1]) > 0.75 * report["spawn_height"], heights[-1]


def test_mask_covers_the_robot_and_is_centred(report):
    size = report["size"]
    for mask in report["masks"]:
        assert 0.01 < mask["area"] < 0.5, mask["area"]
        left, top, right, bottom = mask["bbox"]
        assert left > 0 and top > 0 and right < size - 1 and bottom < size - 1, mask["bbox"]  # all of it in frame
        assert all(abs(c - size / 2) < 0.15 * size for c in mask["centroid"]), mask["centroid"]
        assert all(0 <= u < size and 0 <= v < size for u, v in mask["bodies_px"])
        assert mask["bodies_on_mask"] > 0.9  # the robot's bodies project onto its mask


def test_makes_and_loads_a_known_answer_bundle(report):
    if report["control"] != "JointPositionAction":
        pytest.skip("torque variant: known answers are played on the joint-position variant")
    legs = 2 if "walk" in report["motions"] else 4
    assert report["motions"] == (["walk", "march", "tuck"] if legs == 2 else ["trot", "march", "tuck"])
    assert report["bundle_task"] == report["task"] and report["bundle_motion"] == report["motions"][0]
    assert report["bundle_frames"] == 12 and report["bundle_embeddings"][0] == 12
    assert all(0.01 < area < 0.5 for area in report["bundle_mask_areas"])  # the robot filmed in every frame
