"""The camera fit with a known answer: NIL-H1-Walk's robot rendered through a camera A other than the task's
(moved, turned, tilted, zoomed), then the follow camera fitted to that render's mask from the task's camera
must find A again. The "video" mask is the renderer's own (no random SAM 2 in the way); one env (96 px) is
shared by the module."""

import numpy as np
import pytest
import torch

from isaaclab_nil.metrics import mask_iou
from isaaclab_nil.reference.camera_fit import (
    camera_params,
    fit_camera,
    params_camera,
    start_pose_silhouette,
)

TASK = "NIL-H1-Walk"
SIZE = 96
CAMERA_SIZE = [f"env.scene.follow_camera.width={SIZE}", f"env.scene.follow_camera.height={SIZE}"]


@pytest.fixture(scope="module")
def env():
    from isaaclab_nil.cli.generate import nominal_env

    env = nominal_env(TASK, overrides=CAMERA_SIZE)
    env.reset()
    yield env
    env.close()


@pytest.fixture(scope="module")
def silhouette(env):
    return start_pose_silhouette(env.cfg)


def render_mask(env, camera) -> torch.Tensor:
    from isaaclab_nil.envs.mdp.camera import robot_frames, set_follow_camera

    set_follow_camera(env, camera)
    return robot_frames(env)[1][0].cpu()


def test_the_projected_mask_is_the_renderers(env, silhouette):
    from isaaclab_nil.envs.mdp.commands import follow_camera_spec

    camera = follow_camera_spec(env.cfg)
    assert mask_iou(silhouette.mask(camera), render_mask(env, camera)) > 0.95


@pytest.fixture(scope="module")
def fitted(env, silhouette):
    """Camera A, the renderer's mask through it (the "video" mask), and the fit to that mask from the task's
    camera."""
    from isaaclab_nil.envs.mdp.commands import follow_camera_spec

    default = follow_camera_spec(env.cfg)
    pivot = silhouette.pivot
    # camera A: 15 degrees further round and 8 higher, 10 % further away, 3 degrees off-centre, 20 % more zoom
    offset = np.array([np.radians(15), np.radians(8), np.log(1.1), np.radians(3), np.radians(-2), np.log(1.2)])
    truth = params_camera(camera_params(default, pivot) + offset, pivot, default)
    video_mask = render_mask(env, truth)
    return truth, video_mask, fit_camera(silhouette, video_mask, default)


def test_the_fit_finds_the_camera_a_render_was_made_with(env, silhouette, fitted):
    truth, video_mask, fit = fitted
    pivot = silhouette.pivot
    rendered_iou = float(mask_iou(render_mask(env, fit.camera), video_mask))
    error = camera_params(fit.camera, pivot) - camera_params(truth, pivot)
    position_error = np.linalg.norm(np.subtract(fit.camera.pos, truth.pos))
    print(f"fit: rendered IoU {rendered_iou:.3f}, projected {fit.iou:.3f}, {fit.evaluations} evaluations")
    print(f"  position error {position_error:.3f} m, parameter errors {np.round(error, 4)}")
    assert rendered_iou > 0.9 and fit.iou > 0.9
    assert abs(error[0]) < np.radians(5) and abs(error[1]) < np.radians(4)  # azimuth, elevation
    assert abs(error[3]) < np.radians(2) and abs(error[4]) < np.radians(2)  # where it looks
    assert abs(error[5]) < 0.05  # zoom (focal length per metre): the image scale, well pinned
    assert abs(error[2]) < 0.15 and position_error < 0.5  # distance trades off against focal length


def test_the_bundle_records_the_fitted_camera_and_the_env_films_with_it(
    env, fitted, segmenter, encoder, tmp_path, capsys
):
    from isaaclab_nil.cli.generate import describe_camera_fit
    from isaaclab_nil.envs.factory import apply_reference, make_env_cfg
    from isaaclab_nil.envs.mdp.camera import robot_frames, set_follow_camera
    from isaaclab_nil.envs.mdp.commands import follow_camera_spec
    from isaaclab_nil.reference.bundle import load_bundle
    from isaaclab_nil.reference.generators import ImportedVideo
    from isaaclab_nil.reference.pipeline import ReferenceSpec, build_reference_bundle

    _, video_mask, fit = fitted
    set_follow_camera(env, fit.camera)
    rgb, mask = (x[0].cpu() for x in robot_frames(env))
    camera_fit = describe_camera_fit(fit, mask)
    assert f"IoU {camera_fit['rendered_iou']:.2f}" in capsys.readouterr().out and camera_fit["rendered_iou"] > 0.9
    video = ImportedVideo(rgb.expand(9, -1, -1, -1).clone(), 24.0, {"kind": "imported", "path": "a render"})
    reference = env.cfg.commands.reference
    spec = ReferenceSpec(reference.embodiment, TASK, reference.prompt, fit.camera, camera_fit=camera_fit)
    with pytest.warns(UserWarning, match="first frame"):  # the random SAM 2's box-prompted mask is empty
        out = build_reference_bundle(rgb, mask, spec, video, segmenter, encoder, tmp_path / "bundle", batch_size=9)

    meta = load_bundle(out).meta
    assert meta.camera == fit.camera and meta.camera_fit == camera_fit
    cfg = make_env_cfg(TASK, overrides=[*CAMERA_SIZE, f"env.commands.reference.bundle={out}"])
    filmed = follow_camera_spec(apply_reference(cfg))
    for name in ("pos", "rot_xyzw", "fx", "fy", "cx", "cy"):
        assert getattr(filmed, name) == pytest.approx(getattr(fit.camera, name), rel=1e-6), name


def test_a_fit_at_another_resolution_than_the_search_keeps_the_image_scale(env, silhouette):
    """The search runs at 96 px: a 160 x 192 camera's fit must come back in its own pixels (focal length scaled,
    principal point at its centre)."""
    from isaaclab_nil.envs.mdp.commands import follow_camera_spec
    from isaaclab_nil.reference.camera_fit import resize_camera

    start = resize_camera(follow_camera_spec(env.cfg), 160, 192)
    pivot = silhouette.pivot
    truth = params_camera(camera_params(start, pivot) + np.array([0.1, 0.05, 0.0, 0.04, 0.02, 0.1]), pivot, start)
    fit = fit_camera(silhouette, silhouette.mask(truth), start)
    assert fit.camera.resolution == (160, 192) and (fit.camera.cx, fit.camera.cy) == (96.0, 80.0)
    assert fit.iou > 0.9
    assert abs(camera_params(fit.camera, pivot)[5] - camera_params(truth, pivot)[5]) < 0.05  # the zoom
