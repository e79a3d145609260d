"""Staged writes: a file or a whole folder is written beside its place and swapped in only when complete.

At every moment the destination is the complete old version or the complete new one, also when the
process is killed: a folder is written to ``.<name>.tmp-<host>-<pid>`` and exchanged atomically with
the old one (Linux ``renameat2``) or renamed in two steps; what a killed writer left is recognised
by its host and process id and removed (or restored) by the next writer. One implementation for
every command that writes (``run``, ``report``, ``compare``, the reviewed export).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import glob
import os
import shutil
import socket
import tempfile
from pathlib import Path
from typing import Callable, Iterator

from avovastaus.errors import AvovastausError


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write via a temporary file in the same folder, then rename: never a half-written file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _staging_name(out_dir: Path, kind: str, pid: int | None = None) -> Path:
    """Return ``.<name>.<kind>-<host>-<pid>`` beside ``out_dir``: the host and pid let a later run tell whether its writer is gone."""
    return out_dir.parent / f".{out_dir.name}.{kind}-{socket.gethostname()}-{os.getpid() if pid is None else pid}"


def _process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def remove_stale(out_dir: Path) -> list[str]:
    """Remove what killed runs left beside ``out_dir`` (their process is gone); returns a line for each thing removed or restored.

    A leftover ``.old`` copy is the complete previous run: it is put back when ``out_dir`` is missing.
    """
    out_dir = Path(out_dir)
    if not out_dir.parent.is_dir():
        return []
    host = socket.gethostname()
    said = []
    for path in sorted(out_dir.parent.glob(f".{glob.escape(out_dir.name)}.*-{glob.escape(host)}-*")):
        kind, _, pid = path.name[len(out_dir.name) + 2 :].partition(f"-{host}-")
        if kind not in ("tmp", "old") or not pid.isdigit() or not _process_gone(int(pid)):
            continue
        if kind == "old" and not out_dir.exists():
            path.rename(out_dir)
            said.append(f"Restored the previous run {out_dir} from {path.name}, left by an interrupted run.")
        else:
            shutil.rmtree(path, ignore_errors=True)
            said.append(f"Removed {path}, left by an interrupted run (process {pid}).")
    return said


OUT_FIX = "Choose a folder you can write to with --out, or fix its permissions."


def check_writable(folder: Path, needed_bytes: int = 0, fix: str = OUT_FIX) -> None:
    """Raise a coded error unless about ``needed_bytes`` can be written at ``folder`` or its nearest existing parent (checked before any analysis)."""
    folder = Path(folder).absolute()
    existing = next(p for p in (folder, *folder.parents) if p.exists())
    if not existing.is_dir():
        raise AvovastausError("E502", path=existing, reason="it is a file, not a folder", fix=fix)
    try:
        fd, probe = tempfile.mkstemp(dir=existing, prefix=".avovastaus-probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise AvovastausError("E502", path=existing, reason=exc.strerror or str(exc), fix=fix) from None
    free = shutil.disk_usage(existing).free
    if free < needed_bytes:
        raise AvovastausError("E502", path=existing, reason=f"{free / 1e6:.0f} MB free, about {needed_bytes / 1e6:.0f} MB needed",
                              fix=f"Free disk space. {fix}")


def staging_dir(out_dir: Path) -> Path:
    """Return a fresh, empty folder beside ``out_dir`` where the run is written before it is swapped into place."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = _staging_name(out_dir, "tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    return tmp


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 RENAME_EXCHANGE); False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def commit(tmp: Path, out_dir: Path) -> None:
    """Put the finished run in place: at every moment ``out_dir`` is the complete old run or the complete new one.

    An existing run is swapped atomically with the new one where the system allows, else renamed
    aside first (a run killed between the two renames is restored by :func:`remove_stale`).
    """
    if not out_dir.exists():
        tmp.rename(out_dir)
        return
    if _exchange(tmp, out_dir):
        shutil.rmtree(tmp) if tmp.is_dir() else tmp.unlink()  # tmp now holds the old run
        return
    old = _staging_name(out_dir, "old")
    out_dir.rename(old)
    tmp.rename(out_dir)
    shutil.rmtree(old) if old.is_dir() else old.unlink()


@contextlib.contextmanager
def staged_folder(out_dir: Path) -> Iterator[Path]:
    """Yield an empty folder beside ``out_dir`` to write into; swap it in when the block completes, remove it when the block fails."""
    out_dir = Path(out_dir)
    tmp = staging_dir(out_dir)
    try:
        yield tmp
        commit(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
