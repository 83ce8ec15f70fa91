"""The errors every ``isaaclab_nil`` command reports as one clear line instead of a traceback.

A :class:`NILError` is a problem with what the user gave (a file, a setting, a command line), and its message
says what is wrong and how to fix it. The commands print it as ``<command>: error: <message>`` and exit with
code 2 for a :class:`UsageError` (bad usage) and 1 for the others; ``--debug`` shows the traceback instead.
This module imports nothing, so that every part of the package can raise these.
"""


class NILError(Exception):
    """A problem with the user's input or files (exit code 1)."""


class UsageError(NILError):
    """The command line is wrong: an unknown task, override, device or value (exit code 2)."""


class ConfigError(NILError, ValueError):
    """A config cannot make an env (the message names the setting to change)."""
