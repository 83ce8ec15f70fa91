"""MDP terms of the NIL tasks: Isaac Lab's stock terms plus NIL's own (reference command, camera, rewards, safety,
and the hardware preset's action latency and motor strength)."""

from isaaclab.envs.mdp import *  # noqa: F401,F403
from isaaclab_tasks.core.velocity.mdp import feet_slide  # noqa: F401

from .actions import DelayedJointPositionAction, DelayedJointPositionActionCfg  # noqa: F401
from .camera import follow_camera_pose, robot_frames  # noqa: F401
from .commands import PHASE_FREQUENCIES, ReferenceCommand, ReferenceCommandCfg  # noqa: F401
from .events import clear_diverged_solver_data, hold_default_pose, randomize_motor_strength  # noqa: F401
from .rewards import (  # noqa: F401
    VideoSimilarityTermCfg,
    check_similarity,
    feet_air_time_bonus,
    reference_mask_iou,
    reference_video_similarity,
)
from .terminations import nonfinite_state, reference_finished  # noqa: F401
