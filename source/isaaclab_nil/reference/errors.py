"""The errors stage 1 raises. Each one says what is wrong and where, in one message."""

from __future__ import annotations

from ..errors import NILError


class ReferencePipelineError(NILError):
    """Base class of every error raised by :mod:`isaaclab_nil.reference`."""


class VideoReadError(ReferencePipelineError):
    """A video file is missing, truncated, corrupt or not a video."""


class ModelLoadError(ReferencePipelineError):
    """A pretrained model (encoder, segmenter, video generator) could not be loaded."""


class KnownAnswerError(ReferencePipelineError):
    """A known-answer reference cannot be made or read (bad settings, wrong robot, bad ground-truth file)."""


class CameraFitError(ReferencePipelineError):
    """The follow camera cannot be fitted to an imported video (no robot found in its first frame)."""


class BundleError(ReferencePipelineError):
    """A reference bundle is incomplete, corrupt, or does not match what the caller expects."""


def model_load_error(what: str, name_or_path: str, cause: BaseException) -> ModelLoadError:
    """The one message for a model that cannot be loaded: what failed and how to provide it offline."""
    return ModelLoadError(
        f"Could not load the {what} '{name_or_path}': {type(cause).__name__}: {cause}\n"
        "Provide the weights offline in one of two ways:\n"
        f"  1. pass a local folder (one made with save_pretrained, or a copy of the hub repo) instead of "
        f"'{name_or_path}', or\n"
        f"  2. on a machine with network access run `hf download {name_or_path}` to fill the Hugging Face "
        "cache (HF_HOME), copy that cache here, and set HF_HUB_OFFLINE=1."
    )
