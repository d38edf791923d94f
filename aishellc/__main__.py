"""``python -m aishellc``."""

import sys

from aishellc.cli import main

sys.exit(main())
