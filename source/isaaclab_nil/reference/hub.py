"""Loading pretrained models by hub id or local folder, with one clear error when they are missing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import huggingface_hub

from .errors import model_load_error


def load_pretrained[T](load: Callable[..., T], what: str, name_or_path: str, **kwargs) -> T:
    """Call ``load(name_or_path, **kwargs)`` (any ``from_pretrained``); a missing model raises ``ModelLoadError``.

    transformers and diffusers both raise ``OSError`` when an id is not in the local cache (offline), a
    folder does not exist, or a folder lacks the model files.
    """
    try:
        return load(name_or_path, **kwargs)
    except OSError as error:
        raise model_load_error(what, name_or_path, error) from error


def hub_revision(name_or_path: str) -> str | None:
    """The commit hash of a hub model in the local cache, or ``None`` for a local folder (or an unknown id)."""
    if Path(name_or_path).is_dir():
        return None
    try:
        snapshot = huggingface_hub.snapshot_download(name_or_path, local_files_only=True)
    except (OSError, ValueError):  # not cached, or not a valid repo id
        return None
    return Path(snapshot).name
