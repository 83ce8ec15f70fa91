"""Pendulum swing-up as an Isaac Lab manager-based task built offline: ``assets/pendulum.xml`` spawned
through Isaac Lab's MJCF importer and simulated by Newton (MuJoCo-Warp, contacts off) on the CPU.

Gymnasium's Pendulum-v1 in Isaac Lab: a 1 kg, 1 m rod on a hinge fixed to the world, angle 0 upright,
torque at most 2 N m, 20 Hz control with one semi-implicit Euler physics step per control step
(Pendulum-v1's integrator, with g = 9.81 and no speed clamp). Observation (cos θ, sin θ, θ̇); action in
[-1, 1] scaled to the torque limit; reward -(θ² + 0.1 θ̇² + 0.001 u²), θ wrapped to [-π, π), on the state
after the step; 200-step episodes (time-outs only) from θ ~ U[-π, π], θ̇ ~ U[-1, 1].
"""

from __future__ import annotations

import math
from pathlib import Path

import isaaclab.envs.mdp as mdp
import isaaclab.sim as sim_utils
import isaacsim.asset.importer.mjcf  # noqa: F401  (must be imported before any USD stage exists)
import torch
from isaaclab.actuators import IdealPDActuatorCfg
from isaaclab.assets import ArticulationCfg
from isaaclab.envs import ManagerBasedRLEnv, ManagerBasedRLEnvCfg
from isaaclab.managers import EventTermCfg as EventTerm
from isaaclab.managers import ObservationGroupCfg as ObsGroup
from isaaclab.managers import ObservationTermCfg as ObsTerm
from isaaclab.managers import RewardTermCfg as RewTerm
from isaaclab.managers import TerminationTermCfg as DoneTerm
from isaaclab.scene import InteractiveSceneCfg
from isaaclab.sim import SimulationCfg
from isaaclab.utils import configclass
from isaaclab_newton.physics import MJWarpSolverCfg, NewtonCfg

from isaaclab_nil.robots.assets import mjcf_effort_limits

MJCF = Path(__file__).parent / "assets" / "pendulum.xml"
MAX_TORQUE = mjcf_effort_limits(MJCF)["hinge"]
CONTROL_DT = 0.05
EPISODE_STEPS = 200


def angle(env: ManagerBasedRLEnv) -> torch.Tensor:
    """Pendulum angle wrapped to [-π, π), 0 upright, shape (num_envs,)."""
    return torch.remainder(env.scene["robot"].data.joint_pos.torch[:, 0] + math.pi, 2 * math.pi) - math.pi


def cos_sin_angle(env: ManagerBasedRLEnv) -> torch.Tensor:
    """(cos θ, sin θ) of the pendulum angle, shape (num_envs, 2)."""
    theta = env.scene["robot"].data.joint_pos.torch[:, 0]
    return torch.stack([torch.cos(theta), torch.sin(theta)], dim=-1)


def angle_l2(env: ManagerBasedRLEnv) -> torch.Tensor:
    """Squared distance θ² from upright."""
    return angle(env) ** 2


@configclass
class PendulumSceneCfg(InteractiveSceneCfg):
    robot = ArticulationCfg(
        prim_path="{ENV_REGEX_NS}/Robot",
        spawn=sim_utils.MjcfFileCfg(asset_path=str(MJCF), fix_base=True),  # else the base floats
        actuators={
            "hinge": IdealPDActuatorCfg(  # no drive: the action's torque is applied, clipped at the motor range
                joint_names_expr=["hinge"],
                actuator_effort_limit=MAX_TORQUE,
                joint_effort_limit=MAX_TORQUE,
                stiffness=0.0,
                damping=0.0,
            )
        },
    )


@configclass
class ObservationsCfg:
    @configclass
    class PolicyCfg(ObsGroup):
        cos_sin = ObsTerm(func=cos_sin_angle)
        velocity = ObsTerm(func=mdp.joint_vel)

    policy: PolicyCfg = PolicyCfg()


@configclass
class ActionsCfg:
    torque = mdp.JointEffortActionCfg(asset_name="robot", joint_names=["hinge"], scale=MAX_TORQUE)


@configclass
class EventsCfg:
    reset = EventTerm(
        func=mdp.reset_joints_by_offset,
        mode="reset",
        params={"position_range": (-math.pi, math.pi), "velocity_range": (-1.0, 1.0)},
    )


@configclass
class RewardsCfg:
    """Pendulum-v1's cost per control step; Isaac Lab multiplies each weight by the step's dt."""

    angle = RewTerm(func=angle_l2, weight=-1.0 / CONTROL_DT)
    velocity = RewTerm(func=mdp.joint_vel_l2, weight=-0.1 / CONTROL_DT)
    torque = RewTerm(func=mdp.joint_torques_l2, weight=-0.001 / CONTROL_DT)


@configclass
class TerminationsCfg:
    time_out = DoneTerm(func=mdp.time_out, time_out=True)


@configclass
class PendulumEnvCfg(ManagerBasedRLEnvCfg):
    sim: SimulationCfg = SimulationCfg(
        dt=CONTROL_DT,
        device="cpu",
        physics=NewtonCfg(solver_cfg=MJWarpSolverCfg(njmax=5, nconmax=1, disable_contacts=True), use_cuda_graph=False),
    )
    scene: PendulumSceneCfg = PendulumSceneCfg(num_envs=8, env_spacing=2.0)
    observations: ObservationsCfg = ObservationsCfg()
    actions: ActionsCfg = ActionsCfg()
    events: EventsCfg = EventsCfg()
    rewards: RewardsCfg = RewardsCfg()
    terminations: TerminationsCfg = TerminationsCfg()

    def __post_init__(self):
        self.decimation = 1
        self.episode_length_s = EPISODE_STEPS * CONTROL_DT
        self.compute_final_obs = True  # the off-policy runner bootstraps time-outs from the last observation


def make_pendulum_env(num_envs: int, seed: int = 0) -> ManagerBasedRLEnv:
    """The pendulum env with ``num_envs`` parallel pendulums on the CPU."""
    cfg = PendulumEnvCfg()
    cfg.scene.num_envs = num_envs
    cfg.seed = seed
    return ManagerBasedRLEnv(cfg)
