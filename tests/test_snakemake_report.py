"""Snakemake's own report (`snakemake --report`): every figure caption renders as reStructuredText.

Bars written as |x| read as substitution references in reStructuredText and garble a caption, with an
``(ERROR/3) Undefined substitution referenced`` line from docutils; these tests fail on any such line."""

import io
import json
import re
import zipfile
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


# --- The quick run's report.zip: Snakemake's layout is <stem>/report.html, whose scripts hold
# `var categories = {part: {subcategory: [paths]}}` and `var results = {path: {labels, data_uri}}`,
# and <stem>/<data_uri> for each result's file.


@pytest.fixture(scope="module")
def report_zip(quick_run):
    proc = run_snakemake(quick_run, "--configfile", "test.yaml", "--report", "results/report.zip")
    with zipfile.ZipFile(quick_run / "results" / "report.zip") as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    html = files["report/report.html"].decode()
    return {"log": proc.stdout, "html": html, "files": files,
            "categories": script_value(html, "categories"), "results": script_value(html, "results")}


def script_value(html, name):
    """The JSON value of ``var <name> = ...;`` in Snakemake's report page."""
    match = re.search(rf'<script id="{name}">\s*var {name} = (.*?);\s*</script>', html, re.S)
    assert match, f"no {name} in the report page"
    return json.loads(match.group(1))


def part_of(name):
    """Where a figure or table belongs: the experiments beyond the chapter, the chapter's causes
    (E1's per-layer speed per epoch among them), why deeper is no better (the learning-speed fit among
    them), or the chapter."""
    if name.startswith("why_deeper_") or name == "learning_speed_fit":
        return "Why deeper is no better"
    if name.startswith("beyond_"):
        return "Beyond the chapter"
    if name.startswith("causes_") or name == "depth_speed":
        return "Causes"
    return "Chapter 5"


def study_results(workdir):
    """Every figure (PNG; its SVG twin is for print) and every table of the run."""
    results = workdir / "results"
    figures = {f"results/figures/{p.name}": "Figures" for p in (results / "figures").glob("*.png")}
    tables = {f"results/tables/{p.name}": "Tables" for p in (results / "tables").glob("*.csv")}
    return {**figures, **tables}


def placed(categories):
    return {path: (part, sub) for part, subs in categories.items() for sub, paths in subs.items()
            for path in paths}


def test_report_zip_holds_every_figure_and_table_in_its_part(quick_run, report_zip):
    expected = {path: (part_of(Path(path).stem), sub) for path, sub in study_results(quick_run).items()}
    parts = {p for p, _ in expected.values()}
    assert len(expected) >= 30 and parts == {"Chapter 5", "Causes", "Beyond the chapter", "Why deeper is no better"}
    assert placed(report_zip["categories"]) == expected
    for path in expected:  # the zip's copy is the run's file
        uri = report_zip["results"][path]["data_uri"]
        assert report_zip["files"][f"report/{uri}"] == (quick_run / path).read_bytes(), path


def test_a_missing_or_misfiled_result_would_be_caught(quick_run, report_zip):
    categories = json.loads(json.dumps(report_zip["categories"]))
    moved = categories["Causes"]["Tables"].pop()
    categories["Chapter 5"]["Tables"].append(moved)
    expected = {path: (part_of(Path(path).stem), sub) for path, sub in study_results(quick_run).items()}
    assert placed(categories) != expected
    del categories["Chapter 5"]["Tables"][-1]
    assert set(placed(categories)) != set(expected)


def toggles(results):
    """The labels Snakemake's report page shows as a toggle instead of a column (its
    abstract_results.js: a label after the first with exactly two values, each on half the results)."""
    names = list(dict.fromkeys(key for r in results for key in r["labels"]))
    found = []
    for name in names[1:]:
        values = [r["labels"][name] for r in results if name in r["labels"]]
        unique = set(values)
        if len(unique) == 2 and all(values.count(v) * 2 == len(results) for v in unique):
            found.append(name)
    return found


def test_every_subcategory_browses_as_a_table_of_labels(report_zip):
    """Each result is labelled with its experiment, what it shows and the depths, activations and
    inits of its runs; within a subcategory every row is distinct (the page keeps one result per
    distinct row) and no label turns into a toggle."""
    results = report_zip["results"]
    for part, subs in report_zip["categories"].items():
        for sub, paths in subs.items():
            rows = [results[p] for p in paths]
            assert all({"experiment", "result"} <= set(r["labels"]) for r in rows), (part, sub)
            keys = [tuple(sorted(r["labels"].items())) for r in rows]
            assert len(set(keys)) == len(keys), (part, sub, keys)
            assert toggles(rows) == [], (part, sub)
    learning = [r["labels"] for r in results.values() if r["labels"]["experiment"] == "E3"
                and r["name"].endswith(".png")]
    assert sorted(lab["depth"] for lab in learning) == ["2", "3", "4"]
    r2 = results["results/tables/beyond_saturation.csv"]["labels"]
    assert r2["activation"] == "sigmoid, tanh" and r2["init"] == "standard, glorot"


def test_toggle_rule_would_be_caught():
    rows = [{"labels": {"experiment": "E1", "kind": "figure"}}, {"labels": {"experiment": "E2", "kind": "table"}}]
    assert toggles(rows) == ["kind"]


def test_snakemake_report_of_quick_run_has_no_docutils_errors(report_zip):
    problems = [line for line in report_zip["log"].splitlines() if DOCUTILS_PROBLEM.search(line)]
    assert problems == []
    assert "Undefined substitution" not in report_zip["html"] and "problematic" not in report_zip["html"]
