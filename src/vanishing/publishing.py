"""Rules for the published copy in ``docs/``: only a full default run of committed code is
published, and a published copy is stale once the code, workflow, report or config changed
after the commit that made it (``docs/summary.json`` records that commit as its code version)."""

from __future__ import annotations

import re
import subprocess
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


# The published copy itself: Snakemake removes rule publish's old outputs before the job runs,
# so they always show as changed then, and they are what publish replaces.
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
