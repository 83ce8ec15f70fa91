"""Where the robot models (MJCF) live, and what they say about their motors."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

from ..errors import NILError

ASSET_ROOT_ENV_VAR = "NIL_ASSET_ROOT"
"""Environment variable naming the folder that holds the MJCF robot folders (``unitree_h1/`` ...)."""

_REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_ASSET_ROOT = _REPO_ROOT.parent / "shared" / "assets" / "mjcf"
"""Default asset root: ``shared/assets/mjcf`` beside the repository checkout."""


class MissingAssetError(NILError, FileNotFoundError):
    """A robot model file is not where the asset root says it is."""


def asset_root() -> Path:
    """The folder with the MJCF robot models: ``$NIL_ASSET_ROOT``, else :data:`DEFAULT_ASSET_ROOT`."""
    return Path(os.environ.get(ASSET_ROOT_ENV_VAR, DEFAULT_ASSET_ROOT)).expanduser()


def mjcf_path(relative: str) -> Path:
    """Absolute path of a model file under the asset root, checked to exist.

    Raises:
        MissingAssetError: naming the file and the asset-root setting, when the file is missing.
    """
    root = asset_root()
    path = root / relative
    if not path.is_file():
        source = f"${ASSET_ROOT_ENV_VAR}" if ASSET_ROOT_ENV_VAR in os.environ else "the default asset root"
        raise MissingAssetError(
            f"Robot model '{relative}' not found under {root} ({source}). Set {ASSET_ROOT_ENV_VAR} to the "
            "folder that holds the MuJoCo Menagerie robot folders (e.g. unitree_h1/h1.xml)."
        )
    return path


def mjcf_effort_limits(path: Path) -> dict[str, float]:
    """Effort limit of every motor-driven joint, from the MJCF ``<motor ctrlrange>`` (or ``forcerange``)."""
    limits = {}
    for motor in ET.parse(path).getroot().iter("motor"):
        bounds = motor.get("forcerange") or motor.get("ctrlrange")
        if bounds is None:
            continue
        low, high = (abs(float(v)) for v in bounds.split())
        limits[motor.get("joint")] = min(low, high)
    return limits
