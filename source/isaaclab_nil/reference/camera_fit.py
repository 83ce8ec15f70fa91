"""Fitting the follow camera to a video made elsewhere (``nil generate --video FILE --fit-camera``).

A video made with another tool films the robot from its own camera: another distance, height, heading, tilt
and field of view than the task's follow camera, so the simulator's mask of the robot cannot match the
video's. The fit finds the follow camera (offset, yaw, pitch, focal length; no roll) under which the robot in
its start pose covers the pixels the video's first frame shows it on.

The simulator's mask of a candidate camera is computed without the renderer: points sampled on the robot's
visual meshes at its start pose (MuJoCo, from the task's MJCF) are projected with the pinhole model onto a
finer grid (:data:`FINE_SIZE`), closed, and a pixel counts as robot where more than half of it is covered (as
the renderer, which casts one ray through each pixel's centre: its mask and this one agree to an IoU of 0.98
at 96 px for the H1).
The search: the start camera and copies of it moved around the robot (every 30 degrees), each first aligned
to the video's mask (centroid by yaw and pitch, area by focal length), then Nelder-Mead on the soft IoU from
the best few. Distance and focal length trade off nearly exactly (a dolly zoom changes only the perspective),
so their ratio is what the fit pins down best.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np
import torch
import torch.nn.functional as F
from scipy.optimize import minimize
from scipy.spatial.transform import Rotation

from ..metrics import mask_iou
from .bundle import CameraSpec

FINE_SIZE = 768
"""Longer side [sub-pixels] of the grid the points are projected onto: the 60 000 points cover it without gaps
once closed (8 sub-pixels per pixel at 96 px, 3 at 224 px)."""
FIT_SIZE = 96
"""Longer image side [px] the search runs at (the fitted camera comes back at the start camera's resolution)."""
ORBIT_STEP_DEG = 30.0
"""Azimuth step of the start cameras moved around the robot."""
POLISHED = 3
"""Start cameras refined by Nelder-Mead."""
SIMPLEX_STEPS = (np.radians(10.0), np.radians(5.0), 0.15, np.radians(2.0), np.radians(2.0), 0.05)
"""Initial simplex steps of the parameters (:func:`camera_params`)."""


@dataclass(frozen=True)
class CameraFit:
    """The fitted camera and how well it matches the video's mask."""

    camera: CameraSpec
    target: torch.Tensor
    """The video's bool (H, W) robot mask the camera was fitted to."""
    iou: float
    """IoU of the projected mask under ``camera`` with ``target``."""
    evaluations: int

    def describe(self) -> dict:
        """What ``meta.json`` records of the fit (beside the camera itself)."""
        return {"method": "silhouette", "projected_iou": round(self.iou, 4), "evaluations": self.evaluations}


class RobotSilhouette:
    """Points on the robot's visual geometry in its start pose, relative to the follow camera's anchor (the
    base's x and y, the env origin's height: see :mod:`isaaclab_nil.envs.mdp.camera`)."""

    def __init__(self, points: np.ndarray):
        self.points = torch.as_tensor(points, dtype=torch.float32)
        self.pivot = (points.min(0) + points.max(0)) / 2
        """The centre of the points' bounding box, which the searched cameras are placed around."""

    @classmethod
    def from_mjcf(
        cls,
        path: str,
        base_pos: tuple[float, float, float],
        base_rot_xyzw: tuple[float, float, float, float],
        joint_pos: dict[str, float],
        count: int = 60_000,
        seed: int = 0,
    ) -> RobotSilhouette:
        """The robot of MJCF ``path`` with its base at ``base_pos`` and its joints at ``joint_pos`` (regex ->
        value, as an Isaac Lab initial state; unmatched joints stay at 0). Visual geoms (no collisions) are what
        the renderer draws; a model without them is drawn by its collision geoms."""
        import mujoco

        model = mujoco.MjModel.from_xml_path(str(path))
        data = mujoco.MjData(model)
        free = [j for j in range(model.njnt) if model.jnt_type[j] == mujoco.mjtJoint.mjJNT_FREE]
        if free:
            address = model.jnt_qposadr[free[0]]
            x, y, z, w = base_rot_xyzw
            data.qpos[address : address + 7] = (*base_pos, w, x, y, z)
        for j in range(model.njnt):
            value = next((v for p, v in joint_pos.items() if re.fullmatch(p, model.joint(j).name)), None)
            if value is not None and j not in free:
                data.qpos[model.jnt_qposadr[j]] = value
        mujoco.mj_kinematics(model, data)
        geoms = [g for g in range(model.ngeom) if model.geom_contype[g] == 0 and model.geom_conaffinity[g] == 0]
        geoms = geoms or list(range(model.ngeom))
        rng = np.random.default_rng(seed)
        weights = model.geom_rbound[geoms] ** 2
        points = []
        for geom, weight in zip(geoms, weights / weights.sum()):
            local = _geom_points(model, geom, max(64, round(count * weight)), rng)
            points.append(data.geom_xpos[geom] + local @ data.geom_xmat[geom].reshape(3, 3).T)
        points = np.concatenate(points)
        points[:, :2] -= np.asarray(base_pos[:2])
        return cls(points)

    def coverage(self, camera: CameraSpec) -> torch.Tensor:
        """float (H, W): the share of each pixel the robot covers under ``camera``."""
        s = max(1, round(FINE_SIZE / max(camera.resolution)))
        height, width = camera.height * s, camera.width * s
        rotation = torch.as_tensor(Rotation.from_quat(camera.rot_xyzw).as_matrix(), dtype=torch.float32)
        local = (self.points - torch.tensor(camera.pos, dtype=torch.float32)) @ rotation  # forward x, left y, up z
        local = local[local[:, 0] > 1e-3]
        u = ((camera.cx - camera.fx * local[:, 1] / local[:, 0]) * s).floor().long()
        v = ((camera.cy - camera.fy * local[:, 2] / local[:, 0]) * s).floor().long()
        inside = (u >= 0) & (u < width) & (v >= 0) & (v < height)
        fine = torch.zeros(height * width, dtype=torch.bool)
        fine[v[inside] * width + u[inside]] = True
        fine = fine.view(height, width)
        fine = _spread(_spread(fine, torch.logical_or), torch.logical_and)  # closing: fills the gaps between points
        return F.avg_pool2d(fine[None, None].float(), s)[0, 0]

    def mask(self, camera: CameraSpec) -> torch.Tensor:
        """bool (H, W): the robot's mask under ``camera``, as the renderer's segmentation would give it."""
        return self.coverage(camera) > 0.5


def start_pose_silhouette(env_cfg) -> RobotSilhouette:
    """The robot of an env config (its MJCF spawn) in the pose it resets into without noise: its initial state."""
    robot = env_cfg.scene.robot
    state = robot.init_state
    return RobotSilhouette.from_mjcf(robot.spawn.asset_path, state.pos, state.rot, state.joint_pos)


def camera_params(camera: CameraSpec, pivot: np.ndarray) -> np.ndarray:
    """The searched parameters of a camera, chosen so that each moves the image in its own way: where it sits
    seen from ``pivot`` (the robot's centre): azimuth, elevation [rad] and log distance [m]; where it looks
    relative to the pivot: yaw and pitch [rad] (each shifts the image); log zoom, the focal length [px] per
    metre of distance (scales the image)."""
    yaw, pitch, _ = Rotation.from_quat(camera.rot_xyzw).as_euler("ZYX")
    offset = np.asarray(camera.pos) - pivot
    distance = float(np.linalg.norm(offset))
    azimuth, elevation = np.arctan2(offset[1], offset[0]), np.arcsin(offset[2] / distance)
    look_yaw = _wrap(yaw - azimuth - np.pi)
    return np.array([azimuth, elevation, np.log(distance), look_yaw, pitch - elevation, np.log(camera.fx / distance)])


def params_camera(params: np.ndarray, pivot: np.ndarray, like: CameraSpec) -> CameraSpec:
    """The camera of :func:`camera_params` ``params``, with ``like``'s resolution and principal point."""
    azimuth, elevation, log_distance, look_yaw, look_pitch, log_zoom = (float(p) for p in params)
    distance = np.exp(log_distance)
    direction = np.array([np.cos(elevation) * np.cos(azimuth), np.cos(elevation) * np.sin(azimuth), np.sin(elevation)])
    pos = tuple(float(x) for x in pivot + distance * direction)
    yaw, pitch = azimuth + np.pi + look_yaw, elevation + look_pitch
    rot = tuple(float(q) for q in Rotation.from_euler("ZY", [yaw, pitch]).as_quat())
    focal = float(np.exp(log_zoom) * distance)
    return replace(like, pos=pos, rot_xyzw=rot, fx=focal, fy=focal)


def resize_camera(camera: CameraSpec, height: int, width: int) -> CameraSpec:
    """The same camera at another resolution of about the same aspect: focal length scaled with the width,
    principal point at the centre (the follow camera's)."""
    focal = camera.fx * width / camera.width
    return replace(camera, height=height, width=width, fx=focal, fy=focal, cx=width / 2, cy=height / 2)


def fit_camera(silhouette: RobotSilhouette, target: torch.Tensor, start: CameraSpec) -> CameraFit:
    """The follow camera under which ``silhouette`` best covers ``target``, the video's bool (H, W) robot mask
    at ``start``'s resolution, searched from ``start`` (the task's camera). See the module docstring."""
    if tuple(target.shape) != start.resolution:
        raise ValueError(f"the video mask is {tuple(target.shape)}, the camera is {start.resolution}")
    if not target.any():
        raise ValueError("the video mask is empty: no robot found in the first frame")
    target = target.cpu()
    scale = min(1.0, FIT_SIZE / max(start.resolution))
    small = resize_camera(start, round(start.height * scale), round(start.width * scale))
    goal = F.interpolate(target[None, None].float(), size=small.resolution, mode="area")[0, 0]
    pivot = silhouette.pivot
    evaluations = 0

    def loss(params: np.ndarray) -> float:
        nonlocal evaluations
        evaluations += 1
        covered = silhouette.coverage(params_camera(params, pivot, small))
        return 1.0 - float(torch.minimum(covered, goal).sum() / torch.maximum(covered, goal).sum().clamp(min=1e-6))

    first = camera_params(small, pivot)
    orbits = [first + np.array([angle, 0, 0, 0, 0, 0]) for angle in np.radians(np.arange(0, 360, ORBIT_STEP_DEG))]
    starts = sorted((_aligned(silhouette, goal, p, small) for p in orbits), key=loss)[:POLISHED]
    best = min((_polish(loss, p) for p in starts), key=loss)
    camera = resize_camera(params_camera(best, pivot, small), *start.resolution)
    return CameraFit(camera, target, float(mask_iou(silhouette.mask(camera), target)), evaluations)


def _polish(loss, params: np.ndarray, rounds: int = 2) -> np.ndarray:
    """Nelder-Mead from ``params``, restarted once from its result (a collapsed simplex stops early)."""
    for _ in range(rounds):
        simplex = np.vstack([params, params + np.diag(SIMPLEX_STEPS)])
        options = {"initial_simplex": simplex, "maxfev": 300, "xatol": 1e-3, "fatol": 1e-4}
        params = minimize(loss, params, method="Nelder-Mead", options=options).x
    return params


def _aligned(
    silhouette: RobotSilhouette, goal: torch.Tensor, params: np.ndarray, like: CameraSpec, steps: int = 3
) -> np.ndarray:
    """``params`` turned and zoomed so that the projected mask's centroid and area match ``goal``'s (small-angle
    steps: a yaw of du / f moves the image by du pixels, a pitch of dv / f by -dv; the area grows as f^2)."""
    params = params.copy()
    for _ in range(steps):
        camera = params_camera(params, silhouette.pivot, like)
        covered = silhouette.coverage(camera)
        if covered.sum() < 1.0:
            return params  # the robot is out of view: leave it to be ranked last
        (u, v), (goal_u, goal_v) = _centroid(covered), _centroid(goal)
        params[3] += (goal_u - u) / camera.fx
        params[4] -= (goal_v - v) / camera.fx
        params[5] += 0.5 * np.log(float(goal.sum() / covered.sum()))
    return params


def _centroid(weights: torch.Tensor) -> tuple[float, float]:
    """(u, v) centre of mass of an (H, W) weight map, in pixels."""
    rows, cols = torch.meshgrid(torch.arange(weights.shape[0]), torch.arange(weights.shape[1]), indexing="ij")
    total = weights.sum()
    return float((weights * (cols + 0.5)).sum() / total), float((weights * (rows + 0.5)).sum() / total)


def _spread(image: torch.Tensor, op) -> torch.Tensor:
    """Each pixel of a bool (H, W) image combined by ``op`` with its 3x3 neighbours (dilation with
    ``logical_or``, erosion with ``logical_and``; outside the image counts as neutral)."""
    padded = F.pad(image, (1, 1, 1, 1), value=op is torch.logical_and)
    rows = op(op(padded[:, :-2], padded[:, 1:-1]), padded[:, 2:])
    return op(op(rows[:-2], rows[1:-1]), rows[2:])


def _wrap(angle: float) -> float:
    """``angle`` in [-pi, pi)."""
    return (angle + np.pi) % (2 * np.pi) - np.pi


def _geom_points(model, geom: int, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` points (count, 3) in the geom's frame: on a mesh's triangles (area-weighted), inside a primitive
    (its silhouette is the same)."""
    import mujoco

    kind, size = model.geom_type[geom], model.geom_size[geom]
    if kind == mujoco.mjtGeom.mjGEOM_MESH:
        mesh = model.geom_dataid[geom]
        start, faces = model.mesh_faceadr[mesh], model.mesh_facenum[mesh]
        vertices = model.mesh_vert[model.mesh_vertadr[mesh] : model.mesh_vertadr[mesh] + model.mesh_vertnum[mesh]]
        triangles = vertices[model.mesh_face[start : start + faces]]
        area = np.linalg.norm(np.cross(triangles[:, 1] - triangles[:, 0], triangles[:, 2] - triangles[:, 0]), axis=1)
        chosen = triangles[rng.choice(faces, count, p=area / area.sum())]
        a, b = rng.random((2, count, 1))
        flip = a + b > 1.0  # fold the unit square onto the triangle
        a[flip], b[flip] = 1.0 - a[flip], 1.0 - b[flip]
        return chosen[:, 0] + a * (chosen[:, 1] - chosen[:, 0]) + b * (chosen[:, 2] - chosen[:, 0])
    r, h = size[0], size[1]
    half, inside = {
        mujoco.mjtGeom.mjGEOM_BOX: (size, lambda p: np.ones(len(p), bool)),
        mujoco.mjtGeom.mjGEOM_SPHERE: ((r, r, r), lambda p: (p**2).sum(1) <= r**2),
        mujoco.mjtGeom.mjGEOM_ELLIPSOID: (size, lambda p: ((p / size) ** 2).sum(1) <= 1.0),
        mujoco.mjtGeom.mjGEOM_CYLINDER: ((r, r, h), lambda p: (p[:, :2] ** 2).sum(1) <= r**2),
        mujoco.mjtGeom.mjGEOM_CAPSULE: (
            (r, r, h + r),
            lambda p: (p[:, :2] ** 2).sum(1) + np.maximum(np.abs(p[:, 2]) - h, 0.0) ** 2 <= r**2,
        ),
    }.get(kind, ((0.0, 0.0, 0.0), lambda p: np.zeros(len(p), bool)))  # planes and height fields: not the robot
    candidates = rng.uniform(-1.0, 1.0, (3 * count, 3)) * np.asarray(half)
    return candidates[inside(candidates)][:count]
