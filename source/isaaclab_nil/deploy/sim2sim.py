"""``nil sim2sim``: run an exported policy in plain MuJoCo from its deploy contract alone.

The policy folder (``exported/policy.onnx`` + ``params/deploy.yaml``, checked by
:func:`~isaaclab_nil.deploy.contract.load_contract`) is all that comes from training. The robot is an MJCF
model (the contract's model under the asset root, or another model of the same robot): its actuators are
removed and the contract's PD law drives its joints instead, tau = clip(kp (target - q) - kd dq, +-effort limit),
at every physics step of the model's own timestep (its options too: solver, integrator, contacts), the policy
every step_dt / timestep physics steps. Observations are built as a robot controller builds them
(:func:`~isaaclab_nil.deploy.contract.observation`): IMU quaternion and angular velocity of the base body,
joint states through the contract's joint names. A fixed-base contract (a gantry) welds the base where it
started. What it shows and what it does not: ``docs/deploy.md``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import NILError
from .contract import DeployContract, RobotState, joint_targets, observation, projected_gravity
from .trajectory import Trajectory

os.environ.setdefault("MUJOCO_GL", "egl")  # before mujoco is imported: headless, Mesa's EGL renders on a CPU too

CAMERA = {"distance": 3.0, "azimuth": 90.0, "elevation": -10.0}
"""Tracking camera of the video: 3 m from the base, looking at its left side (the follow camera's view)."""


class Sim2SimError(NILError):
    """The model cannot run the contract: a joint it lacks, a timestep that does not divide the control period."""


@dataclass
class Sim2SimRun:
    """A MuJoCo rollout: the state after every control step m = 0..M (m = 0: the start)."""

    step_dt: float
    joint_pos: np.ndarray
    """(M + 1, J) [rad], policy joint order."""
    base_pos: np.ndarray
    """(M + 1, 3) [m]."""
    base_lin_vel_w: np.ndarray
    """(M + 1, 3) [m/s]."""
    targets: np.ndarray
    """(M, J) the joint targets of each control step."""
    fall_step: int | None
    """The first step at which the base was below the contract's fall height or tilted past its limit."""
    frames: list[np.ndarray] = field(default_factory=list)

    def summary(self) -> dict:
        """Time to fall, base velocity and joint tracking error (target of each step against the position at its
        end), as plain numbers."""
        steps = len(self.targets)
        error = self.targets - self.joint_pos[1:]
        return {
            "seconds": steps * self.step_dt,
            "control_steps": steps,
            "fall_time_s": None if self.fall_step is None else self.fall_step * self.step_dt,
            "mean_base_lin_vel_w": self.base_lin_vel_w[1:].mean(axis=0).round(4).tolist(),
            "base_displacement_m": (self.base_pos[-1] - self.base_pos[0]).round(4).tolist(),
            "joint_tracking_rmse_rad": round(float(np.sqrt((error**2).mean())), 6),
        }


class MujocoRobot:
    """The contract's robot in MuJoCo: its joints in policy order, the base body, PD torques from the contract."""

    def __init__(self, contract: DeployContract, mjcf: Path, fix_base: bool):
        import mujoco

        self.contract = contract
        spec = mujoco.MjSpec.from_file(str(mjcf))
        free = [joint for joint in spec.joints if joint.type == mujoco.mjtJoint.mjJNT_FREE]
        if len(free) != 1:
            raise Sim2SimError(f"{mjcf}: a robot model with one floating base (free joint), not {len(free)}")
        base = free[0].parent
        start = contract.nil["start"]
        if fix_base:  # weld the base where it starts, as Isaac Lab's fix_base does
            spec.delete(free[0])
            base.pos, base.quat = start["base_pos"], start["base_quat_wxyz"]
        for actuator in list(spec.actuators):  # the contract's PD law drives the joints instead
            spec.delete(actuator)
        for key in list(spec.keys):  # keyframes: the start is the contract's or the trajectory's
            spec.delete(key)
        if not any(geom.type == mujoco.mjtGeom.mjGEOM_PLANE for geom in spec.worldbody.geoms):
            spec.worldbody.add_geom(type=mujoco.mjtGeom.mjGEOM_PLANE, size=[0, 0, 0.05], rgba=[0.45, 0.45, 0.42, 1])
        spec.worldbody.add_light(pos=[0, 0, 4], dir=[0, 0, -1], type=mujoco.mjtLightType.mjLIGHT_DIRECTIONAL)
        self.model = spec.compile()
        self.data = mujoco.MjData(self.model)
        self.base_id = mujoco.mj_name2id(self.model, mujoco.mjtObj.mjOBJ_BODY, base.name)
        self.free_qpos = None if fix_base else self.model.jnt_qposadr[self.model.body_jntadr[self.base_id]]
        joint_ids = [self._joint_id(name, mjcf) for name in contract.joint_names]
        self.qpos_ids = self.model.jnt_qposadr[joint_ids]
        self.dof_ids = self.model.jnt_dofadr[joint_ids]
        self.decimation = round(contract.step_dt / self.model.opt.timestep)
        if abs(self.decimation * self.model.opt.timestep - contract.step_dt) > 1e-9:
            raise Sim2SimError(
                f"{mjcf}: its timestep {self.model.opt.timestep} s does not divide the contract's control period "
                f"step_dt {contract.step_dt} s"
            )

    def _joint_id(self, name: str, mjcf: Path) -> int:
        """The model's joint ``name``, or ``name_joint`` (Unitree's own MJCF suffixes Menagerie's names)."""
        import mujoco

        for candidate in (name, f"{name}_joint"):
            joint_id = mujoco.mj_name2id(self.model, mujoco.mjtObj.mjOBJ_JOINT, candidate)
            if joint_id >= 0:
                return joint_id
        raise Sim2SimError(f"{mjcf} has no joint '{name}' (nor '{name}_joint'): not a model of the contract's robot")

    def reset(self, start: Trajectory | None) -> None:
        """The contract's start (default pose, at rest), or a trajectory's first state."""
        import mujoco

        data, nil = self.data, self.contract.nil
        mujoco.mj_resetData(self.model, data)
        if start is None:
            base_pos, base_quat = nil["start"]["base_pos"], nil["start"]["base_quat_wxyz"]
            joint_pos, joint_vel = self.contract.default_joint_pos, 0.0
            lin_vel, ang_vel = np.zeros(3), np.zeros(3)
        else:
            base_pos, base_quat = start.base_pos[0], start.base_quat_wxyz[0]
            joint_pos, joint_vel = start.joint_pos[0], start.joint_vel[0]
            lin_vel, ang_vel = start.base_lin_vel_w[0], start.base_ang_vel_b[0]
        if self.free_qpos is not None:
            data.qpos[self.free_qpos : self.free_qpos + 7] = [*base_pos, *base_quat]
            dof = self.model.jnt_dofadr[self.model.body_jntadr[self.base_id]]
            data.qvel[dof : dof + 6] = [*lin_vel, *ang_vel]  # free joint: world linear, body angular velocity
        data.qpos[self.qpos_ids], data.qvel[self.dof_ids] = joint_pos, joint_vel
        mujoco.mj_forward(self.model, data)

    def state(self) -> RobotState:
        """What the robot's IMU and joint encoders measure."""
        import mujoco

        velocity = np.zeros(6)
        mujoco.mj_objectVelocity(self.model, self.data, mujoco.mjtObj.mjOBJ_XBODY, self.base_id, velocity, 1)
        return RobotState(
            base_quat_wxyz=self.data.xquat[self.base_id].copy(),
            base_ang_vel_b=velocity[:3],
            joint_pos=self.data.qpos[self.qpos_ids].copy(),
            joint_vel=self.data.qvel[self.dof_ids].copy(),
        )

    def base_lin_vel_w(self) -> np.ndarray:
        import mujoco

        velocity = np.zeros(6)
        mujoco.mj_objectVelocity(self.model, self.data, mujoco.mjtObj.mjOBJ_XBODY, self.base_id, velocity, 0)
        return velocity[3:]

    def step(self, targets: np.ndarray) -> None:
        """One control period: PD torques toward ``targets`` at every physics step."""
        import mujoco

        contract, data = self.contract, self.data
        for _ in range(self.decimation):
            q, dq = data.qpos[self.qpos_ids], data.qvel[self.dof_ids]
            torque = contract.stiffness * (targets - q) - contract.damping * dq
            data.qfrc_applied[self.dof_ids] = np.clip(torque, -contract.effort_limit, contract.effort_limit)
            mujoco.mj_step(self.model, data)

    def fallen(self) -> bool:
        """Below the contract's fall height, tilted past its limit, or diverged (the training's terminations)."""
        fall = self.contract.nil["fall"]
        state = self.state()
        tilt = float(np.arccos(np.clip(-projected_gravity(state.base_quat_wxyz)[2], -1.0, 1.0)))
        height = float(self.data.xpos[self.base_id][2])
        low = fall["min_base_height"] is not None and height < fall["min_base_height"]
        tilted = fall["max_tilt"] is not None and tilt > fall["max_tilt"]
        return low or tilted or not np.isfinite(self.data.qpos).all()


def policy_session(contract: DeployContract):
    """An onnxruntime session of the contract's policy: (obs_dim,) float32 -> (action_dim,)."""
    import onnxruntime

    session = onnxruntime.InferenceSession(str(contract.onnx_path), providers=["CPUExecutionProvider"])
    return lambda obs: session.run(["actions"], {"obs": obs[None]})[0][0]


def run(
    contract: DeployContract,
    robot: MujocoRobot,
    seconds: float,
    start: Trajectory | None = None,
    zero_actions: bool = False,
    video_size: int | None = None,
) -> Sim2SimRun:
    """Run the policy (or zero actions: the default pose held by PD) for ``seconds``, or until the robot falls
    (never with a fixed base). ``video_size``: render a square frame of that many pixels after every step."""
    if contract.action_type != "JointPositionAction":
        raise Sim2SimError(f"sim2sim runs joint-position policies, not {contract.action_type} (the paper preset)")
    policy = policy_session(contract)
    robot.reset(start)
    camera = _Camera(robot, video_size) if video_size else None
    fix_base = robot.free_qpos is None
    last_action = np.zeros(contract.action_dim, dtype=np.float32)
    joint_pos, base_pos, base_vel, targets, frames = [robot.state().joint_pos], [], [], [], []
    base_pos.append(robot.data.xpos[robot.base_id].copy())
    base_vel.append(robot.base_lin_vel_w())
    fall_step = None
    try:
        for step in range(round(seconds / contract.step_dt)):
            obs = observation(contract, robot.state(), last_action, step)
            action = np.zeros_like(last_action) if zero_actions else policy(obs)
            targets.append(joint_targets(contract, action))
            robot.step(targets[-1])
            last_action = action
            joint_pos.append(robot.state().joint_pos)
            base_pos.append(robot.data.xpos[robot.base_id].copy())
            base_vel.append(robot.base_lin_vel_w())
            if camera is not None:
                frames.append(camera.render())
            if not fix_base and robot.fallen():
                fall_step = step + 1
                break
    finally:
        if camera is not None:
            camera.close()
    return Sim2SimRun(
        step_dt=contract.step_dt,
        joint_pos=np.array(joint_pos),
        base_pos=np.array(base_pos),
        base_lin_vel_w=np.array(base_vel),
        targets=np.array(targets),
        fall_step=fall_step,
        frames=frames,
    )


def compare(run: Sim2SimRun, other: Trajectory) -> dict:
    """Joint-trajectory RMSE [rad] between MuJoCo and another simulator's rollout, over the steps both ran
    before either fell, per joint and over all; and each one's fall time."""
    if abs(other.step_dt - run.step_dt) > 1e-9:
        raise NILError(f"the trajectory's control period {other.step_dt} s is not the contract's {run.step_dt} s")
    other_steps = len(other.joint_pos) - 1
    other_fall = other.fall_step if other.fall_step <= other_steps else None
    steps = min(len(run.joint_pos) - 1, other_steps, *(s for s in (run.fall_step, other_fall) if s is not None))
    error = run.joint_pos[: steps + 1] - other.joint_pos[: steps + 1]
    return {
        "compared_steps": steps,
        "joint_rmse_rad": round(float(np.sqrt((error**2).mean())), 6),
        "joint_max_abs_error_rad": round(float(np.abs(error).max()), 6),
        "per_joint_rmse_rad": dict(zip(other.joint_names, np.sqrt((error**2).mean(axis=0)).round(6).tolist())),
        "other_fall_time_s": None if other_fall is None else other_fall * other.step_dt,
        "mujoco_fall_time_s": None if run.fall_step is None else run.fall_step * run.step_dt,
    }


class _Camera:
    """MuJoCo's offscreen renderer with a camera tracking the base."""

    def __init__(self, robot: MujocoRobot, size: int):
        import mujoco

        self.robot = robot
        self.renderer = mujoco.Renderer(robot.model, size, size)
        self.camera = mujoco.MjvCamera()
        self.camera.type, self.camera.trackbodyid = mujoco.mjtCamera.mjCAMERA_TRACKING, robot.base_id
        self.camera.distance, self.camera.azimuth, self.camera.elevation = CAMERA.values()

    def render(self) -> np.ndarray:
        self.renderer.update_scene(self.robot.data, camera=self.camera)
        return self.renderer.render().copy()

    def close(self) -> None:
        self.renderer.close()  # before the interpreter exits: EGL's context cannot be freed then
