"""``python -m isaaclab_nil.cli``: the ``nil`` command, for child processes of the scripts (same interpreter)."""

import sys

from . import main

sys.exit(main())
