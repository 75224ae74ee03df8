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
    assert f"grows by {report_values.ratio(summary['chain']['exploding_factor_per_layer']['mean'])} per layer" in plain
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
    # above the text on a phone the contents are folded to their title, so the story comes first
    assert narrow["toc"]["height"] < 80 < wide["toc"]["height"], (narrow["toc"], wide["toc"])
    for width in (1280, 390):
        assert (ARTIFACTS / f"report-{width}.png").stat().st_size > 50_000
    # The story first: the Key findings box starts on the first screen of a wide window.
    assert wide["findings"] is not None and wide["findings"]["top"] < 1000, wide["findings"]
    # The verdict table reads without sideways scrolling: its last column inside the viewport at 1280 px,
    # and at 390 px (one card per claim) every cell inside the column.
    for width in (1280, 390):
        table = facts[width]["verdict_table"]
        assert table is not None and table["rows"] >= 4, (width, table)
        assert table["scroll_width"] <= table["client_width"] + 1, (width, table)
        assert max(cell["right"] for cell in table["last_cells"]) <= min(width, facts[width]["main"]["right"]) + 1
    cards = narrow["verdict_table"]["last_cells"]
    assert all(cell["left"] < narrow["main"]["left"] + 30 for cell in cards), cards  # stacked, not a column


def test_pdf_main_text_is_short_full_and_the_verdict_table_on_one_page(quick_run):
    """pdftoppm/pdftotext of the quick PDF: at most 18 pages before the first appendix, none of them
    more than a third blank, and every row of the verdict table on one and the same page."""
    from pdf_checks import blank_fractions, first_appendix_page, page_texts, require_poppler

    require_poppler()
    pdf = quick_run / "results" / "report" / "report.pdf"
    pages = page_texts(pdf)
    appendix = first_appendix_page(pages)
    assert 1 < appendix - 1 <= 18, appendix
    blank = blank_fractions(pdf)
    assert len(blank) == len(pages)
    loose = {n: round(b, 2) for n, b in enumerate(blank[:appendix - 1], 1) if b > 1 / 3}
    assert loose == {}, loose
    verdicts = (quick_run / "results" / "report" / "work" / "_generated" / "beyond_verdicts.md").read_text()
    starts = [re.match(r"\*\*(R\d)\*\* ([\w-]+)", line[2:]).groups() for line in verdicts.splitlines()[2:]
              if line.startswith("| **R")]  # each row's label and first word, as its first printed line begins
    assert len(starts) >= 10
    found = {}
    for row, words in enumerate(starts):
        pattern = re.compile(r"\s+".join(map(re.escape, words)))
        found[row] = {n for n, text in enumerate(pages[:appendix - 1], 1) if pattern.search(text)}
    assert all(found.values()), found  # every row printed in the main text
    assert len(set().union(*found.values())) == 1, found


def test_blank_band_measure_finds_a_half_empty_page(tmp_path):
    """blank_fractions on a made-up PDF: full pages measure well under a third, the page that ends
    halfway well over it."""
    import typst

    from pdf_checks import blank_fractions, require_poppler

    require_poppler()
    source = tmp_path / "pages.typ"
    full, half = "#rect(width: 100%, height: 95%, fill: gray)\n", "#rect(width: 100%, height: 45%, fill: gray)\n"
    source.write_text("#set page(numbering: \"1\")\n" + full + half + "#pagebreak()\n" + full)  # the half page: 3 of 4
    typst.compile(str(source), output=str(tmp_path / "pages.pdf"), root=str(tmp_path))
    blank = blank_fractions(tmp_path / "pages.pdf")
    assert len(blank) == 3
    assert blank[0] < 0.05 and blank[2] < 0.05 and 0.45 < blank[1] < 0.6, blank


def test_quick_report_has_no_template_leftovers(rendered):
    """No "(s)" plural, doubled word or code name in the running text (tests/prose_leftovers.py)."""
    from prose_leftovers import leftovers, prose, table_cells

    import yaml

    path, text, _, _ = rendered
    sections = set(yaml.safe_load((REPO / "config" / "config.yaml").read_text()))
    assert leftovers(prose(text), sections) == []
    assert leftovers(table_cells(text)) == []  # the tables' cells too (the verdict table's claims)
