"""Staged writes: a file or a whole folder is written beside its place and swapped in only when complete.

At every moment the destination is the complete old version or the complete new one, also when the
process is killed: a folder is written to ``.<name>.tmp-<host>-<pid>`` and exchanged atomically with
the old one (Linux ``renameat2``) or renamed in two steps; a file to ``.<name>.tmp-<host>-<pid><suffix>``
and renamed. What a killed writer left is recognised by its host and process id and removed (or
restored) by the next writer of the same place. One implementation for every command that writes
(``run``, ``report``, ``compare``, the reviewed export).

A command replaces only what it wrote. Each writer of a folder states its :class:`Output`: the names
it writes, how to recognise an earlier output of its own, and the human work it must never delete.
:func:`claim` refuses a folder that holds anything else (before any work), and :func:`staged_folder`
carries everything the command did not write into the new folder (kept in place), and moves human
work it would replace (a review journal, reviewed outputs) into ``earlier/<UTC time>/`` beside a
copy of the earlier output, so nothing is ever deleted. Those moves are planned in a file first, so
a writer killed half-way is undone by the next one.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import glob
import json
import os
import re
import shutil
import socket
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from avovastaus.errors import AvovastausError

#: the plan of the moves out of the folder being replaced, written into the new folder before the first move
PLAN = ".avovastaus-moves.json"
#: where human work of a replaced output is kept, inside the new output
EARLIER = "earlier"


@dataclass(frozen=True)
class Output:
    """What one command writes into its output folder."""

    command: str                      # the command, for messages ("run", "compare", ...)
    files: frozenset[str]             # the names it writes: these, and only these, it replaces
    is_own: Callable[[Path], bool]    # is this existing folder an earlier output of the command?
    human: tuple[str, ...] = ()       # glob patterns of human work in an earlier output that must survive (journals, reviewed outputs)
    needs_force: bool = True          # replacing an earlier output needs --force
    fix: str = "Choose an empty or new folder with --out."


@dataclass
class Claim:
    """What writing to a folder will do to what is there: replace the command's own files, keep the rest, keep human work aside."""

    out_dir: Path
    human: list[str] = field(default_factory=list)   # human work: moved to earlier/<time>/ with the earlier output (the rest it did not write stays)

    def lines(self) -> list[str]:
        """Return what the user is told before the work starts."""
        out = []
        if self.human:
            out.append(f"{self.out_dir} holds review work ({', '.join(self.human)}): it is kept, with the earlier output it belongs to, "
                       f"in {self.out_dir / EARLIER}/<time>/ (nothing is deleted).")
        return out


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write via a temporary file in the same folder, then rename: never a half-written file (a killed writer's file is removed next time)."""
    path = Path(path)
    remove_stale(path, "writer")
    tmp = _staging_name(path, "tmp").with_name(_staging_name(path, "tmp").name + path.suffix)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _staging_name(out: Path, kind: str, pid: int | None = None) -> Path:
    """Return ``.<name>.<kind>-<host>-<pid>`` beside ``out``: the host and pid let a later writer tell whether this one is gone."""
    return out.parent / f".{out.name}.{kind}-{socket.gethostname()}-{os.getpid() if pid is None else pid}"


def _process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True) if path.is_dir() and not path.is_symlink() else path.unlink(missing_ok=True)


def remove_stale(out: Path, what: str = "run") -> list[str]:
    """Clean what killed writers left beside ``out`` (their process is gone); returns a line for each thing removed or restored.

    A leftover ``.old`` copy is the complete previous output: it is put back when ``out`` is missing.
    Entries a killed writer had moved out of the previous output (its plan file says which) go back first.
    """
    out = Path(out)
    if not out.parent.is_dir():
        return []
    host = socket.gethostname()
    said = []
    for path in sorted(out.parent.glob(f".{glob.escape(out.name)}.*-{glob.escape(host)}-*")):
        kind, _, rest = path.name[len(out.name) + 2 :].partition(f"-{host}-")
        pid = re.match(r"\d+", rest)
        if kind not in ("tmp", "old") or pid is None or not _process_gone(int(pid.group())):
            continue
        if kind == "old" and not out.exists():
            path.rename(out)
            said.append(f"Restored the previous output {out} from {path.name}, left by an interrupted {what}.")
            continue
        if kind == "tmp":  # killed before the swap: what it had moved out of the output goes back
            said += _undo_moves(path, out, what)
        _remove(path)
        said.append(f"Removed {path}, left by an interrupted {what} (process {pid.group()}).")
    return said


def _undo_moves(leftover: Path, out: Path, what: str = "run") -> list[str]:
    """Put back what a writer had moved from ``out`` into its staging folder ``leftover`` (by its plan file); returns a line for each."""
    plan = leftover / PLAN
    if not plan.is_file() or not out.is_dir():
        return []
    said = []
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        for source, target in json.loads(plan.read_text(encoding="utf-8"))["moves"]:
            moved, home = leftover / target, out / source
            if moved.exists() and not home.exists():
                moved.rename(home)
                said.append(f"Put {home} back where it was (moved by an interrupted {what}).")
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


def claim(out_dir: Path, output: Output, force: bool = False) -> Claim:
    """Return what writing ``output`` to ``out_dir`` will keep; raise a coded error where it would replace what the command did not write.

    An absent or empty folder is free. An earlier output of the same command may be replaced (with
    ``force`` where the command asks for it): its own files only; everything else in it stays, and
    human work is kept aside. Any other non-empty folder — a run, a journal, a parent of runs, a
    folder of documents — is refused (E308), nothing written.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise AvovastausError("E308", path=out_dir, detail="it is a file", fix=output.fix)
    entries = sorted(p.name for p in out_dir.iterdir()) if out_dir.is_dir() else []
    if not entries:
        return Claim(out_dir)
    if output.needs_force and not force:
        raise AvovastausError("E301", path=out_dir)
    if not output.is_own(out_dir):
        shown = ", ".join(entries[:6]) + (f" and {len(entries) - 6} more" if len(entries) > 6 else "")
        raise AvovastausError("E308", path=out_dir, detail=f"it is not an earlier {output.command} output (it holds {shown}), "
                              f"and {output.command} replaces only what it wrote", fix=output.fix)
    return Claim(out_dir, [name for name in entries if _is_human(name, output)])


def _is_human(name: str, output: Output) -> bool:
    return any(glob.fnmatch.fnmatch(name, pattern) for pattern in output.human)


def staging_dir(out_dir: Path) -> Path:
    """Return a fresh, empty folder beside ``out_dir`` where the output is written before it is swapped into place."""
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


def _carry(tmp: Path, out_dir: Path, output: Output | None) -> list[str]:
    """Move into the new folder what the command did not write (same name) and human work (to earlier/<time>/); return lines saying so.

    The moves are written to a plan file in ``tmp`` first, so :func:`remove_stale` can put them back
    when the process is killed before the swap.
    """
    if output is None or not out_dir.is_dir():
        return []
    entries = sorted(p.name for p in out_dir.iterdir())
    human = [n for n in entries if _is_human(n, output)]
    moves = [(n, n) for n in entries if n not in output.files and n not in human and n != PLAN and not (tmp / n).exists()]
    said = []
    if human:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        earlier = f"{EARLIER}/{stamp}"
        keep = [n for n in entries if n in output.files or n in human]
        moves += [(n, f"{earlier}/{n}") for n in keep]
        (tmp / earlier).mkdir(parents=True, exist_ok=True)
        said.append(f"The earlier {output.command} output and its review work ({', '.join(human)}) are kept in {out_dir / earlier}.")
    if not moves:
        return said
    plan = tmp / PLAN
    plan.write_text(json.dumps({"from": str(out_dir), "moves": moves}, ensure_ascii=False), encoding="utf-8")
    for source, target in moves:
        (out_dir / source).rename(tmp / target)
    return said


def commit(tmp: Path, out_dir: Path, output: Output | None = None) -> list[str]:
    """Put the finished output in place: at every moment ``out_dir`` is the complete old output or the complete new one.

    With ``output``, what the command did not write moves into the new folder first (see :func:`_carry`).
    An existing folder is swapped atomically with the new one where the system allows, else renamed
    aside first (a process killed between the two renames is restored by :func:`remove_stale`).
    Returns the lines that say what was kept where.
    """
    said = _carry(tmp, out_dir, output)
    if not out_dir.exists():
        tmp.rename(out_dir)
    elif _exchange(tmp, out_dir):
        _remove(tmp)  # tmp now holds the old output's own files (everything else was carried)
    else:
        old = _staging_name(out_dir, "old")
        out_dir.rename(old)
        tmp.rename(out_dir)
        _remove(old)
    (out_dir / PLAN).unlink(missing_ok=True)
    return said


@contextlib.contextmanager
def staged_folder(out_dir: Path, output: Output | None = None, said: list[str] | None = None) -> Iterator[Path]:
    """Yield an empty folder beside ``out_dir`` to write into; swap it in when the block completes, remove it when the block fails.

    With ``output``, what the command did not write stays (see :func:`commit`); ``said`` collects the lines that say so.
    """
    out_dir = Path(out_dir)
    tmp = staging_dir(out_dir)
    try:
        yield tmp
        lines = commit(tmp, out_dir, output)
    except BaseException:
        _undo_moves(tmp, out_dir)  # what was carried out of the old output goes back before the staging folder goes
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if said is not None:
        said.extend(lines)
