"""Tell SQLite faults of the surroundings (full disk, I/O, permissions, locks) from damage to the file itself.

The embedding cache and the review journal react differently to the two: a full disk leaves
the file alone, damage is moved aside (cache) or reported with what could still be read (journal).
"""

from __future__ import annotations

import sqlite3

#: SQLite result codes (prefixes cover the extended codes) of faults outside the file
_ENVIRONMENT_CODES = (
    "SQLITE_FULL", "SQLITE_IOERR", "SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_BUSY",
    "SQLITE_LOCKED", "SQLITE_PERM", "SQLITE_NOMEM", "SQLITE_AUTH",
)
#: the same faults by their messages, for errors that carry no code (raised by a wrapper or a test)
_ENVIRONMENT_MESSAGES = ("disk is full", "disk i/o error", "readonly database", "unable to open", "is locked", "out of memory", "database is busy")


def is_environment_fault(exc: BaseException) -> bool:
    """Return True when ``exc`` is a full disk, I/O, permission or lock fault rather than damage to the file."""
    if isinstance(exc, OSError):
        return True
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    name = getattr(exc, "sqlite_errorname", None)
    if name:
        return name.startswith(_ENVIRONMENT_CODES)
    message = str(exc).lower()
    return any(m in message for m in _ENVIRONMENT_MESSAGES)
