"""isaaclab_nil: No-data Imitation Learning (NIL) as an Isaac Lab extension.

Importing the package registers the ``NIL-<Robot>-<Skill>`` tasks with Gymnasium; Isaac Lab's own
commands find them through the ``isaaclab.tasks`` entry point. Registration is cheap: nothing
from Isaac Lab is imported until a task is made.
"""

__version__ = "0.1.0"

from . import tasks  # noqa: F401,E402  (registers the NIL tasks)
