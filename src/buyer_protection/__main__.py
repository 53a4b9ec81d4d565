"""``python -m buyer_protection``: the command line (see `buyer_protection.cli`)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
