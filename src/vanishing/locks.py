"""Release Snakemake's directory lock when the run that took it was killed.

Snakemake refuses to start while ``.snakemake/locks`` holds locks, and a run killed with SIGKILL
(or by a power loss) never removes its own. The main Snakemake process of this workflow records
``host pid`` in ``.snakemake/vanishing-main.pid``; a later run removes the locks only when that
process is gone from this host, so a run that is still going keeps its lock, and "run the same
command again" resumes a killed run.
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

PIDFILE = "vanishing-main.pid"


def _owner(pidfile: Path):
    try:
        host, pid = pidfile.read_text().split()
        return host, int(pid)
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def release_stale_locks(snakemake_dir=".snakemake", log=print) -> bool:
    """Remove the locks of a dead earlier run and record this process as the owner.

    Returns True if stale locks were removed. Leaves everything alone while the recorded owner
    is alive, or when it ran on another host (its liveness cannot be checked from here).
    """
    folder = Path(snakemake_dir)
    pidfile = folder / PIDFILE
    owner = _owner(pidfile)
    if owner and owner[1] != os.getpid() and (owner[0] != socket.gethostname() or _alive(owner[1])):
        return False
    locks = folder / "locks"
    stale = locks.is_dir() and any(locks.iterdir())
    if stale:
        shutil.rmtree(locks)
        log(f"Removed the locks of an earlier run that was killed ({owner[1] if owner else 'unknown pid'}).")
    folder.mkdir(parents=True, exist_ok=True)
    pidfile.write_text(f"{socket.gethostname()} {os.getpid()}\n")
    return stale
