"""``python -m buyer_protection``: the command line.

``python -m buyer_protection example`` walks the seed's story (an order whose
parcel never arrived) through the library and prints each state and deadline.
A wrong usage exits with status 2 and one line on stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from . import walkthrough


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with *argv* (default: the process's); return the exit status."""
    parser = _Parser(
        prog="python -m buyer_protection",
        description="The rules of marketplace buyer protection (AliExpress first).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "example",
        help="walk an order whose parcel never arrived through the seed's steps",
        description="Walk an order whose parcel never arrived through the seed's steps, "
        "printing the order and dispute states and each deadline.",
    )
    args = parser.parse_args(argv)
    if args.command == "example":
        walkthrough.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
