"""Snakemake's own report (`snakemake --report`): every figure caption renders as reStructuredText.

Bars written as |x| read as substitution references in reStructuredText and garble a caption, with an
``(ERROR/3) Undefined substitution referenced`` line from docutils; these tests fail on any such line."""

import io
import re
from pathlib import Path

import pytest
from docutils.core import publish_parts

from conftest import REPO, run_snakemake

CAPTIONS = sorted((REPO / "workflow" / "report").glob("*.rst"))
DOCUTILS_PROBLEM = re.compile(r"\((ERROR|WARNING|SEVERE)/\d\)")


def test_there_are_captions():
    assert len(CAPTIONS) >= 5


@pytest.mark.parametrize("caption", CAPTIONS, ids=lambda p: p.name)
def test_caption_parses_without_docutils_messages(caption: Path):
    """Each caption alone, as Snakemake renders it (publish_parts, html writer): no system message."""
    messages = io.StringIO()
    parts = publish_parts(caption.read_text(), writer_name="html",
                          settings_overrides={"warning_stream": messages, "report_level": 2})
    assert messages.getvalue() == ""
    assert "system-message" not in parts["body"] and "problematic" not in parts["body"]


def test_bad_caption_is_caught():
    """The check above can fail: a caption with bare bars yields docutils' substitution error."""
    messages = io.StringIO()
    publish_parts("the norm |w sigma'(z)| of", writer_name="html",
                  settings_overrides={"warning_stream": messages, "report_level": 2})
    assert DOCUTILS_PROBLEM.search(messages.getvalue())


def test_snakemake_report_of_quick_run_has_no_docutils_errors(quick_run):
    proc = run_snakemake(quick_run, "--configfile", "test.yaml", "--report", "results/snakemake-report.html")
    problems = [line for line in proc.stdout.splitlines() if DOCUTILS_PROBLEM.search(line)]
    assert problems == []
    html = (quick_run / "results" / "snakemake-report.html").read_text(errors="replace")
    assert "Undefined substitution" not in html and "problematic" not in html
