"""A run lock that cannot be stolen, and the release of a killed run's Snakemake locks and leftovers.

Snakemake refuses to start while ``.snakemake/locks`` holds locks, and a run killed with SIGKILL
(or by a power loss) never removes its own. The main Snakemake process of this workflow takes an
exclusive ``fcntl.flock`` on ``.snakemake/vanishing-run.lock`` and keeps it for its whole life;
the kernel drops it when the process ends, however it ends. A later run removes Snakemake's locks
(and the ``.part`` files a killed job left) only when it can take that flock itself: then no
process of an earlier run is alive. Staleness is never judged by a recorded PID, so PID reuse or
two runs starting at the same instant cannot make one run remove the other's locks.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import socket
from pathlib import Path

LOCKFILE = "vanishing-run.lock"

# Temporary names: vanishing.iofiles.atomic_path (mkstemp: 8 characters of [a-z0-9_]) and the
# staging folders of vanishing.data.fetch_mnist.
PART_FILE = re.compile(r"^\..+\.[a-z0-9_]{8}\.part(\.[A-Za-z0-9]+)?$")
PART_DIR = re.compile(r"^\.fetch-[a-z0-9_]{8}\.part$")

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
    """Remove the temporary ``.part`` files and fetch staging folders under ``folders``.

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


def release_stale_locks(snakemake_dir=".snakemake", leftovers=(), log=print) -> bool:
    """Take the run lock; if that succeeds, remove an earlier run's Snakemake locks and the
    ``.part`` leftovers under ``leftovers``. Returns True if stale locks were removed.

    When another live process holds the run lock, nothing is touched (Snakemake then refuses
    to start in the locked folder, as it should).
    """
    folder = Path(snakemake_dir)
    previous = holder(folder)
    if not hold_run_lock(folder):
        return False
    remove_leftovers(leftovers, log=log)
    locks = folder / "locks"
    stale = locks.is_dir() and any(locks.iterdir())
    if stale:
        shutil.rmtree(locks)
        log(f"Removed the locks of an earlier run that was killed (it was {previous}).")
    return stale
