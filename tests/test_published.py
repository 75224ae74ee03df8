"""The published copy in docs/: made only from a clean tree and a default run, and reported (as a
skip with the reason, never a failure) when the sources changed after the commit that made it."""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import REPO
from vanishing import publishing
from vanishing.publishing import PublishError


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
    """Snakemake deletes rule publish's old outputs before the job runs: a removed or changed
    tracked docs/ file is what publish replaces, not an uncommitted change."""
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
