"""The one base config of every NIL task, and its pieces.

A task (``NIL-<Robot>-<Skill>``) is this config with a robot and a skill filled in; see
:func:`isaaclab_nil.tasks.make_task_cfg`. Defaults are stable on CPU (MuJoCo-Warp, implicitfast)
and run unchanged on CUDA.
"""

from __future__ import annotations

import math
from dataclasses import MISSING
from typing import Literal

import isaacsim.asset.importer.mjcf  # noqa: F401  (must be imported before any USD stage exists)
from isaaclab_newton.physics import MJWarpSolverCfg, NewtonCfg
from isaaclab_newton.renderers import NewtonWarpRendererCfg

import isaaclab.sim as sim_utils
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

from ..robots.mjcf import RobotSpec, joint_effort_limits, robot_cfg
from . import mdp


@configclass
class ReferenceCfg:
    """The reference video a task imitates (stage 1 writes it; stage 2 trains against it)."""

    fps: float = 24.0
    """Frame rate of the reference video [frames/s], at most the control rate; the NIL reward renders the
    follow camera at this rate. With a bundle: the bundle's."""
    num_frames: int = 120
    """Frames in the reference; an episode lasts ``num_frames / fps`` seconds. With a bundle: the bundle's."""
    skill: str = MISSING
    """Skill in the prompt, e.g. ``"walking forward"``."""
    embodiment: str = MISSING
    """Embodiment in the prompt, e.g. ``"Unitree H1 humanoid robot"``."""
    prompt_template: str = "The {embodiment} agent is {skill}, camera follows the agent."
    """Prompt template (paper eq. 1)."""
    bundle: str | None = None
    """Reference bundle folder to train against (written by ``nil generate``); None: none yet, and the video
    and mask rewards are off. When the env is made, the bundle's fps and length replace the two above."""

    @property
    def prompt(self) -> str:
        return self.prompt_template.format(embodiment=self.embodiment, skill=self.skill)

    @property
    def duration_s(self) -> float:
        return self.num_frames / self.fps


@configclass
class FollowCameraCfg:
    """Pose of the follow camera relative to the robot's base (translation only, fixed orientation)."""

    offset: tuple[float, float, float] = (0.0, -3.0, 1.0)
    """Camera position: base x + offset x, base y + offset y, env-origin height + offset z [m]."""
    rot: tuple[float, float, float, float] = (0.0, 0.0, math.sqrt(0.5), math.sqrt(0.5))
    """Orientation (x, y, z, w) in the "world" camera convention (forward +X, up +Z).
    The default turns the camera to look along +Y: a side view of a robot walking along +X."""
    width: int = 224
    height: int = 224
    focal_length: float = 24.0
    """Pinhole focal length [mm] (horizontal aperture 20.955 mm: about 47 degrees field of view)."""
    horizontal_aperture: float = 20.955


@configclass
class NILSceneCfg(InteractiveSceneCfg):
    """A flat local ground, the robot (tagged ``class:robot`` for segmentation) and its follow camera."""

    ground = AssetBaseCfg(
        prim_path="/World/ground",
        spawn=sim_utils.CuboidCfg(
            size=(1000.0, 1000.0, 0.1),
            collision_props=sim_utils.CollisionPropertiesCfg(),
            physics_material=sim_utils.RigidBodyMaterialCfg(static_friction=1.0, dynamic_friction=1.0),
            visual_material=sim_utils.PreviewSurfaceCfg(diffuse_color=(0.45, 0.45, 0.42)),
            semantic_tags=[("class", "ground")],
        ),
        init_state=AssetBaseCfg.InitialStateCfg(pos=(0.0, 0.0, -0.05)),
    )
    robot: ArticulationCfg = MISSING
    follow_camera: CameraCfg = CameraCfg(
        prim_path="{ENV_REGEX_NS}/FollowCamera",
        data_types=["rgb", "semantic_segmentation"],
        spawn=sim_utils.PinholeCameraCfg(clipping_range=(0.05, 50.0)),
        width=224,
        height=224,
        renderer_cfg=NewtonWarpRendererCfg(colorize_semantic_segmentation=False, use_cuda_graph=False),
    )
    light = AssetBaseCfg(prim_path="/World/light", spawn=sim_utils.DistantLightCfg(intensity=3000.0))
    feet_contact = ContactSensorCfg(prim_path=MISSING, track_air_time=True)
    """Contact forces and air time of the feet (for the foot-slip and air-time terms); set by ``set_robot``."""


@configclass
class ObservationsCfg:
    """Proprioception and the reference phase: everything a real robot can measure."""

    @configclass
    class PolicyCfg(ObsGroup):
        base_ang_vel = ObsTerm(func=mdp.base_ang_vel)
        projected_gravity = ObsTerm(func=mdp.projected_gravity)
        joint_pos = ObsTerm(func=mdp.joint_pos_rel)
        joint_vel = ObsTerm(func=mdp.joint_vel_rel)
        actions = ObsTerm(func=mdp.last_action)
        reference_phase = ObsTerm(func=mdp.reference_phase, params={"frequencies": mdp.PHASE_FREQUENCIES})

        def __post_init__(self):
            self.concatenate_terms = True

    policy: PolicyCfg = PolicyCfg()


@configclass
class ActionsCfg:
    """Joint-position targets around the default pose (the hardware default)."""

    joint_pos = mdp.JointPositionActionCfg(asset_name="robot", joint_names=[".*"], scale=0.25, use_default_offset=True)


@configclass
class EventsCfg:
    """Resets: the robot starts near its default standing pose, slightly perturbed."""

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


@configclass
class TerminationsCfg:
    """Time-out at the end of the reference; fall (base too low or tilted); diverged physics."""

    time_out = DoneTerm(func=mdp.time_out, time_out=True)
    base_height = DoneTerm(func=mdp.root_height_below_minimum, params={"minimum_height": 0.5})
    base_tilt = DoneTerm(func=mdp.bad_orientation, params={"limit_angle": 1.0})
    nonfinite_state = DoneTerm(func=mdp.nonfinite_state)


@configclass
class NILRewardCfg:
    """The NIL reward R = alpha * S_video + beta * IoU + gamma * P (paper sec. 3.3.1); see ``docs/reward.md``.

    Each piece is its own reward term (logged as ``Episode_Reward/<term>``), weighted by :meth:`NILEnvCfg.sync`:
    ``video_similarity`` by alpha, ``mask_iou`` by beta, each regularization term by gamma times its own
    weight below. A weight of 0 switches a term off (the paper's Table 1 ablations); alpha = 0 also skips
    loading and running the encoder. Set from the command line as ``env.nil_reward.alpha=0`` etc.
    """

    alpha: float = 1.0
    """Weight of the video similarity S_video."""
    beta: float = 1.0
    """Weight of the mask IoU."""
    gamma: float = 1.0
    """Weight of the regularization P (a sum of the weighted terms below)."""
    similarity: Literal["l2", "cosine"] = "l2"
    """S_video: ``"l2"``, the negative L2 distance of clip embeddings (paper v1), or ``"cosine"``."""
    encoder_path: str | None = None
    """Where to load the bundle's video encoder from (hub id or local folder); None: the id the bundle records."""
    encoder_dtype: Literal["float32", "bfloat16", "float16"] = "float32"
    """Dtype of the encoder's weights."""
    encoder_batch_size: int | None = 256
    """Most clips per encoder forward pass (bounds its memory with thousands of envs); None: all at once."""
    joint_torques: float = -1.0e-5
    """P_J: squared joint torques [N^2 m^2]."""
    action_rate: float = -0.01
    """P_A: squared change of the action between control steps."""
    joint_vel: float = -1.0e-3
    """P_V: squared joint velocities [rad^2/s^2]."""
    feet_slip: float = -0.25
    """P_F: horizontal speed [m/s] of the feet in contact with the ground."""
    feet_air_time: float = 1.0
    """P_F bonus: at each touchdown, the foot's air time [s] beyond the term's threshold (a slight reward)."""
    torso_tilt: float = -1.0
    """P_S: tilt of the base, the squared horizontal components of gravity in the base frame."""


REGULARIZATION_TERMS = ("joint_torques", "action_rate", "joint_vel", "feet_slip", "feet_air_time", "torso_tilt")
"""The terms of P: names of both the reward terms and their weights in :class:`NILRewardCfg`."""


@configclass
class RewardsCfg:
    """The NIL reward, one term per piece. The weights are set from :class:`NILRewardCfg` by
    :meth:`NILEnvCfg.sync`; the values here are placeholders."""

    video_similarity = RewTerm(func=mdp.reference_video_similarity, weight=0.0)
    mask_iou = RewTerm(func=mdp.reference_mask_iou, weight=0.0)
    joint_torques = RewTerm(func=mdp.joint_torques_l2, weight=0.0)
    action_rate = RewTerm(func=mdp.action_rate_l2, weight=0.0)
    joint_vel = RewTerm(func=mdp.joint_vel_l2, weight=0.0)
    feet_slip = RewTerm(
        func=mdp.feet_slide,
        weight=0.0,
        params={
            "sensor_cfg": SceneEntityCfg("feet_contact"),
            "asset_cfg": SceneEntityCfg("robot", body_names=MISSING),  # the feet, set by set_robot
        },
    )
    feet_air_time = RewTerm(
        func=mdp.feet_air_time_bonus,
        weight=0.0,
        params={"sensor_cfg": SceneEntityCfg("feet_contact"), "threshold": 0.2},
    )
    torso_tilt = RewTerm(func=mdp.flat_orientation_l2, weight=0.0)


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
    events: EventsCfg = EventsCfg()
    terminations: TerminationsCfg = TerminationsCfg()
    rewards: RewardsCfg = RewardsCfg()
    reference: ReferenceCfg = ReferenceCfg()
    follow_camera: FollowCameraCfg = FollowCameraCfg()
    nil_reward: NILRewardCfg = NILRewardCfg()

    def __post_init__(self):
        self.decimation = 4  # 50 Hz control at dt = 5 ms, as on Unitree robots
        self.sim.render_interval = self.decimation
        self.episode_length_s = self.reference.duration_s
        self.compute_final_obs = True  # off-policy learners bootstrap from the true last observation

    def sync(self) -> None:
        """Propagate the reference, reward and camera settings into the scene and the reward terms; call
        after changing them (the env calls it when it is made)."""
        self.episode_length_s = self.reference.duration_s
        self._sync_rewards()
        camera = self.scene.follow_camera
        if camera is None:  # proprioception-only rollouts
            return
        camera.width, camera.height = self.follow_camera.width, self.follow_camera.height
        camera.update_period = 0.0  # render whenever read after a sim step: the reward reads at each new frame
        camera.spawn.focal_length = self.follow_camera.focal_length
        camera.spawn.horizontal_aperture = self.follow_camera.horizontal_aperture
        camera.spawn.vertical_aperture = self.follow_camera.horizontal_aperture * camera.height / camera.width

    def _sync_rewards(self) -> None:
        """Term weights from :class:`NILRewardCfg`; without a bundle the video and mask terms are off."""
        weights = self.nil_reward
        has_reference = self.reference.bundle is not None
        self.rewards.video_similarity.weight = weights.alpha if has_reference else 0.0
        self.rewards.mask_iou.weight = weights.beta if has_reference else 0.0
        for name in REGULARIZATION_TERMS:
            getattr(self.rewards, name).weight = weights.gamma * getattr(weights, name)
        self.scene.feet_contact.history_length = self.decimation  # contacts of every physics step of a control step

    def set_robot(self, spec: RobotSpec, control: str = "position") -> None:
        """Put robot ``spec`` in the scene with its actions, fall limits and prompt name.

        Args:
            spec: the robot.
            control: ``"position"`` (default; PD joint-position targets, what hardware runs) or
                ``"torque"`` (the paper's setting: actions are joint torques, scaled to the
                MJCF effort limits).
        """
        self.scene.robot = robot_cfg(spec, control)
        if control == "torque":
            self.actions.joint_pos = mdp.JointEffortActionCfg(
                asset_name="robot", joint_names=[".*"], scale=joint_effort_limits(spec)
            )
        else:
            self.actions.joint_pos.scale = spec.action_scale
        self.terminations.base_height.params["minimum_height"] = spec.min_base_height
        self.scene.feet_contact.prim_path = "{ENV_REGEX_NS}/Robot/" + spec.foot_bodies
        self.rewards.feet_slip.params["asset_cfg"] = SceneEntityCfg("robot", body_names=spec.foot_bodies)
        self.reference.embodiment = spec.name
        self.follow_camera.offset = spec.camera_offset
