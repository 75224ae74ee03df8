"""The published copy in ``docs/``: only a full default run of committed code is published, a
published copy is stale once the code, workflow, report or config changed after the commit that
made it (``docs/summary.json`` records that commit as its code version), and publishing can never
lose the copy that is there.

:func:`publish` assembles the new copy in a hidden folder beside ``docs/`` and swaps the two
folders with one ``renameat2(RENAME_EXCHANGE)`` (Linux), so that a kill at any moment leaves
``docs/`` holding either the old copy or the new one, whole; the leftover folder is removed by
the next publish. Where the exchange is not available (another OS, a file system without it),
``docs/`` is renamed aside and the new copy renamed in: a kill between the two renames leaves
the old copy whole beside it, and the next publish (or :func:`recover`) puts it back first.
Rule ``publish`` owns no file in ``docs/`` (its output is a stamp under ``results/``), so
Snakemake never deletes the published copy before the job or after a failure.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

# What the published numbers and text depend on: a change here makes docs/ out of date.
SOURCES = ("src", "scripts", "workflow", "report", "config", "Snakefile")


class PublishError(RuntimeError):
    """The run may not be published (dirty tree, other config, report of other code)."""


def _git(repo, *args) -> str:
    proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise PublishError(f"git {' '.join(args)} failed in {repo}: {proc.stderr.strip()}")
    return proc.stdout


# The published copy itself: what publish replaces, so changes there (a publish not yet
# committed) do not make the tree dirty for publishing.
PUBLISHED = "docs/"


def uncommitted(repo, ignore=(PUBLISHED,)) -> list[str]:
    """Tracked files with uncommitted changes (staged or not), except under ``ignore``; untracked
    outputs do not count."""
    out = _git(repo, "status", "--porcelain", "--untracked-files=no")
    paths = [line[3:] for line in out.splitlines() if line.strip()]
    return [p for p in paths if not p.startswith(tuple(ignore))]


def commit_of(code_version: str) -> str:
    """The commit hash inside a ``git describe --always --dirty`` string; PublishError if dirty."""
    if code_version.endswith("-dirty"):
        raise PublishError(f"the report was made from uncommitted code ({code_version}); commit and rerun")
    match = re.search(r"(?:-g)?([0-9a-f]{7,40})$", code_version)
    if not match:
        raise PublishError(f"code version {code_version!r} names no commit")
    return match.group(1)


def check_publishable(repo, used_config: dict, default_config: dict, code_version: str):
    """Raise PublishError unless the tree is clean, the run used the default config and the
    report was made from the commit checked out now."""
    dirty = uncommitted(repo)
    if dirty:
        raise PublishError("publish needs a clean git tree; uncommitted changes in: " + ", ".join(dirty[:20]))
    if used_config != default_config:
        changed = sorted(k for k in set(default_config) | set(used_config)
                         if default_config.get(k) != used_config.get(k))
        raise PublishError(f"publish takes a full default run only; this run's config differs in {changed}")
    made_from = commit_of(code_version)
    head = _git(repo, "rev-parse", "HEAD").strip()
    if not head.startswith(made_from):
        raise PublishError(f"the report was made from commit {made_from}, but HEAD is {head[:12]}: rerun the "
                           "pipeline before publishing")


def changed_since(repo, code_version: str, paths=SOURCES) -> list[str]:
    """Files under ``paths`` that differ between the published commit and the working tree."""
    commit = commit_of(code_version)
    out = _git(repo, "diff", "--name-only", commit, "--", *paths)
    return [line for line in out.splitlines() if line.strip()]


# --------------------------------------------------------------------------- the atomic swap

_RENAME_EXCHANGE = 2  # linux/fs.h
_AT_FDCWD = -100


def _exchange(a: Path, b: Path):
    """Swap two paths atomically (``renameat2`` with RENAME_EXCHANGE); OSError if unsupported."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available")
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(a))


def _leftovers(repo: Path, docs: str, kind: str) -> list[Path]:
    return sorted(repo.glob(f".{docs}.{kind}-*"))


def recover(repo, docs: str = "docs") -> list[str]:
    """Undo what a killed publish left: put an old copy renamed aside back when ``docs`` is
    missing, then delete the hidden leftover folders. Returns what it did."""
    repo, done = Path(repo), []
    target = repo / docs
    old = _leftovers(repo, docs, "old")
    if not target.exists() and old:
        os.rename(old[-1], target)
        done.append(f"restored {target} from {old[-1].name}")
    for leftover in _leftovers(repo, docs, "old") + _leftovers(repo, docs, "new"):
        shutil.rmtree(leftover)
        done.append(f"removed {leftover.name}")
    return done


def _fsync(path: Path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(repo, files: dict, docs: str = "docs") -> dict:
    """Make ``repo/docs`` hold exactly ``files`` (``{path inside docs: source file}``), swapped in
    whole; return ``{path: sha256}`` of what was published. Run the checks
    (:func:`check_publishable`) first: nothing here refuses anything."""
    repo = Path(repo).resolve()
    target = repo / docs
    recover(repo, docs)
    new = Path(tempfile.mkdtemp(prefix=f".{docs}.new-", dir=repo))
    digests = {}
    try:
        for rel, src in sorted(files.items()):
            dest = (new / rel).resolve()
            if Path(rel).is_absolute() or new not in dest.parents:
                raise PublishError(f"published path {rel!r} must be relative and inside {docs}/")
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
            _fsync(dest)
            digests[rel] = hashlib.sha256(dest.read_bytes()).hexdigest()
        for folder in {(new / rel).parent for rel in files} | {new}:
            _fsync(folder)
        os.chmod(new, target.stat().st_mode & 0o7777 if target.is_dir() else 0o777 & ~_umask())
        if not target.exists():
            os.rename(new, target)
        else:
            try:
                _exchange(new, target)  # new now holds the old copy
            except OSError as exc:
                if exc.errno not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
                    raise
                new = _two_renames(repo, docs, new, target)
        _fsync(repo)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    shutil.rmtree(new)
    return digests


def _two_renames(repo: Path, docs: str, new: Path, target: Path) -> Path:
    """The swap without an atomic exchange: old copy aside, new copy in; the old copy's folder."""
    old = repo / f".{docs}.old-{os.getpid()}"
    os.rename(target, old)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(old, target)
        raise
    return old


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
