"""Bad input is one clear error before any simulator starts: misspelled or ill-typed overrides, an unknown task,
no envs, a device this machine lacks, a corrupt bundle. Each command prints one line and exits with 2 (bad
usage) or 1 (a failure), with no traceback unless ``--debug``.

The commands run in this process (they fail before an env exists); the overrides' checks also run on the configs
directly, without a command.
"""

import importlib.util
import json
from pathlib import Path

import pytest

from isaaclab_nil.cli import main as nil
from isaaclab_nil.overrides import OverrideError, check_overrides

REPO = Path(__file__).resolve().parents[2]
TASK = "NIL-H1-Walk"


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


@pytest.fixture(scope="module")
def cfgs():
    from isaaclab_nil.envs.factory import registered_cfg

    return {"env": registered_cfg(TASK), "agent": registered_cfg(TASK, "bro_cfg_entry_point")}


def _one_line_error(capsys, expected: str) -> str:
    err = capsys.readouterr().err.strip()
    assert expected in err, err
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    return err


@pytest.mark.parametrize(
    "override, message",
    [
        ("env.rewards.mask_iuo.weight=0", "did you mean env.rewards.mask_iou?"),
        ("env.nonexistent=1", "env has no field 'nonexistent'"),
        ("agent.algorithm.batchsize=3", "did you mean agent.algorithm.batch_size?"),
        ("agent.algorithm.batch_size=abc", "agent.algorithm.batch_size: expected an integer (like 128), got 'abc'"),
        ("agent.algorithm.tau=fast", "expected a number"),
        ("agent.progress_bar=1", "expected true or false"),
        ("env.rewards.mask_iou=0", "env.rewards.mask_iou is a group of settings"),
        ("env.commands.reference.fps.value=3", "env.commands.reference.fps is a value"),
        ("env.commands.reference.fps=null", "expected a number (like 24.0), got None"),  # not an optional field
        ("rewards.mask_iou.weight=0", "must look like env.<field>=<value> or agent.<field>=<value>"),
    ],
)
def test_a_bad_override_names_itself_and_the_fix(cfgs, override, message):
    with pytest.raises(OverrideError, match=message.replace("?", r"\?").replace("(", r"\(").replace(")", r"\)")):
        check_overrides([override], cfgs)


def test_good_overrides_pass(cfgs):
    check_overrides(
        [
            "env.rewards.mask_iou.weight=0",
            "env.scene.follow_camera.offset.pos=[0.0,-5.0,2.0]",
            'env.actions.joints.joint_names=[".*_knee"]',
            "env.rewards.video_similarity.similarity=neg_l2",
            "env.commands.reference.bundle=/some/folder",
            "env.commands.reference.builtin_motion=null",  # declared str | None
            "agent.algorithm.tau=1",  # an integer is a number
            "agent.algorithm.reset_steps=[1000,2000]",
            "agent.progress_bar=false",
            "physics=newton_mjwarp",  # Isaac Lab's preset selectors pass through
        ],
        cfgs,
    )


@pytest.mark.parametrize(
    "argv, message",
    [
        (["env.rewards.mask_iuo.weight=0"], "did you mean env.rewards.mask_iou?"),
        (["agent.algorithm.batch_size=abc"], "expected an integer"),
        (["--num_envs", "0"], "--num_envs must be at least 1, got 0"),
        (["--device", "cuda:0"], "--device cuda:0: this machine has 0 CUDA device(s); use --device cpu"),
        (["--device", "gpu7"], "is not a device"),
        (["--task", "NIL-H1-Wlak"], "unknown task 'NIL-H1-Wlak'; did you mean NIL-H1-Walk?"),
    ],
)
def test_train_refuses_bad_usage_in_one_line_before_the_simulator(capsys, argv, message, tmp_path):
    argv = ["--task", TASK, *argv] if "--task" not in argv else argv
    assert _script("train")([*argv, "--log_root", str(tmp_path)]) == 2
    assert _one_line_error(capsys, message).startswith("train: error: ")
    assert not any(tmp_path.iterdir())  # nothing was written


def test_a_corrupt_bundle_is_one_line_with_the_fix(capsys, tmp_path):
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "meta.json").write_text("{ not json")
    assert _script("train")(["--task", TASK, "--bundle", str(bundle), "--log_root", str(tmp_path / "logs")]) == 1
    _one_line_error(capsys, "meta.json: not valid JSON, the file is corrupt")
    with pytest.raises(Exception, match="not valid JSON"):  # --debug shows the error itself
        _script("train")(["--task", TASK, "--bundle", str(bundle), "--debug", "--log_root", str(tmp_path / "logs")])


def test_a_bundle_for_another_robot_says_how_to_make_one(capsys, tmp_path):
    from isaaclab_nil.reference.bundle import META_FILE, BundleMeta, CameraSpec
    from isaaclab_nil.reference.encoder import K400_MEAN, K400_STD, EncoderInfo

    camera = CameraSpec((0.0, -3.0, 1.0), (0.0, 0.0, 0.7071, 0.7071), 32, 32, 37.0, 37.0, 16.0, 16.0)
    meta = BundleMeta(
        robot="Unitree G1 humanoid robot",
        task="NIL-G1-Walk",
        prompt="",
        camera=camera,
        fps=24.0,
        num_frames=8,
        seed=0,
        source={},
        encoder=EncoderInfo("tiny", None, "cls", 32, "float32", K400_MEAN, K400_STD),
        segmenter={},
        mask_background="white",
    )
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / META_FILE).write_text(json.dumps(meta.to_dict()))
    assert _script("train")(["--task", TASK, "--bundle", str(bundle), "--log_root", str(tmp_path / "logs")]) == 1
    _one_line_error(
        capsys,
        "this bundle was made for NIL-G1-Walk: use it with that task, or make one for this "
        "task with `nil generate --task NIL-H1-Walk`",
    )


def test_nil_refuses_bad_usage_in_one_line(capsys):
    assert nil(["eval", "--task", TASK, "--bundle", "x", "--policy", "zero", "env.rewards.mask_iuo.weight=0"]) == 2
    _one_line_error(capsys, "nil eval: error: unknown override key env.rewards.mask_iuo")
    assert nil(["generate", "--task", "NIL-H2-Walk", "--known-answer", "walk"]) == 2
    _one_line_error(capsys, "nil generate: error: unknown task 'NIL-H2-Walk'")


def test_play_refuses_a_bundle_the_run_did_not_train_on(capsys, tmp_path):
    run = tmp_path / "logs" / TASK / "run"
    run.mkdir(parents=True)
    (run / "model_10.pt").write_bytes(b"")
    (run / "run.json").write_text(json.dumps({"overrides": [], "bundle": "trained_on", "bundle_digest": "0" * 64}))
    other = tmp_path / "other"
    other.mkdir()
    (other / "meta.json").write_text("{}")
    assert _script("play")(["--task", TASK, "--log_root", str(tmp_path / "logs"), "--bundle", str(other)]) == 2
    _one_line_error(capsys, "is not the reference this run trained on (trained_on); leave --bundle out")
