"""The known-answer motions' math (NumPy only, no simulator)."""

import numpy as np
import pytest

from isaaclab_nil.reference.motions import LegTuck, MarchGait, WalkGait

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


@pytest.mark.parametrize("name, motion", [("walk", WalkGait()), ("march", MarchGait()), ("tuck", LegTuck())])
def test_the_h1_motions_keep_their_offsets(name, motion):
    offsets = motion.joint_offsets(PINNED_TIMES, H1_COLUMNS)
    np.testing.assert_allclose(offsets, PINNED_H1_OFFSETS[name], rtol=0, atol=1e-9)


def test_the_h1_walk_keeps_its_base_motion():
    walk = WalkGait()
    np.testing.assert_allclose(walk.forward_position(PINNED_TIMES), [0.0, 0.011475, 0.1403838975, 0.375, 1.05, 1.3])
    np.testing.assert_allclose(walk.forward_velocity(PINNED_TIMES), [0.0, 0.108, 0.432817, 0.5, 0.5, 0.5])
