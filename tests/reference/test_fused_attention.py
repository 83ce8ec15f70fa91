"""Fused (SDPA) TimeSformer attention against transformers' eager ``TimesformerModel``, same weights."""

import pytest
import torch
import transformers

from isaaclab_nil.reference.fused_attention import FusedSelfAttention, use_fused_attention

TOLERANCE = 1e-4
"""Largest absolute difference allowed in float32 between fused and eager outputs."""

# Random weights wider than the default init (0.02) make the attention peaked rather than nearly uniform,
# so that an error inside it shows: a 1% error in the softmax scale moves the outputs by ~2e-2, 200x TOLERANCE.
TINY_INIT, BASE_INIT = 0.2, 0.05


def tiny_config(attention_type: str = "divided_space_time") -> transformers.TimesformerConfig:
    """4 heads of 8 channels, so that a head split in the wrong order would show."""
    return transformers.TimesformerConfig(
        image_size=32,
        patch_size=8,
        num_frames=8,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=64,
        attention_type=attention_type,
        initializer_range=TINY_INIT,
    )


def random_pixels(config: transformers.TimesformerConfig, batch: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(batch)
    size = config.image_size
    return torch.randn(batch, config.num_frames, 3, size, size, generator=generator)


@torch.inference_mode()
def last_hidden_state(model: transformers.TimesformerModel, pixels: torch.Tensor) -> torch.Tensor:
    """(B, 1 + tokens, D) after the final LayerNorm; [:, 0] is the CLS embedding the reward uses."""
    return model(pixel_values=pixels).last_hidden_state


def load(folder, fused: bool) -> transformers.TimesformerModel:
    model = transformers.TimesformerModel.from_pretrained(folder).eval()
    return use_fused_attention(model) if fused else model


@pytest.mark.parametrize("attention_type", ["divided_space_time", "space_only", "joint_space_time"])
def test_tiny_fused_equals_eager_loaded_from_the_same_folder(tmp_path, attention_type):
    config = tiny_config(attention_type)
    torch.manual_seed(0)
    transformers.TimesformerModel(config).save_pretrained(tmp_path)
    eager, fused = load(tmp_path, fused=False), load(tmp_path, fused=True)
    swapped = [module for module in fused.modules() if isinstance(module, FusedSelfAttention)]
    assert len(swapped) == config.num_hidden_layers * (2 if attention_type == "divided_space_time" else 1)
    pixels = random_pixels(config, batch=3)
    expected, actual = last_hidden_state(eager, pixels), last_hidden_state(fused, pixels)
    torch.testing.assert_close(actual, expected, atol=TOLERANCE, rtol=0)


def test_fused_keeps_the_state_dict_and_saves_weights_eager_loads(tmp_path):
    torch.manual_seed(1)
    eager = transformers.TimesformerModel(tiny_config()).eval()
    before = {name: tensor.clone() for name, tensor in eager.state_dict().items()}
    fused = use_fused_attention(eager)
    after = fused.state_dict()
    assert after.keys() == before.keys()
    assert all(torch.equal(after[name], tensor) for name, tensor in before.items())
    fused.save_pretrained(tmp_path)
    pixels = random_pixels(fused.config, batch=2)
    torch.testing.assert_close(
        last_hidden_state(load(tmp_path, fused=False), pixels), last_hidden_state(fused, pixels), atol=TOLERANCE, rtol=0
    )


def test_base_size_fused_equals_eager():
    """TimeSformer-base (the K400 architecture: 224 px, 12 layers, 12 heads, hidden 768), random weights, one
    clip: about 0.4 TFLOP, so eager and fused run once each on one model, swapped in place in between."""
    torch.manual_seed(2)
    model = transformers.TimesformerModel(transformers.TimesformerConfig(initializer_range=BASE_INIT)).eval()
    pixels = random_pixels(model.config, batch=1)
    expected = last_hidden_state(model, pixels)
    actual = last_hidden_state(use_fused_attention(model), pixels)
    assert actual.shape == (1, 1 + 8 * 196, 768)
    torch.testing.assert_close(actual, expected, atol=TOLERANCE, rtol=0)


def test_output_attentions_is_refused_clearly():
    model = use_fused_attention(transformers.TimesformerModel(tiny_config()))
    with pytest.raises(ValueError, match="eager"):
        model(pixel_values=random_pixels(model.config, batch=1), output_attentions=True)
