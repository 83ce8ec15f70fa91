"""The task's built-in reference (no sim here): where it lives, what makes a new one, and that a half-written
one is never reused. The whole loop on it (generate, train, eval) runs in tests/workflows/test_train_resume_play."""

import pytest

from isaaclab_nil.errors import UsageError
from isaaclab_nil.reference import builtin
from isaaclab_nil.reference.bundle import CameraSpec
from isaaclab_nil.reference.encoder import VideoEncoder
from isaaclab_nil.tasks.go2.robot import GO2
from isaaclab_nil.tasks.h1.robot import H1

CAMERA = CameraSpec((0.0, -3.0, 1.0), (0.0, 0.0, 0.7071, 0.7071), 64, 64, 60.0, 60.0, 32.0, 32.0)


def test_the_key_is_what_shapes_the_reference(tmp_path):
    def path(task="NIL-H1-Walk", motion="walk", camera=CAMERA, overrides=(), legs=H1.legs):
        return builtin.builtin_reference(task, motion, legs, camera, overrides, root=tmp_path).path

    reference = path()
    assert reference.parent == tmp_path and reference.name.startswith("NIL-H1-Walk-walk-")
    assert path() == reference and path("NIL-H1-Walk-Paper") == reference  # variants share references
    assert path(overrides=["env.rewards.mask_iou.weight=0", "agent.learning_starts=5"]) == reference
    assert path(motion="march") != reference
    assert path(camera=CameraSpec(**{**CAMERA.__dict__, "height": 96, "width": 96})) != reference
    assert path(overrides=["env.scene.robot.spawn.fix_base=true"]) != reference
    assert path(overrides=["env.commands.reference.fps=25"]) != reference
    with pytest.raises(UsageError, match="builtin_motion='hop': no known-answer motion 'hop'"):
        path(motion="hop")
    assert path("NIL-Go2-Walk", "trot", legs=GO2.legs).name.startswith("NIL-Go2-Walk-trot-")
    with pytest.raises(UsageError, match="builtin_motion='walk': a robot with 4 legs cannot walk"):
        path("NIL-Go2-Walk", "walk", legs=GO2.legs)


def test_nil_generate_gets_the_motion_the_random_encoder_and_the_shaping_overrides(tmp_path):
    overrides = ["env.scene.follow_camera.width=64", "env.rewards.mask_iou.weight=0"]
    reference = builtin.builtin_reference(
        "NIL-H1-Walk", "walk", H1.legs, CAMERA, overrides, device="cpu", root=tmp_path
    )
    args = list(reference.generate_args)
    assert args[:5] == ["generate", "--task", "NIL-H1-Walk", "--known-answer", "walk"]
    assert "env.scene.follow_camera.width=64" in args and "env.rewards.mask_iou.weight=0" not in args
    encoder = args[args.index("--encoder") + 1]
    assert VideoEncoder.from_pretrained(encoder).info.dim == 32  # save_random_encoder's small default
    assert builtin.random_encoder(tmp_path).resolve() == type(reference.path)(encoder)  # made once, then reused


def test_a_half_written_reference_is_never_reused(tmp_path, monkeypatch):
    reference = builtin.BuiltinReference(tmp_path / "NIL-H1-Walk-walk-0123456789", ("generate",))
    calls = []

    def killed(args):  # nil generate dies half-way through writing
        out = args[args.index("--out") + 1]
        calls.append(out)
        (tmp_path / out).mkdir(parents=True)
        (tmp_path / out / "frames.npz").write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(builtin, "_run_nil", killed)
    with pytest.raises(KeyboardInterrupt):
        reference.make()
    assert not reference.exists()  # only the partial folder exists, under another name

    def finishes(args):
        out = tmp_path / args[args.index("--out") + 1]
        assert not out.exists()  # the stale partial was cleared first
        out.mkdir()
        (out / "meta.json").write_text("{}")

    monkeypatch.setattr(builtin, "_run_nil", finishes)
    assert reference.make() == reference.path and (reference.path / "meta.json").is_file()
    monkeypatch.setattr(builtin, "_run_nil", killed)
    assert reference.make() == reference.path  # complete: reused, not made again
    assert len(calls) == 1
