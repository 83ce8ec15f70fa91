"""Bundle round trip and every validation error."""

import dataclasses
import json
import shutil

import numpy as np
import pytest
import torch

from isaaclab_nil.reference.bundle import (
    FRAMES_FILE,
    MASKS_FILE,
    META_FILE,
    SCHEMA_VERSION,
    BundleExpectation,
    load_bundle,
    save_bundle,
    sha256_file,
)
from isaaclab_nil.reference.errors import BundleError


@pytest.fixture
def bundle_dir(tmp_path, generated_bundle):
    """A private copy of the generated bundle that a test may damage."""
    return shutil.copytree(generated_bundle, tmp_path / "bundle")


def test_round_trip_is_exact(tmp_path, generated_bundle):
    original = load_bundle(generated_bundle)
    copy = save_bundle(
        tmp_path / "copy", original.meta, original.frames, original.masks, original.embeddings, original.first_frame
    )
    again = load_bundle(copy)
    for name in ("frames", "masks", "embeddings", "first_frame"):
        assert torch.equal(getattr(again, name), getattr(original, name)), name
    assert again.meta.files[FRAMES_FILE] == original.meta.files[FRAMES_FILE]
    assert (again.meta.encoder.dtype, again.meta.encoder.mean) == ("float32", (0.5, 0.5, 0.5))  # the tiny encoder's
    moved = again.to("cpu")
    assert moved.embeddings.dtype == torch.float32 and moved.masks.dtype == torch.bool


@pytest.mark.parametrize(
    "change, field",
    [
        (dict(robot="unitree_g1"), "robot"),
        (dict(task="NIL-H1-Run"), "task"),
        (dict(camera_pos=(0.0, -4.0, 1.0)), "camera.pos"),
        (dict(camera_size=(48, 64)), "resolution"),
        (dict(encoder_id="facebook/timesformer-base-finetuned-k400"), "encoder.id"),
        (dict(encoder_dim=768), "encoder.dim"),
        (dict(encoder_token="mean"), "encoder.token"),
        (dict(encoder_dtype="bfloat16"), "encoder.dtype"),
        (dict(encoder_mean=(0.45, 0.45, 0.45)), "encoder.mean"),
    ],
)
def test_a_bundle_made_for_something_else_is_refused(generated_bundle, spec, encoder, change, field):
    camera = spec.camera
    if "camera_pos" in change:
        camera = dataclasses.replace(camera, pos=change["camera_pos"])
    if "camera_size" in change:
        camera = dataclasses.replace(camera, height=change["camera_size"][0], width=change["camera_size"][1])
    info = dataclasses.replace(
        encoder.info,
        id=change.get("encoder_id", encoder.info.id),
        dim=change.get("encoder_dim", encoder.info.dim),
        token=change.get("encoder_token", encoder.info.token),
        dtype=change.get("encoder_dtype", encoder.info.dtype),
        mean=change.get("encoder_mean", encoder.info.mean),
    )
    expect = BundleExpectation(change.get("robot", spec.robot), change.get("task", spec.task), camera, info)
    with pytest.raises(BundleError, match=rf"{field}.* is .* in the bundle but .* is expected"):
        load_bundle(generated_bundle, expect)


def test_a_variant_of_the_task_accepts_its_bundle(generated_bundle, spec):
    """NIL-H1-Walk-Paper (torque actions) trains on a bundle made for NIL-H1-Walk: same robot, skill and camera."""
    assert spec.task == "NIL-H1-Walk"
    load_bundle(generated_bundle, BundleExpectation(spec.robot, "NIL-H1-Walk-Paper", spec.camera))


def test_an_encoder_of_another_revision_is_refused(tmp_path, generated_bundle, encoder):
    original = load_bundle(generated_bundle)
    meta = dataclasses.replace(original.meta, encoder=dataclasses.replace(encoder.info, revision="abc123"))
    path = save_bundle(tmp_path / "b", meta, original.frames, original.masks, original.embeddings, original.first_frame)
    newer = dataclasses.replace(encoder.info, revision="def456")
    with pytest.raises(BundleError, match="encoder.revision is 'abc123' in the bundle but 'def456' is expected"):
        load_bundle(path, BundleExpectation(encoder=newer))
    load_bundle(path, BundleExpectation(encoder=encoder.info))  # a local folder (no revision) is not compared


def test_missing_file(bundle_dir):
    (bundle_dir / MASKS_FILE).unlink()
    with pytest.raises(BundleError, match=f"{MASKS_FILE}: missing"):
        load_bundle(bundle_dir)


def test_truncated_file(bundle_dir):
    path = bundle_dir / FRAMES_FILE
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(BundleError, match="truncated"):
        load_bundle(bundle_dir)


def test_corrupt_file_same_size(bundle_dir):
    path = bundle_dir / MASKS_FILE
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(BundleError, match=r"masks.npz: sha256 .* \(corrupt or modified\)"):
        load_bundle(bundle_dir)


def test_hash_mismatch_in_meta(bundle_dir):
    meta = json.loads((bundle_dir / META_FILE).read_text())
    meta["files"]["embeddings.safetensors"]["sha256"] = "0" * 64
    (bundle_dir / META_FILE).write_text(json.dumps(meta))
    with pytest.raises(BundleError, match="embeddings.safetensors: sha256"):
        load_bundle(bundle_dir)


def test_unreadable_file_whose_hash_was_recomputed(bundle_dir):
    """Damage that the hashes cannot see (someone re-hashed a broken file) still gives the clear error."""
    path = bundle_dir / FRAMES_FILE
    path.write_bytes(b"not a zip archive")
    meta = json.loads((bundle_dir / META_FILE).read_text())
    meta["files"][FRAMES_FILE] = {"sha256": sha256_file(path), "bytes": path.stat().st_size}
    (bundle_dir / META_FILE).write_text(json.dumps(meta))
    with pytest.raises(BundleError, match="cannot be read"):
        load_bundle(bundle_dir)


def test_shapes_that_contradict_meta(bundle_dir):
    path = bundle_dir / MASKS_FILE
    np.savez_compressed(path, masks=np.zeros((3, 64, 64), dtype=bool))
    meta = json.loads((bundle_dir / META_FILE).read_text())
    meta["files"][MASKS_FILE] = {"sha256": sha256_file(path), "bytes": path.stat().st_size}
    (bundle_dir / META_FILE).write_text(json.dumps(meta))
    with pytest.raises(BundleError, match=r"masks.npz holds torch.bool \(3, 64, 64\)"):
        load_bundle(bundle_dir)


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda meta_path: meta_path.write_text("{ not json"), "not valid JSON"),
        (lambda meta_path: meta_path.unlink(), "meta.json is missing"),
        (lambda meta_path: meta_path.write_text(json.dumps({"schema_version": 1})), "1, .* again with `nil generate`"),
        (
            lambda meta_path: meta_path.write_text(json.dumps({"schema_version": SCHEMA_VERSION})),
            "missing or malformed field",
        ),
    ],
    ids=["corrupt", "missing", "other-schema", "fields-missing"],
)
def test_broken_meta(bundle_dir, damage, message):
    damage(bundle_dir / META_FILE)
    with pytest.raises(BundleError, match=message):
        load_bundle(bundle_dir)


def test_not_a_bundle_folder(tmp_path):
    with pytest.raises(BundleError, match="no reference bundle"):
        load_bundle(tmp_path / "nowhere")
