"""Tests of vanishing.publication.render on the toy Quarto project in tests/fixtures/report_toy.

The toy has two chapters (one through an include), a bibliography with two entries, two
figures (drawn here with matplotlib), a generated table with a #tbl- id, an equation, a
callout, var shortcodes and cross-references. Quarto is not installed here: its engine is
tested with a fake ``quarto`` executable that records how it was called.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import textwrap
import unicodedata
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import yaml  # noqa: E402

from vanishing.publication import render  # noqa: E402
from vanishing.publication.render import RenderError, check_html, choose_engine, render_report  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
TOY = Path(__file__).with_name("fixtures") / "report_toy"
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")

VARIABLES = {"results": {"accuracy": "96.5%", "epochs": 30}, "speeds": {"l1": 0.0123, "l2": 0.0755}}
TABLE = textwrap.dedent("""\
    | Layer | Learning speed |
    |------:|---------------:|
    | 1     | {{< var speeds.l1 >}} |
    | 2     | {{< var speeds.l2 >}} |

    : Learning speed per hidden layer. {#tbl-speeds}
    """)


# --------------------------------------------------------------------------- helpers


def _figures(folder: Path) -> dict[str, Path]:
    """Two small PNG figures, keyed by their path inside the project."""
    folder.mkdir(parents=True, exist_ok=True)
    assets = {}
    for name, slope in (("fig_speed", 1.0), ("fig_norms", -1.0)):
        fig, ax = plt.subplots(figsize=(4, 2.5))
        ax.plot([0, 1, 2], [0, slope, 2 * slope], label=name)
        ax.legend()
        fig.savefig(folder / f"{name}.png", dpi=80)
        plt.close(fig)
        assets[f"_generated/{name}.png"] = folder / f"{name}.png"
    return assets


def _render(tmp_path: Path, source: Path = TOY, out_html: Path | None = None, **kwargs) -> tuple[str, Path]:
    """Render ``source`` with the toy inputs; return (engine, html path)."""
    out_html = out_html or tmp_path / "out" / "report.html"
    kwargs.setdefault("engine", "pandoc")
    engine = render_report(source, tmp_path / "work", out_html, VARIABLES, {"_generated/speeds.md": TABLE},
                           assets=_figures(tmp_path / "figs"), log=lambda _msg: None, **kwargs)
    return engine, out_html


def _copy_toy(tmp_path: Path, edit=None) -> Path:
    """A copy of the toy project, with ``edit(text) -> text`` applied to report.qmd."""
    source = tmp_path / "src"
    shutil.copytree(TOY, source)
    if edit:
        qmd = source / "report.qmd"
        qmd.write_text(edit(qmd.read_text()))
    return source


def _text(html: str) -> str:
    """Visible-ish text of HTML: tags dropped, non-breaking spaces made plain."""
    return unicodedata.normalize("NFKC", re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture(scope="module")
def toy_html(tmp_path_factory) -> str:
    """The toy report rendered once with the pandoc engine."""
    tmp_path = tmp_path_factory.mktemp("toy")
    engine, out = _render(tmp_path)
    assert engine == "pandoc"
    return out.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- pandoc engine


def test_filter_ships_with_the_package():
    assert render.FILTER.is_file() and render.FILTER.suffix == ".lua"


def test_pandoc_render_has_no_problems(tmp_path):
    engine, out = _render(tmp_path)
    assert engine == "pandoc"
    assert check_html(out) == []
    assert not list(out.parent.glob(".*.part*")), "temporary file left beside the output"


def test_variables_and_included_table_appear(toy_html):
    text = _text(toy_html)
    assert "accuracy of 96.5% after 30 epochs" in text
    assert "0.0123" in text and "0.0755" in text
    assert "{{<" not in toy_html and "?var" not in toy_html


def test_figures_and_table_are_numbered_and_referenced(toy_html):
    text = _text(toy_html)
    assert "Figure 1: Learning speed of each hidden layer." in text
    assert "Figure 2: Gradient norm per layer during training." in text
    assert "Table 1: Learning speed per hidden layer." in text
    assert re.search(r'<a href="#fig-speed"[^>]*>Figure\xa01</a>', toy_html)
    assert re.search(r'<a href="#fig-norms"[^>]*>Figure\xa02</a>', toy_html)
    assert re.search(r'<a href="#tbl-speeds"[^>]*>Table\xa01</a>', toy_html)
    assert re.search(r'<a href="#eq-chain"[^>]*>Equation\xa01</a>', toy_html)
    assert re.search(r'<a href="#sec-intro"[^>]*>Section\xa01</a>', toy_html)
    for label in ("fig-speed", "fig-norms", "tbl-speeds", "eq-chain", "sec-intro", "sec-results"):
        assert f'id="{label}"' in toy_html


def test_sections_toc_math_and_callout(toy_html):
    assert '<nav id="TOC"' in toy_html
    assert re.search(r'<span class="header-section-number">2</span>\s*Results', toy_html)
    assert "<math" in toy_html and "<script" not in toy_html
    assert 'class="callout callout-note"' in toy_html and "Where the numbers come from" in toy_html


def test_publication_template_and_stylesheet(toy_html):
    """The pandoc render uses the project's template: title block, sidebar TOC, main column, its CSS."""
    assert '<header id="title-block-header" class="title-block">' in toy_html
    assert re.search(r'<nav id="TOC"[^>]*class="sidebar-toc"', toy_html)
    assert '<main id="content" class="content">' in toy_html
    css = (render.PANDOC_DIR / "publication.css").read_text()
    assert "grid-template-areas" in css and css.split("{")[0].strip().startswith("/*")
    assert "nav#TOC" in toy_html and "sans-serif" in toy_html  # the stylesheet is embedded
    assert toy_html.index('id="title-block-header"') < toy_html.index('id="TOC"') < toy_html.index("<main")


def test_quarto_date_today_becomes_the_date(tmp_path):
    meta = render._pandoc_metadata({"date": "today", "title": "x"}, "report")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", meta["date"])
    assert render._pandoc_metadata({"date": "2020-01-02"}, "r")["date"] == "2020-01-02"


def test_images_are_embedded(toy_html):
    assert len(re.findall(r'<img[^>]*src="data:image/png;base64,', toy_html)) == 2
    assert not re.search(r'src="(?!data:)', toy_html)


def test_bibliography_has_both_entries(toy_html):
    refs = toy_html[toy_html.index('id="refs"'):]
    assert 'id="ref-nielsen2015"' in refs and 'id="ref-glorot2010"' in refs
    assert "Neural Networks and Deep Learning" in refs and "Understanding the" in refs
    assert 'href="#ref-glorot2010"' in toy_html  # link-citations
    assert ">References</h2>" in toy_html


DIV_SYNTAX = textwrap.dedent("""\
    ---
    title: Div syntax
    ---

    ## First {.unnumbered}

    ::: {#fig-pair}
    ![](_generated/fig_speed.png)

    A figure declared with a div.
    :::

    ::: {#tbl-div}
    | a | b |
    |---|---|
    | 1 | 2 |

    A table declared with a div.
    :::

    ## Second {#sec-second}

    Mixed: @fig-pair [@glorot2010], number only [-@tbl-div], with prefix [see @sec-second].

    ::: {.callout-warning}
    No title here.
    :::
    """)


def test_div_floats_mixed_citations_and_untitled_callout(tmp_path):
    source = _copy_toy(tmp_path)
    (source / "divs.qmd").write_text(DIV_SYNTAX)
    _engine, out = _render(tmp_path, source, main="divs.qmd")
    html = out.read_text()
    text = _text(html)
    assert check_html(out) == []
    assert "Figure 1: A figure declared with a div." in text
    assert "Table 1: A table declared with a div." in text
    assert re.search(r'<a href="#fig-pair"[^>]*>Figure\xa01</a> <span class="citation"', html)
    assert re.search(r'<a href="#tbl-div"[^>]*>1</a>', html)
    assert re.search(r'see <a href="#sec-second"[^>]*>Section\xa01</a>', html)  # First is unnumbered
    assert "Glorot and Bengio" in text and 'id="ref-glorot2010"' in html
    assert 'class="callout callout-warning"' in html and "<strong>Warning</strong>" in html


def test_section_reference_needs_number_sections(tmp_path):
    source = _copy_toy(tmp_path)
    quarto_yml = source / "_quarto.yml"
    quarto_yml.write_text(quarto_yml.read_text().replace("number-sections: true", "number-sections: false"))
    with pytest.raises(RenderError, match="number-sections"):
        _render(tmp_path, source)


def test_unknown_variable_is_an_error_naming_the_key(tmp_path):
    source = _copy_toy(tmp_path, lambda t: t + "\nSee {{< var results.missing_key >}}.\n")
    with pytest.raises(RenderError, match=r"results\.missing_key"):
        _render(tmp_path, source)
    assert not (tmp_path / "out" / "report.html").exists()


def test_unknown_variable_is_an_error_for_quarto_too(tmp_path, monkeypatch):
    source = _copy_toy(tmp_path, lambda t: t + "\n{{< var nope >}}\n")
    log = _fake_quarto(tmp_path, monkeypatch)
    with pytest.raises(RenderError, match="'nope'"):
        _render(tmp_path, source, engine="auto")
    assert not log.exists(), "quarto must not run when a variable is unknown"


def test_unresolved_cross_reference_is_an_error(tmp_path):
    source = _copy_toy(tmp_path, lambda t: t + "\nSee @fig-nowhere.\n")
    with pytest.raises(RenderError, match="fig-nowhere"):
        _render(tmp_path, source)


def test_unknown_citation_is_an_error(tmp_path):
    source = _copy_toy(tmp_path, lambda t: t + "\nAs shown [@nobody2020].\n")
    with pytest.raises(RenderError, match="nobody2020"):
        _render(tmp_path, source)


def test_include_must_stand_alone(tmp_path):
    source = _copy_toy(tmp_path, lambda t: t + "\nText {{< include _intro.qmd >}} here.\n")
    with pytest.raises(RenderError, match="stand alone"):
        _render(tmp_path, source)


def test_include_outside_the_render_folder_is_refused(tmp_path, monkeypatch):
    """By the pandoc path's expander, and before Quarto runs (Quarto itself would include it)."""
    (tmp_path / "secret.txt").write_text("SECRET")
    source = _copy_toy(tmp_path, lambda t: t + "\n{{< include ../secret.txt >}}\n")
    shutil.copytree(source, tmp_path / "copy")
    (tmp_path / "copy" / "_variables.yml").write_text("{}\n")
    with pytest.raises(RenderError, match="outside the render folder"):
        render.expand_shortcodes(tmp_path / "copy", "report.qmd", {})
    log = _fake_quarto(tmp_path, monkeypatch)
    for engine in ("pandoc", "quarto"):
        with pytest.raises(RenderError, match=r"report\.qmd:\d+: include '\.\./secret\.txt' is outside the render folder"):
            _render(tmp_path, source, engine=engine)
    assert not log.exists(), "quarto must not run when an include leaves the render folder"


def test_escaped_shortcode_stays_literal(tmp_path):
    source = _copy_toy(tmp_path, lambda t: t + "\nWrite `{{{< var x >}}}` to print a variable.\n")
    with pytest.raises(RenderError, match="shortcode left as text"):  # check_html still flags it
        _render(tmp_path, source)
    assert "{{< var x >}}" in (tmp_path / "work" / "_report.expanded.md").read_text()


def test_expand_shortcodes_meta_and_include_cycle(tmp_path):
    (tmp_path / "_quarto.yml").write_text("title: Project title\n")
    (tmp_path / "report.qmd").write_text("---\nsubtitle: Sub\n---\n\n{{< meta title >}} / {{< meta subtitle >}}\n")
    assert "Project title / Sub" in render.expand_shortcodes(tmp_path, "report.qmd", {})
    (tmp_path / "a.qmd").write_text("{{< include b.qmd >}}\n")
    (tmp_path / "b.qmd").write_text("{{< include /a.qmd >}}\n{{< pagebreak >}}\n")
    with pytest.raises(RenderError) as err:
        render.expand_shortcodes(tmp_path, "a.qmd", {})
    assert "include cycle" in str(err.value) and "unsupported shortcode {{< pagebreak >}}" in str(err.value)


def test_variables_are_written_as_strings():
    text = render.variables_yaml({"a": {"b": 0.1, "c": 3, "d": True}, "e": "x: y"})
    assert yaml.safe_load(text) == {"a": {"b": "0.1", "c": "3", "d": "true"}, "e": "x: y"}
    with pytest.raises(RenderError):
        render.variables_yaml({"a": None})


def test_generated_paths_must_stay_inside(tmp_path):
    with pytest.raises(RenderError, match="inside the project"):
        render_report(TOY, tmp_path / "work", tmp_path / "o.html", VARIABLES, {"../evil.md": "x"},
                      engine="pandoc", log=lambda _m: None)


def test_refuses_to_wipe_a_foreign_directory(tmp_path):
    precious = tmp_path / "work" / "keep.txt"
    precious.parent.mkdir()
    precious.write_text("mine")
    with pytest.raises(RenderError, match="refusing"):
        _render(tmp_path)
    assert precious.read_text() == "mine"


def test_rerender_replaces_previous_work_dir(tmp_path):
    _render(tmp_path)
    (tmp_path / "work" / "stale.txt").write_text("old")
    _render(tmp_path)
    assert not (tmp_path / "work" / "stale.txt").exists()


def test_pdf_has_pages_text_and_figures(tmp_path):
    pdf = tmp_path / "out" / "report.pdf"
    _render(tmp_path, pdf=pdf)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 20_000
    assert len(re.findall(rb"/Subtype\s*/Image", data)) >= 2, "figures missing from the PDF"
    pages = len(re.findall(rb"/Type\s*/Page\b", data))
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 1
    if shutil.which("pdftotext"):
        text = _text(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout)
        for expected in ("Figure 1: Learning speed", "Figure 2: Gradient norm", "Table 1: Learning speed",
                         "96.5%", "Nielsen", "Glorot"):
            assert expected in text


# --------------------------------------------------------------------------- engine choice

FAKE_QUARTO = r"""#!/bin/sh
# Fake quarto: records its calls, then behaves as FAKE_QUARTO_MODE says.
echo "$PWD|$*" >> "$FAKE_QUARTO_LOG"
if [ "$1" = "--version" ]; then echo "${FAKE_QUARTO_VERSION:-1.9.20}"; exit 0; fi
[ -f _variables.yml ] && echo "variables-present" >> "$FAKE_QUARTO_LOG"
case "$FAKE_QUARTO_MODE" in
  fail) echo "ERROR: something broke" >&2; exit 1;;
  silent) exit 0;;
esac
input="$2"; to=""; out="."
shift 2
while [ $# -gt 0 ]; do
  case "$1" in --to) to="$2"; shift;; --output-dir) out="$2"; shift;; esac
  shift
done
stem=$(basename "$input" .qmd)
mkdir -p "$out"
if [ "$to" = typst ]; then printf '%%PDF-1.7 fake' > "$out/$stem.pdf"; exit 0; fi
body='<p>rendered by fake quarto</p>'
[ "$FAKE_QUARTO_MODE" = unresolved ] && body='<p>See ?@fig-speed and ?var:results.acc</p>'
[ "$FAKE_QUARTO_MODE" = warn ] && echo "WARNING (filter) Unable to resolve crossref @fig-x" >&2
[ "$FAKE_QUARTO_MODE" = error ] && echo "ERROR: Typst compile failed (but exit 0)" >&2
[ "$FAKE_QUARTO_MODE" = colour ] && printf '\033[33mWARNING\033[39m: Unknown var e1.x specified in a var shortcode.\n' >&2
[ "$FAKE_QUARTO_MODE" = lua_w ] && echo "  (W) Unable to resolve crossref @fig-x"
[ "$FAKE_QUARTO_MODE" = lua_e ] && printf '\033[31m(E) Running juice failed\033[0m\n' >&2
echo "NO_COLOR=$NO_COLOR" >> "$FAKE_QUARTO_LOG"
printf '<!DOCTYPE html><html><head><title>t</title></head><body>%s</body></html>' "$body" > "$out/$stem.html"
"""


def _fake_quarto(tmp_path: Path, monkeypatch, mode: str = "ok", version: str = "1.9.20") -> Path:
    """Put a fake ``quarto`` first on PATH; return the file where it logs its calls."""
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "quarto"
    fake.write_text(FAKE_QUARTO)
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    log = tmp_path / "quarto-calls.log"
    monkeypatch.delenv("QUARTO_PATH", raising=False)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("FAKE_QUARTO_LOG", str(log))
    monkeypatch.setenv("FAKE_QUARTO_MODE", mode)
    monkeypatch.setenv("FAKE_QUARTO_VERSION", version)
    return log


def test_engine_is_pandoc_without_quarto(tmp_path, monkeypatch):
    monkeypatch.delenv("QUARTO_PATH", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no quarto
    messages = []
    assert choose_engine("auto", messages.append) == ("pandoc", None)
    assert any("quarto not found" in m for m in messages)
    with pytest.raises(RenderError, match="no quarto"):
        choose_engine("quarto")
    engine, out = _render(tmp_path, engine="auto")
    assert engine == "pandoc" and check_html(out) == []


def test_engine_is_quarto_when_on_path(tmp_path, monkeypatch):
    log = _fake_quarto(tmp_path, monkeypatch)
    engine, quarto = choose_engine("auto")
    assert engine == "quarto" and quarto == str(tmp_path / "fakebin" / "quarto")


def test_quarto_path_variable_is_honoured(tmp_path, monkeypatch):
    _fake_quarto(tmp_path, monkeypatch)
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    monkeypatch.setenv("QUARTO_PATH", str(tmp_path / "fakebin" / "quarto"))
    assert choose_engine("auto")[0] == "quarto"
    monkeypatch.setenv("QUARTO_PATH", str(tmp_path / "no-such-quarto"))
    assert choose_engine("auto")[0] == "pandoc"


def test_old_quarto_falls_back_to_pandoc(tmp_path, monkeypatch):
    _fake_quarto(tmp_path, monkeypatch, version="1.8.26")
    assert choose_engine("auto", lambda _m: None)[0] == "pandoc"
    with pytest.raises(RenderError, match="older than 1.9"):
        choose_engine("quarto")


def test_quarto_engine_call_and_output(tmp_path, monkeypatch):
    log = _fake_quarto(tmp_path, monkeypatch)
    pdf = tmp_path / "out" / "report.pdf"
    engine, out = _render(tmp_path, engine="auto", pdf=pdf)
    assert engine == "quarto"
    assert "rendered by fake quarto" in out.read_text()
    assert pdf.read_bytes().startswith(b"%PDF")
    calls = log.read_text().splitlines()
    work = str((tmp_path / "work").resolve())
    html_call = "render report.qmd --to html --output-dir _render_out -M embed-resources:true -M html-math-method:mathml"
    assert f"{work}|{html_call}" in calls
    assert f"{work}|render report.qmd --to typst --output-dir _render_out" in calls
    assert "variables-present" in calls
    assert "NO_COLOR=1" in calls  # Quarto's log is not coloured (and colour codes are stripped)
    written = yaml.safe_load((tmp_path / "work" / "_variables.yml").read_text())
    assert written["results"] == {"accuracy": "96.5%", "epochs": "30"}
    assert (tmp_path / "work" / "_generated" / "speeds.md").read_text() == TABLE


@pytest.mark.parametrize("mode, message", [
    ("fail", r"failed \(exit 1\).*something broke"),
    ("silent", "did not write"),
    ("warn", "warned"),
    ("error", "reported errors:.*ERROR: Typst compile failed"),
    ("unresolved", "unresolved cross-reference"),
    ("colour", "warned or reported errors:.*WARNING: Unknown var e1.x"),
    ("lua_w", r"warned or reported errors:.*\(W\) Unable to resolve"),
    ("lua_e", r"warned or reported errors:.*\(E\) Running juice failed"),
])
def test_quarto_engine_failures_are_errors(tmp_path, monkeypatch, mode, message):
    _fake_quarto(tmp_path, monkeypatch, mode=mode)
    with pytest.raises(RenderError, match=re.compile(message, re.DOTALL)):
        _render(tmp_path, engine="quarto")
    assert not (tmp_path / "out" / "report.html").exists()


def test_quarto_log_filter_sees_coloured_and_lua_lines():
    log = ("\x1b[1m\x1b[33mWARNING\x1b[39m\x1b[22m: Unknown var e1.x\n"
           "\x1b[33mWARN\x1b[39m (filter) x\n  (W) from a Lua filter\n\x1b[31m(E) Running juice failed\x1b[0m\n"
           "\x1b[31mERROR\x1b[39m: Typst\nOutput created: report.html\n[1/1] report.qmd\nno WARNING mid-line\n")
    assert render.quarto_log_problems(log) == ["WARNING: Unknown var e1.x", "WARN (filter) x", "(W) from a Lua filter",
                                               "(E) Running juice failed", "ERROR: Typst"]


# --------------------------------------------------------------------------- check_html


def test_check_html_flags_what_would_break(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text(textwrap.dedent("""\
        <html><head><link rel="stylesheet" href="https://cdn.example/x.css">
        <script src="http://cdn.example/x.js"></script>
        <style>body { background: url(back.png); }</style></head><body>
        <img src="fig.png"><img src="data:image/png;base64,AAAA">
        <p>See ?@fig-x and ?? and @tbl-y and ?var:run.acc.</p>
        <p><span class="citation" data-cites="nokey"><a href="#ref-nokey"><strong>nokey?</strong></a></span></p>
        <p><a href="https://example.org/paper">a web link is fine</a> <a href="#here">ok</a></p>
        <div id="here"></div></body></html>
        """))
    problems = "\n".join(check_html(page))
    for expected in ("x.css", "x.js", "back.png", "'fig.png'", "?@fig-x", "'??'", "@tbl-y",
                     "?var:run.acc", "#ref-nokey", "nokey?"):
        assert expected in problems, expected
    assert "example.org/paper" not in problems and "#here" not in problems
    assert "data:image" not in problems


# --------------------------------------------------------------------------- browser


def require_chromium():
    """Install Debian's chromium when missing (root); fail under CI, skip elsewhere, if impossible."""
    import debian

    reason = debian.cannot_install_reason(["chromium"])
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    debian.ensure(["chromium", "poppler-utils"], ["chromium", "pdftotext"])
    assert CHROMIUM.exists()


def test_report_opens_offline_in_chromium(tmp_path):
    """The toy report, rendered into test-artifacts/, loads from file:// with no request."""
    from browser import open_and_check

    require_chromium()

    html = ARTIFACTS / "report_toy.html"
    _render(tmp_path, out_html=html, pdf=ARTIFACTS / "report_toy.pdf")
    shot = ARTIFACTS / "report_toy.png"
    shot.unlink(missing_ok=True)
    result = open_and_check(html, shot)
    assert result["console_errors"] == []
    assert result["failed_requests"] == []
    assert result["requests"] == [html.resolve().as_uri()], "the page fetched something besides itself"
    assert result["title"].startswith("Toy report")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


COLWIDTHS = """# Widths {#sec-widths}

| short | long prose |
|:---|:---|
| a | some words that wrap |
| b \\| c | an escaped bar stays in its cell |

: A table with Quarto's column widths. {#tbl-widths tbl-colwidths="[20, 80]"}

See @tbl-widths.
"""


def test_tbl_colwidths_sets_relative_column_widths(tmp_path):
    """Quarto's tbl-colwidths attribute gives the pandoc render the same relative widths, and a
    count that does not match the columns is an error naming the table."""
    source = _copy_toy(tmp_path)
    (source / "widths.qmd").write_text(COLWIDTHS)
    _engine, out = _render(tmp_path, source, main="widths.qmd")
    html = out.read_text()
    assert re.findall(r'<col style="width: (\d+)%"', html) == ["20", "80"]
    assert "b | c" in _text(html) and "tbl-colwidths" not in html
    bad = tmp_path / "bad"
    source = _copy_toy(bad)
    (source / "widths.qmd").write_text(COLWIDTHS.replace("[20, 80]", "[20, 30, 50]"))
    with pytest.raises(RenderError, match="tbl-widths"):
        _render(bad, source, main="widths.qmd")


def test_layout_probe_flags_what_sticks_out_of_the_column_unless_it_scrolls(tmp_path):
    """The browser's overflow probe (browser.LAYOUT_PROBE) on a page with one wide element bare and
    one inside a box that scrolls sideways."""
    from browser import layout

    require_chromium()
    wide = '<div id="{id}" style="width: 2000px">wide</div>'
    page = tmp_path / "page.html"
    page.write_text("<!doctype html><html><body><main style='max-width: 600px'><p>text</p>"
                    + wide.format(id="bare")
                    + "<div style='overflow-x: auto'>" + wide.format(id="boxed") + "</div></main></body></html>")
    facts = layout(page, (1280, 390))
    for width in (1280, 390):
        tags = [o["tag"] for o in facts[width]["overflowing"]]
        assert tags == ["div#bare"], (width, tags)
