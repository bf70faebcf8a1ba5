"""Argument types shared by the ``python -m simulation`` subcommands."""

from __future__ import annotations

import argparse


def int_at_least(low: int):
    """An argparse type: an integer >= ``low``, with a one-line message otherwise."""

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be >= {low}")
        return value

    return parse


positive_int = int_at_least(1)
nonneg_int = int_at_least(0)
