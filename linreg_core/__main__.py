"""``python -m linreg_core``: the command ``linreg``."""

import sys

from linreg_core.cli import main

sys.exit(main())
