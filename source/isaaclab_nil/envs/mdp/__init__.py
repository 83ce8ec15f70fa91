"""MDP terms of the NIL tasks: Isaac Lab's stock terms plus NIL's own (camera, phase, safety)."""

from isaaclab.envs.mdp import *  # noqa: F401,F403

from .camera import follow_camera_pose, robot_frames  # noqa: F401
from .observations import reference_phase  # noqa: F401
from .terminations import nonfinite_state  # noqa: F401
