"""``python -m pillars`` is the ``pillars`` command."""

import sys

from pillars.cli import main

sys.exit(main())
