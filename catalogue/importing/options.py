"""How a large import runs (not what it does): options shared by import_catalogue and generate_catalogue."""

from __future__ import annotations

import argparse

from . import bulkload, pipeline


def add_load_arguments(parser) -> None:
    """``--[no-]bulk-load`` and ``--[no-]parallel``; both default to "for large imports"."""
    parser.add_argument(
        "--bulk-load",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="Into a catalogue without treaties (PostgreSQL): validate foreign keys once at the end instead of "
        f"row by row, locking the catalogue's tables meanwhile (default: from {bulkload.BULK_FROM} records).",
    )
    parser.add_argument(
        "--parallel",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="Read and check records in a second process while writing (default: from about "
        f"{pipeline.PARALLEL_FROM} records, on two cores or more).",
    )


def load_options(options: dict, records: int | None) -> dict:
    """``import_records`` keyword arguments from the command's options, for about ``records`` records."""
    return {
        "parallel": pipeline.choose_parallel(options["parallel"], records),
        "bulk_load": bulkload.choose(options["bulk_load"], records),
    }
