"""A run lock that cannot be stolen, and the release of a killed run's Snakemake locks and leftovers.

Snakemake refuses to start while ``.snakemake/locks`` holds locks, and a run killed with SIGKILL
(or by a power loss) never removes its own. The main Snakemake process of this workflow takes an
exclusive ``fcntl.flock`` on ``.snakemake/vanishing-run.lock`` and keeps it for its whole life;
the kernel drops it when the process ends, however it ends. A later run removes Snakemake's locks
(and the ``.part`` files a killed job left) only when it can take that flock itself: then no
process of an earlier run is alive. Staleness is never judged by a recorded PID, so PID reuse or
two runs starting at the same instant cannot make one run remove the other's locks.

The data folder (config ``data.dir``) may be shared by several clones of the project, so the run
lock says nothing about it. There, the fetch and the preparation of the splits hold a flock on the
folder's lock file (:func:`folder_lock`) while they write, and a killed run's temporaries are
removed only while nobody holds it, and only the names this project's writers give them, in the
two folders they write (:func:`remove_data_leftovers`): nothing else in the folder is looked at.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import socket
from collections.abc import Iterable, Mapping
from pathlib import Path

LOCKFILE = "vanishing-run.lock"

# Temporary names: vanishing.pipeline.iofiles.atomic_path (mkstemp: 8 characters of [a-z0-9_]) and the
# staging folders of vanishing.mnist.data.fetch_mnist.
PART_FILE = re.compile(r"^\..+\.[a-z0-9_]{8}\.part(\.[A-Za-z0-9]+)?$")
PART_DIR = re.compile(r"^\.fetch-[a-z0-9_]{8}\.part$")


def temporary_of(name: str) -> re.Pattern:
    """The names vanishing.pipeline.iofiles.atomic_path gives the temporaries of a file called ``name``."""
    return re.compile(rf"^\.{re.escape(name)}\.[a-z0-9_]{{8}}\.part(\.[A-Za-z0-9]+)?$")

_held: dict[Path, int] = {}  # lock file -> open descriptor holding the flock, for the process's life


def hold_run_lock(snakemake_dir=".snakemake") -> bool:
    """Take (or confirm) this process's exclusive flock on the run lock file; never blocks.

    Returns False when another live process holds it. The descriptor stays open (and the lock
    held) until this process ends.
    """
    folder = Path(snakemake_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = (folder / LOCKFILE).resolve()
    if path in _held:
        return True
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # held by another process (or a file system without flock: leave the locks alone)
        os.close(fd)
        return False
    os.ftruncate(fd, 0)
    os.write(fd, f"{socket.gethostname()} {os.getpid()}\n".encode())
    _held[path] = fd
    return True


def holder(snakemake_dir=".snakemake") -> str:
    """``host pid`` recorded by the last process that took the run lock (for messages only)."""
    try:
        return (Path(snakemake_dir) / LOCKFILE).read_text().strip() or "unknown"
    except OSError:
        return "unknown"


def remove_leftovers(folders, log=print) -> list[Path]:
    """Remove the temporary ``.part`` files and fetch staging folders under the project's own
    ``folders`` (results, logs; never a data folder that may be shared).

    Call only while holding the run lock: then they belong to a run that was killed.
    """
    removed = []
    for folder in map(Path, folders):
        if not folder.is_dir():
            continue
        for root, dirs, files in os.walk(folder):
            for name in [d for d in dirs if PART_DIR.match(d)]:
                shutil.rmtree(Path(root) / name, ignore_errors=True)
                removed.append(Path(root) / name)
                dirs.remove(name)
            for name in filter(PART_FILE.match, files):
                (Path(root) / name).unlink(missing_ok=True)
                removed.append(Path(root) / name)
    if removed:
        log(f"Removed {len(removed)} temporary file(s) left by a killed run (e.g. {removed[0]}).")
    return removed


def _open_lock(path) -> int:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)


@contextlib.contextmanager
def folder_lock(path, log=print):
    """Hold an exclusive flock on the lock file ``path`` for the block; while another process
    holds it, wait (saying so once). The kernel drops the lock if this process dies."""
    fd = _open_lock(path)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log(f"waiting for another run writing beside {path} (it holds that lock) ...")
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


@contextlib.contextmanager
def folder_lock_if_free(path):
    """Yield True holding the flock on ``path`` if nobody holds it, else yield False at once."""
    fd = _open_lock(path)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # held (or no flock on this file system: leave the folder alone)
            yield False
        else:
            yield True
    finally:
        os.close(fd)


def remove_data_leftovers(data_dir, written: Mapping[str, Iterable[str]], staging: str, lock, log=print) -> list[Path]:
    """Remove the temporaries a killed fetch or preparation left in ``data_dir``: in each subfolder
    ``written`` names (``"."`` for ``data_dir`` itself), the temporaries of the files listed there,
    and in ``staging``, the fetch's staging folders. Nothing is removed while another process holds
    the folder's lock file ``lock`` (a fetch in progress, maybe of another clone sharing the folder),
    and no other file or folder is looked at.
    """
    data_dir, removed = Path(data_dir), []
    if not data_dir.is_dir():
        return removed
    with folder_lock_if_free(lock) as free:
        if not free:
            log(f"{data_dir}: another run is fetching or preparing MNIST there; its temporary files are left alone.")
            return removed
        for sub, names in written.items():
            patterns = [temporary_of(name) for name in names]
            folder = data_dir / sub
            with contextlib.suppress(FileNotFoundError, NotADirectoryError):
                for entry in os.scandir(folder):
                    if entry.is_file(follow_symlinks=False) and any(p.match(entry.name) for p in patterns):
                        os.unlink(entry.path)
                        removed.append(Path(entry.path))
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            for entry in os.scandir(data_dir / staging):
                if entry.is_dir(follow_symlinks=False) and PART_DIR.match(entry.name):
                    shutil.rmtree(entry.path, ignore_errors=True)
                    removed.append(Path(entry.path))
    if removed:
        log(f"Removed {len(removed)} temporary file(s) left in {data_dir} by a killed run (e.g. {removed[0]}).")
    return removed


def release_stale_locks(snakemake_dir=".snakemake", leftovers=(), data_dir=None, log=print) -> bool:
    """Take the run lock; if that succeeds, remove an earlier run's Snakemake locks, the ``.part``
    leftovers under the project's folders ``leftovers`` and, in ``data_dir``, those of a killed
    fetch or preparation (:func:`remove_data_leftovers`). Returns True if stale locks were removed.

    When another live process holds the run lock, nothing is touched (Snakemake then refuses
    to start in the locked folder, as it should).
    """
    folder = Path(snakemake_dir)
    previous = holder(folder)
    if not hold_run_lock(folder):
        return False
    remove_leftovers(leftovers, log=log)
    if data_dir is not None:
        from vanishing.mnist import data

        remove_data_leftovers(data_dir, data.WRITTEN, data.STAGING, data.lock_path(data_dir), log=log)
    locks = folder / "locks"
    stale = locks.is_dir() and any(locks.iterdir())
    if stale:
        shutil.rmtree(locks)
        log(f"Removed the locks of an earlier run that was killed (it was {previous}).")
    return stale
