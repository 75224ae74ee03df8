"""The report of the quick run: rendered, self-contained, every number from summary.json, every
figure embedded, references resolved; it opens offline in Chromium; `snakemake --report` works."""

import html
import json
import re
import shutil

import pytest

from conftest import REPO
from vanishing.publication import report_values
from vanishing.publication.render import check_html

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
    figures = re.findall(r'<figure[^>]* id="fig-[\w-]+"', text)  # the qmd's and the generated ones
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
        assert f"{report_values.pct(acc['mean'])} ± {report_values.pct(acc['std'])}" in plain
    for d in summary["initial_speed"]["per_depth"]:
        for layer in d["layers"]:
            assert report_values.sig(layer["mean"]) in plain
        assert f"{report_values.ratio(d['last_over_first']['mean'])}" in plain
    k4 = [d for d in summary["learning_speed"]["per_depth"] if d["hidden_layers"] == 4][0]
    assert f"learns {report_values.ratio(k4['ratio_over_training']['median'])} times faster" in plain
    assert f"a factor of {report_values.ratio(summary['chain']['exploding_factor_per_layer']['mean'])} per layer" in plain
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


# --- the report as a publication (issue 14) ----------------------------------------------------


def test_quick_report_reads_right(rendered, quick_run):
    """Number agreement, the reproduce box and key findings, captions linking existing tables."""
    from test_report_configs import BAD_AGREEMENT, chapter_text

    path, text, _, summary = rendered
    chapter = chapter_text(text)
    assert BAD_AGREEMENT.findall(chapter) == []
    assert "Reproduce this report" in chapter and "Key findings of this run" in chapter
    assert f"digest {report_digest(summary)}" in chapter
    assert re.search(r"\d+ (?:min \d+ )?s of wall time, \d+ (?:min \d+ )?s of job time", chapter)
    links = set(re.findall(r'href="(tables/[^"]+\.csv)"', text))
    assert {"tables/depth_accuracy.csv", "tables/initial_speed.csv", "tables/chain.csv"} <= links
    for link in links:
        assert (path.parent / link).is_file(), link
    assert "(the book: |w| ≈ 6.9, width ≈ 0.45)" in chapter  # the book's precision, not ours


def report_digest(summary):
    from vanishing.publication.report_top import config_digest

    return config_digest(summary["config"])


def test_figures_are_crisp_and_legible(quick_run):
    """Chapter figures: PNG at least twice the 640-px column, no text under 8 pt at print size."""
    import pandas as pd
    from PIL import Image

    from vanishing.chapter import book, plots
    from vanishing.publication import figure_style

    results = quick_run / "results"
    for name in ("depth_accuracy", "initial_speed", "initial_speed_bars", "chain", "window", "learning_speed_depth4"):
        with Image.open(results / "figures" / f"{name}.png") as im:
            assert im.width >= 2 * 640, (name, im.size)  # twice the text column
    tables = {n: pd.read_csv(results / "tables" / f"{n}.csv") for n in
              ("depth_accuracy", "initial_speed", "learning_speed", "chain", "window", "sigma_prime")}
    figures = [plots.depth_accuracy(tables["depth_accuracy"], book.DEPTH_ACCURACY),
               plots.initial_speed(tables["initial_speed"], book.INITIAL_SPEED),
               plots.learning_speed(tables["learning_speed"], 4), plots.chain(tables["chain"]),
               plots.window(tables["window"], tables["sigma_prime"], (6.9, 0.45))]
    for fig in figures:
        assert fig.get_size_inches()[0] <= figure_style.WIDTH + 1e-9
        assert min(figure_style.font_sizes(fig)) >= figure_style.MIN_FONT_PT


def test_pdf_tables_print_whole_and_nothing_overprints(quick_run):
    """pdftotext -layout: each chapter table's rows on one line each, in order; -bbox: no word
    (tables, page numbers) printed over another anywhere, the beyond verdict table included."""
    from pdf_checks import layout_text, markdown_rows, overprinted_words, require_poppler, rows_in_order

    require_poppler()
    pdf = quick_run / "results" / "report" / "report.pdf"
    text = layout_text(pdf)
    generated = quick_run / "results" / "report" / "work" / "_generated"
    for name in ("e1", "e2", "e3", "timings", "packages"):
        rows = markdown_rows((generated / f"{name}.md").read_text())
        assert rows, name
        assert rows_in_order(text, rows) == [], name
    assert overprinted_words(pdf) == []
    end = text.rindex("References")
    config_lines = text[text.rindex("digest", 0, end):end].count("\n")
    assert config_lines < 2 * 60, "the configuration appendix must fit in two pages"


def test_layout_in_chromium_at_1280_and_390(rendered):
    """Screenshots at 1280 and 390 px (kept in test-artifacts/): a 550-850 px text column with the
    TOC beside it on a wide screen; no horizontal scrolling on a phone."""
    from browser import layout
    from test_render import require_chromium

    require_chromium()
    ARTIFACTS.mkdir(exist_ok=True)
    facts = layout(rendered[0], (1280, 390), ARTIFACTS)
    wide, narrow = facts[1280], facts[390]
    assert 550 <= wide["text"]["width"] <= 850, wide
    assert wide["toc"]["visible"] and wide["toc"]["left"] >= wide["text"]["right"], wide
    assert wide["toc"]["top"] < 200  # beside the text's start, not below it
    assert "sans-serif" in wide["font_family"]
    assert narrow["scroll_width"] <= 390, narrow
    for width in (1280, 390):  # what is wider than the column scrolls inside its own box
        assert facts[width]["overflowing"] == [], (width, facts[width]["overflowing"])
    assert narrow["toc"]["visible"] and narrow["toc"]["top"] < narrow["text"]["top"], narrow
    for width in (1280, 390):
        assert (ARTIFACTS / f"report-{width}.png").stat().st_size > 50_000


def test_quick_report_has_no_template_leftovers(rendered):
    """No "(s)" plural, doubled word or code name in the running text (tests/prose_leftovers.py)."""
    from prose_leftovers import leftovers, prose

    import yaml

    path, text, _, _ = rendered
    sections = set(yaml.safe_load((REPO / "config" / "config.yaml").read_text()))
    assert leftovers(prose(text), sections) == []
