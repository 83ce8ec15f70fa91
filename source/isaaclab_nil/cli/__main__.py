"""``python -m isaaclab_nil.cli``: the ``nil`` command, for child processes of the scripts (same interpreter)."""

import sys

from . import main

if __name__ == "__main__":
    sys.exit(main())
