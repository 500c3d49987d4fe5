"""The command line of the single-reply benches (`disclosure.py`, `acknowledgements.py`)."""

from __future__ import annotations

import argparse
import csv
from pathlib import Path


def reply_set(description: str, default: Path, columns: str) -> tuple[Path, list[dict], bool]:
    """The TSV named on the command line (or `default`), its rows, and whether to list each
    error (`--errors`)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("tsv", type=Path, nargs="?", default=default, help=columns)
    parser.add_argument("--errors", action="store_true", help="list each missed or wrong reply")
    args = parser.parse_args()
    rows = list(csv.DictReader(args.tsv.open(encoding="utf-8"), delimiter="\t"))
    return args.tsv, rows, args.errors
