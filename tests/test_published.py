"""The published copy in docs/: made only from a clean tree and a default run, swapped in whole
(a refused or killed publish keeps it byte for byte), and reported (as a skip with the reason,
never a failure) when the sources changed after the commit that made it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from conftest import REPO, run_snakemake
from vanishing.publication import publishing
from vanishing.publication.publishing import PublishError


def _git(repo, *args):
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path):
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "config", "user.email", "t@example.invalid")
    _git(tmp_path, "config", "user.name", "t")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.py").write_text("x = 1\n")
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "out.json").write_text("{}")  # untracked output: allowed
    _git(tmp_path, "add", "src")
    _git(tmp_path, "commit", "-qm", "first")
    return tmp_path


def _head(repo):
    return subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()


def test_publish_accepts_clean_default_run_of_head(repo):
    publishing.check_publishable(repo, {"a": 1}, {"a": 1}, _head(repo)[:12])


def test_publish_refuses_uncommitted_changes(repo):
    (repo / "src" / "a.py").write_text("x = 2\n")
    with pytest.raises(PublishError, match=r"clean git tree.*src/a.py"):
        publishing.check_publishable(repo, {"a": 1}, {"a": 1}, _head(repo)[:12])


def test_publish_replaces_the_published_copy_it_finds(repo):
    """A removed or changed tracked docs/ file (a publish not yet committed) is what publish
    replaces, not an uncommitted change."""
    (repo / "docs").mkdir()
    (repo / "docs" / "report.html").write_text("old")
    _git(repo, "add", "docs")
    _git(repo, "commit", "-qm", "published")
    (repo / "docs" / "report.html").unlink()
    publishing.check_publishable(repo, {"a": 1}, {"a": 1}, _head(repo)[:12])
    (repo / "src" / "a.py").write_text("x = 3\n")
    with pytest.raises(PublishError, match=r"src/a.py"):
        publishing.check_publishable(repo, {"a": 1}, {"a": 1}, _head(repo)[:12])


def test_publish_refuses_other_config_dirty_report_and_other_commit(repo):
    head = _head(repo)[:12]
    with pytest.raises(PublishError, match=r"differs in \['a'\]"):
        publishing.check_publishable(repo, {"a": 2}, {"a": 1}, head)
    with pytest.raises(PublishError, match="uncommitted code"):
        publishing.check_publishable(repo, {"a": 1}, {"a": 1}, head + "-dirty")
    with pytest.raises(PublishError, match="HEAD is"):
        publishing.check_publishable(repo, {"a": 1}, {"a": 1}, "0123456789ab")


def test_changed_since_lists_changed_sources(repo):
    first = _head(repo)[:12]
    assert publishing.changed_since(repo, first, ("src",)) == []
    (repo / "src" / "a.py").write_text("x = 3\n")
    _git(repo, "commit", "-qam", "second")
    assert publishing.changed_since(repo, first, ("src",)) == ["src/a.py"]
    assert publishing.commit_of("v1.0-3-g" + first) == first


def test_published_docs_are_current():
    """Skips (with the reason) when docs/ was made from older sources: republish then."""
    summary = json.loads((REPO / "docs" / "summary.json").read_text())
    version = summary["provenance"]["code_version"]
    try:
        changed = publishing.changed_since(REPO, version)
    except PublishError as exc:
        pytest.skip(f"docs/ cannot be dated: {exc}")
    if changed:
        pytest.skip(f"docs/ is stale: made at {version}, and {len(changed)} source file(s) changed since "
                    f"(e.g. {', '.join(changed[:5])}); run `snakemake --cores 2 publish` from a clean tree")
    assert (REPO / "docs" / "report.html").is_file()


# --- the swap ------------------------------------------------------------------------------------


def _tree(folder):
    """{relative path: bytes} of every file under ``folder``."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def published(tmp_path):
    """A folder with an old docs/ copy and the sources of a new one (a few MB, so copying takes a moment)."""
    (tmp_path / "docs" / "tables").mkdir(parents=True)
    (tmp_path / "docs" / "report.html").write_text("old report")
    (tmp_path / "docs" / "tables" / "gone.csv").write_text("old table")
    src = tmp_path / "src"
    src.mkdir()
    files = {}
    for n in range(6):
        (src / f"f{n}").write_bytes(os.urandom(1 << 20))
        files[f"tables/t{n}.csv" if n else "report.html"] = src / f"f{n}"
    return tmp_path, files


def test_publish_swaps_in_exactly_the_new_copy(published):
    repo, files = published
    digests = publishing.publish(repo, files)
    assert _tree(repo / "docs") == {rel: src.read_bytes() for rel, src in files.items()}
    assert set(digests) == set(files) and not list(repo.glob(".docs.*"))
    with pytest.raises(PublishError, match="inside docs"):
        publishing.publish(repo, {"../evil": files["report.html"]})
    assert _tree(repo / "docs") == {rel: src.read_bytes() for rel, src in files.items()}


KILLABLE = """
import os, shutil, sys, time
from pathlib import Path
from vanishing.publication import publishing
repo, stage = Path(sys.argv[1]), sys.argv[2]
files = {r: Path(p) for r, p in (a.split("=", 1) for a in sys.argv[3:])}
copied = []
real_copy, real_rmtree, real_rename = shutil.copyfile, shutil.rmtree, os.rename
def pause():
    (repo / "paused").write_text(stage)
    time.sleep(60)
def copyfile(src, dst, **kw):
    real_copy(src, dst, **kw)
    copied.append(dst)
    if stage == "copying" and len(copied) == 3:
        pause()
def rmtree(path, *a, **kw):
    if stage == "swapped" and Path(path).name.startswith(".docs."):
        pause()
    real_rmtree(path, *a, **kw)
def rename(a, b):
    real_rename(a, b)
    if stage == "renamed-aside":
        pause()
def no_exchange(a, b):
    raise OSError(38, "renameat2 is not available")
shutil.copyfile, shutil.rmtree, os.rename = copyfile, rmtree, rename
if stage == "renamed-aside":
    publishing._exchange = no_exchange
publishing.publish(repo, files)
"""


@pytest.mark.parametrize("stage", ["copying", "swapped", "renamed-aside"])
def test_a_killed_publish_leaves_the_old_or_the_new_copy_whole(published, stage):
    """SIGKILL while the new copy is assembled, right after the swap, and (without an atomic
    exchange) between the two renames: docs/ is then the old copy, the new one, or restored to the
    old one by the next publish's recovery; the next publish removes what was left and succeeds."""
    repo, files = published
    old, new = _tree(repo / "docs"), {rel: src.read_bytes() for rel, src in files.items()}
    script = repo / "killable.py"
    script.write_text(KILLABLE)
    proc = subprocess.Popen([sys.executable, str(script), str(repo), stage, *(f"{r}={p}" for r, p in files.items())])
    deadline = time.monotonic() + 60
    while not (repo / "paused").exists():
        assert proc.poll() is None and time.monotonic() < deadline, "the publish did not reach the stage"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert list(repo.glob(".docs.*")), "the kill left nothing behind to clean up"
    if stage == "copying":
        assert _tree(repo / "docs") == old
    elif stage == "swapped":
        assert _tree(repo / "docs") == new and _tree(next(repo.glob(".docs.*"))) == old  # swapped, not copied
    else:
        assert not (repo / "docs").exists() and _tree(next(repo.glob(".docs.old-*"))) == old
        publishing.recover(repo)
        assert _tree(repo / "docs") == old
    publishing.publish(repo, files)
    assert _tree(repo / "docs") == new and not list(repo.glob(".docs.*"))


def test_refused_publish_keeps_docs_byte_identical(tmp_path, quick_run):
    """Rule publish run for real on the quick run (a git repo, docs/ committed): refused for an
    uncommitted change, then for the quick config, and docs/ is byte for byte what it was."""
    work = tmp_path / "project"
    shutil.copytree(quick_run, work, symlinks=True)
    docs = work / "docs"
    (docs / "tables").mkdir(parents=True)
    (docs / "report.html").write_text("the published report")
    (docs / "tables" / "chain.csv").write_text("regime,seed\n")
    (work / "notes.txt").write_text("tracked\n")
    _git(work, "init", "-q")
    _git(work, "config", "user.email", "t@example.invalid")
    _git(work, "config", "user.name", "t")
    _git(work, "add", "docs", "notes.txt", "Snakefile", "workflow", "scripts", "config")
    _git(work, "commit", "-qm", "published")
    before = _tree(docs)
    (work / "notes.txt").write_text("an uncommitted edit\n")
    common = ["publish", "--cores", "1", "--configfile", "test.yaml", "--rerun-triggers", "mtime"]
    proc = run_snakemake(work, *common, check=False)
    assert proc.returncode != 0 and "publish refused: publish needs a clean git tree" in proc.stdout, proc.stdout[-3000:]
    assert _tree(docs) == before
    _git(work, "checkout", "notes.txt")
    proc = run_snakemake(work, *common, check=False)
    assert proc.returncode != 0 and "publish takes a full default run only" in proc.stdout, proc.stdout[-3000:]
    assert _tree(docs) == before
    status = subprocess.run(["git", "-C", str(work), "status", "--porcelain", "docs"], capture_output=True, text=True)
    assert status.stdout == ""
