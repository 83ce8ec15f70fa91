"""The video encoder shared by stage 1 and the stage-2 reward."""

import json
import shutil

import huggingface_hub
import pytest
import torch

from isaaclab_nil.reference.encoder import K400_MEAN, VideoEncoder, build_clips
from isaaclab_nil.reference.errors import ModelLoadError
from isaaclab_nil.reference.fused_attention import FusedSelfAttention


def random_clips(count: int, height: int = 64, width: int = 48) -> torch.Tensor:
    generator = torch.Generator().manual_seed(count)
    return torch.randint(0, 256, (count, 8, 3, height, width), generator=generator, dtype=torch.uint8)


def test_loads_through_from_pretrained_with_the_folders_normalisation(model_dirs, encoder):
    assert encoder.info.dim == 32 and encoder.info.token == "cls" and encoder.info.revision is None
    processor = json.loads((model_dirs["encoder"] / "preprocessor_config.json").read_text())
    assert encoder.mean.flatten().tolist() == processor["image_mean"] != list(K400_MEAN)
    assert (encoder.num_frames, encoder.image_size) == (8, 32)


def test_batched_equals_one_by_one(encoder):
    clips = random_clips(6)
    batched = encoder.encode(clips)
    single = torch.cat([encoder.encode(clips[i : i + 1]) for i in range(6)])
    assert batched.shape == (6, 32) and batched.dtype == torch.float32
    torch.testing.assert_close(batched, single, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(encoder.encode(clips, batch_size=4), batched, atol=1e-5, rtol=1e-5)


def test_uint8_and_unit_float_inputs_agree(encoder):
    clips = random_clips(2)
    torch.testing.assert_close(encoder.encode(clips), encoder.encode(clips.float() / 255), atol=1e-5, rtol=1e-5)


def test_encode_video_embeds_the_clip_ending_at_every_frame(encoder):
    frames = torch.randint(0, 256, (11, 40, 40, 3), dtype=torch.uint8)
    embeddings = encoder.encode_video(frames, batch_size=4)
    expected = encoder.encode(build_clips(frames, range(11)).permute(0, 1, 4, 2, 3))
    assert embeddings.shape == (11, 32)
    torch.testing.assert_close(embeddings, expected, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("token", ["cls", "mean"])
def test_fused_attention_is_the_default_and_embeds_as_eager_does(model_dirs, encoder, token):
    fused = encoder if token == "cls" else VideoEncoder.from_pretrained(str(model_dirs["encoder"]), token=token)
    eager = VideoEncoder.from_pretrained(str(model_dirs["encoder"]), token=token, attention="eager")
    assert any(isinstance(module, FusedSelfAttention) for module in fused.model.modules())
    assert not any(isinstance(module, FusedSelfAttention) for module in eager.model.modules())
    clips = random_clips(5)
    torch.testing.assert_close(fused.encode(clips, batch_size=2), eager.encode(clips), atol=1e-4, rtol=0)


def test_token_choice_changes_the_embedding(model_dirs, encoder):
    mean_token = VideoEncoder.from_pretrained(str(model_dirs["encoder"]), token="mean")
    clips = random_clips(2)
    assert mean_token.info.token == "mean"
    assert not torch.allclose(mean_token.encode(clips), encoder.encode(clips))


def test_bf16_autocast_stays_close_to_float32(model_dirs, encoder):
    autocast = VideoEncoder.from_pretrained(str(model_dirs["encoder"]), autocast_dtype=torch.bfloat16)
    clips = random_clips(3)
    reference, low = encoder.encode(clips), autocast.encode(clips)
    assert low.dtype == torch.float32
    assert torch.nn.functional.cosine_similarity(reference, low).min() > 0.98


def test_an_unknown_attention_is_refused(model_dirs):
    with pytest.raises(ValueError, match="'fused', 'eager'"):
        VideoEncoder.from_pretrained(str(model_dirs["encoder"]), attention="flash")


def test_wrong_clip_layout_is_refused(encoder):
    with pytest.raises(ValueError, match="permute"):
        encoder.encode(torch.zeros(1, 8, 64, 64, 3, dtype=torch.uint8))


def test_a_model_that_cannot_be_loaded_says_how_to_provide_it(tmp_path):
    for name in ("nil-tests/no-such-encoder", str(tmp_path / "missing-folder")):
        with pytest.raises(ModelLoadError) as error:
            VideoEncoder.from_pretrained(name)
        message = str(error.value)
        assert name in message and "local folder" in message and "HF_HUB_OFFLINE=1" in message


def test_a_hub_id_loads_offline_from_the_cache_and_records_its_revision(tmp_path, monkeypatch, model_dirs, encoder):
    """The production path: a hub id pre-downloaded into the Hugging Face cache, HF_HUB_OFFLINE=1."""
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "hub" / "models--nil-tests--tiny-timesformer"
    shutil.copytree(model_dirs["encoder"], repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    cached = VideoEncoder.from_pretrained("nil-tests/tiny-timesformer")
    assert cached.info.id == "nil-tests/tiny-timesformer" and cached.info.revision == commit
    clips = random_clips(2)
    torch.testing.assert_close(cached.encode(clips), encoder.encode(clips))


def test_the_reward_loads_the_attention_its_config_asks_for(generated_bundle, model_dirs):
    from isaaclab_nil.envs.mdp.commands import ReferenceCommandCfg, load_encoder
    from isaaclab_nil.reference.bundle import load_bundle

    bundle = load_bundle(generated_bundle)
    cfg = ReferenceCommandCfg(skill="walking", embodiment=bundle.meta.robot, encoder_path=str(model_dirs["encoder"]))
    default = load_encoder(bundle, cfg, "cpu")
    assert any(isinstance(module, FusedSelfAttention) for module in default.model.modules())
    cfg.encoder_attention = "eager"
    eager = load_encoder(bundle, cfg, "cpu")
    assert not any(isinstance(module, FusedSelfAttention) for module in eager.model.modules())
