"""Robot models for NIL tasks: where their MJCF files live and how they are driven."""

from .assets import ASSET_ROOT_ENV_VAR, MissingAssetError, asset_root, mjcf_path  # noqa: F401
