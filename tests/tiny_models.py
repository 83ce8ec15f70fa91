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
