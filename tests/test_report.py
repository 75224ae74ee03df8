"""The report of the quick run: rendered, self-contained, every number from summary.json, every
figure embedded, references resolved; it opens offline in Chromium; `snakemake --report` works."""

import html
import json
import re
import shutil

import pytest

from conftest import REPO, run_snakemake
from vanishing import report
from vanishing.render import check_html

ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture(scope="module")
def rendered(quick_run):
    path = quick_run / "results" / "report" / "report.html"
    text = path.read_text(encoding="utf-8")
    plain = html.unescape(re.sub(r"<[^>]+>", " ", text))
    summary = json.loads((quick_run / "results" / "summary.json").read_text())
    return path, text, re.sub(r"\s+", " ", plain), summary


def test_report_is_self_contained_and_resolved(rendered):
    path, text, plain, _ = rendered
    assert check_html(path) == []
    assert "??" not in plain and "?@" not in plain and "?var:" not in plain
    figures = re.findall(r"\]\((figures/[^)]+\.png)\)\{#fig-", (REPO / "report" / "report.qmd").read_text())
    assert len(figures) >= 8
    assert len(re.findall(r'<img[^>]+src="data:image/png;base64,', text)) >= len(figures)
    for n in range(1, len(figures) + 1):
        assert f"Figure {n}" in plain


def test_bibliography_has_the_papers(rendered):
    _, _, plain, _ = rendered
    references = plain.lower().split("references")[-1]
    assert "understanding the difficulty of training deep feedforward neural networks" in references
    assert "on the importance of initialization and momentum in deep learning" in references
    assert "glorot" in references and "sutskever" in references


def test_numbers_shown_are_those_of_summary_json(rendered):
    _, _, plain, summary = rendered
    for d in summary["depth_accuracy"]["per_depth"]:
        acc = d["final_accuracy"]
        assert f"{report.pct(acc['mean'])} ± {report.pct(acc['std'])}" in plain
    for d in summary["initial_speed"]["per_depth"]:
        for layer in d["layers"]:
            assert report.sig(layer["mean"]) in plain
        assert f"{report.ratio(d['last_over_first']['mean'])}" in plain
    k4 = [d for d in summary["learning_speed"]["per_depth"] if d["hidden_layers"] == 4][0]
    assert f"learns {report.ratio(k4['ratio_over_training']['median'])} times faster" in plain
    assert f"a factor of {report.ratio(summary['chain']['exploding_factor_per_layer']['mean'])} per layer" in plain
    assert f"|w| ≈ {summary['window']['widest_w']:.3f}, with a width of only {summary['window']['widest_width']:.4f}" in plain
    assert summary["provenance"]["code_version"] in plain
    assert summary["data"]["files"]["train-images-idx3-ubyte"]["sha256"] in plain


def test_pdf_is_made(quick_run):
    pdf = quick_run / "results" / "report" / "report.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 100_000


def test_report_opens_offline_in_chromium(rendered):
    from browser import open_and_check
    from test_render import require_chromium

    require_chromium()
    path = rendered[0]
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copyfile(path, ARTIFACTS / "report.html")
    result = open_and_check(path, ARTIFACTS / "report.png", width=1100, max_height=16000)
    assert result["console_errors"] == [] and result["failed_requests"] == []
    assert result["requests"] == [path.resolve().as_uri()]
    assert (ARTIFACTS / "report.png").stat().st_size > 50_000


def test_snakemake_report(quick_run):
    run_snakemake(quick_run, "--configfile", "test.yaml", "--report", "results/snakemake-report.html")
    text = (quick_run / "results" / "snakemake-report.html").read_text(errors="replace")
    assert "depth_accuracy.png" in text and "E2: speed of learning" in text
