"""Ways to damage a SQLite file on disk, shared by the cache and journal fault tests."""

from __future__ import annotations

from pathlib import Path


def interior(path: Path) -> None:
    """Overwrite 4 KiB in the middle of the file (damaged interior pages)."""
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 4096] = b"\xff" * 4096
    path.write_bytes(bytes(data))


def truncated(path: Path) -> None:
    """Cut the file in half."""
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def garbage(path: Path) -> None:
    """Replace the file with bytes that are no database."""
    path.write_bytes(b"ei tietokanta \x00\x13" * 500)
