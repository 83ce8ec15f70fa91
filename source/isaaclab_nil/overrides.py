"""Config overrides on the command line, ``<section>.<field>=<value>`` (Isaac Lab's Hydra syntax), checked before
anything is built: the one parser that every command (``nil generate``, ``nil eval``, ``scripts/train.py``,
``scripts/play.py``) runs. Isaac Lab itself applies the overrides afterwards; it would silently add a misspelled
field (``env.rewards.mask_iuo.weight=0`` trains the full reward) and keep a value of the wrong type.

Isaac Lab 3.0's presets (``presets=hardware``) choose between alternatives of parts of a config; the check
resolves them first, as Isaac Lab does, so that an override names a field of the part the preset chose.

Values are read as Isaac Lab reads them: ``true``/``false``/``none``/``null``, then a Python literal (numbers,
quoted strings, lists, tuples), else the text as a string.
"""

from __future__ import annotations

import ast
import dataclasses
import difflib
from collections.abc import Mapping, Sequence
from typing import Any

from .errors import UsageError

PRESET_SELECTORS = ("physics", "renderer", "presets")
"""Isaac Lab's own preset selectors (``physics=newton_mjwarp``), passed through to it unchecked."""
_LITERALS = {"true": True, "false": False, "none": None, "null": None}


class OverrideError(UsageError):
    """A command-line override names no field of the config, or gives a value of the wrong type."""


def parse_value(text: str) -> Any:
    """An override's value as Isaac Lab parses it."""
    if text.lower() in _LITERALS:
        return _LITERALS[text.lower()]
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def check_overrides(overrides: Sequence[str], sections: Mapping[str, Any]) -> None:
    """Check every ``<section>.<path>=<value>`` of ``overrides`` against the configs in ``sections`` (e.g.
    ``{"env": env_cfg, "agent": agent_cfg}``): the section exists, every part of the path is a field (else the
    closest field is suggested), and the value has the field's type. The ``presets=`` the overrides select must
    exist in the configs; the configs are resolved with them in place.

    Raises:
        OverrideError: naming the override and what is wrong with it.
    """
    _resolve_presets(overrides, sections)
    forms = " or ".join(f"{name}.<field>=<value>" for name in sections)
    for item in overrides:
        key, has_value, text = item.partition("=")
        section, _, path = key.partition(".")
        if has_value and not path and key in PRESET_SELECTORS:
            continue
        if not has_value or section not in sections or not path:
            raise OverrideError(f"override {item!r} must look like {forms}")
        *parents, name = path.split(".")
        parent = _field(sections[section], section, parents)
        current = _field(parent, ".".join([section, *parents]), [name])
        value = parse_value(text)
        if not (value is None and _optional(parent, name)):
            _check_type(key, current, value)


def _optional(node: Any, name: str) -> bool:
    """Whether the dataclass field ``name`` of ``node`` is declared to take None (``str | None``)."""
    declared = {field.name: field.type for field in dataclasses.fields(node)} if dataclasses.is_dataclass(node) else {}
    return "None" in str(declared.get(name, ""))


def _resolve_presets(overrides: Sequence[str], sections: Mapping[str, Any]) -> None:
    """Resolve the presets of every section (in place) with the names ``presets=a,b`` selects, after checking
    that some section has each of them."""
    from isaaclab_tasks.utils.hydra import collect_presets, resolve_presets

    selected = [name for item in overrides if item.startswith("presets=") for name in item[8:].split(",") if name]
    known = {name for cfg in sections.values() for choices in collect_presets(cfg).values() for name in choices}
    for name in selected:
        if name not in known:
            names = ", ".join(sorted(known - {"default"})) or "none"
            raise OverrideError(f"presets={name}: this task has no preset {name!r}; its presets: {names}")
    for cfg in sections.values():
        resolve_presets(cfg, selected)


def _fields(node: Any) -> list[str]:
    if isinstance(node, Mapping):
        return [str(name) for name in node]
    if dataclasses.is_dataclass(node):
        return [field.name for field in dataclasses.fields(node)]
    return []


def _field(node: Any, prefix: str, parts: list[str]) -> Any:
    """The current value at ``prefix.parts``; an unknown part raises with the closest known one."""
    for part in parts:
        names = _fields(node)
        if part not in names:
            if not names:
                raise OverrideError(f"unknown override key {prefix}.{part}: {prefix} is a value, it has no fields")
            close = difflib.get_close_matches(part, names, n=1, cutoff=0.5)
            hint = f"; did you mean {prefix}.{close[0]}?" if close else f"; its fields: {', '.join(sorted(names))}"
            raise OverrideError(f"unknown override key {prefix}.{part}: {prefix} has no field {part!r}{hint}")
        node = node[part] if isinstance(node, Mapping) else getattr(node, part)
        prefix = f"{prefix}.{part}"
    return node


def _check_type(key: str, current: Any, value: Any) -> None:
    """Refuse ``value`` for the field ``key`` whose current value is ``current`` when their kinds differ."""
    if current is None or current is dataclasses.MISSING or callable(current):
        return  # optional fields take any value; a callable may be named by its "module:attr" string
    kinds = (
        (bool, (bool,), "true or false"),
        (int, (int,), "an integer"),
        (float, (int, float), "a number"),
        (str, (str,), "a string"),
        ((list, tuple), (list, tuple), "a list"),
        (Mapping, (Mapping,), "a mapping"),
    )
    for kind, accepted, expected in kinds:
        if isinstance(current, kind):
            number = not isinstance(value, bool) or kind is bool  # True is an int to Python, not to a config
            if isinstance(value, accepted) and number:
                return
            raise OverrideError(f"override {key}: expected {expected} (like {current!r}), got {value!r}")
    if _fields(current):
        raise OverrideError(f"override {key}: {key} is a group of settings, set one of its fields ({key}.<field>)")
