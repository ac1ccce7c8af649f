"""``python -m instructor``: the instructor tools' command line (``./course`` calls it)."""

import sys

from instructor.cli import main

sys.exit(main())
