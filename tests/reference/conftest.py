"""Tiny random models saved to a temp folder and loaded through the production ``from_pretrained`` paths.

Nothing here reaches the network: HF_HUB_OFFLINE is set before any Hugging Face library is imported.
"""

import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("DIFFUSERS_VERBOSITY", "error")

import pytest  # noqa: E402
import torch  # noqa: E402

from isaaclab_nil.reference.bundle import CameraSpec  # noqa: E402
from isaaclab_nil.reference.encoder import VideoEncoder  # noqa: E402
from isaaclab_nil.reference.generators import DiffusersVideoGenerator  # noqa: E402
from isaaclab_nil.reference.pipeline import ReferenceSpec, build_reference_bundle  # noqa: E402
from isaaclab_nil.reference.segmentation import RobotSegmenter, Sam2PackageSegmenter  # noqa: E402

HEIGHT, WIDTH = 64, 64
NUM_FRAMES = 16


def save_tiny_segmenter(folder, size: int = 64) -> None:
    """A few-layer SAM 2 at 64 px. The memory attention hard-codes 64-channel memories and needs the
    FPN width above that, hence 128."""
    from transformers import (
        Sam2HieraDetConfig,
        Sam2ImageProcessor,
        Sam2VideoConfig,
        Sam2VideoMaskDecoderConfig,
        Sam2VideoModel,
        Sam2VideoProcessor,
        Sam2VideoPromptEncoderConfig,
        Sam2VideoVideoProcessor,
        Sam2VisionConfig,
    )

    torch.manual_seed(0)
    backbone = Sam2HieraDetConfig(
        hidden_size=12,
        image_size=size,
        blocks_per_stage=[1, 1, 2, 1],
        embed_dim_per_stage=[12, 24, 48, 96],
        num_attention_heads_per_stage=[1, 1, 1, 1],
        window_size_per_stage=[8, 4, 4, 2],
        global_attention_blocks=[3],
        window_positional_embedding_background_size=[2, 2],
    )
    vision = Sam2VisionConfig(
        backbone_config=backbone,
        backbone_channel_list=[96, 48, 24, 12],
        backbone_feature_sizes=[[size // 4] * 2, [size // 8] * 2, [size // 16] * 2],
        fpn_hidden_size=128,
    )
    config = Sam2VideoConfig(
        vision_config=vision,
        prompt_encoder_config=Sam2VideoPromptEncoderConfig(hidden_size=128, image_size=size, mask_input_channels=8),
        mask_decoder_config=Sam2VideoMaskDecoderConfig(
            hidden_size=128, mlp_dim=64, num_attention_heads=4, iou_head_hidden_dim=32
        ),
        image_size=size,
        num_maskmem=3,
        memory_attention_hidden_size=128,
        memory_attention_num_layers=1,
        memory_attention_feed_forward_hidden_size=32,
        memory_attention_rope_feat_sizes=[size // 16] * 2,
        memory_encoder_hidden_size=128,
        memory_encoder_output_channels=64,
        mask_downsampler_embed_dim=128,
        memory_fuser_embed_dim=128,
        memory_fuser_intermediate_dim=128,
    )
    Sam2VideoModel(config).save_pretrained(folder)
    Sam2VideoProcessor(
        image_processor=Sam2ImageProcessor(
            size={"height": size, "width": size}, mask_size={"height": size // 4, "width": size // 4}
        ),
        video_processor=Sam2VideoVideoProcessor(size={"height": size, "width": size}),
    ).save_pretrained(folder)


def save_tiny_sam2_package(folder, size: int = 64) -> None:
    """The same kind of few-layer SAM 2 for Meta's sam2 package: a Hydra model config (its sam2.1 Hiera-T
    config scaled down: 12-wide Hiera, 128-wide FPN, one memory-attention layer) and a random checkpoint,
    laid out like the package's hub repos (one .yaml, one .pt)."""
    from hydra.utils import instantiate
    from omegaconf import OmegaConf

    sine = "sam2.modeling.position_encoding.PositionEmbeddingSine"
    rope = {
        "_target_": "sam2.modeling.sam.transformer.RoPEAttention",
        "rope_theta": 10000.0,
        "feat_sizes": [size // 16] * 2,
        "embedding_dim": 128,
        "num_heads": 1,
        "downsample_rate": 1,
        "dropout": 0.0,
    }
    model = {
        "_target_": "sam2.modeling.sam2_base.SAM2Base",
        "image_encoder": {
            "_target_": "sam2.modeling.backbones.image_encoder.ImageEncoder",
            "scalp": 1,
            "trunk": {
                "_target_": "sam2.modeling.backbones.hieradet.Hiera",
                "embed_dim": 12,
                "num_heads": 1,
                "stages": [1, 1, 2, 1],
                "global_att_blocks": [3],
                "window_spec": [8, 4, 4, 2],
                "window_pos_embed_bkg_spatial_size": [2, 2],
            },
            "neck": {
                "_target_": "sam2.modeling.backbones.image_encoder.FpnNeck",
                "position_encoding": {"_target_": sine, "num_pos_feats": 128, "normalize": True},
                "d_model": 128,
                "backbone_channel_list": [96, 48, 24, 12],
                "fpn_top_down_levels": [2, 3],
                "fpn_interp_model": "nearest",
            },
        },
        "memory_attention": {
            "_target_": "sam2.modeling.memory_attention.MemoryAttention",
            "d_model": 128,
            "pos_enc_at_input": True,
            "num_layers": 1,
            "layer": {
                "_target_": "sam2.modeling.memory_attention.MemoryAttentionLayer",
                "activation": "relu",
                "dim_feedforward": 32,
                "dropout": 0.0,
                "pos_enc_at_attn": False,
                "d_model": 128,
                "pos_enc_at_cross_attn_keys": True,
                "pos_enc_at_cross_attn_queries": False,
                "self_attention": rope,
                "cross_attention": {**rope, "rope_k_repeat": True, "kv_in_dim": 64},
            },
        },
        "memory_encoder": {
            "_target_": "sam2.modeling.memory_encoder.MemoryEncoder",
            "in_dim": 128,
            "out_dim": 64,
            "position_encoding": {"_target_": sine, "num_pos_feats": 64, "normalize": True},
            "mask_downsampler": {
                "_target_": "sam2.modeling.memory_encoder.MaskDownSampler",
                "embed_dim": 128,
                "kernel_size": 3,
                "stride": 2,
                "padding": 1,
            },
            "fuser": {
                "_target_": "sam2.modeling.memory_encoder.Fuser",
                "num_layers": 1,
                "layer": {
                    "_target_": "sam2.modeling.memory_encoder.CXBlock",
                    "dim": 128,
                    "kernel_size": 7,
                    "padding": 3,
                },
            },
        },
        "num_maskmem": 3,
        "image_size": size,
        # the rest as in the package's sam2.1 configs
        "sigmoid_scale_for_mem_enc": 20.0,
        "sigmoid_bias_for_mem_enc": -10.0,
        "use_mask_input_as_output_without_sam": True,
        "directly_add_no_mem_embed": True,
        "no_obj_embed_spatial": True,
        "use_high_res_features_in_sam": True,
        "multimask_output_in_sam": True,
        "iou_prediction_use_sigmoid": True,
        "use_obj_ptrs_in_encoder": True,
        "add_tpos_enc_to_obj_ptrs": True,
        "proj_tpos_enc_in_obj_ptrs": True,
        "use_signed_tpos_enc_to_obj_ptrs": True,
        "only_obj_ptrs_in_the_past_for_eval": True,
        "pred_obj_scores": True,
        "pred_obj_scores_mlp": True,
        "fixed_no_obj_ptr": True,
        "multimask_output_for_tracking": True,
        "use_multimask_token_for_obj_ptr": True,
        "multimask_min_pt_num": 0,
        "multimask_max_pt_num": 1,
        "use_mlp_for_obj_ptr_proj": True,
    }
    config = OmegaConf.create({"model": model})
    folder.mkdir(parents=True, exist_ok=True)
    OmegaConf.save(config, folder / "sam2_tiny.yaml")
    torch.manual_seed(0)
    torch.save({"model": instantiate(config.model).state_dict()}, folder / "sam2_tiny.pt")


def tiny_t5(umt5: bool = False):
    """A 1-layer, 32-wide T5 encoder and its tokenizer, built in code (the LTX and CogVideoX text encoder; with
    ``umt5`` a UMT5 encoder, Wan's)."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import T5Config, T5EncoderModel, T5TokenizerFast, UMT5Config, UMT5EncoderModel

    words = "the a agent robot unitree h1 g1 is walking running jumping camera follows".split()
    vocab = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)] + [(word, -1.0) for word in words]
    backend = Tokenizer(models.Unigram(vocab, unk_id=2))
    backend.normalizer = normalizers.Lowercase()
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    backend.post_processor = processors.TemplateProcessing(single="$A </s>", special_tokens=[("</s>", 1)])
    tokenizer = T5TokenizerFast(
        tokenizer_object=backend, pad_token="<pad>", eos_token="</s>", unk_token="<unk>", extra_ids=0
    )
    torch.manual_seed(0)
    config_class, model_class = (UMT5Config, UMT5EncoderModel) if umt5 else (T5Config, T5EncoderModel)
    text_config = config_class(vocab_size=len(vocab), d_model=32, d_kv=8, d_ff=64, num_layers=1, num_heads=4)
    return model_class(text_config), tokenizer


def tiny_clip_vision(model_class: str = "CLIPVisionModel"):
    """A 1-layer, 8-wide CLIP image encoder on 224 px (SVD resizes to 224 whatever the processor says) and its
    processor: Wan's (``CLIPVisionModel``) and SVD's (``CLIPVisionModelWithProjection``) image conditioning."""
    import transformers

    torch.manual_seed(0)
    config = transformers.CLIPVisionConfig(
        hidden_size=8,
        projection_dim=8,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=16,
        image_size=224,
        patch_size=32,
    )
    return getattr(transformers, model_class)(config), transformers.CLIPImageProcessor(crop_size=224, size=224)


def save_tiny_ltx(folder) -> None:
    """LTX-Video with a 1-layer transformer, an 8-channel VAE and :func:`tiny_t5`.

    The VAE compresses 32x in space and 8x in time like the real one, so the native 704x480, 121 frames stay cheap.
    """
    from diffusers import (
        AutoencoderKLLTXVideo,
        FlowMatchEulerDiscreteScheduler,
        LTXImageToVideoPipeline,
        LTXVideoTransformer3DModel,
    )

    text_encoder, tokenizer = tiny_t5()
    transformer = LTXVideoTransformer3DModel(
        in_channels=8,
        out_channels=8,
        patch_size=1,
        patch_size_t=1,
        num_attention_heads=4,
        attention_head_dim=8,
        cross_attention_dim=32,
        num_layers=1,
        caption_channels=32,
    )
    vae = AutoencoderKLLTXVideo(
        in_channels=3,
        out_channels=3,
        latent_channels=8,
        block_out_channels=(8, 8, 8, 8),
        decoder_block_out_channels=(8, 8, 8, 8),
        layers_per_block=(1, 1, 1, 1, 1),
        decoder_layers_per_block=(1, 1, 1, 1, 1),
        spatio_temporal_scaling=(True, True, True, False),
        decoder_spatio_temporal_scaling=(True, True, True, False),
        decoder_inject_noise=(False,) * 5,
        upsample_residual=(False,) * 4,
        upsample_factor=(1,) * 4,
        timestep_conditioning=False,
        patch_size=4,
        patch_size_t=1,
        encoder_causal=True,
        decoder_causal=False,
    )
    LTXImageToVideoPipeline(
        transformer=transformer,
        vae=vae,
        scheduler=FlowMatchEulerDiscreteScheduler(),
        text_encoder=text_encoder,
        tokenizer=tokenizer,
    ).save_pretrained(folder)


def save_tiny_cogvideox(folder) -> None:
    """CogVideoX I2V with a 1-layer transformer, a 4-channel VAE and :func:`tiny_t5`. Like CogVideoX-5b-I2V its
    positional embeddings are learned for one size, 720x480 and 49 frames, and it refuses any other."""
    from diffusers import (
        AutoencoderKLCogVideoX,
        CogVideoXDDIMScheduler,
        CogVideoXImageToVideoPipeline,
        CogVideoXTransformer3DModel,
    )

    text_encoder, tokenizer = tiny_t5()
    transformer = CogVideoXTransformer3DModel(
        num_attention_heads=2,
        attention_head_dim=16,
        in_channels=8,
        out_channels=4,
        time_embed_dim=2,
        text_embed_dim=32,
        num_layers=1,
        sample_width=90,
        sample_height=60,
        sample_frames=49,
        patch_size=2,
        temporal_compression_ratio=4,
        max_text_seq_length=226,  # the pipeline pads prompts to 226 tokens
        use_rotary_positional_embeddings=True,
        use_learned_positional_embeddings=True,
    )
    vae = AutoencoderKLCogVideoX(
        down_block_types=("CogVideoXDownBlock3D",) * 4,
        up_block_types=("CogVideoXUpBlock3D",) * 4,
        block_out_channels=(4, 4, 4, 4),
        latent_channels=4,
        layers_per_block=1,
        norm_num_groups=2,
        temporal_compression_ratio=4,
    )
    CogVideoXImageToVideoPipeline(
        transformer=transformer,
        vae=vae,
        scheduler=CogVideoXDDIMScheduler(),
        text_encoder=text_encoder,
        tokenizer=tokenizer,
    ).save_pretrained(folder)


def save_tiny_wan(folder) -> None:
    """Wan 2.1 I2V with a 1-layer transformer, a 3-channel VAE (8x in space, 4x in time, like the real one),
    :func:`tiny_clip_vision` and a UMT5 :func:`tiny_t5`; built like diffusers' own Wan I2V test."""
    from diffusers import (
        AutoencoderKLWan,
        FlowMatchEulerDiscreteScheduler,
        WanImageToVideoPipeline,
        WanTransformer3DModel,
    )

    text_encoder, tokenizer = tiny_t5(umt5=True)
    image_encoder, image_processor = tiny_clip_vision()
    torch.manual_seed(0)
    vae = AutoencoderKLWan(
        base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1, temperal_downsample=[False, True, True]
    )
    transformer = WanTransformer3DModel(
        patch_size=(1, 2, 2),
        num_attention_heads=2,
        attention_head_dim=8,
        in_channels=36,  # the noise latents, the first frame's latents and a 4-channel frame mask
        out_channels=16,
        text_dim=32,
        freq_dim=16,
        ffn_dim=32,
        num_layers=1,
        image_dim=8,
    )
    WanImageToVideoPipeline(
        tokenizer=tokenizer,
        text_encoder=text_encoder,
        vae=vae,
        scheduler=FlowMatchEulerDiscreteScheduler(shift=3.0),
        image_processor=image_processor,
        image_encoder=image_encoder,
        transformer=transformer,
    ).save_pretrained(folder)


def save_tiny_svd(folder) -> None:
    """Stable Video Diffusion with a 2-block UNet and a 4-block VAE (8x in space, like the real one; 32 channels,
    the least its GroupNorms take) and :func:`tiny_clip_vision`; built like diffusers' own SVD test."""
    from diffusers import (
        AutoencoderKLTemporalDecoder,
        EulerDiscreteScheduler,
        StableVideoDiffusionPipeline,
        UNetSpatioTemporalConditionModel,
    )

    image_encoder, feature_extractor = tiny_clip_vision("CLIPVisionModelWithProjection")
    torch.manual_seed(0)
    unet = UNetSpatioTemporalConditionModel(
        block_out_channels=(32, 32),
        layers_per_block=1,
        down_block_types=("CrossAttnDownBlockSpatioTemporal", "DownBlockSpatioTemporal"),
        up_block_types=("UpBlockSpatioTemporal", "CrossAttnUpBlockSpatioTemporal"),
        cross_attention_dim=8,
        num_attention_heads=2,
        addition_time_embed_dim=8,
        projection_class_embeddings_input_dim=3 * 8,  # fps, motion bucket and noise strength, 8 each
    )
    vae = AutoencoderKLTemporalDecoder(
        block_out_channels=(32,) * 4, down_block_types=("DownEncoderBlock2D",) * 4, latent_channels=4
    )
    scheduler = EulerDiscreteScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        interpolation_type="linear",
        prediction_type="v_prediction",
        sigma_max=700.0,
        sigma_min=0.002,
        steps_offset=1,
        timestep_spacing="leading",
        timestep_type="continuous",
        use_karras_sigmas=True,
    )
    StableVideoDiffusionPipeline(
        vae=vae, image_encoder=image_encoder, unet=unet, scheduler=scheduler, feature_extractor=feature_extractor
    ).save_pretrained(folder)


@pytest.fixture(scope="session")
def model_dirs(tmp_path_factory, tiny_encoder_dir):
    """Folders holding the tiny encoder, segmenter and LTX pipeline."""
    root = tmp_path_factory.mktemp("models")
    dirs = {"encoder": tiny_encoder_dir, "segmenter": root / "segmenter", "ltx": root / "ltx"}
    save_tiny_segmenter(dirs["segmenter"])
    save_tiny_ltx(dirs["ltx"])
    return dirs


TINY_PIPELINES = {"wan": save_tiny_wan, "cogvideox": save_tiny_cogvideox, "svd": save_tiny_svd}
"""The tiny pipelines of the backends other than LTX (whose is in :func:`model_dirs`)."""


@pytest.fixture(scope="session")
def owlv2_dir(tmp_path_factory):
    """A folder holding the tiny OWLv2 detector (``tiny_models.save_tiny_owlv2``)."""
    from tiny_models import save_tiny_owlv2

    folder = tmp_path_factory.mktemp("models") / "owlv2"
    save_tiny_owlv2(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_pipeline_dir(tmp_path_factory):
    """``tiny_pipeline_dir(backend)``: a folder holding that backend's tiny pipeline (:data:`TINY_PIPELINES`)."""

    def save(backend: str):
        folder = tmp_path_factory.mktemp("models") / backend
        TINY_PIPELINES[backend](folder)
        return folder

    return save


@pytest.fixture(scope="session")
def encoder(model_dirs):
    return VideoEncoder.from_pretrained(str(model_dirs["encoder"]))


@pytest.fixture(scope="session")
def segmenter(model_dirs):
    return RobotSegmenter.from_pretrained(str(model_dirs["segmenter"]))


@pytest.fixture(scope="session")
def sam2_package_dir(tmp_path_factory):
    """A folder holding the tiny SAM 2 of Meta's sam2 package (:func:`save_tiny_sam2_package`)."""
    pytest.importorskip("sam2", reason="Meta's sam2 package (the 'sam2' extra, installed by scripts/setup.sh)")
    folder = tmp_path_factory.mktemp("models") / "sam2_package"
    save_tiny_sam2_package(folder)
    return folder


@pytest.fixture(scope="session")
def sam2_segmenter(sam2_package_dir):
    return Sam2PackageSegmenter.from_pretrained(str(sam2_package_dir))


@pytest.fixture(params=["transformers", "sam2"])
def any_segmenter(request):
    """Each segmenter backend's tiny segmenter in turn."""
    return request.getfixturevalue({"transformers": "segmenter", "sam2": "sam2_segmenter"}[request.param])


@pytest.fixture(scope="session")
def generator(model_dirs):
    return DiffusersVideoGenerator.from_pretrained("ltx", str(model_dirs["ltx"]), steps=2)


@pytest.fixture(scope="session")
def camera():
    return CameraSpec.from_focal_length(
        pos=(0.0, -3.0, 1.0),
        rot_xyzw=(0.5, 0.5, 0.5, 0.5),
        height=HEIGHT,
        width=WIDTH,
        focal_length=24.0,
        horizontal_aperture=20.955,
    )


@pytest.fixture(scope="session")
def scene():
    """A rendered-looking first frame: a grey floor and a coloured 'robot' block, with its exact mask."""
    generator = torch.Generator().manual_seed(0)
    rgb = torch.full((HEIGHT, WIDTH, 3), 90, dtype=torch.uint8)
    rgb += torch.randint(0, 20, (HEIGHT, WIDTH, 3), generator=generator, dtype=torch.uint8)
    mask = torch.zeros(HEIGHT, WIDTH, dtype=torch.bool)
    mask[12:56, 24:40] = True
    rgb[mask] = torch.tensor([200, 60, 30], dtype=torch.uint8)
    return rgb, mask


@pytest.fixture(scope="session")
def spec(camera):
    return ReferenceSpec(
        robot="unitree_h1",
        task="NIL-H1-Walk",
        prompt="The Unitree H1 robot agent is walking, camera follows the agent.",
        camera=camera,
        num_frames=NUM_FRAMES,
        fps=16.0,
        seed=7,
    )


@pytest.fixture(scope="session")
def generated_bundle(tmp_path_factory, scene, spec, generator, segmenter, encoder):
    """A bundle made end to end from the tiny LTX generator (shared; copy it before damaging it)."""
    rgb, mask = scene
    out = tmp_path_factory.mktemp("bundles") / "generated"
    return build_reference_bundle(rgb, mask, spec, generator, segmenter, encoder, out, batch_size=5)
