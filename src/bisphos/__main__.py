"""Run the bisphos command line: ``python -m bisphos``."""

from __future__ import annotations

import sys

from bisphos.cli import main

if __name__ == "__main__":
    sys.exit(main())
