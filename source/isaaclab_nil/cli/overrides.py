"""Config overrides on the command line, ``<section>.<field>=<value>`` (Isaac Lab's Hydra syntax): the one check
that every command (``nil generate``, ``nil eval``, ``scripts/train.py``, ``scripts/play.py``) runs on them."""

from __future__ import annotations

from collections.abc import Sequence


class OverrideError(ValueError):
    """A command-line override is malformed (the message names it and says what is expected)."""


def check_overrides(overrides: Sequence[str], prefixes: Sequence[str]) -> None:
    """Refuse an override that is not ``<prefix><field>=<value>`` for one of ``prefixes`` (e.g. ``"env."``)."""
    expected = " or ".join(f"{prefix}<field>=<value>" for prefix in prefixes)
    bad = [item for item in overrides if "=" not in item or not item.startswith(tuple(prefixes))]
    if bad:
        raise OverrideError(f"overrides must look like {expected}, got {bad}")
