"""Where the robot models (MJCF) live, and which joints their actuators drive with what effort.

The models ship with the project in ``assets/mjcf/`` at the top of the repository (the default asset root);
``$NIL_ASSET_ROOT`` points at another folder with the same layout. What a model says about its actuators is
read from the compiled model (``mujoco.MjModel``: class defaults resolved), not from the XML text, so
``<motor>``, ``<position>`` and ``<general>`` actuators and joint ``actuatorfrcrange`` all count.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from ..errors import NILError

ASSET_ROOT_ENV_VAR = "NIL_ASSET_ROOT"
"""Environment variable naming the folder that holds the MJCF robot folders (``unitree_h1/`` ...)."""

_REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_ASSET_ROOT = _REPO_ROOT / "assets" / "mjcf"
"""Default asset root: ``assets/mjcf`` in this repository (found from the package: an editable install,
``pip install -e .``, as ``scripts/setup.sh`` makes)."""


class MissingAssetError(NILError, FileNotFoundError):
    """A robot model file is not where the asset root says it is."""


class MjcfModelError(NILError, ValueError):
    """A robot model that does not compile, or that drives no joint or gives a joint no effort limit."""


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
        if ASSET_ROOT_ENV_VAR in os.environ:
            source = f"${ASSET_ROOT_ENV_VAR}"
            hint = f"point {ASSET_ROOT_ENV_VAR} at a folder that holds it, or unset it to use {DEFAULT_ASSET_ROOT}"
        else:
            source = "the default asset root, the project's assets/mjcf"
            hint = f"the project ships it there (a partial clone?), or set {ASSET_ROOT_ENV_VAR} to a folder with it"
        raise MissingAssetError(f"Robot model '{relative}' not found under {root} ({source}): {hint}.")
    return path


def mjcf_effort_limits(path: str | Path) -> dict[str, float]:
    """Effort limit [N m] of every actuated joint, in the model's actuator order, from the compiled model.

    A joint's limit is the tightest of: its ``actuatorfrcrange``; its actuator's ``forcerange`` (times the gear);
    for a direct torque actuator (a ``<motor>``: fixed gain, no bias), its ``ctrlrange`` times gain and gear.
    Asymmetric ranges give the smaller magnitude.

    Raises:
        MjcfModelError: naming the file, when it does not compile, drives no joint, or leaves a joint unlimited.
    """
    return dict(_effort_limits(str(Path(path).resolve())))


@functools.cache
def _effort_limits(path: str) -> tuple[tuple[str, float], ...]:
    import mujoco

    try:
        model = mujoco.MjModel.from_xml_path(path)
    except ValueError as error:
        raise MjcfModelError(f"{path}: the MJCF model does not compile: {error}") from error
    limits: dict[str, float] = {}
    unlimited = []
    for a in range(model.nu):
        if model.actuator_trntype[a] != mujoco.mjtTrn.mjTRN_JOINT:
            continue
        joint = int(model.actuator_trnid[a, 0])
        name = mujoco.mj_id2name(model, mujoco.mjtObj.mjOBJ_JOINT, joint)
        gear = abs(float(model.actuator_gear[a, 0]))
        candidates = []
        if model.jnt_actfrclimited[joint]:
            candidates.append(_magnitude(model.jnt_actfrcrange[joint]))
        if model.actuator_forcelimited[a]:
            candidates.append(_magnitude(model.actuator_forcerange[a]) * gear)
        is_motor = (
            model.actuator_gaintype[a] == mujoco.mjtGain.mjGAIN_FIXED
            and model.actuator_biastype[a] == mujoco.mjtBias.mjBIAS_NONE
            and model.actuator_dyntype[a] == mujoco.mjtDyn.mjDYN_NONE
        )
        if is_motor and model.actuator_ctrllimited[a]:
            candidates.append(_magnitude(model.actuator_ctrlrange[a]) * abs(float(model.actuator_gainprm[a, 0])) * gear)
        if candidates:
            limits[name] = min(candidates, *([limits[name]] if name in limits else []))
        else:
            unlimited.append(name)
    if unlimited:
        raise MjcfModelError(
            f"{path}: no effort limit for joint(s) {', '.join(unlimited)}: give the joint an actuatorfrcrange, "
            "its actuator a forcerange, or its <motor> a ctrlrange"
        )
    if not limits:
        raise MjcfModelError(f"{path}: the MJCF model has no actuated joint (no actuator drives a joint)")
    return tuple(limits.items())


def _magnitude(bounds) -> float:
    return min(abs(float(bounds[0])), abs(float(bounds[1])))


def root_at_origin(path: str | Path) -> Path:
    """The model of ``path`` with its root body moved to the origin of its parent frame: what a fixed base
    (``spawn.fix_base``) spawns from. Isaac Lab's MJCF importer welds the fixed base of some models at the spawn
    pose *plus* the root body's MJCF ``pos`` (the Go2's 0.445 m, the Talos's 1.1 m) while the articulation's root
    pose reads the spawn pose alone; from this model both are the spawn pose, on every model. ``path`` itself
    when its root already sits there.

    The derived model is written once per source file (its path and content hashed) under the temporary
    directory, its mesh and texture folders made absolute.
    """
    import hashlib
    import tempfile

    import mujoco

    path = Path(path).resolve()
    spec = mujoco.MjSpec.from_file(str(path))
    root = spec.worldbody.first_body()
    if not any(root.pos) and list(root.quat) == [1.0, 0.0, 0.0, 0.0]:
        return path
    root.pos, root.quat = [0.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0]
    spec.meshdir = str(path.parent / spec.meshdir)
    spec.texturedir = str(path.parent / spec.texturedir)
    spec.compile()
    digest = hashlib.sha256(str(path).encode() + path.read_bytes()).hexdigest()[:16]
    derived = Path(tempfile.gettempdir()) / "isaaclab_nil" / "fixed_base" / digest / path.name
    if not derived.is_file():
        derived.parent.mkdir(parents=True, exist_ok=True)
        partial = derived.with_suffix(f".{os.getpid()}.partial")
        partial.write_text(spec.to_xml())
        partial.replace(derived)  # atomic: parallel processes never read half a file
    return derived
