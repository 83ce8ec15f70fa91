"""The one base config of every NIL task, and its pieces.

A task (``NIL-<Robot>-<Skill>``) is a thin subclass of :class:`NILEnvCfg` that puts a robot in the scene
(:meth:`NILEnvCfg.set_robot`) and names the skill; see ``isaaclab_nil/tasks/``. Every setting lives in one
place: reward weights on the reward terms (``env.rewards.mask_iou.weight=0``), the reference on the reference
command (``env.commands.reference.bundle=DIR``), the camera on the scene's follow camera
(``env.scene.follow_camera.width=96``). Defaults are stable on CPU (MuJoCo-Warp, implicitfast) and run
unchanged on CUDA.

The hardware preset (``presets=hardware`` on the command line, Isaac Lab 3.0's preset selector) adds domain
randomization for a policy meant for a real robot: ground friction, base mass, pushes, observation noise, PD
gains, motor strength and action latency. Every joint-position task has it, and it is off unless selected; the
paper's torque variants (``set_robot(control="torque")``) do not have it. Each preset node below says what it
changes and where its range comes from; ``docs/hardware.md`` lists them all.
"""

from __future__ import annotations

import math
from dataclasses import MISSING

import isaaclab.sim as sim_utils
import isaacsim.asset.importer.mjcf  # noqa: F401  (must be imported before any USD stage exists)
from isaaclab.assets import ArticulationCfg, AssetBaseCfg
from isaaclab.envs import ManagerBasedRLEnvCfg
from isaaclab.managers import EventTermCfg as EventTerm
from isaaclab.managers import ObservationGroupCfg as ObsGroup
from isaaclab.managers import ObservationTermCfg as ObsTerm
from isaaclab.managers import RewardTermCfg as RewTerm
from isaaclab.managers import SceneEntityCfg
from isaaclab.managers import TerminationTermCfg as DoneTerm
from isaaclab.scene import InteractiveSceneCfg
from isaaclab.sensors import CameraCfg, ContactSensorCfg
from isaaclab.sim import SimulationCfg
from isaaclab.utils import configclass
from isaaclab.utils.noise import UniformNoiseCfg as Unoise
from isaaclab_newton.physics import MJWarpSolverCfg, NewtonCfg
from isaaclab_newton.renderers import NewtonWarpRendererCfg
from isaaclab_tasks.utils import PresetCfg, preset

from ..robots.mjcf import RobotSpec, joint_effort_limits, robot_cfg
from ..robots.spec import Legs
from . import mdp


@configclass
class NILSceneCfg(InteractiveSceneCfg):
    """A flat local ground, the robot (tagged ``class:robot`` for segmentation) and its follow camera."""

    ground = AssetBaseCfg(
        prim_path="/World/ground",
        spawn=sim_utils.CuboidCfg(
            size=(1000.0, 1000.0, 0.1),
            collision_props=sim_utils.CollisionPropertiesCfg(),
            # MuJoCo (and so Newton's MuJoCo-Warp solver) takes the larger of two touching geoms' frictions, so
            # the hardware preset lowers the ground to the bottom of its friction range (0.3) and lets the robot's
            # randomized friction (HardwareEventsCfg.physics_material) decide each contact's friction.
            physics_material=preset(
                default=sim_utils.RigidBodyMaterialCfg(static_friction=1.0, dynamic_friction=1.0),
                hardware=sim_utils.RigidBodyMaterialCfg(static_friction=0.3, dynamic_friction=0.3),
            ),
            visual_material=sim_utils.PreviewSurfaceCfg(diffuse_color=(0.45, 0.45, 0.42)),
            semantic_tags=[("class", "ground")],
        ),
        init_state=AssetBaseCfg.InitialStateCfg(pos=(0.0, 0.0, -0.05)),
    )
    robot: ArticulationCfg = MISSING
    follow_camera: CameraCfg = CameraCfg(
        prim_path="{ENV_REGEX_NS}/FollowCamera",
        # The pose relative to the robot's base (see mdp.camera): by default 3 m to its right, 1 m above the
        # ground, looking along +Y: a side view of a robot walking along +X.
        offset=CameraCfg.OffsetCfg(
            pos=(0.0, -3.0, 1.0), rot=(0.0, 0.0, math.sqrt(0.5), math.sqrt(0.5)), convention="world"
        ),
        data_types=["rgb", "semantic_segmentation"],
        # focal length 24 mm over a 20.955 mm horizontal aperture: about 47 degrees field of view, square pixels
        spawn=sim_utils.PinholeCameraCfg(focal_length=24.0, horizontal_aperture=20.955, clipping_range=(0.05, 50.0)),
        width=224,
        height=224,
        update_period=0.0,  # render whenever read after a sim step: the reward reads it at each new frame
        renderer_cfg=NewtonWarpRendererCfg(colorize_semantic_segmentation=False, use_cuda_graph=False),
    )
    light = AssetBaseCfg(prim_path="/World/light", spawn=sim_utils.DistantLightCfg(intensity=3000.0))
    feet_contact = ContactSensorCfg(prim_path=MISSING, track_air_time=True)
    """Contact forces and air time of the feet (for the foot-slip and air-time terms); set by ``set_robot``."""


@configclass
class CommandsCfg:
    """The reference video the task imitates."""

    reference = mdp.ReferenceCommandCfg()


@configclass
class ObservationsCfg:
    """Proprioception and the reference phase: everything a real robot can measure."""

    @configclass
    class PolicyCfg(ObsGroup):
        """The policy's observation. Its sensor terms carry the uniform noise of unitree_rl_lab's velocity tasks
        (``tasks/locomotion/robots/{h1,go2}/velocity_env_cfg.py``, the same as Isaac Lab's
        ``isaaclab_tasks/core/velocity/velocity_env_cfg.py``), in raw units, added only under the hardware preset
        (``enable_corruption``); the last action and the reference phase are exact on a robot too."""

        base_ang_vel = ObsTerm(func=mdp.base_ang_vel, noise=Unoise(n_min=-0.2, n_max=0.2))
        projected_gravity = ObsTerm(func=mdp.projected_gravity, noise=Unoise(n_min=-0.05, n_max=0.05))
        joint_pos = ObsTerm(func=mdp.joint_pos_rel, noise=Unoise(n_min=-0.01, n_max=0.01))
        joint_vel = ObsTerm(func=mdp.joint_vel_rel, noise=Unoise(n_min=-1.5, n_max=1.5))
        actions = ObsTerm(func=mdp.last_action)
        reference_phase = ObsTerm(func=mdp.generated_commands, params={"command_name": "reference"})

        def __post_init__(self):
            self.concatenate_terms = True
            self.enable_corruption = preset(default=False, hardware=True)

    policy: PolicyCfg = PolicyCfg()


@configclass
class ActionsCfg:
    """Joint-position targets around the default pose (the hardware default); ``set_robot`` can make them torques."""

    joints = preset(
        default=mdp.JointPositionActionCfg(asset_name="robot", joint_names=[".*"], scale=0.25, use_default_offset=True),
        hardware=mdp.DelayedJointPositionActionCfg(
            asset_name="robot", joint_names=[".*"], scale=0.25, use_default_offset=True, max_delay=1
        ),
    )
    """Under the hardware preset each env's targets reach the drives 0 or 1 control step (0-20 ms) late, drawn at
    each reset: a real robot's sensing-to-motor latency, which unitree_rl_lab's configs do not model (Isaac Lab's
    ``DelayedPDActuator`` delays in physics steps and is an explicit actuator; the NIL drives are implicit)."""


@configclass
class EventsCfg:
    """Resets: the robot starts near its default standing pose, slightly perturbed, aiming at that pose."""

    reset_base = EventTerm(
        func=mdp.reset_root_state_uniform,
        mode="reset",
        params={
            "pose_range": {"yaw": (-0.05, 0.05)},
            "velocity_range": {"x": (-0.05, 0.05), "y": (-0.05, 0.05), "yaw": (-0.05, 0.05)},
        },
    )
    reset_joints = EventTerm(
        func=mdp.reset_joints_by_offset,
        mode="reset",
        params={"position_range": (-0.03, 0.03), "velocity_range": (-0.05, 0.05)},
    )
    hold_default_pose = EventTerm(
        func=mdp.hold_default_pose, mode="reset", params={"asset_cfg": SceneEntityCfg("robot")}
    )
    """The joints the action does not drive hold the default pose, as on the robot (:func:`mdp.hold_default_pose`)."""
    clear_diverged_solver = EventTerm(func=mdp.clear_diverged_solver_data, mode="reset")
    """A world that ``nonfinite_state`` ended restarts with no NaN left in the solver's data (else it diverges
    again after the reset)."""


@configclass
class HardwareEventsCfg(EventsCfg):
    """The resets, plus domain randomization for hardware (``presets=hardware``). Friction, mass and pushes as
    unitree_rl_lab trains its H1 (``source/unitree_rl_lab/unitree_rl_lab/tasks/locomotion/robots/h1/
    velocity_env_cfg.py``, ``EventCfg``; its Go2 config has friction 0.3-1.2 and pushes every 5-10 s). PD gains
    and motor strength +-10 % are NIL's choice: neither unitree_rl_lab's nor Isaac Lab's velocity configs
    randomize them. Physical properties are drawn once per env at startup, as unitree_rl_lab does."""

    physics_material = EventTerm(
        func=mdp.randomize_rigid_body_material,
        mode="startup",
        params={
            "asset_cfg": SceneEntityCfg("robot", body_names=".*"),
            "static_friction_range": (0.3, 1.0),
            "dynamic_friction_range": (0.3, 1.0),  # Newton has one friction coefficient: the static one
            "restitution_range": (0.0, 0.0),
            "num_buckets": 64,
        },
    )
    """Friction 0.3-1.0 of the robot's geoms, against a ground of 0.3 (``NILSceneCfg.ground``): each contact's
    friction is the larger, the robot's. unitree_rl_lab gets the same range with a ground of 1.0 and PhysX's
    ``multiply`` combine mode, which MuJoCo lacks."""
    add_base_mass = EventTerm(
        func=mdp.randomize_rigid_body_mass,
        mode="startup",
        params={
            "asset_cfg": SceneEntityCfg("robot", body_names=MISSING),  # the base, set by set_robot
            "mass_distribution_params": (-1.0, 3.0),
            "operation": "add",
        },
    )
    """-1 to +3 kg on the base body (its inertia scaled with it): a payload, or a battery of another weight."""
    actuator_gains = EventTerm(
        func=mdp.randomize_actuator_gains,
        mode="startup",
        params={
            "asset_cfg": SceneEntityCfg("robot", joint_names=".*"),
            "stiffness_distribution_params": (0.9, 1.1),
            "damping_distribution_params": (0.9, 1.1),
            "operation": "scale",
        },
    )
    """PD stiffness and damping, each x 0.9-1.1 per env and joint: the robot's gains are not the model's."""
    motor_strength = EventTerm(
        func=mdp.randomize_motor_strength,
        mode="startup",
        params={"asset_cfg": SceneEntityCfg("robot"), "scale_range": (0.9, 1.1)},
    )
    """Each joint's effort limit x 0.9-1.1 per env (:func:`~isaaclab_nil.envs.mdp.randomize_motor_strength`)."""
    push_robot = EventTerm(
        func=mdp.push_by_setting_velocity,
        mode="interval",
        interval_range_s=(4.0, 6.0),
        resample_interval_on_reset=False,
        params={"velocity_range": {"x": (-0.5, 0.5), "y": (-0.5, 0.5)}},
    )
    """Adds up to +-0.5 m/s to the base's horizontal velocity, about every 5 s of each env's time. unitree_rl_lab
    pushes every 5 s exactly in 20 s episodes; a NIL episode lasts its reference (5 s by default), so a timer
    restarted at each reset would fire only as the episode ends. This one runs across resets and draws each
    interval from 4-6 s, so that pushes land at every phase of the reference."""


@configclass
class EventsPresetCfg(PresetCfg):
    """The resets; ``presets=hardware`` adds the domain randomization of :class:`HardwareEventsCfg`."""

    default: EventsCfg = EventsCfg()
    hardware: HardwareEventsCfg = HardwareEventsCfg()


@configclass
class TerminationsCfg:
    """The end of the reference (a time-out); fall (base too low or tilted); diverged physics."""

    reference_finished = DoneTerm(func=mdp.reference_finished, params={"command_name": "reference"}, time_out=True)
    base_height = DoneTerm(func=mdp.root_height_below_minimum, params={"minimum_height": 0.5})
    base_tilt = DoneTerm(func=mdp.bad_orientation, params={"limit_angle": 1.0})
    nonfinite_state = DoneTerm(func=mdp.nonfinite_state)


@configclass
class RewardsCfg:
    """The NIL reward R = alpha * S_video + beta * IoU + gamma * P (paper sec. 3.3.1), one term per piece, each
    logged as ``Episode_Reward/<term>``; see ``docs/reward.md``. The weights are alpha, beta and, for the terms
    of P, gamma (1) times each term's own weight. A weight of 0 switches a term off: the paper's Table 1
    ablations are the presets of :data:`~isaaclab_nil.envs.reward_presets.REWARD_ABLATIONS`
    (:data:`~isaaclab_nil.envs.reward_presets.REGULARIZATION_TERMS` names the terms of P)."""

    video_similarity = mdp.VideoSimilarityTermCfg(weight=1.0, params={"command_name": "reference"})
    """alpha * S_video; ``similarity``: "cosine" (the CVPR revision, default) or "neg_l2" (paper v1)."""
    mask_iou = RewTerm(func=mdp.reference_mask_iou, weight=1.0, params={"command_name": "reference"})
    """beta * IoU of the robot masks."""
    joint_torques = RewTerm(func=mdp.joint_torques_l2, weight=-1.0e-5)
    """P_J: squared joint torques [N^2 m^2]."""
    action_rate = RewTerm(func=mdp.action_rate_l2, weight=-0.01)
    """P_A: squared change of the action between control steps."""
    joint_vel = RewTerm(func=mdp.joint_vel_l2, weight=-1.0e-3)
    """P_V: squared joint velocities [rad^2/s^2]."""
    feet_slip = RewTerm(
        func=mdp.feet_slide,
        weight=-0.25,
        params={
            "sensor_cfg": SceneEntityCfg("feet_contact"),
            "asset_cfg": SceneEntityCfg("robot", body_names=MISSING),  # the feet, set by set_robot
        },
    )
    """P_F: horizontal speed [m/s] of the feet in contact with the ground."""
    feet_air_time = RewTerm(
        func=mdp.feet_air_time_bonus,
        weight=1.0,
        params={"sensor_cfg": SceneEntityCfg("feet_contact"), "threshold": 0.2},
    )
    """P_F bonus: at each touchdown, the foot's air time [s] beyond the threshold (a slight reward)."""
    torso_tilt = RewTerm(func=mdp.flat_orientation_l2, weight=-1.0)
    """P_S: tilt of the base, the squared horizontal components of gravity in the base frame."""


@configclass
class NILEnvCfg(ManagerBasedRLEnvCfg):
    """Base config of all NIL tasks."""

    sim: SimulationCfg = SimulationCfg(
        dt=0.005,
        physics=NewtonCfg(
            solver_cfg=MJWarpSolverCfg(
                njmax=300, nconmax=100, integrator="implicitfast", cone="pyramidal", impratio=1.0
            ),
            num_substeps=1,
            use_cuda_graph=False,
        ),
    )
    scene: NILSceneCfg = NILSceneCfg(num_envs=16, env_spacing=4.0)
    observations: ObservationsCfg = ObservationsCfg()
    actions: ActionsCfg = ActionsCfg()
    events: EventsPresetCfg = EventsPresetCfg()
    terminations: TerminationsCfg = TerminationsCfg()
    rewards: RewardsCfg = RewardsCfg()
    commands: CommandsCfg = CommandsCfg()
    robot_sdk_joint_order: list = []
    """The robot's hardware motor order (MJCF joint names, None for a motor slot it does not use), set by
    ``set_robot``; the deploy config maps each policy joint to its SDK motor with it."""
    robot_legs: Legs | None = None
    """The robot's leg description, set by ``set_robot``: the known-answer motions it offers are built on it."""

    def __post_init__(self):
        self.decimation = 4  # 50 Hz control at dt = 5 ms, as on Unitree robots
        self.sim.render_interval = self.decimation
        self.scene.feet_contact.history_length = self.decimation  # contacts of every physics step of a control step
        self.episode_length_s = self.commands.reference.num_frames / self.commands.reference.fps
        self.compute_final_obs = True  # off-policy learners bootstrap from the true last observation

    def set_robot(self, spec: RobotSpec, control: str = "position") -> None:
        """Put robot ``spec`` in the scene with its actions, feet, fall limits, camera framing, prompt name,
        hardware motor order and legs.

        Args:
            spec: the robot.
            control: ``"position"`` (default; PD joint-position targets, what hardware runs) or
                ``"torque"`` (the paper's setting: actions are joint torques, scaled to the
                MJCF effort limits). Torque tasks have no hardware preset.
        """
        self.scene.robot = robot_cfg(spec, control)
        if control == "torque":
            self.actions.joints = mdp.JointEffortActionCfg(
                asset_name="robot", joint_names=[".*"], scale=joint_effort_limits(spec)
            )
            self._remove_hardware_preset()
        else:
            self.actions.joints.default.scale = self.actions.joints.hardware.scale = spec.action_scale
            self.events.hardware.add_base_mass.params["asset_cfg"] = SceneEntityCfg("robot", body_names=spec.base_body)
        self.terminations.base_height.params["minimum_height"] = spec.min_base_height
        self.terminations.base_tilt.params["limit_angle"] = spec.max_tilt
        self.scene.feet_contact.prim_path = "{ENV_REGEX_NS}/Robot/" + spec.foot_bodies
        self.rewards.feet_slip.params["asset_cfg"] = SceneEntityCfg("robot", body_names=spec.foot_bodies)
        self.commands.reference.embodiment = spec.name
        self.scene.follow_camera.offset.pos = spec.camera_offset
        self.robot_sdk_joint_order = list(spec.sdk_joint_order)
        self.robot_legs = spec.legs

    def _remove_hardware_preset(self) -> None:
        """Keep the defaults of the hardware preset's nodes, so that ``presets=hardware`` is refused: the paper's
        torques reach the joints through no PD drive to randomize or delay."""
        self.scene.ground.spawn.physics_material = self.scene.ground.spawn.physics_material.default
        self.observations.policy.enable_corruption = False
        self.events = self.events.default
