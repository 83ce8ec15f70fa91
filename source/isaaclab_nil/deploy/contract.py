"""The deploy contract: what a controller needs to run a NIL policy, in unitree_rl_lab's ``deploy.yaml`` schema.

A policy folder holds ``exported/policy.onnx`` (input ``obs`` (1, obs_dim), output ``actions`` (1, action_dim),
observation normalization folded in) and ``params/deploy.yaml``, the layout unitree_rl_lab's C++ controller
(``deploy/robots/<robot>``, ``deploy/include/isaaclab/``) loads with ``policy_dir``. The YAML's top-level keys
are theirs and mean what their controller reads:

- ``joint_ids_map``: entry i, the SDK motor index of policy joint i (policy order: the order of the policy's
  joint observations and of ``default_joint_pos``);
- ``step_dt``: the control period [s];
- ``stiffness``, ``damping``: PD gains in SDK motor order, one per motor (0 on a slot the robot does not use);
- ``default_joint_pos``: policy order [rad];
- ``actions.JointPositionAction``: ``scale``, ``offset``, ``clip`` (null or one [low, high] per action),
  ``joint_names`` and ``joint_ids`` (the action's joints, indices into the policy order): target = offset +
  scale * action;
- ``observations.<term>``, in the policy's input order, with ``params``, ``clip`` (applied first), ``scale``
  (one per value) and ``history_length``; the terms are their controller's (``base_ang_vel``,
  ``projected_gravity``, ``joint_pos_rel``, ``joint_vel_rel``, ``last_action``) plus NIL's
  ``reference_phase``, which their controller must register (``docs/deploy.md`` gives the code).

NIL's additions live under ``nil``: the policy's joint names, the robot's SDK motor order and model, effort
limits, the start pose, fall limits, whether the base was fixed (a gantry), the reference and its phase, and
the contract record ``nil.contract`` (sha256 of ``policy.onnx``, run, task, observation and action sizes,
and ``config_sha256``, the digest of the rest of the YAML). :func:`load_contract` refuses a policy and a config
from different runs, an edited config and a joint map that disagrees with the robot's motor order.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from ..errors import NILError

SCHEMA_VERSION = 2
"""Version of ``nil`` in ``deploy.yaml`` (1: NIL's own schema before unitree_rl_lab's)."""
CONFIG_FILE = Path("params") / "deploy.yaml"
POLICY_FILE = Path("exported") / "policy.onnx"
ACTION_TERMS = ("JointPositionAction", "JointEffortAction")
"""A NIL policy's one action term: joint-position targets (unitree_rl_lab's C++ term), or the paper preset's
torques (no Unitree controller runs those, nor does sim2sim)."""
UNITREE_TERMS = ("base_ang_vel", "projected_gravity", "joint_pos_rel", "joint_vel_rel", "last_action")
"""Observation terms unitree_rl_lab's controller computes (``deploy/include/isaaclab/envs/mdp/observations.h``)."""
PHASE_TERM = "reference_phase"
"""NIL's observation term a controller must add: see :func:`reference_phase`."""
GRAVITY_W = np.array([0.0, 0.0, -1.0])


class ContractError(NILError):
    """A policy folder whose files do not form one contract: missing, edited, or from different runs."""


@dataclass(frozen=True)
class ObservationTerm:
    name: str
    scale: np.ndarray
    clip: tuple[float, float] | None
    params: dict

    @property
    def dim(self) -> int:
        return len(self.scale)


@dataclass(frozen=True)
class DeployContract:
    """A checked policy folder, per-joint arrays in policy order."""

    policy_dir: Path
    onnx_path: Path
    record: dict
    """``nil.contract``: onnx_sha256, run, checkpoint, task, obs_dim, action_dim, config_sha256."""
    nil: dict
    joint_names: list[str]
    joint_ids_map: np.ndarray
    action_type: str
    """``JointPositionAction`` or ``JointEffortAction`` (:data:`ACTION_TERMS`)."""
    step_dt: float
    stiffness: np.ndarray
    damping: np.ndarray
    default_joint_pos: np.ndarray
    effort_limit: np.ndarray
    action_joint_ids: np.ndarray
    action_scale: np.ndarray
    action_offset: np.ndarray
    action_clip: np.ndarray | None
    observations: list[ObservationTerm]

    @property
    def obs_dim(self) -> int:
        return sum(term.dim for term in self.observations)

    @property
    def action_dim(self) -> int:
        return len(self.action_joint_ids)


@dataclass(frozen=True)
class RobotState:
    """What a controller measures, per-joint values in policy order."""

    base_quat_wxyz: np.ndarray
    """IMU orientation (w, x, y, z), as Unitree's ``imu_state.quaternion`` and MuJoCo's free joint."""
    base_ang_vel_b: np.ndarray
    """IMU angular velocity in the base frame [rad/s]."""
    joint_pos: np.ndarray
    joint_vel: np.ndarray


def sdk_motor_ids(joint_names: list[str], sdk_joint_order: list[str | None]) -> list[int]:
    """``joint_ids_map``: entry i, the SDK motor index of policy joint i."""
    missing = [name for name in joint_names if name not in sdk_joint_order]
    if missing:
        raise ContractError(f"the robot's SDK motor order (nil.sdk_joint_order) names no motor for joints {missing}")
    return [sdk_joint_order.index(name) for name in joint_names]


def config_digest(document: dict) -> str:
    """sha256 of the document without ``nil.contract.config_sha256``: canonical JSON of the parsed YAML."""
    record = {k: v for k, v in document["nil"]["contract"].items() if k != "config_sha256"}
    stripped = {**document, "nil": {**document["nil"], "contract": record}}
    return hashlib.sha256(json.dumps(stripped, sort_keys=True).encode()).hexdigest()


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def write_contract(policy_dir: Path, document: dict) -> Path:
    """Write ``document`` (the deploy config, ``nil.contract`` without its digests) to
    ``policy_dir/params/deploy.yaml``, sealed with the sha256 of ``policy_dir/exported/policy.onnx`` and of the
    config itself; the file is checked by loading it back."""
    from ..learning.runner import atomic_write

    document = yaml.safe_load(yaml.safe_dump(document, sort_keys=False))  # plain types, as a reader parses them
    document["nil"]["contract"]["onnx_sha256"] = file_sha256(policy_dir / POLICY_FILE)
    document["nil"]["contract"]["config_sha256"] = config_digest(document)
    path = policy_dir / CONFIG_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(document, sort_keys=False, default_flow_style=None, width=120)
    atomic_write(path, lambda f: f.write(text.encode()))
    load_contract(policy_dir)
    return path


def load_contract(policy_dir: str | Path) -> DeployContract:
    """Read and check a policy folder (``params/deploy.yaml`` + ``exported/policy.onnx``).

    Raises:
        ContractError: a file is missing, a key is missing or malformed, ``joint_ids_map`` disagrees with the
            robot's SDK motor order, the YAML was edited after export, the ONNX file is not the one the YAML
            was exported with, or its input and output sizes are not the contract's.
    """
    policy_dir = Path(policy_dir)
    config_path, onnx_path = policy_dir / CONFIG_FILE, policy_dir / POLICY_FILE
    for path in (config_path, onnx_path):
        if not path.is_file():
            raise ContractError(
                f"{path} not found: a policy folder holds {CONFIG_FILE} and {POLICY_FILE} (scripts/train.py exports "
                "them into the run folder, scripts/play.py into <run>/play/<checkpoint>/)"
            )
    document = yaml.safe_load(config_path.read_text())
    _require(document, ("joint_ids_map", "step_dt", "stiffness", "damping", "default_joint_pos"), config_path)
    _require(document, ("actions", "observations", "nil"), config_path)
    nil = document["nil"]
    if nil.get("schema_version") != SCHEMA_VERSION:
        raise ContractError(
            f"{config_path}: nil.schema_version {nil.get('schema_version')} is not {SCHEMA_VERSION}: re-export the "
            "policy with this version (scripts/play.py --checkpoint <run>/model_<step>.pt)"
        )
    _require(nil, ("joint_names", "sdk_joint_order", "effort_limit", "contract"), config_path, "nil.")
    record = nil["contract"]
    joint_names = list(nil["joint_names"])
    _check_joint_map(document, joint_names, nil["sdk_joint_order"], config_path)
    if record.get("config_sha256") != config_digest(document):
        raise ContractError(
            f"{config_path} was edited after export (its content no longer matches nil.contract.config_sha256): a "
            "gain, pose, scale or joint order a controller reads differs from the policy's training. Re-export "
            "the policy (scripts/play.py --checkpoint ...) instead of editing the file"
        )
    onnx_sha = file_sha256(onnx_path)
    if onnx_sha != record.get("onnx_sha256"):
        raise ContractError(
            f"{onnx_path} is not the policy {config_path} was exported with (sha256 {onnx_sha[:12]}..., the contract "
            f"says {str(record.get('onnx_sha256'))[:12]}..., from run {record.get('run')}): a policy and a config "
            "from different runs; export both together"
        )
    contract = _parse(document, policy_dir, onnx_path, joint_names, config_path)
    _check_onnx(contract)
    return contract


def _require(mapping: dict, keys: tuple[str, ...], path: Path, prefix: str = "") -> None:
    missing = [prefix + key for key in keys if key not in mapping]
    if missing:
        raise ContractError(f"{path} lacks {missing}: not a NIL deploy config; re-export the policy")


def _check_joint_map(document: dict, joint_names: list[str], sdk_order: list, path: Path) -> None:
    expected = sdk_motor_ids(joint_names, sdk_order)
    if list(document["joint_ids_map"]) != expected:
        wrong = [
            f"{name}: motor {got}, SDK order says {want}"
            for name, got, want in zip(joint_names, document["joint_ids_map"], expected)
            if got != want
        ]
        raise ContractError(
            f"{path}: joint_ids_map does not match the robot's SDK motor order for the policy's joints "
            f"({'; '.join(wrong) or 'a different number of joints'}): a permuted joint order would drive the "
            "wrong motors. Re-export the policy"
        )
    for key in ("stiffness", "damping"):
        if len(document[key]) != len(sdk_order):
            raise ContractError(f"{path}: {key} has {len(document[key])} values, the robot {len(sdk_order)} motors")


def _parse(document: dict, policy_dir: Path, onnx_path: Path, joint_names: list[str], path: Path) -> DeployContract:
    nil = document["nil"]
    joint_ids_map = np.asarray(document["joint_ids_map"], dtype=int)
    if len(document["actions"]) != 1 or next(iter(document["actions"])) not in ACTION_TERMS:
        raise ContractError(f"{path}: actions are {list(document['actions'])}, not one of {ACTION_TERMS}")
    ((action_type, action),) = document["actions"].items()
    clip = None if action.get("clip") is None else np.asarray(action["clip"], dtype=float)
    observations = []
    for name, term in document["observations"].items():
        if name not in (*UNITREE_TERMS, PHASE_TERM):
            raise ContractError(f"{path}: observation term '{name}' has no meaning in the contract")
        if term.get("history_length", 1) != 1:
            raise ContractError(
                f"{path}: observation '{name}' has history_length {term['history_length']}; NIL "
                "policies observe no history"
            )
        term_clip = None if term.get("clip") is None else tuple(float(v) for v in term["clip"])
        observations.append(
            ObservationTerm(name, np.asarray(term["scale"], dtype=float), term_clip, term.get("params") or {})
        )
    return DeployContract(
        policy_dir=policy_dir,
        onnx_path=onnx_path,
        record=nil["contract"],
        nil=nil,
        joint_names=joint_names,
        joint_ids_map=joint_ids_map,
        action_type=action_type,
        step_dt=float(document["step_dt"]),
        stiffness=np.asarray(document["stiffness"], dtype=float)[joint_ids_map],
        damping=np.asarray(document["damping"], dtype=float)[joint_ids_map],
        default_joint_pos=np.asarray(document["default_joint_pos"], dtype=float),
        effort_limit=np.asarray(nil["effort_limit"], dtype=float),
        action_joint_ids=np.asarray(action["joint_ids"], dtype=int),
        action_scale=np.asarray(action["scale"], dtype=float),
        action_offset=np.asarray(action["offset"], dtype=float),
        action_clip=clip,
        observations=observations,
    )


def _check_onnx(contract: DeployContract) -> None:
    """The ONNX file's input and output sizes are the contract's (static batch 1, as Unitree's runner needs)."""
    import onnxruntime

    session = onnxruntime.InferenceSession(str(contract.onnx_path), providers=["CPUExecutionProvider"])
    obs_shape, action_shape = session.get_inputs()[0].shape, session.get_outputs()[0].shape
    want = {"obs_dim": contract.obs_dim, "action_dim": contract.action_dim}
    recorded = {key: contract.record.get(key) for key in want}
    if [1, contract.obs_dim] != obs_shape or [1, contract.action_dim] != action_shape or recorded != want:
        raise ContractError(
            f"{contract.onnx_path} maps obs {obs_shape} to actions {action_shape}, the contract's observation terms "
            f"sum to {contract.obs_dim} and its action has {contract.action_dim} joints (recorded {recorded})"
        )


def projected_gravity(quat_wxyz: np.ndarray) -> np.ndarray:
    """The world's unit gravity (0, 0, -1) in the base frame: R(q)^T g (unitree_rl_lab's
    ``quat.conjugate() * GRAVITY_VEC_W``)."""
    w, x, y, z = quat_wxyz / np.linalg.norm(quat_wxyz)
    rotation = np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
            [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
            [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
        ]
    )
    return rotation.T @ GRAVITY_W


def reference_phase(params: dict, step: int, step_dt: float) -> np.ndarray:
    """NIL's phase observation at policy call ``step`` (0 for the first call after the start):
    p = clip(step * step_dt / duration_s, 0, 1), then sin(2 pi k p) for each k in ``frequencies``,
    cos(2 pi k p) for each k, and p."""
    phase = min(max(step * step_dt / params["duration_s"], 0.0), 1.0)
    angles = [2.0 * math.pi * k * phase for k in params["frequencies"]]
    return np.array([*map(math.sin, angles), *map(math.cos, angles), phase])


def observation(contract: DeployContract, state: RobotState, last_action: np.ndarray, step: int) -> np.ndarray:
    """The policy's input, float32 (obs_dim,), built as unitree_rl_lab's controller does: each term in the
    contract's order, clipped, then scaled. ``last_action``: the previous raw policy output (zeros at first)."""
    values = {
        "base_ang_vel": lambda term: state.base_ang_vel_b,
        "projected_gravity": lambda term: projected_gravity(state.base_quat_wxyz),
        "joint_pos_rel": lambda term: state.joint_pos - contract.default_joint_pos,
        "joint_vel_rel": lambda term: state.joint_vel,
        "last_action": lambda term: last_action,
        PHASE_TERM: lambda term: reference_phase(term.params, step, contract.step_dt),
    }
    parts = []
    for term in contract.observations:
        value = np.asarray(values[term.name](term), dtype=float)
        if term.clip is not None:
            value = np.clip(value, *term.clip)
        parts.append(value * term.scale)
    return np.concatenate(parts).astype(np.float32)


def joint_targets(contract: DeployContract, action: np.ndarray) -> np.ndarray:
    """Joint-position targets of every joint (policy order) for a raw policy output: offset + scale * action
    (then clip) on the action's joints; the others hold their default position."""
    targets = contract.default_joint_pos.copy()
    value = contract.action_offset + contract.action_scale * np.asarray(action, dtype=float)
    if contract.action_clip is not None:
        value = np.clip(value, contract.action_clip[:, 0], contract.action_clip[:, 1])
    targets[contract.action_joint_ids] = value
    return targets
