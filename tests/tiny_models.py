"""Tiny random models built from configs, saved with ``save_pretrained`` so that tests load them through
the same ``from_pretrained`` path as real weights."""

import json

from isaaclab_nil.reference.encoder import save_random_encoder


def save_tiny_encoder(folder) -> None:
    """A 2-layer TimeSformer on 32 px, 8-frame clips, with a preprocessor config that is not K400's (so a
    test can see that ``preprocessor_config.json`` is read)."""
    save_random_encoder(folder)
    processor = {"image_processor_type": "VideoMAEImageProcessor", "image_mean": [0.5] * 3, "image_std": [0.25] * 3}
    (folder / "preprocessor_config.json").write_text(json.dumps(processor))


def save_tiny_owlv2(folder, size: int = 64) -> None:
    """A 1-layer OWLv2 detector on 64 px images (16 patches, so 16 boxes) with a letter-level CLIP tokenizer."""
    import torch
    from transformers import CLIPTokenizer, Owlv2Config, Owlv2ForObjectDetection, Owlv2ImageProcessor, Owlv2Processor

    letters = "abcdefghijklmnopqrstuvwxyz"
    # token 0 is a filler: OWLv2 ignores a query whose first token (the start token) has id 0
    tokens = ["!", "<|startoftext|>", "<|endoftext|>", *letters, *(letter + "</w>" for letter in letters)]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps({token: i for i, token in enumerate(tokens)}))
    (folder / "merges.txt").write_text("#version: 0.2\n")
    tokenizer = CLIPTokenizer(str(folder / "vocab.json"), str(folder / "merges.txt"), pad_token="<|endoftext|>")
    torch.manual_seed(0)
    text = {"vocab_size": len(tokens), "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1}
    text.update(num_attention_heads=2, max_position_embeddings=16, bos_token_id=1, eos_token_id=2, pad_token_id=2)
    vision = {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1, "num_attention_heads": 2}
    vision.update(image_size=size, patch_size=16)
    model = Owlv2ForObjectDetection(Owlv2Config(text_config=text, vision_config=vision, projection_dim=32))
    model.save_pretrained(folder)
    image_processor = Owlv2ImageProcessor(size={"height": size, "width": size})
    Owlv2Processor(image_processor=image_processor, tokenizer=tokenizer).save_pretrained(folder)
